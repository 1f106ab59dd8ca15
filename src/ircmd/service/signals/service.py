"""Detection: poll the configured signal sources, and turn signals into incident work.

- :meth:`SignalService.poll` asks every source at once, each bounded by its timeout; a dead
  source never hides the others and its last known signals stay on the board (stale, with
  the source's health saying why).
- :meth:`declare_from_signal` / :meth:`attach` record the alert as a ``signal`` timeline
  event (the first one when declaring).
- :meth:`acknowledge` creates an Alertmanager silence whose comment names the incident and
  whose ``createdBy`` is the responder, and records it (timeline + ``signals.silences``
  docs); :meth:`silences_for` / :meth:`expire_silences` undo that when the incident
  resolves.
- "New until seen" lives in the store's ``signals.seen`` docs, so it survives restarts and
  every console on the store shares it.

Synchronous, like every service: call it from a worker thread (the TUI) or the CLI. The
sources are async; only their calls run, as coroutines, on the workspace's one
:class:`~ircmd.service.backend_loop.BackendLoop` thread (never the store, which is read and
written in the calling thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from ircmd.backends.protocols import SignalSource, SignalSourceError, SilenceNotFound
from ircmd.backends.registry import load_factory
from ircmd.domain.config import Config
from ircmd.domain.incidents.incident import DomainError, Incident, Severity
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, format_time
from ircmd.domain.signals.signals import (
    KEEP_RESOLVED,
    LINKS_COLLECTION,
    OBSERVED_COLLECTION,
    SEEN_COLLECTION,
    SILENCES_COLLECTION,
    SeenMark,
    Signal,
    SignalDiff,
    SignalState,
    SilenceRecord,
    format_duration,
    guess_declaration,
    merge_poll,
    seen_doc,
    seen_mark,
    signal_key,
    silence_request,
    sort_signals,
)
from ircmd.domain.text import one_line
from ircmd.service.backend_loop import BackendLoop
from ircmd.service.incidents.retry import TypedLine
from ircmd.service.incidents.service import IncidentService, NotFound
from ircmd.store.base import Change, EventDraft, IncidentStore, StoreError

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace
from ircmd.service.hooks import BackendHealth

T = TypeVar("T")

DEFAULT_SILENCE = timedelta(hours=4)
SAVE_EVERY_SECONDS = 60.0
"""A source's board is written to the store at most this often (when it changed)."""
SAVE_MAX_SIGNALS = 500
"""At most this many signals per source are persisted (the most urgent first)."""
GRACE_SECONDS = 1.0
"""Added to a source's own timeout before the service gives up on it."""


class SignalError(DomainError):
    """A signal command that cannot be done (unknown fingerprint, source down...)."""


@dataclass
class SourceHealth:
    name: str
    kind: str
    ok: bool | None = None
    """None until the first poll finished."""
    error: str = ""
    checked_at: datetime | None = None
    seconds: float = 0.0
    count: int = 0
    unreadable: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "ok": self.ok,
            "error": self.error or None,
            "checked_at": format_time(self.checked_at) if self.checked_at else None,
            "seconds": round(self.seconds, 3),
            "count": self.count,
            "unreadable": self.unreadable,
        }


@dataclass
class SignalBoard:
    """What a signals list shows: the signals, each source's health, who saw what."""

    signals: list[Signal]
    health: list[SourceHealth]
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    diff: SignalDiff = field(default_factory=SignalDiff)
    at: datetime | None = None

    def mark(self, sig: Signal) -> SeenMark:
        return seen_mark(sig, self.seen)

    def incidents_of(self, sig: Signal) -> list[str]:
        return self.links.get(sig.key, [])


@dataclass
class ExpireOutcome:
    silence_id: str
    ok: bool
    message: str


class _BrokenSource:
    """Stands in for a source whose backend could not be built; every call says why."""

    def __init__(self, name: str, kind: str, error: str) -> None:
        self.name = name
        self.kind = kind
        self.interval = 30.0
        self.timeout = 1.0
        self._error = error

    async def fetch_signals(self) -> list[Signal]:
        raise SignalSourceError(self._error)

    async def create_silence(self, request: Any) -> str:
        raise SignalSourceError(self._error)

    async def expire_silence(self, silence_id: str) -> None:
        raise SignalSourceError(self._error)


