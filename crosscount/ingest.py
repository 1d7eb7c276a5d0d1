"""Ingest: turn files, folders and record files into Documents, reporting bad input without stopping.

Inputs are files or folders (walked recursively, in sorted order, hidden files and folders skipped):

- ``.txt`` / ``.md``: the whole file is the text, unchanged (only a byte-order mark is dropped), so
  character offsets index the file as it is. A first line starting with ``date YYYY-MM-DD`` (the seeds'
  format) gives the published date; the line stays in the text.
- ``.html`` / ``.htm``: the declared charset is honoured (then UTF-8, then detection); trafilatura finds
  the main text, title, site name, canonical URL and published date.
- ``.jsonl`` / ``.jsonl.gz`` / ``.csv`` / ``.parquet``: one document per record, with ``text`` and
  optionally ``id``, ``url``, ``outlet``, ``title``, ``published`` (any common date form, normalised to
  YYYY-MM-DD) and ``language``. These are streamed record by record (Parquet: in row batches), never
  loaded whole. Parquet needs pyarrow (the ``dask`` extra).

This is the one reader: every engine and the web app's uploads read their inputs here, through the
registry ``READERS`` (file kind -> reader).

Document ids are unique by construction within a run: a file's id is its path relative to the folder
named as input (``a/x.txt`` and ``b/x.txt`` stay apart), or its name when the file itself is named; a
record's id is its ``id`` field, else a hash of its text. When two documents of one run still share an
id but not their text, the later one gets the id plus a content hash (``x-1a2b3c4d.txt``) and a warning
names both. NUL characters in a text (which PostgreSQL cannot store) are replaced by spaces, with a
warning, so both ledger backends store the same thing and every offset still indexes the input.

Each document's language (``Document.language``) is identified from its text (:mod:`crosscount.language`),
or taken from a record's ``language`` field when it states one (trusted). A document that is not English
is reported ("<file>: language de, not English; skipped") and skipped, since the extractor's rules are
English; ``english_only=False`` yields it, with its language, instead.

Every problem is reported once, through ``on_problem``, as an :class:`IngestProblem` naming the file
(and line) and saying plainly what is wrong; the rest of the batch goes on.

The size limit ``max_bytes`` applies to a single-document file (.txt, .md, .html) and to each record of
a JSONL/CSV file, whose whole size is not limited since it is streamed.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import hashlib
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

import charset_normalizer
import trafilatura

from crosscount.dates import month_numbers, weekday_names
from crosscount.errors import InputError
from crosscount.language import identify, is_english, language_code, not_english
from crosscount.models import Document

__all__ = [
    "DEFAULT_MAX_BYTES",
    "READERS",
    "IngestProblem",
    "apply_metadata",
    "count_inputs",
    "iter_documents",
    "load_metadata",
    "read_documents",
    "record_document",
    "skip_other_languages",
    "suffixed_id",
]

DEFAULT_MAX_BYTES = 20_000_000

_TEXT_SUFFIXES = (".txt", ".md")
_HTML_SUFFIXES = (".html", ".htm")
_FIELDS = ("id", "text", "url", "outlet", "title", "published", "language", "story")
_PARQUET_ROWS = 512  # rows per Parquet read
PYARROW_HINT = "pip install 'crosscount[dask]'"


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """One thing wrong with one input item: a file, or one record of a JSONL/CSV file."""

    origin: str  # file path, with ":line N" for records
    message: str  # what is wrong, plainly
    skipped: bool  # True if the item was not ingested at all; False for a warning (e.g. date dropped)

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


ProblemHandler = Callable[[IngestProblem], None]


class _LineReader(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


class _Report(Protocol):
    def __call__(self, origin: str, message: str, *, skipped: bool) -> None: ...


class _Skip(Exception):
    """Internal: this file (or record) is not ingested; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------------------
