"""The ledger on both backends: SQLite files and a throwaway PostgreSQL server."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, insert, inspect, select, text

from crosscount.errors import LedgerError
from crosscount.ledger import (
    MIGRATIONS,
    Ledger,
    findings_t,
    metadata,
    statements_t,
    variables_t,
)
from crosscount.models import Claim, Document, Finding, Statement, Variable, text_hash

REPO = Path(__file__).resolve().parents[1]


# -- building records ---------------------------------------------------------------------------


def make_doc(
    body: str, outlet: str | None = "Wire", published: str | None = "2025-01-14", **kw: Any
) -> Document:
    return Document(id=text_hash(body), text=body, outlet=outlet, published=published, **kw)


def make_claim(doc: Document, figure: str, value: float | None = None, **kw: Any) -> Claim:
    start = doc.text.index(figure)
    fields: dict[str, Any] = {
        "doc": doc.id,
        "start": start,
        "end": start + len(figure),
        "figure": figure,
        "low": value,
        "high": value,
        "qualifier": "exact",
        "unit": "persons",
        "measure": "killed",
        "subject": "North Korean troops",
        "location": "Kursk",
        "source": "NIS",
        "as_of": None,
        "kind": "report",
        "sentence": doc.text,
        "published": doc.published,
    }
    fields.update(kw)
    return Claim(**fields)


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def corpus(ledger: Ledger) -> dict[str, Document]:
    """Three short articles: a repeated NIS figure, a Western estimate, and an undated note."""
    a = make_doc("The NIS said 300 soldiers were killed and 2,700 wounded.", "Yonhap", "2025-01-13")
    b = make_doc("Western officials put the dead at about 1,000 by late January.", "BBC", "2025-01-30")
    c = make_doc("A year-old note counted 11,000 troops deployed.", None, None)
    ledger.add_document(
        a,
        [
            make_claim(a, "300", 300),
            make_claim(a, "2,700", 2700, measure="wounded", as_of="2025-01"),
        ],
    )
    ledger.add_document(
        b,
        [
            make_claim(
                b, "about 1,000", 1000, qualifier="approx", source="Western officials", as_of="2025-01-28"
            )
        ],
    )
    ledger.add_document(c, [make_claim(c, "11,000", 11000, measure="deployed", source=None, as_of="2024")])
    return {"a": a, "b": b, "c": c}


# -- ingest ---------------------------------------------------------------------------------------


def test_ledger_roundtrips_documents_and_claims_with_every_field(ledger: Ledger) -> None:
    doc = make_doc(
        "Сеул: NIS оценивает 300 убитых — 북한군 300명 사망 🙁.",
        "Ёнхап",
        "2025-01",
        url="https://example.org/a?x=1",
        title="Потери «КНДР»",
        origin="/tmp/a.html:3",
        language="ru",
    )
    claim = make_claim(
        doc,
        "300",
        300,
        low=250.0,
        high=350.5,
        qualifier="range",
        subject="КНДР",
        location=None,
        source_text="Национальная служба разведки",
        via="Ёнхап, citing the NIS",
        confidence=0.75,
        rules=("figure.digits", "source.according_to"),
    )
    assert ledger.add_document(doc, [claim], None) is True
    assert ledger.document(doc.id) == doc
    assert ledger.documents() == [doc]
    assert ledger.claims() == [claim]
    assert list(ledger.iter_claims()) == [claim]
    assert ledger.document("no-such-id") is None


def test_ledger_add_document_twice_stores_it_once(ledger: Ledger) -> None:
    doc = make_doc("Officials said 12,000 troops were sent.")
    claims = [make_claim(doc, "12,000", 12000, measure="deployed")]
    assert not ledger.has_document(doc.content_hash)
    assert ledger.add_document(doc, claims) is True
    assert ledger.add_document(doc, claims) is False
    same_text = Document(id=doc.id, text=doc.text, outlet="Another outlet", published="2025-02-01")
    assert ledger.add_document(same_text, claims) is False
    assert ledger.has_document(doc.content_hash)
    assert ledger.count_claims() == 1
    assert ledger.documents() == [doc]
    assert ledger.sources()[0].claims == 1  # the skipped copies did not count twice


def test_ledger_known_hashes_checks_large_batches(ledger: Ledger) -> None:
    docs = [make_doc(f"Report number {i} gives no figure.") for i in range(1200)]
    assert ledger.add_documents([(d, []) for d in docs[::2]]) == 600
    asked = [d.content_hash for d in docs] + ["0" * 64]
    assert ledger.known_hashes(asked) == {d.content_hash for d in docs[::2]}
    assert ledger.known_hashes([]) == set()


def test_ledger_add_documents_skips_known_and_repeated_documents(ledger: Ledger) -> None:
    old = make_doc("Old report: 300 killed.")
    new = make_doc("New report: 1,000 killed.")
    ledger.add_document(old, [make_claim(old, "300", 300)])
    batch: list[tuple[Document, list[Claim]]] = [
        (old, [make_claim(old, "300", 300)]),
        (new, [make_claim(new, "1,000", 1000)]),
        (new, [make_claim(new, "1,000", 1000)]),
    ]
    assert ledger.add_documents(batch) == 1
    assert ledger.add_documents([]) == 0
    assert [c.figure for c in ledger.claims()] == ["300", "1,000"]


def test_ledger_add_document_writes_nothing_when_a_claim_breaks_a_constraint(ledger: Ledger) -> None:
    doc = make_doc("The ministry said 40 were killed and 60 wounded.")
    good = make_claim(doc, "40", 40)
    bad = make_claim(doc, "60", 60, measure=None)  # measure is required
    with pytest.raises(LedgerError, match="constraint"):
        ledger.add_document(doc, [good, bad])
    assert not ledger.has_document(doc.content_hash)
    assert ledger.documents() == []
    assert ledger.count_claims() == 0
    assert ledger.sources() == []
    assert ledger.add_document(doc, [good]) is True  # and it can be stored once fixed


def test_ledger_add_documents_batch_is_all_or_nothing(ledger: Ledger) -> None:
    first = make_doc("First: 10 killed.")
    second = make_doc("Second: 20 killed.")
    batch = [(first, [make_claim(first, "10", 10)]), (second, [make_claim(second, "20", 20, kind=None)])]
    with pytest.raises(LedgerError):
        ledger.add_documents(batch)
    assert ledger.known_hashes([first.content_hash, second.content_hash]) == set()


def test_ledger_add_document_with_an_unknown_run_writes_nothing(ledger: Ledger) -> None:
    doc = make_doc("Five were captured.")
    with pytest.raises(LedgerError):
        ledger.add_document(doc, [make_claim(doc, "Five", 5, measure="captured")], run_id=999)
    assert ledger.documents() == []


def test_ledger_rejects_claims_given_with_another_document(ledger: Ledger) -> None:
    a = make_doc("A: 7 killed.")
    b = make_doc("B: 8 killed.")
    with pytest.raises(LedgerError, match="its own claims"):
        ledger.add_document(a, [make_claim(b, "8", 8)])
    assert ledger.documents() == []


def test_ledger_kill_9_in_the_middle_of_a_document_leaves_nothing(ledger_url: str) -> None:
    # The child writes the document and claim rows, then is killed with SIGKILL before it commits.
    script = textwrap.dedent(
        """
        import os, signal, sys
        from sqlalchemy import event
        from crosscount.ledger import Ledger
        from crosscount.models import Claim, Document, text_hash

        body = "Killed mid-write: 500 wounded."
        doc = Document(id=text_hash(body), text=body, outlet="Wire", published="2025-01-01")
        claim = Claim(doc=doc.id, start=18, end=21, figure="500", low=500, high=500, qualifier="exact",
                      unit="persons", measure="wounded", subject=None, location=None, source="NIS",
                      as_of=None, kind="report")
        ledger = Ledger(sys.argv[1])

        def die(conn, cursor, statement, params, context, executemany):
            if statement.lstrip().upper().startswith("INSERT INTO SOURCES"):  # after documents, claims
                os.kill(os.getpid(), signal.SIGKILL)

        event.listen(ledger.engine, "before_cursor_execute", die)
        ledger.add_document(doc, [claim])
        print("not killed")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, ledger_url],
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    with Ledger(ledger_url) as led:
        assert not led.has_document(text_hash("Killed mid-write: 500 wounded."))
        assert led.documents() == []
        assert led.count_claims() == 0


