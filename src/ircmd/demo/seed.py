"""The embedded demo: the seed's support-assistant refund incident, in a throw-away store."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from ircmd.demo.signals import install_demo_signals
from ircmd.service import IncidentService, Workspace
from ircmd.service.config import parse_config
from ircmd.service.incidents.severity import SeverityService
from ircmd.store.readonly import ReadOnlyStore
from ircmd.store.tinydb.store import TinyDBIncidentStore

DEMO_CONFIG = """
author = "maria.ic"

[[workflows]]
id = "support-refunds"
name = "Support refunds assistant"
owner = "Head of Support"
risk_tier = "high"
higher_risk = ["customer_exposure", "autonomy", "reversibility", "business_impact"]

[[workflows.controls]]
id = "pause"
kind = "pause_workflow"
controller = "local"
critical = true

[[workflows.controls]]
id = "human-review"
kind = "force_human_review"
controller = "local"

[[workflows.controls]]
id = "refund-tool"
kind = "disable_tool"
controller = "local"
tool = "issue_refund"

[[workflows.controls]]
id = "policy-index"
kind = "block_source"
controller = "local"
source = "kb-refund-policy-v7"

[[workflows]]
id = "kb-assistant"
name = "Internal knowledge assistant"
owner = "Head of Operations"
risk_tier = "medium"
higher_risk = ["data_sensitivity"]

