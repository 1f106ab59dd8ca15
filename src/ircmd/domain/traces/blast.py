"""Blast radius: "one user, one segment, or the whole system?"

:func:`find_similar` counts, over a set of spans and an optional time window, the traces,
conversations and users that share something with a suspect span: the same tool (and
optionally argument values matching glob patterns), prompt name/version, retrieval source
or document id, or model. Conversations and users are taken from *any* span of a matching
trace (they usually sit on the root), not only from the matching span.

:func:`distinct_argument_values` lists every value a tool was called with for one argument
(e.g. every ``account_id`` that ``issue_refund`` touched), with counts and trace ids: the
records-to-correct checklist.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ircmd.domain.traces.spans import Span, SpanKind, model_matches

Invocation = Literal["requested", "executed", "both"]


@dataclass(frozen=True, slots=True)
class ToolInvocation:
    """One call of a tool: asked for by a model (``requested``: a tool call in an llm span's
    output messages), run (``executed``: a tool span), or ``both`` (same call id)."""

    span: Span
    """The tool span when executed (or both), else the llm span that asked for it."""
    name: str
    arguments: Any
    call_id: str | None
    invocation: Invocation
    result: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "trace_id": self.span.trace_id,
            "span_id": self.span.span_id,
            "tool": self.name,
            "call_id": self.call_id,
            "invocation": self.invocation,
            "arguments": self.arguments,
        }


def _parse_args(text: str) -> Any:
    from ircmd.domain.traces.conventions import unwrap_arguments

    return unwrap_arguments(text) if text else {}


def tool_invocations(spans: Iterable[Span], tool: str | None = None) -> list[ToolInvocation]:
    """Every tool invocation in ``spans`` (only those of ``tool`` when given), executed and
    requested joined by call id within a trace, in span order. A tool span that carries no
    call id (OpenInference's Agents SDK tool spans) joins a request of the same trace, tool
    name and arguments that no span claimed by id: one call, not two."""
    out: list[ToolInvocation] = []
    by_call: dict[tuple[str, str], int] = {}
    no_id: dict[tuple[str, str], list[int]] = {}
    requested: list[tuple[Span, Any]] = []
    for s in spans:
        if not s._attr_keys and not s.events:
            continue
        if s.kind == SpanKind.TOOL or (s.kind != SpanKind.LLM and s.tool_name):
            name = s.tool_name
            if name and (tool is None or name == tool):
                cid = s.tool_call_id
                if cid:
                    by_call[(s.trace_id, cid)] = len(out)
                else:
                    no_id.setdefault((s.trace_id, name), []).append(len(out))
                out.append(
                    ToolInvocation(s, name, s.tool_arguments, cid, "executed", s.tool_result)
                )
        elif s.kind == SpanKind.LLM:
            for c in s.requested_tool_calls:
                if tool is None or c.name == tool:
                    requested.append((s, c))
    seen: set[tuple[str, str]] = set()
    for s, c in requested:
        if c.id:
            key = (s.trace_id, c.id)
            i = by_call.get(key)
            if i is not None:
                if out[i].invocation != "both":
                    got = out[i]
                    args = got.arguments if got.arguments is not None else _parse_args(c.arguments)
                    out[i] = replace(got, invocation="both", arguments=args)
                continue
            if key in seen:  # the same request repeated in a later llm span's history
                continue
            seen.add(key)
        args = _parse_args(c.arguments)
        waiting = no_id.get((s.trace_id, c.name), [])
        j = next((i for i in waiting if out[i].arguments == args), None)
        if j is not None:
            waiting.remove(j)
            out[j] = replace(out[j], invocation="both", call_id=c.id)
            continue
        out.append(ToolInvocation(s, c.name, args, c.id, "requested"))
    return out


SimilarBy = Literal["tool", "prompt", "source", "document", "model"]


@dataclass(frozen=True)
class SimilarQuery:
    """What a similar span must share (every given field must match)."""

    tool: str | None = None
    tool_args: tuple[tuple[str, str], ...] = ()
    """``(argument name, glob pattern)`` pairs the tool's arguments must match."""
    prompt_name: str | None = None
    prompt_version: str | None = None
    retrieval_source: str | None = None
    document_id: str | None = None
    model: str | None = None
    since_ns: int | None = None
    until_ns: int | None = None

    def is_empty(self) -> bool:
        return not (
            self.tool
            or self.prompt_name
            or self.prompt_version
            or self.retrieval_source
            or self.document_id
            or self.model
        )

    def describe(self) -> str:
        parts = []
        if self.tool:
            parts.append(f"tool {self.tool}")
            parts.extend(f"{k}={p}" for k, p in self.tool_args)
        if self.prompt_name:
            parts.append(f"prompt {self.prompt_name}")
        if self.prompt_version:
            parts.append(f"prompt version {self.prompt_version}")
        if self.retrieval_source:
            parts.append(f"retrieval source {self.retrieval_source}")
        if self.document_id:
            parts.append(f"document {self.document_id}")
        if self.model:
            parts.append(f"model {self.model}")
        return ", ".join(parts) or "everything"

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "tool_args": [list(p) for p in self.tool_args],
            "prompt_name": self.prompt_name,
            "prompt_version": self.prompt_version,
            "retrieval_source": self.retrieval_source,
            "document_id": self.document_id,
            "model": self.model,
            "since_ns": self.since_ns,
            "until_ns": self.until_ns,
        }

    def matches_invocation(self, inv: ToolInvocation) -> bool:
        """The tool part of the query against one invocation (plus the rest on its span)."""
        if self.tool is not None and inv.name != self.tool:
            return False
        if self.tool_args:
            args = inv.arguments
            if not isinstance(args, Mapping):
                return False
            for name, pattern in self.tool_args:
                if name not in args or not fnmatch.fnmatchcase(argument_text(args[name]), pattern):
                    return False
        return self._matches_rest(inv.span)

    def matches(self, s: Span) -> bool:
        """A span matches (for a tool query: the span executed or requested the tool)."""
        if self.tool is not None:
            return any(self.matches_invocation(i) for i in tool_invocations([s], self.tool))
        return self._matches_rest(s)

    def _matches_rest(self, s: Span) -> bool:
        if self.since_ns is not None and s.end_ns < self.since_ns:
            return False
        if self.until_ns is not None and s.start_ns > self.until_ns:
            return False
        if self.prompt_name is not None and s.prompt_name != self.prompt_name:
            return False
        if self.prompt_version is not None and s.prompt_version != self.prompt_version:
            return False
        if self.retrieval_source is not None and s.retrieval_source != self.retrieval_source:
            return False
        if self.document_id is not None and not any(d.id == self.document_id for d in s.documents):
            return False
        return (
            self.model is None
            or model_matches(self.model, s.request_model)
            or model_matches(self.model, s.response_model)
        )


