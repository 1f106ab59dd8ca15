"""Signals: alerts from a detection source (Prometheus Alertmanager and friends).

Pure: the backend translates its API into :class:`Signal`; this module diffs successive
polls (new / changed / resolved), keeps recently resolved signals on the board, decides
what is "new until seen", and guesses how to declare an incident from a signal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ircmd.domain.incidents.incident import Severity
from ircmd.domain.incidents.timeline import canonical_json, format_time, sha256_hex, utc
from ircmd.domain.text import one_line

SEEN_COLLECTION = "signals.seen"
"""Store docs: ``source/fingerprint -> {"revision", "seen_at", "seen_by"}``."""
OBSERVED_COLLECTION = "signals.observed"
"""Store docs: ``source -> {"at", "signals": [...]}``, the last board of each source."""
LINKS_COLLECTION = "signals.links"
"""Store docs: ``source/fingerprint -> {"incidents": [...]}`` (declared from / attached to)."""
SILENCES_COLLECTION = "signals.silences"
"""Store docs: ``silence id -> SilenceRecord``."""

KEEP_RESOLVED = timedelta(hours=1)
"""How long a resolved signal stays on the board after it resolved."""


class SignalState(StrEnum):
    FIRING = "firing"
    SUPPRESSED = "suppressed"
    RESOLVED = "resolved"

    @property
    def rank(self) -> int:
        return {"firing": 0, "suppressed": 1, "resolved": 2}[self.value]


class Signal(BaseModel):
    """One alert as ircmd sees it. Identity is ``(source, fingerprint)``."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    source: str
    fingerprint: str
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    state: SignalState = SignalState.FIRING
    starts_at: datetime | None = Field(default=None, alias="startsAt")
    ends_at: datetime | None = Field(default=None, alias="endsAt")
    updated_at: datetime | None = Field(default=None, alias="updatedAt")
    generator_url: str = Field(default="", alias="generatorURL")
    silenced_by: list[str] = Field(default_factory=list, alias="silencedBy")
    inhibited_by: list[str] = Field(default_factory=list, alias="inhibitedBy")
    status: str = ""
    """The source's own word for the state (Alertmanager: active / suppressed / unprocessed)."""

    @field_validator("starts_at", "ends_at", "updated_at")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        return utc(v) if v is not None else None

    @property
    def key(self) -> str:
        return signal_key(self.source, self.fingerprint)

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "") or self.fingerprint

    @property
    def summary(self) -> str:
        for k in ("summary", "title", "message", "description"):
            if self.annotations.get(k):
                return self.annotations[k]
        return ""

    @property
    def revision(self) -> str:
        """Changes when what a responder cares about changes (not on a mere re-post).
        Keep :func:`_same` in step with the fields hashed here."""
        body = {
            "state": self.state.value,
            "labels": self.labels,
            "annotations": self.annotations,
            "starts_at": format_time(self.starts_at) if self.starts_at else None,
            "silenced_by": sorted(self.silenced_by),
            "inhibited_by": sorted(self.inhibited_by),
        }
        return sha256_hex(canonical_json(body))[:16]

    def to_json(self) -> dict[str, Any]:
        """Alertmanager-flavoured keys (``startsAt``, ``generatorURL``...)."""
        out: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        out["name"] = self.name
        out["summary"] = self.summary
        return out

    def event_data(self) -> dict[str, Any]:
        """What a timeline ``signal`` event records about this signal."""
        return {
            "source": self.source,
            "fingerprint": self.fingerprint,
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
            "state": self.state.value,
            "startsAt": format_time(self.starts_at) if self.starts_at else None,
            "generatorURL": self.generator_url,
            "summary": one_line(self.headline(), 300),
        }

    def headline(self) -> str:
        """``Alertname: summary`` (or whichever of the two exists)."""
        name, summary = self.labels.get("alertname", ""), self.summary
        if name and summary:
            return f"{name}: {summary}"
        return name or summary or f"alert {self.fingerprint}"


def signal_key(source: str, fingerprint: str) -> str:
    return f"{source}/{fingerprint}"


# -- diffing successive polls ---------------------------------------------------------------


@dataclass(frozen=True)
class SignalDiff:
    new: list[Signal] = field(default_factory=list)
    changed: list[Signal] = field(default_factory=list)
    resolved: list[Signal] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.changed or self.resolved)

    def __add__(self, other: SignalDiff) -> SignalDiff:
        return SignalDiff(
            self.new + other.new, self.changed + other.changed, self.resolved + other.resolved
        )

    def summary(self) -> str:
        parts = [
            f"{len(xs)} {word}"
            for xs, word in (
                (self.new, "new"),
                (self.changed, "changed"),
                (self.resolved, "resolved"),
            )
            if xs
        ]
        return ", ".join(parts) or "no change"


