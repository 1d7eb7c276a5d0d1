"""Extraction speed: crosscount against quantulum3 on the same articles, in the same run.

    .venv/bin/python bench/extract_speed.py [--articles 1000] [--seeds] [--no-quantulum]

Articles are the development set's real news excerpts (../shared/eval/dev/dev.docs.jsonl; the five
seeds with --seeds) repeated to --articles. crosscount extracts them as every engine does, through
the guarded batch driver (crosscount.guard.extract_many_guarded: the parse batched over a few
articles, each article under its own guard and time budget); --one-at-a-time also times
Extractor.extract called on each article alone. The contestants take turns over --rounds rounds, so
that other work starting or stopping on the machine falls on all of them. Prints, for each, ms/article
and articles/s in wall time and ms/article in CPU time (CPU time is what to compare on a busy machine),
the ratios, the share of sentences that reached the NLP model, and where crosscount's time goes
(profiled over one pass, self time grouped by stage). quantulum3 is installed for the
benchmark only (requirements/bench.txt) and runs without its scikit-learn unit classifier, as it
does when scikit-learn is absent: whether another package happens to install scikit-learn must not
change the baseline.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"

# Self time grouped by where it is spent: fragment of the file path (or, for builtins, of the
# function's name) -> stage. The first fragment found wins.
STAGES = (
    ("crosscount/model.py", "NLP model (spaCy/thinc)"),
    ("crosscount/guard.py", "guard (time budget, batches)"),
    ("_thread.lock", "guard (time budget, batches)"),
    ("crosscount/people.py", "titled people (people.py)"),
    ("re.Pattern", "regular expressions"),
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
    ("<method", "builtins"),
    ("<built-in", "builtins"),
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
Run = Callable[[list[Article]], object]


class Tally:
    """Wall and CPU seconds and articles, summed over the rounds one contestant ran."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.articles = 0
        self.wall = 0.0
        self.cpu = 0.0

    def time(self, run: Run, articles: list[Article]) -> None:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        run(articles)
        self.wall += time.perf_counter() - wall0
        self.cpu += time.process_time() - cpu0
        self.articles += len(articles)

    @property
    def rate(self) -> float:
        return self.articles / self.wall if self.wall else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / max(1, self.articles)

    def line(self) -> str:
        wall_ms = 1000 * self.wall / max(1, self.articles)
        return (
            f"{self.name:<12}: {self.articles} articles, {wall_ms:.2f} ms/article wall, "
            f"{self.rate:.1f} articles/s wall, {self.cpu_ms:.2f} ms CPU/article"
        )


def where_time_goes(run: Run, articles: list[Article]) -> None:
    profile = cProfile.Profile()
    profile.enable()
    run(articles)
    profile.disable()
    stats = pstats.Stats(profile)
    by_stage: dict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _line, func), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        total += tottime
        where = func if filename == "~" else filename
        stage = next((label for fragment, label in STAGES if fragment in where), "other")
        by_stage[stage] += tottime
    print("where the time goes (self time, profiled over one pass):")
    for stage, seconds in sorted(by_stage.items(), key=lambda item: -item[1]):
        print(f"  {stage:<40} {seconds / total:6.1%}")


def chunks(items: list[Article], parts: int) -> list[list[Article]]:
    size = -(-len(items) // parts)
    return [items[i : i + size] for i in range(0, len(items), size)]


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
    parser.add_argument("--rounds", type=int, default=10, help="turns the contestants take, so load changes hit all")
    parser.add_argument("--no-quantulum", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--one-at-a-time", action="store_true", help="also time Extractor.extract called on each article alone"
    )
    args = parser.parse_args()
    articles = load_articles(args.articles, args.seeds)

    from crosscount.extract import Extractor
    from crosscount.guard import BATCH_DOCUMENTS, extract_many_guarded
    from crosscount.models import Document

    extractor = Extractor()
    documents = {
        (name, text): Document(id=name, text=text, published=published) for name, text, published in set(articles)
    }

    def crosscount_batched(batch: list[Article]) -> object:
        return extract_many_guarded(extractor, [documents[(name, text)] for name, text, _ in batch])

    alone = Extractor()  # its own counts (the parser is shared)

    def crosscount_alone(batch: list[Article]) -> object:
        return [alone.extract(text, published=published, doc=name) for name, text, published in batch]

    contestants: list[tuple[Tally, Run, list[Article]]] = [(Tally("crosscount"), crosscount_batched, articles)]
    if args.one_at_a_time:
        contestants.append((Tally("one at a time"), crosscount_alone, articles))
    crosscount_batched(articles[:1])  # load data and model once
    crosscount_alone(articles[:1])
    if not args.no_quantulum:
        try:
            import quantulum3.classifier as qclassifier
            from quantulum3 import parser as qparser
        except ImportError:
            print("quantulum3 not installed: pip install -r requirements/bench.txt")
        else:
            qclassifier.USE_CLF = False  # its pickled scikit-learn model is optional and version-bound

            def quantulum_parse(batch: list[Article]) -> object:
                return [qparser.parse(text) for _name, text, _published in batch]

            quantulum_parse(articles[:1])  # warm-up (its first call loads its data)
            contestants.append((Tally("quantulum3"), quantulum_parse, articles[: args.quantulum_articles]))

    extractor.sentences_seen = extractor.sentences_to_model = 0
    load_before = os.getloadavg()[0]
    # Round-robin: each contestant runs a slice of its articles in turn, so a change in the machine's
    # load (other work on the cores) falls on all of them alike.
    parts = [chunks(items, args.rounds) for _tally, _run, items in contestants]
    for round_ in range(args.rounds):
        for (tally, run, _items), slices in zip(contestants, parts, strict=True):
            if round_ < len(slices):
                tally.time(run, slices[round_])
    load_after = os.getloadavg()[0]
    tallies = {tally.name: tally for tally, _run, _items in contestants}
    cc = tallies["crosscount"]
    print(
        f"crosscount extracts through the engines' guarded batch driver (the parse batched over {BATCH_DOCUMENTS} "
        f"articles); {args.rounds} interleaved rounds; load average {load_before:.1f} -> {load_after:.1f}"
    )
    for tally in tallies.values():
        print(tally.line())
    share = extractor.sentences_to_model / max(1, extractor.sentences_seen)
    print(
        f"model share : {extractor.sentences_to_model} of {extractor.sentences_seen} sentences reached the NLP model "
        f"({share:.1%}): sentences with a figure and a reporting word that one plain frame does not settle"
    )
    if "one at a time" in tallies:
        alone = tallies["one at a time"]
        print(f"batching    : {alone.cpu_ms / cc.cpu_ms:.2f}x less CPU per article than one article at a time")
    if "quantulum3" in tallies:
        q = tallies["quantulum3"]
        print(
            f"ratio       : crosscount {cc.rate / q.rate:.1f}x quantulum3's articles/s (wall), "
            f"{q.cpu_ms / cc.cpu_ms:.1f}x in CPU time"
        )
    if not args.no_profile:
        where_time_goes(crosscount_batched, sorted(set(articles))[:64])


if __name__ == "__main__":
    main()
