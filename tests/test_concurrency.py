"""Concurrent writers (issue 11, item 7): two processes analysing into one ledger at the same moment.

Each round, two real processes (spawned interpreters, each with its own extractor and ledger
connection) analyse a folder at once: one document both folders hold, and one of their own. Both must
finish without an error, and the picture stored last must cover every claim either stored (a fresh
reconciliation of the ledger changes nothing). Ten rounds on SQLite, ten on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crosscount.ledger import Ledger
from crosscount.pipeline import reconcile_ledger

ROUNDS = 10
WAIT = 600.0  # seconds a barrier waits for the other parties (a stuck process fails the test)

_SHARED = (
    "Officials said on {day} that {n} people were killed when the river burst its banks in the town of "
    "Harwick. Rescue teams were still searching the flooded streets for survivors."
)
_OWN = (
    "The regional health ministry said {n} people were injured in the floods at {place}, and that "
    "{m} families had lost their homes. Local volunteers handed out food and blankets overnight."
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def _folders(root: Path, name: str, rounds: int) -> list[str]:
    """One folder per round for writer ``name``: the round's shared document and one of its own."""
    folders = []
    for r in range(rounds):
        folder = root / f"{name}-{r}"
        folder.mkdir(parents=True)
        (folder / f"shared-{r}.txt").write_text(_SHARED.format(day=_DAYS[r % 5], n=10 + r) + "\n")
        own = _OWN.format(n=100 + 7 * r + len(name), place=f"{name.title()}ville", m=20 + r)
        (folder / f"{name}-{r}.txt").write_text(own + "\n")
        folders.append(str(folder))
    return folders


def _writer(db: str, folders: list[str], barrier: Any, results: Any) -> None:
    """A writer process: per round, wait for the other, analyse its folder, report, wait again."""
    from crosscount.extract import extract
    from crosscount.pipeline import analyze

    extract("Officials said 3 people were killed.")  # the model loaded before the first round
    for folder in folders:
        barrier.wait(WAIT)
        try:
            with Ledger(db) as ledger:
                summary, _ = analyze([folder], ledger)
            results.put((folder, "ok" if not summary.problems else f"problems: {summary.problems}"))
        except Exception as err:  # reported to the test, which fails naming it
            results.put((folder, f"{type(err).__name__}: {err}"))
        barrier.wait(WAIT)


def _covered(ledger: Ledger) -> set[tuple[str, int, int]]:
    return {(str(d), int(s), int(e)) for st in ledger.statements() for d, s, e in st.claims}


