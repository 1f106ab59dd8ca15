"""The TinyDB journal's table names (shared by the store and the raw copy, which must not
import each other)."""

from __future__ import annotations

INCIDENTS = "incidents"
META = "meta"


def events_table(incident_id: str) -> str:
    return f"events:{incident_id}"


def docs_table(collection: str) -> str:
    return f"docs:{collection}"
