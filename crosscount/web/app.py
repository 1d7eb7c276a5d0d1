"""The web app: the ledger's views served live, a JSON API behind them, and uploads.

``create_app(db)`` builds a FastAPI application over one ledger. Pages are rendered on the
server with Jinja2 (autoescaped: article text, names and figures always show as text); the
only script is the package's own ``static/app.js`` plus plotly's JavaScript, served from the
plotly package and cached by the browser. Every page has a JSON twin under ``/api``, and
every bad request to the API gets one error shape: ``{"ok": false, "error": "...", "status": N}``.

What is expensive to compute from the ledger (all statements, variables and findings, the
overview's estimates, the charts) is cached per ledger state: the state is the SQLite file's
(and its WAL's) modification stamp plus a counter the app bumps on its own writes, so a
write by another process (``crosscount analyze``) is seen on the next request.

Uploads are parsed at once (a bad file is refused with a clear message and nothing is
written), then extracted, stored and reconciled by one background worker; ``/api/jobs/{id}``
reports progress.
"""

from __future__ import annotations

import gzip
import hmac
import html
import json
import re
import tempfile
import threading
import time
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from crosscount import __version__, present
from crosscount.errors import CrosscountError, LedgerError
from crosscount.ingest import IngestProblem, iter_documents
from crosscount.ledger import Ledger
from crosscount.models import Claim, Document, Finding, Statement, Variable, text_hash
from crosscount.reconcile import Reconciliation, fmt_num, fmt_value

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "WebError", "create_app"]

DEFAULT_MAX_UPLOAD_BYTES = 5_000_000
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
OVERVIEW_CONFLICTS = 50  # the latest conflicts listed on the overview; the API has them all
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".csv")

_HERE = Path(__file__).resolve().parent
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_PERIOD_DATE = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)")
_T = TypeVar("_T")


class CorrectionIn(BaseModel):
    """A correction sent to the API: which claim (or document), which field, the new value, who and why."""

    doc: str
    start: int | None = None
    field: str
    value: str | None = None
    who: str
    why: str | None = None


class WebError(CrosscountError):
    """A request the app refuses: a bad parameter, a missing record, a bad upload, no token."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------------------------------------
# Cached views of the ledger
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
    charts: dict[str, str] = field(default_factory=dict)

    def rec_for(self, variable_id: str) -> Reconciliation:
        """A Reconciliation holding one variable, its statements and findings (what charts need)."""
        var = self.var_by_id[variable_id]
        findings = self.findings_by_var.get(variable_id, [])
        ids = list(dict.fromkeys([*var.statements, *(i for f in findings for i in f.statements)]))
        sts = [self.statements[i] for i in ids if i in self.statements]
        return Reconciliation(statements=sts, variables=[var], findings=findings)


def period_key(period: str | None) -> tuple[int, str]:
    """Order periods so that the latest dated one sorts last and undated ones first."""
    m = _PERIOD_DATE.match(period or "")
    return (1, m.group(1)) if m else (0, period or "")


def var_title(var: Variable) -> str:
    return present.variable_title(var)


def _shown(row: present.EstimateRow) -> dict[str, str]:
    """An estimate as the pages show it: open bounds as ≥ / ≤, the period and best figure's source in words."""
    return {"period": row.period, "low": row.low, "best": row.best, "high": row.high, "best_by": row.best_by,
            "sentence": row.sentence}


def _build_snapshot(ledger: Ledger) -> Snapshot:
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
    overview = []
    for var in variables:
        fs = by_var.get(var.id, [])
        estimates = sorted((f for f in fs if f.type == "estimate"), key=lambda f: period_key(f.period))
        latest = estimates[-1] if estimates else None
        sources = {statements[i].source for i in var.statements if i in statements}
        overview.append(
            {
                "id": var.id,
                "title": var_title(var),
                "subject": var.subject,
                "measure": var.measure,
                "location": var.location,
                "unit": var.unit,
                "statements": len(var.statements),
                "sources": len(sources),
                "conflicts": sum(1 for f in fs if f.type == "conflict"),
                "estimate": None
                if latest is None
                else {
                    "period": latest.period,
                    "low": latest.low,
                    "best": latest.best,
                    "high": latest.high,
                    "rule": latest.rule,
                },
                "shown": None if latest is None else _shown(present.estimate_row(latest, statements, var.unit)),
            }
        )
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
        overview=overview,
        conflicts=[f for f in findings if f.type == "conflict"],
        source_findings=dict(per_source),
    )


def _chart_json(snap: Snapshot, variable_id: str) -> str:
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


# ---------------------------------------------------------------------------------------------
# Background jobs
# ---------------------------------------------------------------------------------------------


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
    claims_added: int = 0
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "status": self.status,
            "total": self.total,
            "done": self.done,
            "documents": list(self.documents),
            "skipped": list(self.skipped),
            "claims_added": self.claims_added,
            "error": self.error,
            "finished": self.status in ("done", "failed"),
        }


# ---------------------------------------------------------------------------------------------
# The state behind one app
# ---------------------------------------------------------------------------------------------


