"""The one presentation layer: claims, statements and findings as an analyst reads them.

The report, the web app and the CLI show the same things; they all take their words, numbers
and dates from here, so a figure, a date or a title reads the same wherever it appears:

- dates: ``13 Jan 2025 (stated)`` / ``Jan 2025 (published)`` / ``2025 (inferred)``; ``undated``
- values: ``300``, ``200–900``, ``≥ 790,000``, ``≤ 50``, ``36%``, ``92 a day``
- counts: ``1 claim``, ``2 claims``
- titles: ``North Korean forces · killed``; outlets and sources without internal names
- findings: a short sentence built from their typed fields (the conflict's two sides, the
  estimate's best statement), the reconcile rule id kept for a tooltip or a details row.

Nothing here reads the ledger or computes a finding; it only turns records into text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from crosscount.models import UNDATED_DOCUMENT, Finding, Statement, Variable

__all__ = [
    "ConflictRow",
    "Counts",
    "EstimateRow",
    "basis_word",
    "change_sentence",
    "clean_text",
    "conflict_row",
    "count_of",
    "counts",
    "date_text",
    "estimate_row",
    "finding_sentence",
    "finding_title",
    "num",
    "outlet_name",
    "period_key",
    "period_text",
    "plural",
    "source_name",
    "statement_when",
    "value",
    "variable_title",
    "when",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_ISO_IN = re.compile(r"\b(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\b")
_PERIOD_START = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)")
_OWN_VOICE = re.compile(r"^own voice of (.+)$")
_FILE_LIKE = re.compile(r"\.(?:txt|md|html?|jsonl?|csv|parquet)$|^[0-9a-f_]{8,}", re.IGNORECASE)

# How each basis of a timeline date is said to the analyst.
_BASIS = {
    "as_of": "stated",
    "stated": "stated",
    "published": "published",
    "document date inferred": "inferred",
    "inferred": "inferred",
}

_UNIT_TITLE = {"persons": "", "percent": " (share)", "persons_per_day": " (per day)"}

_PLURALS = {"match": "matches", "is": "are", "was": "were", "this": "these", "analysis": "analyses"}


# --------------------------------------------------------------------------------------------
# Words and numbers


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 claim``, ``2 claims``, ``0 claims``; ``many`` for irregular plurals."""
    return f"{n:,} {word if n == 1 else (many or count_of(word))}"


def count_of(word: str) -> str:
    """The plural of a noun as used here (claims, statements, matches, sources)."""
    if word in _PLURALS:
        return _PLURALS[word]
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def num(x: float | None, unit: str = "persons") -> str:
    """A number as a reader writes it: persons whole (8,500), shares to one decimal at most."""
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return "–"
    if unit in ("persons", "persons_per_day") and abs(x) >= 10:
        return f"{round(x):,}"
    if abs(x - round(x)) < 0.05:
        return f"{round(x):,}"
    return f"{x:,.1f}"


def value(low: float | None, high: float | None, unit: str = "persons") -> str:
    """An interval as a reader writes it: ``300``; ``200–900``; ``≥ 790,000``; ``≤ 50``; ``36%``."""
    suffix = "%" if unit == "percent" else (" a day" if unit == "persons_per_day" else "")
    if low is not None and high is not None:
        same = num(low, unit) == num(high, unit)
        text = num(low, unit) if same else f"{num(low, unit)}–{num(high, unit)}"
    elif low is not None:
        text = f"≥ {num(low, unit)}"
    elif high is not None:
        text = f"≤ {num(high, unit)}"
    else:
        return "–"
    return text + suffix


# --------------------------------------------------------------------------------------------
# Dates


def date_text(iso: str | None) -> str:
    """``2025-01-13`` -> ``13 Jan 2025``; ``2025-01`` -> ``Jan 2025``; ``2025``; None -> ``undated``."""
    if not iso:
        return "undated"
    m = _ISO.match(iso.strip())
    if not m:
        return iso
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month is None:
        return year
    mi = int(month)
    if not 1 <= mi <= 12:
        return iso
    if day is None:
        return f"{_MONTHS[mi - 1]} {year}"
    return f"{int(day)} {_MONTHS[mi - 1]} {year}"


def basis_word(basis: str | None) -> str:
    """Where a timeline date comes from, in the analyst's words: stated, published or inferred."""
    if not basis:
        return ""
    return _BASIS.get(basis, basis.replace("_", " "))


