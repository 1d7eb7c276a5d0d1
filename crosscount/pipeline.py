"""The main job, as a library: ingest -> extract -> ledger -> reconcile -> report.

Each document and its claims are stored in one transaction, and documents already in the
ledger (by content hash) are skipped before extraction, so a run killed at any point resumes
where it stopped when run again, and running the same inputs twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crosscount.extract import EXTRACTOR_VERSION, Extractor
from crosscount.ingest import IngestProblem, apply_metadata, iter_documents, load_metadata
from crosscount.ledger import Ledger
from crosscount.models import Document
from crosscount.reconcile import DocInfo, Reconciliation, load_config, reconcile


@dataclass(slots=True)
class AnalyzeSummary:
    documents_seen: int = 0
    documents_skipped: int = 0  # already in the ledger
    documents_added: int = 0
    claims_added: int = 0
    problems: list[str] = field(default_factory=list)
    statements: int = 0
    variables: int = 0
    findings: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents_seen": self.documents_seen,
            "documents_skipped": self.documents_skipped,
            "documents_added": self.documents_added,
            "claims_added": self.claims_added,
            "problems": list(self.problems),
            "statements": self.statements,
            "variables": self.variables,
            "findings": self.findings,
        }


def ingest_documents(
    ledger: Ledger,
    documents: Iterable[Document],
    *,
    extractor: Extractor | None = None,
    summary: AnalyzeSummary | None = None,
    on_document: Callable[[Document], None] | None = None,
) -> AnalyzeSummary:
    """Extract and store each new document; documents already stored are skipped before extraction."""
    extractor = extractor or Extractor()
    summary = summary or AnalyzeSummary()
    run_id = ledger.start_run(EXTRACTOR_VERSION, {"extractor": EXTRACTOR_VERSION})
    for doc in documents:
        summary.documents_seen += 1
        if ledger.has_document(doc.content_hash):
            summary.documents_skipped += 1
        else:
            claims = extractor.extract_document(doc)
            if ledger.add_document(doc, claims, run_id):
                summary.documents_added += 1
                summary.claims_added += len(claims)
            else:
                summary.documents_skipped += 1
        if on_document is not None:
            on_document(doc)
    ledger.finish_run(run_id, {"documents": summary.documents_added, "claims": summary.claims_added})
    return summary


def doc_infos(ledger: Ledger) -> dict[str, DocInfo]:
    return {d.id: DocInfo(d.id, d.outlet, d.published, d.story) for d in ledger.documents()}


def reconcile_ledger(ledger: Ledger, config_path: str | Path | None = None) -> Reconciliation:
    """Reconcile every claim in the ledger and store the statements, variables and findings."""
    config = load_config(config_path)
    rec = reconcile(ledger.iter_claims(), doc_infos(ledger), config)
    ledger.replace_reconciliation(rec.statements, rec.variables, rec.findings)
    return rec


def analyze(
    inputs: Iterable[str | Path],
    ledger: Ledger,
    *,
    meta_path: str | Path | None = None,
    report_path: str | Path | None = None,
    config_path: str | Path | None = None,
    on_problem: Callable[[IngestProblem], None] | None = None,
    on_document: Callable[[Document], None] | None = None,
) -> tuple[AnalyzeSummary, Reconciliation]:
    """The whole job on files or folders of articles."""
    summary = AnalyzeSummary()
    meta = load_metadata(meta_path) if meta_path else {}

    def problem(p: IngestProblem) -> None:
        summary.problems.append(str(p))
        if on_problem is not None:
            on_problem(p)

    docs = (apply_metadata(d, meta) if meta else d for d in iter_documents(inputs, on_problem=problem))
    ingest_documents(ledger, docs, summary=summary, on_document=on_document)
    return summary, reconcile_and_report(ledger, summary, config_path=config_path, report_path=report_path)


def reconcile_and_report(
    ledger: Ledger,
    summary: AnalyzeSummary,
    *,
    config_path: str | Path | None = None,
    report_path: str | Path | None = None,
) -> Reconciliation:
    """The end of every analyze, whichever engine extracted: reconcile, count, write the report."""
    rec = reconcile_ledger(ledger, config_path)
    summary.statements, summary.variables, summary.findings = len(rec.statements), len(rec.variables), len(rec.findings)
    if report_path:
        write_report_file(rec, ledger, report_path)
    return rec


def write_report_file(rec: Reconciliation, ledger: Ledger, path: str | Path) -> None:
    from crosscount.report import write_report

    write_report(rec, doc_infos(ledger), path)
