"""The scale stage: the extract stage run over sharded corpora, on every core or on a Dask cluster.

:func:`run_extraction` streams documents from the inputs (folders of files, JSONL, JSONL.gz, CSV and
Parquet), cuts them into batches, sends each batch to a worker process, and stores each finished batch
as it comes back: claims into Parquet shards under ``out_dir`` and/or into a :class:`Ledger`, one
transaction per batch. Engines:

- ``"local"`` (default): a process pool on this machine, one process per core. Each process builds its
  :class:`~crosscount.extract.Extractor` once, in the pool initializer.
- ``"dask"``: a Dask cluster, through ``Client(scheduler)``; with no scheduler, a LocalCluster on
  127.0.0.1 that is closed at the end. Each worker builds its Extractor once (a module-level cache in
  the worker process). Needs ``pip install 'crosscount[dask]'``.

Memory stays flat: at most ``2 × workers`` batches are in flight, and the inputs are read as they are
needed. A run is incremental: documents already in the ledger (by content hash), or already written
to ``out_dir`` by an earlier run, are skipped before extraction, so a re-run after a crash redoes only
what is missing. A worker process that dies costs its batch a retry, not the run; a bad record is
reported (file, line, problem) and skipped; a document whose extraction raises is reported (document,
origin, error) and the rest of its batch goes on.
"""

from __future__ import annotations

import os
import pickle
import re
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from crosscount.errors import CrosscountError
from crosscount.extract import EXTRACTOR_VERSION, Extractor
from crosscount.ingest import (
    DEFAULT_MAX_BYTES,
    IngestProblem,
    ProblemHandler,
    apply_metadata,
    iter_documents,
    skip_other_languages,
)

# Parquet records become Documents exactly as JSONL/CSV records do (same id, date and metadata rules).
from crosscount.ingest import record_document as _record_to_document
from crosscount.models import OUTPUT_FIELDS, Claim, Document

if TYPE_CHECKING:
    from crosscount.ledger import Ledger

__all__ = [
    "DASK_INSTALL_HINT",
    "ENGINES",
    "Engine",
    "ExtractorFactory",
    "RunSummary",
    "iter_inputs",
    "read_claims",
    "run_extraction",
]

Engine = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")
ExtractorFactory = Callable[[], Extractor]
DocResult = tuple[list[Claim] | None, str | None]  # (claims, None) or (None, "ErrorType: message")
ResultHandler = Callable[[list[tuple[Document, list[Claim]]]], None]
ProgressHandler = Callable[[int], None]

DASK_INSTALL_HINT = "pip install 'crosscount[dask]'"
MAX_RETRIES = 2  # a batch whose worker process dies is tried at most 1 + MAX_RETRIES times
MAX_BATCH_BYTES = 4_000_000  # a batch is cut early when its texts reach this size (keeps tasks small)
_PARQUET_ROWS = 512  # rows per Parquet read
_CLAIMS_SHARD = "claims-{:05d}.parquet"
_DOCS_SHARD = "documents-{:05d}.parquet"
_SHARD_NAME = re.compile(r"^(claims|documents)-(\d{5,})\.parquet$")


# --------------------------------------------------------------------------------------------------
# The summary


@dataclass(slots=True)
class RunSummary:
    """What one run did. ``documents`` = extracted + skipped + failed."""

    engine: str
    workers: int
    documents: int = 0  # read from the inputs
    skipped: int = 0  # already in the ledger or in out_dir: not extracted again
    extracted: int = 0
    failed: int = 0  # extraction raised, or the worker died on every try
    claims: int = 0
    problems: int = 0  # everything reported through on_problem (bad records, warnings, failures)
    stored: int = 0  # documents newly stored in the ledger
    retries: int = 0  # batches resubmitted after a worker process died (local engine)
    batches: int = 0
    shards: list[str] = field(default_factory=list)  # claims shards written under out_dir
    run_id: int | None = None  # the ledger's run id
    elapsed: float = 0.0  # seconds

    @property
    def articles_per_second(self) -> float:
        return self.extracted / self.elapsed if self.elapsed > 0 else 0.0

    def counts(self) -> dict[str, int]:
        """The counts alone (what the ledger records for the run)."""
        names = ("documents", "skipped", "extracted", "failed", "claims", "problems", "stored", "retries")
        return {name: int(getattr(self, name)) for name in names}

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["articles_per_second"] = round(self.articles_per_second, 1)
        return out


