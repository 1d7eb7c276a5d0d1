"""`extract` and `analyze` on the scale engines give what the in-process path gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosscount.cli import main
from crosscount.ledger import Ledger

pytestmark = pytest.mark.slow


def _corpus(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"a{i:03d}.txt").write_text(
            f"The Malian army said on Monday that {10 + i} Malian soldiers were killed and {i + 3} wounded near Gao.\n",
            encoding="utf-8",
        )
    return folder


def _claims(out: str) -> list[dict[str, object]]:
    return sorted((json.loads(line) for line in out.splitlines()), key=lambda c: (c["doc"], c["start"]))


def test_extract_on_the_local_pool_and_dask_equals_in_process(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "in", 24)
    runner = CliRunner()
    inline = runner.invoke(main, ["extract", str(folder), "--workers", "1"])
    pool = runner.invoke(main, ["extract", str(folder), "--engine", "local", "--workers", "2"])
    dask = runner.invoke(main, ["extract", str(folder), "--engine", "dask", "--workers", "2"])
    assert inline.exit_code == pool.exit_code == dask.exit_code == 0, (pool.output, dask.output)
    assert len(_claims(inline.stdout)) == 48
    assert _claims(inline.stdout) == _claims(pool.stdout) == _claims(dask.stdout)


def test_extract_to_parquet_shards(tmp_path: Path) -> None:
    from crosscount.scale import read_claims

    folder = _corpus(tmp_path / "in", 5)
    result = CliRunner().invoke(main, ["extract", str(folder), "--out", str(tmp_path / "shards") + "/"])
    assert result.exit_code == 0, result.output
    assert len(read_claims(tmp_path / "shards")) == 10


def test_analyze_on_the_local_pool_stores_what_the_in_process_run_stores(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "in", 24)
    runner = CliRunner()
    a = runner.invoke(main, ["analyze", str(folder), "--db", str(tmp_path / "a.db"), "--workers", "1"])
    b = runner.invoke(main, ["analyze", str(folder), "--db", str(tmp_path / "b.db"), "--workers", "2"])
    assert a.exit_code == b.exit_code == 0, b.output
    with Ledger(str(tmp_path / "a.db")) as la, Ledger(str(tmp_path / "b.db")) as lb:
        assert sorted((c.to_dict() for c in la.claims()), key=lambda d: (d["doc"], d["start"])) == sorted(
            (c.to_dict() for c in lb.claims()), key=lambda d: (d["doc"], d["start"])
        )
        assert sorted(s.id for s in la.statements()) == sorted(s.id for s in lb.statements())
