"""The web app: the ledger's views served live, a JSON API behind them, and uploads.

``create_app(db)`` builds a FastAPI application over one ledger. Pages are rendered on the
server with Jinja2 (autoescaped: article text, names and figures always show as text); the
only script is the package's own ``static/app.js`` plus plotly's JavaScript, served from the
plotly package and cached by the browser. Every page has a JSON twin under ``/api``, and
every bad request to the API gets one error shape: ``{"ok": false, "error": "...", "status": N}``.

What is expensive to compute from the ledger (all statements, variables and findings, the
overview's estimates, the charts) is cached per ledger state: the state is the SQLite file's
(and its WAL's) modification stamp, a counter the app bumps on its own writes and a stamp file
every worker process of the server touches on its writes, so a write by another process
(``crosscount analyze``, another worker) is seen on the next request.

``crosscount serve`` runs one worker process per core, each an app made by
:func:`app_from_shared_dir`. Uploads are parsed at once (a bad file is refused with a clear
message and nothing is written), then queued in a job file all workers share
(:mod:`crosscount.web.jobs`) and extracted, stored and reconciled by whichever worker is free;
``/api/jobs/{id}`` reports progress through any of them.

Writes come from the app's own pages only. Every request's ``Host`` must name a host the server
was started for (DNS rebinding), a write whose ``Origin`` (or, without one, ``Referer``) is another
origin, or ``null``, is refused, and the pages' forms carry a CSRF token; each refusal is a 403 in
the JSON error shape. An upload's token is checked before its body is read when it comes in a header;
the body is counted while it streams and reading stops at the limit, so nothing beyond it is held
or written.
"""

from __future__ import annotations

import gzip
import hmac
import html
import inspect
import json
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, suppress
from enum import Enum
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.types import Message

from crosscount import __version__, present
from crosscount.errors import CrosscountError, LedgerError
from crosscount.ingest import IngestProblem, iter_documents
from crosscount.ledger import Ledger
from crosscount.models import Document, text_hash
from crosscount.reconcile import fmt_num, fmt_value
from crosscount.web import views
from crosscount.web.jobs import Job, JobRunner, JobStore, SharedDir
from crosscount.web.views import Snapshot, build_snapshot

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "LOOPBACK_HOSTS", "WebError", "create_app"]

DEFAULT_MAX_UPLOAD_BYTES = 5_000_000
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_FORM_SLACK = 100_000  # bytes of multipart framing and small fields allowed beyond the upload limit
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
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
# The state behind one app
# ---------------------------------------------------------------------------------------------


class WebState:
    """The ledger, its cached views, and the job queue and runner this worker process shares with the others."""

    def __init__(self, db: str, token: str | None, max_upload_bytes: int, shared: SharedDir) -> None:
        self.db = db
        self.ledger = Ledger(db)
        self.token = token or None
        self.max_upload_bytes = max_upload_bytes
        self.shared = shared
        self.csrf = shared.secret("csrf")  # carried by the pages' forms; one per server start, shared by its workers
        self._files = self._watched_files()
        self._version = 0
        self._lock = threading.Lock()
        self._snapshot: tuple[object, Snapshot] | None = None
        self._lists: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()
        self.jobs = JobStore(shared)
        self.runner = JobRunner(self.jobs, self.ledger, self.changed)

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
        stamps: list[Any] = [self._version, self.shared.stamp()]  # a write by this or another worker
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
        self.shared.touch()
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
            snap = build_snapshot(self.ledger)
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

    def close(self) -> None:
        self.runner.close()
        self.ledger.close()
        self.shared.remove()


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


def _page(request: Request, items: Sequence[Any], total: int, limit: int, offset: int) -> Response:
    return _json(_with_next(request, {"items": list(items), "total": total, "limit": limit, "offset": offset}))


def _json(content: dict[str, Any]) -> Response:
    """A JSON answer written by ``json.dumps`` straight away: the views give plain JSON values, and
    FastAPI's generic encoder took half of an /api/claims request's time. Anything else (or a NaN,
    which is not JSON) goes through FastAPI's encoder and its check."""
    try:
        body = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return JSONResponse(jsonable_encoder(content))
    return Response(body.encode("utf-8"), media_type="application/json")


