"""Find the figures in a sentence and say what interval each one means.

`find_figures(text)` returns every candidate figure in a piece of text: digits ("11,000",
"1.2 million", "1K"), number words ("six", "twenty-five hundred", "a dozen"), vague amounts
("several hundred", "tens of thousands"), shares ("36%", "a third", "nearly half"), ranges
("10,000 to 12,000") and ordinals that mean one person ("the first soldier"). Each comes with
its qualifier words ("about", "at least", "up to", "-plus"), the interval it means as set out in
eval/ANNOTATION.md, and the name of the rule that matched.

It leaves out what is not a count: years, dates, times, durations, money, distances and other
units, labels ("No. 5", "F-16", "84th"), URL and phone junk, and pronoun uses of "one". It does
not decide what a figure counts; the caller does that from the sentence.

The words it needs are in `crosscount/data/numbers.toml`.
"""

from __future__ import annotations

import bisect
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from crosscount.errors import ConfigError
from crosscount.lexicon import data_file

__all__ = ["Figure", "find_figures", "parse_number_words"]

DATA_FILE = Path(__file__).resolve().parent / "data" / "numbers.toml"


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure as written in a text, with the interval it means.

    `text[start:end] == figure`; the span includes qualifier words ("about 1,000").
    Shares (`is_share`) are in percent: "a third" -> 33.3.
    """

    start: int
    end: int
    figure: str
    low: float | None
    high: float | None
    qualifier: str
    is_share: bool
    value_text_start: int
    rule: str


# --------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True, slots=True)
class _Lexicon:
    digits: re.Pattern[str]
    number_start: re.Pattern[str]
    number_first: re.Pattern[str]
    number_next: re.Pattern[str]
    and_fraction: re.Pattern[str]
    glued_after: re.Pattern[str]
    word_values: dict[str, tuple[str, int]]
    closing_magnitudes: frozenset[str]
    vague: re.Pattern[str]
    vague_ranges: dict[str, tuple[float, float]]
    vague_needs_people: frozenset[str]
    vague_needs_of: frozenset[str]
    fraction: re.Pattern[str]
    numerator_before: re.Pattern[str]
    multiplier_after_fraction: re.Pattern[str]
    one_in: re.Pattern[str]
    one_in_before: re.Pattern[str]
    ordinal: re.Pattern[str]
    blocked_urls: re.Pattern[str]
    blocked_handles: re.Pattern[str]
    blocked_numbers: re.Pattern[str]
    multiplier_after: re.Pattern[str]
    abbreviation_dash: re.Pattern[str]
    percent_after: re.Pattern[str]
    unit_after: re.Pattern[str]
    currency_before: re.Pattern[str]
    label_before: re.Pattern[str]
    month_before: re.Pattern[str]
    month_after: re.Pattern[str]
    year_before: re.Pattern[str]
    period_after_of: re.Pattern[str]
    qualifier_before: re.Pattern[str]
    qualifier_bridge: re.Pattern[str]
    qualifier_after: re.Pattern[str]
    than_after: re.Pattern[str]
    connector: re.Pattern[str]
    date_range_before: re.Pattern[str]
    date_range_after: re.Pattern[str]
    version_before: re.Pattern[str]
    next_word: re.Pattern[str]
    between_before: re.Pattern[str]
    from_before: re.Pattern[str]
    change_before: re.Pattern[str]
    qualifier_kind: dict[str, str]
    magnitudes: dict[str, int]
    after_magnitudes: dict[str, int]
    abbreviations: dict[str, int]
    ambiguous_abbreviations: frozenset[str]
    small_numbers: dict[str, int]
    fractions: dict[str, int]
    share_followers: frozenset[str]
    share_not_after: frozenset[str]
    one_not_after: frozenset[str]
    one_not_before: frozenset[str]
    people_singular: frozenset[str]
    people_all: frozenset[str]
    people_plural: frozenset[str]
    people_modifiers: frozenset[str]
    people_window: int
    ordinal_standalone: frozenset[str]
    year_low: int
    year_high: int
    one_in_max_numerator: int
    one_in_max_denominator: int


def _words(table: dict[str, Any], key: str) -> list[str]:
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{DATA_FILE}: '{key}' must be a list of strings; fix the file")
    return value


def _phrase(words: str) -> str:
    """Regex for a phrase: escaped, any run of spaces matches any whitespace."""
    return r"\s+".join(re.escape(part) for part in words.split())


def _alt(phrases: Iterable[str]) -> str:
    """Alternation of phrases, longest first so that the longest one wins."""
    unique = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(_phrase(p) for p in unique)


def _suffix_alt(phrases: Iterable[str]) -> str:
    """Alternation to match phrases *reversed*, at the start of a reversed window of text.

    Reading the text before a figure backwards makes "is this figure preceded by one of these
    phrases?" a single anchored match instead of a search over every position of the window.
    """
    parts = []
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
        body = r"\s+".join(re.escape(word[::-1]) for word in reversed(phrase.split()))
        parts.append(rf"{body}(?![\w.])" if phrase[:1].isalnum() else body)
    return "|".join(parts)


def _suffix(pattern: re.Pattern[str], text: str, lo: int, end: int) -> int | None:
    """Where a phrase matched by a `_suffix_alt` pattern starts, if it ends (spaces aside) at `end`."""
    m = pattern.match(text[max(0, lo) : end][::-1])
    return end - m.end() if m else None


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


@cache
def _lexicon() -> _Lexicon:
    try:
        data = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{DATA_FILE}: {exc}; restore the file from the package") from exc

    nw = data["number_words"]
    units = _words(nw, "units")
    tens = _words(nw, "tens")
    magnitudes = {str(k).lower(): int(v) for k, v in nw["magnitudes"].items()}
    abbreviations = {str(k): int(v) for k, v in nw["abbreviations"].items()}
    spaced = {str(k).lower(): int(v) for k, v in nw["spaced_abbreviations"].items()}
    articles = _words(nw, "articles")
    hyphen_ok = _words(nw, "hyphen_suffixes")

    quals_before = data["qualifiers_before"]
    quals_after = data["qualifiers_after"]
    qualifier_kind: dict[str, str] = {}
    for kind in ("approx", "at_least", "at_most"):
        for phrase in _words(quals_before, kind) + _words(quals_after, kind):
            qualifier_kind[_norm(phrase)] = kind
    after_parts = []
    for phrase in sorted(
        {p for k in ("approx", "at_least", "at_most") for p in _words(quals_after, k)}, key=lambda p: -len(p)
    ):
        body = _phrase(phrase)
        after_parts.append(body if phrase[:1] in "-+" else rf"\s+{body}")
    hyphen_after = [
        p[1:] for k in ("approx", "at_least") for p in _words(quals_after, k) if p.startswith("-")
    ]

    zero = _words(nw, "zero")
    closing = [w.lower() for w in _words(nw, "closing_magnitudes")]
    unit_alt = _alt(units)
    mag_alt = _alt(magnitudes)
    art_alt = _alt(articles)
    hyphen_tail = _alt(hyphen_ok + hyphen_after)
    # One token of a number written in words; digits stand inside one ("4 thousand 3 hundred and 21",
    # "four-thousand-100") and before a magnitude ("27-hundred").
    mags = rf"(?:{mag_alt})s?"
    # Digits inside a worded number are at most 15 long (a float holds them exactly).
    token = rf"(?:{_alt(units + tens + zero)}|{mags}|\d{{1,15}}(?![.,]?\d))(?![\w])"
    number_start = re.compile(
        rf"(?<![\w.,:/\\#@%&+=^-])(?:(?:{art_alt})\s+(?={mags}(?![\w]))"
        rf"|(?=(?:{_alt(units + tens + zero)})(?![\w]))|(?=\d{{1,15}}(?:\s+|-){mags}(?![\w])))",
        re.IGNORECASE,
    )
    number_first = re.compile(rf"(?P<tok>(?:{art_alt})(?=\s)|{token})", re.IGNORECASE)
    number_next = re.compile(rf"(?P<sep>\s+and\s+|\s+|-)(?P<tok>{token})", re.IGNORECASE)
    and_fraction = re.compile(
        rf"\s+and\s+(?P<n>{art_alt}|{unit_alt})[\s-]+(?P<den>{_alt(data['shares']['fractions'])})"
        rf"(?=(?:\s+|-){mags}(?![\w]))",
        re.IGNORECASE,
    )
    glued_after = re.compile(rf"-(?!(?:{hyphen_tail})\b)\w", re.IGNORECASE)
    word_values: dict[str, tuple[str, int]] = {}
    for i, w in enumerate(units):
        word_values[w.lower()] = ("unit" if i < 9 else "teen", i + 1)
    for i, w in enumerate(tens):
        word_values[w.lower()] = ("ten", (i + 2) * 10)
    for w in zero:
        word_values[w.lower()] = ("zero", 0)
    for w, v in magnitudes.items():
        kind = "close" if w in closing else ("hundred" if v == 100 else "mag")
        word_values[w] = (kind, v)
        word_values[w + "s"] = (kind + "s", v)
    for a in articles:
        word_values[a.lower()] = ("art", 1)

    abbr_alt = _alt(abbreviations)
    digits = re.compile(
        r"(?<![\w.,:/\\#@%&+=^])"
        r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d|,\d)|\d{1,2}(?:,\d\d)+,\d{3}(?!\d|,\d)"
        r"|\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?:\.\d+)?(?![\d\u00a0\u2009\u202f]|\.\d| \d)|\d+(?:\.\d+)?)"
        rf"(?!,\d)(?!\.\d)(?:(?P<abbr>{abbr_alt})(?!\w))?(?!\w)"
    )

    vague_table = data["vague"]
    vague_ranges = {_norm(k): (float(v[0]), float(v[1])) for k, v in vague_table.items()}
    vague = re.compile(rf"\b(?<!-)(?:{_alt(vague_table)})(?![\w-])", re.IGNORECASE)
    vctx = data["vague_context"]

    shares = data["shares"]
    fractions = {str(k).lower(): int(v) for k, v in shares["fractions"].items()}
    small_numbers = {w: i + 1 for i, w in enumerate(units)}
    small_numbers.update({a: 1 for a in articles})
    frac_alt = _alt(fractions)
    # Found from the fraction word; the numerator is read backwards from there ("two-thirds").
    fraction = re.compile(rf"\b(?P<den>{frac_alt})(?!\w|-\w)", re.IGNORECASE)
    numerator_before = re.compile(rf"(?:\s+|-)(?P<n>{_suffix_alt(small_numbers)})", re.IGNORECASE)
    multiplier_after_fraction = re.compile(
        rf"\s+(?:of\s+)?(?:(?:{art_alt})\s+)?(?P<mag>{mag_alt})(?![\w-])", re.IGNORECASE
    )
    # "one in five", "two out of five hundred": found from "in" / "out of", the numerator read
    # backwards, the denominator read as a number from there.
    one_in = re.compile(r"\b(?:(?P<in>in)|out\s+of)\s+(?:every\s+)?(?=[\w])", re.IGNORECASE)
    one_in_before = re.compile(rf"\s+(?P<a>{_suffix_alt(units)}|\d{{1,2}}(?![\w.,-]))", re.IGNORECASE)
    percent_after = re.compile(rf"\s?(?:{_alt(_words(shares, 'percent_words'))})(?!\w)", re.IGNORECASE)

    ordinal_table = data["ordinal_one"]
    ordinal = re.compile(
        rf"\b(?<!-)(?P<art>the|a)\s+(?P<ord>{_alt(_words(ordinal_table, 'ordinals'))})(?![\w-])",
        re.IGNORECASE,
    )

    excl = data["exclusions"]
    skip = _alt(_words(excl, "skip_before_unit"))
    unit_after = re.compile(
        rf"[\s-]*(?:(?:{skip})\s+)?(?:{_alt(_words(excl, 'units_after'))})(?![\w])", re.IGNORECASE
    )
    currency_before = re.compile(rf"\s*(?:{_suffix_alt(_words(excl, 'currency_before'))})", re.IGNORECASE)
    label_before = re.compile(rf"\s*(?:{_suffix_alt(_words(excl, 'label_before'))})", re.IGNORECASE)
    months = _alt(_words(excl, "months"))
    month_before = re.compile(rf"\s*,?\.?(?:{_suffix_alt(_words(excl, 'months'))})")
    month_after = re.compile(rf"\.?\s*(?:of\s+)?(?:{months})\b")
    # The other half of a date range: "November 24-30", "24-30 November", "3 to 5 March".
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    date_range_before = re.compile(rf"(?<![\w.,])(?:{months})\.?\s+{day}\s*(?:[-–—]|to|and|until|till)\s*$")
    date_range_after = re.compile(
        rf"(?:st|nd|rd|th)?\s*(?:[-–—]|to|and|until|till)\s*{day}\.?\s+(?:of\s+)?(?:{months})\b"
    )
    # A decimal right after a capitalised name is a version ("Python 3.5", "iOS 17.2").
    # So is a decimal in a list of decimals ("Python 3.5, 3.6 and 3.7").
    version_before = re.compile(
        r"(?<![\w.])[A-Z][A-Za-z]*[a-z][A-Za-z]*\s+$|(?<![\w.])[a-z]+[A-Z][A-Za-z]*\s+$"
        r"|(?<![\w.,])\d+\.\d+,?\s+(?:(?:and|or)\s+)?$|(?<![\w.,])\d+\.\d+,\s*$"
    )
    year_before = re.compile(rf"\s*(?:{_suffix_alt(_words(excl, 'year_before'))})", re.IGNORECASE)
    period_words = _alt(_words(shares, "period_words") + _words(excl, "months"))
    period_after_of = re.compile(
        rf"\s+of\s+(?:(?:the|this|that|last|next|a|an)\s+)?(?:\d{{4}}\b|(?:{period_words})\b)", re.IGNORECASE
    )

    before_words = [w for k in ("approx", "at_least", "at_most") for w in _words(quals_before, k)]
    qualifier_before = re.compile(rf"\s*(?P<q>{_suffix_alt(before_words)})", re.IGNORECASE)
    qualifier_after = re.compile(rf"(?P<q>{'|'.join(after_parts)})(?![\w])", re.IGNORECASE)
    qualifier_bridge = re.compile(rf"\s*(?:{_suffix_alt(_words(quals_before, 'bridge'))})", re.IGNORECASE)

    blocked_urls = re.compile(r"(?:https?://|www\.)\S+")
    blocked_handles = re.compile(r"[\w.+-]*@[\w-]+(?:\.[\w-]+)*|#\w+")
    blocked_numbers = re.compile(
        "(?=[\\d+(])(?:"
        + "|".join(
            [
                r"\+\d[\d ().-]{6,}\d",
                r"\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b",
                r"\b\d{4}-\d{1,2}-\d{1,2}\b",
                r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b",
                r"\b\d{1,4}/\d{1,4}(?:/\d{1,4})?\b",
                r"\b\d+:\d+\b",
                r"\b(?:1[89]|20)\d{2}\s*[-–—/]\s*\d{2}(?:\d{2})?\b(?!,\d)",
                r"\b\d+(?:-\d+){2,}\b",
                r"\b\d+(?:\.\d+){2,}\b",
            ]
        )
        + ")"
    )

    people = data["people"]
    singular = frozenset(w.lower() for w in _words(people, "singular"))
    plural = frozenset(w.lower() for w in _words(people, "plural"))
    # One vocabulary: the people and force nouns the extractor knows count as people here too.
    measure_nouns = data_file("measures.toml")["nouns"]
    plural |= frozenset(w.lower() for kind in ("people", "force") for w in measure_nouns[kind]) - singular
    ranges = data["ranges"]
    change_alt = _alt(_words(ranges, "change_words"))
    change_window = int(ranges["change_window"])
    change_before = re.compile(
        rf"(?<![\w])(?:{change_alt})\b(?:\W+\w+){{0,{change_window}}}?\W+from\s*$", re.IGNORECASE
    )
    connector = re.compile(rf"\s+(?:{_alt(_words(ranges, 'connectors'))})\s+$", re.IGNORECASE)
    year_range = excl["year_range"]
    one = data["one"]

    return _Lexicon(
        digits=digits,
        number_start=number_start,
        number_first=number_first,
        number_next=number_next,
        and_fraction=and_fraction,
        glued_after=glued_after,
        word_values=word_values,
        closing_magnitudes=frozenset(closing),
        vague=vague,
        vague_ranges=vague_ranges,
        vague_needs_people=frozenset(_norm(w) for w in _words(vctx, "needs_people_noun")),
        vague_needs_of=frozenset(_norm(w) for w in _words(vctx, "needs_of")),
        fraction=fraction,
        numerator_before=numerator_before,
        multiplier_after_fraction=multiplier_after_fraction,
        one_in=one_in,
        one_in_before=one_in_before,
        ordinal=ordinal,
        blocked_urls=blocked_urls,
        blocked_handles=blocked_handles,
        blocked_numbers=blocked_numbers,
        abbreviation_dash=re.compile(rf"\d(?:{abbr_alt})-$"),
        multiplier_after=re.compile(
            rf"(?:(?:\s+|-)(?P<mag>{mag_alt})s?|\s+(?P<short>{_alt(spaced)})\.?)(?![\w-])", re.IGNORECASE
        ),
        percent_after=percent_after,
        unit_after=unit_after,
        currency_before=currency_before,
        label_before=label_before,
        month_before=month_before,
        month_after=month_after,
        year_before=year_before,
        period_after_of=period_after_of,
        qualifier_before=qualifier_before,
        qualifier_bridge=qualifier_bridge,
        qualifier_after=qualifier_after,
        than_after=re.compile(r"\s+than\b", re.IGNORECASE),
        connector=connector,
        date_range_before=date_range_before,
        date_range_after=date_range_after,
        version_before=version_before,
        next_word=re.compile(r"\s*(?P<w>[A-Za-z][\w'’-]*)"),
        between_before=re.compile(r"\s+neewteb(?![\w])", re.IGNORECASE),
        from_before=re.compile(r"\s+morf(?![\w])", re.IGNORECASE),
        change_before=change_before,
        qualifier_kind=qualifier_kind,
        magnitudes=magnitudes,
        after_magnitudes={**magnitudes, **spaced},
        abbreviations=abbreviations,
        ambiguous_abbreviations=frozenset(_words(nw, "ambiguous_abbreviations")),
        small_numbers={k.lower(): v for k, v in small_numbers.items()},
        fractions=fractions,
        share_followers=frozenset(w.lower() for w in _words(shares, "followers")),
        share_not_after=frozenset(w.lower() for w in _words(shares, "not_after")),
        one_not_after=frozenset(w.lower() for w in _words(one, "not_after")),
        one_not_before=frozenset(w.lower() for w in _words(one, "not_before")),
        people_singular=singular,
        people_all=singular | plural,
        people_plural=plural,
        people_modifiers=frozenset(w.lower() for w in _words(people, "modifiers")),
        people_window=int(people["window"]),
        ordinal_standalone=frozenset(w.lower() for w in _words(ordinal_table, "standalone_followers")),
        year_low=int(year_range[0]),
        year_high=int(year_range[1]),
        one_in_max_numerator=int(shares["one_in_max_numerator"]),
        one_in_max_denominator=int(shares["one_in_max_denominator"]),
    )


# --------------------------------------------------------------------------------------------
# Number words


def parse_number_words(words: str) -> float | None:
    """The value of a number written in words: "twenty-five hundred" -> 2500, "a dozen" -> 12.

    Also takes digits with a magnitude word ("1.2 million", "4 thousand 3 hundred and 21").
    None when the text is not one number.
    """
    lex = _lexicon()
    text = " ".join(words.split())
    m = re.fullmatch(r"(\d[\d,]*\.\d+)((?:\s+[a-z]+)+)", text.lower())
    if m:  # a decimal before magnitude words: "1.2 million"
        try:
            base = Decimal(m.group(1).replace(",", ""))
        except InvalidOperation:
            return None
        factor = 1
        for tok in m.group(2).split():
            if tok not in lex.magnitudes:
                return None
            factor *= lex.magnitudes[tok]
        return float(base * factor)
    read = _read_number(lex, text, 0)
    if read is None or read.end != len(text):
        return None
    return read.value


@dataclass(frozen=True, slots=True)
class _Read:
    value: float
    end: int  # where the number ends
    resume: int  # where to look for the next number
    mult: int  # the magnitude written last ("thirty-five thousand" -> 1000), 1 if none
    tokens: int


_SMALL = ("unit", "teen", "ten", "digits")


def _read_number(lex: _Lexicon, text: str, pos: int) -> _Read | None:
    """Read one number written in words (digits may stand inside it) starting at `pos`.

    A single left-to-right pass: each token is looked at once and either continues the number or
    ends it, so a run of number words of any length is read in linear time ("two three" is two
    numbers, "twenty-one trillion and three hundred" one). Magnitudes multiply what comes before
    them in their group; a larger magnitude after a smaller one multiplies the whole ("three thousand
    millions"); "dozen" and "pair" close the number.
    """
    m = lex.number_first.match(text, pos)
    if not m:
        return None
    total = 0.0  # the groups closed by a magnitude of a thousand or more
    cur = 0.0  # the group being read (below a thousand, or digits before a magnitude)
    top = 0  # the largest magnitude so far
    last = ""  # the kind of the last token read
    hundred = False  # the current group holds a hundred
    mult = 1
    count = 0
    end = pos
    # The state before the current small group: restored when a magnitude cannot take the group
    # ("3 hundred and 2 hundred" -> "3 hundred", then "2 hundred").
    saved: tuple[float, float, int, int, int, int] | None = None
    group_start = pos
    while m:
        tok = m.group("tok")
        sep = m.groupdict().get("sep") or ""
        low = tok.lower()
        if low[0].isdigit():
            kind, v = "digits", int(low)
        else:
            kind, v = lex.word_values[low]
        if sep.strip().lower() == "and" and not (last in ("hundred", "mag") and kind in _SMALL):
            break
        ok = False
        if kind == "zero":
            if not last:
                return _Read(0.0, m.end(), m.end(), 1, 1)
        elif kind == "art":
            ok = not last
            if ok:
                cur, last = 1.0, "art"
        elif kind in _SMALL:
            if kind == "digits":
                limit = 100 if hundred else 1000
                ok = not last or (last in ("hundred", "mag") and v < limit)
            elif kind == "unit":
                ok = not last or last in ("hundred", "mag") or (last == "ten" and sep != "")
            else:
                ok = not last or last in ("hundred", "mag")
            if ok:
                if last in ("hundred", "mag") or not last:
                    saved = (total, cur, top, mult, count, end)
                    group_start = m.start("tok")
                cur += v
                last = kind
        elif kind in ("hundred", "hundreds"):
            ok = last in ("unit", "teen", "ten", "art", "digits") and not hundred
            ok = ok and (cur < 100 or (last == "digits" and count == 1))  # "322 hundred"
            if ok:
                cur *= v
                hundred, last, mult = True, "hundred", v
        elif kind in ("mag", "mags"):
            if last == "mag" and v > top:
                total *= v
                ok = True
            elif cur > 0 and v != top and last in ("unit", "teen", "ten", "digits", "hundred", "art", "frac"):
                total = (total + cur) * v if top and v > top else total + cur * v
                ok = True
            if ok:
                cur, hundred, last, mult, top = 0.0, False, "mag", v, max(top, v)
        elif kind in ("close", "closes") and last and last != "frac" and total + cur > 0:
            return _Read((total + cur) * v, m.end(), m.end(), v, count + 1)
        if not ok:
            if kind in ("hundred", "hundreds", "mag", "mags") and saved is not None and last in _SMALL:
                total, cur, top, mult, count, end = saved
                return _finish_read(total + cur, end, group_start, mult, count, last="")
            break
        count += 1
        end = m.end()
        if kind.endswith("s") and kind != "digits":  # a plural magnitude ends the number
            break
        if last in ("unit", "teen", "ten", "digits") and not hundred and top == 0:
            fm = lex.and_fraction.match(text, end)
            if fm:  # "five and a half million"
                n = lex.small_numbers.get(fm.group("n").lower(), 1)
                d = lex.fractions[fm.group("den").lower()]
                cur += n / d
                last, end = "frac", fm.end()
        m = lex.number_next.match(text, end)
    return _finish_read(total + cur, end, end, mult, count, last)


def _finish_read(value: float, end: int, resume: int, mult: int, count: int, last: str) -> _Read | None:
    if count == 0 or last in ("art", "frac"):
        return None
    return _Read(value, end, resume, mult, count)


# --------------------------------------------------------------------------------------------
# Candidates


@dataclass(slots=True)
class _Atom:
    start: int
    end: int
    low: float | None
    high: float | None
    qualifier: str  # exact | vague | range (before qualifier words are read)
    is_share: bool
    rule: str
    value_start: int
    plain: bool = False  # digits only: no separator, decimal, multiplier or percent
    mult: int = 1  # the magnitude written after the number, if any
    digits: bool = False


def _next_word(lex: _Lexicon, text: str, pos: int) -> str | None:
    m = lex.next_word.match(text, pos)
    return m.group("w").lower() if m else None


def _prev_word(text: str, pos: int) -> str | None:
    i = pos
    while i > 0 and text[i - 1].isspace():
        i -= 1
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "'’-."):
        j -= 1
    word = text[j:i].lower().rstrip(".")
    return word or None


def _people_follow(lex: _Lexicon, text: str, pos: int, nouns: frozenset[str] | None = None) -> bool:
    """Is a people or force noun within a few words after `pos` ("2000 North Korean soldiers")?"""
    nouns = lex.people_all if nouns is None else nouns
    for _ in range(lex.people_window):
        m = lex.next_word.match(text, pos)
        if not m:
            return False
        word = m.group("w")
        low = word.lower()
        if low in nouns:
            return True
        m2 = lex.next_word.match(text, m.end())
        if m2 and f"{low} {m2.group('w').lower()}" in nouns:
            return True
        if not (word[0].isupper() or low in lex.people_modifiers or low.endswith("ly")):
            return False
        pos = m.end()
    return False


def _is_year_like(atom: _Atom, lex: _Lexicon) -> bool:
    return (
        atom.plain
        and atom.end - atom.start == 4
        and atom.low is not None
        and lex.year_low <= atom.low <= lex.year_high
    )


def _digit_atoms(lex: _Lexicon, text: str) -> Iterable[_Atom]:
    pos = 0
    while True:
        m = lex.digits.search(text, pos)
        if not m:
            return
        pos = m.end()
        raw = m.group("num")
        start = m.start()
        if " " in raw and _suffix(lex.month_before, text, start - 14, start) is not None:
            pos = start + raw.index(" ") + 1  # "June 23 500 people": a day, then a count
            continue
        # "F-16", "Su-34" are names; "40k-50k" is a range.
        if (
            start >= 2
            and text[start - 1] == "-"
            and text[start - 2].isalpha()
            and not lex.abbreviation_dash.search(text, max(0, start - 8), start)
        ):
            continue
        if len(raw) > 1 and raw[0] == "0" and raw[1] != ".":
            continue
        try:
            value = Decimal(re.sub(r"[, \u00a0\u2009\u202f]", "", raw))
        except InvalidOperation:
            continue
        end = m.end()
        mult = 1
        abbr = m.group("abbr")
        if abbr:
            if abbr in lex.ambiguous_abbreviations and not _people_follow(lex, text, end):
                continue
            mult = lex.abbreviations[abbr]
        else:
            mm = lex.multiplier_after.match(text, end)
            if mm:
                mult = lex.after_magnitudes[(mm.group("mag") or mm.group("short")).lower()]
                end = mm.end()
        is_share = False
        if mult == 1:
            pm = lex.percent_after.match(text, end)
            if pm:
                is_share = True
                end = pm.end()
        number = float(value * mult)
        if not math.isfinite(number):
            continue  # hundreds of digits: no count, and no value JSON can hold
        yield _Atom(
            start=m.start(),
            end=end,
            low=number,
            high=number,
            qualifier="exact",
            is_share=is_share,
            rule="percent" if is_share else ("digits_multiplier" if mult != 1 else "digits"),
            value_start=m.start(),
            plain=mult == 1 and not is_share and raw.isdigit(),
            mult=mult,
            digits=True,
        )


def _word_atoms(lex: _Lexicon, text: str) -> Iterable[_Atom]:
    pos = 0
    while True:
        m = lex.number_start.search(text, pos)
        if not m:
            return
        read = _read_number(lex, text, m.start())
        if read is None:
            pos = m.end() + 1
            continue
        pos = max(read.resume, m.start() + 1)
        start, end = m.start(), read.end
        if lex.glued_after.match(text, end):
            continue  # "one-off", "twenty-five-year-old": part of a longer word
        if read.tokens == 1 and text[start].isdigit():
            continue  # plain digits: the digit finder's job
        is_share = False
        pm = lex.percent_after.match(text, end)
        if pm:
            is_share = True
            end = pm.end()
        yield _Atom(
            start=start,
            end=end,
            low=read.value,
            high=read.value,
            qualifier="exact",
            is_share=is_share,
            rule="percent" if is_share else "number_words",
            value_start=start,
            mult=read.mult,
        )


def _vague_atoms(lex: _Lexicon, text: str) -> Iterable[_Atom]:
    for m in lex.vague.finditer(text):
        key = _norm(m.group())
        low, high = lex.vague_ranges[key]
        if key in lex.vague_needs_of and not re.match(r"\s+of\b", text[m.end() :]):
            continue
        if key in lex.vague_needs_people and not _people_follow(lex, text, m.end()):
            continue
        yield _Atom(m.start(), m.end(), low, high, "vague", False, "vague", m.start())


def _fraction_value(lex: _Lexicon, numer: str | None, den: str) -> float | None:
    d = lex.fractions[den.lower()]
    plural = den.lower().endswith("s") and den.lower() != "halves"
    if numer is None:
        return 50.0 if den.lower() == "half" else None
    n = lex.small_numbers[numer.lower()]
    if n >= d or (n == 1) == plural:
        return None
    return n / d * 100


def _fraction_atoms(lex: _Lexicon, text: str) -> Iterable[_Atom]:
    for m in lex.fraction.finditer(text):
        start, end = m.start(), m.end()
        prev = text[start - 1] if start else " "
        if prev.isalnum() or prev == "_":
            continue  # "behalf"
        numer: str | None = None
        nm = lex.numerator_before.match(text[max(0, start - 12) : start][::-1])
        if nm:
            numer = nm.group("n")[::-1]
            start -= nm.end()
        elif prev == "-":
            continue
        mm = lex.multiplier_after_fraction.match(text, end)
        fraction = _fraction_value(lex, numer, m.group("den"))
        if fraction is None and numer is None and mm and not m.group("den").lower().endswith("s"):
            fraction = 100 / lex.fractions[m.group("den").lower()]  # "quarter million"
        if fraction is None:
            continue
        if mm:  # "half a million", "a quarter of a million", "half a dozen"
            value = round(fraction / 100 * lex.magnitudes[mm.group("mag").lower()], 6)
            yield _Atom(start, mm.end(), value, value, "exact", False, "fraction_multiplier", start)
            continue
        if (numer or "a").lower() in ("a", "an") and _prev_word(text, start) in lex.share_not_after:
            continue  # "the first half", "the other half", "one and a half"
        follower = _next_word(lex, text, end)
        rest = text[end : end + 2].lstrip()
        if rest and rest[0].isalnum():
            if follower not in lex.share_followers and not _people_follow(lex, text, end, lex.people_plural):
                continue  # "a third party", "half empty"; but "half people", "a third civilians"
            if follower == "of" and lex.period_after_of.match(text, end):
                continue  # "half of 2024"
        share = round(fraction, 1)
        yield _Atom(start, end, share, share, "exact", True, "fraction", start)
    for m in lex.one_in.finditer(text):
        if m.start() == 0 or not text[m.start() - 1].isspace():
            continue
        am = lex.one_in_before.match(text[max(0, m.start() - 12) : m.start()][::-1])
        if not am:
            continue
        a = _small_value(lex, am.group("a")[::-1])
        b_read = _denominator(lex, text, m.end())
        if a is None or b_read is None:
            continue
        b, b_end = b_read
        if not 0 < a < b or a > lex.one_in_max_numerator:
            continue
        if m.group("in") and (b > lex.one_in_max_denominator or lex.year_low <= b <= lex.year_high):
            continue  # "2 in 2023"
        start = m.start() - am.end()
        share = round(a / b * 100, 1)
        yield _Atom(start, b_end, share, share, "exact", True, "one_in", start)


_DENOMINATOR_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})*(?![\w.,-]?\d)(?![\w-])")


def _denominator(lex: _Lexicon, text: str, pos: int) -> tuple[float, int] | None:
    """The number after "one in" / "one out of": digits or words ("five hundred", "twenty-one")."""
    dm = _DENOMINATOR_DIGITS.match(text, pos)
    if dm:
        return float(dm.group().replace(",", "")), dm.end()
    read = _read_number(lex, text, pos)
    if read is None or lex.glued_after.match(text, read.end):
        return None
    return read.value, read.end


def _small_value(lex: _Lexicon, word: str) -> float | None:
    if word.isdigit():
        return float(word)
    return parse_number_words(word)


def _ordinal_atoms(lex: _Lexicon, text: str) -> Iterable[_Atom]:
    for m in lex.ordinal.finditer(text):
        follower = _next_word(lex, text, m.end())
        rest = text[m.end() :].lstrip()[:1]
        standalone = m.group("art").lower() == "the" and (
            not rest or rest in '.,;:!?)—–"”' or follower in lex.ordinal_standalone
        )
        if standalone or _people_follow(lex, text, m.end(), lex.people_singular):
            yield _Atom(m.start(), m.end(), 1.0, 1.0, "exact", False, "ordinal_one", m.start())


# --------------------------------------------------------------------------------------------
# Filters


def _overlaps(blocked: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Does [start, end) overlap a blocked span? `blocked` is sorted and non-overlapping."""
    i = bisect.bisect_left(starts, end) - 1
    return i >= 0 and blocked[i][1] > start


def _blocked_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, merged spans, so that one binary search answers "is this position blocked?"."""
    merged: list[tuple[int, int]] = []
    for b0, b1 in sorted(spans):
        if merged and b0 <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b1))
        else:
            merged.append((b0, b1))
    return merged


def _rejected(atom: _Atom, lex: _Lexicon, text: str, blocked: list[tuple[int, int]], starts: list[int]) -> bool:
    if blocked and _overlaps(blocked, starts, atom.start, atom.end):
        return True
    if atom.rule == "ordinal_one":
        return False
    s = atom.start
    if not atom.is_share:
        if _suffix(lex.currency_before, text, s - 8, s) is not None:
            return True
        if lex.unit_after.match(text, atom.end):
            return True
    if atom.rule == "fraction":
        return False
    if _suffix(lex.label_before, text, s - 16, s) is not None:
        return True
    if (
        atom.plain
        and atom.low is not None
        and atom.low <= 31
        and (
            _suffix(lex.month_before, text, s - 14, s) is not None
            or lex.month_after.match(text, atom.end)
            or lex.date_range_before.search(text, max(0, s - 24), s)
            or lex.date_range_after.match(text, atom.end)
        )
    ):
        return True  # "13 January", "Jan. 13", "26. November", both halves of "November 24-30"
    if (
        atom.digits
        and atom.mult == 1
        and not atom.is_share
        and "." in text[atom.value_start : atom.end]
        and lex.version_before.search(text, max(0, s - 24), s)
    ):
        return True  # "Python 3.5", "iOS 17.2": a version, not a count
    if _is_year_like(atom, lex):
        if _suffix(lex.month_before, text, s - 14, s) is not None:
            return True
        if _suffix(lex.year_before, text, s - 12, s) is not None:
            return True
        if not _people_follow(lex, text, atom.end):
            return True
    if atom.rule == "number_words" and text[atom.start : atom.end].lower() == "one":
        if _prev_word(text, atom.start) in lex.one_not_after:
            return True
        if _next_word(lex, text, atom.end) in lex.one_not_before:
            return True
        if text[atom.end : atom.end + 1] in ("-", "’", "'"):
            return True
    return False


def _select(atoms: list[_Atom]) -> list[_Atom]:
    """Non-overlapping atoms, the longest one winning at each start."""
    atoms.sort(key=lambda a: (a.start, -(a.end - a.start)))
    chosen: list[_Atom] = []
    last_end = -1
    for atom in atoms:
        if atom.start >= last_end:
            chosen.append(atom)
            last_end = atom.end
        elif atom.end - atom.start > chosen[-1].end - chosen[-1].start and (
            len(chosen) < 2 or chosen[-2].end <= atom.start
        ):
            # A longer candidate that starts inside the previous one wins.
            chosen[-1] = atom
            last_end = atom.end
    return chosen


# --------------------------------------------------------------------------------------------
# Ranges, restatements, qualifiers

_DASH = re.compile(r"\s*[-–—]\s*$")
_DASH_TIGHT = re.compile(r"-$")
_AND = re.compile(r"\s+and\s+$", re.IGNORECASE)
_OR = re.compile(r"\s+or\s+$", re.IGNORECASE)
_OPEN = re.compile(r"\s*\(\s*$")
_CLOSE = re.compile(r"\s*\)")


def _merge(lex: _Lexicon, text: str, atoms: list[_Atom]) -> list[_Atom]:
    out: list[_Atom] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        b = atoms[i + 1] if i + 1 < len(atoms) else None
        if b is not None:
            merged = _range(lex, text, a, b)
            if merged == "drop":
                i += 2
                continue
            if isinstance(merged, _Atom):
                out.append(merged)
                i += 2
                continue
            restated = _restatement(text, a, b)
            if restated is not None:
                out.append(restated)
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _range(lex: _Lexicon, text: str, a: _Atom, b: _Atom) -> _Atom | str | None:
    if "vague" in (a.qualifier, b.qualifier) or "ordinal_one" in (a.rule, b.rule) or a.rule == "one_in":
        return None
    if a.is_share and not b.is_share:
        return None
    gap = text[a.end : b.start]
    if len(gap) > 12 or a.low is None or b.low is None or b.high is None:
        return None
    start = a.start
    if _DASH.fullmatch(gap) or gap == "-":
        between_start = _suffix(lex.between_before, text, a.start - 12, a.start)
        if between_start is not None:  # "between 150,000-190,000"
            start = between_start
    elif lex.connector.fullmatch(gap):
        from_start = _suffix(lex.from_before, text, a.start - 12, a.start)
        if from_start is not None:
            if lex.change_before.search(text, max(0, a.start - 60), a.start):
                return None
            start = from_start
    elif _AND.fullmatch(gap):
        between_start = _suffix(lex.between_before, text, a.start - 12, a.start)
        if between_start is None:
            return None
        start = between_start
    elif _OR.fullmatch(gap):
        if not (a.low.is_integer() and b.low.is_integer()) or b.low > 10 * a.low:
            return None
    else:
        return None
    low = a.low
    if b.mult > 1 and a.mult == 1 and not a.is_share and low * b.mult <= b.low:
        low = low * b.mult
    if not low < b.low:
        # "3-1" glued by a hyphen is a score or a label, not two figures.
        return "drop" if gap == "-" and a.digits and b.digits else None
    return _Atom(
        start=start,
        end=b.end,
        low=low,
        high=b.high,
        qualifier="range",
        is_share=b.is_share,
        rule="range",
        value_start=a.start,
    )


def _restatement(text: str, a: _Atom, b: _Atom) -> _Atom | None:
    """ "500,000 (half a million)": one figure whose span covers both."""
    if a.qualifier != "exact" or b.qualifier != "exact" or a.is_share != b.is_share:
        return None
    if not _OPEN.fullmatch(text[a.end : b.start]) or a.low is None or b.low is None:
        return None
    close = _CLOSE.match(text, b.end)
    if not close or abs(a.low - b.low) > 0.01 * max(abs(a.low), 1.0):
        return None
    return _Atom(a.start, close.end(), a.low, a.high, "exact", a.is_share, a.rule, a.value_start)


def _qualifiers_before(lex: _Lexicon, text: str, start: int, floor: int) -> tuple[int, list[str]]:
    """Qualifier words before a figure, nearest first, and where they start.

    Up to two may stack ("as many as about 180"); a bridge word may stand between the nearest one
    and the figure ("at least another 2,059"). Each look is an anchored match over a bounded window.
    """
    kinds: list[str] = []
    pos = start
    bm = lex.qualifier_bridge.match(text[max(floor, pos - 20) : pos][::-1])
    at = pos - bm.end() if bm else pos
    for _ in range(2):
        qb = lex.qualifier_before.match(text[max(floor, at - 40) : at][::-1])
        if not qb:
            break
        kinds.append(lex.qualifier_kind[_norm(qb.group("q")[::-1])])
        pos = at = at - qb.end()
    return pos, kinds


def _finish(lex: _Lexicon, text: str, atom: _Atom, floor: int) -> Figure:
    start, end = atom.start, atom.end
    low, high, qualifier = atom.low, atom.high, atom.qualifier
    start, kinds = _qualifiers_before(lex, text, start, floor)
    if atom.rule != "ordinal_one":
        qa = lex.qualifier_after.match(text, end)
        if qa and not lex.than_after.match(text, qa.end()):  # not "40 and more than 10"
            kinds.insert(0, lex.qualifier_kind[_norm(qa.group("q"))])
            end = qa.end()
    # A bound wins over "about": "about 500 or more" is at least 500.
    bounds = [k for k in kinds if k != "approx"]
    kind: str | None = bounds[0] if bounds else (kinds[0] if kinds else None)
    if kind and atom.rule == "ordinal_one":
        start, kind = atom.start, None
    if kind and qualifier == "vague":
        if kind == "at_least":
            low, high, qualifier = low, None, "at_least"
        elif kind == "at_most":
            low, high, qualifier = None, high, "at_most"
    elif kind and qualifier != "range":
        qualifier = kind
        if kind == "at_least":
            high = None
        elif kind == "at_most":
            low = None
    return Figure(
        start=start,
        end=end,
        figure=text[start:end],
        low=low,
        high=high,
        qualifier=qualifier,
        is_share=atom.is_share,
        value_text_start=atom.value_start,
        rule=atom.rule,
    )


_SUSPENDED_HYPHEN = re.compile(r"-\s")
# Characters that show nothing but would split a figure ("1,\u200b000", "40\u200c0", keycap digits
# "4\ufe0f\u20e3"): soft hyphen, zero-width and direction marks, joiners, invisible operators, the
# byte-order mark, variation selectors and the combining keycap. NBSP and thin spaces are spaces already.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe00-\ufe0f\ufeff\u20e3]")


def find_figures(text: str) -> list[Figure]:
    """Every candidate figure in `text`, sorted by start and non-overlapping.

    Invisible characters (see ``_INVISIBLE``) are read as absent, so "1,\u200b000" is 1,000; offsets,
    and each figure as written, still index `text` itself.
    """
    if _INVISIBLE.search(text) is None:
        return _find_figures(text)
    kept = [i for i, ch in enumerate(text) if _INVISIBLE.match(ch) is None]
    at = [*kept, len(text)]  # position in the clean text -> position in `text`
    figures = []
    for f in _find_figures("".join(text[i] for i in kept)):
        start, end = at[f.start], (at[f.end - 1] + 1 if f.end > f.start else at[f.end])
        while end < len(text) and _INVISIBLE.match(text, end):  # a keycap's marks belong to its digit
            end += 1
        figures.append(
            Figure(start, end, text[start:end], f.low, f.high, f.qualifier, f.is_share, at[f.value_text_start],
                   f.rule)
        )
    return figures


def _find_figures(text: str) -> list[Figure]:
    lex = _lexicon()
    blocked = [m.span() for m in lex.blocked_numbers.finditer(text)]
    if "://" in text or "www." in text:
        blocked.extend(m.span() for m in lex.blocked_urls.finditer(text))
    if "@" in text or "#" in text:
        blocked.extend(m.span() for m in lex.blocked_handles.finditer(text))
    blocked = _blocked_spans(blocked)
    starts = [b0 for b0, _ in blocked]
    candidates: list[_Atom] = []
    for finder in (_vague_atoms, _fraction_atoms, _digit_atoms, _word_atoms, _ordinal_atoms):
        candidates.extend(a for a in finder(lex, text) if not _rejected(a, lex, text, blocked, starts))
    atoms = _merge(lex, text, _select(candidates))
    figures: list[Figure] = []
    floor = 0
    for atom in atoms:
        figure = _finish(lex, text, atom, floor)
        if figures and figure.start < figures[-1].end:
            continue
        if _SUSPENDED_HYPHEN.match(text, figure.end):
            continue  # "the 20- to 30-meter-long vessel": a compound modifier whose unit comes later
        figures.append(figure)
        floor = figure.end
    return figures
