"""The small protocols every backend implements (built-in or from the ``ircmd.backends``
entry-point group). Each capability keeps its part of this file self-contained."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ircmd.domain.containment import ControlState, Observation
from ircmd.domain.workflow import ControlKind, ControlSpec

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
