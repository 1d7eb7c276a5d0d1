"""One document's extraction, guarded: an exception or an overrun costs that document, never the run.

Every engine (in-process, the local process pool, Dask workers, the web app's upload jobs) extracts a
document through :func:`extract_guarded`, so a document fails the same way everywhere:

- an exception raised anywhere inside the extractor is caught and turned into a :class:`DocFailure`
  naming the stage (the crosscount module it was raised in: ``segment``, ``numbers``, ``dates``,
  ``attribution``, ``extract`` …) and the error;
- a figure no output may carry (infinite, NaN, or more people than there are) is not a claim;
- a document that is still being extracted after its time budget (``budget`` seconds; default
  :data:`DEFAULT_BUDGET`, or ``CROSSCOUNT_DOC_SECONDS`` in the environment) is interrupted and fails
  with stage ``time budget``.

The budget is enforced by one watchdog thread per process, which raises :class:`DocumentTimeout` in
the thread running the overdue extraction (``PyThreadState_SetAsyncExc``). That works in any thread
(a pool worker's main thread, a Dask worker's task thread, the web app's job thread), needs nothing
from the extractor, and costs a dictionary update per document. It interrupts Python code between
two bytecodes, not inside one long C call: the stages keep every single regex and loop linear in the
text's length, so no one call runs long.

An interrupt can land in code that swallows it: a weakref or ``__del__`` callback the garbage collector
happens to run at that moment (Python then reports it as "Exception ignored in ..."), or a library's
``except Exception``. So the watchdog raises again every :data:`REFIRE` seconds until the block has
ended, and a :class:`DocumentTimeout` swallowed by such a callback is not reported (the next one ends
the block).
"""

from __future__ import annotations

import ctypes
import math
import os
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from crosscount.extract import Extractor
    from crosscount.ingest import ProblemHandler
    from crosscount.ledger import Ledger
    from crosscount.models import Claim, Document

__all__ = [
    "BUDGET_ENV",
    "DEFAULT_BUDGET",
    "DocFailure",
    "DocumentTimeout",
    "budget_from_env",
    "extract_each_guarded",
    "extract_guarded",
    "extract_many_guarded",
    "plausible",
    "time_budget",
    "unique_in_ledger",
]

T = TypeVar("T")
DEFAULT_BUDGET = 60.0  # seconds per document; ordinary news takes milliseconds
BUDGET_ENV = "CROSSCOUNT_DOC_SECONDS"


class DocumentTimeout(Exception):
    """Raised inside an extraction that ran past its time budget."""


def budget_from_env(default: float = DEFAULT_BUDGET) -> float:
    """The per-document budget in seconds: ``CROSSCOUNT_DOC_SECONDS`` when set and positive."""
    raw = os.environ.get(BUDGET_ENV, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True, slots=True)
class DocFailure:
    """Why one document produced no claims: the stage that failed and the error."""

    stage: str
    error: str

    def describe(self, doc_id: str) -> str:
        return f"extraction of document {doc_id!r} failed in {self.stage} ({self.error}); skipped"

    def __str__(self) -> str:
        return f"{self.stage}: {self.error}"


# --------------------------------------------------------------------------------------------------
# The watchdog


def _async_raise(thread_id: int, exc: type[BaseException] | None) -> None:
    """Raise ``exc`` in the thread at its next bytecode (None clears a pending one)."""
    target = ctypes.py_object(exc) if exc is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), target)


