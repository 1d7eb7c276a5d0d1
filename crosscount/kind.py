"""The kind component: whether a figure is a report, a projection or the document's own arithmetic.

A hedged or future count of casualties ("could reach 20,000", "may rise to 300") points to the future:
a projection. A share the document computes itself ("that is 36% of the force"), with no one else's
frame on it, is derived. Everything else is a report (ANNOTATION.md: a hedged figure about the past
or present is a report). Words come from the vocabulary (measures.toml's modal and derived cues).
"""

from __future__ import annotations

from crosscount.lexicon import Lexicon

# Measures a modal can turn into a projection ("could be killed"); a modal "could be deployed" is a
# deployment's report (schema: measure names).
PROJECTABLE = frozenset({"killed", "wounded", "casualties", "captured", "missing"})
# Attribution rules that leave a figure in the document's own voice (schema: rule names).
OWN_VOICE_RULES = frozenset({"source:evidential_carry", "evidential_carry", "pending_source", "own_voice"})


def figure_kind(lex: Lexicon, clause: str, measure: str) -> str:
    """ "projection" when the figure's clause is modal and its measure can be projected, else "report"."""
    return "projection" if measure in PROJECTABLE and lex.modal_pattern.search(clause) else "report"


def is_derived(lex: Lexicon, before: str, is_share: bool, source: str | None, source_rule: str) -> bool:
    """A share the document works out itself ("... that is 36% of the force"), no one else's frame on it."""
    return is_share and bool(lex.derived_pattern.search(before)) and (source is None or source_rule in OWN_VOICE_RULES)