def when(iso: str | None, basis: str | None = None) -> str:
    """``13 Jan 2025 (stated)``, ``Jan 2025 (published)``, ``2025 (inferred)``, or ``undated``."""
    if not iso:
        return "undated"
    word = basis_word(basis)
    return f"{date_text(iso)} ({word})" if word else date_text(iso)


def statement_when(st: Statement) -> str:
    """The date a statement sits at on the timeline, with where it comes from."""
    if st.as_of:
        return when(st.as_of, "as_of")
    return when(st.date, st.date_basis)


def period_key(period: str | None) -> tuple[int, str]:
    """Order periods so that the latest dated one sorts last and undated ones first."""
    m = _PERIOD_START.match(period or "")
    return (1, m.group(1)) if m else (0, period or "")


def period_text(period: str | None) -> str:
    """A reconcile period as a reader says it: ``Jan 2025``, ``2024``, ``Oct 2024 → Jan 2025``, ``undated ·
    <document>`` for the figures of one undated document."""
    if not period:
        return "undated"
    if period.startswith(UNDATED_DOCUMENT):
        return "undated · " + period.removeprefix(UNDATED_DOCUMENT)
    out = _ISO_IN.sub(lambda m: date_text(m.group(0)), period)
    return out.replace(" (year only)", "").replace(" to ", " – ")


# --------------------------------------------------------------------------------------------
# Names


def variable_title(var: Variable | Mapping[str, Any], *, with_location: bool = False) -> str:
    """``North Korean forces · killed``, ``… · casualties (share)``, ``… · casualties (per day)``."""
    get = var.get if isinstance(var, Mapping) else lambda k: getattr(var, k)
    subject = get("subject") or "unnamed group"
    unit = str(get("unit") or "persons")
    tail = _UNIT_TITLE.get(unit, f" ({unit.replace('_', ' ')})")
    place = f", {get('location')}" if with_location and get("location") else ""
    return f"{subject} · {get('measure')}{tail}{place}"


def outlet_name(outlet: str | None, url: str | None = None) -> str:
    """The outlet as named, else the web site it came from, else ``unnamed outlet``."""
    if outlet and outlet.strip():
        return outlet.strip()
    if url:
        host = urlsplit(url).hostname or ""
        if host:
            return host.removeprefix("www.")
    return "unnamed outlet"


def source_name(source: str | None, outlets: Sequence[str | None] = ()) -> str:
    """Who asserts it, for the analyst: a named source, or the outlet speaking in its own voice."""
    if not source:
        return "no named source"
    m = _OWN_VOICE.match(source)
    if not m:
        return source
    who = m.group(1)
    if _FILE_LIKE.search(who):
        named = next((o for o in outlets if o), None)
        return f"{named} (own reporting)" if named else "the outlet's own reporting"
    return f"{who} (own reporting)"


# --------------------------------------------------------------------------------------------
# Counts: the same numbers in the report, the app and the CLI


@dataclass(slots=True, frozen=True)
class Counts:
    """What a ledger holds, counted one way everywhere."""

    documents: int
    claims: int
    statements: int
    sources: int
    variables: int
    conflicts: int

    def line(self) -> str:
        return " · ".join(
            [
                plural(self.documents, "document"),
                plural(self.claims, "claim"),
                plural(self.statements, "statement"),
                plural(self.sources, "source"),
                plural(self.variables, "variable"),
                plural(self.conflicts, "conflict"),
            ]
        )


def counts(
    documents: int,
    statements: Iterable[Statement],
    variables: int,
    findings: Iterable[Finding],
) -> Counts:
    """Documents as stored; claims and sources of the statements as read; all stored statements."""
    sts = list(statements)
    claims = sum(len(s.claims) for s in sts if not s.computed)
    sources = len({s.source for s in sts if s.source and not s.computed})
    return Counts(
        documents=documents,
        claims=claims,
        statements=len(sts),
        sources=sources,
        variables=variables,
        conflicts=sum(1 for f in findings if f.type == "conflict"),
    )


# --------------------------------------------------------------------------------------------
# Findings


def finding_title(f: Finding) -> str:
    """The tooltip of a finding: the rule that produced it and its id, for whoever audits it."""
    return f"rule {f.rule} · finding {f.id}"


def _point(st: Statement) -> float:
    if st.low is not None and st.high is not None:
        return (st.low + st.high) / 2
    return st.low if st.low is not None else (st.high if st.high is not None else 0.0)


def _said(st: Statement) -> str:
    return f"{source_name(st.source, st.outlets)}: {value(st.low, st.high, st.unit)} ({statement_when(st)})"


