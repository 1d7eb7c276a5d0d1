"""The web app's resources, one data function each, in Datasette's manner.

Each function reads the ledger (through the cached :class:`Snapshot` where it can) and returns
one typed view: a dataclass whose fields are what the HTML page shows (``context()``) and whose
``to_json()`` is its JSON twin under ``/api``. A page and its twin are made from the same call,
so they cannot disagree about what they count.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol
from urllib.parse import quote

from crosscount import present
from crosscount.curation import Correction, corrections
from crosscount.ledger import Ledger, SearchHit
from crosscount.models import Claim, Document, Finding, Statement, Variable
from crosscount.reconcile import Reconciliation

__all__ = [
    "ClaimView",
    "ConflictsView",
    "CorrectionsView",
    "DocumentView",
    "DocumentsView",
    "NotFound",
    "OverviewView",
    "RowsView",
    "SearchView",
    "Snapshot",
    "SourceView",
    "VariableView",
    "VariablesView",
    "build_snapshot",
    "chart_json",
    "claim_view",
    "conflicts_view",
    "corrections_view",
    "document_view",
    "documents_view",
    "highlight_all",
    "highlight_claim",
    "overview_view",
    "search_view",
    "source_view",
    "sources_view",
    "stories_view",
    "variable_view",
    "variables_view",
]

OVERVIEW_CONFLICTS = 50  # the latest conflicts the overview lists; /conflicts has them all
FINDING_ORDER = {"conflict": 0, "evolution": 1, "revision": 2, "agreement": 3, "check": 4}


class NotFound(LookupError):
    """A resource the ledger does not hold (the app answers 404 with this message)."""


class Ledgered(Protocol):
    """What the data functions need of the app's state: the ledger and its cached snapshot."""

    ledger: Ledger

    def snapshot(self) -> Snapshot: ...


