"""Evidence package: build, write and verify times for big incidents, medians of N runs.

    .venv/bin/python benchmarks/export_bundle.py [--runs 3] [--events 1000,10000] [--spans 100]

The incident is built in memory (a hash-chained timeline with notes, containment events and
findings full of PII, plus pinned LLM spans of ~3 KB each), so the figures are the export's
own cost: redaction, report, manifest and fsynced writes (dir and tar.gz), then verification.
Targets: a 10k-event incident with 100 spans exports (external profile) and verifies in well
under 10 s each on 2 cores; time grows about linearly with the events (ratio column).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ircmd.domain.evidence.dossier import Dossier, PinnedSpan
from ircmd.domain.evidence.redaction import Profile, Redactor
from ircmd.domain.incidents.incident import Incident
from ircmd.domain.incidents.timeline import (
    EventKind,
    TimelineEvent,
    canonical_json,
    new_event,
    sha256_hex,
)
from ircmd.service.evidence.export import verify_bundle, write_package
from ircmd.service.evidence.package import package_files

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
KINDS = [EventKind.NOTE, EventKind.CONTAINMENT_CONFIRMED, EventKind.FINDING, EventKind.DECISION]


def make_dossier(n_events: int, n_spans: int) -> Dossier:
    inc = Incident(id="INC-0001", title="Refund bot promised refunds", created_at=T0, updated_at=T0)
    events: list[TimelineEvent] = []
    prev = None
    for i in range(n_events):
        kind = KINDS[i % len(KINDS)]
        prev = new_event(
            incident_id=inc.id,
            prev=prev,
            kind=kind,
            at=T0 + timedelta(seconds=i),
            author="alice",
            text=f"event {i}: customer jane{i}@example.com called +44 20 7946 {i % 10000:04d}",
            data={"control": "review", "ip": f"203.0.113.{i % 250}", "n": i},
        )
        events.append(prev)
    spans = []
    for j in range(n_spans):
        span = {
            "trace_id": f"{j:032x}",
            "span_id": f"{j:016x}",
            "attributes": [
                ["gen_ai.request.model", "gpt-4o"],
                [
                    "gen_ai.input.messages",
                    f'[{{"role":"user","content":"{"refund please " * 150}"}}]',
                ],
                ["gen_ai.output.messages", '[{"role":"assistant","content":"500 EUR"}]'],
                ["user.email", f"user{j}@example.com"],
            ],
        }
        text = canonical_json(span)
        spans.append(PinnedSpan(digest=sha256_hex(text), canonical=text, source="phoenix"))
    return Dossier(incident=inc, events=events, records=[], spans=spans)


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--events", default="1000,10000")
    ap.add_argument("--spans", type=int, default=100)
    args = ap.parse_args()
    sizes = [int(x) for x in args.events.split(",")]
    rows = []
    base: dict[str, float] = {}
    for n in sizes:
        d = make_dossier(n, args.spans)
        for profile in (Profile.INTERNAL, Profile.EXTERNAL):
            for fmt in ("dir", "tar.gz"):
                with tempfile.TemporaryDirectory(prefix="ircmd-bench-export-") as tmp:
                    count = [0]

                    def export(d=d, profile=profile, fmt=fmt, tmp=tmp, count=count) -> None:  # type: ignore[no-untyped-def]
                        count[0] += 1
                        r = Redactor.for_profile(profile)
                        files, _ = package_files(d, r, profile=profile, now=T0, author="bench")
                        files["manifest.json"] = b"{}"
                        out = (
                            Path(tmp) / f"pkg{count[0]}"
                            if fmt == "dir"
                            else Path(tmp) / f"p{count[0]}.tar.gz"
                        )
                        write_package(files, out, fmt, False)

                    ms = median_ms(export, args.runs)
                    key = f"{profile.value}/{fmt}"
                    base.setdefault(key, ms)
                    rows.append((n, args.spans, key, "export", ms, ms / base[key]))
        # verification of a real package (manifest included) made by the service path
        with tempfile.TemporaryDirectory(prefix="ircmd-bench-verify-") as tmp:
            from ircmd.domain.evidence.bundle import build_manifest, manifest_bytes

            r = Redactor.for_profile(Profile.INTERNAL)
            files, _ = package_files(d, r, profile=Profile.INTERNAL, now=T0, author="bench")
            manifest = build_manifest(
                incident_id="INC-0001", tool_version="bench", profile="internal", created_at=T0,
                created_by="bench", files=files, redactions={}, timeline_head=d.events[-1].hash,
                timeline_events=len(d.events),
            )  # fmt: skip
            files["manifest.json"] = manifest_bytes(manifest)
            out = Path(tmp) / "pkg"
            write_package(files, out, "dir", False)
            problems: list[object] = []

            def verify(out: Path = out, problems: list[object] = problems) -> None:
                problems.extend(verify_bundle(out)[0])

            ms = median_ms(verify, args.runs)
            assert not problems, problems[:3]
            base.setdefault("verify", ms)
            rows.append((n, args.spans, "internal/dir", "verify", ms, ms / base["verify"]))
    head = f"{'events':>7} {'spans':>5}  {'profile/format':<16} {'step':<7}"
    print(f"{head} {'median ms':>10} {'ratio':>6}")
    for n, s, key, step, ms, ratio in rows:
        print(f"{n:>7} {s:>5}  {key:<16} {step:<7} {ms:>10.1f} {ratio:>6.2f}")


if __name__ == "__main__":
    main()
