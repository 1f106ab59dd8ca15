"""Incidents become eval cases: the input that went wrong, the bad output, and what the
reviewer says should have happened, tagged with the incident, taxonomy ids and root cause.

The JSON Schema of a case is ``ircmd/data/eval_case.schema.json`` (one case per JSONL line).
Cases are stored as documents (collection ``eval_cases``, key ``INC-0001:<span digest>``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from ircmd.domain.evidence.dossier import PinnedSpan
from ircmd.domain.evidence.review import Review
from ircmd.domain.incidents.incident import Classification, DomainError, Incident
from ircmd.domain.incidents.timeline import format_time

EVAL_CASES = "eval_cases"
SCHEMA_VERSION = 1

_OWASP = re.compile(r"^(?:owasp:)?(LLM\d{2}(?::\d{4})?)$", re.I)
_ATLAS = re.compile(r"^(?:atlas:)?(AML\.[A-Z]{1,2}\d{4}(?:\.\d{3})?)$", re.I)


def case_key(incident_id: str, digest: str) -> str:
    return f"{incident_id}:{digest}"


def taxonomy_tags(values: list[str]) -> list[str]:
    """``owasp:LLM01:2025`` / ``atlas:AML.T0051`` tags from free-form ids and incident tags."""
    out: list[str] = []
    for v in values:
        v = v.strip()
        m = _OWASP.match(v)
        if m:
            out.append("owasp:" + m.group(1).upper())
            continue
        m = _ATLAS.match(v)
        if m:
            out.append("atlas:" + m.group(1).upper())
    return out


# -- reading a span, whatever shape it was normalised to ---------------------------------


def span_attributes(span: dict[str, Any]) -> dict[str, Any]:
    """A span's attributes as a dict, whatever form they were stored in."""
    attrs = span.get("attributes")
    if isinstance(attrs, dict):
        return attrs
    if isinstance(attrs, list):
        out: dict[str, Any] = {}
        for kv in attrs:
            # OTLP: {"key": ..., "value": {"stringValue": ...}}; normalised: [key, value]
            if isinstance(kv, dict) and isinstance(kv.get("key"), str):
                out[kv["key"]] = _any_value(kv.get("value"))
            elif isinstance(kv, list | tuple) and len(kv) == 2 and isinstance(kv[0], str):
                out[kv[0]] = kv[1]
        return out
    return {}


def _any_value(v: Any) -> Any:
    if not isinstance(v, dict):
        return v
    for key in ("stringValue", "intValue", "doubleValue", "boolValue"):
        if key in v:
            return v[key]
    if "arrayValue" in v:
        return [_any_value(x) for x in (v["arrayValue"] or {}).get("values", [])]
    if "kvlistValue" in v:
        return {
            kv.get("key"): _any_value(kv.get("value"))
            for kv in (v["kvlistValue"] or {}).get("values", [])
        }
    return v


def _maybe_json(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in "[{":
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _message_text(msg: dict[str, Any]) -> str:
    content = msg.get("content")
    if isinstance(content, str):
        return content
    parts = msg.get("parts") or (content if isinstance(content, list) else [])
    texts = []
    for p in parts:
        if isinstance(p, dict):
            t = p.get("content") or p.get("text")
            if isinstance(t, str):
                texts.append(t)
            elif p.get("type") in ("tool_call", "tool_call_request"):
                texts.append(
                    json.dumps({"tool_call": p.get("name"), "arguments": p.get("arguments")})
                )
        elif isinstance(p, str):
            texts.append(p)
    return "\n".join(texts)


def _messages(value: Any) -> list[dict[str, str]]:
    value = _maybe_json(value)
    if isinstance(value, dict):
        value = value.get("messages", [value])
    out = []
    for m in value if isinstance(value, list) else []:
        if isinstance(m, dict):
            nested = m.get("message")
            inner: dict[str, Any] = nested if isinstance(nested, dict) else m
            role = str(inner.get("role") or "user")
            out.append({"role": role, "content": _message_text(inner)})
        elif isinstance(m, str):
            out.append({"role": "user", "content": m})
    return out


def _flattened(attrs: dict[str, Any], prefix: str) -> list[dict[str, str]]:
    """OpenInference ``llm.input_messages.0.message.role`` style lists."""
    rows: dict[int, dict[str, str]] = {}
    pat = re.compile(re.escape(prefix) + r"\.(\d+)\.(?:message\.)?(role|content)$")
    for k, v in attrs.items():
        m = pat.match(k)
        if m:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = str(v)
    return [
        {"role": rows[i].get("role", "user"), "content": rows[i].get("content", "")}
        for i in sorted(rows)
    ]


def span_io(span: dict[str, Any]) -> tuple[list[dict[str, str]], str]:
    """The input messages and the output text of a span (empty when it has none)."""
    attrs = span_attributes(span)
    inputs: list[dict[str, str]] = []
    for candidate in (
        span.get("input_messages"),
        attrs.get("gen_ai.input.messages"),
        span.get("messages"),
    ):
        if candidate:
            inputs = _messages(candidate)
            if inputs:
                break
    if not inputs:
        inputs = _flattened(attrs, "llm.input_messages") or _flattened(attrs, "gen_ai.prompt")
    if not inputs:
        raw = span.get("input") or attrs.get("input.value")
        if isinstance(raw, str) and raw:
            parsed = _messages(raw) if raw[:1] in "[{" else []
            inputs = parsed or [{"role": "user", "content": raw}]
    output = ""
    for candidate in (span.get("output_messages"), attrs.get("gen_ai.output.messages")):
        msgs = _messages(candidate) if candidate else []
        if msgs:
            output = "\n".join(m["content"] for m in msgs)
            break
    if not output:
        flat = _flattened(attrs, "llm.output_messages") or _flattened(attrs, "gen_ai.completion")
        output = "\n".join(m["content"] for m in flat)
    if not output:
        raw = (
            span.get("output") or attrs.get("output.value") or attrs.get("gen_ai.tool.call.result")
        )
        if raw is not None:
            output = raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True)
    return inputs, output