def _fields(obj: object) -> dict[str, Any]:
    """A dataclass's fields by name, unconverted (what its template reads)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}  # type: ignore[arg-type]


def _paged(items: Sequence[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"items": list(items), "total": total, "limit": limit, "offset": offset}


# ---------------------------------------------------------------------------------------------
# The snapshot: the reconciliation as stored, indexed once per ledger state
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Snapshot:
    """The reconciliation as stored, indexed for the pages; rebuilt when the ledger changes."""

    variables: list[Variable]
    var_by_id: dict[str, Variable]
    statements: dict[str, Statement]
    findings: list[Finding]
    findings_by_var: dict[str | None, list[Finding]]
    statement_of_claim: dict[tuple[str, int], str]
    overview: list[dict[str, Any]]
    conflicts: list[Finding]
    source_findings: dict[str, dict[str, int]]
    titles: dict[str, str] = field(default_factory=dict)
    charts: dict[str, str] = field(default_factory=dict)

    def rec_for(self, variable_id: str) -> Reconciliation:
        """A Reconciliation holding one variable, its statements and findings (what charts need)."""
        var = self.var_by_id[variable_id]
        findings = self.findings_by_var.get(variable_id, [])
        ids = list(dict.fromkeys([*var.statements, *(i for f in findings for i in f.statements)]))
        sts = [self.statements[i] for i in ids if i in self.statements]
        return Reconciliation(statements=sts, variables=[var], findings=findings)


def _overview_row(var: Variable, fs: Sequence[Finding], statements: Mapping[str, Statement]) -> dict[str, Any]:
    estimates = sorted((f for f in fs if f.type == "estimate"), key=lambda f: present.period_key(f.period))
    latest = estimates[-1] if estimates else None
    shown = None if latest is None else present.estimate_row(latest, statements, var.unit)
    return {
        "id": var.id,
        "title": present.variable_title(var),
        "subject": var.subject,
        "measure": var.measure,
        "location": var.location,
        "unit": var.unit,
        "story": var.story,
        "statements": len(var.statements),
        "sources": len({statements[i].source for i in var.statements if i in statements}),
        "conflicts": sum(1 for f in fs if f.type == "conflict"),
        "estimate": None
        if latest is None
        else {"period": latest.period, "low": latest.low, "best": latest.best, "high": latest.high,
              "rule": latest.rule},
        "shown": None
        if shown is None
        else {"period": shown.period, "low": shown.low, "best": shown.best, "high": shown.high,
              "best_by": shown.best_by, "sentence": shown.sentence},
    }


def build_snapshot(ledger: Ledger) -> Snapshot:
    """Read the stored reconciliation once and index it for every page."""
    variables = ledger.variables()
    statements = {s.id: s for s in ledger.statements()}
    findings = ledger.findings()
    by_var: dict[str | None, list[Finding]] = defaultdict(list)
    for f in findings:
        by_var[f.variable].append(f)
    of_claim: dict[tuple[str, int], str] = {}
    for s in sorted(statements.values(), key=lambda s: s.computed):  # a claim's own statement first
        for doc, start, _end in s.claims:
            of_claim.setdefault((doc, start), s.id)
    per_source: dict[str, dict[str, int]] = defaultdict(lambda: {"agreement": 0, "conflict": 0})
    for f in findings:
        if f.type not in ("agreement", "conflict"):
            continue
        names = {statements[i].source for i in f.statements if i in statements}
        names.update(str(n) for n in f.details.get("sources", []) if n)
        for name in names:
            if name:
                per_source[name][f.type] += 1
    return Snapshot(
        variables=variables,
        var_by_id={v.id: v for v in variables},
        statements=statements,
        findings=findings,
        findings_by_var=dict(by_var),
        statement_of_claim=of_claim,
        overview=[_overview_row(v, by_var.get(v.id, []), statements) for v in variables],
        conflicts=[f for f in findings if f.type == "conflict"],
        source_findings=dict(per_source),
        titles={v.id: present.variable_title(v) for v in variables},
    )


def chart_json(snap: Snapshot, variable_id: str) -> str:
    """The plotly figure of a variable's timeline as JSON (names escaped: plotly renders some HTML)."""
    cached = snap.charts.get(variable_id)
    if cached is not None:
        return cached
    from crosscount.report import timeline_figure

    fig = timeline_figure(snap.rec_for(variable_id), variable_id)  # names escaped there
    fig.update_layout(title=None, autosize=True)
    out: str = fig.to_json()
    snap.charts[variable_id] = out
    return out


@dataclass(slots=True)
class RowsView:
    """A page of plain rows (sources, stories): the page's table and the JSON list hold the same."""

    rows: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    @classmethod
    def cut(cls, rows: Sequence[dict[str, Any]], limit: int, offset: int) -> RowsView:
        return cls(rows=list(rows[offset : offset + limit]), total=len(rows), limit=limit, offset=offset)

    def context(self) -> dict[str, Any]:
        return _fields(self)

    def to_json(self) -> dict[str, Any]:
        return _paged(self.rows, self.total, self.limit, self.offset)


@dataclass(slots=True)
class VariablesView(RowsView):
    """A page of the variables that pass the filters, each with its latest estimate and counts."""

    filters: dict[str, str | None] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Overview, variables, a variable, conflicts
# ---------------------------------------------------------------------------------------------


def _conflict_json(f: Finding, sentence: str, title: str) -> dict[str, Any]:
    return {**f.to_dict(), "sentence": sentence, "variable_title": title}


@dataclass(slots=True)
class OverviewView:
    """Every variable with its latest estimate, the ledger's counts, and the latest conflicts."""

    subject: str | None
    story: str | None
    rows: list[dict[str, Any]]
    counts: present.Counts
    conflicts: list[Finding]  # the latest OVERVIEW_CONFLICTS
    conflicts_total: int
    sentences: dict[str, str]
    titles: dict[str, str]

    def context(self) -> dict[str, Any]:
        return _fields(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "story": self.story,
            "counts": {**_fields(self.counts), "line": self.counts.line()},
            "variables": self.rows,
            "conflicts": [_conflict_json(f, self.sentences[f.id], self.titles.get(f.variable or "", f.measure))
                          for f in self.conflicts],
            "conflicts_total": self.conflicts_total,
        }


