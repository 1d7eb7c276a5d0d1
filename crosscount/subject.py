"""The subject component: whose people a figure counts.

A party in the noun phrase ("300 North Koreans", "nine South African soldiers"), an "of"/"among"
phrase, the sufferer or sender before the figure, the words the text uses ("700,000 people", "police
officers"), an organisation's members ("two UN soldiers"), the whole of an "including" part, the
document's forces for a force's losses, its group for undifferentiated people (migrants), and the
parties a document names most. Words come from the vocabulary; the extractor mixes this component in.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from crosscount.lexicon import Lexicon
from crosscount.location import LOCATIVE
from crosscount.models import Claim
from crosscount.resolve import Party, Resolver, fold, party_phrases
from crosscount.segment import Sentence

if TYPE_CHECKING:
    from crosscount.extract import Candidate, DocState

_PRONOUN_OBJECT = re.compile(r"^\s*(?:more\s+)?of\s+(?:them|their|those|these)\b", re.IGNORECASE)


class SubjectComponent:
    """Whose people a figure counts (mixed into the Extractor)."""

    lex: Lexicon
    resolver: Resolver

    def _subject(
        self,
        text: str,
        sent: Sentence,
        cand: Candidate,
        noun: str | None,
        party_word: str | None,
        prior: list[Claim],
        state: DocState,
    ) -> tuple[str | None, str]:
        r = self.resolver
        noun_word = (noun or "").lstrip("?")
        if not party_word and noun_word and r.party(noun_word):
            party_word = noun_word  # "300 North Koreans"
        if party_word:
            party = r.party(party_word)
            if party:
                return self._subject_of(party, noun_word, state), "noun_phrase"
        # "among the North Korean troops" / "of the North Korean military" after the figure
        after = text[cand.end : min(sent.end, cand.end + 80)]
        m = re.match(r"[^.;]*?\b(?:among|of)\s+(?:the\s+)?((?:[A-Z][\w'’-]*\s+){1,3})", after)
        if m:
            for word in party_phrases(m.group(1)):
                party = r.party(word)
                if party:
                    return self._subject_of(party, noun_word, state), "of_phrase"
        c_start, _ = sent.clause_of(cand.start)
        before = text[sent.start : cand.start]
        whole = self._whole_of(text, prior)
        if noun is None and whole is not None and not cand.is_share:
            return whole, "ellipsis"  # "37 civilians were killed and 150 wounded"
        # "some of them": the people spoken of before (unless the clause says who: "12 of them were children")
        pronoun = noun in ("them", None) and bool(_PRONOUN_OBJECT.match(text[cand.end : cand.end + 30]))
        if (noun in ("them",) or pronoun) and prior and prior[-1].subject:
            return prior[-1].subject, "pronoun_prior"
        if noun in ("them",) or pronoun:
            party = self._last_party(before)
            if party:
                return self._subject_of(party, noun_word, state), "pronoun"
        # The sufferer or sender before the figure: "North Korea has suffered", "Pyongyang was preparing to send".
        clause_before = text[c_start : cand.start]
        for pm in reversed(list(re.finditer(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)?", clause_before))):
            word = pm.group(0)
            preceding = clause_before[: pm.start()].split()[-1:] or [""]
            if preceding[0].lower() in LOCATIVE or preceding[0].lower() in self.lex.not_agent_before:
                continue
            for phrase in party_phrases(word):
                party = r.party(phrase)
                if party:
                    following = clause_before[pm.end() :].lstrip()
                    speech = self.lex.report_verb_pattern.search(following)
                    if speech and not re.search(
                        r"\b(?:is|are|was|were|be|been)\s+(?:\w+\s+)?$", following[: speech.start()]
                    ):
                        break  # "the Israeli military said it killed 19 militants": the speaker, not the sufferer
                    fm = self.lex.noun_pattern.match(following)
                    possessive = word.endswith(("'s", "’s")) or following.startswith(("'s", "’s"))
                    if possessive or fm or re.match(r"(?:casualty|death|loss)", following):
                        return self._subject_of(party, noun_word, state), "possessor"
                    if self.lex.agent_verb_pattern.match(following):
                        return self._subject_of(party, noun_word, state), "agent"
        if noun_word in self.resolver.civilian_nouns:
            return "civilians", "noun"
        military = noun_word in self.resolver.military_nouns or (
            noun_word.split()[-1:] and noun_word.split()[-1] in self.resolver.military_nouns
        )
        if noun_word == "others" and prior and prior[-1].subject:
            return prior[-1].subject, "ellipsis"  # "killed three people and wounded 15 others"
        if noun_word and not military and noun_word in self.lex.people_nouns:
            return noun_word, "noun_as_written"  # "700,000 people", "120 protesters": the subject the text uses
        if military:
            demonym = re.match(
                rf"\s+(?:[\w-]+\s+)?([A-Z][a-z]+(?:an|ian|ese|ish|i|ic))\s+(?:[\w-]+\s+)?{re.escape(noun_word)}\b",
                text[cand.end : cand.end + 60],
            )
            if demonym and not self.resolver.party(demonym.group(1)):
                return f"{demonym.group(1)} forces", "demonym"
            # "two UN soldiers", "40 NATO troops": an organisation's initials name whose members they are
            initials = re.match(
                rf"\s+(?:[\w-]+\s+)?([A-Z]{{2,6}})\s+(?:[\w-]+\s+)?{re.escape(noun_word)}\b",
                text[cand.end : cand.end + 60],
            )
            if initials and not self.resolver.party(initials.group(1)):
                return f"{initials.group(1)} {noun_word}", "organisation_members"
            forces = [s for s, _ in state.subjects.most_common() if s.endswith(" forces")]
            if prior and prior[-1].subject and prior[-1].subject.endswith(" forces"):
                return prior[-1].subject, "ellipsis"
            if forces:
                return forces[0], "document"
        if whole is not None and not (military and not whole.endswith(" forces")):
            return whole, "ellipsis"
        # "773 dead": the people the document counts, not a force it names; but "4,000 casualties" in a
        # story of armies may be the story's force (words for a force's losses, measures.toml)
        counted = [
            s
            for s, _ in state.subjects.most_common()
            if not (s.endswith(" forces") or s.split()[-1] in self.resolver.military_nouns)
            or noun_word in self.lex.force_loss_nouns
        ]
        if counted and not military:
            return counted[0], "document"
        # The last party named before the figure, as a last resort; one named after it is rarely the
        # one that suffered ("773 dead ... in battles between the rebels and the Congolese army")
        party = self._last_party(text[sent.start : cand.start])
        if party:
            return self._subject_of(party, noun_word, state), "sentence"
        if military and noun_word:
            # "five security personnel" in a text about one country: that country's forces
            party = self._document_party(text, state)
            if party:
                return self._subject_of(party, noun_word, state), "document_party"
            return noun_word, "noun_as_written"  # "120 people, including 11 police officers": not "people"
        if noun_word and (noun_word in self.lex.people_nouns or noun_word not in self.lex.casualty_nouns):
            return noun_word, "noun_as_written"
        return "people", "default_people"  # "12 dead, 40 injured": people, unqualified

    def _whole_of(self, text: str, prior: list[Claim]) -> str | None:
        """The subject an elliptic figure ("and 150 wounded", "hundreds more") shares: the last earlier
        figure's, unless that one is a part of the one before ("95 people, including 14 police officers")."""
        for claim in reversed(prior):
            if claim.subject and not self.lex.part_pattern.search(text, max(0, claim.start - 25), claim.start):
                return claim.subject
        return prior[-1].subject if prior else None

    def _group(self, text: str) -> str | None:
        """The group the text names most often among those whose members are everyone it counts."""
        found = Counter(re.sub(r"\s+", " ", m.group(0).lower()) for m in self.lex.group_pattern.finditer(text))
        return found.most_common(1)[0][0] if found else None

    def _canonical_subject(self, subject: str | None, rule: str, state: DocState) -> tuple[str | None, str]:
        """People in general are "people", or the text's group; a synonym is its canonical word."""
        if subject is None:
            return None, rule
        low = subject.lower()
        if low in self.lex.subject_synonyms:
            return self.lex.subject_synonyms[low], f"{rule}+synonym"
        if low in self.lex.generic_people:
            if state.group is not None:
                return state.group, f"{rule}+group"
            return "people", rule
        return subject, rule

    def _subject_of(self, party: Party, noun: str, state: DocState) -> str:
        if noun in self.resolver.civilian_nouns:
            return "civilians"
        soldiers = party.name in state.military_parties or state.military_nearby
        if not soldiers and (not noun.strip() or noun in self.lex.casualty_nouns):
            return "people"  # "the toll in Valdoria rose to 2,012", "820 dead": no soldiers in the story
        civil = noun in self.lex.people_nouns and noun not in self.resolver.military_nouns
        if not soldiers and civil and fold(noun) != fold(party.plural):
            return noun  # "820 people in Valdoria": the subject the text uses, not a force
        if fold(noun) == fold(party.plural) and party.name not in state.military_parties:
            # "32 Palestinians were killed": the subject the text uses; but "300 North Koreans" in a
            # story about North Korean troops are those troops
            return party.plural if noun else party.forces
        return party.forces

    def _military_parties(self, text: str) -> frozenset[str]:
        """Parties the text names with military nouns ("North Korean soldiers", "Pyongyang's troops")."""
        found: set[str] = set()
        for m in self.lex.military_mention_pattern.finditer(text):
            for phrase in party_phrases(m.group(1)):
                party = self.resolver.party(phrase)
                if party is not None:
                    found.add(party.name)
                    break
        return frozenset(found)

    def _last_party(self, text: str) -> Party | None:
        parties = self.resolver.parties_in(text)
        return parties[-1] if parties else None

    def _document_party(self, text: str, state: DocState) -> Party | None:
        """The country the document is most about: the party it names most often (read once)."""
        if state.document_party is None:
            counts = Counter(p.name for p in self.resolver.parties_in(text))
            top = counts.most_common(2)
            state.document_party = (
                self.resolver.party(top[0][0]) if top and (len(top) == 1 or top[0][1] > top[1][1]) else False
            )
        return state.document_party if isinstance(state.document_party, Party) else None


    # ------------------------------------------------------------------ location
