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
import base64
import ipaddress
import json
import math
import os
import re
import time
from collections.abc import Iterable, Mapping
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
"""Only when Phoenix's span ids cannot be read as row numbers: an incremental poll then asks
for spans that started at most this long before the newest start seen (a span reaches
Phoenix when it ends, so a long span arrives late)."""
POLL_PAGE_LIMIT = 50
MAX_SLICES = 64
"""A full load cuts the time the newest page does not cover into at most this many ranges
(each expected to fill about one page), fetched :data:`LOAD_CONCURRENCY` at a time."""
LOAD_CONCURRENCY = 3
"""Requests in flight during a load: Phoenix serves one at a time (one Python process), so
more than a few only queue; three keep it busy while ircmd decodes the previous page."""
BACKOFF_MIN_S = 0.5
BACKOFF_MAX_S = 15.0
"""While nothing is new, polls are skipped for a time that doubles up to this."""


class PhoenixError(TraceSourceError):
    pass


JSON_STRING_KEYS = ("metadata", "invocation_parameters", "json_schema", "parameters")
"""Attributes that instrumentations write as one JSON string and Phoenix returns parsed as
an object: they go back to a JSON string, not split into dotted keys (document metadata,
OpenInference ``metadata``, ``llm.invocation_parameters``, tool ``parameters``)."""


