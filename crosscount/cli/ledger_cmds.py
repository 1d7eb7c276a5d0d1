"""`crosscount analyze`, `demo`, `claims`, `statements`, `findings`, `variables` and `timeline`.

The library does the work (`crosscount.pipeline`, `crosscount.ledger`, `crosscount.report`);
these commands parse options, call it and format what comes back.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from importlib import resources
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from crosscount import present
from crosscount.cli import main
from crosscount.cli.common import (
    db_option,
    echo_problem,
    engine_options,
    format_option,
    meta_option,
    story_option,
)
from crosscount.cli.extraction import write_claims
from crosscount.errors import CrosscountError
from crosscount.ledger import Ledger
from crosscount.models import Document, Finding, Statement, Variable
from crosscount.reconcile import Reconciliation, fmt_num

P = ParamSpec("P")
R = TypeVar("R")

REPORT_SUFFIXES = (".html", ".htm", ".md", ".json")
FINDING_TYPES = ("conflict", "evolution", "revision", "check", "estimate", "agreement")
DEMO_REPORT = "crosscount-demo-report.html"
EXIT_INPUT_SKIPPED = 3


# --------------------------------------------------------------------------------------------
# Shared plumbing


def library_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the library's own errors into one-line `Error: ...` messages (exit 1)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except CrosscountError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def _is_url(db: str) -> bool:
    return "://" in db or db == ":memory:"


@contextmanager
def open_ledger(db: str, *, must_exist: bool) -> Iterator[Ledger]:
    """The ledger at ``db``; commands that only read refuse to create an empty one by mistake."""
    if must_exist and not _is_url(db) and not Path(db).expanduser().is_file():
        raise click.ClickException(
            f"no ledger at {db}; build one first with `crosscount analyze ARTICLES... --db {db}`"
        )
    ledger = Ledger(db)
    try:
        yield ledger
    finally:
        ledger.close()


def _check_report_path(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and Path(value).suffix.lower() not in REPORT_SUFFIXES:
        raise click.BadParameter(f"{value}: the report is written as .html, .md or .json (by its suffix)")
    return value


def _width() -> int:
    """The terminal's width (COLUMNS when set; 160 when the output is not a terminal)."""
    return max(shutil.get_terminal_size((160, 24)).columns, 40)


def _table(**kw: Any) -> Any:
    """A rich Table that spends its width on text: light rules when the terminal is narrow."""
    from rich import box
    from rich.table import Table

    if _width() < 100:
        return Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, **kw)
    return Table(**kw)


def _render(*renderables: Any) -> str:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=_width(), record=True, highlight=False)
    for item in renderables:
        console.print(item)
    return console.export_text()


def _outlet(outlet: str | None, doc: str) -> str:
    return present.outlet_name(outlet)


def _outlets(st: Statement) -> str:
    names = [_outlet(st.outlets[i] if i < len(st.outlets) else None, d) for i, d in enumerate(st.docs)]
    return ", ".join(dict.fromkeys(names))


def _when(st: Statement) -> str:
    return present.statement_when(st)


def _interval(st: Statement) -> str:
    return present.value(st.low, st.high, st.unit)


def _variable_name(subject: str | None, measure: str, unit: str = "persons", location: str | None = None) -> str:
    var = {"subject": subject, "measure": measure, "unit": unit, "location": location}
    return present.variable_title(var, with_location=True)