def _resolved(sig: Signal, now: datetime) -> Signal:
    ends = sig.ends_at if sig.ends_at is not None and sig.ends_at <= now else now
    return sig.model_copy(update={"state": SignalState.RESOLVED, "ends_at": ends})


def _same(a: Signal, b: Signal) -> bool:
    """The fields :attr:`Signal.revision` covers are equal (cheaper than hashing both)."""
    return (
        a.state == b.state
        and a.starts_at == b.starts_at
        and a.labels == b.labels
        and a.annotations == b.annotations
        and sorted(a.silenced_by) == sorted(b.silenced_by)
        and sorted(a.inhibited_by) == sorted(b.inhibited_by)
    )


def merge_poll(
    previous: Sequence[Signal],
    current: Sequence[Signal],
    now: datetime,
    keep_resolved: timedelta = KEEP_RESOLVED,
) -> tuple[list[Signal], SignalDiff]:
    """The board after one successful poll of one source, and what changed.

    ``previous`` is the board before (it may hold resolved signals); ``current`` is what
    the source answered. A signal missing from ``current`` has resolved (sources such as
    Alertmanager stop listing resolved alerts); one whose ``ends_at`` has passed is
    resolved too. Resolved signals stay on the board for ``keep_resolved``.
    """
    now = utc(now)
    before = {s.fingerprint: s for s in previous}
    board: dict[str, Signal] = {}
    new: list[Signal] = []
    changed: list[Signal] = []
    resolved: list[Signal] = []
    for sig in current:
        if sig.ends_at is not None and sig.ends_at <= now and sig.state != SignalState.RESOLVED:
            sig = _resolved(sig, now)
        old = before.get(sig.fingerprint)
        if old is None:
            if sig.state == SignalState.RESOLVED:
                continue  # resolved before we ever saw it firing: nothing to show
            new.append(sig)
        elif not _same(old, sig):
            if sig.state == SignalState.RESOLVED and old.state != SignalState.RESOLVED:
                resolved.append(sig)
            else:
                changed.append(sig)
        board[sig.fingerprint] = sig
    for fp, old in before.items():
        if fp in board:
            continue
        if old.state != SignalState.RESOLVED:
            gone = _resolved(old, now)
            resolved.append(gone)
            board[fp] = gone
        elif old.ends_at is not None and now - old.ends_at < keep_resolved:
            board[fp] = old
    return sort_signals(board.values()), SignalDiff(new, changed, resolved)


_SEVERITY_WORDS: dict[str, Severity] = {
    "critical": Severity.CRITICAL,
    "crit": Severity.CRITICAL,
    "p1": Severity.CRITICAL,
    "sev1": Severity.CRITICAL,
    "page": Severity.HIGH,
    "high": Severity.HIGH,
    "error": Severity.HIGH,
    "p2": Severity.HIGH,
    "sev2": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "warn": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "p3": Severity.MEDIUM,
    "sev3": Severity.MEDIUM,
    "info": Severity.LOW,
    "low": Severity.LOW,
    "none": Severity.LOW,
    "p4": Severity.LOW,
}


def severity_hint(sig: Signal) -> Severity | None:
    """The incident severity the alert's ``severity``/``priority`` label suggests, if any."""
    for key in ("severity", "priority", "level"):
        word = sig.labels.get(key, "").strip().lower()
        if word in _SEVERITY_WORDS:
            return _SEVERITY_WORDS[word]
    return None


def sort_signals(signals: Iterable[Signal]) -> list[Signal]:
    """Firing first, then suppressed, then resolved; the most severe and newest first."""

    def key(s: Signal) -> tuple[int, int, float, str]:
        sev = severity_hint(s)
        started = s.starts_at.timestamp() if s.starts_at else 0.0
        return (s.state.rank, -(sev.rank if sev else -1), -started, s.key)

    return sorted(signals, key=key)


# -- new until seen -------------------------------------------------------------------------