# Walking the inputs


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _walk(inputs: Iterable[str | Path], report: ProblemHandler | None) -> Iterator[tuple[Path, str]]:
    """(file, its id) for every file named or found under a named folder, in sorted order, each once;
    missing paths reported. The id is the path relative to the named folder, or the named file's name."""
    seen: set[Path] = set()
    seen_dirs: set[Path] = set()

    def once(path: Path, root: Path | None) -> Iterator[tuple[Path, str]]:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            yield path, (path.relative_to(root).as_posix() if root is not None else path.name)

    def folder(path: Path, root: Path) -> Iterator[tuple[Path, str]]:
        key = path.resolve()
        if key in seen_dirs:  # a symlink loop, or a folder named twice
            return
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(path), key=lambda entry: entry.name)
        except OSError as err:
            if report is not None:
                report(
                    IngestProblem(str(path), f"folder cannot be read ({err.strerror or err}); skipped", True)
                )
            return
        for entry in entries:
            if _is_hidden(entry.name):
                continue
            child = path / entry.name
            if entry.is_dir():
                yield from folder(child, root)
            elif entry.is_file():
                yield from once(child, root)

    for item in inputs:
        path = Path(item)
        if path.is_dir():
            yield from folder(path, path)
        elif path.is_file():
            yield from once(path, None)
        elif report is not None:
            if path.exists() or path.is_symlink():
                report(IngestProblem(str(path), "not a regular file or folder; skipped", True))
            else:
                report(IngestProblem(str(path), "no such file or folder; skipped", True))


def count_inputs(inputs: Iterable[str | Path]) -> int:
    """The number of files :func:`iter_documents` will open (for a progress bar); reads no file."""
    return sum(1 for _ in _walk(inputs, None))


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".jsonl.gz"):
        return "jsonl.gz"
    if name.endswith(".jsonl"):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(_TEXT_SUFFIXES):
        return "text"
    if name.endswith(_HTML_SUFFIXES):
        return "html"
    return None


# --------------------------------------------------------------------------------------------------
# The main loop


def iter_documents(
    inputs: Iterable[str | Path],
    *,
    on_problem: ProblemHandler | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    english_only: bool = True,
) -> Iterator[Document]:
    """Yield a Document for every good file or record; report each bad one through ``on_problem``.

    Nothing raises for bad input: a problem is reported (or ignored when ``on_problem`` is None) and
    the next item is read. JSONL, CSV and Parquet files are streamed. Ids are unique within the run
    (see the module's docstring). A document that is not English is reported and skipped unless
    ``english_only`` is False.
    """
    documents = _iter_all(inputs, on_problem, max_bytes)
    return skip_other_languages(documents, on_problem) if english_only else documents


def skip_other_languages(documents: Iterable[Document], on_problem: ProblemHandler | None) -> Iterator[Document]:
    """The documents in English; each other one reported ("<origin>: language de, not English; skipped")."""
    for doc in documents:
        if is_english(doc.language):
            yield doc
        elif on_problem is not None:
            on_problem(IngestProblem(doc.origin or doc.id, not_english(doc.language), True))


def _iter_all(inputs: Iterable[str | Path], on_problem: ProblemHandler | None, max_bytes: int) -> Iterator[Document]:

    def report(origin: str, message: str, *, skipped: bool) -> None:
        if on_problem is not None:
            on_problem(IngestProblem(origin, message, skipped))

    def report_problem(problem: IngestProblem) -> None:
        if on_problem is not None:
            on_problem(problem)

    ids = _UniqueIds()
    for path, doc_id in _walk(inputs, report_problem):
        origin = str(path)
        kind = _kind(path)
        reader = READERS.get(kind) if kind is not None else None
        if reader is None:
            suffix = path.suffix or "(none)"
            report(origin, f"unknown file type {suffix!r}; expected {_KNOWN}; skipped", skipped=True)
            continue
        try:
            for document in reader(path, doc_id, max_bytes, report):
                yield ids.claim(_without_nul(document, report), report)
        except _Skip as skip:
            report(origin, skip.message, skipped=True)
        except OSError as err:
            report(origin, f"cannot be read ({err.strerror or err}); skipped", skipped=True)


def suffixed_id(doc_id: str, content_hash: str) -> str:
    """``doc_id`` made distinct by a content hash: ``x.txt`` -> ``x-1a2b3c4d.txt``, ``17`` -> ``17-1a2b3c4d``."""
    tag = content_hash[:8]
    stem, dot, suffix = doc_id.rpartition(".")
    if dot and stem and "/" not in suffix and 0 < len(suffix) <= 8:
        return f"{stem}-{tag}.{suffix}"
    return f"{doc_id}-{tag}"


