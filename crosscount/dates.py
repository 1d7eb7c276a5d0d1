"""Time expressions in a sentence, resolved against the document's reference date.

`find_time_mentions(text, ref)` finds every date-like expression ("as of Jan. 13", "in early
January", "last fall", "on Monday", "by mid-April 2025", "since early December", "to date") and
gives each one a role and a value:

- role ``at``: a point or period the figure holds at; ``by``: a deadline or target (a
  projection's date); ``since``: the start of a period; ``now``: a "now" cue with no date.
- value ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` at the precision the text gives (never finer than
  the reference allows), or None when it cannot be resolved (a weekday with no reference).

Conventions follow the gold annotation: a month or day without a year is the latest one on or
before the reference (news reports the past), except a target ("by mid-April" is the next
mid-April); a week ("this week") is reported at the month of the reference; a "now" cue resolves to
the reference month. The words live in ``data/dates.toml``; this module holds the mechanisms.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

ROLES: tuple[str, ...] = ("at", "by", "since", "now")


@dataclass(frozen=True, slots=True)
class RefDate:
    """The document's "now": its published date, or one inferred from its text."""

    year: int
    month: int | None = None
    day: int | None = None  # precision = how many of year, month, day are set

    def __post_init__(self) -> None:
        if self.month is None and self.day is not None:
            raise ValueError("a reference day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"bad month {self.month}")
        if (
            self.day is not None
            and self.month is not None
            and not 1 <= self.day <= calendar.monthrange(self.year, self.month)[1]
        ):
            raise ValueError(f"bad day {self.year}-{self.month}-{self.day}")

    @property
    def precision(self) -> int:
        """1 = year, 2 = month, 3 = day."""
        return 1 + (self.month is not None) + (self.day is not None)

    def iso(self) -> str:
        return _fmt(self.year, self.month, self.day)

    @classmethod
    def from_iso(cls, value: str) -> RefDate:
        """Parse "YYYY", "YYYY-MM" or "YYYY-MM-DD" (the values this module produces)."""
        parts = [int(p) for p in value.split("-")]
        if not 1 <= len(parts) <= 3:
            raise ValueError(f"not a YYYY[-MM[-DD]] value: {value!r}")
        return cls(parts[0], parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None)


@dataclass(frozen=True, slots=True)
class TimeMention:
    """One time expression in a text, with its role and its resolved value."""

    start: int
    end: int
    text: str
    role: str  # "at" | "by" | "since" | "now"
    value: str | None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"; None when it cannot be resolved
    rule: str  # the rule that matched


# --------------------------------------------------------------------------- lexicon


def _phrase(w: str) -> str:
    return r"\s+".join(re.escape(p) for p in w.split())


def _alt(words: Iterable[str]) -> str:
    """A regex alternation of phrases, factored as a trie (fast to scan), longer phrases
    preferred, any whitespace between words."""
    trie: dict[str, Any] = {}
    for w in set(words):
        node = trie
        for ch in " ".join(w.split()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        kids = sorted((ch, sub) for ch, sub in node.items() if ch)
        if not kids:
            return ""
        parts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(sub) for ch, sub in kids]
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if "" in node:
            body = "(?:" + body + ")?"
        return body

    return emit(trie)


def _variants(w: str) -> set[str]:
    """The spellings matched case-sensitively: as written, Capitalised, UPPER."""
    return {w, w[:1].upper() + w[1:], w.upper()}


def _calt(words: Iterable[str]) -> str:
    """`_alt` over the case variants of each phrase (the cores are matched case-sensitively, which
    lets the regex engine skip quickly to a possible first character)."""
    return _alt(v for w in words for v in _variants(w))


def _ralt(words: Iterable[str]) -> str:
    """An alternation of the phrases written backwards (for matching the text before a core)."""
    rev = {" ".join(x[::-1] for x in reversed(w.split())) for w in words}
    return _alt(rev)


def _norm(s: str) -> str:
    return " ".join(s.lower().split())


_REJECT = object()  # a handler's answer when the match is not a date after all


class _M:
    """A rule's match: the core's groups plus those of the words just before it."""

    __slots__ = ("_end", "_groups", "_start")

    def __init__(self, groups: dict[str, str | None], start: int, end: int) -> None:
        self._groups, self._start, self._end = groups, start, end

    def group(self, name: str) -> str | None:
        return self._groups.get(name)

    def req(self, name: str) -> str:
        value = self._groups.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


_Handler = Callable[["_Ctx", _M], Any]  # returns str | None | _REJECT


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    core: re.Pattern[str]  # case-sensitive, starts with a distinctive token
    prefix: re.Pattern[str] | None  # matched on the reversed text before the core
    handler: _Handler
    role: str | None  # fixed role, or None to take it from the preposition
    gate: re.Pattern[str] | None = None  # a cheap test the text must pass before the core is tried


_PREFIX_WINDOW = 64


class _Lexicon:
    """The TOML vocabulary and the regexes built from it (built once, cached)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.months: dict[str, int] = {k.lower(): int(v) for k, v in data["months"].items()}
        self.abbrevs: dict[str, int] = {k.lower(): int(v) for k, v in data["month_abbreviations"].items()}
        self.ambiguous: set[str] = {w.lower() for w in data["ambiguous_months"]["words"]} | set(self.abbrevs)
        self.weekdays: dict[str, int] = {k.lower(): int(v) for k, v in data["weekdays"].items()}
        self.seasons: dict[str, int] = {k.lower(): int(v) for k, v in data["seasons"].items()}
        self.seasons_bare: set[str] = {w.lower() for w in data["seasons_bare"]["words"]}
        self.prep_role: dict[str, str] = {_norm(p): role for role, preps in data["prepositions"].items() for p in preps}
        mods: dict[str, list[str]] = data["modifiers"]
        self.mod_kind: dict[str, str] = {_norm(m): kind for kind, ms in mods.items() for m in ms}
        self.relative: dict[str, int] = {_norm(k): int(v) for k, v in data["relative"].items()}
        # one-word relatives that point ahead ("next", "upcoming"): "the next 3 days"
        self.forward: list[str] = [w for w, v in self.relative.items() if v == 1 and " " not in w]
        self.units: dict[str, str] = {k.lower(): str(v) for k, v in data["units"].items()}
        self.day_words: dict[str, int] = {_norm(k): int(v) for k, v in data["day_words"].items()}
        self.numbers: dict[str, int] = {_norm(k): int(v) for k, v in data["numbers"].items()}
        self.year_range: tuple[int, int] = (int(data["range"]["earliest"]), int(data["range"]["latest"]))
        self.period_units: dict[str, str] = {k.lower(): str(v) for k, v in data["period_units"].items()}
        self.anchors: dict[str, tuple[int, int]] = {
            _norm(k): (int(v[0]), int(v[1])) for k, v in data["offset_anchors"].items()
        }
        self.week_relative: set[str] = {_norm(w) for w in data["week_relative"]["words"]}
        self.later_anchors: dict[str, int] = {_norm(k): int(v) for k, v in data["later_anchors"].items()}
        self.following: list[str] = list(data["following_words"]["words"])
        self.two_digit_window = int(data["range"]["two_digit_years_ahead"])
        now: dict[str, list[str]] = data["now"]
        since: dict[str, list[str]] = data["since_events"]
        adverbs: list[str] = data["relative_adverbs"]["words"]

        month_names = list(data["months"]) + list(data["month_abbreviations"])
        # abbreviations carry their own full stop ("Jan."), full names never do ("in June.")
        abbr_dots = [a + "." for a in data["month_abbreviations"]]
        month_alt = _alt(v for w in month_names + abbr_dots for v in (w, w.upper()))
        wd_alt = _alt(v for w in data["weekdays"] for v in (w, w.upper()))
        year = r"(?P<year>(?:19|20)\d{2})(?![\d\-‐–/]|,\d|s\b)"
        day = r"(?P<day>\d{1,2})(?i:st|nd|rd|th)?(?![\d:])(?!,\d)"
        num = rf"(?P<n>\d+|{_calt(self.numbers)})"
        unit = rf"(?P<unit>{_calt(self.units)})\b"
        day_year_sep = r"(?:\s*,\s*|\s+(?:(?i:of|in)\s+)?)"  # "Dec. 31 , 1994", "July 4th of 1995"
        # "2024", ", 2024", "of 2024", "last year", "of last year" after a month
        year_tail = (
            rf"(?:,\s*|\s+)(?:(?i:of)\s+)?{year}"
            rf"|\s+(?:(?i:of)\s+)?(?P<yrel>{_calt(self.relative)})\s+(?:{_calt(['year'])})\b"
        )
        hedge = rf"(?:(?P<hedge>{_calt(data['hedges']['words'])})\s+)?"
        rflags = re.IGNORECASE

        def prefix(*segments: tuple[str, str, str]) -> re.Pattern[str]:
            """Optional words before a core, nearest last: (group, reversed alternation,
            reversed separator between the word and what follows it)."""
            body = "".join(rf"(?:{sep}(?P<{name}>{alt})\b)?" for name, alt, sep in reversed(segments))
            return re.compile(body, rflags)

        ws = r"\s+"
        p_prep = ("prep", _ralt(self.prep_role), ws)
        p_rel = ("rel", _ralt(self.relative), ws)
        p_mod = ("mod", _ralt(self.mod_kind), r"(?:\s*[-‐–]\s*|\s+)")
        p_the = ("the", "eht", ws)

        self.rules: list[_Rule] = [
            _Rule(
                "iso_date",
                re.compile(
                    r"(?P<y>(?:19|20)\d{2})(?<![\-/]\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
                    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d\-/])"
                ),
                prefix(p_prep),
                _h_iso,
                None,
            ),
            _Rule(
                "full_date",
                re.compile(rf"(?P<month>{month_alt})\s*{day}(?:{day_year_sep}{year})?\b"),
                prefix(p_prep, ("wd", _ralt(data["weekdays"]), r"(?:\s+eht)?\s+,?")),
                _h_full_date,
                None,
            ),
            _Rule(
                "full_date",
                re.compile(
                    rf"{day.replace('day>', 'day2>')}\s+(?:(?i:of)\s+)?"
                    rf"(?P<month2>{month_alt})(?!\w)(?:{day_year_sep}{year.replace('year>', 'year2>')}\b)?"
                ),
                prefix(p_prep, ("wd", _ralt(data["weekdays"]), r"(?:\s+eht)?\s+,?")),
                _h_full_date,
                None,
            ),
            _Rule(
                "month",
                re.compile(rf"(?P<month>{month_alt})(?:{year_tail})?(?![\w\-‐–])"),
                prefix(p_prep, p_rel, p_mod),
                _h_month,
                None,
            ),
            _Rule(
                "month_range",  # "the January–March period", "July-September 2024": the period's end
                re.compile(rf"(?P<first>{month_alt})\s*[-‐–—]\s*(?P<month>{month_alt})(?:{year_tail})?(?![\w\-‐–])"),
                prefix(p_prep, p_rel, p_mod),
                _h_month,
                None,
            ),
            _Rule("year", re.compile(year), prefix(p_prep, p_mod, ("the_year", "raey eht", ws)), _h_year, None),
            _Rule(
                "season",
                re.compile(rf"(?P<season>{_calt(self.seasons)})\b(?:\s+(?:(?i:of)\s+)?{year})?"),
                prefix(p_prep, ("rel", _ralt([*self.relative, "the"]), ws), p_mod),
                _h_season,
                None,
            ),
            _Rule(
                "relative_period",
                re.compile(rf"(?P<unit>{_calt(self.period_units)})\b(?![-‐])"),
                prefix(
                    p_prep,
                    ("adv", _ralt(adverbs), r"(?:\s+ni)?\s+"),
                    p_mod,
                    ("rel", _ralt([*self.relative, "the"]), ws),
                ),
                _h_relative_period,
                None,
            ),
            _Rule(
                "year_end",
                re.compile(rf"(?:{_calt(['year'])})(?:'s|’s)?[\s\-‐](?:{_calt(['end'])})\b"),
                prefix(p_prep, p_the, p_rel),
                _h_year_end,
                None,
            ),
            _Rule(
                "ago",
                re.compile(rf"(?:{_calt(['ago'])})\b"),
                prefix(("n", rf"\d+|{_ralt(self.numbers)}", ws), ("unit", _ralt(self.units), ws)),
                _h_ago,
                "at",
            ),
            _Rule(
                "recent_period",
                re.compile(rf"(?P<pl>{_calt(['past', 'last', 'previous'])})\s+(?:{num}\s+)?{unit}"),
                prefix(("prep", _ralt(["over", "in", "during", "for", "within"]), ws), p_the),
                _h_recent_period,
                "now",
            ),
            _Rule(
                "within",
                re.compile(
                    rf"(?P<prep>{_calt(['within', 'in', 'over'])})\s+(?:(?i:the)\s+)?"
                    rf"(?P<next>{_calt(['next', 'coming', 'following'])})?\s*{hedge}(?:{num}\s+)?{unit}"
                ),
                None,
                _h_within,
                "by",
            ),
            _Rule(
                "day_word",
                re.compile(rf"(?P<dw>{_calt(self.day_words)})\b"),
                prefix(p_prep),
                _h_day_word,
                None,
            ),
            _Rule(
                "weekday",
                re.compile(rf"(?P<wd>{wd_alt})(?![\-‐])\b"),
                prefix(p_prep, ("adv", _ralt(["later on", "earlier on"]), ws), p_rel),
                _h_weekday,
                None,
            ),
            _Rule(
                "weekend",
                re.compile(rf"(?:{_calt(['weekend', 'week-end', 'week end'])})\b"),
                prefix(p_prep, ("rel", _ralt([*self.relative, "past", "the"]), ws)),
                _h_weekend,
                None,
            ),
            _Rule(
                "numeric_date",  # "10/31/1974", "3/3/15", "10.31.1974", "31/10/1974"
                re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\d/.\-]\d|\d)"),
                prefix(p_prep),
                _h_numeric_date,
                None,
                re.compile(r"\d[/.\-]\d"),
            ),
            _Rule(
                "numeric_month",  # "2015-3-3", "2014/10", "2015-3", "2/2013", "12-2015"
                re.compile(
                    r"(?P<y>(?:19|20)\d{2})(?P<sep>[/\-])(?P<m>\d{1,2})(?:(?P=sep)(?P<d>\d{1,2}))?(?![\d/\-])"
                    r"|(?P<m2>\d{1,2})[/\-](?P<y2>(?:19|20)\d{2})(?![\d/\-])"
                ),
                prefix(p_prep),
                _h_numeric_month,
                None,
                re.compile(r"\d[/\-]\d"),
            ),
            _Rule(
                "named_month_date",  # "05-Aug-2016", "31/Oct/74", "2019/Aug/01", "Dec-2018", "Dec/2018"
                re.compile(
                    rf"(?P<d>\d{{1,2}})[/\-](?P<month>{month_alt})[/\-](?P<y>\d{{4}}|\d{{2}})(?![\d/\-])"
                    rf"|(?P<y2>(?:19|20)\d{{2}})[/\-](?P<month2>{month_alt})[/\-](?P<d2>\d{{1,2}})(?![\d/\-])"
                    rf"|(?P<month3>{month_alt})[/\-](?P<y3>(?:19|20)\d{{2}})(?![\d/\-])"
                ),
                prefix(p_prep),
                _h_named_month_date,
                None,
                re.compile(r"\d[/\-][A-Za-z]|[A-Za-z][/\-]\d"),
            ),
            _Rule(
                "offset",  # "three weeks from now", "two days hence", "2 days after today", "two days before yesterday"
                re.compile(rf"(?P<anchor>{_calt(self.anchors)})\b"),
                prefix(("n", rf"\d+|{_ralt(self.numbers)}", ws), ("unit", _ralt(self.units), ws)),
                _h_offset,
                "at",
                re.compile(rf"(?i)\b(?:{_alt(self.anchors)})\b"),
            ),
            _Rule(
                "later",  # "a day later", "two weeks after that": from the last day the text gave
                re.compile(rf"(?P<anchor>{_calt(list(self.later_anchors))})\b"),
                prefix(("n", rf"\d+|{_ralt(self.numbers)}", ws), ("unit", _ralt(self.units), ws)),
                _h_later,
                "at",
                re.compile(rf"(?i)\b(?:{_alt(list(self.later_anchors))})\b"),
            ),
            _Rule(
                "following_unit",  # "the next day", "the following week": one unit after the last day given
                re.compile(rf"(?:{_calt(self.following)})\s+(?P<unit>{_calt(list(self.units))})\b"),
                prefix(p_the),
                _h_following_unit,
                "at",
                re.compile(rf"(?i)\b(?:{_alt(self.following)})\b"),
            ),
            _Rule(
                "next_n",  # "the upcoming two weeks", "next 3 days", "two upcoming months": the end of that stretch
                re.compile(
                    rf"(?P<next>{_calt(self.forward)})\s+{num}\s+{unit}"
                    rf"|(?P<n2>\d+|{_calt(self.numbers)})\s+(?P<next2>{_calt(self.forward)})\s+"
                    rf"(?P<unit2>{_calt(self.units)})\b"
                ),
                None,
                _h_next_n,
                "by",
                re.compile(rf"(?i)\b(?:{_alt(self.forward)})\b"),
            ),
            _Rule(
                "weekday_of_week",  # "Wednesday of next week", "Tuesday last week", "next week Wednesday"
                re.compile(
                    rf"(?P<wd>{wd_alt})\s+(?:(?i:of|in)\s+)?(?:(?i:the)\s+)?(?P<wrel>{_calt(self.relative)})\s+"
                    rf"(?:{_calt(['week'])})\b"
                    rf"|(?P<wrel2>{_calt(self.relative)})\s+(?:{_calt(['week'])})\s*(?:[-‐–,]\s*|(?i:on)\s+)?"
                    rf"(?P<wd2>{wd_alt})\b"
                ),
                prefix(p_prep),
                _h_weekday_of_week,
                None,
                re.compile(r"(?i)\bweek\b"),
            ),
            _Rule("now_cue", re.compile(rf"(?:{_calt(now['phrases'])})\b(?![\-‐])"), None, _h_now, "now"),
            _Rule(
                "since_event",
                re.compile(
                    rf"(?:{_calt(['since'])})\s+(?:(?:{_alt(since['bare'])})\b|(?:(?:{_alt(since['determiners'])})\s+)?"
                    rf"(?:[\w\-]+\s+){{0,2}}?(?:{_alt(since['heads'])})\b"
                    rf"(?:\s+of\s+(?:(?:{_alt(since['determiners'])})\s+)?(?:[\w\-]+\s+){{0,2}}?"
                    rf"(?:{_alt(since['heads'])})\b)?(?:\s+(?:{_alt(since['verbs'])})\b)?)"
                ),
                None,
                _h_since_event,
                "since",
            ),
        ]
        self.not_now_before = re.compile(rf"(?:\b(?:{_alt(now['not_now_before'])})\s+)$", rflags)
        self.since_clause = re.compile(rf"\bsince\b[^.;:!?]{{0,100}}?\b(?:{_alt(since['verbs'])})\s+$", rflags)
        future = data["future_cues"]["words"]
        self.future = re.compile(
            "(?:"
            + "|".join(
                (r"\b" if w[0].isalnum() else "") + _phrase(w) + r"\b"
                for w in sorted(future, key=lambda w: (-len(w), w))
            )
            + r")(?!\s+(?:not\s+)?have\b)",
            rflags,
        )
        self.sentence_break = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“‘(]*[A-Z])|\n\s*\n")
        self.date_prefix = re.compile(
            rf"^[\s,]*(?:(?:{wd_alt}|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?,?)?\s*$", rflags
        )
        self.date_suffix = re.compile(
            r"^[\s,]*(?:(?:at\s+)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?\s*"
            r"(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2}|Z|GMT[+-]?\d*)?)?\s*$",
            rflags,
        )

    def month_of(self, token: str) -> int:
        t = token.lower().rstrip(".")
        return self.months.get(t) or self.abbrevs[t]


def month_numbers() -> dict[str, int]:
    """Month names and abbreviations (lower case) -> month number, from dates.toml."""
    lex = _lexicon()
    return {**lex.months, **lex.abbrevs}


def weekday_names() -> list[str]:
    """Weekday names (lower case), from dates.toml."""
    return list(_lexicon().weekdays)


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    raw = (resources.files("crosscount") / "data" / "dates.toml").read_text(encoding="utf-8")
    return _Lexicon(tomllib.loads(raw))


# --------------------------------------------------------------------------- date arithmetic


def _fmt(year: int, month: int | None = None, day: int | None = None) -> str:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _fmt_date(d: dt.date, precision: int) -> str:
    return _fmt(d.year, d.month if precision >= 2 else None, d.day if precision >= 3 else None)


def _anchor(ref: RefDate) -> dt.date:
    """A concrete day standing for the reference: mid-month / mid-year when it is coarser."""
    return dt.date(ref.year, ref.month or 7, ref.day or (15 if ref.month else 1))


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


class OutOfRange(ValueError):
    """A computed date outside the years a news text can mean ("3000 years ago"): not a date."""


def _in_range(year: int) -> int:
    lo, hi = _lexicon().year_range
    if not lo <= year <= hi:
        raise OutOfRange(f"year {year} is outside {lo}-{hi}")
    return year


def _shift(ref: RefDate, precision: int, *, days: int = 0, months: int = 0, years: int = 0) -> str | None:
    """The reference moved by an offset, at `precision` (capped by what the reference knows).

    Raises OutOfRange when the result falls outside the sane range of years (dates.toml)."""
    if ref.month is None and (days or months or precision > 1):
        return None if (days or months) else _fmt(_in_range(ref.year + years))
    lo, hi = _lexicon().year_range
    if abs(days) > (hi - lo + 1) * 366 or abs(months) > (hi - lo + 1) * 12 or abs(years) > hi - lo + 1:
        raise OutOfRange(f"an offset of {years} years, {months} months, {days} days")
    base = _anchor(ref)
    y, m = _add_months(_in_range(base.year + years), base.month, months)
    _in_range(y)
    try:
        d = dt.date(y, m, min(base.day, calendar.monthrange(y, m)[1])) + dt.timedelta(days=days)
    except (OverflowError, ValueError) as exc:
        raise OutOfRange(str(exc)) from exc
    _in_range(d.year)
    return _fmt_date(d, min(precision, ref.precision))


def _valid_day(year: int | None, month: int, day: int) -> bool:
    return 1 <= day <= calendar.monthrange(year if year is not None else 2024, month)[1]


def _year_for(month: int, day: int | None, ref: RefDate, *, future: bool) -> int:
    """The year that puts month/day on or before the reference (on or after it, for a target)."""
    if ref.month is None:
        return ref.year
    here = (ref.month, ref.day if ref.day is not None and day is not None else 0)
    there = (month, day if day is not None and ref.day is not None else 0)
    if future:
        return ref.year if there >= here else ref.year + 1
    return ref.year if there <= here else ref.year - 1


# --------------------------------------------------------------------------- handlers


@dataclass(slots=True)
class _Ctx:
    lex: _Lexicon
    text: str
    ref: RefDate | None
    role: str  # the role of the current match (from its preposition or its rule)
    previous: RefDate | None = None  # the last day the text gave before this sentence ("a day later")


def _mod_kind(lex: _Lexicon, m: _M) -> str | None:
    mod = m.group("mod")
    return lex.mod_kind.get(_norm(mod)) if mod else None


def _h_iso(c: _Ctx, m: _M) -> Any:
    y, mo, d = int(m.req("y")), int(m.req("m")), int(m.req("d"))
    if not 1 <= mo <= 12 or not _valid_day(y, mo, d):
        return _REJECT
    return _fmt(y, mo, d)


def _h_full_date(c: _Ctx, m: _M) -> Any:
    if m.group("month"):
        tok, day_s, year_s = m.req("month"), m.req("day"), m.group("year")
    else:
        tok, day_s, year_s = m.req("month2"), m.req("day2"), m.group("year2")
    wd = m.group("wd")
    if wd and not wd[0].isupper():
        return _REJECT
    month, day = c.lex.month_of(tok), int(day_s)
    year = int(year_s) if year_s else None
    if not _valid_day(year, month, day):
        return _REJECT
    if year is not None:
        return _fmt(year, month, day)
    if c.ref is None:
        return None
    y = _year_for(month, day, c.ref, future=_ahead(c, m))
    if not _valid_day(y, month, day):  # 29 February in a common year
        return None
    return _fmt(y, month, day)


def _ahead(c: _Ctx, m: _M) -> bool:
    """A date without a year lies ahead of the reference when it is a target ("by March 4") or its
    sentence speaks of the future ("will deploy on November 1"); else it is the latest one before."""
    return c.role == "by" or _future_before(c.lex, c.text, m.start())


def _h_month(c: _Ctx, m: _M) -> Any:
    tok = m.req("month")
    month, year_s, rel = c.lex.month_of(tok), m.group("year"), m.group("rel")
    yrel = m.group("yrel")
    if (
        not year_s
        and not yrel
        and not m.group("first")
        and tok.lower() in c.lex.ambiguous
        and not (m.group("prep") or m.group("mod") or rel)
    ):
        return _REJECT
    if year_s:
        return _fmt(int(year_s), month)
    ref = c.ref
    if ref is None:
        return None
    if yrel:  # "October last year", "in February of next year"
        return _fmt(ref.year + c.lex.relative[_norm(yrel)], month)
    if ref.month is None:
        return _fmt(ref.year, month)
    if rel:
        r = c.lex.relative[_norm(rel)]
        if r == 0:
            return _fmt(ref.year, month)
        if r < 0:
            return _fmt(ref.year if month < ref.month else ref.year - 1, month)
        return _fmt(ref.year if month > ref.month else ref.year + 1, month)
    return _fmt(_year_for(month, None, ref, future=_ahead(c, m)), month)


def _h_year(c: _Ctx, m: _M) -> Any:
    if not (m.group("prep") or m.group("mod") or m.group("the_year")):
        return _REJECT
    year, kind = int(m.req("year")), _mod_kind(c.lex, m)
    if kind == "end":
        return _fmt(year, 12)
    if kind == "start":
        return _fmt(year, 1)
    return _fmt(year)


def _season_ordinal(year: int, month: int) -> int:
    """Seasons in order: winter (Dec-Feb, named by its January's year), spring, summer, fall."""
    if month == 12:
        return (year + 1) * 4
    return year * 4 + (0 if month <= 2 else (month - 3) // 3 + 1)


def _h_season(c: _Ctx, m: _M) -> Any:
    word = m.req("season").lower()
    year_s, rel, prep = m.group("year"), m.group("rel"), m.group("prep")
    if rel is not None and _norm(rel) == "the":
        rel = None
    after = c.text[m.end() : m.end() + 4].lower()
    if not year_s and after.startswith((" of ", " of\n")):  # "the fall of Bakhmut"
        return _REJECT
    if not (year_s or rel or prep or m.group("mod") or word in c.lex.seasons_bare):
        return _REJECT
    start = c.lex.seasons[word]
    idx = _season_ordinal(2000, start) % 4
    ref = c.ref
    if year_s:
        target = int(year_s) * 4 + idx
    elif ref is None or ref.month is None:
        if ref is not None and rel and c.lex.relative[_norm(rel)] == 0:
            return _fmt(ref.year)
        return None
    else:
        now = _season_ordinal(ref.year, ref.month)
        r = c.lex.relative[_norm(rel)] if rel else None
        if r == 0:
            target = (ref.year + (1 if idx == 0 and ref.month == 12 else 0)) * 4 + idx
        elif r is not None and r < 0:
            target = now - 1 - ((now - 1 - idx) % 4)
        elif (r is not None and r > 0) or c.role == "by":
            first = now + (1 if r else 0)
            target = first + ((idx - first) % 4)
        else:
            target = now - ((now - idx) % 4)
    label = target // 4
    if c.role == "by":  # a target: the month the season starts
        return _fmt(label - 1, 12) if idx == 0 else _fmt(label, start)
    return _fmt(label)


def _h_relative_period(c: _Ctx, m: _M) -> Any:
    rel = m.group("rel")
    kind = _mod_kind(c.lex, m)
    if rel is None and kind in ("start", "end"):
        rel = "the"  # "at the end of year", "end of month"
    if rel is None:
        return _REJECT
    rel_s, unit = _norm(rel), c.lex.period_units[m.req("unit").lower()]
    if rel_s == "the" and not (kind and unit != "week"):  # only "the end of the year/month"
        return _REJECT
    r = 0 if rel_s == "the" else c.lex.relative[rel_s]
    ref = c.ref
    if ref is None:
        return None
    if unit == "year":
        y = ref.year + r
        return _fmt(y, 12) if kind == "end" else _fmt(y, 1) if kind == "start" else _fmt(y)
    if unit == "month":
        if ref.month is None:
            return _fmt(ref.year) if r == 0 else None
        return _fmt(*_add_months(ref.year, ref.month, r))
    # a week is reported at the month it falls in
    return _shift(ref, 2, days=7 * r) if ref.day is not None else _shift(ref, 2)


def _h_year_end(c: _Ctx, m: _M) -> Any:
    if c.ref is None:
        return None
    rel = m.group("rel")
    return _fmt(c.ref.year + (c.lex.relative[_norm(rel)] if rel else 0), 12)


def _number(lex: _Lexicon, s: str | None) -> int:
    if not s:
        return 1
    return int(s) if s.isdigit() else lex.numbers[_norm(s)]


def _offset(ref: RefDate, unit: str, n: int) -> str | None:
    """The reference moved by n units (negative: back), at the precision such a shift carries."""
    if unit == "day":
        return _shift(ref, 3, days=n)
    if unit == "week":
        return _shift(ref, 2, days=7 * n)
    if unit == "fortnight":
        return _shift(ref, 2, days=14 * n)
    if unit == "month":
        return _shift(ref, 2, months=n)
    return _shift(ref, 1, years=n)


def _h_ago(c: _Ctx, m: _M) -> Any:
    unit = m.group("unit")
    if unit is None:  # "ago" with no duration before it
        return _REJECT
    if c.ref is None:
        return None
    return _offset(c.ref, c.lex.units[unit.lower()], -_number(c.lex, m.group("n")))


def _now_value(ref: RefDate | None) -> str | None:
    return None if ref is None else _fmt(ref.year, ref.month)


def _h_recent_period(c: _Ctx, m: _M) -> Any:
    # "(over) the past/last [N] days", or "over past N days"; a bare "last week" is a point
    if not m.group("the") and not (m.group("prep") and m.group("n") and m.req("pl").lower() == "past"):
        return _REJECT
    return _now_value(c.ref)


def _h_within(c: _Ctx, m: _M) -> Any:
    prep, nxt, n_s = m.req("prep").lower(), m.group("next"), m.group("n")
    after = c.text[m.end() : m.end() + 12].lower()
    if after.startswith((" of ", " ago", " since", " after", " before", " earlier", " later")):
        return _REJECT
    before = c.text[max(0, m.start() - 12) : m.start()].lower()
    if (n_s is None and not nxt) or "past" in before.split()[-1:]:
        return _REJECT
    # "in (roughly) 12 weeks" is a horizon only in a sentence about the future; else a duration
    if not (prep == "within" or nxt or _future_before(c.lex, c.text, m.start())):
        return _REJECT
    if c.ref is None:
        return None
    return _offset(c.ref, c.lex.units[m.req("unit").lower()], _number(c.lex, n_s))


def _full_year(c: _Ctx, y: str) -> int:
    """A year as written: "1974", or two digits read as the nearest past century's ("74" -> 1974)."""
    if len(y) == 4:
        return int(y)
    now = c.ref.year if c.ref is not None else dt.date.today().year
    year = 2000 + int(y)
    return year if year <= now + c.lex.two_digit_window else year - 100


def _checked(year: int, month: int, day: int | None) -> Any:
    if not 1 <= month <= 12 or (day is not None and not _valid_day(year, month, day)):
        return _REJECT
    _in_range(year)
    return _fmt(year, month, day)


def _h_numeric_date(c: _Ctx, m: _M) -> Any:
    a, b, y_s = int(m.req("a")), int(m.req("b")), m.req("y")
    if m.req("sep") != "/" and len(y_s) == 2 and m.req("sep") == ".":
        return _REJECT  # "1.2.15": a version or a score more often than a date
    year = _full_year(c, y_s)
    month, day = (b, a) if a > 12 else (a, b)  # month first unless the first cannot be a month
    return _checked(year, month, day)


def _h_numeric_month(c: _Ctx, m: _M) -> Any:
    if m.group("y2"):
        return _checked(int(m.req("y2")), int(m.req("m2")), None)
    y, mo, d = int(m.req("y")), m.req("m"), m.group("d")
    if d is None and m.req("sep") == "-" and len(mo) == 2 and not mo.startswith("0"):
        return _REJECT  # "2010-12", "2024-25": a span of years
    return _checked(y, int(mo), int(d) if d else None)


def _h_named_month_date(c: _Ctx, m: _M) -> Any:
    if m.group("month"):
        return _checked(_full_year(c, m.req("y")), c.lex.month_of(m.req("month")), int(m.req("d")))
    if m.group("month2"):
        return _checked(int(m.req("y2")), c.lex.month_of(m.req("month2")), int(m.req("d2")))
    return _checked(int(m.req("y3")), c.lex.month_of(m.req("month3")), None)


def _h_offset(c: _Ctx, m: _M) -> Any:
    unit = m.group("unit")
    if unit is None or c.ref is None:
        return _REJECT if unit is None else None
    base, sign = c.lex.anchors[_norm(m.req("anchor"))]
    start = RefDate.from_iso(_shift(c.ref, 3, days=base) or c.ref.iso()) if base else c.ref
    return _offset(start, c.lex.units[unit.lower()], sign * _number(c.lex, m.group("n")))


def _h_later(c: _Ctx, m: _M) -> Any:
    unit = m.group("unit")
    if unit is None:  # "later" alone: no date
        return _REJECT
    base = c.previous if c.previous is not None and c.previous.day is not None else c.ref
    if base is None:
        return None
    sign = c.lex.later_anchors[_norm(m.req("anchor"))]
    return _offset(base, c.lex.units[unit.lower()], sign * _number(c.lex, m.group("n")))


def _h_following_unit(c: _Ctx, m: _M) -> Any:
    if m.group("the") is None:
        return _REJECT  # "next week" is the reference's, read by other rules
    if c.previous is None or c.previous.day is None:
        return _REJECT  # no day given before: the reference's rules read it ("the next week")
    return _offset(c.previous, c.lex.units[m.req("unit").lower()], 1)


def _h_next_n(c: _Ctx, m: _M) -> Any:
    if c.ref is None:
        return None
    n_s, unit = (m.group("n"), m.group("unit")) if m.group("next") else (m.group("n2"), m.group("unit2"))
    return _offset(c.ref, c.lex.units[(unit or "").lower()], _number(c.lex, n_s))


def _h_weekday_of_week(c: _Ctx, m: _M) -> Any:
    wd_s, rel = (m.req("wd"), m.req("wrel")) if m.group("wd") else (m.req("wd2"), m.req("wrel2"))
    ref = c.ref
    if ref is None or ref.month is None:
        return None
    if ref.day is None:
        return _fmt(ref.year, ref.month)
    today = dt.date(ref.year, ref.month, ref.day)
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7 * c.lex.relative[_norm(rel)])
    return _fmt_date(monday + dt.timedelta(days=c.lex.weekdays[wd_s.lower()]), 3)


def _h_day_word(c: _Ctx, m: _M) -> Any:
    if c.ref is None:
        return None
    return _shift(c.ref, 3, days=c.lex.day_words[_norm(m.req("dw"))])


def _h_weekday(c: _Ctx, m: _M) -> Any:
    wd_s = m.req("wd")
    ref = c.ref
    if ref is None or ref.month is None:
        return None
    if ref.day is None:
        return _fmt(ref.year, ref.month)
    wd = c.lex.weekdays[wd_s.lower()]
    today = dt.date(ref.year, ref.month, ref.day)
    rel = m.group("rel")
    r = c.lex.relative[_norm(rel)] if rel else None
    if r == 0:  # "this Monday": the Monday of the reference's week
        d = today + dt.timedelta(days=wd - today.weekday())
    elif r is not None and _norm(rel or "") in c.lex.week_relative:  # "next Friday": Friday of next week
        d = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7 * r + wd)
    elif (r is not None and r > 0) or c.role == "by":
        ahead = (wd - today.weekday()) % 7
        d = today + dt.timedelta(days=ahead or (7 if r else 0))
    else:
        back = (today.weekday() - wd) % 7
        d = today - dt.timedelta(days=back or (7 if r else 0))
    return _fmt_date(d, 3)


def _h_weekend(c: _Ctx, m: _M) -> Any:
    ref = c.ref
    rel = _norm(m.group("rel") or "")
    if not rel:
        return _REJECT
    if ref is None or ref.month is None:
        return None
    if ref.day is None:
        return _fmt(ref.year, ref.month)
    today = dt.date(ref.year, ref.month, ref.day)
    if rel in ("next", "coming", "this coming") or (rel == "this" and today.weekday() < 5):
        d = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    elif rel == "this":  # on the weekend itself: its Saturday
        d = today - dt.timedelta(days=today.weekday() - 5)
    else:  # the most recent weekend before the reference: its Saturday
        d = today - dt.timedelta(days=1)
        d -= dt.timedelta(days=(d.weekday() - 5) % 7)
    return _fmt_date(d, 3)


def _h_now(c: _Ctx, m: _M) -> Any:
    if c.lex.not_now_before.search(c.text, max(0, m.start() - 12), m.start()):
        return _REJECT
    return _now_value(c.ref)


def _h_since_event(c: _Ctx, m: _M) -> Any:
    return None


def _future_before(lex: _Lexicon, text: str, pos: int) -> bool:
    """Whether a future/modal cue stands earlier in the sentence that ends at `pos`."""
    lo = max(0, pos - 250)
    start = lo
    for b in lex.sentence_break.finditer(text, lo, min(len(text), pos + 2)):  # its lookahead needs the next letter
        if b.end() <= pos:
            start = b.end()
    return lex.future.search(text, start, pos) is not None


# --------------------------------------------------------------------------- public API


# A short, unpunctuated "since ..." right before a date makes the date a period start.
_SINCE_NEAR = re.compile(r"\bsince\b[^,.;]{0,40}$", re.IGNORECASE)


def find_time_mentions(text: str, ref: RefDate | None, previous: RefDate | None = None) -> list[TimeMention]:
    """Every time expression in `text`, in text order, resolved against `ref` (None: unknown); "a day
    later" against `previous`, the last day the text gave before."""
    lex = _lexicon()
    found: list[tuple[int, int, int, str, str, str | None]] = []
    for prio, rule in enumerate(lex.rules):
        if rule.gate is not None and rule.gate.search(text) is None:
            continue
        for cm in rule.core.finditer(text):
            start, end = cm.start(), cm.end()
            if start > 0 and (text[start - 1].isalnum() or (text[start - 1] in "_,." and cm[0][0].isdigit())):
                continue  # inside a word or number ("Remarch", "A2024", "3,800 May")
            groups = cm.groupdict()
            if rule.prefix is not None:
                lo = max(0, start - _PREFIX_WINDOW)
                pm = rule.prefix.match(text[lo:start][::-1])
                if pm is not None and pm.end():
                    for k, v in pm.groupdict().items():
                        if v is not None:
                            groups[k] = v[::-1]
                    start -= pm.end()
            m = _M(groups, start, end)
            prep = groups.get("prep")
            role = rule.role or (lex.prep_role.get(_norm(prep), "at") if prep else "at")
            if role == "at" and (
                (prep and _norm(prep) in ("in", "on") and lex.since_clause.search(text, max(0, start - 120), start))
                or _SINCE_NEAR.search(text, max(0, start - 45), start)
            ):
                # "since the war began in February 2022", "since the first clash in early December"
                role = "since"
            try:
                value = rule.handler(_Ctx(lex, text, ref, role, previous), m)
            except OutOfRange:  # "3000 years ago": outside any date a news text means
                continue
            if value is _REJECT:
                continue
            found.append((start, end, prio, rule.name, role, value))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0], f[2]))
    taken: list[tuple[int, int]] = []
    out: list[TimeMention] = []
    for start, end, _prio, name, role, value in found:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        out.append(TimeMention(start, end, text[start:end], role, value, name))
    out.sort(key=lambda t: t.start)
    return out