class SeenMark(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    SEEN = "seen"


def seen_mark(sig: Signal, seen: Mapping[str, Mapping[str, Any]]) -> SeenMark:
    """``new`` if nobody has looked at it, ``changed`` if it changed since, else ``seen``."""
    doc = seen.get(sig.key)
    if doc is None:
        return SeenMark.NEW
    if doc.get("revision") != sig.revision:
        return SeenMark.CHANGED
    return SeenMark.SEEN


def seen_doc(sig: Signal, now: datetime, who: str) -> dict[str, Any]:
    return {"revision": sig.revision, "seen_at": format_time(now), "seen_by": who}


# -- declaring from a signal ----------------------------------------------------------------


@dataclass(frozen=True)
class DeclareGuess:
    title: str
    severity: Severity
    workflow_id: str | None
    labels: dict[str, str]


_WORKFLOW_LABELS = ("workflow", "ai_workflow", "workflow_id", "service", "app", "job")


def guess_declaration(sig: Signal, workflow_ids: Sequence[str] = ()) -> DeclareGuess:
    """Title, severity and workflow to prefill when declaring an incident from ``sig``.

    The workflow comes from a ``workflow``-like label; when workflows are configured only
    a configured id is taken (any of the candidate labels may name it).
    """
    title = one_line(sig.headline(), 120)
    workflow: str | None = None
    for label in _WORKFLOW_LABELS:
        value = sig.labels.get(label, "").strip()
        if not value:
            continue
        if workflow_ids:
            if value in workflow_ids:
                workflow = value
                break
        elif label in ("workflow", "ai_workflow", "workflow_id"):
            workflow = value
            break
    return DeclareGuess(
        title=title,
        severity=severity_hint(sig) or Severity.MEDIUM,
        workflow_id=workflow,
        labels=dict(sig.labels),
    )


# -- silences -------------------------------------------------------------------------------


class SilenceMatcher(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    name: str
    value: str
    is_regex: bool = Field(default=False, alias="isRegex")
    is_equal: bool = Field(default=True, alias="isEqual")


class SilenceRequest(BaseModel):
    """A silence to create at the source (Alertmanager's ``PostableSilence``)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    matchers: list[SilenceMatcher]
    starts_at: datetime = Field(alias="startsAt")
    ends_at: datetime = Field(alias="endsAt")
    created_by: str = Field(alias="createdBy")
    comment: str

    def to_api(self) -> dict[str, Any]:
        return {
            "matchers": [m.model_dump(by_alias=True) for m in self.matchers],
            "startsAt": format_time(self.starts_at),
            "endsAt": format_time(self.ends_at),
            "createdBy": self.created_by,
            "comment": self.comment,
        }


def silence_request(
    sig: Signal,
    incident_id: str,
    responder: str,
    now: datetime,
    duration: timedelta,
    incident_title: str = "",
) -> SilenceRequest:
    """Silence exactly this alert (every label matched for equality) under ``incident_id``."""
    if duration <= timedelta(0):
        raise ValueError("a silence needs a positive duration")
    if not sig.labels:
        raise ValueError(f"alert {sig.fingerprint} has no labels to match a silence on")
    comment = f"{incident_id}: acknowledged in ircmd by {responder}"
    if incident_title:
        comment += f" ({one_line(incident_title, 120)})"
    return SilenceRequest(
        matchers=[SilenceMatcher(name=k, value=v) for k, v in sorted(sig.labels.items())],
        starts_at=utc(now),
        ends_at=utc(now) + duration,
        created_by=responder,
        comment=comment,
    )


class SilenceRecord(BaseModel):
    """A silence ircmd created for an incident (kept in the store's docs)."""

    silence_id: str
    source: str
    incident_id: str
    fingerprint: str
    alertname: str = ""
    matchers: list[dict[str, Any]] = Field(default_factory=list)
    created_by: str
    comment: str = ""
    starts_at: datetime
    ends_at: datetime
    expired_at: datetime | None = None
    expired_by: str | None = None

    @property
    def active(self) -> bool:
        return self.expired_at is None

    def is_active(self, now: datetime) -> bool:
        return self.expired_at is None and utc(self.ends_at) > utc(now)


def parse_duration(text: str) -> timedelta:
    """``90m``, ``4h``, ``1d``, ``2h30m`` or plain minutes -> timedelta."""
    s = text.strip().lower()
    if not s:
        raise ValueError("empty duration")
    if s.isdigit():
        return timedelta(minutes=int(s))
    total = 0.0
    number = ""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    for ch in s:
        if ch.isdigit() or ch == ".":
            number += ch
        elif ch in units and number:
            total += float(number) * units[ch]
            number = ""
        else:
            raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 4h, 1d)")
    if number:
        raise ValueError(f"not a duration: {text!r} (a unit is missing: s, m, h, d)")
    if total <= 0:
        raise ValueError(f"not a duration: {text!r} (must be positive)")
    return timedelta(seconds=total)


def format_duration(d: timedelta) -> str:
    s = int(d.total_seconds())
    if s % 86400 == 0 and s >= 86400:
        return f"{s // 86400}d"
    if s % 3600 == 0 and s >= 3600:
        return f"{s // 3600}h"
    if s >= 3600:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{max(1, s // 60)}m"
