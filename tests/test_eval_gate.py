"""The quality gate: the extractor on the seed gold must stay above the issue's floors.

The seed gold is a development set; these floors only guard against regressions. Generality is
tested by the unit tests on sentences written for them (tests/test_extract.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosscount.cli import main

FLOORS = {
    "f1": 0.95,
    "value": 0.92,
    "measure": 0.92,
    "subject": 0.92,
    "source": 0.90,
    "as_of": 0.85,
    "strict_recall": 0.85,
}


@pytest.fixture(scope="module")
def seed_scores(shared_dir: Path) -> dict[str, object]:
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--gold",
            str(shared_dir / "eval" / "seeds.gold.jsonl"),
            str(shared_dir / "seeds"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    scores: dict[str, object] = json.loads(result.output)
    return scores


def test_eval_gate_figure_f1(seed_scores: dict[str, object]) -> None:
    assert seed_scores["f1"] >= FLOORS["f1"], seed_scores  # type: ignore[operator]


@pytest.mark.parametrize("field", ["value", "measure", "subject", "source", "as_of"])
def test_eval_gate_field_accuracy(seed_scores: dict[str, object], field: str) -> None:
    fields = seed_scores["fields"]
    assert isinstance(fields, dict)
    assert fields[field] >= FLOORS[field], (field, seed_scores["mismatches"])


def test_eval_gate_strict_recall(seed_scores: dict[str, object]) -> None:
    assert seed_scores["strict_recall"] >= FLOORS["strict_recall"], seed_scores  # type: ignore[operator]


def test_eval_reads_metadata_beside_the_gold_file(shared_dir: Path) -> None:
    from crosscount.cli.extraction import default_meta_for

    meta = default_meta_for(str(shared_dir / "eval" / "seeds.gold.jsonl"))
    assert meta is not None and meta.endswith("seeds.docs.jsonl")


def test_eval_scores_a_perfect_prediction_as_perfect(tmp_path: Path) -> None:
    from crosscount.evaluate import load_gold, score

    gold = tmp_path / "g.gold.jsonl"
    line = {
        "doc": "a.txt",
        "start": 0,
        "end": 3,
        "figure": "300",
        "low": 300,
        "high": 300,
        "qualifier": "exact",
        "unit": "persons",
        "measure": "killed",
        "subject": "Malian forces",
        "location": None,
        "source": "the Malian Army",
        "as_of": None,
        "kind": "report",
    }
    gold.write_text(json.dumps(line) + "\n", encoding="utf-8")
    claims = load_gold(gold)
    predicted = [type(claims[0]).from_dict({**line, "source": "Malian army"})]
    report = score(claims, predicted)
    assert (report.f1, report.accuracy("source"), report.strict_recall) == (1.0, 1.0, 1.0)
    wrong = [type(claims[0]).from_dict({**line, "measure": "wounded", "start": 1, "end": 2})]
    assert score(claims, wrong).strict_recall == 0.0


def test_source_names_compare_leniently_as_the_dev_readme_says() -> None:
    from crosscount.evaluate import same_source
    from crosscount.resolve import default_resolver

    resolver = default_resolver()
    assert same_source("Harbour Mayor Ann Li", "Ann Li", resolver)  # one inside the other
    assert same_source("Valdorian Interior Ministry", "Valdoria's interior ministry", resolver)  # half shared
    assert same_source(None, None, resolver)
    assert not same_source("Red Crescent", None, resolver)
    assert not same_source("Red Crescent", "Civil Defence", resolver)
    # an alias inside a person's title is not what the name means: "White House" is the US government
    assert same_source("White House adviser Ann Li", "Ann Li", resolver)
    assert same_source("OHCHR", "UN Human Rights Office", resolver)  # a whole alias still folds


def test_eval_by_story_scores_each_story_and_all(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        "\n".join(
            json.dumps(record)
            for record in (
                {"id": "a", "story": "flood", "published": "2024-05-02", "text": "The river flood killed 40 people."},
                {"id": "b", "story": "fire", "published": "2024-06-02", "text": "The forest fire killed 7 people."},
            )
        )
        + "\n",
        encoding="utf-8",
    )
    base = {"qualifier": "exact", "unit": "persons", "measure": "killed", "subject": "people", "location": None,
            "source": None, "as_of": None, "kind": "report"}
    gold = tmp_path / "g.gold.jsonl"
    gold.write_text(
        json.dumps({**base, "doc": "a", "start": 26, "end": 28, "figure": "40", "low": 40, "high": 40}) + "\n"
        + json.dumps({**base, "doc": "b", "start": 25, "end": 26, "figure": "7", "low": 7, "high": 7}) + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), str(docs), "--by-story", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["stories"]) == {"flood", "fire"}
    assert data["stories"]["flood"]["gold"] == 1 and data["stories"]["fire"]["gold"] == 1
    table = CliRunner().invoke(main, ["eval", "--gold", str(gold), str(docs), "--by-story"])
    assert "flood" in table.output and "\nall " in table.output