def _flat(value: Any) -> str:
    """One CSV cell: lists joined with '; ', (doc, start, end) as doc:start-end, dicts as JSON."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        if len(value) == 3 and isinstance(value[0], str) and all(isinstance(v, int) for v in value[1:]):
            return f"{value[0]}:{value[1]}-{value[2]}"
        return "; ".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _write_rows(rows: Sequence[dict[str, Any]], header: Sequence[str], fmt: str, table: Callable[[], str]) -> None:
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(header), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _flat(row.get(k)) for k in header})
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(table(), nl=False)


def filter_options(f: Callable[P, R]) -> Callable[P, R]:
    """--story --subject --measure --source --since --until, the same on every listing command."""
    for option in reversed(
        (
            story_option(),
            click.option("--subject", default=None, help="Only this subject (canonical name)."),
            click.option("--measure", default=None, help="Only this measure (killed, wounded, casualties...)."),
            click.option("--source", default=None, help="Only this source (canonical name)."),
            click.option("--since", default=None, metavar="DATE",
                         help="Only figures dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)."),
            click.option("--until", default=None, metavar="DATE",
                         help="Only figures dated on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD)."),
        )
    ):
        f = option(f)
    return f


# --------------------------------------------------------------------------------------------
# analyze and demo


class _Progress:
    """A rich progress bar on stderr, one tick per document read (stored or already there)."""

    def __init__(self, total: int | None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("analyzing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), transient=False,
        )
        self.task = self.progress.add_task("analyze", total=total)

    def __enter__(self) -> _Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        task = self.progress.tasks[0]
        if task.total is None:  # collections (JSONL, CSV): the total is known once they are read
            self.progress.update(self.task, total=task.completed)
        self.progress.stop()

    def tick(self, _doc: Document) -> None:
        self.progress.advance(self.task)


def _document_total(inputs: Sequence[str]) -> int | None:
    """Documents to expect, when every input is a one-document file; None for JSONL/CSV collections."""
    from crosscount.ingest import count_inputs

    for item in inputs:
        path = Path(item)
        names = [path.name] if not path.is_dir() else [p.name for p in path.rglob("*") if p.is_file()]
        if any(n.lower().endswith((".jsonl", ".jsonl.gz", ".csv")) for n in names):
            return None
    return count_inputs(inputs)


def _analyze_on_engine(
    inputs: Sequence[str],
    ledger: Ledger,
    *,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    meta_path: str | None,
    report_path: str | None,
    config_path: str | None,
    on_problem: Any,
    progress: _Progress,
) -> tuple[Any, Any]:
    """Extraction on the scale engine (process pool or Dask), then reconcile and report in this process."""
    from crosscount.ingest import load_metadata
    from crosscount.pipeline import AnalyzeSummary, reconcile_and_report, reextract
    from crosscount.scale import run_extraction

    run = run_extraction(
        list(inputs), engine="dask" if scheduler else engine, scheduler=scheduler, workers=workers, ledger=ledger,
        metadata=load_metadata(meta_path) if meta_path else None, on_problem=on_problem,
        progress=lambda n: progress.progress.advance(progress.task, n),
    )
    summary = AnalyzeSummary(
        documents_seen=run.documents, documents_skipped=run.skipped, documents_added=run.stored,
        claims_added=run.claims,
    )
    summary.documents_reextracted = reextract(ledger)  # stored documents an older extractor read
    return summary, reconcile_and_report(
        ledger, summary, config_path=config_path, report_path=report_path, workers=workers
    )


def run_analyze(
    inputs: Sequence[str],
    db: str,
    *,
    report_path: str | None,
    meta_path: str | None,
    config_path: str | None,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    claims_path: str | None = None,
) -> int:
    """Analyze the inputs into the ledger, print the summary; the exit code (3 if inputs were skipped)."""
    from crosscount.cli.common import wants_pool
    from crosscount.ingest import IngestProblem
    from crosscount.pipeline import analyze as analyze_inputs

    skipped: list[str] = []

    def on_problem(problem: IngestProblem) -> None:
        if problem.skipped:
            skipped.append(str(problem))
        echo_problem(problem)

    with open_ledger(db, must_exist=False) as ledger, _Progress(_document_total(inputs)) as progress:
        if claims_path is None and wants_pool(inputs, engine, scheduler, workers):
            summary, _rec = _analyze_on_engine(
                inputs, ledger, engine=engine, scheduler=scheduler, workers=workers, meta_path=meta_path,
                report_path=report_path, config_path=config_path, on_problem=on_problem, progress=progress,
            )
        else:
            summary, _rec = analyze_inputs(
                inputs, ledger, meta_path=meta_path, report_path=report_path, config_path=config_path,
                claims_path=claims_path, workers=workers, on_problem=on_problem, on_document=progress.tick,
            )
        stored = ledger.count_claims()
    by_type = Counter(summary.findings_by_type)
    kinds = ", ".join(f"{by_type[t]} {t}{'s' if by_type[t] != 1 else ''}" for t in FINDING_TYPES if by_type[t])
    click.echo(
        f"documents: {summary.documents_added} added, {summary.documents_skipped} already in the ledger"
        + (f", {len(skipped)} input(s) skipped" if skipped else "")
    )
    click.echo(f"claims: {summary.claims_added:,} added ({stored:,} in the ledger)"
               + (f", {summary.claims_imported:,} imported from {claims_path}" if claims_path else "")
               + (f"; {summary.documents_reextracted:,} document(s) re-extracted (the extractor changed)"
                  if summary.documents_reextracted else ""))
    click.echo(f"stories: {summary.stories:,} (list them: crosscount stories --db {db})")
    click.echo(
        f"reconciled: {summary.statements:,} statements, {summary.variables:,} variables, "
        f"{summary.findings:,} findings" + (f" ({kinds})" if kinds else "")
    )
    click.echo(f"conflicts: {by_type['conflict']}")
    click.echo(f"ledger: {db}")
    click.echo(f"report: {report_path}" if report_path else "report: none (add --report report.html)")
    if skipped:
        click.echo(f"{len(skipped)} input(s) skipped; see the messages above", err=True)
        return EXIT_INPUT_SKIPPED
    return 0


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@db_option
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None, callback=_check_report_path,
              help="Write the report here: .html (self-contained, charts inside), .md or .json.")
@meta_option()
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Reconcile settings (TOML) over the defaults: tolerances, reliability priors, places.")
@click.option("--claims", "claims_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Store the claims of this JSONL file (extract output or a gold file) for the inputs "
              "instead of extracting them; they are marked with the file's name as their origin.")
@engine_options
@click.pass_context
@library_errors
def analyze(ctx: click.Context, inputs: tuple[str, ...], db: str, report_path: str | None,
            meta_path: str | None, config_path: str | None, claims_path: str | None, engine: str,
            scheduler: str | None, workers: int | None) -> None:
    """Ingest, extract, group into stories, reconcile and report: the whole job on files or folders of articles.

    Documents already in the ledger are skipped, so running again after an interruption resumes;
    stored documents an older extractor read are extracted again. Each story is reconciled on its
    own. Unreadable inputs are reported on stderr and skipped (exit code 3); the rest is stored.
    """
    code = run_analyze(inputs, db, report_path=report_path, meta_path=meta_path, config_path=config_path,
                       engine=engine, scheduler=scheduler, workers=workers, claims_path=claims_path)
    ctx.exit(code)


def findings_table(findings: Sequence[Finding], title: str | None = None) -> Any:
    """Findings as a table; below 100 columns each finding's sentence is a paragraph under its row."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    if _width() < 100:
        parts: list[Any] = [Text(title, style="bold")] if title else []
        for f in findings:
            head = Table.grid(padding=(0, 1))
            head.add_column(no_wrap=True)
            head.add_column(overflow="fold")
            head.add_row(Text(f.type, style="bold"), " · ".join(
                x for x in (_variable_name(f.subject, f.measure), present.period_text(f.period), _result(f)) if x))
            parts += [head, Padding(Text(present.clean_text(f.text)), (0, 0, 1, 2))]
        return Group(*parts)
    table = Table(title=title, show_lines=True, title_justify="left")
    table.add_column("type", no_wrap=True)
    table.add_column("variable", overflow="fold", max_width=30)
    table.add_column("period", no_wrap=True)
    table.add_column("result", overflow="fold", max_width=28)
    table.add_column("finding", overflow="fold", ratio=1)
    for f in findings:
        table.add_row(f.type, _variable_name(f.subject, f.measure), present.period_text(f.period), _result(f),
                      present.clean_text(f.text))
    return table