def test_ledger_concurrent_writers_store_each_document_once(ledger_url: str) -> None:
    docs = [make_doc(f"Item {i}: {i} killed.") for i in range(1, 41)]
    batches = [
        [(d, [make_claim(d, f"{i}", float(i))]) for i, d in enumerate(docs, 1)][k::3] for k in range(3)
    ]
    errors: list[BaseException] = []
    added: list[int] = []
    ledgers = [Ledger(ledger_url) for _ in range(4)]

    def work(led: Ledger) -> None:
        try:
            for batch in batches:  # every writer tries every document
                added.append(led.add_documents(batch))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(led,)) for led in ledgers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for led in ledgers:
        led.close()
    assert errors == []
    assert sum(added) == len(docs)
    with Ledger(ledger_url) as led:
        assert led.count_claims() == len(docs)
        assert led.sources()[0].claims == len(docs)


# -- reads ----------------------------------------------------------------------------------------


def test_ledger_claims_filter_by_field(ledger: Ledger, corpus: dict[str, Document]) -> None:
    assert [c.figure for c in ledger.claims(measure="killed")] == ["300", "about 1,000"]
    assert [c.figure for c in ledger.claims(source="Western officials")] == ["about 1,000"]
    assert [c.figure for c in ledger.claims(subject="North Korean troops", measure="wounded")] == ["2,700"]
    assert [c.figure for c in ledger.claims(doc=corpus["c"].id)] == ["11,000"]
    assert ledger.claims(subject="nobody") == []
    assert ledger.count_claims() == 4
    assert ledger.count_claims(measure="killed") == 2


