"""crosscount.timing: which date dates a figure (as_of), carried across sentences, and its window.

Sentences written for these tests; the published date is Wednesday 22 January 2025 unless stated.
"""

from __future__ import annotations

import pytest

from crosscount.extract import Extractor
from crosscount.models import Claim

PUB = "2025-01-22"  # a Wednesday


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor(use_model=False)


def claim(ex: Extractor, text: str, figure: str, published: str | None = PUB) -> Claim:
    found = [c for c in ex.extract(text, published=published) if c.figure.endswith(figure)]
    assert found, [c.figure for c in ex.extract(text, published=published)]
    return found[0]


def as_of(ex: Extractor, text: str, figure: str, published: str | None = PUB) -> str | None:
    return claim(ex, text, figure, published).as_of


# --------------------------------------------------------------------------- the reporting act


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The ministry said on Monday that 40 soldiers were killed in the fighting.", "2025-01-20"),
        ("The ministry announced Monday that 40 soldiers were killed in the fighting.", "2025-01-20"),
        ("Forty soldiers were killed in the fighting, the ministry reported on January 13.", "2025-01-13"),
        ("At least 40 soldiers were killed, the army said in a statement on January 18.", "2025-01-18"),
    ],
)
def test_the_date_of_the_reporting_act_dates_a_figure_without_its_own(ex: Extractor, text: str, value: str) -> None:
    assert as_of(ex, text, "40" if "40" in text else "Forty") == value


def test_the_reporting_date_wins_over_a_date_inside_a_relative_clause(ex: Extractor) -> None:
    text = "The storm that struck the coast late on Friday has killed 80 people, officials said on Sunday."
    c = claim(ex, text, "80")
    assert c.as_of == "2025-01-19"
    assert "as_of:report_date" in c.rules


def test_a_report_issued_on_a_day_dates_its_figures(ex: Extractor) -> None:
    text = (
        "The flood that hit the valley on Friday evening left 120 people dead, according to a report "
        "issued by the interior ministry at 7:00 pm on Saturday."
    )
    assert as_of(ex, text, "120") == "2025-01-18"


def test_the_statement_date_carries_to_its_later_sentences(ex: Extractor) -> None:
    text = (
        "The army said in a statement on Saturday that 12 soldiers had died in the clashes.\n\n"
        "Another 30 soldiers were wounded over two days of fighting, it said."
    )
    c = claim(ex, text, "30")
    assert c.as_of == "2025-01-18"
    assert "as_of:statement_carry" in c.rules


def test_a_statement_date_does_not_carry_to_a_new_named_source(ex: Extractor) -> None:
    text = (
        "The army said in a statement on Saturday that 12 soldiers had died in the clashes. "
        "A regional governor told reporters 30 civilians were wounded."
    )
    assert as_of(ex, text, "30") is None


# --------------------------------------------------------------------------- unrelated clauses


def test_a_date_of_another_participle_does_not_date_the_count(ex: Extractor) -> None:
    text = "About 11,000 troops were deployed to help reclaim parts of the region seized in an offensive in August."
    assert as_of(ex, text, "11,000") is None


def test_a_date_after_a_second_participle_belongs_to_its_noun(ex: Extractor) -> None:
    text = "More than 60 people have been killed during protests sparked by a court ruling in mid-October."
    assert as_of(ex, text, "60") is None


def test_a_date_used_as_a_modifier_of_an_event_does_not_date_the_count(ex: Extractor) -> None:
    text = "Officials said 300 people were injured in the Jan. 6 quake and its aftershocks."
    assert as_of(ex, text, "300") is None
    text = "Officials said 300 people were injured in last week's quake."
    assert as_of(ex, text, "300") is None


def test_a_subordinate_clause_with_its_own_verb_does_not_date_the_count(ex: Extractor) -> None:
    text = "Some 70 people remain missing after a ferry carrying passengers capsized off the island on January 14."
    assert as_of(ex, text, "70") is None


