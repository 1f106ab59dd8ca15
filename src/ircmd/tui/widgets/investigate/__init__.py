"""Widgets of the investigation views."""