def query_from_span(span: Span, by: SimilarBy, **extra: Any) -> SimilarQuery:
    """The query for "spans like this one" along one dimension.

    Raises ``ValueError`` when the span has nothing of that kind (e.g. ``by="tool"`` on
    a span that is not a tool call)."""
    if by == "tool":
        name = span.tool_name or next((c.name for c in span.requested_tool_calls), None)
        if not name:
            raise ValueError("this span is not a tool call")
        return SimilarQuery(tool=name, **extra)
    if by == "prompt":
        if not span.prompt_name and not span.prompt_version:
            raise ValueError("this span names no prompt")
        return SimilarQuery(
            prompt_name=span.prompt_name, prompt_version=span.prompt_version, **extra
        )
    if by == "source":
        if not span.retrieval_source:
            raise ValueError("this span names no retrieval source")
        return SimilarQuery(retrieval_source=span.retrieval_source, **extra)
    if by == "document":
        ids = [d.id for d in span.documents if d.id]
        if not ids:
            raise ValueError("this span retrieved no document with an id")
        return SimilarQuery(document_id=ids[0], **extra)
    if by == "model":
        if not span.model:
            raise ValueError("this span names no model")
        return SimilarQuery(model=span.model, **extra)
    raise ValueError(f"cannot find similar spans by {by!r}")


def suggest_dimensions(span: Span) -> list[SimilarBy]:
    """The dimensions :func:`query_from_span` can use for this span, most specific first."""
    out: list[SimilarBy] = []
    if span.tool_name or span.requested_tool_calls:
        out.append("tool")
    if span.prompt_name or span.prompt_version:
        out.append("prompt")
    if span.retrieval_source:
        out.append("source")
    if any(d.id for d in span.documents):
        out.append("document")
    if span.model:
        out.append("model")
    return out


@dataclass
class SimilarResult:
    query: SimilarQuery
    spans: int = 0
    trace_ids: list[str] = field(default_factory=list)
    conversation_ids: list[str] = field(default_factory=list)
    user_ids: list[str] = field(default_factory=list)
    error_spans: int = 0
    first_ns: int | None = None
    last_ns: int | None = None
    scanned_traces: int = 0
    services: list[str] = field(default_factory=list)
    invocations: list[ToolInvocation] = field(default_factory=list)

    @property
    def traces(self) -> int:
        return len(self.trace_ids)

    @property
    def conversations(self) -> int:
        return len(self.conversation_ids)

    @property
    def users(self) -> int:
        return len(self.user_ids)

    @property
    def scope(self) -> str:
        """The seed's question answered in words."""
        if not self.spans:
            return "no match"
        if not self.users and not self.conversations:
            return "unknown"
        if self.users == 1 or (self.users == 0 and self.conversations <= 1):
            return "one user" if self.users == 1 else "one conversation"
        if self.scanned_traces and self.traces >= 0.5 * self.scanned_traces:
            return "the whole system"
        return "a segment"

    @property
    def scope_reason(self) -> str:
        """Why the scope is what it is (what is known)."""
        if not self.spans:
            return "nothing matched"
        t, sv = self.traces, len(self.services)
        where = f"{t} trace{'s' if t != 1 else ''} across {sv} service{'s' if sv != 1 else ''}"
        if self.scope == "unknown":
            return f"no conversation or user ids in these spans; {where}"
        return (
            f"{self.users} user{'s' if self.users != 1 else ''}, {self.conversations} "
            f"conversation{'s' if self.conversations != 1 else ''}; {where}"
        )

    @property
    def dimensions(self) -> list[str]:
        """What the scope was judged on: the ids present in the matched traces."""
        out = ["traces", "services"]
        if self.conversations:
            out.append("conversations")
        if self.users:
            out.append("users")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.to_dict(),
            "description": self.query.describe(),
            "scope_reason": self.scope_reason,
            "dimensions": self.dimensions,
            "services": list(self.services),
            "matches": [i.to_dict() for i in self.invocations],
            "traces": self.traces,
            "spans": self.spans,
            "conversations": self.conversations,
            "users": self.users,
            "error_spans": self.error_spans,
            "scope": self.scope,
            "first_ns": self.first_ns,
            "last_ns": self.last_ns,
            "scanned_traces": self.scanned_traces,
            "trace_ids": list(self.trace_ids),
            "conversation_ids": list(self.conversation_ids),
            "user_ids": list(self.user_ids),
        }