# --------------------------------------------------------------------------------------------------
# Inputs: ingest's files, folders, JSONL(.gz) and CSV, plus Parquet


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as err:
        raise CrosscountError(
            f"Parquet input and output need pyarrow, which is not installed: {DASK_INSTALL_HINT}"
        ) from err
    return pa, pq


def _is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


def _files(root: Path, seen_dirs: set[Path]) -> Iterator[Path]:
    """Files under a folder, sorted, hidden ones skipped, each folder once (symlink loops)."""
    key = root.resolve()
    if key in seen_dirs:
        return
    seen_dirs.add(key)
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError:
        yield root  # let ingest report why the folder cannot be read
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = root / entry.name
        if entry.is_dir():
            yield from _files(child, seen_dirs)
        elif entry.is_file():
            yield child


def iter_inputs(
    inputs: Iterable[str | Path],
    *,
    on_problem: ProblemHandler | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Document]:
    """Documents from files and folders, as :func:`crosscount.ingest.iter_documents` reads them, plus
    ``.parquet`` files (a ``text`` column, optional id/url/outlet/title/published/language), streamed in
    row batches. Bad files and records, and documents not in English, are reported through ``on_problem``
    and skipped."""
    seen_dirs: set[Path] = set()
    seen_files: set[Path] = set()
    for item in inputs:
        path = Path(item)
        paths = _files(path, seen_dirs) if path.is_dir() else iter([path])
        for file in paths:
            key = file.resolve()
            if key in seen_files:
                continue
            seen_files.add(key)
            if _is_parquet(file) and file.is_file():
                yield from skip_other_languages(_read_parquet(file, on_problem, max_bytes), on_problem)
            else:
                yield from iter_documents([file], on_problem=on_problem, max_bytes=max_bytes)


def _read_parquet(path: Path, on_problem: ProblemHandler | None, max_bytes: int) -> Iterator[Document]:
    pa, pq = _pyarrow()

    def report(origin: str, message: str, *, skipped: bool) -> None:
        if on_problem is not None:
            on_problem(IngestProblem(origin, message, skipped))

    origin = str(path)
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as err:
        report(origin, f"not a readable Parquet file ({err}); skipped", skipped=True)
        return
    fields = ("id", "text", "url", "outlet", "title", "published", "language")
    columns = [name for name in parquet.schema_arrow.names if name.strip().lower() in fields]
    if "text" not in [name.strip().lower() for name in columns]:
        shown = ", ".join(repr(name) for name in parquet.schema_arrow.names[:12]) or "none"
        report(origin, f"no 'text' column (columns: {shown}); skipped", skipped=True)
        return
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=_PARQUET_ROWS, columns=columns):
            for values in batch.to_pylist():
                row += 1
                where = f"{path}:row {row}"
                record = {name.strip().lower(): value for name, value in values.items()}
                text = record.get("text")
                if isinstance(text, str) and len(text) > max_bytes and len(text.encode("utf-8")) > max_bytes:
                    report(where, f"record is over the {max_bytes:,} byte limit; skipped", skipped=True)
                    continue
                document = _record_to_document(record, where, report)
                if document is not None:
                    yield document
    except (pa.ArrowException, OSError) as err:
        message = f"Parquet data cannot be read after row {row} ({err}); the rest of the file was skipped"
        report(origin, message, skipped=True)
        return
    if row == 0:
        report(origin, "no records; skipped", skipped=True)


# --------------------------------------------------------------------------------------------------
# What runs in a worker process


_EXTRACTORS: dict[bytes, Extractor] = {}
_INIT_ERROR: dict[bytes, Exception] = {}


