"""What changed before it broke: the versions seen per dimension over a set of spans, and the
change points where a new version appears together with a change in error rate (or in the
share of traces an incident's findings name).

Dimensions: ``prompt`` (name and version), ``request_model``, ``response_model``,
``retrieval_source``, ``document`` (retrieved ids), ``tool`` (name and the argument keys seen,
i.e. its schema as used), ``service_version`` (resource ``service.version``; spans do not keep
their instrumentation scope's version). A version's error rate is over the *traces* it appears
in (a prompt span rarely fails itself; the refund call after it does). A change point is
reported when the error rate of the traces that carry the dimension, before vs from the moment
the new version first appears, differs by at least ``min_delta`` (absolute) *and* the
difference is unlikely to be chance: a two-proportion z-test (pooled) gives at least ``min_z``
(1.96, about 95%). Without the test, mixed traffic reports a "change point" for nearly every new
document or tool seen after the first few traces (one trace before, one error after: 0% → 8%).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from ircmd.domain.traces.spans import Span

__all__ = ["DIMENSIONS", "ChangePoint", "ChangeReport", "VersionStats", "changes"]


def _prompt(s: Span) -> list[str]:
    name, version = s.prompt_name, s.prompt_version
    if not name and not version:
        return []
    return [f"{name or '?'} v{version}" if version else str(name)]


def _tool(s: Span) -> list[str]:
    name = s.tool_name
    if not name:
        return []
    args = s.tool_arguments
    keys = ",".join(sorted(args)) if isinstance(args, dict) else ""
    return [f"{name}({keys})"]


def _service_version(s: Span) -> list[str]:
    v = s.resource.get("service.version")
    if isinstance(v, str) and v:
        return [f"{s.service or '?'} {v}"]
    return []


DIMENSIONS: dict[str, Callable[[Span], list[str]]] = {
    "prompt": _prompt,
    "request_model": lambda s: [m] if (m := s.request_model) else [],
    "response_model": lambda s: [m] if (m := s.response_model) else [],
    "retrieval_source": lambda s: [r] if (r := s.retrieval_source) else [],
    "document": lambda s: [d.id for d in s.documents if d.id],
    "tool": _tool,
    "service_version": _service_version,
}


@dataclass
class VersionStats:
    value: str
    first_ns: int
    last_ns: int
    spans: int = 0
    traces: set[str] = field(default_factory=set)
    error_rate: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "first_ns": self.first_ns,
            "last_ns": self.last_ns,
            "spans": self.spans,
            "traces": len(self.traces),
            "error_rate": self.error_rate,
        }


@dataclass
class ChangePoint:
    dimension: str
    from_value: str | None
    to_value: str
    at_ns: int
    error_rate_before: float
    error_rate_after: float
    traces_before: int
    traces_after: int
    finding_rate_before: float | None = None
    """Share of the carrying traces named by the incident's findings (None: not asked)."""
    finding_rate_after: float | None = None
    by_findings: bool = False
    """True when only the findings' share changed beyond chance, not the error rate."""

    @property
    def sentence(self) -> str:
        """The finding in words (times are left to the caller to format)."""
        if self.by_findings and self.finding_rate_before is not None:
            fb, fa = self.finding_rate_before, self.finding_rate_after or 0.0
            return (
                f"traces in the incident's findings {'rose' if fa > fb else 'fell'} from "
                f"{fb:.1%} to {fa:.1%} when {self.dimension} {self.to_value!r} appeared"
            )
        return (
            f"errors rose from {self.error_rate_before:.1%} to {self.error_rate_after:.1%} "
            f"when {self.dimension} {self.to_value!r} appeared"
            if self.error_rate_after > self.error_rate_before
            else f"errors fell from {self.error_rate_before:.1%} to "
            f"{self.error_rate_after:.1%} when {self.dimension} {self.to_value!r} appeared"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "from": self.from_value,
            "to": self.to_value,
            "at_ns": self.at_ns,
            "error_rate_before": self.error_rate_before,
            "error_rate_after": self.error_rate_after,
            "traces_before": self.traces_before,
            "traces_after": self.traces_after,
            "finding_rate_before": self.finding_rate_before,
            "finding_rate_after": self.finding_rate_after,
            "by_findings": self.by_findings,
            "sentence": self.sentence,
        }


