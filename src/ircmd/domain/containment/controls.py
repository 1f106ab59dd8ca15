"""Containment controls: identity, desired vs confirmed state, drift, plans and time travel.

Pure: nothing here talks to a backend or reads the clock; callers pass ``now``.

A control is named ``WORKFLOW/CONTROL`` everywhere (CLI, ``:`` line, exports). Its state is
``on`` when the containment is engaged (workflow paused, review forced, tool disabled,
source blocked, prompt rolled back, permissions narrowed) and ``off`` when released.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ircmd.domain.config import Config
from ircmd.domain.enums import parse_enum
from ircmd.domain.incidents.incident import DomainError, Severity
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, utc
from ircmd.domain.incidents.workflow import ControlKind, ControlSpec, Workflow

CONTROLS_COLLECTION = "controls"
"""Store collection of :class:`ControlRecord` documents, keyed by ``WORKFLOW/CONTROL``."""

CONTAINMENT_EVENTS = (
    EventKind.CONTAINMENT_REQUESTED,
    EventKind.CONTAINMENT_CONFIRMED,
    EventKind.CONTAINMENT_FAILED,
    EventKind.CONTAINMENT_DRIFT,
    EventKind.CONTAINMENT_DRIFT_CLEARED,
)


class ControlState(StrEnum):
    ON = "on"
    OFF = "off"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str) -> ControlState:
        aliases = {"true": "on", "engaged": "on", "false": "off", "released": "off"}
        return parse_enum(
            cls, value, "control state", aliases=aliases, allowed="on or off", error=DomainError
        )


# -- identity -------------------------------------------------------------------------------

_PART = r"[A-Za-z0-9_.-]+"
_REF_RE = re.compile(rf"^({_PART})/({_PART})$")


@dataclass(frozen=True, order=True)
class ControlRef:
    workflow_id: str
    control_id: str

    def __str__(self) -> str:
        return f"{self.workflow_id}/{self.control_id}"

    @classmethod
    def parse(cls, text: str) -> ControlRef:
        m = _REF_RE.match(text.strip())
        if not m:
            raise DomainError(f"not a control name: {text!r} (expected WORKFLOW/CONTROL)")
        return cls(m.group(1), m.group(2))


def resolve_control(
    config: Config, text: str, default_workflow: str | None = None
) -> tuple[ControlRef, Workflow, ControlSpec]:
    """``WORKFLOW/CONTROL`` (or a bare ``CONTROL`` of ``default_workflow``) from the config."""
    text = text.strip()
    if "/" not in text and default_workflow:
        text = f"{default_workflow}/{text}"
    ref = ControlRef.parse(text)
    wf = config.workflow(ref.workflow_id)
    if wf is None:
        known = ", ".join(w.id for w in config.workflows) or "none configured"
        raise DomainError(f"unknown workflow {ref.workflow_id!r} in {text!r} (known: {known})")
    spec = wf.control(ref.control_id)
    if spec is None:
        known = ", ".join(c.id for c in wf.controls) or "none configured"
        raise DomainError(
            f"workflow {wf.id!r} has no control {ref.control_id!r} (its controls: {known})"
        )
    return ref, wf, spec


def all_controls(config: Config) -> list[tuple[ControlRef, Workflow, ControlSpec]]:
    return [(ControlRef(w.id, c.id), w, c) for w in config.workflows for c in w.controls]


# -- stored state ----------------------------------------------------------------------------


class ControlRecord(BaseModel):
    """What ircmd knows about one control: asked for, confirmed, and why (stored per control).

    ``memo`` holds what the controller needs to undo its change (e.g. the prompt version
    the ``production`` tag pointed at before a rollback). Never a secret.
    """

    model_config = ConfigDict(extra="ignore")

    ref: str
    desired: ControlState = ControlState.OFF
    confirmed: ControlState = ControlState.UNKNOWN
    confirmed_at: datetime | None = None
    detail: str = ""
    pending: bool = False
    failed: str | None = None
    changed_at: datetime | None = None
    changed_by: str = ""
    reason: str = ""
    incident_id: str | None = None
    memo: dict[str, str] = Field(default_factory=dict)
    drift_state: ControlState | None = None
    """The actual state a drift was last recorded for (None: no drift recorded)."""

    def to_doc(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_doc(cls, ref: str, doc: Mapping[str, Any] | None) -> ControlRecord:
        if not doc:
            return cls(ref=ref)
        try:
            return cls.model_validate({**doc, "ref": ref})
        except ValueError:
            return cls(ref=ref, failed="stored control state was unreadable; reset")


@dataclass(frozen=True)
class Observation:
    """One read of a control's actual state from its controller."""

    state: ControlState
    detail: str = ""
    error: str | None = None
    at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.state != ControlState.UNKNOWN


