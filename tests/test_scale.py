"""The scale stage: the local and Dask engines give the claims a plain loop gives, skip what is stored,
report bad records and failing documents, and survive a worker process that dies."""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crosscount.errors import CrosscountError
from crosscount.extract import Extractor
from crosscount.ingest import IngestProblem, apply_metadata, iter_documents, load_metadata
from crosscount.ledger import Ledger
from crosscount.models import Claim, Document
from crosscount.scale import iter_inputs, read_claims, run_extraction

BENCH = Path(__file__).resolve().parents[1] / "bench" / "scale.py"



# --------------------------------------------------------------------------------------------------
# Extractors used by the tests: picklable by reference, so worker processes import them from here


class FailingExtractor(Extractor):
    """Raises on one document, as a rule bug on an odd article would."""

    def __init__(self, victim: str) -> None:
        super().__init__()
        self.victim = victim

    def extract_document(self, doc: Document) -> list[Claim]:
        if doc.id == self.victim:
            raise ValueError(f"cannot read {doc.id}")
        return super().extract_document(doc)


class DyingExtractor(Extractor):
    """Kills its own process on one document, the first time only (a marker file remembers)."""

    def __init__(self, marker: str, victim: str) -> None:
        super().__init__()
        self.marker = marker
        self.victim = victim

    def extract_document(self, doc: Document) -> list[Claim]:
        if doc.id == self.victim:
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                pass
            else:
                os._exit(3)
        return super().extract_document(doc)


def failing_factory(victim: str) -> Extractor:
    return FailingExtractor(victim)


def dying_factory(marker: str, victim: str) -> Extractor:
    return DyingExtractor(marker, victim)


# --------------------------------------------------------------------------------------------------
# Helpers and fixtures


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("crosscount_bench_scale", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _key(claims: list[Claim]) -> list[str]:
    return sorted(json.dumps(c.to_dict(with_rules=True), sort_keys=True) for c in claims)


def _plain_loop(docs: Iterator[Document]) -> list[Claim]:
    extractor = Extractor()
    return [claim for doc in docs for claim in extractor.extract_document(doc)]


def _collect(out: list[Claim]) -> Any:
    def on_result(pairs: list[tuple[Document, list[Claim]]]) -> None:
        for _, claims in pairs:
            out.extend(claims)

    return on_result


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return list(_bench().compose_corpus(240, seed=11))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> dict[str, Path]:
    """The same generated articles as JSONL.gz (two files) and as Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("corpus")
    (root / "jsonl").mkdir()
    for part, chunk in enumerate((records[:130], records[130:])):
        with gzip.open(root / "jsonl" / f"part-{part}.jsonl.gz", "wt", encoding="utf-8") as handle:
            for record in chunk:
                handle.write(json.dumps(record) + "\n")
    (root / "parquet").mkdir()
    pq.write_table(pa.Table.from_pylist(records), root / "parquet" / "articles.parquet", row_group_size=50)
    return {"jsonl": root / "jsonl", "parquet": root / "parquet"}


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A 2-worker LocalCluster on 127.0.0.1 that tests reach by address, as a remote one would be."""
    from distributed import LocalCluster

    cluster = LocalCluster(  # type: ignore[no-untyped-call,unused-ignore]
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0",
        local_directory=str(tmp_path_factory.mktemp("dask")),
    )
    yield cluster.scheduler_address
    cluster.close()


# --------------------------------------------------------------------------------------------------
# Inputs


def test_parquet_records_become_the_documents_jsonl_records_become(corpus: dict[str, Path]) -> None:
    from_jsonl = [d.to_dict() for d in iter_inputs([corpus["jsonl"]])]
    from_parquet = [d.to_dict() for d in iter_inputs([corpus["parquet"]])]
    assert len(from_jsonl) == 240
    for doc in from_jsonl + from_parquet:
        doc.pop("origin")
    assert from_parquet == from_jsonl


def test_a_bad_parquet_row_is_reported_with_its_row_and_the_rest_read(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"id": "a", "text": "Ten people died."}, {"id": "b", "text": "  "}, {"id": "c", "text": "Two died."}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "t.parquet")
    pq.write_table(pa.Table.from_pylist([{"body": "x"}]), tmp_path / "no-text.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    problems: list[IngestProblem] = []
    docs = list(iter_inputs([tmp_path], on_problem=problems.append))
    assert [d.id for d in docs] == ["a", "c"]
    shown = sorted(str(p) for p in problems)
    assert any("broken.parquet" in s and "not a readable Parquet file" in s for s in shown)
    assert any("no-text.parquet" in s and "no 'text' column" in s for s in shown)
    assert any(s.startswith(f"{tmp_path / 't.parquet'}:row 2:") and "empty 'text'" in s for s in shown)


def test_unknown_engine_and_a_scheduler_without_dask_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CrosscountError, match="unknown engine 'spark'"):
        run_extraction([tmp_path], engine="spark")
    with pytest.raises(CrosscountError, match="needs the dask engine"):
        run_extraction([tmp_path], scheduler="tcp://127.0.0.1:8786")


