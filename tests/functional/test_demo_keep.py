"""``ircmd demo --keep DIR``: the config beside the store, and a status bar that says kept."""

from __future__ import annotations

from pathlib import Path

from ircmd.demo.seed import KEPT_CONFIG, seed_demo
from ircmd.service import Workspace
from ircmd.service.config import load_config
from ircmd.tui.app import IrcmdApp


def test_kept_demo_writes_its_config_beside_the_store(tmp_path: Path) -> None:
    demo = seed_demo(tmp_path, keep=True)
    demo.workspace.close()
    config = load_config(tmp_path / KEPT_CONFIG)
    # a second console on DIR sees the trace source and the controls
    assert [s.name for s in config.trace_sources] == ["demo-traces"]
    assert any(w.controls for w in config.workflows)
    second = Workspace.open(config, tmp_path, read_only=True, demo=True)
    try:
        assert second.incidents.list_incidents()
        text = IrcmdApp(second).status_text().plain
        assert "kept store" in text and str(tmp_path) in text
        assert "throw-away" not in text
    finally:
        second.close()


def test_throwaway_demo_says_so(tmp_path: Path) -> None:
    demo = seed_demo(tmp_path)
    try:
        assert not (tmp_path / KEPT_CONFIG).exists()
        assert "throw-away store" in IrcmdApp(demo.workspace).status_text().plain
    finally:
        demo.workspace.close()
