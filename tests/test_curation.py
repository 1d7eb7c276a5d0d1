"""Curation: an analyst's corrections kept beside the machine's values, applied at every reconcile."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from crosscount.cli import main
from crosscount.curation import CorrectionError, add_correction, apply, corrections, parse_value
from crosscount.ledger import Ledger
from crosscount.pipeline import analyze, reconcile_ledger, reextract
from crosscount.web.app import create_app

ARTICLE_A = "date 2025-02-10\nRegional officials said on Monday that 45 soldiers were killed near Pokrovsk.\n"
ARTICLE_B = "date 2025-02-12\nThe army said 60 soldiers were killed near Pokrovsk last week.\n"
ARTICLE_C = "date 2025-02-20\nA local mayor said 12 civilians were wounded in the shelling of the town.\n"


def test_values_parse_as_figures_or_fail_clearly() -> None:
    assert parse_value("300") == (300, 300, "exact")
    assert parse_value("1,200-1,500") == (1200, 1500, "range")
    assert parse_value(">=790000") == (790000, None, "at_least")
    assert parse_value("≤ 50") == (None, 50, "at_most")
    with pytest.raises(CorrectionError, match="not a figure"):
        parse_value("about three hundred")
    with pytest.raises(CorrectionError, match="low end is above"):
        parse_value("900-200")


@pytest.fixture()
def ledger_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (folder / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    return folder


def _killed(ledger: Ledger) -> list[tuple[str | None, float | None]]:
    return sorted((s.source, s.low) for s in ledger.statements() if s.measure == "killed")


def test_a_correction_changes_the_reconciliation_and_survives_reanalysis_and_reextraction(
    ledger_dir: Path, tmp_path: Path
) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        analyze([ledger_dir], ledger)
        claim = next(c for c in ledger.claims() if c.figure == "45")
        assert (claim.source, 45.0) in _killed(ledger)
        fix = add_correction(ledger, claim.doc, claim.start, "value", "450", who="ana", why="misread")
        assert fix.machine == "45" and fix.value == "450" and fix.who == "ana" and fix.at
        reconcile_ledger(ledger)
        assert (claim.source, 450.0) in _killed(ledger)
        assert (claim.source, 45.0) not in _killed(ledger)
        # a new document arrives: the correction still holds
        (ledger_dir / "c.txt").write_text(ARTICLE_C, encoding="utf-8")
        analyze([ledger_dir], ledger)
        assert (claim.source, 450.0) in _killed(ledger)
        # the extractor changes and every document is read again: the claim is found again, corrected again
        assert reextract(ledger, fingerprint="an older extractor") >= 3
        reconcile_ledger(ledger)
        assert (claim.source, 450.0) in _killed(ledger)
        assert ledger.claims(doc=claim.doc)[0].low == 45  # the machine's value is kept as it read it


def test_a_later_correction_replaces_the_earlier_one_which_stays_as_history(ledger_dir: Path, tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        analyze([ledger_dir], ledger)
        claim = next(c for c in ledger.claims() if c.figure == "60")
        add_correction(ledger, claim.doc, claim.start, "source", "Army spokesman", who="ana")
        add_correction(ledger, claim.doc, claim.start, "source", "General Staff", who="bo", why="checked")
        assert [c.value for c in corrections(ledger)] == ["General Staff"]
        assert [(c.value, c.active) for c in corrections(ledger, history=True)] == [
            ("Army spokesman", False), ("General Staff", True)]  # fmt: skip
        reconcile_ledger(ledger)
        assert any(s.source == "General Staff" for s in ledger.statements())


def test_excluding_a_claim_or_a_document_leaves_it_out(ledger_dir: Path, tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        analyze([ledger_dir], ledger)
        a = next(c for c in ledger.claims() if c.figure == "45")
        b = next(c for c in ledger.claims() if c.figure == "60")
        add_correction(ledger, a.doc, a.start, "exclude", who="ana", why="a duplicate")
        add_correction(ledger, b.doc, None, "exclude", who="ana", why="an opinion piece")
        assert list(apply(ledger.claims(), corrections(ledger))) == []
        reconcile_ledger(ledger)
        assert _killed(ledger) == []
        assert ledger.count_claims() == 2  # nothing deleted: the machine's claims stay in the ledger


def test_bad_corrections_are_refused_with_a_reason(ledger_dir: Path, tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        analyze([ledger_dir], ledger)
        c = ledger.claims()[0]
        with pytest.raises(CorrectionError, match="one of"):
            add_correction(ledger, c.doc, c.start, "measure", "exploded", who="ana")
        with pytest.raises(CorrectionError, match="YYYY"):
            add_correction(ledger, c.doc, c.start, "as_of", "last Monday", who="ana")
        with pytest.raises(CorrectionError, match="no claim at offset"):
            add_correction(ledger, c.doc, 99999, "confirm", who="ana")
        with pytest.raises(CorrectionError, match="no document"):
            add_correction(ledger, "missing.txt", 0, "confirm", who="ana")
        with pytest.raises(CorrectionError, match="only be excluded"):
            add_correction(ledger, c.doc, None, "source", "X", who="ana")
        with pytest.raises(CorrectionError, match="cannot correct"):
            add_correction(ledger, c.doc, c.start, "kind", "report", who="ana")
        assert corrections(ledger) == []


def test_the_cli_corrects_confirms_excludes_and_lists(ledger_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    runner = CliRunner()
    assert runner.invoke(main, ["analyze", str(ledger_dir), "--db", db]).exit_code == 0
    with Ledger(db) as ledger:
        claim = next(c for c in ledger.claims() if c.figure == "45")
    out = runner.invoke(main, ["correct", claim.doc, str(claim.start), "value", "450", "--db", db, "--who", "ana",
                               "--why", "misread"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "the machine said '45'" in out.output
    assert runner.invoke(main, ["confirm", claim.doc, str(claim.start), "--db", db, "--who", "bo"]).exit_code == 0
    listed = runner.invoke(main, ["corrections", "--db", db]).output
    assert "ana  value = '450' (machine: '45')" in listed and "bo  confirm" in listed
    bad = runner.invoke(main, ["correct", claim.doc, str(claim.start), "value", "lots", "--db", db])
    assert bad.exit_code != 0 and "not a figure" in bad.output and "Traceback" not in bad.output
    with Ledger(db) as ledger:
        assert (claim.source, 450.0) in _killed(ledger)


def test_the_api_records_a_correction_behind_the_token(ledger_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    with Ledger(db) as ledger:
        analyze([ledger_dir], ledger)
        claim = next(c for c in ledger.claims() if c.figure == "45")
    body = {"doc": claim.doc, "start": claim.start, "field": "value", "value": "450", "who": "ana"}
    with TestClient(create_app(str(db), token="s3cret"), base_url="http://127.0.0.1") as client:
        refused = client.post("/api/corrections", json=body)
        assert refused.status_code == 401 and refused.json()["ok"] is False
        done = client.post("/api/corrections", json=body, headers={"Authorization": "Bearer s3cret"})
        assert done.status_code == 201, done.text
        assert done.json()["correction"]["machine"] == "45"
        bad = client.post("/api/corrections", json={**body, "value": "lots"},
                          headers={"Authorization": "Bearer s3cret"})  # fmt: skip
        assert bad.status_code == 400 and "not a figure" in bad.json()["error"]
        listed = client.get("/api/corrections").json()["items"]
        assert [c["value"] for c in listed] == ["450"]
        page = client.get(f"/claims/{claim.doc}/{claim.start}").text
        assert "the machine read" in page and "450" in page
        statements = client.get("/api/statements", params={"measure": "killed"}).json()["items"]
        assert 450.0 in [s["low"] for s in statements]

