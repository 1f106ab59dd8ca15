"""Drive the real ``ircmd`` in a real terminal: tmux on a private socket.

    term = Tmux.start(tmp_path, width=80, height=24, env={...}, argv=["ircmd"])
    term.wait_for("no incidents yet")       # polls capture-pane until the text is on screen
    term.keys("n")                          # tmux key names (Enter, Escape, Tab, C-s, ...)
    term.type("Refund promises")            # literal text, one burst
    term.close()                            # kills this tmux server (and ircmd in it)

Every server runs on its own socket under the test's tmp dir, so nothing touches a tmux the
user runs. The command line carries ``env IRCMD_DATA_DIR=… IRCMD_CONFIG=…`` so what runs in
the pane is exactly what a person would type.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.services import missing

POLL = 0.05


class ScreenTimeout(AssertionError):
    pass


def tmux_binary() -> str:
    found = shutil.which("tmux")
    if found is None:
        missing("tmux not installed (scripts/services.sh installs it as root)")
        raise AssertionError("unreachable")
    return found


@dataclass
class Tmux:
    socket: Path
    binary: str
    target: str = "ircmd"
    log: list[str] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        workdir: Path,
        *,
        width: int,
        height: int,
        env: Mapping[str, str],
        argv: Sequence[str],
    ) -> Tmux:
        binary = tmux_binary()
        socket = workdir / "tmux.sock"
        term = cls(socket=socket, binary=binary)
        assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"env {assigns} {shlex.join(argv)}; echo '[ircmd exited '$?']'; sleep 600"
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("TMUX", "IRCMD_"))} | {
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
        subprocess.run(
            [
                binary,
                "-S",
                str(socket),
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                term.target,
                "-x",
                str(width),
                "-y",
                str(height),
                "-c",
                str(workdir),
                command,
            ],
            check=True,
            env=base_env,
            timeout=20,
        )
        term._tmux("set-option", "-g", "status", "off")
        term._tmux("resize-window", "-t", term.target, "-x", str(width), "-y", str(height))
        return term

    def _tmux(self, *args: str) -> str:
        out = subprocess.run(
            [self.binary, "-S", str(self.socket), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=20,
        )
        return out.stdout

    def screen(self) -> str:
        """What the pane shows now, one line per row."""
        return self._tmux("capture-pane", "-p", "-t", self.target)

    def keys(self, *names: str) -> None:
        """Send tmux key names (``Enter``, ``Escape``, ``Tab``, ``BTab``, ``C-s``, ``n``...)."""
        self.log.append(" ".join(names))
        self._tmux("send-keys", "-t", self.target, *names)

    def type(self, text: str) -> None:
        """Send ``text`` literally, as one burst (``--``: it may start with ``-``)."""
        self.log.append(repr(text))
        self._tmux("send-keys", "-t", self.target, "-l", "--", text)

    def wait_for(
        self, want: str | Callable[[str], bool], timeout: float = 20.0, *, what: str = ""
    ) -> str:
        """Poll the screen until ``want`` (text, or a test on the screen) holds; return it."""
        test = (lambda s: want in s) if isinstance(want, str) else want
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if test(screen):
                return screen
            if "[ircmd exited" in screen:
                break
            time.sleep(POLL)
        label = what or (want if isinstance(want, str) else "condition")
        raise ScreenTimeout(
            f"screen never showed {label!r} (keys sent: {self.log})\n--- screen ---\n{screen}"
        )

    def wait_gone(self, text: str, timeout: float = 20.0) -> str:
        return self.wait_for(lambda s: text not in s, timeout, what=f"no {text!r}")

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._tmux("kill-server")
