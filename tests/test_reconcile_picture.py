"""Reconcile rules that make the analyst's picture on real corpora, each on claims written for the test."""

from __future__ import annotations

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
