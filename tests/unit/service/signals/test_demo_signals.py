"""The demo's signal source: believable alerts, clearly labelled demo, silences that work."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ircmd.backends.signals.demo import DEMO_SOURCE
from ircmd.demo.seed import seed_demo
from ircmd.domain.signals.signals import SignalState
from ircmd.service.signals.service import SignalService

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def test_demo_board_ack_and_expire(tmp_path: Path) -> None:
    demo = seed_demo(tmp_path, now=NOW)
    demo.workspace.incidents.clock = lambda: NOW
    svc = demo.workspace.signals
    assert isinstance(svc, SignalService) and svc.demo
    board = svc.poll()
    names = {s.name: s for s in board.signals}
    assert set(names) == {
        "RefundAmountAnomaly",
        "ToolCallRateHigh",
        "RetrievalSourceStale",
        "GuardrailBlockRateLow",
        "EvalPassRateDrop",
    }
    assert all(s.source == DEMO_SOURCE and s.labels["demo"] == "true" for s in board.signals)
    assert names["EvalPassRateDrop"].state == SignalState.RESOLVED
    assert board.incidents_of(names["RefundAmountAnomaly"]) == [demo.incident_id]
    assert board.mark(names["GuardrailBlockRateLow"]).value == "new"
    assert board.mark(names["RefundAmountAnomaly"]).value == "seen"

    rec = svc.acknowledge(names["ToolCallRateHigh"], demo.incident_id)
    after = {s.name: s for s in svc.poll().signals}
    assert after["ToolCallRateHigh"].state == SignalState.SUPPRESSED
    assert after["ToolCallRateHigh"].silenced_by == [rec.silence_id]
    assert [o.ok for o in svc.expire_silences(demo.incident_id)] == [True]
    assert {s.name: s for s in svc.poll().signals}["ToolCallRateHigh"].state == "firing"
    assert demo.workspace.store.verify() == []


def test_reopened_demo_store_keeps_its_signals(tmp_path: Path) -> None:
    first = seed_demo(tmp_path, now=NOW)
    first.workspace.close()
    again = seed_demo(tmp_path, now=NOW)
    svc = again.workspace.signals
    assert isinstance(svc, SignalService)
    assert len(svc.poll().signals) == 5
