"""The headless CLI, run as a real process: JSON contracts, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ircmd.store.tinydb.store import STORE_FILENAME


def ircmd(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "ircmd.cli", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=60,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"ircmd {args} failed: {proc.stderr}")
    return proc


def test_declare_list_show_note_status_round_trip() -> None:
    out = ircmd(
        "incident",
        "declare",
        "--title",
        "Refunds [b]outside[/b] policy",
        "--severity",
        "high",
        "--json",
        check=True,
    )
    created = json.loads(out.stdout)
    assert created["id"] == "INC-0001" and created["severity"] == "high"
    assert ircmd("incident", "declare", "--title", "second", check=True).stdout.strip() == (
        "INC-0002"
    )
    ircmd(
        "incident",
        "note",
        "INC-0001",
        "tickets",
        "88412",
        "and",
        "88419",
        "--author",
        "lee",
        check=True,
    )
    ircmd("incident", "status", "inc-1", "triaged", check=True)

    listed = json.loads(ircmd("incident", "list", "--json", check=True).stdout)
    assert [i["id"] for i in listed] == ["INC-0001", "INC-0002"]  # high first
    assert listed[0]["status"] == "triaged"

    shown = json.loads(ircmd("incident", "show", "INC-0001", "--json", check=True).stdout)
    assert shown["title"] == "Refunds [b]outside[/b] policy"
    texts = [(e["seq"], e["kind"], e["text"]) for e in shown["timeline"]]
    assert texts[1] == (2, "note", "tickets 88412 and 88419")
    assert texts[2][1] == "status_change"
    assert shown["timeline"][1]["author"] == "lee"
    assert shown["timeline"][1]["prev_hash"] == shown["timeline"][0]["hash"]

    assert ircmd("verify").returncode == 0


def test_usage_errors_exit_2_with_one_line() -> None:
    for args in (
        ["incident", "declare"],
        ["incident", "declare", "--title", "x", "--severity", "sev1"],
        ["nonsense"],
    ):
        proc = ircmd(*args)
        assert proc.returncode == 2, args
        assert len(proc.stderr.strip().splitlines()) == 1
        assert "Traceback" not in proc.stderr


def test_refused_transition_exits_1_naming_what_is_allowed() -> None:
    ircmd("incident", "declare", "--title", "x", check=True)
    proc = ircmd("incident", "status", "INC-0001", "reviewed")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "ircmd: error: cannot move from detected to reviewed; allowed from detected: "
        "triaged, contained, investigating, resolved"
    ]


def test_unknown_incident_is_one_line() -> None:
    proc = ircmd("incident", "show", "INC-0404")
    assert proc.returncode == 1 and proc.stderr.strip() == "ircmd: error: no incident INC-0404"


def test_cli_fails_cleanly_on_a_corrupt_store_and_keeps_the_file(isolated_dirs: Path) -> None:
    ircmd("incident", "declare", "--title", "precious", check=True)
    path = isolated_dirs / STORE_FILENAME
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    for args in (["incident", "list"], ["incident", "declare", "--title", "y"], ["verify"]):
        proc = ircmd(*args)
        assert proc.returncode == 1, args
        lines = (proc.stderr + proc.stdout).strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0], lines
        assert "Traceback" not in proc.stderr
    assert path.read_bytes() == before


def test_verify_reports_an_edited_event(isolated_dirs: Path) -> None:
    ircmd("incident", "declare", "--title", "x", check=True)
    ircmd("incident", "note", "INC-0001", "original words", check=True)
    # Rewrite the note through the journal API, as a tamperer with file access would.
    from ircmd.store.tinydb.store import TinyDBIncidentStore

    store = TinyDBIncidentStore(isolated_dirs)
    rec = dict(store.event_records("INC-0001")[1])
    rec["text"] = "softened words"
    store.journal.append([["put", "events:INC-0001", "2", rec]])
    proc = ircmd("verify")
    assert proc.returncode == 1
    assert proc.stdout.strip() == "INC-0001 event 2: content does not match its hash (edited)"


def test_bad_config_is_one_line_naming_file_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[[workflows]]\nid = "x"\nrisk_tierr = "high"\n')
    monkeypatch.setenv("IRCMD_CONFIG", str(cfg))
    proc = ircmd("incident", "list")
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"ircmd: error: {cfg}:3: workflows[0].risk_tierr: unknown key"


def test_version() -> None:
    proc = ircmd("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("ircmd ")


def test_headless_commands_do_not_import_textual() -> None:
    code = (
        "import sys; from ircmd.cli import main; main(['incident', 'list']); "
        "print('textual' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=60,
    )
    assert proc.stdout.strip().splitlines()[-1] == "False"
