"""AI playbooks as data: per incident type, what to ask, contain, preserve and tell."""