def _result(f: Finding) -> str:
    if f.type == "check":
        verdict = "holds" if f.passed else ("fails" if f.passed is False else "?")
        return f"{verdict}: {f.arithmetic}" if f.arithmetic else verdict
    if f.type == "estimate":
        return f"low {fmt_num(f.low)} · best {fmt_num(f.best)} · high {fmt_num(f.high)}"
    return ""


@main.command()
@click.option("--db", "db", default=None, type=click.Path(dir_okay=False),
              help="Keep the demo ledger in this SQLite file (default: a temporary one, removed after).")
@click.option("--report", "report_path", default=DEMO_REPORT, show_default=True, type=click.Path(dir_okay=False),
              callback=_check_report_path, help="Where to write the demo report (.html, .md or .json).")
@library_errors
def demo(db: str | None, report_path: str) -> None:
    """The whole job on the small sample bundled with crosscount (works offline)."""
    from crosscount.pipeline import analyze as analyze_inputs

    sample = resources.files("crosscount") / "sample" / "kursk.jsonl"
    with resources.as_file(sample) as sample_path, tempfile.TemporaryDirectory(prefix="crosscount-demo-") as tmp:
        target = db or str(Path(tmp) / "demo-ledger.db")
        with open_ledger(target, must_exist=False) as ledger, _Progress(None) as progress:
            summary, rec = analyze_inputs([sample_path], ledger, report_path=report_path,
                                          on_document=progress.tick)
    shown = [f for f in (rec.findings if rec else []) if f.type in ("conflict", "check", "estimate")]
    order = {t: i for i, t in enumerate(("conflict", "check", "estimate"))}
    shown.sort(key=lambda f: (order[f.type], f.subject or "", f.measure, f.period or ""))
    click.echo(
        f"crosscount demo: {summary.documents_seen} sample articles, {summary.claims_added} claims, "
        f"{summary.statements} statements, {summary.variables} variables, {summary.findings} findings"
    )
    click.echo(_render(findings_table(shown, "Conflicts, arithmetic checks and estimates")), nl=False)
    click.echo(f"report: {report_path}")
    if db:
        click.echo(f"ledger: {db}  (try: crosscount findings --db {db} --type conflict)")


