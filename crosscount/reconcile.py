"""Reconcile claims: statements, variables, timelines, findings and estimates.

The stage runs in five steps, each a named rule whose name is kept on what it produces:

1. ``statement_merge``: claims that are one assertion of one source become one statement. Claims
   merge when they share the story, the canonical source (an unattributed claim is the *own voice*
   of its outlet, never merged across outlets), subject, measure, unit, window and the figure they
   state ("11,300" and "more than 11,300"; a report and a projection of it); one source under
   several names is one (``source_one_name_per_source``; a bare generic name, "police", repeating
   a precise figure is the one named body whose name holds it; a name no reader accepts falls to
   the own voice, ``source_name_rejected``); a repeat that says "people" or leaves its window
   undated joins the one that names the group or dates the window; a rounded repeat joins the
   precise figure it rounds;
   places inside one another are one; a missing or coarser as-of joins the one more precise as-of
   it fits.
2. ``variable_merge``: statements are grouped by story x subject x measure x location x unit. A
   place inside another one present in the same subject x measure (``[places.within]``) is folded
   into it; statements without a location then join the single located variable, if there is one,
   else the one of the story's own place (named by more than half its located statements).
3. ``computed_share_count``: a share of a force ("36%", "a third") also yields a count, against
   the force size known at the time (the same source's precise figure, else the median of the
   precise deployed/strength figures of the subject then), marked computed.
4. Per variable and period: ``conflict_*`` (one finding per period and window, camp by camp; like
   with like by window; "at least N" tolls as N; growth in a story's first days excused; two
   names of one body, or one speaker's figures in one sentence, are not rivals; a count of the
   missing or displaced may fall), ``agreement_within_tolerance``, estimates
   (``estimate_*``), then evolution (cumulative counts only) and revisions over time.
5. Arithmetic checks: ``check_share``, ``check_sum``, ``check_rate`` (from the window's start when
   given), ``check_projection``.

Dates: a statement's date is its as-of; failing that the earliest publication date of the
documents carrying it; failing that the document's date inferred from the latest as-of its own
claims report, from the statements it repeats (dated elsewhere) and from a precise figure
("11,300") another document gave first, whoever it was credited to, never past the month the
document's URL gives, with the basis in ``date_note``. A month-precision date is taken at
mid-month. A period is a run of dated statements in one calendar month or within ``window_days``
of the run's first date; year-only statements form their own periods; an undated statement is in
no period and is compared only with the undated figures of its own document.

Everything runs on sorted groups and dicts: no pairwise loop over a whole variable.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import hashlib
import itertools
import math
import re
import statistics
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from crosscount import gazetteer
from crosscount.dates import url_date
from crosscount.errors import ConfigError
from crosscount.gcpause import without_gc
from crosscount.models import UNDATED_DOCUMENT, Claim, Finding, Statement, Variable

__all__ = [
    "DocInfo",
    "DocLike",
    "ReconcileConfig",
    "Reconciliation",
    "load_config",
    "reconcile",
]


# --------------------------------------------------------------------------------------------
# Inputs and outputs


class DocLike(Protocol):
    """What the reconciler needs to know of a document (a ``Document`` also fits)."""

    @property
    def id(self) -> str: ...

    @property
    def outlet(self) -> str | None: ...

    @property
    def published(self) -> str | None: ...


@dataclass(slots=True)
class DocInfo:
    """A document's metadata: enough to name the outlet and date the statements it carries."""

    id: str
    outlet: str | None = None
    published: str | None = None
    story: str | None = None
    url: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DocInfo:
        doc_id = data.get("id", data.get("doc"))
        if not isinstance(doc_id, str):
            raise ConfigError(f"document record without an 'id' or 'doc' field: {dict(data)!r}")
        return cls(id=doc_id, outlet=data.get("outlet"), published=data.get("published"), story=data.get("story"),
            url=data.get("url"),
        )


@dataclass(slots=True)
class ReconcileConfig:
    """Tolerances, measure classes, reliability priors and place containment (reconcile.toml)."""

    window_days: int = 14
    period_day_words: dict[str, int] = field(default_factory=lambda: {"early": 5, "mid": 15, "late": 25})
    relative: float = 0.10
    percent_points: float = 5.0
    share_points: float = 2.0
    sum_relative: float = 0.10
    rate_relative: float = 0.15
    projection_days: int = 15
    max_comparisons: int = 3
    precise_force_ratio: float = 1.25
    cumulative: frozenset[str] = frozenset()
    cumulative_units: frozenset[str] = frozenset({"persons", "percent"})
    can_fall: frozenset[str] = frozenset()  # counts of people in a state they leave (found, home again)
    breakdown_words: frozenset[str] = frozenset()  # a sentence with one pairs its figures with distinct things
    whole_subject: str | None = None  # the subject every group is a part of ("people")
    earlier_cues: frozenset[str] = frozenset()  # words shortly before a figure that make it an earlier one
    earlier_right_before: frozenset[str] = frozenset()  # such words only right before it ("down from 66")
    force_measures: tuple[str, ...] = ("deployed", "strength")
    independent_kinds: frozenset[str] = frozenset({"report"})
    sums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reliability: dict[str, float] = field(default_factory=dict)
    default_reliability: float = 0.5
    own_voice_reliability: float = 0.3
    reliability_margin: float = 0.1
    places_within: dict[str, str] = field(default_factory=dict)
    at_least_is_count: bool = True
    onset_days: int = 7
    at_least_relative: float = 0.25
    scope_ratio: float = 10.0
    inferred_dates_conflict: bool = True
    generic_source_words: frozenset[str] = frozenset()
    not_source_names: frozenset[str] = frozenset()

    def source_reliability(self, source: str, own_voice: bool) -> float:
        if own_voice:
            return self.own_voice_reliability
        return self.reliability.get(source, self.default_reliability)

    def to_dict(self) -> dict[str, Any]:
        return {
            "window_days": self.window_days,
            "relative": self.relative,
            "percent_points": self.percent_points,
            "share_points": self.share_points,
            "sum_relative": self.sum_relative,
            "rate_relative": self.rate_relative,
            "projection_days": self.projection_days,
            "max_comparisons": self.max_comparisons,
            "cumulative": sorted(self.cumulative),
            "can_fall": sorted(self.can_fall),
            "breakdown_words": sorted(self.breakdown_words),
            "whole_subject": self.whole_subject,
            "earlier_cues": sorted(self.earlier_cues),
            "earlier_right_before": sorted(self.earlier_right_before),
            "force_measures": list(self.force_measures),
            "independent_kinds": sorted(self.independent_kinds),
            "sums": {k: list(v) for k, v in self.sums.items()},
            "reliability": dict(self.reliability),
            "default_reliability": self.default_reliability,
            "own_voice_reliability": self.own_voice_reliability,
            "reliability_margin": self.reliability_margin,
            "at_least_is_count": self.at_least_is_count,
            "onset_days": self.onset_days,
            "at_least_relative": self.at_least_relative,
            "scope_ratio": self.scope_ratio,
            "inferred_dates_conflict": self.inferred_dates_conflict,
        }


@dataclass
class Reconciliation:
    """Statements, variables (with their timelines) and findings, plus the settings used."""

    statements: list[Statement]
    variables: list[Variable]
    findings: list[Finding]
    config: ReconcileConfig | None = None
    _by_id: dict[str, Statement] = field(default_factory=dict, repr=False, compare=False)

    def statement(self, statement_id: str) -> Statement:
        if len(self._by_id) != len(self.statements):
            self._by_id = {s.id: s for s in self.statements}
        return self._by_id[statement_id]

    def variable(self, variable_id: str) -> Variable:
        for v in self.variables:
            if v.id == variable_id:
                return v
        raise KeyError(variable_id)

    def findings_for(self, variable_id: str) -> list[Finding]:
        return [f for f in self.findings if f.variable == variable_id]

    def statements_of(self, variable: Variable) -> list[Statement]:
        return [self.statement(i) for i in variable.statements]


# --------------------------------------------------------------------------------------------
# Configuration


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: reconcile settings file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from exc


def _num(table: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"reconcile settings: [{where}] {key} must be a number, not {value!r}")
    return float(value)


def _strs(table: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"reconcile settings: [{where}] {key} must be a list of strings")
    return list(value)


def config_from_dict(data: Mapping[str, Any]) -> ReconcileConfig:
    """Build a config from the parsed TOML tables (see crosscount/data/reconcile.toml)."""
    period = data.get("period", {})
    tol = data.get("tolerance", {})
    meas = data.get("measures", {})
    rel = data.get("reliability", {})
    sums_raw = data.get("sums", {})
    places = data.get("places", {}).get("within", {})
    sources = rel.get("sources", {})
    for name, table in (("period", period), ("tolerance", tol), ("measures", meas), ("reliability", rel)):
        if not isinstance(table, Mapping):
            raise ConfigError(f"reconcile settings: [{name}] must be a table")
    sums: dict[str, tuple[str, ...]] = {}
    for total, parts in sums_raw.items():
        if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts) or len(parts) < 2:
            raise ConfigError(f"reconcile settings: [sums] {total} must list at least two measures")
        sums[total] = tuple(parts)
    reliability = {str(k): _num(sources, k, 0.5, "reliability.sources") for k in sources}
    within = {str(k): str(v) for k, v in places.items()}
    return ReconcileConfig(
        window_days=int(_num(period, "window_days", 14, "period")),
        period_day_words={
            w: int(_num(period, w, d, "period")) for w, d in (("early", 5), ("mid", 15), ("late", 25))
        },
        relative=_num(tol, "relative", 0.10, "tolerance"),
        percent_points=_num(tol, "percent_points", 5.0, "tolerance"),
        share_points=_num(tol, "share_points", 2.0, "tolerance"),
        sum_relative=_num(tol, "sum_relative", 0.10, "tolerance"),
        rate_relative=_num(tol, "rate_relative", 0.15, "tolerance"),
        projection_days=int(_num(tol, "projection_days", 15, "tolerance")),
        max_comparisons=max(1, int(_num(tol, "max_comparisons", 3, "tolerance"))),
        precise_force_ratio=_num(tol, "precise_force_ratio", 1.25, "tolerance"),
        cumulative=frozenset(_strs(meas, "cumulative", "measures")),
        cumulative_units=frozenset(_strs(meas, "cumulative_units", "measures") or ["persons", "percent"]),
        can_fall=frozenset(_strs(meas, "can_fall", "measures")),
        breakdown_words=frozenset(_strs(meas, "breakdown_words", "measures")),
        whole_subject=str(meas["whole_subject"]) if meas.get("whole_subject") else None,
        earlier_cues=frozenset(w.lower() for w in _strs(period, "earlier_cues", "period")),
        earlier_right_before=frozenset(w.lower() for w in _strs(period, "earlier_right_before", "period")),
        force_measures=tuple(_strs(meas, "force", "measures")),
        independent_kinds=frozenset(_strs(meas, "independent_kinds", "measures") or ["report"]),
        sums=sums,
        reliability=reliability,
        default_reliability=_num(rel, "default", 0.5, "reliability"),
        own_voice_reliability=_num(rel, "own_voice", 0.3, "reliability"),
        reliability_margin=_num(rel, "margin", 0.1, "reliability"),
        places_within=within,
        at_least_is_count=bool(tol.get("at_least_is_count", True)),
        onset_days=int(_num(tol, "onset_days", 7, "tolerance")),
        at_least_relative=_num(tol, "at_least_relative", 0.25, "tolerance"),
        scope_ratio=_num(tol, "scope_ratio", 10.0, "tolerance"),
        inferred_dates_conflict=bool(tol.get("inferred_dates_conflict", True)),
        generic_source_words=frozenset(w.lower() for w in _strs(data.get("sources", {}), "generic_words", "sources")),
        not_source_names=frozenset(w.lower() for w in _strs(data.get("sources", {}), "not_names", "sources")),
    )


def default_config_data() -> dict[str, Any]:
    text = resources.files("crosscount").joinpath("data/reconcile.toml").read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - the packaged file is tested
        raise ConfigError(f"packaged reconcile.toml is not valid TOML: {exc}") from exc


def load_config(path: str | Path | None = None) -> ReconcileConfig:
    """The packaged settings, with the user's file at ``path`` (if any) layered on top."""
    data = default_config_data()
    if path is not None:
        data = _deep_merge(data, _read_toml(Path(path)))
    return config_from_dict(data)


# --------------------------------------------------------------------------------------------
# Dates

_DATE_CACHE: dict[str, tuple[int, int, str] | None] = {}
_RE_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_as_of(value: str | None) -> tuple[int, int, str] | None:
    """``"2025-01-13"`` -> (first day, last day, "day") as ordinals; "2025-01" -> the month; "2025"."""
    if not value:
        return None
    hit = _DATE_CACHE.get(value, False)
    if hit is not False:
        return hit  # type: ignore[return-value]
    out: tuple[int, int, str] | None = None
    m = _RE_DATE.match(value.strip())
    if m:
        try:
            year = int(m.group(1))
            if m.group(3):
                d = date(year, int(m.group(2)), int(m.group(3))).toordinal()
                out = (d, d, "day")
            elif m.group(2):
                month = int(m.group(2))
                last = calendar.monthrange(year, month)[1]
                out = (date(year, month, 1).toordinal(), date(year, month, last).toordinal(), "month")
            else:
                out = (date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal(), "year")
        except ValueError:
            out = None
    if len(_DATE_CACHE) < 100_000:
        _DATE_CACHE[value] = out
    return out


def _iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


_MONTH_CACHE: dict[int, str] = {}


