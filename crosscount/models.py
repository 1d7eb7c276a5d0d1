"""The typed records that flow between stages: Document -> Claim -> Statement -> Variable -> Finding.

Every stage reads and writes these; none reaches into another stage's internals.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Qualifier = Literal["exact", "approx", "at_least", "at_most", "range", "vague"]
Unit = Literal["persons", "persons_per_day", "percent"]
Kind = Literal["report", "projection", "derived"]

MEASURES: tuple[str, ...] = (
    "deployed",
    "strength",
    "killed",
    "wounded",
    "casualties",
    "captured",
    "missing",
    "deserted",
    "displaced",
    "arrested",
    "other",
)

# The fields of ANNOTATION.md, in its order; `crosscount extract` writes these first.
GOLD_FIELDS: tuple[str, ...] = (
    "doc",
    "start",
    "end",
    "figure",
    "low",
    "high",
    "qualifier",
    "unit",
    "measure",
    "subject",
    "location",
    "source",
    "as_of",
    "kind",
)
EXTRA_FIELDS: tuple[str, ...] = (
    "sentence",
    "source_text",
    "via",
    "published",
    "confidence",
    "window_kind",
    "window_start",
    "window_end",
)
OUTPUT_FIELDS: tuple[str, ...] = GOLD_FIELDS + EXTRA_FIELDS


# The period of a finding on the figures of one undated document, compared with each other only
# (Finding.period = UNDATED_DOCUMENT + the document's id).
UNDATED_DOCUMENT = "the undated document "


def text_hash(text: str) -> str:
    """A stable content hash: the same text ingested twice is the same document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Document:
    """One article: its text and what is known about where and when it was published."""

    id: str
    text: str
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD (or YYYY-MM) when known
    origin: str | None = None  # file path (and line) it was read from
    language: str = "en"
    story: str | None = None  # the event it reports, when the input or a user says so

    @property
    def content_hash(self) -> str:
        return text_hash(self.text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Claim:
    """One figure asserted in one document, with who asserts it and when it holds."""

    doc: str
    start: int
    end: int
    figure: str
    low: float | None
    high: float | None
    qualifier: str
    unit: str
    measure: str
    subject: str | None
    location: str | None
    source: str | None
    as_of: str | None
    kind: str
    sentence: str = ""
    source_text: str | None = None
    via: str | None = None
    published: str | None = None
    confidence: float = 1.0
    # The window the figure counts over: "cumulative" (since the start, total, so far), "period"
    # (in the past 24 hours, last week, in January) or "incident" (one strike, one day's clashes);
    # start and end as YYYY[-MM[-DD]] where the text gives them. None: the text does not say.
    window_kind: str | None = None
    window_start: str | None = None
    window_end: str | None = None
    rules: tuple[str, ...] = field(default_factory=tuple)  # names of the extractor rules that fired (last)

    def to_dict(self, *, with_rules: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name) for name in OUTPUT_FIELDS}
        if with_rules:
            out["rules"] = list(self.rules)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "rules" in values:
            values["rules"] = tuple(values["rules"] or ())
        return cls(**values)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.doc, self.start, self.end)


@dataclass(slots=True)
class Statement:
    """The claims that are one assertion of one source, however many outlets repeat it."""

    id: str
    source: str | None
    subject: str | None
    measure: str
    location: str | None
    unit: str
    low: float | None
    high: float | None
    qualifier: str
    figure: str  # as first written
    as_of: str | None  # as stated (None: falls back on the first publication date)
    kind: str
    claims: list[tuple[str, int, int]] = field(default_factory=list)  # (doc, start, end)
    docs: list[str] = field(default_factory=list)
    outlets: list[str | None] = field(default_factory=list)
    first_seen: str | None = None  # document id
    first_published: str | None = None
    computed: bool = False  # True for a count computed from a share against a known force size
    note: str | None = None
    own_voice: bool = False  # the outlet states it in its own voice (source "own voice of <outlet>")
    figures: list[str] = field(default_factory=list)  # every distinct way the documents write it
    vias: list[str] = field(default_factory=list)  # intermediaries named by the documents
    rules: list[str] = field(default_factory=list)  # reconcile rules that built it
    derived_from: list[str] = field(default_factory=list)  # computed: the share and force statements
    date: str | None = None  # the date used on the timeline: as_of, else published, else inferred
    date_basis: str | None = None  # "as_of" | "published" | "document date inferred"
    period: str | None = None  # the reconcile period it falls in
    variable: str | None = None  # the variable id
    story: str | None = None  # the story of its documents; statements never span stories
    date_note: str | None = None  # an inferred date: which document and on what basis
    source_variants: list[str] = field(default_factory=list)  # other names the documents give the source
    # the window the figure counts over (Claim.window_*): cumulative, period or incident
    window_kind: str | None = None
    window_start: str | None = None
    window_end: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Variable:
    """subject x measure x location x unit, with its timeline of statements (ordered by as-of)."""

    id: str
    subject: str | None
    measure: str
    location: str | None
    unit: str
    statements: list[str] = field(default_factory=list)  # statement ids, timeline order
    story: str | None = None  # variables are story x subject x measure x location x unit

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Finding:
    """A conflict, evolution, revision, arithmetic check or estimate, with the statements it rests on."""

    id: str
    type: str  # conflict | evolution | revision | check | estimate | agreement
    rule: str  # name of the reconcile rule that produced it
    subject: str | None
    measure: str
    text: str  # one plain sentence that explains it
    variable: str | None = None
    statements: list[str] = field(default_factory=list)
    period: str | None = None
    passed: bool | None = None  # checks
    arithmetic: str | None = None  # checks: the sum shown
    low: float | None = None  # estimates
    best: float | None = None
    high: float | None = None
    median: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    story: str | None = None  # the story of the statements it rests on (never more than one)
    # evolutions and revisions: what changed, from what to what, when and by whom (the sentence
    # is composed from these by the presentation layer); the value is the figure's point, or the
    # period's best estimate for a growth between periods
    from_statements: list[str] = field(default_factory=list)
    to_statements: list[str] = field(default_factory=list)
    from_value: float | None = None
    to_value: float | None = None
    from_date: str | None = None  # a date or, between periods, the period label
    to_date: str | None = None
    from_sources: list[str] = field(default_factory=list)
    to_sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
