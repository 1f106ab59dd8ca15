"""Whole-store export and import of raw records, for ``ircmd store copy``.

A :class:`RawStore` holds every stored record exactly as stored: incident records by
number, each incident's timeline event records in order (with their hashes), and the
documents by collection and key. Importing writes them unchanged (ids, times and chains
are preserved) in one atomic write, and refuses, writing nothing, when the target already
holds any of the same incidents, timelines or documents: a copy never merges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ircmd.domain.incidents.incident import Incident, format_incident_id, parse_incident_id
from ircmd.store.base import IncidentStore, StoreError
from ircmd.store.chainkey import ChainKeyState, chain_problems, keyed_from
from ircmd.store.tinydb.tables import INCIDENTS, docs_table, events_table
from ircmd.store.verify import incident_chain_problems


@dataclass
class RawStore:
    incidents: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    docs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    @property
    def event_total(self) -> int:
        return sum(len(v) for v in self.events.values())

    @property
    def doc_total(self) -> int:
        return sum(len(v) for v in self.docs.values())


def _some(items: list[str], limit: int = 5) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def conflicts_message(
    location: str,
    incident_numbers: list[int],
    timelines: list[str],
    docs: list[tuple[str, str]],
) -> str:
    """One line naming what the target already holds, or "" when nothing collides."""
    held = sorted({format_incident_id(n) for n in incident_numbers} | set(timelines))
    parts = []
    if held:
        parts.append(f"incidents {_some(held)}")
    if docs:
        parts.append(f"documents {_some([f'{c}/{k}' for c, k in sorted(docs)])}")
    if not parts:
        return ""
    return (
        f"{location} already holds {' and '.join(parts)}; nothing was copied "
        "(a copy never merges: copy into an empty store)"
    )


def verify_raw(raw: RawStore, chain: ChainKeyState | None = None) -> list[str]:
    """The same problem lines as the TinyDB store's ``verify``, over exported records.

    With the store's ``chain`` key state, the MACs of keyed events and heads are checked too."""
    problems: list[str] = list(chain.problems) if chain is not None else []
    for number, rec in sorted(raw.incidents.items()):
        incident_id = format_incident_id(number)
        try:
            Incident.model_validate(rec)
        except ValueError as exc:
            first = str(exc).split("\n")[0]
            problems.append(f"{incident_id}: incident record unreadable: {first}")
        records = raw.events.get(incident_id, [])
        problems += incident_chain_problems(incident_id, rec, records)
        if chain is not None:
            problems += chain_problems(incident_id, rec, records, chain)
    if chain is not None and chain.key is not None:
        for incident_id, head in sorted(chain.legacy_heads().items()):
            try:
                number = parse_incident_id(incident_id)
            except ValueError:
                continue
            if number not in raw.incidents:
                problems.append(
                    f"{incident_id}: incident removed (it had {head} events when the store "
                    "was keyed)"
                )
    for incident_id in raw.events:
        try:
            number = parse_incident_id(incident_id)
        except ValueError:
            number = -1
        if number not in raw.incidents:
            problems.append(f"{incident_id}: events stored for an unknown incident")
    return problems


def keyed_report(raw: RawStore, chain: ChainKeyState | None) -> dict[str, Any]:
    """For ``verify --json``: whether the store is keyed, where the key is, and from which
    event on each incident's chain is keyed (``None``: no keyed event yet)."""
    state = chain or ChainKeyState()
    return {
        "keyed": state.keyed,
        "key": state.source,
        "key_found": state.key is not None,
        "keyed_since": (state.manifest or {}).get("keyed_since"),
        "keyed_from": {
            format_incident_id(n): keyed_from(
                format_incident_id(n), raw.events.get(format_incident_id(n), []), state
            )
            for n in sorted(raw.incidents)
        },
    }


def export_raw(store: IncidentStore) -> RawStore:
    own = getattr(store, "export_raw", None)
    if own is None:
        raise StoreError(f"{store.location}: this store cannot be copied")
    result: RawStore = own()
    return result


def import_raw(store: IncidentStore, raw: RawStore) -> None:
    own = getattr(store, "import_raw", None)
    if own is None:
        raise StoreError(f"{store.location}: this store cannot be copied into")
    own(raw)


# -- TinyDB (the store's export_raw/import_raw): through the journal's public API ---------
def export_tinydb(store: Any) -> RawStore:
    journal = store.journal
    raw = RawStore()
    with journal.locked():
        journal.catch_up()
        tables: dict[str, dict[str, Any]] = journal.tables
        for key, rec in sorted(tables.get(INCIDENTS, {}).items(), key=lambda kv: int(kv[0])):
            raw.incidents[int(key)] = rec
        for name, table in sorted(tables.items()):
            if name.startswith("events:"):
                raw.events[name.split(":", 1)[1]] = [table[k] for k in sorted(table, key=int)]
            elif name.startswith("docs:") and table:
                raw.docs[name.split(":", 1)[1]] = dict(table)
    return raw


def import_tinydb(store: Any, raw: RawStore) -> None:
    journal = store.journal
    with journal.locked():
        journal.catch_up()
        tables: dict[str, dict[str, Any]] = journal.tables
        held = tables.get(INCIDENTS, {})
        taken = [n for n in raw.incidents if str(n) in held]
        timelines = [i for i in raw.events if tables.get(events_table(i))]
        existing = [
            (c, k)
            for c, docs in raw.docs.items()
            for k in docs
            if k in tables.get(docs_table(c), {})
        ]
        message = conflicts_message(store.location, taken, timelines, existing)
        if message:
            raise StoreError(message)
        ops: list[list[Any]] = [
            ["put", INCIDENTS, str(n), rec] for n, rec in sorted(raw.incidents.items())
        ]
        for incident_id, records in sorted(raw.events.items()):
            for position, rec in enumerate(records, start=1):
                seq = rec.get("seq")
                key = seq if isinstance(seq, int) and seq > 0 else position
                ops.append(["put", events_table(incident_id), str(key), rec])
        for collection, docs in sorted(raw.docs.items()):
            ops += [["put", docs_table(collection), k, d] for k, d in sorted(docs.items())]
        journal.append(ops)
