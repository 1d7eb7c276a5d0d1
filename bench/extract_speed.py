"""Extraction speed: crosscount against quantulum3 on the same articles, in the same run.

    .venv/bin/python bench/extract_speed.py [--articles 1000] [--seeds] [--no-quantulum]

Articles are the development set's real news excerpts (../shared/eval/dev/dev.docs.jsonl; the five
seeds with --seeds) repeated to --articles. Prints, for crosscount and quantulum3, the median
ms/article and articles/s in wall time and in CPU time (CPU time is what to compare on a busy
machine), their ratio, the share of sentences that reached the NLP model, and where crosscount's
time goes (profiled over one pass, self time grouped by stage). quantulum3 is installed for the
benchmark only (requirements/bench.txt) and runs without its scikit-learn unit classifier, as it
does when scikit-learn is absent: whether another package happens to install scikit-learn must not
change the baseline.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"

# Self time grouped by where it is spent: file path fragment -> stage.
STAGES = (
    ("crosscount/numbers.py", "figures (numbers.py)"),
    ("crosscount/dates.py", "dates (dates.py)"),
    ("crosscount/timing.py", "as-of and window (timing.py)"),
    ("crosscount/attribution.py", "attribution rules (attribution.py)"),
    ("crosscount/speech.py", "speech component (speech.py)"),
    ("crosscount/segment.py", "sentences (segment.py)"),
    ("crosscount/resolve.py", "names (resolve.py)"),
    ("crosscount/filters.py", "filters (filters.py)"),
    ("crosscount/extract.py", "measure, subject, glue (extract.py)"),
    ("spacy", "NLP model (spaCy/thinc)"),
    ("thinc", "NLP model (spaCy/thinc)"),
    ("numpy", "NLP model (spaCy/thinc)"),
    ("blis", "NLP model (spaCy/thinc)"),
    ("/re/", "regular expressions"),
    ("{method", "builtins"),
    ("{built-in", "builtins"),
)


def load_articles(n: int, seeds: bool) -> list[tuple[str, str, str | None]]:
    """(id, text, published) articles, repeated to n."""
    if seeds:
        paths = sorted((SHARED / "seeds").glob("*.txt"))
        texts = [(p.name, p.read_text(encoding="utf-8"), "2025-01-22") for p in paths]
    else:
        path = SHARED / "eval" / "dev" / "dev.docs.jsonl"
        if not path.exists():
            sys.exit(f"no development set at {path}")
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        texts = [(r["id"], r["text"], r.get("published")) for r in records]
    if not texts:
        sys.exit("no articles")
    return [texts[i % len(texts)] for i in range(n)]


Article = tuple[str, str, str | None]
Extract = Callable[[str, str, str | None], object]


def time_each(func: Extract, articles: list[Article]) -> tuple[list[float], float, float]:
    """Per-article wall ms, total wall s, total CPU s."""
    times = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for name, text, published in articles:
        t0 = time.perf_counter()
        func(name, text, published)
        times.append((time.perf_counter() - t0) * 1000)
    return times, time.perf_counter() - wall0, time.process_time() - cpu0


def where_time_goes(func: Extract, articles: list[Article]) -> None:
    profile = cProfile.Profile()
    profile.enable()
    for name, text, published in articles:
        func(name, text, published)
    profile.disable()
    stats = pstats.Stats(profile)
    by_stage: dict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _line, _func), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        total += tottime
        stage = next((label for fragment, label in STAGES if fragment in filename), "other")
        by_stage[stage] += tottime
    print("where the time goes (self time, profiled over one pass):")
    for stage, seconds in sorted(by_stage.items(), key=lambda item: -item[1]):
        print(f"  {stage:<40} {seconds / total:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seeds", action="store_true", help="the five seed articles instead of the dev set")
    parser.add_argument(
        "--quantulum-articles",
        type=int,
        default=200,
        help="quantulum3 is slow; its figures are taken over this many articles",
    )
    parser.add_argument("--no-quantulum", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    articles = load_articles(args.articles, args.seeds)

    from crosscount.extract import Extractor

    extractor = Extractor()

    def crosscount_extract(name: str, text: str, published: str | None) -> object:
        return extractor.extract(text, published=published, doc=name)

    crosscount_extract(*articles[0])  # load data (and model) once
    extractor.sentences_seen = extractor.sentences_to_model = 0
    cc_times, cc_wall, cc_cpu = time_each(crosscount_extract, articles)
    cc_median = statistics.median(cc_times)
    print(
        f"crosscount  : {len(articles)} articles, median {cc_median:.2f} ms/article, "
        f"{len(articles) / cc_wall:.1f} articles/s wall, {1000 * cc_cpu / len(articles):.2f} ms CPU/article"
    )
    share = extractor.sentences_to_model / max(1, extractor.sentences_seen)
    print(
        f"model share : {extractor.sentences_to_model} of {extractor.sentences_seen} sentences reached the NLP model "
        f"({share:.1%}): sentences with a figure and a reporting word that one plain frame does not settle, "
        "parsed in one batch per article"
    )
    if not args.no_profile:
        distinct = articles[: min(len(articles), 64)]
        where_time_goes(crosscount_extract, distinct)
    if args.no_quantulum:
        return
    try:
        import quantulum3.classifier as qclassifier
        from quantulum3 import parser as qparser
    except ImportError:
        print("quantulum3 not installed: pip install -r requirements/bench.txt")
        return
    qclassifier.USE_CLF = False  # its pickled scikit-learn model is optional and version-bound

    def quantulum_parse(name: str, text: str, published: str | None) -> object:
        return qparser.parse(text)

    quantulum_parse(*articles[0])  # warm-up (its first call loads its data)
    q_articles = articles[: args.quantulum_articles]
    q_times, q_wall, q_cpu = time_each(quantulum_parse, q_articles)
    q_median = statistics.median(q_times)
    print(
        f"quantulum3  : {len(q_articles)} articles, median {q_median:.2f} ms/article, "
        f"{len(q_articles) / q_wall:.1f} articles/s wall, {1000 * q_cpu / len(q_articles):.2f} ms CPU/article"
    )
    cc_rate = len(articles) / cc_wall
    q_rate = len(q_articles) / q_wall
    cpu_ratio = (q_cpu / len(q_articles)) / (cc_cpu / len(articles))
    print(
        f"ratio       : crosscount {cc_rate / q_rate:.1f}x quantulum3's articles/s (wall), "
        f"{cpu_ratio:.1f}x in CPU time, {q_median / cc_median:.1f}x by median ms/article"
    )


if __name__ == "__main__":
    main()
