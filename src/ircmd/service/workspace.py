"""The composition root: config, data dir, store, and the services and extensions on them.

Every service is an explicit, typed, lazily built attribute (``functools.cached_property``),
so a command that never touches containment never imports or builds it. The war room's
extension points (deadline providers, active-controls, backend health, change warnings) are
a typed :class:`~ircmd.service.hooks.Extensions` object built here, not strings resolved at
run time. Backend coroutines run on the workspace's one :class:`BackendLoop` thread, started
on first use and stopped by :meth:`Workspace.close`.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ircmd.domain.config import Config
from ircmd.domain.incidents.commandline import History
from ircmd.service.backend_loop import BackendLoop
from ircmd.service.incidents.service import IncidentService, default_actor
from ircmd.store import IncidentStore, open_store
from ircmd.store.readonly import ReadOnlyStore

if TYPE_CHECKING:
    from ircmd.backends.protocols import TraceSource
    from ircmd.service.containment.service import ContainmentService
    from ircmd.service.hooks import Extensions
    from ircmd.service.signals.service import SignalService
    from ircmd.service.traces.service import TraceService

_SERVICES = ("containment", "signals", "traces", "extensions")


class OpenTraceSources:
    """The trace sources a workspace has open: added by the trace pane that loads them (UI
    loop), dropped when it closes them, read by the status bar's housekeeping worker (a
    thread), hence the lock. Weak: a source nobody holds any more is not reported."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: weakref.WeakSet[TraceSource] = weakref.WeakSet()

    def add(self, sources: Iterable[TraceSource]) -> None:
        with self._lock:
            for source in sources:
                with contextlib.suppress(TypeError):  # a plug-in source with __slots__
                    self._sources.add(source)

    def discard(self, sources: Iterable[TraceSource]) -> None:
        with self._lock:
            for source in sources:
                self._sources.discard(source)

    def snapshot(self) -> list[TraceSource]:
        with self._lock:
            return list(self._sources)


def builtin_extensions() -> Extensions:
    """The war-room providers ircmd ships, listed here (the composition root), imported when
    the war room or a command first asks; each area's provider imports the types of
    :mod:`ircmd.service.hooks`, which imports no area."""
    from ircmd.service.containment.hooks import active_control_lines, controller_health
    from ircmd.service.hooks import Extensions
    from ircmd.service.regulatory.clocks import clock_deadlines
    from ircmd.service.regulatory.hooks import art73_change_warning, art73_deadlines
    from ircmd.service.signals.service import health_lines
    from ircmd.service.traces.health import receiver_health_lines

    return Extensions(
        deadlines=[art73_deadlines, clock_deadlines],
        active_controls=[active_control_lines],
        health=[health_lines, controller_health, receiver_health_lines],
        change_warnings=[art73_change_warning],
    )


@dataclass(eq=False)
class Workspace:
    config: Config
    data_dir: Path
    store: IncidentStore
    incidents: IncidentService
    read_only: bool = False
    demo: bool = False
    open_trace_sources: OpenTraceSources = field(
        default_factory=OpenTraceSources, init=False, repr=False
    )
    """The trace sources this workspace's trace panes have open: the status bar reports
    their health. Per workspace, not per process: two workspaces in one process (tests, an
    embedding program) never see each other's sources."""

    @classmethod
    def open(
        cls,
        config: Config,
        data_dir: Path,
        actor: str | None = None,
        read_only: bool = False,
        demo: bool = False,
    ) -> Workspace:
        store: IncidentStore = open_store(config.store, data_dir)
        if read_only:
            store = ReadOnlyStore(store)
        who = actor or config.author or default_actor()
        incidents = IncidentService(store=store, config=config, actor=who)
        if not read_only:
            from ircmd.service.playbooks.service import PlaybookService

            incidents.on_declared.append(PlaybookService(incidents).on_declared)
        return cls(
            config=config,
            data_dir=data_dir,
            store=store,
            incidents=incidents,
            read_only=read_only,
            demo=demo,
        )

    @property
    def actor(self) -> str:
        return self.incidents.actor

    # -- services (built on first use; a test or the demo may assign its own) ---------------
    @cached_property
    def backend_loop(self) -> BackendLoop:
        return BackendLoop()

    @cached_property
    def containment(self) -> ContainmentService:
        from ircmd.service.containment.service import ContainmentService

        return ContainmentService(
            store=self.store,
            config=self.config,
            incidents=self.incidents,
            read_only=self.read_only,
            clock=self.incidents.clock,
            loop=self.backend_loop,
        )

    @cached_property
    def signals(self) -> SignalService:
        from ircmd.service.signals.service import SignalService

        return SignalService(self.store, self.incidents, self.config, loop=self.backend_loop)

    @cached_property
    def traces(self) -> TraceService:
        from ircmd.service.traces.service import TraceService

        return TraceService(self.store, self.incidents, self.config, self.data_dir)

    @cached_property
    def extensions(self) -> Extensions:
        return builtin_extensions()

    @cached_property
    def command_history(self) -> History:
        """The ``:`` line's history, shared by every war room of this process."""
        return History()

    def rebuild_services(self, *names: str) -> None:
        """Forget the services built so far (all, or those named), e.g. after the store or
        read-only mode changed; the next use builds them again."""
        for name in names or _SERVICES:
            self.__dict__.pop(name, None)

    def close(self) -> None:
        containment = self.__dict__.get("containment")
        if containment is not None:
            containment.close()
        loop = self.__dict__.get("backend_loop")
        if isinstance(loop, BackendLoop):
            loop.stop()
        self.store.close()
