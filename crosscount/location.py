"""The location component: where a figure's people are.

The place a figure's clause names after a locative ("in Derna", "the eastern city of Derna"), from the
alias tables or, for a whole capitalised phrase, the offline gazetteer; a sub-national place ranks above
a country; the place of a reporting act ("told a briefing in Geneva that ...") is not the figure's;
"there" refers back to the last place. The extractor mixes this component in.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import TYPE_CHECKING

from crosscount.lexicon import Lexicon
from crosscount.resolve import Resolver
from crosscount.segment import Sentence

if TYPE_CHECKING:
    from crosscount.extract import Candidate, DocState

LOCATIVE = frozenset(["in", "into", "to", "near", "inside", "across", "at", "around", "within", "throughout"])
_THERE = re.compile(
    r"\bthere\b(?!\s+(?:is|are|was|were|have|has|had|will|would|remain|may|might|could|appear|seem))", re.IGNORECASE
)
_PHRASE_END = re.compile(r",\s|;|\d")  # a figure's own phrase ends at a clause comma, a semicolon or a figure
_LOOK_BACK = 80  # characters before a place name read for its locative ("in the occupied southern ...")


class LocationComponent:
    """The place of a figure (mixed into the Extractor)."""

    lex: Lexicon
    resolver: Resolver

    def _location(self, text: str, sent: Sentence, cand: Candidate, state: DocState) -> tuple[str | None, str]:
        c_start, c_end = sent.clause_of(cand.start)
        # "He told a briefing in Geneva that 10,000 were missing": the reporting act's place is not the figure's
        said = list(re.finditer(r"\bthat\s", text[c_start : cand.start]))
        if said and self.lex.report_verb_pattern.search(text, c_start, c_start + said[-1].start()):
            c_start += said[-1].end()
        # "... in eastern Congo, the prime minister told a meeting in Geneva": nor is a place after the speaker
        comma = re.compile(r",\s").search(text, cand.end, c_end)  # a clause's comma, not a thousands separator
        if comma is not None and self.lex.report_verb_pattern.search(text, comma.start(), c_end):
            c_end = comma.start()
        # "394 in the province of A, 271 in the province of B": a place in the figure's own phrase (up to the
        # next comma or figure) is its place, before the clause's
        own_end = _PHRASE_END.search(text, cand.end, c_end)
        own = self._clause_place(text[cand.end : own_end.start() if own_end else c_end])
        if own:
            state.last_place = own[1]
            return own[1], "own_phrase"
        clause = text[c_start:c_end]
        if (c_start, c_end) not in state.places:  # the clause's place does not depend on the figure: once
            state.places[(c_start, c_end)] = self._clause_place(clause)
        best = state.places[(c_start, c_end)]
        if best:
            state.last_place = best[1]
            return best[1], "locative"
        if _THERE.search(clause) and state.last_place:
            return state.last_place, "there"
        return None, ""

    def _clause_place(self, clause: str) -> tuple[int, str] | None:
        """The place a clause names after a locative ("in", "near" ...), a country ranking below a place."""
        best: tuple[int, str] | None = None
        lex = self.lex
        for m in re.finditer(rf"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|{lex.admin_units}|of))*", clause):
            phrase = m.group(0)
            # the words just before it (a bounded look back, whatever the clause's length)
            before = clause[max(0, m.start() - _LOOK_BACK) : m.start()]
            prev_words = [w.lower() for w in before.split()[-4:]]  # "in the whole of X"
            while prev_words and (
                prev_words[-1] in lex.before_place
                or (prev_words[-1][-1:].isalpha() and self.resolver.party(prev_words[-1].capitalize()) is not None)
            ):  # "in the occupied eastern", "in Russian": but "in Ruritania, Home Minister X" ends at the comma
                prev_words.pop()
            named_place = self.lex.place_of.search(before) is not None  # "the province of X": X is a place
            locative = bool(prev_words and prev_words[-1] in LOCATIVE) or named_place
            if not locative:
                continue
            if self.resolver.known_source(phrase) or self.resolver.outlet(phrase):
                continue
            if named_place and LOCATIVE & {w.lower() for w in before.split()[-6:]}:
                # "in the province of Al Haouz": the text says it is a place, known to the gazetteer or not
                named = self.resolver.place(phrase, gazetteer_too=True) or phrase
                rank = 1 if self.resolver.party(named) is not None else 2
                if best is None or rank > best[0]:
                    best = (rank, named)
                continue
            words = phrase.split()
            joined = list(accumulate(len(w) + 1 for w in words))  # len(" ".join(words[:j])) == joined[j - 1] - 1
            for i in range(len(words)):
                for j in range(min(len(words), i + self.resolver.place_words), i, -1):
                    part = " ".join(words[i:j])
                    # the gazetteer only for the whole phrase (bar words like "province"): a city's name
                    # inside a longer one ("Home Minister X Khan") is no place
                    rest = " ".join(words[:i] + words[j:])
                    inside_longer = not re.fullmatch(rf"(?:\s*\b(?:{lex.admin_units}|of|the)\b)*", rest, re.I)
                    place = self.resolver.place(part, gazetteer_too=not inside_longer)
                    if not place:
                        continue
                    after = m.start() + joined[j - 1] - 1
                    tail = clause[after : after + _LOOK_BACK].lstrip()
                    is_country = self.resolver.party(place) is not None
                    if is_country and re.match(
                        rf"(?:'s|’s)\s+(?!(?:[A-Z][\w-]*\s+)*(?:{lex.admin_units}|border))", tail
                    ):
                        break  # "in Russia's war": a possessor, not a place
                    rank = 1 if is_country else 2
                    if best is None or rank > best[0]:
                        best = (rank, place)
                    break
        return best

    # ------------------------------------------------------------------ sources
