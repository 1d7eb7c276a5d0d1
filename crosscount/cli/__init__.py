"""The `crosscount` command: a thin layer that parses options, calls the library and formats output."""

from __future__ import annotations

import click

from crosscount import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crosscount")
def main() -> None:
    """Who says how many, as of when, and where the sources disagree."""


# Each command module registers its commands on `main` when imported (one line each).
from crosscount.cli import curate_cmds as _curate_cmds  # noqa: E402,F401
from crosscount.cli import extraction as _extraction  # noqa: E402,F401
from crosscount.cli import ledger_cmds as _ledger_cmds  # noqa: E402,F401
from crosscount.cli import web_cmds as _web_cmds  # noqa: E402,F401
