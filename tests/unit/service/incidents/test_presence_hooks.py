from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ircmd.domain.config import Config
from ircmd.service import Workspace, hooks
from ircmd.service.hooks import BackendHealth, Deadline, Extensions
from ircmd.service.incidents.presence import Presence


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_presence_is_rate_limited_and_expires(tmp_path: Path) -> None:
    ws = Workspace.open(Config(), tmp_path, actor="a")
    clock = Clock()
    me = Presence(ws.store, "a", clock=clock, interval=10, ttl=30)
    you = Presence(ws.store, "b", clock=clock, interval=10, ttl=30)
    assert me.beat("INC-0001") is True
    assert me.beat("INC-0001") is False  # within the interval: no write
    assert you.beat("INC-0002") is True
    assert [d["actor"] for d in me.others()] == ["b"]
    assert me.others("INC-0001") == []
    clock.now += timedelta(seconds=31)
    assert me.others() == []  # b stopped beating: gone
    assert me.beat("INC-0001") is True
    assert [d["actor"] for d in you.others()] == ["a"]
    me.leave()
    assert you.others() == []
    clock.now += timedelta(days=2)
    fresh = Presence(ws.store, "c", clock=clock)
    fresh.beat(None)  # its first beat deletes b's day-old heartbeat
    assert set(ws.store.docs("presence")) == {fresh.console_id}
    ws.close()


def test_hooks_collect_and_survive_broken_providers(tmp_path: Path) -> None:
    ws = Workspace.open(Config(), tmp_path, actor="a")
    inc, _ = ws.incidents.declare("x")
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def soon(_ws: object, _inc: object, t: datetime) -> list[Deadline]:
        return [
            Deadline("regulator", t + timedelta(hours=20)),
            Deadline("customer", t + timedelta(hours=2)),
        ]

    def broken(*_args: object) -> list[Deadline]:
        raise RuntimeError("clock service down")

    def controls(_ws: object, incident_id: str) -> list[str]:
        return [f"pause on {incident_id}"]

    def health(_ws: object) -> list[BackendHealth]:
        return [BackendHealth("alerts", "down", "connection refused")]

    ws.extensions = Extensions(
        deadlines=[soon, broken],
        active_controls=[controls, broken],  # type: ignore[list-item]
        health=[health],
    )
    deadline, problems = hooks.next_deadline(ws, inc, now)
    assert deadline is not None and deadline.label == "customer"
    assert len(problems) == 1 and "clock service down" in problems[0]
    active = hooks.active_controls(ws, inc.id)
    assert active[0] == f"pause on {inc.id}"
    assert "could not check controls" in active[1]  # unknown counts as active
    assert hooks.backend_health(ws) == [BackendHealth("alerts", "down", "connection refused")]
    # Extensions belong to one workspace: another one sees only the built-in providers.
    other = Workspace.open(Config(), tmp_path / "other", actor="b")
    other_inc, _ = other.incidents.declare("y")
    assert hooks.next_deadline(other, other_inc, now) == (None, [])
    assert hooks.active_controls(other, other_inc.id) == []
    other.close()
    ws.close()
