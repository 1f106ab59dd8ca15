"""Spans pinned by the trace service end up in the package and in eval cases (runs once the
trace service is merged; skipped on a branch without it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ircmd.domain.evidence.redaction import MESSAGE_CONTENT, placeholder
from ircmd.service.evidence.export import export_incident, verify_bundle
from ircmd.service.evidence.review import add_eval_case, eval_cases
from tests.evidence_fixtures import open_workspace

# The trace service's modules, imported by name so this file lints the same before and
# after the merge.
tracegen = pytest.importorskip("ircmd.demo.tracegen", reason="the trace service is not merged")
otlp = pytest.importorskip("ircmd.domain.traces.otlp")
traces_service = pytest.importorskip("ircmd.service.traces.service")


def test_pinned_llm_span_exports_verifies_and_becomes_an_eval_case(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    inc, _ = ws.incidents.declare("Wrong refunds")
    spans = [
        s for r in tracegen.requests(5, per_request=10) for s in otlp.parse_document(r, "x").spans
    ]
    llm = next(s for s in spans if s.input_messages and s.output_messages)
    traces = traces_service.TraceService.for_workspace(ws)
    doc = traces.pin_span(inc.id, llm, "files")
    case = add_eval_case(ws.incidents, inc.id, doc["sha256"][:10], "Do not promise refunds.")
    assert case["input"]["messages"] == [
        {"role": m.role, "content": m.content} for m in llm.input_messages
    ]
    assert case["bad_output"] == "\n".join(m.content for m in llm.output_messages)
    assert len(eval_cases(ws.incidents, inc.id)) == 1
    for profile in ("internal", "external"):
        out = tmp_path / profile
        export_incident(ws.incidents, inc.id, out, profile=profile, environ={})
        assert verify_bundle(out)[0] == []
        index = json.loads((out / "evidence" / "index.json").read_text())
        assert [e["digest"] for e in index] == [doc["sha256"]]
        if profile == "external":
            text = (out / "evidence" / f"{doc['sha256']}.json").read_text()
            assert placeholder(MESSAGE_CONTENT) in text
            for m in llm.input_messages:
                if len(m.content) > 12:
                    assert m.content not in text
    ws.close()
