"""Traces in the incident workflow: load spans from the configured sources, keep them in a
live :class:`~ircmd.domain.traces.tracetree.TraceIndex`, pin a span as evidence, record a blast
radius finding, and keep a records-to-correct checklist on the incident.

Everything written to an incident goes through ``store.apply`` so the document and its
timeline event land atomically:

* evidence: collection ``evidence``, key ``"<incident>/<evidence id>"``, holding the span's
  canonical JSON, its SHA-256 and its source — readable when the source is long gone —
  plus an ``evidence_pinned`` event;
* findings: a ``finding`` event with the counts (and the first trace ids);
* records to correct: collection ``records_to_correct``, key ``"<incident>/<checklist id>"``,
  ``checklist`` events for creation and every tick; :meth:`TraceService.checklist_csv`
  exports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ircmd.backends.protocols import TraceBatch, TraceSource, TraceSourceError
from ircmd.backends.registry import BackendNotFound, load_factory
from ircmd.backends.traces.files import load_paths
from ircmd.domain.config import Config
from ircmd.domain.incidents.incident import DomainError, Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, format_time, sha256_hex
from ircmd.domain.traces.blast import ArgumentValue, SimilarResult
from ircmd.domain.traces.otlp import gc_paused
from ircmd.domain.traces.spans import Span
from ircmd.domain.traces.tracetree import TraceIndex
from ircmd.service.incidents.service import IncidentService, NotFound
from ircmd.store.base import Change, EventDraft, IncidentStore

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace

EVIDENCE = "evidence"
RECORDS = "records_to_correct"
MAX_IDS_IN_EVENT = 200


class EvidenceTampered(DomainError):
    pass


def build_sources(config: Config, data_dir: Path) -> tuple[list[TraceSource], list[str]]:
    """The configured trace sources (and one line per source that could not be built)."""
    sources: list[TraceSource] = []
    problems: list[str] = []
    for cfg in config.trace_sources:
        try:
            factory = load_factory(cfg.kind)
            sources.append(factory(cfg, data_dir=data_dir))
        except BackendNotFound as exc:
            problems.append(f"trace source {cfg.name!r}: {exc}")
        except Exception as exc:  # a third-party factory failing must not stop the rest
            problems.append(f"trace source {cfg.name!r}: cannot start ({exc})")
    return sources, problems


@dataclass
class TraceFeed:
    """Sources feeding one index. ``refresh`` polls them all; ``index.version`` tells a UI
    whether to redraw (redraw on a tick, not per span: floods stay cheap)."""

    sources: list[TraceSource]
    index: TraceIndex = field(default_factory=TraceIndex)
    problems: list[str] = field(default_factory=list)
    _loaded: bool = False

    async def load(self) -> TraceBatch:
        batch = TraceBatch()
        results = await asyncio.gather(*(s.load() for s in self.sources), return_exceptions=True)
        for src, got in zip(self.sources, results, strict=True):
            batch.extend(self._batch(src, got))
        self._loaded = True
        self._absorb(batch)
        return batch

    async def refresh(self) -> bool:
        """Poll every source; True when the index changed."""
        if not self._loaded:
            await self.load()
            return True
        before = self.index.version
        batch = TraceBatch()
        results = await asyncio.gather(*(s.poll() for s in self.sources), return_exceptions=True)
        for src, got in zip(self.sources, results, strict=True):
            batch.extend(self._batch(src, got))
        self._absorb(batch)
        return self.index.version != before

    def _batch(self, src: TraceSource, got: TraceBatch | BaseException) -> TraceBatch:
        if isinstance(got, TraceSourceError):
            return TraceBatch(warnings=[f"{src.name}: {got}"])
        if isinstance(got, BaseException):
            return TraceBatch(warnings=[f"{src.name}: unexpected {type(got).__name__}: {got}"])
        return got

    def _absorb(self, batch: TraceBatch) -> None:
        if batch.spans:
            with gc_paused():
                self.index.add(batch.spans)
        self.problems.extend(batch.problem_lines)
        del self.problems[:-200]

    async def close(self) -> None:
        for s in self.sources:
            with contextlib.suppress(Exception):  # closing must never fail the caller
                await s.close()


class TraceService:
    """Trace operations on one workspace's store (Textual-free; CLI and TUI share it)."""

    def __init__(
        self,
        store: IncidentStore,
        incidents: IncidentService,
        config: Config | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.incidents = incidents
        self.config = config or incidents.config
        self.data_dir = data_dir

    @classmethod
    def for_workspace(cls, ws: Workspace) -> TraceService:
        """The workspace's trace service (``ws.traces``, built once)."""
        return ws.traces

    # -- loading ------------------------------------------------------------------------------
    def feed(self) -> TraceFeed:
        """A feed over the configured sources (nothing is started until ``load``)."""
        sources, problems = build_sources(self.config, self.data_dir or Path("."))
        return TraceFeed(sources=sources, problems=problems)

    @staticmethod
    def load_files(paths: list[str]) -> TraceBatch:
        with gc_paused():
            return load_paths(paths)

    def spool_directory(self) -> Path:
        if self.data_dir is None:
            raise DomainError("no data directory: the spool lives there")
        return self.data_dir / "spool"

    def load_spool(self) -> TraceBatch:
        # imported here: the receiver module brings aiohttp and the OTLP protobufs (~0.15 s),
        # and the war room's trace pane imports this module when it first opens
        from ircmd.backends.traces.otlp_receiver import read_spool

        return read_spool(self.spool_directory())

    # -- evidence --------------------------------------------------------------------------------
    def pin_span(self, incident_id: str, span: Span, source: str, note: str = "") -> dict[str, Any]:
        """Copy the span into the incident as evidence (idempotent per span content)."""
        text = span.canonical_json()
        digest = sha256_hex(text)
        evidence_id = f"EV-{digest[:12]}"
        result: dict[str, Any] = {}

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            key = f"{inc.id}/{evidence_id}"
            existing = self.store.get_doc(EVIDENCE, key)
            if existing is not None:
                result.update(existing)
                return Change(incident=inc)
            now = self.incidents.clock()
            doc = {
                "id": evidence_id,
                "incident_id": inc.id,
                "type": "span",
                "source": source,
                "trace_id": span.trace_id,
                "span_id": span.span_id,
                "name": span.name,
                "kind": span.kind.value,
                "status": span.status_code,
                "sha256": digest,
                "canonical_json": text,
                "pinned_at": format_time(now),
                "pinned_by": self.incidents.actor,
                "note": note,
            }
            result.update(doc)
            label = f"{span.kind.value} span {span.name!r}"
            return Change(
                incident=inc.model_copy(update={"updated_at": now}),
                events=[
                    EventDraft(
                        kind=EventKind.EVIDENCE_PINNED,
                        at=now,
                        author=self.incidents.actor,
                        text=f"pinned {label} from {source}" + (f": {note}" if note else ""),
                        data={
                            "evidence_id": evidence_id,
                            "sha256": digest,
                            "trace_id": span.trace_id,
                            "span_id": span.span_id,
                            "source": source,
                        },
                    )
                ],
                docs={(EVIDENCE, key): doc},
            )

        self._apply(incident_id, decide)
        return result

    def evidence(self, incident_id: str) -> list[dict[str, Any]]:
        inc = self.incidents.get(incident_id)
        prefix = f"{inc.id}/"
        docs = [d for k, d in self.store.docs(EVIDENCE).items() if k.startswith(prefix)]
        return sorted(docs, key=lambda d: str(d.get("pinned_at", "")))

    @staticmethod
    def evidence_span(doc: dict[str, Any]) -> Span:
        """The pinned span, rebuilt from the stored JSON after checking its SHA-256."""
        text = doc.get("canonical_json")
        if not isinstance(text, str) or sha256_hex(text) != doc.get("sha256"):
            raise EvidenceTampered(
                f"evidence {doc.get('id', '?')}: stored span does not match its SHA-256"
            )
        return Span.from_dict(json.loads(text), origin=str(doc.get("source", "")))

    # -- blast radius -----------------------------------------------------------------------------
    def record_finding(
        self,
        incident_id: str,
        result: SimilarResult,
        note: str = "",
        sum_argument: str | None = None,
    ) -> TimelineEvent:
        """The blast radius as a ``finding``; ``sum_argument`` names a tool argument whose
        numeric values money at risk sums (beyond the money-like names it always sums)."""
        data = result.to_dict()
        if sum_argument and result.query.tool:
            data["sum_argument"] = sum_argument
        for k in ("trace_ids", "conversation_ids", "user_ids"):
            data[k] = data[k][:MAX_IDS_IN_EVENT]
        text = (
            f"find similar ({result.query.describe()}): {result.traces} traces, "
            f"{result.conversations} conversations, {result.users} users — {result.scope}"
        )
        if note:
            text += f": {note}"
        return self.incidents.add_event(incident_id, EventKind.FINDING, text, data=data)

    # -- records to correct ----------------------------------------------------------------
    def create_checklist(
        self,
        incident_id: str,
        tool: str,
        argument: str,
        values: Iterable[ArgumentValue],
        source: str = "",
    ) -> dict[str, Any]:
        items = [
            {
                "value": v.value,
                "count": v.count,
                "trace_ids": v.trace_ids[:MAX_IDS_IN_EVENT],
                "done": False,
                "done_at": None,
                "done_by": None,
                "note": "",
            }
            for v in values
        ]
        result: dict[str, Any] = {}

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            now = self.incidents.clock()
            existing = [k for k in self.store.docs(RECORDS) if k.startswith(f"{inc.id}/")]
            checklist_id = f"RC-{len(existing) + 1}"
            doc = {
                "id": checklist_id,
                "incident_id": inc.id,
                "tool": tool,
                "argument": argument,
                "source": source,
                "created_at": format_time(now),
                "created_by": self.incidents.actor,
                "items": items,
            }
            result.update(doc)
            return Change(
                incident=inc.model_copy(update={"updated_at": now}),
                events=[
                    EventDraft(
                        kind=EventKind.CHECKLIST,
                        at=now,
                        author=self.incidents.actor,
                        text=(
                            f"records to correct {checklist_id}: {len(items)} distinct "
                            f"{argument} values passed to {tool}"
                        ),
                        data={
                            "checklist_id": checklist_id,
                            "tool": tool,
                            "argument": argument,
                            "items": len(items),
                        },
                    )
                ],
                docs={(RECORDS, f"{inc.id}/{checklist_id}"): doc},
            )

        self._apply(incident_id, decide)
        return result

    def checklists(self, incident_id: str) -> list[dict[str, Any]]:
        inc = self.incidents.get(incident_id)
        prefix = f"{inc.id}/"
        docs = [d for k, d in self.store.docs(RECORDS).items() if k.startswith(prefix)]
        return sorted(docs, key=lambda d: int(str(d["id"]).split("-")[-1]))

    def checklist(self, incident_id: str, checklist_id: str) -> dict[str, Any]:
        inc = self.incidents.get(incident_id)
        doc = self.store.get_doc(RECORDS, f"{inc.id}/{checklist_id}")
        if doc is None:
            raise NotFound(f"no records-to-correct checklist {checklist_id} on {inc.id}")
        return doc

    def tick(
        self, incident_id: str, checklist_id: str, value: str, done: bool = True, note: str = ""
    ) -> dict[str, Any]:
        """Mark one record corrected (or not); a ``checklist`` event says who and when."""
        result: dict[str, Any] = {}

        def decide(inc: Incident, _last: TimelineEvent | None) -> Change:
            key = f"{inc.id}/{checklist_id}"
            doc = self.store.get_doc(RECORDS, key)
            if doc is None:
                raise NotFound(f"no records-to-correct checklist {checklist_id} on {inc.id}")
            items = [dict(i) for i in doc["items"]]
            item = next((i for i in items if i["value"] == value), None)
            if item is None:
                raise NotFound(f"{checklist_id} has no record {value!r}")
            now = self.incidents.clock()
            if bool(item["done"]) == done and not note:
                result.update(doc)
                return Change(incident=inc)
            item["done"] = done
            item["done_at"] = format_time(now) if done else None
            item["done_by"] = self.incidents.actor if done else None
            if note:
                item["note"] = note
            new = {**doc, "items": items}
            result.update(new)
            left = sum(1 for i in items if not i["done"])
            verb = "corrected" if done else "reopened"
            return Change(
                incident=inc.model_copy(update={"updated_at": now}),
                events=[
                    EventDraft(
                        kind=EventKind.CHECKLIST,
                        at=now,
                        author=self.incidents.actor,
                        text=f"{checklist_id}: {doc['argument']} {value} {verb} ({left} left)"
                        + (f": {note}" if note else ""),
                        data={"checklist_id": checklist_id, "value": value, "done": done},
                    )
                ],
                docs={(RECORDS, key): new},
            )

        self._apply(incident_id, decide)
        return result

    def checklist_csv(self, incident_id: str, checklist_id: str) -> str:
        doc = self.checklist(incident_id, checklist_id)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(
            [
                "tool",
                "argument",
                "value",
                "calls",
                "done",
                "done_at",
                "done_by",
                "note",
                "trace_ids",
            ]
        )
        for i in doc["items"]:
            w.writerow(
                [
                    doc["tool"],
                    doc["argument"],
                    _csv_safe(i["value"]),
                    i["count"],
                    "yes" if i["done"] else "no",
                    i["done_at"] or "",
                    i["done_by"] or "",
                    _csv_safe(i.get("note", "")),
                    " ".join(i["trace_ids"]),
                ]
            )
        return buf.getvalue()

    # -- helpers -----------------------------------------------------------------------------
    def _apply(self, incident_id: str, decide: Any) -> tuple[Incident, list[TimelineEvent]]:
        try:
            return self.store.apply(self.incidents.get(incident_id).id, decide)
        except KeyError:
            raise NotFound(f"no incident {incident_id}") from None


def _csv_safe(value: str) -> str:
    """Defuse spreadsheet formulas: a value from a trace must never run as one."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
