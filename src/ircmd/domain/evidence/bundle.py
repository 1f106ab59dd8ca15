"""The evidence package's manifest and its verification (pure: file access is passed in).

A package is a directory (or a ``.tar.gz`` of one) holding ``manifest.json`` and the files
it lists, each with its SHA-256 and size. ``timeline.jsonl`` carries the incident's
hash-chained events, one canonical JSON record per line. An event whose text or data was
redacted for the export profile keeps its original ``hash`` and ``prev_hash`` and is marked
``"redacted": true``: its content can no longer be checked against its hash, but its place
in the chain still is. Pinned spans live under ``evidence/`` as canonical JSON named by
their SHA-256; a redacted span is marked in ``evidence/index.json`` the same way.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from ircmd.domain.incidents.timeline import GENESIS_HASH, TimelineEvent, format_time, sha256_hex
from ircmd.domain.text import newline_lines

FORMAT = "ircmd-evidence-package"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TIMELINE = "timeline.jsonl"
EVIDENCE_INDEX = "evidence/index.json"


@dataclass(frozen=True)
class BundleProblem:
    """One thing that does not match: ``where`` is a file path or ``timeline.jsonl event N``."""

    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def file_entry(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "sha256": sha256_hex(data), "size": len(data)}


def build_manifest(
    *,
    incident_id: str,
    tool_version: str,
    profile: str,
    created_at: datetime,
    created_by: str,
    files: dict[str, bytes],
    redactions: dict[str, int],
    timeline_head: str,
    timeline_events: int,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "incident_id": incident_id,
        "tool": "ircmd",
        "tool_version": tool_version,
        "profile": profile,
        "created_at": format_time(created_at),
        "created_by": created_by,
        "timeline": {"events": timeline_events, "head_hash": timeline_head},
        "redactions": dict(sorted(redactions.items())),
        **(extra or {}),
        "files": [file_entry(p, files[p]) for p in sorted(files)],
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def safe_member(path: str) -> bool:
    """A manifest path stays inside the package: relative, no ``..``, no backslashes."""
    if not path or "\\" in path or "\x00" in path:
        return False
    p = PurePosixPath(path)
    return not p.is_absolute() and ".." not in p.parts and p.parts[0] not in ("", ".")


def verify_package(
    read: Callable[[str], bytes | None], listing: Sequence[str]
) -> list[BundleProblem]:
    """Every problem with a package, in order: manifest, files, timeline chain, evidence.

    ``read(path)`` returns a file's bytes (None when missing); ``listing`` is every file
    present (POSIX paths relative to the package root).
    """
    raw = read(MANIFEST)
    if raw is None:
        return [BundleProblem(MANIFEST, "missing: not an ircmd evidence package")]
    try:
        manifest = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return [BundleProblem(MANIFEST, f"not valid JSON: {exc}")]
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return [BundleProblem(MANIFEST, f"not an {FORMAT} manifest")]
    problems: list[BundleProblem] = []
    entries = manifest.get("files")
    if not isinstance(entries, list):
        return [BundleProblem(MANIFEST, "has no file list")]
    listed: dict[str, dict[str, Any]] = {}
    for entry in entries:
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not safe_member(path):
            problems.append(BundleProblem(MANIFEST, f"bad file entry {entry!r}"))
            continue
        listed[path] = entry
    contents: dict[str, bytes] = {}
    for path, entry in listed.items():
        data = read(path)
        if data is None:
            problems.append(BundleProblem(path, "listed in the manifest but missing"))
            continue
        contents[path] = data
        if len(data) != entry.get("size"):
            problems.append(
                BundleProblem(
                    path, f"size {len(data)} does not match the manifest's {entry.get('size')}"
                )
            )
        elif sha256_hex(data) != entry.get("sha256"):
            problems.append(BundleProblem(path, "SHA-256 does not match the manifest (modified)"))
    for path in sorted(set(listing) - set(listed) - {MANIFEST}):
        problems.append(BundleProblem(path, "not listed in the manifest (added)"))
    if TIMELINE in contents:
        problems += verify_timeline(contents[TIMELINE], manifest.get("timeline") or {})
    elif TIMELINE not in listed:
        problems.append(BundleProblem(TIMELINE, "missing from the manifest"))
    if EVIDENCE_INDEX in contents:
        problems += verify_evidence(contents[EVIDENCE_INDEX], contents)
    return problems


def jsonl_lines(text: str) -> list[str]:
    """The records of a JSONL text: split on ``\\n`` only (JSON may hold U+2028, U+2029,
    U+0085 and other characters ``str.splitlines`` treats as line breaks), ``\\r`` of a
    CRLF file dropped."""
    return newline_lines(text)


def verify_timeline(data: bytes, expected: dict[str, Any]) -> list[BundleProblem]:
    problems: list[BundleProblem] = []
    prev_hash = GENESIS_HASH
    expected_seq = 1
    incident_id: str | None = None
    count = 0
    try:
        lines = jsonl_lines(data.decode("utf-8"))
    except UnicodeDecodeError:
        return [BundleProblem(TIMELINE, "not UTF-8 text")]
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        count += 1
        where = f"{TIMELINE} line {n}"
        try:
            record = json.loads(line)
            redacted = bool(record.pop("redacted", False))
            record.pop("redacted_fields", None)
            ev = TimelineEvent.from_record(record)
        except (ValueError, AttributeError, TypeError) as exc:
            first = str(exc).split("\n")[0]
            problems.append(BundleProblem(where, f"unreadable event: {first}"))
            continue
        where = f"{TIMELINE} event {ev.seq}"
        incident_id = incident_id or ev.incident_id
        if ev.incident_id != incident_id:
            problems.append(BundleProblem(where, f"belongs to {ev.incident_id}, not {incident_id}"))
        if not redacted and ev.compute_hash() != ev.hash:
            problems.append(BundleProblem(where, "content does not match its hash (edited)"))
        if ev.seq != expected_seq:
            what = "missing (removed?)" if ev.seq > expected_seq else "out of order"
            problems.append(
                BundleProblem(where, f"expected event {expected_seq} here; events {what}")
            )
        elif ev.prev_hash != prev_hash:
            problems.append(BundleProblem(where, "does not link to the previous event's hash"))
        prev_hash = ev.hash
        expected_seq = ev.seq + 1
    if expected:
        if expected.get("events") is not None and expected.get("events") != count:
            problems.append(
                BundleProblem(
                    TIMELINE, f"{count} events, the manifest says {expected.get('events')}"
                )
            )
        head = expected.get("head_hash")
        if head is not None and count and head != prev_hash:
            problems.append(
                BundleProblem(TIMELINE, "last event's hash is not the manifest's head hash")
            )
    return problems


def verify_evidence(index_data: bytes, contents: dict[str, bytes]) -> list[BundleProblem]:
    try:
        index = json.loads(index_data)
    except ValueError as exc:
        return [BundleProblem(EVIDENCE_INDEX, f"not valid JSON: {exc}")]
    problems: list[BundleProblem] = []
    for item in index if isinstance(index, list) else []:
        path = item.get("file")
        digest = item.get("digest")
        if not isinstance(path, str) or path not in contents:
            problems.append(BundleProblem(EVIDENCE_INDEX, f"names a missing file {path!r}"))
            continue
        if item.get("redacted"):
            continue
        if sha256_hex(contents[path]) != digest:
            problems.append(
                BundleProblem(path, "span's canonical JSON does not match its pinned SHA-256")
            )
    return problems


def unverifiable(read: Callable[[str], bytes | None]) -> tuple[int, int]:
    """How many events and pinned spans were redacted for the profile: their place in the
    chain is checked, their content cannot be (their original hash covers the original)."""
    events = spans = 0
    data = read(TIMELINE)
    if data:
        for line in jsonl_lines(data.decode("utf-8", "replace")):
            if line.strip():
                try:
                    if json.loads(line).get("redacted"):
                        events += 1
                except (ValueError, AttributeError):
                    pass
    index = read(EVIDENCE_INDEX)
    if index:
        with contextlib.suppress(ValueError, TypeError):
            spans = sum(1 for e in json.loads(index) if isinstance(e, dict) and e.get("redacted"))
    return events, spans
