"""Adversarial inputs: ms per KB of extraction for hostile generators, beside ordinary news text.

    .venv/bin/python bench/adversarial.py [--sizes 16,64] [--budget 120] [--only NAME,...]

Each generator writes a text of the given size (KB) from a short pattern repeated; ordinary news is
composed from sentence templates in paragraphs, and once as one long paragraph (the issue's 0.5 MB
single paragraph, at the sizes asked). The generators: the issue's (repeated number words, "1, 1, ...",
"Mr. Mr. ...", "1 in 1 in ...", one long paragraph), characters that show nothing inside figures and in
runs, keycap digits, nesting (brackets and quotes opened and never closed), and a JSONL record nested
thousands deep, which the ingest stage reads and refuses (timed as reading, not extraction). Every text is
extracted once by one warmed Extractor through the guarded path every engine uses (so a generator
that still runs away is cut at ``--budget`` seconds and shown as such). Printed per generator and
size: seconds, ms per KB, and the ratio to ordinary news of the same size. The issue's bar: every
generator at 64 KB within 20x the time of 64 KB of ordinary news.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosscount.extract import Extractor
from crosscount.guard import DocFailure, extract_guarded
from crosscount.models import Document

_SOURCES = ["the health ministry", "the regional governor", "the Red Cross", "local officials", "a police spokesman"]
_SENTENCES = [
    "{Source} said on Monday that {n} people were killed in the floods in the northern province.",
    "According to {source}, at least {n} people were injured and {m} remained missing.",
    "More than {n} residents have been displaced since the storm began, {source} said.",
    "Police arrested {n} people in the capital on Tuesday, {source} told reporters.",
    "Rescue teams worked through the night as roads into the valley were closed.",
    "The government deployed about {n} soldiers to the coastal districts.",
]


def _news_sentences(rng: random.Random) -> str:
    template = rng.choice(_SENTENCES)
    source = rng.choice(_SOURCES)
    return template.format(Source=source[0].upper() + source[1:], source=source, n=rng.randint(2, 5000),
                           m=rng.randint(2, 90))


def _fill(size: int, piece: Callable[[], str]) -> str:
    parts: list[str] = []
    total = 0
    while total < size:
        part = piece()
        parts.append(part)
        total += len(part)
    return "".join(parts)[:size]


def news(size: int) -> str:
    rng = random.Random(7)
    return _fill(size, lambda: " ".join(_news_sentences(rng) for _ in range(3)) + "\n\n")


def news_one_paragraph(size: int) -> str:
    rng = random.Random(7)
    return _fill(size, lambda: _news_sentences(rng) + " ")


def repeat(pattern: str) -> Callable[[int], str]:
    def make(size: int) -> str:
        return (pattern * (size // len(pattern) + 1))[:size]

    return make


GENERATORS: dict[str, Callable[[int], str]] = {
    "news (paragraphs)": news,
    "news (one paragraph)": news_one_paragraph,
    "number words": repeat("one hundred twenty three thousand four hundred fifty six "),
    "1, 1, 1, ...": repeat("1, "),
    "Mr. Mr. ...": repeat("Mr. "),
    "1 in 1 in ...": repeat("1 in "),
    "no punctuation": repeat("the army said soldiers were killed and officials said civilians fled "),
    "capitalised run + said": repeat("North Korean Russian Ukrainian Forces Command Headquarters said 40 died "),
    "periods ......": repeat("."),
    "open quotes": repeat("“officials said 40 were killed "),
    "U.S. U.K. ...": repeat("U.S. U.K. U.N. "),
    "according to ...": repeat("according to according to the ministry "),
    "digits 1234567...": repeat("1234567890"),
    # characters that show nothing, inside and between figures (read as absent by the number finder)
    "invisible in figures": repeat("Officials said 1,\u200b000 were killed and 4\u00ad0\u200c0 hurt. "),
    "invisible run": repeat("\u200b\u200c\u200d\u2060\ufeff\u00ad"),
    "keycap digits": repeat("4\ufe0f\u20e3" "0\ufe0f\u20e3 "),
    # nesting: brackets and quotes opened and never closed, and closed again
    "nested brackets ((((": repeat("(["),
    "nested quotes": repeat("“‘«„ officials said 40 "),
}
INGEST = "nested JSON line (ingest)"  # a JSONL record nested thousands deep: read, refused, timed apart


def nested_json(size: int) -> str:
    depth = max(1, (size - 60) // 2)
    return '{"id": "deep", "text": "Police said 3 were killed.", "x": ' + "[" * depth + "]" * depth + "}\n"


def time_ingest(text: str) -> float:
    """Seconds to read one JSONL file holding ``text`` (the ingest stage refuses the line, one message)."""
    import tempfile

    from crosscount.ingest import iter_documents

    with tempfile.TemporaryDirectory(prefix="crosscount-adversarial-") as tmp:
        path = Path(tmp) / "deep.jsonl"
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        list(iter_documents([path], on_problem=lambda _p: None))
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="16,64", help="text sizes in KB, comma-separated")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds before a text is cut")
    parser.add_argument("--only", default="", help="generator names (substrings), comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    only = [o.strip().lower() for o in args.only.split(",") if o.strip()]
    extractor = Extractor()
    extract_guarded(extractor, Document("warm", news(2048)), budget=args.budget)
    baseline: dict[int, float] = {}
    worst = 0.0
    print(f"{'generator':<26}" + "".join(f"{f'{kb} KB: s  ms/KB  x news':>30}" for kb in sizes) + "  (bar: 20x)")
    for name, make in [*GENERATORS.items(), (INGEST, nested_json)]:
        if only and name != "news (paragraphs)" and not any(o in name.lower() for o in only):
            continue
        row = f"{name:<26}"
        for kb in sizes:
            text = make(kb * 1024)
            result: object = None
            if name == INGEST:
                seconds = time_ingest(text)
            else:
                started = time.perf_counter()
                result = extract_guarded(extractor, Document(name, text), budget=args.budget)
                seconds = time.perf_counter() - started
            if name == "news (paragraphs)":
                baseline[kb] = seconds
            ratio = seconds / baseline[kb] if baseline.get(kb) else 0.0
            cut = " CUT" if isinstance(result, DocFailure) else ""  # cut at the budget: it needed longer still
            if kb == max(sizes):
                worst = max(worst, ratio, float("inf") if cut else 0.0)
            row += f"{seconds:>12.2f}{seconds * 1000 / kb:>9.1f}{ratio:>8.1f}x{cut}"
        print(row + ("  OVER" if ratio > 20 or cut else ""), flush=True)
    print(f"worst ratio at {max(sizes)} KB: {worst:.1f}x ordinary news (the bar: 20x): "
          f"{'every generator within it' if worst <= 20 else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