def test_ledger_date_filters_use_as_of_else_published_at_their_precision(
    ledger: Ledger, corpus: dict[str, Document]
) -> None:
    # dates: 300 -> published 2025-01-13; 2,700 -> as of 2025-01; 1,000 -> as of 2025-01-28; 11,000 -> 2024
    def figures(**kw: str) -> list[str]:
        return [c.figure for c in ledger.claims(**kw)]  # type: ignore[arg-type]

    assert figures(since="2025-01-14") == ["2,700", "about 1,000"]  # "2025-01" reaches past the 14th
    assert figures(until="2025-01-13") == ["300", "2,700", "11,000"]
    assert figures(since="2025-01-13", until="2025-01-13") == ["300", "2,700"]
    assert figures(since="2025") == ["300", "2,700", "about 1,000"]
    assert figures(until="2024-12") == ["11,000"]
    assert figures(since="2024-06-01", until="2024-06-30") == ["11,000"]  # "2024" covers June
    assert figures(since="2025-02") == []
    assert ledger.count_claims(since="2025-01-14") == 2
    with pytest.raises(LedgerError, match="YYYY"):
        ledger.claims(since="13 January 2025")


def test_ledger_documents_filter_and_order_by_publication(
    ledger: Ledger, corpus: dict[str, Document]
) -> None:
    assert [d.id for d in ledger.documents()] == [corpus["a"].id, corpus["b"].id, corpus["c"].id]
    assert [d.outlet for d in ledger.documents(outlet="BBC")] == ["BBC"]
    assert [d.outlet for d in ledger.documents(since="2025-01-20")] == ["BBC"]
    assert [d.outlet for d in ledger.documents(until="2025-01")] == ["Yonhap", "BBC"]
    assert ledger.count_documents() == 3
    assert ledger.count_documents(outlet="BBC") == 1