def span_ids(span: dict[str, Any]) -> tuple[str, str]:
    raw_ctx = span.get("context")
    ctx: dict[str, Any] = raw_ctx if isinstance(raw_ctx, dict) else {}
    trace = span.get("trace_id") or span.get("traceId") or ctx.get("trace_id") or ""
    sid = span.get("span_id") or span.get("spanId") or ctx.get("span_id") or ""
    return str(trace).lower(), str(sid).lower()


# -- building cases ---------------------------------------------------------------------


def build_case(
    incident: Incident,
    pinned: PinnedSpan,
    *,
    expected: str,
    review: Review | None,
    author: str,
    now: datetime,
    extra_tags: list[str] | None = None,
) -> dict[str, Any]:
    """One eval case from a pinned span and the reviewer's expected behaviour."""
    expected = expected.strip()
    if not expected:
        raise DomainError("an eval case needs the expected behaviour, written by the reviewer")
    span = pinned.span
    inputs, output = span_io(span)
    trace_id, span_id = span_ids(span)
    tags = [f"incident:{incident.id}"]
    if review is not None and review.root_cause is not None:
        tags.append(f"root_cause:{review.root_cause.value}")
    if incident.classification == Classification.NEAR_MISS:
        tags.append("near_miss")
    tags += taxonomy_tags([*(review.taxonomy if review else []), *incident.tags])
    tags += [t for t in (extra_tags or []) if t]
    seen: list[str] = []
    for t in tags:
        if t not in seen:
            seen.append(t)
    return {
        "schema_version": SCHEMA_VERSION,
        "id": f"{incident.id}-{pinned.digest[:12]}",
        "incident_id": incident.id,
        "input": {"messages": inputs},
        "bad_output": output,
        "expected_behaviour": expected,
        "tags": seen,
        "source": {
            "span_digest": pinned.digest,
            "trace_id": trace_id or None,
            "span_id": span_id or None,
            "trace_source": pinned.source or None,
        },
        "created_at": format_time(now),
        "created_by": author,
    }


def cases_for_incident(
    incident: Incident,
    spans: list[PinnedSpan],
    stored: list[dict[str, Any]],
    review: Review | None,
    *,
    author: str,
    now: datetime,
) -> list[dict[str, Any]]:
    """The stored cases, plus one per remaining pinned span when the review has a default
    expected behaviour. Tags are refreshed from the current review."""
    out: list[dict[str, Any]] = []
    covered = set()
    by_digest = {s.digest: s for s in spans}
    for case in stored:
        digest = case.get("source", {}).get("span_digest", "")
        covered.add(digest)
        span = by_digest.get(digest)
        if span is not None:
            rebuilt = build_case(
                incident,
                span,
                expected=case.get("expected_behaviour", ""),
                review=review,
                author=case.get("created_by", author),
                now=now,
                extra_tags=[t for t in case.get("tags", []) if t.startswith("tag:")],
            )
            rebuilt["created_at"] = case.get("created_at", rebuilt["created_at"])
            out.append(rebuilt)
        else:
            out.append(case)
    if review is not None and review.expected_behaviour.strip():
        for span in spans:
            if span.digest not in covered:
                out.append(
                    build_case(
                        incident,
                        span,
                        expected=review.expected_behaviour,
                        review=review,
                        author=author,
                        now=now,
                    )
                )
    return out