def find_similar(
    spans: Iterable[Span], query: SimilarQuery, conversation_keys: Sequence[str] = ()
) -> SimilarResult:
    """Count what matches ``query`` in ``spans`` (two passes over a materialised list).
    ``conversation_keys``: more attributes holding a conversation id (``[traces]
    conversation_attributes``), read after ``gen_ai.conversation.id`` and ``session.id``.

    For a tool query the units are tool invocations (requested, executed or both), so a
    model's request and the tool span that ran it count once."""
    span_list = spans if isinstance(spans, list) else list(spans)
    result = SimilarResult(query=query)
    matched: dict[str, None] = {}
    all_traces: set[str] = set()
    first = last = None
    hits: list[Span] = []
    if query.tool is not None:
        for s in span_list:
            all_traces.add(s.trace_id)
        for inv in tool_invocations(span_list, query.tool):
            if query.matches_invocation(inv):
                result.invocations.append(inv)
                hits.append(inv.span)
    else:
        for s in span_list:
            all_traces.add(s.trace_id)
            if query.matches(s):
                hits.append(s)
    for s in hits:
        result.spans += 1
        matched[s.trace_id] = None
        if s.status_code == "ERROR":
            result.error_spans += 1
        first = s.start_ns if first is None else min(first, s.start_ns)
        last = s.end_ns if last is None else max(last, s.end_ns)
    convs: dict[str, None] = {}
    users: dict[str, None] = {}
    services: dict[str, None] = {}
    if matched:
        for s in span_list:
            if s.trace_id in matched:
                if s.service:
                    services[s.service] = None
                if not s._attr_keys:
                    continue
                c = s.conversation_id
                for k in () if c else conversation_keys:
                    v = s.attr(k)
                    if isinstance(v, str) and v:
                        c = v
                        break
                if c:
                    convs[c] = None
                u = s.user_id
                if u:
                    users[u] = None
    result.trace_ids = list(matched)
    result.conversation_ids = list(convs)
    result.user_ids = list(users)
    result.services = list(services)
    result.first_ns = first
    result.last_ns = last
    result.scanned_traces = len(all_traces)
    return result


def argument_text(v: Any) -> str:
    """An argument value as the text shown, matched and exported."""
    if isinstance(v, str):
        return v
    if v is None:
        return "null"
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


@dataclass
class ArgumentValue:
    value: str
    count: int = 0
    trace_ids: list[str] = field(default_factory=list)
    span_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "count": self.count,
            "trace_ids": list(self.trace_ids),
            "span_ids": list(self.span_ids),
        }


def distinct_argument_values(
    spans: Iterable[Span], tool: str, argument: str, query: SimilarQuery | None = None
) -> list[ArgumentValue]:
    """Every distinct value of ``argument`` in calls of ``tool``: most frequent first.

    Calls (executed or requested by a model, see :func:`tool_invocations`) without that
    argument are counted under the value ``"(missing)"``. A ``query``
    (e.g. with a time window or argument patterns) narrows the calls considered."""
    q = query if query is not None else SimilarQuery(tool=tool)
    if q.tool != tool:
        q = replace(q, tool=tool)
    out: dict[str, ArgumentValue] = {}
    for inv in tool_invocations(spans, tool):
        if not q.matches_invocation(inv):
            continue
        s = inv.span
        args = inv.arguments
        if isinstance(args, Mapping) and argument in args:
            text = argument_text(args[argument])
        else:
            text = "(missing)"
        item = out.get(text)
        if item is None:
            item = out[text] = ArgumentValue(text)
        item.count += 1
        if s.trace_id not in item.trace_ids:
            item.trace_ids.append(s.trace_id)
        item.span_ids.append(s.span_id)
    return sorted(out.values(), key=lambda a: (-a.count, a.value))
