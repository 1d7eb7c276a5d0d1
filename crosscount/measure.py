"""The measure component: what a figure counts.

The head noun after the figure ("700 recovered bodies", "two UN soldiers", "90 displacement camps" for
things), and the measure cue of its clause that governs it: the nearest cue, one another figure does
not stand between, a role participle yielding to the clause's own verb ("soldiers deployed with the
mission had been killed"), a weak cue right at the figure ("a boat carrying dozens"), else the previous
figure's measure, an earlier clause's, a data row's lead-in or the count an anaphor refers to.
Words come from the vocabulary (measures.toml); the extractor mixes this component in.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from crosscount.attribution import Token, tokens
from crosscount.lexicon import Lexicon
from crosscount.models import Claim
from crosscount.resolve import Resolver, fold
from crosscount.segment import Sentence

if TYPE_CHECKING:
    from crosscount.extract import Candidate, DocState

_PARTITIVE = re.compile(r"\s+of\s+(?:the|those|these)\s+(?:[\d,]+\s+)?([\w-]+)")  # "41 of the 88 victims"
_AGE_BRACKET = re.compile(r"\s+(?:their|his|her)\s+(?:early\s+|mid-?\s*|late\s+)?(?:\d0s|\w+ties|teens)\b", re.I)
_ADJACENT_CUE = 2.0  # a cue's score (words between it and the figure, weighted) when it stands right at the figure
_CUE_REACH = 400  # characters: more than 16 words of news on either side of a figure
_EARLIER_CLAUSES = 8  # earlier clauses of the sentence searched for a measure cue, nearest first
def _cue_start(cue: tuple[int, int, str]) -> int:
    return cue[0]
_ROLE_MEASURES = frozenset({"deployed"})
def _is_parenthetical(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 3) : start]
    after = text[end : end + 3]
    return ("–" in before or "—" in before) and ("–" in after or "—" in after)
DATA_ROW = re.compile(r"[^\W\d][^:\d]{0,40}:\s*[\w.,~-]+(?:\s+[\w.,-]+)?[.;]?\s*")


class MeasureComponent:
    """Head noun and measure of a figure (mixed into the Extractor)."""

    lex: Lexicon
    resolver: Resolver

    def _head_noun(self, text: str, cand: Candidate, limit: int) -> tuple[str | None, int, str | None]:
        """What the figure counts: (noun, end offset of its phrase, party adjective/plural inside it);
        read once per figure (the first pass asks before the parse, ``_claim_for`` after)."""
        if cand.head is None or cand.head[0] != limit:
            cand.head = (limit, self._find_head_noun(text, cand, limit))
        return cand.head[1]

    def _find_head_noun(self, text: str, cand: Candidate, limit: int) -> tuple[str | None, int, str | None]:
        after = text[cand.end : min(limit, cand.end + 90)]
        m_strong = re.match(r"-strong\s+(?:[\w'’-]+\s+){0,2}?([\w-]+)", after)
        if m_strong:
            return ("-strong " + m_strong.group(1).lower(), cand.end + m_strong.end(), None)
        toks = tokens(after, cand.end)
        party_word: str | None = None
        lex = self.lex
        i = 0
        # "of their soldiers", "more of their troops", "of the North Korean military"
        if i < len(toks) and toks[i].low == "more":
            i += 1
        first = i  # the word right after the figure ("more" aside)
        if i < len(toks) and toks[i].low == "of":
            i += 1
            if i < len(toks) and toks[i].low in lex.of_pronouns:
                # "14 of whom were police officers": the noun after the copula says who they are
                if i + 1 < len(toks) and toks[i + 1].low in lex.passive_aux:
                    for tok in toks[i + 2 : i + 5]:
                        named = self._people_noun(text, tok)
                        if named:
                            return named[0], named[1], None
                return ("them", toks[i].end, None)
            if i < len(toks) and toks[i].low in lex.of_determiners:
                i += 1
            # "74 of the 97 dead": the base's number stands between the figure and the noun
            if i < len(toks) and toks[i].text[:1].isdigit():
                i += 1
        steps = 0
        while i < len(toks) and steps < 6:
            tok = toks[i]
            if tok.text in ("(", ")"):
                i += 1
                continue
            if not tok.text[:1].isalpha():
                break
            rest = text[tok.start : tok.start + 40]
            nm = self._people_noun(text, tok)
            if nm:
                return nm[0], nm[1], party_word
            width = 2 if i + 1 < len(toks) else 1  # a party word may end the sentence
            two = " ".join(t.text for t in toks[i : i + width])
            party = self.resolver.party(tok.text) or (self.resolver.party(two) if width == 2 else None)
            if party and tok.text[:1].isupper():
                if self.resolver.party(two):
                    party_word = two
                    i += width
                    if fold(two) == fold(party.plural):
                        return (two.lower(), toks[i - 1].end, two)
                    continue
                party_word = tok.text
                nxt = text[tok.end : tok.end + 30].lstrip()
                if fold(tok.text) == fold(party.plural) and not lex.noun_pattern.match(nxt):
                    return (tok.text.lower(), tok.end, tok.text)
                i += 1
                steps += 1
                continue
            if (tok.text[:1].isupper() and i > 0) or tok.low in lex.head_modifiers:
                i += 1
                steps += 1
                continue
            # Modifiers before a people noun: "700 recovered bodies", "two UN soldiers", "five security personnel".
            ahead = self._noun_ahead(text, toks, i)
            if ahead is not None:
                return ahead[0], ahead[1], party_word
            cue = None if tok.low in lex.head_function_words else lex.measure_pattern.match(rest)
            if cue is not None:
                # "90 displacement camps": a cue word that only modifies a noun for things
                thing = re.match(r"\s+([a-z][a-z-]{2,}s)\b", text[tok.start + cue.end() : tok.start + cue.end() + 30])
                if (
                    thing
                    and thing.group(1) not in lex.head_function_words
                    and not lex.noun_pattern.match(thing.group(1))
                    and not lex.measure_pattern.match(thing.group(1))  # "survivors homeless"
                ):
                    return ("?" + thing.group(1), tok.start + cue.end() + thing.end(), party_word)
            if tok.low in lex.head_function_words or cue is not None:
                return (None, cand.end, party_word)
            # A verb or an adverb right after the figure: the figure stands alone ("dozens more suffered
            # burns", "the six reported earlier", "2,059 were injured, 1,404 critically").
            if i == first and tok.low.endswith(("ed", "ly")) and len(tok.low) > 4:
                return (None, cand.end, party_word)
            # an unknown noun right after the number: something other than people
            return ("?" + tok.low, tok.end, party_word)
        return (None, cand.end, party_word)

    def _people_noun(self, text: str, tok: Token) -> tuple[str, int] | None:
        """The people, casualty or force noun at ``tok`` (its singular form too: "the second protester")."""
        nm = self.lex.noun_pattern.match(text, tok.start, tok.start + 40)
        if nm:
            return nm.group(0).lower(), nm.end()
        lex = self.lex
        if (
            tok.text.islower()  # not "Korean" for "Koreans"
            and tok.low + "s" in lex.people_nouns
            and tok.low not in lex.head_modifiers  # not "other" for "others"
            and tok.low not in lex.head_function_words
        ):
            return tok.low + "s", tok.end
        return None

    def _noun_ahead(self, text: str, toks: list[Token], i: int) -> tuple[str, int] | None:
        """A people noun within the lookahead, past words that can only be modifiers (no function word,
        no measure cue, no punctuation between): "700 recovered bodies" -> bodies."""
        lex = self.lex
        for j in range(i, min(len(toks), i + lex.head_lookahead + 1)):
            tok = toks[j]
            if not tok.text[:1].isalpha():
                return None
            if j > i:
                found = self._people_noun(text, tok)
                if found:
                    return found
            if tok.low in lex.head_function_words or lex.measure_pattern.match(text, tok.start, tok.start + 40):
                return None
        return None

    # ------------------------------------------------------------------ measure

    def _clause_cues(self, text: str, start: int, end: int, state: DocState) -> list[tuple[int, int, str]]:
        """The measure cues of one clause, (start, end, as written), found once per document."""
        found = state.cues.get((start, end))
        if found is None:
            matches = self.lex.measure_pattern.finditer(text, start, end)
            # "22 were in their 70s": an age bracket, not a force present somewhere
            found = [
                (m.start(), m.end(), m.group(0))
                for m in matches
                if not (m.group(0).lower().endswith(" in") and _AGE_BRACKET.match(text, m.end()))
            ]
            aboard = [(m.start(), m.end(), "on board") for m in self.lex.aboard_pattern.finditer(text, start, end)]
            if aboard:
                found = sorted(found + [a for a in aboard if not any(f[0] < a[1] and a[0] < f[1] for f in found)])
            state.cues[(start, end)] = found
        return found

    def _predicate_past_modifier(
        self,
        text: str,
        cues: list[tuple[int, int, str]],
        noun_end: int,
        clause_end: int,
        best: tuple[float, str, str],
    ) -> tuple[str, str] | None:
        """ "three soldiers deployed with the mission had been killed": a role cue right after the counted
        noun with a verb of its own later in the clause (an auxiliary before it) only describes those
        people; the later verb says what happened to them, past any other figure it governs as well.
        Only a role: "79 migrants drowned and hundreds more were missing" are two clauses."""
        if best[1] not in _ROLE_MEASURES:
            return None
        written = best[2].removeprefix("cue:")
        at = next((c for c in cues if c[0] >= noun_end and re.sub(r"\s+", " ", c[2].lower()) == written), None)
        if at is None or text[noun_end : at[0]].strip():
            return None
        for start, _, later in cues[bisect_left(cues, at[1], key=_cue_start) :]:
            if start >= clause_end:
                break
            cue = re.sub(r"\s+", " ", later.lower())
            measure = self.lex.measure_cues.get(cue)
            before = text[max(at[1], start - 30) : start].split()
            if measure is None or measure == best[1] or cue in self.lex.weak_cues:
                continue
            if any(w.lower() in self.lex.passive_aux or w.lower() in self.lex.perfect_aux for w in before[-2:]):
                return measure, f"cue:{cue}+predicate_past_modifier"
        return None

    def _dead_identified(
        self, text: str, cand: Candidate, noun: str | None, measure: str | None, how: str
    ) -> tuple[str | None, str]:
        """The victims an identification counts are the dead ("identified nearly 4,000 victims", "41 of the 88
        victims have been identified"): killed, where the cue alone says other."""
        if measure == "other" and how.removeprefix("cue:").split("+")[0] in self.lex.identified_cues:
            partitive = _PARTITIVE.match(text, cand.end)
            counted = partitive.group(1) if partitive else noun
            if counted is not None and counted.lower() in self.lex.identified_dead:
                return "killed", how + "+dead"
        return measure, how

    def _measure(
        self,
        text: str,
        sent: Sentence,
        cand: Candidate,
        noun: str | None,
        noun_end: int,
        prior: list[Claim],
        state: DocState,
        others: Sequence[int] = (),
    ) -> tuple[str | None, str]:
        """What the figure counts. ``others``: where the sentence's other figures start - a cue past
        another figure is that figure's ("104 were rescued and 78 bodies recovered": 104 were rescued)."""
        if noun and noun.startswith("-strong "):
            n = noun.split(" ", 1)[1]
            for key, measure in self.lex.strong_suffix.items():
                if n.startswith(key.split()[0]):
                    return measure, "strong_suffix"
            return "strength", "strong_suffix"
        if noun and noun in self.lex.measure_cues and noun in self.lex.casualty_nouns:
            return self.lex.measure_cues[noun], "head_noun"
        c_start, c_end = sent.clause_of(cand.start)
        # The share's "of the deployed force" names its base, not what is counted.
        skip_until = cand.end
        if cand.is_share:
            base = self.lex.share_base_pattern.match(text, cand.end)
            skip_until = base.end() if base else max(noun_end, cand.end)
        best: tuple[float, str, str] | None = None
        weak: tuple[float, str, str] | None = None
        behind: tuple[float, str, str] | None = None  # the best cue that another figure stands before
        # a cue counts within 16 words of the figure: look no further than _CUE_REACH characters either
        # side, so a clause of thousands of figures is not scanned whole for each of them
        lo, hi = max(c_start, cand.start - _CUE_REACH), min(c_end, max(cand.end, skip_until) + _CUE_REACH)
        cues = self._clause_cues(text, c_start, c_end, state)
        for m_start, m_end, written in cues[bisect_left(cues, lo, key=_cue_start) :]:
            if m_start >= hi:
                break
            if m_end > hi or (m_start < skip_until and m_end > cand.start):
                continue
            cue = written.lower()
            cue = re.sub(r"\s+", " ", cue)
            cue_measure = self.lex.measure_cues.get(cue)
            if cue_measure is None:
                continue
            measure = cue_measure
            if m_start >= cand.end:
                between = text[skip_until:m_start]
                gap = len(between.split())
                score = gap * 1.0 + 6 * between.count(",")
                if gap > 16:
                    continue
            else:
                between = text[m_end : cand.start]
                gap = len(between.split())
                score = gap * 1.3 + 0.5 + 6 * between.count(",")
                if gap > 16:
                    continue
            entry = (score, measure, "cue:" + cue)
            # a cue with another figure between it and this one is that figure's; so is a cue before this
            # figure that stands nearer the figure before it ("Two soldiers deployed with ... and six others")
            if (m_start >= cand.end and any(cand.end <= other < m_start for other in others)) or (
                m_end <= cand.start
                and any(
                    m_end <= other < cand.start
                    or (other < m_start and m_start - other < cand.start - m_end)
                    # "2,300 have died and 10,000 are missing": the cue ends the other figure's clause
                    or (other < m_start and self.lex.coordinator_gap.fullmatch(text, m_end, cand.start) is not None)
                    for other in others
                )
            ):
                if behind is None or entry < behind:
                    behind = entry
                continue
            if cue in self.lex.weak_cues:
                if weak is None or entry < weak:
                    weak = entry
            elif best is None or entry < best:
                best = entry
        if best is not None:
            predicate = self._predicate_past_modifier(text, cues, noun_end, c_end, best)
            if predicate is not None:
                return predicate
            return best[1], best[2]
        # A weak cue right at the figure governs it ("a boat carrying dozens of migrants", "104 rescued").
        if weak is not None and weak[0] < _ADJACENT_CUE:
            return weak[1], weak[2] + "+adjacent"
        # Ellipsis: "and the second by paratroopers", "another 2,700" -> the previous figure's measure.
        if prior:
            return prior[-1].measure, "ellipsis"
        if weak is not None:
            return weak[1], weak[2]
        if behind is not None:
            return behind[1], behind[2]
        # Earlier clauses of the sentence, skipping parentheticals.
        before = bisect_right(sent.clauses, c_start, key=lambda clause: clause[1])
        for start, end in reversed(sent.clauses[max(0, before - _EARLIER_CLAUSES) : before]):
            if _is_parenthetical(text, start, end):
                continue
            found = None
            cues = self._clause_cues(text, start, end, state)
            for _, _, written in cues[bisect_left(cues, end - _CUE_REACH, key=_cue_start) :]:
                found = self.lex.measure_cues.get(re.sub(r"\s+", " ", written.lower()))
            if found:
                return found, "earlier_clause"
        # "That toll represents 20% of the force": a share about the previous sentence's figure.
        if cand.is_share and state.previous is not None and state.previous[0] == sent.index - 1:
            return state.previous[1].measure, "previous_sentence"
        # "... the names of 55 of the dead. Of those, 22 were in their 70s": a part of the previous figure
        if (
            state.previous is not None
            and state.previous[0] == sent.index - 1
            and self.lex.part_opening.match(text, sent.start, cand.start)
        ):
            return state.previous[1].measure, "part_of_previous"
        recent = state.previous if state.previous is not None and sent.index - state.previous[0] <= 3 else None
        if recent is not None and not text[cand.end : sent.end].strip(" .;"):
            label = text[sent.start : cand.start]
            # A data row under a lead-in ("Province A: 191"): it counts what the rows above it counted.
            if DATA_ROW.fullmatch(text[sent.start : sent.end]) and re.fullmatch(r"[^:]*:\s*", label):
                if "measure:list_row" in recent[1].rules or state.last_sentence_claims is None:
                    return recent[1].measure, "list_row"
                # the first row: what the sentence before the lead-in counted first ("1,014 have died and
                # 7,003 were injured ... disclosed:" over rows of deaths)
                return state.last_sentence_claims[1][0].measure, "list_row"
        # "The number was 850", "the figure stood at 2,900": the count the text spoke of just before.
        if recent is not None and self.lex.anaphor_pattern.search(text, c_start, cand.start):
            return recent[1].measure, "anaphor"
        return None, ""

    # ------------------------------------------------------------------ subject
