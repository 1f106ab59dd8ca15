"""Arize Phoenix as a trace source, over its REST API (async httpx).

* ``GET /v1/projects`` — the projects;
* ``GET /v1/projects/{name}/spans`` — spans, ``cursor``-paginated, filterable by
  ``trace_id``, ``status_code``, ``span_kind`` and time;
* ``GET /v1/projects/{name}/traces?include_spans=true`` — trace summaries.

The bearer token is read from the environment variable named by ``token_env`` when a
request is made; it is never stored in config, on disk or in a message. Every failure
(unreachable, timeout, 401/403, 404, 5xx, a body that is not the documented JSON) becomes
a :class:`PhoenixError` with one line for the user.

Phoenix returns attributes as nested JSON objects (``{"llm": {"model_name": …}}``); they are
flattened back to OpenTelemetry's dotted keys (lists of objects to ``key.N.sub``) so that
one span model serves every source.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import weakref
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from ircmd.backends.protocols import TraceBatch, TraceSourceError
from ircmd.domain.config import PhoenixSourceConfig
from ircmd.domain.secrets import display_url
from ircmd.domain.traces.otlp import Problems
from ircmd.domain.traces.spans import Span, SpanEvent, intern_keys

PAGE_LIMIT = 1000
MAX_PAGES = 1000
POLL_OVERLAP_S = 120.0
"""An incremental poll asks for spans that started at most this long before the newest
start seen (a span reaches Phoenix when it ends, so a long span arrives late)."""
POLL_PAGE_LIMIT = 50
LOAD_SLICES = 4
"""A full load fetches this many time ranges concurrently (after the first two pages)."""
BACKOFF_MIN_S = 0.5
BACKOFF_MAX_S = 15.0
"""While nothing is new, polls are skipped for a time that doubles up to this."""


class PhoenixError(TraceSourceError):
    pass


JSON_STRING_KEYS = ("metadata", "invocation_parameters", "json_schema", "parameters")
"""Attributes that instrumentations write as one JSON string and Phoenix returns parsed as
an object: they go back to a JSON string, not split into dotted keys (document metadata,
OpenInference ``metadata``, ``llm.invocation_parameters``, tool ``parameters``)."""


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested attributes to dotted keys; lists of objects become ``key.N.…``; the
    JSON-string attributes of :data:`JSON_STRING_KEYS` become JSON strings again."""
    out: dict[str, Any] = {}
    for k, v in obj.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping | list) and k in JSON_STRING_KEYS:
            out[key] = json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        elif isinstance(v, Mapping):
            if v:
                out.update(flatten(v, key + "."))
            else:
                out[key] = {}
        elif isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v):
            for i, item in enumerate(v):
                out.update(flatten(item, f"{key}.{i}."))
        else:
            out[key] = v
    return out if prefix else _regroup(out)


