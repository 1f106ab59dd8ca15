"""One question every store answers for the status bar: can I reach my data right now?"""

from __future__ import annotations

from ircmd.store.base import IncidentStore


def store_health(store: IncidentStore) -> tuple[bool, str]:
    """``(ok, one line)``, cheap enough to call on every refresh tick (never queries).

    A store with a ``health()`` method (PostgreSQL: the LISTEN connection's state and the
    last error seen) answers for itself; a local file store is always reachable."""
    health = getattr(store, "health", None)
    if callable(health):
        ok, line = health()
        return bool(ok), str(line)
    return True, store.location
