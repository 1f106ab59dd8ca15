"""End to end through the command line: random tokens and URL passwords configured for
every backend (Alertmanager, Phoenix traces, Phoenix prompts, Unleash, PostgreSQL), every
command that reaches a backend fails, and neither its stderr, its stdout, the store file
nor any export profile holds a piece of a secret (or its base64).

The backends are unreachable ports (connection errors name the URL) and the REAL Unleash at
``IRCMD_TEST_UNLEASH_URL`` given a wrong token (a real server that rejects it: 401). The test
Phoenix runs without authentication (it answers 200 to any token), so a wrong token cannot
be tested against it; Unleash is the real rejecting server here. (The Phoenix trace source is
configured too, but no CLI command reads it: ``trace`` reads files or the spool; Phoenix is
reached here through the phoenix-prompts controller.)"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ircmd.cli import main
from tests.security.secret_support import all_text, leaks, tokens
from tests.services import free_port
from tests.support.configs import flags_and_prompts_toml

USER = "svc"
E2E = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def config_text(password: str, dead: str, unleash: str) -> str:
    at = f"{USER}:{password}@"
    return f"""
[[signal_sources]]
name = "alerts"
kind = "alertmanager"
url = "http://{at}{dead}"
token_env = "E2E_AM_TOKEN"
timeout = 1

[[trace_sources]]
name = "phx"
kind = "phoenix"
url = "http://{at}{dead}"
token_env = "E2E_PHOENIX_TOKEN"
timeout = 1

""" + flags_and_prompts_toml(
        unleash, f"http://{at}{dead}", token_prefix="E2E", timeout=1, flags_timeout=3
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def unleash_url() -> str:
    from tests.services import require_service

    return require_service("unleash")


@pytest.mark.services
@E2E
@given(token=tokens, password=tokens, dsn_password=tokens)
def test_no_failing_command_or_export_shows_a_configured_secret(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    unleash_url: str,
    token: str,
    password: str,
    dsn_password: str,
) -> None:
    secrets = [token, password, dsn_password]
    dead = f"127.0.0.1:{free_port()}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cfg = root / "config.toml"
        cfg.write_text(config_text(password, dead, unleash_url), encoding="utf-8")
        for var in ("E2E_AM_TOKEN", "E2E_PHOENIX_TOKEN", "E2E_UNLEASH_TOKEN"):
            monkeypatch.setenv(var, token)
        monkeypatch.setenv("IRCMD_CONFIG", str(cfg))
        monkeypatch.setenv("IRCMD_DATA_DIR", str(root / "data"))
        monkeypatch.setenv("IRCMD_KEY_DIR", str(root / "keys"))
        monkeypatch.setenv("IRCMD_USER", "maria")
        code, text = run(capsys, "incident", "declare", "--title", "refunds wrong",
                         "--workflow", "support-refunds")  # fmt: skip
        assert code == 0, text
        iid = text.strip().splitlines()[-1]
        failing = [
            ("signals", "list"),
            ("controls", "--json"),
            ("contain", iid, "support-refunds/pause", "--on", "--reason", "r", "--timeout", "2"),
            ("contain", iid, "support-refunds/prompt", "--on", "--reason", "r", "--timeout", "2"),
        ]
        for argv in failing:
            code, text = run(capsys, *argv)
            assert argv[0] == "controls" or code != 0, (argv, text)
            assert not leaks(text, secrets, USER), (argv, text)
            assert "Traceback" not in text, (argv, text)
        outputs = []
        for profile in ("internal", "legal", "external"):
            code, text = run(capsys, "export", iid, "--out", str(root / f"pkg-{profile}"),
                             "--profile", profile)  # fmt: skip
            assert code == 0, text
            outputs.append(text)
        for path in [root / "data", *root.glob("pkg-*")]:
            found = leaks(all_text(path), secrets, USER)
            assert not found, (path.name, found)
        assert not leaks("\n".join(outputs), secrets, USER)
        # the same console on PostgreSQL whose DSN holds a password: unreachable, one line
        cfg.write_text('[store]\nkind = "postgres"\ndsn_env = "E2E_DSN"\n', encoding="utf-8")
        monkeypatch.setenv("E2E_DSN", f"postgresql://{USER}:{dsn_password}@{dead}/ircmd")
        for argv in (
            ("incident", "list"),
            ("verify", "--json"),
            ("incident", "declare", "--title", "x"),
        ):
            code, text = run(capsys, *argv)
            assert code != 0 and not leaks(text, secrets, USER), (argv, text)
            assert "Traceback" not in text, (argv, text)
        assert os.environ["E2E_DSN"].endswith("/ircmd")
