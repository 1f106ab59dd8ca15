"""The embedded demo: the seed's support-assistant refund incident, in a throw-away store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ircmd.config import parse_config
from ircmd.demo_signals import install_demo_signals
from ircmd.service import IncidentService, Workspace
from ircmd.store.tinydb_store import TinyDBIncidentStore

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


def seed_demo(data_dir: Path, now: datetime | None = None, read_only: bool = False) -> DemoContext:
    """Create the demo store in ``data_dir`` (reusing it when already seeded)."""
    config = parse_config(DEMO_CONFIG, "<demo config>")
    store = TinyDBIncidentStore(data_dir)
    now = now or datetime.now(UTC)
    t0 = now - timedelta(minutes=47)
    clock = _SteppedClock(now)
    svc = IncidentService(store=store, config=config, actor="maria.ic", clock=clock)
    existing = store.list_incidents()
    workspace = Workspace(
        config=config, data_dir=data_dir, store=store, incidents=svc, read_only=read_only, demo=True
    )
    if existing:
        last = existing[-1]
        install_demo_signals(workspace, last.created_at, last.id, seed=False)
        return DemoContext(workspace, last.id)

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
        (14, lambda: svc.set_status(inc.id, "contained", "all refunds now go to human review")),
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
    for when, step in steps:
        at(when)
        step()
    clock.current = None
    install_demo_signals(workspace, t0, inc.id, seed=True)
    return DemoContext(workspace, inc.id)
