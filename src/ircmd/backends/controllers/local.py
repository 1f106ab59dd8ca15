"""The ``local`` controller: switches kept in ircmd's own store.

For the demo and for teams without a control plane yet. NOTHING outside ircmd reads these
switches: the board labels them "not enforced anywhere" so nobody mistakes a local switch
for a paused workflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ircmd.backends.protocols import (
    ControllerCapabilities,
    ControllerError,
    ControlTarget,
    DocStore,
)
from ircmd.domain.config import ControllerConfig
from ircmd.domain.containment.controls import ControlState, Observation
from ircmd.domain.incidents.workflow import ControlKind

COLLECTION = "local-controls"
NOT_ENFORCED = "local switch: not enforced anywhere"


class LocalController:
    kind = "local"

    def __init__(self, docs: DocStore | None, *, name: str = "local") -> None:
        self.name = name
        self.docs = docs

    def _store(self) -> DocStore:
        if self.docs is None:
            raise ControllerError(f"{self.name}: the local controller needs the store", "config")
        return self.docs

    def capabilities(self) -> ControllerCapabilities:
        return ControllerCapabilities(
            kinds=frozenset(ControlKind), enforced=False, description=NOT_ENFORCED
        )

    async def apply(self, target: ControlTarget, desired: ControlState) -> dict[str, str]:
        if desired == ControlState.UNKNOWN:
            raise ControllerError(f"{self.name}: cannot apply state 'unknown'", "config")
        self._store().put_doc(
            COLLECTION,
            target.ref,
            {"state": desired.value, "at": datetime.now(UTC).isoformat()},
        )
        return {}

    async def read(self, targets: Sequence[ControlTarget]) -> dict[str, Observation]:
        now = datetime.now(UTC)
        docs = self._store().docs(COLLECTION)
        out: dict[str, Observation] = {}
        for t in targets:
            raw = (docs.get(t.ref) or {}).get("state", ControlState.OFF.value)
            try:
                state = ControlState(raw)
            except ValueError:
                out[t.ref] = Observation(
                    ControlState.UNKNOWN, NOT_ENFORCED, error=f"stored state {raw!r} unreadable"
                )
                continue
            out[t.ref] = Observation(state, NOT_ENFORCED, at=now)
        return out

    async def aclose(self) -> None:
        return None


def factory(
    config: ControllerConfig | None = None, *, name: str = "local", docs: DocStore | None = None
) -> LocalController:
    return LocalController(docs, name=name)
