"""What a figure counts: the head-noun lookup past modifiers, verbs and adverbs (sentences written for these tests)."""

from __future__ import annotations

import pytest

from crosscount import extract
from crosscount.lexicon import lexicon


def claims_of(text: str) -> dict[str, tuple[str, str | None]]:
    return {c.figure: (c.measure, c.subject) for c in extract(text, published="2025-03-12", doc="t")}


@pytest.mark.parametrize(
    ("sentence", "figure", "measure", "subject"),
    [
        # modifiers between the figure and its people noun
        ("Workers said 320 recently recovered bodies had been buried near the dam.", "320", "killed", None),
        ("The army said 35 UN soldiers were wounded in the ambush.", "35", "wounded", None),
        ("Officials said eight border security personnel were killed overnight.", "eight", "killed", None),
        ("Hundreds of exhausted hill villagers fled the fighting on Tuesday.", "Hundreds", "displaced", None),
        # "N of the M nouns", "of our/its nouns"
        ("The coroner said 41 of the 60 victims have been identified so far.", "41", None, "victims"),
        ("The colonel confirmed the death of three of our bravest soldiers.", "three", "killed", None),
        ("The navy said it had lost two of its sailors in the storm.", "two", None, None),
        # a singular people noun after an ordinal: the second protester to be hanged
        ("He was the second protester to be hanged this month, the group said.", "the second", "killed", None),
        # nouns for people the vocabulary now knows
        ("Two peacekeepers were killed when the convoy was shelled.", "Two", "killed", "peacekeepers"),
        ("At least 90 nationals were missing after the ferry sank, the embassy said.", "At least 90", "missing", None),
        ("Another 430 corpses lay in the city morgue, the doctor said.", "430", "killed", None),
    ],
)
def test_a_figure_reaches_its_people_noun_past_modifiers(
    sentence: str, figure: str, measure: str | None, subject: str | None
) -> None:
    got = claims_of(sentence)
    assert figure in got, got
    if measure is not None:
        assert got[figure][0] == measure, got
    if subject is not None:
        assert got[figure][1] == subject, got


@pytest.mark.parametrize(
    ("sentence", "figure", "measure"),
    [
        # a verb right after the figure: the figure stands alone and the clause's cue names the measure
        (
            "On Friday 52 died in the blaze, and dozens more suffered severe burns and other injuries.",
            "dozens",
            "wounded",
        ),
        ("The toll rose to 80, up from the 31 reported earlier in the day.", "31", "killed"),
        # an adverb right after the figure: an ellipsis of the measure before it
        ("Some 900 people were hurt, 120 seriously, the health office said.", "120", "wounded"),
    ],
)
def test_a_verb_or_adverb_after_the_figure_leaves_the_figure_alone(sentence: str, figure: str, measure: str) -> None:
    got = claims_of(sentence)
    assert got.get(figure, (None,))[0] == measure, got


@pytest.mark.parametrize(
    ("sentence", "figure"),
    [
        ("The rebels shot down 6 transport jets over the border.", "6"),
        ("Fire destroyed 300 square kilometres of forest around the village.", "300"),
        ("Thousands of badly damaged buildings collapsed, the mayor said.", "Thousands"),  # no noun: no "-ed" verb
        ("The navy said four other ships joined the search for the dead.", "four"),  # "other" is no "others"
        ("Thousands of academic staff are being treated as second-class workers, the union said.", "Thousands"),
    ],
)
def test_a_figure_of_things_or_a_noun_outside_the_lookahead_is_no_claim(sentence: str, figure: str) -> None:
    assert figure not in claims_of(sentence)


def test_the_head_noun_words_live_in_the_data_file() -> None:
    lex = lexicon()
    assert {"the", "whom", "were"} <= lex.head_function_words
    assert {"our", "its"} <= lex.of_determiners
    assert lex.head_lookahead >= 2
    assert "korean" not in lex.head_modifiers and "russian" not in lex.head_modifiers
