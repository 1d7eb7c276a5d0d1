"""The web app's background jobs: uploads queued, extracted, stored and reconciled, across processes.

``crosscount serve`` runs several worker processes, and a job submitted through one must be seen,
run and reported by any of them. So the queue is not a dict in one process: it is a small SQLite
file (:class:`JobStore`) in a directory every worker of one server shares (:class:`SharedDir`), which
also holds the pages' CSRF secret and a stamp that any worker touches when it changed the ledger.
Each worker runs one :class:`JobRunner` thread that takes the oldest queued job (an atomic update,
so a job runs once), runs it through the one guarded extraction driver and writes its progress back.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crosscount.ingest import IngestProblem
from crosscount.ledger import Ledger
from crosscount.models import Claim, Document

__all__ = ["MAX_JOBS", "Job", "JobRunner", "JobStore", "SharedDir", "run_job"]

MAX_JOBS = 200  # finished jobs kept for /api/jobs; older ones are dropped
_POLL_SECONDS = 0.5  # how often an idle runner looks for a job another worker queued


@dataclass(slots=True)
class Job:
    """One upload being extracted, stored and reconciled."""

    id: str
    label: str
    total: int
    status: str = "queued"  # queued | extracting | reconciling | done | failed
    done: int = 0
    documents: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the ledger
    failed: list[str] = field(default_factory=list)  # extraction failed or overran: why, per document
    warnings: list[str] = field(default_factory=list)  # e.g. an id already used, stored under another
    claims_added: int = 0
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None

    @classmethod
    def new(cls, label: str, total: int) -> Job:
        return cls(id=uuid.uuid4().hex[:12], label=label, total=total)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "status": self.status,
            "total": self.total,
            "done": self.done,
            "documents": list(self.documents),
            "skipped": list(self.skipped),
            "failed": list(self.failed),
            "warnings": list(self.warnings),
            "claims_added": self.claims_added,
            "error": self.error,
            "finished": self.status in ("done", "failed"),
        }

    def _stored(self) -> str:
        return json.dumps({**self.to_dict(), "created": self.created, "finished_at": self.finished})

    @classmethod
    def _load(cls, raw: str) -> Job:
        d = json.loads(raw)
        return cls(
            id=d["id"], label=d["label"], total=d["total"], status=d["status"], done=d["done"],
            documents=d["documents"], skipped=d["skipped"], failed=d["failed"], warnings=d["warnings"],
            claims_added=d["claims_added"], error=d["error"], created=d["created"], finished=d["finished_at"],
        )


class SharedDir:
    """The directory the worker processes of one server share: the job queue, the CSRF secret and
    the stamp of the last ledger change. ``path=None`` makes a private temporary one (removed by
    :meth:`remove`), for a server of one process."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.owned = path is None
        self.path = Path(tempfile.mkdtemp(prefix="crosscount-web-")) if path is None else Path(path)
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._stamp = self.path / "changed"

    def secret(self, name: str) -> str:
        """A random secret kept in the directory: the first worker to ask makes it, the others read it."""
        target = self.path / name
        with suppress(FileNotFoundError):
            value = target.read_text("utf-8").strip()
            if value:
                return value
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=f".{name}-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(secrets.token_urlsafe(32))
            with suppress(FileExistsError):
                os.link(tmp, target)  # atomic: only the first worker's value is ever seen
        finally:
            os.unlink(tmp)
        return target.read_text("utf-8").strip()

    def touch(self) -> None:
        """Record that the ledger changed (every worker's cache keys on :meth:`stamp`)."""
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".changed-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(uuid.uuid4().hex)
        os.replace(tmp, self._stamp)

    def stamp(self) -> object:
        try:
            st = self._stamp.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def remove(self) -> None:
        if self.owned:
            shutil.rmtree(self.path, ignore_errors=True)


