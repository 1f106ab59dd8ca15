"""Signals for ``ircmd demo``: a DEMO in-memory source and a pre-seeded board, so the
signals list shows new, seen, linked and resolved alerts without any server."""

from __future__ import annotations

from datetime import datetime, timedelta

from ircmd.backends.signals.demo import DEMO_SOURCE, DemoSignalSource, demo_alerts
from ircmd.domain.incidents.timeline import format_time
from ircmd.domain.signals.signals import (
    LINKS_COLLECTION,
    OBSERVED_COLLECTION,
    SEEN_COLLECTION,
    Signal,
    SignalState,
    seen_doc,
)
from ircmd.service import Workspace
from ircmd.service.signals.service import SignalService


def _resolved_earlier(t0: datetime) -> Signal:
    """On the seeded board as firing; the demo source no longer lists it, so the first
    poll shows it resolved (as Alertmanager does when an alert stops firing)."""
    return Signal(
        source=DEMO_SOURCE,
        fingerprint="5a0c7d2e4f6b8193",
        labels={
            "alertname": "EvalPassRateDrop",
            "workflow": "support-refunds",
            "suite": "refund-policy-answers",
            "severity": "warning",
            "demo": "true",
        },
        annotations={"summary": "nightly eval pass rate 71% (was 96%)"},
        state=SignalState.FIRING,
        starts_at=t0 - timedelta(minutes=52),
        status="active",
    )


def install_demo_signals(
    workspace: Workspace, t0: datetime, incident_id: str | None, seed: bool
) -> SignalService:
    """Give the demo workspace its signal service; with ``seed``, write the demo board."""
    svc = SignalService(
        workspace.store,
        workspace.incidents,
        workspace.config,
        sources=[DemoSignalSource(t0, lambda: workspace.incidents.clock())],
        demo=True,
        loop=workspace.backend_loop,
    )
    workspace.signals = svc
    if not seed:
        return svc
    store = workspace.store
    alerts = demo_alerts(t0)
    earlier = _resolved_earlier(t0)
    board = [*alerts[:3], earlier]
    store.put_doc(
        OBSERVED_COLLECTION,
        DEMO_SOURCE,
        {
            "at": format_time(t0 + timedelta(minutes=40)),
            "demo": True,
            "signals": [s.to_json() for s in board],
        },
    )
    for sig, who, minutes in (
        (alerts[0], "maria.ic", 0),
        (alerts[1], "sam.eng", 31),
        (alerts[2], "sam.eng", 30),
        (earlier, "dev.kim", -40),
    ):
        store.put_doc(SEEN_COLLECTION, sig.key, seen_doc(sig, t0 + timedelta(minutes=minutes), who))
    if incident_id:
        for sig, how in ((alerts[0], "declared"), (alerts[1], "attached")):
            store.put_doc(
                LINKS_COLLECTION,
                f"{sig.key}@{incident_id}",
                {
                    "source": sig.source,
                    "fingerprint": sig.fingerprint,
                    "incident_id": incident_id,
                    "how": how,
                    "at": format_time(t0),
                    "demo": True,
                },
            )
    return svc
