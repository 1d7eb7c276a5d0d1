"""The extractor's filters: which candidate claims are not claims at all.

The extractor finds every figure that counts people; some of them are no one's claim about the story:

- ``related_link``: a link to another article ("Related:", "READ MORE: …", the headlines listed under a
  bare "Recommended"), and a headline-like line in the middle of the body that no body text repeats
  (another article's headline glued into the page).
- ``headline_repeat``: a figure in the headline that the body states again, even rounded ("rises above
  45,000" over "45,089"; "Hundreds missing" over "385"), or in the subtitle that a later paragraph
  states again (ANNOTATION.md: annotate the body sentence instead); a lead paragraph longer than a deck
  is body text and keeps its figures.
- ``need``: a count of need, not of what happened ("5,000 people in need", "need to evacuate 5,000
  injured", "2 million affected"; ANNOTATION.md's settled questions put them out of scope).
- ``responder``: people sent to help, not parties or victims ("Moscow sent 35 doctors"; counted when
  they are killed, wounded, missing or captured).
- ``furniture``: the page's, not the story's ("3 MIN READ", "12 comments", "Advertisement").
- ``version``: a number that names a version or an edition, not a count ("Python 3 support", "from Perl
  5 to 6"), and a fraction of a person ("Python 3.5").
- ``age``: a person's age ("Ms Amini, 22, died", "Karami (22)", "children aged nine and 13").
- ``capacity``: what a vessel or a place could hold, not a count of people ("a boat with a capacity of 400
  people", "a shelter built for 200").
- ``back_reference``: the base of a part ("74 of the 97 victims") that an earlier figure of the text stated.

Every word these rules look for is in ``crosscount/data/measures.toml`` (``[noise]``). Each dropped claim
comes back with the rule that dropped it (:class:`Dropped`), so a decision can be traced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from crosscount.lexicon import data_file, phrase_pattern
from crosscount.models import Claim

__all__ = ["Dropped", "Filtered", "Layout", "NoiseWords", "apply_filters", "noise_words"]

_TERMINAL = re.compile(r"[.!?…\"”’')\]]\s*$")
_DATE_HEADER = re.compile(r"[ \t]*date[ \t]+\d{4}-\d{2}-\d{2}[ \t]*")
_WORD = re.compile(r"[\w'’-]+")
_NAME = r"(?:[A-Z][\w'’.-]*\s+)+[A-Z][\w'’-]+"  # two or more capitalised words: a person's name
_MAX_HEADING_WORDS = 25
_MIN_HEADLINE_WORDS = 3  # a line of fewer words is a label or a data row ("Hatay 250"), not a headline
_MAX_FURNITURE_WORDS = 10
# A subtitle (deck) is one short line; a longer paragraph under the headline is the lead, body text
# (ANNOTATION.md: "a summary paragraph directly under the headline is body text, and annotated").
_MAX_DECK_WORDS = 25
_MAX_AGE = 110
_NOT_HARMED = ("deployed", "strength", "other")  # measures that count people present, not people harmed


@dataclass(frozen=True, slots=True)
class NoiseWords:
    """The filters' vocabulary, from measures.toml's ``[noise]`` section."""

    related: re.Pattern[str]  # a related-links cue at the start of a line
    need_after: re.Pattern[str]  # anchored: a need cue where the figure's noun phrase goes on
    need_before: re.Pattern[str]  # anchored at the end: a need cue right before the figure
    phrase_breaks: frozenset[str]
    responders: frozenset[str]
    furniture: re.Pattern[str]
    date_names: frozenset[str]  # month and weekday names: "Saturday 12 were killed" is no version
    people: re.Pattern[str]  # people, casualty and force nouns: what a count is followed by
    age_before: re.Pattern[str]  # anchored at the end
    capacity_before: re.Pattern[str]  # anchored at the end: a capacity cue right before the figure
    age_after: re.Pattern[str]  # anchored at the start


def _alternation(words: Sequence[str]) -> str:
    return phrase_pattern(list(words), case_sensitive_upper=False).pattern


@lru_cache(maxsize=1)
def noise_words() -> NoiseWords:
    measures = data_file("measures.toml")
    words = measures["noise"]
    dates = data_file("dates.toml")
    counted = [w for kind in ("people", "casualty", "force") for w in measures["nouns"][kind]]
    related = _alternation(words["related_cues"])
    return NoiseWords(
        related=re.compile(r"^[\W_]*" + related + r"[ \t]*(?:$|[:|»>•–—-])", re.IGNORECASE),
        need_after=re.compile(r"\s*" + _alternation(words["need_after"]), re.IGNORECASE),
        need_before=re.compile(_alternation(words["need_before"]) + r"\s+$", re.IGNORECASE),
        phrase_breaks=frozenset(w.lower() for w in words["phrase_breaks"]),
        responders=frozenset(w.lower() for w in words["responders"]),
        furniture=phrase_pattern(list(words["furniture_cues"]), case_sensitive_upper=False),
        date_names=frozenset(
            name.lower() for table in ("months", "month_abbreviations", "weekdays") for name in dates[table]
        ),
        people=re.compile(r"\s*(?:[\w'’-]+\s+)?" + _alternation(counted), re.IGNORECASE),
        age_before=re.compile(
            _alternation(words["age_before"]) + r"\s+(?:[\w'’-]+\s+(?:and|to|or|-|–)\s+)?$", re.IGNORECASE
        ),
        age_after=re.compile(r"\s*-?\s*" + _alternation(words["age_after"]), re.IGNORECASE),
        capacity_before=re.compile(_alternation(words["capacity_before"]) + r"\s+(?:up\s+to\s+|about\s+)?$",
                                   re.IGNORECASE),
    )


@dataclass(frozen=True, slots=True)
class Layout:
    """What the filters know of a document beyond its claims: its text and the segmenter's paragraphs."""

    text: str
    subtitle_paragraph: int | None = None  # the paragraph right under a leading headline
    paragraph_of: Mapping[tuple[int, int], int] = field(default_factory=dict)  # (start, end) -> paragraph


