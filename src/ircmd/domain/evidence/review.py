"""The post-incident review: what happened, why, what it cost, and what changes.

Stored as a document (collection ``reviews``, keyed by incident id). The root-cause
categories are the seed's investigate step plus vendor change.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ircmd.domain.enums import parse_enum
from ircmd.domain.incidents.incident import DomainError, Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.domain.text import newline_lines

REVIEWS = "reviews"


class RootCause(StrEnum):
    MODEL_BEHAVIOUR = "model_behaviour"
    RETRIEVAL = "retrieval"
    DATA_QUALITY = "data_quality"
    PROMPT_DESIGN = "prompt_design"
    TOOL_PERMISSIONS = "tool_permissions"
    VALIDATION = "validation"
    HUMAN_REVIEW = "human_review"
    INTEGRATION = "integration"
    POLICY_AMBIGUITY = "policy_ambiguity"
    VENDOR_CHANGE = "vendor_change"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, value: str) -> RootCause:
        aliases = {
            "model": "model_behaviour",
            "model_behavior": "model_behaviour",
            "prompt": "prompt_design",
            "permissions": "tool_permissions",
        }
        return parse_enum(cls, value, "root cause", aliases=aliases, error=DomainError)


class Impact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    people: int | None = Field(default=None, ge=0)
    records: int | None = Field(default=None, ge=0)
    money: float | None = Field(default=None, ge=0)
    currency: str = "EUR"
    hours: float | None = Field(default=None, ge=0)
    """How long people were exposed to the failure (first harm to containment)."""
    notes: str = ""

    def is_empty(self) -> bool:
        return all(v is None for v in (self.people, self.records, self.money, self.hours))


class ControlOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    control: str
    worked: bool
    note: str = ""


class ActionItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    owner: str = ""
    due: date | None = None
    done: bool = False

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("an action item needs a title")
        return v


class Review(BaseModel):
    """One incident's review. ``final`` is set when it was saved as complete."""

    model_config = ConfigDict(extra="forbid")

    incident_id: str
    summary: str = ""
    what_happened: str = ""
    impact: Impact = Field(default_factory=Impact)
    root_cause: RootCause | None = None
    contributing_factors: list[str] = Field(default_factory=list)
    controls: list[ControlOutcome] = Field(default_factory=list)
    went_well: list[str] = Field(default_factory=list)
    went_badly: list[str] = Field(default_factory=list)
    actions: list[ActionItem] = Field(default_factory=list)
    key_moments: list[int] = Field(default_factory=list)
    """Timeline event seqs marked as key moments."""
    resolution: str = ""
    messaging: str = ""
    expected_behaviour: str = ""
    """What the system should have done: the default expectation for eval cases."""
    taxonomy: list[str] = Field(default_factory=list)
    """OWASP LLM Top 10 / MITRE ATLAS ids, e.g. ``LLM01:2025``, ``AML.T0051``."""
    versions: dict[str, str] = Field(default_factory=dict)
    """model / prompt / index versions involved."""
    deployer: str = ""
    developer: str = ""
    harmed_parties: list[str] = Field(default_factory=list)
    author: str = ""
    updated_at: datetime | None = None
    final: bool = False

    def completion_problems(self) -> list[str]:
        """Why this review cannot be saved as final yet (empty when it can)."""
        problems = []
        if not self.summary.strip():
            problems.append("summary is empty")
        if self.root_cause is None:
            problems.append("no root-cause category chosen")
        for i, action in enumerate(self.actions, start=1):
            if not action.owner.strip():
                problems.append(f"action {i} ({action.title}) has no owner")
            if action.due is None:
                problems.append(f"action {i} ({action.title}) has no due date")
        return problems

    def to_doc(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Review:
        return cls.model_validate(doc)


# Events that usually are the key moments of an incident.
_KEY_KINDS = {
    EventKind.DECLARED,
    EventKind.SEVERITY_CHANGE,
    EventKind.CLASSIFICATION,
    EventKind.CONTAINMENT_CONFIRMED,
    EventKind.CONTAINMENT_FAILED,
    EventKind.EVIDENCE_PINNED,
    EventKind.FINDING,
    EventKind.DECISION,
}


def suggest_key_moments(events: list[TimelineEvent]) -> list[int]:
    """Seqs worth marking: declaration, severity/classification, containment, evidence,
    findings, decisions, and the status changes to contained and resolved."""
    out = []
    for ev in events:
        if ev.kind in _KEY_KINDS or (
            ev.kind == EventKind.STATUS_CHANGE and ev.data.get("to") in ("contained", "resolved")
        ):
            out.append(ev.seq)
    return out


def parse_list(text: str) -> list[str]:
    """One item per line (or ``;``-separated on one line); blanks dropped."""
    parts = newline_lines(text) if "\n" in text else text.split(";")
    return [" ".join(p.split()) for p in parts if p.strip()]


def parse_actions(text: str) -> list[ActionItem]:
    """``title | owner | YYYY-MM-DD`` per line; owner and date optional."""
    items = []
    for n, line in enumerate(newline_lines(text), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split("|")]
        if len(fields) > 3:
            raise DomainError(f"action line {n}: use 'title | owner | YYYY-MM-DD'")
        due: date | None = None
        if len(fields) == 3 and fields[2]:
            try:
                due = date.fromisoformat(fields[2])
            except ValueError:
                raise DomainError(
                    f"action line {n}: due date {fields[2]!r} is not YYYY-MM-DD"
                ) from None
        items.append(
            ActionItem(title=fields[0], owner=fields[1] if len(fields) > 1 else "", due=due)
        )
    return items


def format_actions(actions: list[ActionItem]) -> str:
    return "\n".join(
        " | ".join([a.title, a.owner, a.due.isoformat() if a.due else ""]).rstrip(" |")
        for a in actions
    )


def parse_controls(text: str) -> list[ControlOutcome]:
    """``+control: note`` (worked) or ``-control: note`` (failed), one per line."""
    out = []
    for n, line in enumerate(newline_lines(text), start=1):
        line = line.strip()
        if not line:
            continue
        if line[0] not in "+-":
            raise DomainError(
                f"controls line {n}: start with + (worked) or - (failed), e.g. '+pause: held'"
            )
        name, _, note = line[1:].partition(":")
        if not name.strip():
            raise DomainError(f"controls line {n}: name the control")
        out.append(ControlOutcome(control=name.strip(), worked=line[0] == "+", note=note.strip()))
    return out


def format_controls(controls: list[ControlOutcome]) -> str:
    return "\n".join(
        ("+" if c.worked else "-") + c.control + (f": {c.note}" if c.note else "") for c in controls
    )


def new_review(incident: Incident, events: list[TimelineEvent]) -> Review:
    return Review(incident_id=incident.id, key_moments=suggest_key_moments(events))
