"""Incidents: identity, classification, severity, roles and the status lifecycle.

Pure: every function that needs the time takes ``now``.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ircmd.domain.enums import parse_enum


class DomainError(ValueError):
    """A command that the domain rules refuse; the message says why and what is allowed."""


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    @classmethod
    def parse(cls, value: str) -> Severity:
        return parse_enum(cls, value, "severity", error=DomainError)


_SEVERITY_ORDER = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


class Classification(StrEnum):
    """The seed's classify step: what kind of event is this."""

    QUALITY_ISSUE = "quality_issue"
    NEAR_MISS = "near_miss"
    SECURITY_EVENT = "security_event"
    AI_INCIDENT = "ai_incident"
    OPERATIONAL_INCIDENT = "operational_incident"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, value: str) -> Classification:
        return parse_enum(cls, value, "classification", error=DomainError)


class Status(StrEnum):
    DETECTED = "detected"
    TRIAGED = "triaged"
    CONTAINED = "contained"
    INVESTIGATING = "investigating"
    REMEDIATING = "remediating"
    RESOLVED = "resolved"
    REVIEWED = "reviewed"

    @classmethod
    def parse(cls, value: str) -> Status:
        return parse_enum(cls, value, "status", error=DomainError)

    @property
    def is_open(self) -> bool:
        return self not in (Status.RESOLVED, Status.REVIEWED)


# The loop of the seed, forward, with the steps a real incident skips or repeats:
# containment may be skipped for a low-severity quality issue, an investigation may
# reveal the need to contain again, and a resolved incident can be reopened.
ALLOWED_TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.DETECTED: (Status.TRIAGED, Status.CONTAINED, Status.INVESTIGATING, Status.RESOLVED),
    Status.TRIAGED: (Status.CONTAINED, Status.INVESTIGATING, Status.RESOLVED),
    Status.CONTAINED: (Status.INVESTIGATING, Status.REMEDIATING, Status.RESOLVED),
    Status.INVESTIGATING: (Status.CONTAINED, Status.REMEDIATING, Status.RESOLVED),
    Status.REMEDIATING: (Status.INVESTIGATING, Status.RESOLVED),
    Status.RESOLVED: (Status.REVIEWED, Status.INVESTIGATING),
    Status.REVIEWED: (),
}


def check_transition(current: Status, new: Status) -> None:
    """Raise :class:`DomainError` unless ``current -> new`` is an allowed step."""
    if new == current:
        raise DomainError(f"incident is already {current.value}")
    allowed = ALLOWED_TRANSITIONS[current]
    if new not in allowed:
        if allowed:
            choices = ", ".join(s.value for s in allowed)
            raise DomainError(
                f"cannot move from {current.value} to {new.value}; allowed from "
                f"{current.value}: {choices}"
            )
        raise DomainError(f"cannot move from {current.value}: it is final")


class Role(StrEnum):
    INCIDENT_LEAD = "incident_lead"
    BUSINESS_OWNER = "business_owner"
    ENGINEERING_OWNER = "engineering_owner"
    SCRIBE = "scribe"
    COMMS = "comms"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, value: str) -> Role:
        aliases = {
            "lead": "incident_lead",
            "ic": "incident_lead",
            "commander": "incident_lead",
            "owner": "business_owner",
            "eng": "engineering_owner",
            "engineering": "engineering_owner",
            "business": "business_owner",
        }
        return parse_enum(cls, value, "role", aliases=aliases, error=DomainError)


_ID_RE = re.compile(r"^INC-(\d{4,})$")


def format_incident_id(number: int) -> str:
    return f"INC-{number:04d}"


def parse_incident_id(value: str) -> int:
    """``INC-0042``, ``inc-42`` or ``42`` -> 42."""
    text = value.strip().upper()
    if text.isdigit():
        return int(text)
    m = re.match(r"^INC-?(\d+)$", text)
    if not m:
        raise DomainError(f"not an incident id: {value!r} (expected INC-0001)")
    return int(m.group(1))


def normalise_incident_id(value: str) -> str:
    return format_incident_id(parse_incident_id(value))


class Incident(BaseModel):
    """The current state of one incident: a projection of its timeline."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    workflow_id: str | None = None
    status: Status = Status.DETECTED
    severity: Severity = Severity.MEDIUM
    severity_reason: str = ""
    classification: Classification | None = None
    roles: dict[Role, str] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    occurred_at: datetime | None = None
    aware_at: datetime | None = None
    contained_at: datetime | None = None
    resolved_at: datetime | None = None
    reviewed_at: datetime | None = None
    created_by: str = ""
    head_seq: int = 0
    """Seq of the last timeline event, written by the store with every change."""
    head_hash: str = ""
    """Hash of the last timeline event: anchors the chain so a removed tail is detected."""
    head_mac: str = ""
    """:func:`~ircmd.domain.incidents.timeline.head_mac` of the head, in a keyed store."""

    @property
    def number(self) -> int:
        return parse_incident_id(self.id)

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def age_seconds(self, now: datetime) -> float:
        start = self.aware_at or self.created_at
        return max(0.0, (now - start).total_seconds())

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def format_age(seconds: float) -> str:
    """Compact age for lists: ``45s``, ``12m``, ``3h05m``, ``2d04h``."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600:02d}h"
