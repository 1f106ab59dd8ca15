"""The files trace source: paths, directories, globs, new files and appended lines."""

from __future__ import annotations

import json
from pathlib import Path

from ircmd.backends.traces.files import FileTraceSource, expand, load_paths
from ircmd.demo import tracegen

REQS = list(tracegen.requests(12, per_request=3))


def line(i: int) -> str:
    return json.dumps(REQS[i]) + "\n"


def test_expand_dirs_globs_and_missing(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "b.jsonl").write_text("{}")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.json").write_text("{}")
    files, missing = expand([str(tmp_path), str(tmp_path / "**" / "*.json"), "nope.json"])
    assert [f.name for f in files] == ["a.json", "b.jsonl", "c.json"]
    assert missing == ["nope.json: no such file or directory"]


def test_load_paths_reports_per_file(tmp_path: Path) -> None:
    (tmp_path / "ok.jsonl").write_text(line(0) + line(1))
    (tmp_path / "bad.json").write_text('{"resourceSpans": 5}')
    batch = load_paths([str(tmp_path)])
    assert len({s.trace_id for s in batch.spans}) == 6
    bad = [p for p in batch.problems if p]
    assert len(bad) == 1 and bad[0].origin.endswith("bad.json")
    assert "resourceSpans is not a list" in bad[0].messages[0]


async def test_watch_picks_up_new_files_and_appended_lines(tmp_path: Path) -> None:
    f = tmp_path / "live.jsonl"
    f.write_text(line(0))
    src = FileTraceSource("local", [str(tmp_path)])
    first = await src.load()
    n0 = len(first.spans)
    assert n0 > 0
    assert (await src.poll()).spans == []
    # a line appended, plus half a line still being written
    half = line(1)[:40]
    with f.open("a") as fh:
        fh.write(line(1) + half)
    got = await src.poll()
    assert {s.trace_id for s in got.spans} == {
        s["traceId"].lower()
        for rs in REQS[1]["resourceSpans"]
        for ss in rs["scopeSpans"]
        for s in ss["spans"]
    }
    assert not any(got.problems)
    with f.open("a") as fh:
        fh.write(line(1)[40:])  # the rest of the half line
    again = await src.poll()
    assert len(again.spans) == len(got.spans)  # the completed line, read once
    (tmp_path / "new.json").write_text(json.dumps(REQS[3]))
    newer = await src.poll()
    assert len(newer.spans) > 0 and all((s.origin or "").endswith("new.json") for s in newer.spans)
    assert "2 files" in src.describe()


async def test_rewritten_file_is_read_again(tmp_path: Path) -> None:
    f = tmp_path / "t.json"
    f.write_text(json.dumps(REQS[0]))
    src = FileTraceSource("local", [str(f)])
    await src.load()
    f.write_text(json.dumps(REQS[2]) + " ")
    got = await src.poll()
    assert {s.trace_id for s in got.spans} == {
        s["traceId"].lower() for s in REQS[2]["resourceSpans"][0]["scopeSpans"][0]["spans"]
    }
