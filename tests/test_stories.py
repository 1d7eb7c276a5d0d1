"""Stories: clustering, user moves and merges, re-extraction, imported claims and per-story reconcile,
on SQLite and PostgreSQL. Unit texts are written here; the shared corpora are read at run time."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sklearn.metrics import adjusted_rand_score

from crosscount.errors import LedgerError
from crosscount.ingest import IngestProblem, iter_documents
from crosscount.ledger import Ledger
from crosscount.models import Claim, Document, text_hash
from crosscount.pipeline import (
    extractor_fingerprint,
    import_documents,
    ingest_documents,
    reconcile_stories,
    reextract,
)
from crosscount.stories import cluster_texts, plan_stories, story_name, update_stories

FLOOD = [
    "Floods swept through Velmora on Tuesday. The Velmora river burst its banks and the Korvath dam failed, "
    "officials in Velmora said. Rescuers searched the flooded Velmora valley for survivors.",
    "In Velmora, the toll from the floods rose as the Korvath dam collapse left the valley under water. "
    "The governor of Velmora said rescuers were still searching the river banks.",
    "Aid convoys reached Velmora on Thursday after the floods; the Korvath dam breach had cut every road into "
    "the Velmora valley, and survivors sheltered on the river banks.",
]
VOTE = [
    "Voters in Astrid Bay queued for hours as the Halvard Party claimed victory in the parliamentary election. "
    "Counting in Astrid Bay continued overnight, election officials said.",
    "The Halvard Party's lead in the Astrid Bay election narrowed as ballots from rural districts were counted; "
    "opposition leaders in Astrid Bay alleged irregularities at polling stations.",
]


def doc(body: str, story: str | None = None, published: str | None = "2025-03-04", outlet: str = "Wire") -> Document:
    return Document(id=text_hash(body)[:12], text=body, outlet=outlet, published=published, story=story)


# -- clustering -----------------------------------------------------------------------------------


def test_cluster_texts_separates_two_events_and_keeps_each_together() -> None:
    labels = cluster_texts(FLOOD + VOTE)
    assert len(set(labels[:3])) == 1
    assert len(set(labels[3:])) == 1
    assert labels[0] != labels[3]


def test_cluster_texts_of_nothing_or_one_text() -> None:
    assert cluster_texts([]) == []
    assert cluster_texts(["Only one article here."]) == [0]
    assert len(cluster_texts(["123 456", "789"])) == 2  # no words at all: still one label each


def test_story_name_takes_the_telling_place_and_entity_words() -> None:
    name = story_name(FLOOD)
    assert "Velmora" in name.split(" · ")
    assert "Tuesday" not in name and "The" not in name


def test_plan_stories_joins_a_close_story_and_opens_a_new_one_for_an_unrelated_document() -> None:
    existing = {"velmora-floods": [doc(t) for t in FLOOD[:2]]}
    new = [doc(FLOOD[2]), doc(VOTE[0]), doc(VOTE[1])]
    plan = plan_stories(new, existing)
    assert plan.assignments[new[0].id] == "velmora-floods"
    assert plan.assignments[new[1].id] == plan.assignments[new[2].id] != "velmora-floods"
    assert plan.new_stories == [plan.assignments[new[1].id]]
    assert "Astrid" in plan.names[plan.new_stories[0]]


def test_dev_stories_are_recovered_by_clustering(shared_dir: Path) -> None:
    docs = list(iter_documents([shared_dir / "eval" / "dev" / "dev.docs.jsonl"]))
    gold = [d.story for d in docs]
    for d in docs:
        d.story = None
    plan = plan_stories(docs, {})
    ari = adjusted_rand_score(gold, [plan.assignments[d.id] for d in docs])
    assert ari >= 0.9, ari  # 0.97 measured: one story split in two, none merged


def test_the_seeds_form_one_story_that_no_unrelated_page_joins(shared_dir: Path) -> None:
    seeds = list(iter_documents([shared_dir / "seeds"]))
    pages = list(iter_documents([shared_dir / "corpora" / "web-pages"]))
    plan = plan_stories(seeds + pages, {})
    seed_stories = {plan.assignments[d.id] for d in seeds}
    assert len(seed_stories) == 1
    assert [d.id for d in pages if plan.assignments[d.id] in seed_stories] == []
    # incrementally: the seeds first, the pages later
    first = plan_stories(seeds, {})
    story = first.assignments[seeds[0].id]
    later = plan_stories(pages, {story: seeds})
    assert [d.id for d in pages if later.assignments[d.id] == story] == []


# -- stories in the ledger: input, clustering, user moves and merges ------------------------------


def store(ledger: Ledger, docs: list[Document]) -> None:
    ledger.add_documents([(d, []) for d in docs], fingerprint=extractor_fingerprint())


def test_input_stories_are_kept_and_clustering_places_the_rest(ledger: Ledger) -> None:
    given = doc(FLOOD[0], story="floods")
    rest = [doc(FLOOD[1]), doc(VOTE[0]), doc(VOTE[1])]
    store(ledger, [given, *rest])
    result = update_stories(ledger)
    assigned = ledger.story_assignments()
    assert assigned[given.id] == ("floods", "input")
    assert assigned[rest[0].id] == ("floods", "cluster")
    assert assigned[rest[1].id][0] == assigned[rest[2].id][0] != "floods"
    assert result.assigned == 3 and len(result.new_stories) == 1
    listed = {s.id: s for s in ledger.stories()}
    assert listed["floods"].documents == 2 and listed["floods"].basis == "input"
    assert "Velmora" in (listed["floods"].name or "")
    assert ledger.documents(story="floods")[0].story == "floods"


def test_a_user_move_is_kept_across_reclustering(ledger: Ledger) -> None:
    docs = [doc(t) for t in FLOOD + VOTE]
    store(ledger, docs)
    update_stories(ledger)
    vote_story = ledger.story_assignments()[docs[3].id][0]
    assert vote_story is not None
    ledger.move_document(docs[0].id, vote_story)
    store(ledger, [doc("Later, more rain fell on Velmora and the Korvath dam; the Velmora river rose again.")])
    update_stories(ledger)
    assert ledger.story_assignments()[docs[0].id] == (vote_story, "user")
    assert ledger.claims(story=vote_story) == []
    with pytest.raises(LedgerError, match="no document"):
        ledger.move_document("nope", vote_story)


def test_merging_stories_moves_documents_and_redirects_the_old_id(ledger: Ledger) -> None:
    a, b = doc(FLOOD[0], story="a"), doc(VOTE[0], story="b")
    store(ledger, [a, b])
    assert ledger.merge_stories("a", "b") == 1
    assert ledger.story_assignments()[a.id] == ("b", "user")
    assert [s.id for s in ledger.stories()] == ["b"]
    later = doc(FLOOD[1], story="a")  # the input still says "a": it goes where "a" went
    store(ledger, [later])
    assert ledger.story_assignments()[later.id] == ("b", "input")
    assert ledger.story("a") is not None and ledger.story("a").id == "b"  # type: ignore[union-attr]
    with pytest.raises(LedgerError, match="into itself"):
        ledger.merge_stories("a", "b")
    with pytest.raises(LedgerError, match="no story"):
        ledger.merge_stories("zzz", "b")


# -- re-extraction --------------------------------------------------------------------------------

ARTICLE = "The health ministry said on Monday that 42 people were killed in the floods in Velmora."


def test_a_changed_extractor_fingerprint_re_extracts_stored_documents(ledger: Ledger) -> None:
    d = doc(ARTICLE)
    ingest_documents(ledger, [d])
    now = extractor_fingerprint()
    assert ledger.count_stale_documents(now) == 0
    # as if an older extractor had stored it, with other claims
    old = ledger.claims(doc=d.id)
    assert old, "the extractor finds the figure"
    ledger.replace_claims(d.id, [], fingerprint="0.0.1/old/0000")
    assert ledger.count_stale_documents(now) == 1
    assert reextract(ledger) == 1
    assert [c.figure for c in ledger.claims(doc=d.id)] == [c.figure for c in old]
    assert ledger.count_stale_documents(now) == 0
    assert reextract(ledger) == 0
    assert ledger.runs()[-1].counts == {"documents": 1, "claims": len(old), "reextracted": 1}


# -- imported claims ------------------------------------------------------------------------------


def claim_line(d: Document, figure: str, **kw: Any) -> dict[str, Any]:
    start = d.text.index(figure)
    row: dict[str, Any] = {
        "doc": d.id, "start": start, "end": start + len(figure), "figure": figure, "low": 42, "high": 42,
        "qualifier": "exact", "unit": "persons", "measure": "killed", "subject": "people", "location": "Velmora",
        "source": "health ministry", "as_of": None, "kind": "report",
    }
    row.update(kw)
    return row


def test_imported_claims_are_stored_with_their_origin_and_bad_ones_are_reported(
    ledger: Ledger, tmp_path: Path
) -> None:
    d = doc(ARTICLE)
    path = tmp_path / "coded.jsonl"
    lines = [
        claim_line(d, "42"),
        claim_line(d, "42", start=0, end=2),  # the span reads "Th"
        claim_line(d, "42", doc="missing-doc"),
        claim_line(d, "42", start=5000, end=5002),
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    problems: list[IngestProblem] = []
    summary = import_documents(ledger, [d], path, on_problem=problems.append)
    assert summary.claims_imported == 1
    stored = ledger.claims(doc=d.id)
    assert [(c.figure, c.source) for c in stored] == [("42", "health ministry")]
    assert stored[0].sentence == ARTICLE and stored[0].published == "2025-03-04"
    assert ledger.count_claims(origin="import:coded.jsonl") == 1
    messages = [str(p) for p in problems]
    assert any("line 2" in m and "'Th', not the figure '42'" in m for m in messages), messages
    assert any("line 3" in m and "no document 'missing-doc'" in m for m in messages), messages
    assert any("line 4" in m and "outside document" in m for m in messages), messages
    assert any("line 5" in m and "not JSON" in m for m in messages), messages
    # imported claims are never re-extracted, and importing again replaces them
    assert reextract(ledger) == 0
    path.write_text(json.dumps(claim_line(d, "Monday", low=None, high=None, qualifier="vague")) + "\n")
    import_documents(ledger, [d], path)
    assert [c.figure for c in ledger.claims(doc=d.id)] == ["Monday"]


# -- reconcile per story --------------------------------------------------------------------------


def killed(d: Document, figure: str, value: float, source: str) -> Claim:
    start = d.text.index(figure)
    return Claim(doc=d.id, start=start, end=start + len(figure), figure=figure, low=value, high=value,
                 qualifier="exact", unit="persons", measure="killed", subject="people", location=None,
                 source=source, as_of="2025-03-04", kind="report", sentence=d.text, published=d.published)


def test_reconcile_per_story_never_compares_across_stories(ledger: Ledger) -> None:
    a = doc("Officials said 40 people were killed in Velmora.", story="velmora")
    b = doc("Police said 900 people were killed in Astrid Bay.", story="astrid", outlet="Post")
    c = doc("Rescuers said 950 people were killed in Astrid Bay.", story="astrid", outlet="Daily")
    ledger.add_documents([(a, [killed(a, "40", 40, "Officials")]), (b, [killed(b, "900", 900, "Police")]),
                          (c, [killed(c, "950", 950, "Rescuers")])])
    counts = reconcile_stories(ledger, workers=1)
    assert counts.stories == 2
    for f in ledger.findings():
        statements = {s.id: s for s in ledger.statements(story=f.story)}
        assert all(i in statements for i in f.statements), f
    assert {s.story for s in ledger.statements()} == {"velmora", "astrid"}
    assert all(f.story == "velmora" for f in ledger.findings(story="velmora"))
    assert ledger.findings(story="velmora", type="conflict") == []
    # a merge removes the merged story's set and the next reconcile files everything under the target
    ledger.merge_stories("velmora", "astrid")
    reconcile_stories(ledger, workers=1)
    assert {s.story for s in ledger.statements()} == {"astrid"}


def test_reconcile_stories_on_a_process_pool_matches_one_process(tmp_path: Path) -> None:
    results = []
    for workers in (1, 2):
        with Ledger(tmp_path / f"l{workers}.db") as ledger:
            docs = [doc(t, story="floods" if i < 3 else "vote") for i, t in enumerate(FLOOD + VOTE)]
            ingest_documents(ledger, docs)
            reconcile_stories(ledger, workers=workers)
            results.append(sorted(json.dumps(f.to_dict(), sort_keys=True) for f in ledger.findings()))
    assert results[0] == results[1]


@pytest.mark.slow
def test_seeds_with_the_web_pages_keep_exactly_their_own_conflicts(shared_dir: Path, tmp_path: Path) -> None:
    seeds = shared_dir / "seeds"
    lines = (shared_dir / "eval" / "seeds.docs.jsonl").read_text(encoding="utf-8").splitlines()
    meta = {json.loads(x)["doc"]: json.loads(x) for x in lines if x.strip()}

    def load(paths: list[Path]) -> list[Document]:
        out = []
        for d in iter_documents(paths):
            if d.id in meta:
                d.published = meta[d.id].get("published") or d.published
            out.append(d)
        return out

    def conflicts(ledger: Ledger, story: str | None) -> list[tuple[Any, ...]]:
        return sorted((f.rule, f.measure, f.period, f.text) for f in ledger.findings(type="conflict", story=story))

    with Ledger(tmp_path / "alone.db") as alone:
        ingest_documents(alone, load([seeds]))
        reconcile_stories(alone, workers=1)
        (seed_story,) = [s.id for s in alone.stories()]
        expected = conflicts(alone, seed_story)
    assert expected
    with Ledger(tmp_path / "mixed.db") as mixed:
        ingest_documents(mixed, load([seeds, shared_dir / "corpora" / "web-pages"]))
        reconcile_stories(mixed, workers=2)
        seed_docs = {d.id for d in load([seeds])}
        stories = {mixed.story_assignments()[d][0] for d in seed_docs}
        assert len(stories) == 1
        (story,) = stories
        assert conflicts(mixed, story) == expected
        assert {d.id for d in mixed.documents(story=story)} == seed_docs
        by_story = {s.id: s.story for s in mixed.statements()}
        for f in mixed.findings():
            if f.type in ("conflict", "estimate"):
                assert {by_story[i] for i in f.statements} == {f.story}, f


# -- the web app ----------------------------------------------------------------------------------


def test_web_lists_stories_filters_by_story_and_records_moves_and_merges(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from crosscount.web import create_app

    db = tmp_path / "web.db"
    with Ledger(db) as ledger:
        a = doc("Officials said 40 people were killed in Velmora.", story="velmora")
        b = doc("Police said 900 people were killed in Astrid Bay.", story="astrid", outlet="Post")
        ledger.add_documents([(a, [killed(a, "40", 40, "Officials")]), (b, [killed(b, "900", 900, "Police")])])
        reconcile_stories(ledger, workers=1)
    with TestClient(create_app(str(db)), base_url="http://127.0.0.1") as client:  # a Host the app answers to
        body = client.get("/api/stories").json()
        assert {r["id"] for r in body["items"]} == {"velmora", "astrid"} and body["total"] == 2
        assert "Velmora" in client.get("/stories").text
        for name in ("claims", "statements", "variables", "findings", "documents"):
            items = client.get(f"/api/{name}", params={"story": "astrid"}).json()["items"]
            assert items, name
            assert all(i.get("story", "astrid") == "astrid" for i in items), name
        assert [c["doc"] for c in client.get("/api/claims", params={"story": "astrid"}).json()["items"]] == [b.id]
        assert "Astrid" not in client.get("/", params={"story": "velmora"}).text.split("<h1>")[1].split("</h1>")[0]
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/stories").text)
        assert csrf is not None  # the page's forms carry the app's CSRF token
        moved = client.post("/stories/move", data={"doc": b.id, "story": "velmora", "csrf": csrf.group(1)},
                            follow_redirects=False)
        assert moved.status_code == 303
        assert {r["id"] for r in client.get("/api/stories").json()["items"]} == {"velmora"}
        assert client.post("/api/stories/move", params={"doc": "ghost", "story": "x"}).status_code == 404
        ok = client.post("/api/stories/move", params={"doc": b.id, "story": "astrid"})
        assert ok.status_code == 200, ok.text
        merged = client.post("/api/stories/merge", params={"source": "astrid", "target": "velmora"}).json()
        assert merged["moved"] == 1
        # the pages' forms do the same, and say what a half-filled form lacks
        assert client.post("/api/stories/move", params={"doc": b.id, "story": "third"}).status_code == 200
        half = client.post("/stories/merge", data={"source": "third", "csrf": csrf.group(1)})
        assert half.status_code == 400 and "merging needs" in half.text
        assert client.post("/stories/move", data={"doc": b.id, "story": "  ", "csrf": csrf.group(1)}).status_code == 400
        merge = {"source": "third", "target": "velmora", "csrf": csrf.group(1)}
        merged_form = client.post("/stories/merge", data=merge, follow_redirects=False)
        assert merged_form.status_code == 303
        assert {r["id"] for r in client.get("/api/stories").json()["items"]} == {"velmora"}
        assert client.post("/api/stories/merge", params={"source": "nope", "target": "velmora"}).status_code == 404
    with Ledger(db) as ledger:
        assert ledger.story_assignments()[b.id] == ("velmora", "user")


def test_a_finding_given_twice_with_one_id_is_stored_once() -> None:
    from crosscount.models import Finding
    from crosscount.pipeline import _once

    one = Finding(id="f1", type="conflict", rule="r", subject=None, measure="killed", text="a against b")
    again = Finding(id="f1", type="conflict", rule="r", subject=None, measure="killed", text="a; b against c")
    other = Finding(id="f2", type="estimate", rule="e", subject=None, measure="killed", text="estimate")
    assert _once([one, again, other]) == ([one, other], 1)


def test_documents_stored_by_the_process_pool_carry_the_fingerprint(tmp_path: Path) -> None:
    from crosscount.scale import run_extraction

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(FLOOD + VOTE)),
                      encoding="utf-8")
    with Ledger(tmp_path / "l.db") as ledger:
        run_extraction([str(corpus)], engine="local", workers=2, ledger=ledger)
        assert ledger.count_documents() == 5
        assert ledger.count_stale_documents(extractor_fingerprint()) == 0
        assert reextract(ledger) == 0
