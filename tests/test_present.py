"""The presentation layer: dates, values, bounds, plurals, names and finding sentences."""

from __future__ import annotations

from crosscount.models import Finding, Statement, Variable
from crosscount.present import (
    basis_word,
    conflict_row,
    counts,
    date_text,
    estimate_row,
    finding_sentence,
    num,
    outlet_name,
    period_key,
    period_text,
    plural,
    source_name,
    statement_when,
    value,
    variable_title,
    when,
)


def _st(sid: str, source: str | None, low: float | None, high: float | None, **kw: object) -> Statement:
    values: dict[str, object] = {
        "subject": "Blue forces", "measure": "killed", "location": None, "unit": "persons",
        "qualifier": "exact", "figure": str(low), "as_of": "2025-01-13", "kind": "report",
        "claims": [("d1", 0, 3)], "docs": ["d1"], "outlets": ["Daily Example"],
    }  # fmt: skip
    values.update(kw)
    return Statement(id=sid, source=source, low=low, high=high, **values)  # type: ignore[arg-type]


def test_dates_read_as_day_month_year_with_their_basis() -> None:
    assert date_text("2025-01-13") == "13 Jan 2025"
    assert date_text("2025-01") == "Jan 2025"
    assert date_text("2025") == "2025"
    assert date_text(None) == "undated"
    assert when("2025-01-13", "as_of") == "13 Jan 2025 (stated)"
    assert when("2025-01-22", "published") == "22 Jan 2025 (published)"
    assert when("2025-01", "document date inferred") == "Jan 2025 (inferred)"
    assert when(None, "published") == "undated"
    assert basis_word("as_of") == "stated"


def test_a_statement_without_a_stated_date_says_where_its_date_comes_from() -> None:
    st = _st("s1", "Agency", 5, 5, as_of=None, date="2025-02-03", date_basis="published")
    assert statement_when(st) == "3 Feb 2025 (published)"
    assert statement_when(_st("s2", "Agency", 5, 5)) == "13 Jan 2025 (stated)"


def test_periods_read_as_a_person_writes_them() -> None:
    assert period_text("2025-01") == "Jan 2025"
    assert period_text("2024 (year only)") == "2024"
    assert period_text("2024-10 → 2025-01") == "Oct 2024 → Jan 2025"
    assert period_text("2025-01-28 to 2025-02-03") == "28 Jan 2025 – 3 Feb 2025"
    assert period_text(None) == "undated"
    assert sorted(["2025-01", "undated", "2024-10"], key=period_key) == ["undated", "2024-10", "2025-01"]


def test_values_show_bounds_ranges_shares_and_rates() -> None:
    assert value(790_000, None) == "≥ 790,000"
    assert value(None, 50) == "≤ 50"
    assert value(200, 900) == "200–900"
    assert value(300, 300) == "300"
    assert value(36, 36, "percent") == "36%"
    assert value(33.3, 33.3, "percent") == "33.3%"
    assert value(92, 92, "persons_per_day") == "92 a day"
    assert value(None, None) == "–"


def test_persons_are_whole_numbers_shares_keep_a_decimal() -> None:
    assert num(8499.75) == "8,500"
    assert num(1.5) == "1.5"  # a median of two small counts stays honest
    assert num(41.65, "percent") == "41.6" or num(41.65, "percent") == "41.7"
    assert num(None) == "–"


def test_plurals() -> None:
    assert plural(1, "claim") == "1 claim"
    assert plural(2, "claim") == "2 claims"
    assert plural(0, "statement") == "0 statements"
    assert plural(3, "match") == "3 matches"
    assert plural(2, "casualty") == "2 casualties"
    assert plural(1_200, "document") == "1,200 documents"


def test_names_never_show_internal_labels() -> None:
    assert outlet_name(None, "https://www.example.org/a/b") == "example.org"
    assert outlet_name(None) == "unnamed outlet"
    assert outlet_name("Daily Example") == "Daily Example"
    assert source_name("own voice of Daily Example") == "Daily Example (own reporting)"
    assert source_name("own voice of 000_12ab34cd.txt", ["Daily Example"]) == "Daily Example (own reporting)"
    assert source_name("own voice of 000_12ab34cd.txt") == "the outlet's own reporting"
    assert source_name(None) == "no named source"
    var = Variable(id="v1", subject="Blue forces", measure="casualties", location="Kursk", unit="percent")
    assert variable_title(var) == "Blue forces · casualties (share)"
    assert variable_title(var, with_location=True) == "Blue forces · casualties (share), Kursk"


