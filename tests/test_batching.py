"""The parse batched over several documents: the same claims and failures as one document at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from crosscount.extract import Extractor, FirstPass
from crosscount.guard import (
    BATCH_DOCUMENTS,
    DocFailure,
    extract_each_guarded,
    extract_guarded,
    extract_many_guarded,
)
from crosscount.model import load_parser
from crosscount.models import Claim, Document
from crosscount.segment import split
from crosscount.speech import SpeechReader

# Written for these tests: sentences the rules settle, and relays, listeners and relative clauses the parse reads.
TEXTS = [
    "The army said on Monday that 40 soldiers were killed near the border.",
    "Quoting Western officials, the BBC reported that 1,200 troops had been wounded since January.",
    "At least 300 people were killed, the health ministry told reporters, citing hospital records.",
    "SANA, which also reported 25 deaths, said rescue teams were still searching the rubble.",
    "The governor told lawmakers that 5,000 residents had fled, according to Rep. Jane Roe.",
    "Police arrested 120 protesters on Friday. The interior ministry later said 30 were released.",
    "Nothing here counts anyone: the market opened at nine and closed at five.",
    "Rescuers pulled 12 survivors from the water, the coast guard said in a statement on Sunday.",
    "The agency, citing local officials, put the toll at 78, while the Red Crescent said 104 were rescued.",
]
GERMAN = "Die Polizei teilte am Montag mit, dass bei dem Unglück 40 Menschen ums Leben gekommen seien."


def _documents() -> list[Document]:
    docs = [Document(f"d{i}", text, published="2025-03-12") for i, text in enumerate(TEXTS)]
    docs.append(Document("de", GERMAN, language="de"))
    docs.append(Document("again", TEXTS[1], published="2025-03-12"))  # the same text twice in one batch
    # more than one group
    docs += [Document(f"e{i}", f"{text} Officials said {i + 2} more were missing.") for i, text in enumerate(TEXTS)]
    assert len(docs) > BATCH_DOCUMENTS
    return docs


def _as_dicts(result: list[Claim] | DocFailure) -> Any:
    if isinstance(result, DocFailure):
        return str(result)
    return [claim.to_dict(with_rules=True) for claim in result]


class _CountingParser:
    """The real parser, counting the calls the speech component makes to it."""

    def __init__(self) -> None:
        self.nlp = load_parser()
        self.calls = 0

    def pipe(self, texts: list[str]) -> Any:
        self.calls += 1
        return self.nlp.pipe(texts)

    def __call__(self, text: str) -> Any:
        self.calls += 1
        return self.nlp(text)


def _counting_extractor() -> tuple[Extractor, _CountingParser]:
    extractor = Extractor()
    parser = _CountingParser()
    extractor.speech = SpeechReader(extractor.lex, nlp=parser)
    return extractor, parser


def test_batched_extraction_gives_each_documents_claims_as_alone() -> None:
    docs = _documents()
    alone, alone_parser = _counting_extractor()
    expected = [_as_dicts(extract_guarded(alone, doc)) for doc in docs]
    batched, batched_parser = _counting_extractor()
    found = [_as_dicts(result) for result in extract_many_guarded(batched, docs)]
    assert found == expected
    assert any(claims for claims in found if isinstance(claims, list))
    assert expected[len(TEXTS)] == []  # the German document: not mined
    # one parse per group of documents, where alone each document with a sentence to parse made one
    groups = -(-len(docs) // BATCH_DOCUMENTS)
    assert batched_parser.calls <= groups + 1  # + the warm-up text
    assert alone_parser.calls > batched_parser.calls + 4
    assert batched.sentences_to_model == alone.sentences_to_model > 0


def test_the_stream_keeps_the_documents_order() -> None:
    docs = _documents()
    extractor = Extractor()
    pairs = list(extract_each_guarded(extractor, iter(docs)))
    assert [doc.id for doc, _ in pairs] == [doc.id for doc in docs]
    assert [_as_dicts(found) for _, found in pairs] == [_as_dicts(extract_guarded(extractor, d)) for d in docs]


class _FirstPassFails(Extractor):
    """An extractor whose splitter is handed what it cannot split, for one document of the batch."""

    def _first_pass(self, text: str) -> FirstPass:
        if "explode" in text:
            from crosscount.segment import split

            split(cast(str, None))
        return super()._first_pass(text)


def test_a_failure_in_the_first_pass_costs_only_its_document() -> None:
    docs = [Document("a", TEXTS[1]), Document("bad", "This will explode."), Document("b", TEXTS[2])]
    results = extract_many_guarded(_FirstPassFails(), docs)
    failure = results[1]
    assert isinstance(failure, DocFailure) and failure.stage == "segment" and failure.error.startswith("TypeError")
    alone = Extractor()
    assert _as_dicts(results[0]) == _as_dicts(extract_guarded(alone, docs[0]))
    assert _as_dicts(results[2]) == _as_dicts(extract_guarded(alone, docs[2]))


class _BatchParseFails(Extractor):
    """An extractor whose batch parse fails: each document must then parse its own sentences."""

    def parse_prepared(self) -> None:
        raise MemoryError("no room for the batch")


def test_a_failed_batch_parse_leaves_each_document_to_parse_its_own() -> None:
    docs = _documents()[:5]
    results = extract_many_guarded(_BatchParseFails(), docs)
    alone = Extractor()
    assert [_as_dicts(r) for r in results] == [_as_dicts(extract_guarded(alone, d)) for d in docs]


# far more than any machine extracts in the budget (the budget, not the machine's speed, must end it)
SLOW_TEXT = "The army said on Monday that 40 soldiers were killed near the border, officials told the paper. " * 10000


def test_the_time_budget_holds_per_document_in_a_batch() -> None:
    docs = [Document("quick", TEXTS[0]), Document("slow", SLOW_TEXT), Document("after", TEXTS[2])]
    extractor = Extractor()
    results = extract_many_guarded(extractor, docs, budget=1.5)
    slow = results[1]
    assert isinstance(slow, DocFailure) and slow.stage == "time budget" and "1.5 s" in slow.error
    assert _as_dicts(results[0]) == _as_dicts(extract_guarded(Extractor(), docs[0]))
    assert _as_dicts(results[2]) == _as_dicts(extract_guarded(Extractor(), docs[2]))
    assert not extractor._prepared  # nothing kept after the batch


def test_batched_extraction_of_the_development_set_is_the_same(shared_dir: Path) -> None:
    path = shared_dir / "eval" / "dev" / "dev.docs.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = [Document(r["id"], r["text"], url=r.get("url"), published=r.get("published")) for r in records]
    extractor = Extractor()
    alone = [_as_dicts(extract_guarded(extractor, doc)) for doc in docs]
    assert [_as_dicts(r) for r in extract_many_guarded(extractor, docs)] == alone


class _CountingHeadNoun(Extractor):
    """The extractor, counting how often it reads a figure's head noun."""

    def __init__(self) -> None:
        super().__init__()
        self.head_nouns = 0

    def _find_head_noun(self, text: str, cand: Any, limit: int) -> tuple[str | None, int, str | None]:
        self.head_nouns += 1
        return super()._find_head_noun(text, cand, limit)


