"""The lean ``ircmd incident list`` (:mod:`ircmd.cli.incident_list`) prints exactly what the
full model path prints, and hands every case it does not understand to the full path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ircmd.cli import incident_list, main
from ircmd.domain.incidents.incident import Classification, Incident, Role, Severity, Status
from ircmd.store.base import SCHEMA_VERSION
from ircmd.store.tinydb.journal import HEADER_FORMAT
from ircmd.store.tinydb.store import STORE_FILENAME
from tests.docs.test_doc_examples import _make_demo


def test_the_lean_constants_are_the_model_and_the_store() -> None:
    assert tuple(Incident.model_fields) == incident_list.FIELDS
    assert set(incident_list.DATETIME_FIELDS) == {f for f in Incident.model_fields if "_at" in f}
    assert tuple(s.value for s in Severity) == incident_list.SEVERITIES
    assert tuple(s.value for s in Status) == incident_list.STATUSES
    assert tuple(s.value for s in Status if not s.is_open) == incident_list.CLOSED
    assert tuple(c.value for c in Classification) == incident_list.CLASSIFICATIONS
    assert tuple(r.value for r in Role) == incident_list.ROLES
    assert incident_list.SCHEMA_VERSION == SCHEMA_VERSION
    assert incident_list.STORE_FILENAME == STORE_FILENAME
    assert incident_list.HEADER_FORMAT == HEADER_FORMAT


@pytest.fixture
def demo_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seeded demo store under a config that names only its ``[store]``."""
    root = _make_demo(tmp_path)
    config = root / "lean.toml"
    config.write_text(f'[store]\nkind = "tinydb"\npath = "{root / "data"}"\n', encoding="utf-8")
    monkeypatch.setenv("IRCMD_CONFIG", str(config))
    monkeypatch.setenv("IRCMD_KEY_DIR", str(root / "keys"))
    return root


def _both(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """(lean output, full-path output) of ``ircmd`` with ``args``."""
    assert incident_list.run(args) == 0, "the lean reader declined"
    lean = capsys.readouterr().out
    with monkeypatch.context() as m:
        m.setattr(incident_list, "run", lambda _args: None)
        assert main(args) == 0
    return lean, capsys.readouterr().out


@pytest.mark.parametrize("flags", [[], ["--open"], ["--json"], ["--open", "--json"]])
def test_lean_and_full_paths_print_the_same_on_the_demo_store(
    demo_store: Path,
    flags: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lean, full = _both(["incident", "list", *flags], capsys, monkeypatch)
    assert lean == full
    if "--json" in flags:
        rows = json.loads(lean)
        assert rows and all(r["id"].startswith("INC-") for r in rows)
        if "--open" in flags:
            assert all(r["status"] not in ("resolved", "reviewed") for r in rows)
    else:
        assert lean.splitlines()[0].startswith("ID ")
        assert len(lean.splitlines()) > 2


def test_lean_path_after_changes(
    demo_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["incident", "declare", "--title", "new \x1b[31m one", "--severity", "low"]) == 0
    new = capsys.readouterr().out.strip()
    for args in (
        ["incident", "severity", new, "critical", "--reason", "worse"],
        ["incident", "role", new, "scribe", "Zoë"],
        ["incident", "status", new, "resolved", "--reason", "fixed"],
    ):
        assert main(args) == 0
    capsys.readouterr()
    for flags in ([], ["--json"]):
        lean, full = _both(["incident", "list", *flags], capsys, monkeypatch)
        assert lean == full


def _declines(setup: Callable[[Path], None], root: Path) -> None:
    setup(root)
    assert incident_list.run(["incident", "list"]) is None


def test_the_lean_reader_declines_what_it_does_not_understand(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Path(os.environ["IRCMD_CONFIG"])
    store = demo_store / "data" / STORE_FILENAME
    good_config = config.read_text(encoding="utf-8")
    good_store = store.read_bytes()

    def other_section(root: Path) -> None:
        config.write_text(good_config + '\nauthor = "x"\n', encoding="utf-8")

    def postgres(root: Path) -> None:
        config.write_text('[store]\nkind = "postgres"\ndsn_env = "X"\n', encoding="utf-8")

    def old_schema(root: Path) -> None:
        config.write_text(good_config, encoding="utf-8")
        store.write_bytes(good_store.replace(b'"schema":1', b'"schema":0', 1))

    def damaged(root: Path) -> None:
        lines = good_store.split(b"\n")
        lines[2] = b"00000000" + lines[2][8:]
        store.write_bytes(b"\n".join(lines))

    def extra_field(root: Path) -> None:
        store.write_bytes(good_store.replace(b'"head_mac":', b'"x":1,"head_mac":', 1))

    for setup in (other_section, postgres, old_schema, damaged, extra_field):
        _declines(setup, demo_store)
    assert capsys.readouterr().out == "", "a declining reader printed something"
    # The full path still answers (or reports the damage in one line).
    store.write_bytes(good_store)
    config.write_text(good_config, encoding="utf-8")
    assert incident_list.run(["incident", "list"]) == 0


def test_incident_list_without_pydantic(demo_store: Path) -> None:
    """The lean path is what a script gets: no pydantic, no service layer imported."""
    code = (
        "import sys; from ircmd.cli import main; rc = main(['incident', 'list']); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pydantic', 'textual', 'tinydb')"
        " or m.startswith('ircmd.service')]; print('IMPORTED', bad); sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "IMPORTED []" in done.stdout, done.stdout[-500:]
    assert "INC-0001" in done.stdout
