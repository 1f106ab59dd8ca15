"""Colours for severities, statuses and event kinds (shared by every widget)."""

from __future__ import annotations

SEVERITY_STYLE = {
    "low": "green",
    "medium": "yellow",
    "high": "bold dark_orange",
    "critical": "bold white on red",
}

STATUS_STYLE = {
    "detected": "bold red",
    "triaged": "dark_orange",
    "contained": "yellow",
    "investigating": "cyan",
    "remediating": "blue",
    "resolved": "green",
    "reviewed": "dim green",
}

EVENT_STYLE = {
    "signal": "bold magenta",
    "declared": "bold red",
    "note": "",
    "decision": "bold cyan",
    "status_change": "yellow",
    "severity_change": "bold dark_orange",
    "classification": "yellow",
    "role_change": "blue",
    "containment_requested": "dark_orange",
    "containment_confirmed": "bold green",
    "containment_failed": "bold red",
    "containment_drift": "bold red",
    "containment_drift_cleared": "green",
    "evidence_pinned": "magenta",
    "communication": "cyan",
}