[[workflows.controls]]
id = "block-internal-notes"
kind = "block_source"
controller = "local"
source = "internal-notes"
"""


class _SteppedClock:
    """Seeds the story at believable times, then tells the real time."""

    def __init__(self, now: datetime) -> None:
        self.current: datetime | None = now

    def __call__(self) -> datetime:
        return self.current or datetime.now(UTC)


@dataclass
class DemoContext:
    workspace: Workspace
    incident_id: str

    @property
    def service(self) -> IncidentService:
        return self.workspace.incidents


KEPT_CONFIG = "config.toml"
"""``ircmd demo --keep DIR`` writes the demo's config here, beside the store: another
console or a browser seat on DIR (``IRCMD_DATA_DIR=DIR IRCMD_CONFIG=DIR/config.toml``) sees
the same trace source and controls."""


def seed_demo(
    data_dir: Path, now: datetime | None = None, read_only: bool = False, keep: bool = False
) -> DemoContext:
    """Create the demo store in ``data_dir`` (reusing it when already seeded); ``keep``:
    a store that outlives this run, with its config written beside it."""
    now = now or datetime.now(UTC)
    t0 = now - timedelta(minutes=47)
    traces = _write_demo_traces(data_dir, t0)
    text = DEMO_CONFIG + _trace_source_toml(traces)
    config = parse_config(text, "<demo config>")
    if keep:
        (data_dir / KEPT_CONFIG).write_text(text, encoding="utf-8")
    store = TinyDBIncidentStore(data_dir)
    clock = _SteppedClock(now)
    svc = IncidentService(store=store, config=config, actor="maria.ic", clock=clock)
    existing = store.list_incidents()
    # Seeding writes; the seat becomes read-only (if asked) once the story is in the store.
    workspace = Workspace(
        config=config, data_dir=data_dir, store=store, incidents=svc, read_only=False, demo=True
    )
    if existing:
        last = existing[-1]
        install_demo_signals(workspace, last.created_at, last.id, seed=False)
        return DemoContext(_seat(workspace, read_only), last.id)

    def at(minutes: float) -> None:
        clock.current = t0 + timedelta(minutes=minutes)

    # An older, reviewed near miss and a low-severity quality issue, so the list is real.
    at(-60 * 24 * 9)
    old, _ = svc.declare(
        "KB assistant cited superseded travel policy",
        workflow_id="kb-assistant",
        severity="low",
        classification="near_miss",
        author="dev.kim",
    )
    for minutes, status in (
        (-60 * 24 * 9 + 20, "triaged"),
        (-60 * 24 * 9 + 90, "resolved"),
        (-60 * 24 * 8, "reviewed"),
    ):
        at(minutes)
        svc.set_status(old.id, status)
    at(-60 * 5)
    svc.declare(
        "Ticket summaries drop the customer's order number",
        workflow_id="support-refunds",
        severity="low",
        classification="quality_issue",
        author="sam.eng",
    )

    at(0)
    inc, _ = svc.declare(
        "Support assistant promising refunds outside policy",
        workflow_id="support-refunds",
        severity="high",
        severity_reason="customer-facing financial error, repeated across tickets",
        classification="ai_incident",
        signal={
            "summary": "Alertmanager: RefundAmountAnomaly firing (refunds/h 4.1x baseline)",
            "source": "alerts",
            "labels": {
                "alertname": "RefundAmountAnomaly",
                "workflow": "support-refunds",
                "severity": "page",
            },
        },
        author="alertmanager",
    )
    sev = SeverityService(svc)
    # The commander's severity matrix: it computes High, matching the declared level.
    matrix = [
        (7, "customer_exposure", 2, "customers were quoted refunds and relied on them"),
        (7, "reversibility", 2, "refunds already paid must be clawed back or written off"),
        (7, "autonomy", 2, "the assistant calls issue_refund itself; humans only sample"),
        (7.5, "blast_radius", 2, "every refund conversation since the index rebuild"),
        (7.5, "recurrence", 2, "41 refunds over two days, not a one-off"),
        (8, "data_sensitivity", 1, "order data only, no payment details in the answers"),
        (8, "uncertainty", 1, "cause known (stale policy doc), extent being measured"),
        (8, "regulatory", 1, "consumer-protection policy, internal so far"),
    ]
    steps: list[tuple[float, Callable[[], object]]] = [
        (2, lambda: svc.assign_role(inc.id, "incident_lead", "maria.ic")),
        (3, lambda: svc.assign_role(inc.id, "business_owner", "Head of Support")),
        (3, lambda: svc.assign_role(inc.id, "engineering_owner", "sam.eng")),
        (
            4,
            lambda: svc.note(
                inc.id,
                "Three customers quoted full refunds on items past the "
                "30-day window; tickets 88412, 88419, 88431.",
                author="lee.support",
            ),
        ),
        (6, lambda: svc.set_status(inc.id, "triaged", "customer-facing, money involved")),
        (
            9,
            lambda: svc.decide(
                inc.id,
                "Route every refund recommendation to manual review "
                "until the policy source is confirmed.",
            ),
        ),
        (
            11,
            lambda: svc.note(
                inc.id,
                "Trace 4bf92f35: retriever returned kb-refund-policy-v6 "
                "(superseded) ranked above v7.",
                author="sam.eng",
            ),
        ),
        (
            13.5,
            lambda: _contain(
                workspace,
                inc.id,
                "support-refunds/human-review",
                "route every refund recommendation to manual review",
            ),
        ),
        (14, lambda: svc.set_status(inc.id, "contained", "all refunds now go to human review")),
        (
            16,
            lambda: _pin_refund_call(
                workspace, inc.id, traces, "refund issued outside the 30-day window"
            ),
        ),
        (
            19,
            lambda: svc.comms(
                inc.id,
                "Support leads told to hold refund promises; macro posted in #support.",
                audience="support",
            ),
        ),
        (25, lambda: svc.set_status(inc.id, "investigating")),
        (
            31,
            lambda: svc.note(
                inc.id,
                "issue_refund called 41 times since the index rebuild; "
                "building the list of affected account ids.",
                author="sam.eng",
            ),
        ),
    ]
    steps += [(when, partial(sev.score, inc.id, f, n, why)) for when, f, n, why in matrix]
    steps += [
        (3, lambda: svc.assign_role(inc.id, "scribe", "lee.support")),
        (5, lambda: sev.tag(inc.id, "LLM09")),
        (5, lambda: sev.tag(inc.id, "LLM06")),
        (12, lambda: sev.tag(inc.id, "LLM08")),
        (8.5, lambda: sev.tick(inc.id, "high.escalate")),
        (12, lambda: sev.tick(inc.id, "high.root-cause")),
        (18, lambda: svc.assign_role(inc.id, "comms", "dana.comms")),
        (20, lambda: sev.tick(inc.id, "high.comms")),
    ]
    steps.sort(key=lambda step: step[0])
    for when, step in steps:
        at(when)
        step()
    clock.current = None
    install_demo_signals(workspace, t0, inc.id, seed=True)
    return DemoContext(_seat(workspace, read_only), inc.id)


def _seat(workspace: Workspace, read_only: bool) -> Workspace:
    """Seeding writes; a read-only demo seat then sees the store through the guard."""
    if read_only:
        workspace.read_only = True
        workspace.rebuild_services("containment")  # built writable while seeding
        guarded = ReadOnlyStore(workspace.store)
        workspace.store = guarded
        workspace.incidents.store = guarded
    return workspace


def _write_demo_traces(data_dir: Path, around: datetime) -> Path:
    """Support-refund runs as OTLP JSON (both conventions), moved to the incident's hour."""
    from ircmd.demo import tracegen

    folder = data_dir / "demo-traces"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "support-refunds.jsonl"
    if not path.exists():
        shift = int((around - timedelta(minutes=20)).timestamp() * 1e9) - tracegen.BASE_NS
        lines = [
            json.dumps(_shift_times(req, shift))
            for req in tracegen.requests(40, hostile=False, per_request=10, seed=7)
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _shift_times(value: Any, shift: int) -> Any:
    if isinstance(value, dict):
        return {
            k: (str(int(v) + shift) if k.endswith("UnixNano") else _shift_times(v, shift))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_shift_times(v, shift) for v in value]
    return value


def _trace_source_toml(folder: Path) -> str:
    return (
        '\n[[trace_sources]]\nname = "demo-traces"\nkind = "files"\n'
        f"paths = [{json.dumps(str(folder))}]\n"
    )


def _contain(workspace: Workspace, incident_id: str, control: str, reason: str) -> None:
    """Apply a (local, not enforced) control as the responders did during the story."""
    from ircmd.service.containment.service import ContainmentService

    svc = ContainmentService.for_workspace(workspace)
    svc.set_control(incident_id, control, "on", reason, author="sam.eng")


def _pin_refund_call(workspace: Workspace, incident_id: str, folder: Path, note: str) -> None:
    from ircmd.service.traces.service import TraceService

    traces = TraceService.for_workspace(workspace)
    batch = traces.load_files([str(folder)])
    span = next((s for s in batch.spans if s.tool_name == "issue_refund"), None)
    if span is not None:
        traces.pin_span(incident_id, span, "demo-traces", note=note)