def _filtered_conflicts(snap: Snapshot, subject: str | None, story: str | None) -> list[Finding]:
    """The conflicts for these filters, latest period first."""
    found = [f for f in snap.conflicts if (not subject or f.subject == subject) and (not story or f.story == story)]
    return sorted(found, key=lambda f: (present.period_key(f.period), f.id), reverse=True)


def overview_view(state: Ledgered, subject: str | None = None, story: str | None = None) -> OverviewView:
    snap = state.snapshot()
    in_story = {v.id for v in snap.variables if not story or v.story == story}
    rows = [r for r in snap.overview if (not subject or r["subject"] == subject) and r["id"] in in_story]
    conflicts = _filtered_conflicts(snap, subject, story)
    latest = conflicts[:OVERVIEW_CONFLICTS]
    counts = present.counts(state.ledger.stats().documents, snap.statements.values(), len(snap.variables),
                            snap.findings)
    return OverviewView(
        subject=subject, story=story, rows=rows, counts=counts, conflicts=latest, conflicts_total=len(conflicts),
        sentences={f.id: present.finding_sentence(f, snap.statements) for f in latest}, titles=snap.titles,
    )


def variables_view(state: Ledgered, filters: dict[str, str | None], matching: Sequence[Variable], limit: int,
                   offset: int) -> VariablesView:
    """``matching``: the variables that pass ``filters`` (the app keeps them per ledger state)."""
    snap = state.snapshot()
    found = list(matching)
    rows = {r["id"]: r for r in snap.overview}
    out = []
    for v in found[offset : offset + limit]:
        row = rows.get(v.id, {})
        out.append({**v.to_dict(), "title": snap.titles.get(v.id, present.variable_title(v)),
                    "sources": row.get("sources"), "conflicts": row.get("conflicts"),
                    "estimate": row.get("estimate"), "shown": row.get("shown")})
    return VariablesView(filters=filters, rows=out, total=len(found), limit=limit, offset=offset)


@dataclass(slots=True)
class ConflictsView:
    """Every conflict (for the filters), latest first: the two sides, the gap and why, as a table."""

    subject: str | None
    story: str | None
    conflicts: list[Finding]
    rows: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    def context(self) -> dict[str, Any]:
        return {**_fields(self), "variable_link": lambda row: "/variables/" + quote(str(row["variable"]), safe="")}

    def to_json(self) -> dict[str, Any]:
        items = [{**f.to_dict(), **row} for f, row in zip(self.conflicts, self.rows, strict=True)]
        return _paged(items, self.total, self.limit, self.offset)


def conflicts_view(state: Ledgered, subject: str | None, story: str | None, limit: int, offset: int) -> ConflictsView:
    from crosscount.report import conflict_table_row

    snap = state.snapshot()
    found = _filtered_conflicts(snap, subject, story)
    shown = found[offset : offset + limit]
    rows = [conflict_table_row(f, snap.statements, snap.titles) for f in shown]
    return ConflictsView(subject=subject, story=story, conflicts=shown, rows=rows, total=len(found), limit=limit,
                         offset=offset)


@dataclass(slots=True)
class VariableView:
    """One variable: its estimates, its timeline chart, its statements (with their evidence) and findings."""

    var: Variable
    title: str
    statements: list[Statement]
    rows: list[dict[str, Any]]  # the statements as the page shows them
    findings: list[Finding]  # every finding of the variable, estimates too
    finding_rows: list[dict[str, Any]]  # the findings but estimates, most telling first
    estimates: list[dict[str, Any]]  # latest first
    latest: dict[str, Any] | None
    chart: str
    chart_height: int
    chart_key: dict[str, int]

    def context(self) -> dict[str, Any]:
        out = _fields(self)
        out["findings"] = self.finding_rows
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "variable": {**self.var.to_dict(), "title": self.title},
            "statements": [s.to_dict() for s in self.statements],
            "findings": [f.to_dict() for f in self.findings],
            "estimates": self.estimates,
            "latest": self.latest,
            "chart": self.chart_key,
        }