class _UniqueIds:
    """Ids seen in this run: a repeated id with a different text gets a content hash added, and a warning."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, str]] = {}  # id -> (content hash, origin)

    def claim(self, doc: Document, report: _Report) -> Document:
        digest = doc.content_hash
        origin = doc.origin or doc.id
        first = self._seen.setdefault(doc.id, (digest, origin))
        if first[0] == digest:
            return doc
        new_id = suffixed_id(doc.id, digest)
        report(
            origin,
            f"document id {doc.id!r} is already used by {first[1]} with a different text; "
            f"this one is stored as {new_id!r}",
            skipped=False,
        )
        self._seen.setdefault(new_id, (digest, origin))
        return dataclasses.replace(doc, id=new_id)


def _without_nul(doc: Document, report: _Report) -> Document:
    """NUL characters replaced by spaces (same length, so offsets still index the input), with a warning."""
    if "\x00" not in doc.text:
        return doc
    count = doc.text.count("\x00")
    report(doc.origin or doc.id, f"text contains {count} NUL character(s); replaced by spaces", skipped=False)
    return dataclasses.replace(doc, text=doc.text.replace("\x00", " "))


def read_documents(
    inputs: Iterable[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES, english_only: bool = True
) -> tuple[list[Document], list[IngestProblem]]:
    """All documents and all problems at once (a convenience over :func:`iter_documents`)."""
    problems: list[IngestProblem] = []
    documents = list(
        iter_documents(inputs, on_problem=problems.append, max_bytes=max_bytes, english_only=english_only)
    )
    return documents, problems


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _read_whole(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise _Skip("empty file; skipped")
    if size > max_bytes:
        raise _Skip(
            f"file is {_mb(size)}, over the {_mb(max_bytes)} limit; skipped (raise max_bytes to read it)"
        )
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


# --------------------------------------------------------------------------------------------------
# Decoding bytes to text

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels that browsers read as another encoding (WHATWG Encoding Standard).
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-sjis": "cp932",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "euc-kr": "cp949",
    "utf-16": "utf-8",  # an ASCII-compatible page cannot be UTF-16: the label is wrong
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\A\s*<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.IGNORECASE)
_C0_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares (XML declaration, meta charset or http-equiv), if any."""
    head = data[:65536]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    return match.group(1).decode("ascii").strip().lower()


def _codec(label: str) -> str | None:
    label = _LABEL_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _looks_binary(data: bytes) -> bool:
    """NUL bytes anywhere (not only in the first block): text never has them, and PostgreSQL refuses them."""
    return b"\x00" in data