def build_sources(config: Config) -> list[SignalSource]:
    sources: list[SignalSource] = []
    for sc in config.signal_sources:
        try:
            source = load_factory(sc.kind)(sc)
        except Exception as exc:  # a (third-party) factory failing is one source's problem
            source = _BrokenSource(
                sc.name, sc.kind, f"signal source {sc.name!r}: {one_line(exc, 160)}"
            )
        sources.append(source)
    return sources


class SignalService:
    def __init__(
        self,
        store: IncidentStore,
        incidents: IncidentService,
        config: Config,
        sources: list[SignalSource] | None = None,
        *,
        keep_resolved: timedelta = KEEP_RESOLVED,
        demo: bool = False,
        loop: BackendLoop | None = None,
    ) -> None:
        self.loop = loop if loop is not None else BackendLoop()
        """Where the sources' coroutines run (the workspace's one backend loop)."""
        self.store = store
        self.incidents = incidents
        self.config = config
        self.sources: list[SignalSource] = (
            build_sources(config) if sources is None else list(sources)
        )
        self.keep_resolved = keep_resolved
        self.demo = demo
        self._lock = threading.Lock()
        self._boards: dict[str, list[Signal]] | None = None
        self._health = {s.name: SourceHealth(s.name, s.kind) for s in self.sources}
        self._last_poll: dict[str, float] = {}
        self._last_diff = SignalDiff()
        self._last_save: dict[str, float] = {}
        self._dirty: set[str] = set()

    # -- helpers ------------------------------------------------------------------------
    @property
    def actor(self) -> str:
        return self.incidents.actor

    def now(self) -> datetime:
        return self.incidents.clock()

    def source(self, name: str) -> SignalSource:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise SignalError(f"no signal source {name!r} (configured: {known})")

    def _run(self, coro: Awaitable[T]) -> T:
        """Run ``coro`` (source calls only, each already bounded by :meth:`_bounded`) on
        the backend loop and block the calling thread until it is done."""

        async def wrapper() -> T:
            return await coro

        return self.loop.run(wrapper())

    @staticmethod
    def _cap(source: SignalSource) -> float:
        return float(getattr(source, "timeout", 10.0)) + GRACE_SECONDS

    async def _bounded(self, source: SignalSource, call: Callable[[], Awaitable[T]]) -> T:
        """``call()`` with the source's timeout; every failure becomes one line."""
        cap = self._cap(source)
        try:
            return await asyncio.wait_for(call(), timeout=cap)
        except SignalSourceError:
            raise
        except TimeoutError:
            raise SignalSourceError(
                f"signal source {source.name!r}: no answer within {cap:g}s"
            ) from None
        except Exception as exc:  # a source is (third-party) backend code: one line, with type
            raise SignalSourceError(
                f"signal source {source.name!r}: {type(exc).__name__}: {one_line(exc, 160)}"
            ) from None

    def _boards_loaded(self) -> dict[str, list[Signal]]:
        if self._boards is None:
            boards: dict[str, list[Signal]] = {}
            try:
                docs = self.store.docs(OBSERVED_COLLECTION)
            except StoreError:
                docs = {}
            for s in self.sources:
                rows = docs.get(s.name, {}).get("signals", [])
                sigs: list[Signal] = []
                for row in rows if isinstance(rows, list) else []:
                    try:
                        sigs.append(Signal.model_validate(row))
                    except ValueError:
                        continue
                boards[s.name] = sigs
            self._boards = boards
        return self._boards

    # -- polling ------------------------------------------------------------------------
    def due(self, now_monotonic: float | None = None) -> list[SignalSource]:
        t = time.monotonic() if now_monotonic is None else now_monotonic
        return [
            s
            for s in self.sources
            if s.name not in self._last_poll or t - self._last_poll[s.name] >= s.interval
        ]

    def poll(self, only_due: bool = False) -> SignalBoard:
        """Poll every source (or only those whose interval has passed) and return the board."""
        sources = self.due() if only_due else list(self.sources)

        async def one(src: SignalSource) -> tuple[SignalSource, list[Signal] | str, float]:
            started = time.monotonic()
            try:
                got: list[Signal] | str = await self._bounded(src, src.fetch_signals)
            except SignalSourceError as exc:
                got = one_line(exc, 300)
            return src, got, time.monotonic() - started

        async def every() -> list[tuple[SignalSource, list[Signal] | str, float]]:
            return list(await asyncio.gather(*(one(s) for s in sources)))

        results = self._run(every()) if sources else []
        now = self.now()
        diff = SignalDiff()
        with self._lock:
            boards = self._boards_loaded()
            for src, got, seconds in results:
                self._last_poll[src.name] = time.monotonic()
                health = self._health.setdefault(src.name, SourceHealth(src.name, src.kind))
                health.checked_at = now
                health.seconds = seconds
                if isinstance(got, str):
                    health.ok = False
                    health.error = got
                    continue
                health.ok = True
                health.error = ""
                health.count = len(got)
                health.unreadable = int(getattr(src, "last_unreadable", 0) or 0)
                board, d = merge_poll(boards.get(src.name, []), got, now, self.keep_resolved)
                boards[src.name] = board
                diff = diff + d
                if d:
                    self._dirty.add(src.name)
                if src.name in self._dirty and self._save_due(src.name):
                    self._save_board(src.name, board, now)
            self._last_diff = diff
        return self.board(diff)

    def _save_due(self, name: str) -> bool:
        last = self._last_save.get(name)
        return last is None or time.monotonic() - last >= SAVE_EVERY_SECONDS

    def _save_board(self, name: str, board: list[Signal], now: datetime) -> None:
        """Persist a source's board (throttled, capped): the store's journal is append-only,
        so a flapping alert must not rewrite a large board every poll."""
        kept = board[:SAVE_MAX_SIGNALS]
        doc: dict[str, Any] = {"at": format_time(now), "signals": [s.to_json() for s in kept]}
        if len(board) > len(kept):
            doc["truncated"] = len(board) - len(kept)
        if self.demo:
            doc["demo"] = True
        # On a store error the board in memory still works; the next change tries again.
        with contextlib.suppress(StoreError):
            self.store.put_doc(OBSERVED_COLLECTION, name, doc)
            self._last_save[name] = time.monotonic()
            self._dirty.discard(name)

    def board(self, diff: SignalDiff | None = None) -> SignalBoard:
        """The current board without polling (last known signals, health, seen, links)."""
        with self._lock:
            signals = sort_signals(s for board in self._boards_loaded().values() for s in board)
            health = [self._health[s.name] for s in self.sources if s.name in self._health]
            health = [SourceHealth(**vars(h)) for h in health]
        return SignalBoard(
            signals=signals,
            health=health,
            seen=self.seen(),
            links=self.links(),
            diff=diff if diff is not None else SignalDiff(),
            at=self.now(),
        )

    # -- finding a signal ---------------------------------------------------------------
    def find(self, ref: str, *, refresh: bool = True) -> Signal:
        """A signal by fingerprint (a unique prefix of 4+ characters will do) or
        ``source/fingerprint``; polls first when ``refresh`` and it is not on the board."""
        ref = ref.strip()
        if not ref:
            raise SignalError("which signal? give its fingerprint (see `ircmd signals`)")
        found = self._match(ref)
        if not found and refresh:
            board = self.poll()
            found = self._match(ref)
            down = [h for h in board.health if h.ok is False]
            if not found and down:
                raise SignalError(
                    f"no signal {ref!r} on the board, and {len(down)} source(s) could not "
                    f"be reached: {down[0].error}"
                )
        if not found:
            if not self.sources:
                raise SignalError(
                    f"no signal {ref!r}: no signal sources are configured ([[signal_sources]])"
                )
            raise SignalError(f"no signal {ref!r} (see `ircmd signals` for fingerprints)")
        if len(found) > 1:
            which = ", ".join(s.key for s in found[:5])
            raise SignalError(f"{ref!r} matches several signals: {which}")
        return found[0]

    def _match(self, ref: str) -> list[Signal]:
        with self._lock:
            everything = [s for board in self._boards_loaded().values() for s in board]
        exact = [s for s in everything if ref in (s.fingerprint, s.key)]
        if exact:
            return exact
        if len(ref) >= 4:
            return [s for s in everything if s.fingerprint.startswith(ref) or s.key.startswith(ref)]
        return []

    # -- seen ---------------------------------------------------------------------------
    def seen(self) -> dict[str, dict[str, Any]]:
        try:
            return self.store.docs(SEEN_COLLECTION)
        except StoreError:
            return {}

    def mark_seen(self, signals: Iterable[Signal], author: str | None = None) -> int:
        """Record that a responder has seen these signals (as they are now)."""
        seen = self.seen()
        now = self.now()
        n = 0
        for sig in signals:
            if seen_mark(sig, seen) != SeenMark.SEEN:
                self.store.put_doc(
                    SEEN_COLLECTION, sig.key, seen_doc(sig, now, author or self.actor)
                )
                n += 1
        return n

    # -- links: which incidents a signal was declared from / attached to ----------------------
    def links(self) -> dict[str, list[str]]:
        try:
            docs = self.store.docs(LINKS_COLLECTION)
        except StoreError:
            return {}
        out: dict[str, list[str]] = {}
        for doc in docs.values():
            key = signal_key(str(doc.get("source", "")), str(doc.get("fingerprint", "")))
            inc = str(doc.get("incident_id", ""))
            if inc and inc not in out.setdefault(key, []):
                out[key].append(inc)
        for ids in out.values():
            ids.sort()
        return out

    def _link_doc(self, sig: Signal, incident_id: str, how: str) -> dict[str, Any]:
        return {
            "source": sig.source,
            "fingerprint": sig.fingerprint,
            "incident_id": incident_id,
            "how": how,
            "at": format_time(self.now()),
        }

    @staticmethod
    def _link_key(sig: Signal, incident_id: str) -> str:
        return f"{sig.key}@{incident_id}"

    # -- declare / attach ---------------------------------------------------------------
    def declare_from_signal(
        self,
        sig: Signal,
        *,
        title: str | None = None,
        severity: Severity | str | None = None,
        workflow_id: str | None = None,
        severity_reason: str | None = None,
        classification: str | None = None,
        author: str | None = None,
        line: TypedLine | None = None,
    ) -> tuple[Incident, list[TimelineEvent]]:
        """Declare an incident prefilled from ``sig``; the alert is its first event. With
        the typed ``line`` (see :meth:`declare_line`) a retried declare never creates a
        second incident, whether or not the failed commit landed."""
        guess = guess_declaration(sig, [w.id for w in self.config.workflows])
        sev = severity or guess.severity
        reason = severity_reason
        if reason is None:
            reason = f"from alert {one_line(sig.name, 80)}"
            if sig.labels.get("severity"):
                reason += f" (severity label {one_line(sig.labels['severity'], 20)})"
        data = {**sig.event_data(), "action": "declared_from"}
        inc, events = self.incidents.declare(
            title or guess.title,
            workflow_id=workflow_id if workflow_id is not None else guess.workflow_id,
            severity=sev,
            severity_reason=reason,
            classification=classification,
            occurred_at=sig.starts_at,
            signal=data,
            author=author,
            line=line,
        )
        try:
            self.store.put_doc(
                LINKS_COLLECTION,
                self._link_key(sig, inc.id),
                self._link_doc(sig, inc.id, "declared"),
            )
            self.mark_seen([sig], author)
        except StoreError:
            pass  # the incident and its signal event are written; the marker is cosmetic
        return inc, events

    def declare_line(self, sig: Signal, *choices: object) -> TypedLine:
        """The typed line of a declare from ``sig`` with the user's ``choices`` (title,
        severity, workflow): the same one while an earlier try of it is pending."""
        return self.incidents.pending.line("declare-from-signal", sig.key, *map(str, choices))

    def attach(self, incident_id: str, sig: Signal, author: str | None = None) -> TimelineEvent:
        """Record ``sig`` on an open incident's timeline (a ``signal`` event)."""
        incident_id = self.incidents.get(incident_id).id
        if incident_id in self.links().get(sig.key, []):
            raise SignalError(f"signal {sig.fingerprint} is already on {incident_id}")
        who = author or self.actor

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            if not inc.is_open:
                raise SignalError(
                    f"{inc.id} is {inc.status.value}; attach signals to an open incident"
                )
            now = self.now()
            return Change(
                incident=inc.model_copy(update={"updated_at": now}),
                events=[
                    EventDraft(
                        kind=EventKind.SIGNAL,
                        at=now,
                        author=who,
                        text=f"Signal attached: {one_line(sig.headline(), 200)}",
                        data={**sig.event_data(), "action": "attached"},
                    )
                ],
                docs={
                    (LINKS_COLLECTION, self._link_key(sig, inc.id)): self._link_doc(
                        sig, inc.id, "attached"
                    )
                },
            )

        try:
            _, events = self.store.apply(incident_id, decide)
        except KeyError:
            raise NotFound(f"no incident {incident_id}") from None
        with contextlib.suppress(StoreError):
            self.mark_seen([sig], author)
        return events[0]

    # -- acknowledge = silence ------------------------------------------------------------
    def acknowledge(
        self,
        sig: Signal,
        incident_id: str,
        duration: timedelta = DEFAULT_SILENCE,
        author: str | None = None,
    ) -> SilenceRecord:
        """Silence ``sig`` at its source under ``incident_id`` and record it."""
        inc = self.incidents.get(incident_id)
        if not inc.is_open:
            raise SignalError(f"{inc.id} is {inc.status.value}; acknowledge under an open incident")
        who = author or self.actor
        source = self.source(sig.source)
        now = self.now()
        try:
            request = silence_request(sig, inc.id, who, now, duration, inc.title)
        except ValueError as exc:
            raise SignalError(str(exc)) from None
        silence_id = self._run(self._bounded(source, lambda: source.create_silence(request)))
        record = SilenceRecord(
            silence_id=silence_id,
            source=sig.source,
            incident_id=inc.id,
            fingerprint=sig.fingerprint,
            alertname=sig.labels.get("alertname", ""),
            matchers=[m.model_dump(by_alias=True) for m in request.matchers],
            created_by=who,
            comment=request.comment,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
        )

        def decide(current: Incident, _last: TimelineEvent | None) -> Change:
            at = self.now()
            text = (
                f"Acknowledged {one_line(sig.name, 80)}: silenced at {sig.source} for "
                f"{format_duration(duration)} (silence {silence_id})"
            )
            return Change(
                incident=current.model_copy(update={"updated_at": at}),
                events=[
                    EventDraft(
                        kind=EventKind.SIGNAL,
                        at=at,
                        author=who,
                        text=text,
                        data={
                            **sig.event_data(),
                            "action": "silenced",
                            "silence_id": silence_id,
                            "matchers": record.matchers,
                            "silence_ends_at": format_time(record.ends_at),
                            "comment": record.comment,
                        },
                    )
                ],
                docs={
                    (SILENCES_COLLECTION, silence_id): record.model_dump(mode="json"),
                    (LINKS_COLLECTION, self._link_key(sig, current.id)): self._link_doc(
                        sig, current.id, "silenced"
                    ),
                },
            )

        try:
            self.store.apply(inc.id, decide)
        except Exception:  # cleanup only: re-raised below
            # Never leave a silence nobody knows about: take it back, then report.
            with contextlib.suppress(SignalSourceError):
                self._run(self._bounded(source, lambda: source.expire_silence(silence_id)))
            raise
        # The responder silenced it: the suppressed alert the next poll brings is not news.
        silenced = sig.model_copy(
            update={
                "state": SignalState.SUPPRESSED,
                "silenced_by": sorted({*sig.silenced_by, silence_id}),
                "status": "suppressed",
            }
        )
        with contextlib.suppress(StoreError):
            self.mark_seen([silenced], author)
        return record

    def silences_for(self, incident_id: str, *, active_only: bool = True) -> list[SilenceRecord]:
        """The silences ircmd created for this incident (by default only those still active:
        not expired by ircmd and not past their end)."""
        incident_id = self.incidents.get(incident_id).id
        now = self.now()
        out: list[SilenceRecord] = []
        for doc in self.store.docs(SILENCES_COLLECTION).values():
            try:
                rec = SilenceRecord.model_validate(doc)
            except ValueError:
                continue
            if rec.incident_id != incident_id:
                continue
            if active_only and not rec.is_active(now):
                continue
            out.append(rec)
        return sorted(out, key=lambda r: r.starts_at)

    def expire_silences(self, incident_id: str, author: str | None = None) -> list[ExpireOutcome]:
        """Expire every active silence ircmd created for the incident (``DELETE
        /api/v2/silence/{id}``, all at once on the backend loop), recording each on the
        timeline. One failing source does not stop the others; each outcome says what
        happened."""
        records = self.silences_for(incident_id)

        async def expire(rec: SilenceRecord) -> str | ExpireOutcome:
            try:
                source = self.source(rec.source)
                await self._bounded(source, lambda: source.expire_silence(rec.silence_id))
            except SilenceNotFound:
                return "already gone at the source"
            except (SignalSourceError, SignalError) as exc:
                return ExpireOutcome(rec.silence_id, False, one_line(exc, 300))
            return "expired"

        async def every() -> list[str | ExpireOutcome]:
            return list(await asyncio.gather(*(expire(r) for r in records)))

        answers = self._run(every()) if records else []
        return [
            got if isinstance(got, ExpireOutcome) else self._record_expiry(rec, got, author)
            for rec, got in zip(records, answers, strict=True)
        ]

    def _record_expiry(self, rec: SilenceRecord, how: str, author: str | None) -> ExpireOutcome:
        who = author or self.actor
        what = one_line(rec.alertname or rec.fingerprint, 80)

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            at = self.now()
            done = rec.model_copy(update={"expired_at": at, "expired_by": who})
            return Change(
                incident=inc.model_copy(update={"updated_at": at}),
                events=[
                    EventDraft(
                        kind=EventKind.SIGNAL,
                        at=at,
                        author=who,
                        text=(
                            f"Silence {rec.silence_id} on {what} {how}; {rec.source} notifies again"
                        ),
                        data={
                            "action": "silence_expired",
                            "silence_id": rec.silence_id,
                            "source": rec.source,
                            "fingerprint": rec.fingerprint,
                            "result": how,
                        },
                    )
                ],
                docs={(SILENCES_COLLECTION, rec.silence_id): done.model_dump(mode="json")},
            )

        try:
            self.store.apply(rec.incident_id, decide)
        except (StoreError, DomainError) as exc:
            return ExpireOutcome(
                rec.silence_id, False, f"{how} at the source, but not recorded: {one_line(exc)}"
            )
        return ExpireOutcome(rec.silence_id, True, how)


def signal_service(workspace: Workspace) -> SignalService:
    """The workspace's signal service (``workspace.signals``, built once)."""
    return workspace.signals


def health_lines(workspace: Workspace) -> list[BackendHealth]:
    """Every configured signal source's health as of its last poll (no I/O here): a
    health provider for the war room's status bar."""
    out: list[BackendHealth] = []
    for h in workspace.signals.board().health:
        if h.ok is None:
            out.append(BackendHealth(h.name, "unknown", "not polled yet"))
        elif h.ok:
            plural = "" if h.count == 1 else "s"
            out.append(BackendHealth(h.name, "ok", f"{h.count} alert{plural}"))
        else:
            out.append(BackendHealth(h.name, "down", one_line(h.error, 200)))
    return out