def is_drift(record: ControlRecord, observed: Observation | None) -> bool:
    """The backend, read successfully, shows a state ircmd did not ask for (and no
    request is in flight)."""
    if observed is None or not observed.ok or record.pending:
        return False
    return observed.state != record.desired


# -- the board --------------------------------------------------------------------------------


class RowHealth(StrEnum):
    OK = "ok"
    PENDING = "pending"
    FAILED = "failed"
    DRIFT = "drift"
    UNREAD = "unread"


@dataclass(frozen=True)
class ControlRow:
    """One row of the containment board (also the ``ircmd controls --json`` item)."""

    ref: ControlRef
    workflow_name: str
    kind: ControlKind
    critical: bool
    controller: str
    enforced: bool
    desired: ControlState
    confirmed: ControlState
    health: RowHealth
    detail: str = ""
    error: str | None = None
    changed_at: datetime | None = None
    changed_by: str = ""
    reason: str = ""
    incident_id: str | None = None
    checked_at: datetime | None = None
    target: str = ""

    @property
    def id(self) -> str:
        return str(self.ref)

    @property
    def mismatch(self) -> bool:
        """Desired differs from what the backend confirmed (the row must stand out)."""
        return self.health != RowHealth.OK

    @property
    def drift(self) -> bool:
        return self.health == RowHealth.DRIFT

    @property
    def active(self) -> bool:
        """Still on, or not known to be off (a request unconfirmed or failed)."""
        return (
            self.desired == ControlState.ON
            or self.confirmed == ControlState.ON
            or self.health in (RowHealth.PENDING, RowHealth.FAILED)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "workflow": self.ref.workflow_id,
            "control": self.ref.control_id,
            "kind": self.kind.value,
            "critical": self.critical,
            "controller": self.controller,
            "enforced": self.enforced,
            "desired": self.desired.value,
            "confirmed": self.confirmed.value,
            "drift": self.drift,
            "health": self.health.value,
            "detail": self.detail,
            "error": self.error,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "changed_by": self.changed_by,
            "reason": self.reason,
            "incident_id": self.incident_id,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
        }


def control_target(spec: ControlSpec) -> str:
    """What the control acts on, for display: tool, source, prompt or scope."""
    for label, value in (
        ("tool", spec.tool),
        ("source", spec.source),
        ("prompt", spec.prompt),
        ("scope", spec.scope),
        ("flag", spec.flag),
    ):
        if value:
            return f"{label} {value}"
    return ""


def build_rows(
    config: Config,
    records: Mapping[str, ControlRecord],
    observed: Mapping[str, Observation],
    enforced: Mapping[str, bool] | None = None,
) -> list[ControlRow]:
    """Every configured control as a board row, in config order (grouped by workflow)."""
    rows: list[ControlRow] = []
    for ref, wf, spec in all_controls(config):
        key = str(ref)
        rec = records.get(key) or ControlRecord(ref=key)
        obs = observed.get(key)
        if rec.pending:
            health = RowHealth.PENDING
        elif rec.failed:
            health = RowHealth.FAILED
        elif obs is not None and not obs.ok:
            health = RowHealth.UNREAD
        elif is_drift(rec, obs):
            health = RowHealth.DRIFT
        elif obs is None and rec.confirmed != rec.desired:
            health = RowHealth.UNREAD
        else:
            health = RowHealth.OK
        if obs is not None and obs.ok:
            confirmed, detail, checked = obs.state, obs.detail, obs.at
        else:
            confirmed, detail, checked = rec.confirmed, rec.detail, rec.confirmed_at
        error = rec.failed or (obs.error if obs is not None else None)
        rows.append(
            ControlRow(
                ref=ref,
                workflow_name=wf.name,
                kind=spec.kind,
                critical=spec.critical,
                controller=spec.controller,
                enforced=(enforced or {}).get(spec.controller, True),
                desired=rec.desired,
                confirmed=confirmed,
                health=health,
                detail=detail,
                error=error,
                changed_at=rec.changed_at,
                changed_by=rec.changed_by,
                reason=rec.reason,
                incident_id=rec.incident_id,
                checked_at=checked,
                target=control_target(spec),
            )
        )
    return rows


