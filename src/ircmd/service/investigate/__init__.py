"""Investigation depth: diffs of two runs, conversations, replay, change points, profiles."""
