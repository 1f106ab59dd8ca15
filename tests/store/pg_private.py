"""A private PostgreSQL 15 instance a test can stop and start (initdb + pg_ctl, run as the
``postgres`` user when the tests run as root), listening on 127.0.0.1 only."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

BIN = Path(os.environ.get("IRCMD_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    def __init__(self) -> None:
        if not (BIN / "pg_ctl").exists():
            message = f"PostgreSQL binaries not found in {BIN} (Debian package postgresql-15)"
            if os.environ.get("IRCMD_REQUIRE_SERVICES") == "1":
                pytest.fail(message)
            pytest.skip(message)
        # Not under pytest's tmp dir: pytest resets that tree to 0700 (root only), which
        # would lock the postgres user out of its own data directory mid-test.
        root = Path(tempfile.mkdtemp(prefix="ircmd-pg-"))
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
        self._run(
            BIN / "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip

    def _run(self, *args: object) -> None:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            log = self.root / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.decode()} {tail}")

    def remove(self) -> None:
        if self.pid is not None:
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            BIN / "pg_ctl", "-D", self.data, "-l", self.root / "log", "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        self._run(BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    @property
    def pid(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        if not pidfile.exists():
            return None
        return int(pidfile.read_text().split("\n", 1)[0])
