"""Who asserts a figure, read from the dependency parse: the extractor's "speech" component.

For each figure in a sentence, the parse says which reporting verb governs the clause that holds
it ("X said (that) ... N ...", "X reported N deaths", "X estimated N", "N ..., X told Y") and who
the verb's subject is; or that the figure stands under "according to X"; and whether the speaker
cites someone else ("citing X", "quoting X"). The source phrase is the subject's noun phrase cut
to the entity a reader would name: a date, a number, a determiner or an adjective alone is never a
source ("Tuesday", "the", "Chinese"), and a common noun with a proper name in apposition is that
name ("the organisation Rights Watch" -> "Rights Watch").

Rules settle the rest (attribution.py); this component only reads the parse, so its decisions
carry rule names beginning with ``parse:``. Verb lemmas and cue words are in attribution.toml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from crosscount.lexicon import Lexicon

# Left dependents that belong to a name ("the Syrian state news agency", "Libya's health ministry").
_NAME_LEFT = frozenset({"compound", "amod", "det", "poss", "nmod", "nummod", "quantmod", "case", "punct", "npadvmod"})
# Prepositions whose phrase belongs to the source ("head of OCHA", "spokesman for the army").
_NAME_PREPS = frozenset({"of", "for", "at", "in", "from"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_RELATIVE = frozenset({"which", "who", "that", "whom"})
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.'’-]+(?:\s+[A-Z][A-Za-z.'’-]+){0,3}(?:,\s*[A-Z][A-Za-z.'’ -]{1,30})?"
    r"(?:\s*\([^()]{1,40}\))?(?:\s+-\s+|\s*(?:—|–|--)\s*|:\s+)|[A-Z]{3,}(?:\s+[A-Z]{3,})*\s*[-—–:]\s*)"
)
_NAME_PUNCT = frozenset({"“", "”", '"', "-", "'", "’", "&", "."})


def _grammar_part(text: str) -> tuple[int, str]:
    """A dateline ("BENGHAZI —", "New Delhi:", "CITY, Country (Agency) --") is not part of the
    sentence's grammar: the parse starts after it. (characters skipped, the rest)"""
    dateline = _DATELINE.match(text)
    skip = dateline.end() if dateline else 0
    return skip, text[skip:]


@dataclass(frozen=True, slots=True)
class Speech:
    """The asserter of one figure, as the parse shows it (offsets absolute in the document)."""

    kind: str  # subject | according | agent
    source_text: str
    source_start: int
    source_end: int
    anchor: int  # where the reporting verb or cue stands
    verb: str  # the verb's lemma, or the cue ("according to")
    listener_text: str | None = None  # "told Y": Y
    cited_text: str | None = None  # "citing X" / "quoting X": X, the source the speaker passes on
    cited_start: int | None = None
    cited_end: int | None = None
    rule: str = ""


