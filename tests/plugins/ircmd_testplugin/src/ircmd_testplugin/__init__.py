"""A third-party ircmd backend, as an outside package would ship one (used by ircmd's tests)."""
