"""Stories: which event each document reports, so that nothing is compared across events.

A document's story is kept when the input gives one (a ``story`` field) or a user chose it
(``Ledger.move_document``, ``Ledger.merge_stories``); clustering places the rest, incrementally:

1. Each document is a TF-IDF vector (scikit-learn) of two parts of equal weight: its capitalised
   words (places, named entities, organisations) and its content words (subjects, what happened),
   L2-normalised together.
2. A new document joins the existing story it is closest to, by average cosine distance to that
   story's documents (its earliest ``profile_documents``), when that distance is under
   ``distance_threshold`` (the same criterion average-linkage clustering merges on).
3. The new documents that join no story are clustered among themselves (scikit-learn's
   ``AgglomerativeClustering``, average linkage, cosine distance, the same threshold); each
   cluster becomes a new story.
4. Every story touched gets a generated name: its most telling capitalised words (highest mean
   TF-IDF over its documents, found in at least half of them), skipping dates and page furniture.

The settings and the words that never name a story are in ``crosscount/data/stories.toml``; the
threshold was chosen on ``../shared/eval/dev`` and the seeds plus unrelated web pages (see there).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from crosscount.lexicon import data_file
from crosscount.models import Document

if TYPE_CHECKING:
    from crosscount.ledger import Ledger

__all__ = ["StoryConfig", "StoryPlan", "cluster_texts", "load_story_config", "plan_stories", "update_stories"]

_CAPS = r"(?u)\b[A-Z][\w'’-]+\b"


@dataclass(frozen=True, slots=True)
class StoryConfig:
    distance_threshold: float = 0.9
    profile_documents: int = 20
    chunk: int = 2000
    name_words: int = 3
    skip: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def load_story_config() -> StoryConfig:
    data = data_file("stories.toml")
    dates = data_file("dates.toml")
    skip = set(data["names"]["skip"]) | set(dates.get("months", {})) | set(dates.get("weekdays", {}))
    cluster = data["cluster"]
    return StoryConfig(
        distance_threshold=float(cluster["distance_threshold"]),
        profile_documents=int(cluster["profile_documents"]),
        chunk=int(cluster["chunk"]),
        name_words=int(data["names"]["words"]),
        skip=frozenset(w.casefold() for w in skip),
    )


@dataclass(slots=True)
class StoryPlan:
    """What clustering decided: document id -> story id, and a name for each story it touched."""

    assignments: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    new_stories: list[str] = field(default_factory=list)


class _Vectors:
    """Both TF-IDF parts fitted on one set of texts; ``transform`` gives the L2-normalised rows."""

    def __init__(self, texts: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.caps = TfidfVectorizer(token_pattern=_CAPS, lowercase=False, sublinear_tf=True)
        self.words = TfidfVectorizer(stop_words="english", sublinear_tf=True)
        self.caps_matrix = _fit(self.caps, texts)
        self.words_matrix = _fit(self.words, texts)

    def matrix(self) -> Any:
        import scipy.sparse as sp
        from sklearn.preprocessing import normalize

        return normalize(sp.hstack([self.caps_matrix, self.words_matrix]).tocsr())


def _fit(vectorizer: Any, texts: Sequence[str]) -> Any:
    import scipy.sparse as sp

    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # no term at all (texts of numbers and punctuation only)
        return sp.csr_matrix((len(texts), 1))


def cluster_texts(texts: Sequence[str], config: StoryConfig | None = None) -> list[int]:
    """A cluster label per text (average linkage on cosine distance under the threshold)."""
    cfg = config or load_story_config()
    if not texts:
        return []
    if len(texts) == 1:
        return [0]
    return _cluster(_Vectors(texts).matrix(), cfg.distance_threshold)


def _cluster(matrix: Any, threshold: float) -> list[int]:
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering

    if matrix.shape[0] == 1:
        return [0]
    similarity = (matrix @ matrix.T).toarray()
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, metric="precomputed", linkage="average"
    )
    return [int(x) for x in model.fit_predict(distance)]


def plan_stories(
    new: Sequence[Document],
    existing: Mapping[str, Sequence[Document]],
    config: StoryConfig | None = None,
    taken: set[str] | None = None,
) -> StoryPlan:
    """Place ``new`` documents: into the closest existing story, else into new stories among themselves."""
    cfg = config or load_story_config()
    plan = StoryPlan()
    taken = set(taken or ()) | set(existing)
    profiles: dict[str, list[Document]] = {k: list(v)[: cfg.profile_documents] for k, v in existing.items()}
    for at in range(0, len(new), cfg.chunk):
        _plan_chunk(list(new[at : at + cfg.chunk]), profiles, cfg, taken, plan)
    return plan


def _plan_chunk(
    chunk: list[Document], profiles: dict[str, list[Document]], cfg: StoryConfig, taken: set[str], plan: StoryPlan
) -> None:
    import numpy as np

    stories = sorted(k for k, v in profiles.items() if v)
    members = [d for k in stories for d in profiles[k]]
    owner = np.array([i for i, k in enumerate(stories) for _ in profiles[k]], dtype=int)
    vectors = _Vectors([d.text for d in chunk] + [d.text for d in members])
    matrix = vectors.matrix()
    new_m, old_m = matrix[: len(chunk)], matrix[len(chunk) :]
    leftover: list[int] = []
    touched: set[str] = set()
    if stories:
        sims = (new_m @ old_m.T).toarray()  # new x members
        counts = np.bincount(owner, minlength=len(stories)).astype(float)
        per_story = np.zeros((len(chunk), len(stories)))
        for j in range(len(stories)):
            per_story[:, j] = sims[:, owner == j].sum(axis=1) / counts[j]
        best = per_story.argmax(axis=1)
        for i, doc in enumerate(chunk):
            if 1.0 - per_story[i, best[i]] <= cfg.distance_threshold:
                story = stories[int(best[i])]
                plan.assignments[doc.id] = story
                touched.add(story)
                if len(profiles[story]) < cfg.profile_documents:
                    profiles[story].append(doc)
            else:
                leftover.append(i)
    else:
        leftover = list(range(len(chunk)))
    if leftover:
        labels = _cluster(new_m[leftover], cfg.distance_threshold)
        groups: dict[int, list[Document]] = {}
        for i, label in zip(leftover, labels, strict=True):
            groups.setdefault(label, []).append(chunk[i])
        for docs in groups.values():
            name = story_name([d.text for d in docs], cfg)
            story = _new_id(name or docs[0].id, taken)
            taken.add(story)
            plan.new_stories.append(story)
            profiles[story] = docs[: cfg.profile_documents]
            for doc in docs:
                plan.assignments[doc.id] = story
            if name:
                plan.names[story] = name
    for story in sorted(touched):
        name = story_name([d.text for d in profiles[story]], cfg)
        if name:
            plan.names[story] = name


def story_name(texts: Sequence[str], config: StoryConfig | None = None) -> str:
    """A story's most telling capitalised words: highest mean TF-IDF over its texts (sublinear term
    frequency, smoothed IDF, each text L2-normalised, as scikit-learn's TfidfVectorizer computes it),
    among the words found in at least half of them. Plain Python: naming a story given by the input
    needs no clustering library."""
    cfg = config or load_story_config()
    if not texts:
        return ""
    pattern = re.compile(_CAPS)
    counts = [Counter(pattern.findall(t)) for t in texts]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(texts)
    idf = {term: math.log((1 + n) / (1 + k)) + 1.0 for term, k in df.items()}
    mean: dict[str, float] = {}
    for c in counts:
        weights = {term: (1.0 + math.log(k)) * idf[term] for term, k in c.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for term, w in weights.items():
            mean[term] = mean.get(term, 0.0) + w / norm / n
    need = max(1, (n + 1) // 2)
    chosen: list[str] = []
    seen: set[str] = set()
    for term, _weight in sorted(mean.items(), key=lambda kv: (-kv[1], kv[0])):
        key = term.casefold()
        if df[term] < need or key in cfg.skip or key in seen or len(term) < 3:
            continue
        if any(key.startswith(s) or s.startswith(key) for s in seen):  # Libya / Libyan
            continue
        seen.add(key)
        chosen.append(term)
        if len(chosen) == cfg.name_words:
            break
    return " · ".join(chosen)


def _new_id(name: str, taken: set[str]) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:40].strip("-") or "story"
    story, n = base, 2
    while story in taken:
        story, n = f"{base}-{n}", n + 1
    return story


@dataclass(slots=True)
class StoryUpdate:
    assigned: int = 0
    new_stories: list[str] = field(default_factory=list)


def update_stories(ledger: Ledger, config: StoryConfig | None = None) -> StoryUpdate:
    """Place the ledger's documents that are in no story; name the stories they join or make.

    Stories given by the input or chosen by a user stay as they are; only new documents move.
    """
    cfg = config or load_story_config()
    new = ledger.unassigned_documents()
    out = StoryUpdate()
    if not new:
        _name_unnamed(ledger, cfg)
        return out
    existing = ledger.story_samples(cfg.profile_documents)
    taken = {s.id for s in ledger.stories()} | set(existing)
    plan = plan_stories(new, existing, cfg, taken)
    ledger.assign_stories(plan.assignments, plan.names)
    out.assigned = len(plan.assignments)
    out.new_stories = plan.new_stories
    _name_unnamed(ledger, cfg)
    return out


def _name_unnamed(ledger: Ledger, cfg: StoryConfig) -> None:
    """Stories given by the input get a generated name too (once)."""
    names = {}
    for record in ledger.stories():
        if not record.name:
            docs = ledger.documents(story=record.id, limit=cfg.profile_documents)
            name = story_name([d.text for d in docs], cfg)
            if name:
                names[record.id] = name
    if names:
        ledger.assign_stories({}, names)
