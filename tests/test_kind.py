"""The kind component: report, projection or derived (sentences written for these tests)."""

from __future__ import annotations

from crosscount import extract
from crosscount.kind import figure_kind, is_derived
from crosscount.lexicon import lexicon


def kinds(text: str) -> dict[str, str]:
    return {c.figure: c.kind for c in extract(text, published="2025-03-12")}


def test_a_modal_casualty_count_is_a_projection_and_a_past_count_a_report() -> None:
    assert kinds("Officials warned the toll could reach 2,000 dead.")["2,000"] == "projection"
    assert kinds("Officials said 2,000 people were killed.")["2,000"] == "report"


def test_the_component_alone() -> None:
    lex = lexicon()
    assert figure_kind(lex, "as many as 900 could be killed", "killed") == "projection"
    assert figure_kind(lex, "as many as 900 could be deployed", "deployed") == "report"
    assert is_derived(lex, "which represents ", True, None, "own_voice")
    assert not is_derived(lex, "which represents ", True, "Ministry of Health", "parse:subject_of_say")
    assert not is_derived(lex, "which represents ", False, None, "own_voice")


def test_an_expectation_told_in_the_past_tense_is_still_a_projection() -> None:
    text = "On Thursday the mayor announced that the number of missing was expected to fall to around 40."
    assert kinds(text)["around 40"] == "projection"
    assert kinds("The number of missing fell to around 40 on Thursday, the mayor said.")["around 40"] == "report"