def _worker_extractor(factory: ExtractorFactory) -> Extractor:
    """This process's Extractor for ``factory``: built on first use, then reused for every batch.

    Keyed by the pickled factory, since each task brings its own unpickled copy of it."""
    key = pickle.dumps(factory)
    extractor = _EXTRACTORS.get(key)
    if extractor is None:
        if key in _INIT_ERROR:
            raise _INIT_ERROR[key]
        extractor = _EXTRACTORS[key] = factory()
    return extractor


def _init_worker(factory: ExtractorFactory) -> None:
    """Pool initializer: build the Extractor now. An error is kept and raised by the first batch, so
    the driver sees it (an initializer that raises would only break the pool, saying nothing)."""
    try:
        _worker_extractor(factory)
    except Exception as err:
        _INIT_ERROR[pickle.dumps(factory)] = err


def _warm_worker(factory: ExtractorFactory) -> str:
    """Dask: build the Extractor on a worker before the first batch reaches it."""
    _worker_extractor(factory)
    return EXTRACTOR_VERSION


def _extract_batch(factory: ExtractorFactory, docs: Sequence[Document]) -> list[DocResult]:
    """The claims of each document, in order; an exception is caught and reported for its document."""
    extractor = _worker_extractor(factory)
    out: list[DocResult] = []
    for doc in docs:
        try:
            out.append((extractor.extract_document(doc), None))
        except Exception as err:  # one document's failure must not cost the rest of its batch
            out.append((None, f"{type(err).__name__}: {err}"))
    return out


# --------------------------------------------------------------------------------------------------
# Engines: submit a batch, get finished batches back (retries handled inside)


@dataclass(slots=True)
class _Batch:
    index: int
    docs: list[Document]
    attempts: int = 0


class _WorkerDied(Exception):
    """The worker process running a batch died on every try."""


_Outcome = tuple[_Batch, list[DocResult] | _WorkerDied]


class _Backend(Protocol):
    workers: int
    retries: int

    def submit(self, batch: _Batch) -> None: ...
    def busy(self) -> int: ...  # batches submitted and not yet returned by next_done
    def accepting(self) -> bool: ...  # False while retried batches run alone
    def next_done(self) -> _Outcome: ...
    def close(self) -> None: ...


class _LocalBackend:
    """A process pool; a dead worker process breaks the pool, which is rebuilt, and the batches that
    were in flight are retried one at a time (so a batch that kills its worker again cannot take the
    others down with it)."""

    def __init__(self, factory: ExtractorFactory, workers: int) -> None:
        import multiprocessing

        self.workers = workers
        self.retries = 0
        self._factory = factory
        # spawn: a fresh interpreter per worker, the same on every OS, and no fork of a driver that
        # holds threads or database connections.
        self._context = multiprocessing.get_context("spawn")
        self._pool = self._new_pool()
        self._futures: dict[Future[list[DocResult]], _Batch] = {}
        self._ready: deque[_Outcome] = deque()
        self._retry: deque[_Batch] = deque()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._context, initializer=_init_worker,
            initargs=(self._factory,),
        )

    def submit(self, batch: _Batch) -> None:
        self._futures[self._pool.submit(_extract_batch, self._factory, batch.docs)] = batch

    def busy(self) -> int:
        return len(self._futures) + len(self._ready) + len(self._retry)

    def accepting(self) -> bool:
        return not self._retry and not any(b.attempts for b in self._futures.values())

    def next_done(self) -> _Outcome:
        while not self._ready:
            if not self._futures:
                self.submit(self._retry.popleft())
            done, _ = wait(self._futures, return_when=FIRST_COMPLETED)
            broken: list[_Batch] = []
            for future in done:
                batch = self._futures.pop(future)
                try:
                    self._ready.append((batch, future.result()))
                except BrokenProcessPool:
                    broken.append(batch)
            if broken:
                self._rebuild(broken)
        return self._ready.popleft()

    def _rebuild(self, broken: list[_Batch]) -> None:
        # Every batch still in flight fails with the pool; collect those that finished first.
        for future, batch in list(self._futures.items()):
            try:
                self._ready.append((batch, future.result()))
            except BrokenProcessPool:
                broken.append(batch)
        self._futures.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._new_pool()
        for batch in sorted(broken, key=lambda b: b.index):
            batch.attempts += 1
            if batch.attempts > MAX_RETRIES:
                self._ready.append((batch, _WorkerDied(f"the worker process died {batch.attempts} times")))
            else:
                self.retries += 1
                self._retry.append(batch)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as err:
        raise CrosscountError(
            f"the dask engine needs Dask, which is not installed: {DASK_INSTALL_HINT}"
        ) from err
    return distributed


