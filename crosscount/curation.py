"""Curation: an analyst's corrections, kept in the ledger beside the machine's values.

A correction names a claim by its document and figure offset (or a whole document) and one
field: ``exclude``, ``confirm``, or a new value for ``source``, ``as_of``, ``measure``,
``subject`` or ``value`` (``300``, ``200-900``, ``>=790000``, ``<=50``). It records who, when
and why, and the machine's value when it was made. A later correction of the same field
replaces the earlier one, which is kept as history.

Corrections are applied whenever claims are read for reconciling (``apply``), never written
into the claims themselves: re-extraction finds the figures at the same offsets again, and the
corrections apply to them as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.exc import SQLAlchemyError

from crosscount.errors import CrosscountError, LedgerError
from crosscount.ledger import Ledger, corrections_t
from crosscount.models import MEASURES, Claim

__all__ = ["FIELDS", "Correction", "CorrectionError", "add_correction", "apply", "corrections", "parse_value"]

FIELDS: tuple[str, ...] = ("exclude", "confirm", "source", "as_of", "measure", "subject", "value")
CLAIM_FIELDS: tuple[str, ...] = ("source", "as_of", "measure", "subject", "value")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
_RANGE = re.compile(rf"^{_NUMBER}\s*(?:[-–]|to)\s*{_NUMBER}$")
_AT_LEAST = re.compile(rf"^(?:>=|≥|at least)\s*{_NUMBER}$", re.IGNORECASE)
_AT_MOST = re.compile(rf"^(?:<=|≤|at most)\s*{_NUMBER}$", re.IGNORECASE)
_ONE = re.compile(rf"^{_NUMBER}$")

class CorrectionError(CrosscountError, ValueError):
    """A correction crosscount cannot record (see the message: what is wrong and what it accepts)."""


@dataclass(slots=True)
class Correction:
    """One human edit: which claim (or document), which field, the new and the machine's value."""

    id: int
    doc: str
    start: int | None  # None: the whole document
    field: str
    value: str | None
    machine: str | None
    who: str
    at: str  # UTC, ISO 8601
    why: str | None
    active: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_value(text: str) -> tuple[float | None, float | None, str]:
    """``300`` -> (300, 300, exact); ``200-900`` -> range; ``>=790000`` -> (790000, None, at_least)."""
    raw = text.strip()

    def num(s: str) -> float:
        return float(s.replace(",", ""))

    if m := _ONE.match(raw):
        v = num(m.group(1))
        return v, v, "exact"
    if m := _RANGE.match(raw):
        lo, hi = num(m.group(1)), num(m.group(2))
        if lo > hi:
            raise CorrectionError(f"value {text!r}: the low end is above the high end")
        return lo, hi, "range"
    if m := _AT_LEAST.match(raw):
        return num(m.group(1)), None, "at_least"
    if m := _AT_MOST.match(raw):
        return None, num(m.group(1)), "at_most"
    raise CorrectionError(f"value {text!r} is not a figure: write 300, 200-900, >=790000 or <=50")


def _machine(claim: Claim, field: str) -> str | None:
    if field == "value":
        lo = "" if claim.low is None else f"{claim.low:g}"
        hi = "" if claim.high is None else f"{claim.high:g}"
        if claim.low is not None and claim.high is None:
            return f">={lo}"
        if claim.high is not None and claim.low is None:
            return f"<={hi}"
        return lo if lo == hi else f"{lo}-{hi}"
    if field in ("exclude", "confirm"):
        return None
    out = getattr(claim, field)
    return None if out is None else str(out)


