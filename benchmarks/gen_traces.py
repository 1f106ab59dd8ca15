"""Write synthetic support-refund traces as OTLP JSON (see ircmd.demo.tracegen).

python benchmarks/gen_traces.py --traces 200 --out traces.jsonl          # JSONL, mixed
python benchmarks/gen_traces.py --big 100000 --out big.json              # one 100k-span trace
python benchmarks/gen_traces.py --spans 100000 --out many.json           # ~100k spans, many traces
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ircmd.demo import tracegen


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--traces", type=int, default=0, help="number of support-refund runs")
    p.add_argument("--spans", type=int, default=0, help="about this many spans, many traces")
    p.add_argument("--big", type=int, default=0, help="ONE trace of this many spans")
    p.add_argument("--convention", choices=["genai", "openinference", "mixed"], default="mixed")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--no-hostile", action="store_true")
    p.add_argument("--jsonl", action="store_true", help="one request per line")
    a = p.parse_args(argv)
    if a.big:
        reqs = [tracegen.big_trace(a.big, seed=a.seed)]
    else:
        # a mixed run has 5 (GenAI) or 6 (OpenInference) spans
        n = max(1, round(a.spans / 5.5)) if a.spans else (a.traces or 20)
        reqs = list(
            tracegen.requests(
                n,
                convention=a.convention,
                seed=a.seed,
                hostile=not a.no_hostile,
                per_request=10**9 if not a.jsonl else 50,
            )
        )
    with a.out.open("w", encoding="utf-8") as f:
        if a.jsonl or len(reqs) > 1:
            for r in reqs:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")
        else:
            json.dump(reqs[0], f, separators=(",", ":"))
    spans = sum(
        len(ss["spans"]) for r in reqs for rs in r["resourceSpans"] for ss in rs["scopeSpans"]
    )
    print(f"wrote {spans} spans to {a.out} ({a.out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