def test_ledger_pagination_edges(ledger: Ledger, corpus: dict[str, Document]) -> None:
    everything = [c.figure for c in ledger.claims()]
    assert len(everything) == 4
    assert ledger.claims(limit=0) == []
    assert [c.figure for c in ledger.claims(limit=3)] == everything[:3]
    assert [c.figure for c in ledger.claims(limit=3, offset=3)] == everything[3:]
    assert ledger.claims(offset=4) == []
    assert ledger.claims(offset=100, limit=10) == []
    pages = [c.figure for k in range(0, 4, 2) for c in ledger.claims(limit=2, offset=k)]
    assert pages == everything
    assert [d.outlet for d in ledger.documents(limit=1, offset=1)] == ["BBC"]
    with pytest.raises(LedgerError, match="negative"):
        ledger.claims(offset=-1)
    with pytest.raises(LedgerError, match="negative"):
        ledger.documents(limit=-5)


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10000])
def test_ledger_iter_claims_streams_every_claim_in_order(ledger: Ledger, batch_size: int) -> None:
    docs = [make_doc(f"Dispatch {i}: 10 killed, 20 wounded.") for i in range(5)]
    batch = [(d, [make_claim(d, "10", 10), make_claim(d, "20", 20, measure="wounded")]) for d in docs]
    ledger.add_documents(batch)
    expected = [c for _, claims in batch for c in claims]
    assert list(ledger.iter_claims(batch_size=batch_size)) == expected
    with pytest.raises(LedgerError):
        next(ledger.iter_claims(batch_size=0))


def test_ledger_iter_claims_of_an_empty_ledger_yields_nothing(ledger: Ledger) -> None:
    assert list(ledger.iter_claims()) == []


# -- reconciliation ---------------------------------------------------------------------------------


def reconciliation(tag: str) -> tuple[list[Statement], list[Variable], list[Finding]]:
    s1 = Statement(
        id=f"s1-{tag}",
        source="NIS",
        subject="North Korean troops",
        measure="killed",
        location="Kursk",
        unit="persons",
        low=300,
        high=300,
        qualifier="exact",
        figure="300",
        as_of=None,
        kind="report",
        claims=[("d1", 14, 17), ("d2", 3, 6)],
        docs=["d1", "d2"],
        outlets=["Yonhap", None],
        first_seen="d1",
        first_published="2025-01-13",
    )
    s2 = Statement(
        id=f"s2-{tag}",
        source="Western officials",
        subject="North Korean troops",
        measure="killed",
        location="Kursk",
        unit="persons",
        low=1000,
        high=1000,
        qualifier="approx",
        figure="about 1,000",
        as_of="2025-01-28",
        kind="report",
        claims=[("d3", 30, 41)],
        docs=["d3"],
        outlets=["BBC"],
        first_seen="d3",
        first_published="2025-01-30",
    )
    var = Variable(
        id=f"v-{tag}", subject="North Korean troops", measure="killed", location="Kursk", unit="persons"
    )
    var.statements = [s1.id, s2.id]
    conflict = Finding(
        id=f"f1-{tag}",
        type="conflict",
        rule="conflict.disjoint_intervals",
        subject="North Korean troops",
        measure="killed",
        text="The NIS says 300; Western officials say about 1,000.",
        variable=var.id,
        statements=[s1.id, s2.id],
        period="2025-01",
        details={"ratio": 3.33, "sources": ["NIS", "Western officials"]},
    )
    estimate = Finding(
        id=f"f2-{tag}",
        type="estimate",
        rule="estimate.independent_sources",
        subject="North Korean troops",
        measure="killed",
        text="Between 300 and 1,000 killed; best 300.",
        variable=var.id,
        low=300,
        best=300,
        high=1000,
    )
    return [s1, s2], [var], [conflict, estimate]