_MESSAGE_LOG_LENGTH = 8


class _DaskBackend:
    """``client.submit`` per batch with ``retries``, results through ``as_completed``. The scheduler
    reschedules the tasks of a worker that dies; a task that kills workers repeatedly ends as
    KilledWorker and its batch is reported as failed."""

    def __init__(
        self, factory: ExtractorFactory, scheduler: str | None, workers: int | None,
        dashboard_address: str | None,
    ) -> None:
        distributed = _import_distributed()
        self.retries = 0
        self._factory = factory
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._cluster: Any = None
        import dask

        # Dask keeps the last `low-level-log-length` (1,000) messages of every batched stream for
        # debugging, and each of ours carries a batch of articles: 100+ MB held for nothing, growing
        # with the corpus until the log is full. Keep a short log instead.
        with dask.config.set({"distributed.admin.low-level-log-length": _MESSAGE_LOG_LENGTH}):
            if scheduler is None:
                self._scratch = tempfile.TemporaryDirectory(prefix="crosscount-dask-")
                self._cluster = distributed.LocalCluster(
                    n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address=dashboard_address or ":0",  # no fixed port to collide on
                    local_directory=self._scratch.name,
                )
                self._client = distributed.Client(self._cluster)
            else:
                self._client = distributed.Client(scheduler)
        try:
            self._client.wait_for_workers(1, timeout=120)
            self.workers = max(1, sum(self._client.nthreads().values()))
            self._client.run(_warm_worker, factory)  # surfaces a missing package or model now
        except BaseException:
            self.close()
            raise
        self._ac = distributed.as_completed()
        self._futures: dict[str, _Batch] = {}

    def submit(self, batch: _Batch) -> None:
        future = self._client.submit(
            _extract_batch, self._factory, batch.docs, retries=MAX_RETRIES, pure=False,
            key=f"crosscount-batch-{batch.index}-{os.urandom(4).hex()}",
        )
        self._futures[future.key] = batch
        self._ac.add(future)

    def busy(self) -> int:
        return len(self._futures)

    def accepting(self) -> bool:
        return True

    def next_done(self) -> _Outcome:
        future = next(self._ac)
        batch = self._futures.pop(future.key)
        try:
            return batch, future.result()
        except Exception as err:
            if type(err).__name__ == "KilledWorker":
                return batch, _WorkerDied(str(err))
            raise
        finally:
            future.release()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        if self._scratch is not None:
            self._scratch.cleanup()


# --------------------------------------------------------------------------------------------------
# Output: Parquet shards


def _claims_schema(pa: Any) -> Any:
    types = {"start": pa.int64(), "end": pa.int64(), "low": pa.float64(), "high": pa.float64(),
             "confidence": pa.float64()}
    columns = [pa.field(name, types.get(name, pa.string())) for name in OUTPUT_FIELDS]
    return pa.schema([*columns, pa.field("rules", pa.list_(pa.string()))])


