"""Who asserts a figure: attribution frames found in a sentence.

A *frame* is a stretch of text that names an asserter: "according to X", "X said (that)",
", X said.", "X told Y that", "citing X", "a report from X", "It claims". The extractor picks,
for each figure, the frame that governs it and resolves pronouns and descriptions to entities
mentioned earlier in the document. Everything here is rules over words; no model.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from crosscount.lexicon import Lexicon, alternation


@lru_cache(maxsize=64)
def _compiled(template: str, words: tuple[str, ...], flags: int = 0) -> re.Pattern[str]:
    """A pattern with the vocabulary's words put in for WORDS (compiled once per word list)."""
    return re.compile(template.replace("WORDS", alternation(words)), flags)

_TOKEN = re.compile(r"[A-Za-z0-9][\w'’.&-]*[\w]|[A-Za-z0-9]|[“”\"(),:;—–]")
# Bounds that keep every scan linear in the sentence's length, however long and odd the sentence:
# a source phrase is at most MAX_PHRASE tokens, and a run of adverbs before a verb at most MAX_ADVERBS.
MAX_PHRASE = 24
MAX_ADVERBS = 6
_FINAL_WINDOW = 240  # ", analysts estimate." is looked for in the sentence's last characters only


@dataclass(frozen=True, slots=True)
class Frame:
    """One attribution in a sentence (offsets absolute in the document)."""

    kind: str  # according | pre | post | citing | told | noun | quote
    source_text: str  # the asserter as written ("the South Korean National Intelligence Service", "It")
    source_start: int
    source_end: int
    anchor: int  # where the frame's verb/cue stands: figures after it (pre) or before it (post) are governed
    via_text: str | None = None  # an intermediary ("the BBC" in "X told the BBC that")
    passive: bool = False
    after_comma: bool = False  # ", X said": may govern a figure before it
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()


def tokens(text: str, offset: int = 0) -> list[Token]:
    return [Token(m.start() + offset, m.end() + offset, m.group(0)) for m in _TOKEN.finditer(text)]


def _is_np_token(tok: Token, lex: Lexicon) -> bool:
    t = tok.text
    if t[:1].isupper() or t[:1].isdigit():
        return True
    low = tok.low
    return low in lex.np_words or low.endswith(("'s", "’s"))


_STOP_CAPS = frozenset(
    [
        "In",
        "On",
        "At",
        "By",
        "For",
        "From",
        "But",
        "And",
        "As",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "Since",
        "Also",
        "Meanwhile",
        "However",
        "Last",
        "This",
        "That",
        "These",
        "Those",
        "Earlier",
        "Later",
        "Then",
        "Now",
        "Yesterday",
        "Today",
        "According",
    ]
)


def np_before(toks: list[Token], end_index: int, lex: Lexicon) -> tuple[int, int] | None:
    """The noun phrase ending just before toks[end_index]: indices [i, end_index)."""
    i = end_index
    # "A Ukrainian official, who spoke on condition of anonymity, said": skip the relative clause.
    if i >= 2 and toks[i - 1].text == ",":
        for w in range(i - 2, max(0, i - 16), -1):
            if toks[w].low in ("who", "which") and w >= 1 and toks[w - 1].text == ",":
                i = end_index = w - 1
                break
    floor = max(0, end_index - MAX_PHRASE)
    while i > floor:
        tok = toks[i - 1]
        if tok.text == ",":
            # "Ukraine, along with the United States and South Korea, has accused"
            j = i - 1
            k = j
            while (k > floor and toks[k - 1].text != "," and _is_np_token(toks[k - 1], lex)) or (
                k > floor and toks[k - 1].low in ("along", "with", "together", "as", "well")
            ):
                k -= 1
            if k < j and k > 0 and toks[k].low == "along" and toks[k - 1].text == ",":
                i = k - 1
                continue
            break
        if _is_np_token(tok, lex) or tok.text in ("(", ")") or (tok.low in ("along", "with") and i < end_index):
            i -= 1
            continue
        break
    # ", the regional emergency service said": lowercase modifiers after a determiner belong to the phrase.
    if i < end_index and i >= 2:
        j = i - 1
        while (
            j >= 0
            and j >= i - 4
            and toks[j].text.isalpha()
            and toks[j].text.islower()
            and toks[j].low not in ("the", "a", "an", "and", "or", "said", "that", "which", "who")
        ):
            j -= 1
        if (
            j >= 0
            and j < i - 1
            and toks[j].low in ("the", "a", "an")
            and (j == 0 or toks[j - 1].text in (",", "”", '"'))
        ):
            i = j
    # Trim leading glue words and sentence-initial framing words.
    while i < end_index and (
        (toks[i].low in ("of", "for", "and", "with", "along") and i == 0)
        or toks[i].text in _STOP_CAPS
        or toks[i].text in (")", ",")
    ):
        i += 1
    while i < end_index and toks[i].low in ("of", "for", "and", "with", "along"):
        i += 1
    if i >= end_index:
        return None
    return (i, end_index)


