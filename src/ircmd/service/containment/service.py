"""Containment: flip switches on real control planes, confirm them, notice drift, audit all.

Every toggle is: REQUESTED event → controller.apply → read back → CONFIRMED or FAILED
event (actor, reason, what the backend said), bounded by the controller's timeout. The
board never claims a state the backend did not confirm. Tokens live only in the
environment: nothing here stores, logs or exports one.

Synchronous, like every service: the CLI calls it directly and the TUI from thread
workers. The controllers are async (``httpx.AsyncClient``); their coroutines run on the
workspace's one :class:`~ircmd.service.backend_loop.BackendLoop` thread (``self.loop``), so
their pooled clients live on that one loop for the whole process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ircmd.backends.protocols import (
    ContainmentController,
    ControllerError,
    ControlTarget,
)
from ircmd.backends.registry import BackendNotFound, load_factory
from ircmd.domain.config import Config, ControllerConfig
from ircmd.domain.containment.controls import (
    CONTAINMENT_EVENTS,
    CONTROLS_COLLECTION,
    ContainmentPlan,
    ControlAt,
    ControlRecord,
    ControlRef,
    ControlRow,
    ControlState,
    Observation,
    all_controls,
    build_rows,
    controls_at,
    plan_containment,
    resolve_control,
)
from ircmd.domain.incidents.incident import DomainError, Incident, Severity
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.domain.incidents.workflow import ControlSpec
from ircmd.domain.secrets import configured_secrets, scrub
from ircmd.domain.text import one_line
from ircmd.service.backend_loop import BackendLoop
from ircmd.service.containment.drift import DRIFT_MARKS, record_drifts
from ircmd.service.incidents.service import IncidentService, NotFound, system_clock
from ircmd.store.base import Change, EventDraft, IncidentStore

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace

DEFAULT_TIMEOUT = 5.0
DEFAULT_INTERVAL = 15.0
GRACE = 5.0
"""Seconds past a controller's own timeout before the loop call itself gives up (a
controller that ignores cancellation must not hang the calling thread)."""


class ReadOnlySeat(DomainError):
    pass


@dataclass(frozen=True)
class ToggleResult:
    ref: str
    desired: ControlState
    confirmed: ControlState
    ok: bool
    error: str | None
    elapsed_ms: float
    events: tuple[TimelineEvent, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.ref,
            "desired": self.desired.value,
            "confirmed": self.confirmed.value,
            "ok": self.ok,
            "error": self.error,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "events": [e.seq for e in self.events],
        }


@dataclass
class ContainmentService:
    store: IncidentStore
    config: Config
    incidents: IncidentService
    read_only: bool = False
    clock: Callable[[], datetime] = system_clock
    loop: BackendLoop = field(default_factory=BackendLoop)
    """Where the controllers' coroutines run (the workspace's one backend loop)."""
    controllers: dict[str, ContainmentController] = field(default_factory=dict)
    observed: dict[str, Observation] = field(default_factory=dict)
    """The latest read of each control (in memory; the board shows it)."""
    _broken: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> ContainmentService:
        """The workspace's one containment service (``workspace.containment``)."""
        return workspace.containment

    @property
    def actor(self) -> str:
        return self.incidents.actor

    # -- controllers --------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        """Every configured secret (read now), userinfo and auth header out, before a cut."""
        return scrub(text, configured_secrets(self.config, os.environ))

    def controller_config(self, name: str) -> ControllerConfig:
        cfg = self.config.controllers.get(name)
        if cfg is None and name == "local":
            return ControllerConfig(kind="local")
        if cfg is None:
            raise ControllerError(f"no [controllers.{name}] in the config", "config")
        return cfg

    def controller(self, name: str) -> ContainmentController:
        if name in self.controllers:
            return self.controllers[name]
        if name in self._broken:
            raise ControllerError(self._broken[name], "config")
        cfg = self.controller_config(name)
        try:
            factory = load_factory(cfg.kind)
            ctrl: ContainmentController = factory(cfg, name=name, docs=self.store)
        except (BackendNotFound, ControllerError, TypeError, ImportError) as exc:
            message = f"controller {name!r}: {one_line(self._scrub(str(exc)), 160)}"
            self._broken[name] = message
            raise ControllerError(message, "config") from None
        self.controllers[name] = ctrl
        return ctrl

    def enforced(self) -> dict[str, bool]:
        out: dict[str, bool] = {}
        for _ref, _wf, spec in all_controls(self.config):
            if spec.controller in out:
                continue
            try:
                out[spec.controller] = self.controller(spec.controller).capabilities().enforced
            except ControllerError:
                out[spec.controller] = True
        return out

    def timeout_for(self, spec: ControlSpec) -> float:
        try:
            return self.controller_config(spec.controller).timeout
        except ControllerError:
            return DEFAULT_TIMEOUT

    @property
    def reconcile_interval(self) -> float:
        names = {spec.controller for _r, _w, spec in all_controls(self.config)}
        intervals = [
            self.config.controllers[n].reconcile_interval
            for n in names
            if n in self.config.controllers
        ]
        return min(intervals, default=DEFAULT_INTERVAL)

    def close(self, *, forget: bool = True) -> None:
        """Close the controllers' connections (they reopen on next use unless forgotten)."""
        ctrls = list(self.controllers.values())
        if forget:
            self.controllers.clear()
        if not ctrls or not self.loop.running:
            return  # nothing was ever opened on the loop

        async def close_all() -> None:
            for ctrl in ctrls:
                with contextlib.suppress(Exception):  # closing must never fail the caller
                    await ctrl.aclose()

        with contextlib.suppress(Exception):  # closing must never fail the caller
            self.loop.run(close_all(), GRACE)

    # -- reading state ------------------------------------------------------------------------
    def records(self) -> dict[str, ControlRecord]:
        docs = self.store.docs(CONTROLS_COLLECTION)
        return {key: ControlRecord.from_doc(key, doc) for key, doc in docs.items()}

    def record(self, ref: str) -> ControlRecord:
        return ControlRecord.from_doc(ref, self.store.get_doc(CONTROLS_COLLECTION, ref))

    def rows(self, workflow_id: str | None = None) -> list[ControlRow]:
        rows = build_rows(self.config, self.records(), self.observed, self.enforced())
        if workflow_id:
            rows = [r for r in rows if r.ref.workflow_id == workflow_id]
        return rows

    def _target(self, ref: str, spec: ControlSpec, rec: ControlRecord) -> ControlTarget:
        return ControlTarget(ref=ref, spec=spec, memo=dict(rec.memo))

    def observe(self, workflow_id: str | None = None) -> dict[str, Observation]:
        """Read every control's actual state: one batched read per controller, all
        controllers at once (on the backend loop), each bounded by its timeout. Failures
        become UNKNOWN."""
        records = self.records()
        groups: dict[str, list[ControlTarget]] = {}
        for ref, _wf, spec in all_controls(self.config):
            if workflow_id and ref.workflow_id != workflow_id:
                continue
            key = str(ref)
            rec = records.get(key) or ControlRecord(ref=key)
            groups.setdefault(spec.controller, []).append(self._target(key, spec, rec))

        async def read(name: str, targets: list[ControlTarget]) -> dict[str, Observation]:
            now = self.clock()
            try:
                ctrl = self.controller(name)
                timeout = self.controller_config(name).timeout
                got = await asyncio.wait_for(ctrl.read(targets), timeout)
            except TimeoutError:
                msg = f"{name}: no answer within {self.controller_config(name).timeout:g}s"
                return {t.ref: Observation(ControlState.UNKNOWN, "", msg, now) for t in targets}
            except ControllerError as exc:
                msg = one_line(self._scrub(str(exc)), 200)
                return {t.ref: Observation(ControlState.UNKNOWN, "", msg, now) for t in targets}
            except Exception as exc:  # a third-party controller's bug is one line, not a crash
                msg = one_line(self._scrub(f"{name}: {type(exc).__name__}: {exc}"), 200)
                return {t.ref: Observation(ControlState.UNKNOWN, "", msg, now) for t in targets}
            missing = Observation(ControlState.UNKNOWN, "", f"{name}: control not in answer", now)
            return {t.ref: got.get(t.ref, missing) for t in targets}

        async def read_all() -> list[dict[str, Observation]]:
            return list(await asyncio.gather(*(read(n, ts) for n, ts in groups.items())))

        if not groups:
            return {}
        # controllers are built here, off the loop (a factory may read the store)
        for name in groups:
            with contextlib.suppress(ControllerError):
                self.controller(name)
        limit = max(self._limit(n) for n in groups) + GRACE
        results = self.loop.run(read_all(), limit)
        merged: dict[str, Observation] = {}
        for part in results:
            merged.update(part)
        self.observed.update(merged)
        return merged

    def _limit(self, name: str) -> float:
        try:
            return self.controller_config(name).timeout
        except ControllerError:
            return DEFAULT_TIMEOUT

    def reconcile(self, incident_id: str | None = None) -> list[ControlRow]:
        """Read actual states, flag drift and record each drift once on the timeline (on
        the incident that last changed the control, else ``incident_id``)."""
        self.observe()
        if not self.read_only:
            record_drifts(self, incident_id)
        return self.rows()

    # -- changing state -------------------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlySeat("read-only seat: containment controls cannot be changed here")

    def set_control(
        self,
        incident_id: str,
        control: str,
        desired: ControlState | str,
        reason: str,
        *,
        author: str | None = None,
        timeout: float | None = None,
    ) -> ToggleResult:
        """Apply one control and wait (bounded) for the backend to confirm it."""
        self._check_writable()
        want = desired if isinstance(desired, ControlState) else ControlState.parse(desired)
        if want == ControlState.UNKNOWN:
            raise DomainError("a control can be set on or off, not unknown")
        reason = " ".join(reason.split())
        if not reason:
            raise DomainError("changing a control needs a reason (--reason TEXT)")
        inc = self.incidents.get(incident_id)
        ref_obj, _wf, spec = resolve_control(self.config, control, inc.workflow_id)
        ref = str(ref_obj)
        who = author or self.actor
        limit = timeout if timeout is not None else self.timeout_for(spec)
        started = time.perf_counter()
        verb = "Contain" if want == ControlState.ON else "Release"
        base = {
            "control": ref,
            "desired": want.value,
            "controller": spec.controller,
            "reason": reason,
            "critical": spec.critical,
        }

        before = self.record(ref)

        def requested(cur: Incident, _last: TimelineEvent | None) -> Change:
            now = self.clock()
            prev = before
            rec = prev.model_copy(
                update={
                    "desired": want,
                    "pending": True,
                    "failed": None,
                    "changed_at": now,
                    "changed_by": who,
                    "reason": reason,
                    "incident_id": cur.id,
                }
            )
            return Change(
                incident=cur.model_copy(update={"updated_at": now}),
                events=[
                    EventDraft(
                        EventKind.CONTAINMENT_REQUESTED,
                        now,
                        who,
                        f"{verb} {ref} requested: {reason}",
                        base,
                    )
                ],
                docs={(CONTROLS_COLLECTION, ref): rec.to_doc()},
            )

        _, first = self.store.apply(inc.id, requested)
        rec = self.record(ref)
        target = self._target(ref, spec, rec)
        memo: dict[str, str] | None = None
        obs: Observation | None = None
        error: str | None = None
        try:
            ctrl = self.controller(spec.controller)

            async def apply_and_read() -> tuple[dict[str, str], Observation]:
                got_memo = await ctrl.apply(target, want)
                back = ControlTarget(ref=ref, spec=spec, memo={**target.memo, **got_memo})
                seen = await ctrl.read([back])
                return got_memo, seen.get(ref) or Observation(
                    ControlState.UNKNOWN, "", "control missing from the read-back"
                )

            async def bounded() -> tuple[dict[str, str], Observation]:
                return await asyncio.wait_for(apply_and_read(), limit)

            memo, obs = self.loop.run(bounded(), limit + GRACE)
        except TimeoutError:
            error = f"no confirmation within {limit:g}s (timeout)"
        except ControllerError as exc:
            error = one_line(self._scrub(str(exc)), 200)
        except Exception as exc:  # a controller bug is a failure, not a crash
            error = one_line(self._scrub(f"{type(exc).__name__}: {exc}"), 200)
        if obs is None and error is not None and not error.endswith("(timeout)"):
            obs = self._read_after_failure(spec, target, min(limit, 2.0))
        if obs is not None and not obs.ok and error is None:
            error = obs.error or "the backend's state could not be read back"
        confirmed = obs.state if obs is not None and obs.ok else ControlState.UNKNOWN
        if error is None and confirmed != want:
            error = f"backend reports {confirmed.value} after the change"
        ok = error is None
        elapsed = (time.perf_counter() - started) * 1000
        if obs is not None:
            self.observed[ref] = obs

        prev = rec

        def finished(cur: Incident, _last: TimelineEvent | None) -> Change:
            now = self.clock()
            update: dict[str, Any] = {"updated_at": now}
            if ok and want == ControlState.ON and cur.contained_at is None:
                update["contained_at"] = now
            marks = dict((cur.model_extra or {}).get(DRIFT_MARKS) or {})
            if ok and ref in marks:
                marks.pop(ref)
                update[DRIFT_MARKS] = marks
            rec_update: dict[str, Any] = {
                "pending": False,
                "confirmed": confirmed,
                "confirmed_at": now if obs is not None and obs.ok else prev.confirmed_at,
                "detail": obs.detail if obs is not None else prev.detail,
                "failed": error,
            }
            if memo is not None:
                rec_update["memo"] = {**prev.memo, **memo}
            rec = prev.model_copy(update=rec_update)
            data = {
                **base,
                "state": confirmed.value,
                "detail": obs.detail if obs is not None else "",
                "elapsed_ms": round(elapsed, 1),
            }
            if ok:
                kind = EventKind.CONTAINMENT_CONFIRMED
                text = f"{verb} {ref} confirmed by {spec.controller}: {confirmed.value}"
            else:
                kind = EventKind.CONTAINMENT_FAILED
                data["error"] = error
                text = f"{verb} {ref} NOT confirmed: {error}"
            return Change(
                incident=cur.model_copy(update=update),
                events=[EventDraft(kind, now, who, text, data)],
                docs={(CONTROLS_COLLECTION, ref): rec.to_doc()},
            )

        _, last = self.store.apply(inc.id, finished)
        return ToggleResult(ref, want, confirmed, ok, error, elapsed, (*first, *last))

    def _read_after_failure(
        self, spec: ControlSpec, target: ControlTarget, limit: float
    ) -> Observation | None:
        """After a failed apply, what is the state now? (None when that is unknown too.)"""
        try:
            ctrl = self.controller(spec.controller)

            async def read() -> dict[str, Observation]:
                return await asyncio.wait_for(ctrl.read([target]), limit)

            got = self.loop.run(read(), limit + GRACE)
        except Exception:  # any failure here means "state unknown", reported by the caller
            return None
        return got.get(target.ref)

    def contain(self, incident_id: str, control: str, reason: str, **kw: Any) -> ToggleResult:
        return self.set_control(incident_id, control, ControlState.ON, reason, **kw)

    def release(self, incident_id: str, control: str, reason: str, **kw: Any) -> ToggleResult:
        return self.set_control(incident_id, control, ControlState.OFF, reason, **kw)

    def retry(self, incident_id: str, control: str, author: str | None = None) -> ToggleResult:
        """Re-send the last request for ``control`` (after a failure)."""
        inc = self.incidents.get(incident_id)
        ref, _wf, _spec = resolve_control(self.config, control, inc.workflow_id)
        rec = self.record(str(ref))
        reason = f"retry: {rec.reason}" if rec.reason else "retry"
        return self.set_control(incident_id, str(ref), rec.desired, reason, author=author)

    def plan(
        self, incident_id: str, workflow_id: str | None = None, severity: Severity | None = None
    ) -> ContainmentPlan:
        inc = self.incidents.get(incident_id)
        wf_id = workflow_id or inc.workflow_id
        if not wf_id:
            raise DomainError(f"{inc.id} names no workflow; say which workflow to contain")
        wf = self.config.workflow(wf_id)
        if wf is None:
            raise NotFound(f"unknown workflow {wf_id!r}")
        return plan_containment(wf, severity or inc.severity, self.records())

    def contain_workflow(
        self,
        incident_id: str,
        reason: str,
        plan: ContainmentPlan | None = None,
        *,
        author: str | None = None,
    ) -> list[ToggleResult]:
        """Apply the plan's controls at once (one thread each, their controller calls
        concurrent on the backend loop), each confirmed or failed."""
        self._check_writable()
        if not " ".join(reason.split()):
            raise DomainError("containing a workflow needs a reason")
        if plan is None:
            plan = self.plan(incident_id)
        steps = plan.to_engage
        if not steps:
            return []
        with ThreadPoolExecutor(len(steps), thread_name_prefix="ircmd-contain") as pool:
            futures = [
                pool.submit(
                    self.set_control,
                    incident_id,
                    str(s.ref),
                    ControlState.ON,
                    reason,
                    author=author,
                )
                for s in steps
            ]
            return [f.result() for f in futures]

    # -- questions ---------------------------------------------------------------------------------
    def controls_at(self, when: datetime, incident_id: str | None = None) -> dict[str, ControlAt]:
        """Which controls were on at ``when``, from the timelines (all incidents unless one
        is named: the switches are shared by every incident)."""
        if incident_id:
            ids = [self.incidents.get(incident_id).id]
        else:
            ids = [i.id for i in self.store.list_incidents()]
        events: list[TimelineEvent] = []
        for iid in ids:
            events += [e for e in self.store.events(iid) if e.kind in CONTAINMENT_EVENTS]
        return controls_at(events, when)

    def active_controls(self, incident_id: str) -> list[ControlRow]:
        """Controls still on, or not confirmed off, that concern this incident (changed
        through it, or on its workflow). The war room asks before moving to resolved."""
        inc = self.incidents.get(incident_id)
        return [
            r
            for r in self.rows()
            if r.active and (r.incident_id == inc.id or r.ref.workflow_id == inc.workflow_id)
        ]


def describe_rows(rows: Sequence[ControlRow]) -> str:
    return ", ".join(f"{r.id} ({r.confirmed.value})" for r in rows)


__all__ = [
    "ContainmentService",
    "ControlRef",
    "ReadOnlySeat",
    "ToggleResult",
    "describe_rows",
]
