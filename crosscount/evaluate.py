"""Score extracted claims against gold annotations (the matching rules of eval/ANNOTATION.md).

A predicted claim matches a gold claim of the same document when their figure spans overlap
(each is used once, the largest overlap first). Figure precision/recall/F1 are over matches;
each field's accuracy is over matched pairs; strict recall counts gold claims whose match has
value, measure, subject and source all right.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crosscount.errors import GoldError
from crosscount.models import Claim
from crosscount.resolve import Resolver, default_resolver, fold

SCORED_FIELDS: tuple[str, ...] = (
    "value",
    "qualifier",
    "unit",
    "measure",
    "subject",
    "location",
    "source",
    "as_of",
    "kind",
)
STRICT_FIELDS: tuple[str, ...] = ("value", "measure", "subject", "source")


def load_gold(path: str | Path) -> list[Claim]:
    claims: list[Claim] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read the gold file ({exc})") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            claims.append(Claim.from_dict(data))
        except (json.JSONDecodeError, TypeError) as exc:
            raise GoldError(f"{path}:line {number}: not a gold claim ({exc})") from exc
    return claims


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(0.051, 1e-6 * max(abs(a), abs(b)))


def fold_name(name: str | None, resolver: Resolver) -> str | None:
    """Names compared after folding case, punctuation and common aliases."""
    if name is None:
        return None
    # Only the alias tables: gold names are canonical already, and tidying them as if they were
    # raw phrases would cut them ("FBI Special Agent in Charge X" -> "FBI Special Agent").
    # A whole name only: a gold name such as "White House adviser X" holds an alias ("White House") that
    # is not what it names.
    return fold(resolver.sources.get(fold(name)) or name)


_NAME_STOPWORDS = frozenset({"the", "of", "and", "for", "in", "a", "an"})


def same_source(gold: str | None, pred: str | None, resolver: Resolver) -> bool:
    """Source names compared leniently, as the development set's README scores them.

    Case, punctuation and known aliases folded; then equal, or one name's words all inside the
    other's ("Bissen" / "Maui Mayor Richard Bissen"), or half the words of the longer shared.
    """
    return similar_names(fold_name(gold, resolver), fold_name(pred, resolver))


def similar_names(a: str | None, b: str | None) -> bool:
    """Folded names equal, one's words inside the other's, or half the longer's words shared."""
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    words_a = set(a.split()) - _NAME_STOPWORDS
    words_b = set(b.split()) - _NAME_STOPWORDS
    if not words_a or not words_b:
        return False
    if words_a <= words_b or words_b <= words_a:
        return True
    return 2 * len(words_a & words_b) >= max(len(words_a), len(words_b))


def field_equal(name: str, gold: Claim, pred: Claim, resolver: Resolver) -> bool:
    if name == "value":
        return _same_number(gold.low, pred.low) and _same_number(gold.high, pred.high)
    if name in ("source",):
        return same_source(gold.source, pred.source, resolver)
    if name == "subject":
        return similar_names(fold(gold.subject) if gold.subject else None, fold(pred.subject) if pred.subject else None)
    if name == "location":
        g, p = getattr(gold, name), getattr(pred, name)
        return (fold(g) if g else None) == (fold(p) if p else None)
    return bool(getattr(gold, name) == getattr(pred, name))


@dataclass(slots=True)
class Report:
    gold: int
    predicted: int
    matched: int
    field_correct: dict[str, int]
    strict: int
    missed: list[Claim] = field(default_factory=list)
    spurious: list[Claim] = field(default_factory=list)
    pairs: list[tuple[Claim, Claim]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float:
        return self.field_correct[name] / self.matched if self.matched else 0.0

    @property
    def strict_recall(self) -> float:
        return self.strict / self.gold if self.gold else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "fields": {name: round(self.accuracy(name), 4) for name in SCORED_FIELDS},
            "strict_recall": round(self.strict_recall, 4),
            "missed": [_brief(c) for c in self.missed],
            "spurious": [_brief(c) for c in self.spurious],
            "mismatches": [
                {
                    "doc": g.doc,
                    "figure": g.figure,
                    "field": name,
                    "gold": _field_value(g, name),
                    "predicted": _field_value(p, name),
                }
                for g, p in self.pairs
                for name in SCORED_FIELDS
                if not field_equal(name, g, p, default_resolver())
            ],
        }


def _field_value(claim: Claim, name: str) -> Any:
    if name == "value":
        return [claim.low, claim.high]
    return getattr(claim, name)