@dataclass(frozen=True, slots=True)
class Dropped:
    claim: Claim
    rule: str  # "noise:<filter>"


@dataclass(slots=True)
class Filtered:
    kept: list[Claim]
    dropped: list[Dropped]


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str
    words: int = field(init=False)  # counted once: a long line is asked about once per figure on it

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", len(_WORD.findall(self.text)))

    @property
    def headline_like(self) -> bool:
        """No sentence ending, not too long: a title, a subheading, a link text or a label."""
        stripped = self.text.strip()
        return bool(stripped) and not _TERMINAL.search(stripped) and self.words <= _MAX_HEADING_WORDS


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    start = 0
    for part in text.split("\n"):
        out.append(_Line(start, start + len(part), part))
        start += len(part) + 1
    return out


def _line_at(lines: list[_Line], offset: int) -> int:
    lo, hi = 0, len(lines) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if lines[mid].start <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def apply_filters(claims: Sequence[Claim], layout: Layout, words: NoiseWords | None = None) -> Filtered:
    """Split the extractor's claims into those kept and those that are not claims (with the rule why)."""
    words = words or noise_words()
    doc = _Document(layout, words)
    kept: list[Claim] = []
    dropped: list[Dropped] = []
    for claim in claims:
        rule = doc.verdict(claim, claims)
        if rule is None:
            kept.append(claim)
        else:
            dropped.append(Dropped(claim, f"noise:{rule}"))
    return Filtered(kept, dropped)