def test_ledger_replace_reconciliation_roundtrips_and_replaces_the_set(ledger: Ledger) -> None:
    statements, variables, findings = reconciliation("a")
    ledger.replace_reconciliation(statements, variables, findings)
    assert ledger.statements() == statements
    assert ledger.variables() == variables
    assert ledger.findings() == findings

    statements2, variables2, findings2 = reconciliation("b")
    ledger.replace_reconciliation(statements2[:1], variables2, findings2[1:])
    assert ledger.statements() == statements2[:1]
    assert ledger.variables() == variables2
    assert ledger.findings() == findings2[1:]

    ledger.replace_reconciliation([], [], [])
    assert (ledger.statements(), ledger.variables(), ledger.findings()) == ([], [], [])


def test_ledger_replace_reconciliation_failure_keeps_the_previous_set(ledger: Ledger) -> None:
    statements, variables, findings = reconciliation("a")
    ledger.replace_reconciliation(statements, variables, findings)
    new_statements, new_variables, new_findings = reconciliation("b")
    with pytest.raises(LedgerError):
        ledger.replace_reconciliation(new_statements, new_variables, new_findings + new_findings[:1])
    assert ledger.statements() == statements
    assert ledger.findings() == findings


def test_ledger_reconciliation_keeps_infinite_and_unusual_values(ledger: Ledger) -> None:
    """orjson writes an infinite float as null: such a record is written by the standard library instead,
    and so is a value orjson refuses (an integer beyond 64 bits); both read back as they were."""
    statements, variables, findings = reconciliation("a")
    findings[0].details = {"ratio": math.inf, "gap": 700.0, "sources": ["NIS", "Western officials"]}
    findings[1].details = {"huge": 2**70, "camps": [1.5, -math.inf]}
    findings[1].high = math.nan
    statements[1].note = "naïve – “quoted”"
    ledger.replace_reconciliation(statements, variables, findings, story="st")
    back = ledger.findings()
    assert back[0].details == findings[0].details
    assert back[1].details == {"huge": 2**70, "camps": [1.5, -math.inf]}
    assert back[1].high is not None and math.isnan(back[1].high)
    assert ledger.statements()[1].note == "naïve – “quoted”"
    assert len(ledger.statements(story="st")) == 2  # filed under the story given


def test_ledger_reconciliation_rows_fill_each_column_with_its_field(ledger: Ledger) -> None:
    """replace_reconciliation builds its rows as tuples in the tables' column order: each stored column
    holds the field of its name (a column added to a table and not to the rows would show here)."""
    statements, variables, findings = reconciliation("a")
    findings[0].passed = False
    ledger.replace_reconciliation(statements, variables, findings, story="st")
    expected = {
        statements_t: {
            "seq": 1, "source": "Western officials", "subject": "North Korean troops", "measure": "killed",
            "location": "Kursk", "unit": "persons", "as_of": "2025-01-28", "kind": "report", "low": 1000,
            "high": 1000, "effective_date": "2025-01-28", "story": "st",
        },
        variables_t: {
            "seq": 0, "subject": "North Korean troops", "measure": "killed", "location": "Kursk",
            "unit": "persons", "story": "st",
        },
        findings_t: {
            "seq": 0, "type": "conflict", "rule": "conflict.disjoint_intervals", "subject": "North Korean troops",
            "measure": "killed", "variable": "v-a", "period": "2025-01", "passed": False, "story": "st",
        },
    }
    ids = {statements_t: statements[1].id, variables_t: variables[0].id, findings_t: findings[0].id}
    with ledger.engine.connect() as conn:
        for table, values in expected.items():
            row = conn.execute(select(table).where(table.c.id == ids[table])).mappings().one()
            assert set(row) == {*values, "id", "data"}
            assert {k: row[k] for k in values} == values
            assert json.loads(row["data"])["id"] == ids[table]


