"""Hostile runs the extractor must read in time close to linear (issue 11; bench/adversarial.py measures
them all). Each text is written for the test. A pattern that backtracks over a whole run is one call into
the regex engine, which no time budget can interrupt, so the hostile texts run in a child process with a
timeout far above what a linear reading needs (a second or two) and far below what the quadratic one took.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crosscount.lexicon import lexicon
from crosscount.people import DocumentPeople

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("run", ["Mr. " * 8192, "minister " * 3641, "Gen. Col. " * 3277])
def test_a_run_of_titles_is_read_in_linear_time(run: str) -> None:
    # before: every try at a name stacked all the titles to the end of the run and backed off one by one
    # (8 KB of "Mr. " took 10 s in the people scan, 32 KB several minutes)
    code = "import sys\nfrom crosscount.lexicon import lexicon\nfrom crosscount.people import DocumentPeople\n" \
           "DocumentPeople.scan(sys.stdin.read(), lexicon())\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, "-c", code], input=run, text=True, env=env, check=True, timeout=90)


def test_stacked_titles_still_name_their_person() -> None:
    text = ("Deputy Prime Minister Gen. Tomas Arvo Lind said 40 soldiers were killed. "
            "The agency's director, Rena Holt Vik, said 12 were missing.")
    found = {p.name: p for p in DocumentPeople.scan(text, lexicon()).people}
    assert "Tomas Arvo Lind" in found and found["Tomas Arvo Lind"].title in {"minister", "gen"}
    assert "Rena Holt Vik" in found and found["Rena Holt Vik"].title == "director"


def test_a_run_with_no_sentence_end_is_cut_into_bounded_sentences_at_spaces() -> None:
    from crosscount.segment import MAX_SENTENCE, split

    run = "The ministry said 40 were killed and the army said more " * 120  # about 6,700 characters, no stop
    text = "Rescuers said 12 people died on Monday. " + run
    _, sentences = split(text)
    assert sentences[0].text == "Rescuers said 12 people died on Monday."  # an ordinary sentence is left whole
    pieces = sentences[1:]
    assert len(pieces) >= len(run) // MAX_SENTENCE and all(len(s.text) <= MAX_SENTENCE for s in pieces)
    for s in pieces:
        assert text[s.start : s.end] == s.text and not s.text[0].isspace() and not s.text[-1].isspace()
        assert s.end == len(text.rstrip()) or text[s.end] == " "  # cut at a space, never inside a word
    assert " ".join(s.text for s in pieces) == run.strip()


def test_a_long_line_counts_its_words_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from crosscount import filters

    counted: list[int] = []
    real = filters._WORD

    class Counting:
        def findall(self, text: str) -> list[str]:
            counted.append(len(text))
            return real.findall(text)

    monkeypatch.setattr(filters, "_WORD", Counting())
    line = "Officials said 1,000 were killed and 400 were hurt in the north, and 30 more in the south. " * 40
    from crosscount.extract import extract

    claims = extract(line)
    assert len(claims) > 40
    assert sum(1 for n in counted if n >= len(line) - 1) <= 2, "the whole line's words were counted per figure"


def test_the_officials_a_text_names_are_looked_up_once_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import re as real_re

    extract_module = importlib.import_module("crosscount.extract")  # the package exports a function of that name

    looked: list[int] = []

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(real_re, name)

        def search(self, pattern: str, text: str, *args: Any) -> Any:
            if "officials|sources" in pattern:
                looked.append(len(text))
            return real_re.search(pattern, text, *args)

    monkeypatch.setattr(extract_module, "re", Counting())
    text = "Officials said 40 people were killed on Monday. " * 60
    claims = extract_module.extract(text)
    assert len(claims) >= 30 and len(looked) <= 1