def _edits(ledger: Ledger, docs: Iterable[str]) -> dict[tuple[str, int], list[str]]:
    """What analysts did to each claim of these documents, in words ("confirmed by Ana")."""
    wanted = set(docs)
    human: dict[tuple[str, int], list[str]] = defaultdict(list)
    for fix in corrections(ledger):
        if fix.start is not None and fix.doc in wanted:
            what = {"confirm": "confirmed", "exclude": "left out"}.get(fix.field, f"{fix.field} corrected")
            human[(fix.doc, fix.start)].append(f"{what} by {fix.who}")
    return human


def variable_view(state: Ledgered, variable_id: str) -> VariableView:
    from crosscount import report

    snap = state.snapshot()
    var = snap.var_by_id.get(variable_id)
    if var is None:
        raise NotFound(f"no variable {variable_id!r} in the ledger")
    sts = [snap.statements[i] for i in var.statements if i in snap.statements]
    fs = snap.findings_by_var.get(variable_id, [])
    others = sorted((f for f in fs if f.type != "estimate"), key=lambda f: (FINDING_ORDER.get(f.type, 9), f.id))
    ests = sorted((f for f in fs if f.type == "estimate"), key=lambda f: present.period_key(f.period))
    doc_ids = list(dict.fromkeys(d for s in sts for d, _s, _e in s.claims))
    docs = {d: info for d in doc_ids if (info := state.ledger.document(d)) is not None}
    claims = [c for d in doc_ids[:500] for c in state.ledger.claims(doc=d)]
    sentences = {(c.doc, c.start): (c.sentence, c.figure) for c in claims}
    human = _edits(state.ledger, docs)
    rows = []
    for s in sts:
        row = report.statement_row(s, docs, sentences, snap.statements)
        row["human"] = sorted({h for d, st, _e in s.claims for h in human.get((d, st), [])})
        lo, hi = s.low, s.high
        row["point"] = (lo + hi) / 2 if lo is not None and hi is not None else (lo if lo is not None else hi)
        rows.append(row)
    est_rows = [{**report.estimate_dict(present.estimate_row(f, snap.statements, var.unit)),
                 "tooltip": present.finding_title(f)} for f in ests]
    chart = chart_json(snap, variable_id)
    return VariableView(
        var=var, title=snap.titles.get(var.id, present.variable_title(var)), statements=sts, rows=rows,
        findings=list(fs), finding_rows=[report.finding_row(f, snap.statements) for f in others],
        estimates=est_rows[::-1], latest=est_rows[-1] if est_rows else None, chart=chart,
        chart_height=int(json.loads(chart)["layout"].get("height", 400)), chart_key=report.chart_key(var, sts),
    )


# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------


def source_rows(state: Ledgered) -> list[dict[str, Any]]:
    """Every source with its claims, statements, agreements and conflicts."""
    snap = state.snapshot()
    rows = []
    for s in state.ledger.sources():
        counts = snap.source_findings.get(s.name, {})
        rows.append({**s.to_dict(), "agreements": counts.get("agreement", 0), "conflicts": counts.get("conflict", 0)})
    return rows


def sources_view(rows: Sequence[dict[str, Any]], limit: int, offset: int) -> RowsView:
    """Sources: who the figures come from, and how often each agrees or conflicts with another.
    ``rows``: :func:`source_rows` (the app keeps them per ledger state)."""
    return RowsView.cut(rows, limit, offset)


@dataclass(slots=True)
class SourceView:
    """One source: its counts and every statement it makes."""

    row: dict[str, Any]
    statements: list[Statement]
    titles: dict[str, str]

    def context(self) -> dict[str, Any]:
        return _fields(self)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.row,
                "statements": [{**s.to_dict(), "variable_title": self.titles.get(s.variable or "")}
                               for s in self.statements]}


