"""`crosscount extract` and `crosscount eval`."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from crosscount.cli import main
from crosscount.cli.common import echo_problem, engine_options, format_option, meta_option, out_option, wants_pool
from crosscount.errors import CrosscountError
from crosscount.models import OUTPUT_FIELDS, Claim, Document


def _progress(total: int, label: str) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=total < 20 or (not console.is_terminal and total < 200),
        transient=False,
    )


def documents_with_problems(inputs: tuple[str, ...], meta_path: str | None, problems: list[str]) -> Iterator[Document]:
    """Documents from the inputs, metadata applied; each problem is echoed to stderr, each skip kept."""
    from crosscount.ingest import IngestProblem, apply_metadata, iter_documents, load_metadata

    meta: dict[str, dict[str, Any]] = load_metadata(meta_path) if meta_path else {}

    def on_problem(problem: IngestProblem) -> None:
        if problem.skipped:
            problems.append(str(problem))
        echo_problem(problem)

    for doc in iter_documents(inputs, on_problem=on_problem):
        yield apply_metadata(doc, meta) if meta else doc


def extract_inputs(
    inputs: tuple[str, ...], meta_path: str | None, problems: list[str], stories: dict[str, str] | None = None
) -> list[Claim]:
    """Claims of every input document; ``stories`` (when given) collects each document's story."""
    from crosscount.extract import default_extractor
    from crosscount.guard import DocFailure, extract_each_guarded
    from crosscount.ingest import IngestProblem, count_inputs

    extractor = default_extractor()
    claims: list[Claim] = []
    total = count_inputs(inputs)
    with _progress(total, "extracting") as progress:
        task = progress.add_task("extract", total=total)
        for doc, found in extract_each_guarded(extractor, documents_with_problems(inputs, meta_path, problems)):
            if isinstance(found, DocFailure):  # reported and skipped; the other documents go on
                problem = IngestProblem(doc.origin or doc.id, found.describe(doc.id), True)
                problems.append(str(problem))
                echo_problem(problem)
                progress.advance(task)
                continue
            claims.extend(found)
            if stories is not None and doc.story:
                stories[doc.id] = doc.story
            progress.advance(task)
    return claims


def extract_on_engine(
    inputs: tuple[str, ...], meta_path: str | None, problems: list[str], *, engine: str, scheduler: str | None,
    workers: int | None, out_dir: str | None,
) -> list[Claim]:
    """Extraction on the scale engine: a process pool on every core, or a Dask cluster."""
    from crosscount.ingest import IngestProblem, load_metadata
    from crosscount.scale import run_extraction

    claims: list[Claim] = []

    def on_problem(problem: IngestProblem) -> None:
        if problem.skipped:
            problems.append(str(problem))
        echo_problem(problem)

    def on_result(pairs: list[tuple[Document, list[Claim]]]) -> None:
        for _doc, found in pairs:
            claims.extend(found)

    from crosscount.ingest import count_inputs

    files = count_inputs(inputs)
    records = any(str(p).endswith((".jsonl", ".jsonl.gz", ".csv", ".parquet")) for p in inputs)
    with _progress(max(files, 200), "extracting") as progress:
        # one tick per document; a JSONL/CSV/Parquet input holds an unknown number of them
        task = progress.add_task("extract", total=None if records else files)
        run_extraction(
            list(inputs), engine="dask" if scheduler else engine, scheduler=scheduler, workers=workers,
            out_dir=Path(out_dir) if out_dir else None, metadata=load_metadata(meta_path) if meta_path else None,
            on_problem=on_problem, on_result=on_result, progress=lambda n: progress.advance(task, n),
        )
    # Batches finish in any order: sort so that the same inputs always give the same output.
    return sorted(claims, key=lambda c: (c.doc, c.start, c.end))


