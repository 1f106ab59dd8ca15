"""``ircmd controls`` and ``ircmd contain``: output shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from ircmd.cli import main
from tests.support.configs import PAUSE, REVIEW, kb_workflow, support_refunds_toml

Run = Callable[..., tuple[int, str, str]]
"""``run(*argv)``: ``ircmd argv`` in this process; (exit code, stdout, stderr)."""
Cli = Callable[[str], Run]
"""``cli(config_toml)``: the environment set up for that config; returns ``run``."""

LOCAL = support_refunds_toml(PAUSE, REVIEW) + kb_workflow(source="internal-notes")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    def setup(config: str) -> Run:
        cfg = tmp_path / "config.toml"
        cfg.write_text(config)
        monkeypatch.setenv("IRCMD_CONFIG", str(cfg))
        monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("IRCMD_USER", "sam.eng")

        def run(*argv: str) -> tuple[int, str, str]:
            capsys.readouterr()
            code = main(list(argv))
            out, err = capsys.readouterr()
            return code, out, err

        return run

    return setup


def test_controls_json_lists_every_control(cli: Cli) -> None:
    run = cli(LOCAL)
    code, out, _ = run("controls", "--json")
    assert code == 0
    items = json.loads(out)
    assert [i["id"] for i in items] == [
        "support-refunds/pause",
        "support-refunds/review",
        "kb/notes",
    ]
    assert {k: items[0][k] for k in ("desired", "confirmed", "drift", "enforced")} == {
        "desired": "off",
        "confirmed": "off",
        "drift": False,
        "enforced": False,
    }
    code, out, _ = run("controls", "--workflow", "kb", "--json")
    assert [i["id"] for i in json.loads(out)] == ["kb/notes"]


def test_contain_confirms_records_and_time_travels(cli: Cli) -> None:
    run = cli(LOCAL)
    assert run("incident", "declare", "--title", "Refunds", "--workflow", "support-refunds")[0] == 0
    code, out, err = run(
        "contain", "INC-0001", "support-refunds/review", "--on", "--reason", "humans", "--json"
    )
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert (result["id"], result["confirmed"], result["ok"]) == (
        "support-refunds/review",
        "on",
        True,
    )
    code, out, _ = run("controls", "--json")
    review = json.loads(out)[1]
    assert (review["desired"], review["confirmed"], review["changed_by"]) == ("on", "on", "sam.eng")
    code, out, _ = run("incident", "show", "1", "--json")
    shown = json.loads(out)
    assert shown["contained_at"] is not None
    assert [e["kind"] for e in shown["timeline"]][-2:] == [
        "containment_requested",
        "containment_confirmed",
    ]
    code, out, _ = run("controls", "--at", "now", "--json")
    at = json.loads(out)
    assert [c["id"] for c in at["controls"] if c["state"] == "on"] == ["support-refunds/review"]
    code, out, _ = run("controls", "--at", "2000-01-01T00:00Z")
    assert code == 0 and "active at 2000-01-01T00:00:00+00:00: 0" in out
    code, out, _ = run("contain", "1", "support-refunds/review", "--off", "--reason", "ok")
    assert code == 0 and out.startswith("support-refunds/review: off (confirmed in ")


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["contain", "INC-0001", "support-refunds/pause", "--on"], 2, "--reason"),
        (["contain", "INC-0001", "support-refunds/pause", "--reason", "x"], 2, "--on --off"),
        (["contain", "INC-0001", "x", "--on", "--off", "--reason", "x"], 2, "not allowed"),
        (["contain", "INC-0001", "pause/x/y", "--on", "--reason", "x"], 1, "WORKFLOW/CONTROL"),
        (["contain", "INC-0001", "support-refunds/nope", "--on", "--reason", "x"], 1, "no control"),
        (
            ["contain", "INC-0009", "support-refunds/pause", "--on", "--reason", "x"],
            1,
            "no incident",
        ),
        (["contain", "INC-0001", "support-refunds/pause", "--on", "--reason", " "], 1, "reason"),
        (
            [
                "contain",
                "INC-0001",
                "support-refunds/pause",
                "--on",
                "--reason",
                "x",
                "--timeout",
                "0",
            ],
            2,
            "--timeout",
        ),
        (["controls", "--workflow", "nope"], 2, "unknown workflow 'nope'"),
        (["controls", "--at", "[@click=app.quit]x[/]"], 1, "not a time"),
    ],
)
def test_bad_input_is_one_line_with_the_right_code(
    cli: Cli, argv: list[str], code: int, needle: str
) -> None:
    run = cli(LOCAL)
    run("incident", "declare", "--title", "Refunds", "--workflow", "support-refunds")
    got, _out, err = run(*argv)
    assert got == code, err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_read_only_seat_cannot_contain(cli: Cli) -> None:
    run = cli(LOCAL)
    run("incident", "declare", "--title", "Refunds")
    code, _, err = run("--read-only", "contain", "1", "kb/notes", "--on", "--reason", "x")
    assert code == 1 and "read-only" in err


@pytest.mark.services
def test_cli_against_real_unleash_shows_drift(cli: Cli, unleash_admin: tuple[str, str]) -> None:
    url, token = unleash_admin
    wf = "cli-" + uuid.uuid4().hex[:8]
    run = cli(
        f"""
