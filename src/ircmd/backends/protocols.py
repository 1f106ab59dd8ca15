"""The small interfaces backends implement (``TraceSource``, ``SignalSource``,
``ContainmentController``). Backends are async; the registry builds them from config."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ircmd.domain.signals import Signal, SilenceRequest

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
