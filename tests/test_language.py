"""Language identification: a document that is not English is reported and skipped at ingest, on every engine."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosscount.cli import main
from crosscount.extract import Extractor
from crosscount.ingest import IngestProblem, read_documents
from crosscount.language import ENGLISH, identify, language_code, not_english
from crosscount.models import Document
from crosscount.pipeline import analyze
from crosscount.scale import iter_inputs, run_extraction

ENGLISH_TEXT = (
    "The regional health ministry said on Tuesday that 40 people were killed and 112 wounded when the "
    "dam gave way after three days of rain. Rescue teams were still searching the valley at nightfall."
)
GERMAN_TEXT = (
    "Das Gesundheitsministerium der Region teilte am Dienstag mit, dass 40 Menschen getötet und 112 "
    "verletzt wurden, als der Damm nach drei Tagen Regen brach. Die Rettungsteams suchten bis zum Abend."
)
FRENCH_TEXT = (
    "Le ministère régional de la santé a annoncé mardi que 40 personnes avaient été tuées et 112 blessées "
    "lorsque le barrage a cédé après trois jours de pluie. Les secours fouillaient encore la vallée le soir."
)


def test_identify_tells_english_from_german_and_french() -> None:
    assert identify(ENGLISH_TEXT).code == ENGLISH
    assert identify(GERMAN_TEXT).code == "de"
    assert identify(FRENCH_TEXT).code == "fr"
    assert identify(GERMAN_TEXT).english_probability < 0.01 < identify(ENGLISH_TEXT).english_probability


def test_a_text_too_short_to_tell_stays_english() -> None:
    guess = identify("Ja, 40 Tote.")
    assert guess.code == ENGLISH
    assert guess.english_probability == 1.0


def test_a_short_english_sentence_is_not_taken_for_another_language() -> None:
    for text in ("Officials said 12 died.", "Police arrested 300 protesters in the capital.", "At least 9 dead"):
        assert identify(text).code == ENGLISH, text


def test_only_the_opening_of_a_long_text_is_read() -> None:
    assert identify(ENGLISH_TEXT * 10 + GERMAN_TEXT * 200).code == ENGLISH


def test_stated_language_tags_are_read_as_their_primary_code() -> None:
    assert language_code("en") == "en"
    assert language_code("en-US") == "en"
    assert language_code(" DE_ch ") == "de"
    assert language_code("English") is None
    assert language_code("") is None


def test_ingest_skips_files_that_are_not_english_with_one_message_each(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ENGLISH_TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(GERMAN_TEXT, encoding="utf-8")
    (tmp_path / "c.html").write_text(
        f"<html><head><title>Barrage</title></head><body><article><p>{FRENCH_TEXT}</p>"
        f"<p>{FRENCH_TEXT}</p></article></body></html>",
        encoding="utf-8",
    )
    docs, problems = read_documents([tmp_path])
    assert [d.id for d in docs] == ["a.txt"]
    assert docs[0].language == ENGLISH
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'b.txt'}: language de, not English; skipped",
        f"{tmp_path / 'c.html'}: language fr, not English; skipped",
    ]
    assert all(p.skipped for p in problems)


def test_ingest_can_yield_every_language_with_its_code(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ENGLISH_TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(GERMAN_TEXT, encoding="utf-8")
    docs, problems = read_documents([tmp_path], english_only=False)
    assert [(d.id, d.language) for d in docs] == [("a.txt", "en"), ("b.txt", "de")]
    assert problems == []


def test_parquet_records_in_another_language_are_skipped(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"id": "p-en", "text": ENGLISH_TEXT, "language": None},
        {"id": "p-fr", "text": FRENCH_TEXT, "language": None},
        {"id": "p-stated", "text": ENGLISH_TEXT, "language": "de-AT"},
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "a.parquet")
    seen: list[IngestProblem] = []
    docs = list(iter_inputs([tmp_path], on_problem=seen.append))
    assert [d.id for d in docs] == ["p-en"]
    assert [str(p) for p in seen] == [
        f"{tmp_path / 'a.parquet'}:row 2: language fr, not English; skipped",
        f"{tmp_path / 'a.parquet'}:row 3: language de, not English; skipped",
    ]


def test_a_records_stated_language_is_trusted(tmp_path: Path) -> None:
    records = [
        {"id": "stated-en", "text": GERMAN_TEXT, "language": "en"},  # trusted: kept although it reads German
        {"id": "stated-de", "text": ENGLISH_TEXT, "language": "de"},  # trusted: skipped although it reads English
        {"id": "unstated", "text": GERMAN_TEXT},  # identified
        {"id": "named", "text": ENGLISH_TEXT, "language": "English"},  # not a tag: identified, with a warning
    ]
    path = tmp_path / "r.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(r) + "\n" for r in records))
    docs, problems = read_documents([path])
    assert [(d.id, d.language) for d in docs] == [("stated-en", "en"), ("named", "en")]
    assert [(p.origin, p.message, p.skipped) for p in problems] == [
        (f"{path}:line 2", not_english("de"), True),
        (f"{path}:line 3", not_english("de"), True),
        (f"{path}:line 4", "language 'English' is not a language code such as 'en'; identified from the text",
         False),
    ]


def test_the_extractor_never_mines_a_document_in_another_language() -> None:
    text = "The army said on Monday that 40 soldiers were killed near the border."
    extractor = Extractor()
    assert extractor.extract_document(Document(id="x", text=text))  # English by default: mined
    assert extractor.extract_document(Document(id="x", text=text, language="de")) == []


def test_analyze_in_process_reports_and_skips_a_german_file(tmp_path: Path) -> None:
    from crosscount.ledger import Ledger

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "en.txt").write_text(ENGLISH_TEXT, encoding="utf-8")
    (tmp_path / "in" / "de.txt").write_text(GERMAN_TEXT, encoding="utf-8")
    seen: list[IngestProblem] = []
    with Ledger(str(tmp_path / "l.db")) as ledger:
        summary, _ = analyze([tmp_path / "in"], ledger, on_problem=seen.append)
        assert [d.id for d in ledger.documents()] == ["en.txt"]
    assert summary.documents_added == 1
    assert [str(p) for p in seen] == [f"{tmp_path / 'in' / 'de.txt'}: language de, not English; skipped"]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["local", "dask"])
def test_every_engine_reports_and_skips_documents_not_in_english(tmp_path: Path, engine: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"en{i}.txt").write_text(ENGLISH_TEXT, encoding="utf-8")
        (folder / f"de{i}.txt").write_text(GERMAN_TEXT.replace("40", str(41 + i)), encoding="utf-8")
    seen: list[IngestProblem] = []
    summary = run_extraction([folder], engine=engine, workers=2, batch_size=2, on_problem=seen.append,
                             dashboard_address=":0")
    assert summary.extracted == 3
    assert summary.claims > 0
    assert sorted(str(p) for p in seen) == [
        f"{folder / f'de{i}.txt'}: language de, not English; skipped" for i in range(3)
    ]


def test_the_cli_names_each_skipped_file_and_exits_3(tmp_path: Path) -> None:
    (tmp_path / "en.txt").write_text(ENGLISH_TEXT, encoding="utf-8")
    (tmp_path / "fr.txt").write_text(FRENCH_TEXT, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(tmp_path), "--workers", "1", "--format", "jsonl"])
    assert result.exit_code == 3
    assert f"{tmp_path / 'fr.txt'}: language fr, not English; skipped" in result.output
    assert {json.loads(line)["doc"] for line in result.stdout.splitlines()} == {"en.txt"}
