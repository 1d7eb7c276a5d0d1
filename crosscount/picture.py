"""Score the analyst's picture: statements recovered, conflicts found, evolutions, per story.

The gold is a story set's ``*.statements.jsonl`` (each figure two or more documents carry from one
source) and ``*.conflicts.jsonl`` (each genuine disagreement an analyst would flag), in the formats
of ``eval/dev/README.md``, scored by its rules:

- a gold statement is **recovered** when one predicted statement of its story has its measure, a
  value within 1% (the low bound, or the high bound when the low one is open), the same source
  (names compared leniently, as ``evaluate.same_source`` does; a null source is the outlet's own
  voice) and at least 80% of its documents;
- a gold conflict is **found** when a reported conflict of its story on the same measure involves
  both of its figures (a statement of the finding matches each figure's source and value);
  **precision** is the share of reported conflicts that match some gold conflict;
- **evolutions** are counted and listed (the gold has no list of them; ``expected/*.md`` tells).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crosscount.errors import GoldError
from crosscount.evaluate import same_source
from crosscount.models import Finding, Statement
from crosscount.reconcile import Reconciliation
from crosscount.resolve import Resolver, default_resolver

__all__ = [
    "GoldConflict",
    "GoldFigure",
    "GoldStatement",
    "PictureGold",
    "PictureScore",
    "find_gold",
    "format_picture",
    "load_picture_gold",
    "score_picture",
]

NO_STORY = "(no story)"
VALUE_TOLERANCE = 0.01
DOC_SHARE = 0.8


@dataclass(slots=True, frozen=True)
class GoldFigure:
    source: str | None
    low: float | None
    high: float | None
    as_of: str | None = None


@dataclass(slots=True)
class GoldStatement:
    story: str
    source: str | None
    subject: str | None
    measure: str
    unit: str
    low: float | None
    high: float | None
    as_of: str | None
    docs: list[str]

    @property
    def figure(self) -> GoldFigure:
        return GoldFigure(self.source, self.low, self.high, self.as_of)


@dataclass(slots=True)
class GoldConflict:
    story: str
    subject: str | None
    measure: str
    unit: str
    a: GoldFigure
    b: GoldFigure
    why: str = ""


@dataclass(slots=True)
class PictureGold:
    statements: list[GoldStatement] = field(default_factory=list)
    conflicts: list[GoldConflict] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Reading the gold


def _read_jsonl(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read the file ({exc})") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path}:line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(data, dict):
            raise GoldError(f"{path}:line {number}: not a JSON object")
        yield number, data


def _number(data: Mapping[str, Any], key: str, where: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GoldError(f"{where}: '{key}' must be a number or null, not {value!r}")
    return float(value)


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise GoldError(f"{where}: '{key}' is missing")
        return None
    if not isinstance(value, str):
        raise GoldError(f"{where}: '{key}' must be a string, not {value!r}")
    return value


def _figure(data: Any, where: str) -> GoldFigure:
    if not isinstance(data, dict):
        raise GoldError(f"{where}: a conflict figure must be an object with source, low, high, as_of")
    return GoldFigure(
        source=_text(data, "source", where),
        low=_number(data, "low", where),
        high=_number(data, "high", where),
        as_of=_text(data, "as_of", where),
    )


def load_statements(path: str | Path) -> list[GoldStatement]:
    path = Path(path)
    out: list[GoldStatement] = []
    for number, data in _read_jsonl(path):
        where = f"{path}:line {number}"
        docs = data.get("docs")
        if not isinstance(docs, list) or not docs or not all(isinstance(d, str) for d in docs):
            raise GoldError(f"{where}: 'docs' must be a non-empty list of document ids")
        out.append(
            GoldStatement(
                story=_text(data, "story", where) or NO_STORY,
                source=_text(data, "source", where),
                subject=_text(data, "subject", where),
                measure=_text(data, "measure", where, required=True) or "",
                unit=_text(data, "unit", where) or "persons",
                low=_number(data, "low", where),
                high=_number(data, "high", where),
                as_of=_text(data, "as_of", where),
                docs=list(docs),
            )
        )
    return out


def load_conflicts(path: str | Path) -> list[GoldConflict]:
    path = Path(path)
    out: list[GoldConflict] = []
    for number, data in _read_jsonl(path):
        where = f"{path}:line {number}"
        out.append(
            GoldConflict(
                story=_text(data, "story", where) or NO_STORY,
                subject=_text(data, "subject", where),
                measure=_text(data, "measure", where, required=True) or "",
                unit=_text(data, "unit", where) or "persons",
                a=_figure(data.get("a"), where),
                b=_figure(data.get("b"), where),
                why=_text(data, "why", where) or "",
            )
        )
    return out


def find_gold(where: str | Path) -> tuple[list[Path], list[Path]]:
    """The statements and conflicts files of a story set: a directory (every ``*.statements.jsonl``
    and ``*.conflicts.jsonl`` in it) or a prefix (``dev/dev`` -> ``dev/dev.statements.jsonl``)."""
    path = Path(where)
    if path.is_dir():
        statements = sorted(path.glob("*.statements.jsonl"))
        conflicts = sorted(path.glob("*.conflicts.jsonl"))
    else:
        statements = [p for p in [path.with_name(path.name + ".statements.jsonl")] if p.exists()]
        conflicts = [p for p in [path.with_name(path.name + ".conflicts.jsonl")] if p.exists()]
    if not statements and not conflicts:
        raise GoldError(
            f"{where}: no *.statements.jsonl or *.conflicts.jsonl found (give a directory, or a prefix "
            "such as eval/dev/dev)"
        )
    return statements, conflicts


def load_picture_gold(where: str | Path) -> PictureGold:
    statements, conflicts = find_gold(where)
    gold = PictureGold()
    for p in statements:
        gold.statements.extend(load_statements(p))
    for p in conflicts:
        gold.conflicts.extend(load_conflicts(p))
    return gold


# --------------------------------------------------------------------------------------------
# Matching


def _close(gold: float | None, pred: float | None) -> bool:
    if gold is None or pred is None:
        return False
    return abs(gold - pred) <= VALUE_TOLERANCE * max(abs(gold), 1e-9)


def same_value(gold_low: float | None, gold_high: float | None, st: Statement) -> bool:
    """Within 1%: the low bound, or the high bound when the gold's low is open."""
    if gold_low is not None:
        return _close(gold_low, st.low)
    return st.low is None and _close(gold_high, st.high)


