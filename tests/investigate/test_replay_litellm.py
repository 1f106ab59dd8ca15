"""Replay through a real LiteLLM proxy (scripts/services/litellm.sh, config-file mode, no
database) in front of the local OpenAI-compatible server: without the guardrail the replay
is ``same``; with the litellm_content_filter guardrail switched on it is ``blocked``, and both
land on the incident's timeline."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ircmd.domain.traces.spans import SpanKind
from tests.investigate.conftest import cli_json, read_spans
from tests.producers.fake_openai import FakeOpenAI

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "services" / "litellm.sh"
VENV = Path(os.environ.get("IRCMD_LITELLM_VENV", REPO / ".services" / "litellm-venv"))

pytestmark = pytest.mark.services


def _env(state: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (state / "service.env").read_text().splitlines())
    return {k: v for k, v in pairs}


@pytest.fixture(scope="module")
def proxies(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, dict[str, str]]]]:
    if not (VENV / "bin" / "litellm").exists():
        if os.environ.get("IRCMD_REQUIRE_SERVICES") == "1":
            pytest.fail(f"no LiteLLM at {VENV} (scripts/services/litellm.sh install)")
        pytest.skip(f"no LiteLLM at {VENV} (scripts/services/litellm.sh install)")
    base = tmp_path_factory.mktemp("litellm")
    with FakeOpenAI() as upstream:
        states = {"open": base / "open", "guarded": base / "guarded"}
        procs = {
            name: subprocess.Popen(
                [
                    str(SCRIPT),
                    "start",
                    str(state),
                    "0",
                    upstream.base_url,
                    "on" if name == "guarded" else "off",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=dict(os.environ, IRCMD_LITELLM_VENV=str(VENV)),
            )
            for name, state in states.items()
        }
        try:
            for name, p in procs.items():
                out, err = p.communicate(timeout=400)
                assert p.returncode == 0, f"{name}: {out[-2000:]} {err[-2000:]}"
            envs = {name: _env(state) for name, state in states.items()}
            os.environ["IRCMD_TEST_LITELLM_KEY_OPEN"] = envs["open"]["IRCMD_TEST_LITELLM_KEY"]
            os.environ["IRCMD_TEST_LITELLM_KEY_GUARD"] = envs["guarded"]["IRCMD_TEST_LITELLM_KEY"]
            toml = "".join(
                f'[[model_endpoints]]\nname = "{name}"\nurl = "{env["URL"]}/v1"\n'
                f'token_env = "IRCMD_TEST_LITELLM_KEY_{"OPEN" if name == "open" else "GUARD"}"\n'
                for name, env in envs.items()
            )
            yield toml, envs
        finally:
            for state in states.values():
                subprocess.run([str(SCRIPT), "stop", str(state)], check=False, timeout=60)


def test_replay_through_litellm_same_then_blocked_by_guardrail(
    proxies: tuple[str, dict[str, dict[str, str]]], refunds_runs: dict[str, Path]
) -> None:
    toml, _ = proxies
    path = refunds_runs["otel-v2"]
    llm = sorted((s for s in read_spans(path) if s.kind is SpanKind.LLM), key=lambda s: s.start_ns)[
        0
    ]
    Path(os.environ["IRCMD_CONFIG"]).write_text(toml, "utf-8")
    inc = cli_json(["incident", "declare", "--title", "refunds", "--severity", "high"])["id"]
    pinned = cli_json(["trace", "pin", inc, str(path), "--span", llm.span_id])
    before = cli_json(["replay", inc, pinned["id"], "--endpoint", "open"])
    assert before["verdict"] == "same", before
    after = cli_json(["replay", inc, pinned["id"], "--endpoint", "guarded"])
    assert after["verdict"] == "blocked", after
    assert 400 <= after["status_code"] < 500
    shown = cli_json(["incident", "show", inc])
    verdicts = [e["data"]["verdict"] for e in shown["timeline"] if e["kind"] == "replay"]
    assert verdicts == ["same", "blocked"]


def test_a_wrong_token_is_a_failed_replay_not_blocked(  # it must not pass for a guardrail
    proxies: tuple[str, dict[str, dict[str, str]]],
    refunds_runs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.investigate.conftest import run_cli

    toml, _ = proxies
    path = refunds_runs["otel-v2"]
    llm = sorted((s for s in read_spans(path) if s.kind is SpanKind.LLM), key=lambda s: s.start_ns)[
        0
    ]
    Path(os.environ["IRCMD_CONFIG"]).write_text(toml, "utf-8")
    monkeypatch.setenv("IRCMD_TEST_LITELLM_KEY_GUARD", "sk-not-the-master-key")
    inc = cli_json(["incident", "declare", "--title", "refunds", "--severity", "high"])["id"]
    pinned = cli_json(["trace", "pin", inc, str(path), "--span", llm.span_id])
    code, out, err = run_cli(["replay", inc, pinned["id"], "--endpoint", "guarded"])
    # LiteLLM without a database answers a key it cannot check with 400 no_db_connection
    assert code == 1 and err.count("\n") == 1, (out, err)
    assert "answered 400 (about the caller" in err and "not a block" in err
    shown = cli_json(["incident", "show", inc])
    assert [e for e in shown["timeline"] if e["kind"] == "replay"] == []
