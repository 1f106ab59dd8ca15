"""``ircmd trace view``: bad input is one line and an exit code, before any screen opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from ircmd.cli import main


@pytest.fixture(autouse=True)
def _dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    cfg = tmp_path / "config.toml"
    cfg.write_text("")
    monkeypatch.setenv("IRCMD_CONFIG", str(cfg))


def test_missing_file_is_one_line_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["trace", "view", str(tmp_path / "nope.json")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "nope.json" in err and "Traceback" not in err


def test_unknown_incident_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "t.json"
    f.write_text('{"resourceSpans": []}')
    code = main(["trace", "view", str(f), "--incident", "INC-0042"])
    err = capsys.readouterr().err
    assert code == 1 and "INC-0042" in err and err.count("\n") == 1


def test_bad_incident_id_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "t.json"
    f.write_text('{"resourceSpans": []}')
    code = main(["trace", "view", str(f), "--incident", "[/]"])
    assert code == 2
    assert "[/]" in capsys.readouterr().err


def test_view_needs_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "view"]) == 2


def test_sources_without_any_configured_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "view", "--sources"]) == 1
    err = capsys.readouterr().err
    assert "trace_sources" in err and err.count("\n") == 1
