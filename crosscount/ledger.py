"""The ledger: documents, claims, runs and the latest reconciliation, in SQLite or PostgreSQL.

One SQLAlchemy Core schema serves both backends. A plain path (or ``sqlite:///path``) opens a
SQLite file in WAL mode with foreign keys on; a ``postgresql+psycopg://`` URL opens a shared
server. The schema evolves through the ordered, named migrations in ``MIGRATIONS``; each is
applied together with its bookkeeping row in ``_migrations`` in one transaction, so opening a
ledger written by an older crosscount upgrades it in place.

Writes are transactions: a document and its claims are stored together or not at all, and a
reconciliation replaces the previous statements, variables and findings as one set. Inserts are
idempotent under races (a document another writer stores meanwhile is skipped, not an error), and
:meth:`Ledger.exclusive` is a ledger-wide lock between processes (a PostgreSQL advisory lock; a lock
file beside a SQLite ledger) that reconciliation holds from reading the claims to storing the
picture, so the last of two concurrent runs stores a picture of every claim either stored.

Dates (published, as-of) are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` text. Date filters treat
a coarse date as the period it names: ``since="2025-01-15"`` keeps a figure as of ``"2025"``
or ``"2025-01"``, because those periods reach past the 15th.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import re
import sqlite3
import sys
import threading
import time
import typing
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine, RowMapping, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from crosscount.errors import LedgerError
from crosscount.models import Claim, Document, Finding, Statement, Variable

__all__ = [
    "MIGRATIONS",
    "Ledger",
    "LedgerStats",
    "Migration",
    "ReconciliationRows",
    "RunRecord",
    "SearchHit",
    "SourceSummary",
    "StoryRecord",
    "reconciliation_rows",
]

# Integer primary keys: 64-bit on PostgreSQL, SQLite's rowid alias on SQLite.
_Id = BigInteger().with_variant(Integer(), "sqlite")

_T = TypeVar("_T")

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CHUNK = 900  # values per IN (...) list: well under SQLite's bound-parameter limit

# ---------------------------------------------------------------------------------------------
# The current schema, used by every query. Migrations below build exactly this (a test reflects
# a migrated database and compares); change both together.
# ---------------------------------------------------------------------------------------------

metadata = MetaData()

documents_t = Table(
    "documents",
    metadata,
    Column("id", String, primary_key=True),
    Column("content_hash", String, nullable=False, unique=True),
    Column("outlet", String),
    Column("url", String),
    Column("title", Text),
    Column("published", String),
    Column("origin", String),
    Column("language", String, nullable=False),
    Column("text", Text, nullable=False),
    Column("ingested_at", String, nullable=False),
    Column("story", String),  # migration 005: the story it belongs to
    Column("story_basis", String),  # "input" | "user" | "cluster": who put it there
    Column("fingerprint", String),  # the extractor's fingerprint, or "import:NAME" for imported claims
    Index("ix_documents_outlet", "outlet"),
    Index("ix_documents_published", "published"),
    Index("ix_documents_story", "story"),
)

claims_t = Table(
    "claims",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("doc", String, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("figure", Text, nullable=False),
    Column("low", Float),
    Column("high", Float),
    Column("qualifier", String, nullable=False),
    Column("unit", String, nullable=False),
    Column("measure", String, nullable=False),
    Column("subject", String),
    Column("location", String),
    Column("source", String),
    Column("as_of", String),
    Column("kind", String, nullable=False),
    Column("sentence", Text, nullable=False),
    Column("source_text", Text),
    Column("via", Text),
    Column("published", String),
    Column("confidence", Float, nullable=False),
    Column("window_kind", String),  # migration 004
    Column("window_start", String),
    Column("window_end", String),
    Column("rules", Text, nullable=False),  # JSON list of extractor rule names
    # as_of, else the document's published date: what date filters compare
    Column("effective_date", String),
    Column("run_id", Integer, ForeignKey("runs.id")),  # migration 003
    Column("story", String),  # migration 005: its document's story (kept in step with documents)
    Column("origin", String),  # "extractor" or "import:NAME" (claims coded elsewhere)
    Index("ix_claims_doc", "doc", "start"),
    Index("ix_claims_measure", "measure"),
    Index("ix_claims_subject_measure", "subject", "measure"),
    Index("ix_claims_source", "source"),
    Index("ix_claims_effective_date", "effective_date"),
    Index("ix_claims_run", "run_id"),
    Index("ix_claims_story", "story", "id"),
)

runs_t = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", String, nullable=False),
    Column("config", Text, nullable=False),  # JSON
    Column("started_at", String, nullable=False),
    Column("finished_at", String),
    Column("counts", Text),  # JSON
)

statements_t = Table(
    "statements",
    metadata,
    Column("id", String, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("source", String),
    Column("subject", String),
    Column("measure", String, nullable=False),
    Column("location", String),
    Column("unit", String, nullable=False),
    Column("as_of", String),
    Column("kind", String, nullable=False),
    Column("low", Float),
    Column("high", Float),
    Column("effective_date", String),
    Column("data", Text, nullable=False),  # the whole Statement as JSON
    Column("story", String),  # migration 005
    Index("ix_statements_subject_measure", "subject", "measure"),
    Index("ix_statements_source", "source"),
    Index("ix_statements_story", "story"),
)

variables_t = Table(
    "variables",
    metadata,
    Column("id", String, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("subject", String),
    Column("measure", String, nullable=False),
    Column("location", String),
    Column("unit", String, nullable=False),
    Column("data", Text, nullable=False),  # the whole Variable as JSON
    Column("story", String),  # migration 005
    Index("ix_variables_subject_measure", "subject", "measure"),
    Index("ix_variables_story", "story"),
)

findings_t = Table(
    "findings",
    metadata,
    Column("id", String, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("type", String, nullable=False),
    Column("rule", String, nullable=False),
    Column("subject", String),
    Column("measure", String, nullable=False),
    Column("variable", String),
    Column("period", String),
    Column("passed", Boolean),
    Column("data", Text, nullable=False),  # the whole Finding as JSON
    Column("story", String),  # migration 005
    Index("ix_findings_type", "type"),
    Index("ix_findings_subject_measure", "subject", "measure"),
    Index("ix_findings_variable", "variable"),
    Index("ix_findings_story", "story"),
)

stories_t = Table(  # migration 005
    "stories",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", Text),  # generated from its most telling place and entity words
    Column("basis", String, nullable=False),  # "input" | "user" | "cluster": who made it
    Column("merged_into", String),  # a user merged it into this story: documents sent here go there
    Column("created_at", String, nullable=False),
)

corrections_t = Table(  # migration 006: an analyst's edits, beside the machine's values (curation.py)
    "corrections",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("doc", String, nullable=False),
    Column("start", Integer),  # the claim's figure offset; NULL: the whole document
    Column("field", String, nullable=False),  # exclude | confirm | source | as_of | measure | subject | value
    Column("value", Text),
    Column("machine", Text),  # the machine's value when the correction was made
    Column("who", String, nullable=False),
    Column("at", String, nullable=False),
    Column("why", Text),
    Column("active", Integer, nullable=False),  # 0: replaced by a later correction of the same field
    Index("ix_corrections_doc", "doc", "start"),
)

sources_t = Table(  # migration 002
    "sources",
    metadata,
    Column("name", String, primary_key=True),  # canonical name, as the resolve stage gives it
    Column("first_seen", String),  # earliest effective date of its claims
    Column("last_seen", String),
    Column("claims", Integer, nullable=False),
)

migrations_t = Table(
    "_migrations",
    MetaData(),
    Column("name", String, primary_key=True),
    Column("applied_at", String, nullable=False),
)

# ---------------------------------------------------------------------------------------------
# Migrations: each builds its step from its own frozen definitions, never from the tables above.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Migration:
    """One named schema step; ``apply`` runs inside the transaction that records it."""

    name: str
    apply: Callable[[Connection], None]


def _m001_base(conn: Connection) -> None:
    """Documents, claims, runs, and the reconciliation tables."""
    md = MetaData()
    Table(
        "documents",
        md,
        Column("id", String, primary_key=True),
        Column("content_hash", String, nullable=False, unique=True),
        Column("outlet", String),
        Column("url", String),
        Column("title", Text),
        Column("published", String),
        Column("origin", String),
        Column("language", String, nullable=False),
        Column("text", Text, nullable=False),
        Column("ingested_at", String, nullable=False),
        Index("ix_documents_outlet", "outlet"),
        Index("ix_documents_published", "published"),
    )
    Table(
        "claims",
        md,
        Column("id", _Id, primary_key=True, autoincrement=True),
        Column("doc", String, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        Column("start", Integer, nullable=False),
        Column("end", Integer, nullable=False),
        Column("figure", Text, nullable=False),
        Column("low", Float),
        Column("high", Float),
        Column("qualifier", String, nullable=False),
        Column("unit", String, nullable=False),
        Column("measure", String, nullable=False),
        Column("subject", String),
        Column("location", String),
        Column("source", String),
        Column("as_of", String),
        Column("kind", String, nullable=False),
        Column("sentence", Text, nullable=False),
        Column("source_text", Text),
        Column("via", Text),
        Column("published", String),
        Column("confidence", Float, nullable=False),
        Column("rules", Text, nullable=False),
        Column("effective_date", String),
        Index("ix_claims_doc", "doc", "start"),
        Index("ix_claims_measure", "measure"),
        Index("ix_claims_subject_measure", "subject", "measure"),
        Index("ix_claims_source", "source"),
        Index("ix_claims_effective_date", "effective_date"),
    )
    Table(
        "runs",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("version", String, nullable=False),
        Column("config", Text, nullable=False),
        Column("started_at", String, nullable=False),
        Column("finished_at", String),
        Column("counts", Text),
    )
    Table(
        "statements",
        md,
        Column("id", String, primary_key=True),
        Column("seq", Integer, nullable=False),
        Column("source", String),
        Column("subject", String),
        Column("measure", String, nullable=False),
        Column("location", String),
        Column("unit", String, nullable=False),
        Column("as_of", String),
        Column("kind", String, nullable=False),
        Column("low", Float),
        Column("high", Float),
        Column("effective_date", String),
        Column("data", Text, nullable=False),
        Index("ix_statements_subject_measure", "subject", "measure"),
        Index("ix_statements_source", "source"),
    )
    Table(
        "variables",
        md,
        Column("id", String, primary_key=True),
        Column("seq", Integer, nullable=False),
        Column("subject", String),
        Column("measure", String, nullable=False),
        Column("location", String),
        Column("unit", String, nullable=False),
        Column("data", Text, nullable=False),
        Index("ix_variables_subject_measure", "subject", "measure"),
    )
    Table(
        "findings",
        md,
        Column("id", String, primary_key=True),
        Column("seq", Integer, nullable=False),
        Column("type", String, nullable=False),
        Column("rule", String, nullable=False),
        Column("subject", String),
        Column("measure", String, nullable=False),
        Column("variable", String),
        Column("period", String),
        Column("passed", Boolean),
        Column("data", Text, nullable=False),
        Index("ix_findings_type", "type"),
        Index("ix_findings_subject_measure", "subject", "measure"),
        Index("ix_findings_variable", "variable"),
    )
    md.create_all(conn)


def _m002_sources(conn: Connection) -> None:
    """A sources table with first/last seen and claim counts, filled from the existing claims."""
    md = MetaData()
    sources = Table(
        "sources",
        md,
        Column("name", String, primary_key=True),
        Column("first_seen", String),
        Column("last_seen", String),
        Column("claims", Integer, nullable=False),
    )
    sources.create(conn)
    conn.execute(
        text(
            "INSERT INTO sources (name, first_seen, last_seen, claims) "
            "SELECT source, MIN(effective_date), MAX(effective_date), COUNT(*) "
            "FROM claims WHERE source IS NOT NULL GROUP BY source"
        )
    )


def _m003_claims_run(conn: Connection) -> None:
    """claims.run_id: which extraction run produced each claim."""
    conn.execute(text("ALTER TABLE claims ADD COLUMN run_id INTEGER REFERENCES runs (id)"))
    conn.execute(text("CREATE INDEX ix_claims_run ON claims (run_id)"))


def _m004_claim_windows(conn: Connection) -> None:
    """claims.window_kind/start/end: the window a figure counts over (cumulative, period, incident)."""
    for column in ("window_kind", "window_start", "window_end"):
        conn.execute(text(f"ALTER TABLE claims ADD COLUMN {column} VARCHAR"))


def _m005_stories(conn: Connection) -> None:
    """Stories: documents.story (+ who set it, + the extractor fingerprint), claims.story and origin,
    a story column on the reconciliation tables, and the stories table."""
    for table, columns in (
        ("documents", ("story", "story_basis", "fingerprint")),
        ("claims", ("story", "origin")),
        ("statements", ("story",)),
        ("variables", ("story",)),
        ("findings", ("story",)),
    ):
        for column in columns:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR"))
    conn.execute(text("CREATE INDEX ix_documents_story ON documents (story)"))
    conn.execute(text("CREATE INDEX ix_claims_story ON claims (story, id)"))
    for table in ("statements", "variables", "findings"):
        conn.execute(text(f"CREATE INDEX ix_{table}_story ON {table} (story)"))
    conn.execute(text("UPDATE claims SET origin = 'extractor'"))
    md = MetaData()
    Table(
        "stories",
        md,
        Column("id", String, primary_key=True),
        Column("name", Text),
        Column("basis", String, nullable=False),
        Column("merged_into", String),
        Column("created_at", String, nullable=False),
    )
    md.create_all(conn)


def _m006_corrections(conn: Connection) -> None:
    """corrections: an analyst's edits of claims and documents, beside the machine's values (see curation.py)."""
    md = MetaData()
    Table(
        "corrections",
        md,
        Column("id", _Id, primary_key=True, autoincrement=True),
        Column("doc", String, nullable=False),
        Column("start", Integer),
        Column("field", String, nullable=False),
        Column("value", Text),
        Column("machine", Text),
        Column("who", String, nullable=False),
        Column("at", String, nullable=False),
        Column("why", Text),
        Column("active", Integer, nullable=False),
        Index("ix_corrections_doc", "doc", "start"),
    )
    md.create_all(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration("001_base", _m001_base),
    Migration("002_sources", _m002_sources),
    Migration("003_claims_run", _m003_claims_run),
    Migration("004_claim_windows", _m004_claim_windows),
    Migration("005_stories", _m005_stories),
    Migration("006_corrections", _m006_corrections),
)

# ---------------------------------------------------------------------------------------------
# What the reads return besides the model records
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class SourceSummary:
    """One canonical source: how many claims and statements it has, and the dates they span."""

    name: str
    claims: int
    statements: int
    first_seen: str | None
    last_seen: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class RunRecord:
    """One extraction run: the extractor version and config it used, when, and what it counted."""

    id: int
    version: str
    config: dict[str, Any]
    started_at: str
    finished_at: str | None
    counts: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class SearchHit:
    """A search match: a source name, a subject, or a document (with a snippet of its text)."""

    kind: str  # "source" | "subject" | "document"
    key: str  # the source name, the subject, or the document id
    label: str  # what to show: the name, the subject, or the title (else outlet, else id)
    claims: int  # claims of that source / subject / document
    snippet: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class StoryRecord:
    """One story: its id, generated name, who made it, and what it holds."""

    id: str
    name: str | None
    basis: str  # "input" | "user" | "cluster"
    documents: int
    claims: int
    first_published: str | None
    last_published: str | None
    conflicts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class LedgerStats:
    """What the ledger holds."""

    backend: str
    migrations: list[str]
    documents: int
    claims: int
    sources: int
    outlets: int
    statements: int
    variables: int
    findings: int
    runs: int
    first_published: str | None
    last_published: str | None
    findings_by_type: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# The ledger
# ---------------------------------------------------------------------------------------------


class Ledger:
    """Storage for documents, claims, runs and the latest reconciliation.

    ``Ledger("ledger.db")``, ``Ledger("sqlite:///path/ledger.db")``, ``Ledger(":memory:")`` or
    ``Ledger("postgresql+psycopg://user@host:5432/db")``. Opening applies missing migrations.
    """

    def __init__(
        self, target: str | os.PathLike[str], *, migrations: Sequence[Migration] = MIGRATIONS
    ) -> None:
        self.target: str = os.fspath(target)  # as given (may carry a password: never print it)
        self.engine: Engine = _make_engine(target)
        self.backend: str = self.engine.dialect.name
        self.url: str = self.engine.url.render_as_string(hide_password=True)
        self._held = threading.local()  # names of the locks this thread holds (see exclusive)
        self._memory_lock = threading.RLock()
        try:
            self._migrate(migrations)
        except BaseException:
            self.engine.dispose()
            raise

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold the ledger-wide lock ``name`` for the block: one holder at a time among every process
        and thread using this ledger (re-entrant within a thread). PostgreSQL: a session advisory lock,
        released with its connection if the process dies; SQLite: ``flock`` on ``<ledger>.<name>.lock``
        beside the file, released by the OS likewise; an in-memory ledger: a lock of this object."""
        held = self._held.__dict__.setdefault("names", set())
        if name in held:
            yield
            return
        held.add(name)
        try:
            if self.backend == "postgresql":
                with self._advisory_lock(name):
                    yield
            else:
                database = self.engine.url.database
                if database in (None, "", ":memory:"):
                    with self._memory_lock:
                        yield
                else:
                    with _file_lock(f"{database}.{name}.lock"):
                        yield
        finally:
            held.discard(name)

    @contextmanager
    def _advisory_lock(self, name: str) -> Iterator[None]:
        key = _LOCK_BASE + zlib.crc32(name.encode())
        try:
            conn = self.engine.connect()
        except SQLAlchemyError as exc:
            raise LedgerError(f"cannot lock the ledger at {self.url}: {_reason(exc)}") from exc
        try:
            try:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                conn.commit()  # the lock is the session's, not the transaction's: hold no transaction open
            except SQLAlchemyError as exc:
                raise LedgerError(f"cannot lock the ledger at {self.url}: {_reason(exc)}") from exc
            try:
                yield
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()
                except SQLAlchemyError:
                    conn.invalidate()  # closing the session releases the lock
        finally:
            conn.close()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ledger({self.url!r})"

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise LedgerError(f"cannot read the ledger at {self.url}: {_reason(exc)}") from exc

    @contextmanager
    def _write(self, action: str) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite, so writers queue instead of failing)."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(crosscount_write=True)
                with conn.begin():
                    yield conn
        except IntegrityError as exc:
            raise LedgerError(
                f"cannot {action}: a record breaks a ledger constraint ({_reason(exc)}); nothing was written"
            ) from exc
        except SQLAlchemyError as exc:
            raise LedgerError(f"cannot {action} in the ledger at {self.url}: {_reason(exc)}") from exc

    # -- migrations -----------------------------------------------------------------------------

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        names = [m.name for m in migrations]
        if len(set(names)) != len(names):
            raise LedgerError(f"migration names must be unique, got {names}")
        with self._write("create the migrations table") as conn:
            self._lock(conn)
            if self.backend == "sqlite":
                _refuse_foreign_sqlite(conn, self.url)
            migrations_t.create(conn, checkfirst=True)
        applied = set(self.migrations())
        unknown = sorted(applied - set(names))
        if unknown:
            raise LedgerError(
                f"the ledger at {self.url} was written by a newer crosscount (it has migrations "
                f"{unknown}); upgrade crosscount to open it"
            )
        for migration in migrations:
            if migration.name in applied:
                continue
            with self._write(f"apply migration {migration.name}") as conn:
                self._lock(conn)
                done = conn.scalar(select(migrations_t.c.name).where(migrations_t.c.name == migration.name))
                if done is not None:  # another process applied it meanwhile
                    continue
                migration.apply(conn)
                conn.execute(insert(migrations_t).values(name=migration.name, applied_at=_now()))

    def _lock(self, conn: Connection) -> None:
        """Serialise schema changes between processes (SQLite's BEGIN IMMEDIATE already does)."""
        if self.backend == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7271937)"))

    def migrations(self) -> list[str]:
        """Names of the migrations applied to this ledger, in the order they were applied."""
        with self._read() as conn:
            rows = conn.execute(
                select(migrations_t.c.name).order_by(migrations_t.c.applied_at, migrations_t.c.name)
            )
            return [r[0] for r in rows]

    # -- ingest ---------------------------------------------------------------------------------

    def document_id_of(self, content_hash: str) -> str | None:
        """The id under which this text is stored, if it is."""
        with self._read() as conn:
            found = conn.scalar(select(documents_t.c.id).where(documents_t.c.content_hash == content_hash))
        return None if found is None else str(found)

    def has_document(self, content_hash: str) -> bool:
        return bool(self.known_hashes([content_hash]))

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        """The subset of these content hashes already stored (to skip documents before extraction)."""
        wanted = list(dict.fromkeys(hashes))
        with self._read() as conn:
            return _known(conn, wanted)

    def add_document(
        self,
        doc: Document,
        claims: Sequence[Claim],
        run_id: int | None = None,
        *,
        fingerprint: str | None = None,
        origin: str = "extractor",
    ) -> bool:
        """Store a document and its claims in one transaction; False if its text is already stored."""
        return self.add_documents([(doc, claims)], run_id, fingerprint=fingerprint, origin=origin) == 1

    def add_documents(
        self,
        batch: Sequence[tuple[Document, Sequence[Claim]]],
        run_id: int | None = None,
        *,
        fingerprint: str | None = None,
        origin: str = "extractor",
    ) -> int:
        """Store a batch of documents with their claims in one transaction; return how many were new.

        Documents whose text is already stored (or repeated within the batch) are skipped. A
        document's ``story`` (given by the input) is kept as its story, following merges a user made;
        ``fingerprint`` is the extractor's that produced the claims, ``origin`` where they come from
        (``"extractor"``, or ``"import:NAME"`` for claims coded elsewhere).
        """
        for doc, claims in batch:
            for claim in claims:
                if claim.doc != doc.id:
                    raise LedgerError(
                        f"a claim of document {claim.doc!r} was given with document {doc.id!r}; "
                        "pass each document with its own claims"
                    )
        if not batch:
            return 0
        with self._write("store documents") as conn:
            return self._insert(conn, batch, run_id, fingerprint, origin)

    def _insert(
        self,
        conn: Connection,
        batch: Sequence[tuple[Document, Sequence[Claim]]],
        run_id: int | None,
        fingerprint: str | None = None,
        origin: str = "extractor",
    ) -> int:
        # Skip what is stored already without sending the texts; ON CONFLICT then covers documents
        # another writer stores meanwhile (PostgreSQL waits for its transaction, then skips).
        known = _known(conn, [doc.content_hash for doc, _ in batch])
        now = _now()
        todo: dict[str, tuple[Document, Sequence[Claim]]] = {}
        for doc, claims in batch:
            if doc.content_hash not in known:
                todo.setdefault(doc.content_hash, (doc, claims))
        if not todo:
            return 0
        given = {doc.story for doc, _ in todo.values() if doc.story}
        stories = {name: _follow(conn, name) for name in sorted(given)}
        for name in sorted(set(stories.values())):
            _ensure_story(conn, self._dialect_insert(stories_t), name, "input")
        doc_rows = [
            {
                "id": doc.id,
                "content_hash": digest,
                "outlet": doc.outlet,
                "url": doc.url,
                "title": doc.title,
                "published": doc.published,
                "origin": doc.origin,
                "language": doc.language,
                "text": doc.text,
                "ingested_at": now,
                "story": stories[doc.story] if doc.story else None,
                "story_basis": "input" if doc.story else None,
                "fingerprint": fingerprint,
            }
            for digest, (doc, _) in todo.items()
        ]
        story_of = {row["id"]: row["story"] for row in doc_rows}
        # no conflict target: a row another writer stored meanwhile (same text, so same hash and id)
        # conflicts on the primary key as well as on the hash, and must be skipped on either
        stmt = self._dialect_insert(documents_t).on_conflict_do_nothing()
        stored = set(conn.scalars(stmt.returning(documents_t.c.content_hash), doc_rows))
        # a text not stored and not in the ledger lost its id to another text stored meanwhile: it is
        # stored under its id plus a content hash, as the reader names a repeated id
        unstored = [digest for digest in todo if digest not in stored]
        taken = set(unstored) - _known(conn, unstored) if unstored else set()
        if taken:
            from crosscount.ingest import suffixed_id

            retry = []
            for row in doc_rows:
                if row["content_hash"] in taken:
                    doc, claims = todo[row["content_hash"]]
                    new_id = suffixed_id(doc.id, row["content_hash"])
                    todo[row["content_hash"]] = (doc, [dataclasses.replace(c, doc=new_id) for c in claims])
                    story_of[new_id] = row["story"]
                    retry.append({**row, "id": new_id})
            stored |= set(conn.scalars(stmt.returning(documents_t.c.content_hash), retry))
        claim_rows: list[dict[str, Any]] = []
        per_source: dict[str, list[Any]] = {}  # name -> [first, last, count]
        for digest, (doc, claims) in todo.items():
            if digest not in stored:
                continue
            story = story_of[claims[0].doc] if claims else None
            claim_rows.extend(_claim_rows(claims, doc.published, story, origin, run_id, per_source))
        if claim_rows:
            self._bulk_insert(conn, claims_t, claim_rows)
        if per_source:
            self._upsert_sources(conn, per_source)
        return len(stored)

    def replace_claims(
        self,
        doc_id: str,
        claims: Sequence[Claim],
        *,
        fingerprint: str | None,
        origin: str = "extractor",
        run_id: int | None = None,
    ) -> None:
        """Replace a stored document's claims (re-extraction, imported claims) in one transaction."""
        for claim in claims:
            if claim.doc != doc_id:
                raise LedgerError(f"a claim of document {claim.doc!r} was given to replace those of {doc_id!r}")
        with self._write(f"replace the claims of document {doc_id}") as conn:
            row = conn.execute(
                select(documents_t.c.published, documents_t.c.story).where(documents_t.c.id == doc_id)
            ).first()
            if row is None:
                raise LedgerError(f"there is no document {doc_id!r} in the ledger at {self.url}")
            published, story = row
            names = set(
                conn.scalars(
                    select(claims_t.c.source)
                    .where(claims_t.c.doc == doc_id, claims_t.c.source.is_not(None))
                    .distinct()
                )
            )
            conn.execute(delete(claims_t).where(claims_t.c.doc == doc_id))
            per_source: dict[str, list[Any]] = {}
            rows = _claim_rows(claims, published, story, origin, run_id, per_source)
            if rows:
                self._bulk_insert(conn, claims_t, rows)
            conn.execute(update(documents_t).where(documents_t.c.id == doc_id).values(fingerprint=fingerprint))
            _recount_sources(conn, sorted(names | set(per_source)))

    def stale_documents(self, fingerprint: str, batch_size: int = 500) -> Iterator[Document]:
        """Stored documents whose claims another extractor produced (not imported ones), in batches."""
        d = documents_t.c
        stale = or_(d.fingerprint.is_(None), d.fingerprint != fingerprint)
        last: str | None = None
        while True:
            query = select(documents_t).where(stale, or_(d.fingerprint.is_(None), ~d.fingerprint.like("import:%")))
            if last is not None:
                query = query.where(d.id > last)
            with self._read() as conn:
                rows = conn.execute(query.order_by(d.id).limit(batch_size)).mappings().all()
            if not rows:
                return
            for row in rows:
                yield _document(row)
            last = rows[-1]["id"]

    def count_stale_documents(self, fingerprint: str) -> int:
        d = documents_t.c
        stale = or_(d.fingerprint.is_(None), d.fingerprint != fingerprint)
        query = select(func.count()).select_from(documents_t).where(
            stale, or_(d.fingerprint.is_(None), ~d.fingerprint.like("import:%"))
        )
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def _bulk_insert(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        """executemany of rows given as dicts (each with the same keys)."""
        names = list(rows[0])
        self._bulk_insert_rows(conn, table, names, [tuple(row[n] for n in names) for row in rows])

    def _bulk_insert_rows(
        self, conn: Connection, table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Rows (values in ``names`` order) inserted at once: on SQLite one executemany of the driver's
        own SQL (no per-row parameter processing: the values are plain str, int, float, bool, None);
        COPY on PostgreSQL, about five times faster than pipelined INSERTs there."""
        quote = self.engine.dialect.identifier_preparer.quote
        columns = ", ".join(quote(n) for n in names)
        if self.backend != "postgresql":
            marks = ", ".join("?" * len(names))
            conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})", list(rows))
            return
        sql = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
        import psycopg

        driver: Any = conn.connection.dbapi_connection  # a psycopg connection, in our transaction
        try:
            with driver.cursor() as cur, cur.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.IntegrityError as exc:
            reason = str(exc).strip().splitlines()[0]
            raise LedgerError(
                f"cannot store {table.name}: a record breaks a ledger constraint ({reason}); "
                "nothing was written"
            ) from exc
        except psycopg.Error as exc:
            raise LedgerError(f"cannot store {table.name} in the ledger at {self.url}: {exc}") from exc

    def _dialect_insert(self, table: Table) -> Any:
        """INSERT with ON CONFLICT support (the same SQL on both backends)."""
        return (pg_dialect.insert if self.backend == "postgresql" else sqlite_dialect.insert)(table)

    def _upsert_sources(self, conn: Connection, per_source: Mapping[str, list[Any]]) -> None:
        rows = [
            {"name": name, "first_seen": first, "last_seen": last, "claims": count}
            for name, (first, last, count) in sorted(per_source.items())
        ]
        stmt = self._dialect_insert(sources_t)
        new = stmt.excluded
        old = sources_t.c
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[old.name],
                set_={
                    "claims": old.claims + new.claims,
                    "first_seen": case(
                        (new.first_seen.is_(None), old.first_seen),
                        (or_(old.first_seen.is_(None), new.first_seen < old.first_seen), new.first_seen),
                        else_=old.first_seen,
                    ),
                    "last_seen": case(
                        (new.last_seen.is_(None), old.last_seen),
                        (or_(old.last_seen.is_(None), new.last_seen > old.last_seen), new.last_seen),
                        else_=old.last_seen,
                    ),
                },
            ),
            rows,
        )

    def delete_document(self, doc_id: str) -> bool:
        """Delete a document and its claims; False if there is no such document.

        Statements and findings keep referring to it until the next reconciliation.
        """
        with self._write(f"delete document {doc_id}") as conn:
            names = list(
                conn.scalars(
                    select(claims_t.c.source)
                    .where(claims_t.c.doc == doc_id, claims_t.c.source.is_not(None))
                    .distinct()
                )
            )
            conn.execute(delete(claims_t).where(claims_t.c.doc == doc_id))
            gone = conn.execute(delete(documents_t).where(documents_t.c.id == doc_id)).rowcount
            _recount_sources(conn, names)
            return bool(gone)

    # -- stories --------------------------------------------------------------------------------

    def stories(self) -> list[StoryRecord]:
        """Every story that holds documents, the largest first (merged-away stories are not listed)."""
        d = documents_t.c
        with self._read() as conn:
            meta = {
                r["id"]: r
                for r in conn.execute(select(stories_t).where(stories_t.c.merged_into.is_(None))).mappings()
            }
            docs = {
                story: (int(n), first, last)
                for story, n, first, last in conn.execute(
                    select(d.story, func.count(), func.min(d.published), func.max(d.published))
                    .where(d.story.is_not(None))
                    .group_by(d.story)
                )
            }
            claims: dict[str, int] = dict(
                conn.execute(
                    select(claims_t.c.story, func.count())
                    .where(claims_t.c.story.is_not(None))
                    .group_by(claims_t.c.story)
                ).all()
            )
            conflicts: dict[str, int] = dict(
                conn.execute(
                    select(findings_t.c.story, func.count())
                    .where(findings_t.c.type == "conflict", findings_t.c.story.is_not(None))
                    .group_by(findings_t.c.story)
                ).all()
            )
        out = []
        for story, (n, first, last) in docs.items():
            row = meta.get(story)
            out.append(
                StoryRecord(
                    id=story,
                    name=row["name"] if row is not None else None,
                    basis=row["basis"] if row is not None else "input",
                    documents=n,
                    claims=int(claims.get(story, 0)),
                    first_published=first,
                    last_published=last,
                    conflicts=int(conflicts.get(story, 0)),
                )
            )
        return sorted(out, key=lambda s: (-s.documents, s.id))

    def story(self, story_id: str) -> StoryRecord | None:
        """One story by id (a merged-away id leads to the story it went into)."""
        with self._read() as conn:
            target = _follow(conn, story_id)
        return next((s for s in self.stories() if s.id == target), None)

    def story_ids(self) -> list[str]:
        """The ids of the stories that hold documents."""
        with self._read() as conn:
            return sorted(
                conn.scalars(select(documents_t.c.story).where(documents_t.c.story.is_not(None)).distinct())
            )

    def story_assignments(self) -> dict[str, tuple[str | None, str | None]]:
        """Every document id -> (its story, who set it: "input" | "user" | "cluster" | None)."""
        d = documents_t.c
        with self._read() as conn:
            return {doc: (story, basis) for doc, story, basis in conn.execute(select(d.id, d.story, d.story_basis))}

    def story_samples(self, per_story: int = 20) -> dict[str, list[Document]]:
        """Up to ``per_story`` documents of each story (its earliest stored), to profile it."""
        out: dict[str, list[Document]] = {}
        for story in self.story_ids():
            out[story] = self.documents(story=story, limit=per_story)
        return out

    def unassigned_documents(self, limit: int | None = None) -> list[Document]:
        """Documents in no story yet, in storage order."""
        query = select(documents_t).where(documents_t.c.story.is_(None)).order_by(documents_t.c.id)
        with self._read() as conn:
            return [_document(r) for r in conn.execute(_page(query, limit, 0)).mappings()]

    def assign_stories(self, assignments: Mapping[str, str], names: Mapping[str, str] | None = None) -> int:
        """File documents under stories chosen by clustering; documents a user or the input placed keep
        their story. New story ids are created (basis "cluster"); ``names`` (re)names stories not named
        by a user. Returns how many documents moved."""
        moved = 0
        with self._write("assign stories") as conn:
            stmt = self._dialect_insert(stories_t)
            for story in sorted(set(assignments.values())):
                _ensure_story(conn, stmt, story, "cluster")
            for story, name in sorted((names or {}).items()):
                _ensure_story(conn, stmt, story, "cluster")
                conn.execute(
                    update(stories_t)
                    .where(stories_t.c.id == story, or_(stories_t.c.basis != "user", stories_t.c.name.is_(None)))
                    .values(name=name)
                )
            by_story: dict[str, list[str]] = {}
            for doc, story in assignments.items():
                by_story.setdefault(_follow(conn, story), []).append(doc)
            for story, docs in sorted(by_story.items()):
                for chunk in _chunks(sorted(docs)):
                    moved += self._set_story(conn, chunk, story, "cluster", keep_chosen=True)
        return moved

    def _set_story(
        self, conn: Connection, doc_ids: Sequence[str], story: str, basis: str, *, keep_chosen: bool = False
    ) -> int:
        d = documents_t.c
        cond: list[ColumnElement[bool]] = [d.id.in_(doc_ids)]
        if keep_chosen:  # clustering never overrides the input's or a user's choice
            cond.append(or_(d.story_basis.is_(None), d.story_basis == "cluster"))
        ids = list(conn.scalars(select(d.id).where(*cond)))
        if not ids:
            return 0
        conn.execute(update(documents_t).where(d.id.in_(ids)).values(story=story, story_basis=basis))
        conn.execute(update(claims_t).where(claims_t.c.doc.in_(ids)).values(story=story))
        return len(ids)

    def move_document(self, doc_id: str, story: str) -> None:
        """A user files a document under another story (made if new); kept across re-clustering."""
        if not story.strip():
            raise LedgerError("a story id cannot be empty")
        with self._write(f"move document {doc_id}") as conn:
            if conn.scalar(select(documents_t.c.id).where(documents_t.c.id == doc_id)) is None:
                raise LedgerError(f"there is no document {doc_id!r} in the ledger at {self.url}")
            target = _follow(conn, story)
            _ensure_story(conn, self._dialect_insert(stories_t), target, "user")
            self._set_story(conn, [doc_id], target, "user")

    def merge_stories(self, source: str, target: str) -> int:
        """A user merges story ``source`` into ``target``: its documents move (kept across re-runs) and
        documents that name ``source`` later go to ``target``. Returns how many documents moved."""
        with self._write(f"merge story {source} into {target}") as conn:
            have = set(conn.scalars(select(documents_t.c.story).where(documents_t.c.story.in_([source, target]))))
            have |= set(conn.scalars(select(stories_t.c.id).where(stories_t.c.id.in_([source, target]))))
            for name in (source, target):
                if name not in have:
                    raise LedgerError(f"there is no story {name!r} in the ledger at {self.url}")
            source, target = _follow(conn, source), _follow(conn, target)
            if source == target:
                raise LedgerError(f"story {source!r} cannot be merged into itself")
            stmt = self._dialect_insert(stories_t)
            _ensure_story(conn, stmt, source, "user")
            _ensure_story(conn, stmt, target, "user")
            docs = list(conn.scalars(select(documents_t.c.id).where(documents_t.c.story == source)))
            moved = 0
            for chunk in _chunks(docs):
                moved += self._set_story(conn, chunk, target, "user")
            conn.execute(update(stories_t).where(stories_t.c.id == source).values(merged_into=target))
            conn.execute(update(stories_t).where(stories_t.c.merged_into == source).values(merged_into=target))
            for table in (statements_t, variables_t, findings_t):
                conn.execute(delete(table).where(table.c.story == source))
            return moved

    def doc_infos(self, story: str | None = None) -> Iterator[tuple[str, str | None, str | None, str | None]]:
        """(id, outlet, published, story) of every document (of one story), without their texts."""
        d = documents_t.c
        query = select(d.id, d.outlet, d.published, d.story)
        if story is not None:
            query = query.where(d.story == story)
        with self._read() as conn:
            for row in conn.execute(query.order_by(d.id)):
                yield (row[0], row[1], row[2], row[3])

    # -- runs -----------------------------------------------------------------------------------

    def start_run(self, version: str, config: Mapping[str, Any]) -> int:
        """Record the start of an extraction run with the extractor version and config it uses."""
        with self._write("start a run") as conn:
            run_id = conn.execute(
                insert(runs_t)
                .values(version=version, config=_dumps(dict(config)), started_at=_now())
                .returning(runs_t.c.id)
            ).scalar_one()
            return int(run_id)

    def finish_run(self, run_id: int, counts: Mapping[str, Any]) -> None:
        with self._write(f"finish run {run_id}") as conn:
            done = conn.execute(
                update(runs_t)
                .where(runs_t.c.id == run_id)
                .values(finished_at=_now(), counts=_dumps(dict(counts)))
            ).rowcount
            if not done:
                raise LedgerError(
                    f"there is no run {run_id} in the ledger at {self.url}; start it with start_run()"
                )

    def runs(self) -> list[RunRecord]:
        with self._read() as conn:
            rows = conn.execute(select(runs_t).order_by(runs_t.c.id)).mappings().all()
        return [
            RunRecord(
                id=int(r["id"]),
                version=r["version"],
                config=json.loads(r["config"]),
                started_at=r["started_at"],
                finished_at=r["finished_at"],
                counts=None if r["counts"] is None else json.loads(r["counts"]),
            )
            for r in rows
        ]

    # -- documents ------------------------------------------------------------------------------

    def document(self, doc_id: str) -> Document | None:
        with self._read() as conn:
            row = conn.execute(select(documents_t).where(documents_t.c.id == doc_id)).mappings().first()
        return None if row is None else _document(row)

    def documents(
        self,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        story: str | None = None,
        *,
        newest_first: bool = False,
        has_claims: bool | None = None,
    ) -> list[Document]:
        """Documents in order of publication (undated last; ``newest_first`` reverses the dated ones),
        filtered by outlet, published date, story, and whether they have claims."""
        query = select(documents_t).where(*self._document_filters(outlet, since, until, story, has_claims))
        published = documents_t.c.published.desc() if newest_first else documents_t.c.published
        query = query.order_by(documents_t.c.published.is_(None), published, documents_t.c.id)
        with self._read() as conn:
            rows = conn.execute(_page(query, limit, offset)).mappings().all()
        return [_document(r) for r in rows]

    def count_documents(
        self,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        story: str | None = None,
        *,
        has_claims: bool | None = None,
    ) -> int:
        query = (
            select(func.count())
            .select_from(documents_t)
            .where(*self._document_filters(outlet, since, until, story, has_claims))
        )
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def _document_filters(
        self,
        outlet: str | None,
        since: str | None,
        until: str | None,
        story: str | None = None,
        has_claims: bool | None = None,
    ) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if has_claims is not None:
            any_claim = select(claims_t.c.id).where(claims_t.c.doc == documents_t.c.id).exists()
            conds.append(any_claim if has_claims else ~any_claim)
        if outlet is not None:
            conds.append(documents_t.c.outlet == outlet)
        if story is not None:
            conds.append(documents_t.c.story == story)
        conds += _date_filters(documents_t.c.published, since, until)
        return conds

    # -- claims ---------------------------------------------------------------------------------

    def claims(
        self,
        subject: str | None = None,
        measure: str | None = None,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        doc: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        story: str | None = None,
        origin: str | None = None,
    ) -> list[Claim]:
        """Claims in the order they were stored; since/until compare as-of, else the published date."""
        conds = _claim_filters(subject, measure, source, since, until, doc, story, origin)
        query = _page(select(*_CLAIM_COLUMNS).where(*conds).order_by(claims_t.c.id), limit, offset)
        with self._read() as conn:
            return [_claim(r) for r in conn.execute(query)]

    def count_claims(
        self,
        subject: str | None = None,
        measure: str | None = None,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        doc: str | None = None,
        story: str | None = None,
        origin: str | None = None,
    ) -> int:
        conds = _claim_filters(subject, measure, source, since, until, doc, story, origin)
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(claims_t).where(*conds)).scalar_one())

    def claim_counts(self, docs: Sequence[str]) -> dict[str, int]:
        """How many claims each of ``docs`` holds, in one query per 500 ids (a document with none: 0)."""
        counts = dict.fromkeys(docs, 0)
        ids = list(counts)
        with self._read() as conn:
            for i in range(0, len(ids), 500):
                query = (select(claims_t.c.doc, func.count()).where(claims_t.c.doc.in_(ids[i : i + 500]))
                         .group_by(claims_t.c.doc))
                counts.update((row[0], int(row[1])) for row in conn.execute(query))
        return counts

    def iter_claims(
        self, batch_size: int = 10000, *, story: str | None = None, unassigned: bool = False
    ) -> Iterator[Claim]:
        """Every claim (of one ``story``; with ``unassigned``, of documents in no story), in storage
        order, fetched in batches (keyset pages: no long-held cursor)."""
        if batch_size < 1:
            raise LedgerError(f"batch_size must be at least 1, got {batch_size}")
        last: int | None = None
        where: list[ColumnElement[bool]] = []
        if story is not None:
            where.append(claims_t.c.story == story)
        elif unassigned:
            where.append(claims_t.c.story.is_(None))
        while True:
            query = select(*_CLAIM_COLUMNS).where(*where).order_by(claims_t.c.id).limit(batch_size)
            if last is not None:
                query = query.where(claims_t.c.id > last)
            with self._read() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield _claim(row)
            last = int(rows[-1][-1])
            if len(rows) < batch_size:
                return

    # -- reconciliation -------------------------------------------------------------------------

    def replace_reconciliation(
        self,
        statements: Sequence[Statement],
        variables: Sequence[Variable],
        findings: Sequence[Finding],
        *,
        story: str | None = None,
    ) -> None:
        """Replace the stored statements, variables and findings with these, in one transaction.

        With ``story``, only that story's set is replaced (stories are reconciled one at a time);
        without it, the whole set, each record filed under its own ``story`` field when it has one.
        """
        self.store_reconciliation_rows(reconciliation_rows(statements, variables, findings, story=story), story=story)

    def store_reconciliation_rows(self, rows: ReconciliationRows, *, story: str | None = None) -> None:
        """Replace the stored statements, variables and findings with ``rows`` (see
        :func:`reconciliation_rows`), in one transaction: of ``story`` only, or all of them."""
        with self._write("store the reconciliation") as conn:
            for table, table_rows in (
                (statements_t, rows.statements),
                (variables_t, rows.variables),
                (findings_t, rows.findings),
            ):
                conn.execute(delete(table).where(table.c.story == story) if story is not None else delete(table))
                if table_rows:
                    self._bulk_insert_rows(conn, table, _RECONCILIATION_COLUMNS[table.name], table_rows)

    def drop_reconciliation(self, keep: Iterable[str]) -> int:
        """Remove the statements, variables and findings of every story not in ``keep`` (merged away,
        emptied, or never a story); how many records went."""
        kept = sorted(set(keep))
        gone = 0
        with self._write("drop stale reconciliations") as conn:
            for table in (statements_t, variables_t, findings_t):
                stale: ColumnElement[bool] = table.c.story.is_(None)
                if kept:
                    stale = or_(stale, table.c.story.not_in(kept))
                gone += conn.execute(delete(table).where(stale)).rowcount
        return gone

    def statements(
        self,
        subject: str | None = None,
        measure: str | None = None,
        source: str | None = None,
        location: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        story: str | None = None,
    ) -> list[Statement]:
        c = statements_t.c
        conds = _equals(
            (c.subject, subject), (c.measure, measure), (c.source, source), (c.location, location),
            (c.story, story),
        ) + _date_filters(c.effective_date, since, until)
        query = _page(select(c.data).where(*conds).order_by(func.coalesce(c.story, ""), c.seq), limit, offset)
        with self._read() as conn:
            return [_statement(json.loads(d)) for d in conn.scalars(query)]

    def variables(
        self,
        subject: str | None = None,
        measure: str | None = None,
        location: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        story: str | None = None,
    ) -> list[Variable]:
        c = variables_t.c
        conds = _equals((c.subject, subject), (c.measure, measure), (c.location, location), (c.story, story))
        query = _page(select(c.data).where(*conds).order_by(func.coalesce(c.story, ""), c.seq), limit, offset)
        with self._read() as conn:
            return [_from_json(Variable, json.loads(d)) for d in conn.scalars(query)]

    def findings(
        self,
        type: str | None = None,
        subject: str | None = None,
        measure: str | None = None,
        variable: str | None = None,
        rule: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        story: str | None = None,
    ) -> list[Finding]:
        c = findings_t.c
        conds = _equals(
            (c.type, type), (c.subject, subject), (c.measure, measure), (c.variable, variable), (c.rule, rule),
            (c.story, story),
        )
        query = _page(select(c.data).where(*conds).order_by(func.coalesce(c.story, ""), c.seq), limit, offset)
        with self._read() as conn:
            return [_from_json(Finding, json.loads(d)) for d in conn.scalars(query)]

    # -- sources, search, stats -----------------------------------------------------------------

    def sources(self) -> list[SourceSummary]:
        """Every source with its claim and statement counts, most claims first."""
        with self._read() as conn:
            rows = conn.execute(select(sources_t)).mappings().all()
            statement_counts = {
                name: int(n)
                for name, n in conn.execute(
                    select(statements_t.c.source, func.count())
                    .where(statements_t.c.source.is_not(None))
                    .group_by(statements_t.c.source)
                )
            }
        out = {
            r["name"]: SourceSummary(
                name=r["name"],
                claims=int(r["claims"]),
                statements=int(statement_counts.get(r["name"], 0)),
                first_seen=r["first_seen"],
                last_seen=r["last_seen"],
            )
            for r in rows
        }
        for name, count in statement_counts.items():  # sources known only from statements
            if name not in out:
                out[name] = SourceSummary(name, 0, int(count), None, None)
        return sorted(out.values(), key=lambda s: (-s.claims, -s.statements, s.name))

    def search(self, q: str, limit: int = 20) -> list[SearchHit]:
        """Sources, subjects and documents (title or text) with ``q`` as whole words, case-insensitively.

        "NIS" finds "the NIS said", not "Ministry". ``limit`` applies to each kind. The database
        narrows by substring; the word boundaries are checked here, on up to 20× ``limit`` candidates.
        """
        q = q.strip()
        if not q or limit < 1:
            return []
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        word = _word_pattern(q)
        wide = limit * 20
        hits: list[SearchHit] = []
        with self._read() as conn:
            found = 0
            for name, count in conn.execute(
                select(sources_t.c.name, sources_t.c.claims)
                .where(sources_t.c.name.ilike(pattern, escape="\\"))
                .order_by(sources_t.c.claims.desc(), sources_t.c.name)
                .limit(wide)
            ):
                if found < limit and word.search(name):
                    hits.append(SearchHit("source", name, name, int(count)))
                    found += 1
            n = func.count().label("n")
            found = 0
            for subject, count in conn.execute(
                select(claims_t.c.subject, n)
                .where(claims_t.c.subject.ilike(pattern, escape="\\"))
                .group_by(claims_t.c.subject)
                .order_by(n.desc(), claims_t.c.subject)
                .limit(wide)
            ):
                if found < limit and word.search(subject):
                    hits.append(SearchHit("subject", subject, subject, int(count)))
                    found += 1
            n_claims = (
                select(func.count())
                .where(claims_t.c.doc == documents_t.c.id)
                .correlate(documents_t)
                .scalar_subquery()
            )
            d = documents_t.c
            found = 0
            for row in conn.execute(
                select(d.id, d.title, d.outlet, d.text, n_claims.label("n"))
                .where(or_(d.title.ilike(pattern, escape="\\"), d.text.ilike(pattern, escape="\\")))
                .order_by(d.published.is_(None), d.published.desc(), d.id)
                .limit(wide)
            ).mappings():
                if found >= limit:
                    break
                if not (word.search(row["text"] or "") or word.search(row["title"] or "")):
                    continue
                found += 1
                hits.append(
                    SearchHit(
                        "document",
                        row["id"],
                        row["title"] or row["outlet"] or row["id"],
                        int(row["n"]),
                        _snippet(row["text"], q),
                    )
                )
        return hits

    def stats(self) -> LedgerStats:
        def count(conn: Connection, table: Table) -> int:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

        with self._read() as conn:
            first, last, outlets = conn.execute(
                select(
                    func.min(documents_t.c.published),
                    func.max(documents_t.c.published),
                    func.count(documents_t.c.outlet.distinct()),
                )
            ).one()
            by_type = {
                kind: int(n)
                for kind, n in conn.execute(
                    select(findings_t.c.type, func.count()).group_by(findings_t.c.type)
                )
            }
            result = LedgerStats(
                backend=self.backend,
                migrations=[],
                documents=count(conn, documents_t),
                claims=count(conn, claims_t),
                sources=count(conn, sources_t),
                outlets=int(outlets),
                statements=count(conn, statements_t),
                variables=count(conn, variables_t),
                findings=count(conn, findings_t),
                runs=count(conn, runs_t),
                first_published=first,
                last_published=last,
                findings_by_type={k: int(v) for k, v in sorted(by_type.items())},
            )
        result.migrations = self.migrations()
        return result


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _refuse_foreign_sqlite(conn: Connection, url: str) -> None:
    """A SQLite file that holds tables but no crosscount bookkeeping is another program's database:
    crosscount's tables are not added to it (a new or empty file becomes a ledger)."""
    names = [
        str(name)
        for name in conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
        if not str(name).startswith("sqlite_")
    ]
    if names and migrations_t.name not in names:
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise LedgerError(
            f"{url} is not a crosscount ledger (it holds other tables: {shown}); name a new file for the ledger"
        )


_LOCK_BASE = 0x63630000_00000000  # "cc": crosscount's advisory lock keys (migrations use their own)


@contextmanager
def _file_lock(path: str) -> Iterator[None]:
    """An exclusive lock on ``path`` (created if missing) between processes and threads alike: each
    holder opens the file itself, and ``flock`` locks conflict between separate opens."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise LedgerError(f"cannot create the ledger's lock file {path}: {exc.strerror or exc}") from exc
    try:
        if sys.platform == "win32":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _make_engine(target: str | os.PathLike[str]) -> Engine:
    raw = os.fspath(target)
    if raw in (":memory:", "sqlite://", "sqlite:///:memory:"):
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    if "://" not in raw:
        path = Path(raw).expanduser()
        if not path.parent.is_dir():
            raise LedgerError(f"cannot create the ledger {raw}: directory {path.parent} does not exist")
        raw = f"sqlite:///{path}"
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise LedgerError(f"{raw!r} is neither a file path nor a database URL") from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise LedgerError(
            f"unsupported ledger backend {backend!r}: use a SQLite path or a postgresql+psycopg:// URL"
        )
    if backend == "sqlite" and url.database:
        parent = Path(url.database).expanduser().parent
        if not parent.is_dir():
            raise LedgerError(f"cannot create the ledger {url.database}: directory {parent} does not exist")
    try:
        if backend == "sqlite":
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})
            _configure_sqlite(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise LedgerError(
            f"cannot open the ledger {url.render_as_string(hide_password=True)}: {exc}"
        ) from exc
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and real transactions (the sqlite3 module's implicit ones skip DDL)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        _wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        # a reconciliation writes a story's records in one transaction: with SQLite's 2 MB default
        # page cache its index pages spill and are read back, and the WAL is copied back into the
        # file (with an fsync) after nearly every story. A 64 MB cache (taken only as it fills) and a
        # checkpoint every 32 MB of WAL cut the bulk write's CPU time by about a sixth; every 256 MB
        # (each checkpoint copies the WAL back and waits for an fsync) storing the reconciliation of
        # 1M claims took 22.5 CPU s and 26 s instead of 24.6 and 32 (bench/reconcile_scale.py's ledger)
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA wal_autocheckpoint=65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("crosscount_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _wal(cur: Any) -> None:
    """WAL journal mode, once per file. Switching a fresh file to WAL needs it to itself, and SQLite
    answers "database is locked" at once (no busy wait) while another connection - a concurrent run
    creating the same new ledger - holds it: wait and try again, for as long as the busy timeout."""
    for attempt in range(600):
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 599:
                raise
            time.sleep(0.1)


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    msg = str(orig if orig is not None else exc).strip()
    return msg.splitlines()[0] if msg else type(exc).__name__


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(slots=True)
class ReconciliationRows:
    """Statements, variables and findings as the rows they are stored as: tuples of plain values in the
    tables' column order, each record's JSON made. Built where the reconciling is done (a pool worker)
    and stored by the one process that writes (:meth:`Ledger.store_reconciliation_rows`)."""

    statements: list[tuple[Any, ...]]
    variables: list[tuple[Any, ...]]
    findings: list[tuple[Any, ...]]


def reconciliation_rows(
    statements: Sequence[Statement],
    variables: Sequence[Variable],
    findings: Sequence[Finding],
    *,
    story: str | None = None,
) -> ReconciliationRows:
    """The rows of a reconciliation: filed under ``story``, or each record under its own ``story`` field."""

    def story_of(record: Any) -> str | None:
        return story if story is not None else getattr(record, "story", None)

    # rows as tuples in _RECONCILIATION_COLUMNS order: no per-row dicts for the driver to bind
    return ReconciliationRows(
        statements=[
            (
                s.id, i, s.source, s.subject, s.measure, s.location, s.unit, s.as_of, s.kind, s.low, s.high,
                s.as_of or s.first_published, _record_json(s), story_of(s),
            )
            for i, s in enumerate(statements)
        ],
        variables=[
            (v.id, i, v.subject, v.measure, v.location, v.unit, _record_json(v), story_of(v))
            for i, v in enumerate(variables)
        ],
        findings=[
            (
                f.id, i, f.type, f.rule, f.subject, f.measure, f.variable, f.period, f.passed,
                _record_json(f), story_of(f),
            )
            for i, f in enumerate(findings)
        ],
    )


def _record_json(record: Any) -> str:
    """A reconciliation record (a dataclass of JSON-ready values: strings, numbers, lists of them and
    flat dicts) as JSON text, every field. orjson writes it straight from the dataclass, several times
    faster than ``json.dumps``; but orjson writes an infinite or NaN float as null, so a record holding
    one (a conflict's ratio against a zero) goes through ``json.dumps``, which keeps it."""
    if _finite(record):
        try:
            return orjson.dumps(record, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
        except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: the standard library writes it
            pass
    return _dumps({f.name: getattr(record, f.name) for f in fields(record)})


def _finite(record: Any) -> bool:
    """No infinite or NaN float among the record's values (nor one level inside its dicts and lists)."""
    for name in _numeric_fields(type(record)):
        value = getattr(record, name)
        if value is None:  # the common cases first: this runs for every stored record
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                return False
            continue
        if isinstance(value, dict):
            inner: Iterable[Any] = value.values()
        elif isinstance(value, list | tuple):
            inner = value
        else:
            continue
        for v in inner:
            if isinstance(v, float):
                if not math.isfinite(v):
                    return False
            elif isinstance(v, list | tuple) and any(isinstance(x, float) and not math.isfinite(x) for x in v):
                return False
    return True


def _numeric_fields(cls: type) -> tuple[str, ...]:
    """The fields of a dataclass whose declared type can hold a float: the only ones ``_finite`` reads."""
    names = _NUMERIC_FIELDS.get(cls)
    if names is None:
        hints = typing.get_type_hints(cls)
        names = _NUMERIC_FIELDS[cls] = tuple(f.name for f in fields(cls) if _can_hold_float(hints[f.name]))
    return names


def _can_hold_float(hint: Any) -> bool:
    return hint is float or hint is Any or any(_can_hold_float(arg) for arg in typing.get_args(hint))


_NUMERIC_FIELDS: dict[type, tuple[str, ...]] = {}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _chunks(values: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _known(conn: Connection, hashes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(hashes):
        found.update(
            conn.scalars(select(documents_t.c.content_hash).where(documents_t.c.content_hash.in_(chunk)))
        )
    return found


def _check_date(name: str, value: str) -> str:
    if not _DATE.match(value):
        raise LedgerError(f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    return value


def _date_filters(col: Any, since: str | None, until: str | None) -> list[ColumnElement[bool]]:
    """Keep rows whose date (a period at its own precision) overlaps [since, until].

    Both sides are compared on their common prefix, so "2025" overlaps "2025-01-15"; a plain
    comparison on the year prefix comes first so that the index on ``col`` can be used.
    """
    conds: list[ColumnElement[bool]] = []
    if since is not None:
        _check_date("since", since)
        conds.append(col >= since[:4])
        conds.append(
            func.substr(col, 1, len(since)) >= func.substr(literal(since, String), 1, func.length(col))
        )
    if until is not None:
        _check_date("until", until)
        conds.append(col < str(int(until[:4]) + 1))
        conds.append(
            func.substr(col, 1, len(until)) <= func.substr(literal(until, String), 1, func.length(col))
        )
    return conds


def _equals(*pairs: tuple[Any, str | None]) -> list[ColumnElement[bool]]:
    return [col == value for col, value in pairs if value is not None]


def _claim_filters(
    subject: str | None,
    measure: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    doc: str | None,
    story: str | None = None,
    origin: str | None = None,
) -> list[ColumnElement[bool]]:
    c = claims_t.c
    conds = _equals(
        (c.subject, subject), (c.measure, measure), (c.source, source), (c.doc, doc), (c.story, story),
        (c.origin, origin),
    )
    return conds + _date_filters(c.effective_date, since, until)


def _page(query: Select[Any], limit: int | None, offset: int) -> Select[Any]:
    if offset < 0 or (limit is not None and limit < 0):
        raise LedgerError(f"limit and offset must not be negative, got limit={limit}, offset={offset}")
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return query



def _claim_rows(
    claims: Sequence[Claim],
    published: str | None,
    story: str | None,
    origin: str,
    run_id: int | None,
    per_source: dict[str, list[Any]],
) -> list[dict[str, Any]]:
    """The claims table rows of one document's claims; counts each source into ``per_source``."""
    rows: list[dict[str, Any]] = []
    for claim in claims:
        effective = claim.as_of or published or claim.published
        rows.append(
            {
                "doc": claim.doc,
                "start": claim.start,
                "end": claim.end,
                "figure": claim.figure,
                "low": claim.low,
                "high": claim.high,
                "qualifier": claim.qualifier,
                "unit": claim.unit,
                "measure": claim.measure,
                "subject": claim.subject,
                "location": claim.location,
                "source": claim.source,
                "as_of": claim.as_of,
                "kind": claim.kind,
                "sentence": claim.sentence,
                "source_text": claim.source_text,
                "via": claim.via,
                "published": claim.published,
                "confidence": claim.confidence,
                "window_kind": claim.window_kind,
                "window_start": claim.window_start,
                "window_end": claim.window_end,
                "rules": json.dumps(list(claim.rules)),
                "effective_date": effective,
                "run_id": run_id,
                "story": story,
                "origin": origin,
            }
        )
        if claim.source is not None:
            agg = per_source.setdefault(claim.source, [None, None, 0])
            if effective is not None:
                agg[0] = effective if agg[0] is None else min(agg[0], effective)
                agg[1] = effective if agg[1] is None else max(agg[1], effective)
            agg[2] += 1
    return rows


def _recount_sources(conn: Connection, names: Sequence[str]) -> None:
    """Rebuild the sources rows of these names from the claims (after claims were removed or replaced)."""
    for chunk in _chunks(names):
        conn.execute(delete(sources_t).where(sources_t.c.name.in_(chunk)))
        conn.execute(
            insert(sources_t).from_select(
                ["name", "first_seen", "last_seen", "claims"],
                select(
                    claims_t.c.source,
                    func.min(claims_t.c.effective_date),
                    func.max(claims_t.c.effective_date),
                    func.count(),
                )
                .where(claims_t.c.source.in_(chunk))
                .group_by(claims_t.c.source),
            )
        )


def _follow(conn: Connection, story: str) -> str:
    """The story a name stands for now: a story merged into another one leads to that one."""
    seen = {story}
    while True:
        target = conn.scalar(select(stories_t.c.merged_into).where(stories_t.c.id == story))
        if target is None or target in seen:
            return story
        seen.add(target)
        story = target


def _ensure_story(conn: Connection, stmt: Any, story: str, basis: str, name: str | None = None) -> None:
    conn.execute(
        stmt.on_conflict_do_nothing(index_elements=["id"]),
        [{"id": story, "name": name, "basis": basis, "merged_into": None, "created_at": _now()}],
    )


def _document(row: RowMapping) -> Document:
    return Document(
        id=row["id"],
        text=row["text"],
        outlet=row["outlet"],
        url=row["url"],
        title=row["title"],
        published=row["published"],
        origin=row["origin"],
        language=row["language"],
        story=row["story"],
    )


# The claims columns that rebuild a Claim, in Claim's field order, with "rules" last and the row id after.
_CLAIM_FIELDS = [f.name for f in fields(Claim)]
assert _CLAIM_FIELDS[-1] == "rules"
_CLAIM_COLUMNS = [claims_t.c[name] for name in _CLAIM_FIELDS] + [claims_t.c.id]

# the stored columns of the reconciliation's records: replace_reconciliation builds its rows in this order
_RECONCILIATION_COLUMNS: dict[str, tuple[str, ...]] = {
    table.name: tuple(table.c.keys()) for table in (statements_t, variables_t, findings_t)
}


def _claim(row: Sequence[Any]) -> Claim:
    """A Claim from a row of ``_CLAIM_COLUMNS`` (positional: this is the hot path of iter_claims)."""
    return Claim(*row[:-2], rules=_rules(row[-2]))  # type: ignore[misc]


@functools.lru_cache(maxsize=4096)
def _rules(text: str) -> tuple[str, ...]:
    """A claim's stored rule list, parsed once per distinct list (claims share a few hundred of them)."""
    return tuple(json.loads(text))


def _from_json(cls: type[_T], data: dict[str, Any]) -> _T:
    """Build a record from its stored JSON, ignoring fields this version does not know."""
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in known})


def _statement(data: dict[str, Any]) -> Statement:
    statement = _from_json(Statement, data)
    statement.claims = [(str(c[0]), int(c[1]), int(c[2])) for c in statement.claims]
    return statement


def _word_pattern(q: str) -> re.Pattern[str]:
    """``q`` as whole words: not inside a longer word on either side."""
    return re.compile(r"(?<!\w)" + re.escape(q) + r"(?!\w)", re.IGNORECASE)


def _snippet(body: str, q: str, width: int = 80) -> str:
    m = _word_pattern(q).search(body)
    at = m.start() if m else body.lower().find(q.lower())
    if at < 0:
        return body[: 2 * width].strip()
    start, end = max(0, at - width), min(len(body), at + len(q) + width)
    return ("…" if start else "") + body[start:end].strip() + ("…" if end < len(body) else "")