def _race(db: str, root: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(3)
    results = context.Queue()
    writers = [
        context.Process(target=_writer, args=(db, _folders(root, name, ROUNDS), barrier, results), daemon=True)
        for name in ("north", "south")
    ]
    with Ledger(db):
        pass  # the schema made before the writers start (migrations are tested elsewhere)
    for process in writers:
        process.start()
    try:
        for r in range(ROUNDS):
            barrier.wait(WAIT)  # both writers go
            barrier.wait(WAIT)  # both writers are done
            outcomes = []
            for _ in writers:
                try:
                    outcomes.append(results.get(timeout=WAIT))
                except queue.Empty:
                    pytest.fail(f"round {r}: a writer reported nothing")
            assert [outcome for _, outcome in outcomes] == ["ok", "ok"], outcomes
            with Ledger(db) as ledger:
                stored = _covered(ledger)
                claims = {(c.doc, c.start, c.end) for c in ledger.claims()}
                assert {f"shared-{r}.txt", f"north-{r}.txt", f"south-{r}.txt"} <= {c[0] for c in claims}
                reconcile_ledger(ledger)
                assert stored == _covered(ledger), f"round {r}: the stored picture missed claims"
                assert {c[0] for c in claims} <= {c[0] for c in stored}
        for process in writers:
            process.join(WAIT)
            assert process.exitcode == 0
    finally:
        for process in writers:
            if process.is_alive():
                process.kill()
                process.join()
        results.close()
        results.join_thread()


def test_two_writers_on_one_sqlite_ledger(tmp_path: Path) -> None:
    _race(str(tmp_path / "ledger.db"), tmp_path)


def test_two_writers_on_one_postgresql_ledger(tmp_path: Path, pg_url: Callable[[], str]) -> None:
    _race(pg_url(), tmp_path)


def test_the_reconcile_lock_is_exclusive_between_ledgers_of_one_file(tmp_path: Path) -> None:
    import threading
    import time

    db = str(tmp_path / "ledger.db")
    inside: list[str] = []
    overlap: list[bool] = []

    def hold(name: str) -> None:
        with Ledger(db) as ledger, ledger.exclusive("reconcile"):
            overlap.append(bool(inside))
            inside.append(name)
            time.sleep(0.2)
            inside.remove(name)

    threads = [threading.Thread(target=hold, args=(f"t{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlap == [False, False, False]
    with Ledger(db) as ledger, ledger.exclusive("reconcile"), ledger.exclusive("reconcile"):
        pass  # re-entrant within a thread


def test_a_reconciliation_stored_meanwhile_is_not_dropped_by_an_older_one(tmp_path: Path) -> None:
    # The interleaving the lock prevents, made certain: run A lists the stories and pauses after the
    # first; run B stores a document of a new story and reconciles; then A ends and drops the picture
    # of every story it did not list. With the lock, B waits for A instead, and its picture stays.
    import threading

    from crosscount.extract import Extractor
    from crosscount.models import Document
    from crosscount.pipeline import reconcile_stories

    extractor = Extractor()

    def document(doc_id: str, story: str, n: int) -> tuple[Document, list[Any]]:
        doc = Document(doc_id, _SHARED.format(day="Monday", n=n), story=story)
        return doc, extractor.extract_document(doc)

    db = str(tmp_path / "ledger.db")
    with Ledger(db) as ledger:
        ledger.add_documents([document("first.txt", "harwick", 12)])
    b_done = threading.Event()

    def run_b() -> None:
        with Ledger(db) as ledger:
            ledger.add_documents([document("second.txt", "zeta", 30)])
            reconcile_stories(ledger)
        b_done.set()

    b = threading.Thread(target=run_b)

    def pause(_story: str) -> None:  # A, after its first story: B runs now (or waits for A's lock)
        if b.ident is None:
            b.start()
            b_done.wait(3.0)

    with Ledger(db) as ledger:
        reconcile_stories(ledger, on_story=pause)
    b.join()
    with Ledger(db) as ledger:
        stored = _covered(ledger)
        assert {c.doc for c in ledger.claims()} == {"first.txt", "second.txt"}
        assert {doc for doc, _, _ in stored} == {"first.txt", "second.txt"}
        reconcile_ledger(ledger)
        assert stored == _covered(ledger)


def test_an_id_another_writer_took_meanwhile_is_stored_under_a_hashed_id(tmp_path: Path) -> None:
    # what a writer meets when another stored a different text under the same id after it checked:
    # the insert itself must not fail (it did: documents_pkey), and the text is kept under a new id
    from crosscount.extract import Extractor
    from crosscount.ingest import suffixed_id
    from crosscount.models import Document

    extractor = Extractor()
    first = Document("report.txt", _SHARED.format(day="Monday", n=12))
    second = Document("report.txt", _SHARED.format(day="Friday", n=40))
    with Ledger(str(tmp_path / "ledger.db")) as ledger:
        assert ledger.add_documents([(first, extractor.extract_document(first))]) == 1
        assert ledger.add_documents([(second, extractor.extract_document(second))]) == 1
        renamed = suffixed_id("report.txt", second.content_hash)
        assert sorted(d.id for d in ledger.documents()) == sorted(["report.txt", renamed])
        assert [c.figure for c in ledger.claims(doc=renamed)] == ["40"]
        assert ledger.add_documents([(second, extractor.extract_document(second))]) == 0  # stored once
