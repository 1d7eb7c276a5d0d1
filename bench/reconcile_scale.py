"""How reconcile scales: synthetic claim sets of 10k, 100k and 1M claims.

Each size runs in its own Python process so that its peak memory is its own. A synthetic set
has many documents, sources, subjects, measures, places and dates, and realistic repeats: each
original assertion of a source is carried by one to eight documents, written with or without
its place, with a precise, month-only or missing as-of, "about N" or "N". Counts of cumulative
measures grow over time with noise, so there are agreements, conflicts and evolutions to find.

    .venv/bin/python bench/reconcile_scale.py               # 10k, 100k, 1M
    .venv/bin/python bench/reconcile_scale.py 10000 50000   # chosen sizes
"""

from __future__ import annotations

import json
import math
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from crosscount.models import Claim
from crosscount.reconcile import DocInfo, reconcile

MEASURES = ("deployed", "killed", "wounded", "casualties", "captured", "missing", "displaced", "arrested")
PLACES = ("North", "South", "East", "West", "Capital", "Coast")


def synthetic(n: int, seed: int = 7) -> tuple[list[Claim], dict[str, DocInfo]]:
    """About ``n`` claims: n/4 original assertions, each repeated by 1-8 documents (mean ~4)."""
    rng = random.Random(seed)
    n_docs = max(10, n // 8)
    n_sources = 30 + n // 5000
    n_subjects = 20 + n // 20000
    sources = [f"Source {i}" for i in range(n_sources)]
    subjects = [f"Force {i}" for i in range(n_subjects)]
    outlets = [f"Outlet {i}" for i in range(max(5, n // 2000))]
    day0 = date(2023, 1, 1)
    doc_day = [rng.randrange(0, 3 * 365) for _ in range(n_docs)]
    docs: dict[str, DocInfo] = {}
    for i in range(n_docs):
        published = (day0 + timedelta(days=doc_day[i])).isoformat() if rng.random() < 0.8 else None
        docs[f"doc{i}"] = DocInfo(
            id=f"doc{i}", outlet=rng.choice(outlets) if rng.random() < 0.9 else None, published=published
        )
    doc_ids = list(docs)
    base = {(s, m): rng.choice((50, 300, 2000, 10000)) for s in subjects for m in MEASURES}
    claims: list[Claim] = []
    while len(claims) < n:
        subject = rng.choice(subjects)
        measure = rng.choice(MEASURES)
        source = rng.choice(sources) if rng.random() < 0.9 else None
        place = rng.choice(PLACES) if rng.random() < 0.7 else None
        day = rng.randrange(0, 3 * 365)
        roll = rng.random()
        unit, kind = "persons", "report"
        growth = 1.0 + day / 365 if measure != "deployed" else 1.0
        value = round(base[(subject, measure)] * growth * rng.uniform(0.7, 1.4))
        low: float | None = value
        high: float | None = value
        qualifier = "exact"
        if roll < 0.05:
            unit, low, high = "percent", float(rng.randrange(5, 60)), None
            high = low
        elif roll < 0.08:
            unit = "persons_per_day"
            low = high = float(max(1, value // 100))
        elif roll < 0.10:
            kind = "projection"
        elif roll < 0.16:
            qualifier, low, high = "vague", value * 0.5, value * 2.0
        elif roll < 0.20:
            qualifier, high = "at_least", None
        as_of_day = (day0 + timedelta(days=day)).isoformat()
        repeats = min(8, 1 + int(rng.expovariate(1 / 3)))
        for _ in range(repeats):
            doc = rng.choice(doc_ids) if source is not None else doc_ids[day % n_docs]
            r = rng.random()
            as_of = as_of_day if r < 0.5 else (as_of_day[:7] if r < 0.75 else None)
            figure = f"about {value}" if rng.random() < 0.3 else str(value)
            start = rng.randrange(0, 20000)
            claims.append(
                Claim(
                    doc=doc,
                    start=start,
                    end=start + len(figure),
                    figure=figure,
                    low=low,
                    high=high,
                    qualifier=qualifier,
                    unit=unit,
                    measure=measure,
                    subject=subject,
                    location=place if rng.random() < 0.8 else None,
                    source=source,
                    as_of=as_of,
                    kind=kind,
                )
            )
    return claims[:n], docs


def run_one(n: int) -> dict[str, float]:
    t0 = time.perf_counter()
    claims, docs = synthetic(n)
    t_gen = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t1 = time.perf_counter()
    rec = reconcile(claims, docs)
    t_rec = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kinds: dict[str, int] = {}
    for f in rec.findings:
        kinds[f.type] = kinds.get(f.type, 0) + 1
    return {
        "claims": n,
        "generate_s": round(t_gen, 2),
        "reconcile_s": round(t_rec, 2),
        "peak_rss_mb": round(peak, 1),
        "rss_after_generate_mb": round(rss_before, 1),
        "statements": len(rec.statements),
        "variables": len(rec.variables),
        "findings": len(rec.findings),
        **{f"findings_{k}": v for k, v in sorted(kinds.items())},
    }


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--one":
        print(json.dumps(run_one(int(argv[1]))))
        return 0
    sizes = [int(a) for a in argv] or [10_000, 100_000, 1_000_000]
    rows = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{n:>9,} claims: reconcile {row['reconcile_s']:7.2f} s, peak RSS {row['peak_rss_mb']:8.1f} MB "
            f"(after generating {row['rss_after_generate_mb']:.1f} MB); {row['statements']:,} statements, "
            f"{row['variables']:,} variables, {row['findings']:,} findings",
            flush=True,
        )
    for a, b in itertools.pairwise(rows):
        ratio = b["reconcile_s"] / max(a["reconcile_s"], 1e-9)
        size = b["claims"] / a["claims"]
        nlogn = size * math.log(b["claims"]) / math.log(a["claims"])
        print(f"x{size:g} claims -> x{ratio:.1f} time (n log n predicts x{nlogn:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