@dataclass
class ChangeReport:
    dimensions: dict[str, list[VersionStats]]
    change_points: list[ChangePoint]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimensions": [
                {"name": name, "versions": [v.to_dict() for v in versions]}
                for name, versions in self.dimensions.items()
            ],
            "change_points": [c.to_dict() for c in self.change_points],
        }


def _rate(traces: Iterable[str], errors: set[str]) -> tuple[float, int]:
    n = bad = 0
    for t in traces:
        n += 1
        if t in errors:
            bad += 1
    return (round(bad / n, 4) if n else 0.0), n


def significant(bad_before: int, n_before: int, bad_after: int, n_after: int, min_z: float) -> bool:
    """Whether the error rates before and after differ beyond chance: the pooled two-proportion
    z score is at least ``min_z`` (0 accepts any difference)."""
    if not n_before or not n_after:
        return False
    n = n_before + n_after
    p = (bad_before + bad_after) / n
    se = math.sqrt(p * (1 - p) * (1 / n_before + 1 / n_after))
    if se == 0:
        return False
    z = abs(bad_after / n_after - bad_before / n_before) / se
    return z >= min_z


def changes(
    spans: Iterable[Span],
    by: Iterable[str] | None = None,
    min_delta: float = 0.05,
    min_z: float = 1.96,
    flagged: Collection[str] = (),
) -> ChangeReport:
    """Versions per dimension (first seen order) and the change points among them.

    ``flagged``: the trace ids an incident's findings name; a new version that comes with a
    change in the share of flagged traces (by the same two tests) is a change point too."""
    flagged = set(flagged)
    dims = {d: DIMENSIONS[d] for d in (by or DIMENSIONS)}
    stats: dict[str, dict[str, VersionStats]] = {d: {} for d in dims}
    trace_start: dict[str, int] = {}
    errors: set[str] = set()
    for s in spans:
        t = s.trace_id
        st = trace_start.get(t)
        if st is None or s.start_ns < st:
            trace_start[t] = s.start_ns
        if s.status_code == "ERROR":
            errors.add(t)
        if not s._attr_keys:
            continue
        for d, get in dims.items():
            for value in get(s):
                table = stats[d]
                v = table.get(value)
                if v is None:
                    v = table[value] = VersionStats(value, s.start_ns, s.end_ns)
                else:
                    v.first_ns = min(v.first_ns, s.start_ns)
                    v.last_ns = max(v.last_ns, s.end_ns)
                v.spans += 1
                v.traces.add(t)
    report: dict[str, list[VersionStats]] = {}
    points: list[ChangePoint] = []
    for d, table in stats.items():
        versions = sorted(table.values(), key=lambda v: (v.first_ns, v.value))
        for v in versions:
            v.error_rate = _rate(v.traces, errors)[0]
        report[d] = versions
        if len(versions) < 2:
            continue
        carrying: set[str] = set()
        for v in versions:
            carrying |= v.traces
        ordered = sorted(carrying, key=lambda t: trace_start[t])
        starts = [trace_start[t] for t in ordered]
        bad_before = [0]  # errors among the first k carrying traces
        hit_before = [0]  # flagged (in a finding) among the first k carrying traces
        for t in ordered:
            bad_before.append(bad_before[-1] + (t in errors))
            hit_before.append(hit_before[-1] + (t in flagged))
        total, total_bad, total_hit = len(ordered), bad_before[-1], hit_before[-1]
        for prev, v in itertools.pairwise(versions):
            nb = bisect.bisect_left(starts, v.first_ns)
            na = total - nb
            if not nb or not na:
                continue
            bad_b, hit_b = bad_before[nb], hit_before[nb]
            rb, ra = round(bad_b / nb, 4), round((total_bad - bad_b) / na, 4)
            fb, fa = round(hit_b / nb, 4), round((total_hit - hit_b) / na, 4)
            by_errors = abs(ra - rb) >= min_delta and significant(
                bad_b, nb, total_bad - bad_b, na, min_z
            )
            by_findings = bool(flagged) and (
                abs(fa - fb) >= min_delta and significant(hit_b, nb, total_hit - hit_b, na, min_z)
            )
            if by_errors or by_findings:
                cp = ChangePoint(d, prev.value, v.value, v.first_ns, rb, ra, nb, na)
                if flagged:
                    cp.finding_rate_before, cp.finding_rate_after = fb, fa
                    cp.by_findings = not by_errors
                points.append(cp)
    points.sort(key=lambda c: c.at_ns)
    return ChangeReport(report, points)
