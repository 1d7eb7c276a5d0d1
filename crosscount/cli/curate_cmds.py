"""Curation from the command line: correct, confirm or exclude a claim, exclude a document, list corrections.

Each correction is kept in the ledger beside the machine's value (who, when, why) and the
ledger is reconciled again at once, so `crosscount findings` and the report show its effect.
"""

from __future__ import annotations

import getpass
import json

import click

from crosscount.cli import main
from crosscount.cli.common import db_option
from crosscount.cli.ledger_cmds import library_errors, open_ledger

WHO_HELP = "Who makes the correction (default: the login name)."


def _record(db: str, doc: str, start: int | None, field: str, value: str | None, who: str | None,
            why: str | None) -> None:
    from crosscount.curation import add_correction
    from crosscount.pipeline import reconcile_ledger

    with open_ledger(db, must_exist=True) as ledger:
        fix = add_correction(ledger, doc, start, field, value, who=who or getpass.getuser(), why=why)
        reconcile_ledger(ledger)
    target = f"{doc} at {start}" if start is not None else doc
    shown = f" = {fix.value!r}" if fix.value is not None else ""
    was = f" (the machine said {fix.machine!r})" if fix.machine is not None else ""
    click.echo(f"{fix.field}{shown} on {target}{was}, by {fix.who} at {fix.at}; the ledger is reconciled again")


@main.command()
@click.argument("doc")
@click.argument("start", type=int)
@click.argument("field", type=click.Choice(["source", "as_of", "measure", "subject", "value"]))
@click.argument("value")
@db_option
@click.option("--who", default=None, help=WHO_HELP)
@click.option("--why", default=None, help="Why: what the machine got wrong.")
@library_errors
def correct(doc: str, start: int, field: str, value: str, db: str, who: str | None, why: str | None) -> None:
    """Correct one field of the claim at offset START of document DOC.

    VALUE: a source or subject name, a measure, an as-of date (YYYY[-MM[-DD]], or "" for none),
    or a figure: 300, 200-900, >=790000, <=50.
    """
    _record(db, doc, start, field, value, who, why)


@main.command()
@click.argument("doc")
@click.argument("start", type=int)
@db_option
@click.option("--who", default=None, help=WHO_HELP)
@click.option("--why", default=None, help="Why it is right (a second source, a check).")
@library_errors
def confirm(doc: str, start: int, db: str, who: str | None, why: str | None) -> None:
    """Mark the claim at offset START of document DOC as checked and right."""
    _record(db, doc, start, "confirm", None, who, why)


@main.command()
@click.argument("doc")
@click.argument("start", type=int, required=False)
@db_option
@click.option("--who", default=None, help=WHO_HELP)
@click.option("--why", default=None, help="Why it is left out.")
@library_errors
def exclude(doc: str, start: int | None, db: str, who: str | None, why: str | None) -> None:
    """Leave a claim (DOC START) or a whole document (DOC) out of the reconciliation."""
    _record(db, doc, start, "exclude", None, who, why)


@main.command()
@db_option
@click.option("--doc", default=None, help="Only this document's corrections.")
@click.option("--history", is_flag=True, help="Also the corrections a later one replaced.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
@library_errors
def corrections(db: str, doc: str | None, history: bool, fmt: str) -> None:
    """The analysts' corrections, with who, when, why and the machine's value."""
    from crosscount.curation import corrections as read_corrections

    with open_ledger(db, must_exist=True) as ledger:
        found = read_corrections(ledger, doc, history=history)
    if fmt == "jsonl":
        for fix in found:
            click.echo(json.dumps(fix.to_dict(), ensure_ascii=False))
        return
    if not found:
        click.echo("no corrections")
        return
    for fix in found:
        target = f"{fix.doc} at {fix.start}" if fix.start is not None else f"{fix.doc} (document)"
        value = f" = {fix.value!r}" if fix.value is not None else ""
        was = f" (machine: {fix.machine!r})" if fix.machine is not None else ""
        why = f": {fix.why}" if fix.why else ""
        old = "" if fix.active else " [replaced]"
        click.echo(f"{fix.at}  {fix.who}  {fix.field}{value}{was}  {target}{why}{old}")
