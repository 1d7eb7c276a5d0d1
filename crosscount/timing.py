"""The extractor's time component: when a figure holds (as_of) and what window it counts over.

`dates.py` finds time expressions and resolves them; this module decides, for one figure, which of
its sentence's expressions dates it, and carries dates across sentences (the discourse state):

- a date in the figure's own clause dates it, unless that date belongs to something else: a
  relative clause ("the quake that struck on Friday"), a second participle ("protests sparked by
  the death ... in mid-September"), a date used as a modifier ("the Feb. 6 quake");
- the date of the reporting act ("the ministry said on Monday", "according to a report issued on
  Saturday") dates a figure that has none of its own, and carries to the later sentences of that
  statement ("..., it said");
- a "now" cue ("so far", "to date", "latest") holds at the statement's date when the sentence gives
  one, else at the published date;
- period starts ("since early December", "from July") are never the as-of: they open the window.

Every decision carries its rule name. The words live in ``data/dates.toml`` ([as_of], [windows]).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from crosscount import dates as dates_mod
from crosscount.dates import RefDate, TimeMention
from crosscount.lexicon import Lexicon
from crosscount.segment import Sentence

WINDOW_KINDS: tuple[str, ...] = ("cumulative", "period", "incident")


@dataclass(frozen=True, slots=True)
class FigureTime:
    """What the time component needs to know about one figure."""

    start: int  # absolute offsets of the figure
    end: int
    projection: bool = False  # a forecast: dated by its target
    base_reference: bool = False  # "among the 11,000-strong contingent": a base, not a count
    recent: bool = False  # its source is described as new / latest
    attributed: bool = False  # a source other than the outlet asserts it
    continues: bool = False  # its source is a pronoun ("..., it said"): the statement goes on
    rate: bool = False  # a count per day: it averages over a period, so a "now" cue dates its month


@dataclass(frozen=True, slots=True)
class TimeDecision:
    as_of: str | None
    rule: str  # "" when nothing dated the figure
    window_kind: str | None = None
    window_start: str | None = None
    window_end: str | None = None
    window_rule: str = ""


@dataclass(slots=True)
class TimeState:
    """The document's time discourse: its reference date, paragraph frames, the open statement."""

    ref: RefDate | None
    paragraph_frame: dict[int, TimeMention] = field(default_factory=dict)
    statement: tuple[int, str] | None = None  # (sentence index, date) of the last dated statement
    last_day: RefDate | None = None  # the last day-precise date the text gave ("a day later" counts from it)


@dataclass(slots=True)
class SentenceTime:
    """One sentence's time expressions (absolute offsets) and which ones date a reporting act."""

    sentence: Sentence
    text: str  # the whole document
    mentions: list[TimeMention]
    report: list[TimeMention]
    decisions: list[tuple[FigureTime, TimeDecision]] = field(default_factory=list)


def _words(values: Iterable[str]) -> str:
    return "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in sorted(set(values), key=lambda w: -len(w)))


class _Vocabulary:
    def __init__(self, data: dict[str, Any]) -> None:
        a = data["as_of"]
        self.relative = re.compile(rf"\b(?:{_words(a['relative_markers'])})\b", re.IGNORECASE)
        self.aux = frozenset(w.lower() for w in a["auxiliaries"])
        self.participle_preps = frozenset(w.lower() for w in a["participle_prepositions"])
        self.irregular = frozenset(w.lower() for w in a["irregular_participles"])
        self.determiners = re.compile(rf"\b(?:{_words(a['determiners'])})\s+$", re.IGNORECASE)
        self.count_nouns = frozenset(w.lower() for w in a["count_nouns"])
        self.range_joiners = re.compile(rf"^\s*(?:{_words(a['range_joiners'])})\s*$", re.IGNORECASE)
        self.range_openers = re.compile(rf"\b(?:{_words(a['range_openers'])})\s+(?:the\s+)?$", re.IGNORECASE)
        self.range_openers_inside = re.compile(rf"(?:{_words(a['range_openers'])})\b", re.IGNORECASE)
        self.subordinators = re.compile(rf"\b(?:{_words(a['subordinators'])})\b", re.IGNORECASE)
        self.not_verbs = frozenset(w.lower() for w in a["not_verbs"])
        self.complement = re.compile(rf"\b(?:{_words(a['complementizers'])})\b", re.IGNORECASE)
        self.statement_nouns = re.compile(rf"\b(?:{_words(a['statement_nouns'])})\b", re.IGNORECASE)
        self.report_reach = int(a["report_reach"])
        self.carry_sentences = int(a["carry_sentences"])
        w = data["windows"]
        self.period_preps = re.compile(rf"(?:{_words(w['period_prepositions'])})\b", re.IGNORECASE)
        self.window_cues: list[tuple[str, re.Pattern[str]]] = [
            (kind, re.compile(rf"(?<![\w-])(?:{_words(w[kind])})(?![\w-])", re.IGNORECASE)) for kind in WINDOW_KINDS
        ]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    raw = (resources.files("crosscount") / "data" / "dates.toml").read_text(encoding="utf-8")
    return _Vocabulary(tomllib.loads(raw))