def test_dask_missing_says_which_extra_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(CrosscountError, match=r"pip install 'crosscount\[dask\]'"):
        run_extraction([tmp_path], engine="dask")


# --------------------------------------------------------------------------------------------------
# Same claims on every engine


@pytest.mark.slow
def test_seeds_give_the_same_claims_on_dask_local_and_a_plain_loop(shared_dir: Path) -> None:
    meta = load_metadata(shared_dir / "eval" / "seeds.docs.jsonl")
    seeds = shared_dir / "seeds"
    plain = _plain_loop(apply_metadata(d, meta) for d in iter_documents([seeds]))
    assert len(plain) > 20
    results: dict[str, list[Claim]] = {}
    for engine in ("local", "dask"):  # dask with no scheduler: the engine starts and closes its cluster
        results[engine] = []
        summary = run_extraction([seeds], engine=engine, workers=2, batch_size=2, metadata=meta,
                                 on_result=_collect(results[engine]))
        assert (summary.documents, summary.extracted, summary.failed) == (5, 5, 0)
        assert summary.claims == len(plain)
    assert _key(results["local"]) == _key(plain)
    assert _key(results["dask"]) == _key(plain)


@pytest.mark.slow
def test_generated_corpus_gives_the_same_claims_from_jsonl_and_parquet_on_every_engine(
    corpus: dict[str, Path], scheduler: str, tmp_path: Path
) -> None:
    plain = _plain_loop(iter_inputs([corpus["jsonl"]]))
    assert len(plain) > 500
    local = run_extraction([corpus["jsonl"]], engine="local", workers=2, batch_size=25, out_dir=tmp_path / "l")
    dask = run_extraction([corpus["parquet"]], engine="dask", scheduler=scheduler, batch_size=25,
                          out_dir=tmp_path / "d")
    assert local.claims == dask.claims == len(plain)
    assert len(local.shards) == 10 and (tmp_path / "l" / "claims-00009.parquet").exists()
    assert _key(read_claims(tmp_path / "l")) == _key(plain)
    assert _key(read_claims(tmp_path / "d")) == _key(plain)


# --------------------------------------------------------------------------------------------------
# Incremental runs