def test_ledger_reconciliation_filters(ledger: Ledger) -> None:
    statements, variables, findings = reconciliation("a")
    ledger.replace_reconciliation(statements, variables, findings)
    assert [s.source for s in ledger.statements(source="NIS")] == ["NIS"]
    assert [s.figure for s in ledger.statements(since="2025-01-20")] == ["about 1,000"]  # as-of
    assert [s.figure for s in ledger.statements(until="2025-01-13")] == ["300"]  # first published
    assert [s.figure for s in ledger.statements(limit=1, offset=1)] == ["about 1,000"]
    assert ledger.statements(measure="wounded") == []
    assert len(ledger.variables(subject="North Korean troops", measure="killed", location="Kursk")) == 1
    assert ledger.variables(location="Donetsk") == []
    assert [f.type for f in ledger.findings(type="conflict")] == ["conflict"]
    assert [f.type for f in ledger.findings(measure="killed")] == ["conflict", "estimate"]
    assert [f.id for f in ledger.findings(rule="estimate.independent_sources")] == ["f2-a"]
    assert len(ledger.findings(variable="v-a")) == 2
    assert ledger.findings(subject="nobody") == []


def test_ledger_reads_records_stored_with_fields_it_does_not_know(ledger: Ledger) -> None:
    findings = reconciliation("a")[2]
    ledger.replace_reconciliation([], [], findings[:1])
    with ledger.engine.begin() as conn:
        conn.execute(
            text("UPDATE findings SET data = :d"),
            {
                "d": '{"id": "f1-a", "type": "conflict", "rule": "r", "subject": null, '
                '"measure": "killed", "text": "t", "added_later": 1}'
            },
        )
    assert ledger.findings() == [
        Finding(id="f1-a", type="conflict", rule="r", subject=None, measure="killed", text="t")
    ]


# -- sources, search, runs, stats, delete ----------------------------------------------------------


def test_ledger_sources_count_claims_and_statements_and_span_their_dates(
    ledger: Ledger, corpus: dict[str, Document]
) -> None:
    statements, variables, findings = reconciliation("a")
    ledger.replace_reconciliation(statements, variables, findings)
    summary = {s.name: s for s in ledger.sources()}
    assert list(summary) == ["NIS", "Western officials"]
    assert (summary["NIS"].claims, summary["NIS"].statements) == (2, 1)
    assert (summary["NIS"].first_seen, summary["NIS"].last_seen) == ("2025-01", "2025-01-13")
    assert (summary["Western officials"].first_seen, summary["Western officials"].last_seen) == (
        "2025-01-28",
        "2025-01-28",
    )
    later = make_doc("The NIS now says 600 were killed.", "Yonhap", "2025-02-20")
    ledger.add_document(later, [make_claim(later, "600", 600)])
    nis = ledger.sources()[0]
    assert (nis.name, nis.claims, nis.first_seen, nis.last_seen) == ("NIS", 3, "2025-01", "2025-02-20")


def test_ledger_delete_document_removes_its_claims_and_updates_sources(
    ledger: Ledger, corpus: dict[str, Document]
) -> None:
    assert ledger.delete_document(corpus["b"].id) is True
    assert ledger.document(corpus["b"].id) is None
    assert ledger.claims(doc=corpus["b"].id) == []
    assert ledger.count_claims() == 3
    assert [s.name for s in ledger.sources()] == ["NIS"]
    assert ledger.delete_document(corpus["b"].id) is False
    assert ledger.add_document(corpus["b"], []) is True  # it can come back


def test_ledger_search_finds_sources_subjects_and_documents(
    ledger: Ledger, corpus: dict[str, Document]
) -> None:
    hits = ledger.search("western")
    assert [(h.kind, h.key) for h in hits] == [("source", "Western officials"), ("document", corpus["b"].id)]
    assert hits[1].label == "BBC"
    assert hits[1].snippet is not None and "Western officials" in hits[1].snippet
    assert [(h.kind, h.claims) for h in ledger.search("korean")] == [("subject", 4)]
    assert [h.key for h in ledger.search("11,000")] == [corpus["c"].id]
    assert ledger.search("nothing like this") == []
    assert ledger.search("   ") == []
    assert len(ledger.search("e", limit=1)) <= 3  # one per kind


