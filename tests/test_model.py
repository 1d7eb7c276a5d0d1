"""The NLP model as crosscount loads it: the attribute ruler's matches found by lookup are the Matcher's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from spacy.pipeline import AttributeRuler

from crosscount.model import indexed_matches, load_parser
from crosscount.segment import split

# Sentences written for this test: ordinary news prose, and the ruler's word exceptions (pronouns,
# modals, contractions, "gonna", "let's", existential "there", spaces, "something").
SENTENCES = [
    "The ministry said on Monday that 40 soldiers were killed and 12 wounded near the border.",
    "According to the regional governor, at least 1,200 people have fled their homes since Friday.",
    "I ain't gonna say it, but they'd gotta admit there's something wrong, she told him.",
    "Let's see: we can't, you won't, it isn't and there are   three spaces here.",
    "Nobody knew whether anyone would come, though everyone hoped somebody might.",
    "Y'all don't know nothin' about it, he said.",
    "  Leading spaces, a tab\tand a line\nbreak inside one text.",
    "The UN's refugee agency (UNHCR) put the toll at 'about 300' – 'maybe more'.",
]


def _before_ruler(nlp: Any, texts: list[str]) -> list[Any]:
    """The texts parsed by the components that run before the attribute ruler."""
    before = nlp.pipe_names[: nlp.pipe_names.index("attribute_ruler")]
    with nlp.select_pipes(enable=before):
        return list(nlp.pipe(texts))


def _assert_same_matches(nlp: Any, texts: list[str]) -> int:
    ruler = nlp.get_pipe("attribute_ruler")
    fast = indexed_matches(ruler)
    assert fast is not None
    seen = 0
    for doc in _before_ruler(nlp, texts):
        expected = AttributeRuler.match(ruler, doc)  # spaCy's Matcher
        assert fast(doc) == expected, doc.text
        seen += len(expected)
    return seen


def test_indexed_matches_equal_the_matchers_on_written_sentences() -> None:
    nlp = load_parser()
    assert _assert_same_matches(nlp, SENTENCES) > sum(len(s.split()) for s in SENTENCES)


def test_loaded_parser_uses_indexed_matches_and_annotates_as_spacy_does() -> None:
    nlp = load_parser()
    ruler = nlp.get_pipe("attribute_ruler")
    assert "match" in vars(ruler)  # the lookup replaces the Matcher on the loaded pipeline
    fast_docs = list(nlp.pipe(SENTENCES))
    del ruler.match
    try:
        plain_docs = list(nlp.pipe(SENTENCES))
    finally:
        ruler.match = indexed_matches(ruler)

    def annotations(doc: Any) -> list[tuple[str, str, str, str, str, int]]:
        return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.head.i) for t in doc]

    for fast, plain in zip(fast_docs, plain_docs, strict=True):
        assert annotations(fast) == annotations(plain)
    gon = next(t for t in fast_docs[2] if t.lower_ == "gon")
    assert gon.lemma_ == "go"  # a two-token exception ("gon na") applied


def test_a_pattern_it_cannot_read_keeps_the_matcher() -> None:
    nlp = load_parser()
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"TAG": "NN"}]], {"POS": "NOUN"})
    assert indexed_matches(ruler) is not None
    ruler.add([[{"SHAPE": "dd"}]], {"POS": "NUM"})  # an attribute the lookup does not read
    assert indexed_matches(ruler) is None
    other = AttributeRuler(nlp.vocab)
    other.add([[{"TAG": "NN", "OP": "+"}]], {"POS": "NOUN"})  # a quantifier
    assert indexed_matches(other) is None


def test_indexed_matches_equal_the_matchers_on_the_development_set(shared_dir: Path) -> None:
    path = shared_dir / "eval" / "dev" / "dev.docs.jsonl"
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    sentences = [s.text for text in texts for s in split(text)[1] if s.text.strip()]
    assert len(sentences) > 500
    assert _assert_same_matches(load_parser(), sentences) > 10_000


def test_the_parser_multiplies_through_numpy_on_one_blas_thread() -> None:
    from threadpoolctl import threadpool_info

    nlp = load_parser()
    assert nlp.get_pipe("tok2vec").model.ops.use_blis is False
    assert all(lib["num_threads"] == 1 for lib in threadpool_info() if lib["user_api"] == "blas")
    doc = nlp("The ministry said on Monday that 40 soldiers were killed.")
    assert [t.dep_ for t in doc if t.text == "said"] == ["ROOT"]