class _Watchdog:
    """One thread per process that interrupts every extraction still running past its deadline."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._armed: dict[int, tuple[float, int]] = {}  # thread id -> (deadline, serial)
        self._fired: set[tuple[int, int]] = set()
        self._serial = 0
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._wake = math.inf  # when the watchdog thread wakes next (it sleeps until then unless notified)

    def arm(self, seconds: float) -> tuple[int, int]:
        thread_id = threading.get_ident()
        with self._cond:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._armed.clear()
                self._fired.clear()
                self._wake = math.inf
                self._thread = threading.Thread(target=self._run, name="crosscount-watchdog", daemon=True)
                self._thread.start()
            self._serial += 1
            deadline = time.monotonic() + seconds
            self._armed[thread_id] = (deadline, self._serial)
            if deadline < self._wake:
                # Only a deadline before the one the thread sleeps towards needs it awake now: waking it for
                # every document made each block cost a thread switch (the next document's deadline is
                # later than the last one's, which the thread still sleeps towards; it then looks again).
                self._cond.notify()
            return thread_id, self._serial

    def disarm(self, key: tuple[int, int]) -> bool:
        """Stop watching; True when the deadline had passed (a pending interrupt is cleared)."""
        thread_id, serial = key
        with self._cond:
            current = self._armed.get(thread_id)
            if current is not None and current[1] == serial:
                del self._armed[thread_id]
            if key in self._fired:
                self._fired.discard(key)
                _async_raise(thread_id, None)  # not delivered yet: it must not land after the block
                return True
            return False

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for thread_id, (deadline, serial) in list(self._armed.items()):
                    if deadline <= now:
                        # again in REFIRE seconds, until disarmed: the first may land where it is swallowed
                        self._armed[thread_id] = (now + REFIRE, serial)
                        self._fired.add((thread_id, serial))
                        _async_raise(thread_id, DocumentTimeout)
                upcoming = [deadline for deadline, _ in self._armed.values()]
                self._wake = min(upcoming) if upcoming else math.inf
                self._cond.wait(timeout=max(0.0, self._wake - now) if upcoming else None)


REFIRE = 0.2  # seconds between two interrupts of the same overdue block


def _quiet_unraisable(hook: Callable[[Any], object]) -> Callable[[Any], object]:
    """``hook`` without the reports of a DocumentTimeout swallowed by a callback (it is raised again)."""

    def quiet(args: Any) -> object:
        if isinstance(args.exc_value, DocumentTimeout):
            return None
        return hook(args)

    quiet.__dict__["crosscount_quiet"] = True
    return quiet


def _ensure_quiet_unraisable() -> None:
    if not getattr(sys.unraisablehook, "crosscount_quiet", False):
        sys.unraisablehook = _quiet_unraisable(sys.unraisablehook)


_WATCHDOG = _Watchdog()


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Run the block with a deadline: past it, :class:`DocumentTimeout` is raised inside the block."""
    _ensure_quiet_unraisable()
    key = _WATCHDOG.arm(seconds)
    try:
        yield
    finally:
        while True:
            try:  # an interrupt may land here, before disarm holds the watchdog's lock: disarm again
                fired = _WATCHDOG.disarm(key)
                break
            except DocumentTimeout:
                continue
        if fired:
            raise DocumentTimeout(f"over the {seconds:g} s time budget")


# --------------------------------------------------------------------------------------------------
# Guarded extraction

_PACKAGE = __name__.rpartition(".")[0]
_WARM: weakref.WeakSet[Extractor] = weakref.WeakSet()
_WARM_TEXT = "Officials said on Monday that 12 people were killed in the north, according to the ministry."


def _stage(err: BaseException) -> str:
    """The crosscount module the error was raised in (the innermost frame of ours), e.g. ``numbers``."""
    stage = "extract"
    for frame in traceback.extract_tb(err.__traceback__):
        module = _module_of(frame.filename)
        if module is not None and module != "guard":
            stage = module
    return stage


def _module_of(filename: str) -> str | None:
    package = sys.modules.get(_PACKAGE)
    root = os.path.dirname(getattr(package, "__file__", "") or "")
    if not root or not filename.startswith(root + os.sep):
        return None
    relative = os.path.relpath(filename, root)
    return os.path.splitext(relative)[0].replace(os.sep, ".")


MAX_PERSONS = 1e10  # more people than have ever lived at once: a figure beyond it counts no one


def plausible(claim: Claim) -> bool:
    """False for a figure no output may carry: NaN or infinite bounds (309+ digits), or a count of
    people beyond :data:`MAX_PERSONS` (a year, a serial number, a run of digits read as a count)."""
    for value in (claim.low, claim.high):
        if value is None:
            continue
        if math.isnan(value) or math.isinf(value):
            return False
        if claim.unit != "percent" and abs(value) > MAX_PERSONS:
            return False
    return True


def _warm(extractor: Extractor) -> None:
    if extractor not in _WARM:
        # one short text first, outside any budget, so what the extractor loads on first use is not
        # charged to the first document
        _WARM.add(extractor)
        with suppress(Exception):
            extractor.extract(_WARM_TEXT)


