"""Playbooks: read from the package and the config dir, matched and applied to incidents."""
