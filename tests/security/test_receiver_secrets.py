"""Tokens thrown at the receiver's error paths (Hypothesis, bounded): a credential a client
sends (URL userinfo in the path, ``Bearer``/``Basic`` values echoed in a header the receiver
quotes, a malformed ``Authorization`` header, a body that cannot be read) never reaches the
receiver's log lines, its last error or its status-bar health, placed so that it crosses
every cut; and ``ircmd receive`` prints none of it on stdout or stderr."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ircmd.backends.traces.otlp_receiver import OtlpReceiver
from ircmd.backends.traces.spool import Spool
from tests.security.secret_support import FILLER, leaks, pads, tokens
from tests.services import free_port
from tests.support.waiting import poll_until

USER = "svc"
BOUNDED = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def hostile_requests(token: str, pad: int) -> list[bytes]:
    """Requests whose refusal quotes what the client sent, the token ``pad`` characters in."""
    lead = "p" * pad
    fill = (FILLER.replace(" ", "") * (pad // 8 + 1))[: pad // 4]
    head = "Host: x\r\nConnection: close\r\nContent-Length: {n}\r\n"
    body = f'{{"resourceSpans": [{{"x": "Authorization: Bearer {token}"}}'.encode()
    out = [
        f"POST /{lead}/http://{USER}:{token}@collector/v1/traces HTTP/1.1\r\n"
        + head.format(n=0)
        + "\r\n",
        "POST /v1/traces HTTP/1.1\r\nContent-Type: application/json\r\n"
        + f"Content-Encoding: {fill}Bearer {token}\r\n"
        + head.format(n=0)
        + "\r\n",
        "POST /v1/traces HTTP/1.1\r\nContent-Type: application/json\r\n"
        + f"Content-Encoding: Basic {token}\r\nAuthorization: Bearer {token}\r\n"
        + head.format(n=0)
        + "\r\n",
        f"POST /v1/traces HTTP/1.1\r\nAuthorization: Bearer {token}\x01\r\n"
        + head.format(n=0)
        + "\r\n",
        f"POST /v1/traces {lead}Authorization: Bearer {token}\r\n\r\n",
    ]
    raw = [x.encode() for x in out]
    raw.append(
        b"POST /v1/traces HTTP/1.1\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {token}\r\n".encode()
        + head.format(n=len(body)).encode()
        + b"\r\n"
        + body
    )
    return raw


def send(port: int, request: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        s.settimeout(5)
        try:
            while s.recv(65536):
                pass
        except (TimeoutError, ConnectionError):
            pass


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def rx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OtlpReceiver, _Capture]]:
    cap = _Capture()
    logger = logging.getLogger("ircmd.receiver")
    logger.addHandler(cap)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    rec = OtlpReceiver("127.0.0.1", 0, Spool(tmp_path_factory.mktemp("rx") / "spool"))
    rec.start()
    yield rec, cap
    rec.stop()
    logger.removeHandler(cap)
    logger.setLevel(old)


@BOUNDED
@given(token=tokens, pad=pads)
def test_receiver_error_paths_name_no_credential(
    rx: tuple[OtlpReceiver, _Capture], token: str, pad: int
) -> None:
    rec, cap = rx
    cap.lines.clear()
    for request in hostile_requests(token, pad):
        send(rec.port, request)
    assert cap.lines, "the refusals are logged"
    assert any("***" in line for line in cap.lines), cap.lines
    said = "\n".join([*cap.lines, rec.stats.last_error or "", rec.health().detail])
    assert not leaks(said, [token], USER), said


@pytest.mark.parametrize("seed", [1, 2])
def test_ircmd_receive_prints_no_credential(tmp_path: Path, seed: int) -> None:
    from tests.security.secret_support import _token

    token = _token(seed, 40)
    port = free_port()
    env = {**os.environ, "IRCMD_DATA_DIR": str(tmp_path / "data")}
    env.pop("IRCMD_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from ircmd.cli import main; sys.exit(main())",
         "receive", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        assert "receiving OTLP" in proc.stdout.readline()
        for request in hostile_requests(token, 100 + seed * 20):
            send(port, request)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    poll_until(lambda: proc.returncode is not None)
    assert "refused 404" in err and "***" in err, err
    assert not leaks(out + err, [token], USER), err