[controllers.flags]
kind = "unleash"
url = "{url}"
token_env = "IRCMD_TEST_UNLEASH_TOKEN"

[[workflows]]
id = "{wf}"

[[workflows.controls]]
id = "pause"
kind = "pause_workflow"
controller = "flags"
"""
    )
    run("incident", "declare", "--title", "Refunds", "--workflow", wf)
    code, out, err = run("contain", "1", f"{wf}/pause", "--on", "--reason", "stop", "--json")
    assert code == 0, err
    assert json.loads(out)["confirmed"] == "on"
    httpx.post(
        f"{url}/api/admin/projects/default/features/{wf}.pause/environments/development/off",
        headers={"Authorization": token},
    ).raise_for_status()
    code, out, _ = run("controls", "--json")
    item = json.loads(out)[0]
    assert (item["id"], item["desired"], item["confirmed"], item["drift"]) == (
        f"{wf}/pause",
        "on",
        "off",
        True,
    )
    assert token not in out


def test_a_critical_control_needs_the_workflow_typed_back(cli: Cli) -> None:
    run = cli(LOCAL)
    assert run("incident", "declare", "--title", "Refunds", "--workflow", "support-refunds")[0] == 0
    code, _, err = run("contain", "INC-0001", "support-refunds/pause", "--on", "--reason", "stop")
    assert code == 2
    assert "--confirm support-refunds" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(
        "contain",
        "INC-0001",
        "support-refunds/pause",
        "--on",
        "--reason",
        "stop",
        "--confirm",
        "kb",
    )
    assert code == 2
    code, out, err = run(
        "contain",
        "INC-0001",
        "support-refunds/pause",
        "--on",
        "--reason",
        "stop",
        "--confirm",
        "support-refunds",
    )
    assert code == 0, err
    assert out.startswith("support-refunds/pause: on (confirmed in ")


def test_contain_warns_while_an_art73_report_is_due(cli: Cli) -> None:
    run = cli(LOCAL)
    assert run("incident", "declare", "--title", "Refunds", "--workflow", "support-refunds")[0] == 0
    code, _, err = run(
        "incident",
        "regulatory",
        "INC-0001",
        "--harm",
        "fundamental-rights",
        "--member-state",
        "DE",
    )
    assert code == 0, err
    code, _out, err = run(
        "contain", "INC-0001", "support-refunds/review", "--on", "--reason", "humans"
    )
    assert code == 0  # containment is never blocked by the warning...
    warnings = [ln for ln in err.splitlines() if ln.startswith("ircmd: warning:")]
    assert len(warnings) == 1 and "Art" in warnings[0]  # ...but the responder is told
    assert "force_human_review support-refunds/review" in warnings[0]
