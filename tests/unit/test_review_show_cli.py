"""``ircmd review show`` (plain, not --json) prints every section of the review."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.evidence_fixtures import open_workspace, seed_incident

from ircmd.cli import main
from ircmd.domain.evidence.review import ActionItem, ControlOutcome, Impact, RootCause
from ircmd.service.evidence.review import load_review, save_review


def _show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, iid: str) -> str:
    (tmp_path / "config.toml").write_text("")
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "config.toml"))
    return iid


def test_plain_review_show_prints_every_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws)
    review = load_review(ws.incidents, iid).model_copy(
        update={
            "summary": "The assistant promised refunds it could not grant.",
            "what_happened": "Prompt v12 went live at 09:00.\nRefunds over 500 EUR were promised.",
            "impact": Impact(people=37, records=120, money=4000.0, hours=2.5, notes="EU only"),
            "root_cause": RootCause.PROMPT_DESIGN,
            "contributing_factors": ["prompt v12 dropped the refund ceiling"],
            "controls": [ControlOutcome(control="pause", worked=True, note="held in 2 min")],
            "went_well": ["alert fired within 5 minutes"],
            "went_badly": ["no eval covered refund ceilings"],
            "actions": [ActionItem(title="Add eval", owner="bob", due=date(2026, 12, 1))],
            "resolution": "Rolled back to prompt v11.",
            "messaging": "Told support leads at 09:40.",
            "expected_behaviour": "Escalate refunds above the ceiling to a human.",
            "taxonomy": ["LLM01:2025"],
            "versions": {"prompt": "v12"},
            "deployer": "Acme Support",
            "developer": "Acme ML",
            "harmed_parties": ["customers"],
        }
    )
    save_review(ws.incidents, review)
    ws.close()
    assert main(["review", "show", _show(tmp_path, monkeypatch, iid)]) == 0
    out = capsys.readouterr().out
    for expected in (
        f"{iid} review (draft)",
        "summary: The assistant promised refunds it could not grant.",
        "what happened:",
        "    Prompt v12 went live at 09:00.",
        "    Refunds over 500 EUR were promised.",
        "impact: people 37 · records 120 · money 4,000 EUR · hours 2.5",
        "notes: EU only",
        "root cause: prompt design",
        "contributing factors:",
        "- prompt v12 dropped the refund ceiling",
        "+ worked pause: held in 2 min",
        "went well:",
        "- alert fired within 5 minutes",
        "went badly:",
        "- no eval covered refund ceilings",
        "- Add eval | bob | 2026-12-01",
        "key moments: #1",
        "resolution: Rolled back to prompt v11.",
        "messaging: Told support leads at 09:40.",
        "expected behaviour: Escalate refunds above the ceiling to a human.",
        "taxonomy: LLM01:2025",
        "prompt: v12",
        "deployer: Acme Support",
        "developer: Acme ML",
        "harmed parties:",
        "- customers",
    ):
        assert expected in out, (expected, out)


def test_an_empty_review_names_each_missing_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = open_workspace(tmp_path)
    iid, _ = seed_incident(ws)
    ws.close()
    assert main(["review", "show", _show(tmp_path, monkeypatch, iid)]) == 0
    out = capsys.readouterr().out
    for expected in (
        "summary: —",
        "what happened: —",
        "impact: people — · records — · money — · hours —",
        "root cause: not determined",
        "action items: —",
        "expected behaviour: —",
    ):
        assert expected in out, (expected, out)
    assert "\x1b" not in out
