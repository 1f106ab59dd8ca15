"""The small protocols backends implement (discovered by kind, see ``registry``).

Keep each protocol minimal: what the service layer needs, nothing about how a backend
does it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ircmd.domain.otlp import Problems
from ircmd.domain.spans import Span

# -- traces ---------------------------------------------------------------------------


@dataclass
class TraceBatch:
    """Spans a trace source produced, and what was wrong with its inputs on the way."""

    spans: list[Span] = field(default_factory=list)
    problems: list[Problems] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Source-level trouble (unreachable server, busy port), one line each."""

    def extend(self, other: TraceBatch) -> None:
        self.spans.extend(other.spans)
        self.problems.extend(other.problems)
        self.warnings.extend(other.warnings)

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
