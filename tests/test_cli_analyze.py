"""`crosscount analyze`, `demo`, `claims`, `statements`, `findings`, `variables` and `timeline`.

The commands run in-process through click's CliRunner on real SQLite files; the kill -9 test runs
`python -m crosscount analyze` as a subprocess. Every article here is written for the test.
"""

from __future__ import annotations

import csv
import io
import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from crosscount.cli import main
from crosscount.ledger import Ledger

FLOODS = [
    {
        "id": "flood-a",
        "outlet": "Valley Courier",
        "published": "2025-03-05",
        "title": "Floods in Lorin",
        "text": "Floods in Lorin\n\nGovernor Mara Olsen said on Tuesday that 120 people had been killed in the "
        "floods and 450 injured.\n\nThe Red Cross said at least 3,000 people had been displaced.",
    },
    {
        "id": "flood-b",
        "outlet": "Lorin Herald",
        "published": "2025-03-06",
        "title": "Death toll disputed",
        "text": "Death toll disputed\n\nThe Red Cross said on Wednesday that 400 people had been killed in the "
        "floods.\n\nGovernor Mara Olsen said on Tuesday that 120 people had been killed in the floods and "
        "450 injured.",
    },
    {
        "id": "flood-c",
        "outlet": "Morning Wire",
        "published": "2025-03-20",
        "title": "Toll rises",
        "text": "Toll rises\n\nGovernor Mara Olsen said on Wednesday that 610 people had been killed in the floods.",
    },
]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def jsonl(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def sample_path() -> Path:
    return Path(str(resources.files("crosscount") / "sample" / "kursk.jsonl"))


def write_floods(folder: Path) -> Path:
    path = folder / "floods.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in FLOODS), encoding="utf-8")
    return path


def dump(db: Path) -> dict[str, list[str]]:
    """Documents, claims, statements and findings, as sorted JSON lines (no run ids or timestamps)."""
    with Ledger(db) as ledger:
        rows = {
            "documents": [d.to_dict() for d in ledger.documents()],
            "claims": [c.to_dict(with_rules=True) for c in ledger.claims()],
            "statements": [s.to_dict() for s in ledger.statements()],
            "findings": [f.to_dict() for f in ledger.findings()],
        }
    return {k: sorted(json.dumps(r, sort_keys=True) for r in v) for k, v in rows.items()}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sample") / "ledger.db"
    ok("analyze", str(sample_path()), "--db", str(db))
    return db


@pytest.fixture(scope="module")
def floods_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("floods")
    db = folder / "ledger.db"
    ok("analyze", str(write_floods(folder)), "--db", str(db))
    return db


# --------------------------------------------------------------------------------------------
# analyze


def test_analyze_prints_a_summary_and_writes_the_report(tmp_path: Path) -> None:
    db, report = tmp_path / "ledger.db", tmp_path / "report.html"
    result = ok("analyze", str(sample_path()), "--db", str(db), "--report", str(report))
    assert "documents: 4 added, 0 already in the ledger" in result.stdout
    assert "claims:" in result.stdout and "statements" in result.stdout and "findings" in result.stdout
    assert "conflicts: " in result.stdout
    assert f"report: {report}" in result.stdout
    assert report.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert "4/4" in result.stderr  # the progress bar ticked once per document
    with Ledger(db) as ledger:
        assert ledger.count_documents() == 4


@pytest.mark.parametrize("suffix", [".md", ".json"])
def test_analyze_writes_the_report_format_its_suffix_names(tmp_path: Path, suffix: str) -> None:
    report = tmp_path / f"report{suffix}"
    ok("analyze", str(write_floods(tmp_path)), "--db", str(tmp_path / "l.db"), "--report", str(report))
    text = report.read_text(encoding="utf-8")
    if suffix == ".json":
        assert json.loads(text)["variables"]
    else:
        assert text.startswith("#")


def test_analyze_refuses_an_unknown_report_suffix_before_doing_anything(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    result = run("analyze", str(write_floods(tmp_path)), "--db", str(db), "--report", str(tmp_path / "r.pdf"))
    assert result.exit_code == 2
    assert ".html, .md or .json" in result.stderr
    assert not db.exists()


def test_analyze_twice_adds_nothing_and_leaves_the_ledger_identical(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    inputs = [str(sample_path()), str(write_floods(tmp_path))]
    ok("analyze", *inputs, "--db", str(db))
    before = dump(db)
    second = ok("analyze", *inputs, "--db", str(db))
    assert "documents: 0 added, 7 already in the ledger" in second.stdout
    assert "claims: 0 added" in second.stdout
    assert dump(db) == before
    assert before["documents"] and before["claims"] and before["statements"] and before["findings"]


def test_bad_inputs_are_reported_one_line_each_and_the_good_ones_stored(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a-good.txt").write_text(
        "Quake in Tessa\n\nThe civil protection agency said 85 people had been killed in Tessa.\n", encoding="utf-8"
    )
    (folder / "b-empty.txt").write_text("", encoding="utf-8")
    (folder / "c-binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "d-good.txt").write_text(
        "Aftershock in Tessa\n\nRescuers said 40 people were still missing in Tessa.\n", encoding="utf-8"
    )
    db = tmp_path / "ledger.db"
    result = run("analyze", str(folder), "--db", str(db))
    assert result.exit_code == 3, result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 2
    assert any("b-empty.txt" in line for line in skipped)
    assert any("c-binary.txt" in line for line in skipped)
    assert "2 input(s) skipped" in result.stderr
    assert "documents: 2 added" in result.stdout
    with Ledger(db) as ledger:
        assert sorted(Path(d.origin or "").name for d in ledger.documents()) == ["a-good.txt", "d-good.txt"]
        assert ledger.count_claims() >= 2


def test_a_missing_input_is_skipped_with_exit_3(tmp_path: Path) -> None:
    result = run("analyze", str(write_floods(tmp_path)), str(tmp_path / "nope.txt"), "--db", str(tmp_path / "l.db"))
    assert result.exit_code == 3
    assert "nope.txt" in result.stderr and "no such file" in result.stderr
    assert "documents: 3 added" in result.stdout


def test_a_ledger_error_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run("analyze", str(write_floods(tmp_path)), "--db", str(tmp_path / "no-dir" / "l.db"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------------------------
# demo


def test_demo_runs_the_bundled_sample_and_shows_the_findings(tmp_path: Path) -> None:
    db, report = tmp_path / "demo.db", tmp_path / "demo.html"
    result = ok("demo", "--db", str(db), "--report", str(report))
    assert "4 sample articles" in result.stdout
    for word in ("conflict", "check", "estimate", "low", "best", "high"):
        assert word in result.stdout
    assert "1,000" in result.stdout  # numbers carry thousands separators
    assert report.is_file() and "<html" in report.read_text(encoding="utf-8").lower()
    with Ledger(db) as ledger:
        assert ledger.count_documents() == 4


def test_demo_writes_its_report_in_the_current_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = ok("demo")
    assert "report: crosscount-demo-report.html" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["crosscount-demo-report.html"]  # the ledger was temporary


# --------------------------------------------------------------------------------------------
# claims, statements, findings, variables


@pytest.mark.parametrize("command", ["claims", "statements", "findings", "variables"])
def test_every_listing_has_three_formats(sample_db: Path, command: str) -> None:
    lines = jsonl(ok(command, "--db", str(sample_db), "--format", "jsonl"))
    assert lines and all(isinstance(line, dict) for line in lines)
    rows = list(csv.DictReader(io.StringIO(ok(command, "--db", str(sample_db), "--format", "csv").stdout)))
    assert len(rows) == len(lines)
    assert rows[0].keys() >= {"subject", "measure"}
    table = ok(command, "--db", str(sample_db)).stdout
    assert table.count("\n") > len(lines) and "North Korean forces" in table


def test_claims_filters(floods_db: Path) -> None:
    db = str(floods_db)
    everything = jsonl(ok("claims", "--db", db, "--format", "jsonl"))
    killed = jsonl(ok("claims", "--db", db, "--format", "jsonl", "--measure", "killed"))
    assert killed and len(killed) < len(everything)
    assert {c["measure"] for c in killed} == {"killed"}
    olsen = jsonl(ok("claims", "--db", db, "--format", "jsonl", "--source", "Mara Olsen"))
    assert olsen and {c["source"] for c in olsen} == {"Mara Olsen"}
    late = jsonl(ok("claims", "--db", db, "--format", "jsonl", "--since", "2025-03-15"))
    assert [c["figure"] for c in late] == ["610"]
    early = jsonl(ok("claims", "--db", db, "--format", "jsonl", "--until", "2025-03-04", "--measure", "killed"))
    assert sorted(c["figure"] for c in early) == ["120", "120"]
    assert jsonl(ok("claims", "--db", db, "--format", "jsonl", "--subject", "nobody")) == []


def test_statements_jsonl_carries_the_fields_and_groups_repeats(floods_db: Path) -> None:
    sts = jsonl(ok("statements", "--db", str(floods_db), "--format", "jsonl"))
    for st in sts:
        assert st.keys() >= {"subject", "measure", "location", "unit", "source", "low", "high", "as_of", "docs"}
        assert isinstance(st["docs"], list) and st["docs"]
    repeated = [s for s in sts if s["measure"] == "killed" and s["low"] == 120]
    assert len(repeated) == 1
    assert repeated[0]["source"] == "Mara Olsen" and repeated[0]["docs"] == ["flood-a", "flood-b"]


def test_statements_filters(floods_db: Path) -> None:
    db = str(floods_db)
    red_cross = jsonl(ok("statements", "--db", db, "--format", "jsonl", "--source", "Red Cross"))
    assert red_cross and {s["source"] for s in red_cross} == {"Red Cross"}
    wounded = jsonl(ok("statements", "--db", db, "--format", "jsonl", "--measure", "wounded"))
    assert [s["low"] for s in wounded] == [450]
    march_19 = jsonl(ok("statements", "--db", db, "--format", "jsonl", "--since", "2025-03-10", "--until", "2025-03"))
    assert [s["low"] for s in march_19] == [610]


def test_statements_table_formats_numbers_and_folds_outlets(sample_db: Path) -> None:
    table = ok("statements", "--db", str(sample_db), "--measure", "killed").stdout
    assert "1,000" in table and "South Korea NIS" in table and "Sample Herald" in table


def test_findings_jsonl_carries_type_text_statements_and_arithmetic(sample_db: Path) -> None:
    found = jsonl(ok("findings", "--db", str(sample_db), "--format", "jsonl"))
    assert {f["type"] for f in found} >= {"conflict", "check", "estimate"}
    for f in found:
        assert f.keys() >= {"type", "subject", "measure", "text", "statements", "involved"}
        assert [s["id"] for s in f["involved"]] == f["statements"]
    checks = [f for f in found if f["type"] == "check"]
    assert checks and all(isinstance(c["passed"], bool) and c["arithmetic"] for c in checks)
    estimates = [f for f in found if f["type"] == "estimate"]
    assert estimates
    for e in estimates:
        assert e["low"] <= e["best"] <= e["high"] and e["rule"].startswith("estimate") and e["median"] is not None


def test_findings_filters(sample_db: Path) -> None:
    db = str(sample_db)
    conflicts = jsonl(ok("findings", "--db", db, "--format", "jsonl", "--type", "conflict"))
    assert conflicts and {f["type"] for f in conflicts} == {"conflict"}
    killed = jsonl(ok("findings", "--db", db, "--format", "jsonl", "--measure", "killed"))
    assert killed and {f["measure"] for f in killed} == {"killed"}
    nis = jsonl(ok("findings", "--db", db, "--format", "jsonl", "--source", "South Korea NIS"))
    assert nis and all(any(s["source"] == "South Korea NIS" for s in f["involved"]) for f in nis)
    december = jsonl(ok("findings", "--db", db, "--format", "jsonl", "--until", "2024-12"))
    assert december and all(any((s["date"] or "") <= "2024-12-31" for s in f["involved"]) for f in december)
    assert len(december) < len(jsonl(ok("findings", "--db", db, "--format", "jsonl")))
    bad = run("findings", "--db", db, "--type", "rumour")
    assert bad.exit_code == 2 and "rumour" in bad.stderr


def test_variables_filters(floods_db: Path) -> None:
    db = str(floods_db)
    everything = jsonl(ok("variables", "--db", db, "--format", "jsonl"))
    assert {v["measure"] for v in everything} == {"killed", "wounded", "displaced"}
    assert all(v["statements"] for v in everything)
    red_cross = jsonl(ok("variables", "--db", db, "--format", "jsonl", "--source", "Red Cross"))
    assert {v["measure"] for v in red_cross} == {"killed", "displaced"}
    killed = jsonl(ok("variables", "--db", db, "--format", "jsonl", "--measure", "killed"))
    assert len(killed) == 1 and set(killed[0]["sources"]) == {"Mara Olsen", "Red Cross"}


def test_a_bad_date_filter_is_a_one_line_error(floods_db: Path) -> None:
    result = run("statements", "--db", str(floods_db), "--since", "last week")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "YYYY" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["claims", "statements", "findings", "variables"])
def test_reading_a_missing_ledger_says_how_to_build_one(tmp_path: Path, command: str) -> None:
    db = tmp_path / "missing.db"
    result = run(command, "--db", str(db))
    assert result.exit_code == 1
    assert "crosscount analyze" in result.stderr
    assert not db.exists()


# --------------------------------------------------------------------------------------------
# timeline


def test_timeline_prints_as_of_source_figure_interval_and_outlets(sample_db: Path) -> None:
    out = ok("timeline", "North Korean forces", "killed", "--db", str(sample_db)).stdout
    for text in ("13 Jan 2025", "South Korea NIS", "300", "1,000", "Western officials", "Sample Daily",
                 "Sample Post"):
        assert text in out
    assert out.index("13 Jan 2025") < out.index("22 Jan 2025")  # timeline order


def test_timeline_matches_subject_and_measure_case_insensitively(sample_db: Path) -> None:
    assert "South Korea NIS" in ok("timeline", "north korean forces", "KILLED", "--db", str(sample_db)).stdout


@pytest.mark.parametrize("suffix", [".html", ".svg"])
def test_timeline_writes_the_plot(sample_db: Path, tmp_path: Path, suffix: str) -> None:
    plot = tmp_path / f"killed{suffix}"
    out = ok("timeline", "North Korean forces", "killed", "--db", str(sample_db), "--plot", str(plot)).stdout
    assert f"plot: {plot}" in out
    assert ("<svg" if suffix == ".svg" else "<html") in plot.read_text(encoding="utf-8")


def test_timeline_refuses_png_with_a_clear_error(sample_db: Path, tmp_path: Path) -> None:
    plot = tmp_path / "killed.png"
    result = run("timeline", "North Korean forces", "killed", "--db", str(sample_db), "--plot", str(plot))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "PNG" in result.stderr and ".svg" in result.stderr
    assert not plot.exists() and result.stdout == ""


def test_timeline_of_an_unknown_variable_lists_the_ones_that_exist(sample_db: Path) -> None:
    result = run("timeline", "North Korean forces", "drowned", "--db", str(sample_db))
    assert result.exit_code == 1
    assert "'drowned'" in result.stderr
    assert "North Korean forces · killed" in result.stderr and "North Korean forces · wounded" in result.stderr


# --------------------------------------------------------------------------------------------
# kill -9 in the middle of a run, then resume

PLACES = ("Lorin", "Tessa", "Varn", "Ostmark", "Kell", "Brea", "Dunmore", "Halvik")
SPEAKERS = ("Governor Mara Olsen", "Mayor Piet Lund", "The Red Cross", "Rescue chief Ida Holm")


def generated_corpus(n: int) -> Iterator[dict[str, Any]]:
    """Small storm reports, each different (place, figures, day), written from two templates."""
    for i in range(n):
        place = PLACES[i % len(PLACES)]
        speaker = SPEAKERS[i % len(SPEAKERS)]
        day = 1 + i % 28
        killed, injured, displaced = 10 + i, 40 + 3 * i, 1000 + 25 * i
        text = (
            f"Storm report {i} from {place}\n\n"
            f"{speaker} said on March {day}, 2025 that {killed} people had been killed in the storm in {place} "
            f"and {injured} injured.\n\n"
            f"About {displaced:,} people had been displaced, local officials said."
        )
        yield {"id": f"storm-{i:04d}", "outlet": f"Wire {i % 5}", "published": f"2025-03-{min(day + 1, 28):02d}",
               "title": f"Storm report {i}", "text": text}


def stored_documents(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_a_run_killed_with_sigkill_resumes_to_the_same_ledger(tmp_path: Path) -> None:
    n = 300
    corpus = tmp_path / "storms.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in generated_corpus(n)), encoding="utf-8")
    killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"
    command = [sys.executable, "-m", "crosscount", "analyze", str(corpus), "--db", str(killed_db)]

    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        count = 0
        while time.monotonic() < deadline and proc.poll() is None:
            count = stored_documents(killed_db)
            if count >= 10:
                break
            time.sleep(0.02)
        assert proc.poll() is None, f"the run ended (exit {proc.returncode}) before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    at_kill = stored_documents(killed_db)
    assert 10 <= at_kill < n, at_kill

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{n - at_kill} added, {at_kill} already in the ledger" in resumed.stdout

    ok("analyze", str(corpus), "--db", str(clean_db))
    killed, clean = dump(killed_db), dump(clean_db)
    assert len(clean["documents"]) == n
    for table in ("documents", "claims", "statements", "findings"):
        assert killed[table] == clean[table], table


# -- stories, imported claims, re-extraction ------------------------------------------------------


def test_stories_are_listed_filtered_moved_and_merged(tmp_path: Path) -> None:
    corpus = tmp_path / "two.jsonl"
    rows = [{**r, "story": "floods"} for r in FLOODS] + [
        {"id": "vote-1", "story": "vote", "outlet": "Post", "published": "2025-02-02",
         "text": "Election officials in Astrid Bay said 3,000 people were arrested after the vote."},
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = str(tmp_path / "l.db")
    assert "stories: 2" in ok("analyze", str(corpus), "--db", db).stdout
    listed = {r["id"]: r for r in jsonl(ok("stories", "--db", db, "--format", "jsonl"))}
    assert set(listed) == {"floods", "vote"} and listed["vote"]["documents"] == 1
    assert {c["doc"] for c in jsonl(ok("claims", "--db", db, "--story", "vote", "--format", "jsonl"))} == {"vote-1"}
    for command in ("statements", "findings", "variables"):
        assert all(r["story"] == "floods" for r in jsonl(ok(command, "--db", db, "--story", "floods",
                                                              "--format", "jsonl")))
    assert "no story 'nope'" in run("claims", "--db", db, "--story", "nope").output
    ok("stories", "--db", db, "move", "vote-1", "floods")
    assert {r["id"] for r in jsonl(ok("stories", "--db", db, "--format", "jsonl"))} == {"floods"}
    ok("analyze", str(corpus), "--db", db)  # a re-run keeps the user's choice
    assert {r["id"] for r in jsonl(ok("stories", "--db", db, "--format", "jsonl"))} == {"floods"}
    ok("stories", "--db", db, "move", "vote-1", "vote")
    result = ok("stories", "--db", db, "merge", "vote", "floods")
    assert "1 document moved" in result.stdout
    assert "no story 'zzz'" in run("stories", "--db", db, "merge", "zzz", "floods").output


def test_analyze_with_claims_imports_them_and_reports_bad_lines(tmp_path: Path) -> None:
    corpus = write_floods(tmp_path)
    first = FLOODS[0]
    figure = "120"
    start = first["text"].index(figure)
    good = {"doc": first["id"], "start": start, "end": start + len(figure), "figure": figure, "low": 1, "high": 1,
            "qualifier": "exact", "unit": "persons", "measure": "killed", "subject": "people", "location": None,
            "source": "coders", "as_of": None, "kind": "report"}
    claims = tmp_path / "coded.jsonl"
    claims.write_text(json.dumps(good) + "\n" + json.dumps({**good, "doc": "ghost"}) + "\n", encoding="utf-8")
    db = str(tmp_path / "l.db")
    result = run("analyze", str(corpus), "--db", db, "--claims", str(claims))
    assert result.exit_code == 3, result.output
    assert "coded.jsonl:line 2: no document 'ghost' among the inputs" in result.stderr
    assert "1 imported" in result.stdout
    stored = jsonl(ok("claims", "--db", db, "--format", "jsonl"))
    assert [(c["doc"], c["source"]) for c in stored] == [(first["id"], "coders")]
    assert "re-extracted: 0 document(s)" in ok("reextract", "--db", db).stdout  # imported: kept
