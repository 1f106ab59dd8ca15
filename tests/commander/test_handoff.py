"""Shift handoff: packet, offer, accept (only by the named person), holder in show --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ircmd.cli import main
from ircmd.domain.config import Config
from ircmd.domain.incidents.handoff import holder
from ircmd.domain.incidents.incident import DomainError, Role
from ircmd.domain.incidents.timeline import EventKind
from ircmd.service.comms.handoff import HandoffService
from ircmd.service.incidents.tasks import TaskService
from ircmd.service.workspace import Workspace


def test_offer_and_accept_between_two_consoles(tmp_path: Path) -> None:
    ana = Workspace.open(Config(), tmp_path / "data", actor="ana")
    bob = Workspace.open(Config(), tmp_path / "data", actor="bob")
    inc, _ = ana.incidents.declare("Bot misleads", severity="high")
    ana.incidents.decide(inc.id, "Pause the bot")
    TaskService(ana.incidents).add(inc.id, "Late", due="2020-01-01T00:00Z", owner="ana")
    assert holder(inc, ana.incidents.timeline(inc.id)).name == "ana"

    with pytest.raises(DomainError, match="no handoff is offered"):
        HandoffService(bob.incidents).accept(inc.id)
    packet, offered = HandoffService(ana.incidents).offer(inc.id, "bob")
    assert offered.kind == EventKind.HANDOFF_OFFERED and offered.data["to"] == "bob"
    assert packet["from"]["name"] == "ana" and packet["overdue_tasks"] == ["T-5"]
    assert [d["text"] for d in packet["decisions"]] == ["Pause the bot"]
    assert {u["audience"] for u in packet["due_updates"]} >= {"executives"}
    with pytest.raises(DomainError, match="offered to bob, not ana"):
        HandoffService(ana.incidents).accept(inc.id)

    accepted = HandoffService(bob.incidents).accept(inc.id, "scribe")
    assert accepted.data == {
        "name": "bob",
        "role": "scribe",
        "from": None,
        "offer": offered.hash,
    }
    h = HandoffService(ana.incidents).holder(inc.id)
    assert (h.name, h.role, h.since) == ("bob", "scribe", accepted.at)
    assert ana.incidents.get(inc.id).roles.get(Role.SCRIBE) == "bob"
    with pytest.raises(DomainError, match="no handoff is offered"):
        HandoffService(bob.incidents).accept(inc.id)  # accepted once
    with pytest.raises(DomainError, match="already holds"):
        HandoffService(bob.incidents).offer(inc.id, "bob")
    assert ana.store.verify() == []
    ana.close()
    bob.close()


def test_cli_contract(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRCMD_USER", "ana")
    assert main(["incident", "declare", "--title", "t", "--severity", "high"]) == 0
    inc = capsys.readouterr().out.strip()
    assert main(["handoff", inc, "--to", "bob", "--json"]) == 0
    packet = json.loads(capsys.readouterr().out)
    assert packet["to"] == "bob" and packet["incident"] == inc
    assert main(["handoff", "accept", inc]) == 1
    assert "offered to bob, not ana" in capsys.readouterr().err
    monkeypatch.setenv("IRCMD_USER", "bob")
    assert main(["handoff", "accept", inc, "--as", "lead"]) == 0
    capsys.readouterr()
    assert main(["incident", "show", inc, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["holder"]["name"] == "bob" and shown["holder"]["role"] == "incident_lead"
    assert set(shown["holder"]) == {"name", "role", "since"}
    assert main(["handoff", inc]) == 2  # --to is required to offer


async def test_handoff_from_the_war_room(tmp_path: Path) -> None:
    from ircmd.tui.app import IrcmdApp
    from tests.support.waiting import wait_until

    ana = Workspace.open(Config(), tmp_path / "data", actor="ana")
    inc, _ = ana.incidents.declare("Bot misleads", severity="high")
    app = IrcmdApp(ana, open_incident=inc.id)
    async with app.run_test(size=(200, 48)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "WarRoomScreen")
        await pilot.press("colon", *"handoff bob", "enter")

        def last_kind() -> str:
            return ana.incidents.timeline(inc.id)[-1].kind.value

        await wait_until(pilot, lambda: last_kind() == "handoff_offered")
    bob = Workspace.open(Config(), tmp_path / "data", actor="bob")
    app2 = IrcmdApp(bob, open_incident=inc.id)
    async with app2.run_test(size=(200, 48)) as pilot:
        await wait_until(pilot, lambda: type(app2.screen).__name__ == "WarRoomScreen")
        await pilot.press("colon", *"handoff accept", "enter")
        await wait_until(pilot, lambda: HandoffService(bob.incidents).holder(inc.id).name == "bob")
        header = app2.screen.query_one("#warroom-header")
        await wait_until(pilot, lambda: "lead bob" in str(header.render()))
    ana.close()
    bob.close()


async def test_war_room_header_shows_the_lead_since_the_handoff(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from textual.widgets import Static

    from ircmd.service.comms.hooks import lead_since
    from ircmd.tui.app import IrcmdApp
    from tests.support.waiting import wait_until

    t0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    now_at = [t0]
    ana = Workspace.open(Config(), tmp_path / "data", actor="ana")
    bob = Workspace.open(Config(), tmp_path / "data", actor="bob")
    for ws in (ana, bob):
        ws.incidents.clock = lambda: now_at[0]
    inc, _ = ana.incidents.declare("Bot misleads", severity="high")
    assert lead_since(ana, ana.incidents.get(inc.id)) == t0
    HandoffService(ana.incidents).offer(inc.id, "bob")
    now_at[0] = t0 + timedelta(hours=7, minutes=35)
    accepted = HandoffService(bob.incidents).accept(inc.id)
    now = bob.incidents.get(inc.id)
    assert now.roles[Role.INCIDENT_LEAD] == "bob" and lead_since(bob, now) == accepted.at

    app = IrcmdApp(bob, open_incident=inc.id)
    async with app.run_test(size=(160, 48)) as pilot:
        header = await wait_until(
            pilot,
            lambda: (
                app.screen.query_one("#warroom-header", Static)
                if type(app.screen).__name__ == "WarRoomScreen"
                else None
            ),
        )
        want = "lead bob since 16:35Z"
        await wait_until(pilot, lambda: want in str(header.render()), what=want)
    ana.close()
    bob.close()


def test_header_keeps_the_title_first_when_narrow() -> None:
    from datetime import UTC, datetime, timedelta

    from ircmd.domain.incidents.incident import Incident
    from ircmd.tui.widgets.warroom_bars import header_text

    now = datetime(2026, 11, 28, 16, 40, tzinfo=UTC)
    inc = Incident(
        id="INC-0003",
        title="Support assistant promising refunds outside policy",
        severity="high",
        created_at=now - timedelta(minutes=47),
        updated_at=now,
        aware_at=now - timedelta(minutes=47),
        roles={Role.INCIDENT_LEAD: "maria.ic"},
    )
    since = now - timedelta(minutes=5)
    update = ("update executives", now + timedelta(minutes=13))
    for width in (80, 100):
        line1, line2 = header_text(
            inc, now, update=update, lead_since=since, width=width
        ).plain.split("\n")
        assert "since" not in line1 and "since 16:35Z" in line2
        # the title shows within the width: at least its first 20 characters
        assert line1.index("Support assistant") + 20 <= width
    # 80 columns: the title follows the status; clocks and lead open line 2
    line1, line2 = header_text(inc, now, update=update, lead_since=since, width=80).plain.split(
        "\n"
    )
    assert line1.startswith(" INC-0003   HIGH  detected  Support assistant")
    assert line2.lstrip().startswith("aware 47m  ✉ update executives in 13m  lead maria.ic")
    line1, line2 = header_text(inc, now, update=update, lead_since=since, width=160).plain.split(
        "\n"
    )
    assert "lead maria.ic since 16:35Z  Support assistant promising refunds" in line1
    assert "since" not in line2


def test_packet_carries_deadlines_controls_pins_and_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The packet names what the next shift must watch: every regulatory deadline (Art. 73
    and the flagged GDPR/NIS2/DORA clocks), each control's confirmed state or drift, the pins
    and findings; the text form says each of them too."""
    from ircmd.service.regulatory.clocks import flag_clock

    ana = Workspace.open(Config(), tmp_path / "data", actor="ana")
    inc, _ = ana.incidents.declare("Bot leaks emails", severity="high")
    flag_clock(ana.incidents, inc.id, "gdpr", member_state="DE")
    flag_clock(ana.incidents, inc.id, "nis2", member_state="DE")
    ctl = "support-refunds/pause"
    ana.incidents.add_event(
        inc.id, EventKind.CONTAINMENT_CONFIRMED, "pause confirmed", {"control": ctl, "state": "on"}
    )
    drifted = "support-refunds/review"
    ana.incidents.add_event(
        inc.id, EventKind.CONTAINMENT_DRIFT, "review drifted", {"control": drifted, "state": "off"}
    )
    pin = ana.incidents.add_event(inc.id, EventKind.EVIDENCE_PINNED, "span 00aa pinned")
    finding = ana.incidents.add_event(inc.id, EventKind.FINDING, "emails in the context")

    packet, offered = HandoffService(ana.incidents).offer(inc.id, "bob")
    stages = {(d["regime"], d["stage"]) for d in packet["deadlines"]}
    assert stages == {
        ("gdpr", "art33-supervisory-authority"),
        ("nis2", "early-warning"),
        ("nis2", "notification"),
        ("nis2", "final-report"),
    }
    assert offered.data["packet"]["deadlines"] == packet["deadlines"]
    controls = {c["control"]: c for c in packet["controls"]}
    assert controls[ctl]["confirmed"] and not controls[ctl]["drift"]
    assert controls[drifted]["drift"] and not controls[drifted]["confirmed"]
    assert packet["pins"] == [{"seq": pin.seq, "text": "span 00aa pinned", "reviewed": False}]
    assert packet["findings"] == [
        {"seq": finding.seq, "text": "emails in the context", "reviewed": False}
    ]
    assert packet["unreviewed_pins"] == [pin.seq]
    assert packet["unreviewed_findings"] == [finding.seq]
    ana.close()

    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_USER", "bob")
    assert main(["handoff", inc.id, "--to", "cem"]) == 0
    out = capsys.readouterr().out
    assert "deadline gdpr art33-supervisory-authority due " in out
    assert "deadline nis2 early-warning due " in out
    assert f"control {drifted}: off (DRIFT)" in out
    assert f"pinned #{pin.seq} (unreviewed): span 00aa pinned" in out
    assert f"finding #{finding.seq} (unreviewed): emails in the context" in out


