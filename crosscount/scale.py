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
from crosscount.guard import DocFailure, budget_from_env, extract_many_guarded, unique_in_ledger
from crosscount.ingest import (
    DEFAULT_MAX_BYTES,
    IngestProblem,
    ProblemHandler,
    apply_metadata,
    iter_documents,
)
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

Engine = Literal["local", "dask", "inprocess"]
ENGINES: tuple[str, ...] = ("local", "dask", "inprocess")
ExtractorFactory = Callable[[], Extractor]
DocResult = list[Claim] | DocFailure  # the claims, or the stage and error that cost the document
ResultHandler = Callable[[list[tuple[Document, list[Claim]]]], None]
ProgressHandler = Callable[[int], None]

DASK_INSTALL_HINT = "pip install 'crosscount[dask]'"
MAX_RETRIES = 2  # a batch whose worker process dies is tried at most 1 + MAX_RETRIES times
MAX_BATCH_BYTES = 4_000_000  # a batch is cut early when its texts reach this size (keeps tasks small)
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


# One reader for every engine: ingest's registry (files, folders, JSONL(.gz), CSV and Parquet).
iter_inputs = iter_documents


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


def _exit_with(parent: int) -> None:
    """A pool worker ends itself within a second of its driver's death (a kill -9 runs no clean-up),
    instead of extracting the rest of its batch for no one."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="crosscount-orphan-watch", daemon=True).start()


def _init_worker(factory: ExtractorFactory, parent: int | None = None) -> None:
    """Pool initializer: build the Extractor now. An error is kept and raised by the first batch, so
    the driver sees it (an initializer that raises would only break the pool, saying nothing)."""
    if parent is not None:
        _exit_with(parent)
    try:
        _worker_extractor(factory)
    except Exception as err:
        _INIT_ERROR[pickle.dumps(factory)] = err


def _warm_worker(factory: ExtractorFactory) -> str:
    """Dask: build the Extractor on a worker before the first batch reaches it."""
    _worker_extractor(factory)
    return EXTRACTOR_VERSION


def _extract_batch(factory: ExtractorFactory, docs: Sequence[Document], budget: float | None = None) -> list[DocResult]:
    """The claims of each document, in order; an exception or an overrun costs only its document."""
    extractor = _worker_extractor(factory)
    return extract_many_guarded(extractor, docs, budget=budget)


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


class _InProcessBackend:
    """Batches extracted in the calling process, one after the other (small inputs, the web app's jobs):
    the same guarded extraction as the pools, without starting any."""

    def __init__(self, factory: ExtractorFactory, budget: float) -> None:
        self.workers = 1
        self.retries = 0
        self._factory = factory
        self._budget = budget
        self._queue: deque[_Batch] = deque()

    def submit(self, batch: _Batch) -> None:
        self._queue.append(batch)

    def busy(self) -> int:
        return len(self._queue)

    def accepting(self) -> bool:
        return True

    def next_done(self) -> _Outcome:
        batch = self._queue.popleft()
        return batch, _extract_batch(self._factory, batch.docs, self._budget)

    def close(self) -> None:
        self._queue.clear()


class _LocalBackend:
    """A process pool; a dead worker process breaks the pool, which is rebuilt, and the batches that
    were in flight are retried one at a time (so a batch that kills its worker again cannot take the
    others down with it)."""

    def __init__(self, factory: ExtractorFactory, workers: int, budget: float) -> None:
        import multiprocessing

        self.workers = workers
        self.retries = 0
        self._factory = factory
        self._budget = budget
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
            initargs=(self._factory, os.getpid()),
        )

    def submit(self, batch: _Batch) -> None:
        self._futures[self._pool.submit(_extract_batch, self._factory, batch.docs, self._budget)] = batch

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
CONNECT_TIMEOUT = 10.0  # seconds to reach a Dask scheduler before giving up
TIMEOUT_ENV = "CROSSCOUNT_SCHEDULER_TIMEOUT"


def _env_seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default
_SCHEDULER_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://\S+$")


def _connect(distributed: Any, scheduler: str, timeout: float) -> Any:
    """A client of the scheduler, or one clear CrosscountError (no traceback, no 30 s wait)."""
    if not _SCHEDULER_ADDRESS.match(scheduler) and not re.match(r"^[\w.-]+:\d+$", scheduler):
        raise CrosscountError(
            f"{scheduler!r} is not a Dask scheduler address; expected e.g. tcp://10.0.0.5:8786"
        )
    import logging

    quiet = [logging.getLogger(name) for name in ("distributed", "distributed.client", "distributed.comm")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:  # the client logs each failed attempt with a traceback; we say it once
        logger.setLevel(logging.CRITICAL)
    try:
        return distributed.Client(scheduler, timeout=timeout)
    except Exception as err:
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise CrosscountError(
            f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({reason}); is it running, "
            "and is the address right?"
        ) from None
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)


class _DaskBackend:
    """``client.submit`` per batch with ``retries``, results through ``as_completed``. The scheduler
    reschedules the tasks of a worker that dies; a task that kills workers repeatedly ends as
    KilledWorker and its batch is reported as failed."""

    def __init__(
        self, factory: ExtractorFactory, scheduler: str | None, workers: int | None,
        dashboard_address: str | None, budget: float, connect_timeout: float,
    ) -> None:
        distributed = _import_distributed()
        self.retries = 0
        self._factory = factory
        self._budget = budget
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
                self._client = _connect(distributed, scheduler, connect_timeout)
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
            _extract_batch, self._factory, batch.docs, self._budget, retries=MAX_RETRIES, pure=False,
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
    documents: Iterable[Document] | None = None,
    budget: float | None = None,
    connect_timeout: float | None = None,
) -> RunSummary:
    """Extract the claims of every document in ``inputs`` on ``engine``; store them; count what happened.

    - ``engine``: ``"local"`` (a process pool of ``workers`` processes, default every core; with
      ``workers=1``, this process), ``"inprocess"`` (this process, no pool) or ``"dask"``
      (``Client(scheduler)`` within ``connect_timeout`` seconds, default ``CROSSCOUNT_SCHEDULER_TIMEOUT``
      or 10, or a LocalCluster of ``workers``
      processes on 127.0.0.1).
    - ``documents``: documents already read (the web app's uploads), instead of reading ``inputs``.
    - ``budget``: seconds one document may take (default ``CROSSCOUNT_DOC_SECONDS`` or 60); a document
      still running then is reported and skipped, like one whose extraction raises.
    - ``ledger``: a document whose id is already stored with another text gets the id plus a content
      hash (with a warning naming both), so ids never collide.
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
    seconds = budget_from_env() if budget is None else budget
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
        timeout = connect_timeout if connect_timeout is not None else _env_seconds(TIMEOUT_ENV, CONNECT_TIMEOUT)
        backend = _DaskBackend(extractor_factory, scheduler, workers, dashboard_address, seconds, timeout)
    elif engine == "inprocess" or workers == 1:
        backend = _InProcessBackend(extractor_factory, seconds)
    else:
        backend = _LocalBackend(extractor_factory, workers or os.cpu_count() or 1, seconds)
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
            results: list[DocResult] = [DocFailure("worker", f"the worker process died ({result})")] * len(batch.docs)
        else:
            results = result
        for doc, claims in zip(batch.docs, results, strict=True):
            if isinstance(claims, DocFailure):
                summary.failed += 1
                report(IngestProblem(doc.origin or doc.id, claims.describe(doc.id), True))
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

    if documents is None:
        documents = iter_inputs(inputs, on_problem=report, max_bytes=max_bytes)
    if metadata:
        meta = dict(metadata)
        documents = (apply_metadata(doc, meta) for doc in documents)
    try:
        for docs in _batches(documents, batch_size):
            summary.documents += len(docs)
            todo = _unseen(docs, ledger, writer)
            if ledger is not None:
                todo = [unique_in_ledger(doc, ledger, report) for doc in todo]
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