def source_view(state: Ledgered, rows: Sequence[dict[str, Any]], name: str) -> SourceView:
    row = next((r for r in rows if r["name"] == name), None)
    if row is None:
        raise NotFound(f"no source {name!r} in the ledger")
    snap = state.snapshot()
    sts = sorted((s for s in snap.statements.values() if s.source == name),
                 key=lambda s: (s.subject or "", s.measure, s.date or ""))
    return SourceView(row=row, statements=sts, titles=snap.titles)


# ---------------------------------------------------------------------------------------------
# Documents, a document, a claim (the evidence page)
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class DocumentsView:
    """A page of the documents that pass the filters, newest first, each with its claim count."""

    filters: dict[str, Any]
    rows: list[dict[str, Any]]  # {"doc": Document, "claims": int}
    total: int
    limit: int
    offset: int

    def context(self) -> dict[str, Any]:
        return _fields(self)

    def to_json(self) -> dict[str, Any]:
        items = []
        for r in self.rows:
            d: Document = r["doc"]
            row = d.to_dict()
            row.pop("text")
            items.append({**row, "length": len(d.text), "claims": r["claims"]})
        return _paged(items, self.total, self.limit, self.offset)


def documents_view(state: Ledgered, filters: dict[str, Any], limit: int, offset: int) -> DocumentsView:
    """``filters``: outlet, since, until, story and has_claims (True, False or None) as the ledger takes them."""
    docs = state.ledger.documents(**filters, limit=limit, offset=offset, newest_first=True)
    total = state.ledger.count_documents(**filters)
    counts = state.ledger.claim_counts([d.id for d in docs])  # one query for the page, not one per row
    rows = [{"doc": d, "claims": counts[d.id]} for d in docs]
    return DocumentsView(filters=filters, rows=rows, total=total, limit=limit, offset=offset)


@dataclass(slots=True)
class DocumentView:
    """One article: its text with every claimed figure marked, its claims, and what analysts did."""

    doc: Document
    claims: list[Claim]
    pieces: list[tuple[str, Claim | None]]
    fixes: list[Correction]
    excluded: Correction | None
    corrected: set[int]

    def context(self) -> dict[str, Any]:
        return _fields(self)

    def to_json(self) -> dict[str, Any]:
        return {**self.doc.to_dict(), "claims": [c.to_dict() for c in self.claims],
                "corrections": [c.to_dict() for c in self.fixes],
                "excluded": self.excluded is not None}


def document_view(state: Ledgered, doc: str) -> DocumentView:
    document = state.ledger.document(doc)
    if document is None:
        raise NotFound(f"no document {doc!r} in the ledger")
    claims = state.ledger.claims(doc=doc)
    fixes = corrections(state.ledger, doc)
    excluded = next((c for c in fixes if c.start is None and c.field == "exclude"), None)
    return DocumentView(doc=document, claims=claims, pieces=highlight_all(document, claims), fixes=fixes,
                        excluded=excluded, corrected={c.start for c in fixes if c.start is not None})


@dataclass(slots=True)
class ClaimView:
    """The evidence page: one figure in its article (figure, source and date words marked), the claim,
    the statement it belongs to, the other outlets carrying it, and the analysts' corrections."""

    doc: Document
    claim: Claim
    pieces: list[tuple[str, str | None]]
    found: dict[str, Any]
    statement: Statement | None
    others: list[dict[str, Any]]
    var: Variable | None
    var_title: str | None
    fixes: list[Correction]  # newest first, replaced ones too
    excluded: bool

    def context(self) -> dict[str, Any]:
        return _fields(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim.to_dict(with_rules=True),
            "statement": self.statement.to_dict() if self.statement else None,
            "variable": {"id": self.var.id, "title": self.var_title} if self.var else None,
            "others": [{"doc": o["doc"], "start": o["start"], "outlet": o["outlet"] or o["info"]["outlet"],
                        "published": o["info"]["published"]} for o in self.others],
            "highlights": {"source": self.found["source"], "dates": list(self.found["dates"])},
            "corrections": [c.to_dict() for c in self.fixes],
            "excluded": self.excluded,
        }


