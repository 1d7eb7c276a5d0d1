"""Paragraphs, sentences and clauses with exact character offsets into the original text.

A fast rule-based splitter: news text is regular enough, and offsets must stay exact because
claims point into the raw document (gold offsets index the file as it is).

Every step is linear in the text's length, whatever the text: each sentence end looks at a bounded
window around it (never at the whole text before or after it), a run of punctuation or whitespace is
matched from its first character only, and a clause is found by bisection.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from crosscount.lexicon import alternation, data_file


@dataclass(frozen=True, slots=True)
class _Words:
    """The segmenter's vocabulary, from crosscount/data/segment.toml."""

    abbreviations: frozenset[str]  # a period after one does not end a sentence
    bind_next: frozenset[str]  # abbreviations that always bind to the next word ("Jan. 13", "Gen. Smith")
    openers: frozenset[str]  # words that open sentences: after "U.S." they start a new one
    small_words: frozenset[str]  # lowercase words of a title-case line
    clause_break: re.Pattern[str]


@lru_cache(maxsize=1)
def _vocabulary() -> _Words:
    data = data_file("segment.toml")
    sentences, clauses = data["sentences"], data["clauses"]
    clause_break = re.compile(
        rf";\s+|\s+[–—]\s+|,\s+(?:{alternation(clauses['after_comma'])})\s+|\s+(?:{alternation(clauses['bare'])})\s+"
        rf"|,\s+(?=(?:{alternation(clauses['ellipsis_openers'])})\b)|\s+and\s+(?=(?:{alternation(clauses['after_and'])})\b)"
    )
    return _Words(
        abbreviations=frozenset(w.lower() for w in sentences["abbreviations"]),
        bind_next=frozenset(w.lower() for w in sentences["bind_next"]),
        openers=frozenset(w.lower() for w in sentences["openers"]),
        small_words=frozenset(w.lower() for w in data["paragraphs"]["title_small_words"]),
        clause_break=clause_break,
    )


