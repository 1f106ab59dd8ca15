"""The post-incident review in a real terminal (tmux), at 80×24 and 160×48, idle and under a
bounded CPU load: a resolved incident's war room, ``:review``, then every section of the form
filled by keys only -- the root cause chosen in its dropdown (``enter``, arrows, ``enter``,
``tab`` and the next field's text at once), the impact numbers, the one-per-line lists, the
action items, the OWASP/ATLAS ids followed at once by ``ctrl+s``, the key moments toggled with
``space`` -- then ``ctrl+r`` completes it. What the store holds is read back through the CLI
(``review show --json``, ``incident show --json``): every field exactly as typed. The footer
is on screen throughout, no error is shown, ``q`` asks before quitting and the app is still
running at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.terminal.conftest import SIZES, TerminalFactory
from tests.terminal.stories import Cli, command
from tests.terminal.tmux import Tmux

pytestmark = [pytest.mark.services, pytest.mark.slow]

SUMMARY = "Refund bot promised refunds above the ceiling"
# seen on screen and in the store: the dropdown's label and its value
ROOT_CAUSE = ("prompt design", "prompt_design")
ROOT_CAUSE_DOWNS = 4  # the overlay opens on its blank line; then model, retrieval, data, prompt
WHAT_HAPPENED = ["The assistant quoted full refunds", "for orders past the 30 day window"]
IMPACT = {"people": "37", "records": "120", "money": "4500.5", "hours": "6.5"}
FACTORS = ["Prompt said always make it right", "No refund ceiling check"]
CONTROLS = ["+human review: caught 3 replies", "-refund ceiling: not enforced"]
WENT_WELL = ["Pause held within minutes"]
WENT_BADLY = ["Alert fired 2 hours late", "Runbook named the wrong flag"]
ACTIONS = ["Add ceiling eval | bob.eng | 2026-12-31", "Enforce refund cap | alice | 2027-01-15"]
EXPECTED = "Refuse refunds above the ceiling and hand over"
MESSAGING = "Support leads told at 10:40 UTC"
TAXONOMY = "LLM01:2025, AML.T0051"
# the form's fields in tab order after the root cause, each with its lines
SECTIONS: list[tuple[str, list[str]]] = [
    ("what_happened", WHAT_HAPPENED),
    *((key, [value]) for key, value in IMPACT.items()),
    ("contributing_factors", FACTORS),
    ("controls", CONTROLS),
    ("went_well", WENT_WELL),
    ("went_badly", WENT_BADLY),
    ("actions", ACTIONS),
    ("expected_behaviour", [EXPECTED]),
    ("messaging", [MESSAGING]),
]
ERRORS = ("Traceback", "rror", "is not", "review not complete", "line 1:", "line 2:", "needs")


def seed_resolved_incident(cli: Cli) -> None:
    """INC-0001 declared, investigated, a decision, contained, a note, resolved (seqs 1-6)."""
    cli.run(
        "incident", "declare", "--title", "Refunds outside policy", "--workflow", "support-refunds"
    )
    cli.run("incident", "status", "INC-0001", "investigating", "--reason", "triage")
    cli.run("incident", "decide", "INC-0001", "Pause the refund tool")
    cli.run("incident", "status", "INC-0001", "contained", "--reason", "tool paused")
    cli.run("incident", "note", "INC-0001", "Customer quoted a full refund")
    cli.run("incident", "status", "INC-0001", "resolved", "--reason", "prompt fixed")


def footer_shown(screen: str) -> bool:
    rows = screen.rstrip("\n").splitlines()
    return bool(rows) and "^s Save draft" in rows[-1]


def calm(screen: str) -> bool:
    """The review screen as it should be: its footer shown, no error, the app running."""
    return (
        footer_shown(screen)
        and not any(e in screen for e in ERRORS)
        and ("[ircmd exited" not in screen)
    )


def wait_review(term: Tmux, shown: str, what: str, timeout: float = 30.0) -> str:
    """Wait for ``shown`` on the review screen; the screen is calm when it shows."""
    screen = term.wait_for(lambda s: shown in s and footer_shown(s), timeout, what=what)
    assert calm(screen), f"{what}: not calm (keys sent: {term.log})\n{screen}"
    return screen


def type_lines(term: Tmux, lines: list[str]) -> None:
    """``tab`` into the next field and its lines at once (``enter`` between lines)."""
    term.keys("Tab")
    for i, line in enumerate(lines):
        if i:
            term.keys("Enter")
        term.type(line)


def stored(cli: Cli) -> dict[str, Any]:
    review = cli.json("review", "show", "INC-0001")
    assert isinstance(review, dict)
    return review


@pytest.mark.parametrize("size", list(SIZES))
def test_review_filled_by_keys_is_stored_exactly(
    terminal: TerminalFactory, tmp_path: Path, size: str, cpu_load: str
) -> None:
    cli = Cli(tmp_path)
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "ircmd.toml").write_text(
        'author = "maria.ic"\n\n[[workflows]]\nid = "support-refunds"\n'
    )
    seed_resolved_incident(cli)
    suggested = set(stored(cli)["key_moments"])  # declared, decision, contained, resolved
    assert suggested == {1, 3, 4, 6}, suggested

    term = terminal(size, config=(tmp_path / "ircmd.toml").read_text(), args=["open", "INC-0001"])
    term.wait_for("Refunds outside policy", timeout=60)
    term.wait_for("timeline", timeout=60)
    command(term, "review", "REVIEW", timeout=60)
    screen = wait_review(term, "pinned span", "the review loaded", timeout=60)
    assert "ctrl+r completes" in screen, screen  # the hint line, whole

    # summary (focused at open), then the root cause: enter opens the dropdown, the arrows
    # move, enter picks, tab goes on and the next field's text follows at once
    term.type(SUMMARY)
    term.keys("Tab", "Enter", *["Down"] * ROOT_CAUSE_DOWNS, "Enter")
    for key, lines in SECTIONS:
        type_lines(term, lines)
        screen = wait_review(term, lines[-1][:20], f"{key} typed")
        if key == "actions":  # its title keeps the date format whole at 80 columns too
            assert "|owner|YYYY-MM-DD" in screen or "| owner | YYYY-MM-DD" in screen, screen
    # the ids, then ctrl+s at once: the last characters are saved with the draft
    type_lines(term, [TAXONOMY])
    term.keys("C-s")
    wait_review(term, "Review draft saved", "the draft saved")
    assert stored(cli)["taxonomy"] == ["LLM01:2025", "AML.T0051"]

    # key moments: the first (declared, seq 1) unmarked, the note (seq 5) marked
    term.keys("Tab", "Space", "Down", "Down", "Down", "Down", "Space")
    term.keys("C-r")
    wait_review(term, "Review completed", "the review completed")

    review = stored(cli)
    assert review["final"] is True
    assert review["summary"] == SUMMARY
    assert review["root_cause"] == ROOT_CAUSE[1], (review["root_cause"], term.log)
    assert review["what_happened"] == "\n".join(WHAT_HAPPENED)
    impact = review["impact"]
    assert (impact["people"], impact["records"]) == (37, 120)
    assert (impact["money"], impact["hours"]) == (4500.5, 6.5)
    assert review["contributing_factors"] == FACTORS
    assert review["controls"] == [
        {"control": "human review", "worked": True, "note": "caught 3 replies"},
        {"control": "refund ceiling", "worked": False, "note": "not enforced"},
    ]
    assert review["went_well"] == WENT_WELL
    assert review["went_badly"] == WENT_BADLY
    assert [(a["title"], a["owner"], a["due"]) for a in review["actions"]] == [
        ("Add ceiling eval", "bob.eng", "2026-12-31"),
        ("Enforce refund cap", "alice", "2027-01-15"),
    ]
    assert review["expected_behaviour"] == EXPECTED
    assert review["messaging"] == MESSAGING
    assert review["taxonomy"] == ["LLM01:2025", "AML.T0051"]
    assert sorted(review["key_moments"]) == sorted(suggested ^ {1, 5})
    assert review["author"] == "maria.ic"

    incident = cli.json("incident", "show", "INC-0001")
    assert incident["status"] == "reviewed", incident["status"]
    assert incident["reviewed_at"] is not None
    kinds = [e["kind"] for e in incident["timeline"]]
    assert kinds.count("review") == 2, kinds  # the draft (ctrl+s), then the final (ctrl+r)

    # still alive: q (the key moments have the focus) asks before quitting, n stays; esc
    # leaves the review for the war room, which shows the new status
    screen = term.screen()
    assert calm(screen), screen
    term.keys("q")
    term.wait_for("Quit ircmd?", 30)
    term.keys("n")
    wait_review(term, "Key moments", "the review again after n")
    term.keys("Escape")
    term.wait_for(lambda s: "reviewed" in s and "^s Save draft" not in s, 30, what="war room")
    assert "[ircmd exited" not in term.screen()
