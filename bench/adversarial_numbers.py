"""The number finder on hostile text: ms per KB for each generator beside ordinary news text.

    .venv/bin/python bench/adversarial_numbers.py [--sizes 4,16,64] [--repeat 3]

Each generator repeats one pattern that once made `find_figures` super-linear (every prefix of
a run of number words tried; lookbacks over the whole run). Ordinary text is the development
set's articles (../shared/eval/dev/dev.docs.jsonl) joined, cut to the same size. A linear finder
shows a flat ms/KB column as the size grows; the last column is the ratio to ordinary text at the
same size (issue 11 asks for at most 20x at 64 KB).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from crosscount.numbers import find_figures

DEV_DOCS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "dev.docs.jsonl"

GENERATORS: dict[str, str] = {
    "number words": "one two three four five six seven eight nine ten ",
    "one word repeated": "twenty ",
    "hundred and": "five hundred and ",
    "ones, commas": "1, ",
    "one in one": "1 in ",
    "one out of": "one out of ",
    "hyphen words": "one-",
    "digit dashes": "1-",
    "magnitudes": "thousand million ",
    "qualifiers": "more than about ",
    "fractions": "a half of a third of ",
    "date ranges": "November 24-30 ",
    "space groups": "1 000 ",
}


def ordinary_text() -> str:
    if not DEV_DOCS.is_file():
        sys.exit(f"development set not found at {DEV_DOCS}")
    lines = DEV_DOCS.read_text(encoding="utf-8").splitlines()
    return "\n\n".join(json.loads(line)["text"] for line in lines if line.strip())


def sized(pattern: str, kb: int) -> str:
    n = kb * 1024
    return (pattern * (n // len(pattern) + 1))[:n]


def ms_per_kb(func: Callable[[str], object], text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        func(text)
        best = min(best, time.perf_counter() - t0)
    return best * 1000 / (len(text) / 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="4,16,64", help="sizes in KB, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    news = ordinary_text()
    while len(news) < max(sizes) * 1024:
        news += "\n\n" + news
    find_figures("warm up: 12 soldiers")
    baseline = {kb: ms_per_kb(find_figures, news[: kb * 1024], args.repeat) for kb in sizes}
    header = "generator".ljust(20) + "".join(f"{kb:>8} KB" for kb in sizes) + "   x news"
    print(header)
    print("ordinary news".ljust(20) + "".join(f"{baseline[kb]:>11.2f}" for kb in sizes) + "      1.0")
    for name, pattern in GENERATORS.items():
        row = [ms_per_kb(find_figures, sized(pattern, kb), args.repeat) for kb in sizes]
        ratio = row[-1] / baseline[sizes[-1]]
        print(name.ljust(20) + "".join(f"{v:>11.2f}" for v in row) + f"{ratio:>9.1f}")
    print("(ms per KB, best of", args.repeat, "runs)")


if __name__ == "__main__":
    main()
