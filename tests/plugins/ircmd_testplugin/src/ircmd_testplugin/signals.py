"""``kind = "testsignals"``: alerts read from a JSON file (a list of Alertmanager-style
alerts). Declared in this package's pyproject under the ``ircmd.backends`` entry points."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ircmd.backends.protocols import SignalSourceError, SilenceRequest
from ircmd.domain.signals.signals import Signal


class TestSignalsConfig(BaseModel):
    """The keys of a ``[[signal_sources]]`` table of this kind (``name``/``kind`` are added
    by ircmd)."""

    model_config = ConfigDict(extra="forbid")

    path: str
    interval: float = Field(default=10.0, gt=0)
    default_severity: str = "warning"


class FileSignalSource:
    def __init__(self, config: TestSignalsConfig) -> None:
        self.name: str = getattr(config, "name", "testsignals")
        self.kind = "testsignals"
        self.interval = config.interval
        self._path = Path(config.path)
        self._severity = config.default_severity

    async def fetch_signals(self) -> list[Signal]:
        try:
            alerts = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SignalSourceError(f"{self._path}: {exc}") from None
        out = []
        for alert in alerts:
            labels = {"severity": self._severity, **alert.get("labels", {})}
            out.append(Signal.model_validate({**alert, "labels": labels, "source": self.name}))
        return out

    async def create_silence(self, request: SilenceRequest) -> str:
        raise SignalSourceError("testsignals cannot silence")

    async def expire_silence(self, silence_id: str) -> None:
        raise SignalSourceError("testsignals cannot silence")


def factory(config: TestSignalsConfig) -> FileSignalSource:
    return FileSignalSource(config)


factory.config_section = "signal_sources"  # type: ignore[attr-defined]
factory.config_model = TestSignalsConfig  # type: ignore[attr-defined]