_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_CLOCK = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?|GMT|UTC)|\b\d{1,2}[:.]\d{2}\b", re.IGNORECASE)


def _now(ref: RefDate | None) -> str | None:
    """The published date as precisely as it is known."""
    return None if ref is None else ref.iso()


class Timing:
    """The time component: one per extractor (it caches its vocabulary)."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.voc = _vocabulary()

    # ------------------------------------------------------------------ document
    @staticmethod
    def reference(text: str, published: str | None, url: str | None = None) -> RefDate | None:
        """The document's "now": its published date, else the date (or month) its URL's path gives,
        else one its own explicit dates agree on."""
        for given in (published, dates_mod.url_date(url)):
            ref = dates_mod.parse_published(given) if given else None
            if ref is not None:
                return ref
        return corroborated_reference(text)

    @staticmethod
    def open_document(ref: RefDate | None) -> TimeState:
        return TimeState(ref)

    # ------------------------------------------------------------------ sentence
    def sentence(self, sent: Sentence, text: str, state: TimeState, header_end: int = 0) -> SentenceTime:
        """The sentence's time expressions, resolved against the reference, in document offsets."""
        mentions = [
            TimeMention(t.start + sent.start, t.end + sent.start, t.text, t.role, t.value, t.rule)
            for t in dates_mod.find_time_mentions(sent.text, state.ref, state.last_day)
            if t.start + sent.start >= header_end
        ]
        days = [t for t in mentions if t.role == "at" and t.value is not None and len(t.value) == 10]
        if days:
            state.last_day = RefDate.from_iso(days[-1].value or "")
        mentions = self._periods(text, mentions)
        return SentenceTime(sent, text, mentions, self._report_dates(sent, text, mentions))

    def _periods(self, text: str, mentions: list[TimeMention]) -> list[TimeMention]:
        """ "between July and October", "from July 16 to Aug. 4": the first opens a period, the second ends it."""
        out = list(mentions)
        for i in range(len(out) - 1):
            a, b = out[i], out[i + 1]
            if a.role not in ("at", "since") or b.role not in ("at", "by"):
                continue
            if not self.voc.range_joiners.match(text[a.end : b.start]):
                continue
            if not (
                self.voc.range_openers.search(text[max(0, a.start - 20) : a.start])
                or self.voc.range_openers_inside.match(a.text)
            ):
                continue
            out[i] = TimeMention(a.start, a.end, a.text, "since", a.value, a.rule + "+period_start")
            out[i + 1] = TimeMention(b.start, b.end, b.text, "at", b.value, b.rule + "+period_end")
        return out

    def _report_dates(self, sent: Sentence, text: str, mentions: list[TimeMention]) -> list[TimeMention]:
        """Mentions that date a reporting act: after a reporting verb or "according to", before any
        figure or complement clause ("said on Monday that ...", ", officials said Monday.")."""
        if not mentions:
            return []
        anchors = [m.end() + sent.start for m in self.lex.report_verb_pattern.finditer(sent.text)]
        anchors += [m.end() + sent.start for m in self.voc.statement_nouns.finditer(sent.text)]
        found: list[TimeMention] = []
        for t in mentions:
            if t.role != "at" or t.value is None:
                continue
            for a in anchors:
                if not (a <= t.start <= a + self.voc.report_reach):
                    continue
                between = _CLOCK.sub("", text[a : t.start])
                if re.search(r"\d", between) or self.voc.complement.search(between) or re.search(r"[;:“”\"]", between):
                    continue
                found.append(t)
                break
        return found

    # ------------------------------------------------------------------ figure
    def decide(
        self,
        fig: FigureTime,
        st: SentenceTime,
        state: TimeState,
        prior_starts: Sequence[int],
        figure_starts: Sequence[int],
    ) -> TimeDecision:
        as_of, rule = self._as_of(fig, st, state, prior_starts, figure_starts)
        kind, start, end, wrule = self._window(fig, st, as_of)
        decision = TimeDecision(as_of, rule, kind, start, end, wrule)
        st.decisions.append((fig, decision))
        return decision

    def _embedded(self, t: TimeMention, fig: FigureTime, st: SentenceTime, *, relative_only: bool = False) -> bool:
        """Whether a date belongs to something other than the figure's own predicate (with
        `relative_only`, only a relative clause counts: a reporting date's own participles do not)."""
        text, sent = st.text, st.sentence
        after = text[t.end : t.end + 30]
        # "the Feb. 6 quake", "Tuesday's fire": a date used as a modifier of an event noun
        nxt = _WORD.match(after.lstrip(" -‐–"))
        if after.startswith(("'s", "’s")):
            noun = _WORD.match(after[2:].lstrip())
            if not (noun and noun.group(0).lower() in self.voc.count_nouns) and not t.end <= fig.start <= t.end + 12:
                return True
        elif (
            nxt
            and t.rule.startswith(("full_date", "weekday", "month"))
            and not t.text[:1].islower()
            and nxt.group(0)[:1].islower()
            and self.voc.determiners.search(text[max(sent.start, t.start - 12) : t.start])
            and nxt.group(0).lower() not in self.voc.count_nouns
            and not (t.end <= fig.start <= t.end + 3)
        ):
            return True
        if t.start >= fig.end:
            between = text[fig.end : t.start]
            words = [w.group(0).lower() for w in _WORD.finditer(between)]
            # a relative clause that is not the figure's own ("... in the quake that struck on Friday")
            for m in self.voc.relative.finditer(between):
                idx = len(_WORD.findall(between[: m.start()]))
                before = words[idx - 1] if idx else ""
                tail = between[m.end() :]
                comma = tail.rfind(",")
                if comma >= 0 and any(w.lower() in self.lex.report_verbs for w in _WORD.findall(tail[comma:])):
                    continue  # "on the boat that capsized, the minister said on Friday": the clause ended
                if idx >= 3 and before not in self.lex.report_verbs:
                    return True
            if relative_only:
                return False
            # a subordinate clause with its own verb ("missing after a boat capsized off Greece on June 14")
            for m in self.voc.subordinators.finditer(between):
                idx = len(_WORD.findall(between[: m.start()]))
                rest = [w.lower() for w in _WORD.findall(between[m.end() :])]
                if idx >= 3 and any(self._is_participle(w) for w in rest[1:]):
                    return True
            # a second participle: "killed ... during protests sparked by ...", "Kursk seized in ..."
            verbs = 0
            for i, w in enumerate(words):
                if w in self.voc.aux:
                    continue
                if self._is_participle(w) and i + 1 < len(words):
                    second = verbs and words[i + 1] in self.voc.participle_preps
                    if second and (i == 0 or words[i - 1] not in self.voc.aux):
                        return True
                    verbs += 1
            # ", helping to reclaim ... in August": a non-finite clause after a comma
            for m in re.finditer(r",\s+(\w+ing)\b", between):
                if m.group(1).lower() not in self.voc.not_verbs:
                    return True
        else:
            # the date stands inside a relative clause that ends before the figure ("The quake that
            # struck on Friday killed 300")
            lo = max(sent.start, max((s for s in st_prior_figures(st, t.start)), default=sent.start))
            before = text[lo : t.start]
            rel = list(self.voc.relative.finditer(before))
            if rel:
                m = rel[-1]
                prev = _WORD.findall(before[: m.start()])
                if prev and prev[-1].lower() not in self.lex.report_verbs and prev[-1][:1].islower():
                    gap = text[t.end : fig.start]
                    if _WORD.search(gap) and not re.search(r"[,;]\s*$", text[lo : m.start()]):
                        return True
        return False

    def _is_participle(self, word: str) -> bool:
        return (word.endswith("ed") and word not in self.voc.not_verbs) or word in self.voc.irregular

    def _as_of(
        self,
        fig: FigureTime,
        st: SentenceTime,
        state: TimeState,
        prior_starts: Sequence[int],
        figure_starts: Sequence[int],
    ) -> tuple[str | None, str]:
        if fig.base_reference:
            return None, ""  # a base, not a new count
        sent = st.sentence
        usable = [t for t in st.mentions if t.role != "since" and t.value is not None]
        if fig.projection:
            by = [t for t in usable if t.role == "by" and sent.clause_of(t.start) == sent.clause_of(fig.start)]
            by = by or [t for t in usable if t.role == "by"]
            if by:
                return by[0].value, "by_target"
        clause = sent.clause_of(fig.start)
        report = [t for t in st.report if t.value is not None and not self._embedded(t, fig, st, relative_only=True)]
        own = [t for t in usable if t not in report and not self._embedded(t, fig, st)]
        if not any(t.role in ("at", "now") for t in own if sent.clause_of(t.start) == clause):
            # "By March 4, 300 had been killed": a cumulative count as of that date
            by_here = [t for t in own if t.role == "by" and sent.clause_of(t.start) == clause and t.start < fig.start]
            if by_here:
                return by_here[-1].value, "by_date_report"
        own = [t for t in own if t.role != "by"]
        stated = self._statement_date(fig, st, own, report, prior_starts)
        same = [t for t in own if sent.clause_of(t.start) == clause]
        if same:
            best = min(same, key=lambda t: abs(t.start - fig.start))
            if best.role == "now" and best.rule == "now_cue":
                if stated is not None:
                    return stated, "clause_now_at_statement"
                return (best.value if fig.rate else _now(state.ref)), "clause_now"
            return best.value, f"clause_{best.role}"
        first_figure = min([*prior_starts, fig.start])
        scene = [
            t
            for t in own
            if t.start < fig.start
            and t.role == "at"
            and (t.start < first_figure or not any(sent.clause_of(t.start) == sent.clause_of(p) for p in prior_starts))
        ]
        if scene:
            return scene[-1].value, "sentence_at"
        if report:
            near = min(report, key=lambda t: abs(t.start - fig.start))
            return near.value, "report_date"
        later = [
            t
            for t in own
            if t.start > fig.end
            and t.role == "at"
            and not any(sent.clause_of(t.start) == sent.clause_of(f) for f in figure_starts)
        ]
        if later:
            return later[0].value, "sentence_at"
        nows = [t for t in own if t.role == "now"]
        if nows:
            if nows[0].rule == "now_cue" and not fig.rate:
                return _now(state.ref), "sentence_now"
            return nows[0].value, "sentence_now"
        if fig.recent and state.ref is not None:
            return _now(state.ref), "recent_report"
        para = state.paragraph_frame.get(sent.paragraph)
        if para is not None and para.value:
            return para.value, "paragraph_frame"
        if fig.continues and state.statement is not None:
            index, value = state.statement
            if 0 < sent.index - index <= self.voc.carry_sentences:
                return value, "statement_carry"
        return None, ""

    def _statement_date(
        self,
        fig: FigureTime,
        st: SentenceTime,
        own: list[TimeMention],
        report: list[TimeMention],
        prior_starts: Sequence[int],
    ) -> str | None:
        """The date the sentence's statement was made: its reporting date, else a scene-setting date."""
        if report:
            return min(report, key=lambda t: abs(t.start - fig.start)).value
        scene = [t for t in own if t.role == "at" and t.start < fig.start]
        return scene[0].value if scene else None

    # ------------------------------------------------------------------ window
    def _window(
        self, fig: FigureTime, st: SentenceTime, as_of: str | None
    ) -> tuple[str | None, str | None, str | None, str]:
        """(kind, start, end, rule): cumulative ("since ...", "total", "so far", "death toll"), a
        period ("in the past 24 hours", "last week", "in January", "between July and October") or
        one incident ("in an overnight strike", "over the weekend"); start and end where known."""
        if fig.base_reference:
            return None, None, None, ""
        sent, text = st.sentence, st.text
        mentions = st.mentions
        for i, t in enumerate(mentions):
            if t.role != "since" or self._embedded(t, fig, st):
                continue
            if "period_start" in t.rule and i + 1 < len(mentions):  # "between July and October"
                return "period", t.value, mentions[i + 1].value, "period_range"
            return "cumulative", t.value, as_of, "since"
        c0, c1 = sent.clause_of(fig.start)
        best: tuple[int, int, str] | None = None  # (distance, priority, kind)
        for priority, (kind, pattern) in enumerate(self.voc.window_cues):
            for m in pattern.finditer(text, c0, c1):
                distance = fig.start - m.end() if m.end() <= fig.start else max(0, m.start() - fig.end)
                if best is None or (distance, priority) < best[:2]:
                    best = (distance, priority, kind)
        for t in mentions:  # "in the past 24 hours", "over the last week": a recent period
            if t.rule == "recent_period" and c0 <= t.start < c1:
                distance = fig.start - t.end if t.end <= fig.start else max(0, t.start - fig.end)
                if best is None or (distance, 1) < best[:2]:
                    best = (distance, 1, "period")
        if best is not None:
            kind = best[2]
            if kind == "cumulative":
                return kind, None, as_of, "cue"
            return kind, as_of if kind == "incident" and as_of and len(as_of) == 10 else None, as_of, "cue"
        dating = next((t for t in mentions if t.value == as_of and t.role == "at"), None) if as_of else None
        if (
            dating is not None
            and as_of is not None
            and len(as_of) < 10
            and self.voc.period_preps.match(dating.text)
            and sent.clause_of(dating.start) == (c0, c1)
            and not self.voc.subordinators.search(text, sent.start, dating.start)
        ):
            return "period", as_of, as_of, "dated_period"  # "in January", "during 2024"
        return None, None, as_of, ""

    # ------------------------------------------------------------------ discourse
    def close_sentence(self, st: SentenceTime, state: TimeState) -> None:
        """Carry what the sentence dated: a sentence-initial date frames its paragraph; a dated
        statement carries to the later sentences that continue it."""
        sent = st.sentence
        first_at = next((t for t in st.mentions if t.role == "at" and t.start - sent.start <= 3), None)
        if first_at is not None:
            state.paragraph_frame[sent.paragraph] = first_at
        elif any(t.role == "at" for t in st.mentions):
            state.paragraph_frame.pop(sent.paragraph, None)
        dated = [
            d.as_of
            for f, d in st.decisions
            if f.attributed and d.as_of and d.rule and d.rule not in ("statement_carry", "paragraph_frame", "by_target")
        ]
        if dated:
            state.statement = (sent.index, dated[-1])
        elif st.report and st.report[-1].value:
            state.statement = (sent.index, st.report[-1].value)
        else:
            ends = [t for t in st.mentions if "period_end" in t.rule and t.value]
            if ends and self.lex.report_verb_pattern.search(sent.text):
                state.statement = (sent.index, ends[-1].value or "")


def st_prior_figures(st: SentenceTime, pos: int) -> list[int]:
    """Ends of the figures decided so far in the sentence that stand before `pos`."""
    return [f.end for f, _ in st.decisions if f.end <= pos]


def corroborated_reference(text: str) -> RefDate | None:
    """An undated text's "now", from its explicit dates, when at least two agree within half a year."""
    ref = dates_mod.infer_reference(text)
    if ref is None:
        return None
    months = []
    for t in dates_mod.find_time_mentions(text, None):
        if t.value and len(t.value) >= 7 and t.role != "by":
            y, m = int(t.value[:4]), int(t.value[5:7])
            months.append(y * 12 + m)
    anchor = ref.year * 12 + (ref.month or 12)
    if sum(1 for m in months if 0 <= anchor - m <= 6) >= 2:
        return ref
    return None


__all__ = [
    "WINDOW_KINDS",
    "FigureTime",
    "SentenceTime",
    "TimeDecision",
    "TimeState",
    "Timing",
    "corroborated_reference",
]
