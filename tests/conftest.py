from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

import pytest

from crosscount.ledger import Ledger

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}: tests read the seeds and gold from there")
    return SHARED


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh ledger's address on each backend: a SQLite file, and a database on the throwaway PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    factory = cast(Callable[[], str], request.getfixturevalue("pg_url"))
    return factory()


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    """The ledger at ``ledger_url``, open for the test."""
    with Ledger(ledger_url) as led:
        yield led


pytest_plugins = ["tests.pg_server"]
