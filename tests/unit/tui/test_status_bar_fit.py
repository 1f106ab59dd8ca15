"""The war room's status bar at 80 columns: healthy backends are counted, a down one keeps
its name, and who you are and the seat's mode stay on the line."""

from __future__ import annotations

from ircmd.tui.widgets.warroom_bars import status_text

HEALTH = [
    ("demo-traces", "unknown", ""),
    ("alerts (demo)", "ok", ""),
    ("local", "ok", ""),
    ("flags", "down", "connection refused by 127.0.0.1:4242"),
]


def test_wide_names_every_backend_and_the_detail() -> None:
    text = status_text(HEALTH, read_only=True, others=0, actor="maria.ic", width=200).plain
    for part in ("demo-traces", "alerts (demo)", "local", "connection refused", "no other console"):
        assert part in text
    assert text.rstrip().endswith("as maria.ic  READ-ONLY")


def test_narrow_counts_healthy_backends_and_keeps_who_you_are() -> None:
    text = status_text(HEALTH, read_only=True, others=0, actor="maria.ic", width=80).plain
    assert len(text) <= 80, text
    assert "✖ flags" in text and "● 2 ok" in text and "○ 1 unknown" in text
    assert "demo-traces" not in text and "no other console" not in text
    assert text.rstrip().endswith("as maria.ic  READ-ONLY")
    with_others = status_text(HEALTH, read_only=False, others=2, actor="ana", width=80).plain
    assert "2 other consoles" in with_others and with_others.rstrip().endswith("as ana")