@dataclass(slots=True, frozen=True)
class ConflictRow:
    """One conflict as a table row: the two sides, the gap between them, and why it counts."""

    id: str
    variable: str | None
    period: str
    side_a: list[Statement]
    side_b: list[Statement]
    gap: str
    why: str
    rule: str


def _sides(f: Finding, sts: Sequence[Statement]) -> tuple[list[Statement], list[Statement]]:
    """The two sides of a conflict: the typed sides when the finding has them, else split at the gap."""
    by_id = {s.id: s for s in sts}
    typed = f.details.get("sides") if isinstance(f.details, dict) else None
    if isinstance(typed, (list, tuple)) and len(typed) == 2:
        a = [by_id[i] for i in typed[0] if i in by_id]
        b = [by_id[i] for i in typed[1] if i in by_id]
        if a and b:
            return a, b
    ordered = sorted(sts, key=_point)
    if len(ordered) < 2:
        return ordered, []
    gaps = [(_point(ordered[i + 1]) - _point(ordered[i]), i) for i in range(len(ordered) - 1)]
    _, cut = max(gaps)
    return ordered[: cut + 1], ordered[cut + 1 :]


def conflict_row(f: Finding, statements: Mapping[str, Statement]) -> ConflictRow:
    """A conflict as A | B | gap | why, from its statements and its typed gap and tolerance."""
    sts = [statements[i] for i in f.statements if i in statements]
    a, b = _sides(f, sts)
    unit = sts[0].unit if sts else "persons"
    gap_v = f.details.get("gap") if isinstance(f.details, dict) else None
    tol = f.details.get("tolerance") if isinstance(f.details, dict) else None
    ratio = f.details.get("ratio") if isinstance(f.details, dict) else None
    points = unit == "percent"
    gap = "–"
    if isinstance(gap_v, (int, float)):
        gap = f"{num(gap_v, unit)}{' points' if points else ''}"
        if isinstance(ratio, (int, float)) and ratio > 1:
            gap += f" (×{ratio:.1f})"
    undated = (f.period or "").startswith(UNDATED_DOCUMENT)
    why = "independent sources in one undated document" if undated else "independent sources, same period"
    details = f.details if isinstance(f.details, dict) else {}
    if f.rule == "conflict_part_exceeds_whole" and details.get("part") and details.get("whole"):
        why = f"a count of {details['part']} above another source's count of all {details['whole']}, " + (
            "in one undated document" if undated else "same period"
        )
    if isinstance(tol, (int, float)):
        why += f"; beyond the tolerance of {num(tol, unit)}{' points' if points else ''}"
    return ConflictRow(
        id=f.id,
        variable=f.variable,
        period=period_text(f.period),
        side_a=a,
        side_b=b,
        gap=gap,
        why=why,
        rule=f.rule,
    )


@dataclass(slots=True, frozen=True)
class EstimateRow:
    """An estimate as the analyst reads it: low / best / high with open bounds shown as such."""

    id: str
    period: str
    low: str
    best: str
    high: str
    median: str
    best_by: str  # the best figure's source and date
    sentence: str
    rule: str
    statements: int


def estimate_row(f: Finding, statements: Mapping[str, Statement], unit: str) -> EstimateRow:
    """Low / best / high of an estimate; a bound that only an open figure gives reads ``≥`` / ``≤``."""
    sts = [statements[i] for i in f.statements if i in statements]
    high_open = f.high is not None and any(s.high is None and s.low is not None and s.low >= f.high - 1e-9 for s in sts)
    low_open = f.low is not None and any(s.low is None and s.high is not None and s.high <= f.low + 1e-9 for s in sts)
    best_id = f.details.get("best_statement") if isinstance(f.details, dict) else None
    best_st = statements.get(best_id) if isinstance(best_id, str) else None
    best = value(f.best, f.best, unit) if f.best is not None else "–"
    if best_st is not None and f.best is not None and best_st.high is None and best_st.low is not None:
        best = value(f.best, None, unit)
    low = value(None, f.low, unit) if low_open else (value(f.low, f.low, unit) if f.low is not None else "–")
    high = value(f.high, None, unit) if high_open else (value(f.high, f.high, unit) if f.high is not None else "–")
    best_by = ""
    if best_st is not None:
        best_by = f"{source_name(best_st.source, best_st.outlets)}, {statement_when(best_st)}"
    n = len(sts)
    each = f"{plural(n, 'statement')}, each counted once however many outlets repeat it"
    if "single" in f.rule:
        sentence = f"Only one closed figure: {best_by or 'one statement'}; low and high from {each}."
    elif "reliable" in f.rule:
        sentence = (
            f"Best from {best_by}, the source the reliability priors rate highest; low and high are the "
            f"lowest and highest of {each}."
        )
    elif "lower" in f.rule:
        sentence = (
            f"The sources' reliability cannot be told apart, so the best is the lower figure "
            f"({best_by}); low and high from {each}."
        )
    else:
        sentence = f"From {each}."
    return EstimateRow(
        id=f.id,
        period=period_text(f.period),
        low=low,
        best=best,
        high=high,
        median=value(f.median, f.median, unit) if f.median is not None else "–",
        best_by=best_by,
        sentence=sentence,
        rule=f.rule,
        statements=n,
    )


