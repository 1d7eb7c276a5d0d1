"""Scale: articles/s and peak memory of extraction on 1 process, the local engine and Dask.

    .venv/bin/python bench/scale.py [--articles 100000] [--small 10000] [--workers 2] [--seed 7]

The corpus is composed here from sentence templates (figures, sources, places and dates drawn with a
fixed seed) and written as JSONL.gz shards of 5,000 articles into a temporary folder, removed at the
end. For each of two sizes (``--small`` and ``--articles``) it runs:

- one process: a plain loop over the documents with one Extractor (the baseline);
- ``run_extraction(engine="local", workers=N)``;
- ``run_extraction(engine="dask", workers=N)`` on a LocalCluster on 127.0.0.1;

and prints articles/s, the speed-up over one process, and peak memory: the RSS of the driver plus
every worker process, sampled every 0.2 s with psutil. Flat memory means the peak at the large size is
about the peak at the small one.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------------------------------
# The corpus: articles composed from templates (none of this text comes from a real article)

_PLACES = ["Valdora", "the northern province", "Karsk Bay", "the river delta", "Port Amsel", "the eastern border",
           "Lindmoor", "the capital", "the coastal districts", "Tessaro"]
_EVENTS = [
    ("the earthquake", "quake"), ("the floods", "flood"), ("the offensive", "war"), ("the cyclone", "storm"),
    ("the clashes", "war"), ("the landslides", "flood"), ("the protests", "unrest"),
]
_SOURCES = [
    "the health ministry", "the regional governor", "the UN refugee agency", "the Red Cross",
    "the interior ministry", "local officials", "the defence ministry", "the civil protection agency",
    "a police spokesman", "the national disaster agency",
]
_OUTLETS = ["Northern Ledger", "Harbour Times", "Daily Meridian", "Coastline Wire", "The Evening Post",
            "Capital Herald"]
_QUALIFIED = ["at least {n}", "about {n}", "more than {n}", "nearly {n}", "{n}", "some {n}"]
_OPENERS = [
    "{Event} has killed {q} people in {place}, {source} said on {day}.",
    "The death toll from {event} in {place} rose to {q}, according to {source}.",
    "{Source} said {q} people had died in {event} as of {day}.",
]
_BODY = [
    "{Source} said {q} people were wounded and {q2} remained missing.",
    "More than {n} residents have been displaced since {event} began, {source} said.",
    "According to {source}, {q} people were injured in {place}.",
    "Police arrested {q} people in {place} on {day}, {source} said.",
    "{Source} reported that {q} people had been evacuated from {place}.",
    "The government deployed {n} soldiers to {place} on {day}.",
    "Aid groups said {q} families were living in temporary shelters.",
    "Rescue teams worked through the night in {place}.",
    "Roads into {place} were closed and power was cut to several districts.",
    "Earlier estimates from {source2} had put the number of dead at {q2}.",
    "{Source2} said about {pct} percent of homes in {place} were damaged.",
    "Officials warned that the toll could rise as crews reached remote villages.",
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _figure(rng: random.Random, low: int, high: int) -> int:
    n = rng.randint(low, high)
    return n if n < 100 else round(n, -1) if n < 5000 else round(n, -2)


def _fmt(n: int) -> str:
    return f"{n:,}"


def compose_article(rng: random.Random, number: int) -> dict[str, Any]:
    """One article as a JSONL record: id, outlet, url, title, published, text."""
    published = date(2024, 1, 1) + timedelta(days=rng.randint(0, 500))
    event, _ = rng.choice(_EVENTS)
    place = rng.choice(_PLACES)

    def fill(template: str) -> str:
        source, source2 = rng.sample(_SOURCES, 2)
        n = _figure(rng, 3, 40_000)
        values = {
            "event": event, "Event": event[0].upper() + event[1:], "place": place, "source": source,
            "Source": source[0].upper() + source[1:], "source2": source2,
            "Source2": source2[0].upper() + source2[1:],
            "q": rng.choice(_QUALIFIED).format(n=_fmt(_figure(rng, 3, 2_000))),
            "q2": rng.choice(_QUALIFIED).format(n=_fmt(_figure(rng, 3, 900))),
            "n": _fmt(n), "pct": str(rng.randint(5, 80)),
            "day": rng.choice(_WEEKDAYS),
        }
        return template.format(**values)

    sentences = [fill(rng.choice(_OPENERS))]
    sentences += [fill(t) for t in rng.sample(_BODY, rng.randint(4, 8))]
    paragraphs = [" ".join(sentences[i:i + 2]) for i in range(0, len(sentences), 2)]
    title = f"Toll from {event} in {place} climbs"
    outlet = rng.choice(_OUTLETS)
    return {
        "id": f"article-{number:07d}",
        "outlet": outlet,
        "url": f"https://news.example/{outlet.lower().replace(' ', '-')}/{number}",
        "title": title,
        "published": published.isoformat(),
        "text": title + "\n\n" + "\n\n".join(paragraphs),
    }


def compose_corpus(n: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for number in range(n):
        yield compose_article(rng, number)


def write_corpus(folder: Path, n: int, seed: int, shard_size: int = 5000) -> list[Path]:
    """The corpus as JSONL.gz shards of ``shard_size`` articles; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    records = compose_corpus(n, seed)
    for start in range(0, n, shard_size):
        paths.append(folder / f"articles-{len(paths):04d}.jsonl.gz")
        with gzip.open(paths[-1], "wt", encoding="utf-8", compresslevel=1) as handle:
            for _ in range(min(shard_size, n - start)):
                handle.write(json.dumps(next(records), ensure_ascii=False) + "\n")
    return paths