class _Document:
    """One document's lines, title block and link lists, worked out once for all its claims."""

    def __init__(self, layout: Layout, words: NoiseWords) -> None:
        self.layout = layout
        self.words = words
        self.text = layout.text
        self.lines = _lines(layout.text)
        self.title_line = self._title_line()
        self.body_start = self._body_start()
        self.link_lines = self._link_lines()

    # ------------------------------------------------------------------ structure
    def _title_line(self) -> int | None:
        """The first non-empty line when it reads as a headline (after a ` date YYYY-MM-DD` header) and
        what follows starts afresh (a capital, a digit, a quote), as a hard-wrapped sentence does not."""
        for i, line in enumerate(self.lines):
            text = line.text
            header = _DATE_HEADER.match(text)
            if header is not None:
                text = text[header.end() :]
            if not text.strip():
                continue
            if not _Line(line.start, line.end, text).headline_like or text.rstrip().endswith((",", ";", "-")):
                return None
            after = next((n.text.strip() for n in self.lines[i + 1 :] if n.text.strip()), "")
            return i if not after or re.match(r"[\W\d]*[A-Z0-9\"“‘'(]", after) else None
        return None

    def _body_start(self) -> int:
        """Where the body begins: the first line that ends as a sentence does and is long enough to be prose."""
        for line in self.lines:
            stripped = line.text.strip()
            if _TERMINAL.search(stripped) and line.words >= 8:
                return line.start
        return len(self.text)

    def _link_lines(self) -> set[int]:
        """Lines that are links to other articles: a cue line, and headline-like lines right under a bare cue."""
        out: set[int] = set()
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            if not self.words.related.search(line.text):
                i += 1
                continue
            out.add(i)
            bare = self.words.related.fullmatch(line.text.strip()) is not None or line.text.rstrip().endswith(":")
            i += 1
            if not bare:
                continue
            while i < len(self.lines):
                nxt = self.lines[i]
                if not nxt.text.strip():
                    i += 1
                    continue
                if not nxt.headline_like or self.words.related.search(nxt.text):
                    break
                out.add(i)
                i += 1
        return out

    # ------------------------------------------------------------------ the verdict
    def verdict(self, claim: Claim, claims: Sequence[Claim]) -> str | None:
        line_index = _line_at(self.lines, claim.start)
        line = self.lines[line_index]
        if line_index in self.link_lines:
            return "related_link"
        if self._furniture(line):
            return "furniture"
        if self._headline_repeat(claim, claims):
            return "headline_repeat"
        if self._body_headline(claim, line):
            return "related_link"
        if self._need(claim):
            return "need"
        if self._responder(claim):
            return "responder"
        if self._age(claim):
            return "age"
        if self.words.capacity_before.search(self.text, max(0, claim.start - 40), claim.start):
            return "capacity"
        if self._version(claim):
            return "version"
        if self._back_reference(claim, claims):
            return "back_reference"
        return None

    @staticmethod
    def _back_reference(claim: Claim, claims: Sequence[Claim]) -> bool:
        """ "74 of the 97 victims" after "the toll fell to 97": the base of a share that an earlier figure
        stated already (ANNOTATION.md: a back-reference is not annotated again)."""
        if "base_reference" not in claim.rules:
            return False
        return any(
            other.start < claim.start
            and (other.low, other.high, other.unit) == (claim.low, claim.high, claim.unit)
            for other in claims
            if other is not claim
        )

    def in_heading(self, claim: Claim) -> bool:
        """In the title line, or in a paragraph the segmenter calls a heading whose line reads as one (a
        caption ending "… [REUTERS]" is not)."""
        index = _line_at(self.lines, claim.start)
        if "heading" in claim.rules and self.lines[index].headline_like:
            return True
        return self.title_line is not None and index == self.title_line

    def _furniture(self, line: _Line) -> bool:
        return line.words <= _MAX_FURNITURE_WORDS and self.words.furniture.search(line.text) is not None

    def _headline_repeat(self, claim: Claim, claims: Sequence[Claim]) -> bool:
        """A headline figure the body states again (even rounded); a subtitle figure a later paragraph states."""
        if self.in_heading(claim):
            return any(not self.in_heading(b) and _rounded_repeat(claim, b) for b in claims)
        if (
            "lead_repeat_candidate" in claim.rules
            and self.layout.subtitle_paragraph is not None
            and self.lines[_line_at(self.lines, claim.start)].words <= _MAX_DECK_WORDS
        ):
            after = self.layout.subtitle_paragraph
            return any(
                self.layout.paragraph_of.get((b.start, b.end), -1) > after and _same_figure(claim, b) for b in claims
            )
        return False

    def _body_headline(self, claim: Claim, line: _Line) -> bool:
        """A headline-like line inside the body, with text under it: a subheading repeats what follows (a
        headline repeat); one that does not is another article's headline (a list of links without a cue).
        The last line of a text is no headline (an excerpt cut mid-sentence)."""
        return (
            "heading" in claim.rules
            and claim.start >= self.body_start
            and line.headline_like
            and line.words >= _MIN_HEADLINE_WORDS
            and ":" not in line.text
            and bool(self.text[line.end :].strip())
        )

    def _need(self, claim: Claim) -> bool:
        if self.words.need_before.search(self.text, max(0, claim.start - 60), claim.start):
            return True
        pos = claim.end
        limit = min(len(self.text), claim.end + 80)
        for _ in range(4):  # the cue may follow the figure's noun phrase: at most three words on
            if self.words.need_after.match(self.text, pos, limit):
                return True
            m = re.compile(r"\s+([\w'’-]+)").match(self.text, pos, limit)
            if m is None or m.group(1).lower() in self.words.phrase_breaks or m.group(1)[0].isdigit():
                return False
            pos = m.end()
        return False

    def _responder(self, claim: Claim) -> bool:
        """Helpers sent or counted ("35 doctors"), not helpers killed, wounded, missing or captured."""
        if claim.measure not in _NOT_HARMED or not claim.subject:
            return False
        subject = claim.subject.lower()
        return any(subject == w or subject.endswith(" " + w) for w in self.words.responders)

    def _version(self, claim: Claim) -> bool:
        """A fraction of a person, or a bare number glued to a name inside a sentence ("Python 3")."""
        if claim.unit != "persons" or claim.qualifier not in ("exact", "range"):
            return False
        if any(v is not None and v != int(v) for v in (claim.low, claim.high)):
            return True  # "3.5" people: no count of people is fractional
        if not re.fullmatch(r"\d+(?:\s*(?:to|-|–)\s*\d+)?", claim.figure):
            return False
        m = re.search(r"(?<=[a-z,;:]\s)([A-Z][\w'’+#.-]*)\s$", self.text[max(0, claim.start - 40) : claim.start])
        if m is None or m.group(1).lower().rstrip(".") in self.words.date_names:
            return False
        return self.words.people.match(self.text, claim.end, claim.end + 60) is None

    def _age(self, claim: Claim) -> bool:
        if claim.unit != "persons" or claim.low is None or claim.low > _MAX_AGE or claim.low != int(claim.low):
            return False
        before = self.text[max(0, claim.start - 80) : claim.start]
        after = self.text[claim.end : claim.end + 30]
        if self.words.age_before.search(before) or self.words.age_after.match(after):
            return True
        if not claim.figure.isdigit():
            return False
        if re.search(_NAME + r",\s*$", before) and re.match(r"\s*,", after):
            return True  # "Mahsa Amini, 22, died"
        return bool(re.search(_NAME + r"\s*\(\s*$", before) and re.match(r"\s*\)", after))  # "Karami (22)"


