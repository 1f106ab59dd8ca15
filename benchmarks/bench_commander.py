"""The commander's loop: the grounded draft of an update for an incident of 10,000 events.

Target (issue 14): ``build_draft`` (with the task board fold) for 10,000 events <= 200 ms,
median of N runs, pure domain (no store); metrics (milestones, task board, due updates,
stats by severity) over 1,000 incidents of 20 events each <= 1 s, events already read.

    python benchmarks/bench_commander.py [--runs 7] [--store]

``--store`` also times ``ircmd metrics``' own path (``response_metrics``: list, read every
timeline, fold) over a TinyDB store of 1,000 declared incidents with three notes each
(seeding it takes about a minute), against the same 1 s target.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from ircmd.domain.comms.audiences import audiences, find_audience
from ircmd.domain.comms.draft import build_draft
from ircmd.domain.incidents.incident import Incident, Severity
from ircmd.domain.incidents.tasks import create_task, task_board
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent, new_event

START = datetime(2026, 11, 28, 9, tzinfo=UTC)
DRAFT_TARGET = 0.200
METRICS_TARGET = 1.0


def incident_events(n: int) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    prev = None
    data: dict[str, Any]
    kinds = [EventKind.NOTE, EventKind.DECISION, EventKind.SIGNAL, EventKind.FINDING]
    for i in range(n):
        at = START + timedelta(seconds=i)
        if i == 0:
            kind, data, text = EventKind.DECLARED, {"severity": "high"}, "Declared"
        elif i % 500 == 0:
            te = create_task(task_board([]), f"task {i}", now=at)
            kind, data, text = te.kind, {**te.data, "id": f"T-{i // 500 + 4}"}, te.text
        elif i % 97 == 0:
            kind, text = EventKind.COMMUNICATION, "update"
            data = {"audience": "executives"}
        else:
            kind, data, text = kinds[i % 4], {"n": str(i)}, f"event {i} text"
        prev = new_event(
            incident_id="INC-0001", prev=prev, kind=kind, at=at, author="a", text=text, data=data
        )
        events.append(prev)
    return events


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--store", action="store_true", help="also metrics from a real store")
    args = parser.parse_args()
    events = incident_events(10_000)
    inc = Incident(
        id="INC-0001",
        title="bench",
        severity=Severity.HIGH,
        created_at=START,
        updated_at=START,
        aware_at=START,
    )
    execs = find_audience(audiences(None), "executives")
    samples = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        draft = build_draft(execs, inc, events, task_board(events), START)
        samples.append(time.perf_counter() - t0)
    median = statistics.median(samples)
    ok = median <= DRAFT_TARGET
    print(
        f"draft of 10,000 events: median {median * 1000:.1f} ms over {args.runs} runs "
        f"({len(draft.sentences)} sentences, {len(draft.sources)} sources) "
        f"target <= {DRAFT_TARGET * 1000:.0f} ms: {'OK' if ok else 'MISSED'}"
    )
    rows_in = []
    for n in range(1000):
        iid = f"INC-{n + 1:04d}"
        evs = [e.model_copy(update={"incident_id": iid}) for e in events[:20]]
        evs.append(
            new_event(
                incident_id=iid,
                prev=evs[-1],
                kind=EventKind.STATUS_CHANGE,
                at=START + timedelta(minutes=n % 90),
                author="a",
                data={"from": "detected", "to": "resolved" if n % 2 else "triaged"},
            )
        )
        rows_in.append((inc.model_copy(update={"id": iid}), evs))
    from ircmd.domain.comms.cadence import next_updates
    from ircmd.domain.incidents.metrics import metrics, milestones

    auds = audiences(None)
    msamples = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        rows = [
            (
                i,
                milestones(i, evs),
                sum(1 for d in next_updates(auds, i, evs, START) if d.overdue),
                len(task_board(evs).overdue(START)),
            )
            for i, evs in rows_in
        ]
        out = metrics(rows, by="severity")
        msamples.append(time.perf_counter() - t0)
    mmed = statistics.median(msamples)
    mok = mmed <= METRICS_TARGET
    print(
        f"metrics over {out['count']} incidents: median {mmed * 1000:.1f} ms over {args.runs} "
        f"runs target <= {METRICS_TARGET * 1000:.0f} ms: {'OK' if mok else 'MISSED'}"
    )
    # applying every built-in playbook to the 10,000-event incident (board fold + plan)
    from ircmd.domain.incidents.workflow import Workflow
    from ircmd.domain.playbooks.apply import plan_apply
    from ircmd.service.playbooks.loader import builtin_playbooks

    books = list(builtin_playbooks().values())
    wf = Workflow.model_validate(
        {"id": "wf", "controls": [{"id": "review", "kind": "force_human_review"}]}
    )
    psamples = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        board = task_board(events)
        planned = sum(len(plan_apply(b, wf, board, START)) for b in books)
        psamples.append(time.perf_counter() - t0)
    pmed = statistics.median(psamples)
    print(
        f"apply {len(books)} playbooks ({planned} steps) to 10,000 events: median "
        f"{pmed * 1000:.1f} ms over {args.runs} runs (no target; inside the store's lock)"
    )
    sok = store_metrics(args.runs) if args.store else True
    return 0 if ok and mok and sok else 1


def store_metrics(runs: int) -> bool:
    """``response_metrics`` over a TinyDB store of 1,000 incidents (declared, 3 notes each)."""
    import tempfile
    from pathlib import Path

    from ircmd.domain.config import Config
    from ircmd.service.comms.metrics import response_metrics
    from ircmd.service.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Config(), Path(tmp) / "data", actor="bench")
        severities = ("low", "medium", "high", "critical")
        for i in range(1000):
            inc, _ = ws.incidents.declare(f"incident {i}", severity=severities[i % 4])
            for j in range(3):
                ws.incidents.add_event(inc.id, EventKind.NOTE, f"note {j}")
        events = sum(len(ws.incidents.timeline(i.id)) for i in ws.incidents.list_incidents())
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            out = response_metrics(ws.incidents, datetime.now(UTC), by="severity")
            samples.append(time.perf_counter() - t0)
        ws.close()
    med = statistics.median(samples)
    ok = med <= METRICS_TARGET
    print(
        f"metrics from a TinyDB store of {out['count']} incidents ({events} events): median "
        f"{med * 1000:.1f} ms over {runs} runs target <= {METRICS_TARGET * 1000:.0f} ms: "
        f"{'OK' if ok else 'MISSED'}"
    )
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