def test_a_date_on_the_figures_own_verb_still_dates_it(ex: Extractor) -> None:
    assert as_of(ex, "At least 40 people were killed by shelling on Monday.", "40") == "2025-01-20"
    text = "At least 40 people, including 12 children, died in clashes on Monday."
    assert as_of(ex, text, "40") == "2025-01-20"


def test_since_opens_a_window_and_is_not_the_as_of(ex: Extractor) -> None:
    c = claim(ex, "Since early December, 300 soldiers have been killed.", "300")
    assert c.as_of is None


def test_a_duration_is_not_a_date(ex: Extractor) -> None:
    assert as_of(ex, "In just seven days, 300 soldiers were killed.", "300") is None


# --------------------------------------------------------------------------- periods end where they end


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Between July and October last year, 300 soldiers were killed.", "2024-10"),
        ("In the January–March period, 300 soldiers were killed.", "2025-03"),
        ("During January and February, 300 soldiers were killed.", "2025-02"),
        ("Last year, 300 soldiers were killed.", "2024"),
        ("In February of last year, 300 soldiers were killed.", "2024-02"),
        ("From July 16 to Aug. 4, 300 soldiers were killed.", "2024-08-04"),
    ],
)
def test_a_period_dates_a_figure_at_its_end(ex: Extractor, text: str, value: str) -> None:
    assert as_of(ex, text, "300", published="2025-04-10") == value


# --------------------------------------------------------------------------- month-days without a year


def test_a_month_day_without_a_year_is_the_latest_one_before_publication(ex: Extractor) -> None:
    assert as_of(ex, "On November 1, 300 soldiers were killed.", "300") == "2024-11-01"


def test_a_month_day_in_a_future_sentence_is_the_next_one(ex: Extractor) -> None:
    assert as_of(ex, "The army will deploy 3,000 soldiers on November 1.", "3,000") == "2025-11-01"


# --------------------------------------------------------------------------- now cues


def test_a_now_cue_holds_at_the_published_date(ex: Extractor) -> None:
    assert as_of(ex, "So far, 40 people have died, the agency said.", "40") == PUB
    assert as_of(ex, "The death toll now stands at 93.", "93") == PUB


def test_a_now_cue_holds_at_the_statement_date_when_the_sentence_gives_one(ex: Extractor) -> None:
    text = "Late on Monday night, the mayor's office said the death toll was now 36."
    assert as_of(ex, text, "36") == "2025-01-20"


def test_a_rate_with_a_now_cue_holds_at_the_month(ex: Extractor) -> None:
    text = "According to the latest data, the army is losing about 90 of its soldiers every day."
    assert as_of(ex, text, "90") == "2025-01"


def test_the_last_week_is_reported_at_its_month(ex: Extractor) -> None:
    text = "Rights monitors reported that over the last week alone, more than 70 people were killed."
    assert as_of(ex, text, "70") == "2025-01"


# --------------------------------------------------------------------------- windows (issue 9)


@pytest.mark.parametrize(
    ("text", "figure", "window"),
    [
        ("Since early December, 300 soldiers have been killed.", "300", ("cumulative", "2024-12", None)),
        ("A total of 300 soldiers have been killed since the war began.", "300", ("cumulative", None, None)),
        ("The total number killed so far is 3,000.", "3,000", ("cumulative", None, PUB)),
        ("In the past 24 hours, 40 soldiers were killed.", "40", ("period", None, "2025-01")),
        ("Last week, 40 soldiers were killed.", "40", ("period", None, "2025-01")),
        ("In January, 40 soldiers were killed.", "40", ("period", "2025-01", "2025-01")),
        ("Between July and October last year, 300 soldiers were killed.", "300", ("period", "2024-07", "2024-10")),
        ("Over the weekend, 12 people died in clashes.", "12", ("incident", "2025-01-18", "2025-01-18")),
        (
            "Forty people were killed in an overnight strike on Monday.",
            "Forty",
            ("incident", "2025-01-20", "2025-01-20"),
        ),
        ("The army said 40 soldiers were killed.", "40", (None, None, None)),
    ],
)
def test_window_kind_start_and_end(
    ex: Extractor, text: str, figure: str, window: tuple[str | None, str | None, str | None]
) -> None:
    c = claim(ex, text, figure)
    assert (c.window_kind, c.window_start, c.window_end) == window


