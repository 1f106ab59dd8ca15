"""Small hardening of the command line: verify --json is always JSON, an empty store file
is initialised before anything is acknowledged, hostile arguments and configs give named
one-line errors; and a bounded fuzz over the main commands' argv."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ircmd.cli import main

STORE = "ircmd-store.jsonl"
UNEXPECTED = re.compile(r"unexpected \w*(Error|Exception)")


def store_file() -> Path:
    return Path(os.environ["IRCMD_DATA_DIR"]) / STORE


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert not UNEXPECTED.search(err) and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize(
    "damage",
    [b"", b"garbage", b"garbage\n", b'{"format": "ircmd-store", "schema": 1}\n{not json\n'],
    ids=["empty", "no-newline", "not-a-header", "damaged-record"],
)
def test_verify_json_is_one_json_document_whatever_the_store(
    damage: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["incident", "declare", "--title", "x"]) == 0
    store_file().write_bytes(damage)
    capsys.readouterr()
    code = main(["verify", "--json"])
    out = capsys.readouterr().out
    report = json.loads(out)  # exactly one document, nothing else on stdout
    assert isinstance(report, dict)
    if damage:
        assert code == 1 and report["ok"] is False and report["problems"]
    else:  # emptied after the first write: the chain key made for this store still exists,
        # so a store wiped to nothing is reported (a keyed store cannot silently lose its past)
        assert code == 1 and report["ok"] is False and report["problems"]


def test_an_empty_store_file_is_initialised_before_the_first_write(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store_file().write_bytes(b"")
    assert main(["incident", "declare", "--title", "first", "--json"]) == 0
    iid = json.loads(capsys.readouterr().out)["id"]
    assert store_file().read_bytes().startswith(b'{"format"')
    assert main(["incident", "show", iid, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "first"


def test_a_store_without_a_header_refuses_writes_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store_file().write_bytes(b"half a header")
    assert main(["incident", "declare", "--title", "x"]) == 1
    assert "not an ircmd store header" in one_error_line(capsys.readouterr().err)
    assert store_file().read_bytes() == b"half a header"  # left untouched


def test_invalid_utf8_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    title = b"\xff\xfebad".decode("utf-8", "surrogateescape")
    assert main(["incident", "declare", "--title", title]) == 2
    assert "not valid UTF-8" in one_error_line(capsys.readouterr().err)


def test_date_9999_12_31_is_a_named_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["incident", "declare", "--title", "x"]) == 0
    capsys.readouterr()
    argv = ["incident", "regulatory", "INC-0001", "--harm", "health", "--member-state", "DE"]
    code = main([*argv, "--aware-at", "9999-12-31T23:59:59"])
    assert code == 1
    assert "out of range" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("a = " + "[" * 3000 + "]" * 3000, "config.toml"),
        ("a = " + "{b=" * 3000 + "1" + "}" * 3000, "nested too deeply"),
        ('[redaction.patterns]\naccount = "(unclosed"\n', "config.toml:1: redaction.patterns"),
    ],
    ids=["deep-arrays", "deep-tables", "bad-regex"],
)
def test_hostile_configs_name_file_and_key(
    text: str, expect: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(os.environ["IRCMD_CONFIG"]).write_text(text, encoding="utf-8")
    assert main(["incident", "list"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert expect in line
    if "regex" in text or "redaction" in text:
        assert "'account' is not a valid regex" in line


# -- bounded fuzz over argv -------------------------------------------------------------------
WORDS = st.sampled_from(
    [
        "INC-0001",
        "INC-9999",
        "x",
        "",
        "-",
        "--json",
        "9999-12-31",
        "0001-01-01",
        "9999-12-31T23:59:59+14:00",
        "nan",
        "1e309",
        "-1",
        "[bold]x[/]",
        "\x1b]52;c;aGk=\x07",
        "\u2028",
        b"\xff".decode("utf-8", "surrogateescape"),
        "a" * 5000,
        "health",
        "DE",
        "support-refunds/pause",
        "--on",
        "--reason",
        "--harm",
        "--aware-at",
        "--member-state",
        "--severity",
        "high",
        "--profile",
        "external",
        "--out",
    ]
)
COMMANDS = st.sampled_from(
    [
        ["incident", "declare", "--title"],
        ["incident", "list"],
        ["incident", "show"],
        ["incident", "note"],
        ["incident", "severity"],
        ["incident", "status"],
        ["incident", "regulatory"],
        ["verify"],
        ["verify-bundle"],
        ["export"],
        ["review", "save"],
        ["review", "show"],
        ["evals", "export"],
        ["controls"],
        ["signals", "list"],
        ["trace", "inspect"],
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=COMMANDS, words=st.lists(WORDS, max_size=6))
def test_cli_fuzz_never_unexpected(
    command: list[str],
    words: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not store_file().exists():
        assert main(["incident", "declare", "--title", "seed"]) == 0
    argv = list(command)
    for w in words:  # outputs stay inside the test's directory
        argv += ["--out", str(tmp_path / "o")] if w == "--out" else [w]
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own exits (there is no --help in WORDS)
        code = exc.code if isinstance(exc.code, int) else 2
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (argv, code, err)
    assert not UNEXPECTED.search(err) and "Traceback" not in err, (argv, err)
    if code != 0:
        assert len(err.strip().splitlines()) == 1, (argv, err)