# -- recommended containment per severity (the seed's "immediate response") ---------------


@dataclass(frozen=True)
class SeverityResponse:
    severity: Severity
    immediate_response: str
    kinds: tuple[ControlKind, ...]


RECOMMENDED: dict[Severity, SeverityResponse] = {
    Severity.LOW: SeverityResponse(
        Severity.LOW, "Log, monitor, add to evals or backlog (no containment).", ()
    ),
    Severity.MEDIUM: SeverityResponse(
        Severity.MEDIUM,
        "Triage, preserve evidence, notify owner; route outputs to human review "
        "while the fix is made.",
        (ControlKind.FORCE_HUMAN_REVIEW,),
    ),
    Severity.HIGH: SeverityResponse(
        Severity.HIGH,
        "Pause the affected workflow and force human review.",
        (ControlKind.PAUSE_WORKFLOW, ControlKind.FORCE_HUMAN_REVIEW),
    ),
    Severity.CRITICAL: SeverityResponse(
        Severity.CRITICAL,
        "Disable or isolate the system: pause, force review, disable tools, block "
        "sources, narrow permissions.",
        (
            ControlKind.PAUSE_WORKFLOW,
            ControlKind.FORCE_HUMAN_REVIEW,
            ControlKind.DISABLE_TOOL,
            ControlKind.BLOCK_SOURCE,
            ControlKind.NARROW_PERMISSIONS,
        ),
    ),
}


@dataclass(frozen=True)
class PlanStep:
    ref: ControlRef
    spec: ControlSpec
    engage: bool
    why: str


@dataclass(frozen=True)
class ContainmentPlan:
    workflow_id: str
    severity: Severity
    immediate_response: str
    steps: tuple[PlanStep, ...] = ()
    missing: tuple[ControlKind, ...] = ()

    @property
    def to_engage(self) -> list[PlanStep]:
        return [s for s in self.steps if s.engage]

    @property
    def needs_typed_confirmation(self) -> bool:
        return any(s.spec.critical for s in self.to_engage)

    def summary(self) -> str:
        n = len(self.to_engage)
        if not self.steps:
            return f"{self.severity.value}: {self.immediate_response}"
        if n == 0:
            return f"{self.workflow_id}: every recommended control is already on"
        names = ", ".join(str(s.ref) for s in self.to_engage)
        return f"{self.workflow_id}: engage {n} control(s): {names}"


def plan_containment(
    workflow: Workflow, severity: Severity, records: Mapping[str, ControlRecord]
) -> ContainmentPlan:
    """The severity's recommended set for ``workflow``; controls already on are kept as
    no-op steps so the plan shows them."""
    response = RECOMMENDED[severity]
    steps: list[PlanStep] = []
    for kind in response.kinds:
        for spec in workflow.controls:
            if spec.kind != kind:
                continue
            ref = ControlRef(workflow.id, spec.id)
            rec = records.get(str(ref)) or ControlRecord(ref=str(ref))
            already = (
                rec.desired == ControlState.ON
                and rec.confirmed == ControlState.ON
                and not rec.pending
                and not rec.failed
            )
            why = "already on (confirmed)" if already else f"{severity.value}: {kind.label}"
            steps.append(PlanStep(ref, spec, not already, why))
    have = {s.kind for s in workflow.controls}
    missing = tuple(k for k in response.kinds if k not in have)
    return ContainmentPlan(
        workflow.id, severity, response.immediate_response, tuple(steps), missing
    )


# -- time travel -------------------------------------------------------------------------------


@dataclass
class ControlAt:
    """A control's state at a moment, reconstructed from timeline events."""

    ref: str
    state: ControlState = ControlState.UNKNOWN
    since: datetime | None = None
    by: str = ""
    reason: str = ""
    incident_id: str = ""
    unconfirmed: bool = False
    requested: ControlState | None = None
    drift: bool = False
    history: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.state == ControlState.ON or self.unconfirmed

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.ref,
            "state": self.state.value,
            "since": self.since.isoformat() if self.since else None,
            "by": self.by,
            "reason": self.reason,
            "incident_id": self.incident_id,
            "unconfirmed": self.unconfirmed,
            "requested": self.requested.value if self.requested else None,
            "drift": self.drift,
        }