def _month_key(ordinal: int) -> str:
    key = _MONTH_CACHE.get(ordinal)
    if key is None:
        d = date.fromordinal(ordinal)
        key = f"{d.year:04d}-{d.month:02d}"
        if len(_MONTH_CACHE) < 200_000:
            _MONTH_CACHE[ordinal] = key
    return key


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_WORDS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
# "since early December", "since their involvement began in early December 2024", "from Oct. 3"
_RE_SINCE = re.compile(
    r"\b(?:since|from|starting(?:\s+in)?)\s+(?:[^.;]{0,70}?\b(?:in|on)\s+)?(?:(early|mid|late)[\s-]+)?"
    r"(" + _MONTH_WORDS + r")\b\.?(?:\s+(\d{1,2})\b)?(?:,?\s+(\d{4})\b)?",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------------
# Formatting used in the findings' sentences


@functools.lru_cache(maxsize=1 << 16)
def fmt_num(x: float | None) -> str:
    if x is None or math.isinf(x):
        return "?"
    if abs(x - round(x)) < 0.05:
        return f"{round(x):,}"
    return f"{x:,.1f}"


@functools.lru_cache(maxsize=1 << 16)
def fmt_value(low: float | None, high: float | None, unit: str) -> str:
    """An interval as a reader writes it: 300; 200–900; at least 30; at most 50; 36%."""
    suffix = "%" if unit == "percent" else (" a day" if unit == "persons_per_day" else "")
    if low is not None and high is not None:
        text = fmt_num(low) if abs(high - low) < 1e-9 else f"{fmt_num(low)}–{fmt_num(high)}"
    elif low is not None:
        text = f"at least {fmt_num(low)}"
    elif high is not None:
        text = f"at most {fmt_num(high)}"
    else:
        text = "?"
    return text + suffix


def _hash(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=6).hexdigest()


# --------------------------------------------------------------------------------------------
# Internal working record for a statement: numeric interval, date and reliability


@dataclass(slots=True)
class _Node:
    st: Statement
    lo: float
    hi: float
    point: float
    bounded: bool
    numeric: bool
    d0: int | None
    d1: int | None
    mid: int | None
    prec: str  # day | month | year | none
    src: str
    rel: float
    independent: bool
    var: str = ""

    @property
    def label(self) -> str:
        return f"{self.st.source} ({self.value_text}, {self.when})"

    @property
    def value_text(self) -> str:
        st = self.st
        if st.computed:
            return f"≈{fmt_value(st.low, st.high, st.unit)}, computed"
        written = st.figure
        parsed = fmt_value(st.low, st.high, st.unit)
        return written if written.replace(",", "") == parsed.replace(",", "") else f"{written}: {parsed}"

    @property
    def when(self) -> str:
        st = self.st
        if st.date is None:
            return "undated"
        return st.date if st.date_basis == "as_of" else f"{st.date}, {st.date_basis}"


def _interval(low: float | None, high: float | None) -> tuple[float, float, float, bool, bool]:
    if low is None and high is None:
        return 0.0, 0.0, 0.0, False, False
    lo = low if low is not None else 0.0
    hi = high if high is not None else math.inf
    if low is None:
        point = hi
    elif high is None:
        point = lo
    else:
        point = (lo + hi) / 2.0
    return lo, hi, point, low is not None and high is not None, True


def _what(var: Variable) -> str:
    unit = var.unit
    return f"{var.subject} · {var.measure}" + (f" ({unit.replace('_', ' ')})" if unit != "persons" else "")


def _gap(a: _Node, b: _Node) -> float:
    return max(0.0, b.lo - a.hi, a.lo - b.hi)


def _tolerance(a: _Node, b: _Node, unit: str, cfg: ReconcileConfig) -> float:
    if unit == "percent":
        return cfg.percent_points
    return cfg.relative * max(a.point if a.bounded or a.hi == math.inf else a.hi, b.point)


def _same_period(a: _Node, b: _Node, cfg: ReconcileConfig) -> bool:
    if a.mid is None or b.mid is None:
        return False  # an undated figure shares no period with anything
    if a.prec == "year" or b.prec == "year":
        return a.d0 == b.d0 and a.prec == b.prec
    return abs(a.mid - b.mid) <= cfg.window_days or _month_key(a.mid) == _month_key(b.mid)


def _rounding(n: _Node) -> float:
    """How far a round figure given as approximate may lie from what it rounds: half its last
    significant unit ("about 9,000": 500; "nearly 650": 5); nothing for any other figure."""
    if n.st.qualifier != "approx" or not n.bounded or n.lo != n.hi or not _round(n.lo):
        return 0.0
    value, unit = int(n.lo), 1
    while value % 10 == 0:
        value, unit = value // 10, unit * 10
    return unit / 2


def _summable(n: _Node) -> bool:
    """A figure a sum may hold: a count as written or a floor ("at least 430"), not a rounded one
    ("nearly 6,000" less "almost 3,700" is near any figure of 2,300), a range or a vague amount."""
    exact = n.bounded and n.lo == n.hi
    return n.numeric and n.st.qualifier in ("exact", "at_least") and (exact or n.hi == math.inf)


def _unique(nodes: Iterable[_Node]) -> list[_Node]:
    seen: set[str] = set()
    out: list[_Node] = []
    for n in nodes:
        if n.st.id not in seen:
            seen.add(n.st.id)
            out.append(n)
    return out


def _same_body(a: str, b: str, generic: frozenset[str]) -> bool:
    """Two names of one body: one says no more than generic nouns besides words the other has
    ("Moroccan officials" / "Moroccan Interior Ministry"). Own voices are each their own."""
    if a.startswith("own voice of ") or b.startswith("own voice of "):
        return False
    wa, wb = set(_name_key(a).split()), set(_name_key(b).split())
    ca, cb = wa - generic, wb - generic
    if not ca or not cb:
        return False
    return ca <= wb or cb <= wa


def _unique_sources(nodes: Iterable[_Node]) -> list[_Node]:
    seen: set[str] = set()
    out: list[_Node] = []
    for n in nodes:
        if n.src not in seen:
            seen.add(n.src)
            out.append(n)
    return out


def _window_key(st: Statement) -> tuple[str | None, str | None, str | None]:
    """The window a figure counts over, for comparing like with like: None for a cumulative count
    (or a figure whose window the text does not give), else (kind, start, end)."""
    if st.window_kind in (None, "cumulative"):
        return (None, None, None)
    return (st.window_kind, st.window_start, st.window_end)


def _window_text(window: tuple[str | None, str | None, str | None]) -> str:
    kind, start, end = window
    span = f"{start or '?'} to {end or '?'}" if start or end else "window not dated"
    return f"{kind} counts, {span}"


class _TimeIndex:
    """Dated nodes sorted by date, for bounded look-ups of the statements near a date."""

    __slots__ = ("mids", "nodes", "undated")

    def __init__(self, nodes: Sequence[_Node]) -> None:
        self.nodes = sorted((n for n in nodes if n.mid is not None), key=lambda n: n.mid or 0)
        self.mids = [n.mid or 0 for n in self.nodes]
        self.undated = [n for n in nodes if n.mid is None]


# --------------------------------------------------------------------------------------------
# Step 1: statements


def _own_voice(outlet: str | None, doc: str) -> str:
    return f"own voice of {outlet or doc}"


def story_of(info: DocLike | None) -> str | None:
    """A document's story (``Document.story``, ``DocInfo.story``); None when it has none."""
    story = getattr(info, "story", None) if info is not None else None
    return story if isinstance(story, str) and story else None


def _cluster_as_of(members: list[Claim]) -> dict[str | None, str | None]:
    """Map each as-of to the cluster key it joins: the one more precise as-of it fits.

    A coarser as-of ("2025-01") joins a precise one ("2025-01-13") only when exactly one precise
    cluster fits and no document carries both: a document that dates two equal figures
    differently is telling two events apart ("the first" captured on 9 Jan, "the second" later).
    """
    docs_of: dict[str, set[str]] = defaultdict(set)
    for m in members:
        if m.as_of:
            docs_of[m.as_of].add(m.doc)
    distinct = sorted(docs_of, key=lambda v: (-len(v), v))
    clusters: dict[str, set[str]] = {}
    mapping: dict[str | None, str | None] = {}
    for v in distinct:
        fits = [c for c in clusters if c.startswith(v)]
        if len(fits) == 1 and not clusters[fits[0]] & docs_of[v]:
            mapping[v] = fits[0]
            clusters[fits[0]] |= docs_of[v]
        else:
            clusters[v] = set(docs_of[v])
            mapping[v] = v
    return mapping


def _anchor(low: float | None, high: float | None) -> tuple[str, float | None, float | None]:
    """The figure a claim states: "11,300" and "more than 11,300" state 11,300; "up to 400" states
    an upper bound; a range ("between 400 and 750") states itself."""
    if low is None:
        return ("at most", None, high)
    if high is not None and high != low:
        return ("range", low, high)
    return ("count", low, None)


def _words(place: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", place.lower()))


_JOINED_PLACE = re.compile(r"\b(?:and|or)\b|[,&/]")


def _outer_place(place: str, within: Mapping[str, str]) -> str | None:
    """The place that contains ``place``: the settings' ``[places.within]``, else the country of a
    city the gazetteer knows; None when neither knows it."""
    outer = within.get(place)
    if outer is not None:
        return outer
    found = gazetteer.lookup(place)
    return found.country if found is not None and found.kind == "city" else None


def _contains(outer: str, inner: str, within: Mapping[str, str]) -> bool:
    """``inner`` lies in ``outer``: by the settings or the gazetteer, or ``outer`` names it with words
    added ("eastern Libya" in "Libya")."""
    target, hops = inner, 0
    while hops < 8 and (nxt := _outer_place(target, within)) is not None:
        target, hops = nxt, hops + 1
        if target == outer:
            return True
    return _place_within(inner, outer, {})


def _place_within(inner: str, outer: str, within: Mapping[str, str]) -> bool:
    """``inner`` lies in ``outer``: the settings say so, or the gazetteer (a city in its country), or
    ``outer`` names it with words added ("eastern Libya" in "Libya"); a joined name ("Turkey and Syria")
    lies in neither part."""
    target, hops = inner, 0
    while hops < 8:
        nxt = _outer_place(target, within)
        if nxt is None or nxt == target:
            break
        target, hops = nxt, hops + 1
        if target == outer:
            return True
    if _JOINED_PLACE.search(inner) or _JOINED_PLACE.search(outer):
        return False
    wi, wo = _words(inner), _words(outer)
    return bool(wo) and wo < wi


def _location_clusters(located: Sequence[str], within: Mapping[str, str]) -> dict[str, str]:
    """Each location -> the one a repeat is filed under: the largest place it lies in among them."""
    out: dict[str, str] = {}
    for place in located:
        outers = [o for o in located if o != place and _place_within(place, o, within)]
        out[place] = place
        for o in outers:
            if not any(_place_within(o, p, within) for p in outers if p != o):
                out[place] = o
                break
    return out


_INITIALS = re.compile(r"\b([a-z]) (?=[a-z]\b)")


def _name_key(name: str) -> str:
    """A source name folded for comparison: case, articles, punctuation; "U.N" and "UN" alike."""
    from crosscount.resolve import fold

    return _INITIALS.sub(r"\1", fold(name))


def _one_entity(a: str, b: str, generic: frozenset[str], canonical: Mapping[str, str | None]) -> bool:
    """Two names a reader takes for one source: the same after folding, the same known source in the
    alias tables, or one name's words all inside the other's, generic nouns and determiners aside, where
    the shorter says more than those ("Bissen" / "Maui Mayor Richard Bissen", "its mayor" / "the local
    mayor"; not "officials" / "US officials")."""
    ka, kb = _name_key(a), _name_key(b)
    if ka == kb:
        return True
    ca, cb = canonical.get(a), canonical.get(b)
    if ca is not None and ca == cb:
        return True
    wa, wb = set(ka.split()) - generic, set(kb.split()) - generic
    small, large = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return bool(small) and small <= large


_NOT_IN_NAMES = re.compile(r"[|\n\t]")  # a caption or layout fragment ("UN report | Image"), not a name
_RUN_ON = re.compile(r"[a-z]\.[A-Z]")  # "Monday.Lee": two words run together by the extractor


def acceptable_source(name: str, not_names: frozenset[str]) -> bool:
    """A name a reader accepts as who asserts a figure: written as a name, not a run-on of two
    words ("Monday.Lee"), not made only of words that name no one ("Death Toll", "Reps", "forces")."""
    text = name.strip()
    if not text or _NOT_IN_NAMES.search(text) or _RUN_ON.search(text):
        return False
    words = re.findall(r"[\w’']+", text)
    if not words:
        return False
    return not all(w.lower() in not_names for w in words)


def _round(value: float | None) -> bool:
    """A figure written round: two significant digits or fewer (4,000; 35,000; 1,200)."""
    if value is None or value <= 0 or value != int(value):
        return False
    n = int(value)
    while n % 10 == 0:
        n //= 10
    return n < 100 and value >= 100


def _dates_agree(a: list[Claim], b: list[Claim]) -> bool:
    """Two groups' as-of dates can be one: every pair equal, or one a coarser form of the other."""
    da = {m.as_of for m in a if m.as_of}
    db = {m.as_of for m in b if m.as_of}
    return all(x.startswith(y) or y.startswith(x) for x in da for y in db)


def _merge_rounded(
    groups: dict[tuple[Any, ...], list[Claim]], within: float = 0.05
) -> dict[tuple[Any, ...], list[Claim]]:
    """A round figure qualified "about", "nearly", "more than" ("more than 35,000") is the same
    source's precise figure (35,418) rounded, when exactly one precise figure of that source,
    subject, measure and window lies within 5% on the side the qualifier allows and the dates agree."""
    by_rest: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for key in groups:
        by_rest[key[:-1]].append(key)
    out = dict(groups)
    for keys in by_rest.values():
        if len(keys) < 2:
            continue
        for key in keys:
            shape, low, _high = key[-1]
            members = out.get(key)
            if shape != "count" or members is None or not _round(low):
                continue
            quals = {m.qualifier for m in members}
            if not quals <= {"approx", "at_least", "at_most"}:
                continue
            cands = []
            for other in keys:
                oshape, olow, _ = other[-1]
                if other == key or oshape != "count" or olow is None or _round(olow) or other not in out:
                    continue
                if abs(olow - low) > within * low:
                    continue
                if quals == {"at_least"} and olow < low:
                    continue
                if quals == {"at_most"} and olow > low:
                    continue
                if _dates_agree(members, out[other]):
                    cands.append(other)
            if len(cands) == 1:
                out[cands[0]] = out[cands[0]] + out.pop(key)
    return out


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@functools.lru_cache(maxsize=8)
def _sentence_cues(
    breakdown_words: frozenset[str], earlier_cues: frozenset[str], earlier_right_before: frozenset[str]
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The configuration's sentence cues as patterns, made once (reconcile runs once per story): a word
    that pairs a sentence's figures with distinct things ("respectively"), and the words that make a
    figure an earlier count, within three words before it (no other figure between) or right before it."""
    breakdown = (
        re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(breakdown_words))) + r")\b", re.IGNORECASE)
        if breakdown_words
        else None
    )
    cues = "|".join(map(re.escape, sorted(earlier_cues)))
    right_before = "|".join(map(re.escape, sorted(earlier_right_before)))
    earlier = (
        re.compile(
            (rf"\b(?:{cues})\b(?:\s+[^\d\s]\S*){{0,3}}\s*$" if cues else "(?!)")
            + (rf"|\b(?:{right_before})\s*$" if right_before else ""),
            re.IGNORECASE,
        )
        if cues or right_before
        else None
    )
    return breakdown, earlier


def _written_as_earlier(claim: Claim, earlier: re.Pattern[str]) -> bool:
    """The figure follows a word that makes it an earlier count: within three words, no other figure
    between ("from their previous toll of 115", "the initial list of 3,200"), or right before it ("down
    from 66"; not "dropped from 115 to 97", whose 97 is the later count)."""
    at = claim.sentence.find(claim.figure) if claim.sentence else -1
    return at > 0 and earlier.search(claim.sentence, max(0, at - 60), at) is not None


def _proper_name(name: str) -> bool:
    """A name written as a proper name: every word longer than three letters capitalised."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’.-]*", name) if len(w) > 3]
    return bool(words) and all(w[0].isupper() for w in words)


def _merge_source_names(
    groups: dict[tuple[Any, ...], list[Claim]], generic: frozenset[str]
) -> dict[tuple[Any, ...], list[Claim]]:
    """One name per source: the groups of one figure (same story, subject, measure, unit, kind,
    window and value) whose sources are one entity under different names become one group, under
    the name most of its claims use (then the longest). Own-voice groups are never merged."""
    from crosscount.resolve import default_resolver

    resolver = default_resolver()
    by_figure: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for key, members in groups.items():
        if members[0].source is not None:
            by_figure[key[:1] + key[2:]].append(key)
    out = dict(groups)
    for keys in by_figure.values():
        if len(keys) < 2:
            continue
        names = [k[1] for k in keys]
        # the words the documents wrote for the source as well ("its mayor" for the mayor they name later)
        written = [
            {names[i], *(m.source_text for m in groups[keys[i]] if m.source_text)} for i in range(len(keys))
        ]
        canonical = {n: resolver.known_source(n) for ws in written for n in ws}
        parent = list(range(len(keys)))
        for i, j in itertools.combinations(range(len(keys)), 2):
            if any(_one_entity(a, b, generic, canonical) for a in written[i] for b in written[j]):
                parent[_root(parent, i)] = _root(parent, j)
        if _precise(keys[0][-1]):
            # a bare generic name ("police", "the ministry") repeating a precise figure that one named
            # body of the story gives is that body: such a figure is not found twice by chance
            words = [set(_name_key(n).split()) for n in names]
            bare = [i for i in range(len(keys)) if not words[i] - generic]
            for i in bare:
                # the one named body whose name holds the bare name's words ("Police" / "Maui police")
                named = {_root(parent, j) for j in range(len(keys)) if j not in bare and words[i] <= words[j]}
                if len(named) == 1:
                    parent[_root(parent, i)] = next(iter(named))
        clusters: dict[int, list[int]] = defaultdict(list)
        for i in range(len(keys)):
            clusters[_root(parent, i)].append(i)
        for idx in clusters.values():
            if len(idx) < 2:
                continue
            counts = {names[i]: len(groups[keys[i]]) for i in idx}
            known = sorted({c for n in counts if (c := canonical[n]) is not None})
            # a known source's name, else one that says more than generic words ("Maui police", not "Police"),
            # a proper name before a description ("Amir Ali Hajizadeh", not "general in the Revolutionary
            # Guards"), then the name most claims use, then the longest
            name = (
                known[0]
                if len(known) == 1
                else max(
                    counts,
                    key=lambda n: (
                        bool(set(_name_key(n).split()) - generic), _proper_name(n), counts[n], len(n), n
                    ),
                )
            )
            target = (*keys[0][:1], name, *keys[0][2:])
            merged: list[Claim] = []
            for i in idx:
                merged.extend(out.pop(keys[i]))
            out[target] = merged
    return out


def _merge_unstated(
    groups: dict[tuple[Any, ...], list[Claim]], generic: frozenset[str]
) -> dict[tuple[Any, ...], list[Claim]]:
    """A repeat that leaves unsaid what another states is the same assertion: a group whose subject is
    people in general ("people"), or whose window is of one kind the text does not date ("in the
    period"), joins the one group of the same source (one entity under two names), figure, measure
    and dates that names the group ("migrants") or dates that window, under that group's key."""
    from crosscount.lexicon import lexicon
    from crosscount.resolve import default_resolver

    plain = lexicon().generic_people
    resolver = default_resolver()

    def loose_subject(subject: str | None) -> bool:
        return subject is None or subject.lower() in plain

    by_rest: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for key in groups:
        by_rest[(key[0], key[3], key[4], key[5], key[7])].append(key)  # story, measure, unit, kind, figure
    out = dict(groups)
    for keys in by_rest.values():
        if len(keys) < 2:
            continue
        for key in sorted(keys, key=repr):
            if key not in out or not (loose_subject(key[2]) or key[6] is None):
                continue
            named = out[key][0].source is not None
            cands = []
            for other in keys:
                if other == key or other not in out or (other[2], other[6]) == (key[2], key[6]):
                    continue
                if other[2] != key[2] and not (loose_subject(key[2]) and not loose_subject(other[2])):
                    continue
                if other[6] != key[6] and not (key[6] is None and {m.window_kind for m in out[key]} == {other[6]}):
                    continue  # only a window of the same kind, left undated, joins the dated one
                same = other[1] == key[1] or (
                    named
                    and out[other][0].source is not None
                    and _one_entity(
                        key[1], other[1], generic, {n: resolver.known_source(n) for n in (key[1], other[1])}
                    )
                )
                if same and _dates_agree(out[key], out[other]):
                    cands.append(other)
            if len(cands) == 1:
                out[cands[0]] = out[cands[0]] + out.pop(key)
    return out


@dataclass(slots=True)
class _DocDates:
    """Each document's date and how it is known: published, else inferred with its basis."""

    date: dict[str, str] = field(default_factory=dict)
    basis: dict[str, str] = field(default_factory=dict)  # "published" or the reason it was inferred


def _later(a: str, b: str) -> bool:
    pa, pb = parse_as_of(a), parse_as_of(b)
    if pb is None:
        return False
    if pa is None:
        return True
    return (pb[0], -pb[1]) > (pa[0], -pa[1])


def _infer_doc_dates(
    groups: Mapping[tuple[Any, ...], list[Claim]], docs: Mapping[str, DocLike]
) -> _DocDates:
    """Published dates, and for a document without one, the latest date it must postdate.

    A text cannot report a date after it was published, nor repeat a statement before the source
    made it: the latest as-of among its own claims, and the earliest date another document gives the
    same source's same figure (its as-of, or that document's published date), are lower bounds.
    The latest bound is taken, and the basis kept for the reader. A date in the page's URL path
    (``/2024/07/28/``) is its publication date; a month there (``/2024/07/``) is a bound like the others.
    """
    out = _DocDates()
    for d, info in docs.items():
        if info.published:
            out.date[d] = info.published
            out.basis[d] = "published"
    candidates: dict[str, tuple[str, str]] = {}
    for d, info in docs.items():
        if d in out.date:
            continue
        from_url = url_date(getattr(info, "url", None))
        if from_url is not None and len(from_url) == 10:
            out.date[d] = from_url
            out.basis[d] = f"the date in its URL ({from_url})"
        elif from_url is not None:
            candidates[d] = (from_url, f"the month in its URL ({from_url})")

    def offer(doc: str, value: str, why: str) -> None:
        if doc in out.date or parse_as_of(value) is None:
            return
        month = url_date(getattr(docs.get(doc), "url", None))
        if month is not None and value[:7] > month[:7]:
            return  # its URL puts it in an earlier month: the other text repeated its figure later
        cur = candidates.get(doc)
        if cur is None or _later(cur[0], value):
            candidates[doc] = (value, why)

    for members in groups.values():
        dated: list[tuple[str, str, Claim]] = []
        for m in members:
            if m.kind != "projection" and m.as_of:
                if m.doc not in out.date:  # offer() turns a dated document away: no reason to write then
                    offer(m.doc, m.as_of, f"the latest date its own text reports ({m.as_of})")
                dated.append((m.as_of, m.doc, m))
            elif m.doc in out.date:
                dated.append((out.date[m.doc], m.doc, m))
        if not dated:
            continue
        for m in members:
            if m.doc in out.date:
                continue
            others = [(v, d) for v, d, _ in dated if d != m.doc]
            if not others:
                continue
            first = min(others, key=lambda t: (parse_as_of(t[0]) or (0, 0, ""))[0])
            src = m.source or "its own voice"
            offer(m.doc, first[0], f"it repeats {src}'s {m.figure} ({m.measure}), dated {first[0]} in {first[1]}")
    # a precise figure ("11,300", "3,958") another document gives the same count first bounds the date
    # of a text repeating it, whoever the two name as its source: the figure existed by then
    first_seen: dict[tuple[Any, ...], list[tuple[int, str, str]]] = defaultdict(list)
    for key, members in groups.items():
        if not _precise(key[-1]):
            continue
        figure = (key[0], *key[2:5], key[-1])  # story, subject, measure, unit, figure
        for m in members:
            # its as-of, else its document's date, else the earliest the document can be (a month in its URL)
            stated = m.as_of if m.kind != "projection" and m.as_of else out.date.get(m.doc)
            if stated is None:
                stated = url_date(getattr(docs.get(m.doc), "url", None))
            parsed = parse_as_of(stated)
            if stated is not None and parsed is not None:
                first_seen[figure].append((parsed[0], stated, m.doc))
    for key, members in groups.items():
        if not _precise(key[-1]):
            continue
        seen = first_seen.get((key[0], *key[2:5], key[-1]))
        if not seen:
            continue
        for m in members:
            if m.doc in out.date:
                continue
            earlier = [t for t in seen if t[2] != m.doc]
            if not earlier:
                continue
            _, seen_on, where = min(earlier)
            if len(seen_on) != 10:
                continue  # first known in a month only: it says too little of the day
            offer(m.doc, seen_on, f"it gives the figure {m.figure} ({m.measure}), given in {where} by {seen_on}")
    for d, (value, why) in candidates.items():
        out.date[d] = value
        out.basis[d] = why
    return out


_FigureKey = tuple[str | None, str, str, tuple[str, float | None, float | None]]  # subject, measure, unit, figure


def _precise(anchor: tuple[str, float | None, float | None]) -> bool:
    """A figure written precisely enough to name its source: 100 or more and not round (1,414; 11,300)."""
    shape, low, high = anchor
    v = low if low is not None else high
    return shape != "range" and v is not None and v >= 100 and v == int(v) and not _round(v)


def _restated_sources(
    claims: Sequence[Claim], docs: Mapping[str, DocLike], accepted: Mapping[str, bool]
) -> dict[tuple[str, _FigureKey], str]:
    """The source of an unattributed figure that is another's told again in the outlet's voice:
    the one named source its own document gives the same figure (a lead or headline restating it),
    else, for a precise figure, the one named source of it in the story (an outlet carrying it
    without naming whose it is). (doc, subject, measure, unit, figure) -> the source; "10,000" and
    "at least 10,000" are one figure."""
    bare: set[tuple[str, _FigureKey]] = set()
    bare_precise: set[_FigureKey] = set()
    for c in claims:
        if c.source is None:
            fig: _FigureKey = (c.subject, c.measure, c.unit, _anchor(c.low, c.high))
            bare.add((c.doc, fig))
            if _precise(fig[3]):
                bare_precise.add(fig)
    if not bare:
        return {}
    in_doc: dict[tuple[str, _FigureKey], set[str]] = defaultdict(set)
    in_story: dict[tuple[str | None, _FigureKey], set[str]] = defaultdict(set)
    stories: dict[str, str | None] = {}
    for c in claims:
        if c.source is None or c.kind == "projection" or not accepted[c.source]:
            continue
        fig = (c.subject, c.measure, c.unit, _anchor(c.low, c.high))
        if (c.doc, fig) in bare:
            in_doc[(c.doc, fig)].add(c.source)
        if fig in bare_precise:
            story = stories[c.doc] if c.doc in stories else stories.setdefault(c.doc, story_of(docs.get(c.doc)))
            in_story[(story, fig)].add(c.source)
    out: dict[tuple[str, _FigureKey], str] = {}
    for key in bare:
        names = in_doc.get(key)
        if not names and key[1] in bare_precise:
            names = in_story.get((story_of(docs.get(key[0])), key[1]))
        if names and len(names) == 1:
            out[key] = next(iter(names))
    return out


def _build_statements(
    claims: Iterable[Claim],
    docs: Mapping[str, DocLike],
    within: Mapping[str, str] | None = None,
    generic: frozenset[str] = frozenset(),
    not_names: frozenset[str] = frozenset(),
) -> tuple[list[tuple[Statement, list[Claim]]], _DocDates]:
    """Repeats of one source's figure become one statement.

    Claims group by story, source, subject, measure, unit, window and the figure they state (its
    low bound, or its high one when the low is open: "11,300" and "more than 11,300" are one
    figure written two ways); a projection and a report of the same figure are one assertion.
    Inside a group, locations that lie in one another are one, and as-of dates cluster as before.
    """
    within = within or {}
    claims = list(claims)
    accepted = {name: acceptable_source(name, not_names) for name in {c.source for c in claims} if name is not None}
    restated = _restated_sources(claims, docs, accepted)
    groups: dict[tuple[Any, ...], list[Claim]] = defaultdict(list)
    own_cache: dict[str, str] = {}
    story_cache: dict[str, str | None] = {}
    for c in claims:
        story = story_cache.get(c.doc, "")
        if story == "":
            story = story_cache[c.doc] = story_of(docs.get(c.doc))
        src = c.source
        if src is not None and not accepted[src]:
            src = None  # not a name a reader accepts: the figure stands in the outlet's own voice
        if src is None:
            src = restated.get((c.doc, (c.subject, c.measure, c.unit, _anchor(c.low, c.high))))
        if src is None:
            src = own_cache.get(c.doc)
            if src is None:
                info = docs.get(c.doc)
                src = own_cache[c.doc] = _own_voice(info.outlet if info else None, c.doc)
        kind = "derived" if c.kind == "derived" else "report"
        # a window the text does not date ("in the past days", "last week") does not tell one figure from
        # another, nor does an incident dated only by the figure's own as-of ("on a boat that capsized")
        dated_window = c.window_kind not in (None, "cumulative") and c.window_start is not None and not (
            c.window_kind == "incident" and c.window_start == c.window_end == c.as_of
        )
        window = c.window_kind if dated_window else None
        key = (story, src, c.subject, c.measure, c.unit, kind, window, _anchor(c.low, c.high))
        groups[key].append(c)
    groups = _merge_source_names(groups, generic)
    groups = _merge_unstated(groups, generic)
    groups = _merge_rounded(groups)
    dates = _infer_doc_dates(groups, docs)
    doc_date = dates.date

    out: list[tuple[Statement, list[Claim]]] = []
    for key, members in groups.items():
        first = members[0]
        uniform = all(m.location == first.location and m.as_of == first.as_of for m in members)
        if uniform:
            out.append(_make_statement(key, members, first.location, first.as_of, docs, dates))
            continue
        # location clusters: places that lie in one another are one; a missing location joins the
        # single located cluster
        fold = _location_clusters(sorted({m.location for m in members if m.location}), within)
        located = sorted(set(fold.values()))
        by_loc: dict[str | None, list[Claim]] = defaultdict(list)
        for m in members:
            loc = fold[m.location] if m.location else (located[0] if len(located) == 1 else None)
            by_loc[loc].append(m)
        for loc, sub in by_loc.items():
            mapping = _cluster_as_of(sub)
            by_date: dict[str | None, list[Claim]] = defaultdict(list)
            keys = sorted({k for k in mapping.values() if k})
            for m in sub:
                if m.as_of:
                    by_date[mapping[m.as_of]].append(m)
            for m in sub:
                if m.as_of:
                    continue
                if len(keys) == 1:
                    by_date[keys[0]].append(m)
                    continue
                # several dated clusters: join the latest one at or before the document's date
                dd = parse_as_of(doc_date.get(m.doc))
                chosen: str | None = None
                if dd is not None:
                    best = -1
                    for k in keys:
                        pk = parse_as_of(k)
                        if pk is not None and pk[0] <= dd[1] and pk[0] > best:
                            best, chosen = pk[0], k
                by_date[chosen].append(m)
            for as_of, cl in by_date.items():
                out.append(_make_statement(key, cl, loc, as_of, docs, dates))
    return out, dates


def _make_statement(
    key: tuple[Any, ...],
    members: list[Claim],
    location: str | None,
    as_of: str | None,
    docs: Mapping[str, DocLike],
    dates: _DocDates,
) -> tuple[Statement, list[Claim]]:
    story, src, subject, measure, unit, _kind, _window, _figure = key
    doc_date = dates.date

    def order(c: Claim) -> tuple[bool, str, str, int]:
        info = docs.get(c.doc)
        pub = (info.published if info else None) or c.published
        return (pub is None, pub or doc_date.get(c.doc) or "9999", c.doc, c.start)

    if len(members) > 1 and len({m.doc for m in members}) > 1:
        members = sorted(members, key=order)
    elif len(members) > 1:
        members = sorted(members, key=lambda c: c.start)
    # the figure as most documents give it, a closed interval before an open bound
    values: dict[tuple[float | None, float | None], int] = defaultdict(int)
    for m in members:
        values[(m.low, m.high)] += 1
    # the precise figure before a rounded repeat, a closed interval before an open bound, then the commonest
    low, high = max(
        values,
        key=lambda v: (not _round(v[0] if v[0] is not None else v[1]), None not in v, values[v]),
    )
    lead = members[0]  # (always one of them: the figure is a member's)
    for m in members:
        if (m.low, m.high) == (low, high):
            lead = m
            break
    kinds = [m.kind for m in members]
    kind = "report" if "report" in kinds else kinds[0]
    # the dated window if one is given; an undated one only when every member has it
    windows = [m for m in members if m.window_kind not in (None, "cumulative") and (m.window_start or m.window_end)]
    if not windows and all(m.window_kind not in (None, "cumulative") for m in members):
        windows = [members[0]]
    window = windows[0] if windows else None
    doc_ids: list[str] = list(dict.fromkeys([m.doc for m in members]))
    outlets: list[str | None] = []
    published: list[str] = []
    for d in doc_ids:
        info = docs.get(d)
        outlets.append(info.outlet if info else None)
        if info is not None and info.published:
            published.append(info.published)
    own = src.startswith("own voice of ")  # unattributed, or attributed to no name a reader accepts
    figures = list(dict.fromkeys([m.figure for m in members]))
    vias = [v for v in dict.fromkeys([m.via for m in members]) if v]
    rules: list[str] = []
    if len(members) > 1:
        rules.append("statement_merge")
    if len(values) > 1:
        rules.append("statement_merge_one_figure_written_differently")
    if len(set(kinds)) > 1:
        rules.append("statement_merge_report_and_projection")
    names = list(dict.fromkeys([m.source for m in members if m.source]))
    if own and names:
        rules.append("source_name_rejected")
    elif len(names) > 1:
        rules.append("source_one_name_per_source")
    st = Statement(
        id="s"
        + _hash(
            *(() if story is None else (story,)),
            src, subject, measure, location, unit, kind, low, high, as_of, doc_ids[0] if own else "",
            *(() if _window is None else (_window,)),  # repeats are grouped by window too
        ),
        source=src,
        subject=subject,
        measure=measure,
        location=location,
        unit=unit,
        low=low,
        high=high,
        qualifier=lead.qualifier,
        figure=lead.figure,
        as_of=as_of,
        kind=kind,
        claims=[(m.doc, m.start, m.end) for m in members],
        docs=doc_ids,
        outlets=outlets,
        first_seen=doc_ids[0],
        first_published=min(published) if published else None,
        own_voice=own,
        figures=figures,
        vias=vias,
        rules=rules,
        story=story,
        source_variants=[n for n in names if n != src],
        window_kind=window.window_kind if window else None,
        window_start=window.window_start if window else None,
        window_end=window.window_end if window else None,
    )
    if as_of:
        st.date, st.date_basis = as_of, "as_of"
        rules.append("date_as_of")
    elif st.first_published:
        st.date, st.date_basis = st.first_published, "published"
        rules.append("date_published")
    else:
        inferred = sorted(
            ((doc_date[d], d) for d in doc_ids if d in doc_date),
            key=lambda t: (parse_as_of(t[0]) or (0, 0, ""))[0],
        )
        if inferred:
            value, d = inferred[0]
            st.date, st.date_basis = value, "document date inferred"
            st.date_note = f"{d}: {dates.basis.get(d, 'inferred')}"
            rules.append("date_document_inferred")
    return st, members


# --------------------------------------------------------------------------------------------
# The reconciler


_Family = tuple[str | None, str | None, str, str]  # story, subject, measure, unit
_Subject = tuple[str | None, str | None]  # story, subject


def _change(
    before: Sequence[_Node], after: Sequence[_Node], from_value: float, to_value: float, from_date: str | None,
    to_date: str | None,
) -> dict[str, Any]:
    """The typed fields of an evolution or a revision: from which statements, values, dates and sources
    to which."""
    return {
        "from_statements": [n.st.id for n in before],
        "to_statements": [n.st.id for n in after],
        "from_value": from_value,
        "to_value": to_value,
        "from_date": from_date,
        "to_date": to_date,
        "from_sources": list(dict.fromkeys(n.src for n in before)),
        "to_sources": list(dict.fromkeys(n.src for n in after)),
    }


_NOBODY: frozenset[int] = frozenset()


class _Reconciler:
    def __init__(self, cfg: ReconcileConfig) -> None:
        self.cfg = cfg
        self.findings: list[Finding] = []
        self.nodes: dict[str, _Node] = {}
        self.var_nodes: dict[str, list[_Node]] = {}
        self.variables: dict[str, Variable] = {}
        # (story, subject, measure, unit) -> nodes, over all locations; nothing crosses stories
        self.family: dict[_Family, list[_Node]] = defaultdict(list)
        # (story, measure, unit) -> document -> its figures, built when first needed (sums, breakdowns)
        self._measure_docs: dict[tuple[str | None, str, str], dict[str, list[_Node]]] | None = None
        self.sentences: dict[str, list[str]] = {}
        self.speakers: dict[str, frozenset[int]] = {}  # statement id -> its (document, sentence, source as written)
        self.earliest: dict[tuple[str | None, str | None, str], _Node | None] = {}
        self.loc_fold: dict[_Family, tuple[dict[str, str], str | None]] = {}
        self.story_place: dict[str | None, str | None] = {}  # story -> the place most of its figures name
        self.countries: dict[str, str | None] = {}  # source name -> the country it names
        self._breakdowns: set[str] | None = None
        self.sentence_keys: dict[str, frozenset[int]] = {}  # statement id -> its (document, sentence)s
        self.earlier: set[str] = set()  # statements written as an earlier figure ("down from 66")
        self.onset: dict[str | None, int] = {}  # story -> the date of its first dated figure

    # -- nodes -------------------------------------------------------------------------------
    def node(self, st: Statement) -> _Node:
        lo, hi, point, bounded, numeric = _interval(st.low, st.high)
        parsed = parse_as_of(st.date)
        if parsed is None:
            d0 = d1 = mid = None
            prec = "none"
        else:
            d0, d1, prec = parsed
            mid = (d0 + d1) // 2 if prec != "month" else d0 + 15
            mid = min(mid, d1)
        indep = st.kind in self.cfg.independent_kinds and st.kind != "projection"
        n = _Node(
            st=st,
            lo=lo,
            hi=hi,
            point=point,
            bounded=bounded,
            numeric=numeric,
            d0=d0,
            d1=d1,
            mid=mid,
            prec=prec,
            src=st.source or "",
            rel=self.cfg.source_reliability(st.source or "", st.own_voice),
            independent=indep,
        )
        if mid is not None and prec != "year":
            st.period = _month_key(mid)
        elif prec == "year" and d0 is not None:
            st.period = date.fromordinal(d0).strftime("%Y")
        return n

    def add(self, f: Finding) -> None:
        self.findings.append(f)

    def finding(
        self,
        type_: str,
        rule: str,
        nodes: Sequence[_Node],
        text: str,
        *,
        variable: str | None,
        period: str | None,
        subject: str | None = None,
        measure: str | None = None,
        **extra: Any,
    ) -> Finding:
        ids = [n.st.id for n in nodes]
        st0 = nodes[0].st if nodes else None
        stories = {n.st.story for n in nodes}
        assert len(stories) <= 1, f"a finding across stories: {sorted(map(str, stories))}"
        f = Finding(
            id="f" + _hash(type_, rule, variable, period, *ids, extra.get("arithmetic", "")),
            type=type_,
            rule=rule,
            subject=subject if subject is not None else (st0.subject if st0 else None),
            measure=measure if measure is not None else (st0.measure if st0 else ""),
            text=text,
            variable=variable,
            statements=ids,
            period=period,
            story=st0.story if st0 else None,
            **extra,
        )
        self.add(f)
        return f

    # -- step 2: variables -------------------------------------------------------------------
    def build_variables(self, statements: list[Statement]) -> None:
        by_sm: dict[_Family, list[Statement]] = defaultdict(list)
        for st in statements:
            by_sm[(st.story, st.subject, st.measure, st.unit)].append(st)
        within = self.cfg.places_within
        for (story, subject, measure, unit), sts in by_sm.items():
            known = self.loc_fold.get((story, subject, measure, unit))
            if known is None:
                locs = {s.location for s in sts if s.location}
                fold: dict[str, str] = {}
                for place in locs:
                    target, hops = place, 0
                    while (
                        len(locs) > 1
                        and (nxt := _outer_place(target, within)) is not None
                        and nxt in locs
                        and hops < 8
                    ):
                        target, hops = nxt, hops + 1
                    fold[place] = target
                remaining = set(fold.values())
                only = next(iter(remaining)) if len(remaining) == 1 else None
                if only is None and story is not None:
                    # several places: a figure with none is of the story's own place, when most of the
                    # story's located statements name it ("Bangladesh", beside one figure in "India")
                    main = self.main_place(story, statements)
                    only = main if main in remaining else None
                known = self.loc_fold[(story, subject, measure, unit)] = (fold, only)
            fold, only = known
            places = set(fold.values())
            for st in sts:
                loc: str | None
                if st.location:
                    loc = fold.get(st.location, st.location)
                else:
                    # a figure with no place from a country's body ("the Syrian health ministry") in a story
                    # whose own place is another country is of its body's country, when the story names it
                    country = self.source_country(st.source) if self.is_country(only) else None
                    loc = country if country in places else only
                vid = "v" + _hash(*(() if story is None else (story,)), subject, measure, loc, unit)
                var = self.variables.get(vid)
                if var is None:
                    var = self.variables[vid] = Variable(
                        id=vid, subject=subject, measure=measure, location=loc, unit=unit, story=story
                    )
                    self.var_nodes[vid] = []
                st.variable = vid
                n = self.node(st)
                n.var = vid
                self.nodes[st.id] = n
                self.var_nodes[vid].append(n)
                self.family[(story, subject, measure, unit)].append(n)

    def source_country(self, source: str | None) -> str | None:
        """The one country a source's name names ("Syrian Observatory for Human Rights", "Turkey's
        disaster agency"); None for none or several."""
        if not source or source.startswith("own voice of "):
            return None
        if source not in self.countries:
            from crosscount.resolve import default_resolver

            found = {p.name for p in default_resolver().parties_in(source)}
            self.countries[source] = found.pop() if len(found) == 1 else None
        return self.countries[source]

    @staticmethod
    def is_country(place: str | None) -> bool:
        from crosscount.resolve import default_resolver

        return place is not None and default_resolver().party(place) is not None

    def main_place(self, story: str, statements: list[Statement]) -> str | None:
        """The place most of a story's located statements name, when more than half of them do."""
        if story not in self.story_place:
            counts: dict[str | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for st in statements:
                if st.location:
                    counts[st.story][st.location] += 1
            for name, places in counts.items():
                total = sum(places.values())
                best = max(sorted(places), key=lambda p: places[p])
                self.story_place[name] = best if 2 * places[best] > total else None
        return self.story_place.get(story)

    # -- step 3: share -> count ---------------------------------------------------------------
    def force_index(self) -> tuple[dict[_Subject, list[_Node]], dict[tuple[str | None, str | None, str], list[_Node]]]:
        """Precise force-size statements per story x subject (dated, sorted) and per story x subject x source."""
        by_subject: dict[_Subject, list[_Node]] = defaultdict(list)
        by_source: dict[tuple[str | None, str | None, str], list[_Node]] = defaultdict(list)
        ratio = self.cfg.precise_force_ratio
        for measure in self.cfg.force_measures:
            for (story, subject, m, unit), nodes in self.family.items():
                if m != measure or unit != "persons":
                    continue
                for n in nodes:
                    if not n.bounded or n.st.kind == "projection" or n.lo <= 0 or n.hi / n.lo > ratio:
                        continue
                    by_subject[(story, subject)].append(n)
                    by_source[(story, subject, n.src)].append(n)
        order = {m: i for i, m in enumerate(self.cfg.force_measures)}
        for lst in by_subject.values():
            lst.sort(key=lambda n: (order[n.st.measure], n.mid if n.mid is not None else 10**9))
        for lst in by_source.values():
            lst.sort(key=lambda n: (order[n.st.measure], n.mid if n.mid is not None else 10**9))
        return by_subject, by_source

    def find_force(
        self,
        share: _Node,
        by_subject: Mapping[_Subject, list[_Node]],
        by_source: Mapping[tuple[str | None, str | None, str], list[_Node]],
    ) -> tuple[_Node, str] | None:
        subject = share.st.subject
        own = by_source.get((share.st.story, subject, share.src))
        if own and not share.st.own_voice:
            measure = own[0].st.measure
            cands = [n for n in own if n.st.measure == measure]
            dated = [n for n in cands if n.mid is not None and share.d1 is not None and n.mid <= share.d1]
            pick = dated[-1] if dated else cands[-1]
            return pick, "the same source's force size"
        pool = by_subject.get((share.st.story, subject))
        if not pool:
            return None
        measure = pool[0].st.measure
        limit = share.d1
        best: _Node | None = None
        for n in pool:
            if n.st.measure != measure or n.mid is None:
                continue
            if limit is not None and n.mid > limit:
                break
            if best is None or n.mid > best.mid or (n.mid == best.mid and n.rel > best.rel):  # type: ignore[operator]
                best = n
        if best is None:
            return None
        # several sources give the force size then: the median of their figures (the modal one wins)
        latest = best.mid
        assert latest is not None
        near = [
            n
            for n in pool
            if n.st.measure == measure and n.mid is not None and latest - self.cfg.window_days <= n.mid <= latest
        ]
        if len(near) > 1:
            near.sort(key=lambda n: (n.point, -n.rel, n.st.id))
            best = near[(len(near) - 1) // 2]
            return best, (
                f"the median of the {len(near)} {measure} figures of {subject} in the {self.cfg.window_days} days "
                "up to the latest one at or before the share's date"
            )
        return best, f"the latest {measure} figure of {subject} at or before the share's date"

    def share_counts(self) -> list[Statement]:
        by_subject, by_source = self.force_index()
        computed: list[Statement] = []
        for (_story, subject, measure, unit), nodes in list(self.family.items()):
            if unit != "percent" or measure in self.cfg.force_measures:
                continue
            for n in nodes:
                if not n.numeric or n.st.kind not in self.cfg.independent_kinds:
                    continue
                hit = self.find_force(n, by_subject, by_source)
                if hit is None:
                    continue
                force, why = hit
                low = n.st.low * force.lo / 100.0 if n.st.low is not None else None
                high = n.st.high * force.hi / 100.0 if n.st.high is not None else None
                st = n.st
                c = Statement(
                    id="s" + _hash("computed", st.id, force.st.id),
                    source=st.source,
                    subject=subject,
                    measure=measure,
                    location=st.location,
                    unit="persons",
                    low=low,
                    high=high,
                    qualifier="approx",
                    figure=f"{st.figure} of {fmt_num(force.point)}",
                    as_of=st.as_of,
                    kind=st.kind,
                    claims=list(st.claims),
                    docs=list(st.docs),
                    outlets=list(st.outlets),
                    first_seen=st.first_seen,
                    first_published=st.first_published,
                    computed=True,
                    note=(
                        f"{fmt_value(st.low, st.high, 'percent')} × {fmt_num(force.point)} "
                        f"({force.st.source}, {force.when}; {why}) = {fmt_value(low, high, 'persons')}"
                    ),
                    own_voice=st.own_voice,
                    figures=list(st.figures),
                    vias=list(st.vias),
                    rules=["computed_share_count"],
                    derived_from=[st.id, force.st.id],
                    date=st.date,
                    date_basis=st.date_basis,
                    story=st.story,
                )
                computed.append(c)
        return computed

    # -- step 4: per variable -----------------------------------------------------------------
    def periods(self, nodes: list[_Node]) -> list[tuple[str, list[_Node]]]:
        """Dated statements in runs of one month or ``window_days``; year-only ones by year.

        An undated statement is in no period: it is listed on its variable and compared only with the
        undated figures of its own document (``compare_undated_documents``).
        """
        dated = sorted((n for n in nodes if n.mid is not None and n.prec != "year"), key=lambda n: n.mid or 0)
        out: list[tuple[str, list[_Node]]] = []
        cur: list[_Node] = []
        for n in dated:
            if cur:
                f0 = cur[0]
                assert f0.mid is not None and n.mid is not None
                if _month_key(f0.mid) == _month_key(n.mid) or n.mid - f0.mid <= self.cfg.window_days:
                    cur.append(n)
                    continue
                out.append((self.period_label(cur), cur))
            cur = [n]
        if cur:
            out.append((self.period_label(cur), cur))
        years: dict[str, list[_Node]] = defaultdict(list)
        for n in nodes:
            if n.prec == "year" and n.d0 is not None:
                years[date.fromordinal(n.d0).strftime("%Y") + " (year only)"].append(n)
        out.extend(sorted(years.items()))
        for label, members in out:
            for n in members:
                n.st.period = label
        for n in nodes:
            if n.mid is None:
                n.st.period = None
        return out

    @staticmethod
    def period_label(members: list[_Node]) -> str:
        months = {_month_key(n.mid) for n in members if n.mid is not None}
        if len(months) == 1:
            return next(iter(months))
        lo = min(n.mid for n in members if n.mid is not None)
        hi = max(n.mid for n in members if n.mid is not None)
        return f"{_iso(lo)} to {_iso(hi)}"

    @staticmethod
    def representatives(members: list[_Node], cumulative: bool = False) -> list[_Node]:
        """One statement per source and window in a period: its latest direct figure (computed only as
        fallback); of a cumulative count given several times on that date, the largest (the total,
        the others being parts of it)."""
        reps: dict[tuple[str, tuple[str | None, str | None, str | None]], _Node] = {}
        for n in members:
            if not n.independent or not n.numeric:
                continue
            key = (n.src, _window_key(n.st))
            cur = reps.get(key)
            if cur is None:
                reps[key] = n
                continue
            size_n = n.point if cumulative and n.bounded else 0.0
            size_c = cur.point if cumulative and cur.bounded else 0.0
            key_n = (not n.st.computed, n.mid or 0, n.prec == "day", size_n)
            key_c = (not cur.st.computed, cur.mid or 0, cur.prec == "day", size_c)
            if key_n > key_c:
                reps[key] = n
        return list(reps.values())

    @staticmethod
    def dated_representatives(members: list[_Node], cumulative: bool = False) -> list[_Node]:
        """For conflicts: one statement per source, window and date (of a cumulative count given
        several times on one date, the largest: the total, the others being parts of it)."""
        reps: dict[tuple[str, tuple[str | None, str | None, str | None], int | None], _Node] = {}
        for n in members:
            if not n.independent or not n.numeric:
                continue
            key = (n.src, _window_key(n.st), n.mid)
            cur = reps.get(key)
            size_n = n.point if cumulative and n.bounded else 0.0
            size_c = (cur.point if cumulative and cur.bounded else 0.0) if cur is not None else 0.0
            if cur is None or (not n.st.computed, n.prec == "day", size_n) > (
                not cur.st.computed,
                cur.prec == "day",
                size_c,
            ):
                reps[key] = n
        return list(reps.values())

    def parts(self, nodes: list[_Node]) -> set[str]:
        """Statements that a document carrying them sets beside a larger figure of the same count: an
        outlet's own-voice figure below any figure its document reports (a day's, a place's or an
        incident's toll beside the total), or a source's figure below a later or same-day figure of
        the same source in that document. They are parts of the total, not rivals of other sources'."""
        cfg = self.cfg
        by_doc: dict[str, list[_Node]] = defaultdict(list)
        for n in nodes:
            if n.numeric and n.independent:
                for d in n.st.docs:
                    by_doc[d].append(n)
        out: set[str] = set()
        for members in by_doc.values():
            if len(members) < 2:
                continue
            top = max(m.lo if m.hi == math.inf else m.point for m in members)
            for n in members:
                if n.st.qualifier == "vague":
                    continue  # "tens of thousands" is no part of a count: it is the outlet's rival figure
                size = n.hi if n.hi != math.inf else n.lo
                if size + cfg.relative * top >= top:
                    continue
                for m in members:
                    if m is n or (m.hi == math.inf and m.lo <= size) or m.point <= size * (1 + cfg.relative):
                        continue
                    # one undated document's figures are of one time
                    same_time = (n.mid is None and m.mid is None) or (
                        n.mid is not None and m.mid is not None and m.mid >= n.mid
                    )
                    if n.st.own_voice or (
                        (m.src == n.src or _same_body(m.src, n.src, cfg.generic_source_words)) and same_time
                    ):
                        out.add(n.st.id)
                        break
        out.update(n.st.id for n in nodes if n.st.id in self.breakdowns())
        return out

    def breakdowns(self) -> set[str]:
        """The figures each document breaks a total of its into, over all subjects and places of the
        measure ("430 in government-held areas and 380 in the northwest" beside "810 in Syria")."""
        if self._breakdowns is None:
            found: set[str] = set()
            for by_doc in self.measure_docs().values():
                for figures in by_doc.values():
                    members = [n for n in figures if n.independent]
                    if len(members) >= 3:
                        found |= self.addends(members)
            # a part's sentence gives its source's figures of other measures for the same part ("SANA reported
            # 430 deaths and 1,284 injuries" in government-held areas): parts of a parallel breakdown
            part_sentences: dict[tuple[str, int], set[str]] = defaultdict(set)
            for i in found:
                for k in self.sentence_keys.get(i, ()):
                    part_sentences[(self.nodes[i].src, k)].add(self.nodes[i].st.measure)
            parallel = {
                n.st.id
                for n in self.nodes.values()
                if any(
                    part_sentences.get((n.src, k), {n.st.measure}) - {n.st.measure}
                    for k in self.sentence_keys.get(n.st.id, ())
                )
            }
            self._breakdowns = found | parallel
        return self._breakdowns

    MAX_ADDENDS = 4
    MAX_CANDIDATES = 12

    def addends(self, members: list[_Node]) -> set[str]:
        """The figures of one document that add up to another of its figures ("at least 430 in
        government-held areas ... at least 380 in the northwest" beside "810 in Syria"): a breakdown of
        that total, each a part of it. Sums of two to four exact figures (or floors), to the unit."""
        counts = [m for m in members if _summable(m) and m.point > 0]
        out: set[str] = set()
        for whole in counts:
            smaller = sorted((m for m in counts if m.point < whole.point), key=lambda m: -m.point)
            smaller = smaller[: self.MAX_CANDIDATES]
            for size in range(2, min(self.MAX_ADDENDS, len(smaller)) + 1):
                for combo in itertools.combinations(smaller, size):
                    if len({m.st.id for m in combo}) < size:
                        continue
                    total = sum(m.point for m in combo)
                    if abs(total - whole.point) < 0.5:
                        out.update(m.st.id for m in combo)
        return out

    def _as_count(self, n: _Node, cumulative: bool) -> _Node:
        """A cumulative count reported as "at least N" is compared as the count N (tolls are so stated)."""
        if cumulative and self.cfg.at_least_is_count and n.st.low is not None and n.st.high is None:
            return replace(n, lo=n.lo, hi=n.lo, point=n.lo, bounded=True)
        return n

    def _growth(self, low: _Node, high: _Node, cumulative: bool) -> bool:
        """Another source's higher figure dated later is the count's growth, not a conflict, when the
        lower one is a floor ("at least N": a later count above it does not contradict it), or in a
        cumulative count's opening days, when tolls climb by the hour."""
        if not cumulative or low.mid is None or high.mid is None:
            return False
        if low.st.low is not None and low.st.high is None and low.d1 is not None and high.d1 is not None:
            if high.prec == "month":
                # a count known only by its month may be of its month's last day: after the floor's whole date
                return low.d1 <= high.d1
            if high.mid <= low.mid or high.d0 is None:
                return False
            # a floor ("at least N") is not contradicted by a higher count given after it: after its
            # whole date (a month-only floor may be of any day of its month)
            return low.d1 <= high.d0
        if high.mid <= low.mid:
            return False
        onset = self.onset.get(low.st.story)
        return onset is not None and -2 <= low.mid - onset < self.cfg.onset_days

    def compare_period(self, var: Variable, label: str, reps: list[_Node]) -> None:
        cfg = self.cfg
        unit = var.unit
        what = _what(var)
        cumulative = var.measure in cfg.cumulative and unit in cfg.cumulative_units
        # a daily or incident figure is compared only with figures over the same window
        by_window: dict[tuple[str | None, str | None, str | None], list[_Node]] = defaultdict(list)
        for n in reps:
            by_window[_window_key(n.st)].append(n)
        tol_text = f"{fmt_num(cfg.percent_points)} points" if unit == "percent" else f"{cfg.relative:.0%}"
        for window, members in sorted(by_window.items(), key=lambda kv: tuple(x or "" for x in kv[0])):
            if len(members) < 2 or (window[0] is not None and window[1] is None):
                continue  # daily or incident counts whose window has no date: not known to be one count
            cum = cumulative and window[0] is None
            views = [self._as_count(n, cum) for n in members]
            where = label if window[0] is None else f"{label} ({_window_text(window)})"
            self._compare_views(var, what, where, label, views, {n.st.id: n for n in members}, cum, tol_text)

    def sum_of_parts(self, part: _Node, whole: _Node) -> bool:
        """The larger figure is the smaller plus another figure of the same count that one of their
        documents gives ("2,000 buried and 900 more in morgues" beside 2,900; "two with the mission and
        seven others" beside nine): a part set against its whole, not a rival count."""
        if part.point >= whole.point or not (_summable(part) and _summable(whole)):
            return False
        rest = whole.point - part.point
        by_doc = self.measure_docs().get((whole.st.story, whole.st.measure, whole.st.unit), {})
        for doc in {*part.st.docs, *whole.st.docs}:
            for other in by_doc.get(doc, ()):
                if other.st.id not in (part.st.id, whole.st.id) and _summable(other) and abs(other.point - rest) < 0.5:
                    return True
        return False

    def measure_docs(self) -> dict[tuple[str | None, str, str], dict[str, list[_Node]]]:
        """Each story's figures of one measure and unit, whatever their subject, by document (built once):
        the figures a sum may take ("nine South African and three Malawian" beside "12 peacekeepers")."""
        if self._measure_docs is None:
            index: dict[tuple[str | None, str, str], dict[str, list[_Node]]] = {}
            for (story, _subject, measure, unit), nodes in self.family.items():
                by_doc = index.setdefault((story, measure, unit), defaultdict(list))
                for n in nodes:
                    if n.numeric:
                        for d in n.st.docs:
                            by_doc[d].append(n)
            self._measure_docs = index
        return self._measure_docs

    def other_scope(self, small: float, large: float) -> bool:
        """Counts an order of magnitude apart (``scope_ratio``) count different things: a part, a day
        or an incident beside the whole ("a family of ten killed in one strike" beside a war's toll)."""
        ratio = self.cfg.scope_ratio
        return ratio > 0 and large > ratio * max(small, 1.0)

    def one_speaker(self, x: _Node, y: _Node) -> bool:
        """Both figures said by one speaker in one sentence (the same source as written): parts of one
        account ("two South Africans with the UN mission and seven others ..., it said"), never rivals,
        whatever names the extractor resolved the speaker to."""
        return bool(self.speakers.get(x.st.id, _NOBODY) & self.speakers.get(y.st.id, _NOBODY))

    def _compare_views(
        self,
        var: Variable,
        what: str,
        where: str,
        label: str,
        views: list[_Node],
        original: Mapping[str, _Node],
        cum: bool,
        tol_text: str,
    ) -> None:
        cfg = self.cfg
        unit = var.unit

        def apart(x: _Node, y: _Node) -> bool:
            if not self._rivals(x, y):
                return False  # one source's own figures, one speaker's account, or two outlets' own voices
            if not cfg.inferred_dates_conflict and (
                x.st.date_basis == "document date inferred" or y.st.date_basis == "document date inferred"
            ):
                return False
            lx, ly = x.st.location, y.st.location
            if lx and ly and lx != ly:
                # a part against its whole is no conflict, unless the part exceeds the whole
                if x.point <= y.point and _contains(ly, lx, cfg.places_within):
                    return False
                if y.point <= x.point and _contains(lx, ly, cfg.places_within):
                    return False
            if (
                x.prec == "day"
                and y.prec == "day"
                and x.mid is not None
                and y.mid is not None
                and abs(x.mid - y.mid) > cfg.window_days
            ):
                return False  # same calendar month, but further apart than a period's window
            # a vague amount ("several hundred") holds no count to set against "at least N": there the
            # bound is a bound
            if x.st.qualifier == "vague" or y.st.qualifier == "vague":
                x, y = original[x.st.id], original[y.st.id]
                if not (x.bounded and y.bounded):
                    return False
            if unit != "percent" and self.other_scope(min(x.hi, y.hi), max(x.lo, y.lo)):
                return False  # an order of magnitude apart: a part, a day or an incident, not a rival count
            if unit != "percent" and (self.sum_of_parts(x, y) or self.sum_of_parts(y, x)):
                return False  # the larger is the smaller plus a figure beside them: a part and its whole
            tol = _tolerance(x, y, unit, cfg)
            lower = x if x.point <= y.point else y
            if unit != "percent" and cum and lower.st.low is not None and lower.st.high is None:
                # the lower figure, "at least N", may undercount; a floor above the other figure excludes it
                tol = max(tol, cfg.at_least_relative * max(x.point, y.point))
            return _gap(x, y) > tol + _rounding(x) + _rounding(y)

        bounded = sorted((n for n in views if n.bounded), key=lambda n: (n.point, n.src))
        groups: list[list[_Node]] = []
        for n in bounded:
            if groups:
                anchor = groups[-1][0]
                if _gap(anchor, n) <= _tolerance(anchor, n, unit, cfg):
                    groups[-1].append(n)
                    continue
            groups.append([n])
        for g in groups:
            g = _unique_sources(g)
            if len(g) >= 2:
                spread = max(n.hi for n in g) - min(n.lo for n in g)
                self.finding(
                    "agreement",
                    "agreement_within_tolerance",
                    g,
                    f"{len(g)} independent sources agree on {what} in {where} within {tol_text}: "
                    + "; ".join(n.label for n in g)
                    + f" (spread {fmt_num(spread)}).",
                    variable=var.id,
                    period=label,
                    details={"sources": [n.src for n in g]},
                )
        # one finding per period and window: the figures that disagree, camp by camp
        pairs = [
            (x, y)
            for i, g in enumerate(groups)
            for h in groups[i + 1 :]
            for x in g
            for y in h
            if apart(x, y) and not self._growth(x, y, cum)
        ]
        if pairs:
            involved = {n.st.id for pair in pairs for n in pair}
            camps = [[n for n in g if n.st.id in involved] for g in groups]
            camps = [c for c in camps if c]
            undated = label.startswith(UNDATED_DOCUMENT)
            a, b = max(pairs, key=lambda p: _gap(p[0], p[1]) / max(_tolerance(p[0], p[1], unit, cfg), 1e-9))
            gap, tol = _gap(a, b), _tolerance(a, b, unit, cfg)
            ratio = b.point / a.point if a.point > 0 else math.inf
            rules = ["conflict_disjoint_intervals"]
            if any(n.st.low is not None and n.st.high is None for c in camps for n in c):
                rules.append("conflict_at_least_as_count")
            self.finding(
                "conflict",
                rules[0],
                [n for c in camps for n in c],
                f"Conflict on {what} in {where}: "
                + " against ".join("; ".join(n.label for n in c) for c in camps)
                + (". Independent sources in one undated document" if undated else ". Independent sources, same period")
                + f"; the furthest apart, {a.label} and {b.label}, are "
                f"{fmt_num(gap)} apart (×{ratio:.1f}), beyond the {tol_text} tolerance ({fmt_num(tol)})"
                + (
                    "; not the count's growth (the higher figures are not later, or the story is past its "
                    f"first {cfg.onset_days} days)."
                    if cum and not undated
                    else "."
                ),
                variable=var.id,
                period=label,
                details={"gap": gap, "tolerance": tol, "ratio": ratio, "rules": rules, "camps": len(camps)},
            )
        # open intervals: "at least L" against the lowest bounded high, "at most H" against the highest low
        if bounded:
            for n in views:
                if n.bounded:
                    continue
                if n.hi == math.inf:
                    cands = [
                        o
                        for o in bounded
                        if o.src != n.src and o.hi < n.lo and not self.one_speaker(n, o)
                        and not (n.st.own_voice and o.st.own_voice)
                        and not (unit != "percent" and self.other_scope(o.hi, n.lo))
                    ]
                    other = min(cands, key=lambda o: o.hi) if cands else None
                    if other is not None and self._growth(other, n, cum):
                        other = None
                else:
                    cands = [
                        o
                        for o in bounded
                        if o.src != n.src and o.lo > n.hi and not self._growth(n, o, cum) and not self.one_speaker(n, o)
                        and not (n.st.own_voice and o.st.own_voice)
                        and not (unit != "percent" and self.other_scope(n.hi, o.lo))
                    ]
                    other = max(cands, key=lambda o: o.lo) if cands else None
                if other is None:
                    continue
                gap, tol = _gap(n, other), _tolerance(other, other, unit, cfg)
                if gap > tol:
                    self.finding(
                        "conflict",
                        "conflict_open_bound",
                        [n, other],
                        f"Conflict on {what} in {where}: {n.label} excludes {other.label}; "
                        f"the bound is {fmt_num(gap)} away, beyond the {tol_text} "
                        f"tolerance ({fmt_num(tol)}).",
                        variable=var.id,
                        period=label,
                        details={"gap": gap, "tolerance": tol},
                    )

    def estimate(self, var: Variable, label: str | None, reps: list[_Node]) -> Finding | None:
        cfg = self.cfg
        # like with like: a cumulative count's estimate rests on the cumulative figures when there are any
        cumulative_reps = [n for n in reps if _window_key(n.st)[0] is None]
        reps = cumulative_reps or reps
        if not reps:
            return None
        if var.measure in cfg.cumulative and var.unit in cfg.cumulative_units and cumulative_reps:
            # a running total's figure that a later, higher one grew from (by the conflicts' own test of
            # growth: a floor, or the story's first days) is not a rival estimate of the period's count:
            # "at least 94" on the 4th beside "more than 600" on the 17th
            current = [n for n in reps if not any(m.lo >= n.point and self._growth(n, m, True) for m in reps)]
            grown_from = len(reps) - len(current) if current else 0
            reps = current or reps
        else:
            grown_from = 0
        lows = [n.lo for n in reps if n.st.low is not None]
        highs = [n.hi for n in reps if n.st.high is not None]
        low = min(lows) if lows else None
        high = max(highs) if highs else None
        points = [n.point for n in reps]
        median = statistics.median(points)
        # open bounds ("at least 30") inform low and high; the best figure comes from closed intervals
        cands = [n for n in reps if n.bounded] or reps
        ranked = sorted(cands, key=lambda n: (-n.rel, n.point))
        if len(cands) == 1:
            best_node, rule = cands[0], "estimate_single_source"
            why = f"the only {'closed ' if best_node.bounded else ''}figure: {best_node.label}"
        elif ranked[0].rel - ranked[1].rel >= cfg.reliability_margin - 1e-9:
            best_node, rule = ranked[0], "estimate_ucdp_most_reliable"
            why = (
                f"the most reliable source by the priors ({best_node.src}: {best_node.rel:.2f} against "
                f"{ranked[1].rel:.2f} next)"
            )
        else:
            best_node, rule = min(cands, key=lambda n: (n.point, -n.rel)), "estimate_ucdp_lower_figure"
            why = "the lower figure, since the sources' reliability cannot be told apart (as UCDP does)"
        best = best_node.point
        if low is None:
            low = min(points)
        if high is None:
            high = max(points)
        low = min(low, best)
        high = max(high, best)
        u = var.unit
        return self.finding(
            "estimate",
            rule,
            reps,
            f"{_what(var)} {'in ' + label if label else 'with no date known'}: low {fmt_value(low, low, u)}, best "
            f"{fmt_value(best, best, u)}, high {fmt_value(high, high, u)} from {len(reps)} independent "
            f"statement{'s' if len(reps) != 1 else ''} (each counted once however many outlets repeat it; "
            f"projections and derived figures left out"
            + (
                f"; {grown_from} earlier figure{'s' if grown_from != 1 else ''} this running total grew from "
                "left aside"
                if grown_from
                else ""
            )
            + f"). Best: {why}; low and high are the lowest and "
            f"highest reported bounds. Plain median: {fmt_value(median, median, u)}.",
            variable=var.id,
            period=label,
            low=low,
            best=best,
            high=high,
            median=median,
            details={"best_statement": best_node.st.id, "sources": len(reps)},
        )

    def compare_undated_documents(self, var: Variable, nodes: list[_Node], parts: set[str], cumulative: bool) -> None:
        """The undated figures of one document are of one time, the document's, though it is not known:
        its sources' figures are compared with each other ("at least 17, according to local media, but a
        rights group said it had counted at least 31"), never with another document's undated figures."""
        by_doc: dict[str, list[_Node]] = defaultdict(list)
        for n in nodes:
            # "31 are still missing, down from 66 at the end of last week": 66 is of an earlier time
            if n.prec == "none" and n.st.id not in parts and n.st.id not in self.earlier:
                for d in n.st.docs:
                    by_doc[d].append(n)
        seen: set[frozenset[str]] = set()
        for doc, members in sorted(by_doc.items()):
            ids = frozenset(n.st.id for n in members)
            if ids in seen:
                continue  # statements that several undated documents carry alike: compared once
            seen.add(ids)
            reps = self.dated_representatives(members, cumulative)
            if len({n.src for n in reps}) >= 2:
                self.compare_period(var, UNDATED_DOCUMENT + doc, reps)

    def over_time(self, var: Variable, estimates: list[tuple[str, Finding, list[_Node]]]) -> None:
        """Evolution between consecutive dated periods of a cumulative measure, or a fall."""
        cfg = self.cfg
        if var.measure not in cfg.cumulative or var.unit not in cfg.cumulative_units:
            return
        # only cumulative counts form an evolution: a period whose figures all count a day, a period or an
        # incident ("in February, 96 died" in another shipwreck) is no stage of the running total
        dated = [
            e
            for e in estimates
            if e[0] != "undated"
            and not e[0].endswith("(year only)")
            and any(_window_key(n.st)[0] is None for n in e[2])
        ]
        for (la, fa, na), (lb, fb, nb) in itertools.pairwise(dated):
            assert fa.best is not None and fb.best is not None and fa.low is not None and fb.high is not None
            tol = cfg.percent_points if var.unit == "percent" else cfg.relative * max(fa.best, fb.best)
            u = var.unit
            if fb.best - fa.best > tol:
                self.finding(
                    "evolution",
                    "evolution_cumulative_growth",
                    na + nb,
                    f"{_what(var)} grew from {la} (best {fmt_value(fa.best, fa.best, u)}; "
                    + "; ".join(n.label for n in na)
                    + f") to {lb} (best {fmt_value(fb.best, fb.best, u)}; "
                    + "; ".join(n.label for n in nb)
                    + "): a cumulative count rising over time is evolution, not a conflict.",
                    variable=var.id,
                    period=f"{la} → {lb}",
                    **_change(na, nb, fa.best, fb.best, la, lb),
                )
            elif (
                fa.low - fb.high > tol
                and var.measure not in cfg.can_fall
                and not self.other_scope(fb.high, fa.low)
                # a later period known only from a document's inferred date (its URL's month) may hold a
                # retrospective's earlier figures: no ground for a fall
                and any(n.st.date_basis != "document date inferred" for n in nb)
            ):
                self.finding(
                    "conflict",
                    "conflict_cumulative_fell",
                    na + nb,
                    f"{_what(var)} is a cumulative count, yet every figure for {lb} "
                    f"(at most {fmt_value(fb.high, fb.high, u)}) is below every figure for {la} "
                    f"(at least {fmt_value(fa.low, fa.low, u)}), from different sources.",
                    variable=var.id,
                    period=f"{la} → {lb}",
                )

    def same_source(self, var: Variable, nodes: list[_Node]) -> None:
        """A source's own series: growth (evolution) or a later, lower figure (revision)."""
        cfg = self.cfg
        by_src: dict[tuple[str, tuple[str | None, str | None, str | None]], list[_Node]] = defaultdict(list)
        for n in nodes:
            if n.numeric and n.independent and not n.st.computed and n.mid is not None:
                by_src[(n.src, _window_key(n.st))].append(n)
        for (src, window), series in by_src.items():
            if window[0] is not None and window[1] is not None:
                continue  # dated windows: each its own count, not a series
            cumulative = var.measure in cfg.cumulative and var.unit in cfg.cumulative_units and window[0] is None
            if len(series) < 2:
                continue
            series.sort(key=lambda n: (n.mid or 0, n.st.first_published or "", n.point))
            for a, b in itertools.pairwise(series):
                tol = _tolerance(a, b, var.unit, cfg)
                label = f"{a.st.period} → {b.st.period}" if a.st.period != b.st.period else a.st.period
                if _gap(a, b) <= tol:
                    continue
                same_time = a.mid == b.mid
                if cumulative and b.lo > a.hi and not same_time:
                    self.finding(
                        "evolution",
                        "evolution_same_source_growth",
                        [a, b],
                        f"{src} raised its {var.measure} figure for {var.subject} from {a.value_text} "
                        f"({a.when}) to {b.value_text} ({b.when}): its cumulative count grew.",
                        variable=var.id,
                        period=label,
                        **_change([a], [b], a.point, b.point, a.st.date, b.st.date),
                    )
                elif same_time:
                    self.finding(
                        "revision",
                        "revision_same_source_same_date",
                        [a, b],
                        f"{src} gives two figures for {var.subject} · {var.measure} at {a.when}: "
                        f"{a.value_text} and {b.value_text}; "
                        "which one is current cannot be told from the dates.",
                        variable=var.id,
                        period=label,
                        **_change([a], [b], a.point, b.point, a.st.date, b.st.date),
                    )
                else:
                    rule = "revision_same_source_lower" if cumulative else "revision_same_source_update"
                    why = (
                        "a later, lower figure of a cumulative count from the same source "
                        "revises the earlier one"
                        if cumulative
                        else "the later figure from the same source replaces the earlier one"
                    )
                    self.finding(
                        "revision",
                        rule,
                        [a, b],
                        f"{src}: {var.subject} · {var.measure} {a.value_text} ({a.when}) then "
                        f"{b.value_text} ({b.when}): {why}.",
                        variable=var.id,
                        period=label,
                        **_change([a], [b], a.point, b.point, a.st.date, b.st.date),
                    )

    def per_variable(self) -> None:
        # a story's onset: its first publication (else its first dated figure, whatever it counts)
        first_figure: dict[str | None, int] = {}
        for n in self.nodes.values():
            pub = parse_as_of(n.st.first_published)
            if pub is not None and pub[2] == "day":
                cur = self.onset.get(n.st.story)
                if cur is None or pub[0] < cur:
                    self.onset[n.st.story] = pub[0]
            if n.mid is not None and n.prec != "year":
                cur = first_figure.get(n.st.story)
                if cur is None or n.mid < cur:
                    first_figure[n.st.story] = n.mid
        for story, mid in first_figure.items():
            self.onset.setdefault(story, mid)
        for vid, nodes in self.var_nodes.items():
            var = self.variables[vid]
            nodes.sort(key=lambda n: (n.mid is None, n.mid or 0, n.point, n.st.id))
            var.statements = [n.st.id for n in nodes]
            estimates: list[tuple[str, Finding, list[_Node]]] = []
            cumulative = var.measure in self.cfg.cumulative and var.unit in self.cfg.cumulative_units
            periods = self.periods(nodes)
            parts = self.parts(nodes) if cumulative else set()
            for label, members in periods:
                reps = self.representatives(members, cumulative)
                if len(reps) >= 2:
                    whole = [n for n in members if n.st.id not in parts]
                    self.compare_period(var, label, self.dated_representatives(whole, cumulative))
                est = self.estimate(var, label, reps)
                if est is not None:
                    estimates.append((label, est, reps))
            self.compare_undated_documents(var, nodes, parts, cumulative)
            if not periods:
                # no date at all: the figures are summed up, never compared as if of one period
                self.estimate(var, None, self.representatives(nodes, cumulative))
            self.over_time(var, estimates)
            self.same_source(var, nodes)

    def check_parts_exceed_whole(self) -> None:
        """A group's count above another source's count of everyone (``whole_subject``) for the same measure,
        place and time: the part exceeds the whole ("at least 31 civilians" killed against "at least 17
        people"), a conflict however the two are split into variables."""
        cfg = self.cfg
        whole = cfg.whole_subject
        if whole is None:
            return
        for (story, subject, measure, unit), parts in list(self.family.items()):
            if subject in (None, whole) or unit != "persons" or measure not in cfg.cumulative:
                continue
            wholes = self.family.get((story, whole, measure, unit))
            if not wholes:
                continue
            counted = [
                n for n in wholes if n.numeric and n.independent and not n.st.computed and n.st.qualifier != "vague"
            ]
            found: dict[tuple[str, str, str], tuple[float, float, float, _Node, _Node]] = {}
            is_largest: dict[tuple[str, str], bool] = {}  # (whole, time) -> no count of everyone above it then
            for x in parts:
                if not (x.numeric and x.independent) or x.st.computed or x.st.qualifier == "vague":
                    continue
                for y in counted:
                    when = self._same_time(x, y)
                    if when is None or not self._rivals(x, y) or self.other_scope(y.lo, x.lo):
                        continue
                    # the whole is the largest count of everyone at that time: a smaller one counts a place,
                    # a day or an incident ("seven killed in one town"), not the whole
                    largest = is_largest.get((y.st.id, when))
                    if largest is None:
                        largest = is_largest[(y.st.id, when)] = not any(
                            self._same_time(z, y) == when and z.lo > y.point for z in counted
                        )
                    if not largest:
                        continue
                    lx, ly = self.variables[x.var].location, self.variables[y.var].location
                    if lx and ly and lx != ly:
                        continue
                    top = self._as_count(y, True)
                    tol = cfg.relative * x.point
                    if y.st.low is not None and y.st.high is None:
                        tol = max(tol, cfg.at_least_relative * x.point)  # "at least N" may undercount
                    excess = x.lo - top.hi
                    if excess > tol and not self._growth(y, x, True):
                        key = (x.var, y.var, when)
                        if key not in found or excess > found[key][0]:
                            found[key] = (excess, tol, top.hi, x, y)
            for (_xv, _yv, when), (excess, tol, whole_count, x, y) in sorted(found.items()):
                var = self.variables[x.var]
                self.finding(
                    "conflict",
                    "conflict_part_exceeds_whole",
                    [x, y],
                    f"Conflict on {measure} in {when}: {x.label} counts more {subject} alone than "
                    f"{y.label} counts {whole} in all ({fmt_num(excess)} more): a part cannot exceed its whole.",
                    variable=var.id,
                    period=when,
                    details={
                        "gap": excess,
                        "tolerance": tol,
                        "ratio": x.lo / whole_count if whole_count > 0 else math.inf,
                        "part": subject,
                        "whole": whole,
                    },
                )

    def _same_time(self, x: _Node, y: _Node) -> str | None:
        """The period two figures share (a dated one within ``window_days``, or one undated document)."""
        if x.mid is None and y.mid is None and x.prec == y.prec == "none":
            doc = next((d for d in x.st.docs if d in y.st.docs), None)
            return UNDATED_DOCUMENT + doc if doc is not None else None
        if x.mid is None or y.mid is None or x.prec == "year" or y.prec == "year":
            return None
        if x.st.period is None or x.st.period != y.st.period or abs(x.mid - y.mid) > self.cfg.window_days:
            return None
        return x.st.period

    def _rivals(self, x: _Node, y: _Node) -> bool:
        """Two figures whose sources could disagree: not one body (its own figures are revision or evolution),
        not one speaker's account in one sentence ("two ... and seven others, it said"), not two outlets'
        unattributed figures (not known to come from independent sources)."""
        if x.src == y.src or _same_body(x.src, y.src, self.cfg.generic_source_words) or self.one_speaker(x, y):
            return False
        return not (x.st.own_voice and y.st.own_voice)

    # -- step 5: arithmetic checks -------------------------------------------------------------
    def _nearest(self, anchor: _Node, pool: Iterable[_Node], k: int) -> list[_Node]:
        cands = [n for n in pool if _same_period(anchor, n, self.cfg)]
        cands.sort(key=lambda n: (abs((n.mid or 0) - (anchor.mid or 0)), -n.rel, n.st.id))
        return cands[:k]

    def _window(self, index: _TimeIndex, anchor: _Node) -> list[_Node]:
        """The nodes of a time-sorted pool that can share the anchor's period (bounded by bisection)."""
        if anchor.mid is None or anchor.prec == "year":
            return index.undated if anchor.mid is None else index.nodes
        reach = self.cfg.window_days + 31
        lo = bisect.bisect_left(index.mids, anchor.mid - reach)
        hi = bisect.bisect_right(index.mids, anchor.mid + reach)
        return index.nodes[lo:hi]

    def check_shares(self) -> None:
        cfg = self.cfg
        by_subject, by_source = self.force_index()
        for (story, subject, measure, unit), nodes in list(self.family.items()):
            if unit != "percent":
                continue
            counts = [
                n
                for n in self.family.get((story, subject, measure, "persons"), [])
                if n.bounded and not n.st.computed and n.st.kind != "projection"
            ]
            if not counts:
                continue
            for share in nodes:
                if not share.bounded:
                    continue
                if share.st.kind == "derived":
                    docs = set(share.st.docs)
                    pool = [n for n in counts if docs.intersection(n.st.docs)]
                    basis = "a count carried by the same document"
                else:
                    pool = [n for n in counts if n.src == share.src]
                    basis = "the same source's count"
                if not pool:
                    continue
                near = self._nearest(share, pool, 1) or sorted(pool, key=lambda n: -(n.mid or 0))[:1]
                count = near[0]
                hit = self.find_force(share, by_subject, by_source)
                if hit is None:
                    continue
                force, why = hit
                if force.point <= 0:
                    continue
                ratio = count.point / force.point * 100.0
                diff = abs(ratio - share.point)
                ok = diff <= cfg.share_points + (share.hi - share.lo) / 2
                arith = (
                    f"{fmt_num(count.point)} / {fmt_num(force.point)} = {ratio:.1f}% vs "
                    f"{fmt_num(share.point)}% stated: {'within' if ok else 'beyond'} "
                    f"{fmt_num(cfg.share_points)} points ({diff:.1f} apart)"
                )
                others = sorted(
                    {n.point for n in by_subject.get((story, subject), []) if n.st.measure == force.st.measure}
                )
                alt = ""
                if len(others) > 1:
                    lo_pct = count.point / others[-1] * 100
                    hi_pct = count.point / others[0] * 100
                    alt = (
                        f" Against the other force sizes reported ({fmt_num(others[0])}–"
                        f"{fmt_num(others[-1])}) it would be {lo_pct:.1f}%–{hi_pct:.1f}%."
                    )
                self.finding(
                    "check",
                    "check_share",
                    [share, count, force],
                    f"Share check for {subject} · {measure}: {share.label} against {basis} "
                    f"({count.label}) and {why} ({force.label}): {arith}.{alt}",
                    variable=share.var,
                    period=share.st.period,
                    passed=ok,
                    arithmetic=arith,
                )

    def check_sums(self) -> None:
        cfg = self.cfg
        for total, parts in cfg.sums.items():
            subjects = {(st, s) for (st, s, m, u) in self.family if m == parts[0] and u == "persons"}
            for story, subject in sorted(subjects, key=lambda k: (k[0] or "", k[1] or "")):
                part_nodes = []
                for p in parts:
                    pn = [
                        n
                        for n in self.family.get((story, subject, p, "persons"), [])
                        if n.bounded and n.independent and not n.st.computed
                    ]
                    part_nodes.append(pn)
                if not all(part_nodes):
                    continue
                totals = [
                    n
                    for n in self.family.get((story, subject, total, "persons"), [])
                    if n.numeric and n.independent and not n.st.computed
                ]
                if not totals:
                    continue
                total_index = _TimeIndex(totals)
                by_src: list[dict[str, list[_Node]]] = []
                for pn in part_nodes:
                    d: dict[str, list[_Node]] = defaultdict(list)
                    for n in pn:
                        d[n.src].append(n)
                    by_src.append(d)
                for src, firsts in by_src[0].items():
                    for a in firsts:
                        combo = [a]
                        for d in by_src[1:]:
                            near = self._nearest(a, d.get(src, []), 1)
                            if not near:
                                break
                            combo.append(near[0])
                        if len(combo) != len(parts):
                            continue
                        s = sum(n.point for n in combo)
                        near_totals = self._window(total_index, a)
                        own = self._nearest(a, [t for t in near_totals if t.src == src], 1)
                        against = own or self._nearest(
                            a, [t for t in near_totals if t.src != src], cfg.max_comparisons
                        )
                        for t in against:
                            tol = cfg.sum_relative * max(s, t.point)
                            gap = max(0.0, t.lo - s, s - t.hi)
                            ok = gap <= tol
                            terms = " + ".join(fmt_num(n.point) for n in combo)
                            arith = (
                                f"{terms} = {fmt_num(s)} vs {fmt_value(t.st.low, t.st.high, 'persons')} "
                                f"({t.src}): {'within' if ok else 'beyond'} {cfg.sum_relative:.0%} "
                                f"(gap {fmt_num(gap)})"
                            )
                            scope = (
                                "the same source's total"
                                if t.src == src
                                else "another source's total in the same period"
                            )
                            self.finding(
                                "check",
                                "check_sum",
                                [*combo, t],
                                f"Sum check, {' + '.join(parts)} = {total} for {subject}: {src}'s "
                                + ", ".join(f"{n.st.measure} {n.value_text} ({n.when})" for n in combo)
                                + f" against {scope}, {t.label}: {arith}. A {total} total may also count "
                                "missing and captured, so a sum below it is not necessarily an error.",
                                variable=t.var,
                                period=t.st.period,
                                subject=subject,
                                measure=total,
                                passed=ok,
                                arithmetic=arith,
                            )

    def rate_start(self, rate: _Node) -> tuple[int, str] | None:
        """When a rate's period starts: its sentence ("since early December"), else the earliest count."""
        words = self.cfg.period_day_words
        limit = rate.d1
        window_start = parse_as_of(rate.st.window_start)
        if window_start is not None and (limit is None or window_start[0] <= limit):
            return window_start[0], f"the start of the window the rate counts over ({rate.st.window_start})"
        for sentence in self.sentences.get(rate.st.id, []):
            for m in _RE_SINCE.finditer(sentence):
                month = _MONTHS.get(m.group(2).lower())
                if month is None or limit is None:
                    continue
                day = int(m.group(3)) if m.group(3) else words.get((m.group(1) or "").lower(), 1)
                year = date.fromordinal(limit).year
                for y in (int(m.group(4)),) if m.group(4) else (year, year - 1):
                    try:
                        start = date(y, month, min(day, calendar.monthrange(y, month)[1])).toordinal()
                    except ValueError:
                        continue
                    if start <= limit:
                        return start, f"the sentence's '{m.group(0).strip()}' ({_iso(start)})"
        key = (rate.st.story, rate.st.subject, rate.st.measure)
        if key not in self.earliest:
            counts = [
                n
                for n in self.family.get((rate.st.story, rate.st.subject, rate.st.measure, "persons"), [])
                if n.d0 is not None and n.prec != "year" and n.st.kind != "projection"
            ]
            self.earliest[key] = min(counts, key=lambda n: n.d0 or 0) if counts else None
        first = self.earliest[key]
        if first is None or first.d0 is None:
            return None
        return first.d0, (
            f"{_iso(first.d0)}, the start of the earliest dated {rate.st.measure} figure ({first.label}), "
            "since the sentence gives no start"
        )

    def check_rates(self) -> None:
        cfg = self.cfg
        for (story, subject, measure, unit), rates in list(self.family.items()):
            if unit != "persons_per_day":
                continue
            counts = [
                n
                for n in self.family.get((story, subject, measure, "persons"), [])
                if n.numeric and n.independent and not n.st.computed and n.mid is not None
            ]
            count_index = _TimeIndex(counts)
            for rate in rates:
                if not rate.bounded or rate.mid is None or rate.st.kind == "projection":
                    continue
                start = self.rate_start(rate)
                if start is None:
                    continue
                s0, why = start
                pool = [n for n in self._window(count_index, rate) if n.mid is not None and n.mid - s0 >= 7]
                for c in self._nearest(rate, pool, cfg.max_comparisons):
                    assert c.mid is not None
                    days = c.mid - s0
                    expected = rate.point * days
                    tol = cfg.rate_relative * max(expected, c.point)
                    gap = max(0.0, c.lo - expected, expected - c.hi)
                    ok = gap <= tol
                    arith = (
                        f"{fmt_num(rate.point)}/day × {days} days ({_iso(s0)} → {_iso(c.mid)}) = "
                        f"{fmt_num(expected)} vs {fmt_value(c.st.low, c.st.high, 'persons')} ({c.src}): "
                        f"{'within' if ok else 'beyond'} {cfg.rate_relative:.0%} (gap {fmt_num(gap)})"
                    )
                    self.finding(
                        "check",
                        "check_rate",
                        [rate, c],
                        f"Rate check for {subject} · {measure}: {rate.label} against the cumulative count "
                        f"{c.label}: {arith}. Assumes a constant rate from {why}; a month-only date is "
                        "taken at mid-month.",
                        variable=c.var,
                        period=c.st.period,
                        passed=ok,
                        arithmetic=arith,
                    )

    def check_projections(self) -> None:
        cfg = self.cfg
        for (story, subject, measure, unit), nodes in list(self.family.items()):
            if unit != "persons":
                continue
            rates = [
                n
                for n in self.family.get((story, subject, measure, "persons_per_day"), [])
                if n.bounded and n.point > 0 and n.mid is not None
            ]
            if not rates:
                continue
            for p in nodes:
                if p.st.kind != "projection" or not p.numeric or p.d0 is None or p.d1 is None:
                    continue
                same = [r for r in rates if r.src == p.src]
                pool = same or rates
                rate = min(pool, key=lambda r: (abs((r.mid or 0) - (p.mid or 0)), r.st.id))
                start = self.rate_start(rate)
                if start is None:
                    continue
                s0, why = start
                days = p.point / rate.point
                when = s0 + round(days)
                lo, hi = p.d0 - cfg.projection_days, p.d1 + cfg.projection_days
                ok = lo <= when <= hi
                off = 0 if p.d0 <= when <= p.d1 else min(abs(when - p.d0), abs(when - p.d1))
                arith = (
                    f"{fmt_num(p.point)} / {fmt_num(rate.point)} a day = {days:.0f} days; {_iso(s0)} + "
                    f"{days:.0f} days = {_iso(when)} vs {p.st.as_of or p.st.date} stated: "
                    + ("within the stated date" if off == 0 else f"{off} days off")
                    + f" (tolerance {cfg.projection_days} days)"
                )
                self.finding(
                    "check",
                    "check_projection",
                    [p, rate],
                    f"Projection check for {subject} · {measure}: {p.label} at {rate.label}: {arith}. "
                    f"Assumes a constant rate from {why}, and no reinforcement.",
                    variable=p.var,
                    period=p.st.period,
                    passed=ok,
                    arithmetic=arith,
                )


@without_gc  # builds many long-lived records and no cycles: the collector would only walk them
def reconcile(
    claims: Iterable[Claim],
    docs: Mapping[str, DocLike] | None = None,
    config: ReconcileConfig | None = None,
) -> Reconciliation:
    """Statements, variables with timelines, and findings (conflicts, evolution, checks, estimates)."""
    cfg = config or load_config()
    docs = docs or {}
    built, _ = _build_statements(claims, docs, cfg.places_within, cfg.generic_source_words, cfg.not_source_names)
    statements = [st for st, _ in built]
    r = _Reconciler(cfg)
    breakdown, earlier = _sentence_cues(cfg.breakdown_words, cfg.earlier_cues, cfg.earlier_right_before)
    for st, members in built:
        # who says it where: one speaker's figures in one sentence are a breakdown, never rivals
        said = {hash((m.doc, m.sentence, m.source_text.lower())) for m in members if m.sentence and m.source_text}
        # "... who reported 1,200 and 800 respectively": one sentence pairing figures with distinct things
        if breakdown is not None:
            said.update(hash((m.doc, m.sentence)) for m in members if m.sentence and breakdown.search(m.sentence))
        if said:
            r.speakers[st.id] = frozenset(said)
        r.sentence_keys[st.id] = frozenset(hash((m.doc, m.sentence)) for m in members if m.sentence)
        if earlier is not None and any(_written_as_earlier(m, earlier) for m in members):
            r.earlier.add(st.id)
        if st.unit == "persons_per_day":
            sents = [m.sentence for m in members if m.sentence]
            if sents:
                r.sentences[st.id] = sents
    r.build_variables(statements)
    computed = r.share_counts()
    if computed:
        r.build_variables(computed)
        statements.extend(computed)
    r.per_variable()
    r.check_parts_exceed_whole()
    r.check_shares()
    r.check_sums()
    r.check_rates()
    r.check_projections()
    variables = sorted(
        r.variables.values(), key=lambda v: (v.story or "", v.subject or "", v.measure, v.unit, v.location or "")
    )
    statements.sort(key=lambda s: (s.variable or "", s.date or "9999", s.id))
    return Reconciliation(statements=statements, variables=variables, findings=r.findings, config=cfg)