# A run of end punctuation is matched from its first character only (the lookbehind), so a long run
# that no whitespace follows costs its length once, not its length squared.
_SENTENCE_END = re.compile(r"(?<![.!?])[.!?]+[\"”’')\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_WORD_WINDOW = 48  # the words beside a period are read from at most this many characters
_NEXT_CHAR = re.compile(r"\s*(\S)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int  # index of its paragraph
    index: int  # index in the document
    is_heading: bool = False
    clauses: list[tuple[int, int]] = field(default_factory=list)  # absolute offsets

    def clause_of(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self.clauses, offset, key=lambda clause: clause[0]) - 1
        if i >= 0 and self.clauses[i][0] <= offset < self.clauses[i][1]:
            return self.clauses[i]
        return (self.start, self.end)


@dataclass(slots=True)
class Paragraph:
    start: int
    end: int
    index: int
    is_heading: bool


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Blank lines always break; a single newline breaks after end punctuation or a short title line."""
    spans: list[tuple[int, int]] = []
    for block in _iter_blocks(text):
        b_start, b_end = block
        lines = []
        pos = b_start
        for line in text[b_start:b_end].split("\n"):
            lines.append((pos, pos + len(line)))
            pos += len(line) + 1
        cur_start: int | None = None
        cur_end = b_start
        for i, (l_start, l_end) in enumerate(lines):
            stripped = text[l_start:l_end].strip()
            if not stripped:
                continue
            if cur_start is None:
                cur_start = l_start
            cur_end = l_end
            next_line = text[lines[i + 1][0] : lines[i + 1][1]].strip() if i + 1 < len(lines) else ""
            ends_sentence = bool(re.search(r"[.!?:\"”’)]\s*$", stripped))
            title_like = len(stripped.split()) <= 12 and not stripped.endswith(",")
            next_starts_new = bool(next_line[:1].isupper() or next_line[:1] in '“"')
            # The document's first line, short and unpunctuated, is its headline even in sentence case.
            headline = not spans and cur_start == l_start and title_like and next_starts_new
            wrapped = not ends_sentence and not (
                title_like and next_starts_new and (headline or _looks_like_title(stripped))
            )
            if not next_line or not wrapped:
                spans.append((cur_start, cur_end))
                cur_start = None
        if cur_start is not None:
            spans.append((cur_start, cur_end))
    return spans


def _looks_like_title(line: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", line)]
    if not words:
        return True
    capitalised = sum(1 for w in words if w[0].isupper() or w.lower() in _vocabulary().small_words)
    return capitalised / len(words) >= 0.7 or len(words) <= 4


def _iter_blocks(text: str) -> list[tuple[int, int]]:
    blocks = []
    pos = 0
    for m in _BLANK_LINE.finditer(text):
        blocks.append((pos, m.start()))
        pos = m.end()
    blocks.append((pos, len(text)))
    return [(s, e) for s, e in blocks if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    words = _vocabulary()
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _SENTENCE_END.finditer(text, start, end):
        stop = m.end()
        dot = m.start() + 1
        word = _WORD_BEFORE.search(text, max(start, dot - _WORD_WINDOW), dot)
        token = (word.group(1) if word else "").lower().rstrip(".")
        following = _NEXT_CHAR.match(text, stop, end)
        first = following.group(1) if following else ""  # the first character of what follows
        if m.group(0).startswith(".") and (
            token in words.abbreviations or re.fullmatch(r"[a-z]", token) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token)
        ):
            # "Jan. 13", "U.S. officials": the next word decides; a lowercase or digit start continues.
            if not first.isupper() or token in words.bind_next:
                continue
            # "the U.N. Human Rights Office said": a dotted acronym before a capitalised name
            # goes on; only a word that opens sentences ("The", "He", "In") starts a new one.
            if "." in token and following is not None:
                ahead = text[following.start(1) : min(end, following.start(1) + _WORD_WINDOW)]
                if ahead.split(maxsplit=1)[0].lower().strip(",") not in words.openers:
                    continue
        if first and not (first.isupper() or first in "“\"‘'(" or first.isdigit()):
            continue
        _add_trimmed(spans, text, cur, stop)
        cur = stop
    _add_trimmed(spans, text, cur, end)
    return [piece for s, e in spans for piece in _capped(text, s, e)]


def _add_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    s, e = _trim(text, start, end)
    if e > s:
        spans.append((s, e))


MAX_SENTENCE = 1_000  # characters; news sentences stay far below (the longest in the dev set and seeds: 472)


def _capped(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence cut into pieces of at most MAX_SENTENCE characters, at the last space before the limit:
    a run with no sentence end (a hostile paste, a list without stops) must not make every figure's
    look at its sentence scan the whole run."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = start + MAX_SENTENCE if cut < 0 else cut
        _add_trimmed(pieces, text, start, cut)
        start = cut
    _add_trimmed(pieces, text, start, end)
    return pieces


def _clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    cur = start
    for m in _vocabulary().clause_break.finditer(text, start, end):
        if m.start() > cur:
            spans.append((cur, m.start()))
        cur = m.start()  # the connective starts the next clause
        # skip the punctuation itself
        while cur < end and text[cur] in ";,–— ":
            cur += 1
    if cur < end:
        spans.append((cur, end))
    return spans or [(start, end)]


def split(text: str) -> tuple[list[Paragraph], list[Sentence]]:
    """Paragraphs and sentences of a document, with heading paragraphs marked."""
    paragraphs: list[Paragraph] = []
    sentences: list[Sentence] = []
    for p_index, (p_start, p_end) in enumerate(_paragraph_spans(text)):
        p_text = text[p_start:p_end].strip()
        heading = not re.search(r"[.!?\"”’]\s*$", p_text) and len(p_text.split()) <= 25
        paragraphs.append(Paragraph(p_start, p_end, p_index, heading))
        for s_start, s_end in _sentence_spans(text, p_start, p_end):
            sentence = Sentence(s_start, s_end, text[s_start:s_end], p_index, len(sentences), heading)
            sentence.clauses = _clause_spans(text, s_start, s_end)
            sentences.append(sentence)
    return paragraphs, sentences
