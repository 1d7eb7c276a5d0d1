"""Reconcile rules for imperfect extracted claims (the analyst's picture from the extractor's own claims),
each on claims written for the test."""

from __future__ import annotations

from typing import Any

from crosscount.models import Claim
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
        claim("b", 40, source="Police chief", measure="missing", as_of="2025-04-20"),
        claim("a", 1000, source="Governor", as_of="2025-03-02"),
        claim("b", 40, source="Police chief", as_of="2025-04-20"),
    ]
    rec = reconcile([*ONSET, *rows], docs(EARLY, ("a", "2025-03-02"), ("b", "2025-04-20")))
    fell = [f for f in rec.findings if f.rule == "conflict_cumulative_fell"]
    assert [f.measure for f in fell] == ["killed"]


def test_a_document_is_never_dated_past_the_month_its_url_gives_by_a_text_repeating_its_figure() -> None:
    rec = reconcile(
        [
            claim("old", 115, source="Harbor police"),
            claim("old", 30, source="Harbor police", measure="wounded"),
            claim("new", 115, source="Harbor police"),  # "down from their previous toll of 115"
        ],
        {
            "old": DocInfo(id="old", outlet="Old", story="flood", url="https://old.example/2025/08/fire"),
            "new": DocInfo(id="new", outlet="New", published="2025-09-17", story="flood"),
        },
    )
    st = next(s for s in rec.statements if s.measure == "wounded")
    assert st.date == "2025-08" and st.date_basis == "document date inferred"