def test_an_estimate_from_an_open_figure_keeps_its_bound_open() -> None:
    st = _st("s1", "Ministry", 790_000, None, figure="more than 790,000", as_of=None)
    f = Finding(id="f1", type="estimate", rule="estimate_single_source", subject="Blue forces", measure="killed",
                text="…", statements=["s1"], period="undated", low=790_000, best=790_000, high=790_000,
                median=790_000, details={"best_statement": "s1"})  # fmt: skip
    row = estimate_row(f, {"s1": st}, "persons")
    assert row.high == "≥ 790,000" and row.best == "≥ 790,000" and row.low == "790,000"
    assert "estimate_single_source" not in row.sentence and "Ministry" in row.sentence


def test_a_conflict_splits_into_two_sides_at_the_largest_gap() -> None:
    sts = {
        "a": _st("a", "Agency A", 300, 300),
        "b": _st("b", "Agency B", 320, 320),
        "c": _st("c", "Agency C", 1000, 1000, as_of="2025-01"),
    }
    f = Finding(id="f2", type="conflict", rule="conflict_disjoint_intervals", subject="Blue forces",
                measure="killed", text="…", statements=["c", "a", "b"], period="2025-01",
                details={"gap": 680.0, "tolerance": 100.0, "ratio": 3.1})  # fmt: skip
    row = conflict_row(f, sts)
    assert [s.id for s in row.side_a] == ["a", "b"] and [s.id for s in row.side_b] == ["c"]
    assert row.gap == "680 (×3.1)" and "100" in row.why and row.period == "Jan 2025"
    sentence = finding_sentence(f, sts)
    assert "Agency C: 1,000 (Jan 2025 (stated))" in sentence and "conflict_disjoint" not in sentence


def test_counts_are_counted_one_way() -> None:
    sts = [_st("a", "Agency A", 1, 1), _st("b", "Agency B", 2, 2, claims=[("d1", 5, 6), ("d2", 0, 1)]),
           _st("c", None, 3, 3, computed=True, claims=[("d1", 0, 3)])]  # fmt: skip
    f = Finding(id="f", type="conflict", rule="r", subject=None, measure="killed", text="")
    c = counts(2, sts, 1, [f])
    assert (c.documents, c.claims, c.statements, c.sources, c.variables, c.conflicts) == (2, 3, 3, 2, 1, 1)
    assert c.line().startswith("2 documents · 3 claims · 3 statements · 2 sources · 1 variable · 1 conflict")


def _widest(text: str) -> int:
    return max((len(line.rstrip()) for line in text.splitlines()), default=0)


def test_cli_tables_fit_an_80_column_terminal(shared_dir: object, tmp_path: object) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from crosscount.cli import main

    assert isinstance(shared_dir, Path) and isinstance(tmp_path, Path)
    db = str(tmp_path / "l.db")
    runner = CliRunner()
    built = runner.invoke(main, ["analyze", str(shared_dir / "seeds"), "--db", db])
    assert built.exit_code == 0, built.output
    for args in (["findings"], ["statements"], ["variables"], ["claims"], ["stories"], ["corrections"],
                 ["timeline", "North Korean forces", "killed"]):  # fmt: skip
        out = runner.invoke(main, [*args, "--db", db], env={"COLUMNS": "80"})
        assert out.exit_code == 0, out.output
        assert _widest(out.output) <= 80, (args, _widest(out.output))
        assert "own voice of" not in out.output and "(unnamed" not in out.output
    narrow = runner.invoke(main, ["findings", "--db", db], env={"COLUMNS": "80"}).output
    assert "┃ finding" not in narrow, "below 100 columns a finding is a paragraph, not a column"
    wide = runner.invoke(main, ["findings", "--db", db], env={"COLUMNS": "160"}).output
    assert _widest(wide) <= 160 and "finding" in wide
    stories = runner.invoke(main, ["stories", "--db", db], env={"COLUMNS": "80"}).output
    story = runner.invoke(main, ["stories", "--db", db, "--format", "jsonl"]).output.split('"id": "')[1].split('"')[0]
    assert story in stories and "Jan 2025" in stories, "the story id whole, dates as a reader writes them"
