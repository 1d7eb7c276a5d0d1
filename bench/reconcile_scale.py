"""How reconcile scales: synthetic claim sets of 10k, 100k and 1M claims in many stories.

Each size runs in its own Python process so that its peak memory is its own. A synthetic set
has many stories (one per 5,000 claims), documents, sources, subjects, measures, places and
dates, and realistic repeats: each original assertion of a source is carried by one to eight
documents of its story, written with or without its place, with a precise, month-only or missing
as-of, "about N" or "N". Counts of cumulative measures grow over time with noise, so there are
agreements, conflicts and evolutions to find.

The claims are stored in a SQLite ledger first (not timed), then reconciled the way `analyze`
does it: story by story, each story's claims streamed from the ledger, on a process pool
(`pipeline.reconcile_stories`). Peak memory is the largest sum of the proportional set size of
this process and its workers, sampled each second (reading PSS walks every page of each process: at
50 ms the sampling took a fifth of one of this machine's 2 cores from the work it measured; its own
CPU time is printed), and bounded above by the processes' peak resident sets summed, which cost
nothing to read. `--in-memory` reconciles the whole list in one call instead (the old way, for
comparison). Claims/s is claims over the reconcile's wall time; the CPU seconds are the fairer
figure on a shared machine, whose load average is printed beside them.

    .venv/bin/python bench/reconcile_scale.py                 # 10k, 100k, 1M
    .venv/bin/python bench/reconcile_scale.py 10000 50000     # chosen sizes
    .venv/bin/python bench/reconcile_scale.py --in-memory 1000000
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from crosscount.ledger import Ledger
from crosscount.models import Claim, Document
from crosscount.pipeline import reconcile_stories
from crosscount.reconcile import DocInfo, reconcile

MEASURES = ("deployed", "killed", "wounded", "casualties", "captured", "missing", "displaced", "arrested")
PLACES = ("North", "South", "East", "West", "Capital", "Coast")


def synthetic(n: int, seed: int = 7) -> tuple[list[Claim], dict[str, DocInfo]]:
    """About ``n`` claims: n/4 original assertions, each repeated by 1-8 documents (mean ~4) of one story."""
    rng = random.Random(seed)
    n_docs = max(10, n // 8)
    n_stories = max(1, n // 5000)
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
            id=f"doc{i}", outlet=rng.choice(outlets) if rng.random() < 0.9 else None, published=published,
            story=f"story{i % n_stories}",
        )
    story_docs = [list(docs)[k::n_stories] for k in range(n_stories)]
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
        doc_ids = story_docs[rng.randrange(n_stories)]
        for _ in range(repeats):
            doc = rng.choice(doc_ids) if source is not None else doc_ids[day % len(doc_ids)]
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


class _PeakSampler:
    """The largest sum of the proportional set size (PSS) of this process and its children, sampled in a
    thread: what they occupy together, pages shared after fork counted once."""

    def __init__(self, interval: float = 1.0) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self.cpu = 0.0  # CPU seconds the sampling itself took (reading PSS walks each process's pages)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self.stop.is_set():
            t0 = time.thread_time()
            total = 0
            for p in [self.proc, *self.proc.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_full_info().pss  # shared pages (fork) counted once, in shares
            self.peak = max(self.peak, total)
            self.cpu += time.thread_time() - t0
            self.stop.wait(self.interval)

    def __enter__(self) -> _PeakSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def _store(claims: list[Claim], docs: dict[str, DocInfo], db: Path) -> Ledger:
    ledger = Ledger(db)
    by_doc: dict[str, list[Claim]] = {}
    for c in claims:
        by_doc.setdefault(c.doc, []).append(c)
    batch: list[tuple[Document, list[Claim]]] = []
    for doc_id, info in docs.items():
        document = Document(id=doc_id, text=f"synthetic document {doc_id}", outlet=info.outlet,
                            published=info.published, story=info.story)
        batch.append((document, by_doc.get(doc_id, [])))
        if len(batch) == 2000:
            ledger.add_documents(batch)
            batch = []
    if batch:
        ledger.add_documents(batch)
    return ledger


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its reaped children (the pool's workers): the
    work done, which a loaded machine stretches much less than the wall time."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_bound(workers: int) -> float:
    """MB that this process and its workers cannot have exceeded together: its own peak resident set plus
    ``workers`` times the largest peak of its reaped children. Free to read, unlike PSS, and an upper
    bound for the sampled PSS peak (a page shared after fork is counted in each process here)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers * child) / 1024