class _ShardWriter:
    """claims-NNNNN.parquet (the claims of one batch) then documents-NNNNN.parquet (the documents it
    covers, written last). A claims shard without its documents file is from a crashed run: it is
    removed and its documents are extracted again."""

    def __init__(self, out_dir: Path) -> None:
        self.pa, self.pq = _pyarrow()
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self.schema = _claims_schema(self.pa)
        self.done: set[str] = set()
        found: dict[int, set[str]] = {}
        for entry in out_dir.iterdir():
            if m := _SHARD_NAME.match(entry.name):
                found.setdefault(int(m[2]), set()).add(m[1])
        for number, kinds in sorted(found.items()):
            if "documents" not in kinds:
                (out_dir / _CLAIMS_SHARD.format(number)).unlink()
                continue
            table = self.pq.read_table(out_dir / _DOCS_SHARD.format(number), columns=["content_hash"])
            self.done.update(table.column("content_hash").to_pylist())
        self.next_number = max(found, default=-1) + 1

    def write(self, pairs: list[tuple[Document, list[Claim]]]) -> Path:
        number = self.next_number
        self.next_number += 1
        rows = [claim.to_dict(with_rules=True) for _, claims in pairs for claim in claims]
        claims_path = self.out_dir / _CLAIMS_SHARD.format(number)
        self._write(self.pa.Table.from_pylist(rows, schema=self.schema), claims_path)
        docs = self.pa.table({
            "doc": [doc.id for doc, _ in pairs],
            "content_hash": [doc.content_hash for doc, _ in pairs],
            "origin": [doc.origin for doc, _ in pairs],
            "claims": self.pa.array([len(claims) for _, claims in pairs], self.pa.int64()),
        })
        self._write(docs, self.out_dir / _DOCS_SHARD.format(number))
        return claims_path

    def _write(self, table: Any, path: Path) -> None:
        partial = path.with_name(f".{path.name}.partial")
        self.pq.write_table(table, partial)
        os.replace(partial, path)


def read_claims(out_dir: str | Path) -> list[Claim]:
    """Every claim in the committed shards of ``out_dir`` (in shard order)."""
    _, pq = _pyarrow()
    root = Path(out_dir)
    claims: list[Claim] = []
    for path in sorted(root.glob("claims-*.parquet")):
        if not (root / path.name.replace("claims-", "documents-", 1)).exists():
            continue
        claims.extend(Claim.from_dict(row) for row in pq.read_table(path).to_pylist())
    return claims


# --------------------------------------------------------------------------------------------------
# The driver


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    nbytes = 0
    for doc in docs:
        batch.append(doc)
        nbytes += len(doc.text)
        if len(batch) >= size or nbytes >= MAX_BATCH_BYTES:
            yield batch
            batch, nbytes = [], 0
    if batch:
        yield batch