def np_after(toks: list[Token], start_index: int, lex: Lexicon) -> tuple[int, int] | None:
    """The noun phrase starting at toks[start_index] (for "according to X", "citing X", "said X")."""
    j = start_index
    ceiling = min(len(toks), start_index + MAX_PHRASE)
    while j < ceiling:
        tok = toks[j]
        if tok.text in (",", ";", ":", "“", "”", '"', "—", "–"):
            break
        if tok.low in ("that", "on", "in", "at", "who", "which", "when", "while", "as") and j > start_index:
            # "in Washington" may close a source phrase: keep "in <Capitalised>" only
            if tok.low == "in" and j + 1 < ceiling and toks[j + 1].text[:1].isupper():
                j += 2
                continue
            break
        if _is_np_token(tok, lex) or tok.low in ("a", "an", "'s", "from", "by", "to"):
            j += 1
            continue
        break
    while j > start_index and toks[j - 1].low in ("of", "for", "and", "the", "a", "an", "from", "by", "to"):
        j -= 1
    if j <= start_index:
        return None
    return (start_index, j)


def find_frames(text: str, offset: int, lex: Lexicon, *, title_case: bool = False) -> list[Frame]:
    """Attribution frames in one sentence (text = the sentence, offset = its start in the document)."""
    toks = tokens(text, offset)
    frames: list[Frame] = []
    lows = [t.low for t in toks]
    n = len(toks)

    def span_text(a: int, b: int) -> tuple[str, int, int]:
        s, e = toks[a].start, toks[b - 1].end
        return text[s - offset : e - offset], s, e

    # according to X / citing X
    for i, low in enumerate(lows):
        if low == "according" and i + 1 < n and lows[i + 1] == "to":
            np = np_after(toks, i + 2, lex)
            if np:
                src, s, e = span_text(*np)
                inner = _compiled(r"\b(?:WORDS)\s+(?:from|by|of)\s+(.+)$", lex.frame_words["documents"]).search(src)
                if inner:
                    s2 = s + inner.start(1)
                    frames.append(
                        Frame("according", inner.group(1), s2, e, toks[i].start, rule="according_to_report_from")
                    )
                else:
                    frames.append(Frame("according", src, s, e, toks[i].start, rule="according_to"))
        elif low == "citing":
            np = np_after(toks, i + 1, lex)
            if np:
                src, s, e = span_text(*np)
                frames.append(Frame("citing", src, s, e, toks[i].start, rule="citing"))

    # X said / X told Y that / It claims / , X said. / , said X.
    i = 0
    while i < n:
        m = lex.report_verb_pattern.match(text, toks[i].start - offset)
        if not m or (not toks[i].text[:1].islower() and i > 0 and not title_case):
            i += 1
            continue
        verb_end_abs = m.end() + offset
        j = i
        while j < n and toks[j].end <= verb_end_abs:
            j += 1
        verb = m.group(0).lower()
        # passive: "is estimated to", "were reported"
        prev = i - 1
        lowest = max(0, i - 1 - MAX_ADVERBS)
        while prev >= lowest and lows[prev] in lex.adverbs and lows[prev] not in ("had", "has", "have"):
            prev -= 1
        passive = prev >= 0 and lows[prev] in lex.passive_aux and verb.endswith("ed")
        if passive:
            # "by X" after the verb names the agent
            k = j
            if k < n and lows[k] == "by":
                np = np_after(toks, k + 1, lex)
                if np:
                    src, s, e = span_text(*np)
                    frames.append(Frame("pre", src, s, e, toks[i].start, passive=True, rule="passive_by_agent"))
            i = j
            continue
        # subject before the verb (skipping adverbs/auxiliaries)
        k = i
        while k > max(0, i - MAX_ADVERBS) and lows[k - 1] in lex.adverbs:
            k -= 1
        if k > 0 and lows[k - 1] in ("which", "who"):
            # "South Korea's spy agency, which claimed ...": the relative pronoun's antecedent
            ante = np_before(toks, k - 2, lex) if k >= 2 and toks[k - 2].text == "," else None
            if ante:
                src, s, e = span_text(*ante)
                frames.append(Frame("pre", src, s, e, toks[i].start, rule="relative_pronoun"))
                i = j
                continue
        np = np_before(toks, k, lex)
        if np is None and k > 0 and lows[k - 1] in ("they", "he", "she", "it", "we"):
            np = (k - 1, k)  # ", they said."
        via = None
        if verb in lex.frame_words["telling_forms"] and j < n:
            vnp = np_after(toks, j, lex)
            if vnp:
                via = span_text(*vnp)[0]
        np_first = np[0] if np else k
        while np_first > 0 and toks[np_first - 1].low in ("a", "an", "the"):
            np_first -= 1  # ", a police source said"
        post = bool(
            (k > 0 and toks[k - 1].text in (",", "”", '"'))
            or (np_first > 0 and toks[np_first - 1].text in (",", "”", '"'))
        )
        if np:
            src, s, e = span_text(*np)
            kind = "told" if via else "verb"
            frames.append(Frame(kind, src, s, e, toks[i].start, via_text=via, after_comma=post, rule=f"{kind}_verb"))
        elif post or (k > 0 and toks[k - 1].text in (",", "”", '"')):
            # ", said the senior official in Washington."
            np2 = np_after(toks, j, lex)
            if np2:
                src, s, e = span_text(*np2)
                frames.append(Frame("post", src, s, e, toks[i].start, rule="post_verb_inverted"))
        i = j

    # ", analysts estimate." / ", officials believe.": a sentence-final verb that names its subject only there
    final = _compiled(
        r",\s+((?:[A-Za-z][\w'’.-]*\s+){0,4}[A-Za-z][\w'’.-]*)\s+(WORDS)s?[.!]?\s*$", lex.frame_words["final_verbs"]
    ).search(text, max(0, len(text.rstrip()) - _FINAL_WINDOW))
    if final:
        src = final.group(1)
        frames.append(
            Frame(
                "post",
                src,
                offset + final.start(1),
                offset + final.end(1),
                offset + final.start(2),
                rule="post_final_verb",
            )
        )

    # X's data / estimates / report ; a report from X
    report_from = _compiled(
        r"\b(?:a|the)\s+(?:(?:RECENT)\s+)?(?:WORDS)\s+(?:from|by)\s+".replace(
            "RECENT", alternation(lex.frame_words["recency"])
        ),
        lex.frame_words["documents"],
    )
    starts = [t.start for t in toks]
    for m in report_from.finditer(text):
        first = bisect_left(starts, m.end() + offset)
        if first < n:
            np = np_after(toks, first, lex)
            if np:
                src, s, e = span_text(*np)
                frames.append(Frame("noun", src, s, e, m.start() + offset, rule="report_from"))
    return frames


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quotations (curly or straight double quotes) in a text, offsets relative to it."""
    spans: list[tuple[int, int]] = []
    # an opening quote never closed ends where the next one opens (else each would run to the end:
    # quadratic in a text of many open quotes)
    for m in re.finditer(r"“[^”“]*(?:”|(?=“)|$)", text):
        spans.append((m.start(), m.end()))
    for m in re.finditer(r'"[^"\n]*"', text):
        spans.append((m.start(), m.end()))
    return spans
