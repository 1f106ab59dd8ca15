"""Every command shown in README.md and docs/**/*.md runs.

A fenced ``sh``/``console``/``bash``/``shell`` block is run line by line (``\\`` continues a
line, ``# ...`` comments and a ``$ `` prompt are dropped) against a demo store and its config
in a temporary folder, one folder per document, blocks in document order (a doc may declare an
incident in one block and note on it in the next). Every command of a runnable block must start
with ``ircmd``; the demo's refund incident is ``INC-0003`` and its traces are in ``traces/``.

Markers (an HTML comment on the line before the block, invisible on GitHub):

- ``<!-- not-run: REASON -->``: not run (a server, a TUI, a tunnel...); the reason is required;
- ``<!-- exit: N -->``: every command of the block must exit with N instead of 0.

Configuration examples are checked too: a fenced ``toml`` block is parsed by ircmd's own
config loader unless it is marked ``<!-- fragment: REASON -->`` (a part of a bigger file).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
RUN_LANGS = {"sh", "console", "bash", "shell"}
FENCE = re.compile(r"^(?P<fence>```+|~~~+)\s*(?P<lang>[\w-]*)")
MARK = re.compile(r"^<!--\s*(?P<key>not-run|exit|fragment)\s*:\s*(?P<value>.*?)\s*-->\s*$")
# The demo story is seeded at a fixed time so the spans' timestamps, and so the digests of
# pinned spans the docs quote (``evals add INC-0003 eb0a736f``), are the same on every run.
SEEDED_AT = datetime(2026, 12, 1, 9, 47, tzinfo=UTC)
ENV_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    marks: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{_doc_id(self.path)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of one Markdown file, with the markers on the line before each."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, start = m["fence"], m["lang"].lower(), i
        marks: dict[str, str] = {}
        j = start - 1
        while j >= 0 and (mark := MARK.match(lines[j].strip())):
            marks[mark["key"]] = mark["value"]
            j -= 1
        i += 1
        body: list[str] = []
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise AssertionError(f"{_doc_id(path)}:{start + 1}: code block never closed")
        found.append(Block(path, start + 1, lang, "\n".join(body), marks))
        i += 1
    return found


def commands(text: str) -> list[str]:
    """The command lines of a shell block: continuations joined, comments and prompts gone."""
    out: list[str] = []
    pending = ""
    for raw in text.split("\n"):
        line = raw.rstrip()
        if line.startswith("$ "):
            line = line[2:]
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if pending:
            line = line.lstrip()
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        out.append((pending + line).strip())
        pending = ""
    if pending:
        out.append(pending.strip())
    return [_drop_comment(c) for c in out]


def _drop_comment(command: str) -> str:
    """``ircmd x  # why`` → ``ircmd x`` (a ``#`` inside quotes stays)."""
    quote = ""
    for k, ch in enumerate(command):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (k == 0 or command[k - 1].isspace()):
            return command[:k].rstrip()
    return command


