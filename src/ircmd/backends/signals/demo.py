"""A DEMO signal source: believable canned alerts for ``ircmd demo`` (no server needed).

It behaves like a small Alertmanager held in memory: silences created through it suppress
the matching alert until they are expired. Every alert carries the label ``demo="true"``
so nobody mistakes it for a real one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

from ircmd.backends.protocols import SilenceNotFound
from ircmd.domain.signals.signals import Signal, SignalState, SilenceRequest

DEMO_SOURCE = "alerts (demo)"


def demo_alerts(t0: datetime) -> list[Signal]:
    """The demo's alerts; ``t0`` is when the refund incident was declared."""

    def sig(
        fp: str,
        minutes: float,
        labels: dict[str, str],
        annotations: dict[str, str],
    ) -> Signal:
        return Signal(
            source=DEMO_SOURCE,
            fingerprint=fp,
            labels={**labels, "demo": "true"},
            annotations=annotations,
            state=SignalState.FIRING,
            starts_at=t0 + timedelta(minutes=minutes),
            generator_url="http://prometheus.demo.invalid/graph?g0.expr=refunds",
            status="active",
        )

    return [
        sig(
            "9d1c0a6e5b2f4471",
            -3,
            {
                "alertname": "RefundAmountAnomaly",
                "workflow": "support-refunds",
                "severity": "page",
                "team": "support-ai",
            },
            {
                "summary": "refunds/h 4.1x baseline",
                "description": "Refund value promised by the assistant is 4.1x the 7-day "
                "baseline for this hour.",
            },
        ),
        sig(
            "3f7be21c90aa8d02",
            8,
            {
                "alertname": "ToolCallRateHigh",
                "workflow": "support-refunds",
                "tool": "issue_refund",
                "severity": "warning",
            },
            {"summary": "issue_refund called 41 times in 30 min (p99 is 6)"},
        ),
        sig(
            "c24e9f0d71b35a66",
            29,
            {
                "alertname": "RetrievalSourceStale",
                "workflow": "support-refunds",
                "index": "kb-refund-policy",
                "severity": "warning",
            },
            {"summary": "retriever serving kb-refund-policy-v6; v7 published 2 days ago"},
        ),
        sig(
            "e81a4b3c6d09f215",
            41,
            {
                "alertname": "GuardrailBlockRateLow",
                "workflow": "kb-assistant",
                "guardrail": "pii-output",
                "severity": "info",
            },
            {"summary": "PII output guardrail blocked 0 responses in 1h (usually 3-5)"},
        ),
    ]


class DemoSignalSource:
    """In-memory, instant: a stand-in for Alertmanager in the demo."""

    kind = "demo"

    def __init__(self, t0: datetime, clock: Callable[[], datetime]) -> None:
        self.name = DEMO_SOURCE
        self.interval = 5.0
        self.timeout = 1.0
        self.last_unreadable = 0
        self._alerts = demo_alerts(t0)
        self._clock = clock
        self._silences: dict[str, SilenceRequest] = {}
        self._ids = itertools.count(1)

    def _silenced_by(self, sig: Signal) -> list[str]:
        now = self._clock()
        return [
            sid
            for sid, req in self._silences.items()
            if req.starts_at <= now < req.ends_at
            and all(sig.labels.get(m.name) == m.value for m in req.matchers)
        ]

    async def fetch_signals(self) -> list[Signal]:
        out = []
        for sig in self._alerts:
            ids = self._silenced_by(sig)
            if ids:
                sig = sig.model_copy(
                    update={
                        "state": SignalState.SUPPRESSED,
                        "silenced_by": ids,
                        "status": "suppressed",
                    }
                )
            out.append(sig)
        return out

    async def create_silence(self, request: SilenceRequest) -> str:
        sid = f"demo-silence-{next(self._ids)}"
        self._silences[sid] = request
        return sid

    async def expire_silence(self, silence_id: str) -> None:
        if self._silences.pop(silence_id, None) is None:
            raise SilenceNotFound(f"demo source: no silence {silence_id}")