def test_a_figures_head_noun_is_read_once() -> None:
    extractor = _CountingHeadNoun()
    text = " ".join(TEXTS)
    figures = sum(len(extractor._candidates(sent)) for sent in split(text)[1])
    extractor.extract(TEXTS[0])  # load
    extractor.head_nouns = 0
    claims = extractor.extract(text)
    assert claims and 0 < extractor.head_nouns <= figures


def test_a_sentence_the_parse_reads_is_parsed_ahead_even_when_a_figure_in_its_source_is_dropped() -> None:
    # "3" sits inside the speaker's phrase and counts agencies, not people: dropped before attribution,
    # but it makes the frame not a plain one, so the parse reads the sentence; it is parsed in the batch.
    text = "The 3 aid agencies said on Monday that 40 people were killed in the floods."
    extractor, parser = _counting_extractor()
    extractor.extract(TEXTS[0])
    parser.calls = 0
    first = extractor._first_pass(text)
    assert first.parse == [True] and first.wanted == [text]
    claims = extractor.extract(text)
    assert parser.calls == 1 and [c.figure for c in claims] == ["40"]


def test_a_short_budget_after_a_long_one_still_fires_on_time() -> None:
    import time

    import pytest

    from crosscount.guard import DocumentTimeout, time_budget

    for _ in range(3):
        with time_budget(60):  # the watchdog now sleeps towards a deadline a minute away
            sum(range(1000))
    started = time.monotonic()
    with pytest.raises(DocumentTimeout), time_budget(0.2):
        while time.monotonic() - started < 10:
            sum(range(1000))
    assert time.monotonic() - started < 2
    with time_budget(60):  # and a long one after it is not interrupted
        time.sleep(0.5)