def programs(command: str) -> list[str]:
    """The program of each simple command of a line (``a && b | c`` → ``[a, b, c]``)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = list(lexer)
    progs: list[str] = []
    expect = True
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
            continue
        if word in ("&&", "||", "|", ";"):
            expect = True
        elif word in (">", ">>", "<", "2>"):
            skip_next = True
        elif expect and not ENV_ASSIGN.match(word):
            progs.append(word)
            expect = False
    return progs


def shell_blocks(path: Path) -> list[Block]:
    return [b for b in blocks(path) if b.lang in RUN_LANGS]


def _doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _make_demo(root: Path) -> Path:
    """A folder with a seeded demo store (data/), its config (config.toml) and traces/.

    Seeded with ``IRCMD_KEY_DIR`` pointing at ``root/keys/``, so the chain key lands where
    the commands run later look for it."""
    from ircmd.demo.seed import DEMO_CONFIG, seed_demo

    config = root / "config.toml"
    config.write_text(
        DEMO_CONFIG
        + '\n[[trace_sources]]\nname = "demo-traces"\nkind = "files"\npaths = ["traces"]\n',
        encoding="utf-8",
    )
    data = root / "data"
    saved = {k: os.environ.get(k) for k in ("IRCMD_CONFIG", "IRCMD_KEY_DIR")}
    os.environ["IRCMD_CONFIG"] = str(config)
    os.environ["IRCMD_KEY_DIR"] = str(root / "keys")
    try:
        demo = seed_demo(data, now=SEEDED_AT)
        demo.workspace.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    traces = root / "traces"
    traces.mkdir()
    for src in (data / "demo-traces").iterdir():
        (traces / src.name).write_bytes(src.read_bytes())
    return root


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        IRCMD_DATA_DIR=str(root / "data"),
        IRCMD_CONFIG=str(root / "config.toml"),
        IRCMD_KEY_DIR=str(root / "keys"),
        IRCMD_USER="docs.reader",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        XDG_CONFIG_HOME=str(root / "xdg-config"),
        XDG_DATA_HOME=str(root / "xdg-data"),
        HOME=str(root / "home"),
    )
    for name in list(env):
        if name.startswith("_ARGCOMPLETE") or name == "COMP_LINE":
            del env[name]
    return env


def test_every_doc_has_a_closed_fence_and_a_reason_for_each_skip() -> None:
    skipped = 0
    for path in DOCS:
        for block in blocks(path):  # raises on a block that is never closed
            if "not-run" in block.marks:
                assert block.marks["not-run"], f"{block.where}: not-run needs a reason"
                skipped += 1
            if "exit" in block.marks:
                assert block.marks["exit"].isdigit(), f"{block.where}: exit: N"
    runnable = sum(
        len(commands(b.text)) for p in DOCS for b in shell_blocks(p) if "not-run" not in b.marks
    )
    # The docs are meant to be runnable: the skipped blocks stay a minority.
    assert runnable >= 40, f"only {runnable} doc commands are run"
    assert skipped * 3 < runnable, f"{skipped} blocks not run vs {runnable} commands run"


def test_the_harness_finds_what_it_should(tmp_path: Path) -> None:
    """The parser itself: markers, continuations, comments, programs."""
    doc = tmp_path / "x.md"
    doc.write_text(
        "text\n<!-- exit: 1 -->\n```sh\nircmd verify \\\n  --json   # a comment\n"
        "# only a comment\n$ ircmd incident list | head -1\n```\n"
        "<!-- not-run: needs a server -->\n```console\nssh -N host\n```\n```toml\na = 1\n```\n",
        encoding="utf-8",
    )
    found = blocks(doc)
    assert [(b.lang, b.marks) for b in found] == [
        ("sh", {"exit": "1"}),
        ("console", {"not-run": "needs a server"}),
        ("toml", {}),
    ]
    assert commands(found[0].text) == ["ircmd verify --json", "ircmd incident list | head -1"]
    assert programs("ircmd incident list | head -1") == ["ircmd", "head"]
    assert programs("A=1 ircmd trace records-csv X > f.csv && ircmd verify") == [
        "ircmd",
        "ircmd",
    ]
    assert _drop_comment("ircmd note X 'a # b'  # why") == "ircmd note X 'a # b'"
    doc.write_text("```sh\nircmd verify\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="never closed"):
        blocks(doc)


def _runnable(path: Path) -> list[Block]:
    return [b for b in shell_blocks(path) if "not-run" not in b.marks]


def _config_examples(path: Path) -> list[Block]:
    return [b for b in blocks(path) if b.lang == "toml" and "fragment" not in b.marks]


# Params only for the documents that have something to run or load (no skipped params);
# a document without any is still checked for fences and links by the tests above and below.
DOCS_WITH_COMMANDS = [p for p in DOCS if _runnable(p)]
DOCS_WITH_CONFIG = [p for p in DOCS if _config_examples(p)]


def test_the_readme_and_the_configuration_guide_are_run() -> None:
    ids = {_doc_id(p) for p in DOCS_WITH_COMMANDS}
    assert "README.md" in ids, sorted(ids)
    assert any("configuration" in _doc_id(p) for p in DOCS_WITH_CONFIG), DOCS_WITH_CONFIG


@pytest.mark.parametrize("path", DOCS_WITH_COMMANDS, ids=_doc_id)
def test_doc_commands_run(path: Path, tmp_path: Path) -> None:
    todo = _runnable(path)
    root = _make_demo(tmp_path)
    env = _env(root)
    for block in todo:
        expected = int(block.marks.get("exit", "0"))
        for command in commands(block.text):
            progs = programs(command)
            assert progs and progs[0] == "ircmd", (
                f"{block.where}: {command!r} is not an ircmd command; "
                "mark the block <!-- not-run: reason --> if it cannot run here"
            )
            done = subprocess.run(
                ["bash", "-o", "pipefail", "-c", command],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                stdin=subprocess.DEVNULL,
            )
            assert done.returncode == expected, (
                f"{block.where}: {command!r} exited {done.returncode}, the doc says {expected}\n"
                f"stdout: {done.stdout[-2000:]}\nstderr: {done.stderr[-2000:]}"
            )
            if expected:
                assert done.stderr.strip(), f"{block.where}: {command!r} failed silently"
                assert "Traceback" not in done.stderr, f"{block.where}: {command!r}"


@pytest.mark.parametrize("path", DOCS_WITH_CONFIG, ids=_doc_id)
def test_doc_config_examples_load(path: Path, tmp_path: Path) -> None:
    from ircmd.service.config import parse_config

    toml_blocks = _config_examples(path)
    for block in toml_blocks:
        try:
            parse_config(block.text, block.where)
        except Exception as exc:  # the loader's own error names the key
            raise AssertionError(
                f"{block.where}: config example does not load: {exc}; "
                "mark it <!-- fragment: reason --> if it is a part of a bigger file"
            ) from None


LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to '-'."""
    text = heading.strip().lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    inside = False
    found: set[str] = set()
    for line in path.read_text(encoding="utf-8").split("\n"):
        if FENCE.match(line):
            inside = not inside
        elif not inside and line.startswith("#"):
            found.add(_slug(line.lstrip("#")))
    return found


@pytest.mark.parametrize("path", DOCS, ids=_doc_id)
def test_doc_links_point_at_files_and_headings(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for m in LINK.finditer(text):
        target = m["target"]
        if re.match(r"^[a-z]+:", target):
            continue  # http(s), mailto: not checked offline
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        assert dest.exists(), f"{_doc_id(path)}: link to {target!r}: no such file"
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest), f"{_doc_id(path)}: link to {target!r}: no such heading"


def test_slug_matches_github() -> None:
    assert (
        _slug(" The regulatory clock (EU AI Act Art. 73)")
        == "the-regulatory-clock-eu-ai-act-art-73"
    )
    assert _slug(" Browser seats (`ircmd serve`)") == "browser-seats-ircmd-serve"
    assert _slug(" Where does new code go?") == "where-does-new-code-go"