def finding_sentence(f: Finding, statements: Mapping[str, Statement]) -> str:
    """One plain sentence for a finding, made from its typed fields; its own text when none fits."""
    sts = [statements[i] for i in f.statements if i in statements]
    if f.type == "conflict" and len(sts) >= 2:
        row = conflict_row(f, statements)
        a = "; ".join(_said(s) for s in row.side_a)
        b = "; ".join(_said(s) for s in row.side_b)
        return f"{row.period}: {a} — against {b}. Gap {row.gap}, {row.why}."
    if f.type == "agreement" and sts:
        return f"{period_text(f.period)}: {len(sts)} sources agree — " + "; ".join(_said(s) for s in sts) + "."
    if f.type == "estimate" and sts:
        unit = sts[0].unit
        est = estimate_row(f, statements, unit)
        return f"{est.period}: low {est.low}, best {est.best}, high {est.high}. {est.sentence}"
    if f.type in ("evolution", "revision") and f.from_statements and f.to_statements:
        return change_sentence(f, statements)
    if f.type == "check":
        verdict = "passes" if f.passed else ("fails" if f.passed is False else "")
        kind = f.rule.removeprefix("check_").replace("_", " ")
        if f.arithmetic and verdict:
            return f"{kind.capitalize()} check {verdict}: {clean_text(f.arithmetic)}."
        return clean_text(f.text)
    return clean_text(f.text)


def change_sentence(f: Finding, statements: Mapping[str, Statement]) -> str:
    """An evolution or a revision in words, from its typed fields (from/to statements, values, dates,
    sources): "Health Ministry: 300 (13 Jan 2025 (stated)) → 450 (20 Jan 2025 (published)); its count grew." """
    before = [statements[i] for i in f.from_statements if i in statements]
    after = [statements[i] for i in f.to_statements if i in statements]
    if not before or not after:
        return clean_text(f.text)
    unit = after[0].unit
    what = f"{f.subject} · {f.measure}" if f.subject else f.measure
    if f.rule == "evolution_cumulative_growth":
        said_before = "; ".join(_said(s) for s in before)
        said_after = "; ".join(_said(s) for s in after)
        return (
            f"{what} grew from {num(f.from_value, unit)} in {period_text(f.from_date)} ({said_before}) to "
            f"{num(f.to_value, unit)} in {period_text(f.to_date)} ({said_after}): a cumulative count rising, "
            "not a conflict."
        )
    old, new = before[0], after[0]
    who = source_name(old.source, old.outlets)
    change = (
        f"{value(old.low, old.high, unit)} ({statement_when(old)}) → "
        f"{value(new.low, new.high, unit)} ({statement_when(new)})"
    )
    why = {
        "evolution_same_source_growth": "its cumulative count grew",
        "revision_same_source_same_date": "two figures for one date; which one is current cannot be told",
        "revision_same_source_lower": "a later, lower figure of a cumulative count revises the earlier one",
        "revision_same_source_update": "the later figure replaces the earlier one",
    }.get(f.rule, "a change in the same source's figure")
    return f"{who}, {what}: {change}; {why}."


_RAW = re.compile(r"own voice of ([^(;:,]+?)(?= \(|;|,|:|$)")


def clean_text(text: str) -> str:
    """A reconcile sentence with internal names made readable (own-voice labels, file names)."""

    def own(m: re.Match[str]) -> str:
        who = m.group(1).strip()
        return "an outlet's own reporting" if _FILE_LIKE.search(who) else f"{who} (own reporting)"

    out = _RAW.sub(own, text)
    return _ISO_IN.sub(lambda m: date_text(m.group(0)) if m.group(2) else m.group(0), out)