def _regroup(flat: dict[str, Any]) -> dict[str, Any]:
    """Phoenix also returns JSON-string attributes already split into dotted keys
    (``retrieval.documents.0.document.metadata.source``): put them back together as the
    one JSON string the instrumentation wrote."""
    if not any(f".{k}." in f".{key}" for key in flat for k in JSON_STRING_KEYS):
        return flat
    out: dict[str, Any] = {}
    groups: dict[str, dict[str, Any]] = {}
    for key, v in flat.items():
        parts = key.split(".")
        cut = next((i for i, p in enumerate(parts[:-1]) if p in JSON_STRING_KEYS), None)
        if cut is None:
            out[key] = v
            continue
        base = ".".join(parts[: cut + 1])
        node = groups.get(base)
        if node is None:
            node = groups[base] = {}
            out[base] = None  # keeps its place among the keys
        for p in parts[cut + 1 : -1]:
            nxt = node.get(p)
            if not isinstance(nxt, dict):
                nxt = node[p] = {}
            node = nxt
        node[parts[-1]] = v
    for base, tree in groups.items():
        out[base] = json.dumps(tree, ensure_ascii=False, separators=(",", ":"))
    return out


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _dt(ns: int) -> datetime:
    """A time filter for Phoenix: microseconds (what an ISO time carries), rounded down."""
    return _EPOCH + timedelta(microseconds=ns // 1000)


def parse_time_ns(value: Any) -> int:
    if not isinstance(value, str):
        raise ValueError(f"time {value!r} is not a string")
    s = value.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    delta = dt - epoch
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def _hex_id(v: Any, n: int, what: str) -> str:
    if not isinstance(v, str):
        raise ValueError(f"{what} missing")
    low = v.lower()
    if len(low) != n or any(c not in "0123456789abcdef" for c in low):
        raise ValueError(f"{what} {v[:40]!r} is not {n} hex digits")
    return low


def span_from_phoenix(
    d: Mapping[str, Any], project: str, origin: str, resource: Mapping[str, Any]
) -> Span:
    """One span of ``GET /v1/projects/{p}/spans`` as a :class:`Span` (raises ValueError)."""
    ctx = d.get("context")
    if not isinstance(ctx, Mapping):
        raise ValueError("no context")
    attrs_raw = d.get("attributes") or {}
    if not isinstance(attrs_raw, Mapping):
        raise ValueError("attributes is not an object")
    attrs = flatten(attrs_raw)
    if (
        "gen_ai.response.model" not in attrs
        and attrs.get("llm.model_name") is not None
        and attrs.get("llm.model_name") == attrs.get("gen_ai.request.model")
    ):
        # Phoenix translates GenAI attributes to OpenInference ones: its llm.model_name is
        # then the *request* model, not the model that answered (which the span never said)
        del attrs["llm.model_name"]
    kind = d.get("span_kind")
    if "openinference.span.kind" not in attrs and isinstance(kind, str) and kind:
        attrs["openinference.span.kind"] = kind
    events = []
    for e in d.get("events") or ():
        if isinstance(e, Mapping):
            ea = e.get("attributes")
            events.append(
                SpanEvent(
                    str(e.get("name", "")),
                    parse_time_ns(e.get("timestamp")),
                    flatten(ea) if isinstance(ea, Mapping) else {},
                )
            )
    code = str(d.get("status_code") or "UNSET").upper()
    if code not in ("UNSET", "OK", "ERROR"):
        code = "UNSET"
    parent = d.get("parent_id")
    return Span.fast(
        _hex_id(ctx.get("trace_id"), 32, "trace_id"),
        _hex_id(ctx.get("span_id"), 16, "span_id"),
        _hex_id(parent, 16, "parent_id") if parent else None,
        str(d.get("name", "")),
        parse_time_ns(d.get("start_time")),
        parse_time_ns(d.get("end_time")),
        code,
        str(d.get("status_message") or ""),
        intern_keys(tuple(attrs)),
        tuple(attrs.values()),
        tuple(events),
        (),
        resource,
        "",
        "UNSPECIFIED",
        origin,
    )


class PhoenixClient:
    """Thin async client for the read endpoints ircmd uses."""

    def __init__(
        self,
        url: str,
        *,
        token_env: str | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.token_env = token_env
        self.timeout = timeout
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def _headers(self) -> dict[str, str]:
        h = {"Accept": "application/json"}
        if self.token_env:
            token = os.environ.get(self.token_env)
            if token:
                h["Authorization"] = f"Bearer {token}"
        return h

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self.url, timeout=self.timeout, transport=self._transport
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(self, path: str, params: Any = None) -> dict[str, Any]:
        where = f"Phoenix {display_url(self.url)}{path}"
        try:
            r = await self.client.get(path, params=params, headers=self._headers())
        except httpx.TimeoutException:
            raise PhoenixError(f"{where}: no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise PhoenixError(f"{where}: cannot connect ({type(exc).__name__})") from None
        if r.status_code in (401, 403):
            hint = (
                f"check the token in ${self.token_env}"
                if self.token_env
                else "set token_env in the source config"
            )
            raise PhoenixError(f"{where}: {r.status_code} not authorised ({hint})")
        if r.status_code == 404:
            raise PhoenixError(f"{where}: 404 not found (check the project name)")
        if r.status_code >= 400:
            raise PhoenixError(f"{where}: server answered {r.status_code}")
        try:
            body = r.json()
        except (ValueError, RecursionError):
            raise PhoenixError(f"{where}: answer is not JSON") from None
        if not isinstance(body, dict) or "data" not in body:
            raise PhoenixError(f"{where}: answer has no 'data' (not the Phoenix REST API?)")
        return body

    async def projects(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": 100}
            if cursor:
                params["cursor"] = cursor
            body = await self.get("/v1/projects", params)
            out.extend(p for p in body["data"] if isinstance(p, dict))
            cursor = body.get("next_cursor")
            if not cursor:
                break
        return out

    async def spans_page(
        self,
        project: str,
        *,
        cursor: str | None = None,
        limit: int = PAGE_LIMIT,
        trace_ids: list[str] | None = None,
        status_codes: list[str] | None = None,
        span_kinds: list[str] | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        sort: str | None = None,
        order: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        params: list[tuple[str, str | int]] = [("limit", limit)]
        if sort:
            params.append(("sort", sort))
        if order:
            params.append(("order", order))
        if cursor:
            params.append(("cursor", cursor))
        params += [("trace_id", t) for t in trace_ids or ()]
        params += [("status_code", s) for s in status_codes or ()]
        params += [("span_kind", k) for k in span_kinds or ()]
        if start_time is not None:
            params.append(("start_time", start_time.isoformat()))
        if end_time is not None:
            params.append(("end_time", end_time.isoformat()))
        body = await self.get(f"/v1/projects/{quote(project, safe='')}/spans", params)
        data = body["data"]
        if not isinstance(data, list):
            raise PhoenixError(f"Phoenix {display_url(self.url)}: spans 'data' is not a list")
        nxt = body.get("next_cursor")
        return [d for d in data if isinstance(d, dict)], nxt if isinstance(nxt, str) else None

    async def traces(
        self, project: str, *, limit: int = 100, include_spans: bool = True
    ) -> list[dict[str, Any]]:
        params = {"limit": limit, "include_spans": "true" if include_spans else "false"}
        body = await self.get(f"/v1/projects/{quote(project, safe='')}/traces", params)
        return [t for t in body["data"] if isinstance(t, dict)]


class PhoenixTraceSource:
    kind = "phoenix"

    def __init__(
        self,
        name: str,
        url: str,
        project: str = "default",
        *,
        token_env: str | None = None,
        timeout: float = 10.0,
        max_spans: int = 50_000,
        lookback_hours: float | None = None,
        page_limit: int = PAGE_LIMIT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.project = project
        self.max_spans = max_spans
        self.lookback_hours = lookback_hours
        self.page_limit = page_limit
        self.api = PhoenixClient(url, token_env=token_env, timeout=timeout, transport=transport)
        # Phoenix's REST API returns no resource attributes: the service cannot be known
        # (the project is not a service; it stays in ``phoenix.project``)
        self._resource = {"service.name": "unknown", "phoenix.project": project}
        self._seen: set[tuple[str, str]] = set()
        self.last_error: str | None = None
        self._newest_start_ns: int | None = None  # the time cursor of incremental polls
        self._idle_s = 0.0  # current back-off (0: poll at every call)
        self._next_poll = 0.0  # time.monotonic() before which poll() asks nothing
        self.requests = 0  # spans pages asked of Phoenix (for tests and benchmarks)
        _LIVE.add(self)

    def health(self) -> tuple[str, str]:
        """``("ok" | "down" | "unknown", detail)`` from the last load or poll."""
        if self.last_error:
            return "down", self.last_error
        if self._newest_start_ns is None and not self._seen and self.requests == 0:
            return "unknown", "not read yet"
        return "ok", ""

    def describe(self) -> str:
        state = f" — {self.last_error}" if self.last_error else ""
        return f"{self.name}: Phoenix {display_url(self.api.url)} project {self.project}{state}"

    async def fetch_spans(self, *, stop_at_seen: bool = False, **filters: Any) -> TraceBatch:
        """Every span matching ``filters`` (see :meth:`PhoenixClient.spans_page`), following
        the cursor (newest first); malformed spans are skipped and counted. With
        ``stop_at_seen`` paging stops at the first page holding an already-seen span."""
        problems = Problems(f"{self.name} (Phoenix {self.project})")
        spans: list[Span] = []
        cursor: str | None = None
        origin = f"phoenix:{self.name}"
        limit = filters.pop("limit", self.page_limit)
        for _ in range(MAX_PAGES):
            self.requests += 1
            page, cursor = await self.api.spans_page(
                self.project, cursor=cursor, limit=limit, **filters
            )
            got = self._decode_page(page, origin, problems)
            spans.extend(got)
            hit_seen = any(s.key in self._seen for s in got)
            if not cursor or len(spans) >= self.max_spans or (stop_at_seen and hit_seen):
                break
        return TraceBatch(spans=spans, problems=[problems])

    def _decode_page(
        self, page: list[dict[str, Any]], origin: str, problems: Problems
    ) -> list[Span]:
        """The spans of one page; a malformed one is skipped and counted in ``problems``."""
        out: list[Span] = []
        for i, d in enumerate(page):
            try:
                out.append(span_from_phoenix(d, self.project, origin, self._resource))
            except (ValueError, TypeError, KeyError) as exc:
                problems.add(f"span {d.get('id') or i} skipped: {exc}", spans=1)
        return out

    async def load(self) -> TraceBatch:
        self._seen.clear()
        self._newest_start_ns = None
        self._idle_s = 0.0
        self._next_poll = 0.0
        return await self._fetch_new(False)

    async def fetch_all(self, start_time: datetime | None = None) -> TraceBatch:
        """Every span of the project (since ``start_time``), pages fetched concurrently:
        the newest and the oldest page first; when more lies between, the time between
        them is cut into :data:`LOAD_SLICES` ranges, each followed by its own cursor."""
        problems = Problems(f"{self.name} (Phoenix {self.project})")
        origin = f"phoenix:{self.name}"
        by_key: dict[tuple[str, str], Span] = {}

        def take(page: list[dict[str, Any]]) -> None:
            for s in self._decode_page(page, origin, problems):
                by_key[s.key] = s

        async def page(**kw: Any) -> tuple[list[dict[str, Any]], str | None]:
            self.requests += 1
            return await self.api.spans_page(
                self.project, limit=self.page_limit, sort="start_time", **kw
            )

        (newest, more), (oldest, _) = await asyncio.gather(
            page(order="desc", start_time=start_time),
            page(order="asc", start_time=start_time),
        )
        take(newest)
        if more and newest and oldest:
            take(oldest)
            try:
                lo = parse_time_ns(oldest[-1].get("start_time"))
                hi = parse_time_ns(newest[-1].get("start_time"))
            except ValueError:  # cannot cut by time: follow the one cursor instead
                return await self.fetch_spans(start_time=start_time)
            if hi <= lo and len(by_key) < self.max_spans:  # one instant: the one cursor
                seq = await self.fetch_spans(start_time=start_time)
                for sp in seq.spans:
                    by_key[sp.key] = sp
                problems.merge(seq.problems[0])
            elif hi > lo:
                cuts = [lo + (hi - lo) * i // LOAD_SLICES for i in range(LOAD_SLICES + 1)]
                cuts[-1] = hi + 1000  # end_time is exclusive, in µs

                async def slice_(a: int, b: int) -> None:
                    cursor: str | None = None
                    for _ in range(MAX_PAGES):
                        got, cursor = await page(
                            order="desc", cursor=cursor, start_time=_dt(a), end_time=_dt(b)
                        )
                        take(got)
                        if not cursor or len(by_key) >= self.max_spans:
                            return

                await asyncio.gather(*(slice_(cuts[i], cuts[i + 1]) for i in range(LOAD_SLICES)))
        spans = sorted(by_key.values(), key=lambda s: s.start_ns, reverse=True)
        return TraceBatch(spans=spans[: self.max_spans], problems=[problems])

    async def poll(self) -> TraceBatch:
        """New spans since the last call: only spans that started after the time cursor
        (less an overlap) are asked for; while nothing is new, calls are skipped with a
        back-off doubling from 0.5 s to 15 s, so an idle war room costs Phoenix little.
        While Phoenix is down, every call tries again (so recovery shows at once)."""
        now = time.monotonic()
        if self.last_error is None and now < self._next_poll:
            return TraceBatch()
        batch = await self._fetch_new(True)
        if self.last_error is None:
            if batch.spans:
                self._idle_s = 0.0
            else:
                self._idle_s = min(BACKOFF_MAX_S, max(BACKOFF_MIN_S, self._idle_s * 2))
            self._next_poll = time.monotonic() + self._idle_s
        return batch

    async def _fetch_new(self, incremental: bool) -> TraceBatch:
        filters: dict[str, Any] = {}
        if self.lookback_hours is not None:
            filters["start_time"] = datetime.now(UTC) - timedelta(hours=self.lookback_hours)
        if incremental and self._newest_start_ns is not None:
            since = self._newest_start_ns - int(POLL_OVERLAP_S * 1e9)
            cursor_time = datetime.fromtimestamp(since / 1e9, UTC)
            if "start_time" not in filters or cursor_time > filters["start_time"]:
                filters["start_time"] = cursor_time
            filters["limit"] = min(self.page_limit, POLL_PAGE_LIMIT)
        try:
            if incremental:
                batch = await self.fetch_spans(stop_at_seen=True, **filters)
            else:
                batch = await self.fetch_all(filters.get("start_time"))
        except PhoenixError as exc:
            self.last_error = str(exc)
            return TraceBatch(warnings=[str(exc)])
        self.last_error = None
        fresh = [s for s in batch.spans if s.key not in self._seen]
        self._seen.update(s.key for s in fresh)
        if fresh:
            newest = max(s.start_ns for s in fresh)
            if self._newest_start_ns is None or newest > self._newest_start_ns:
                self._newest_start_ns = newest
        batch.spans = fresh
        return batch

    async def close(self) -> None:
        _LIVE.discard(self)
        await self.api.close()


_LIVE: weakref.WeakSet[PhoenixTraceSource] = weakref.WeakSet()


def phoenix_health() -> list[tuple[str, str, str]]:
    """``(name, state, detail)`` of every Phoenix source this process holds open, from the
    last load or poll (no request): for the status bar."""
    out = []
    for src in sorted(_LIVE, key=lambda s: s.name):
        state, detail = src.health()
        out.append((src.name, state, detail or f"Phoenix project {src.project}"))
    return out


def from_config(config: PhoenixSourceConfig, **_: object) -> PhoenixTraceSource:
    return PhoenixTraceSource(
        config.name,
        config.url,
        config.project,
        token_env=config.token_env,
        timeout=config.timeout,
        max_spans=config.max_spans,
        lookback_hours=config.lookback_hours,
    )