def source_matches(gold: str | None, st: Statement, resolver: Resolver) -> bool:
    """A null gold source is the outlet's own voice; a named one is compared leniently."""
    if gold is None:
        return st.own_voice
    if st.own_voice:
        return False
    return same_source(gold, st.source, resolver)


def figure_matches(fig: GoldFigure, st: Statement, resolver: Resolver) -> bool:
    return same_value(fig.low, fig.high, st) and source_matches(fig.source, st, resolver)


def statement_recovered(gold: GoldStatement, st: Statement, resolver: Resolver) -> bool:
    if st.measure != gold.measure or not figure_matches(gold.figure, st, resolver):
        return False
    shared = len(set(gold.docs) & set(st.docs))
    return shared >= DOC_SHARE * len(gold.docs) - 1e-9


def conflict_matches(gold: GoldConflict, finding: Finding, members: Sequence[Statement], resolver: Resolver) -> bool:
    if finding.measure != gold.measure:
        return False
    for x, y in ((gold.a, gold.b), (gold.b, gold.a)):
        hits_x = [s for s in members if figure_matches(x, s, resolver)]
        hits_y = [s for s in members if figure_matches(y, s, resolver)]
        if any(s is not t for s in hits_x for t in hits_y):
            return True
    return False


# --------------------------------------------------------------------------------------------
# Scores


@dataclass(slots=True)
class StoryScore:
    story: str
    gold_statements: int = 0
    recovered: int = 0
    gold_conflicts: int = 0
    found: int = 0
    reported_conflicts: int = 0
    matching_conflicts: int = 0
    evolutions: int = 0
    missed_statements: list[GoldStatement] = field(default_factory=list)
    missed_conflicts: list[GoldConflict] = field(default_factory=list)
    unmatched_conflicts: list[Finding] = field(default_factory=list)
    evolution_findings: list[Finding] = field(default_factory=list)

    @property
    def statements_recovered(self) -> float:
        return self.recovered / self.gold_statements if self.gold_statements else 0.0

    @property
    def conflicts_recall(self) -> float:
        return self.found / self.gold_conflicts if self.gold_conflicts else 0.0

    @property
    def conflicts_precision(self) -> float:
        return self.matching_conflicts / self.reported_conflicts if self.reported_conflicts else 0.0

    def add(self, other: StoryScore) -> None:
        self.gold_statements += other.gold_statements
        self.recovered += other.recovered
        self.gold_conflicts += other.gold_conflicts
        self.found += other.found
        self.reported_conflicts += other.reported_conflicts
        self.matching_conflicts += other.matching_conflicts
        self.evolutions += other.evolutions

    def to_dict(self, *, details: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "gold_statements": self.gold_statements,
            "recovered": self.recovered,
            "statements_recovered": round(self.statements_recovered, 4),
            "gold_conflicts": self.gold_conflicts,
            "found": self.found,
            "conflicts_recall": round(self.conflicts_recall, 4),
            "reported_conflicts": self.reported_conflicts,
            "matching_conflicts": self.matching_conflicts,
            "conflicts_precision": round(self.conflicts_precision, 4),
            "evolutions": self.evolutions,
        }
        if details:
            out["missed_statements"] = [_gold_statement_text(g) for g in self.missed_statements]
            out["missed_conflicts"] = [_gold_conflict_text(g) for g in self.missed_conflicts]
            out["unmatched_conflicts"] = [f.text for f in self.unmatched_conflicts]
            out["evolution_findings"] = [f.text for f in self.evolution_findings]
        return out


