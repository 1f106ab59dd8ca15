"""Persons affected suggested from the recorded blast radius: the domain count (users, else
conversations as a lower bound, capped id lists), and where it is shown: ``incident
regulatory`` (Art. 73 and the other clocks) in text and ``--json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ircmd.cli import main
from ircmd.domain.traces.blast import find_similar, query_from_span
from ircmd.domain.traces.persons import suggest_persons_affected
from ircmd.domain.traces.spans import Span
from ircmd.service.traces.service import TraceService
from tests.trace_ui_samples import _span, refund_trace


def _finding(spans: list[Span]) -> dict[str, Any]:
    tool = next(s for s in spans if s.tool_name == "issue_refund")
    return find_similar(spans, query_from_span(tool, "tool")).to_dict()


def test_distinct_users_over_findings_with_how_it_was_counted() -> None:
    runs = refund_trace("a" * 32) + refund_trace("b" * 32, user="u-2")
    other = refund_trace("c" * 32, user="u-2") + refund_trace("d" * 32, user="u-3")
    unrelated = [_span("e" * 32, "1" * 16, None, "chat", 0, 10, {"user.id": "u-9"})]
    got = suggest_persons_affected(
        [_finding(runs + unrelated), _finding(other), {"text": "not a blast radius"}]
    )
    assert got is not None
    assert (got.count, got.basis, got.users, got.conversations) == (3, "users", 3, 3)
    assert got.attribute == "user.id / enduser.id"
    assert (got.findings, got.traces, got.traces_scanned, got.lower_bound) == (2, 4, 4, False)
    assert got.describe() == (
        "3 persons: distinct user ids (user.id / enduser.id) in 2 blast-radius findings; "
        "4 matching of 4 traces scanned"
    )
    assert got.to_dict()["queries"] == ["tool issue_refund"]


def test_conversations_only_is_a_lower_bound_and_nothing_named_is_none() -> None:
    data = _finding(refund_trace("a" * 32))
    data.update(user_ids=[], users=0, conversation_ids=["c-1", "c-2"], conversations=2)
    got = suggest_persons_affected([data])
    assert got is not None and (got.count, got.basis, got.lower_bound) == (2, "conversations", True)
    assert got.describe().startswith("at least 2 persons: distinct conversation ids")
    assert "gen_ai.conversation.id / session.id" in got.attribute
    data.update(conversation_ids=[], conversations=0)
    assert suggest_persons_affected([data]) is None
    assert suggest_persons_affected([]) is None


def test_capped_id_list_keeps_the_recorded_count() -> None:
    data = _finding(refund_trace("a" * 32))
    data.update(user_ids=["u-1", "u-2"], users=350, traces=400, scanned_traces=1000)
    got = suggest_persons_affected([data, {**data, "user_ids": ["u-3"], "users": 1}])
    assert got is not None and got.count == 350 and got.lower_bound
    assert (got.traces, got.traces_scanned) == (400, 1000)
    assert got.describe().startswith("at least 350 persons")


def test_regulatory_cli_shows_the_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["incident", "declare", "--title", "refunds", "--severity", "high", "--json"]) == 0
    iid = json.loads(capsys.readouterr().out)["id"]
    args = ["incident", "regulatory", iid, "--harm", "health", "--member-state", "DE"]
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["persons_affected_suggestion"] is None

    from ircmd.service import Workspace
    from ircmd.service.config import data_dir, load_config

    ws = Workspace.open(load_config(), data_dir(), actor="tester")
    try:
        spans = refund_trace("a" * 32) + refund_trace("b" * 32, user="u-2")
        TraceService.for_workspace(ws).record_finding(iid, find_similar_refunds(spans))
    finally:
        ws.close()

    assert main(["incident", "regulatory", iid, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["persons_affected"] is None  # a suggestion, never set by itself
    s = out["persons_affected_suggestion"]
    assert (s["count"], s["basis"], s["attribute"], s["traces_scanned"]) == (
        2,
        "users",
        "user.id / enduser.id",
        2,
    )
    assert main(["incident", "regulatory", iid]) == 0
    text = capsys.readouterr().out
    assert "persons affected: not set; suggested 2 persons: distinct user ids" in text
    assert "(set it with --persons 2)" in text
    assert main(["incident", "regulatory", iid, "--regime", "gdpr", "--member-state", "DE"]) == 0
    assert "persons affected (suggested): 2 persons" in capsys.readouterr().out
    gdpr = ["incident", "regulatory", iid, "--regime", "gdpr", "--member-state", "DE", "--json"]
    assert main(gdpr) == 0
    assert json.loads(capsys.readouterr().out)["persons_affected_suggestion"]["count"] == 2


def find_similar_refunds(spans: list[Span]) -> Any:
    tool = next(s for s in spans if s.tool_name == "issue_refund")
    return find_similar(spans, query_from_span(tool, "tool"))


async def test_regulatory_verb_sets_the_suggested_count_and_says_how(tmp_path: Path) -> None:
    from ircmd.tui.app import IrcmdApp
    from ircmd.tui.screens.warroom.screen import WarRoomScreen
    from tests.functional.warroom_support import make_workspace
    from tests.support.waiting import wait_until

    ws = make_workspace(tmp_path)
    spans = refund_trace("a" * 32) + refund_trace("b" * 32, user="u-2")
    TraceService.for_workspace(ws).record_finding("INC-0001", find_similar_refunds(spans))
    app = IrcmdApp(ws, open_incident="INC-0001")
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            room = await wait_until(pilot, lambda: isinstance(app.screen, WarRoomScreen))
            assert room
            await pilot.press("colon", *"regulatory health DE --persons sugg", "tab", "enter")
            await wait_until(
                pilot,
                lambda: (ws.store.get_doc("regulatory", "INC-0001") or {}).get("persons_affected"),
                what="flagged with the suggested count",
            )
            doc = ws.store.get_doc("regulatory", "INC-0001")
            assert doc is not None and doc["persons_affected"] == 2

            def said() -> str:
                return str(app.screen.query_one("#cmd-feedback").render())

            await wait_until(pilot, lambda: "suggested 2 persons" in said(), what=said())
            assert "persons affected 2; suggested 2 persons: distinct user ids" in said()
    finally:
        ws.close()
