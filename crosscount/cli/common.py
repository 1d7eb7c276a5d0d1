"""Options shared by several commands, so that a flag means the same thing everywhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from crosscount.ingest import IngestProblem

F = TypeVar("F", bound=Callable[..., Any])


def format_option(default: str = "table", choices: tuple[str, ...] = ("table", "jsonl", "csv")) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def out_option(f: F) -> F:
    return click.option(
        "--out",
        "out",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write to this file instead of standard output.",
    )(f)


def db_option(f: F) -> F:
    return click.option(
        "--db",
        "db",
        default="ledger.db",
        show_default=True,
        envvar="CROSSCOUNT_DB",
        help="Ledger: a SQLite file path, or a SQLAlchemy URL such as postgresql+psycopg://user@host/db.",
    )(f)


def story_option() -> Callable[[F], F]:
    return click.option(
        "--story", default=None, metavar="STORY", help="Only this story (its id, as `crosscount stories` lists)."
    )


def meta_option(
    help_text: str = "JSONL of per-document metadata (doc, outlet, published) applied to the inputs.",
) -> Callable[[F], F]:
    return click.option(
        "--meta", "meta_path", type=click.Path(exists=True, dir_okay=False), default=None, help=help_text
    )


def echo_problem(problem: IngestProblem) -> None:
    """One line on stderr per bad input: "skipped: FILE:line N: what is wrong" (or "warning: ...")."""
    click.echo(f"skipped: {problem}" if problem.skipped else f"warning: {problem}", err=True)


ENGINE_CHOICES = ("local", "dask")
# Below this many input files (and no record files), extraction runs in this process: a pool would
# spend longer starting than working.
IN_PROCESS_BELOW = 20
IN_PROCESS_BYTES = 2_000_000


def engine_options(f: F) -> F:
    f = click.option(
        "--workers",
        type=int,
        default=None,
        help=("Worker processes (default: every core; with dask and no scheduler: the LocalCluster's size)."),
    )(f)
    f = click.option(
        "--scheduler",
        default=None,
        envvar="CROSSCOUNT_SCHEDULER",
        help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --engine dask).",
    )(f)
    f = click.option(
        "--engine",
        type=click.Choice(ENGINE_CHOICES),
        default="local",
        show_default=True,
        help="local: a process pool on this machine; dask: a Dask cluster (LocalCluster on 127.0.0.1 "
        "unless --scheduler).",
    )(f)
    return f


def wants_pool(inputs: Sequence[str], engine: str, scheduler: str | None, workers: int | None) -> bool:
    """Whether to hand extraction to the scale engine rather than run it in this process.

    Small inputs (fewer than IN_PROCESS_BELOW files and under IN_PROCESS_BYTES) run in this process:
    a pool would spend longer starting than working.
    """
    from pathlib import Path

    if engine == "dask" or scheduler:
        return True
    if workers == 1:
        return False
    files = 0
    size = 0
    for name in inputs:
        path = Path(name)
        paths = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path] if path.is_file() else []
        for p in paths:
            files += 1
            size += p.stat().st_size
            if files >= IN_PROCESS_BELOW or size >= IN_PROCESS_BYTES:
                return True
    return False
