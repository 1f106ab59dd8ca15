"""How ``ircmd`` parses a command line: options and positionals in any order, each command
registered by the module the table names, shell completion through argcomplete's protocol,
and start-up importing only what the command runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ircmd.cli import COMMANDS, MODULES, build_parser
from ircmd.demo import tracegen
from ircmd.domain.traces.otlp import parse_document
from tests.support.configs import control, support_refunds_toml

IRCMD = str(Path(sys.executable).parent / "ircmd")


def ircmd(*args: str, check: int | None = 0) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([IRCMD, *args], capture_output=True, text=True, timeout=120)
    if check is not None:
        assert p.returncode == check, p.stderr
    return p


@pytest.fixture
def trace_file(tmp_path: Path) -> tuple[Path, str]:
    """An OTLP JSON file and the id of a tool span in it."""
    reqs = list(tracegen.requests(3, per_request=10))
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in reqs) + "\n", encoding="utf-8")
    span = next(s for r in reqs for s in parse_document(r, "x").spans if s.tool_name)
    return path, span.span_id


# -- any order ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order",
    [
        ["INC-0001", "{path}", "--span", "{span}", "--json"],
        ["INC-0001", "--span", "{span}", "{path}", "--json"],
        ["--span", "{span}", "INC-0001", "{path}", "--json"],
        ["--json", "INC-0001", "--span", "{span}", "{path}"],
    ],
)
def test_trace_pin_takes_options_and_paths_in_any_order(
    trace_file: tuple[Path, str], order: list[str]
) -> None:
    path, span = trace_file
    ircmd("incident", "declare", "--title", "Wrong refunds")
    argv = [a.format(path=path, span=span) for a in order]
    doc = json.loads(ircmd("trace", "pin", *argv).stdout)
    assert doc["span_id"] == span and len(doc["sha256"]) == 64


def test_trace_records_takes_paths_after_options(trace_file: tuple[Path, str]) -> None:
    path, _ = trace_file
    ircmd("incident", "declare", "--title", "Wrong refunds")
    for argv in (
        ["INC-0001", "--tool", "issue_refund", "--arg", "account_id", str(path), "--json"],
        ["--tool", "issue_refund", "INC-0001", "--arg", "account_id", "--json", str(path)],
    ):
        doc = json.loads(ircmd("trace", "records", *argv).stdout)
        assert doc["items"], doc


def test_trace_inspect_and_find_take_paths_between_options(trace_file: tuple[Path, str]) -> None:
    path, _ = trace_file
    inspect = json.loads(ircmd("trace", "inspect", "--json", str(path)).stdout)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert inspect["spans"] == sum(len(parse_document(json.loads(x), "x").spans) for x in lines)
    found = json.loads(ircmd("trace", "find", "--tool", "issue_refund", str(path), "--json").stdout)
    assert found["trace_ids"]


def test_incident_commands_take_the_id_after_options() -> None:
    ircmd("incident", "declare", "--title", "x")
    ircmd("incident", "severity", "--reason", "customers hit", "INC-0001", "high")
    shown = json.loads(ircmd("incident", "show", "--json", "INC-0001").stdout)
    assert shown["severity"] == "high"


def test_an_extra_positional_is_still_a_one_line_usage_error() -> None:
    p = ircmd("incident", "show", "INC-0001", "INC-0002", check=2)
    assert len(p.stderr.strip().splitlines()) == 1 and "unrecognized" in p.stderr


# -- the command table ----------------------------------------------------------------------


def test_each_module_registers_exactly_the_commands_the_table_gives_it() -> None:
    everything = build_parser()
    (sub,) = [a for a in everything._subparsers._group_actions]  # type: ignore[union-attr]
    assert set(sub.choices or ()) == set(COMMANDS)
    for module in MODULES:
        own = build_parser([module])
        (action,) = own._subparsers._group_actions  # type: ignore[union-attr]
        expected = {c for c, mods in COMMANDS.items() if mods[0] == module}
        if module in (  # add ``view``/``show``/``diff``/… under ``trace``
            "trace_view",
            "trace_show",
            "trace_diff_cmds",
            "trace_conversation_cmds",
            "trace_changes_cmds",
            "trace_profile_cmds",
        ):
            expected = {"trace"}
        assert set(action.choices or ()) == expected, module


def test_incident_regulatory_is_registered_under_incident() -> None:
    args = build_parser(COMMANDS["incident"]).parse_args(["incident", "regulatory", "INC-0001"])
    assert args.id == "INC-0001" and args.func.__name__ == "cmd_regulatory"


# -- completion -----------------------------------------------------------------------------


def complete(line: str, tmp_path: Path) -> list[str]:
    """What argcomplete offers for ``line`` (cursor at its end), by its env protocol."""
    out = tmp_path / "completions"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "COMP_TYPE": "9",
    }
    p = subprocess.run([IRCMD], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    text = out.read_text(encoding="utf-8")
    return [w.strip() for w in text.split("\n") if w.strip()]


def values(line: str, tmp_path: Path) -> list[str]:
    """The completions that are not options (argcomplete adds those on an empty word)."""
    return [w for w in complete(line, tmp_path) if not w.startswith("-")]


def test_completion_offers_commands_and_options(tmp_path: Path) -> None:
    assert {"incident", "trace", "completion"} <= set(complete("ircmd ", tmp_path))
    assert set(complete("ircmd trace p", tmp_path)) == {"pin", "profile"}
    assert "--span" in complete("ircmd trace pin --s", tmp_path)


def test_completion_offers_incident_ids_from_the_store(tmp_path: Path) -> None:
    ircmd("incident", "declare", "--title", "one")
    ircmd("incident", "declare", "--title", "two")
    assert set(complete("ircmd incident show INC", tmp_path)) == {"INC-0001", "INC-0002"}
    # the incident is typed: the next word is a path, not another incident id
    line = "ircmd trace pin INC-0002 --span 0e38e44cd62022ae "
    assert "INC-0001" not in values(line, tmp_path)


def test_completion_offers_control_ids_from_the_config(tmp_path: Path) -> None:
    Path(os.environ["IRCMD_CONFIG"]).write_text(
        support_refunds_toml(
            control("pause", "pause_workflow", controller="local"),
            name="Refunds",
            owner="Support",
            risk_tier="high",
        ),
        encoding="utf-8",
    )
    ircmd("incident", "declare", "--title", "one")
    assert complete("ircmd contain INC-0001 sup", tmp_path) == ["support-refunds/pause"]


def test_completion_offers_pinned_evidence_digests(
    trace_file: tuple[Path, str], tmp_path: Path
) -> None:
    path, span = trace_file
    ircmd("incident", "declare", "--title", "one")
    digest = json.loads(
        ircmd("trace", "pin", "INC-0001", "--span", span, str(path), "--json").stdout
    )["sha256"]
    assert values("ircmd evals add INC-0001 ", tmp_path) == [digest]


def test_completion_on_a_corrupt_store_offers_nothing_and_does_not_crash(
    tmp_path: Path,
) -> None:
    ircmd("incident", "declare", "--title", "one")
    for f in Path(os.environ["IRCMD_DATA_DIR"]).iterdir():
        if f.is_file():
            f.write_bytes(b"\x00garbage{")
    assert complete("ircmd incident show INC", tmp_path) == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_for_each_shell(shell: str) -> None:
    script = ircmd("completion", shell).stdout
    assert "ircmd" in script and "_ARGCOMPLETE" in script


# -- start-up imports -----------------------------------------------------------------------


def imported_by(*argv: str) -> set[str]:
    code = (
        "import sys; from ircmd.cli import main\n"
        f"try:\n    main({list(argv)!r})\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return set(p.stderr.strip().splitlines()[-1].split())


def test_version_imports_neither_pydantic_nor_the_command_modules() -> None:
    mods = imported_by("--version")
    assert not {m for m in mods if m.startswith(("pydantic", "textual", "tinydb", "httpx"))}
    assert not {m for m in mods if m.startswith("ircmd.cli.") and m != "ircmd.cli.errors"}


def test_incident_list_imports_only_what_it_runs() -> None:
    ircmd("incident", "declare", "--title", "one")
    mods = imported_by("incident", "list")
    for heavy in ("textual", "httpx", "psycopg", "ircmd.backends", "ircmd.cli.traces"):
        assert not {m for m in mods if m == heavy or m.startswith(heavy + ".")}, heavy
    assert "ircmd.cli.incident_list" in mods  # the lean listing answered