def find_claim(ledger: Ledger, doc: str, start: int) -> tuple[Document, Claim]:
    document = ledger.document(doc)
    if document is None:
        raise NotFound(f"no document {doc!r} in the ledger")
    claim = next((c for c in ledger.claims(doc=doc) if c.start == start), None)
    if claim is None:
        raise NotFound(f"document {doc!r} has no claim at offset {start}")
    return document, claim


def claim_view(state: Ledgered, doc: str, start: int) -> ClaimView:
    document, claim = find_claim(state.ledger, doc, start)
    pieces, found = highlight_claim(document, claim)
    snap = state.snapshot()
    st_id = snap.statement_of_claim.get((doc, start))
    statement = snap.statements.get(st_id) if st_id else None
    others = []
    if statement is not None:
        outlets = (list(statement.outlets) + [None] * len(statement.claims))[: len(statement.claims)]
        for (d, s, _e), outlet in zip(statement.claims, outlets, strict=True):
            if (d, s) != (doc, start):
                info = state.ledger.document(d)
                others.append({"doc": d, "start": s, "outlet": outlet, "info": {
                    "label": (info.title or info.id) if info else d, "outlet": info.outlet if info else None,
                    "published": info.published if info else None}})
    var = snap.var_by_id.get(statement.variable or "") if statement else None
    fixes = [c for c in corrections(state.ledger, doc, history=True) if c.start in (start, None)]
    return ClaimView(
        doc=document, claim=claim, pieces=pieces, found=found, statement=statement, others=others, var=var,
        var_title=snap.titles.get(var.id) if var else None, fixes=fixes[::-1],
        excluded=any(c.active and c.field == "exclude" for c in fixes),
    )


# ---------------------------------------------------------------------------------------------
# Stories, search, corrections
# ---------------------------------------------------------------------------------------------


def stories_view(state: Ledgered, limit: int, offset: int) -> RowsView:
    """The stories: the events the documents report, with their generated names."""
    return RowsView.cut([s.to_dict() for s in state.ledger.stories()], limit, offset)


@dataclass(slots=True)
class SearchView:
    """Sources, subjects and documents with the query as a whole word."""

    q: str
    hits: list[SearchHit]
    limit: int

    @property
    def groups(self) -> dict[str, list[SearchHit]]:
        out: dict[str, list[SearchHit]] = {"source": [], "subject": [], "document": []}
        for h in self.hits:
            out.setdefault(h.kind, []).append(h)
        return out

    def context(self) -> dict[str, Any]:
        return {"q": self.q, "groups": self.groups, "total": len(self.hits), "limit": self.limit}

    def to_json(self) -> dict[str, Any]:
        return _paged([h.to_dict() for h in self.hits], len(self.hits), self.limit, 0)


def search_view(state: Ledgered, q: str, limit: int) -> SearchView:
    return SearchView(q=q, hits=state.ledger.search(q, limit=limit) if q.strip() else [], limit=limit)


@dataclass(slots=True)
class CorrectionsView:
    """The analysts' corrections (with ``history``, the replaced ones too), newest first."""

    doc: str | None
    history: bool
    fixes: list[Correction]
    total: int
    limit: int
    offset: int

    def context(self) -> dict[str, Any]:
        return _fields(self)

    def to_json(self) -> dict[str, Any]:
        return _paged([c.to_dict() for c in self.fixes], self.total, self.limit, self.offset)


def corrections_view(state: Ledgered, doc: str | None, history: bool, limit: int, offset: int) -> CorrectionsView:
    found = corrections(state.ledger, doc, history=history)[::-1]
    return CorrectionsView(doc=doc, history=history, fixes=found[offset : offset + limit], total=len(found),
                           limit=limit, offset=offset)