def test_packet_marks_only_what_this_shift_left_untaken_as_unreviewed(tmp_path: Path) -> None:
    """Pins and findings handed over in an accepted handoff are reviewed; so is one a task
    links to (a pin by its span id, a finding by ``#seq``); a new one nobody took on is not."""
    ana = Workspace.open(Config(), tmp_path / "data", actor="ana")
    bob = Workspace.open(Config(), tmp_path / "data", actor="bob")
    inc, _ = ana.incidents.declare("Bot leaks emails", severity="high")
    old_pin = ana.incidents.add_event(
        inc.id, EventKind.EVIDENCE_PINNED, "span 01 pinned", {"span_id": "01"}
    )
    old_finding = ana.incidents.add_event(inc.id, EventKind.FINDING, "emails in the context")
    HandoffService(ana.incidents).offer(inc.id, "bob")
    HandoffService(bob.incidents).accept(inc.id)
    taken_pin = bob.incidents.add_event(
        inc.id, EventKind.EVIDENCE_PINNED, "span 02 pinned", {"span_id": "02"}
    )
    new_pin = bob.incidents.add_event(
        inc.id, EventKind.EVIDENCE_PINNED, "span 03 pinned", {"span_id": "03"}
    )
    taken_finding = bob.incidents.add_event(inc.id, EventKind.FINDING, "ids swapped")
    new_finding = bob.incidents.add_event(inc.id, EventKind.FINDING, "cache stale")
    tasks = TaskService(bob.incidents)
    tasks.add(inc.id, "Check span 02", link={"span": "02"})
    tasks.add(inc.id, "Trace the swap", link={"finding": f"#{taken_finding.seq}"})

    packet, _ = HandoffService(bob.incidents).offer(inc.id, "cem")
    assert packet["unreviewed_pins"] == [new_pin.seq]
    assert packet["unreviewed_findings"] == [new_finding.seq]
    reviewed = {p["seq"]: p["reviewed"] for p in packet["pins"] + packet["findings"]}
    assert reviewed == {
        old_pin.seq: True,
        old_finding.seq: True,
        taken_pin.seq: True,
        new_pin.seq: False,
        taken_finding.seq: True,
        new_finding.seq: False,
    }
    ana.close()
    bob.close()


