"""Reconcile rules that make the analyst's picture on real corpora, each on claims written for the test."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from crosscount.dates import url_date
from crosscount.models import Claim
from crosscount.present import finding_sentence
from crosscount.reconcile import DocInfo, Reconciliation, reconcile

_counter = 0


def claim(doc: str, low: float | None, high: float | None = None, **kw: Any) -> Claim:
    global _counter
    _counter += 1
    fields: dict[str, Any] = {
        "figure": kw.pop("figure", str(low)),
        "qualifier": "exact",
        "unit": "persons",
        "measure": "killed",
        "subject": "people",
        "location": None,
        "source": "Relief Agency",
        "as_of": None,
        "kind": "report",
    }
    fields.update(kw)
    exact = low if "high" not in kw and high is None and fields["qualifier"] == "exact" else high
    return Claim(doc=doc, start=_counter, end=_counter + 3, low=low, high=exact, **fields)


def docs(*rows: tuple[str, str | None], url: dict[str, str] | None = None) -> dict[str, DocInfo]:
    url = url or {}
    return {d: DocInfo(id=d, outlet=f"Outlet {d}", published=p, story="flood", url=url.get(d)) for d, p in rows}


def conflicts(rec: Reconciliation) -> list[set[float | None]]:
    by_id = {s.id: s for s in rec.statements}
    return [{by_id[i].low for i in f.statements} for f in rec.findings if f.type == "conflict"]


# a story that began a month before the figures below: no "first days" growth excuse applies
EARLY = ("z", "2025-02-01")
ONSET = [claim("z", 5, measure="wounded", as_of="2025-02-01")]


def test_an_unattributed_figure_its_document_gives_to_a_source_is_that_sources() -> None:
    rec = reconcile(
        [
            claim("a", 10000, source=None, measure="missing"),  # the lead: "10,000 are missing"
            claim("a", 10000, None, qualifier="at_least", figure="at least 10,000", measure="missing"),
            claim("b", 10000, measure="missing"),
            claim("a", 70, source=None),  # the outlet's own figure, given by no source: stays its own voice
        ],
        docs(("a", "2025-03-02"), ("b", "2025-03-03")),
    )
    missing = [s for s in rec.statements if s.measure == "missing"]
    assert len(missing) == 1 and missing[0].source == "Relief Agency" and missing[0].docs == ["a", "b"]
    assert [s.source for s in rec.statements if s.measure == "killed"] == ["own voice of Outlet a"]


def test_a_date_in_the_url_path_dates_an_undated_document() -> None:
    assert url_date("https://news.example/2024/07/floods-hit-the-valley") == "2024-07"
    assert url_date("https://news.example/world/2023/09/14/") == "2023-09-14"
    assert url_date("https://news.example/2024/13/x") is None
    assert url_date("https://news.example/story?id=2024/07") is None
    rec = reconcile(
        [claim("a", 120), claim("b", 300, source="Civil Defence")],
        docs(("a", None), ("b", None), url={"a": "https://x.example/2024/07/a", "b": "https://y.example/2024/08/02/b"}),
    )
    dates = {s.low: (s.date, s.date_basis, s.date_note) for s in rec.statements}
    assert dates[120][:2] == ("2024-07", "document date inferred") and "URL" in (dates[120][2] or "")
    assert dates[300][:2] == ("2024-08-02", "document date inferred")


def test_a_floor_is_not_contradicted_by_a_higher_count_given_after_it() -> None:
    d = docs(EARLY, ("a", "2025-03-02"), ("b", "2025-03-09"))
    floor_first = reconcile(
        [
            *ONSET,
            claim("a", 100, None, qualifier="at_least", as_of="2025-03-02"),
            claim("b", 300, source="Civil Defence", as_of="2025-03-09"),
        ],
        d,
    )
    assert conflicts(floor_first) == []
    floor_after = reconcile(
        [
            *ONSET,
            claim("a", 300, as_of="2025-03-02"),
            claim("b", 100, None, qualifier="at_least", source="Civil Defence", as_of="2025-03-09"),
        ],
        d,
    )
    assert conflicts(floor_after) == [{300, 100}]  # a later official floor below an earlier count: flagged
    month_only = reconcile(
        [*ONSET, claim("a", 100, None, qualifier="at_least", as_of="2025-03"), claim("b", 300, source="Civil Defence",
                                                                          as_of="2025-03-09")],
        d,
    )
    assert conflicts(month_only) == [{100, 300}]  # "at least 100" in March may postdate the 9th


def test_a_figure_its_document_sets_beside_a_larger_one_is_a_part_not_a_rival() -> None:
    d = docs(EARLY, ("a", "2025-03-05"), ("b", "2025-03-05"))
    rec = reconcile(
        [
            *ONSET,
            claim("a", 40, None, qualifier="at_least", source=None, as_of="2025-03-04"),  # "40 died on Tuesday alone"
            claim("a", 300, as_of="2025-03-05"),
            claim("a", 1100, measure="arrested", as_of="2025-03-03"),  # "including 1,100 on Monday"
            claim("a", 5500, measure="arrested", as_of="2025-03-04"),
            claim("b", 310, source="Civil Defence", as_of="2025-03-05"),
            claim("b", 5200, source="Civil Defence", measure="arrested", as_of="2025-03-05"),
            claim("b", 1000, source="Police", as_of="2025-03-05"),  # a named rival, well above: a conflict
        ],
        d,
    )
    found = conflicts(rec)
    assert found and all(40 not in c and 1100 not in c for c in found), found
    assert any({300, 1000} <= c for c in found), found


def test_a_part_against_its_whole_is_no_conflict_unless_the_part_exceeds_it() -> None:
    d = docs(EARLY, ("a", "2025-03-05"), ("b", "2025-03-06"))
    below = reconcile(
        [*ONSET, claim("a", 500, location="Lyon"), claim("b", 800, source="Civil Defence", location="France")], d
    )
    assert conflicts(below) == []
    assert len({s.variable for s in below.statements if s.measure == "killed"}) == 1
    above = reconcile(
        [*ONSET, claim("a", 2000, location="Lyon"), claim("b", 800, source="Civil Defence", location="France")], d
    )
    assert conflicts(above) == [{2000, 800}]


def test_evolutions_and_revisions_carry_what_changed_as_typed_fields() -> None:
    rec = reconcile(
        [
            claim("a", 100, as_of="2025-03-02"),
            claim("b", 250, as_of="2025-04-10"),
            claim("c", 180, as_of="2025-05-12"),
        ],
        docs(("a", "2025-03-02"), ("b", "2025-04-10"), ("c", "2025-05-12")),
    )
    by_id = {s.id: s for s in rec.statements}
    growth = [f for f in rec.findings if f.rule == "evolution_same_source_growth"]
    fall = [f for f in rec.findings if f.rule == "revision_same_source_lower"]
    assert len(growth) == 1 and len(fall) == 1
    g = growth[0]
    assert (g.from_value, g.to_value, g.from_date, g.to_date) == (100, 250, "2025-03-02", "2025-04-10")
    assert g.from_sources == g.to_sources == ["Relief Agency"]
    assert [by_id[i].low for i in g.from_statements] == [100] and [by_id[i].low for i in g.to_statements] == [250]
    assert (fall[0].from_value, fall[0].to_value) == (250, 180)
    sentence = finding_sentence(fall[0], by_id)
    assert sentence.startswith("Relief Agency, people · killed: 250 (10 Apr 2025 (stated)) → 180 (12 May 2025")
    assert "revises" in sentence and "2025-04-10" not in sentence


def test_a_precise_unattributed_figure_is_the_one_source_that_gives_it_in_the_story() -> None:
    rec = reconcile(
        [
            claim("a", 1414, source="Coast Guard"),
            claim("b", 1414, source=None),  # carried without naming whose it is
            claim("b", 1400, source=None),  # a round figure names no one
            claim("a", 1400, source="Coast Guard", measure="missing"),
        ],
        docs(("a", "2025-03-02"), ("b", "2025-03-03")),
    )
    by_value = {(s.low, s.measure): s for s in rec.statements}
    assert by_value[(1414, "killed")].source == "Coast Guard" and by_value[(1414, "killed")].docs == ["a", "b"]
    assert by_value[(1400, "killed")].own_voice


def test_one_role_under_two_determiners_and_an_undated_window_is_one_statement() -> None:
    rec = reconcile(
        [
            claim("a", None, 20000, qualifier="at_most", source="its mayor", window_kind="period"),
            claim("b", None, 20000, qualifier="at_most", source="the local mayor"),
            claim("c", 40, source="the city's mayor", window_kind="incident", window_start="2025-03-01",
                  window_end="2025-03-01"),
            claim("d", 40, source="its mayor"),  # a dated window tells a figure apart: two statements
        ],
        docs(("a", "2025-03-02"), ("b", "2025-03-03"), ("c", "2025-03-03"), ("d", "2025-03-04")),
    )
    top = [s for s in rec.statements if s.high == 20000]
    assert len(top) == 1 and sorted(top[0].docs) == ["a", "b"] and top[0].window_kind is None
    assert len([s for s in rec.statements if s.low == 40]) == 2


def test_an_approximate_round_figure_stands_for_what_it_rounds() -> None:
    d = docs(EARLY, ("a", "2025-03-05"), ("b", "2025-03-05"))
    near = reconcile(
        [*ONSET, claim("a", 9000, figure="about 9,000", qualifier="approx"), claim("b", 10100, source="Civil Defence")],
        d,
    )
    assert conflicts(near) == []  # 9,000 ± 500 lies within 10% of 10,100
    exact = reconcile([*ONSET, claim("a", 9000), claim("b", 10100, source="Civil Defence")], d)
    assert conflicts(exact) == [{9000, 10100}]


# -- imperfect extracted claims: dates from precise figures, bare generic names, one speaker, falling stocks


def test_an_undated_document_is_dated_by_a_precise_figure_another_gives_first_whoever_they_name() -> None:
    rec = reconcile(
        [
            claim("a", 11300, source="Red Crescent"),
            # "c" has no date: it gives 11,300 (naming another body as its source) and a count of its own
            claim("c", 11300, source="Coordination Office"),
            claim("c", 3958, None, qualifier="at_least", figure="at least 3,958", source="Health Agency"),
        ],
        docs(("a", "2025-09-14"), ("c", None)),
    )
    health = next(s for s in rec.statements if s.source == "Health Agency")
    assert health.date == "2025-09-14" and health.date_basis == "document date inferred"
    assert health.date_note is not None and "11300" in health.date_note
    # now dated, the two counts of one week are compared
    assert {11300, 3958} <= set().union(*conflicts(rec))


def test_a_round_figure_dates_nothing() -> None:
    rec = reconcile(
        [
            claim("a", 11000, source="Red Crescent"),  # round: many texts may write it independently
            claim("c", 11000, source="Coordination Office"),
        ],
        docs(("a", "2025-09-14"), ("c", None)),
    )
    assert next(s for s in rec.statements if s.docs == ["c"]).date is None


def test_precise_figure_dating_uses_the_earliest_known_occurrence() -> None:
    rec = reconcile(
        [
            claim("m", 1415, source="Red Crescent"),
            claim("n", 1415, source="Coordination Office"),
            claim("p", 1415, source="Health Agency"),
        ],
        {
            "m": DocInfo(id="m", outlet="M", story="flood", url="https://m.example/2025/09/story"),
            "n": DocInfo(id="n", outlet="N", story="flood"),
            "p": DocInfo(id="p", outlet="P", published="2025-10-20", story="flood"),
        },
    )
    by_doc = {s.docs[0]: s for s in rec.statements}
    # 1,415 was known in September (m's URL month): October 20 is no bound on n, which stays undated
    assert by_doc["n"].date is None


def test_a_bare_generic_name_repeating_a_precise_figure_is_the_named_body_whose_name_holds_it() -> None:
    rec = reconcile(
        [
            claim("a", 115, source="Harbor police"),
            claim("b", 115, source="Police"),
            claim("b", 115, source="Governor Lee", measure="killed"),  # another body gives it too: no matter
        ],
        docs(("a", "2025-08-21"), ("b", "2025-08-21")),
    )
    police = [s for s in rec.statements if s.source in ("Harbor police", "Police")]
    assert len(police) == 1 and police[0].source == "Harbor police" and police[0].docs == ["a", "b"]


def test_a_bare_generic_name_stays_apart_when_two_named_bodies_could_be_it_or_the_figure_is_round() -> None:
    rec = reconcile(
        [
            claim("a", 115, source="Harbor police"),
            claim("c", 115, source="Valley police"),
            claim("b", 115, source="Police"),
            claim("a", 400, source="Harbor police"),  # round: "police" may be anyone's 400
            claim("b", 400, source="Police"),
        ],
        docs(("a", "2025-08-21"), ("b", "2025-08-21"), ("c", "2025-08-21")),
    )
    named = sorted(s.source or "" for s in rec.statements if s.low == 115)
    assert named == ["Harbor police", "Police", "Valley police"]
    assert sorted(s.source or "" for s in rec.statements if s.low == 400) == ["Harbor police", "Police"]


def test_one_speakers_figures_in_one_sentence_are_not_rivals_whatever_names_they_were_resolved_to() -> None:
    sentence = "Two medics with the relief mission and seven others of the regional force died, it said."
    rec = reconcile(
        [
            *ONSET,
            claim("a", 2, source="Relief Mission", source_text="it", sentence=sentence, as_of="2025-03-02"),
            claim("a", 7, source="Regional Force", source_text="it", sentence=sentence, as_of="2025-03-02"),
        ],
        docs(EARLY, ("a", "2025-03-02")),
    )
    assert conflicts(rec) == []


def test_the_same_figures_from_two_speakers_still_conflict() -> None:
    rec = reconcile(
        [
            *ONSET,
            claim("a", 2, source="Relief Mission", source_text="the mission", sentence="The mission said two.",
                as_of="2025-03-02"),
            claim("a", 7, source="Regional Force", source_text="the force", sentence="The force said seven.",
                as_of="2025-03-02"),
        ],
        docs(EARLY, ("a", "2025-03-02")),
    )
    assert conflicts(rec) == [{2, 7}]


def test_a_count_of_the_missing_falling_between_periods_is_no_conflict_but_a_toll_falling_is() -> None:
    rows = [
        claim("a", 1000, source="Governor", measure="missing", as_of="2025-03-02"),
        claim("b", 400, source="Police chief", measure="missing", as_of="2025-04-20"),
        claim("a", 1000, source="Governor", as_of="2025-03-02"),
        claim("b", 400, source="Police chief", as_of="2025-04-20"),
    ]
    rec = reconcile([*ONSET, *rows], docs(EARLY, ("a", "2025-03-02"), ("b", "2025-04-20")))
    fell = [f for f in rec.findings if f.rule == "conflict_cumulative_fell"]
    assert [f.measure for f in fell] == ["killed"]


def test_a_document_is_never_dated_past_the_month_its_url_gives_by_a_text_repeating_its_figure() -> None:
    rec = reconcile(
        [
            claim("old", 115, source="Harbor police"),
            claim("old", 30, source="Harbor police", measure="wounded"),
            claim("new", 115, source="Harbor police"),  # a later text: "revised from the 115 it gave before"
        ],
        {
            "old": DocInfo(id="old", outlet="Old", story="flood", url="https://old.example/2025/08/fire"),
            "new": DocInfo(id="new", outlet="New", published="2025-09-17", story="flood"),
        },
    )
    st = next(s for s in rec.statements if s.measure == "wounded")
    assert st.date == "2025-08" and st.date_basis == "document date inferred"


def test_counts_an_order_of_magnitude_apart_are_not_rival_estimates_of_one_count() -> None:
    rec = reconcile(
        [
            *ONSET,
            claim("a", 10, source="Civil Defence", as_of="2025-03-02"),  # a family killed in one strike
            claim("b", 4500, source="Health Ministry", as_of="2025-03-03"),  # the war's toll
            claim("c", 9000, None, qualifier="at_least", source="Monitor", as_of="2025-03-03"),
            claim("d", 30, source="Civil Defence", measure="missing", as_of="2025-03-02"),
            claim("e", 600, None, qualifier="at_least", source="Monitor", measure="missing", as_of="2025-03-03"),
        ],
        docs(EARLY, ("a", "2025-03-02"), ("b", "2025-03-03"), ("c", "2025-03-03"), ("d", "2025-03-02"),
            ("e", "2025-03-03")),
    )
    # 4,500 against at least 9,000 is a conflict; 10 is set against neither, nor 30 against at least 600
    assert conflicts(rec) == [{4500, 9000}]


def test_an_order_of_magnitude_check_can_be_turned_off() -> None:
    from crosscount.reconcile import load_config

    cfg = replace(load_config(), scope_ratio=0)
    rec = reconcile(
        [*ONSET, claim("a", 10, source="Civil Defence", as_of="2025-03-02"),
            claim("b", 4500, source="Health Ministry", as_of="2025-03-03")],
        docs(EARLY, ("a", "2025-03-02"), ("b", "2025-03-03")),
        cfg,
    )
    assert conflicts(rec) == [{10, 4500}]


def test_a_figure_without_a_place_is_of_the_place_most_of_its_storys_figures_name() -> None:
    rows = [
        *ONSET,
        claim("a", 147, None, qualifier="at_least", source="Home Minister", location="Valeria", as_of="2025-03-02"),
        claim("b", 204, None, qualifier="at_least", source="Daily Courier", as_of="2025-03-01"),  # no place
        claim("c", 40, source="Border Police", location="Ostland", as_of="2025-03-02"),
        claim("a", 30, source="Home Minister", measure="wounded", location="Valeria", as_of="2025-03-02"),
    ]
    rec = reconcile(rows, docs(EARLY, ("a", "2025-03-02"), ("b", "2025-03-01"), ("c", "2025-03-02")))
    by_source = {s.source: s for s in rec.statements}
    assert by_source["Daily Courier"].variable == by_source["Home Minister"].variable
    assert by_source["Border Police"].variable != by_source["Home Minister"].variable
    assert {147, 204} in conflicts(rec)


def test_a_figure_without_a_place_stays_apart_when_no_place_holds_most_of_the_story() -> None:
    rows = [
        claim("a", 147, source="Home Minister", location="Valeria", as_of="2025-03-02"),
        claim("b", 204, source="Daily Courier", as_of="2025-03-01"),
        claim("c", 40, source="Border Police", location="Ostland", as_of="2025-03-02"),
    ]
    rec = reconcile(rows, docs(("a", "2025-03-02"), ("b", "2025-03-01"), ("c", "2025-03-02")))
    by_source = {s.source: s for s in rec.statements}
    assert by_source["Daily Courier"].location is None


def test_a_repeat_calling_them_people_is_the_same_sources_statement_that_names_the_group() -> None:
    rec = reconcile(
        [
            claim("a", 700, source="Interior Minister Rana Khan", subject="migrants", as_of="2025-06-23"),
            claim("b", 700, None, qualifier="at_least", source="Rana Khan", subject="people"),
            claim("b", 90, source="Coast Guard", subject="people", measure="missing"),
            claim("c", 90, source="Coast Guard", subject="migrants", measure="missing"),
            claim("c", 90, source="Coast Guard", subject="crew", measure="missing"),  # two groups: no telling
        ],
        docs(("a", "2025-06-23"), ("b", "2025-06-23"), ("c", "2025-06-24")),
    )
    top = [s for s in rec.statements if s.low == 700]
    assert len(top) == 1 and top[0].subject == "migrants" and top[0].docs == ["a", "b"]
    assert sorted(s.subject or "" for s in rec.statements if s.low == 90) == ["crew", "migrants", "people"]


def test_a_window_of_one_kind_left_undated_joins_the_same_sources_dated_window() -> None:
    window = {"window_kind": "period", "window_start": "2025-07-16", "window_end": "2025-08-04"}
    d = docs(("a", "2025-08-16"), ("b", None), ("c", "2025-08-20"))
    dated = claim("a", 400, source="UN", as_of="2025-08-04", **window)
    # the same period, its dates not repeated: one statement
    rec = reconcile([dated, claim("b", 400, source="UN", window_kind="period")], d)
    assert [s.docs for s in rec.statements] == [["a", "b"]]
    # no window said: not known to be that period's count
    rec = reconcile([dated, claim("c", 400, source="UN")], d)
    assert sorted(s.docs for s in rec.statements) == [["a"], ["c"]]


def test_a_period_whose_figures_all_count_another_window_is_no_stage_of_the_running_total() -> None:
    rows = [
        # "In February, 96 people died when their boat smashed into rocks" (another shipwreck)
        claim("a", 96, source="Coast Guard", as_of="2025-02", window_kind="period", window_start="2025-02",
              window_end="2025-02"),
        claim("b", 78, source="Relief Agency", as_of="2025-06-17"),
        claim("c", 82, source="Port Authority", as_of="2025-06-21"),
    ]
    rec = reconcile(rows, docs(("a", "2025-06-15"), ("b", "2025-06-17"), ("c", "2025-06-21")))
    assert [f.rule for f in rec.findings if f.rule.startswith(("conflict_cumulative", "evolution_cumulative"))] == []
    # a running total in February would be one
    rows[0] = claim("a", 96, source="Coast Guard", as_of="2025-02")
    rec = reconcile(rows, docs(("a", "2025-06-15"), ("b", "2025-06-17"), ("c", "2025-06-21")))
    assert [f.rule for f in rec.findings if f.rule.startswith("conflict_cumulative")] == ["conflict_cumulative_fell"]


def test_the_undated_figures_of_one_document_are_compared_with_each_other_only() -> None:
    rows = [
        claim("u", 40, None, qualifier="at_least", source="Interior Ministry"),
        claim("u", 95, None, qualifier="at_least", source="Watch Group"),
        claim("v", 260, source="Harbour Office"),  # another undated document: its time is not known to be the same
    ]
    rec = reconcile(rows, docs(("u", None), ("v", None)))
    assert conflicts(rec) == [{40, 95}]
    found = next(f for f in rec.findings if f.type == "conflict")
    assert "undated document u" in found.text and found.period == "the undated document u"
    assert "Independent sources in one undated document" in found.text and "growth" not in found.text
    sentence = finding_sentence(found, {s.id: s for s in rec.statements})
    assert sentence.startswith("undated · u:") and "independent sources in one undated document" in sentence
    assert all(s.period is None for s in rec.statements)  # no "undated" period on the timeline


def test_a_figure_that_is_another_plus_a_third_beside_them_is_a_part_of_it() -> None:
    d = docs(EARLY, ("a", "2025-03-05"), ("b", "2025-03-04"))
    rows = [
        *ONSET,
        # "1,200 bodies have been buried and 450 more lie in morgues" beside another's "1,650"
        claim("a", 1200, None, qualifier="at_least", source="Health Office", as_of="2025-03-05"),
        claim("b", 1650, source="Relief Agency", as_of="2025-03-04"),
        claim("b", 450, source="Relief Agency", subject="bodies in morgues", as_of="2025-03-04"),
    ]
    assert conflicts(reconcile(rows, d)) == []
    # without the third figure the two are rivals
    assert conflicts(reconcile(rows[:-1], d)) == [{1200, 1650}]
    # a rounded figure adds up to nothing: "nearly 1,650" less 1,200 is near any figure of 450
    rounded = [*rows[:2], replace(rows[2], qualifier="approx", figure="nearly 1,650"), rows[3]]
    assert conflicts(reconcile(rounded, d)) == [{1200, 1650}]


def test_figures_of_one_document_that_add_up_to_another_of_its_figures_are_its_breakdown() -> None:
    rows = [
        claim("u", 520, None, qualifier="at_least", source=None),  # "the toll across both provinces: 520"
        claim("u", 310, source="North Office"),
        claim("u", 170, source="South Office"),
        claim("u", 40, source="Coast Office"),
    ]
    assert conflicts(reconcile(rows, docs(("u", None)))) == []
    # the same figures with no total among them are rivals
    assert conflicts(reconcile(rows[1:], docs(("u", None)))) == [{310, 170, 40}]


def test_a_floor_above_another_sources_range_excludes_it_but_a_floor_below_may_undercount() -> None:
    d = docs(EARLY, ("a", "2025-03-05"), ("b", "2025-03-06"))
    above = [
        *ONSET,
        claim("a", 1000, None, qualifier="at_least", measure="missing", as_of="2025-03-05"),
        claim("b", 600, 800, qualifier="range", source="Civil Defence", measure="missing", as_of="2025-03-06"),
    ]
    assert conflicts(reconcile(above, d)) == [{1000, 600}]
    below = [
        *ONSET,
        claim("a", 850, None, qualifier="at_least", measure="missing", as_of="2025-03-06"),
        claim("b", 1000, source="Civil Defence", measure="missing", as_of="2025-03-05"),
    ]
    assert conflicts(reconcile(below, d)) == []  # 15% apart, within what "at least 850" may leave out


def test_a_count_known_only_by_its_month_may_come_after_a_floor_of_that_month() -> None:
    d = docs(EARLY, ("a", "2025-03-20"), ("b", None))
    rows = [
        *ONSET,
        claim("a", 600, None, qualifier="at_least", measure="arrested", as_of="2025-03-20"),
        claim("b", 900, measure="arrested", source="Civil Defence", as_of="2025-03"),
    ]
    assert conflicts(reconcile(rows, d)) == []
    rows[2] = replace(rows[2], as_of="2025-03-10")  # a day before the floor: the floor contradicts nothing, but ...
    assert conflicts(reconcile(rows, d)) == [{600, 900}]


def test_a_later_period_dated_only_by_a_documents_url_month_is_no_ground_for_a_fall() -> None:
    rows = [
        *ONSET,
        claim("a", 2500, as_of="2025-03-04"),
        claim("b", 1200, None, qualifier="at_least", source="Civil Defence"),  # a retrospective's past figure
    ]
    d = docs(EARLY, ("a", "2025-03-04"), ("b", None), url={"b": "https://x.example/2025/05/looking-back"})
    rec = reconcile(rows, d)
    assert [f.rule for f in rec.findings if f.rule == "conflict_cumulative_fell"] == []
    dated = reconcile(rows, docs(EARLY, ("a", "2025-03-04"), ("b", "2025-05-02")))
    assert [f.rule for f in dated.findings if f.rule == "conflict_cumulative_fell"] == ["conflict_cumulative_fell"]


def test_function_words_do_not_tell_two_names_of_one_body_apart() -> None:
    d = docs(EARLY, ("a", "2025-03-05"), ("b", "2025-03-05"))
    rows = [
        *ONSET,
        claim("a", 120, source="Ministry of the Interior", as_of="2025-03-05"),
        claim("b", 300, source="Ruritania's interior ministry", as_of="2025-03-05"),
    ]
    assert conflicts(reconcile(rows, d)) == []  # one body's two figures: a revision, not a conflict


def test_a_breakdown_by_place_adds_up_to_a_total_of_another_place() -> None:
    rows = [
        claim("u", 900, None, qualifier="at_least", source=None, location="Chile and Peru"),
        claim("u", 610, source="North Office", location="Chile"),
        claim("u", 250, source="South Office"),
        claim("u", 40, source="Coast Office"),
    ]
    assert conflicts(reconcile(rows, docs(("u", None)))) == []
    assert conflicts(reconcile(rows[1:], docs(("u", None)))) == [{610, 250, 40}]


def test_figures_one_sentence_pairs_with_distinct_things_are_never_rivals() -> None:
    said = "The ministry and the rescuers reported 1,200 and 800 respectively."
    rows = [
        claim("u", 1200, source="Health Ministry", sentence=said, source_text="the ministry"),
        claim("u", 800, source="Rescue Service", sentence=said, source_text="the rescuers"),
    ]
    assert conflicts(reconcile(rows, docs(("u", None)))) == []
    apart = [
        replace(rows[0], sentence="The ministry reported 1,200."),
        replace(rows[1], sentence="The rescuers said 800."),
    ]
    assert conflicts(reconcile(apart, docs(("u", None)))) == [{1200, 800}]


def test_a_placeless_figure_of_a_countrys_body_is_of_that_country_in_a_story_of_another() -> None:
    d = docs(("a", "2025-03-05"), ("b", "2025-03-05"), ("c", "2025-03-05"))
    rows = [
        claim("a", 3000, source="Disaster Agency", location="Chile"),
        claim("a", 3100, source="Red Cross", location="Chile"),
        claim("b", 700, source="Peruvian health ministry"),  # no place said: Peru's, not the story's Chile
        claim("c", 2900, source="Civil Defence"),  # no place, no country: the story's own place
    ]
    rec = reconcile(rows, d)
    place = {s.low: rec.variable(s.variable or "").location for s in rec.statements}
    assert place == {3000: "Chile", 3100: "Chile", 700: "Chile", 2900: "Chile"}  # Peru: named by no figure
    rec = reconcile([*rows, claim("a", 650, source="Aid Group", location="Peru")], d)
    place = {s.low: rec.variable(s.variable or "").location for s in rec.statements}
    assert place[700] == "Peru" and place[2900] == "Chile"


def test_two_outlets_unattributed_figures_are_not_set_against_each_other() -> None:
    d = docs(EARLY, ("a", "2025-03-05"), ("b", "2025-03-05"))
    rows = [*ONSET, claim("a", 120, source=None, as_of="2025-03-05"), claim("b", 480, source=None, as_of="2025-03-05")]
    assert conflicts(reconcile(rows, d)) == []
    rows[2] = replace(rows[2], source="Civil Defence")  # a named source against an outlet's own figure: flagged
    assert conflicts(reconcile(rows, d)) == [{120, 480}]


def test_windows_read_from_cue_words_and_dated_only_by_the_as_of_do_not_split_a_repeat() -> None:
    d = docs(("a", "2025-06-20"), ("b", "2025-06-20"))
    rows = [
        # "said Friday that an estimated 240 Peruvians were on board a boat that sank last week"
        claim("a", 240, qualifier="approx", measure="other", subject="Peruvians", source="Interior Minister",
              as_of="2025-06-20", window_kind="period", window_end="2025-06-20"),
        # "At least 240 Peruvians were on a boat that capsized ..., the minister said on Friday"
        claim("b", 240, None, qualifier="at_least", measure="other", subject="Peruvians", source="Interior Minister",
              as_of="2025-06-20", window_kind="incident", window_start="2025-06-20", window_end="2025-06-20"),
    ]
    rec = reconcile(rows, d)
    assert [sorted(s.docs) for s in rec.statements] == [["a", "b"]]
    # an incident the text dates apart from the statement ("on 14 June") still tells a figure apart
    dated = [rows[0], replace(rows[1], window_start="2025-06-14", window_end="2025-06-14")]
    assert len(reconcile(dated, d).statements) == 2


def test_a_groups_count_above_another_sources_count_of_everyone_is_a_conflict() -> None:
    rows = [
        claim("u", 23, None, qualifier="at_least", source="Interior Ministry"),  # "at least 23 people killed"
        claim("u", 48, None, qualifier="at_least", source="Watch Group", subject="civilians"),  # "48 civilians"
    ]
    rec = reconcile(rows, docs(("u", None)))
    found = [f for f in rec.findings if f.type == "conflict"]
    assert [f.rule for f in found] == ["conflict_part_exceeds_whole"] and conflicts(rec) == [{23, 48}]
    assert "a part cannot exceed its whole" in found[0].text
    sentence = finding_sentence(found[0], {s.id: s for s in rec.statements})
    assert "a count of civilians above another source's count of all people" in sentence
    # a group's count below everyone's is a part of it
    assert conflicts(reconcile([rows[0], replace(rows[1], low=15, figure="15")], docs(("u", None)))) == []
    # a smaller count of everyone beside a larger one counts a town or a day, not the whole
    town = [*rows, claim("u", 60, source="Health Office")]
    assert {frozenset(c) for c in conflicts(reconcile(town, docs(("u", None))))} <= {frozenset({23, 60})}
    # an order of magnitude apart: a local toll, not the whole
    local = [replace(rows[0], low=4, figure="at least 4"), rows[1]]
    assert conflicts(reconcile(local, docs(("u", None)))) == []


def test_the_words_written_for_a_source_join_its_repeats_and_a_proper_name_is_the_canonical_one() -> None:
    rows = [
        # "Up to 9,000 are feared dead, its mayor has said" ... "said Mayor Ivo Brandt" (resolved to him)
        claim("a", None, 9000, qualifier="at_most", source="Ivo Brandt", source_text="its mayor"),
        # "the local mayor said the number of victims could be up to 9,000"
        claim("b", None, 9000, qualifier="at_most", source="local mayor", source_text="the local mayor"),
    ]
    rec = reconcile(rows, docs(("a", "2025-03-05"), ("b", "2025-03-07")))
    assert [(s.source, sorted(s.docs), s.source_variants) for s in rec.statements] == [
        ("Ivo Brandt", ["a", "b"], ["local mayor"])
    ]
    # a description the documents use more often still yields to the proper name
    rows.append(claim("c", None, 9000, qualifier="at_most", source="local mayor", source_text="the local mayor"))
    rec = reconcile(rows, docs(("a", "2025-03-05"), ("b", "2025-03-07"), ("c", "2025-03-07")))
    assert [s.source for s in rec.statements] == ["Ivo Brandt"]


def test_a_breakdown_parts_sentence_gives_its_sources_other_measures_for_the_same_part() -> None:
    north = "The north office reported 610 deaths and 2,000 injuries in the hill districts."
    south = "The south office reported 290 deaths and 700 injuries along the coast."
    rows = [
        claim("u", 900, source=None, sentence="The toll across the region has risen to 900."),
        claim("u", 610, source="North Office", sentence=north),
        claim("u", 2000, source="North Office", measure="wounded", sentence=north),
        claim("u", 290, source="South Office", sentence=south),
        claim("u", 700, source="South Office", measure="wounded", sentence=south),
    ]
    assert conflicts(reconcile(rows, docs(("u", None)))) == []
    # without the total nothing says the offices count different parts: both measures conflict
    found = conflicts(reconcile(rows[1:], docs(("u", None))))
    assert sorted(sorted(c) for c in found) == [[290, 610], [700, 2000]]


def test_a_figure_written_as_an_earlier_count_is_not_of_its_undated_documents_time() -> None:
    said = "The governor said 24 people remain missing. That number is down from 57 at the end of last week."
    rows = [
        claim("u", 24, measure="missing", source="Governor", sentence=said),
        claim("u", 57, measure="missing", source=None, sentence=said),
    ]
    assert conflicts(reconcile(rows, docs(("u", None)))) == []
    rows[1] = replace(rows[1], sentence="The county said 57 people remain missing.")
    assert conflicts(reconcile(rows, docs(("u", None)))) == [{24, 57}]
    # "has dropped from 115 to 97": the 97 is the later count
    said = "The toll has dropped from 115 to 97 after testing."
    moved = [claim("u", 97, source="Police", sentence=said), claim("u", 160, source="Relief Agency")]
    assert conflicts(reconcile(moved, docs(("u", None)))) == [{97, 160}]


def test_a_running_totals_estimate_rests_on_the_figures_it_grew_to_not_those_it_grew_from() -> None:
    rows = [
        *ONSET,
        claim("a", 90, None, qualifier="at_least", source="Local Media", as_of="2025-03-04"),
        claim("b", 280, None, qualifier="at_least", source="News Agency", as_of="2025-03-05"),
        claim("c", 610, None, qualifier="at_least", source="Rights Office", as_of="2025-03-17"),
    ]
    rec = reconcile(rows, docs(EARLY, ("a", "2025-03-04"), ("b", "2025-03-05"), ("c", "2025-03-17")))
    est = next(f for f in rec.findings if f.type == "estimate" and f.measure == "killed" and f.period == "2025-03")
    assert (est.low, est.best, est.high) == (610, 610, 610)
    assert "2 earlier figures this running total grew from left aside" in est.text
    # two sources at odds (a later figure lower than an earlier one) are both the period's estimate
    rows[3] = claim("c", 50, source="Rights Office", as_of="2025-03-17")
    rec = reconcile(rows, docs(EARLY, ("a", "2025-03-04"), ("b", "2025-03-05"), ("c", "2025-03-17")))
    est = next(f for f in rec.findings if f.type == "estimate" and f.measure == "killed" and f.period == "2025-03")
    assert est.low == 50
