"""``ircmd update draft|send`` and ``next_updates`` in ``incident show --json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ircmd.cli import main
from ircmd.domain.config import Config
from ircmd.service.comms.updates import UpdateService, check_sources
from ircmd.service.workspace import Workspace


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_draft_send_and_next_updates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        capsys, "incident", "declare", "--title", "Bot [red]lies[/red]", "--severity", "high"
    )
    inc = out.strip()
    run(capsys, "incident", "decide", inc, "pause", "the", "bot")
    code, out, _ = run(capsys, "update", "draft", inc, "--audience", "executives", "--json")
    assert code == 0
    draft = json.loads(out)
    assert set(draft) >= {"audience", "text", "sources", "since_seq", "next_due_at"}
    assert draft["audience"] == "executives" and draft["since_seq"] == 0
    assert "Decision: pause the bot" in draft["text"] and draft["sources"]

    code, out, _ = run(
        capsys, "update", "send", inc, "--audience", "executives", "--draft", "--json"
    )
    sent = json.loads(out)
    assert sent["kind"] == "communication" and sent["data"]["audience"] == "executives"
    assert sent["data"]["sources"] == draft["sources"] and sent["text"] == draft["text"]
    # each claim keeps its own sources in the chain
    assert sent["data"]["sentences"] == draft["sentences"]
    assert all(s["sources"] for s in sent["data"]["sentences"])

    edited = tmp_path / "u.txt"
    edited.write_text("We paused the bot.\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "update", "send", inc, "--audience", "support", "--file", str(edited)
    )
    assert code == 0
    code, out, _ = run(capsys, "update", "draft", inc, "--audience", "executives", "--json")
    assert json.loads(out)["since_seq"] == sent["seq"]

    code, out, _ = run(capsys, "incident", "show", inc, "--json")
    shown = json.loads(out)
    due = {d["audience"]: d for d in shown["next_updates"]}
    assert set(due) == {"executives", "support", "customers", "legal"}
    assert all(set(d) == {"audience", "due_at", "overdue"} for d in due.values())

    # every sent update's sources are earlier events of the chain
    ws = Workspace.open(Config(), Path(__import__("os").environ["IRCMD_DATA_DIR"]))
    events = ws.incidents.timeline(inc)
    comms = [e for e in events if e.kind.value == "communication"]
    assert comms and all(check_sources(e, events) == [] for e in comms)
    assert check_sources(comms[0].model_copy(update={"data": {"sources": ["f" * 64]}}), events)
    forged = {**comms[0].data, "sentences": [{"text": "x", "sources": ["e" * 64]}]}
    assert check_sources(comms[0].model_copy(update={"data": forged}), events) == ["e" * 64]
    # a sentence may only cite events before the update itself
    later = {**comms[0].data, "sentences": [{"text": "x", "sources": [events[-1].hash]}]}
    assert check_sources(comms[0].model_copy(update={"data": later}), events) == [events[-1].hash]
    assert UpdateService(ws.incidents).draft(inc, "customers").text.count("lies") == 0
    ws.close()


def test_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "incident", "declare", "--title", "t")
    inc = out.strip()
    code, _, err = run(capsys, "update", "draft", inc, "--audience", "press")
    assert code == 1 and "unknown audience 'press'" in err
    code, _, err = run(capsys, "update", "send", inc, "--audience", "legal")
    assert code == 2
    code, _, err = run(capsys, "update", "send", inc, "--audience", "legal", "--text", "  ")
    assert code == 2 and "empty" in err


def test_a_near_gdpr_deadline_tightens_the_cadence(tmp_path: Path) -> None:
    """Not only Art. 73: a flagged GDPR clock's 72 h deadline, once within a day, halves
    every audience's interval and caps the regulators' update at the deadline itself."""
    from datetime import timedelta

    from ircmd.domain.incidents.timeline import utc
    from ircmd.service.regulatory.clocks import flag_clock

    ws = Workspace.open(Config(), tmp_path / "data", actor="ana")
    inc, _ = ws.incidents.declare("Emails leaked", severity="critical")
    aware = utc(inc.aware_at or inc.created_at)
    updates = UpdateService(ws.incidents)
    start = {d.audience: d for d in updates.due(inc.id, now=aware)}
    assert start["executives"].due_at == aware + timedelta(minutes=30)
    assert not start["executives"].tightened

    flag_clock(ws.incidents, inc.id, "gdpr", member_state="DE", aware_at=aware)
    deadline = aware + timedelta(hours=72)
    far = {d.audience: d for d in updates.due(inc.id, now=aware + timedelta(hours=1))}
    assert not far["executives"].tightened  # 71 h left: the cadence as configured
    near_now = aware + timedelta(hours=50)
    near = {d.audience: d for d in updates.due(inc.id, now=near_now)}
    assert near["executives"].tightened
    assert near["executives"].due_at == aware + timedelta(minutes=15)
    assert near["regulators"].due_at == aware + timedelta(hours=12)  # 24 h halved
    # an update to the regulators 7 h before the deadline: the next one is due at it
    late = aware + timedelta(hours=65)
    ws.incidents.clock = lambda: late
    updates.send(inc.id, "regulators", "Notified the supervisory authority (draft).")
    assert {d.audience: d for d in updates.due(inc.id, now=late)}["regulators"].due_at == deadline
    ws.close()
