"""What the user stories share: the store read back through the CLI (``--json``), a config
with real backends (trace file, Alertmanager, Unleash), and the command-line helper.

    cli = Cli(tmp_path)                       # the same IRCMD_DATA_DIR / IRCMD_CONFIG as the pane
    cli.json("incident", "show", "INC-0001")  # parsed --json output (exit 0 or the test fails)
    config = story_config(traces=path, alerts=(url, run), flags=(url, wf))
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from ircmd.demo import tracegen
from tests.terminal.conftest import ircmd_argv
from tests.terminal.tmux import Tmux

AUTHOR = "maria.ic"


class Cli:
    """``ircmd`` on the store the terminal runs on (what a second console would see)."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("IRCMD_")} | {
            "IRCMD_DATA_DIR": str(tmp_path / "data"),
            "IRCMD_CONFIG": str(tmp_path / "ircmd.toml"),
        }
        # the Unleash token is read from the environment the config names
        for key in ("IRCMD_TEST_UNLEASH_TOKEN",):
            if key in os.environ:
                self.env[key] = os.environ[key]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        out = subprocess.run(
            [*ircmd_argv(), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=60,
            check=False,
        )
        if check and out.returncode != 0:
            raise AssertionError(f"ircmd {' '.join(args)} exited {out.returncode}: {out.stderr}")
        return out

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def timeline(self, incident: str = "INC-0001") -> list[dict[str, Any]]:
        events = self.json("incident", "show", incident)["timeline"]
        assert isinstance(events, list)
        return events


def write_traces(path: Path, n: int = 12) -> Path:
    """``n`` support-refund runs as OTLP JSON lines (one of them fails its refund call)."""
    lines = [json.dumps(r) for r in tracegen.requests(n, hostile=False, per_request=6, seed=7)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def failed_spans(path: Path) -> list[dict[str, Any]]:
    """The spans of the trace file whose status is ERROR (code 2), read straight from OTLP."""
    out: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        for rs in json.loads(line)["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                out += [s for s in ss["spans"] if (s.get("status") or {}).get("code") == 2]
    return out


def story_config(
    *,
    workflow: str = "support-refunds",
    traces: Path | None = None,
    alerts: tuple[str, str] | None = None,
    flags: str | None = None,
) -> str:
    """A config with the workflow ``workflow`` (two controls: ``pause`` critical, ``review``)
    and, when given, a trace file, an Alertmanager filtered on ``run=RUN`` and an Unleash."""
    parts = [f'author = "{AUTHOR}"\n']
    if traces is not None:
        paths = json.dumps(str(traces))
        parts.append(f'[[trace_sources]]\nname = "local"\nkind = "files"\npaths = [{paths}]\n')
    if alerts is not None:
        url, run = alerts
        parts.append(
            f'[[signal_sources]]\nname = "alerts"\nkind = "alertmanager"\nurl = "{url}"\n'
            f"filter = ['run=\"{run}\"']\ninterval = 1\n"
        )
    controller = ""
    if flags is not None:
        parts.append(
            f'[controllers.flags]\nkind = "unleash"\nurl = "{flags}"\n'
            'token_env = "IRCMD_TEST_UNLEASH_TOKEN"\nproject = "default"\n'
            'environment = "development"\ntimeout = 5\n'
        )
        controller = 'controller = "flags"\n'
    parts.append(
        f'[[workflows]]\nid = "{workflow}"\nname = "Support refunds assistant"\n\n'
        f'[[workflows.controls]]\nid = "pause"\nkind = "pause_workflow"\n{controller}'
        + (f'flag = "{workflow}.pause"\n' if flags else "")
        + "critical = true\n\n"
        f'[[workflows.controls]]\nid = "review"\nkind = "force_human_review"\n{controller}'
    )
    return "\n".join(parts)


def line_closed(screen: str, typed: str = "") -> bool:
    """The ``:`` command line is closed (its row reads `` :verb …`` while open). Given what
    was ``typed``, only a row reading ``:`` + that text counts: a screen's own hint line may
    start with a ``:verb`` (the review's ``:eval add DIGEST EXPECTED …`` at 80 columns)."""
    rows = screen.splitlines()
    if typed:  # a long line scrolls: its head or its tail is on the row
        head, tail = typed[:16], typed[-16:]
        return not any(row.strip().startswith(":") and (head in row or tail in row) for row in rows)
    return not any(re.match(r" ?:[a-z]", row) for row in rows)


def command(term: Tmux, text: str, shown: str, timeout: float = 30.0) -> str:
    """``:`` then ``text`` at once, then enter; done when the line has closed and ``shown``
    is on screen."""
    term.keys(":")
    term.type(text)
    term.keys("Enter")
    return term.wait_for(
        lambda s: line_closed(s, text) and shown in s,
        timeout,
        what=f"{shown!r} after :{text}",
    )