# --------------------------------------------------------------------------------------------
# Listing the ledger


@main.command()
@db_option
@filter_options
@format_option()
@library_errors
def claims(db: str, story: str | None, subject: str | None, measure: str | None, source: str | None,
           since: str | None, until: str | None, fmt: str) -> None:
    """Claims in the ledger: one figure in one document each."""
    with open_ledger(db, must_exist=True) as ledger:
        story = _story(ledger, story)
        found = ledger.claims(subject=subject, measure=measure, source=source, since=since, until=until,
                              story=story)
    write_claims(found, fmt, None)


STATEMENT_FIELDS = tuple(f.name for f in fields(Statement))


def statements_table(sts: Sequence[Statement]) -> str:
    from rich.table import Table

    if _width() < 100:  # fewer, wider columns: the figure as written under its value, kind in the as-of cell
        narrow = _table()
        for name in ("as of", "variable", "source", "value", "outlets"):
            narrow.add_column(name, overflow="fold", justify="right" if name == "value" else "left")
        for st in sts:
            plain = st.kind == "report" and not st.computed
            kind = "" if plain else f"\n{st.kind}{', computed' if st.computed else ''}"
            narrow.add_row(_when(st) + kind, _variable_name(st.subject, st.measure, st.unit, st.location),
                           present.source_name(st.source, st.outlets), f"{_interval(st)}\n“{st.figure}”",
                           f"{len(st.docs)}: {_outlets(st)}")
        return _render(narrow)
    table = Table()
    for name, width in (("as of", 24), ("variable", 34), ("source", 28), ("figure", 22), ("interval", 16),
                        ("kind", 10), ("outlets", 40)):
        table.add_column(name, overflow="fold", max_width=width, justify="right" if name == "interval" else "left")
    for st in sts:
        kind = st.kind + (" (computed)" if st.computed else "")
        table.add_row(_when(st), _variable_name(st.subject, st.measure, st.unit, st.location), st.source or "—",
                      st.figure, _interval(st), kind, f"{len(st.docs)}: {_outlets(st)}")
    return _render(table)