def controls_at(events: Iterable[TimelineEvent], at: datetime) -> dict[str, ControlAt]:
    """Each control's state at ``at`` from containment events (any incidents, any order).

    CONFIRMED sets the state; DRIFT sets the state the backend was found in (DRIFT_CLEARED
    the asked state it is back in, drift gone); REQUESTED
    marks a request in flight and FAILED leaves it unconfirmed (the state stays the last
    confirmed one).
    """
    moment = utc(at)
    relevant = sorted(
        (e for e in events if e.kind in CONTAINMENT_EVENTS and utc(e.at) <= moment),
        key=lambda e: (utc(e.at), e.incident_id, e.seq),
    )
    out: dict[str, ControlAt] = {}
    for ev in relevant:
        ref = str(ev.data.get("control") or "")
        if not ref:
            continue
        cur = out.setdefault(ref, ControlAt(ref))
        requested = _state(ev.data.get("desired"))
        observed = _state(ev.data.get("state"))
        if ev.kind == EventKind.CONTAINMENT_REQUESTED:
            cur.requested = requested
            cur.unconfirmed = True
        elif ev.kind == EventKind.CONTAINMENT_CONFIRMED:
            if observed is not None and observed != cur.state:
                cur.since = utc(ev.at)
            cur.state = observed or cur.state
            cur.by = ev.author
            cur.reason = str(ev.data.get("reason") or "")
            cur.incident_id = ev.incident_id
            cur.unconfirmed = False
            cur.requested = None
            cur.drift = False
        elif ev.kind == EventKind.CONTAINMENT_FAILED:
            cur.unconfirmed = True
        elif ev.kind == EventKind.CONTAINMENT_DRIFT:
            if observed is not None and observed != cur.state:
                cur.since = utc(ev.at)
                cur.state = observed
            cur.drift = True
        elif ev.kind == EventKind.CONTAINMENT_DRIFT_CLEARED:
            if observed is not None and observed != cur.state:
                cur.since = utc(ev.at)
                cur.state = observed
            cur.drift = False
        cur.history.append(f"{ev.kind.value}@{ev.at.isoformat()}")
    return out


def _state(value: object) -> ControlState | None:
    if isinstance(value, str):
        try:
            return ControlState(value)
        except ValueError:
            return None
    return None


_REL_RE = re.compile(r"^-?\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)\s*(?:ago)?$", re.IGNORECASE)
_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_when(text: str, now: datetime) -> datetime:
    """A moment for ``controls-at``: ISO-8601 (naive = UTC), ``HH:MM[:SS]`` today (UTC;
    yesterday if that is in the future), ``-15m`` / ``2h`` ago, or ``now``."""
    raw = text.strip()
    now = utc(now)
    if not raw:
        raise DomainError("controls-at needs a time (ISO-8601, HH:MM, or -15m)")
    if raw.lower() == "now":
        return now
    m = _REL_RE.match(raw)
    if m:
        amount = float(m.group(1))
        unit = m.group(2).lower()[0]
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit] * amount
        return now - timedelta(seconds=seconds)
    m = _CLOCK_RE.match(raw)
    if m:
        hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise DomainError(f"not a time of day: {raw!r}")
        moment = now.replace(hour=hour, minute=minute, second=second, microsecond=0)
        return moment - timedelta(days=1) if moment > now else moment
    try:
        return utc(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except ValueError:
        raise DomainError(
            f"not a time: {raw!r} (use ISO-8601 like 2026-03-01T14:05Z, HH:MM, or -15m)"
        ) from None


def parse_control_args(text: str, verb: str = "contain") -> tuple[str, str]:
    """``CONTROL [--reason TEXT…]`` (the ``:contain`` / ``:release`` line) → (control, reason).

    Everything after ``--reason`` (or ``-r``, or after the control when no flag is given)
    is the reason; quotes are optional."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    if not words or words[0].startswith("-"):
        raise DomainError(f"usage: {verb} WORKFLOW/CONTROL [--reason TEXT]")
    control, rest = words[0], words[1:]
    if rest and rest[0].startswith("--reason="):
        rest = [rest[0].split("=", 1)[1], *rest[1:]]
    elif rest and rest[0] in ("--reason", "-r"):
        rest = rest[1:]
    elif rest and rest[0].startswith("-"):
        raise DomainError(f"{verb}: unknown option {rest[0]!r} (only --reason TEXT)")
    return control, " ".join(rest).strip()
