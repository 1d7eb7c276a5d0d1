"""Properties of the number finder and of a document's guarded extraction on generated text (issue 11).

Whatever the text: no exception, low <= high, every offset inside the text and the figure exactly the
text at its offsets, the same result twice, finite values only, and claims that serialise as strict
JSON (no NaN, no Infinity). Hypothesis runs with a fixed seed (``derandomize``) and a bounded number of
examples, so ``make test`` is repeatable and its time bounded.
"""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosscount.extract import Extractor
from crosscount.guard import DocFailure, extract_guarded
from crosscount.models import Document
from crosscount.numbers import find_figures

# Pieces of news text and of hostile text: figures in every written form, words that make or unmake a
# claim, punctuation that ends or splits sentences, and characters that hide inside figures.
_PIECES = [
    "12", "1,000", "1.5", "2,500,000", "10 000", "1 million", "3.2bn", "40%", "300-400", "between 5 and 9",
    "more than 200", "at least", "nearly", "dozens", "hundreds", "a third", "one in five", "twenty-one",
    "seventy", "thousand", "thousands", "million", "2023", "99999", "1" + "0" * 40, "9" * 400, "0.000001",
    "people", "were killed", "died", "injured", "missing", "displaced", "troops", "Egyptians", "migrants",
    "police said", "according to the ministry", "officials said on Monday", "the UN said", "he said",
    "in Gaza", "near Kyiv", "on March 3", "last week", "3000 years ago", "800000 days ago", "by the year",
    "Mr.", "Dr.", "U.S.", "No. 5", "page 12", "$40", "€3m", "aged 12", "(", ")", ",", ".", ";", ":", "-",
    "—", "\"", "'", "\n", "\n\n", " ", "\u200b", "\u200c", "\u200d", "\u200f", "\u00ad", "\u00a0", "\u2009",
    "\u202f", "\ufe0f\u20e3", "\ufeff", "\x00", "\t", "\u2028", "…",
]

_NEWSY = st.lists(st.sampled_from(_PIECES), min_size=0, max_size=40).map(" ".join)
_ANY = st.text(max_size=200)
_MIXED = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=8)), max_size=30).map("".join)
TEXTS = st.one_of(_NEWSY, _MIXED, _ANY)

SLOW = [HealthCheck.too_slow]
_EXTRACTOR: Extractor | None = None


def _extractor() -> Extractor:
    global _EXTRACTOR
    if _EXTRACTOR is None:
        _EXTRACTOR = Extractor()
    return _EXTRACTOR


def _bounded(low: float | None, high: float | None) -> None:
    for value in (low, high):
        assert value is None or math.isfinite(value)
    if low is not None and high is not None:
        assert low <= high


@settings(derandomize=True, database=None, max_examples=400, deadline=None, suppress_health_check=SLOW)
@given(TEXTS)
def test_the_number_finder_on_any_text(text: str) -> None:
    figures = find_figures(text)
    assert figures == find_figures(text)
    end = 0
    for figure in figures:
        assert end <= figure.start <= figure.value_text_start < figure.end <= len(text)
        assert text[figure.start : figure.end] == figure.figure
        _bounded(figure.low, figure.high)
        end = figure.end


@settings(derandomize=True, database=None, max_examples=120, deadline=None, suppress_health_check=SLOW)
@given(TEXTS)
def test_a_guarded_extraction_on_any_text(text: str) -> None:
    doc = Document("generated.txt", text, published="2025-03-04")
    claims = extract_guarded(_extractor(), doc, budget=30)
    assert not isinstance(claims, DocFailure), claims  # no exception in any stage
    again = extract_guarded(_extractor(), doc, budget=30)
    assert not isinstance(again, DocFailure)
    assert [c.to_dict() for c in claims] == [c.to_dict() for c in again]
    for claim in claims:
        assert claim.doc == "generated.txt"
        assert 0 <= claim.start < claim.end <= len(text)
        assert text[claim.start : claim.end] == claim.figure
        _bounded(claim.low, claim.high)
        json.loads(json.dumps(claim.to_dict(with_rules=True), allow_nan=False))  # strict JSON