@main.command()
@db_option
@filter_options
@format_option()
@library_errors
def statements(db: str, story: str | None, subject: str | None, measure: str | None, source: str | None,
               since: str | None, until: str | None, fmt: str) -> None:
    """Statements: one assertion of one source, however many outlets repeat it."""
    with open_ledger(db, must_exist=True) as ledger:
        story = _story(ledger, story)
        sts = ledger.statements(subject=subject, measure=measure, source=source, since=since, until=until,
                                story=story)
    _write_rows([s.to_dict() for s in sts], STATEMENT_FIELDS, fmt, lambda: statements_table(sts))


def _matching_statements(
    ledger: Ledger, source: str | None, since: str | None, until: str | None, story: str | None = None
) -> set[str] | None:
    """Ids of the statements that pass --source/--since/--until; None when none of them is given."""
    if source is None and since is None and until is None:
        return None
    return {s.id for s in ledger.statements(source=source, since=since, until=until, story=story)}


def _story(ledger: Ledger, story: str | None) -> str | None:
    """The story --story names (a merged-away id leads to where it went); a clear error for an unknown one."""
    if story is None:
        return None
    found = ledger.story(story)
    if found is None:
        known = ", ".join(s.id for s in ledger.stories()[:20]) or "none yet (run `crosscount analyze` first)"
        raise click.ClickException(f"no story {story!r} in the ledger; stories: {known}")
    return found.id


def _brief(st: Statement) -> dict[str, Any]:
    return {
        "id": st.id, "source": st.source, "figure": st.figure, "low": st.low, "high": st.high, "unit": st.unit,
        "as_of": st.as_of, "date": st.date, "kind": st.kind, "computed": st.computed, "docs": list(st.docs),
    }


FINDING_FIELDS = (*(f.name for f in fields(Finding)), "involved")


@main.command()
@db_option
@filter_options
@click.option("--type", "type_", type=click.Choice(FINDING_TYPES), default=None, help="Only findings of this type.")
@format_option()
@library_errors
def findings(db: str, story: str | None, subject: str | None, measure: str | None, source: str | None,
             since: str | None, until: str | None, type_: str | None, fmt: str) -> None:
    """Findings: conflicts, evolution, revisions, agreements, arithmetic checks and estimates.

    --source, --since and --until keep the findings resting on at least one statement that passes them.
    """
    with open_ledger(db, must_exist=True) as ledger:
        story = _story(ledger, story)
        found = ledger.findings(type=type_, subject=subject, measure=measure, story=story)
        keep = _matching_statements(ledger, source, since, until, story)
        by_id = {s.id: s for s in ledger.statements(story=story)}
    if keep is not None:
        found = [f for f in found if keep.intersection(f.statements)]
    rows = []
    for f in found:
        row = f.to_dict()
        row["involved"] = [_brief(by_id[i]) for i in f.statements if i in by_id]
        rows.append(row)
    _write_rows(rows, FINDING_FIELDS, fmt, lambda: _render(findings_table(found)))


VARIABLE_FIELDS = ("id", "subject", "measure", "location", "unit", "statements", "sources", "first", "last")