def test_header_names_a_holder_who_is_not_the_lead(tmp_path: Path) -> None:
    """Accepted as scribe, the holder is not the lead: the header's second line says who
    holds the incident, as what, since when; the lead keeps their own place."""
    from datetime import UTC, datetime, timedelta

    from ircmd.service.comms.hooks import other_holder
    from ircmd.tui.widgets.warroom_bars import header_text

    t0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    now_at = [t0]
    ana = Workspace.open(Config(), tmp_path / "data", actor="ana")
    sam = Workspace.open(Config(), tmp_path / "data", actor="sam")
    for ws in (ana, sam):
        ws.incidents.clock = lambda: now_at[0]
    inc, _ = ana.incidents.declare("Bot misleads", severity="high")
    assert other_holder(ana, ana.incidents.get(inc.id)) is None  # the declarer leads and holds
    HandoffService(ana.incidents).offer(inc.id, "sam")
    now_at[0] = t0 + timedelta(hours=2, minutes=12)
    HandoffService(sam.incidents).accept(inc.id, "scribe")
    now = sam.incidents.get(inc.id)
    holds = other_holder(sam, now)
    assert holds == ("sam", "scribe", now_at[0])
    line1, line2 = header_text(now, now_at[0], holder=holds, width=160).plain.split("\n")
    assert "lead ana" in line1
    assert "holds sam (scribe) since 11:12Z" in line2
    ana.close()
    sam.close()