class SpeechReader:
    """Reads asserters off spaCy's parse of figure-bearing sentences (one reader per process)."""

    def __init__(self, lex: Lexicon, nlp: Any = None) -> None:
        self.lex = lex
        self._nlp = nlp
        self._parsed: dict[str, Any] = {}  # sentence -> its parse, from the last ``prepare``
        self._batch: dict[str, Any] = {}  # sentence -> its parse, for the documents of a batch

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            from crosscount.model import load_parser

            self._nlp = load_parser()
        return self._nlp

    def prepare(self, sentences: Sequence[str]) -> None:
        """Parse the sentences ``read`` will be asked about, in one batch (the model is several times
        faster per sentence on a batch), unless ``prepare_batch`` parsed them; forgets the previous call's."""
        grammar = [_grammar_part(text)[1] for text in sentences]
        self._parsed = {text: self._batch[text] for text in grammar if text in self._batch}
        missing = list(dict.fromkeys(text for text in grammar if text not in self._parsed))
        if missing:
            self._parsed.update(self._parse(missing))

    def prepare_batch(self, sentences: Sequence[str]) -> None:
        """Parse the sentences of many documents in one batch, kept for their ``prepare`` until
        ``release_batch`` (per-call overhead is a large part of the model's time on a few sentences)."""
        grammar = list(dict.fromkeys(_grammar_part(text)[1] for text in sentences))
        self._batch = self._parse(grammar) if grammar else {}

    def release_batch(self) -> None:
        self._batch = {}

    def _parse(self, texts: list[str]) -> dict[str, Any]:
        return dict(zip(texts, self.nlp.pipe(texts), strict=True))

    def read(self, text: str, offset: int, figures: Sequence[tuple[int, int]]) -> list[Speech | None]:
        """One Speech (or None) per figure span (absolute offsets) of the sentence ``text`` at ``offset``."""
        if not figures:
            return []
        skip, text = _grammar_part(text)
        offset += skip
        doc = self._parsed.get(text)
        if doc is None:
            doc = self._parse([text])[text]
        return [self._for_figure(doc, offset, start - offset, end - offset) for start, end in figures]

    # ------------------------------------------------------------------ per figure
    def _for_figure(self, doc: Any, offset: int, start: int, end: int) -> Speech | None:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return None
        token = span.root
        chain = [token, *token.ancestors]
        # A governing verb's subject originates the figure ("the agency told lawmakers ..., according
        # to Rep. X": the agency); "according to X" names the source when no verb does.
        speech = self._reported_by(token, offset) or self._governing_verb(chain, offset)
        if speech is not None:
            return speech
        according = self._according(doc, chain, offset)
        return according[1] if according is not None else None

    def _according(self, doc: Any, chain: list[Any], offset: int) -> tuple[bool, Speech] | None:
        """("according to X" attached to the figure's clause, its Speech); any in the sentence else."""
        found: tuple[bool, Speech] | None = None
        on_chain = {t.i for t in chain}
        for tok in doc:
            if tok.lower_ not in self.lex.according_cues:
                continue
            obj = next((c for c in tok.children if c.dep_ == "pobj"), None)
            if obj is None:
                to = next((c for c in tok.children if c.lower_ in ("to", "of")), None)
                obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if obj is None:
                continue
            phrase = self._phrase(obj, offset)
            if phrase is None:
                continue
            text, s, e = phrase
            attached = tok.head.i in on_chain or tok.i in on_chain
            # "according to X, which cites Y" / "according to X, citing Y": Y, passed on by X
            relayed = self._relayed(obj, offset) or self._citing_on_chain(doc, on_chain, offset)
            speech = Speech(
                "according",
                text,
                s,
                e,
                tok.idx + offset,
                "according to",
                cited_text=relayed[0] if relayed else None,
                cited_start=relayed[1] if relayed else None,
                cited_end=relayed[2] if relayed else None,
                rule="parse:according_to",
            )
            if found is None or (attached and not found[0]):
                found = (attached, speech)
        return found

    def _reported_by(self, figure: Any, offset: int) -> Speech | None:
        """ "2,000 civilians killed, as reported by X": a reporting participle with an agent on the
        figure's own noun phrase names its source, whatever verb governs the sentence."""
        noun = figure.head if figure.dep_ in ("nummod", "quantmod", "amod", "compound") else figure
        if noun.head.dep_ == "prep" and noun.head.lower_ == "of" and noun.head.head.pos_ == "NOUN":
            noun = noun.head.head  # "the figure of 3,000 deaths, as stated by X"
        for verb in noun.subtree:
            if verb.dep_ not in ("acl", "advcl", "relcl") or verb.lemma_.lower() not in self.lex.report_lemmas:
                continue
            path = []
            for up in verb.ancestors:
                if up.i == noun.i:
                    break
                path.append(up)
            if any(t.dep_ == "conj" for t in path):
                continue  # on another conjunct's noun ("900 fighters, and not 2,000 civilians ... reported by X")
            agent = next((c for c in verb.children if c.dep_ == "agent"), None)
            actor = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
            phrase = self._phrase(actor, offset) if actor is not None else None
            if phrase is not None:
                text, s, e = phrase
                return Speech("agent", text, s, e, verb.idx + offset, verb.lemma_.lower(), rule="parse:reported_by")
        return None

    def _reports(self, verb: Any) -> bool:
        """A reporting verb, or a verb that changes a toll ("raised the death toll to N")."""
        lemma = verb.lemma_.lower()
        if verb.pos_ not in ("VERB", "AUX"):
            return False
        if lemma in self.lex.report_lemmas:
            return True
        return lemma in self.lex.toll_lemmas and any(
            c.dep_ in ("dobj", "obj", "nsubjpass") and c.lemma_.lower() in self.lex.toll_objects for c in verb.children
        )

    def _agentive(self, subject: Any) -> bool:
        """A name, a pronoun, or a noun for someone who counts (an agency, officials, the police)."""
        lemma = subject.lemma_.lower()
        return (
            subject.pos_ in ("PROPN", "PRON")
            or lemma in self.lex.descriptions
            or lemma in self.lex.party_organs
            or subject.lower_ in self.lex.descriptions
        )

    def _governing_verb(self, chain: list[Any], offset: int) -> Speech | None:
        """The nearest reporting verb above the figure whose subject is not the figure itself."""
        for child, verb in pairwise(chain):
            if not self._reports(verb):
                continue
            if child.dep_ in _SUBJECT_DEPS:
                continue  # "300 officials said": the figure is the speaker, not what is said
            if child.dep_ == "advcl" and any(
                c.dep_ in ("mark", "prep") and c.lower_ in self.lex.background_markers for c in child.children
            ):
                return None  # "A week after the quake killed 3,000, survivors find ...": background, not reported
            subject = self._subject_of(verb)
            if subject is None:
                if any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
                    return None  # "N were reported": impersonal, nobody named
                continue
            if verb.lemma_.lower() not in self.lex.report_lemmas and not self._agentive(subject):
                continue  # "the discovery raised the toll": an event, not someone who counts
            phrase = self._phrase(subject, offset)
            if phrase is None:
                return None
            text, s, e = phrase
            listener = None
            if verb.lemma_.lower() in self.lex.telling_lemmas:
                obj = next((c for c in verb.children if c.dep_ in ("dobj", "dative", "iobj")), None)
                if obj is not None and obj.i != child.i:
                    heard = self._phrase(obj, offset)
                    listener = heard[0] if heard else None
            cited = self._cited(verb, offset)
            return Speech(
                "subject",
                text,
                s,
                e,
                verb.idx + offset,
                verb.lemma_.lower(),
                listener_text=listener,
                cited_text=cited[0] if cited else None,
                cited_start=cited[1] if cited else None,
                cited_end=cited[2] if cited else None,
                rule=f"parse:subject_of_{verb.lemma_.lower()}",
            )
        return None

    def _subject_of(self, verb: Any) -> Any:
        """The verb's subject; through a relative pronoun to its antecedent; through coordination."""
        # "X said ... and added N" (conj), "X attacked the town, claiming N" (advcl/xcomp): the head's subject
        for current in (verb, verb.head if verb.dep_ in ("conj", "advcl", "xcomp") else None):
            if current is None:
                continue
            subjects = [c for c in current.children if c.dep_ == "nsubj" and not self._is_citing(c)]
            subject = subjects[-1] if subjects else None
            if subject is None:
                agent = next((c for c in current.children if c.dep_ == "agent"), None)
                subject = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
            if subject is None:
                continue
            if subject.lower_ in _RELATIVE and current.dep_ == "relcl":
                return current.head
            return subject
        return None

    def _is_citing(self, token: Any) -> bool:
        """A noun introduced by "citing"/"quoting" ("Quoting officials, the BBC ...")."""
        return any(t.lower_ in self.lex.citing_cues for t in token.subtree if t.i < token.i)

    def _cited(self, verb: Any, offset: int) -> tuple[str, int, int] | None:
        """ "X reported, citing Y" / "Quoting Y, X reported" / "X, quoting Y, said": Y."""
        for tok in verb.subtree:
            if tok.lower_ not in self.lex.citing_cues or self._under_other_report(tok, verb):
                continue
            obj = next((c for c in tok.children if c.dep_ in ("dobj", "pobj", "obj")), None)
            if obj is None and tok.dep_ in ("amod", "compound") and tok.head.pos_ in ("NOUN", "PROPN"):
                obj = tok.head  # parsed as a modifier of the cited noun
            if obj is not None:
                return self._phrase(obj, offset)
        return None

    def _relayed(self, head: Any, offset: int) -> tuple[str, int, int] | None:
        """ "X, which refers to Y" / "X, citing Y": the source X passes on, from a clause on X."""
        for clause in head.children:
            if clause.dep_ not in ("relcl", "acl") or clause.lemma_.lower() not in self.lex.relay_lemmas:
                continue
            for child in clause.children:
                target = child
                if child.dep_ == "prep":
                    target = next((c for c in child.children if c.dep_ == "pobj"), None)
                elif child.dep_ not in ("dobj", "obj"):
                    continue
                if target is not None and target.pos_ in ("NOUN", "PROPN"):
                    return self._phrase(target, offset)
        return None

    def _citing_on_chain(self, doc: Any, on_chain: set[int], offset: int) -> tuple[str, int, int] | None:
        """A "citing Y" participle attached to the figure's own clause."""
        for tok in doc:
            if tok.lower_ in self.lex.citing_cues and tok.head.i in on_chain:
                obj = next((c for c in tok.children if c.dep_ in ("dobj", "pobj", "obj")), None)
                if obj is not None:
                    return self._phrase(obj, offset)
        return None

    def _under_other_report(self, token: Any, verb: Any) -> bool:
        """Whether another reporting verb stands between ``token`` and ``verb`` ("X said, Y reports citing Z":
        Z is what Y cites, not X)."""
        for ancestor in token.ancestors:
            if ancestor.i == verb.i:
                return False
            if ancestor.lemma_.lower() in self.lex.report_lemmas and ancestor.pos_ in ("VERB", "AUX"):
                return True
        return False

    # ------------------------------------------------------------------ the entity a reader would name
    def _phrase(self, head: Any, offset: int) -> tuple[str, int, int] | None:
        """The source phrase headed by ``head``, cut to an entity; None when it cannot be one."""
        if head.pos_ == "PRON":
            return head.text, head.idx + offset, head.idx + len(head.text) + offset
        if head.pos_ not in ("NOUN", "PROPN") or self._is_time(head):
            return None
        # A spokesperson or an officer presenting the count speaks for the organisation.
        organisation = self._organisation_spoken_for(head)
        if organisation is not None:
            return self._span_text(*organisation, offset)
        # A report "issued by X" / "from X" is X's.
        if head.lower_ in self.lex.report_nouns:
            issuer = self._issuer(head)
            if issuer is not None:
                return self._phrase(issuer, offset)
        # A common noun with a proper name in apposition: the name ("the organisation Rights Watch").
        # So is a title with the person's name set off by commas ("the country's president, Jane Roe,").
        if head.pos_ == "NOUN":
            for c in head.children:
                if c.dep_ != "appos" or c.pos_ != "PROPN":
                    continue
                adjacent = c.left_edge.i == head.i + 1
                set_off = (
                    c.left_edge.i == head.i + 2
                    and head.doc[head.i + 1].text == ","
                    and head.lemma_.lower() in self.lex.person_titles
                )
                if adjacent or set_off:
                    head = c
                    break
        first, last = self._extent(head)
        found = self._span_text(first, last, offset, head)
        # "the report", "the ministry": a definite description, resolved later to what it refers to
        definite = next((c for c in head.lefts if c.dep_ == "det" and c.lower_ == "the"), None)
        if found is not None and definite is not None and first.i > definite.i and head.text.islower():
            return "the " + found[0], found[1], found[2]
        return found

    def _extent(self, head: Any) -> tuple[Any, Any]:
        """First and last token of the name headed by ``head`` (left modifiers, "of/for X", a name run)."""
        doc = head.doc
        first = head.i
        for left in reversed(list(head.lefts)):
            if left.dep_ not in _NAME_LEFT or left.right_edge.i != first - 1:
                break
            if left.dep_ == "punct" and left.text not in _NAME_PUNCT:
                break
            first = left.left_edge.i
        last = head.i
        for right in head.rights:
            if right.i != last + 1:
                break
            if right.dep_ == "punct" and right.text in ("-", "&"):
                last = right.i
            elif (right.dep_ == "prep" and right.lower_ in _NAME_PREPS and self._names_a_place(right)) or (
                right.dep_ in ("compound", "appos", "flat") and right.pos_ == "PROPN"
            ):
                last = right.right_edge.i
            else:
                break
        if head.pos_ == "PROPN" and head.text[:1].isupper():
            # "the Syrian state news agency SANA", "New Delhi: President X": the proper name ending it
            run = head.i
            while run - 1 >= first and (
                (doc[run - 1].pos_ == "PROPN" and doc[run - 1].text[:1].isupper()) or doc[run - 1].text in ("-", "&")
            ):
                run -= 1
            describing = ("NOUN", "PUNCT", "NUM")
            if any(doc[k].pos_ in describing and doc[k].text not in _NAME_PUNCT for k in range(first, run)):
                first = run
        # Leading words that describe rather than name: "updated", "Oslo-based", "local", "the".
        while first < head.i:
            tok = doc[first]
            if tok.is_punct or tok.lower_ in self.lex.citing_cues or tok.dep_ == "det":
                first += 1
            elif (tok.pos_ == "VERB" and tok.dep_ == "amod") or (tok.dep_ == "npadvmod" and tok.head.pos_ == "VERB"):
                # a participle that describes ("updated figures", "Oslo-based group")
                first = max(first + 1, tok.right_edge.i + 1 if tok.right_edge.i < head.i else first + 1)
            else:
                break
        while last > head.i and doc[last].is_punct:
            last -= 1
        return doc[first], doc[last]

    @staticmethod
    def _names_a_place(prep: Any) -> bool:
        """ "of Health", "for the IFRC", "in Tobruk" belong to a name; "in the besieged enclave" does not,
        nor does a phrase with a clause in it ("survivors of a boat that sank off X")."""
        subtree = list(prep.subtree)
        if len(subtree) > 10 or any(t.pos_ in ("VERB", "AUX") for t in subtree):
            return False
        return prep.lower_ in ("of", "for") or any(t.pos_ == "PROPN" for t in subtree)

    def _span_text(self, first: Any, last: Any, offset: int, head: Any = None) -> tuple[str, int, int] | None:
        doc = first.doc
        span = doc[first.i : last.i + 1]
        # A title and a name ("Armed Forces Commander-in-Chief Jane Roe"): the person, when the phrase
        # ends in two or more capitalised names after title words.
        if head is not None and head.pos_ == "PROPN" and head.i == last.i:
            run = last.i
            while run - 1 >= first.i and doc[run - 1].pos_ == "PROPN" and doc[run - 1].text[:1].isupper():
                run -= 1
            titles = [k for k in range(run, last.i + 1) if doc[k].lower_.rstrip(".") in self.lex.person_titles]
            if titles and last.i - titles[-1] >= 2:
                span = doc[titles[-1] + 1 : last.i + 1]
        # Only a determiner, an adjective or a number: not a name ("the", "Chinese", "most").
        if not any(t.pos_ in ("NOUN", "PROPN") and not self._is_time(t) for t in span):
            return None
        text = span.text
        for mark in ("“", "”", '"'):
            text = text.replace(mark, "")
        return text, span.start_char + offset, span.end_char + offset

    def _is_time(self, token: Any) -> bool:
        """A weekday, month or time noun, or a number: never an asserter ("Thursday", "this week")."""
        return bool(token.lower_ in self.lex.time_nouns or token.like_num)

    def _organisation_spoken_for(self, head: Any) -> tuple[Any, Any] | None:
        """ "the government spokesman (X)" -> the government; "X, deputy head of OCHA" -> OCHA."""
        titles = [head]
        if head.pos_ == "PROPN":
            # "X, the government spokesman," / "the ministry spokesman X"
            titles += [c for c in head.children if c.dep_ in ("appos", "compound") and c.pos_ == "NOUN"]
        for title in titles:
            if title.lemma_.lower() not in self.lex.spokesperson_titles:
                continue
            for prep in title.rights:
                if prep.dep_ == "prep" and prep.lower_ in ("for", "of", "at"):
                    obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
                    if obj is not None and obj.pos_ in ("NOUN", "PROPN"):
                        return self._extent(obj)
            modifiers = [c for c in title.lefts if c.dep_ in ("compound", "nmod", "poss", "amod") and c.pos_ != "ADJ"]
            if modifiers:
                owner = modifiers[-1]
                first = min(owner.left_edge.i, *(m.left_edge.i for m in modifiers))
                return owner.doc[first], owner
        return None

    def _issuer(self, report: Any) -> Any:
        """The organisation a report belongs to: "an AFP count", "the ministry's figures", "a report by X",
        "a balance sheet issued by X"."""
        for left in report.lefts:
            if left.dep_ in ("compound", "poss", "nmod") and left.pos_ == "PROPN":
                return left
        for child in report.children:
            if child.dep_ == "prep" and child.lower_ in ("by", "from", "of"):
                obj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if obj is not None and obj.pos_ in ("NOUN", "PROPN") and obj.lower_ not in self.lex.report_nouns:
                    return obj
            if child.dep_ == "acl":  # "issued by X", "released by X"
                agent = next((c for c in child.children if c.dep_ == "agent"), None)
                obj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
                if obj is not None and obj.pos_ in ("NOUN", "PROPN"):
                    return obj
        return None