def run_extraction(
    inputs: Iterable[str | Path],
    *,
    engine: Engine | str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    ledger: Ledger | None = None,
    out_dir: str | Path | None = None,
    batch_size: int = 200,
    on_problem: ProblemHandler | None = None,
    progress: ProgressHandler | None = None,
    on_result: ResultHandler | None = None,
    metadata: Mapping[str, dict[str, Any]] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    extractor_factory: ExtractorFactory = Extractor,
    dashboard_address: str | None = None,
) -> RunSummary:
    """Extract the claims of every document in ``inputs`` on ``engine``; store them; count what happened.

    - ``engine``: ``"local"`` (a process pool of ``workers`` processes, default every core) or
      ``"dask"`` (``Client(scheduler)``, or a LocalCluster of ``workers`` processes on 127.0.0.1).
    - ``ledger``: documents already stored are skipped; each finished batch is stored in one
      transaction; the run is recorded with ``start_run``/``finish_run``.
    - ``out_dir``: each finished batch is written as ``claims-NNNNN.parquet`` (columns: the claim output
      fields and ``rules``) plus ``documents-NNNNN.parquet``; documents found there are skipped.
    - ``on_problem``: each bad file or record, and each document whose extraction failed.
    - ``progress``: called with the number of documents just finished (extracted, failed or skipped).
    - ``on_result``: called with each finished batch's ``(document, claims)`` pairs, in completion order.
    - ``metadata``: per-document metadata keyed by document id (:func:`crosscount.ingest.load_metadata`).
    - ``extractor_factory``: builds the Extractor in each worker; a picklable zero-argument callable.
    """
    if engine not in ENGINES:
        raise CrosscountError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if scheduler is not None and engine != "dask":
        raise CrosscountError("a scheduler address needs the dask engine (--engine dask)")
    if workers is not None and workers < 1:
        raise CrosscountError(f"workers must be at least 1, not {workers}")
    if batch_size < 1:
        raise CrosscountError(f"batch_size must be at least 1, not {batch_size}")
    if engine == "dask":
        _import_distributed()  # the clear message before any work starts
    started = time.perf_counter()
    writer = _ShardWriter(Path(out_dir)) if out_dir is not None else None
    summary = RunSummary(engine=str(engine), workers=0)

    def report(problem: IngestProblem) -> None:
        summary.problems += 1
        if on_problem is not None:
            on_problem(problem)

    def advance(n: int) -> None:
        if progress is not None and n:
            progress(n)

    backend: _Backend
    if engine == "dask":
        backend = _DaskBackend(extractor_factory, scheduler, workers, dashboard_address)
    else:
        backend = _LocalBackend(extractor_factory, workers or os.cpu_count() or 1)
    summary.workers = backend.workers
    window = 2 * backend.workers
    if ledger is not None:
        config = {
            "engine": engine, "scheduler": scheduler, "workers": backend.workers, "batch_size": batch_size,
            "inputs": [str(item) for item in inputs] if isinstance(inputs, (list, tuple)) else None,
            "out_dir": str(out_dir) if out_dir is not None else None,
        }
        summary.run_id = ledger.start_run(EXTRACTOR_VERSION, config)
        from crosscount.pipeline import extractor_fingerprint

        fingerprint = extractor_fingerprint()  # stored with each document: a rules change re-extracts it

    def finish(outcome: _Outcome) -> None:
        batch, result = outcome
        pairs: list[tuple[Document, list[Claim]]] = []
        if isinstance(result, _WorkerDied):
            results: list[DocResult] = [(None, f"worker process died ({result})")] * len(batch.docs)
        else:
            results = result
        for doc, (claims, error) in zip(batch.docs, results, strict=True):
            if claims is None:
                summary.failed += 1
                message = f"extraction of document {doc.id!r} failed ({error}); skipped"
                report(IngestProblem(doc.origin or doc.id, message, True))
                continue
            summary.extracted += 1
            summary.claims += len(claims)
            pairs.append((doc, claims))
        if writer is not None:
            summary.shards.append(str(writer.write(pairs)))
        if ledger is not None and pairs:
            summary.stored += ledger.add_documents(pairs, summary.run_id, fingerprint=fingerprint)
        if on_result is not None:
            on_result(pairs)
        advance(len(batch.docs))

    documents = iter_inputs(inputs, on_problem=report, max_bytes=max_bytes)
    if metadata:
        meta = dict(metadata)
        documents = (apply_metadata(doc, meta) for doc in documents)
    try:
        for docs in _batches(documents, batch_size):
            summary.documents += len(docs)
            todo = _unseen(docs, ledger, writer)
            summary.skipped += len(docs) - len(todo)
            advance(len(docs) - len(todo))
            if not todo:
                continue
            while backend.busy() >= window or (backend.busy() and not backend.accepting()):
                finish(backend.next_done())
            backend.submit(_Batch(summary.batches, todo))
            summary.batches += 1
        while backend.busy():
            finish(backend.next_done())
    finally:
        summary.retries = backend.retries
        backend.close()
        summary.elapsed = time.perf_counter() - started
    if ledger is not None and summary.run_id is not None:
        ledger.finish_run(summary.run_id, summary.counts())
    return summary


def _unseen(docs: list[Document], ledger: Ledger | None, writer: _ShardWriter | None) -> list[Document]:
    if ledger is None and (writer is None or not writer.done):
        return docs
    hashes = [doc.content_hash for doc in docs]
    known = ledger.known_hashes(hashes) if ledger is not None else set()
    if writer is not None:
        known |= writer.done.intersection(hashes)
    return [doc for doc, digest in zip(docs, hashes, strict=True) if digest not in known]

