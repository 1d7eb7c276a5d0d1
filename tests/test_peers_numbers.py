"""The number finder against the peer suites' number cases (Recognizers-Text, Duckling).

The cases live in ../shared/eval/peers/numbers.jsonl and are read from there at run time (never
copied here). Scoring follows ../shared/eval/peers/README.md: in-scope cases only; a system
figure matches an expected one when it overlaps its span and its value agrees (a point: the
number as written, low for exact/approx/at_least and high for at_most, shares within 0.05
points, counts exactly, a vague interval holding the value where the case allows it; a bound:
same qualifier and bound; a range: both ends); a case is exact when every expected value is
matched and no extra figure (of the kind the model marks) lies outside the expected spans.
Bare count phrases (`template`) are also scored in context: "<phrase> people were killed,
officials said." through `crosscount.extract` and `find_figures`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import crosscount
from crosscount.numbers import Figure, find_figures

FLOOR = 0.90
CONTEXT = "{} people were killed, officials said."


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    low: float | None
    high: float | None
    qualifier: str
    is_share: bool


def _from_figure(f: Figure, shift: int = 0) -> Found:
    return Found(f.start - shift, f.end - shift, f.low, f.high, f.qualifier, f.is_share)


def _close(a: float | None, b: float, share: bool) -> bool:
    if a is None:
        return False
    return abs(a - b) <= 0.05 if share else a == b


def _matches(exp: dict[str, Any], f: Found) -> bool:
    if not (f.start < exp["e"] and exp["s"] < f.end):
        return False
    share = bool(exp["share"])
    if f.is_share != share:
        return False
    kind = exp["kind"]
    if kind == "range":
        return f.qualifier == "range" and _close(f.low, exp["lo"], share) and _close(f.high, exp["hi"], share)
    if kind in ("at_least", "at_most"):
        bound = f.low if kind == "at_least" else f.high
        return f.qualifier == kind and _close(bound, exp["v"], share)
    value = float(exp["v"])
    if f.qualifier == "vague":
        return bool(exp.get("vague_ok")) and f.low is not None and f.high is not None and f.low <= value <= f.high
    written = f.high if f.qualifier == "at_most" else f.low
    return _close(written, value, share)


def _counts_as_extra(f: Found, spurious: str) -> bool:
    if spurious == "bounds":
        return f.qualifier in ("range", "at_least", "at_most")
    if spurious == "shares":
        return f.is_share
    return True


def case_right(case: dict[str, Any], found: list[Found]) -> bool:
    expected = case["expected"]
    if not all(any(_matches(e, f) for f in found) for e in expected):
        return False
    for f in found:
        inside = any(f.start < e["e"] and e["s"] < f.end for e in expected)
        if not inside and _counts_as_extra(f, case["spurious"]):
            return False
    return True


def context_right(case: dict[str, Any]) -> bool:
    """A bare count phrase in a news sentence: found by `find_figures` and claimed by `extract`."""
    phrase = case["input"]
    sentence = CONTEXT.format(phrase)
    if not case_right(case, [_from_figure(f) for f in find_figures(sentence)]):
        return False
    claims = [
        Found(c.start, c.end, c.low, c.high, c.qualifier, c.unit == "percent") for c in crosscount.extract(sentence)
    ]
    return all(any(_matches(e, c) for c in claims) for e in case["expected"])


def load_cases(shared: Path) -> list[dict[str, Any]]:
    path = shared / "eval" / "peers" / "numbers.jsonl"
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c for c in cases if c["scope"] == "in"]


def score(cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per suite: cases, right, share right, and in context for the bare count phrases."""
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"cases": 0, "right": 0, "context_cases": 0, "context_right": 0, "wrong": []}
    )
    for case in cases:
        row = out[case["suite"]]
        row["cases"] += 1
        if case_right(case, [_from_figure(f) for f in find_figures(case["input"])]):
            row["right"] += 1
        else:
            row["wrong"].append(case["id"])
        if case.get("template"):
            row["context_cases"] += 1
            if context_right(case):
                row["context_right"] += 1
            else:
                row["wrong"].append(case["id"] + " (in context)")
    for row in out.values():
        row["share"] = row["right"] / row["cases"]
        row["context_share"] = row["context_right"] / row["context_cases"] if row["context_cases"] else 1.0
    return dict(out)


@pytest.fixture(scope="module")
def scores(shared_dir: Path) -> dict[str, dict[str, Any]]:
    return score(load_cases(shared_dir))


def test_peer_suites_are_present_and_in_scope(scores: dict[str, dict[str, Any]]) -> None:
    assert set(scores) == {"recognizers-number", "duckling-numeral"}
    assert all(row["cases"] >= 50 for row in scores.values())


def test_share_right_per_suite_holds_the_floor(scores: dict[str, dict[str, Any]]) -> None:
    for suite, row in sorted(scores.items()):
        print(
            f"{suite}: {row['right']}/{row['cases']} = {row['share']:.3f}; in context "
            f"{row['context_right']}/{row['context_cases']} = {row['context_share']:.3f}"
        )
    failing = {s: (round(r["share"], 3), r["wrong"]) for s, r in scores.items() if r["share"] < FLOOR}
    assert not failing, failing


def test_bare_count_phrases_hold_in_a_news_sentence(scores: dict[str, dict[str, Any]]) -> None:
    failing = {s: round(r["context_share"], 3) for s, r in scores.items() if r["context_share"] < FLOOR}
    assert not failing, {s: (v, scores[s]["wrong"]) for s, v in failing.items()}


def test_the_scorer_rejects_a_wrong_value_and_an_extra_figure() -> None:
    case = {
        "input": "about 40 and 7",
        "expected": [{"s": 6, "e": 8, "share": False, "kind": "point", "v": 40.0}],
        "spurious": "all",
    }
    assert case_right(case, [Found(0, 8, 40.0, 40.0, "approx", False)])
    assert not case_right(case, [Found(0, 8, 41.0, 41.0, "approx", False)])
    assert not case_right(case, [Found(0, 8, 40.0, 40.0, "approx", False), Found(13, 14, 7.0, 7.0, "exact", False)])
    bounds = dict(case, spurious="bounds")
    assert case_right(bounds, [Found(0, 8, 40.0, 40.0, "approx", False), Found(13, 14, 7.0, 7.0, "exact", False)])
