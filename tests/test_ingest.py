"""Ingest: every good file and record becomes a Document; every bad one gets one clear message."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from pathlib import Path

import pytest

from crosscount.errors import InputError
from crosscount.ingest import (
    IngestProblem,
    _parse_published,
    apply_metadata,
    count_inputs,
    iter_documents,
    load_metadata,
    read_documents,
)
from crosscount.models import Document

ARTICLE = (
    "The regional governor said on Tuesday that 42 people had been evacuated from the valley, "
    "and officials expect the figure to rise as the river keeps climbing through the night."
)


def html_page(body: str, head: str = "", charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="{charset}">{head}</head>\n'
        f"<body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>\n"
        f"<article>{body}</article>\n<footer>Contact us</footer></body></html>\n"
    )


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{t}</p>\n" for t in texts)


def write_jsonl(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def by_origin(problems: list[IngestProblem]) -> dict[str, list[IngestProblem]]:
    out: dict[str, list[IngestProblem]] = {}
    for problem in problems:
        out.setdefault(problem.origin, []).append(problem)
    return out


# --------------------------------------------------------------------------------------------------
# A batch of good and bad input


@pytest.fixture
def mixed_batch(tmp_path: Path) -> Path:
    root = tmp_path / "batch"
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text("Über 300 Menschen flohen. " + ARTICLE, encoding="utf-8")
    (root / "sub" / "notes.md").write_text("# Update\n\n" + ARTICLE + "\n", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.md").write_text("  \n\n\t\n", encoding="utf-8")
    (root / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (root / "latin1.txt").write_bytes(
        "The mayor of Orléans told café owners that 42 people from Saint-Étienne were evacuated.".encode("latin-1")
    )
    (root / "garbage.html").write_bytes(b"<<<<>>>> %%% ]]]]> <div <span <<<< @@@@ \xff\xfe~~~~")
    (root / "unclosed.html").write_text(
        "<html><head><title>Flood update</title><body><div><p>" + ARTICLE + "<p>" + ARTICLE.upper(),
        encoding="utf-8",
    )
    write_jsonl(
        root / "records.jsonl",
        [
            json.dumps({"id": "r1", "text": ARTICLE, "outlet": "Valley Post", "published": "2025-03-04"}),
            '{"id": "r2", "text": "unterminated',
            json.dumps({"id": "r3", "title": "no body here"}),
            json.dumps({"id": "r4", "text": ARTICLE + " More later.", "published": "next tuesday"}),
            "",
            json.dumps({"id": "r6", "text": "   "}),
            json.dumps(["not", "an", "object"]),
            json.dumps({"text": "A record with no id of its own, only text."}),
        ],
    )
    (root / "no_text_column.csv").write_text("headline,body\nA,B\nC,D\n", encoding="utf-8")
    (root / "huge.txt").write_text(ARTICLE * 100, encoding="utf-8")  # ~19 kB, over the limit below
    (root / "report.pdf").write_bytes(b"%PDF-1.4 not ours")
    (root / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    (root / ".cache").mkdir()
    (root / ".cache" / "skip.txt").write_text(ARTICLE, encoding="utf-8")
    return root


def test_ingest_reports_each_bad_item_once_and_ingests_every_good_one(mixed_batch: Path) -> None:
    root = mixed_batch
    missing = root / "nowhere" / "lost.txt"
    docs, problems = read_documents([root, missing], max_bytes=5_000)

    assert sorted(d.id for d in docs) == sorted(
        [
            "good.txt",
            "sub/notes.md",  # a path relative to the input folder: unique by construction
            "latin1.txt",
            "unclosed.html",
            "r1",
            "r4",
            hashlib.sha256(b"A record with no id of its own, only text.").hexdigest()[:16],
        ]
    )
    jsonl = root / "records.jsonl"
    expected: dict[str, tuple[bool, str]] = {
        str(root / "empty.txt"): (True, "empty file"),
        str(root / "blank.md"): (True, "only whitespace"),
        str(root / "binary.txt"): (True, "binary"),
        str(root / "latin1.txt"): (False, "not UTF-8; read as"),
        str(root / "garbage.html"): (True, "no main text found"),
        f"{jsonl}:line 2": (True, "not valid JSON"),
        f"{jsonl}:line 3": (True, "no 'text'"),
        f"{jsonl}:line 4": (False, "published date 'next tuesday' does not parse"),
        f"{jsonl}:line 6": (True, "empty 'text'"),
        f"{jsonl}:line 7": (True, "JSON object was expected, got a list"),
        str(root / "no_text_column.csv"): (True, "no 'text' column"),
        str(root / "huge.txt"): (True, "over the 5,000 bytes limit"),
        str(root / "report.pdf"): (True, "unknown file type '.pdf'"),
        str(missing): (True, "no such file or folder"),
    }
    grouped = by_origin(problems)
    assert sorted(grouped) == sorted(expected)
    for origin, (skipped, words) in expected.items():
        assert len(grouped[origin]) == 1, grouped[origin]
        problem = grouped[origin][0]
        assert problem.skipped is skipped, problem
        assert words in problem.message, problem
        assert str(problem) == f"{origin}: {problem.message}"


def test_ingest_keeps_a_document_whose_date_does_not_parse_without_a_date(mixed_batch: Path) -> None:
    docs, _ = read_documents([mixed_batch / "records.jsonl"])
    by_id = {d.id: d for d in docs}
    assert by_id["r4"].published is None
    assert by_id["r4"].origin == f"{mixed_batch / 'records.jsonl'}:line 4"
    assert by_id["r1"].published == "2025-03-04"
    assert by_id["r1"].outlet == "Valley Post"


def test_ingest_reads_a_latin1_text_file_correctly(mixed_batch: Path) -> None:
    docs, _ = read_documents([mixed_batch / "latin1.txt"])
    assert docs[0].text.startswith("The mayor of Orléans told café owners that 42 people from Saint-Étienne")


def test_ingest_finds_text_in_html_with_unclosed_tags(mixed_batch: Path) -> None:
    docs, problems = read_documents([mixed_batch / "unclosed.html"])
    assert problems == []
    assert "42 people had been evacuated" in docs[0].text


def test_ingest_skips_hidden_files_and_folders(mixed_batch: Path) -> None:
    docs, problems = read_documents([mixed_batch])
    origins = {d.origin for d in docs} | {p.origin for p in problems}
    assert not any("/." in origin for origin in origins if origin)


def test_ingest_walks_folders_in_sorted_order(tmp_path: Path) -> None:
    for name in ("b.txt", "a/z.txt", "a/c.txt", "A.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"{name} says 7 boats sank.", encoding="utf-8")
    origins = [d.origin for d in iter_documents([tmp_path])]
    assert origins == [str(tmp_path / n) for n in ("A.txt", "a/c.txt", "a/z.txt", "b.txt")]


def test_ingest_reads_a_file_named_twice_once(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    docs, problems = read_documents([tmp_path, path])
    assert [d.id for d in docs] == ["one.txt"] and problems == []


def test_count_inputs_counts_files_without_reading_them(mixed_batch: Path) -> None:
    visible = [
        p for p in mixed_batch.rglob("*") if p.is_file() and not any(s.startswith(".") for s in p.parts)
    ]
    assert count_inputs([mixed_batch, mixed_batch / "missing.txt"]) == len(visible) == 12


# --------------------------------------------------------------------------------------------------
# Text files and the seeds' date line


def test_ingest_reads_the_seed_date_line_and_keeps_the_text_unchanged(shared_dir: Path) -> None:
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    docs, problems = read_documents([shared_dir / "seeds"])
    assert problems == []
    assert [d.id for d in docs] == [p.name for p in seeds]
    for doc, path in zip(docs, seeds, strict=True):
        assert doc.text == path.read_text(encoding="utf-8")
        assert doc.origin == str(path)
    first = docs[0]
    assert first.id.startswith("000_") and first.published == "2025-01-22"
    assert first.text.lstrip().startswith("date 2025-01-22")
    assert all(d.published is None for d in docs[1:])


@pytest.mark.parametrize(
    ("first_line", "published"),
    [
        ("date 2025-01-22 Forty boats were lost.", "2025-01-22"),
        (" date 2024-12-05 ", "2024-12-05"),
        ("date 2025-02-30 An impossible day.", None),
        ("dated 2025-01-22 not the format", None),
        ("Forty boats were lost on date 2025-01-22.", None),
    ],
)
def test_ingest_reads_a_first_line_date(tmp_path: Path, first_line: str, published: str | None) -> None:
    text = first_line + "\nSecond line with 12 figures.\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    docs, _ = read_documents([tmp_path / "a.txt"])
    assert docs[0].published == published
    assert docs[0].text == text


def test_ingest_keeps_crlf_and_drops_only_a_utf8_bom(tmp_path: Path) -> None:
    (tmp_path / "crlf.txt").write_bytes(b"\xef\xbb\xbfdate 2025-01-22 One line.\r\nTwo lines.\r\n")
    doc = read_documents([tmp_path])[0][0]
    assert doc.text == "date 2025-01-22 One line.\r\nTwo lines.\r\n"
    assert doc.published == "2025-01-22"


def test_ingest_rejects_text_that_is_binary_without_nul_bytes(tmp_path: Path) -> None:
    (tmp_path / "noise.txt").write_bytes(bytes(range(1, 32)) * 50)
    docs, problems = read_documents([tmp_path])
    assert docs == []
    assert len(problems) == 1 and problems[0].skipped and "binary" in problems[0].message


# --------------------------------------------------------------------------------------------------
# Records: JSONL, JSONL.gz, CSV


def test_ingest_reads_jsonl_records_with_metadata(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    write_jsonl(
        path,
        [
            json.dumps(
                {
                    "id": 17,
                    "text": ARTICLE,
                    "url": "https://news.example.org/a/17",
                    "outlet": " Valley  Post ",
                    "title": "Evacuations rise",
                    "published": "2025-01-22T10:00:00Z",
                    "extra": {"ignored": True},
                }
            ),
            json.dumps(
                {"text": "Second story: 9 bridges closed.", "published": "January 22, 2025", "url": None}
            ),
        ],
    )
    first, second = read_documents([path])[0]
    assert first == Document(
        id="17",
        text=ARTICLE,
        outlet="Valley Post",
        url="https://news.example.org/a/17",
        title="Evacuations rise",
        published="2025-01-22",
        origin=f"{path}:line 1",
    )
    assert second.id == hashlib.sha256(b"Second story: 9 bridges closed.").hexdigest()[:16]
    assert second.published == "2025-01-22" and second.url is None and second.origin == f"{path}:line 2"


def test_ingest_reads_gzipped_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for n in range(3):
            handle.write(json.dumps({"id": f"g{n}", "text": f"Story {n}: {n * 10} homes flooded."}) + "\n")
    docs, problems = read_documents([path])
    assert [d.id for d in docs] == ["g0", "g1", "g2"] and problems == []


def test_ingest_reports_a_truncated_gzip_after_the_records_it_could_read(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    lines = "".join(json.dumps({"id": f"g{n}", "text": f"Story {n} " * 400}) + "\n" for n in range(200))
    data = gzip.compress(lines.encode("utf-8"))
    path.write_bytes(data[: len(data) // 2])
    docs, problems = read_documents([path])
    assert 0 < len(docs) < 200
    assert [(p.origin, p.skipped) for p in problems] == [(str(path), True)]
    assert "gzip" in problems[0].message


def test_ingest_skips_a_record_over_the_size_limit_and_reads_the_next(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    write_jsonl(
        path,
        [
            json.dumps({"id": "big", "text": "x " * 5_000}),
            json.dumps({"id": "small", "text": "Only 3 cars left."}),
        ],
    )
    docs, problems = read_documents([path], max_bytes=1_000)
    assert [d.id for d in docs] == ["small"]
    assert [(p.origin, p.skipped) for p in problems] == [(f"{path}:line 1", True)]
    assert "over the 1,000 bytes limit" in problems[0].message


def test_ingest_reports_a_jsonl_line_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        json.dumps({"id": "a", "text": "fine"}).encode() + b"\n" + b'{"id": "b", "text": "caf\xe9"}\n'
    )
    docs, problems = read_documents([path])
    assert [d.id for d in docs] == ["a"]
    assert [p.origin for p in problems] == [f"{path}:line 2"] and "not UTF-8" in problems[0].message


def test_ingest_reads_csv_records_with_metadata_and_multiline_text(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "ID,Text,Outlet,Published,Title\n"
        'c1,"First paragraph: 5 dead.\nSecond paragraph, 12 hurt.",Coast Daily,22 Jan 2025,Storm\n'
        "c2,,Coast Daily,2025-01-23,Empty\n"
        'c3,"Nine ""missing"" fishermen.",,someday,\n'
        "c4,Four rescued.,Harbour News,01/23/2025,Rescue\n",
        encoding="utf-8",
    )
    docs, problems = read_documents([path])
    assert [d.id for d in docs] == ["c1", "c3", "c4"]
    c1, c3, c4 = docs
    assert c1.text == "First paragraph: 5 dead.\nSecond paragraph, 12 hurt."
    assert (c1.outlet, c1.published, c1.title, c1.origin) == (
        "Coast Daily",
        "2025-01-22",
        "Storm",
        f"{path}:line 2",
    )
    assert (c3.text, c3.outlet, c3.published, c3.origin) == (
        'Nine "missing" fishermen.',
        None,
        None,
        f"{path}:line 5",
    )
    assert (c4.published, c4.origin) == ("2025-01-23", f"{path}:line 6")
    assert [(p.origin, p.skipped) for p in problems] == [(f"{path}:line 4", True), (f"{path}:line 5", False)]
    assert "empty 'text'" in problems[0].message
    assert "published date 'someday' does not parse" in problems[1].message


def test_ingest_reads_a_csv_article_longer_than_the_csv_module_default_field_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    long_text = "Forty boats were lost. " * 10_000  # 230 kB, over csv's 128 KiB default
    path.write_text(f'id,text\nlong,"{long_text}"\n', encoding="utf-8")
    docs, problems = read_documents([path])
    assert problems == [] and docs[0].text == long_text


def test_ingest_reports_a_csv_that_is_not_utf8_once(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes(b"id,text\na,Fine text.\nb,Caf\xe9 closed.\nc,More.\n")
    docs, problems = read_documents([path])
    assert [d.id for d in docs] == ["a"]
    assert len(problems) == 1 and problems[0].origin == str(path)
    assert "line 3 is not UTF-8" in problems[0].message


# --------------------------------------------------------------------------------------------------
# HTML


def test_ingest_reads_html_metadata_and_honours_a_windows_1252_charset(tmp_path: Path) -> None:
    head = (
        "<title>Flood: 42 evacuated | Valley Post</title>"
        '<meta property="og:site_name" content="Valley Post">'
        '<meta property="og:title" content="Flood: 42 evacuated from the valley">'
        '<meta property="article:published_time" content="2025-01-22T08:30:00+01:00">'
        '<link rel="canonical" href="https://www.valleypost.example/news/flood-42">'
    )
    body = "<h1>Flood: 42 evacuated from the valley</h1>" + paragraphs(
        "The préfecture said the café by the bridge was flooded and repairs will cost €2 million.",
        ARTICLE,
        "Residents said they had “never seen the water this high” in forty years of living by the river.",
    )
    path = tmp_path / "page.html"
    path.write_bytes(html_page(body, head, charset="windows-1252").encode("cp1252"))
    docs, problems = read_documents([path])
    assert problems == []
    (doc,) = docs
    assert doc.id == "page.html" and doc.origin == str(path)
    assert doc.outlet == "Valley Post"
    assert doc.published == "2025-01-22"
    assert doc.title == "Flood: 42 evacuated from the valley"
    assert doc.url == "https://www.valleypost.example/news/flood-42"
    assert "préfecture said the café" in doc.text and "€2 million" in doc.text
    assert "“never seen the water this high”" in doc.text
    assert "Contact us" not in doc.text and "Home" not in doc.text


def test_ingest_honours_a_declared_charset_over_detection(tmp_path: Path) -> None:
    greek = "Η πυροσβεστική ανέφερε ότι 42 άνθρωποι απομακρύνθηκαν από το χωριό κατά τη διάρκεια της νύχτας."
    page = html_page(paragraphs(greek, greek.replace("42", "17")), charset="iso-8859-7")
    page = page.replace(
        '<meta charset="iso-8859-7">',
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-7">',
    )
    (tmp_path / "gr.html").write_bytes(page.encode("iso-8859-7"))
    docs, problems = read_documents([tmp_path], english_only=False)
    assert problems == []
    assert greek in docs[0].text


def test_ingest_falls_back_on_the_domain_when_a_page_names_no_site(tmp_path: Path) -> None:
    head = '<link rel="canonical" href="https://www.harbour-news.example/2025/01/storm">'
    (tmp_path / "p.html").write_text(html_page(paragraphs(ARTICLE, ARTICLE), head), encoding="utf-8")
    (doc,) = read_documents([tmp_path])[0]
    assert doc.outlet == "harbour-news.example"


def test_ingest_reads_a_page_whose_declared_charset_is_wrong_with_a_note(tmp_path: Path) -> None:
    text = "Der Bürgermeister sagte, dass 42 Häuser geräumt wurden und die Straße gesperrt bleibt."
    page = html_page(paragraphs(text, text.replace("42", "17")), charset="utf-8")
    (tmp_path / "wrong.html").write_bytes(page.encode("cp1252"))
    docs, problems = read_documents([tmp_path], english_only=False)
    assert text in docs[0].text
    assert len(problems) == 1 and not problems[0].skipped and "do not decode" in problems[0].message


def test_ingest_every_real_web_page_yields_a_document_or_a_clear_problem(shared_dir: Path) -> None:
    folder = shared_dir / "corpora" / "web-pages"
    pages = sorted(p for p in folder.iterdir() if p.suffix in (".html", ".htm"))
    assert len(pages) == 109
    started = time.monotonic()
    docs, problems = read_documents([folder], english_only=False)
    elapsed = time.monotonic() - started
    skipped = {p.origin: p for p in problems if p.skipped}
    assert all(p.origin in {str(page) for page in pages} for p in problems)
    for page in pages:
        yielded = [d for d in docs if d.origin == str(page)]
        assert len(yielded) + (str(page) in skipped) == 1, page.name
        if str(page) in skipped:
            assert "no main text found" in skipped[str(page)].message
    assert all(d.text.strip() for d in docs)
    assert len(docs) >= 0.9 * len(pages)
    # Declared charsets honoured: legacy-encoded pages read without mojibake.
    assert all("Ã¤" not in d.text and "Ã¶" not in d.text and "Ã¼" not in d.text for d in docs)
    assert sum(1 for d in docs if d.title) >= 0.9 * len(docs)
    assert sum(1 for d in docs if d.published) >= 0.8 * len(docs)
    assert elapsed < 60


# --------------------------------------------------------------------------------------------------
# Publication dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-22", "2025-01-22"),
        ("2025-01-22T10:00:00Z", "2025-01-22"),
        ("2025-01-22 10:00:00+02:00", "2025-01-22"),
        ("2025/1/5", "2025-01-05"),
        ("20250122", "2025-01-22"),
        ("January 22, 2025", "2025-01-22"),
        ("Jan. 22, 2025", "2025-01-22"),
        ("Wednesday, January 22, 2025 4:30 PM", "2025-01-22"),
        ("22 Jan 2025", "2025-01-22"),
        ("Wed, 22 Jan 2025 10:00:00 GMT", "2025-01-22"),
        ("22nd of January 2025", "2025-01-22"),
        ("Sept 3, 2024", "2024-09-03"),
        ("22.01.2025", "2025-01-22"),
        ("22/01/2025", "2025-01-22"),
        ("01/22/2025", "2025-01-22"),
        ("January 2025", "2025-01"),
        ("2025-01", "2025-01"),
        ("03/04/2025", None),  # day and month cannot be told apart
        ("2025-02-30", None),
        ("next tuesday", None),
        ("Smarch 3, 2025", None),
        ("2025", None),
        ("", None),
    ],
)
def test_parse_published_normalises_common_forms(value: str, expected: str | None) -> None:
    assert _parse_published(value) == expected


# --------------------------------------------------------------------------------------------------
# Metadata files


def test_load_and_apply_the_seed_metadata(shared_dir: Path) -> None:
    meta = load_metadata(shared_dir / "eval" / "seeds.docs.jsonl")
    docs = [apply_metadata(d, meta) for d in read_documents([shared_dir / "seeds"])[0]]
    by_id = {d.id: d for d in docs}
    assert set(by_id) == set(meta)
    for doc_id, record in meta.items():
        if record.get("outlet") is not None:
            assert by_id[doc_id].outlet == record["outlet"]
        if record.get("published") is not None:
            assert by_id[doc_id].published == record["published"]
    # The first seed's own date survives when its metadata agrees; nulls never erase a value.
    assert by_id["000_12a1c8ad361a1c59.txt"].published == "2025-01-22"


def test_apply_metadata_overrides_with_non_null_values_only(tmp_path: Path) -> None:
    path = tmp_path / "meta.jsonl"
    write_jsonl(
        path,
        [
            json.dumps({"doc": "a.txt", "outlet": "Coast Daily", "published": "January 5, 2025"}),
            json.dumps({"doc": "b.txt", "outlet": None, "published": None}),
        ],
    )
    meta = load_metadata(path)
    a = Document(id="a.txt", text="x", published="2024-12-31")
    b = Document(id="b.txt", text="y", outlet="Own Outlet", published="2024-12-31")
    c = Document(id="c.txt", text="z")
    assert apply_metadata(a, meta) == Document(
        id="a.txt", text="x", outlet="Coast Daily", published="2025-01-05"
    )
    assert apply_metadata(b, meta) == b
    assert apply_metadata(c, meta) is c
    assert a.outlet is None  # the input document is not changed


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ('{"doc": "a"}\nnot json\n', 2, "not valid JSON"),
        ('{"doc": "a"}\n\n{"outlet": "X"}\n', 3, "no 'doc'"),
        ('{"doc": "a", "published": "soon"}\n', 1, "'soon' does not parse"),
        ("[1, 2]\n", 1, "JSON object was expected"),
    ],
)
def test_load_metadata_names_the_bad_line(tmp_path: Path, content: str, line: int, words: str) -> None:
    path = tmp_path / "meta.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_metadata(path)
    assert caught.value.origin == f"{path}:line {line}"
    assert words in caught.value.problem


def test_load_metadata_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        load_metadata(tmp_path / "none.jsonl")
