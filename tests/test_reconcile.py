"""The reconcile rules, each on a small hand-made claim set, and the seeds' picture end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crosscount.errors import ConfigError
from crosscount.models import Claim
from crosscount.reconcile import DocInfo, Reconciliation, load_config, reconcile

_counter = 0


_SAME = object()


def claim(doc: str, low: float | None, high: Any = _SAME, **kw: Any) -> Claim:
    """A claim with sensible defaults; `high` defaults to `low` (an exact figure)."""
    global _counter
    _counter += 1
    fields: dict[str, Any] = {
        "figure": kw.pop("figure", str(low)),
        "qualifier": "exact",
        "unit": "persons",
        "measure": "killed",
        "subject": "Blue forces",
        "location": None,
        "source": "Agency A",
        "as_of": None,
        "kind": "report",
    }
    fields.update(kw)
    return Claim(
        doc=doc, start=_counter, end=_counter + 3, low=low, high=low if high is _SAME else high, **fields
    )


def docs(*rows: tuple[str, str | None, str | None]) -> dict[str, DocInfo]:
    return {d: DocInfo(id=d, outlet=o, published=p) for d, o, p in rows}


def of_type(rec: Reconciliation, type_: str, rule: str | None = None) -> list[Any]:
    return [f for f in rec.findings if f.type == type_ and (rule is None or f.rule == rule)]


D3 = docs(("a", "Outlet A", "2025-01-14"), ("b", "Outlet B", "2025-01-20"), ("c", "Outlet C", None))


# -- statements -----------------------------------------------------------------------------


def test_one_assertion_repeated_by_three_outlets_is_one_statement() -> None:
    rec = reconcile(
        [
            claim("b", 300, as_of="2025-01", figure="around 300", qualifier="approx"),
            claim("a", 300, as_of="2025-01-13"),
            claim("c", 300, location="North"),
        ],
        D3,
    )
    assert len(rec.statements) == 1
    st = rec.statements[0]
    assert sorted(st.docs) == ["a", "b", "c"]
    assert st.first_seen == "a" and st.first_published == "2025-01-14"
    assert st.as_of == "2025-01-13" and st.location == "North"
    assert set(st.figures) == {"300", "around 300"}
    assert "statement_merge" in st.rules


def test_own_voice_is_not_merged_across_outlets() -> None:
    rec = reconcile([claim("a", 500, source=None), claim("b", 500, source=None)], D3)
    assert sorted(s.source or "" for s in rec.statements) == [
        "own voice of Outlet A",
        "own voice of Outlet B",
    ]
    assert all(s.own_voice for s in rec.statements)


def test_two_dates_for_one_figure_in_one_document_stay_two_statements() -> None:
    rec = reconcile([claim("a", 1, as_of="2025-01-09"), claim("a", 1, as_of="2025-01")], D3)
    assert len(rec.statements) == 2


def test_an_undated_repeat_joins_the_one_dated_statement() -> None:
    rec = reconcile([claim("a", 300, as_of="2025-01-13"), claim("c", 300)], D3)
    assert len(rec.statements) == 1 and rec.statements[0].docs == ["a", "c"]


def test_one_figure_written_differently_by_two_outlets_is_one_statement() -> None:
    rec = reconcile(
        [
            claim("a", 1200, figure="1,200", as_of="2025-01-13"),
            claim("b", 1200, None, figure="more than 1,200", qualifier="at_least", as_of="2025-01-13"),
            claim("c", 1200, figure="1,200", kind="projection", as_of="2025-01-13"),
        ],
        D3,
    )
    (st,) = rec.statements
    assert sorted(st.docs) == ["a", "b", "c"] and (st.low, st.high, st.kind) == (1200, 1200, "report")
    assert {"statement_merge_one_figure_written_differently", "statement_merge_report_and_projection"} <= set(
        st.rules
    )


def test_a_rounded_repeat_of_a_precise_figure_is_one_statement() -> None:
    rec = reconcile(
        [
            claim("a", 35418, figure="35,418", as_of="2025-01-13"),
            claim("b", 35000, None, figure="more than 35,000", qualifier="at_least", as_of="2025-01-13"),
            claim("c", 40000, figure="about 40,000", qualifier="approx", as_of="2025-01-13"),  # 13% off: not it
            claim("c", 3958, None, figure="at least 3,958", qualifier="at_least", measure="wounded"),
            claim("a", 4000, figure="nearly 4,000", qualifier="approx", measure="wounded"),
        ],
        D3,
    )
    killed = sorted((s.low, sorted(s.docs)) for s in rec.statements if s.measure == "killed")
    assert killed == [(35418, ["a", "b"]), (40000, ["c"])]
    (wounded,) = [s for s in rec.statements if s.measure == "wounded"]
    assert (wounded.low, wounded.high, sorted(wounded.docs)) == (3958, None, ["a", "c"])


def test_a_repeat_filed_under_a_place_and_a_part_of_it_is_one_statement() -> None:
    rec = reconcile(
        [
            claim("a", 800, location="Valdoria", as_of="2025-01-13"),
            claim("b", 800, location="northern Valdoria", as_of="2025-01-13"),
            claim("c", 800, location="Valdoria and Ostrava", as_of="2025-01-13"),
        ],
        D3,
    )
    assert sorted(sorted(s.docs) for s in rec.statements) == [["a", "b"], ["c"]]


def test_an_undated_document_is_dated_by_the_statements_it_repeats_with_its_basis() -> None:
    d = docs(("p", "P", "2025-03-02"), ("q", "Q", None), ("r", "R", None))
    rec = reconcile(
        [
            claim("p", 10, as_of="2025-02-27"),
            claim("q", 10),  # repeats Agency A's 10, stated on 27 Feb
            claim("q", 75, source="Agency B", measure="wounded"),
            claim("r", 40, source="Agency C"),
        ],
        d,
    )
    (b,) = [s for s in rec.statements if s.source == "Agency B"]
    assert (b.date, b.date_basis) == ("2025-02-27", "document date inferred")
    assert b.date_note is not None and "q: it repeats Agency A's 10" in b.date_note
    assert "date_document_inferred" in b.rules
    (c,) = [s for s in rec.statements if s.source == "Agency C"]
    assert c.date is None


def test_one_source_under_different_names_is_one_statement_with_its_variants() -> None:
    rec = reconcile(
        [
            claim("a", 850, as_of="2025-01-13", source="Mayor Lena Okafor"),
            claim("b", 850, as_of="2025-01-13", source="Okafor"),
            claim("c", 850, as_of="2025-01-13", source="Mayor Lena Okafor"),
            claim("a", 60, as_of="2025-01-13", source="U.N", measure="wounded"),
            claim("b", 60, as_of="2025-01-13", source="UN", measure="wounded"),
        ],
        D3,
    )
    mayor = next(s for s in rec.statements if s.measure == "killed")
    assert sorted(mayor.docs) == ["a", "b", "c"] and mayor.source == "Mayor Lena Okafor"
    assert mayor.source_variants == ["Okafor"] and "source_one_name_per_source" in mayor.rules
    (un,) = [s for s in rec.statements if s.measure == "wounded"]
    assert sorted(un.docs) == ["a", "b"]


def test_a_generic_noun_is_not_taken_for_a_named_source() -> None:
    rec = reconcile(
        [
            claim("a", 40, as_of="2025-01-13", source="officials"),
            claim("b", 40, as_of="2025-01-13", source="US officials"),
        ],
        D3,
    )
    assert len(rec.statements) == 2


def test_a_name_no_reader_accepts_never_reaches_a_statement() -> None:
    rec = reconcile(
        [
            claim("a", 40, as_of="2025-01-13", source="Monday.Lee"),
            claim("b", 70, as_of="2025-01-13", source="Death Toll"),
            claim("c", 90, as_of="2025-01-13", source="forces"),
        ],
        D3,
    )
    assert sorted(s.source or "" for s in rec.statements) == [
        "own voice of Outlet A",
        "own voice of Outlet B",
        "own voice of Outlet C",
    ]
    assert all(s.own_voice and "source_name_rejected" in s.rules for s in rec.statements)


# -- stories ----------------------------------------------------------------------------------------


def test_nothing_is_compared_or_merged_across_stories() -> None:
    d = {
        "a": DocInfo(id="a", outlet="Outlet A", published="2025-01-14", story="flood"),
        "b": DocInfo(id="b", outlet="Outlet B", published="2025-01-15", story="quake"),
        "c": DocInfo(id="c", outlet="Outlet C", published="2025-01-16", story="quake"),
    }
    rec = reconcile(
        [
            claim("a", 300, as_of="2025-01-13", subject="people"),
            claim("b", 300, as_of="2025-01-13", subject="people"),  # same source and figure, other story
            claim("c", 1500, as_of="2025-01-12", subject="people", source="Agency B"),
        ],
        d,
    )
    assert sorted((s.story, tuple(s.docs)) for s in rec.statements) == [
        ("flood", ("a",)),
        ("quake", ("b",)),
        ("quake", ("c",)),
    ]
    assert sorted(v.story or "" for v in rec.variables) == ["flood", "quake"]
    (conflict,) = of_type(rec, "conflict")
    assert conflict.story == "quake"
    assert all(f.story in {"flood", "quake"} for f in rec.findings)


# -- conflicts, agreement, evolution, revision ---------------------------------------------------


def test_same_figure_from_two_independent_sources_is_agreement_not_a_repeat() -> None:
    rec = reconcile(
        [claim("a", 300, as_of="2025-01-10"), claim("b", 300, as_of="2025-01-12", source="Agency B")], D3
    )
    assert len(rec.statements) == 2
    assert len(of_type(rec, "agreement", "agreement_within_tolerance")) == 1
    assert not of_type(rec, "conflict")


def test_disjoint_figures_of_two_sources_in_one_month_are_a_conflict() -> None:
    rec = reconcile(
        [claim("a", 1000, as_of="2025-01-13"), claim("b", 300, as_of="2025-01-22", source="Agency B")], D3
    )
    (conflict,) = of_type(rec, "conflict", "conflict_disjoint_intervals")
    assert conflict.period == "2025-01"
    assert "Agency A" in conflict.text and "Agency B" in conflict.text and "700 apart" in conflict.text


def test_a_higher_later_toll_in_the_storys_first_days_is_growth_and_later_a_conflict() -> None:
    # the story's first publication is 14 Jan (D3): its first days run from there
    opening = [claim("a", 36, as_of="2025-01-14"), claim("b", 89, as_of="2025-01-16", source="Agency B")]
    assert not of_type(reconcile(opening, D3), "conflict")
    later = [
        claim("a", 36, as_of="2024-12-10"),
        claim("b", 89, as_of="2024-12-12", source="Agency B"),
    ]
    (conflict,) = of_type(reconcile(later, D3), "conflict")
    assert "not the count's growth" in conflict.text


def test_two_names_of_one_body_are_not_independent_sources() -> None:
    rows = [
        claim("a", 820, as_of="2025-01-14", source="Valdorian officials"),
        claim("b", 1305, as_of="2025-01-14", source="Valdorian Interior Ministry"),
    ]
    assert not of_type(reconcile(rows, D3), "conflict")


def test_disagreeing_camps_of_one_period_are_one_conflict_finding() -> None:
    rows = [
        claim("a", 300, as_of="2025-02-10", source="Agency B"),
        claim("a", 520, as_of="2025-02-10", source="Agency C"),
        claim("b", 1000, as_of="2025-02-10", source="Agency D"),
    ]
    (conflict,) = of_type(reconcile(rows, D3), "conflict")
    assert conflict.details["camps"] == 3 and len(conflict.statements) == 3
    assert conflict.text.count(" against ") == 2


def test_at_least_n_is_compared_as_the_count_n_but_not_against_a_vague_amount() -> None:
    rows = [
        claim("a", 3958, None, qualifier="at_least", as_of="2025-01-14"),
        claim("b", 11300, as_of="2025-01-14", source="Agency B"),
    ]
    (conflict,) = of_type(reconcile(rows, D3), "conflict")
    assert conflict.details["rules"] == ["conflict_disjoint_intervals", "conflict_at_least_as_count"]
    vague = [rows[0], claim("b", 4000, 9999, qualifier="vague", as_of="2025-01-14", source="Agency B")]
    assert not of_type(reconcile(vague, D3), "conflict")


def test_vague_amount_uses_its_interval() -> None:
    rec = reconcile(
        [
            claim("a", 200, 900, qualifier="vague", figure="several hundred", as_of="2025-01"),
            claim("b", 600, as_of="2025-01", source="Agency B"),
        ],
        D3,
    )
    assert of_type(rec, "agreement") and not of_type(rec, "conflict")


def test_at_most_bound_below_another_figure_is_a_conflict() -> None:
    rec = reconcile(
        [
            claim("a", None, 300, qualifier="at_most", as_of="2025-01"),
            claim("b", 1000, as_of="2025-01", source="Agency B"),
        ],
        D3,
    )
    assert [f.rule for f in of_type(rec, "conflict")] == ["conflict_open_bound"]


def test_cumulative_growth_across_months_is_evolution_not_conflict() -> None:
    rec = reconcile(
        [
            claim("a", 30, None, qualifier="at_least", as_of="2024-12", source="Agency B", window_kind="incident"),
            claim("a", 200, 900, qualifier="vague", as_of="2024-12"),
            claim("c", 100, as_of="2024-12", source="Agency D", window_kind="incident"),
            claim("b", 3800, as_of="2025-01", source="Agency C"),
        ],
        D3,
    )
    assert of_type(rec, "evolution", "evolution_cumulative_growth")
    assert not of_type(rec, "conflict")


def test_later_lower_figure_from_the_same_source_is_a_revision() -> None:
    rec = reconcile([claim("a", 500, as_of="2025-01-05"), claim("b", 300, as_of="2025-02-20")], D3)
    (rev,) = of_type(rec, "revision")
    assert rev.rule == "revision_same_source_lower"


def test_later_higher_figure_from_the_same_source_is_its_evolution() -> None:
    rec = reconcile([claim("a", 100, as_of="2024-12-05"), claim("b", 300, as_of="2025-01-20")], D3)
    assert of_type(rec, "evolution", "evolution_same_source_growth")
    assert not of_type(rec, "revision")


def test_missing_dates_fall_back_on_published_then_on_the_documents_latest_as_of() -> None:
    d = docs(("p", "P", "2025-03-02"), ("q", "Q", None), ("r", "R", None))
    rec = reconcile(
        [
            claim("p", 10),
            claim("q", 20, source="Agency B", measure="wounded", as_of="2025-02"),
            claim("q", 30, source="Agency B"),
            claim("r", 40, source="Agency C"),
        ],
        d,
    )
    by_doc = {s.docs[0] + str(s.low): s for s in rec.statements}
    assert (by_doc["p10"].date, by_doc["p10"].date_basis) == ("2025-03-02", "published")
    assert (by_doc["q30"].date, by_doc["q30"].date_basis) == ("2025-02", "document date inferred")
    assert by_doc["r40"].date is None and by_doc["r40"].period is None  # undated: in no period


def test_projection_beside_counts_is_neither_estimated_nor_in_conflict() -> None:
    rec = reconcile(
        [
            claim("a", 3000, as_of="2025-01"),
            claim("a", 12000, as_of="2025-01", kind="projection", source="Agency B"),
        ],
        D3,
    )
    assert not of_type(rec, "conflict")
    (est,) = of_type(rec, "estimate")
    assert est.high == 3000 and len(est.statements) == 1


def test_a_statement_counts_once_in_the_estimate_however_many_outlets_repeat_it() -> None:
    rec = reconcile(
        [claim(d, 300, as_of="2025-01") for d in "abc"]
        + [claim("a", 1000, as_of="2025-01", source="Agency B")],
        D3,
    )
    (est,) = of_type(rec, "estimate")
    assert est.median == 650


def test_best_is_the_lower_figure_when_reliability_ties_and_the_most_reliable_otherwise() -> None:
    rows = [claim("a", 300, as_of="2025-01"), claim("b", 1000, as_of="2025-01", source="Agency B")]
    (est,) = of_type(reconcile(rows, D3), "estimate")
    assert (est.low, est.best, est.high, est.rule) == (300, 300, 1000, "estimate_ucdp_lower_figure")
    cfg = load_config()
    cfg.reliability["Agency B"] = 0.9
    (est,) = of_type(reconcile(rows, D3, cfg), "estimate")
    assert (est.best, est.rule) == (1000, "estimate_ucdp_most_reliable")


# -- share -> count, and the arithmetic checks -----------------------------------------------------


def test_share_of_a_force_yields_a_computed_count() -> None:
    rec = reconcile(
        [
            claim("a", 11000, measure="deployed", as_of="2025-01"),
            claim("a", 36, unit="percent", measure="casualties", as_of="2025-01", figure="36%"),
        ],
        D3,
    )
    (comp,) = [s for s in rec.statements if s.computed]
    assert comp.unit == "persons" and comp.low == pytest.approx(3960)
    assert "computed_share_count" in comp.rules and len(comp.derived_from) == 2


def test_share_check_shows_its_arithmetic() -> None:
    rec = reconcile(
        [
            claim("a", 11000, measure="deployed", as_of="2025-01"),
            claim("a", 4000, measure="casualties", as_of="2025-01"),
            claim("a", 36, unit="percent", measure="casualties", as_of="2025-01", figure="36%"),
        ],
        D3,
    )
    (check,) = of_type(rec, "check", "check_share")
    assert check.passed and check.arithmetic.startswith(
        "4,000 / 11,000 = 36.4% vs 36% stated: within 2 points"
    )


def test_sum_check_against_the_same_sources_total() -> None:
    rec = reconcile(
        [
            claim("a", 300, as_of="2025-01-13"),
            claim("a", 2700, measure="wounded", as_of="2025-01-13"),
            claim("a", 3800, measure="casualties", as_of="2025-01-15"),
        ],
        D3,
    )
    (check,) = of_type(rec, "check", "check_sum")
    assert check.passed is False and check.arithmetic.startswith("300 + 2,700 = 3,000 vs 3,800")


def test_rate_check_reads_the_start_from_the_sentence() -> None:
    rec = reconcile(
        [
            claim(
                "a",
                92,
                unit="persons_per_day",
                measure="casualties",
                as_of="2025-01-16",
                sentence="about 92 a day since early December",
            ),
            claim("b", 3800, measure="casualties", as_of="2025-01-16", source="Agency B"),
        ],
        D3,
    )
    (check,) = of_type(rec, "check", "check_rate")
    assert "× 42 days (2024-12-05 → 2025-01-16)" in check.arithmetic and check.passed
    assert "since early December" in check.text


def test_rate_check_uses_the_window_start_when_the_claim_gives_one() -> None:
    rec = reconcile(
        [
            claim("a", 50, unit="persons_per_day", measure="casualties", as_of="2025-01-31",
                  window_kind="period", window_start="2025-01-01", window_end="2025-01-31",
                  sentence="about 50 a day since early December"),
            claim("b", 1500, measure="casualties", as_of="2025-01-31", source="Agency B"),
        ],
        D3,
    )
    (check,) = of_type(rec, "check", "check_rate")
    assert "× 30 days (2025-01-01 → 2025-01-31)" in check.arithmetic and check.passed
    assert "the start of the window the rate counts over (2025-01-01)" in check.text


def test_projection_check_projects_the_date() -> None:
    rec = reconcile(
        [
            claim(
                "a",
                92,
                unit="persons_per_day",
                measure="casualties",
                as_of="2025-01",
                sentence="92 a day since early December",
            ),
            claim("a", 12000, measure="casualties", as_of="2025-04", kind="projection"),
        ],
        D3,
    )
    (check,) = of_type(rec, "check", "check_projection")
    assert check.passed and "= 2025-04-14 vs 2025-04 stated" in check.arithmetic


# -- settings ---------------------------------------------------------------------------------------


def test_user_settings_are_layered_on_the_defaults(tmp_path: Path) -> None:
    f = tmp_path / "mine.toml"
    f.write_text("[tolerance]\nrelative = 0.8\n", encoding="utf-8")
    cfg = load_config(f)
    assert cfg.relative == 0.8 and cfg.window_days == 14 and "killed" in cfg.cumulative
    rows = [claim("a", 300, as_of="2025-01"), claim("b", 1000, as_of="2025-01", source="Agency B")]
    assert not of_type(reconcile(rows, D3, cfg), "conflict")


def test_malformed_settings_raise_a_config_error(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text("[tolerance\nrelative = ", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(f)
    f.write_text('[tolerance]\nrelative = "high"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(f)


# -- the seeds, end to end ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds(shared_dir: Path) -> tuple[Reconciliation, dict[str, DocInfo]]:
    ev = shared_dir / "eval"
    claims = [
        Claim.from_dict(json.loads(line))
        for line in (ev / "seeds.gold.jsonl").read_text().splitlines()
        if line.strip()
    ]
    meta = [
        DocInfo.from_dict(json.loads(line))
        for line in (ev / "seeds.docs.jsonl").read_text().splitlines()
        if line.strip()
    ]
    d = {m.id: m for m in meta}
    return reconcile(claims, d), d


def _one(
    rec: Reconciliation, source: str, measure: str, low: float, unit: str = "persons", kind: str = "report"
) -> Any:
    found = [
        s
        for s in rec.statements
        if s.source == source
        and s.measure == measure
        and s.low == low
        and s.unit == unit
        and s.kind == kind
        and not s.computed
    ]
    assert len(found) == 1, found
    return found[0]


def test_seeds_repeated_statements(seeds: tuple[Reconciliation, dict[str, DocInfo]]) -> None:
    rec, _ = seeds
    assert len(_one(rec, "South Korea NIS", "killed", 300).docs) == 4
    assert len(_one(rec, "South Korea NIS", "wounded", 2700).docs) == 4
    assert len(_one(rec, "Western officials", "killed", 1000).docs) == 2
    assert len(_one(rec, "Western officials", "casualties", 4000).docs) == 2
    assert len(_one(rec, "Institute for the Study of War", "casualties", 12000, kind="projection").docs) == 2
    assert (
        len(_one(rec, "Institute for the Study of War", "casualties", 92, unit="persons_per_day").docs) == 2
    )
    assert len(_one(rec, "Volodymyr Zelensky", "casualties", 3800).docs) == 2
    assert len(_one(rec, "Volodymyr Zelensky", "captured", 2).docs) == 2


def test_seeds_conflict_and_evolution(seeds: tuple[Reconciliation, dict[str, DocInfo]]) -> None:
    rec, _ = seeds
    killed = [f for f in of_type(rec, "conflict") if f.measure == "killed"]
    assert len(killed) == 1
    nis = _one(rec, "South Korea NIS", "killed", 300)
    west = _one(rec, "Western officials", "killed", 1000)
    assert {nis.id, west.id} <= set(killed[0].statements) and killed[0].period == "2025-01"
    evo = [f for f in of_type(rec, "evolution", "evolution_cumulative_growth") if f.measure == "casualties"]
    assert evo and evo[0].period == "2024-12 → 2025-01"
    assert not [
        f for f in of_type(rec, "conflict") if f.measure == "casualties" and "2024-12" in (f.period or "")
    ]


def test_seeds_four_kinds_of_check(seeds: tuple[Reconciliation, dict[str, DocInfo]]) -> None:
    rec, _ = seeds
    checks = {f.rule: f for f in of_type(rec, "check")}
    assert set(checks) == {"check_share", "check_sum", "check_rate", "check_projection"}
    assert all(f.arithmetic for f in checks.values())
    share = [f for f in of_type(rec, "check", "check_share")]
    assert any(f.arithmetic.startswith("4,000 / 11,000 = 36.4% vs 36% stated") and f.passed for f in share)
    sums = [f.arithmetic for f in of_type(rec, "check", "check_sum")]
    assert any(a.startswith("300 + 2,700 = 3,000 vs 3,800") for a in sums)
    assert checks["check_projection"].passed and "2025-04" in checks["check_projection"].arithmetic
    assert "92/day" in checks["check_rate"].arithmetic


def test_seeds_estimate_for_every_variable(seeds: tuple[Reconciliation, dict[str, DocInfo]]) -> None:
    rec, _ = seeds
    estimated = {f.variable for f in of_type(rec, "estimate")}
    assert estimated == {v.id for v in rec.variables}
    killed = [f for f in of_type(rec, "estimate") if f.measure == "killed" and f.period == "2025-01"]
    assert [(f.low, f.high) for f in killed] == [(300, 1000)]
    for f in of_type(rec, "estimate"):
        assert f.low is not None and f.best is not None and f.high is not None and f.median is not None
        assert f.low <= f.best <= f.high


def test_seeds_shares_become_computed_counts(seeds: tuple[Reconciliation, dict[str, DocInfo]]) -> None:
    rec, _ = seeds
    computed = {s.source: round(s.low or 0) for s in rec.statements if s.computed}
    assert computed == {
        "Oleksandr Syrsky": 5500,
        "Ukrainian and US officials": 3663,
        "Western officials": 3960,
    }