_SPLIT_JSON = re.compile(
    r"(?:^|\.)(?:" + "|".join(map(re.escape, JSON_STRING_KEYS)) + r")\.", re.MULTILINE
)


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested attributes to dotted keys; lists of objects become ``key.N.…``; the
    JSON-string attributes of :data:`JSON_STRING_KEYS` become JSON strings again."""
    if not prefix and isinstance(obj, dict):
        # what Phoenix 20 returns: already dotted keys, scalar or list-of-scalar values
        for k, v in obj.items():
            if isinstance(v, dict) or (
                isinstance(v, list) and (k in JSON_STRING_KEYS or (v and isinstance(v[0], dict)))
            ):
                break
        else:
            return _regroup(dict(obj))
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
    if _SPLIT_JSON.search("\n".join(flat)) is None:
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


def span_rowid(d: Mapping[str, Any]) -> int | None:
    """Phoenix's insertion number of a span, from its relay GlobalID ``id``
    (base64 of ``"Span:<row>"``); ``None`` when it is not one."""
    gid = d.get("id")
    if not isinstance(gid, str) or len(gid) > 64:
        return None
    try:
        kind, _, row = base64.b64decode(gid, validate=True).decode("ascii").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return int(row) if kind == "Span" and row.isdigit() else None


def _loopback(url: str) -> bool:
    host = (httpx.URL(url).host or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


_HEX = re.compile("[0-9a-f]+")


def _hex_id(v: Any, n: int, what: str) -> str:
    if not isinstance(v, str):
        raise ValueError(f"{what} missing")
    low = v.lower()
    if len(low) != n or _HEX.fullmatch(low) is None:
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
        self._local = _loopback(self.url)

    def _headers(self) -> dict[str, str]:
        h = {"Accept": "application/json"}
        if self._local:
            # on this machine, compressing a 700 KB page costs Phoenix ~20% of its time to
            # serve it and saves nothing worth having; over a network gzip is kept
            h["Accept-Encoding"] = "identity"
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
        self._newest_start_ns: int | None = None  # the time cursor (if rows are unknown)
        self._max_rowid: int | None = None  # the newest Phoenix row read (the poll cursor)
        self._idle_s = 0.0  # current back-off (0: poll at every call)
        self._next_poll = 0.0  # time.monotonic() before which poll() asks nothing
        self.requests = 0  # spans pages asked of Phoenix (for tests and benchmarks)
        self.closed = False

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
            got, _row = self._decode_page(page, origin, problems)
            spans.extend(got)
            hit_seen = any(s.key in self._seen for s in got)
            if not cursor or len(spans) >= self.max_spans or (stop_at_seen and hit_seen):
                break
        return TraceBatch(spans=spans, problems=[problems])

    def _decode_page(
        self, page: list[dict[str, Any]], origin: str, problems: Problems
    ) -> tuple[list[Span], int | None]:
        """The spans of one page (a malformed one is skipped and counted in ``problems``)
        and the highest Phoenix row number among them (``None`` if none can be read)."""
        out: list[Span] = []
        top: int | None = None
        project, resource = self.project, self._resource
        for i, d in enumerate(page):
            try:
                out.append(span_from_phoenix(d, project, origin, resource))
            except (ValueError, TypeError, KeyError) as exc:
                problems.add(f"span {d.get('id') or i} skipped: {exc}", spans=1)
            row = span_rowid(d)
            if row is not None and (top is None or row > top):
                top = row
        return out, top

    async def load(self) -> TraceBatch:
        self._seen.clear()
        self._newest_start_ns = None
        self._max_rowid = None
        self._idle_s = 0.0
        self._next_poll = 0.0
        return await self._fetch_new(False)

    async def fetch_all(self, start_time: datetime | None = None) -> TraceBatch:
        """Every span of the project (since ``start_time``), keeping Phoenix busy: the
        newest page and the oldest span are asked at once; the time between the oldest
        span and the newest page's last is cut into ranges expected to hold about one page
        each (from the newest page's density), fetched :data:`LOAD_CONCURRENCY` at a time,
        each following its own cursor. Spans are one per id (the ranges' edges overlap)."""
        batch, _row = await self._fetch_all(start_time)
        return batch

    async def _fetch_all(self, start_time: datetime | None) -> tuple[TraceBatch, int | None]:
        problems = Problems(f"{self.name} (Phoenix {self.project})")
        origin = f"phoenix:{self.name}"
        by_key: dict[tuple[str, str], Span] = {}
        top_row: list[int] = []
        gate = asyncio.Semaphore(LOAD_CONCURRENCY)

        def take(page: list[dict[str, Any]]) -> None:
            got, row = self._decode_page(page, origin, problems)
            for sp in got:
                by_key[sp.key] = sp
            if row is not None:
                top_row.append(row)

        async def page(**kw: Any) -> tuple[list[dict[str, Any]], str | None]:
            async with gate:
                self.requests += 1
                return await self.api.spans_page(self.project, sort="start_time", **kw)

        async def follow(cursor: str | None, **kw: Any) -> None:
            """Pages of one range (newest first) from ``cursor`` on, until its end."""
            for _ in range(MAX_PAGES):
                if len(by_key) >= self.max_spans:
                    return
                got, cursor = await page(order="desc", cursor=cursor, limit=self.page_limit, **kw)
                take(got)
                if not cursor:
                    return

        (newest, more), (oldest, _) = await asyncio.gather(
            page(order="desc", start_time=start_time, limit=self.page_limit),
            page(order="asc", start_time=start_time, limit=1),
        )
        take(newest)  # the oldest span only bounds the time (a range below reads it)
        if more and newest and oldest and len(by_key) < self.max_spans:
            try:
                lo = parse_time_ns(oldest[0].get("start_time"))
                hi = parse_time_ns(newest[-1].get("start_time"))
                first = parse_time_ns(newest[0].get("start_time"))
            except ValueError:  # cannot cut by time: follow the newest page's cursor
                lo = hi = first = 0
            if hi <= lo:  # one instant (or no times): the one cursor
                await follow(more, start_time=start_time)
            else:
                per_ns = len(newest) / max(1, first - hi)
                expected = per_ns * (hi - lo)
                n = max(1, min(MAX_SLICES, math.ceil(expected / max(1, self.page_limit))))
                cuts = [lo + (hi - lo) * i // n for i in range(n + 1)]
                cuts[-1] = hi + 1000  # end_time is exclusive, in µs
                await asyncio.gather(
                    *(
                        follow(None, start_time=_dt(cuts[i]), end_time=_dt(cuts[i + 1]))
                        for i in range(n)
                        if _dt(cuts[i]) < _dt(cuts[i + 1])
                    )
                )
        spans = sorted(by_key.values(), key=lambda s: s.start_ns, reverse=True)
        batch = TraceBatch(spans=spans[: self.max_spans], problems=[problems])
        return batch, max(top_row) if top_row else None

    async def poll(self) -> TraceBatch:
        """New spans since the last call. Phoenix numbers spans as it stores them, so a
        poll asks for the newest row only (``sort=id``, ``limit=1``: a conditional request)
        and, when it is newer than the last row read, pages back in insertion order to that
        row: a span that started long ago but reached Phoenix late is not missed. While
        nothing is new, calls are skipped with a back-off doubling from 0.5 s to 15 s, so
        an idle war room costs Phoenix little. While Phoenix is down, every call tries
        again (so recovery shows at once)."""
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

    def _lookback(self) -> dict[str, Any]:
        if self.lookback_hours is None:
            return {}
        return {"start_time": datetime.now(UTC) - timedelta(hours=self.lookback_hours)}

    async def _fetch_since_row(self, known: int) -> tuple[TraceBatch, int]:
        """The spans stored after row ``known``, newest first, and the newest row."""
        problems = Problems(f"{self.name} (Phoenix {self.project})")
        origin = f"phoenix:{self.name}"
        spans: list[Span] = []
        top = known
        cursor: str | None = None
        # idle (nothing new last time): ask for one row; busy: a small page at once
        limit = 1 if self._idle_s > 0 else min(self.page_limit, POLL_PAGE_LIMIT)
        filters = self._lookback()
        for _ in range(MAX_PAGES):
            self.requests += 1
            page, cursor = await self.api.spans_page(
                self.project, cursor=cursor, limit=limit, sort="id", order="desc", **filters
            )
            fresh = [d for d in page if (span_rowid(d) or 0) > known]
            got, row = self._decode_page(fresh, origin, problems)
            spans.extend(got)
            if row is not None and row > top:
                top = row
            if not cursor or len(fresh) < len(page) or len(spans) >= self.max_spans:
                break
            limit = self.page_limit
        return TraceBatch(spans=spans, problems=[problems]), top

    async def _fetch_new(self, incremental: bool) -> TraceBatch:
        filters = self._lookback()
        if incremental and self._max_rowid is None and self._newest_start_ns is not None:
            # row numbers unknown: the time cursor, with an overlap for late spans
            since = self._newest_start_ns - int(POLL_OVERLAP_S * 1e9)
            cursor_time = datetime.fromtimestamp(since / 1e9, UTC)
            if "start_time" not in filters or cursor_time > filters["start_time"]:
                filters["start_time"] = cursor_time
            filters["limit"] = min(self.page_limit, POLL_PAGE_LIMIT)
        try:
            if incremental and self._max_rowid is not None:
                batch, self._max_rowid = await self._fetch_since_row(self._max_rowid)
            elif incremental:
                batch = await self.fetch_spans(stop_at_seen=True, **filters)
            else:
                batch, self._max_rowid = await self._fetch_all(filters.get("start_time"))
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
        self.closed = True
        await self.api.close()


def phoenix_health(sources: Iterable[object]) -> list[tuple[str, str, str]]:
    """``(name, state, detail)`` of every open Phoenix source among ``sources`` (the ones a
    workspace has open, see ``Workspace.open_trace_sources``), from the last load or poll (no
    request): for the status bar. There is no process-wide list: a source another workspace
    of the same process opened (a test, an embedding program) is not this one's."""
    out = []
    live = [s for s in sources if isinstance(s, PhoenixTraceSource) and not s.closed]
    for src in sorted(live, key=lambda s: s.name):
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
