"""Scoring the reconciled picture (crosscount/picture.py) and `crosscount eval --picture`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crosscount.cli import main
from crosscount.errors import GoldError
from crosscount.models import Finding, Statement
from crosscount.picture import (
    GoldConflict,
    GoldFigure,
    GoldStatement,
    PictureGold,
    find_gold,
    load_picture_gold,
    score_picture,
)
from crosscount.reconcile import Reconciliation


def st(sid: str, source: str | None, low: float | None, high: float | None, docs: list[str], **kw: Any) -> Statement:
    return Statement(
        id=sid,
        source=source if source is not None else "own voice of Outlet",
        subject=kw.pop("subject", "people"),
        measure=kw.pop("measure", "killed"),
        location=None,
        unit="persons",
        low=low,
        high=high,
        qualifier="exact",
        figure=str(low),
        as_of=None,
        kind="report",
        docs=docs,
        own_voice=source is None,
        story=kw.pop("story", "flood"),
        **kw,
    )


def conflict(fid: str, ids: list[str], measure: str = "killed", story: str = "flood") -> Finding:
    return Finding(
        id=fid, type="conflict", rule="conflict_disjoint_intervals", subject="people", measure=measure,
        text=f"conflict {fid}", statements=ids, story=story,
    )


def gold_statement(source: str | None, low: float | None, high: float | None, docs: list[str]) -> GoldStatement:
    return GoldStatement(
        story="flood", source=source, subject="people", measure="killed", unit="persons", low=low, high=high,
        as_of="2025-03-02", docs=docs,
    )


def gold_conflict(a: GoldFigure, b: GoldFigure, measure: str = "killed") -> GoldConflict:
    return GoldConflict(story="flood", subject="people", measure=measure, unit="persons", a=a, b=b)


def test_a_statement_is_recovered_with_its_source_value_within_one_percent_and_most_documents() -> None:
    rec = Reconciliation(
        statements=[
            st("s1", "Regional Health Ministry", 1005, 1005, ["d1", "d2", "d3", "d4"]),
            st("s2", "Red Cross", 500, 500, ["d1"]),  # one of the two documents only
            st("s3", "Civil Defence", 250, None, ["d5", "d6"]),
        ],
        variables=[],
        findings=[],
    )
    gold = PictureGold(
        statements=[
            gold_statement("Health Ministry", 1000, 1000, ["d1", "d2", "d3", "d4", "d9"]),  # 4 of 5 = 80%
            gold_statement("Red Cross", 500, 500, ["d1", "d2"]),
            gold_statement("Civil Defence", 250, None, ["d5", "d6"]),
            gold_statement("Civil Defence", 260, None, ["d5", "d6"]),  # 4% off
        ]
    )
    result = score_picture(rec, gold)
    flood = result.stories["flood"]
    assert (flood.recovered, flood.gold_statements) == (2, 4)
    assert [g.low for g in flood.missed_statements] == [500, 260]
    assert result.overall.statements_recovered == 0.5


def test_an_open_low_bound_is_matched_on_the_high_one_and_own_voice_on_a_null_source() -> None:
    rec = Reconciliation(
        statements=[st("s1", "Mayor Ana Ruiz", None, 2000, ["d1", "d2"]), st("s2", None, 70, 70, ["d3", "d4"])],
        variables=[],
        findings=[],
    )
    gold = PictureGold(
        statements=[
            gold_statement("Ana Ruiz", None, 2000, ["d1", "d2"]),
            gold_statement(None, 70, 70, ["d3", "d4"]),
            gold_statement("Mayor Ana Ruiz", 2000, 2000, ["d1", "d2"]),  # a closed value is not "at most"
        ]
    )
    assert score_picture(rec, gold).stories["flood"].recovered == 2


def test_a_conflict_is_found_when_one_finding_involves_both_figures_and_precision_counts_the_rest() -> None:
    rec = Reconciliation(
        statements=[
            st("a", "Red Cross", 11000, 11000, ["d1"]),
            st("b", "WHO", 4000, None, ["d2"]),
            st("c", "Civil Defence", 9000, 9000, ["d3"]),
            st("d", "WHO", 4000, None, ["d4"], story="quake"),
        ],
        variables=[],
        findings=[
            conflict("f1", ["a", "b"]),
            conflict("f2", ["a", "c"]),  # not in the gold list
            conflict("f3", ["a", "b"], measure="missing"),  # wrong measure
            conflict("f4", ["d"], story="quake"),
        ],
    )
    gold = PictureGold(
        conflicts=[
            gold_conflict(GoldFigure("WHO", 4000, None), GoldFigure("Red Cross", 11000, 11000)),
            gold_conflict(GoldFigure("Civil Defence", 9000, 9000), GoldFigure("WHO", 4000, None)),
        ]
    )
    result = score_picture(rec, gold)
    flood = result.stories["flood"]
    assert (flood.found, flood.gold_conflicts) == (1, 2)
    assert (flood.matching_conflicts, flood.reported_conflicts) == (1, 3)
    assert [f.id for f in flood.unmatched_conflicts] == ["f2", "f3"]
    assert "quake" not in result.stories  # no gold there: not scored


def test_evolutions_are_counted_per_story() -> None:
    rec = Reconciliation(
        statements=[],
        variables=[],
        findings=[
            Finding(id="e1", type="evolution", rule="evolution_cumulative_growth", subject="people",
                    measure="killed", text="grew", story="flood"),
        ],
    )
    result = score_picture(rec, PictureGold(statements=[gold_statement("X", 1, 1, ["d1"])]))
    assert result.stories["flood"].evolutions == 1 and result.overall.evolutions == 1


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_gold_files_are_found_by_directory_or_prefix_and_bad_lines_name_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path / "set.statements.jsonl", [{"story": "flood", "source": "WHO", "measure": "killed",
                                                 "low": 5, "high": 5, "docs": ["d1", "d2"]}])
    _write(tmp_path / "set.conflicts.jsonl", [])
    assert find_gold(tmp_path) == find_gold(tmp_path / "set")
    assert len(load_picture_gold(tmp_path).statements) == 1
    with pytest.raises(GoldError, match=r"no \*\.statements"):
        find_gold(tmp_path / "nothing")
    (tmp_path / "set.statements.jsonl").write_text('{"measure": "killed", "docs": []}\n', encoding="utf-8")
    with pytest.raises(GoldError, match=r"set\.statements\.jsonl:line 1: 'docs'"):
        load_picture_gold(tmp_path)
    (tmp_path / "set.statements.jsonl").write_text("\n{oops\n", encoding="utf-8")
    with pytest.raises(GoldError, match=r"line 2: not JSON"):
        load_picture_gold(tmp_path)


def test_cli_scores_the_picture_from_gold_claims(tmp_path: Path) -> None:
    text_a = "The Red Cross said 120 people died in the flood."
    text_b = "At least 120 people were killed, the Red Cross said on Tuesday."
    text_c = "Officials in the capital put the death toll at 40."
    docs = [
        {"id": "a", "story": "flood", "outlet": "Outlet A", "published": "2025-03-02", "text": text_a},
        {"id": "b", "story": "flood", "outlet": "Outlet B", "published": "2025-03-03", "text": text_b},
        {"id": "c", "story": "flood", "outlet": "Outlet C", "published": "2025-03-03", "text": text_c},
    ]
    _write(tmp_path / "set.docs.jsonl", docs)

    def gold_claim(doc: str, text: str, figure: str, low: float, source: str) -> dict[str, Any]:
        start = text.index(figure)
        return {"doc": doc, "start": start, "end": start + len(figure), "figure": figure, "low": low, "high": low,
                "qualifier": "exact", "unit": "persons", "measure": "killed", "subject": "people",
                "location": None, "source": source, "as_of": None, "kind": "report"}

    _write(tmp_path / "set.gold.jsonl", [
        gold_claim("a", text_a, "120", 120, "Red Cross"),
        gold_claim("b", text_b, "120", 120, "Red Cross"),
        gold_claim("c", text_c, "40", 40, "officials"),
    ])
    _write(tmp_path / "set.statements.jsonl", [{"story": "flood", "source": "Red Cross", "measure": "killed",
                                                 "unit": "persons", "low": 120, "high": 120, "docs": ["a", "b"]}])
    _write(tmp_path / "set.conflicts.jsonl", [{"story": "flood", "subject": "people", "measure": "killed",
                                                "a": {"source": "Red Cross", "low": 120, "high": 120},
                                                "b": {"source": "officials", "low": 40, "high": 40}}])
    runner = CliRunner()
    args = ["eval", "--picture", str(tmp_path / "set"), "--gold", str(tmp_path / "set.gold.jsonl"),
            str(tmp_path / "set.docs.jsonl"), "--from-gold", "--json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["claims"] == "gold"
    assert (data["statements_recovered"], data["conflicts_recall"], data["conflicts_precision"]) == (1.0, 1.0, 1.0)
    assert data["stories"]["flood"]["recovered"] == 1
    table = runner.invoke(main, args[:-1], env={"COLUMNS": "80"})
    assert table.exit_code == 0 and "flood" in table.output and "1/1" in table.output
    assert max(len(line) for line in table.output.splitlines()) <= 80, table.output
    bad = runner.invoke(main, ["eval", "--gold", str(tmp_path / "set.gold.jsonl"), str(tmp_path / "set.docs.jsonl"),
                               "--from-gold"])
    assert bad.exit_code == 2 and "--from-gold goes with --picture" in bad.output
    missing = runner.invoke(main, [*args[:2], str(tmp_path / "none"), *args[3:]])
    assert missing.exit_code == 1 and "no *.statements.jsonl" in missing.output and "Traceback" not in missing.output


# -- the floors on the development set (read from ../shared at test time) --------------------------------

# The bars are 0.85 / 0.85 / 0.6 from the gold claims and 0.6 / 0.6 / 0.4 from the extractor's.
# Where the reconciler does not reach a bar yet, the floor holds what it reaches (see the report in
# the commit log and README); raise these as the picture improves, never lower them.
FLOORS = {
    "gold": {"statements_recovered": 0.95, "conflicts_recall": 0.9, "conflicts_precision": 0.65},
    # issue 9's bars from the extractor's own claims (measured 0.621, 0.615, 0.412)
    "extractor": {"statements_recovered": 0.6, "conflicts_recall": 0.6, "conflicts_precision": 0.4},
}


@pytest.mark.slow
@pytest.mark.parametrize("claims", ["gold", "extractor"])
def test_dev_picture_floors(shared_dir: Path, claims: str) -> None:
    dev = shared_dir / "eval" / "dev"
    args = ["eval", "--picture", str(dev / "dev"), "--gold", str(dev / "dev.gold.jsonl"), str(dev / "dev.docs.jsonl"),
            "--json"]
    result = CliRunner().invoke(main, [*args, "--from-gold"] if claims == "gold" else args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["gold_statements"] == 29 and data["gold_conflicts"] == 13
    for key, floor in FLOORS[claims].items():
        assert data[key] >= floor, (claims, key, data[key], {k: v for k, v in data.items() if k != "stories"})