def _unreadable(text: str) -> bool:
    """Text with many control characters is binary data decoded by mistake."""
    sample = text[:65536]
    return bool(sample) and len(_C0_CONTROLS.findall(sample)) > max(2, len(sample) // 100)


def _western(data: bytes) -> str | None:
    """Decode as Windows-1252 when the result reads as a Western language (few, scattered accents).

    Short Western texts are where statistical detection goes wrong most; Cyrillic or Greek bytes decoded
    as Windows-1252 come out as runs of accented letters and are left to detection.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [c for c in text[:100_000] if c.isalpha()]
    accented = sum(1 for c in letters if not c.isascii())
    if not letters or accented / len(letters) > 0.3 or _C1_CONTROLS.search(text):
        return None
    return text


def _detect(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) by statistical detection, or None when nothing decodes the bytes sensibly."""
    text = _western(data)
    if text is not None:
        return text, "windows-1252"
    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding.startswith(("utf_16", "utf_32")):
        return None
    text = str(best)
    if _unreadable(text):
        return None
    return text, best.encoding


def _decode_plain(data: bytes) -> tuple[str, str | None]:
    """(text, note) for a .txt/.md file: UTF-8, else a confidently detected encoding, else _Skip."""
    bom = _bom_encoding(data)
    if bom is None and _looks_binary(data):
        raise _Skip("binary file (contains NUL bytes), not text; skipped")
    try:
        text = data.decode(bom or "utf-8")
    except UnicodeDecodeError:
        if bom is not None:
            message = f"starts with a {bom} byte-order mark but does not decode as {bom}; skipped"
            raise _Skip(message) from None
        detected = _detect(data)
        if detected is None:
            raise _Skip("not UTF-8, and no other encoding fits (binary data?); skipped") from None
        text, encoding = detected
        note: str | None = f"not UTF-8; read as {encoding} (detected)"
    else:
        note = None
    if _unreadable(text):
        raise _Skip("binary file (control characters), not text; skipped")
    return text, note


def _decode_html(data: bytes) -> tuple[str, str | None]:
    """(text, note) for an HTML page: byte-order mark, declared charset, UTF-8, then detection."""
    bom = _bom_encoding(data)
    if bom is None and _looks_binary(data):
        raise _Skip("binary file (contains NUL bytes), not HTML; skipped")
    note: str | None = None
    if bom is not None:
        try:
            return data.decode(bom), None
        except UnicodeDecodeError:
            note = f"starts with a {bom} byte-order mark but does not decode as {bom}"
    declared = _declared_charset(data)
    if declared is not None and note is None:
        codec = _codec(declared)
        if codec is None:
            note = f"declares an unknown charset {declared!r}"
        else:
            try:
                return data.decode(codec), None
            except UnicodeDecodeError:
                note = f"declares charset {declared!r} but its bytes do not decode as {declared}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return text, (f"{note}; read as utf-8" if note else None)
    detected = _detect(data)
    if detected is not None:
        text, encoding = detected
        return text, f"{note or 'not UTF-8 and no charset declared'}; read as {encoding} (detected)"
    text = data.decode("utf-8", errors="replace")
    return text, f"{note or 'not UTF-8'}; encoding unknown, undecodable bytes replaced"


# --------------------------------------------------------------------------------------------------
# Publication dates (a small parser of the forms publishers use; in-text dates live elsewhere)

_MONTHS = month_numbers()  # "january", "jan", "sept" -> 9: the date vocabulary's (dates.toml)
_WEEKDAY = rf"(?:(?:{'|'.join(sorted({w[:3] for w in weekday_names()}))})[a-z]*\.?,?\s+)?"
_TAIL = r"(?:(?:[\s,T@|]|\s-).*)?"  # a time, a time zone or other trailing detail
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + r"(?:[T\s_].*|[+-]\d.*|Z)?", re.IGNORECASE)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T.*)?")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_NUMERIC_DMY = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})" + _TAIL)
_MONTH_DAY_YEAR = re.compile(
    _WEEKDAY + r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TAIL, re.IGNORECASE
)
_DAY_MONTH_YEAR = re.compile(
    _WEEKDAY + r"(\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?([a-z]+)\.?,?\s+(\d{4})" + _TAIL, re.IGNORECASE
)
_MONTH_YEAR = re.compile(r"([a-z]+)\.?,?\s+(\d{4})", re.IGNORECASE)


