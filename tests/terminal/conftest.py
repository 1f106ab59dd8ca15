"""Fixtures of the real-terminal tests: ``ircmd`` in tmux on a temp store, at a given size,
optionally under a bounded CPU load (busy loops started here and killed by PID)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.configs import PAUSE, REVIEW, support_refunds_toml
from tests.terminal.tmux import Tmux, tmux_binary

CONFIG = 'author = "maria.ic"\n\n' + support_refunds_toml(PAUSE, REVIEW)

SIZES = {"80x24": (80, 24), "160x48": (160, 48)}


def ircmd_argv() -> list[str]:
    """The installed ``ircmd`` beside this interpreter (the venv's)."""
    exe = Path(sys.executable).with_name("ircmd")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ircmd"]


@pytest.fixture(params=["idle", "loaded"])
def cpu_load(request: pytest.FixtureRequest) -> Iterator[str]:
    """``loaded``: two busy-loop processes for the test's duration (the machine's cores)."""
    procs: list[subprocess.Popen[bytes]] = []
    if request.param == "loaded":
        for _ in range(2):
            procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
    yield str(request.param)
    for proc in procs:
        proc.kill()
        proc.wait(timeout=10)


TerminalFactory = Callable[..., Tmux]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[TerminalFactory]:
    """``terminal(size="80x24", config=TOML, args=[...])`` → a :class:`Tmux` running ircmd
    with its own ``IRCMD_DATA_DIR`` and ``IRCMD_CONFIG`` under ``tmp_path``."""
    tmux_binary()  # skip (or fail under IRCMD_REQUIRE_SERVICES=1) without tmux
    started: list[Tmux] = []

    def start(
        size: str = "80x24",
        config: str = CONFIG,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> Tmux:
        width, height = SIZES.get(size) or tuple(int(x) for x in size.split("x"))
        data = tmp_path / "data"
        data.mkdir(exist_ok=True)
        config_path = tmp_path / "ircmd.toml"
        config_path.write_text(config)
        workdir = tmp_path / f"term{len(started)}"
        workdir.mkdir()
        term = Tmux.start(
            workdir,
            width=width,
            height=height,
            env={"IRCMD_DATA_DIR": str(data), "IRCMD_CONFIG": str(config_path), **(env or {})},
            argv=[*ircmd_argv(), *(args or [])],
        )
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()
