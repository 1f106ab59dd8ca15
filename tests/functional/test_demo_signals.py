"""The throw-away demo store is removed when the process gets SIGTERM or SIGHUP (a killed
``ircmd demo``, a closed terminal), run for real in tmux."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.support.waiting import poll_until
from tests.terminal.tmux import Tmux


def _ircmd_pid(root: int) -> int | None:
    """The ``ircmd demo`` python process under the tmux pane's process ``root``."""
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"ircmd" in cmd and b"demo" in cmd and b"python" in cmd.split(b"\0")[0]:
            return pid
        for task in Path(f"/proc/{pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(k) for k in (task / "children").read_text().split()]
    return None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_demo_store_removed_on_signal(tmp_path: Path, signum: int) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp_path / "none.toml").write_text('author = "t"\n')
    env = {
        "TMPDIR": str(tmp),
        "IRCMD_DATA_DIR": str(tmp_path / "data"),
        "IRCMD_CONFIG": str(tmp_path / "none.toml"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    term = Tmux.start(
        tmp_path, width=120, height=30, env=env, argv=[sys.executable, "-m", "ircmd", "demo"]
    )
    try:
        term.wait_for("INC-0003", timeout=60)
        assert list(tmp.glob("ircmd-demo-*")), "the demo store is not in TMPDIR"
        shell = int(term._tmux("list-panes", "-t", term.target, "-F", "#{pane_pid}").split()[0])
        found = poll_until(lambda: _ircmd_pid(shell), timeout=10, what="the ircmd process")
        assert found is not None
        pid = found
        os.kill(pid, signum)
        poll_until(lambda: not Path(f"/proc/{pid}").exists(), timeout=20, what="ircmd to end")
        assert list(tmp.glob("ircmd-demo-*")) == [], "the throw-away store was left behind"
    finally:
        term.close()
