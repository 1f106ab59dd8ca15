"""Shared fixtures: every test runs on its own data and config dirs, never the user's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

FIXED_NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("IRCMD_DATA_DIR", str(data))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("IRCMD_USER", "tester")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    yield data


class StepClock:
    """A clock that starts at FIXED_NOW and moves one second per call."""

    def __init__(self, start: datetime = FIXED_NOW, step: float = 1.0) -> None:
        self.now = start
        self.step = timedelta(seconds=step)

    def __call__(self) -> datetime:
        value = self.now
        self.now += self.step
        return value


@pytest.fixture
def step_clock() -> StepClock:
    return StepClock()
