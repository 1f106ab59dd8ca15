"""Money at risk in the war-room header: the recorded findings' traces priced from the
genai-prices data, plus the refund amounts of the tool a finding names."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ircmd.domain.traces.blast import find_similar, query_from_span
from ircmd.service.investigate.money import incident_money_at_risk
from ircmd.service.traces.service import TraceService
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from tests.support.waiting import wait_until
from tests.trace_ui_samples import refund_trace

from .warroom_support import make_workspace

# gpt-4o in the genai-prices data: $2.50 / $10 per million input / output tokens
ONE_RUN = Decimal(1200) * Decimal("2.5") / 10**6 + Decimal(85) * Decimal(10) / 10**6


def _record(tmp_path: Path) -> tuple[object, str]:
    ws = make_workspace(tmp_path)
    svc = TraceService.for_workspace(ws)
    spans = refund_trace("a" * 32) + refund_trace("d" * 32, account="ACC-2", user="u-2")
    assert incident_money_at_risk(ws, "INC-0001") is None  # no finding yet
    for s in spans:
        svc.pin_span("INC-0001", s, "refunds.json")
    tool = next(s for s in spans if s.tool_name == "issue_refund")
    svc.record_finding("INC-0001", find_similar(spans, query_from_span(tool, "tool")))
    return ws, "INC-0001"


def test_findings_spend_and_refund_amounts(tmp_path: Path) -> None:
    ws, inc = _record(tmp_path)
    risk = incident_money_at_risk(ws, inc)  # type: ignore[arg-type]
    assert risk is not None
    assert Decimal(str(risk.spend_usd)) == 2 * ONE_RUN  # 0.0077, priced by hand
    # the requested and the executed call of each run are one refund of 120
    assert risk.amounts == {"issue_refund.amount": 240.0}
    assert risk.unpriced_spans == 0
    assert risk.label() == "$0.01 spend · issue_refund.amount 240.00"
    ws.close()  # type: ignore[attr-defined]


async def test_war_room_header_shows_money_at_risk(tmp_path: Path) -> None:
    ws, inc = _record(tmp_path)
    app = IrcmdApp(ws, open_incident=inc)  # type: ignore[arg-type]
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
        room = app.screen
        assert isinstance(room, WarRoomScreen)
        await wait_until(pilot, lambda: room.money_at_risk_label is not None)
        header = str(room.query_one("#warroom-header").render())
        assert "at risk $0.01 spend · issue_refund.amount 240.00" in header
