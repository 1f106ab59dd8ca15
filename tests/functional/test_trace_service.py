"""Evidence pinning, findings and records-to-correct on a real (TinyDB) incident store."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ircmd.demo import tracegen
from ircmd.domain.config import Config, FilesSourceConfig
from ircmd.domain.incidents.timeline import EventKind, sha256_hex
from ircmd.domain.traces.blast import SimilarQuery, distinct_argument_values, find_similar
from ircmd.service.incidents.service import NotFound
from ircmd.service.traces.service import EvidenceTampered, TraceService
from ircmd.service.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.open(Config(), tmp_path / "data", actor="tester")
    yield w
    w.close()


@pytest.fixture
def traces_file(tmp_path: Path) -> Path:
    p = tmp_path / "traces.jsonl"
    p.write_text(
        "\n".join(json.dumps(r) for r in tracegen.requests(40, per_request=10)) + "\n",
        encoding="utf-8",
    )
    return p


def test_pin_copies_the_span_and_survives_the_source(ws: Workspace, traces_file: Path) -> None:
    inc, _ = ws.incidents.declare("Wrong refunds")
    svc = TraceService.for_workspace(ws)
    batch = svc.load_files([str(traces_file)])
    tool = next(s for s in batch.spans if s.tool_name == "issue_refund" and s.is_error)
    doc = svc.pin_span(inc.id, tool, str(traces_file), note="refund on a locked account")
    assert doc["sha256"] == sha256_hex(tool.canonical_json())
    # pinning the same span again adds nothing
    again = svc.pin_span(inc.id, tool, str(traces_file))
    assert again["id"] == doc["id"]
    events = [e for e in ws.incidents.timeline(inc.id) if e.kind is EventKind.EVIDENCE_PINNED]
    assert len(events) == 1
    assert events[0].data["sha256"] == doc["sha256"]
    assert events[0].data["span_id"] == tool.span_id

    traces_file.unlink()  # the source is gone
    (stored,) = svc.evidence(inc.id)
    span = svc.evidence_span(stored)
    assert span.canonical_json() == tool.canonical_json()
    assert span.tool_arguments == tool.tool_arguments
    assert ws.store.verify() == []


def test_tampered_evidence_is_detected(ws: Workspace, traces_file: Path) -> None:
    inc, _ = ws.incidents.declare("x")
    svc = TraceService.for_workspace(ws)
    span = svc.load_files([str(traces_file)]).spans[0]
    doc = svc.pin_span(inc.id, span, "f")
    doc["canonical_json"] = doc["canonical_json"].replace(span.name, "edited")
    with pytest.raises(EvidenceTampered):
        svc.evidence_span(doc)


def test_pin_on_unknown_incident_is_not_found(ws: Workspace, traces_file: Path) -> None:
    svc = TraceService.for_workspace(ws)
    span = svc.load_files([str(traces_file)]).spans[0]
    with pytest.raises(NotFound):
        svc.pin_span("INC-0042", span, "f")


def test_finding_and_records_checklist_with_csv(ws: Workspace, traces_file: Path) -> None:
    inc, _ = ws.incidents.declare("Wrong refunds")
    svc = TraceService.for_workspace(ws)
    spans = svc.load_files([str(traces_file)]).spans
    result = find_similar(spans, SimilarQuery(tool="issue_refund"))
    ev = svc.record_finding(inc.id, result, note="all segments")
    assert ev.kind is EventKind.FINDING and ev.data["traces"] == result.traces
    assert "issue_refund" in ev.text

    values = distinct_argument_values(spans, "issue_refund", "account_id")
    # a hostile value must come out of the CSV as data, not a formula
    values[0].value = '=HYPERLINK("http://x")'
    doc = svc.create_checklist(inc.id, "issue_refund", "account_id", values, "traces.jsonl")
    assert doc["id"] == "RC-1" and len(doc["items"]) == len(values)
    first = values[1].value
    ticked = svc.tick(inc.id, "RC-1", first, note="refund reversed")
    item = next(i for i in ticked["items"] if i["value"] == first)
    assert item["done"] and item["done_by"] == "tester" and item["note"] == "refund reversed"
    assert svc.checklist(inc.id, "RC-1")["items"] == ticked["items"]  # persisted
    untick = svc.tick(inc.id, "RC-1", first, done=False)
    assert not next(i for i in untick["items"] if i["value"] == first)["done"]
    with pytest.raises(NotFound):
        svc.tick(inc.id, "RC-1", "no-such-account")
    with pytest.raises(NotFound):
        svc.tick(inc.id, "RC-9", first)

    rows = list(csv.DictReader(io.StringIO(svc.checklist_csv(inc.id, "RC-1"))))
    assert len(rows) == len(values)
    assert rows[0]["value"].startswith("'=")
    assert {r["value"] for r in rows[1:]} == {v.value for v in values[1:]}
    kinds = [e.kind for e in ws.incidents.timeline(inc.id)]
    assert kinds.count(EventKind.CHECKLIST) == 3  # created, ticked, reopened


async def test_feed_loads_configured_sources_and_reports_bad_ones(
    tmp_path: Path, traces_file: Path
) -> None:
    cfg = Config(
        trace_sources=[
            FilesSourceConfig(
                name="local", kind="files", paths=[str(traces_file.parent / "*.jsonl")]
            ),
            FilesSourceConfig(name="gone", kind="files", paths=[str(tmp_path / "missing.json")]),
        ]
    )
    w = Workspace.open(cfg, tmp_path / "d2", actor="t")
    try:
        feed = TraceService.for_workspace(w).feed()
        await feed.load()
        assert feed.index.span_count > 0
        assert any("missing.json" in p for p in feed.problems)
        v = feed.index.version
        assert await feed.refresh() is False and feed.index.version == v
        # a new file in the watched glob shows up on the next refresh
        (traces_file.parent / "more.jsonl").write_text(
            json.dumps(next(tracegen.requests(2, seed=99))) + "\n", encoding="utf-8"
        )
        assert await feed.refresh() is True
        await feed.close()
    finally:
        w.close()