# ---------------------------------------------------------------------- comparing figures


def _point(claim: Claim) -> float | None:
    return claim.low if claim.low is not None else claim.high


def _same_figure(a: Claim, b: Claim) -> bool:
    """One figure stated twice, whatever the qualifier: "204" and "at least 204"."""
    if a.unit != b.unit or a.measure != b.measure:
        return False
    if a.qualifier in ("range", "vague") or b.qualifier in ("range", "vague"):
        return (a.low, a.high) == (b.low, b.high)
    return _point(a) is not None and _point(a) == _point(b)


def _rounding(value: float) -> float:
    """The unit a headline rounded to: 45,000 -> 1,000; 9,600 -> 100; 147 -> 1."""
    if value != int(value) or value < 10:
        return 1.0
    n, unit = int(value), 1
    while n % 10 == 0:
        n //= 10
        unit *= 10
    return float(unit)


def _rounded_repeat(heading: Claim, body: Claim) -> bool:
    """The body states the headline's figure, maybe more precisely: the headline is the body rounded."""
    if heading.unit != body.unit or heading.measure != body.measure:
        return False
    value = _point(body)
    if value is None:
        return False
    if heading.qualifier in ("range", "vague"):
        low = heading.low if heading.low is not None else float("-inf")
        high = heading.high if heading.high is not None else float("inf")
        return low <= value <= high
    point = _point(heading)
    if point is None:
        return False
    if heading.qualifier == "at_least" and value < point:
        return False
    if heading.qualifier == "at_most" and value > point:
        return False
    return abs(value - point) < _rounding(point)
