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

import os
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


class PhoenixError(TraceSourceError):
    pass


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested attributes to dotted keys; lists of objects become ``key.N.…``."""
    out: dict[str, Any] = {}
    for k, v in obj.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            if v:
                out.update(flatten(v, key + "."))
            else:
                out[key] = {}
        elif isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v):
            for i, item in enumerate(v):
                out.update(flatten(item, f"{key}.{i}."))
        else:
            out[key] = v
    return out


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
    ) -> tuple[list[dict[str, Any]], str | None]:
        params: list[tuple[str, str | int]] = [("limit", limit)]
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
        self._resource = {"service.name": project, "phoenix.project": project}
        self._seen: set[tuple[str, str]] = set()
        self.last_error: str | None = None

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
        for _ in range(MAX_PAGES):
            page, cursor = await self.api.spans_page(
                self.project, cursor=cursor, limit=self.page_limit, **filters
            )
            hit_seen = False
            for i, d in enumerate(page):
                try:
                    s = span_from_phoenix(d, self.project, origin, self._resource)
                except (ValueError, TypeError, KeyError) as exc:
                    problems.add(f"span {d.get('id') or i} skipped: {exc}", spans=1)
                    continue
                spans.append(s)
                hit_seen = hit_seen or s.key in self._seen
            if not cursor or len(spans) >= self.max_spans or (stop_at_seen and hit_seen):
                break
        return TraceBatch(spans=spans, problems=[problems])

    async def load(self) -> TraceBatch:
        self._seen.clear()
        return await self._fetch_new(False)

    async def poll(self) -> TraceBatch:
        return await self._fetch_new(True)

    async def _fetch_new(self, incremental: bool) -> TraceBatch:
        filters: dict[str, Any] = {}
        if self.lookback_hours is not None:
            filters["start_time"] = datetime.now(UTC) - timedelta(hours=self.lookback_hours)
        try:
            batch = await self.fetch_spans(stop_at_seen=incremental, **filters)
        except PhoenixError as exc:
            self.last_error = str(exc)
            return TraceBatch(warnings=[str(exc)])
        self.last_error = None
        fresh = [s for s in batch.spans if s.key not in self._seen]
        self._seen.update(s.key for s in fresh)
        batch.spans = fresh
        return batch

    async def close(self) -> None:
        await self.api.close()


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