@dataclass(slots=True)
class PictureScore:
    stories: dict[str, StoryScore]
    overall: StoryScore

    def to_dict(self) -> dict[str, Any]:
        data = self.overall.to_dict(details=False)
        data["stories"] = {name: s.to_dict() for name, s in self.stories.items()}
        return data


def _story(value: str | None) -> str:
    return value or NO_STORY


def score_picture(rec: Reconciliation, gold: PictureGold, resolver: Resolver | None = None) -> PictureScore:
    """Score a reconciliation's statements and findings against the gold picture, per story."""
    resolver = resolver or default_resolver()
    by_id = {s.id: s for s in rec.statements}
    statements_by_story: dict[str, list[Statement]] = {}
    for st in rec.statements:
        statements_by_story.setdefault(_story(st.story), []).append(st)
    conflicts_by_story: dict[str, list[Finding]] = {}
    evolutions_by_story: dict[str, list[Finding]] = {}
    for f in rec.findings:
        if f.type == "conflict":
            conflicts_by_story.setdefault(_story(f.story), []).append(f)
        elif f.type == "evolution":
            evolutions_by_story.setdefault(_story(f.story), []).append(f)
    names = sorted({g.story for g in gold.statements} | {g.story for g in gold.conflicts})
    stories: dict[str, StoryScore] = {}
    for name in names:
        score = StoryScore(story=name)
        preds = statements_by_story.get(name, [])
        for gs in (g for g in gold.statements if g.story == name):
            score.gold_statements += 1
            if any(statement_recovered(gs, st, resolver) for st in preds):
                score.recovered += 1
            else:
                score.missed_statements.append(gs)
        reported = conflicts_by_story.get(name, [])
        members = {f.id: [by_id[i] for i in f.statements if i in by_id] for f in reported}
        matched: set[str] = set()
        for g in (g for g in gold.conflicts if g.story == name):
            score.gold_conflicts += 1
            hits = [f.id for f in reported if conflict_matches(g, f, members[f.id], resolver)]
            if hits:
                score.found += 1
                matched.update(hits)
            else:
                score.missed_conflicts.append(g)
        score.reported_conflicts = len(reported)
        score.matching_conflicts = len(matched)
        score.unmatched_conflicts = [f for f in reported if f.id not in matched]
        score.evolution_findings = evolutions_by_story.get(name, [])
        score.evolutions = len(score.evolution_findings)
        stories[name] = score
    overall = StoryScore(story="all")
    for s in stories.values():
        overall.add(s)
    return PictureScore(stories=stories, overall=overall)


# --------------------------------------------------------------------------------------------
# Text


def _value(low: float | None, high: float | None) -> str:
    def n(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"

    if low is not None and high is not None:
        return n(low) if low == high else f"{n(low)}–{n(high)}"
    if low is not None:
        return f"at least {n(low)}"
    if high is not None:
        return f"at most {n(high)}"
    return "?"


def _gold_figure_text(f: GoldFigure) -> str:
    return f"{f.source or 'own voice'} {_value(f.low, f.high)} ({f.as_of or 'undated'})"


def _gold_statement_text(g: GoldStatement) -> str:
    return f"{g.subject} · {g.measure}: {_gold_figure_text(g.figure)} in {', '.join(g.docs)}"


def _gold_conflict_text(g: GoldConflict) -> str:
    return f"{g.subject} · {g.measure}: {_gold_figure_text(g.a)} vs {_gold_figure_text(g.b)}"


def format_picture(score: PictureScore, *, details: bool = True, width: int | None = None) -> str:
    """The per-story table, then (``details``) each story's missed statements and conflicts and the
    conflicts it reported that the gold lacks; ``width`` wraps those lines to a terminal's width."""
    # count and share in one cell, so the table fits an 80-column terminal
    header = ["story", "statements recovered", "conflicts found", "precision", "evolutions"]
    rows = [header]
    for s in [*score.stories.values(), score.overall]:
        rows.append(
            [
                s.story,
                f"{s.recovered}/{s.gold_statements} {s.statements_recovered:.3f}",
                f"{s.found}/{s.gold_conflicts} {s.conflicts_recall:.3f}",
                f"{s.matching_conflicts}/{s.reported_conflicts} {s.conflicts_precision:.3f}",
                str(s.evolutions),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    if details:
        for s in score.stories.values():
            parts: list[str] = []
            parts += [f"  missed statement: {_gold_statement_text(g)}" for g in s.missed_statements]
            parts += [f"  missed conflict:  {_gold_conflict_text(g)}" for g in s.missed_conflicts]
            parts += [f"  other conflict:   {f.text}" for f in s.unmatched_conflicts]
            if width is not None:
                parts = [textwrap.fill(p, width=max(40, width), subsequent_indent=" " * 20) for p in parts]
            if parts:
                lines += ["", f"{s.story}:", *parts]
    return "\n".join(lines)