def test_ledger_search_treats_wildcards_and_unicode_literally(ledger: Ledger) -> None:
    doc = make_doc("Доклад: 100% потерь_батальона, 5 убиты.")
    ledger.add_document(doc, [make_claim(doc, "5", 5, source="Минобороны", subject="батальон")])
    assert [h.kind for h in ledger.search("100%")] == ["document"]
    assert [h.kind for h in ledger.search("потерь_батальона")] == ["document"]
    assert ledger.search("0_%") == []
    assert [h.key for h in ledger.search("Минобороны")] == ["Минобороны"]
    # whole words: the subject, not the inflected "батальона" inside the article
    assert [(h.kind, h.key) for h in ledger.search("батальон")] == [("subject", "батальон")]


def test_ledger_runs_record_version_config_and_counts(ledger: Ledger) -> None:
    first = ledger.start_run("extract-1.0", {"rules": ["a", "b"], "min_confidence": 0.5, "name": "Юг"})
    second = ledger.start_run("extract-1.1", {})
    doc = make_doc("Run test: 9 killed.")
    ledger.add_document(doc, [make_claim(doc, "9", 9)], run_id=first)
    ledger.finish_run(first, {"documents": 1, "claims": 1})
    runs = ledger.runs()
    assert [r.id for r in runs] == [first, second]
    assert runs[0].version == "extract-1.0"
    assert runs[0].config == {"rules": ["a", "b"], "min_confidence": 0.5, "name": "Юг"}
    assert runs[0].counts == {"documents": 1, "claims": 1}
    assert runs[0].finished_at is not None and runs[0].finished_at >= runs[0].started_at
    assert runs[1].finished_at is None and runs[1].counts is None
    with ledger.engine.connect() as conn:
        assert conn.execute(text("SELECT run_id FROM claims")).scalar_one() == first
    with pytest.raises(LedgerError, match="no run"):
        ledger.finish_run(12345, {})


def test_ledger_stats_count_everything(ledger: Ledger, corpus: dict[str, Document]) -> None:
    ledger.replace_reconciliation(*reconciliation("a"))
    ledger.start_run("v", {})
    stats = ledger.stats()
    assert stats.backend == ledger.backend
    assert stats.migrations == [m.name for m in MIGRATIONS]
    assert (stats.documents, stats.claims, stats.sources, stats.outlets) == (3, 4, 2, 2)
    assert (stats.statements, stats.variables, stats.findings, stats.runs) == (2, 1, 2, 1)
    assert (stats.first_published, stats.last_published) == ("2025-01-13", "2025-01-30")
    assert stats.findings_by_type == {"conflict": 1, "estimate": 1}
    assert stats.to_dict()["claims"] == 4


# -- schema and migrations --------------------------------------------------------------------------


def test_ledger_migrations_upgrade_an_older_ledger_and_keep_its_data(ledger_url: str) -> None:
    with Ledger(ledger_url, migrations=MIGRATIONS[:1]) as old:
        assert old.migrations() == ["001_base"]
        names = set(inspect(old.engine).get_table_names())
        assert "sources" not in names
        doc = make_doc("Before the upgrade, the NIS said 300 were killed.", "Yonhap", "2025-01-13")
        claim = make_claim(doc, "300", 300)
        # write as the version with only migration 001 did: no sources table, no run_id column
        reflected = MetaData()
        reflected.reflect(old.engine)
        with old.engine.begin() as conn:
            conn.execute(
                insert(reflected.tables["documents"]).values(
                    id=doc.id,
                    content_hash=doc.content_hash,
                    outlet=doc.outlet,
                    published=doc.published,
                    language="en",
                    text=doc.text,
                    ingested_at="2025-01-13T00:00:00+00:00",
                )
            )
            row = {k: v for k, v in claim.to_dict().items() if k in reflected.tables["claims"].c}
            conn.execute(
                insert(reflected.tables["claims"]).values(
                    **row, rules='["old.rule"]', effective_date=doc.published
                )
            )
    with Ledger(ledger_url) as new:
        assert new.migrations() == [m.name for m in MIGRATIONS]
        columns = {c["name"] for c in inspect(new.engine).get_columns("claims")}
        assert "run_id" in columns
        assert "sources" in inspect(new.engine).get_table_names()
        claim.rules = ("old.rule",)
        assert new.claims() == [claim]
        assert new.document(doc.id) is not None
        assert [(s.name, s.claims, s.first_seen) for s in new.sources()] == [("NIS", 1, "2025-01-13")]
        assert new.add_document(doc, [claim]) is False
    with Ledger(ledger_url) as again:  # opening an up-to-date ledger changes nothing
        assert again.migrations() == [m.name for m in MIGRATIONS]