def parse_published(value: str) -> RefDate | None:
    """A published date as metadata writes it; None when it does not parse (the caller reports it).

    Accepts "2025-01-22", "2025-01", "2025", ISO datetimes ("2025-01-22T10:00:00Z"),
    "2025/01/22", "January 22, 2025", "Jan. 22, 2025", "22 Jan 2025", "Wed, 22 Jan 2025 10:00:00 +0000",
    "January 2025".
    """
    s = value.strip()
    iso = re.fullmatch(
        r"((?:19|20)\d{2})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?"
        r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?",
        s,
    )
    try:
        if iso:
            y, mo, d = iso.group(1), iso.group(2), iso.group(3)
            return RefDate(int(y), int(mo) if mo else None, int(d) if d else None)
        lex = _lexicon()
        for t in find_time_mentions(s, None):
            if t.value is None or t.rule not in ("full_date", "month"):
                continue
            if lex.date_prefix.match(s[: t.start]) and lex.date_suffix.match(s[t.end :]):
                return RefDate.from_iso(t.value)
    except ValueError:
        return None
    return None


# a date in a URL's path, as news sites write it: /2024/07/ or /2024/07/28/
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])(?:/(0[1-9]|[12]\d|3[01]))?(?=/|$)")


def url_date(url: str | None) -> str | None:
    """The publication date (or month) a page's URL gives in its path, else None."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]*", "", url.split("?", 1)[0].split("#", 1)[0])
    m = _URL_DATE.search(path)
    if m is None:
        return None
    return "-".join(g for g in m.groups() if g)


def infer_reference(text: str) -> RefDate | None:
    """Estimate "now" for an undated document from the explicit dates with a year in its text.

    The latest such date that is not a target ("by mid-April 2025", a forecast), at month
    precision (day None); None when the text has no year-bearing date.
    """
    lex = _lexicon()
    best: tuple[int, int] | None = None
    for t in find_time_mentions(text, None):
        if t.value is None or t.role not in ("at", "since"):
            continue
        if _future_before(lex, text, t.start):
            continue
        parts = [int(p) for p in t.value.split("-")]
        key = (parts[0], parts[1] if len(parts) > 1 else 0)
        if best is None or key > best:
            best = key
    if best is None:
        return None
    return RefDate(best[0], best[1] or None)


def pick_as_of(
    mentions: Sequence[TimeMention], *, projection: bool = False, near: int | None = None
) -> TimeMention | None:
    """The mention that dates a figure: a target for a projection, else a point, else a now cue.

    Period starts ("since ...") never date a figure. With `near` (the figure's offset), the
    closest candidate of the preferred role wins; otherwise the first.
    """
    order = ("by", "at", "now") if projection else ("at", "now")
    for role in order:
        cands = [t for t in mentions if t.role == role and t.value is not None]
        if cands:
            if near is None:
                return cands[0]
            return min(cands, key=lambda t: min(abs(t.start - near), abs(t.end - near)))
    return None
