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


def test_data_rows_under_a_lead_in_count_what_the_lead_in_counted() -> None:
    text = (
        "The relief office said 640 people had died across the valley, by district:\n"
        "Northfield: 210\n"
        "Eastmoor: 95\n"
    )
    got = claims_of(text)
    assert got["210"][0] == "killed" and got["95"][0] == "killed", got


def test_data_rows_under_a_speakers_lead_in_are_its_statement() -> None:
    text = (
        "The relief office said 640 people had died across the valley.\n"
        "The Northern Valley Health Directorate said in a statement:\n"
        "Northfield: 210\n"
        "Eastmoor: 95\n"
    )
    got = {c.figure: (c.source_text, c.rules) for c in extract(text, published="2025-03-12")}
    assert got["210"][0] == got["95"][0] == "The Northern Valley Health Directorate", got
    assert "source:list_lead_in" in got["95"][1]


def test_a_data_row_with_nothing_counted_before_it_is_no_claim() -> None:
    assert claims_of("Opening hours\nMonday: 9\nTuesday: 10\n") == {}


def test_the_number_refers_back_to_the_count_just_before() -> None:
    text = "Dozens of villagers were missing on Friday. By Sunday the mayor said the number was 140."
    assert claims_of(text)["140"][0] == "missing"


def test_several_before_a_people_noun_past_a_modifier_is_a_figure() -> None:
    got = {c.figure: (c.low, c.high) for c in extract("Some 40 were killed, several police officers among them.")}
    assert got["several"] == (3, 9)


def test_a_breakdown_after_a_sentence_with_several_figures_keeps_the_whole_figures_source() -> None:
    # 210 is a part of the 300 killed, not of the 40 seriously injured that closes the sentence before
    text = (
        "The storm killed 300 people and injured 120, including 40 seriously, according to the civil defence "
        "agency. It caused 210 deaths in the port district and 90 in the hills."
    )
    got = {c.figure: (c.source, c.rules) for c in extract(text, published="2025-03-12")}
    assert got["210"][0] == got["300"][0] is not None
    assert "source:paragraph_carry" in got["210"][1]


def test_verbs_of_killing_by_hand_are_killed_cues() -> None:
    got = claims_of("The court said he was convicted of fatally stabbing three members of the border guard.")
    assert got["three"][0] == "killed", got


def test_a_cue_past_another_figure_is_that_figure_s() -> None:
    # "rescued" is 60's own verb; "bodies" belongs to the 14 that stands before it
    claims = {c.figure: c for c in extract("So far 60 people have been rescued and 14 bodies recovered.")}
    assert claims["60"].measure == "other"
    assert claims["14"].measure == "killed"
    # with no cue of its own, a figure still takes the one past the other figure
    claims = {c.figure: c for c in extract("Rescuers found 12 and then 30 more bodies in the hold.")}
    assert claims["30"].measure == "killed"


def test_a_cue_word_that_only_modifies_a_noun_for_things_counts_no_people() -> None:
    from crosscount import extract as run

    text = "Fire razed 90 displacement camps on Sunday and left about 4,000 people without shelter."
    got = {c.figure for c in run(text, published="2025-03-12")}
    assert got == {"about 4,000"}
    # a cue before a people word, or before another cue, still counts people
    got = {c.figure for c in run("Overnight the cyclone in the valley made hundreds of survivors homeless.",
                                 published="2025-03-12")}
    assert got == {"hundreds"}


def test_the_victims_an_identification_counts_are_the_dead() -> None:
    text = (
        "The agency said on Sunday that it had identified nearly 2,000 victims.\n\n"
        "So far, 41 of the 88 victims have been identified.\n\n"
        "The embassy has identified 9 nationals who were rescued."
    )
    got = {c.figure: c.measure for c in extract(text, published="2025-03-12", doc="t")}
    assert got["nearly 2,000"] == "killed" and got["41"] == "killed"
    assert got["9"] == "other"  # the living identified: not the dead


def test_a_sentence_opening_of_those_breaks_down_the_previous_figure_and_an_age_bracket_is_no_place() -> None:
    text = (
        "The county police have released the names of 41 of the dead. "
        "Of those, 12 were in their 80s, with another 9 in their 70s."
    )
    got = {c.figure: (c.measure, c.source) for c in extract(text, published="2025-03-12", doc="t")}
    assert got["12"] == ("killed", "county police") and got["9"] == ("killed", "county police")
