"""Date cases from two public projects' test suites (../shared/eval/peers/dates.jsonl), scored as
its README says: in-scope cases only, on `news_input`, against `ref`; a system mention matches an
expected date when it overlaps its span and its value is one of the accepted values; a case is exact
when every expected date is matched and no dated mention stands outside the expected and ignored
spans (a "now" cue is never extra). The share of exact cases is printed and held per suite.

The cases are read from ../shared at run time, never copied here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from crosscount.dates import RefDate, TimeMention, find_time_mentions

FLOOR = 0.60  # issue 8: >= 0.60 for dates in each suite


@dataclass(slots=True)
class SuiteScore:
    cases: int = 0
    exact: int = 0
    coarser: int = 0  # exact if "right but coarser" values passed
    as_written: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.exact / self.cases if self.cases else 0.0


def _overlaps(t: TimeMention, s: int, e: int) -> bool:
    return t.start < e and s < t.end


def _coarser(value: str, accept: list[str]) -> bool:
    return any(a != value and a.startswith(value) for a in accept)


def _score_case(text: str, case: dict[str, Any]) -> tuple[bool, bool]:
    """(exact, exact if right-but-coarser values passed) for one case on one input text."""
    mentions = find_time_mentions(text, RefDate.from_iso(case["ref"]))
    expected = case["expected"]
    exact = coarse = True
    for exp in expected:
        hits = [t for t in mentions if _overlaps(t, exp["s"], exp["e"]) and t.value is not None]
        if not any(t.value in exp["accept"] for t in hits):
            exact = False
            if not any(t.value is not None and _coarser(t.value, exp["accept"]) for t in hits):
                coarse = False
    spans = [(x["s"], x["e"]) for x in expected] + [(int(a), int(b)) for a, b in case.get("ignore", [])]
    for t in mentions:
        if t.value is None or t.role == "now":
            continue
        if not any(_overlaps(t, s, e) for s, e in spans):
            exact = coarse = False
    return exact, coarse


def score_suites(path: Path) -> dict[str, SuiteScore]:
    scores: dict[str, SuiteScore] = defaultdict(SuiteScore)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        if case.get("scope") != "in":
            continue
        sc = scores[case["suite"]]
        sc.cases += 1
        exact, coarse = _score_case(case["news_input"], case)
        sc.exact += exact
        sc.coarser += coarse
        sc.as_written += _score_case(case["input"], case)[0]
        if not exact:
            got = [(t.text, t.value) for t in find_time_mentions(case["news_input"], RefDate.from_iso(case["ref"]))]
            want = [(x["text"], x["accept"]) for x in case["expected"]]
            sc.failures.append(f"{case['id']}: {case['news_input']!r} want {want} got {got}")
    return dict(scores)


@pytest.fixture(scope="module")
def scores(shared_dir: Path) -> dict[str, SuiteScore]:
    return score_suites(shared_dir / "eval" / "peers" / "dates.jsonl")


def test_peer_date_suites_hold_the_floor(scores: dict[str, SuiteScore]) -> None:
    assert set(scores) == {"recognizers-datetime", "duckling-time"}
    for suite, sc in sorted(scores.items()):
        print(
            f"{suite}: exact {sc.exact}/{sc.cases} = {sc.share:.3f}; right but coarser "
            f"{sc.coarser / sc.cases:.3f}; as written {sc.as_written / sc.cases:.3f}"
        )
    low = {suite: round(sc.share, 3) for suite, sc in scores.items() if sc.share < FLOOR}
    assert not low, low


def test_the_scorer_counts_an_extra_date_as_wrong_and_a_now_cue_as_not() -> None:
    case = {"ref": "2025-01-22", "expected": [{"s": 0, "e": 11, "accept": ["2024-03-03"]}], "ignore": []}
    assert _score_case("On March 3rd it was cold.", case) == (True, True)
    assert _score_case("On March 3rd it was cold, and in 2023 too.", case) == (False, False)
    assert _score_case("On March 3rd it was cold so far.", case) == (True, True)
    assert _score_case("In March it was cold.", case) == (False, True)  # right but coarser