class WebState:
    """The ledger, its cached views, the upload worker and its jobs."""

    def __init__(self, db: str, token: str | None, max_upload_bytes: int) -> None:
        self.db = db
        self.ledger = Ledger(db)
        self.token = token or None
        self.max_upload_bytes = max_upload_bytes
        self._files = self._watched_files()
        self._version = 0
        self._lock = threading.Lock()
        self._snapshot: tuple[object, Snapshot] | None = None
        self._lists: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()
        self.jobs: dict[str, Job] = {}
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crosscount-web-job")
        self._extractor: Any = None

    def _watched_files(self) -> list[Path]:
        if self.ledger.backend != "sqlite":
            return []
        database = self.ledger.engine.url.database
        if not database or database == ":memory:":
            return []
        path = Path(database)
        return [path, path.with_name(path.name + "-wal")]

    def state_key(self) -> object:
        """Changes whenever the ledger may have changed."""
        stamps: list[Any] = [self._version]
        if self._files:
            for path in self._files:
                try:
                    st = path.stat()
                    stamps.append((st.st_mtime_ns, st.st_size))
                except OSError:
                    stamps.append(None)
        elif self.ledger.backend != "sqlite":
            stamps.append(int(time.monotonic() // 5))  # a shared server: look again every 5 s
        return tuple(stamps)

    def changed(self) -> None:
        with self._lock:
            self._version += 1
            self._snapshot = None
            self._lists.clear()

    def snapshot(self) -> Snapshot:
        key = self.state_key()
        current = self._snapshot
        if current is not None and current[0] == key:
            return current[1]
        with self._lock:
            current = self._snapshot
            if current is not None and current[0] == key:
                return current[1]
            snap = _build_snapshot(self.ledger)
            self._snapshot = (key, snap)
            self._lists.clear()
            return snap

    def cached_list(self, name: str, params: dict[str, Any], fetch: Callable[[], list[_T]]) -> list[_T]:
        """A filtered list kept per ledger state (a small LRU), so pages of it can be counted and cut."""
        key = (self.state_key(), name, tuple(sorted(params.items())))
        with self._lock:
            hit = self._lists.get(key)
            if hit is not None:
                self._lists.move_to_end(key)
                return hit
        items = fetch()
        with self._lock:
            self._lists[key] = items
            while len(self._lists) > 256:
                self._lists.popitem(last=False)
        return items

    def warm(self) -> None:
        with suppress(CrosscountError):  # a broken ledger is reported by the first request instead
            self.snapshot()

    def extractor(self) -> Any:
        if self._extractor is None:
            from crosscount.extract import Extractor

            self._extractor = Extractor()
        return self._extractor

    def close(self) -> None:
        self.worker.shutdown(wait=True, cancel_futures=True)
        self.ledger.close()


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _check_date(name: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _DATE.match(value):
        raise WebError(400, f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    return value


def _blank(value: str | None) -> str | None:
    """Empty query parameters (a form's empty field) mean "no filter"."""
    return value if value not in (None, "") else None


def _page(items: Sequence[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"items": list(items), "total": total, "limit": limit, "offset": offset}


def _num(x: float | None) -> str:
    return fmt_num(x) if x is not None else "–"


def _value(low: float | None, high: float | None, unit: str) -> str:
    return fmt_value(low, high, unit)


def _highlight(text: object, q: str) -> Markup:
    """Text with each whole-word match of ``q`` in <mark class="hit">, everything else escaped."""
    raw = str(text or "")
    q = (q or "").strip()
    if not q:
        return Markup(html.escape(raw))
    word = re.compile(r"(?<!\w)" + re.escape(q) + r"(?!\w)", re.IGNORECASE)
    out, pos = [], 0
    for m in word.finditer(raw):
        out.append(html.escape(raw[pos : m.start()]))
        out.append(f'<mark class="hit">{html.escape(m.group(0))}</mark>')
        pos = m.end()
    out.append(html.escape(raw[pos:]))
    return Markup("".join(out))


def _pq(value: object) -> str:
    """A value quoted for one path segment (slashes too)."""
    return quote(str(value), safe="")


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


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return base[-120:]


def _is_loopback_origin(origin: str, host: str | None) -> bool:
    parts = urlsplit(origin)
    return bool(host) and parts.netloc == host


# ---------------------------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------------------------


def create_app(
    db: str, *, token: str | None = None, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
) -> FastAPI:
    """The web app over the ledger at ``db`` (a SQLite path or a database URL).

    ``token``: when set, writes (upload, delete) need ``Authorization: Bearer <token>`` or a
    ``token`` form field. ``max_upload_bytes`` bounds one upload (file or pasted text).
    """
    state = WebState(db, token, max_upload_bytes)
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # build the cached views while the first visitor is on the way
        threading.Thread(target=state.warm, name="crosscount-web-warm", daemon=True).start()
        yield
        state.close()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # served below from the packaged Swagger UI and ReDoc: no CDN, works offline
        redoc_url=None,
        title="crosscount",
        version=__version__,
        description=(
            "Who says how many, as of when, and where the sources disagree. Lists are paged with "
            f"`limit` (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}) and `offset`, and answer "
            '`{"items": [...], "total": N, "limit": L, "offset": O}`. Every error answers '
            '`{"ok": false, "error": "...", "status": N}`.'
        ),
    )
    app.state.web = state
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    env = templates.env
    env.filters["num"] = _num
    env.filters["pq"] = _pq
    env.filters["hl"] = _highlight
    env.globals["value"] = present.value
    env.globals["plural"] = present.plural
    env.globals["date_text"] = present.date_text
    env.globals["when"] = present.when
    env.globals["statement_when"] = present.statement_when
    env.globals["source_name"] = present.source_name
    env.globals["outlet_name"] = present.outlet_name
    env.globals["period_text"] = present.period_text
    env.globals["version"] = __version__
    env.globals["plotly_version"] = _plotly_version()
    env.globals["needs_token"] = state.token is not None

    # -- errors -------------------------------------------------------------------------------

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api") or request.url.path == "/openapi.json"

    def error_response(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message, "nav": ""}, status_code=status
        )

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail) if exc.detail else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body"))
            given = err.get("input")
            shown = f" (got {given!r})" if isinstance(given, (str, int, float)) else ""
            parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}{shown}")
        return error_response(request, 422, "; ".join(parts) or "invalid request")

    @app.exception_handler(LedgerError)
    async def _ledger_error(request: Request, exc: LedgerError) -> Response:
        return error_response(request, 500, f"ledger error: {exc}")

    # -- security headers and write checks ----------------------------------------------------

    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            origin = request.headers.get("origin")
            if origin and origin != "null" and not _is_loopback_origin(origin, request.headers.get("host")):
                return error_response(request, 403, f"cross-site write refused (origin {origin})")
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.get("content-type", "").startswith("text/html") and request.url.path not in (
            "/docs",
            "/redoc",
            "/docs/oauth2-redirect",
        ):
            response.headers.setdefault("Content-Security-Policy", csp)
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    def require_token(request: Request, form_token: str | None = None) -> None:
        if state.token is None:
            return
        given = form_token
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        if not given or not hmac.compare_digest(given.encode(), state.token.encode()):
            raise WebError(401, "this server needs its token for writes: send 'Authorization: Bearer <token>' "
                                "or fill in the token field")

    # -- static: plotly's JavaScript from the plotly package ----------------------------------

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        raw, packed = _plotly_bytes()
        headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(packed, media_type="text/javascript; charset=utf-8", headers=headers)
        return Response(raw, media_type="text/javascript; charset=utf-8", headers=headers)

    # -- pages ----------------------------------------------------------------------------------

    def page(request: Request, name: str, nav: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"nav": nav, **context})

    def cached_page(name: str, params: dict[str, Any], build: Callable[[], dict[str, Any]]) -> HTMLResponse:
        """A page rendered once per ledger state (and parameters), then served from memory."""

        def render() -> list[bytes]:
            return [env.get_template(name).render(**build()).encode("utf-8")]

        body = state.cached_list("page:" + name, params, render)[0]
        return HTMLResponse(body)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request, subject: str | None = None, story: str | None = None) -> HTMLResponse:
        subject, story = _blank(subject), _blank(story)

        def build() -> dict[str, Any]:
            snap = state.snapshot()
            in_story = {v.id for v in snap.variables if not story or v.story == story}
            rows = [r for r in snap.overview if (not subject or r["subject"] == subject) and r["id"] in in_story]
            conflicts = [f for f in snap.conflicts
                         if (not subject or f.subject == subject) and (not story or f.story == story)]
            latest = sorted(conflicts, key=lambda f: period_key(f.period), reverse=True)[:OVERVIEW_CONFLICTS]
            stats = state.ledger.stats()
            counts = present.counts(stats.documents, snap.statements.values(), len(snap.variables), snap.findings)
            return {"nav": "overview", "rows": rows, "subject": subject, "story": story, "stats": stats,
                    "counts": counts,
                    "conflicts": latest, "conflicts_total": len(conflicts),
                    "sentences": {f.id: present.finding_sentence(f, snap.statements) for f in latest},
                    "titles": {v.id: var_title(v) for v in snap.variables}}

        return cached_page("overview.html", {"subject": subject, "story": story}, build)

    @app.get("/stories", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(request: Request) -> HTMLResponse:
        return page(request, "stories.html", "stories", rows=_story_rows(state), token=state.token is not None)

    @app.post("/stories/move", include_in_schema=False)
    async def story_move_page(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=4)
        token_value, doc, story = form.get("token"), form.get("doc"), form.get("story")
        require_token(request, token_value if isinstance(token_value, str) else None)
        if not isinstance(doc, str) or not isinstance(story, str) or not doc.strip() or not story.strip():
            raise WebError(400, "moving a document needs its id and the story to move it to")
        await run_in_threadpool(_edit_stories_and_reconcile, state, "move", doc.strip(), story.strip())
        return RedirectResponse("/stories", status_code=303)

    @app.post("/stories/merge", include_in_schema=False)
    async def story_merge_page(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=4)
        token_value, source, target = form.get("token"), form.get("source"), form.get("target")
        require_token(request, token_value if isinstance(token_value, str) else None)
        if not isinstance(source, str) or not isinstance(target, str) or not source.strip() or not target.strip():
            raise WebError(400, "merging needs the story to merge and the story to merge it into")
        await run_in_threadpool(_edit_stories_and_reconcile, state, "merge", source.strip(), target.strip())
        return RedirectResponse("/stories", status_code=303)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: str = "") -> HTMLResponse:
        hits = state.ledger.search(q, limit=20) if q.strip() else []
        groups: dict[str, list[Any]] = {"source": [], "subject": [], "document": []}
        for h in hits:
            groups.setdefault(h.kind, []).append(h)
        return page(request, "search.html", "", q=q, groups=groups, total=len(hits))

    @app.get("/variables/{variable_id}", response_class=HTMLResponse, include_in_schema=False)
    def variable_page(request: Request, variable_id: str) -> HTMLResponse:
        snap = state.snapshot()
        var = snap.var_by_id.get(variable_id)
        if var is None:
            raise WebError(404, f"no variable {variable_id!r} in the ledger")
        def build() -> dict[str, Any]:
            from crosscount import report

            sts = [snap.statements[i] for i in var.statements if i in snap.statements]
            fs = snap.findings_by_var.get(variable_id, [])
            order = {"conflict": 0, "evolution": 1, "revision": 2, "agreement": 3, "check": 4}
            findings = sorted((f for f in fs if f.type != "estimate"), key=lambda f: (order.get(f.type, 9), f.id))
            ests = sorted((f for f in fs if f.type == "estimate"), key=lambda f: period_key(f.period))
            doc_ids = list(dict.fromkeys(d for s in sts for d, _s, _e in s.claims))
            docs = {d: info for d in doc_ids if (info := state.ledger.document(d)) is not None}
            claims = [c for d in doc_ids[:500] for c in state.ledger.claims(doc=d)]
            sentences = {(c.doc, c.start): (c.sentence, c.figure) for c in claims}
            from crosscount.curation import corrections

            human: dict[tuple[str, int], list[str]] = defaultdict(list)
            for fix in corrections(state.ledger):
                if fix.start is not None and fix.doc in docs:
                    what = {"confirm": "confirmed", "exclude": "left out"}.get(fix.field, f"{fix.field} corrected")
                    human[(fix.doc, fix.start)].append(f"{what} by {fix.who}")
            rows = []
            for s in sts:
                row = report.statement_row(s, docs, sentences, snap.statements)
                row["human"] = sorted({h for d, st, _e in s.claims for h in human.get((d, st), [])})
                lo, hi = s.low, s.high
                row["point"] = (lo + hi) / 2 if lo is not None and hi is not None else (lo if lo is not None else hi)
                rows.append(row)
            est_rows = [
                {**report.estimate_dict(present.estimate_row(f, snap.statements, var.unit)),
                 "tooltip": present.finding_title(f)}
                for f in ests
            ]
            chart = _chart_json(snap, variable_id)
            return {"nav": "overview", "var": var, "title": var_title(var), "rows": rows,
                    "findings": [report.finding_row(f, snap.statements) for f in findings],
                    "estimates": est_rows[::-1], "latest": est_rows[-1] if est_rows else None,
                    "chart": chart, "chart_height": json.loads(chart)["layout"].get("height", 400),
                    "chart_key": report.chart_key(var, sts), "plural": present.plural}

        return cached_page("variable.html", {"id": variable_id}, build)

    @lru_cache(maxsize=4096)
    def _doc_label_cached(doc_id: str, key: object) -> dict[str, Any]:
        d = state.ledger.document(doc_id)
        if d is None:
            return {"id": doc_id, "label": doc_id, "outlet": None, "published": None, "exists": False}
        return {"id": doc_id, "label": d.title or d.id, "outlet": d.outlet, "published": d.published,
                "exists": True}

    def state_doc_label(doc_id: str) -> dict[str, Any]:
        return _doc_label_cached(doc_id, state.state_key())

    @app.get("/claims/{doc:path}/{start:int}", response_class=HTMLResponse, include_in_schema=False)
    def evidence_page(request: Request, doc: str, start: int) -> HTMLResponse:
        document, claim = _find_claim(doc, start)
        pieces, found = highlight_claim(document, claim)
        snap = state.snapshot()
        st_id = snap.statement_of_claim.get((doc, start))
        statement = snap.statements.get(st_id) if st_id else None
        others = []
        if statement is not None:
            for (d, s, _e), outlet in zip(statement.claims, _pad(statement.outlets, len(statement.claims)),
                                           strict=True):
                if (d, s) != (doc, start):
                    others.append({"doc": d, "start": s, "outlet": outlet, "info": state_doc_label(d)})
        var = snap.var_by_id.get(statement.variable or "") if statement else None
        from crosscount.curation import corrections

        fixes = [c for c in corrections(state.ledger, doc, history=True) if c.start in (start, None)]
        return page(
            request, "evidence.html", "documents", doc=document, claim=claim, pieces=pieces, found=found,
            statement=statement, others=others, var=var, var_title=var_title(var) if var else None,
            fixes=fixes[::-1], excluded=any(c.active and c.field == "exclude" for c in fixes),
        )

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def sources_page(request: Request) -> HTMLResponse:
        snap = state.snapshot()
        rows = _source_rows(state, snap)
        return page(request, "sources.html", "sources", rows=rows)

    @app.get("/sources/{name:path}", response_class=HTMLResponse, include_in_schema=False)
    def source_page(request: Request, name: str) -> HTMLResponse:
        snap = state.snapshot()
        row = next((r for r in _source_rows(state, snap) if r["name"] == name), None)
        if row is None:
            raise WebError(404, f"no source {name!r} in the ledger")
        sts = [s for s in snap.statements.values() if s.source == name]
        sts.sort(key=lambda s: (s.subject or "", s.measure, s.date or ""))
        titles = {v.id: var_title(v) for v in snap.variables}
        return page(request, "source.html", "sources", row=row, statements=sts, titles=titles)

    @app.get("/documents", response_class=HTMLResponse, include_in_schema=False)
    def documents_page(
        request: Request,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        story: str | None = None,
        has_claims: str | None = None,
        offset: int = Query(0, ge=0),
        limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    ) -> HTMLResponse:
        filters: dict[str, Any] = {"outlet": _blank(outlet), "since": _check_date("since", since),
                                   "until": _check_date("until", until), "story": _blank(story)}
        only = True if has_claims else None
        docs = state.ledger.documents(**filters, has_claims=only, limit=limit, offset=offset, newest_first=True)
        total = state.ledger.count_documents(**filters, has_claims=only)
        rows = [{"doc": d, "claims": state.ledger.count_claims(doc=d.id)} for d in docs]
        base = {k: v for k, v in {**filters, "has_claims": "1" if has_claims else None}.items() if v}
        filters["has_claims"] = bool(has_claims)
        prev_url = next_url = None
        if offset > 0:
            prev_url = "/documents?" + urlencode({**base, "offset": max(0, offset - limit), "limit": limit})
        if offset + limit < total:
            next_url = "/documents?" + urlencode({**base, "offset": offset + limit, "limit": limit})
        return page(
            request, "documents.html", "documents", rows=rows, total=total, filters=filters, offset=offset,
            limit=limit, prev_url=prev_url, next_url=next_url, error=None, form={},
            jobs=sorted(state.jobs.values(), key=lambda j: -j.created)[:5],
        )

    @app.post("/documents", response_class=HTMLResponse, include_in_schema=False)
    async def upload_page(request: Request) -> Response:
        fields: dict[str, str] = {}
        try:
            job = await _accept_upload(request, state, fields, require_token)
        except WebError as err:
            docs = state.ledger.documents(limit=DEFAULT_LIMIT, newest_first=True)
            rows = [{"doc": d, "claims": state.ledger.count_claims(doc=d.id)} for d in docs]
            return templates.TemplateResponse(
                request, "documents.html",
                {"nav": "documents", "rows": rows, "total": state.ledger.count_documents(),
                 "filters": {}, "offset": 0, "limit": DEFAULT_LIMIT, "prev_url": None, "next_url": None,
                 "error": err.message, "form": fields, "jobs": []},
                status_code=err.status,
            )
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: str) -> HTMLResponse:
        job = state.jobs.get(job_id)
        if job is None:
            raise WebError(404, f"no job {job_id!r} (jobs are kept while the server runs)")
        return page(request, "job.html", "documents", job=job.to_dict())

    @app.get("/documents/{doc:path}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(request: Request, doc: str) -> HTMLResponse:
        document = state.ledger.document(doc)
        if document is None:
            raise WebError(404, f"no document {doc!r} in the ledger")
        claims = state.ledger.claims(doc=doc)
        from crosscount.curation import corrections

        fixes = corrections(state.ledger, doc)
        excluded = next((c for c in fixes if c.start is None and c.field == "exclude"), None)
        return page(request, "document.html", "documents", doc=document, claims=claims,
                    pieces=highlight_all(document, claims), excluded=excluded,
                    corrected={c.start for c in fixes if c.start is not None})

    @app.post("/documents/{doc:path}/delete", include_in_schema=False)
    async def delete_page(request: Request, doc: str) -> Response:
        form = await request.form(max_files=0, max_fields=4)
        token_value = form.get("token")
        require_token(request, token_value if isinstance(token_value, str) else None)
        await run_in_threadpool(_delete_and_reconcile, state, doc)
        return RedirectResponse("/documents", status_code=303)

    # -- the JSON API ---------------------------------------------------------------------------

    Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"page size, 1 to {MAX_LIMIT}")
    Offset = Query(0, ge=0, description="items to skip")

    @app.get("/api/claims", tags=["claims"])
    def api_claims(
        subject: str | None = None,
        measure: str | None = None,
        source: str | None = None,
        since: str | None = Query(None, description="YYYY, YYYY-MM or YYYY-MM-DD (as-of, else published)"),
        until: str | None = Query(None, description="YYYY, YYYY-MM or YYYY-MM-DD"),
        doc: str | None = None,
        story: str | None = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """Claims: one figure in one document, with its source and as-of date."""
        filters = {"subject": _blank(subject), "measure": _blank(measure), "source": _blank(source),
                   "since": _check_date("since", since), "until": _check_date("until", until),
                   "doc": _blank(doc), "story": _blank(story)}
        items = state.ledger.claims(**filters, limit=limit, offset=offset)
        total = state.ledger.count_claims(**filters)
        return _page([c.to_dict(with_rules=True) for c in items], total, limit, offset)

    @app.get("/api/claims/{doc:path}/{start:int}", tags=["claims"])
    def api_claim(doc: str, start: int) -> dict[str, Any]:
        """One claim (by document and figure offset) with the statement it belongs to."""
        _document, claim = _find_claim(doc, start)
        snap = state.snapshot()
        st_id = snap.statement_of_claim.get((doc, start))
        statement = snap.statements.get(st_id) if st_id else None
        return {"claim": claim.to_dict(with_rules=True),
                "statement": statement.to_dict() if statement else None}

    def listed(name: str, params: dict[str, Any], fetch: Callable[[], list[Any]], limit: int,
               offset: int) -> dict[str, Any]:
        items = state.cached_list(name, params, fetch)
        return _page([i.to_dict() for i in items[offset : offset + limit]], len(items), limit, offset)

    @app.get("/api/statements", tags=["statements"])
    def api_statements(
        subject: str | None = None,
        measure: str | None = None,
        source: str | None = None,
        location: str | None = None,
        since: str | None = None,
        until: str | None = None,
        story: str | None = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """Statements: one assertion of one source, with every outlet that carries it."""
        f: dict[str, Any] = {"subject": _blank(subject), "measure": _blank(measure), "source": _blank(source),
             "location": _blank(location), "since": _check_date("since", since),
             "until": _check_date("until", until), "story": _blank(story)}
        return listed("statements", f, lambda: state.ledger.statements(**f), limit, offset)

    @app.get("/api/statements/{statement_id}", tags=["statements"])
    def api_statement(statement_id: str) -> dict[str, Any]:
        st = state.snapshot().statements.get(statement_id)
        if st is None:
            raise WebError(404, f"no statement {statement_id!r} in the ledger")
        return st.to_dict()

    @app.get("/api/variables", tags=["variables"])
    def api_variables(
        subject: str | None = None,
        measure: str | None = None,
        location: str | None = None,
        story: str | None = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """Variables (subject × measure × location × unit) with their latest estimate."""
        f: dict[str, Any] = {"subject": _blank(subject), "measure": _blank(measure), "location": _blank(location),
                             "story": _blank(story)}
        snap = state.snapshot()
        rows = {r["id"]: r for r in snap.overview}
        items = state.cached_list("variables", f, lambda: state.ledger.variables(**f))
        out = []
        for v in items[offset : offset + limit]:
            row = rows.get(v.id, {})
            out.append({**v.to_dict(), "title": var_title(v), "sources": row.get("sources"),
                        "conflicts": row.get("conflicts"), "estimate": row.get("estimate")})
        return _page(out, len(items), limit, offset)

    @app.get("/api/variables/{variable_id}", tags=["variables"])
    def api_variable(variable_id: str) -> dict[str, Any]:
        """One variable with its timeline of statements and its findings."""
        snap = state.snapshot()
        var = snap.var_by_id.get(variable_id)
        if var is None:
            raise WebError(404, f"no variable {variable_id!r} in the ledger")
        return {
            "variable": {**var.to_dict(), "title": var_title(var)},
            "statements": [snap.statements[i].to_dict() for i in var.statements if i in snap.statements],
            "findings": [f.to_dict() for f in snap.findings_by_var.get(variable_id, [])],
        }

    @app.get("/api/findings", tags=["findings"])
    def api_findings(
        type: str | None = Query(None, description="conflict, evolution, revision, check, estimate, agreement"),
        subject: str | None = None,
        measure: str | None = None,
        variable: str | None = None,
        rule: str | None = None,
        story: str | None = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """Findings: conflicts, agreements, evolutions, checks (with arithmetic) and estimates."""
        f: dict[str, Any] = {"type": _blank(type), "subject": _blank(subject), "measure": _blank(measure),
             "variable": _blank(variable), "rule": _blank(rule), "story": _blank(story)}
        return listed("findings", f, lambda: state.ledger.findings(**f), limit, offset)

    @app.get("/api/documents", tags=["documents"])
    def api_documents(
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        story: str | None = None,
        has_claims: bool | None = Query(None, description="true: only documents with claims; false: without"),
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """Documents, newest first (undated last; text left out: ask for one document to get it)."""
        f: dict[str, Any] = {"outlet": _blank(outlet), "since": _check_date("since", since),
                             "until": _check_date("until", until), "story": _blank(story), "has_claims": has_claims}
        docs = state.ledger.documents(**f, limit=limit, offset=offset, newest_first=True)
        items = []
        for d in docs:
            row = d.to_dict()
            row.pop("text")
            row["length"] = len(d.text)
            items.append(row)
        return _page(items, state.ledger.count_documents(**f), limit, offset)

    @app.get("/api/documents/{doc:path}", tags=["documents"])
    def api_document(doc: str) -> dict[str, Any]:
        document = state.ledger.document(doc)
        if document is None:
            raise WebError(404, f"no document {doc!r} in the ledger")
        return {**document.to_dict(), "claims": [c.to_dict() for c in state.ledger.claims(doc=doc)]}

    @app.delete("/api/documents/{doc:path}", tags=["documents"])
    def api_delete_document(request: Request, doc: str) -> dict[str, Any]:
        """Delete a document and its claims, then reconcile again (needs the token when one is set)."""
        require_token(request)
        _delete_and_reconcile(state, doc)
        return {"ok": True, "deleted": doc}

    @app.post("/api/documents", tags=["documents"], status_code=202)
    async def api_upload(request: Request) -> dict[str, Any]:
        """Upload a file (`file`: .txt, .md, .html, .jsonl, .csv) or pasted `text`, with optional
        `outlet`, `published`, `title`; answers a job to poll at `/api/jobs/{id}`."""
        job = await _accept_upload(request, state, {}, require_token)
        return job.to_dict()

    @app.get("/api/jobs", tags=["jobs"])
    def api_jobs(limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
        jobs = sorted(state.jobs.values(), key=lambda j: -j.created)
        return _page([j.to_dict() for j in jobs[offset : offset + limit]], len(jobs), limit, offset)

    @app.get("/api/jobs/{job_id}", tags=["jobs"])
    def api_job(job_id: str) -> dict[str, Any]:
        job = state.jobs.get(job_id)
        if job is None:
            raise WebError(404, f"no job {job_id!r} (jobs are kept while the server runs)")
        return job.to_dict()

    @app.get("/api/sources", tags=["sources"])
    def api_sources(limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
        """Sources with their claims, statements, agreements, conflicts, first and last seen."""
        rows = _source_rows(state, state.snapshot())
        return _page(rows[offset : offset + limit], len(rows), limit, offset)

    @app.get("/api/search", tags=["search"])
    def api_search(q: str = Query(..., min_length=1), limit: int = Query(20, ge=1, le=MAX_LIMIT)) -> dict[str, Any]:
        """Sources, subjects and documents matching `q` (limit applies to each kind)."""
        hits = state.ledger.search(q, limit=limit)
        return {"items": [h.to_dict() for h in hits], "total": len(hits), "limit": limit, "offset": 0}

    @app.get("/api/stats", tags=["ledger"])
    def api_stats() -> dict[str, Any]:
        return state.ledger.stats().to_dict()

    @app.get("/api/stories", tags=["stories"])
    def api_stories(limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
        """Stories: the events the documents report, with their generated names (what /stories shows)."""
        rows = _story_rows(state)
        return _page(rows[offset : offset + limit], len(rows), limit, offset)

    @app.post("/api/stories/move", tags=["stories"])
    def api_story_move(request: Request, doc: str, story: str) -> dict[str, Any]:
        """Move document ``doc`` to ``story`` (a user's choice, kept across re-clustering); reconciles."""
        require_token(request)
        _edit_stories_and_reconcile(state, "move", doc, story)
        return {"ok": True, "doc": doc, "story": story}

    @app.post("/api/stories/merge", tags=["stories"])
    def api_story_merge(request: Request, source: str, target: str) -> dict[str, Any]:
        """Merge story ``source`` into ``target`` (kept across re-runs); reconciles."""
        require_token(request)
        moved = _edit_stories_and_reconcile(state, "merge", source, target)
        return {"ok": True, "source": source, "target": target, "moved": moved}

    @app.get("/api/overview", tags=["ledger"])
    def api_overview() -> dict[str, Any]:
        """What the overview page shows: every variable with its latest estimate and open conflicts."""
        snap = state.snapshot()
        return {"variables": snap.overview, "conflicts": [f.to_dict() for f in snap.conflicts]}

    def _find_claim(doc: str, start: int) -> tuple[Document, Claim]:
        document = state.ledger.document(doc)
        if document is None:
            raise WebError(404, f"no document {doc!r} in the ledger")
        claim = next((c for c in state.ledger.claims(doc=doc) if c.start == start), None)
        if claim is None:
            raise WebError(404, f"document {doc!r} has no claim at offset {start}")
        return document, claim

    # -- curation: an analyst's corrections, kept beside the machine's values ------------------

    def _correct(doc: str, start: int | None, field: str, value: str | None, who: str, why: str | None) -> Any:
        from crosscount.curation import CorrectionError, add_correction
        from crosscount.pipeline import reconcile_ledger

        try:
            fix = add_correction(state.ledger, doc, start, field, value, who=who, why=why)
        except CorrectionError as err:
            raise WebError(400, str(err)) from err
        try:
            reconcile_ledger(state.ledger)
        finally:
            state.changed()
        return fix

    async def _correct_from_form(request: Request, doc: str, start: int | None, field: str | None = None) -> None:
        form = await request.form(max_files=0, max_fields=8)

        def text(key: str) -> str | None:
            v = form.get(key)
            return v if isinstance(v, str) else None

        require_token(request, text("token"))
        await run_in_threadpool(_correct, doc, start, field or text("field") or "", text("value"),
                                (text("who") or "").strip() or "analyst", text("why"))

    @app.post("/claims/{doc:path}/{start:int}/correct", include_in_schema=False)
    async def correct_page(request: Request, doc: str, start: int) -> Response:
        await _correct_from_form(request, doc, start)
        return RedirectResponse(f"/claims/{_pq(doc)}/{start}#corrections", status_code=303)

    @app.post("/documents/{doc:path}/exclude", include_in_schema=False)
    async def exclude_page(request: Request, doc: str) -> Response:
        await _correct_from_form(request, doc, None, "exclude")
        return RedirectResponse(f"/documents/{_pq(doc)}", status_code=303)

    @app.get("/api/corrections", tags=["corrections"])
    def api_corrections(doc: str | None = None, history: bool = False) -> dict[str, Any]:
        """The analysts' corrections (with `history`, the replaced ones too): who, when, why, machine's value."""
        from crosscount.curation import corrections

        items = [c.to_dict() for c in corrections(state.ledger, _blank(doc), history=history)]
        return _page(items, len(items), len(items), 0)

    @app.post("/api/corrections", tags=["corrections"], status_code=201)
    async def api_correct(request: Request, body: CorrectionIn) -> dict[str, Any]:
        """Record a correction and reconcile again (needs the token when one is set). `field`: exclude,
        confirm, source, as_of, measure, subject or value (`300`, `200-900`, `>=790000`); `start`: the
        claim's offset, or none to exclude a whole document."""
        require_token(request)
        fix = await run_in_threadpool(_correct, body.doc, body.start, body.field, body.value, body.who, body.why)
        return {"ok": True, "correction": fix.to_dict()}

    _api_docs(app)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    return app


def _api_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc with their JavaScript and CSS served by the app itself.

    The assets come from the pinned ``fastapi-offline`` distribution, so the API docs render
    with no network (FastAPI's defaults load them from a CDN).
    """
    from importlib import resources

    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html

    docs_assets = resources.files("fastapi_offline") / "static"
    app.mount("/static/docs", StaticFiles(directory=str(docs_assets)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="crosscount API", oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url="/static/docs/swagger-ui-bundle.js", swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url="/openapi.json", title="crosscount API", redoc_js_url="/static/docs/redoc.standalone.js",
            redoc_favicon_url="/static/favicon.svg", with_google_fonts=False,
        )
        # ReDoc's sidebar shows its maker's logo from their CDN: images from the app only
        page.headers["Content-Security-Policy"] = "img-src 'self' data: blob:"
        return page


def _pad(values: Sequence[str | None], n: int) -> list[str | None]:
    return (list(values) + [None] * n)[:n]


def _source_rows(state: WebState, snap: Snapshot) -> list[dict[str, Any]]:
    def build() -> list[dict[str, Any]]:
        rows = []
        for s in state.ledger.sources():
            counts = snap.source_findings.get(s.name, {})
            rows.append({**s.to_dict(), "agreements": counts.get("agreement", 0),
                         "conflicts": counts.get("conflict", 0)})
        return rows

    return state.cached_list("sources", {}, build)


@lru_cache(maxsize=1)
def _plotly_version() -> str:
    import plotly

    return str(plotly.__version__)


@lru_cache(maxsize=1)
def _plotly_bytes() -> tuple[bytes, bytes]:
    from plotly.offline import get_plotlyjs

    raw = get_plotlyjs().encode("utf-8")
    return raw, gzip.compress(raw, compresslevel=6)


# ---------------------------------------------------------------------------------------------
# Uploads
# ---------------------------------------------------------------------------------------------


async def _accept_upload(
    request: Request,
    state: WebState,
    fields: dict[str, str],
    require_token: Callable[[Request, str | None], None],
) -> Job:
    """Parse and check an upload; queue it and return its job, or raise WebError (nothing written)."""
    limit = state.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 100_000:
        raise WebError(413, f"upload too large: {int(declared):,} bytes; the limit is {limit:,} bytes")
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=limit + 1)
    except MultiPartException as err:
        raise WebError(400, f"bad upload form: {err.message}") from err
    except Exception as err:  # a body that is not a form at all
        raise WebError(400, f"bad upload: expected a multipart form ({type(err).__name__})") from err
    try:
        for key in ("outlet", "published", "title", "text"):
            v = form.get(key)
            if isinstance(v, str):
                fields[key] = v
        token_value = form.get("token")
        require_token(request, token_value if isinstance(token_value, str) else None)
        outlet = (fields.get("outlet") or "").strip() or None
        title = (fields.get("title") or "").strip() or None
        published = (fields.get("published") or "").strip() or None
        if published is not None and not _DATE.match(published):
            raise WebError(400, f"published date must be YYYY-MM-DD, YYYY-MM or YYYY, got {published!r}")
        pasted = fields.get("text") or ""
        upload = form.get("file")
        docs: list[Document] = []
        if upload is not None and not isinstance(upload, str) and upload.filename:
            data = await upload.read(limit + 1)
            if len(data) > limit:
                raise WebError(413, f"file {upload.filename!r} is too large; the limit is {limit:,} bytes")
            docs = await run_in_threadpool(_parse_file, upload.filename, data, limit)
            label = upload.filename
        elif pasted.strip():
            if len(pasted.encode("utf-8")) > limit:
                raise WebError(413, f"pasted text is too large; the limit is {limit:,} bytes")
            if "\x00" in pasted:
                raise WebError(400, "pasted text contains NUL bytes: it looks binary")
            text = pasted.replace("\r\n", "\n")
            docs = [Document(id=f"pasted-{text_hash(text)[:12]}", text=text, origin="pasted text")]
            label = "pasted text"
        else:
            raise WebError(400, "nothing to add: choose a file or paste an article's text")
    finally:
        await form.close()
    for i, d in enumerate(docs):
        docs[i] = Document(
            id=d.id, text=d.text, outlet=outlet or d.outlet, url=d.url, title=title or d.title,
            published=published or d.published, origin=d.origin, language=d.language,
        )
    job = Job(id=uuid.uuid4().hex[:12], label=label, total=len(docs))
    state.jobs[job.id] = job
    state.worker.submit(_run_job, state, job, docs)
    return job


def _parse_file(filename: str, data: bytes, limit: int) -> list[Document]:
    """The documents in an uploaded file, read by the ingest stage; any skipped item refuses the upload."""
    name = _safe_name(filename)
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise WebError(415, f"unsupported file type {Path(filename).suffix or '(none)'!r}; "
                            f"upload {', '.join(UPLOAD_SUFFIXES)} or paste text")
    if not data.strip():
        raise WebError(400, f"file {filename!r} is empty")
    problems: list[IngestProblem] = []
    with tempfile.TemporaryDirectory(prefix="crosscount-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        docs = list(iter_documents([path], on_problem=problems.append, max_bytes=limit))
    skipped = [p for p in problems if p.skipped]
    if skipped or not docs:
        shown = "; ".join(p.message if p.origin == str(path) else f"{_where(p.origin)}: {p.message}"
                          for p in (skipped or problems)[:5])
        more = f" (and {len(skipped) - 5} more)" if len(skipped) > 5 else ""
        raise WebError(400, f"file {filename!r} was not added: {shown or 'no documents found'}{more}; "
                            "nothing was written")
    for d in docs:
        d.origin = f"upload: {filename}"
    return docs


def _where(origin: str) -> str:
    m = re.search(r":(line \d+)$", origin) or re.search(r"(line \d+)", origin)
    return m.group(1) if m else "record"


def _run_job(state: WebState, job: Job, docs: list[Document]) -> None:
    from crosscount.pipeline import ingest_documents, reconcile_ledger

    try:
        job.status = "extracting"
        ready: list[Document] = []
        for d in docs:
            existing = state.ledger.document(d.id)
            if existing is not None and existing.content_hash != d.content_hash:
                stem, dot, suffix = d.id.rpartition(".")
                tag = d.content_hash[:8]
                d.id = f"{stem}-{tag}.{suffix}" if dot and stem else f"{d.id}-{tag}"
            ready.append(d)

        def advance(d: Document) -> None:
            job.done += 1

        before = {d.id for d in ready if state.ledger.has_document(d.content_hash)}
        summary = ingest_documents(state.ledger, ready, extractor=state.extractor(), on_document=advance)
        job.claims_added = summary.claims_added
        job.status = "reconciling"
        reconcile_ledger(state.ledger)
        for d in ready:
            if d.id in before:
                job.skipped.append(d.id)
            else:
                job.documents.append({"id": d.id, "title": d.title or d.id, "outlet": d.outlet,
                                      "claims": state.ledger.count_claims(doc=d.id)})
        job.status = "done"
    except Exception as err:  # a job reports its failure; the server goes on
        job.status = "failed"
        job.error = f"{type(err).__name__}: {err}"
    finally:
        job.finished = time.time()
        state.changed()


def _story_rows(state: WebState) -> list[dict[str, Any]]:
    """The stories page and /api/stories: one row per story."""
    return [s.to_dict() for s in state.ledger.stories()]


def _edit_stories_and_reconcile(state: WebState, action: str, a: str, b: str) -> int:
    """A user's move (document a to story b) or merge (story a into b), then reconcile again."""
    from crosscount.pipeline import reconcile_stories

    try:
        if action == "move":
            if state.ledger.document(a) is None:
                raise WebError(404, f"no document {a!r} in the ledger")
            state.ledger.move_document(a, b)
            moved = 1
        else:
            for name in (a, b):
                if state.ledger.story(name) is None:
                    raise WebError(404, f"no story {name!r} in the ledger")
            if state.ledger.story(a) == state.ledger.story(b):
                raise WebError(400, f"story {a!r} is already {b!r}")
            moved = state.ledger.merge_stories(a, b)
        reconcile_stories(state.ledger)
        return moved
    finally:
        state.changed()


def _delete_and_reconcile(state: WebState, doc: str) -> None:
    from crosscount.pipeline import reconcile_ledger

    if not state.ledger.delete_document(doc):
        raise WebError(404, f"no document {doc!r} in the ledger")
    try:
        reconcile_ledger(state.ledger)
    finally:
        state.changed()
