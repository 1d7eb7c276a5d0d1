"""The main job, as a library: ingest -> extract (or import claims) -> ledger -> stories -> reconcile -> report.

Each document and its claims are stored in one transaction, and documents already in the
ledger (by content hash) are skipped before extraction, so a run killed at any point resumes
where it stopped when run again, and running the same inputs twice changes nothing.

Every stored document records the fingerprint of the extractor that produced its claims (the
crosscount version, the extractor's rule version and a hash of the data files and alias file);
when it changes, ``analyze`` (or ``reextract``) extracts the stored documents again, so a ledger
never mixes old and new rules. Claims imported with ``--claims`` are marked with their origin
and never re-extracted.

Reconciling runs story by story: each story's claims are streamed from the ledger, reconciled and
stored, so memory is bounded by the largest story, and stories run in parallel on a process pool.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from crosscount import __version__
from crosscount.extract import EXTRACTOR_VERSION, Extractor
from crosscount.gcpause import gc_paused
from crosscount.ingest import IngestProblem, apply_metadata, iter_documents, load_metadata
from crosscount.ledger import Ledger, ReconciliationRows, reconciliation_rows
from crosscount.models import Claim, Document, Finding
from crosscount.reconcile import DocInfo, Reconciliation, load_config, reconcile

ProblemHandler = Callable[[IngestProblem], None]


@dataclass(slots=True)
class AnalyzeSummary:
    documents_seen: int = 0
    documents_skipped: int = 0  # already in the ledger
    documents_added: int = 0
    documents_failed: int = 0  # extraction raised or overran its budget: reported and skipped
    claims_added: int = 0
    problems: list[str] = field(default_factory=list)
    statements: int = 0
    variables: int = 0
    findings: int = 0
    documents_reextracted: int = 0
    claims_imported: int = 0
    stories: int = 0
    findings_by_type: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents_seen": self.documents_seen,
            "documents_skipped": self.documents_skipped,
            "documents_added": self.documents_added,
            "documents_failed": self.documents_failed,
            "claims_added": self.claims_added,
            "problems": list(self.problems),
            "statements": self.statements,
            "variables": self.variables,
            "findings": self.findings,
            "documents_reextracted": self.documents_reextracted,
            "claims_imported": self.claims_imported,
            "stories": self.stories,
            "findings_by_type": dict(self.findings_by_type),
        }


# ---------------------------------------------------------------------------------------------
# The extractor's fingerprint and re-extraction


def extractor_fingerprint() -> str:
    """crosscount's version, the extractor's rule version and a hash of every data file it reads
    (the bundled TOML files and the user's CROSSCOUNT_ALIASES file)."""
    digest = hashlib.sha256()
    root = resources.files("crosscount") / "data"
    with resources.as_file(root) as path:
        for file in sorted(Path(path).rglob("*.toml")):
            digest.update(str(file.relative_to(path)).encode())
            digest.update(file.read_bytes())
    extra = os.environ.get("CROSSCOUNT_ALIASES")
    if extra and Path(extra).is_file():
        digest.update(Path(extra).read_bytes())
    return f"{__version__}/{EXTRACTOR_VERSION}/{digest.hexdigest()[:16]}"


def reextract(
    ledger: Ledger,
    *,
    extractor: Extractor | None = None,
    fingerprint: str | None = None,
    on_document: Callable[[Document], None] | None = None,
    on_problem: Callable[[IngestProblem], None] | None = None,
) -> int:
    """Extract again every stored document whose claims an older extractor produced; how many.

    A document whose extraction fails or overruns its budget keeps its claims and is reported."""
    from crosscount.guard import DocFailure, extract_each_guarded

    fingerprint = fingerprint or extractor_fingerprint()
    if not ledger.count_stale_documents(fingerprint):
        return 0
    extractor = extractor or Extractor()
    run_id = ledger.start_run(EXTRACTOR_VERSION, {"extractor": EXTRACTOR_VERSION, "fingerprint": fingerprint,
                                                   "reextract": True})
    done = claims = 0
    stale = (ledger.document(doc) for doc in list(_stale_ids(ledger, fingerprint)))
    for stored, found in extract_each_guarded(extractor, (doc for doc in stale if doc is not None)):
        if isinstance(found, DocFailure):
            if on_problem is not None:
                on_problem(IngestProblem(stored.origin or stored.id, found.describe(stored.id), True))
            continue
        ledger.replace_claims(stored.id, found, fingerprint=fingerprint, run_id=run_id)
        done += 1
        claims += len(found)
        if on_document is not None:
            on_document(stored)
    ledger.finish_run(run_id, {"documents": done, "claims": claims, "reextracted": done})
    return done


def _stale_ids(ledger: Ledger, fingerprint: str) -> Iterator[str]:
    for doc in ledger.stale_documents(fingerprint):
        yield doc.id


# ---------------------------------------------------------------------------------------------
# Ingest: extracted or imported claims


def ingest_documents(
    ledger: Ledger,
    documents: Iterable[Document],
    *,
    extractor: Extractor | None = None,
    summary: AnalyzeSummary | None = None,
    on_document: Callable[[Document], None] | None = None,
    on_problem: Callable[[IngestProblem], None] | None = None,
) -> AnalyzeSummary:
    """Extract and store each new document; documents already stored are skipped before extraction.

    A document whose extraction raises or overruns its time budget is reported through ``on_problem``
    (id, stage, error) and skipped; the others are stored. An id already stored with another text gets
    a content hash added (:func:`crosscount.guard.unique_in_ledger`).
    """
    from crosscount.guard import DocFailure, extract_guarded, unique_in_ledger

    extractor = extractor or Extractor()
    summary = summary or AnalyzeSummary()
    fingerprint = extractor_fingerprint()
    run_id = ledger.start_run(EXTRACTOR_VERSION, {"extractor": EXTRACTOR_VERSION, "fingerprint": fingerprint})
    for doc in documents:
        summary.documents_seen += 1
        if ledger.has_document(doc.content_hash):
            summary.documents_skipped += 1
        else:
            doc = unique_in_ledger(doc, ledger, on_problem)
            claims = extract_guarded(extractor, doc)
            if isinstance(claims, DocFailure):
                summary.documents_failed += 1
                if on_problem is not None:
                    on_problem(IngestProblem(doc.origin or doc.id, claims.describe(doc.id), True))
            elif ledger.add_document(doc, claims, run_id, fingerprint=fingerprint):
                summary.documents_added += 1
                summary.claims_added += len(claims)
            else:
                summary.documents_skipped += 1
        if on_document is not None:
            on_document(doc)
    ledger.finish_run(run_id, {"documents": summary.documents_added, "claims": summary.claims_added})
    summary.documents_reextracted += reextract(ledger, extractor=extractor, fingerprint=fingerprint)
    return summary


def load_claims(path: str | Path, on_problem: ProblemHandler | None = None) -> dict[str, list[tuple[int, Claim]]]:
    """Claims coded elsewhere (``crosscount extract --format jsonl`` output or a gold file), by document,
    each with its line number; a line that is not a claim is reported and skipped."""
    out: dict[str, list[tuple[int, Claim]]] = {}
    name = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        if on_problem is not None:
            on_problem(IngestProblem(name, f"cannot read the claims file: {exc}", skipped=True))
        return out
    required = ("doc", "start", "end", "figure", "qualifier", "unit", "measure", "kind")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            _report(on_problem, where, f"not JSON ({exc.msg})")
            continue
        if not isinstance(data, dict):
            _report(on_problem, where, "not a JSON object")
            continue
        missing = [k for k in required if data.get(k) is None]
        if missing:
            _report(on_problem, where, f"a claim needs {', '.join(missing)}")
            continue
        data.setdefault("subject", None)
        data.setdefault("location", None)
        data.setdefault("source", None)
        data.setdefault("as_of", None)
        data.setdefault("low", None)
        data.setdefault("high", None)
        try:
            claim = Claim.from_dict(data)
            claim.start, claim.end = int(claim.start), int(claim.end)
        except (TypeError, ValueError) as exc:
            _report(on_problem, where, f"not a claim: {exc}")
            continue
        out.setdefault(str(claim.doc), []).append((number, claim))
    return out


def _report(on_problem: ProblemHandler | None, where: str, message: str) -> None:
    if on_problem is not None:
        on_problem(IngestProblem(where, message, skipped=True))


def _check_claims(
    doc: Document, claims: list[tuple[int, Claim]], name: str, on_problem: ProblemHandler | None
) -> list[Claim]:
    """The claims whose span is in the text and reads as the figure; the others are reported."""
    from crosscount.segment import split

    sentences: list[Any] | None = None
    good: list[Claim] = []
    for number, claim in claims:
        where = f"{name}:line {number}"
        if not 0 <= claim.start < claim.end <= len(doc.text):
            _report(on_problem, where, f"span {claim.start}-{claim.end} is outside document {doc.id!r} "
                                       f"({len(doc.text)} characters)")
            continue
        written = doc.text[claim.start : claim.end]
        if written != claim.figure:
            _report(on_problem, where, f"text[{claim.start}:{claim.end}] of document {doc.id!r} is "
                                       f"{written!r}, not the figure {claim.figure!r}")
            continue
        if not claim.sentence:
            if sentences is None:
                sentences = split(doc.text)[1]
            claim.sentence = next((s.text for s in sentences if s.start <= claim.start < s.end), "")
        if claim.published is None:
            claim.published = doc.published
        good.append(claim)
    return good


def import_documents(
    ledger: Ledger,
    documents: Iterable[Document],
    claims_path: str | Path,
    *,
    summary: AnalyzeSummary | None = None,
    on_problem: ProblemHandler | None = None,
    on_document: Callable[[Document], None] | None = None,
) -> AnalyzeSummary:
    """Store the documents with the claims of ``claims_path`` instead of extracting them.

    The documents still give the text, outlet and dates; the claims are marked ``import:NAME``.
    A document already stored gets these claims in place of its own. A claim whose document is
    not among the inputs, or whose span does not read as its figure, is reported and skipped.
    """
    summary = summary or AnalyzeSummary()
    name = Path(claims_path).name
    origin = f"import:{name}"
    wanted = load_claims(claims_path, on_problem)
    run_id = ledger.start_run(EXTRACTOR_VERSION, {"imported": str(claims_path)})
    seen: set[str] = set()
    for doc in documents:
        summary.documents_seen += 1
        seen.add(doc.id)
        claims = _check_claims(doc, wanted.get(doc.id, []), str(claims_path), on_problem)
        if ledger.add_document(doc, claims, run_id, fingerprint=origin, origin=origin):
            summary.documents_added += 1
            summary.claims_added += len(claims)
        else:
            stored_id = ledger.document_id_of(doc.content_hash) or doc.id
            claims = [_renamed(c, stored_id) for c in claims]
            ledger.replace_claims(stored_id, claims, fingerprint=origin, origin=origin, run_id=run_id)
            summary.documents_skipped += 1
        summary.claims_imported += len(claims)
        if on_document is not None:
            on_document(doc)
    for doc_id in sorted(set(wanted) - seen):
        for number, _claim in wanted[doc_id]:
            _report(on_problem, f"{claims_path}:line {number}", f"no document {doc_id!r} among the inputs")
    ledger.finish_run(run_id, {"documents": summary.documents_added, "claims": summary.claims_imported})
    return summary


def _renamed(claim: Claim, doc_id: str) -> Claim:
    if claim.doc == doc_id:
        return claim
    data = claim.to_dict(with_rules=True)
    data["doc"] = doc_id
    return Claim.from_dict(data)


# ---------------------------------------------------------------------------------------------
# Stories and reconciliation, story by story


def doc_infos(ledger: Ledger, story: str | None = None) -> dict[str, DocInfo]:
    return {doc: DocInfo(doc, outlet, published, st) for doc, outlet, published, st in ledger.doc_infos(story)}


@dataclass(slots=True)
class ReconcileCounts:
    stories: int = 0
    statements: int = 0
    variables: int = 0
    findings: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    repeated_findings: int = 0  # findings reconcile gave twice (same id), stored once

    def add(self, other: ReconcileCounts) -> None:
        self.repeated_findings += other.repeated_findings
        self.stories += other.stories
        self.statements += other.statements
        self.variables += other.variables
        self.findings += other.findings
        self.by_type.update(other.by_type)


def reconcile_story(ledger: Ledger, story: str, config_path: str | Path | None = None) -> ReconcileCounts:
    """Reconcile one story's claims (streamed from the ledger) and store its set in place of the old one."""
    rows, counts = _reconcile_rows(ledger, story, config_path)
    with gc_paused():
        ledger.store_reconciliation_rows(rows, story=story)
    return counts


def _reconcile_rows(
    ledger: Ledger, story: str, config_path: str | Path | None
) -> tuple[ReconciliationRows, ReconcileCounts]:
    """One story's claims reconciled, as the rows that store its set, and their counts."""
    from crosscount import curation

    config = load_config(config_path)
    with gc_paused():  # reading and reconciling build many long-lived records and no cycles
        claims = curation.apply(ledger.iter_claims(story=story), curation.corrections(ledger))  # the analysts' edits
        rec = reconcile(claims, doc_infos(ledger, story), config)
        findings, repeated = _once(rec.findings)
        rows = reconciliation_rows(rec.statements, rec.variables, findings, story=story)
        counts = ReconcileCounts(1, len(rec.statements), len(rec.variables), len(findings),
                                 Counter(f.type for f in findings), repeated)
        # freed before the collector is back on: its first pass would walk them all once more, for nothing
        del claims, rec, findings
    return rows, counts


def _once(findings: list[Finding]) -> tuple[list[Finding], int]:
    """Each finding once. A finding's id is a hash of its type, rule, variable, period and statements,
    so two with one id are one finding about the same statements (reconcile can reach one conflict
    from two splits of a period's figures); the first is kept and the repeats are counted."""
    seen: set[str] = set()
    out = []
    for f in findings:
        if f.id not in seen:
            seen.add(f.id)
            out.append(f)
    return out, len(findings) - len(out)


_worker_ledger: Ledger | None = None  # a reconcile pool worker's ledger, opened once by the initializer


def _open_worker_ledger(target: str) -> None:
    """Pool initializer: open the ledger once per worker (not once per story); closed as the worker exits."""
    from multiprocessing.util import Finalize

    global _worker_ledger
    # the worker only reconciles, which makes no reference cycles: the collector would walk each story's
    # records, and the rows on their way back, for nothing
    gc.disable()
    _worker_ledger = Ledger(target)
    Finalize(_worker_ledger, _worker_ledger.close, exitpriority=10)


def _reconcile_in_worker(story: str, config_path: str | None) -> tuple[ReconciliationRows, ReconcileCounts]:
    if _worker_ledger is None:
        raise RuntimeError("the reconcile worker's ledger is opened by the pool initializer")
    return _reconcile_rows(_worker_ledger, story, config_path)


def reconcile_stories(
    ledger: Ledger,
    config_path: str | Path | None = None,
    *,
    workers: int | None = 1,
    on_story: Callable[[str], None] | None = None,
) -> ReconcileCounts:
    """Place new documents in stories, then reconcile every story on its own, ``workers`` at a time.

    Each story's statements, variables and findings replace its previous ones; those of stories
    that no longer hold documents are removed. Nothing is compared across stories. The whole of it
    holds the ledger's ``reconcile`` lock, so of two runs reconciling at once the later one reads
    every claim the earlier stored and stores its picture last.
    """
    with ledger.exclusive("reconcile"):
        return _reconcile_stories(ledger, config_path, workers, on_story)


def _reconcile_stories(
    ledger: Ledger, config_path: str | Path | None, workers: int | None, on_story: Callable[[str], None] | None
) -> ReconcileCounts:
    from crosscount.stories import update_stories

    update_stories(ledger)
    stories = [s.id for s in ledger.stories()]  # largest first: the pool stays busy to the end
    total = ReconcileCounts()
    n = min(workers or (os.cpu_count() or 1), len(stories))
    in_memory = ledger.backend == "sqlite" and ledger.engine.url.database in (None, "", ":memory:")
    if n <= 1 or in_memory:
        for story in stories:
            total.add(reconcile_story(ledger, story, config_path))
            if on_story is not None:
                on_story(story)
    else:
        # The workers reconcile and this process stores what they return, in one connection: SQLite
        # writers from several processes queue for its lock (sleeping in its busy handler while a
        # core idles) and each one's page cache is dropped whenever another has written.
        cfg = None if config_path is None else str(config_path)
        if multiprocessing.get_start_method() == "fork":
            from crosscount import gazetteer

            # the place table (about 1 s and 80 MB to build) built once here and shared with the forked
            # workers, instead of once in each
            gazetteer.places()
        todo = iter(stories)
        pending: deque[tuple[str, Future[tuple[ReconciliationRows, ReconcileCounts]]]] = deque()
        with (
            ProcessPoolExecutor(max_workers=n, initializer=_open_worker_ledger, initargs=(ledger.target,)) as pool,
            gc_paused(),  # the rows coming back are many small objects kept until stored, in no cycle
        ):

            def submit_next() -> None:
                story = next(todo, None)
                if story is not None:
                    pending.append((story, pool.submit(_reconcile_in_worker, story, cfg)))

            # a few stories ahead of the one being stored keep the workers busy; no more, so the
            # results waiting here stay a few stories' worth
            for _ in range(4 * n):
                submit_next()
            while pending:
                story, future = pending.popleft()
                rows, counts = future.result()
                submit_next()
                ledger.store_reconciliation_rows(rows, story=story)
                del rows
                total.add(counts)
                if on_story is not None:
                    on_story(story)
    ledger.drop_reconciliation(stories)
    return total


def reconcile_ledger(
    ledger: Ledger, config_path: str | Path | None = None, *, workers: int | None = 1
) -> Reconciliation:
    """Reconcile every story in the ledger, store the results, and return them all."""
    reconcile_stories(ledger, config_path, workers=workers)
    return Reconciliation(
        statements=ledger.statements(), variables=ledger.variables(), findings=ledger.findings(),
        config=load_config(config_path),
    )


def analyze(
    inputs: Iterable[str | Path],
    ledger: Ledger,
    *,
    meta_path: str | Path | None = None,
    report_path: str | Path | None = None,
    config_path: str | Path | None = None,
    claims_path: str | Path | None = None,
    workers: int | None = 1,
    on_problem: Callable[[IngestProblem], None] | None = None,
    on_document: Callable[[Document], None] | None = None,
) -> tuple[AnalyzeSummary, Reconciliation | None]:
    """The whole job on files or folders of articles (``claims_path``: import claims, do not extract)."""
    summary = AnalyzeSummary()
    meta = load_metadata(meta_path) if meta_path else {}

    def problem(p: IngestProblem) -> None:
        summary.problems.append(str(p))
        if on_problem is not None:
            on_problem(p)

    docs = (apply_metadata(d, meta) if meta else d for d in iter_documents(inputs, on_problem=problem))
    if claims_path is not None:
        import_documents(ledger, docs, claims_path, summary=summary, on_problem=problem, on_document=on_document)
    else:
        ingest_documents(ledger, docs, summary=summary, on_document=on_document, on_problem=problem)
    return summary, reconcile_and_report(
        ledger, summary, config_path=config_path, report_path=report_path, workers=workers
    )


def reconcile_and_report(
    ledger: Ledger,
    summary: AnalyzeSummary,
    *,
    config_path: str | Path | None = None,
    report_path: str | Path | None = None,
    workers: int | None = 1,
) -> Reconciliation | None:
    """The end of every analyze, whichever engine extracted: reconcile story by story, count, write the
    report. The whole reconciliation is read back (and returned) only when a report is written."""
    counts = reconcile_stories(ledger, config_path, workers=workers)
    summary.statements, summary.variables, summary.findings = counts.statements, counts.variables, counts.findings
    summary.stories = counts.stories
    summary.findings_by_type = dict(counts.by_type)
    if not report_path:
        return None
    rec = Reconciliation(
        statements=ledger.statements(), variables=ledger.variables(), findings=ledger.findings(),
        config=load_config(config_path),
    )
    write_report_file(rec, ledger, report_path)
    return rec


def write_report_file(rec: Reconciliation, ledger: Ledger, path: str | Path) -> None:
    from crosscount.report import write_report

    write_report(rec, doc_infos(ledger), path, claims=ledger.iter_claims())