def _guarded(work: Callable[[], T], seconds: float, budget: float) -> T | DocFailure:
    """``work()`` under a deadline of ``seconds``; an error or an overrun (of the document's ``budget``) as a
    DocFailure."""
    try:
        with time_budget(seconds):
            return work()
    except DocumentTimeout:
        return DocFailure("time budget", f"still running after {budget:g} s; the document is skipped")
    except RecursionError as err:
        return DocFailure(_stage(err), f"RecursionError: {err}")
    except Exception as err:  # one document's failure must not cost the others
        return DocFailure(_stage(err), f"{type(err).__name__}: {err}")


def _claims(extractor: Extractor, doc: Document) -> list[Claim]:
    return [claim for claim in extractor.extract_document(doc) if plausible(claim)]


def extract_guarded(
    extractor: Extractor, doc: Document, *, budget: float | None = None
) -> list[Claim] | DocFailure:
    """The document's claims, or why there are none: never raises for what the document contains."""
    seconds = budget_from_env() if budget is None else budget
    _warm(extractor)
    return _guarded(lambda: _claims(extractor, doc), seconds, seconds)


BATCH_DOCUMENTS = 16  # documents whose sentences the parser reads in one batch


def extract_many_guarded(
    extractor: Extractor, docs: Sequence[Document], *, budget: float | None = None
) -> list[list[Claim] | DocFailure]:
    """Each document's claims or failure, exactly as :func:`extract_guarded` gives them, with the parse
    batched over up to :data:`BATCH_DOCUMENTS` documents at a time (the model spends much of its time per
    call on a document's few sentences).

    Per group: each document's first pass (its sentences, figures, frames, and which sentences the parse
    must read) runs guarded under the document's budget; then one parse of all their sentences, which,
    should it fail or overrun, is dropped (each document then parses its own, as alone); then each
    document's extraction, guarded, under what is left of its budget."""
    seconds = budget_from_env() if budget is None else budget
    _warm(extractor)
    results: list[list[Claim] | DocFailure] = []
    for start in range(0, len(docs), BATCH_DOCUMENTS):
        group = docs[start : start + BATCH_DOCUMENTS]
        spent: list[float] = []
        failed: dict[int, DocFailure] = {}
        try:
            for i, doc in enumerate(group):
                began = time.monotonic()
                first = _guarded(partial(extractor.prepare_document, doc), seconds, seconds)
                spent.append(time.monotonic() - began)
                if isinstance(first, DocFailure):
                    failed[i] = first
            _guarded(extractor.parse_prepared, seconds, seconds)
            for i, doc in enumerate(group):
                if i in failed:
                    results.append(failed[i])
                else:  # what the first pass left of the document's budget
                    left = max(seconds - spent[i], 0.001)
                    results.append(_guarded(partial(_claims, extractor, doc), left, seconds))
        finally:
            extractor.release()
    return results


def extract_each_guarded(
    extractor: Extractor, docs: Iterable[Document], *, budget: float | None = None
) -> Iterator[tuple[Document, list[Claim] | DocFailure]]:
    """(document, its claims or failure) for a stream of documents, read :data:`BATCH_DOCUMENTS` at a time
    and extracted by :func:`extract_many_guarded`."""
    group: list[Document] = []
    for doc in docs:
        group.append(doc)
        if len(group) == BATCH_DOCUMENTS:
            yield from zip(group, extract_many_guarded(extractor, group, budget=budget), strict=True)
            group = []
    if group:
        yield from zip(group, extract_many_guarded(extractor, group, budget=budget), strict=True)


def unique_in_ledger(doc: Document, ledger: Ledger, on_problem: ProblemHandler | None = None) -> Document:
    """The document, or a copy with its id plus a content hash when the ledger already stores another
    text under its id (reported as a warning naming both); call it before extracting, so the claims
    carry the id the document is stored under."""
    import dataclasses

    from crosscount.ingest import IngestProblem, suffixed_id

    existing = ledger.document(doc.id)
    if existing is None or existing.content_hash == doc.content_hash:
        return doc
    new_id = suffixed_id(doc.id, doc.content_hash)
    if on_problem is not None:
        where = existing.origin or "an earlier run"
        on_problem(
            IngestProblem(
                doc.origin or doc.id,
                f"document id {doc.id!r} is already in the ledger with a different text (from {where}); "
                f"this one is stored as {new_id!r}",
                False,
            )
        )
    return dataclasses.replace(doc, id=new_id)
