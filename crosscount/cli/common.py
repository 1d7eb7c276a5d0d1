"""Options shared by several commands, so that a flag means the same thing everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

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
