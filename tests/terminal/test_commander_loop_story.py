"""The commander's loop in a real terminal (tmux), at 80×24 and 160×48 (issue 14): send a
stakeholder update and see the due timer move on; add a task and tick it; apply a playbook
and watch its containment step turn done when the real Unleash confirms; hand the incident
off between two consoles. Keys only in the terminal; the store (through the CLI) and Unleash
are checked after each story."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from tests.support.waiting import poll_until
from tests.terminal.conftest import SIZES, TerminalFactory
from tests.terminal.stories import Cli, command, story_config

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.mark.parametrize("size", list(SIZES))
def test_send_an_update_then_add_and_tick_a_task(
    terminal: TerminalFactory, tmp_path: Path, size: str
) -> None:
    config = story_config()
    (tmp_path / "ircmd.toml").write_text(config)
    cli = Cli(tmp_path)
    cli.run("incident", "declare", "--title", "Refund bot misleads", "--severity", "high")
    cli.run("incident", "decide", "INC-0001", "Pause the refund bot")
    term = terminal(size, config=config, args=["open", "INC-0001"])
    term.wait_for("✉ update executives in", timeout=60)

    # u → :update executives → the grounded draft; ctrl+s sends it
    term.keys("u")
    term.type("executives")
    term.keys("Enter")
    term.wait_for("Pause the refund bot", timeout=30)
    term.keys("C-s")
    term.wait_for("✉ update support in", timeout=30)  # executives restarted: support is next
    comms = [e for e in cli.timeline() if e["kind"] == "communication"]
    assert [c["data"]["audience"] for c in comms] == ["executives"]
    assert "Pause the refund bot" in comms[0]["text"] and comms[0]["data"]["sources"]

    # a task with an owner and a due time, then the tasks view: space ticks it
    command(term, "task add Call legal --owner bob --due +1h", "Call legal")
    tasks = cli.json("task", "list", "INC-0001")
    added = next(t for t in tasks if t["title"] == "Call legal")
    assert added["owner"] == "bob" and added["due_at"]
    term.keys("a")
    term.wait_for("Call legal", timeout=30)
    first = tasks[0]["id"]
    term.keys("space")  # the first row is highlighted

    def state() -> str:
        return str(
            next(t["state"] for t in cli.json("task", "list", "INC-0001") if t["id"] == first)
        )

    poll_until(lambda: state() == "done", 30, what=f"{first} done (keys sent: {term.log})")


@pytest.mark.parametrize("size", list(SIZES))
def test_playbook_step_turns_done_when_unleash_confirms(
    terminal: TerminalFactory, tmp_path: Path, size: str
) -> None:
    from tests.services import require_service

    url = require_service("unleash")
    wf = "pbt-" + uuid.uuid4().hex[:8]
    config = story_config(workflow=wf, flags=url)
    (tmp_path / "ircmd.toml").write_text(config)
    cli = Cli(tmp_path)
    cli.run(
        "incident", "declare", "--title", "Wrong refund answers", "--workflow", wf,
        "--severity", "high",
    )  # fmt: skip
    env = {"IRCMD_TEST_UNLEASH_TOKEN": os.environ.get("IRCMD_TEST_UNLEASH_TOKEN", "")}
    term = terminal(size, config=config, args=["open", "INC-0001"], env=env)
    term.wait_for("timeline", timeout=60)
    command(term, "playbook customer-misinformation", "customer-misinformation")
    step = next(
        t for t in cli.json("task", "list", "INC-0001") if t.get("control") == f"{wf}/review"
    )
    assert step["state"] != "done"
    term.keys("a")
    term.wait_for("awaits on", timeout=30)
    # the control is engaged (CLI, another responder) and confirmed by the real Unleash
    cli.run("contain", "INC-0001", f"{wf}/review", "--on", "--reason", "humans review refunds")
    term.wait_for(f"[x] {step['id']} ", timeout=60)  # the row ticks itself
    done = next(t for t in cli.json("task", "list", "INC-0001") if t["id"] == step["id"])
    assert done["state"] == "done", f"keys sent: {term.log}"


@pytest.mark.parametrize("size", list(SIZES))
def test_hand_off_between_two_consoles(
    terminal: TerminalFactory, tmp_path: Path, size: str
) -> None:
    config = story_config().replace('author = "maria.ic"\n', "")
    (tmp_path / "ircmd.toml").write_text(config)
    cli = Cli(tmp_path)
    cli.env["IRCMD_USER"] = "ana"
    cli.run("incident", "declare", "--title", "Bot misleads", "--severity", "high")
    ana = terminal(size, config=config, args=["open", "INC-0001"], env={"IRCMD_USER": "ana"})
    ana.wait_for("lead ana", timeout=60)
    command(ana, "handoff bob", "bob")
    bob = terminal(size, config=config, args=["open", "INC-0001"], env={"IRCMD_USER": "bob"})
    bob.wait_for("INC-0001", timeout=60)
    command(bob, "handoff accept", "lead bob")
    ana.wait_for("lead bob", timeout=30)  # the other console sees it without a key
    shown = cli.json("incident", "show", "INC-0001")
    assert shown["holder"]["name"] == "bob"
    kinds = [e["kind"] for e in shown["timeline"]]
    assert "handoff_offered" in kinds and "handoff_accepted" in kinds