# ---------------------------------------------------------------------------------------------
# Marking an article: the figure, its source words and date words
# ---------------------------------------------------------------------------------------------


def _locate(text: str, needle: str | None, around: int, lo: int = 0, hi: int | None = None) -> int | None:
    """The start of the occurrence of ``needle`` in text[lo:hi] nearest to ``around`` (case-insensitive)."""
    if not needle:
        return None
    hay = text.lower()
    sub = needle.lower()
    hi = len(text) if hi is None else hi
    best: int | None = None
    at = hay.find(sub, lo)
    while at >= 0 and at + len(sub) <= hi:
        if best is None or abs(at - around) < abs(best - around):
            best = at
        at = hay.find(sub, at + 1)
    return best


def highlight_claim(doc: Document, claim: Claim) -> tuple[list[tuple[str, str | None]], dict[str, Any]]:
    """The article cut into (text, css class) pieces: the figure, its source words and date words marked.

    Returns the pieces and what was found (the sentence bounds and each highlight's words).
    """
    body = doc.text
    marks: list[tuple[int, int, str]] = []
    fig_start, fig_end = max(0, claim.start), min(len(body), claim.end)
    marks.append((fig_start, fig_end, "figure"))
    sent_start = sent_end = None
    if claim.sentence:
        at = _locate(body, claim.sentence, fig_start, max(0, fig_start - len(claim.sentence)), None)
        if at is not None and at <= fig_start <= at + len(claim.sentence):
            sent_start, sent_end = at, at + len(claim.sentence)
    lo = sent_start if sent_start is not None else max(0, fig_start - 400)
    hi = sent_end if sent_end is not None else min(len(body), fig_end + 400)
    found: dict[str, Any] = {"sentence": (sent_start, sent_end), "source": None, "dates": []}

    def free(s: int, e: int) -> bool:
        return all(e <= ms or s >= me for ms, me, _ in marks)

    src = _locate(body, claim.source_text, fig_start, lo, hi)
    if src is None:  # the source may be named in a neighbouring sentence
        src = _locate(body, claim.source_text, fig_start, max(0, fig_start - 800), min(len(body), fig_end + 800))
    if src is not None and claim.source_text and free(src, src + len(claim.source_text)):
        marks.append((src, src + len(claim.source_text), "source"))
        found["source"] = body[src : src + len(claim.source_text)]
    try:
        from crosscount.dates import find_time_mentions, parse_published

        ref = parse_published(claim.published or doc.published or "") if (claim.published or doc.published) else None
        mentions = find_time_mentions(body[lo:hi], ref)
    except Exception:  # dates are a nicety here; a page must not fail for them
        mentions = []
    wanted = [m for m in mentions if claim.as_of and m.value == claim.as_of] or mentions
    for m in wanted:
        s, e = lo + m.start, lo + m.end
        if free(s, e):
            marks.append((s, e, "date"))
            found["dates"].append(m.text)
    marks.sort()
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    for s, e, cls in marks:
        if s > pos:
            pieces.append((body[pos:s], None))
        pieces.append((body[s:e], cls))
        pos = e
    if pos < len(body):
        pieces.append((body[pos:], None))
    return pieces, found


def highlight_all(doc: Document, claims: Sequence[Claim]) -> list[tuple[str, Claim | None]]:
    """The article cut into plain text and claimed figures (for a document page)."""
    pieces: list[tuple[str, Claim | None]] = []
    pos = 0
    for c in sorted(claims, key=lambda c: (c.start, c.end)):
        if c.start < pos or c.end > len(doc.text):
            continue
        if c.start > pos:
            pieces.append((doc.text[pos : c.start], None))
        pieces.append((doc.text[c.start : c.end], c))
        pos = c.end
    if pos < len(doc.text):
        pieces.append((doc.text[pos:], None))
    return pieces