@main.command()
@db_option
@filter_options
@format_option()
@library_errors
def variables(db: str, story: str | None, subject: str | None, measure: str | None, source: str | None,
              since: str | None, until: str | None, fmt: str) -> None:
    """Variables (subject x measure x location x unit), each with its timeline of statements.

    --source, --since and --until keep the variables with at least one statement that passes them.
    """
    with open_ledger(db, must_exist=True) as ledger:
        story = _story(ledger, story)
        found = ledger.variables(subject=subject, measure=measure, story=story)
        keep = _matching_statements(ledger, source, since, until, story)
        by_id = {s.id: s for s in ledger.statements(subject=subject, measure=measure, story=story)}
    if keep is not None:
        found = [v for v in found if keep.intersection(v.statements)]
    rows = [_variable_row(v, by_id) for v in found]

    def table() -> str:

        t = _table()
        for name in ("variable", "statements", "sources", "first", "last", "id"):
            t.add_column(name, overflow="fold", justify="right" if name == "statements" else "left")
        for v, row in zip(found, rows, strict=True):
            t.add_row(_variable_name(v.subject, v.measure, v.unit, v.location), f"{len(v.statements):,}",
                      ", ".join(present.source_name(x if x != "—" else None) for x in row["sources"]),
                      present.date_text(row["first"]) if row["first"] else "",
                      present.date_text(row["last"]) if row["last"] else "", v.id)
        return _render(t)

    _write_rows(rows, VARIABLE_FIELDS, fmt, table)


def _variable_row(v: Variable, by_id: dict[str, Statement]) -> dict[str, Any]:
    sts = [by_id[i] for i in v.statements if i in by_id]
    dates = sorted(s.date for s in sts if s.date)
    return {
        **v.to_dict(),
        "sources": sorted({s.source or "—" for s in sts}),
        "first": dates[0] if dates else None,
        "last": dates[-1] if dates else None,
    }


# --------------------------------------------------------------------------------------------
# timeline


def _pick(rec: Reconciliation, subject: str, measure: str) -> list[Variable]:
    """The variables of this subject and measure, the one a plot shows first (counts, most statements)."""
    matches = [
        v for v in rec.variables
        if (v.subject or "").casefold() == subject.casefold() and v.measure.casefold() == measure.casefold()
    ]
    if not matches:
        known = sorted({f"{v.subject} · {v.measure}" for v in rec.variables})
        listing = "; ".join(known) if known else "none (run `crosscount analyze` first)"
        raise click.ClickException(
            f"no variable for subject {subject!r} and measure {measure!r}; the ledger has: {listing}"
        )
    return sorted(matches, key=lambda v: (v.unit != "persons", -len(v.statements), v.id))


@main.command()
@click.argument("subject")
@click.argument("measure")
@db_option
@story_option()
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the timeline chart: .html (interactive, offline) or .svg.")
@library_errors
def timeline(subject: str, measure: str, db: str, story: str | None, plot_path: str | None) -> None:
    """A variable's timeline: as-of, source, figure as written, interval and the outlets carrying it.

    SUBJECT and MEASURE as `crosscount variables` lists them, e.g. "North Korean forces" killed.
    """

    from crosscount.report import write_timeline_plot

    with open_ledger(db, must_exist=True) as ledger:
        story = _story(ledger, story)
        rec = Reconciliation(statements=ledger.statements(story=story), variables=ledger.variables(story=story),
                             findings=ledger.findings(story=story))
    chosen = _pick(rec, subject, measure)
    if plot_path:
        write_timeline_plot(rec, subject, measure, plot_path)
    parts: list[Any] = []
    for var in chosen:
        table = _table(title=_variable_name(var.subject, var.measure, var.unit, var.location), title_justify="left")
        for name in ("as of", "source", "figure", "interval", "kind", "outlets"):
            table.add_column(name, overflow="fold", justify="right" if name == "interval" else "left")
        for st in rec.statements_of(var):
            kind = st.kind + (" (computed)" if st.computed else "")
            table.add_row(_when(st), present.source_name(st.source, st.outlets), st.figure, _interval(st), kind,
                          _outlets(st))
        parts.append(table)
        notable = [f for f in rec.findings_for(var.id) if f.type != "agreement"]
        if notable:
            parts.append(findings_table(notable))
    click.echo(_render(*parts), nl=False)
    if plot_path:
        click.echo(f"plot: {plot_path} ({_variable_name(chosen[0].subject, chosen[0].measure, chosen[0].unit)})")


