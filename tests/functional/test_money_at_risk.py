"""Money at risk in the war-room header: the recorded findings' traces priced from the
genai-prices data, plus the refund amounts of the tool a finding names."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ircmd.domain.traces.blast import find_similar, query_from_span
from ircmd.service import Workspace
from ircmd.service.investigate.money import incident_money_at_risk
from ircmd.service.traces.service import TraceService
from ircmd.tui.app import IrcmdApp
from ircmd.tui.screens.warroom.screen import WarRoomScreen
from tests.support.waiting import wait_until
from tests.trace_ui_samples import refund_trace

from .warroom_support import make_workspace

# gpt-4o in the genai-prices data: $2.50 / $10 per million input / output tokens
ONE_RUN = Decimal(1200) * Decimal("2.5") / 10**6 + Decimal(85) * Decimal(10) / 10**6


def _record(tmp_path: Path) -> tuple[Workspace, str]:
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
    risk = incident_money_at_risk(ws, inc)
    assert risk is not None
    assert Decimal(str(risk.spend_usd)) == 2 * ONE_RUN  # 0.0077, priced by hand
    # the requested and the executed call of each run are one refund of 120
    assert risk.amounts == {"issue_refund.amount": 240.0}
    assert risk.unpriced_spans == 0
    assert risk.label() == "$0.01 spend · issue_refund.amount 240.00 · 2/2 traces"
    assert risk.counted().startswith("model spend of 2 of the findings' 2 traces found in evidence")
    ws.close()


async def test_war_room_header_shows_money_at_risk(tmp_path: Path) -> None:
    ws, inc = _record(tmp_path)
    app = IrcmdApp(ws, open_incident=inc)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
        room = app.screen
        assert isinstance(room, WarRoomScreen)
        await wait_until(pilot, lambda: room.money_at_risk_label is not None)
        header = str(room.query_one("#warroom-header").render())
        assert "at risk $0.01 spend · issue_refund.amount 240.00 · 2/2 traces" in header


def test_findings_traces_priced_from_the_configured_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing pinned: the findings' traces are found in the configured trace source, and a
    finding whose stored trace ids were capped is re-run to find every trace."""
    import json

    from ircmd.service import Workspace
    from ircmd.service.config import parse_config
    from tests.trace_ui_samples import write_otlp

    spans = refund_trace("a" * 32) + refund_trace("d" * 32, account="ACC-2", user="u-2")
    runs = write_otlp(tmp_path / "runs.json", spans)
    config = parse_config(
        f'[[trace_sources]]\nname = "runs"\nkind = "files"\npaths = [{json.dumps(str(runs))}]\n',
        "<test>",
    )
    ws = Workspace.open(config, tmp_path / "data", actor="tester")
    try:
        inc, _ = ws.incidents.declare("Refunds outside policy", severity="high")
        tool = next(s for s in spans if s.tool_name == "issue_refund")
        result = find_similar(spans, query_from_span(tool, "tool"))
        # the event keeps only the first id (as it keeps the first 200 of a large radius)
        monkeypatch.setattr("ircmd.service.traces.service.MAX_IDS_IN_EVENT", 1)
        TraceService.for_workspace(ws).record_finding(inc.id, result)
        risk = incident_money_at_risk(ws, inc.id)
        assert risk is not None
        assert Decimal(str(risk.spend_usd)) == 2 * ONE_RUN
        assert risk.amounts == {"issue_refund.amount": 240.0}
        assert (risk.traces_found, risk.traces_total) == (2, 2)
        assert risk.sources == ["evidence", "spool", "runs"]
    finally:
        ws.close()


def test_a_finding_names_the_numeric_argument_to_sum(tmp_path: Path) -> None:
    """``trace find --tool grant_credits --arg credits --record INC``: the finding names
    ``credits`` (no money-like name), and money at risk sums it over the findings' calls."""
    import json

    from ircmd.domain.traces.spans import Span
    from tests.investigate.conftest import cli_json
    from tests.trace_ui_samples import write_otlp

    def grant(trace: str, credits: int) -> Span:
        args = json.dumps({"account_id": f"A-{credits}", "credits": credits})
        attrs = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": "grant_credits",
            "gen_ai.tool.call.arguments": args,
        }
        return Span(trace, "1" * 16, name="execute_tool grant_credits", attributes=attrs)

    spans = [grant("a" * 32, 50), grant("b" * 32, 70)]
    path = str(write_otlp(tmp_path / "grants.json", spans))
    ws = make_workspace(tmp_path)
    try:
        svc = TraceService.for_workspace(ws)
        for s in spans:
            svc.pin_span("INC-0001", s, "grants.json")
        result = find_similar(spans, query_from_span(spans[0], "tool"))
        svc.record_finding("INC-0001", result)
        risk = incident_money_at_risk(ws, "INC-0001")
        assert risk is not None and risk.amounts == {}  # 'credits' is not a money-like name
        svc.record_finding("INC-0001", result, sum_argument="credits")
        risk = incident_money_at_risk(ws, "INC-0001")
        assert risk is not None and risk.amounts == {"grant_credits.credits": 120.0}
        assert "grant_credits.credits 120.00" in risk.label()
    finally:
        ws.close()
    # the CLI names it with --arg when it records the finding
    inc = cli_json(["incident", "declare", "--title", "credits", "--severity", "low"])["id"]
    cli_json(
        ["trace", "find", path, "--tool", "grant_credits", "--arg", "credits", "--record", inc]
    )
    (finding,) = [
        e for e in cli_json(["incident", "show", inc])["timeline"] if e["kind"] == "finding"
    ]
    assert finding["data"]["sum_argument"] == "credits"