# --------------------------------------------------------------------------------------------------
# Measuring


class PeakRSS:
    """Peak of the summed RSS of this process and all its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.2) -> None:
        import psutil  # type: ignore[import-untyped,unused-ignore]

        self._me = psutil.Process()
        self._psutil = psutil
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        total = 0
        for proc in [self._me, *self._me.children(recursive=True)]:
            with contextlib.suppress(self._psutil.NoSuchProcess, self._psutil.AccessDenied):
                total += proc.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def single_process(inputs: list[Path]) -> tuple[int, int]:
    """(documents, claims) with a plain loop in this process: the baseline."""
    from crosscount.extract import Extractor
    from crosscount.scale import iter_inputs

    extractor = Extractor()
    docs = claims = 0
    for doc in iter_inputs(inputs):
        claims += len(extractor.extract_document(doc))
        docs += 1
    return docs, claims


def measure(label: str, job: Callable[[], tuple[int, int]]) -> dict[str, Any]:
    with PeakRSS() as rss:
        t0 = time.perf_counter()
        docs, claims = job()
        elapsed = time.perf_counter() - t0
    row = {"label": label, "docs": docs, "claims": claims, "seconds": elapsed,
           "rate": docs / elapsed, "peak_mb": rss.peak / 1e6}
    print(f"  {label:<22} {docs:>7} articles {claims:>8} claims {elapsed:8.1f} s "
          f"{row['rate']:8.1f} articles/s  peak RSS {row['peak_mb']:7.0f} MB", flush=True)
    return row


def measure_in_subprocess(label: str, engine: str, inputs: list[Path], workers: int) -> dict[str, Any]:
    import json
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--one", engine, "--label", label, "--workers", str(workers),
         *(str(p) for p in inputs)],
        check=True, capture_output=True, text=True,
    ).stdout
    lines = out.strip().splitlines()
    print(lines[0], flush=True)
    row: dict[str, Any] = json.loads(lines[-1])
    return row


def run_one(engine: str, label: str, workers: int, inputs: list[Path]) -> None:
    import json

    from crosscount.scale import run_extraction

    def job() -> tuple[int, int]:
        if engine == "single":
            return single_process(inputs)
        summary = run_extraction(inputs, engine=engine, workers=workers)
        return summary.extracted, summary.claims

    row = measure(label, job)
    print(json.dumps(row))


def _spin(n: int) -> float:
    t0 = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i % 7
    return time.perf_counter() - t0


def calibrate(workers: int, n: int = 15_000_000) -> float:
    """What this machine gives N processes: N × (one spin alone) / (one spin among N in parallel).

    A pure-Python loop, no I/O: the ceiling any engine can reach here (shared or throttled vCPUs
    show up as a ceiling below N)."""
    import multiprocessing

    alone = _spin(n)
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        together = pool.map(_spin, [n] * workers)
    return workers * alone / max(together)


def bench_size(
    folder: Path, n: int, seed: int, workers: int, skip_single: bool, base_rate: float | None = None
) -> list[dict[str, Any]]:

    corpus = folder / f"corpus-{n}"
    t0 = time.perf_counter()
    inputs = write_corpus(corpus, n, seed)
    print(f"\n{n:,} articles in {len(inputs)} JSONL.gz shards (written in {time.perf_counter() - t0:.1f} s)",
          flush=True)

    # Each measurement runs in a fresh process, so that one's memory high-water mark (or the corpus
    # writer's) does not count in the next: "flat" compares like with like.
    rows = []
    if not skip_single:
        rows.append(measure_in_subprocess("1 process", "single", inputs, workers))
    rows.append(measure_in_subprocess(f"local, {workers} processes", "local", inputs, workers))
    rows.append(measure_in_subprocess(f"dask, {workers} workers", "dask", inputs, workers))
    base = rows[0]["rate"] if rows[0]["label"] == "1 process" else base_rate
    if base:
        basis = "" if rows[0]["label"] == "1 process" else " (one process measured at the small size)"
        for row in rows:
            if row["label"] != "1 process":
                print(f"  speed-up {row['label']:<22} {row['rate'] / base:.2f}x one process{basis}")
    shutil.rmtree(corpus)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000, help="the large size")
    parser.add_argument("--small", type=int, default=10_000, help="the small size (0: skip it)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-single", action="store_true", help="no 1-process baseline at the large size")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # internal: one measurement
    parser.add_argument("--label", default="", help=argparse.SUPPRESS)
    parser.add_argument("inputs", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.label, args.workers, [Path(p) for p in args.inputs])
        return
    try:
        import distributed  # noqa: F401
        import psutil  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError as err:
        sys.exit(f"{err}: pip install 'crosscount[dask]' psutil")
    ceiling = calibrate(args.workers)
    print(f"machine ceiling: {args.workers} processes of a pure-Python loop run {ceiling:.2f}x one process")
    results: dict[int, list[dict[str, Any]]] = {}
    base_rate: float | None = None
    with tempfile.TemporaryDirectory(prefix="crosscount-bench-") as tmp:
        sizes = [s for s in (args.small, args.articles) if s > 0]
        for i, n in enumerate(dict.fromkeys(sizes)):
            skip = args.skip_single and i > 0
            results[n] = bench_size(Path(tmp), n, args.seed, args.workers, skip, base_rate)
            if results[n][0]["label"] == "1 process":
                base_rate = results[n][0]["rate"]
    if len(results) == 2:
        (small, rows_small), (large, rows_large) = results.items()
        print(f"\npeak RSS, {small:,} -> {large:,} articles (driver + workers):")
        by_label = {row["label"]: row for row in rows_small}
        for row in rows_large:
            before = by_label.get(row["label"])
            if before:
                print(f"  {row['label']:<22} {before['peak_mb']:7.0f} MB -> {row['peak_mb']:7.0f} MB "
                      f"({row['peak_mb'] / before['peak_mb']:.2f}x)")


if __name__ == "__main__":
    main()
