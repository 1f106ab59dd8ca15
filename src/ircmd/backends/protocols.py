"""The small protocols every backend implements (``SignalSource``, ``TraceSource``,
``ContainmentController``), built in or from the ``ircmd.backends`` entry-point group.
Backends are async; the registry builds them from config. Keep each protocol minimal: what
the service layer needs, nothing about how a backend does it. Each capability keeps its part
of this file self-contained."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ircmd.domain.containment.controls import ControlState, Observation
from ircmd.domain.incidents.workflow import ControlKind, ControlSpec
from ircmd.domain.signals.signals import Signal, SilenceRequest

__all__ = [
    "ContainmentController",
    "ControlTarget",
    "ControllerCapabilities",
    "ControllerError",
    "DocStore",
    "Signal",
    "SignalSource",
    "SignalSourceError",
    "SilenceNotFound",
    "SilenceRequest",
    "TraceBatch",
    "TraceSource",
    "TraceSourceError",
]

if TYPE_CHECKING:  # annotations only: the trace parsers are not imported by a signal poll
    from ircmd.domain.traces.otlp import Problems
    from ircmd.domain.traces.spans import Span

# -- SignalSource -----------------------------------------------------------------------------


class SignalSourceError(Exception):
    """A signal source could not answer; the message is one line naming the source."""


class SilenceNotFound(SignalSourceError):
    """The source does not know the silence (already deleted or garbage-collected)."""


@runtime_checkable
class SignalSource(Protocol):
    """Where alerts come from (Prometheus Alertmanager, or a third party's).

    Each call is bounded by the source's own timeout and raises :class:`SignalSourceError`
    with one line for the user when the source is down, slow or answers garbage.
    """

    name: str
    kind: str
    interval: float
    """Seconds between polls."""

    async def fetch_signals(self) -> list[Signal]:
        """Every current alert (firing or suppressed) matching the configured filter."""
        ...

    async def create_silence(self, request: SilenceRequest) -> str:
        """Create a silence; return its id."""
        ...

    async def expire_silence(self, silence_id: str) -> None:
        """Expire a silence now; :class:`SilenceNotFound` if the source does not know it."""
        ...


# -- end SignalSource -------------------------------------------------------------------------


# -- traces ---------------------------------------------------------------------------


@dataclass
class TraceBatch:
    """Spans a trace source produced, and what was wrong with its inputs on the way."""

    spans: list[Span] = field(default_factory=list)
    problems: list[Problems] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Source-level trouble (unreachable server, busy port), one line each."""
    duplicates: dict[tuple[str, str], int] = field(default_factory=dict)
    """(trace id, span id) -> extra copies read of that span (they were dropped)."""

    def extend(self, other: TraceBatch) -> None:
        self.spans.extend(other.spans)
        self.problems.extend(other.problems)
        self.warnings.extend(other.warnings)
        for k, n in other.duplicates.items():
            self.duplicates[k] = self.duplicates.get(k, 0) + n

    @property
    def problem_lines(self) -> list[str]:
        return [p.summary() for p in self.problems if p] + list(self.warnings)


class TraceSourceError(Exception):
    """A trace source cannot do what was asked; the message is one line for the user."""


@runtime_checkable
class TraceSource(Protocol):
    """Where spans come from: files, the built-in OTLP receiver, a remote trace store.

    ``load`` returns what is there now; ``poll`` returns only what arrived since the last
    ``load``/``poll`` (cheap to call on a timer). Neither raises for bad data: problems go
    in the batch. ``TraceSourceError`` is for the source itself being unusable.
    """

    name: str
    kind: str

    async def load(self) -> TraceBatch: ...

    async def poll(self) -> TraceBatch: ...

    async def close(self) -> None: ...

    def describe(self) -> str:
        """One line for a status bar: what this source reads and its state."""
        ...


# -- containment -------------------------------------------------------------------------------


class ControllerError(Exception):
    """A controller could not do or read something. ``reason`` is a short class
    (``timeout``, ``unreachable``, ``auth``, ``forbidden``, ``server``, ``garbage``,
    ``not_found``, ``config``, ``refused``); the message is one line, never a secret."""

    def __init__(self, message: str, reason: str = "error") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ControlTarget:
    """One control as a controller sees it: its name, its config and what the controller
    remembered from its last change (``memo``)."""

    ref: str
    spec: ControlSpec
    memo: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ControllerCapabilities:
    kinds: frozenset[ControlKind]
    enforced: bool
    """False when nothing outside ircmd obeys the switch (the ``local`` controller)."""
    description: str
    batch_read: bool = True


@runtime_checkable
class DocStore(Protocol):
    """The part of the incident store a controller may use for its own state."""

    def get_doc(self, collection: str, key: str) -> dict[str, Any] | None: ...

    def put_doc(self, collection: str, key: str, doc: dict[str, Any] | None) -> None: ...

    def docs(self, collection: str) -> dict[str, dict[str, Any]]: ...


@runtime_checkable
class ContainmentController(Protocol):
    """Applies and reads containment switches on one control plane.

    A factory registered under a kind is called as
    ``factory(config, name=NAME, docs=DOC_STORE)`` where ``config`` is the
    ``[controllers.NAME]`` table (:class:`ircmd.domain.config.ControllerConfig`).
    """

    name: str
    kind: str

    def capabilities(self) -> ControllerCapabilities:
        """What this controller can do (control kinds, whether it is enforced)."""
        ...

    async def apply(self, target: ControlTarget, desired: ControlState) -> dict[str, str]:
        """Ask the control plane for ``desired``; return the memo to keep for later
        (e.g. what to restore on release). Raises :class:`ControllerError`. Success here is
        NOT confirmation: the caller reads the state back with :meth:`read`."""
        ...

    async def read(self, targets: Sequence[ControlTarget]) -> dict[str, Observation]:
        """The actual state of many controls at once (batched), keyed by ``target.ref``.
        A control that could not be read has ``state=UNKNOWN`` and ``error`` set; a failure
        of the whole read raises :class:`ControllerError`."""
        ...

    async def aclose(self) -> None: ...