def _ymd(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _parse_published(value: str) -> str | None:
    """A publication date in a common form -> "YYYY-MM-DD" ("YYYY-MM" for a month); None if unparsable.

    Numeric day/month orders are read only when unambiguous: "22/01/2025" and "01/22/2025" parse,
    "03/04/2025" does not; dotted dates ("22.01.2025") are day first.
    """
    text = " ".join(value.split())
    if m := _ISO.fullmatch(text):
        return _ymd(int(m[1]), int(m[3]), int(m[4]))
    if m := _COMPACT.fullmatch(text):
        return _ymd(int(m[1]), int(m[2]), int(m[3]))
    if m := _YEAR_MONTH.fullmatch(text):
        month = int(m[2])
        return f"{int(m[1]):04d}-{month:02d}" if 1 <= month <= 12 else None
    if m := _NUMERIC_DMY.fullmatch(text):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if m[2] == "." or first > 12:
            return _ymd(year, second, first)
        if second > 12:
            return _ymd(year, first, second)
        return _ymd(year, first, second) if first == second else None
    if (m := _MONTH_DAY_YEAR.fullmatch(text)) and m[1].lower() in _MONTHS:
        return _ymd(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    if (m := _DAY_MONTH_YEAR.fullmatch(text)) and m[2].lower() in _MONTHS:
        return _ymd(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    if (m := _MONTH_YEAR.fullmatch(text)) and m[1].lower() in _MONTHS:
        return f"{int(m[2]):04d}-{_MONTHS[m[1].lower()]:02d}"
    return None


# --------------------------------------------------------------------------------------------------
# Single-document files

_DATE_LINE = re.compile(r"[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})(?![\d-])")


def _text_document(path: Path, doc_id: str, data: bytes, report: _Report) -> Document:
    text, note = _decode_plain(data)
    if not text.strip():
        raise _Skip("no text (only whitespace); skipped")
    if note:
        report(str(path), note, skipped=False)
    published = None
    if m := _DATE_LINE.match(text):
        published = _ymd(*(int(part) for part in m[1].split("-")))
        if published is None:
            message = f"first line's date {m[1]!r} is not a real date; kept the document without a date"
            report(str(path), message, skipped=False)
    return Document(id=doc_id, text=text, published=published, origin=str(path), language=identify(text).code)


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    if not host:
        return None
    return host.removeprefix("www.")


def _html_document(path: Path, doc_id: str, data: bytes, report: _Report) -> Document:
    html, note = _decode_html(data)
    if not html.strip():
        raise _Skip("no text (only whitespace); skipped")
    try:
        result = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as err:  # a third-party parser on hostile input: any failure is this file's problem
        raise _Skip(f"HTML could not be parsed ({type(err).__name__}: {err}); skipped") from err
    text = (getattr(result, "text", None) or "").strip() if result is not None else ""
    if not text:
        raise _Skip("no main text found (not an article page, or not HTML); skipped")
    if note:
        report(str(path), note, skipped=False)
    url = _clean(getattr(result, "url", None))
    published = _clean(getattr(result, "date", None))
    if published is not None:
        published = _parse_published(published)
    return Document(
        id=doc_id,
        text=text,
        outlet=_clean(getattr(result, "sitename", None)) or _domain(url),
        url=url,
        title=_clean(getattr(result, "title", None)),
        published=published,
        origin=str(path),
        language=identify(text).code,
    )


def _stated_or_identified(text: str, stated: str | None, origin: str, report: _Report) -> str:
    """A record's language: the one it states, trusted; else (or when unreadable) identified from its text."""
    if stated is not None:
        code = language_code(stated)
        if code is not None:
            return code
        report(origin, f"language {stated!r} is not a language code such as 'en'; identified from the text",
               skipped=False)
    return identify(text).code


def _clean(value: Any) -> str | None:
    """A metadata value as a stripped string; None for null, empty or non-scalar values."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = " ".join(str(value).replace("\x00", " ").split())
    return text or None


# --------------------------------------------------------------------------------------------------
# Record files (JSONL, CSV), streamed


def record_document(record: dict[str, Any], origin: str, report: _Report) -> Document | None:
    text = record.get("text")
    if text is None:
        report(origin, "record has no 'text' field; skipped", skipped=True)
        return None
    if not isinstance(text, str):
        report(origin, f"'text' is a {type(text).__name__}, not a string; skipped", skipped=True)
        return None
    if not text.strip():
        report(origin, "record has an empty 'text'; skipped", skipped=True)
        return None
    language = _stated_or_identified(text, _clean(record.get("language")), origin, report)
    published = None
    raw_published = _clean(record.get("published"))
    if raw_published is not None:
        published = _parse_published(raw_published)
        if published is None:
            report(
                origin,
                f"published date {raw_published!r} does not parse; kept the document without a date",
                skipped=False,
            )
    doc_id = _clean(record.get("id")) or hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return Document(
        id=doc_id,
        text=text,
        outlet=_clean(record.get("outlet")),
        url=_clean(record.get("url")),
        title=_clean(record.get("title")),
        published=published,
        origin=origin,
        language=language,
        story=_clean(record.get("story")),
    )


def _bounded_lines(handle: _LineReader, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for each line; the line is None when it is longer than max_bytes."""
    number = 0
    while True:
        line = handle.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def _read_jsonl(path: Path, compressed: bool, max_bytes: int, report: _Report) -> Iterator[Document]:
    if path.stat().st_size == 0:
        raise _Skip("empty file; skipped")
    records = 0
    try:
        with gzip.open(path, "rb") if compressed else path.open("rb") as handle:
            for number, line in _bounded_lines(handle, max_bytes):
                origin = f"{path}:line {number}"
                if line is None:
                    report(origin, f"record is over the {_mb(max_bytes)} limit; skipped", skipped=True)
                    records += 1
                    continue
                if number == 1:
                    line = line.removeprefix(codecs.BOM_UTF8)
                if not line.strip():
                    continue
                records += 1
                if b"\x00" in line:
                    report(origin, "binary data (NUL bytes), not JSON; skipped", skipped=True)
                    continue
                try:
                    record = json.loads(line.decode("utf-8"))
                except UnicodeDecodeError:
                    report(origin, "not UTF-8 (JSON Lines must be UTF-8); skipped", skipped=True)
                    continue
                except json.JSONDecodeError as err:
                    report(origin, f"not valid JSON ({err.msg} at column {err.colno}); skipped", skipped=True)
                    continue
                except RecursionError:
                    report(origin, "JSON nested too deeply to read (thousands of levels); skipped", skipped=True)
                    continue
                if not isinstance(record, dict):
                    kind = type(record).__name__
                    report(origin, f"a JSON object was expected, got a {kind}; skipped", skipped=True)
                    continue
                document = record_document(record, origin, report)
                if document is not None:
                    yield document
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        raise _Skip(f"not a valid gzip file or truncated ({err}); the rest of the file was skipped") from err
    if records == 0:
        raise _Skip("no records (only blank lines); skipped")


class _NotUtf8(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _decoded_lines(handle: IO[bytes]) -> Iterator[str]:
    for number, line in enumerate(handle, start=1):
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotUtf8(number) from None


def _read_csv(path: Path, max_bytes: int, report: _Report) -> Iterator[Document]:
    if path.stat().st_size == 0:
        raise _Skip("empty file; skipped")
    with path.open("rb") as handle:
        if _looks_binary(handle.read(65536)):
            raise _Skip("binary file (contains NUL bytes), not CSV; skipped")
        handle.seek(0)
        # Articles are long: allow a field as large as a record may be (the default is 128 KiB).
        csv.field_size_limit(max(csv.field_size_limit(), max_bytes))
        # strict: a quote that is never closed is an error at the end of the file, not one record that
        # silently swallows every row after it
        reader = csv.reader(_decoded_lines(handle), strict=True)
        records = 0
        start = 1
        try:
            header = next(reader, None)
            if header is None:
                raise _Skip("empty file; skipped")
            columns = [name.strip().lower() for name in header]
            if "text" not in columns:
                shown = ", ".join(repr(c) for c in header[:12]) or "none"
                raise _Skip(f"no 'text' column (columns: {shown}); skipped")
            start = reader.line_num + 1
            for row in reader:
                origin = f"{path}:line {start}"
                start = reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                records += 1
                if len(row) > len(columns):
                    report(origin, f"{len(row)} fields for {len(columns)} columns; skipped", skipped=True)
                    continue
                if sum(len(cell) for cell in row) > max_bytes:
                    report(origin, f"record is over the {_mb(max_bytes)} limit; skipped", skipped=True)
                    continue
                record = {name: cell for name, cell in zip(columns, row, strict=False) if name in _FIELDS}
                document = record_document(record, origin, report)
                if document is not None:
                    yield document
        except _NotUtf8 as err:
            message = f"line {err.line} is not UTF-8 (CSV must be UTF-8); the rest of the file was skipped"
            raise _Skip(message) from None
        except csv.Error as err:
            if "end of data" in str(err):
                raise _Skip(
                    f"the record starting at line {start} opens a quote that is never closed (it runs to the "
                    f"end of the file, line {reader.line_num}); that record and the rest of the file were skipped"
                ) from None
            raise _Skip(
                f"malformed CSV in the record starting at line {start}, near line {reader.line_num} ({err}); "
                "the rest of the file was skipped"
            ) from None
    if records == 0:
        raise _Skip("no records (a header only); skipped")


# --------------------------------------------------------------------------------------------------
# Per-document metadata


def load_metadata(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a JSONL of per-document metadata keyed by "doc" (e.g. eval/seeds.docs.jsonl).

    ``published`` is normalised to YYYY-MM-DD. Raises InputError naming the file and line when the file
    cannot be read, a line is not a JSON object, has no "doc", or has a date that does not parse.
    """
    path = Path(path)
    meta: dict[str, dict[str, Any]] = {}
    try:
        handle = path.open("rb")
    except OSError as err:
        raise InputError(str(path), f"metadata file cannot be read ({err.strerror or err})") from err
    with handle:
        for number, raw in enumerate(handle, start=1):
            origin = f"{path}:line {number}"
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise InputError(origin, "not UTF-8") from None
            except json.JSONDecodeError as err:
                raise InputError(origin, f"not valid JSON ({err.msg} at column {err.colno})") from None
            except RecursionError:
                raise InputError(origin, "JSON nested too deeply to read (thousands of levels)") from None
            if not isinstance(record, dict):
                raise InputError(origin, f"a JSON object was expected, got a {type(record).__name__}")
            doc = _clean(record.get("doc")) or _clean(record.get("id"))
            if doc is None:
                raise InputError(origin, "record has no 'doc' or 'id' (the document id it describes)")
            raw_published = _clean(record.get("published"))
            if raw_published is not None:
                published = _parse_published(raw_published)
                if published is None:
                    raise InputError(origin, f"published date {raw_published!r} does not parse")
                record["published"] = published
            meta[doc] = record
    return meta


def apply_metadata(doc: Document, meta: dict[str, dict[str, Any]]) -> Document:
    """The document with outlet, published, title and url taken from its metadata where non-null.

    Metadata is what the user states about a document, so a non-null value there replaces what was
    read from the file; a null or absent value leaves the document's own value.
    """
    record = meta.get(doc.id)
    if record is None:
        return doc
    fields = ("outlet", "published", "title", "url", "story")
    changes = {name: value for name in fields if (value := _clean(record.get(name)))}
    return dataclasses.replace(doc, **changes) if changes else doc


# --------------------------------------------------------------------------------------------------
# Parquet, streamed in row batches


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as err:
        raise _Skip(f"reading Parquet needs pyarrow, which is not installed ({PYARROW_HINT}); skipped") from err
    return pa, pq


def _read_parquet(path: Path, max_bytes: int, report: _Report) -> Iterator[Document]:
    pa, pq = _pyarrow()
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as err:
        raise _Skip(f"not a readable Parquet file ({err}); skipped") from err
    columns = [name for name in parquet.schema_arrow.names if name.strip().lower() in _FIELDS]
    if "text" not in [name.strip().lower() for name in columns]:
        shown = ", ".join(repr(name) for name in parquet.schema_arrow.names[:12]) or "none"
        raise _Skip(f"no 'text' column (columns: {shown}); skipped")
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=_PARQUET_ROWS, columns=columns):
            for values in batch.to_pylist():
                row += 1
                where = f"{path}:row {row}"
                record = {name.strip().lower(): value for name, value in values.items()}
                text = record.get("text")
                if isinstance(text, str) and len(text) > max_bytes and len(text.encode("utf-8")) > max_bytes:
                    report(where, f"record is over the {_mb(max_bytes)} limit; skipped", skipped=True)
                    continue
                document = record_document(record, where, report)
                if document is not None:
                    yield document
    except (pa.ArrowException, OSError) as err:
        raise _Skip(
            f"Parquet data cannot be read after row {row} ({err}); the rest of the file was skipped"
        ) from err
    if row == 0:
        raise _Skip("no records; skipped")


# --------------------------------------------------------------------------------------------------
# The registry: file kind -> reader(path, id, max_bytes, report)


class _Reader(Protocol):
    def __call__(self, path: Path, doc_id: str, max_bytes: int, report: _Report, /) -> Iterable[Document]: ...


def _text_file(path: Path, doc_id: str, max_bytes: int, report: _Report) -> Iterable[Document]:
    return [_text_document(path, doc_id, _read_whole(path, max_bytes), report)]


def _html_file(path: Path, doc_id: str, max_bytes: int, report: _Report) -> Iterable[Document]:
    return [_html_document(path, doc_id, _read_whole(path, max_bytes), report)]


READERS: dict[str, _Reader] = {
    "text": _text_file,
    "html": _html_file,
    "jsonl": lambda path, _id, max_bytes, report: _read_jsonl(path, False, max_bytes, report),
    "jsonl.gz": lambda path, _id, max_bytes, report: _read_jsonl(path, True, max_bytes, report),
    "csv": lambda path, _id, max_bytes, report: _read_csv(path, max_bytes, report),
    "parquet": lambda path, _id, max_bytes, report: _read_parquet(path, max_bytes, report),
}
_KNOWN = ".txt, .md, .html, .htm, .jsonl, .jsonl.gz, .csv or .parquet"