def run_one(n: int, in_memory: bool = False, workers: int | None = None) -> dict[str, float]:
    t0 = time.perf_counter()
    claims, docs = synthetic(n)
    t_gen = time.perf_counter() - t0
    kinds: dict[str, int] = {}
    if in_memory:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with _PeakSampler() as sampler:
            t1, c1 = time.perf_counter(), _cpu()
            rec = reconcile(claims, docs)
            t_rec, c_rec = time.perf_counter() - t1, _cpu() - c1
        for f in rec.findings:
            kinds[f.type] = kinds.get(f.type, 0) + 1
        statements, variables, findings, stories = len(rec.statements), len(rec.variables), len(rec.findings), 1
        t_store = 0.0
    else:
        with tempfile.TemporaryDirectory() as tmp:
            t1 = time.perf_counter()
            ledger = _store(claims, docs, Path(tmp) / "bench.db")
            t_store = time.perf_counter() - t1
            del claims, docs
            gc.collect()
            rss_before = _PeakSampler().proc.memory_info().rss / 2**20
            with _PeakSampler() as sampler:
                t1, c1 = time.perf_counter(), _cpu()
                counts = reconcile_stories(ledger, workers=workers or os.cpu_count() or 1)
                t_rec, c_rec = time.perf_counter() - t1, _cpu() - c1
            ledger.close()
        kinds = dict(counts.by_type)
        kinds["repeated_same_id"] = counts.repeated_findings
        statements, variables, findings, stories = counts.statements, counts.variables, counts.findings, counts.stories
    return {
        "claims": n,
        "stories": stories,
        "generate_s": round(t_gen, 2),
        "store_s": round(t_store, 2),
        "reconcile_s": round(t_rec, 2),
        "reconcile_cpu_s": round(c_rec, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "claims_per_s": round(n / max(t_rec, 1e-9)),
        "sampler_cpu_s": round(sampler.cpu, 2),
        "peak_rss_mb": round(sampler.peak / 2**20, 1),
        "peak_bound_mb": round(_peak_bound(0 if in_memory else (workers or os.cpu_count() or 1)), 1),
        "rss_before_mb": round(rss_before, 1),
        "statements": statements,
        "variables": variables,
        "findings": findings,
        **{f"findings_{k}": v for k, v in sorted(kinds.items())},
    }


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--one":
        print(json.dumps(run_one(int(argv[1]), in_memory=argv[2] == "memory")))
        return 0
    in_memory = "--in-memory" in argv
    sizes = [int(a) for a in argv if a != "--in-memory"] or [10_000, 100_000, 1_000_000]
    rows = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "memory" if in_memory else "ledger"],
            capture_output=True, text=True, check=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        how = "in memory, one call" if in_memory else f"{row['stories']:,} stories from the ledger"
        print(
            f"{n:>9,} claims ({how}): reconcile {row['reconcile_s']:7.2f} s, {row['claims_per_s']:,} claims/s "
            f"({row['reconcile_cpu_s']:.1f} CPU s, of which {row['sampler_cpu_s']:.1f} s measuring the memory; "
            f"load average {row['load_average']}), "
            f"peak memory {row['peak_rss_mb']:8.1f} MB (PSS of the process and its workers, sampled each second; "
            f"at most {row['peak_bound_mb']:.1f} MB, their peak resident sets summed; "
            f"{row['rss_before_mb']:.1f} MB before); {row['statements']:,} statements, "
            f"{row['variables']:,} variables, {row['findings']:,} findings; storing took {row['store_s']:.1f} s",
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
