"""A network partition between a console and PostgreSQL is seen, bounded and idempotent.

Two network namespaces joined by a veth pair: the console runs in one, a TCP forwarder to the
shared PostgreSQL listens in the other (its listening socket made inside that namespace).
The link is taken down, the console must say so within 5 s and fail a write within seconds;
after the link is restored the same line (same client id) is stored exactly once."""

from __future__ import annotations

import ctypes
import os
import secrets
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ircmd.store.postgres.store import PostgresIncidentStore
from tests.store.storekit import service

CLONE_NEWNET = 0x40000000


def _need_root() -> None:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        why = "needs root and iproute2 (ip netns)"
        if os.environ.get("IRCMD_REQUIRE_SERVICES") == "1":
            pytest.fail(why)
        pytest.skip(why)


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


class Forwarder:
    """Accepts in namespace ``ns`` on ``addr``, connects upstream from this namespace."""

    def __init__(self, ns: str, addr: str, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        made: list[socket.socket] = []

        def listen() -> None:  # setns affects only this thread
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns")
            finally:
                os.close(fd)
            s = socket.socket()
            s.bind((addr, 0))
            s.listen(64)
            made.append(s)

        t = threading.Thread(target=listen)
        t.start()
        t.join()
        self.sock = made[0]
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            up = socket.create_connection(self.upstream)
            threading.Thread(target=self._pump, args=(client, up), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [])
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            return
        finally:
            a.close()
            b.close()

    def close(self) -> None:
        self.closed = True
        self.sock.close()


@pytest.fixture
def netns() -> Iterator[tuple[str, str, str]]:
    """``(client ns, forwarder ns, forwarder address)``, removed afterwards."""
    _need_root()
    tag = secrets.token_hex(3)
    a, b = f"ircmd-a-{tag}", f"ircmd-b-{tag}"
    net = f"10.{200 + secrets.randbelow(50)}.{secrets.randbelow(250)}"
    ip("netns", "add", a)
    ip("netns", "add", b)
    try:
        ip("link", "add", f"va{tag}", "type", "veth", "peer", "name", f"vb{tag}")
        ip("link", "set", f"va{tag}", "netns", a)
        ip("link", "set", f"vb{tag}", "netns", b)
        for ns, dev, host in ((a, f"va{tag}", 1), (b, f"vb{tag}", 2)):
            ip("-n", ns, "addr", "add", f"{net}.{host}/24", "dev", dev)
            ip("-n", ns, "link", "set", dev, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        yield a, b, f"{net}.2"
    finally:
        for ns in (a, b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=10)


def test_partition_is_seen_bounded_and_a_retyped_line_is_stored_once(
    netns: tuple[str, str, str], pg_dsn: str, tmp_path: Path
) -> None:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    a, b, addr = netns
    tag = a.rsplit("-", 1)[1]
    keys = tmp_path / "keys"
    from ircmd.store.chainkey import KeySource

    local = PostgresIncidentStore(pg_dsn, key_source=KeySource(keys, None))
    inc, _ = service(local).declare("partition drill")
    params = conninfo_to_dict(pg_dsn)
    fwd = Forwarder(b, addr, (str(params.get("host", "127.0.0.1")), int(str(params["port"]))))
    dsn = make_conninfo(pg_dsn, host=addr, port=str(fwd.port))
    proc = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            a,
            sys.executable,
            str(Path(__file__).with_name("partition_client.py")),
            dsn,
            inc.id,
            str(keys),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout

    def ask(line: str) -> str:
        stdin.write(line + "\n")
        stdin.flush()
        return stdout.readline().strip()

    try:
        assert proc.stdout.readline().strip() == "ready"
        assert ask("write line-1 before the partition").startswith("ok ")
        assert ask("health") == "up"

        ip("-n", a, "link", "set", f"va{tag}", "down")
        cut = time.monotonic()
        reply = ask("write line-2 typed during the partition")
        assert reply.startswith("err "), reply
        assert float(reply.split()[1]) < 10, reply  # bounded, not TCP's 15 minutes
        while ask("health") != "down":
            assert time.monotonic() - cut < 5.5, "the store still says up 5 s into a partition"
        print(f"write failed after {reply.split()[1]} s; down after {time.monotonic() - cut:.2f} s")

        ip("-n", a, "link", "set", f"va{tag}", "up")
        deadline = time.monotonic() + 30
        while True:  # the responder retypes the line until it is saved
            reply = ask("write line-2 typed during the partition")
            if reply.startswith("ok ") or time.monotonic() > deadline:
                break
        assert reply.startswith("ok "), reply
        assert ask("write line-2 typed during the partition").startswith("ok ")  # again
        texts = [e.text for e in local.events(inc.id)]
        assert texts.count("typed during the partition") == 1
        assert texts.count("before the partition") == 1
        assert local.verify() == []

        # A partition while nothing is written: the store's LISTEN connection notices by its
        # keepalives, closed once a probe stays unacknowledged for tcp_user_timeout (4 s);
        # the war room's status bar reads that health on every store poll (<= 1 s), so it
        # says down within 5 s (tests/functional/test_store_health_status.py).
        deadline = time.monotonic() + 20
        while ask("listening") != "yes" or ask("health") != "up":  # reconnected after the heal
            assert time.monotonic() < deadline, "the store did not listen again after the heal"
        ip("-n", a, "link", "set", f"va{tag}", "down")
        cut = time.monotonic()
        while ask("health") != "down":
            assert time.monotonic() - cut < 4.5, "no write: the store still says up 4.5 s in"
        print(f"with no write: down after {time.monotonic() - cut:.2f} s")
        ip("-n", a, "link", "set", f"va{tag}", "up")
    finally:
        ask("quit") if proc.poll() is None else None
        proc.wait(timeout=20)
        fwd.close()
        local.close()