# --------------------------------------------------------------------------------------------
# stories and re-extraction


STORY_FIELDS = ("id", "name", "basis", "documents", "claims", "conflicts", "first_published", "last_published")


@main.group(invoke_without_command=True)
@db_option
@format_option()
@click.pass_context
@library_errors
def stories(ctx: click.Context, db: str, fmt: str) -> None:
    """Stories: the events the documents report, each with its generated name.

    Without a subcommand, lists them. `stories move DOC STORY` and `stories merge A B` record a
    user's choice, kept across re-runs and re-clustering.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    if ctx.invoked_subcommand is not None:
        return
    with open_ledger(db, must_exist=True) as ledger:
        found = ledger.stories()
    rows = [s.to_dict() for s in found]

    def table() -> str:
        narrow = _width() < 100  # when and by whom go under the name: the id and the name keep their width
        names = ("story", "name", "documents", "claims", "conflicts") + (() if narrow else ("published", "by"))
        t = _table()
        for name in names:
            t.add_column(name, overflow="fold", justify="right" if name in ("documents", "claims", "conflicts")
                         else "left")
        for s in found:
            dates = dict.fromkeys(present.date_text(d) for d in (s.first_published, s.last_published) if d)
            span = " – ".join(dates) or "undated"
            counts = (f"{s.documents:,}", f"{s.claims:,}", f"{s.conflicts:,}")
            if narrow:
                t.add_row(s.id, f"{s.name or ''}\n{span} · {s.basis}".strip(), *counts)
            else:
                t.add_row(s.id, s.name or "", *counts, span, s.basis)
        return _render(t)

    _write_rows(rows, STORY_FIELDS, fmt, table)


def _edit_stories(ctx: click.Context, edit: Callable[[Ledger], str]) -> None:
    """A user's edit of the stories (it says what it did), then reconcile them again."""
    from crosscount.pipeline import reconcile_stories

    with open_ledger(ctx.obj["db"], must_exist=True) as ledger:
        click.echo(edit(ledger))
        counts = reconcile_stories(ledger)
    conflicts = counts.by_type["conflict"]
    click.echo(f"reconciled: {counts.stories} stories, {counts.findings:,} findings ({conflicts} conflicts)")


@stories.command("move")
@click.argument("doc")
@click.argument("story")
@click.pass_context
@library_errors
def stories_move(ctx: click.Context, doc: str, story: str) -> None:
    """Move document DOC to STORY (a new story if none has that id), then reconcile again."""

    def move(ledger: Ledger) -> str:
        ledger.move_document(doc, story)
        return f"moved {doc} to story {story}"

    _edit_stories(ctx, move)


@stories.command("merge")
@click.argument("source")
@click.argument("target")
@click.pass_context
@library_errors
def stories_merge(ctx: click.Context, source: str, target: str) -> None:
    """Merge story SOURCE into story TARGET, then reconcile again."""

    def merge(ledger: Ledger) -> str:
        moved = ledger.merge_stories(source, target)
        return f"merged story {source} into {target} ({present.plural(moved, 'document')} moved)"

    _edit_stories(ctx, merge)


@main.command()
@db_option
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Reconcile settings (TOML) over the defaults.")
@library_errors
def reextract(db: str, config_path: str | None) -> None:
    """Extract again the stored documents an older extractor read (imported claims are kept), then reconcile."""
    from crosscount.pipeline import extractor_fingerprint, reconcile_stories
    from crosscount.pipeline import reextract as reextract_ledger

    with open_ledger(db, must_exist=True) as ledger:
        fingerprint = extractor_fingerprint()
        n = reextract_ledger(ledger, fingerprint=fingerprint)
        click.echo(f"re-extracted: {n} document(s) (extractor {fingerprint})")
        counts = reconcile_stories(ledger, config_path)
        click.echo(f"reconciled: {counts.stories} stories, {counts.findings:,} findings")
