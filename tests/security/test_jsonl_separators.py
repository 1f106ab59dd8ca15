"""JSONL is split on ``\\n`` only: every character ``str.splitlines`` also breaks on, in a
note, survives export → verify-bundle of a fresh package in every profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ircmd.cli import main
from ircmd.domain.evidence.bundle import jsonl_lines

# Every line boundary of str.splitlines() except "\n" itself.
SEPARATORS = ["\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def test_the_list_is_every_splitlines_boundary() -> None:
    found = [chr(c) for c in range(0x110000) if len(f"a{chr(c)}b".splitlines()) == 2]
    assert sorted([*found, "\r\n"]) == sorted([*SEPARATORS, "\n"])


@pytest.mark.parametrize("sep", SEPARATORS, ids=[f"U+{ord(s[0]):04X}" for s in SEPARATORS])
def test_note_with_a_line_separator_verifies_in_every_profile(
    sep: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["incident", "declare", "--title", f"t{sep}x", "--json"]) == 0
    iid = json.loads(capsys.readouterr().out)["id"]
    assert main(["incident", "note", iid, f"before{sep}after {sep}end"]) == 0
    capsys.readouterr()
    for profile in ("internal", "legal", "external"):
        out = tmp_path / f"pkg-{profile}"
        assert main(["export", iid, "--out", str(out), "--profile", profile]) == 0
        capsys.readouterr()
        assert main(["verify-bundle", str(out), "--json"]) == 0, capsys.readouterr()
        report = json.loads(capsys.readouterr().out)
        assert report["ok"] is True
        lines = [ln for ln in jsonl_lines((out / "timeline.jsonl").read_text("utf-8")) if ln]
        assert all(json.loads(ln)["incident_id"] == iid for ln in lines)
        if profile == "internal":
            notes = [json.loads(ln) for ln in lines if json.loads(ln)["kind"] == "note"]
            assert notes and sep in notes[0]["text"]


def test_jsonl_lines_splits_on_newline_only() -> None:
    assert jsonl_lines('{"a":"x\u2028y"}\r\n{"b":"\x85"}\n') == [
        '{"a":"x\u2028y"}',
        '{"b":"\x85"}',
        "",
    ]
