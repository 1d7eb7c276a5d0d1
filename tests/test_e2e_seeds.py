"""`crosscount analyze` on the five seed articles reproduces eval/seeds.expected.md, as far as it goes.

Everything is asserted through `crosscount statements/findings/variables --format jsonl`. Documents
are named by their three-digit prefix (000-004) as in seeds.expected.md. Where the pipeline does
not yet give what the analyst's picture has, the assertion stays as it should be and is marked
xfail(strict=True) with the stage and field that fall short, so that fixing the stage turns the
test red until the mark is removed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crosscount.cli import main

pytestmark = pytest.mark.slow


def cli_jsonl(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, [*args, "--format", "jsonl"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seeds_db(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    db = tmp_path_factory.mktemp("seeds") / "ledger.db"
    result = CliRunner().invoke(
        main,
        ["analyze", str(shared_dir / "seeds"), "--meta", str(shared_dir / "eval" / "seeds.docs.jsonl"),
         "--db", str(db), "--report", str(db.with_name("report.html"))],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "documents: 5 added" in result.stdout
    return str(db)


@pytest.fixture(scope="module")
def statements(seeds_db: str) -> list[dict[str, Any]]:
    return cli_jsonl("statements", "--db", seeds_db)


@pytest.fixture(scope="module")
def findings(seeds_db: str) -> list[dict[str, Any]]:
    return cli_jsonl("findings", "--db", seeds_db)


def docs(st: dict[str, Any]) -> set[str]:
    return {d[:3] for d in st["docs"]}


def the_statement(
    statements: list[dict[str, Any]], *, source: str, measure: str, value: float, unit: str = "persons",
    kind: str = "report",
) -> dict[str, Any]:
    """The one statement of this source, measure and value (failing if it is split or missing)."""
    found = [
        s for s in statements
        if s["source"] == source and s["measure"] == measure and s["unit"] == unit and s["kind"] == kind
        and s["low"] == value and not s["computed"]
    ]
    assert len(found) == 1, f"{source} {measure} {value}: {[(s['figure'], s['docs']) for s in found]}"
    return found[0]


# --------------------------------------------------------------------------------------------
# Same claim, several outlets: one statement each


@pytest.mark.parametrize(
    ("source", "measure", "value", "unit", "kind", "carried_by"),
    [
        ("South Korea NIS", "killed", 300, "persons", "report", {"000", "001", "003", "004"}),
        ("South Korea NIS", "wounded", 2700, "persons", "report", {"000", "001", "003", "004"}),
        ("Western officials", "killed", 1000, "persons", "report", {"003", "004"}),
        ("Western officials", "casualties", 4000, "persons", "report", {"003", "004"}),
        ("Institute for the Study of War", "casualties", 12000, "persons", "projection", {"000", "001"}),
        ("Institute for the Study of War", "casualties", 92, "persons_per_day", "report", {"000", "001"}),
        ("Volodymyr Zelensky", "casualties", 3800, "persons", "report", {"000", "001"}),
    ],
)
def test_repeats_are_one_statement_across_the_documents(
    statements: list[dict[str, Any]], source: str, measure: str, value: float, unit: str, kind: str,
    carried_by: set[str],
) -> None:
    st = the_statement(statements, source=source, measure=measure, value=value, unit=unit, kind=kind)
    assert st["high"] == value
    assert docs(st) == carried_by
    assert len(st["docs"]) == len(carried_by)


def test_nis_totals_are_dated_january_13(statements: list[dict[str, Any]]) -> None:
    for measure, value in (("killed", 300), ("wounded", 2700)):
        st = the_statement(statements, source="South Korea NIS", measure=measure, value=value)
        assert st["as_of"] == "2025-01-13"


def test_statement_lines_carry_the_fields_an_analyst_filters_on(statements: list[dict[str, Any]]) -> None:
    for st in statements:
        assert st.keys() >= {"subject", "measure", "location", "unit", "source", "low", "high", "as_of", "docs"}
        assert st["docs"] and all(d.endswith(".txt") for d in st["docs"])


# --------------------------------------------------------------------------------------------
# Conflict and evolution


def test_nis_and_western_officials_conflict_on_killed(findings: list[dict[str, Any]]) -> None:
    conflicts = [f for f in findings if f["type"] == "conflict" and f["measure"] == "killed"]
    assert any(
        {s["source"] for s in f["involved"]} >= {"South Korea NIS", "Western officials"}
        and {s["low"] for s in f["involved"]} >= {300, 1000}
        for f in conflicts
    ), [f["text"] for f in conflicts]


def test_the_killed_conflict_is_between_independent_sources_not_repeats(findings: list[dict[str, Any]]) -> None:
    conflict = next(
        f for f in findings
        if f["type"] == "conflict" and f["measure"] == "killed"
        and {s["source"] for s in f["involved"]} >= {"South Korea NIS", "Western officials"}
    )
    nis = next(s for s in conflict["involved"] if s["source"] == "South Korea NIS")
    assert len(nis["docs"]) == 4  # four outlets, one statement: counted once


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Stage extract (as_of) / ingest metadata (published): the December 2024 casualty figures come only "
        "from doc 002 (HUR's 30+, the US official's vague hundreds), whose published date is null in "
        "seeds.docs.jsonl and whose claims get as_of null (gold: 2024-12). The weekday and 'latest' cues "
        "in those sentences cannot be resolved without an anchor date, and the only anchor is world "
        "knowledge (the month a treaty took effect). Reconcile's date inference cannot date 002 either: it "
        "repeats no statement another document dates (its 10,000 deployed is its own) and the only date its "
        "text gives is February 2022. Undated statements are in no period (compared only with their own "
        "document's figures, never across time), so no 2024-12 -> 2025-01 evolution on casualties is found."
    ),
)
def test_casualties_evolve_from_december_to_january(findings: list[dict[str, Any]]) -> None:
    evolutions = [f for f in findings if f["type"] == "evolution" and f["measure"] == "casualties"]
    assert any(
        any((s["date"] or "").startswith("2024-12") for s in f["involved"])
        and any((s["date"] or "").startswith("2025-01") for s in f["involved"])
        for f in evolutions
    ), [f["text"] for f in evolutions]


# --------------------------------------------------------------------------------------------
# Arithmetic checks


@pytest.mark.parametrize("rule", ["check_share", "check_sum", "check_rate", "check_projection"])
def test_each_kind_of_arithmetic_check_is_present_with_its_arithmetic(
    findings: list[dict[str, Any]], rule: str
) -> None:
    checks = [f for f in findings if f["type"] == "check" and f["rule"] == rule]
    assert checks, f"no {rule} finding"
    for check in checks:
        assert isinstance(check["passed"], bool)
        assert check["arithmetic"] and any(ch.isdigit() for ch in check["arithmetic"])
        assert check["involved"]


def test_share_check_4000_of_11000_is_36_percent(findings: list[dict[str, Any]]) -> None:
    shares = [f for f in findings if f["rule"] == "check_share"]
    assert any(f["passed"] and "4,000 / 11,000 = 36.4%" in f["arithmetic"] for f in shares), [
        f["arithmetic"] for f in shares
    ]


def test_sum_check_nis_300_plus_2700_against_zelensky_3800(findings: list[dict[str, Any]]) -> None:
    sums = [f for f in findings if f["rule"] == "check_sum"]
    assert any(
        f["passed"] is False and "300 + 2,700 = 3,000" in f["arithmetic"] and "3,800" in f["arithmetic"]
        for f in sums
    ), [f["arithmetic"] for f in sums]


def test_rate_check_runs_from_early_december_and_matches_zelensky(findings: list[dict[str, Any]]) -> None:
    rates = [f for f in findings if f["rule"] == "check_rate"]
    assert any(
        f["passed"] and "2024-12" in f["arithmetic"] and "3,800" in f["arithmetic"] for f in rates
    ), [f["arithmetic"] for f in rates]


def test_projection_check_12000_at_92_a_day(findings: list[dict[str, Any]]) -> None:
    projections = [f for f in findings if f["rule"] == "check_projection"]
    assert any(f["passed"] and "12,000 / 92 a day = 130 days" in f["arithmetic"] for f in projections), [
        f["arithmetic"] for f in projections
    ]


# --------------------------------------------------------------------------------------------
# Estimates


def test_every_variable_has_a_low_best_high_estimate(seeds_db: str, findings: list[dict[str, Any]]) -> None:
    variables = cli_jsonl("variables", "--db", seeds_db)
    assert variables
    estimates: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        if f["type"] == "estimate":
            estimates.setdefault(f["variable"], []).append(f)
    for var in variables:
        found = estimates.get(var["id"])
        assert found, f"no estimate for {var['subject']} · {var['measure']} ({var['unit']})"
        for e in found:
            assert e["low"] is not None and e["best"] is not None and e["high"] is not None
            assert e["low"] <= e["best"] <= e["high"]
            assert e["rule"].startswith("estimate_") and e["median"] is not None


def test_killed_estimate_for_january_spans_nis_to_western_officials(findings: list[dict[str, Any]]) -> None:
    killed = [
        f for f in findings
        if f["type"] == "estimate" and f["measure"] == "killed" and f["subject"] == "North Korean forces"
        and (f["period"] or "").startswith("2025-01")
    ]
    assert len(killed) == 1
    assert (killed[0]["low"], killed[0]["high"]) == (300, 1000)
