"""Trace source over OTLP JSON / JSONL files: paths, directories and globs.

Directories are read for ``*.json``, ``*.jsonl`` and ``*.ndjson``. ``poll`` picks up files
that appeared since (in watched directories and globs), lines appended to a JSONL file
(only the new complete lines are read), and files rewritten in place (read again).
"""

from __future__ import annotations

import asyncio
import glob
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ircmd.backends.protocols import TraceBatch
from ircmd.domain.config import FilesSourceConfig
from ircmd.domain.traces.otlp import Decoder, Problems, gc_paused, parse_bytes
from ircmd.domain.traces.tracetree import dedupe_spans

SUFFIXES = (".json", ".jsonl", ".ndjson")


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    offset: int  # bytes consumed (for appended JSONL)
    jsonl: bool


def _is_glob(p: str) -> bool:
    return any(ch in p for ch in "*?[")


def expand(patterns: list[str], base: Path | None = None) -> tuple[list[Path], list[str]]:
    """The files ``patterns`` name now, in a stable order, and one line per pattern that
    names nothing readable."""
    files: list[Path] = []
    missing: list[str] = []
    seen: set[Path] = set()
    for pat in patterns:
        raw = os.path.expanduser(pat)
        if base is not None and not os.path.isabs(raw):
            raw = str(base / raw)
        found: list[Path] = []
        if _is_glob(raw) and not os.path.exists(raw):
            found = [Path(p) for p in sorted(glob.glob(raw, recursive=True)) if Path(p).is_file()]
            if not found:
                missing.append(f"{pat}: no file matches")
        else:
            p = Path(raw)
            if p.is_dir():
                found = sorted(
                    c for c in p.iterdir() if c.is_file() and c.suffix.lower() in SUFFIXES
                )
                if not found:
                    missing.append(f"{pat}: no .json/.jsonl/.ndjson file in this directory")
            elif p.is_file():
                found = [p]
            elif p.exists():
                missing.append(f"{pat}: not a regular file")
            else:
                missing.append(f"{pat}: no such file or directory")
        for f in found:
            if f not in seen:
                seen.add(f)
                files.append(f)
    return files, missing


def read_file(path: Path, origin: str | None = None) -> tuple[TraceBatch, _Seen | None]:
    """Parse one file; every failure becomes a problem in the batch."""
    name = origin or str(path)
    try:
        st = path.stat()
        data = path.read_bytes()
    except OSError as exc:
        p = Problems(name)
        p.add(f"cannot read: {exc.strerror or exc}")
        return TraceBatch(problems=[p]), None
    result = parse_bytes(data, name)
    # appendable line by line: a JSONL file, or one compact JSON document on one line
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson") or (
        data.endswith(b"\n") and data.count(b"\n") == 1
    )
    complete = data.rfind(b"\n") + 1 if jsonl else len(data)
    seen = _Seen(st.st_size, st.st_mtime_ns, complete if jsonl else len(data), jsonl)
    return TraceBatch(spans=result.spans, problems=[result.problems]), seen


def load_paths(patterns: list[str], base: Path | None = None) -> TraceBatch:
    """Synchronous one-shot read of everything ``patterns`` name (for the CLI); a span read
    twice (same trace and span id, in one file or several) is one span, counted in
    ``batch.duplicates``."""
    batch = TraceBatch()
    files, missing = expand(patterns, base)
    for m in missing:
        p = Problems(m.split(":", 1)[0])
        p.add(m.split(": ", 1)[1] if ": " in m else m)
        batch.problems.append(p)
    for f in files:
        got, _ = read_file(f)
        batch.extend(got)
    batch.spans, batch.duplicates = dedupe_spans(batch.spans)
    return batch


class FileTraceSource:
    kind = "files"

    def __init__(
        self, name: str, paths: list[str], *, watch: bool = True, base: Path | None = None
    ) -> None:
        self.name = name
        self.paths = list(paths)
        self.watch = watch
        self.base = base
        self._seen: dict[Path, _Seen] = {}
        self._files = 0
        self._spans = 0

    def describe(self) -> str:
        where = ", ".join(self.paths) or "no paths"
        return f"{self.name}: files {where} ({self._files} files, {self._spans} spans)"

    async def load(self) -> TraceBatch:
        self._seen.clear()
        return await asyncio.to_thread(self._scan, True)

    async def poll(self) -> TraceBatch:
        if not self.watch and self._seen:
            return TraceBatch()
        return await asyncio.to_thread(self._scan, False)

    async def close(self) -> None:
        return None

    def _scan(self, first: bool) -> TraceBatch:
        batch = TraceBatch()
        files, missing = expand(self.paths, self.base)
        if first:
            batch.warnings.extend(missing)
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            prev = self._seen.get(f)
            if prev is not None and prev.size == st.st_size and prev.mtime_ns == st.st_mtime_ns:
                continue
            if prev is not None and prev.jsonl and st.st_size > prev.size:
                batch.extend(self._read_appended(f, prev, st.st_size, st.st_mtime_ns))
                continue
            got, seen = read_file(f)
            batch.extend(got)
            if seen is not None:
                self._seen[f] = seen
        self._files = len(self._seen)
        self._spans += len(batch.spans)
        return batch

    def _read_appended(self, path: Path, prev: _Seen, size: int, mtime_ns: int) -> TraceBatch:
        try:
            with path.open("rb") as fh:
                fh.seek(prev.offset)
                data = fh.read(size - prev.offset)
        except OSError as exc:
            p = Problems(str(path))
            p.add(f"cannot read: {exc.strerror or exc}")
            return TraceBatch(problems=[p])
        end = data.rfind(b"\n") + 1  # only complete lines; the rest waits for its newline
        dec = Decoder(str(path))
        spans = []
        with gc_paused():
            for line in data[:end].split(b"\n"):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    dec.problems.add(f"appended line not valid JSON ({exc})", lines=1)
                    continue
                spans.extend(dec.request(obj))
            spans = dec.finish(spans)
        self._seen[path] = _Seen(prev.offset + end, mtime_ns, prev.offset + end, True)
        return TraceBatch(spans=spans, problems=[dec.problems])


def from_config(config: FilesSourceConfig, **_: object) -> FileTraceSource:
    return FileTraceSource(config.name, config.paths, watch=config.watch)
