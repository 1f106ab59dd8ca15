"""Integrity checks shared by every store backend (same problem lines everywhere)."""

from __future__ import annotations

from typing import Any

from ircmd.domain.incidents.timeline import verify_records


def incident_chain_problems(
    incident_id: str, incident_record: dict[str, Any], records: list[dict[str, Any]]
) -> list[str]:
    """Problems of one incident's timeline: the chain itself, and its anchor in the incident.

    The incident record keeps the seq and hash of the last event (``head_seq``/``head_hash``),
    so a timeline whose tail was cut off, or whose last event was replaced, is detected even
    though the shorter chain is valid on its own."""
    problems: list[str] = []
    if not records:
        problems.append(f"{incident_id}: timeline is empty (the declaration is missing)")
    problems += [str(p) for p in verify_records(incident_id, records)]
    head_seq = incident_record.get("head_seq", 0)
    head_hash = incident_record.get("head_hash", "")
    if records and head_seq:
        last = records[-1]
        if last.get("seq") != head_seq:
            problems.append(
                f"{incident_id}: timeline ends at event {last.get('seq')} but the incident "
                f"records {head_seq} events (events removed or added outside ircmd)"
            )
        elif last.get("hash") != head_hash:
            problems.append(
                f"{incident_id} event {head_seq}: last event does not match the "
                "hash anchored in the incident (replaced)"
            )
    return problems