def _brief(claim: Claim) -> dict[str, Any]:
    return {
        "doc": claim.doc,
        "start": claim.start,
        "end": claim.end,
        "figure": claim.figure,
        "measure": claim.measure,
        "source": claim.source,
    }


def score(gold: Iterable[Claim], predicted: Iterable[Claim], resolver: Resolver | None = None) -> Report:
    resolver = resolver or default_resolver()
    gold_list = list(gold)
    pred_list = list(predicted)
    gold_docs = {g.doc for g in gold_list}
    pred_list = [p for p in pred_list if p.doc in gold_docs]
    options: list[tuple[int, int, int]] = []
    for gi, g in enumerate(gold_list):
        for pi, p in enumerate(pred_list):
            if g.doc == p.doc and g.start < p.end and p.start < g.end:
                overlap = min(g.end, p.end) - max(g.start, p.start)
                options.append((overlap, gi, pi))
    options.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[Claim, Claim]] = []
    for _, gi, pi in options:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gold_list[gi], pred_list[pi]))
    correct = {name: 0 for name in SCORED_FIELDS}
    strict = 0
    for g, p in pairs:
        ok = {name: field_equal(name, g, p, resolver) for name in SCORED_FIELDS}
        for name, good in ok.items():
            correct[name] += int(good)
        strict += int(all(ok[name] for name in STRICT_FIELDS))
    return Report(
        gold=len(gold_list),
        predicted=len(pred_list),
        matched=len(pairs),
        field_correct=correct,
        strict=strict,
        missed=[g for i, g in enumerate(gold_list) if i not in used_g],
        spurious=[p for i, p in enumerate(pred_list) if i not in used_p],
        pairs=pairs,
    )


def score_by_story(
    gold: Iterable[Claim], predicted: Iterable[Claim], stories: dict[str, str], resolver: Resolver | None = None
) -> dict[str, Report]:
    """One report per story; a document with no story is scored under "(no story)"."""
    gold_by: dict[str, list[Claim]] = {}
    pred_by: dict[str, list[Claim]] = {}
    for claim in gold:
        gold_by.setdefault(stories.get(claim.doc, "(no story)"), []).append(claim)
    for claim in predicted:
        pred_by.setdefault(stories.get(claim.doc, "(no story)"), []).append(claim)
    return {name: score(gold_by[name], pred_by.get(name, []), resolver) for name in sorted(gold_by)}


def format_story_table(per_story: dict[str, Report], overall: Report) -> str:
    """Per-story scores, one row each, then the overall row: the numbers a change must not only move in one story."""
    header = ["story", "gold", "F1", "value", "measure", "subject", "source", "as_of", "strict"]
    rows = [header]
    for name, r in [*per_story.items(), ("all", overall)]:
        rows.append(
            [name, str(r.gold), f"{r.f1:.3f}"]
            + [f"{r.accuracy(n):.3f}" for n in ("value", "measure", "subject", "source", "as_of")]
            + [f"{r.strict_recall:.3f}"]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        pairs = zip(row, widths, strict=True)
        cells = [cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(pairs)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def format_report(report: Report) -> str:
    lines = [
        f"gold claims      {report.gold}",
        f"predicted        {report.predicted}",
        f"matched          {report.matched}",
        f"figure precision {report.precision:.3f}",
        f"figure recall    {report.recall:.3f}",
        f"figure F1        {report.f1:.3f}",
        "field accuracy over matched pairs:",
    ]
    for name in SCORED_FIELDS:
        lines.append(f"  {name:<10} {report.accuracy(name):.3f}")
    lines.append(f"strict recall    {report.strict_recall:.3f}  (value, measure, subject and source all right)")
    if report.missed:
        lines.append(f"missed ({len(report.missed)}):")
        lines += [f"  {c.doc} {c.start}-{c.end} {c.figure!r} {c.measure} ({c.source})" for c in report.missed]
    if report.spurious:
        lines.append(f"spurious ({len(report.spurious)}):")
        lines += [f"  {c.doc} {c.start}-{c.end} {c.figure!r} {c.measure} ({c.source})" for c in report.spurious]
    wrong = [(g, p, n) for g, p in report.pairs for n in SCORED_FIELDS if not field_equal(n, g, p, default_resolver())]
    if wrong:
        lines.append(f"field mismatches ({len(wrong)}):")
        lines += [
            f"  {g.doc[:3]} {g.figure!r:<22} {n:<9} gold={_field_value(g, n)!r} got={_field_value(p, n)!r}"
            for g, p, n in wrong
        ]
    return "\n".join(lines)