def test_the_cue_nearest_the_figure_sets_its_window(ex: Extractor) -> None:
    text = "Forty people were killed in an overnight strike on Monday, bringing the death toll to 45,000."
    assert claim(ex, text, "Forty").window_kind == "incident"
    assert claim(ex, text, "45,000").window_kind == "cumulative"


def test_a_rate_is_not_a_period_by_its_rate_words(ex: Extractor) -> None:
    text = "The army is losing about 90 of its soldiers every day since early December."
    c = claim(ex, text, "90")
    assert (c.unit, c.window_kind, c.window_start) == ("persons_per_day", "cumulative", "2024-12")


def test_the_window_is_in_the_extract_output(ex: Extractor) -> None:
    row = claim(ex, "Since early December, 300 soldiers have been killed.", "300").to_dict()
    assert (row["window_kind"], row["window_start"], row["window_end"]) == ("cumulative", "2024-12", None)


def test_clashes_are_not_one_incident(ex: Extractor) -> None:
    text = "Some 500 demonstrators died in clashes with riot police, a rights group said."
    assert claim(ex, text, "500").window_kind is None


def test_a_date_of_a_subordinate_clause_does_not_make_a_period(ex: Extractor) -> None:
    text = "When the quake struck in September 2023, it displaced some 500,000 people."
    assert claim(ex, text, "500,000").window_kind is None


# --------------------------------------------------------------------------- the document's "now"


def test_an_undated_page_takes_its_year_from_the_url_path() -> None:
    """No published date, but the page's address says March 2031: "On 4 February" is that year's."""
    ex = Extractor(use_model=False)
    text = "Floods hit the valley.\nOn 4 February, the regional governor said that 312 people had died."
    with_url = ex.extract(text, url="https://news.example/en/2031/03/valley-floods/")
    assert [c.as_of for c in with_url] == ["2031-02-04"]
    assert [c.as_of for c in ex.extract(text)] == [None]  # nothing says which year


def test_a_published_date_outranks_the_url() -> None:
    ex = Extractor(use_model=False)
    text = "On 4 February, the regional governor said that 312 people had died."
    claims = ex.extract(text, published="2032-02-10", url="https://news.example/2031/03/floods/")
    assert [c.as_of for c in claims] == ["2032-02-04"]


def test_a_relative_clause_ended_by_a_comma_does_not_keep_the_report_date_from_the_figure() -> None:
    ex = Extractor(use_model=False)
    text = "At least 120 people were on the ferry that sank, the coast guard said on Monday."
    assert [c.as_of for c in ex.extract(text, published=PUB)] == ["2025-01-20"]
    inside = "At least 120 people died in the storm that hit the coast on Monday."
    assert [c.as_of for c in ex.extract(inside, published=PUB)] == [None]  # the storm's date, not the count's


def test_a_day_later_counts_from_the_last_day_the_text_gave() -> None:
    ex = Extractor(use_model=False)
    text = (
        "On 3 February, a ministry spokeswoman put the number of dead above 1,400.\n"
        "A day later, an aid official said 1,900 people had died.\n"
        "The next day, officials said 2,300 had died."
    )
    got = {c.figure: c.as_of for c in ex.extract(text, published="2025-03-01")}
    assert got == {"above 1,400": "2025-02-03", "1,900": "2025-02-04", "2,300": "2025-02-05"}
    # with no day given before, "the next week" is still read against the published date
    from crosscount.dates import RefDate, find_time_mentions

    [mention] = find_time_mentions("the next week", RefDate(2025, 1, 22))
    assert mention.rule != "following_unit"
