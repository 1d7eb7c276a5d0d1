"""The segmenter on text written for these tests; its words come from crosscount/data/segment.toml."""

from __future__ import annotations

from crosscount.lexicon import data_file
from crosscount.segment import split


def sentences(text: str) -> list[str]:
    return [s.text for s in split(text)[1]]


def clauses(text: str) -> list[str]:
    sent = split(text)[1][0]
    return [text[a:b] for a, b in sent.clauses]


def test_an_abbreviation_from_the_data_file_does_not_end_a_sentence() -> None:
    assert sentences("Gen. Okafor said on Jan. 4 that 30 were hurt. The army agreed.") == [
        "Gen. Okafor said on Jan. 4 that 30 were hurt.",
        "The army agreed.",
    ]


def test_a_sentence_opener_after_a_dotted_acronym_starts_a_new_sentence() -> None:
    assert sentences("Aid arrived from the U.N. The convoy was late.") == [
        "Aid arrived from the U.N.",
        "The convoy was late.",
    ]
    # a name after the acronym goes on
    assert len(sentences("The U.N. Refugee Agency said 40 fled.")) == 1


def test_an_ellipsis_opener_from_the_data_file_starts_a_clause() -> None:
    text = "Twelve guards were killed in the raid, another 30 wounded."
    assert clauses(text) == ["Twelve guards were killed in the raid", "another 30 wounded."]
    text = "One convoy was hit by drones, the second by artillery."
    assert clauses(text)[-1] == "the second by artillery."


def test_the_segmenter_words_live_in_the_data_file() -> None:
    data = data_file("segment.toml")
    assert "jan" in data["sentences"]["abbreviations"]
    assert "the" in data["sentences"]["openers"]
    assert "another" in data["clauses"]["ellipsis_openers"]