def write_claims(claims: list[Claim], fmt: str, out: str | None, *, explain: bool = False) -> None:
    buffer = io.StringIO()
    if fmt == "jsonl":
        for c in claims:
            buffer.write(json.dumps(c.to_dict(with_rules=explain), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        fields = list(OUTPUT_FIELDS) + (["rules"] if explain else [])
        writer = csv.DictWriter(buffer, fieldnames=fields)
        writer.writeheader()
        for c in claims:
            row = c.to_dict(with_rules=explain)
            if explain:
                row["rules"] = " ".join(c.rules)
            writer.writerow(row)
    else:
        buffer.write(claims_table(claims))
    text = buffer.getvalue()
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def claims_table(claims: list[Claim]) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for name in ("doc", "figure", "low", "high", "unit", "measure", "subject", "source", "as_of", "kind"):
        table.add_column(name, overflow="fold")
    for c in claims:
        table.add_row(
            c.doc,
            c.figure,
            _num(c.low),
            _num(c.high),
            c.unit,
            c.measure,
            c.subject or "",
            c.source or "—",
            c.as_of or "",
            c.kind,
        )
    console = Console(file=io.StringIO(), width=max(shutil.get_terminal_size((160, 24)).columns, 40), record=True)
    console.print(table)
    return console.export_text()


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@format_option(default="jsonl")
@out_option
@meta_option()
@click.option("--explain", is_flag=True, help="Add the names of the rules that fired to each claim.")
@engine_options
def extract(inputs: tuple[str, ...], fmt: str, out: str | None, meta_path: str | None, explain: bool, engine: str,
            scheduler: str | None, workers: int | None) -> None:
    """Extract attributed claims from files or folders of articles (.txt .md .html .jsonl .jsonl.gz .csv .parquet).

    With --out DIR/ (a directory, or a path ending in /) the claims go to Parquet shards there, written
    batch by batch; a re-run skips the documents already written.
    """
    problems: list[str] = []
    to_shards = out is not None and (out.endswith("/") or Path(out).is_dir())
    try:
        if to_shards or wants_pool(inputs, engine, scheduler, workers):
            claims = extract_on_engine(inputs, meta_path, problems, engine=engine, scheduler=scheduler,
                                       workers=workers, out_dir=out if to_shards else None)
        else:
            claims = extract_inputs(inputs, meta_path, problems)
    except CrosscountError as exc:
        raise click.ClickException(str(exc)) from exc
    if to_shards:
        click.echo(f"{len(claims)} claims written to Parquet shards in {out}", err=True)
    else:
        write_claims(claims, fmt, out, explain=explain)
    if problems:
        click.echo(f"{len(problems)} input(s) skipped; see the messages above", err=True)
        sys.exit(3)  # the one rule, as for analyze: 3 when something was skipped; warnings alone exit 0


def default_meta_for(gold: str) -> str | None:
    """seeds.gold.jsonl -> seeds.docs.jsonl beside it, when present."""
    path = Path(gold)
    if path.name.endswith(".gold.jsonl"):
        candidate = path.with_name(path.name[: -len(".gold.jsonl")] + ".docs.jsonl")
        if candidate.exists():
            return str(candidate)
    return None


@main.command(name="eval")
@click.option(
    "--gold",
    "gold_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Gold claims (JSONL, the fields of ANNOTATION.md).",
)
@click.argument("inputs", nargs=-1, required=True)
@meta_option("Document metadata JSONL (default: NAME.docs.jsonl beside NAME.gold.jsonl).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option(
    "--by-story", is_flag=True, help="Also score each story (the inputs' 'story' field) on its own, then overall."
)
@click.option(
    "--picture",
    "picture",
    default=None,
    metavar="DIR_OR_PREFIX",
    help="Score the reconciled picture instead: statements recovered, conflicts recall and precision, evolutions, "
    "per story, against the *.statements.jsonl and *.conflicts.jsonl in DIR (or PREFIX.statements.jsonl ...).",
)
@click.option(
    "--from-gold",
    is_flag=True,
    help="With --picture: reconcile the gold claims (as imported claims) instead of the extractor's own.",
)
def evaluate(
    gold_path: str, inputs: tuple[str, ...], meta_path: str | None, as_json: bool, by_story: bool,
    picture: str | None, from_gold: bool,
) -> None:
    """Score the extractor against gold claims: figure P/R/F1, field accuracy, strict recall.

    With --picture, score the analyst's picture reconciled from the documents' claims (the extractor's,
    or the gold claims with --from-gold) against a story set's gold statements and conflicts.
    """
    from crosscount.evaluate import format_report, format_story_table, load_gold, score, score_by_story

    if from_gold and picture is None:
        raise click.UsageError("--from-gold goes with --picture")
    if picture is not None:
        _evaluate_picture(gold_path, inputs, meta_path or default_meta_for(gold_path), picture, from_gold, as_json)
        return
    problems: list[str] = []
    stories: dict[str, str] = {}
    try:
        gold = load_gold(gold_path)
        claims = extract_inputs(inputs, meta_path or default_meta_for(gold_path), problems, stories)
    except CrosscountError as exc:
        raise click.ClickException(str(exc)) from exc
    report = score(gold, claims)
    per_story = score_by_story(gold, claims, stories) if by_story else {}
    if as_json:
        data = report.to_dict()
        if by_story:
            data["stories"] = {name: r.to_dict() for name, r in per_story.items()}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(format_report(report))
        if by_story:
            click.echo("")
            click.echo(format_story_table(per_story, report))


def _evaluate_picture(
    gold_path: str, inputs: tuple[str, ...], meta_path: str | None, picture: str, from_gold: bool, as_json: bool
) -> None:
    from crosscount.evaluate import load_gold
    from crosscount.extract import default_extractor
    from crosscount.picture import format_picture, load_picture_gold, score_picture
    from crosscount.reconcile import reconcile

    problems: list[str] = []
    try:
        gold_picture = load_picture_gold(picture)
        docs = list(documents_with_problems(inputs, meta_path, problems))
        if from_gold:
            known = {d.id for d in docs}
            claims = [c for c in load_gold(gold_path) if c.doc in known]
        else:
            extractor = default_extractor()
            claims = [c for d in docs for c in extractor.extract_document(d)]
        rec = reconcile(claims, {d.id: d for d in docs})
    except CrosscountError as exc:
        raise click.ClickException(str(exc)) from exc
    result = score_picture(rec, gold_picture)
    if as_json:
        data = result.to_dict()
        data["claims"] = "gold" if from_gold else "extractor"
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(f"picture reconciled from the {'gold' if from_gold else 'extractor'}'s claims ({len(claims)})")
        click.echo(format_picture(result, width=shutil.get_terminal_size().columns))
    if problems:
        click.echo(f"{len(problems)} input problem(s); see the messages above", err=True)
        sys.exit(3)
