"""Extraction speed: crosscount against quantulum3 on the same articles, in the same run.

    .venv/bin/python bench/extract_speed.py [--articles 1000] [--no-quantulum]

Articles are the five seeds (read from ../shared/seeds) repeated. Prints median ms/article and
articles/s for crosscount and quantulum3, their ratio, and the share of sentences that reached the
NLP model. quantulum3 is installed for the benchmark only (requirements/bench.txt).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def load_articles(n: int) -> list[tuple[str, str]]:
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    if not texts:
        sys.exit(f"no seed articles in {SEEDS}")
    return [texts[i % len(texts)] for i in range(n)]


def time_each(func: object, articles: list[tuple[str, str]]) -> list[float]:
    times = []
    for name, text in articles:
        t0 = time.perf_counter()
        func(name, text)  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument(
        "--quantulum-articles",
        type=int,
        default=200,
        help="quantulum3 is slow; its median is taken over this many articles",
    )
    parser.add_argument("--no-quantulum", action="store_true")
    args = parser.parse_args()
    articles = load_articles(args.articles)

    from crosscount.extract import Extractor

    extractor = Extractor()
    published = "2025-01-22"
    extractor.extract(articles[0][1], published=published, doc="warmup")  # load data (and model) once
    extractor.sentences_seen = extractor.sentences_to_model = 0
    t0 = time.perf_counter()
    cc_times = time_each(lambda name, text: extractor.extract(text, published=published, doc=name), articles)
    cc_wall = time.perf_counter() - t0
    cc_median = statistics.median(cc_times)
    print(
        f"crosscount  : {len(articles)} articles, median {cc_median:.2f} ms/article, "
        f"{len(articles) / cc_wall:.1f} articles/s"
    )
    share = extractor.sentences_to_model / max(1, extractor.sentences_seen)
    print(
        f"model share : {extractor.sentences_to_model} of {extractor.sentences_seen} sentences reached the NLP model "
        f"({share:.1%})"
    )
    if args.no_quantulum:
        return
    try:
        from quantulum3 import parser as qparser
    except ImportError:
        print("quantulum3 not installed: pip install -r requirements/bench.txt")
        return
    qparser.parse(articles[0][1])  # warm-up (its first call loads its data)
    q_articles = articles[: args.quantulum_articles]
    t0 = time.perf_counter()
    q_times = time_each(lambda name, text: qparser.parse(text), q_articles)
    q_wall = time.perf_counter() - t0
    q_median = statistics.median(q_times)
    print(
        f"quantulum3  : {len(q_articles)} articles, median {q_median:.2f} ms/article, "
        f"{len(q_articles) / q_wall:.1f} articles/s"
    )
    print(f"ratio       : crosscount is {q_median / cc_median:.1f}x faster than quantulum3 (median ms/article)")


if __name__ == "__main__":
    main()
