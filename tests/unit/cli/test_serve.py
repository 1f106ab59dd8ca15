"""``ircmd serve`` argument handling: what each browser seat runs, where it binds, errors."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
from typing import Any

import pytest

from ircmd.cli import main, web_server
from ircmd.cli.serve import allowed_origins, served_argv

ENTRY = "import sys; from ircmd.cli import main; sys.exit(main())"


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run ``ircmd serve`` up to the point where it would listen; keep what it would serve."""
    seen: dict[str, Any] = {}

    def fake_serve(command: str, **kwargs: Any) -> int:
        seen["argv"] = shlex.split(command)
        seen.update(kwargs)
        return 0

    monkeypatch.setattr(web_server, "serve", fake_serve)
    return seen


def declare() -> str:
    out = subprocess.run(
        [sys.executable, "-c", ENTRY, "incident", "declare", "--title", "t"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_defaults_are_loopback_and_read_only(captured: dict[str, Any]) -> None:
    assert main(["serve"]) == 0
    assert captured["host"] == "127.0.0.1"
    assert captured["port"] == 8000
    assert captured["public_url"] == "http://127.0.0.1:8000"
    argv = captured["argv"]
    assert argv[:3] == [sys.executable, "-c", ENTRY]
    assert argv[3:] == ["--read-only"]


def test_allow_actions_and_incident(captured: dict[str, Any]) -> None:
    incident = declare()
    assert main(["serve", "--port", "8123", "--allow-actions", "--incident", incident]) == 0
    assert captured["argv"][3:] == ["open", incident]
    assert captured["port"] == 8123


def test_global_read_only_wins_over_allow_actions(captured: dict[str, Any]) -> None:
    assert main(["--read-only", "serve", "--allow-actions"]) == 0
    assert captured["argv"][-1] == "--read-only"


def test_incident_ids_are_normalised(captured: dict[str, Any]) -> None:
    incident = declare()
    number = str(int(incident.split("-")[1]))
    assert main(["serve", "--incident", number]) == 0
    assert captured["argv"][3:] == ["open", incident, "--read-only"]


def test_public_url_for_a_tunnel_on_another_port(captured: dict[str, Any]) -> None:
    assert main(["serve", "--public-url", "http://localhost:9000/"]) == 0
    assert captured["public_url"] == "http://localhost:9000"
    assert "http://localhost:9000" in captured["origins"]


def test_allowed_origins() -> None:
    origins = allowed_origins("127.0.0.1", 8000, "http://127.0.0.1:8000")
    assert origins == {
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "http://[::1]:8000",
    }
    assert "http://evil.example" not in origins
    assert "http://localhost:8001" not in origins


def test_served_argv_quotes_safely() -> None:
    argv = served_argv(read_only=True, incident="INC-0001")
    assert shlex.split(shlex.join(argv)) == argv


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["serve", "--port", "0"], 2, "--port 0 is not a TCP port"),
        (["serve", "--port", "x"], 2, "invalid int value"),
        (["serve", "--public-url", "ftp://x"], 2, "is not an http(s) URL"),
        (["serve", "--incident", "INC-0999"], 1, "no incident INC-0999"),
    ],
)
def test_bad_input_is_one_line(
    args: list[str], code: int, message: str, captured: dict[str, Any], capsys: Any
) -> None:
    assert main(args) == code
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert "argv" not in captured


def test_a_busy_port_is_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-c", ENTRY, "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert lines[-1].startswith(f"ircmd serve: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in out.stderr


def test_seat_tokens_are_masked_in_every_log_line() -> None:
    import logging

    from ircmd.cli.seats import Seat

    token = "Zq3TOKENvalue-that-is-secret_0123"
    seat = Seat("maria", "responder", token)
    assert token not in repr(seat)
    flt = web_server.SeatTokenFilter([token])
    record = logging.LogRecord(
        "aiohttp.access", logging.INFO, __file__, 1, '"GET %s HTTP/1.1" 200', (f"/?token={token}",),
        None,
    )  # fmt: skip
    assert flt.filter(record)
    assert record.getMessage() == '"GET /?token=*** HTTP/1.1" 200'
    other = logging.LogRecord("x", logging.INFO, __file__, 1, "cookie %s", (token,), None)
    flt.filter(other)
    assert token not in other.getMessage()
    wrong = logging.LogRecord("x", logging.INFO, __file__, 1, "/ws?token=guess&w=1", None, None)
    flt.filter(wrong)
    assert wrong.getMessage() == "/ws?token=***&w=1"