def test_ledger_refuses_a_ledger_from_a_newer_crosscount(ledger_url: str) -> None:
    with Ledger(ledger_url):
        pass
    with pytest.raises(LedgerError, match="newer crosscount"):
        Ledger(ledger_url, migrations=MIGRATIONS[:2])


def test_ledger_failed_migration_leaves_no_trace(ledger_url: str) -> None:
    def broken(conn: Any) -> None:
        conn.execute(text("CREATE TABLE half_done (x INTEGER)"))
        raise RuntimeError("boom")

    from crosscount.ledger import Migration

    with pytest.raises(RuntimeError, match="boom"):
        Ledger(ledger_url, migrations=[*MIGRATIONS, Migration("004_broken", broken)])
    with Ledger(ledger_url) as led:
        assert led.migrations() == [m.name for m in MIGRATIONS]
        assert "half_done" not in inspect(led.engine).get_table_names()


def test_ledger_migrated_schema_matches_the_declared_schema(ledger: Ledger) -> None:
    insp = inspect(ledger.engine)
    assert set(insp.get_table_names()) == set(metadata.tables) | {"_migrations"}
    for name, table in metadata.tables.items():
        assert {c["name"] for c in insp.get_columns(name)} == {c.name for c in table.columns}, name
        declared = {i.name for i in table.indexes}
        assert declared <= {i["name"] for i in insp.get_indexes(name)}, name


# -- backend specifics -----------------------------------------------------------------------------


def test_ledger_sqlite_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as led, led.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_ledger_sqlite_accepts_paths_and_urls(tmp_path: Path) -> None:
    doc = make_doc("Path test: 3 killed.")
    with Ledger(str(tmp_path / "a.db")) as led:
        led.add_document(doc, [])
    with Ledger(f"sqlite:///{tmp_path / 'a.db'}") as led:
        assert led.has_document(doc.content_hash)
        assert led.backend == "sqlite"
    with Ledger(":memory:") as led:
        assert led.add_document(doc, [make_claim(doc, "3", 3)])
        assert led.count_claims() == 1


def test_ledger_reports_a_missing_directory_or_a_bad_url(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="does not exist"):
        Ledger(tmp_path / "nope" / "l.db")
    with pytest.raises(LedgerError, match="does not exist"):
        Ledger(f"sqlite:///{tmp_path}/nope/l.db")
    with pytest.raises(LedgerError, match="unsupported"):
        Ledger("mysql://u@localhost/db")


def test_ledger_reports_an_unreachable_postgresql_server() -> None:
    with pytest.raises(LedgerError, match="cannot"):
        Ledger("postgresql://postgres@127.0.0.1:1/none")


def test_ledger_sqlite_claim_filters_use_indexes(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as led, led.engine.connect() as conn:
        for where in (
            "measure = 'killed'",
            "source = 'NIS'",
            "subject = 's' AND measure = 'killed'",
            "doc = 'x'",
        ):
            plan = " ".join(
                str(r[-1])
                for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN SELECT * FROM claims WHERE {where}")
            )
            assert "USING INDEX" in plan, (where, plan)


def test_ledger_search_matches_whole_words_only(ledger: Ledger) -> None:
    doc = make_doc("The Ministry of Defence said 40 were killed; the NIS agreed.")
    ledger.add_document(doc, [make_claim(doc, "40", 40, source="Ministry of Defence", subject="soldiers")])
    assert [h.kind for h in ledger.search("NIS")] == ["document"]  # not "Ministry"
    assert ledger.search("Minis") == []
    hit = ledger.search("nis")[0]
    assert hit.snippet is not None and "the NIS agreed" in hit.snippet