@pytest.mark.slow
def test_a_second_run_into_the_same_ledger_extracts_nothing(corpus: dict[str, Path], tmp_path: Path) -> None:
    first_half = sorted(corpus["jsonl"].iterdir())[:1]
    with Ledger(tmp_path / "ledger.db") as ledger:
        partial = run_extraction(first_half, workers=2, ledger=ledger, batch_size=40)  # a run cut short
        assert partial.extracted == partial.stored == 130
        whole = run_extraction([corpus["jsonl"]], workers=2, ledger=ledger, batch_size=40)
        assert (whole.skipped, whole.extracted, whole.stored) == (130, 110, 110)
        again = run_extraction([corpus["jsonl"]], workers=2, ledger=ledger, batch_size=40)
        assert (again.documents, again.skipped, again.extracted, again.claims) == (240, 240, 0, 0)
        assert again.batches == 0
        runs = ledger.runs()
        assert len(runs) == 3
        everything = _plain_loop(iter_inputs([corpus["jsonl"]]))
        assert ledger.count_claims() == partial.claims + whole.claims == len(everything)


@pytest.mark.slow
def test_a_rerun_into_the_same_out_dir_redoes_only_missing_and_uncommitted_shards(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = run_extraction([corpus["jsonl"]], workers=2, out_dir=out, batch_size=60)
    assert len(first.shards) == 4
    # A crash between the two files of a shard: claims written, documents file not.
    (out / "documents-00003.parquet").unlink()
    second = run_extraction([corpus["jsonl"]], workers=2, out_dir=out, batch_size=60)
    assert second.skipped == 180 and second.extracted == 60
    assert second.shards == [str(out / "claims-00004.parquet")]
    assert not (out / "claims-00003.parquet").exists()
    assert _key(read_claims(out)) == _key(_plain_loop(iter_inputs([corpus["jsonl"]])))


# --------------------------------------------------------------------------------------------------
# Problems: a bad record, a failing document, a dying worker


@pytest.mark.slow
def test_a_bad_record_mid_file_is_reported_and_the_rest_processed(
    records: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for i, record in enumerate(records[:30]):
            handle.write(json.dumps(record) + "\n")
            if i == 14:
                handle.write('{"id": "broken", "text": "Five people were\n')
    problems: list[IngestProblem] = []
    summary = run_extraction([path], workers=2, batch_size=8, on_problem=problems.append)
    (problem,) = problems
    assert problem.origin == f"{path}:line 16" and problem.skipped
    assert problem.message.startswith("not valid JSON (")
    assert (summary.documents, summary.extracted, summary.problems) == (30, 30, 1)


@pytest.mark.slow
def test_a_document_whose_extraction_raises_is_reported_and_its_batch_goes_on(
    corpus: dict[str, Path],
) -> None:
    victim = "article-0000005"
    problems: list[IngestProblem] = []
    got: list[Claim] = []
    summary = run_extraction([corpus["jsonl"]], workers=2, batch_size=20, on_problem=problems.append,
                             on_result=_collect(got), extractor_factory=functools.partial(failing_factory, victim))
    assert (summary.extracted, summary.failed, summary.problems) == (239, 1, 1)
    (problem,) = problems
    assert problem.origin.endswith("part-0.jsonl.gz:line 6")
    assert problem.message == (
        f"extraction of document {victim!r} failed in extract (ValueError: cannot read {victim}); skipped"
    )
    expected = [c for c in _plain_loop(iter_inputs([corpus["jsonl"]])) if c.doc != victim]
    assert _key(got) == _key(expected)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["local", "dask"])
def test_a_worker_killed_mid_run_costs_a_retry_not_the_run(
    corpus: dict[str, Path], scheduler: str, tmp_path: Path, engine: str
) -> None:
    marker = tmp_path / "died"
    factory = functools.partial(dying_factory, str(marker), "article-0000150")
    out = tmp_path / "out"
    summary = run_extraction([corpus["jsonl"]], engine=engine, workers=2, batch_size=20, out_dir=out,
                             scheduler=scheduler if engine == "dask" else None, extractor_factory=factory)
    assert marker.exists()  # a worker did die
    assert (summary.extracted, summary.failed, summary.problems) == (240, 0, 0)
    if engine == "local":
        assert summary.retries >= 1
    assert _key(read_claims(out)) == _key(_plain_loop(iter_inputs([corpus["jsonl"]])))