def _with_next(request: Request, page: dict[str, Any]) -> dict[str, Any]:
    """A page of a list with ``next``: the URL of the following page (its filters kept), or None at the end."""
    offset, limit, total = page["offset"], page["limit"], page["total"]
    following = None
    if offset + limit < total:
        url = request.url.include_query_params(offset=offset + limit, limit=limit)
        following = f"{url.path}?{url.query}"
    return {**page, "next": following}


def _batched(parts: Iterator[str], size: int = 32_768) -> Iterator[bytes]:
    """A template's output in chunks of about ``size`` bytes (Jinja yields many small strings)."""
    buffer: list[str] = []
    held = 0
    for part in parts:
        buffer.append(part)
        held += len(part)
        if held >= size:
            yield "".join(buffer).encode("utf-8")
            buffer, held = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


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


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return base[-120:]


def _host_name(host: str | None) -> str | None:
    """The name in a Host header ("127.0.0.1:8765" -> "127.0.0.1", "[::1]:80" -> "::1"); None if malformed."""
    if not host:
        return None
    try:
        parts = urlsplit(f"//{host}")
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return None
    return parts.hostname


def _cross_site(request: Request) -> str | None:
    """Why a write is not from the app's own pages, or None. A browser always sends Origin (or at least
    Referer) with a write; a request with neither is a script, which the token (when set) guards."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin)
        if origin == "null" or parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
            return f"cross-site write refused: origin {origin!r} is not this server ({host})"
        return None
    referer = request.headers.get("referer")
    if referer is not None:
        parts = urlsplit(referer)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
            return f"cross-site write refused: referer {parts.scheme}://{parts.netloc} is not this server ({host})"
    return None


# ---------------------------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------------------------


def create_app(
    db: str,
    *,
    token: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    hosts: Sequence[str] | None = None,
    shared_dir: str | Path | None = None,
) -> FastAPI:
    """The web app over the ledger at ``db`` (a SQLite path or a database URL).

    ``token``: when set, writes (upload, delete) need ``Authorization: Bearer <token>`` or a
    ``token`` form field. ``max_upload_bytes`` bounds one upload (file or pasted text).
    ``hosts``: the host names the server answers to (the name in the ``Host`` header; default the
    loopback names 127.0.0.1, localhost and ::1; ``"*"`` accepts any, for a server behind a proxy).
    ``shared_dir``: the directory the worker processes of one server share (job queue, CSRF secret,
    change stamp; see :mod:`crosscount.web.jobs`); None gives this app a private one.
    """
    shared = SharedDir(shared_dir)
    try:
        state = WebState(db, token, max_upload_bytes, shared)
    except BaseException:
        shared.remove()
        raise
    allowed_hosts = {h.strip("[]").lower() for h in (hosts if hosts is not None else LOOPBACK_HOSTS)}
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
    env.globals["csrf_token"] = state.csrf

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
        if exc.status == 403:  # a refused write, from a page or a script: always the JSON error shape
            return refused(exc.message)
        response = error_response(request, exc.status, exc.message)
        if exc.status in (401, 413):  # a body may still be streaming in: close rather than read it to the end
            response.headers["Connection"] = "close"
        return response

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

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:  # never a traceback to a user
        return error_response(request, 500, f"internal error ({type(exc).__name__}); the server goes on")

    def refused(message: str) -> Response:
        return JSONResponse({"ok": False, "error": message, "status": 403}, status_code=403)

    # -- security headers and write checks ----------------------------------------------------

    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    worker = str(os.getpid())

    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        host = request.headers.get("host")
        name = _host_name(host)
        if "*" not in allowed_hosts and (name is None or name.lower() not in allowed_hosts):
            return refused(f"host {host!r} is not one this server was started for")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            problem = _cross_site(request)
            if problem is not None:
                return refused(problem)
        response: Response = await call_next(request)
        response.headers["X-Crosscount-Worker"] = worker  # which of the server's processes answered
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

    def require_csrf(form: FormData) -> None:
        given = form.get("csrf")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), state.csrf.encode()):
            raise WebError(403, "the form's CSRF token is missing or stale (the server restarted?): reload the "
                                "page and submit again")

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

    # -- resources: one data function each, feeding its HTML page and its JSON twin ----------

    # the pages (HTML, not in the OpenAPI schema) and the JSON API are two routers; each resource's
    # data function feeds one route on each
    pages = APIRouter(include_in_schema=False)
    api = APIRouter(prefix="/api")

    def twin(path: str, template: str, nav: str, *, tags: list[str | Enum], api_path: str | None = None,
             cache: bool = False, page_extra: Callable[[], dict[str, Any]] | None = None,
             ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Serve one data function (its parameters are the request's) as the HTML page at ``path``
        and as JSON at ``/api`` + ``api_path`` (``/api`` + path by default). The data function returns a view
        from :mod:`crosscount.web.views`: ``context()`` feeds the template, ``to_json()`` the API.
        The page goes on the pages router, the JSON on the API router (under ``/api``).
        ``cache``: the page is rendered once per ledger state and parameters."""

        def register(data: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(data)
            def as_page(*args: Any, **kwargs: Any) -> Response:
                def context() -> dict[str, Any]:
                    return {"nav": nav, **data(*args, **kwargs).context(), **(page_extra() if page_extra else {})}

                if cache:
                    def render() -> list[bytes]:
                        return [env.get_template(template).render(**context()).encode("utf-8")]

                    return HTMLResponse(state.cached_list("page:" + path, kwargs, render)[0])
                # a list page streams: its first rows leave while the rest is rendered (the data, and
                # so any 404 or bad parameter, is settled before the first byte)
                parts = env.get_template(template).generate(**context())
                return StreamingResponse(_batched(parts), media_type="text/html; charset=utf-8")

            def as_json(request: Request, **kwargs: Any) -> Response:
                out: dict[str, Any] = data(**kwargs).to_json()
                return _json(_with_next(request, out) if paged else out)

            as_json.__name__, as_json.__doc__ = data.__name__, data.__doc__
            signature = inspect.signature(data)
            paged = "offset" in signature.parameters  # a list paged by limit and offset: its JSON names the next page
            request_param = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)
            as_json.__signature__ = signature.replace(  # type: ignore[attr-defined]
                parameters=[request_param, *signature.parameters.values()])

            pages.get(path, response_class=HTMLResponse, response_model=None)(as_page)
            api.get(api_path or path, tags=tags, response_model=None)(as_json)
            return data

        return register

    def found(make: Callable[[], _T]) -> _T:
        """A view, or the 404 its data function names."""
        try:
            return make()
        except views.NotFound as err:
            raise WebError(404, str(err)) from err

    Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"page size, 1 to {MAX_LIMIT}")
    Offset = Query(0, ge=0, description="items to skip")

    @twin("/", "overview.html", "overview", tags=["ledger"], api_path="/overview", cache=True)
    def overview(subject: str | None = None, story: str | None = None) -> views.OverviewView:
        """Every variable with its latest estimate, the ledger's counts and the latest conflicts
        (the overview page; `/api/conflicts` has them all)."""
        return views.overview_view(state, _blank(subject), _blank(story))

    @twin("/variables", "variables.html", "overview", tags=["variables"])
    def variables(
        subject: str | None = None,
        measure: str | None = None,
        location: str | None = None,
        story: str | None = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> views.VariablesView:
        """Variables (subject × measure × location × unit) with their latest estimate."""
        f: dict[str, Any] = {"subject": _blank(subject), "measure": _blank(measure), "location": _blank(location),
                             "story": _blank(story)}
        matching = state.cached_list("variables", f, lambda: state.ledger.variables(**f))
        return views.variables_view(state, f, matching, limit, offset)

    @twin("/variables/{variable_id}", "variable.html", "overview", tags=["variables"], cache=True)
    def variable(variable_id: str) -> views.VariableView:
        """One variable: estimates, timeline of statements (with their evidence) and findings."""
        return found(lambda: views.variable_view(state, variable_id))

    @twin("/conflicts", "conflicts.html", "overview", tags=["findings"])
    def conflicts(subject: str | None = None, story: str | None = None, limit: int = Limit,
                  offset: int = Offset) -> views.ConflictsView:
        """Every conflict, latest first, as A | B | gap | why."""
        return views.conflicts_view(state, _blank(subject), _blank(story), limit, offset)

    def source_rows() -> list[dict[str, Any]]:
        return state.cached_list("sources", {}, lambda: views.source_rows(state))

    @twin("/sources", "sources.html", "sources", tags=["sources"])
    def sources(limit: int = Limit, offset: int = Offset) -> views.RowsView:
        """Sources with their claims, statements, agreements, conflicts, first and last seen."""
        return views.sources_view(source_rows(), limit, offset)

    @twin("/sources/{name:path}", "source.html", "sources", tags=["sources"])
    def source(name: str) -> views.SourceView:
        """One source: its counts and every statement it makes."""
        return found(lambda: views.source_view(state, source_rows(), name))

    @twin("/stories", "stories.html", "stories", tags=["stories"],
          page_extra=lambda: {"token": state.token is not None})
    def stories(limit: int = Limit, offset: int = Offset) -> views.RowsView:
        """Stories: the events the documents report, with their generated names."""
        return views.stories_view(state, limit, offset)

    async def story_form(request: Request, action: str, names: tuple[str, str], needs: str) -> Response:
        """A stories form (move or merge): its two names, then the edit and a reconcile; back to /stories."""
        form = await _bounded_form(request, _FORM_SLACK, max_files=0, max_fields=4)
        token_value = form.get("token")
        try:
            require_csrf(form)
        except WebError as err:
            return refused(err.message)
        require_token(request, token_value if isinstance(token_value, str) else None)
        a, b = (form.get(n) for n in names)
        if not isinstance(a, str) or not isinstance(b, str) or not a.strip() or not b.strip():
            raise WebError(400, needs)
        await run_in_threadpool(_edit_stories_and_reconcile, state, action, a.strip(), b.strip())
        return RedirectResponse("/stories", status_code=303)

    @pages.post("/stories/move", include_in_schema=False)
    async def story_move_page(request: Request) -> Response:
        return await story_form(request, "move", ("doc", "story"),
                                "moving a document needs its id and the story to move it to")

    @pages.post("/stories/merge", include_in_schema=False)
    async def story_merge_page(request: Request) -> Response:
        return await story_form(request, "merge", ("source", "target"),
                                "merging needs the story to merge and the story to merge it into")

    @twin("/search", "search.html", "", tags=["search"])
    def search(q: str = "", limit: int = Query(20, ge=1, le=MAX_LIMIT)) -> views.SearchView:
        """Sources, subjects and documents with `q` as a whole word (limit applies to each kind)."""
        return views.search_view(state, q, limit)

    @twin("/claims/{doc:path}/{start:int}", "evidence.html", "documents", tags=["claims"])
    def claim(doc: str, start: int) -> views.ClaimView:
        """One claim in its article: the statement it belongs to, the other outlets, the corrections."""
        return found(lambda: views.claim_view(state, doc, start))

    def recent_jobs() -> dict[str, Any]:
        return {"jobs": state.jobs.recent(5), "error": None, "form": {}}

    @twin("/documents", "documents.html", "documents", tags=["documents"], page_extra=recent_jobs)
    def documents(
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        story: str | None = None,
        has_claims: bool | None = Query(None, description="true: only documents with claims; false: without"),
        limit: int = Limit,
        offset: int = Offset,
    ) -> views.DocumentsView:
        """Documents, newest first (undated last; text left out: ask for one document to get it)."""
        f: dict[str, Any] = {"outlet": _blank(outlet), "since": _check_date("since", since),
                             "until": _check_date("until", until), "story": _blank(story), "has_claims": has_claims}
        return views.documents_view(state, f, limit, offset)

    @twin("/documents/{doc:path}", "document.html", "documents", tags=["documents"])
    def document(doc: str) -> views.DocumentView:
        """One document with its text, its claims and the analysts' corrections."""
        return found(lambda: views.document_view(state, doc))

    @twin("/corrections", "corrections.html", "", tags=["corrections"])
    def corrections(doc: str | None = None, history: bool = False, limit: int = Limit,
                    offset: int = Offset) -> views.CorrectionsView:
        """The analysts' corrections, newest first (with `history`, the replaced ones too): who, when,
        why, and the machine's value."""
        return views.corrections_view(state, _blank(doc), history, limit, offset)

    @pages.post("/documents", response_class=HTMLResponse, include_in_schema=False)
    async def upload_page(request: Request) -> Response:
        fields: dict[str, str] = {}
        try:
            job = await _accept_upload(request, state, fields, require_token, require_csrf)
        except WebError as err:
            if err.status == 403:
                return refused(err.message)
            listing = views.documents_view(state, {}, DEFAULT_LIMIT, 0).context()
            return templates.TemplateResponse(
                request, "documents.html",
                {"nav": "documents", **listing, "error": err.message, "form": fields, "jobs": []},
                status_code=err.status,
                headers={"Connection": "close"} if err.status in (401, 413) else None,
            )
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @pages.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: str) -> HTMLResponse:
        job = state.jobs.get(job_id)
        if job is None:
            raise WebError(404, f"no job {job_id!r} (jobs are kept while the server runs)")
        return templates.TemplateResponse(request, "job.html", {"nav": "documents", "job": job.to_dict()})

    @pages.post("/documents/{doc:path}/delete", include_in_schema=False)
    async def delete_page(request: Request, doc: str) -> Response:
        form = await _bounded_form(request, _FORM_SLACK, max_files=0, max_fields=4)
        token_value = form.get("token")
        try:
            require_csrf(form)
        except WebError as err:
            return refused(err.message)
        require_token(request, token_value if isinstance(token_value, str) else None)
        await run_in_threadpool(_delete_and_reconcile, state, doc)
        return RedirectResponse("/documents", status_code=303)

    # -- the JSON API's lists without a page of their own ---------------------------------------

    @api.get("/claims", tags=["claims"])
    def api_claims(
        request: Request,
        subject: str | None = None,
        measure: str | None = None,
        source: str | None = None,
        since: str | None = Query(None, description="YYYY, YYYY-MM or YYYY-MM-DD (as-of, else published)"),
        until: str | None = Query(None, description="YYYY, YYYY-MM or YYYY-MM-DD"),
        doc: str | None = None,
        story: str | None = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> Response:
        """Claims: one figure in one document, with its source and as-of date."""
        filters = {"subject": _blank(subject), "measure": _blank(measure), "source": _blank(source),
                   "since": _check_date("since", since), "until": _check_date("until", until),
                   "doc": _blank(doc), "story": _blank(story)}
        items = state.ledger.claims(**filters, limit=limit, offset=offset)
        total = state.ledger.count_claims(**filters)
        return _page(request, [c.to_dict(with_rules=True) for c in items], total, limit, offset)

    def listed(request: Request, name: str, params: dict[str, Any], fetch: Callable[[], list[Any]], limit: int,
               offset: int) -> Response:
        items = state.cached_list(name, params, fetch)
        return _page(request, [i.to_dict() for i in items[offset : offset + limit]], len(items), limit, offset)

    @api.get("/statements", tags=["statements"])
    def api_statements(
        request: Request,
        subject: str | None = None,
        measure: str | None = None,
        source: str | None = None,
        location: str | None = None,
        since: str | None = None,
        until: str | None = None,
        story: str | None = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> Response:
        """Statements: one assertion of one source, with every outlet that carries it."""
        f: dict[str, Any] = {"subject": _blank(subject), "measure": _blank(measure), "source": _blank(source),
             "location": _blank(location), "since": _check_date("since", since),
             "until": _check_date("until", until), "story": _blank(story)}
        return listed(request, "statements", f, lambda: state.ledger.statements(**f), limit, offset)

    @api.get("/statements/{statement_id}", tags=["statements"])
    def api_statement(statement_id: str) -> dict[str, Any]:
        st = state.snapshot().statements.get(statement_id)
        if st is None:
            raise WebError(404, f"no statement {statement_id!r} in the ledger")
        return st.to_dict()

    @api.get("/findings", tags=["findings"])
    def api_findings(
        request: Request,
        type: str | None = Query(None, description="conflict, evolution, revision, check, estimate, agreement"),
        subject: str | None = None,
        measure: str | None = None,
        variable: str | None = None,
        rule: str | None = None,
        story: str | None = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> Response:
        """Findings: conflicts, agreements, evolutions, checks (with arithmetic) and estimates."""
        f: dict[str, Any] = {"type": _blank(type), "subject": _blank(subject), "measure": _blank(measure),
             "variable": _blank(variable), "rule": _blank(rule), "story": _blank(story)}
        return listed(request, "findings", f, lambda: state.ledger.findings(**f), limit, offset)

    @api.delete("/documents/{doc:path}", tags=["documents"])
    def api_delete_document(request: Request, doc: str) -> dict[str, Any]:
        """Delete a document and its claims, then reconcile again (needs the token when one is set)."""
        require_token(request)
        _delete_and_reconcile(state, doc)
        return {"ok": True, "deleted": doc}

    @api.post("/documents", tags=["documents"], status_code=202)
    async def api_upload(request: Request) -> dict[str, Any]:
        """Upload a file (`file`: .txt, .md, .html, .jsonl, .csv) or pasted `text`, with optional
        `outlet`, `published`, `title`; answers a job to poll at `/api/jobs/{id}`."""
        job = await _accept_upload(request, state, {}, require_token, None)
        return job.to_dict()

    @api.get("/jobs", tags=["jobs"])
    def api_jobs(request: Request, limit: int = Limit, offset: int = Offset) -> Response:
        """Uploads, newest first, whichever worker process took them."""
        jobs = state.jobs.recent(limit, offset)
        return _page(request, [j.to_dict() for j in jobs], state.jobs.count(), limit, offset)

    @api.get("/jobs/{job_id}", tags=["jobs"])
    def api_job(job_id: str) -> dict[str, Any]:
        job = state.jobs.get(job_id)
        if job is None:
            raise WebError(404, f"no job {job_id!r} (jobs are kept while the server runs)")
        return job.to_dict()

    @api.get("/stats", tags=["ledger"])
    def api_stats() -> dict[str, Any]:
        return state.ledger.stats().to_dict()

    @api.post("/stories/move", tags=["stories"])
    def api_story_move(request: Request, doc: str, story: str) -> dict[str, Any]:
        """Move document ``doc`` to ``story`` (a user's choice, kept across re-clustering); reconciles."""
        require_token(request)
        _edit_stories_and_reconcile(state, "move", doc, story)
        return {"ok": True, "doc": doc, "story": story}

    @api.post("/stories/merge", tags=["stories"])
    def api_story_merge(request: Request, source: str, target: str) -> dict[str, Any]:
        """Merge story ``source`` into ``target`` (kept across re-runs); reconciles."""
        require_token(request)
        moved = _edit_stories_and_reconcile(state, "merge", source, target)
        return {"ok": True, "source": source, "target": target, "moved": moved}

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
        require_csrf(form)
        await run_in_threadpool(_correct, doc, start, field or text("field") or "", text("value"),
                                (text("who") or "").strip() or "analyst", text("why"))

    @pages.post("/claims/{doc:path}/{start:int}/correct", include_in_schema=False)
    async def correct_page(request: Request, doc: str, start: int) -> Response:
        await _correct_from_form(request, doc, start)
        return RedirectResponse(f"/claims/{_pq(doc)}/{start}#corrections", status_code=303)

    @pages.post("/documents/{doc:path}/exclude", include_in_schema=False)
    async def exclude_page(request: Request, doc: str) -> Response:
        await _correct_from_form(request, doc, None, "exclude")
        return RedirectResponse(f"/documents/{_pq(doc)}", status_code=303)

    @api.post("/corrections", tags=["corrections"], status_code=201)
    async def api_correct(request: Request, body: CorrectionIn) -> dict[str, Any]:
        """Record a correction and reconcile again (needs the token when one is set). `field`: exclude,
        confirm, source, as_of, measure, subject or value (`300`, `200-900`, `>=790000`); `start`: the
        claim's offset, or none to exclude a whole document."""
        require_token(request)
        fix = await run_in_threadpool(_correct, body.doc, body.start, body.field, body.value, body.who, body.why)
        return {"ok": True, "correction": fix.to_dict()}

    app.include_router(pages)
    app.include_router(api)
    _api_docs(app)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    return app


SHARED_DIR_ENV = "CROSSCOUNT_WEB_SHARED"  # where `serve` tells its worker processes the shared directory is
_CONFIG = "server.json"


def write_server_config(shared_dir: Path, db: str, *, token: str | None, max_upload_bytes: int,
                        hosts: Sequence[str]) -> None:
    """What every worker process of one server builds its app from (read by :func:`app_from_shared_dir`);
    the file is readable by its owner only, as it may hold the token."""
    config = {"db": db, "token": token, "max_upload_bytes": max_upload_bytes, "hosts": list(hosts)}
    path = shared_dir / _CONFIG
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(config, out)


def app_from_shared_dir() -> FastAPI:
    """The app of one worker process of ``crosscount serve`` (uvicorn's factory): its settings from the
    shared directory named by ``CROSSCOUNT_WEB_SHARED``, its jobs and CSRF secret shared there too."""
    shared_dir = Path(os.environ[SHARED_DIR_ENV])
    config = json.loads((shared_dir / _CONFIG).read_text("utf-8"))
    return create_app(config["db"], token=config["token"], max_upload_bytes=int(config["max_upload_bytes"]),
                      hosts=config["hosts"], shared_dir=shared_dir)


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


async def _bounded_body(request: Request, limit: int) -> bytes:
    """The request body, counted while it streams: past ``limit`` bytes reading stops with a 413, so
    nothing beyond the limit is ever held or written (a chunked upload declares no length)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise WebError(413, f"upload too large: {int(declared):,} bytes; the limit is {limit:,} bytes")
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise WebError(413, f"upload too large: over {limit:,} bytes (the limit); nothing was written")
        chunks.append(chunk)
    return b"".join(chunks)


async def _bounded_form(request: Request, limit: int, **options: Any) -> FormData:
    """The request's form, parsed from a body read by :func:`_bounded_body`."""
    body = await _bounded_body(request, limit)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await Request(request.scope, replay).form(**options)
    except MultiPartException as err:
        raise WebError(400, f"bad upload form: {err.message}") from err
    except StarletteHTTPException as err:  # e.g. more files than one
        raise WebError(400, f"bad upload form: {err.detail}; send one file per upload") from err
    except Exception as err:  # a body that is not a form at all
        raise WebError(400, f"bad upload: expected a multipart form ({type(err).__name__})") from err


async def _accept_upload(
    request: Request,
    state: WebState,
    fields: dict[str, str],
    require_token: Callable[[Request, str | None], None],
    require_csrf: Callable[[FormData], None] | None,
) -> Job:
    """Parse and check an upload; queue it and return its job, or raise WebError (nothing written).

    ``require_csrf``: the check of the pages' form (None for the API, whose callers are scripts)."""
    limit = state.max_upload_bytes
    if state.token is not None and request.headers.get("authorization"):
        require_token(request, None)  # the token first, before any of the body is read
    form = await _bounded_form(request, limit + _FORM_SLACK, max_files=1, max_fields=10, max_part_size=limit + 1)
    try:
        for key in ("outlet", "published", "title", "text"):
            v = form.get(key)
            if isinstance(v, str):
                fields[key] = v
        token_value = form.get("token")
        require_token(request, token_value if isinstance(token_value, str) else None)
        if require_csrf is not None:
            require_csrf(form)
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
    job = Job.new(label, len(docs))
    await run_in_threadpool(state.jobs.submit, job, docs)  # queued for whichever worker is free
    state.runner.wake()
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
