"""`crosscount extract` as a user runs it: formats, bad input, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from crosscount.cli import main
from crosscount.models import OUTPUT_FIELDS

ARTICLE = "The army said on Monday that 40 Malian soldiers were killed and 25 wounded in the ambush.\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_extract_jsonl_carries_exactly_the_documented_fields(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    code, out, _ = run("extract", str(tmp_path / "a.txt"), "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["figure"] for r in rows] == ["40", "25"]
    assert all(list(r) == list(OUTPUT_FIELDS) for r in rows)
    assert rows[0]["doc"] == "a.txt" and rows[1]["measure"] == "wounded"


def test_extract_csv_and_table_formats(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    code, out, _ = run("extract", str(tmp_path), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2 and rows[0]["source"] == "Malian army"
    code, out, _ = run("extract", str(tmp_path), "--format", "table")
    assert code == 0 and "Malian army" in out and "wounded" in out


def test_extract_writes_to_out_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out_file = tmp_path / "claims.jsonl"
    code, out, _ = run("extract", str(tmp_path / "a.txt"), "--out", str(out_file))
    assert code == 0 and out == ""
    assert len(out_file.read_text(encoding="utf-8").splitlines()) == 2


def test_extract_bad_inputs_are_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    (tmp_path / "broken.jsonl").write_text(
        json.dumps({"id": "r1", "text": ARTICLE}) + "\n{not json\n" + json.dumps({"id": "r3", "url": "x"}) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "notext.csv").write_text("id,body\n1,hello\n", encoding="utf-8")
    (tmp_path / "dated.jsonl").write_text(
        json.dumps({"id": "r4", "text": ARTICLE, "published": "soon-ish"}) + "\n", encoding="utf-8"
    )
    code, out, err = run("extract", str(tmp_path), "--format", "jsonl")
    assert code != 0
    docs = sorted({json.loads(line)["doc"] for line in out.splitlines()})
    assert docs == ["good.txt", "r1", "r4"]
    for name in ("empty.txt", "binary.txt", "broken.jsonl:line 2", "broken.jsonl:line 3", "notext.csv", "dated.jsonl"):
        assert name in err, (name, err)


def test_extract_missing_path_is_a_clear_message(tmp_path: Path) -> None:
    code, _, err = run("extract", str(tmp_path / "nope.txt"))
    assert code != 0 and "nope.txt" in err


def test_extract_explain_lists_the_rules(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    code, out, _ = run("extract", str(tmp_path / "a.txt"), "--explain")
    assert code == 0
    rules = json.loads(out.splitlines()[0])["rules"]
    assert any(r.startswith("source:") for r in rules) and any(r.startswith("measure:") for r in rules)


def test_python_api_extract_returns_typed_claims() -> None:
    import crosscount

    claims = crosscount.extract(ARTICLE, published="2025-03-12", doc="x")
    assert [c.as_of for c in claims] == ["2025-03-10", "2025-03-10"]
    assert isinstance(claims[0], crosscount.Claim)