class JobStore:
    """Jobs and the documents waiting for them, in a SQLite file that every worker process opens."""

    def __init__(self, shared: SharedDir) -> None:
        self.file = shared.path / "jobs.sqlite"
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, created REAL NOT NULL, "
                "status TEXT NOT NULL, job TEXT NOT NULL, docs TEXT)"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.file, timeout=30, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def submit(self, job: Job, docs: list[Document]) -> None:
        """Queue ``job`` with its documents; drop the oldest finished jobs beyond :data:`MAX_JOBS`."""
        payload = json.dumps([d.to_dict() for d in docs])
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO jobs (id, created, status, job, docs) VALUES (?, ?, ?, ?, ?)",
                       (job.id, job.created, job.status, job._stored(), payload))
            (count,) = db.execute("SELECT count(*) FROM jobs").fetchone()
            excess = count - MAX_JOBS
            if excess > 0:
                db.execute("DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status IN ('done', 'failed') "
                           "ORDER BY created LIMIT ?)", (excess,))
            db.execute("COMMIT")

    def save(self, job: Job) -> None:
        with self._connect() as db:
            db.execute("UPDATE jobs SET status = ?, job = ? WHERE id = ?", (job.status, job._stored(), job.id))

    def get(self, job_id: str) -> Job | None:
        with self._connect() as db:
            row = db.execute("SELECT job FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job._load(row[0]) if row else None

    def count(self) -> int:
        with self._connect() as db:
            (n,) = db.execute("SELECT count(*) FROM jobs").fetchone()
        return int(n)

    def recent(self, limit: int, offset: int = 0) -> list[Job]:
        """Jobs, newest first."""
        with self._connect() as db:
            rows = db.execute("SELECT job FROM jobs ORDER BY created DESC, id LIMIT ? OFFSET ?",
                              (limit, offset)).fetchall()
        return [Job._load(r[0]) for r in rows]

    def take(self) -> tuple[Job, list[Document]] | None:
        """The oldest queued job, now marked as being extracted by this caller (no one else gets it)."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT job, docs FROM jobs WHERE status = 'queued' ORDER BY created LIMIT 1").fetchone()
            if row is None:
                db.execute("COMMIT")
                return None
            job = Job._load(row[0])
            job.status = "extracting"
            db.execute("UPDATE jobs SET status = ?, job = ?, docs = NULL WHERE id = ?",
                       (job.status, job._stored(), job.id))
            db.execute("COMMIT")
        return job, [Document(**d) for d in json.loads(row[1] or "[]")]


def run_job(ledger: Ledger, job: Job, docs: list[Document], save: Callable[[Job], None]) -> None:
    """Extract, store and reconcile one upload, through the same guarded driver as every engine: a
    document that fails or overruns its time budget is listed under ``failed`` and the rest is stored.
    ``save`` is called with the job as it progresses and once it has finished."""
    from crosscount.pipeline import reconcile_ledger
    from crosscount.scale import run_extraction

    try:
        job.status = "extracting"
        save(job)
        stored: list[tuple[Document, int]] = []

        def on_problem(problem: IngestProblem) -> None:
            (job.failed if problem.skipped else job.warnings).append(problem.message)

        def on_result(pairs: list[tuple[Document, list[Claim]]]) -> None:
            stored.extend((doc, len(claims)) for doc, claims in pairs)

        def advance(n: int) -> None:
            job.done += n
            save(job)

        before = {d.content_hash for d in docs if ledger.has_document(d.content_hash)}
        summary = run_extraction(
            (), engine="inprocess", documents=docs, ledger=ledger, on_problem=on_problem,
            on_result=on_result, progress=advance,
        )
        job.claims_added = summary.claims
        job.status = "reconciling"
        save(job)
        reconcile_ledger(ledger)
        job.skipped.extend(d.id for d in docs if d.content_hash in before)
        for d, claims in stored:
            job.documents.append({"id": d.id, "title": d.title or d.id, "outlet": d.outlet, "claims": claims})
        job.status = "done"
    except Exception as err:  # a job reports its failure; the server goes on
        job.status = "failed"
        job.error = f"{type(err).__name__}: {err}"
    finally:
        job.finished = time.time()
        save(job)


class JobRunner:
    """One thread per worker process running queued jobs one at a time, whichever worker queued them."""

    def __init__(self, store: JobStore, ledger: Ledger, on_finished: Callable[[], None]) -> None:
        self.store = store
        self.ledger = ledger
        self.on_finished = on_finished
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="crosscount-web-job", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """A job was queued here: look at once instead of at the next poll."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                taken = self.store.take()
            except sqlite3.Error:  # the queue is busy or gone (server stopping): look again later
                taken = None
            if taken is None:
                self._wake.wait(_POLL_SECONDS)
                self._wake.clear()
                continue
            job, docs = taken
            try:
                run_job(self.ledger, job, docs, self.store.save)
            finally:
                self.on_finished()

    def close(self, timeout: float | None = None) -> None:
        """Stop taking jobs; wait for the one running (if any) to finish."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