def _check(field: str, value: str | None) -> str | None:
    if field not in FIELDS:
        raise CorrectionError(f"cannot correct {field!r}; correct one of: {', '.join(FIELDS)}")
    if field in ("exclude", "confirm"):
        return None
    text = (value or "").strip()
    if field == "value":
        parse_value(text)
    elif field == "as_of":
        if text and not _DATE.match(text):
            raise CorrectionError(f"as_of {text!r}: write YYYY, YYYY-MM or YYYY-MM-DD (or nothing for no date)")
        return text or None
    elif field == "measure":
        if text not in MEASURES:
            raise CorrectionError(f"measure {text!r}: one of {', '.join(MEASURES)}")
    elif not text:
        raise CorrectionError(f"{field}: give the new value")
    return text


def add_correction(
    ledger: Ledger,
    doc: str,
    start: int | None,
    field: str,
    value: str | None = None,
    *,
    who: str,
    why: str | None = None,
) -> Correction:
    """Record one correction (the same field's earlier one is kept as history) and return it."""
    checked = _check(field, value)
    if not who.strip():
        raise CorrectionError("say who makes the correction")
    if ledger.document(doc) is None:
        raise CorrectionError(f"no document {doc!r} in the ledger")
    machine: str | None = None
    if start is None:
        if field != "exclude":
            raise CorrectionError(f"a whole document can only be excluded, not given a new {field}")
    else:
        claim = next((c for c in ledger.claims(doc=doc) if c.start == start), None)
        if claim is None:
            raise CorrectionError(f"document {doc!r} has no claim at offset {start}")
        machine = _machine(claim, field)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    t = corrections_t.c
    same = and_(t.doc == doc, t.field == field, t.start.is_(None) if start is None else t.start == start)
    try:
        with ledger.engine.begin() as conn:
            conn.execute(update(corrections_t).where(same).values(active=0))
            new_id = conn.execute(
                corrections_t.insert().values(
                    doc=doc, start=start, field=field, value=checked, machine=machine, who=who.strip(), at=at,
                    why=(why or "").strip() or None, active=1,
                )
            ).inserted_primary_key
    except SQLAlchemyError as err:
        raise LedgerError(f"could not store the correction: {err}") from err
    return Correction(int(new_id[0]) if new_id else 0, doc, start, field, checked, machine, who.strip(), at,
                      (why or "").strip() or None)


def corrections(ledger: Ledger, doc: str | None = None, *, history: bool = False) -> list[Correction]:
    """The corrections in force (with ``history``, the replaced ones too), oldest first."""
    t = corrections_t.c
    query = select(corrections_t).order_by(t.id)
    if doc is not None:
        query = query.where(t.doc == doc)
    if not history:
        query = query.where(t.active == 1)
    try:
        with ledger.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
    except SQLAlchemyError as err:
        raise LedgerError(f"could not read the corrections: {err}") from err
    return [
        Correction(int(r["id"]), r["doc"], r["start"], r["field"], r["value"], r["machine"], r["who"], r["at"],
                   r["why"], bool(r["active"]))
        for r in rows
    ]


def apply(claims: Iterable[Claim], fixes: Iterable[Correction]) -> Iterator[Claim]:
    """The claims as the analyst corrected them: excluded ones left out, corrected fields replaced."""
    excluded_docs: set[str] = set()
    by_claim: dict[tuple[str, int], list[Correction]] = {}
    for fix in fixes:
        if not fix.active:
            continue
        if fix.start is None:
            if fix.field == "exclude":
                excluded_docs.add(fix.doc)
            continue
        by_claim.setdefault((fix.doc, fix.start), []).append(fix)
    for claim in claims:
        if claim.doc in excluded_docs:
            continue
        fixes_here = by_claim.get((claim.doc, claim.start))
        if not fixes_here:
            yield claim
            continue
        if any(f.field == "exclude" for f in fixes_here):
            continue
        changes: dict[str, Any] = {}
        for f in fixes_here:
            if f.field == "value" and f.value is not None:
                low, high, qualifier = parse_value(f.value)
                changes.update(low=low, high=high, qualifier=qualifier)
            elif f.field in ("source", "as_of", "measure", "subject"):
                changes[f.field] = f.value
        yield replace(claim, **changes) if changes else claim
