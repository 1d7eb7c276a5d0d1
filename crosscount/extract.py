"""The extract stage: a document's text -> attributed, dated claims.

A cheap pass settles what rules can settle: figures (numbers.py), time expressions (dates.py),
what each figure counts (measure cues, head nouns), whose people (parties), where, who asserts
it (attribution.py, people.py) and when it holds. The parse (speech.py) reads only the sentences
with a figure and a reporting word that one plain frame does not settle, in one batch per document.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from crosscount import dates as dates_mod
from crosscount import numbers as numbers_mod
from crosscount.attribution import Frame, Token, find_frames, quote_spans
from crosscount.filters import Layout, apply_filters
from crosscount.kind import figure_kind, is_derived
from crosscount.language import is_english
from crosscount.lexicon import Lexicon, alternation, lexicon
from crosscount.location import LocationComponent
from crosscount.measure import DATA_ROW, MeasureComponent
from crosscount.models import Claim, Document
from crosscount.people import DocumentPeople
from crosscount.resolve import DocumentAliases, Party, Resolver, default_resolver, fold
from crosscount.segment import Paragraph, Sentence, split
from crosscount.speech import Speech, SpeechReader
from crosscount.subject import SubjectComponent
from crosscount.timing import FigureTime, SentenceTime, TimeState, Timing

EXTRACTOR_VERSION = "crosscount.rules.v1"

_BASE_REFERENCE = re.compile(
    r"(?:\bamong|\bof|\bout\s+of|\bfrom)\s+(?:the|its|their|a|an)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE
)


@dataclass(slots=True)
class Mention:
    """An entity the text has named, for resolving "It", "the agency", "the report" later."""

    canonical: str
    kind: str  # org | person | group | outlet | report
    position: int
    recent: bool = False  # described as new / latest (a "now" cue)


@dataclass(slots=True)
class DocState:
    mentions: list[Mention] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    subjects: Counter[str] = field(default_factory=Counter)
    last_place: str | None = None
    force_size: dict[str, float] = field(default_factory=dict)  # subject -> last deployed/strength figure
    pending: list[tuple[str, str | None, str, int, str | None]] = field(default_factory=list)
    # (source, via, family, sentence index, place named there)
    pending_place: str | None = None
    military_parties: frozenset[str] = frozenset()  # parties whose soldiers the text names
    group: str | None = None  # the group whose members are everyone the text counts ("migrants"), if named
    list_source: tuple[str, str] | None = None  # (name, as written) of a lead-in "X said:" over data rows
    military_sentences: set[int] = field(default_factory=set)  # sentences that speak of soldiers or troops
    military_nearby: bool = False  # this sentence or the one before does
    previous: tuple[int, Claim] | None = None  # the last claim that is not a base reference, and its sentence
    last_sentence_claims: tuple[int, list[Claim]] | None = None  # the last sentence with claims, and them
    previous_paragraph: int | None = None  # the paragraph of that sentence
    # this sentence: its candidates, and (once read) figure start -> its asserter from the parse
    sentence_candidates: list[Candidate] = field(default_factory=list)
    speeches: dict[int, Speech | None] | None = None
    people: DocumentPeople = field(default_factory=DocumentPeople)  # titled names the document gives
    sentence_frames: list[Frame] = field(default_factory=list)
    document_party: Party | bool | None = None  # the party the document names most (False: none stands out)
    sentence_parse: bool = False  # whether the parse reads this sentence's figures (decided in the first pass)
    named_sources: list[tuple[int, str]] | None = None  # (where, canonical) of known sources the document names
    named_officials: tuple[str | None] | None = None  # the first "X officials" the document names, as a name (once)
    cues: dict[tuple[int, int], list[tuple[int, int, str]]] = field(default_factory=dict)  # per clause, once
    places: dict[tuple[int, int], tuple[int, str] | None] = field(default_factory=dict)  # per clause, once


@dataclass(slots=True)
class SentenceContext:
    """The sentence in hand and what the components read about it (one per sentence); the document's
    discourse state (mentions, the last source and figure, pending speakers) is ``state``."""

    sent: Sentence
    text: str  # the whole document: offsets are absolute
    frames: list[Frame]
    time: SentenceTime
    quotes: list[tuple[int, int]]
    aliases: DocumentAliases
    state: DocState
    tstate: TimeState
    doc_id: str
    published: str | None
    figure_starts: list[int]
    claims: list[Claim] = field(default_factory=list)  # this sentence's claims so far


@dataclass(slots=True)
class Candidate:
    start: int  # absolute
    end: int
    figure: str
    low: float | None
    high: float | None
    qualifier: str
    is_share: bool
    rule: str
    whole_force: bool = False
    # (limit, _head_noun's answer): read once per figure
    head: tuple[int, tuple[str | None, int, str | None]] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FirstPass:
    """What a document's text alone decides, before the parse: its sentences, each sentence's figures and
    frames, and the sentences the parse must read."""

    paragraphs: list[Paragraph]
    sentences: list[Sentence]
    read: list[tuple[list[Candidate], list[Frame]]]
    parse: list[bool]  # per sentence: whether the parse reads its figures (``_parse_wanted``)
    wanted: list[str]  # the sentences to parse ahead: those of them with a figure that reaches attribution


_FAMILY = {
    "killed": "losses",
    "wounded": "losses",
    "casualties": "losses",
    "missing": "losses",
    "captured": "captured",
    "deserted": "deserted",
    "deployed": "force",
    "strength": "force",
    "displaced": "displaced",
    "arrested": "arrested",
    "other": "other",
}


class Extractor(MeasureComponent, SubjectComponent, LocationComponent):
    """Rule-based claim extractor; one per process (it caches its data)."""

    def __init__(self, resolver: Resolver | None = None, lex: Lexicon | None = None, use_model: bool = True) -> None:
        self.resolver = resolver or default_resolver()
        self.lex = lex or lexicon()
        self.use_model = use_model
        self.timing = Timing(self.lex)
        self.sentences_seen = 0
        self.sentences_to_model = 0
        self.speech = SpeechReader(self.lex) if use_model else None
        self._prepared: dict[str, FirstPass] = {}  # text -> its first pass, read ahead for a batch

    # ------------------------------------------------------------------ public
    def extract_document(self, doc: Document) -> list[Claim]:
        if not is_english(doc.language):  # the rules are English: another language is never mined
            return []
        return self.extract(doc.text, published=doc.published, doc=doc.id, url=doc.url)

    def extract(
        self, text: str, published: str | None = None, doc: str | None = None, url: str | None = None
    ) -> list[Claim]:
        doc_id = doc or "text"
        tstate = self.timing.open_document(self.timing.reference(text, published, url))
        header = _DATE_LINE.match(text)
        header_end = header.end() if header else 0
        aliases = DocumentAliases.scan(text)
        first = self._prepared.pop(text, None) or self._first_pass(text)
        paragraphs, sentences, read = first.paragraphs, first.sentences, first.read
        quotes = quote_spans(text)
        state = DocState(people=DocumentPeople.scan(text, self.lex, self.resolver.known_source))
        state.military_parties = self._military_parties(text)
        state.group = self._group(text)

        claims: list[Claim] = []
        subtitle_paragraph = self._subtitle_paragraph(paragraphs)
        claim_paragraphs: list[tuple[Claim, int]] = []
        if self.speech is not None:
            self.sentences_to_model += len(first.wanted)
            self.speech.prepare(first.wanted)
        for sent, (candidates, frames), parse in zip(sentences, read, first.parse, strict=True):
            self.sentences_seen += 1
            st = self.timing.sentence(sent, text, tstate, header_end)
            times = st.mentions
            if self.lex.military_sentence_pattern.search(sent.text):
                state.military_sentences.add(sent.index)
            state.military_nearby = bool({sent.index, sent.index - 1} & state.military_sentences)
            self._record_mentions(sent, frames, aliases, state, times)
            self._update_list_lead_in(sent, frames, aliases, state)
            # The parse is read lazily: only a sentence with a figure that reaches attribution pays for it.
            state.speeches = None
            state.sentence_candidates = candidates
            state.sentence_frames = frames
            state.sentence_parse = parse
            ctx = SentenceContext(
                sent, text, frames, st, quotes, aliases, state, tstate, doc_id, published, [c.start for c in candidates]
            )
            sentence_claims = ctx.claims
            for cand in candidates:
                claim = self._claim_for(cand, ctx)
                if claim is not None:
                    sentence_claims.append(claim)
            for claim in sentence_claims:
                claim.rules = (*claim.rules, "heading" if sent.is_heading else "body")
                if sent.paragraph == subtitle_paragraph:
                    claim.rules = (*claim.rules, "lead_repeat_candidate")
                state.claims.append(claim)
                if claim.subject:
                    state.subjects[claim.subject] += 1
                if (
                    claim.measure in ("deployed", "strength")
                    and claim.unit == "persons"
                    and claim.low
                    and claim.subject
                ):
                    state.force_size[claim.subject] = claim.low
            if sentence_claims:
                state.last_sentence_claims = (sent.index, sentence_claims)
            else:
                self._relay_back(sent, aliases, state)
                self._given_back(sent, aliases, state)
            claims.extend(sentence_claims)
            headline_figures = [c for c in sentence_claims if "base_reference" not in c.rules]
            if headline_figures:
                state.previous = (sent.index, headline_figures[-1])
                state.previous_paragraph = sent.paragraph
            claim_paragraphs.extend((c, sent.paragraph) for c in sentence_claims)
            self.timing.close_sentence(st, tstate)
            self._update_pending(sent, frames, candidates, state, aliases)
        paragraph_of = {(c.start, c.end): p for c, p in claim_paragraphs}
        return apply_filters(claims, Layout(text, subtitle_paragraph, paragraph_of)).kept

    # ------------------------------------------------------------------ first pass and batches
    def _first_pass(self, text: str) -> FirstPass:
        """Sentences, their figures and frames, and the sentences the parse must read: what the text alone
        decides, read before the parse so that the parse can take many sentences in one batch."""
        paragraphs, sentences = split(text)
        read: list[tuple[list[Candidate], list[Frame]]] = []
        for sent in sentences:
            candidates = self._candidates(sent)
            # Frames matter for a sentence's own figures and for later references back to who spoke;
            # a sentence with neither a figure nor a reporting word needs none.
            if candidates or self.lex.report_verb_pattern.search(sent.text) or "ccording to" in sent.text:
                frames = find_frames(sent.text, sent.start, self.lex, title_case=sent.is_heading)
            else:
                frames = []
            read.append((candidates, frames))
        # Whether the parse reads a sentence is decided once, here, on all its figures; it is parsed ahead
        # when one of them can reach attribution (the head-noun checks ``_claim_for`` makes first).
        parse = [
            self.speech is not None and self._parse_wanted(sent, c, f)
            for sent, (c, f) in zip(sentences, read, strict=True)
        ]
        wanted = [
            sent.text
            for sent, (c, _f), use in zip(sentences, read, parse, strict=True)
            if use and any(self._may_count_people(text, sent, x) for x in c)
        ]
        return FirstPass(paragraphs, sentences, read, parse, wanted)

    def prepare_document(self, doc: Document) -> None:
        """Read the document's first pass now and keep it for its ``extract``; ``parse_prepared`` then parses
        the sentences of every prepared document in one batch. ``release`` forgets what is kept."""
        if is_english(doc.language) and doc.text not in self._prepared:
            self._prepared[doc.text] = self._first_pass(doc.text)

    def parse_prepared(self) -> None:
        """Parse the sentences the prepared documents need, all in one batch (kept until ``release``)."""
        if self.speech is not None:
            self.speech.prepare_batch([text for first in self._prepared.values() for text in first.wanted])

    def release(self) -> None:
        """Forget the prepared documents and the batch's parses."""
        self._prepared.clear()
        if self.speech is not None:
            self.speech.release_batch()

    # ------------------------------------------------------------------ structure
    @staticmethod
    def _subtitle_paragraph(paragraphs: list) -> int | None:  # type: ignore[type-arg]
        """The paragraph right under a leading headline is a subtitle (its repeats are not claims)."""
        if len(paragraphs) >= 2 and paragraphs[0].is_heading and not paragraphs[1].is_heading:
            return int(paragraphs[1].index)
        return None

    # ------------------------------------------------------------------ figures
    def _candidates(self, sent: Sentence) -> list[Candidate]:
        out: list[Candidate] = []
        for f in numbers_mod.find_figures(sent.text):
            out.append(
                Candidate(
                    f.start + sent.start, f.end + sent.start, f.figure, f.low, f.high, f.qualifier, f.is_share, f.rule
                )
            )
        for m in self.lex.whole_force_pattern.finditer(sent.text):
            s, e = m.start() + sent.start, m.end() + sent.start
            if any(c.start < e and s < c.end for c in out):
                continue
            # "the entire contingent of 12,000": the number is the claim, not the phrase
            tail = sent.text[m.end() : m.end() + 40]
            if re.match(r"\s+of\s+[\d~]", tail):
                continue
            out.append(Candidate(s, e, m.group(0), None, None, "approx", False, "whole_force", whole_force=True))
        out.sort(key=lambda c: c.start)
        return out

    def _relay_back(self, sent: Sentence, aliases: DocumentAliases, state: DocState) -> None:
        """ "OCHA said 11,300 were dead. The UN body cited the Red Crescent.": a sentence right after one with
        figures whose subject refers back to their speaker names whom it relayed; those figures are that
        one's, via the speaker."""
        before = _claims_just_before(sent, state)
        m = self.lex.relay_back_pattern.match(sent.text.strip()) if before else None
        if m is None:
            return
        relayed, kind = self._name(m.group(1), aliases, sent)
        speakers = {c.source for c in before if c.source}
        if relayed is None or kind == "outlet" or len(speakers) != 1 or relayed in speakers:
            return
        for claim in before:
            claim.via, claim.source = claim.source, relayed
            claim.rules = tuple(
                f"{rule}+relayed_next_sentence" if rule.startswith("source:") else rule for rule in claim.rules
            )

    def _given_back(self, sent: Sentence, aliases: DocumentAliases, state: DocState) -> None:
        """ "... 10,000 are believed missing. X, head of the Y delegation, gave the numbers of missing people
        on Tuesday.": the sentence right after one with figures in the outlet's voice names who gave them
        (those of the measure it names, if it names one)."""
        before = _claims_just_before(sent, state)
        m = self.lex.gave_back_pattern.match(sent.text.strip()) if before else None
        if m is None:
            return
        speaker = re.split(r",\s+", m.group(1))[0]  # "X, head of the Y delegation in Libya,": X
        name, kind = self._name(speaker, aliases, sent)
        if name is None or kind == "outlet":
            return
        titled = state.people.resolve(speaker, sent.start, self.lex, self.resolver.is_state)
        name = self.resolver.canonical_source(titled) if titled and titled[:1].isupper() else name
        cue = self.lex.measure_pattern.search(m.group(2) or "")
        measure = self.lex.measure_cues.get(re.sub(r"\s+", " ", cue.group(0).lower())) if cue else None
        for claim in before:
            if claim.source is None and (measure is None or claim.measure == measure):
                claim.source = name
                claim.rules = tuple(
                    "source:given_back_next_sentence" if rule.startswith("source:") else rule for rule in claim.rules
                )

    def _update_list_lead_in(
        self, sent: Sentence, frames: list[Frame], aliases: DocumentAliases, state: DocState
    ) -> None:
        """A line that ends with a colon after a speaker opens a list its rows belong to; any other line
        that is not a data row ("Label: 12") closes it."""
        if sent.text.rstrip().endswith(":") and frames:
            name, _ = self._name(frames[-1].source_text, aliases, sent)
            state.list_source = (name, frames[-1].source_text) if name else None
        elif not DATA_ROW.fullmatch(sent.text):
            state.list_source = None

    def _is_media(self, name: str) -> bool:
        """An outlet, or media in general ("local media", "state media")."""
        last = fold(name).split()[-1:] or [""]
        return self.resolver.outlet(name) is not None or self.lex.descriptions.get(last[0]) == "outlet"

    def _record_mentions(
        self,
        sent: Sentence,
        frames: list[Frame],
        aliases: DocumentAliases,
        state: DocState,
        times: list[dates_mod.TimeMention],
    ) -> None:
        for fr in frames:
            if fr.source_text.lower() in self.lex.pronouns:
                continue
            name, kind = self._name(fr.source_text, aliases, sent)
            if name and not name.startswith("unnamed "):
                window = sent.text[max(0, fr.anchor - sent.start - 5) : fr.source_end - sent.start]
                recent = bool(self.lex.recency_pattern.search(window))
                state.mentions.append(Mention(name, kind, fr.source_start, recent))
                if "report" in fr.rule:
                    state.mentions.append(Mention(name, "report", fr.source_start, recent))
        # Organisations named anywhere (not only as speakers) can be referred back to ("... It said").
        for m in _ORG_PHRASE.finditer(sent.text):
            phrase = m.group(0)
            last = fold(phrase).split()[-1:] or [""]
            if last[0] in self.resolver.organisation_heads or self.resolver.known_source(phrase):
                name = self.resolver.canonical_source(phrase)
                if self.resolver.outlet(phrase) and not self.resolver.known_source(phrase):
                    continue
                state.mentions.append(Mention(name, "org", sent.start + m.start()))
        state.mentions.sort(key=lambda mention: mention.position)
        # Known sources named anywhere (not only as speakers) can be referred back to.
        for short, long_name in aliases.short_to_long.items():
            if self.resolver.party(long_name) is not None:
                continue
            if short in sent.text or long_name in sent.text:
                canon = self.resolver.canonical_source(long_name)
                if not any(m.canonical == canon and m.position >= sent.start for m in state.mentions):
                    state.mentions.append(Mention(canon, "org", sent.start))

    def _name(self, source_text: str, aliases: DocumentAliases, sent: Sentence) -> tuple[str | None, str]:
        """Canonical name and entity kind for a source phrase as written (None for descriptions)."""
        r = self.resolver
        # "a spokesman for the army" speaks for the army; "the territory's ministry" is the ministry
        core = _core_phrase(source_text, self.lex)
        initial = sent.text.lstrip().startswith(core)
        phrase = self._report_owner(core, sentence_initial=initial)
        first, *rest = phrase.split() or [""]
        if (
            len(rest) == 1
            and rest[0].lower() in self.lex.report_nouns
            and first.lower() not in self.lex.name_glue
            # lower case, or kept whole by _report_owner because capitalised only as the sentence's first word
            and (first.islower() or initial)
        ):
            # "independent estimates suggest ...": the estimates are who counts; no one owns them
            return phrase[:1].lower() + phrase[1:], "group"
        expanded = aliases.expand(re.sub(r"^(?:the|The)\s+", "", phrase))
        if expanded == re.sub(r"^(?:the|The)\s+", "", phrase):
            expanded = phrase
        words = fold(expanded).split()
        if not words:
            return None, ""
        head = words[-1]
        if words[0] in ("it", "he", "she", "they", "which", "who") and len(words) == 1:
            return None, "pronoun"
        if words[0] in ("our", "my", "we", "i", "you", "your", "this", "that", "these", "those", "there"):
            return None, "not_a_source"
        known = r.known_source(expanded)
        if (
            re.match(r"(?i)the\s", phrase)
            and head in self.lex.descriptions
            and not known
            and not re.search(r"\b[A-Z]", phrase[4:])
        ):
            return None, "description"
        outlet = r.outlet(expanded)
        if outlet and not known:
            return outlet, "outlet"
        name = r.canonical_source(expanded)
        if name in (known,) and known:
            kind = (
                "person"
                if len(name.split()) in (2, 3)
                and r.person_name(name) == name
                and not set(fold(name).split()) & r.organisation_heads  # "Institute for the Study of War"
                else "org"
            )
            return name, kind
        if r.anonymous_name(expanded):
            return name, "group"
        person = r.person_name(expanded)
        if person:
            return name, "person"
        defined = aliases.both_forms(name) or aliases.both_forms(phrase)
        if defined:
            return defined, "org"
        described = _DESCRIBED_NAME.match(name)
        if described and described.group(3).lower() in self.lex.generic_org_heads:
            return described.group(1), "org"  # "M23 rebel group", "Hamas militant group": the name
        return name, "org"

    def _unnamed_reports(self, phrase: str) -> bool:
        """ "citing media reports", "citing local reports": reports no one in particular issued; the one who
        cites them compiled the figure and is its source."""
        words = _core_phrase(phrase, self.lex).split()
        return bool(words) and words[-1].lower() in self.lex.report_nouns and not any(w[:1].isupper() for w in words)

    def _report_owner(self, phrase: str, sentence_initial: bool = False) -> str:
        """ "UN report", "an AFP count", "the ministry's figures": the organisation that issued them."""
        words = phrase.split()
        if len(words) >= 2 and words[-1].lower() in self.lex.report_nouns:
            owner = [w for w in words[:-1] if w.lower() not in self.lex.name_glue]
            if owner and all(w[:1].isupper() for w in owner):
                named = re.sub(r"(?:'s|’s|'|’)$", "", " ".join(owner))
                r = self.resolver
                if (
                    sentence_initial
                    and len(owner) == 1
                    and not named.isupper()
                    and not (r.known_source(named) or r.party(named))
                ):
                    return phrase  # "Independent estimates ...": capitalised only as the sentence's first word
                return named
        return phrase

    def _resolve_reference(
        self, fr: Frame, state: DocState, sent: Sentence, subject_party: Party | None = None
    ) -> tuple[str | None, bool, str]:
        """A pronoun or definite description -> the entity it refers back to."""
        words = fold(_core_phrase(fr.source_text, self.lex)).split()
        head = words[-1] if words else ""
        kind = (
            self.lex.pronouns.get(head)
            if len(words) == 1 and head in self.lex.pronouns
            else self.lex.descriptions.get(head)
        )
        wanted = {
            "org": ("org", "outlet", "group"),
            "person": ("person",),
            "group": ("group", "org"),
            "report": ("report", "org", "group"),
            "outlet": ("outlet",),
        }.get(kind or "", ("org",))
        earlier = [m for m in state.mentions if m.position < fr.source_start]
        if len(words) >= 1 and head not in self.lex.pronouns:
            for m in reversed(earlier):
                if head in fold(m.canonical).split():
                    return m.canonical, m.recent, "reference_same_noun"
        generic = head in self.lex.pronouns or head in self.lex.generic_org_heads
        if len(words) >= 2 and kind in ("org",) and not generic:
            # "the interior ministry": specific enough to stand as a name of its own
            prefix = f"{subject_party.adj} " if subject_party is not None else ""
            return prefix + " ".join(words), False, "description_as_name"
        organ_party = subject_party or (self.resolver.party(state.last_place) if state.last_place else None)
        if organ_party is not None and " ".join(words) in self.lex.party_organs:
            subject_party = organ_party
            # "the army said" in a story about Somali forces -> "Somali army"
            return f"{subject_party.adj} {' '.join(words)}", False, "organ_of_party"
        if kind == "person" and len(words) == 1:
            # "He said": a person the text introduced with a title may be nearer than any speaker so far
            titled = state.people.last_before(fr.source_start)
            speaker = next((m for m in reversed(earlier) if m.kind == "person"), None)
            if titled is not None and (speaker is None or titled.position > speaker.position):
                return titled.name, False, "reference_titled"
        # "the ministry" is only a ministry named before (the same-noun reference above), not the last body
        named_head = head in self.lex.named_org_heads and head not in self.lex.pronouns
        for wanted_kind in () if named_head else wanted:
            for m in reversed(earlier):
                if m.kind == wanted_kind:
                    recent = m.recent or bool(self.lex.recency_pattern.search(fr.source_text))
                    return m.canonical, recent, "reference"
            if kind not in ("report", "group"):  # "they" may be an organisation
                break
        if len(words) == 1 and head in self.lex.pronouns:
            return None, False, "unresolved_pronoun"
        if kind in ("org", "person") and subject_party is not None:
            # "the army said" in a story about Somali forces -> "Somali army"
            return f"{subject_party.adj} {' '.join(words)}", False, "description_of_party"
        if kind in ("report", "outlet", "person", "org") and len(words) > 0:
            noun = " ".join(words)
            return f"unnamed {noun}", False, "unresolved_description"
        return None, False, ""

    def _attribute(
        self, cand: Candidate, ctx: SentenceContext, measure: str, projection: bool, subject_party: Party | None = None
    ) -> tuple[str | None, str | None, str | None, bool, str]:
        """(source, source_text, via, recent, rule) for one figure."""
        text, sent, frames, quotes, aliases, state = ctx.text, ctx.sent, ctx.frames, ctx.quotes, ctx.aliases, ctx.state
        # Frames that govern the figure: "according to" anywhere; a verb before it; a post verb after it.
        chosen: Frame | None = None
        citing = [f for f in frames if f.kind == "citing" and not self._unnamed_reports(f.source_text)]
        according = [f for f in frames if f.kind == "according"]
        pre = [
            f
            for f in frames
            if f.kind in ("pre", "verb", "told", "noun") and f.anchor < cand.start and f.source_end <= cand.start
        ]
        post = [
            f
            for f in frames
            if (f.kind == "post" or (f.kind in ("verb", "told") and f.after_comma)) and f.anchor > cand.end
        ]
        speech = self._speech(sent, state).get(cand.start)
        if speech is not None:
            # The parse names who governs the figure; rules below are the fallback.
            chosen = Frame(
                "pre" if speech.anchor < cand.start else "post",
                speech.source_text,
                speech.source_start,
                speech.source_end,
                speech.anchor,
                via_text=speech.listener_text
                if speech.listener_text and self.resolver.outlet(speech.listener_text)
                else None,
                rule=speech.rule,
            )
            citing = (
                [
                    Frame(
                        "citing",
                        speech.cited_text,
                        speech.cited_start or 0,
                        speech.cited_end or 0,
                        speech.anchor,
                        rule=f"{speech.rule}+relay",
                    )
                ]
                if speech.cited_text and not self._unnamed_reports(speech.cited_text)
                else []
            )
        elif according:
            chosen = min(according, key=lambda f: abs(f.anchor - cand.start))
        elif pre:
            chosen = max(pre, key=lambda f: f.anchor)
        elif post:
            chosen = min(post, key=lambda f: f.anchor)
        elif citing:
            chosen = citing[0]
        in_quote = next(((s, e) for s, e in quotes if s <= cand.start < e), None)
        first_person = chosen is not None and fold(chosen.source_text) in ("we", "i", "us", "our", "my")
        if (chosen is None or first_person) and in_quote is not None:
            speaker = self._quote_speaker(text, in_quote, aliases, sent, state)
            if speaker:
                return speaker[0], speaker[1], None, False, "quote_speaker"
        if chosen is None:
            return self._carry(cand, ctx, measure, projection)
        via: str | None = None
        src_frame = chosen
        if chosen.kind in ("pre", "verb", "post", "according") and citing:
            # "X reported, citing Y": Y is the source, X passes it on
            cite = min(citing, key=lambda f: abs(f.anchor - chosen.anchor))
            via = self._via_name(chosen.source_text, aliases, sent)
            src_frame = cite
        elif chosen.via_text:
            via = self._via_name(chosen.via_text, aliases, sent)
        name, kind = self._name(src_frame.source_text, aliases, sent)
        recent = False
        rule = src_frame.rule
        if (
            name is not None
            and fold(name) in self.lex.party_organs
            # "Authorities in Butte County": the phrase names its own place or owner
            and not any(w[:1].isupper() for w in src_frame.source_text.split()[1:])
        ):
            # "the government spokesman said", "police said": an organ of the state the text is about
            organ_party = subject_party or self._document_party(text, state)
            if organ_party is not None:
                name, rule = f"{organ_party.adj} {name.lower()}", f"{rule}+organ_of_document_party"
        if name is None and kind == "not_a_source":
            return self._carry(cand, ctx, measure, projection)
        if name is None:
            name, recent, how = self._resolve_reference(src_frame, state, sent, subject_party)
            rule = f"{rule}+{how}"
            if name is not None and self.resolver.generic_parent(name) is not None:
                # "the apex body" referring back to "the UN": the one UN agency the text names
                name = self._specialise(name, text, state, cand.start)
        else:
            # the words after the phrase too: a rule may cut "UN agencies" to "UN"
            following = text[src_frame.source_end : src_frame.source_end + 30].split()[:2]
            name = self._specialise(name, text, state, cand.start, " ".join([src_frame.source_text, *following]))
            if speech is not None and src_frame is chosen and kind in ("org", "person", "group", "outlet"):
                # named by the parse: later pronouns and descriptions can refer back to it
                state.mentions.append(Mention(name, kind, src_frame.source_start))
            described = self._described_kind(src_frame.source_text, name)
            if described is not None and described != kind:
                # "the local newspaper X": a later "the newspaper" is X
                state.mentions.append(Mention(name, described, src_frame.source_start))
        if name and via and fold(name) == fold(via):
            via = None
        return name, src_frame.source_text, via, recent, rule

    def _described_kind(self, written: str, name: str) -> str | None:
        """The kind a description beside a name gives it ("the local newspaper X" -> outlet)."""
        own = set(fold(name).split())
        for word in reversed(fold(written).split()):
            if word not in own and word in self.lex.descriptions:
                return self.lex.descriptions[word]
        return None

    def _acceptable_source(self, name: str) -> bool:
        """A source is an entity: not only determiners, glue words, dates or numbers."""
        words = [w for w in re.split(r"[\s,.;:()]+", name.lower()) if w]
        if not words or words[-1] in self.lex.name_glue:
            return False
        return any(w not in self.lex.name_glue and w not in self.lex.time_nouns and not w.isdigit() for w in words)

    def _speech(self, sent: Sentence, state: DocState) -> dict[int, Speech | None]:
        """The asserters the parse gives this sentence's figures (parsed once, on first need)."""
        if state.speeches is None:
            state.speeches = {}
            # No reporting word, no "according to"/"citing": the parse could name no one; skip it.
            if self.speech is not None and state.sentence_parse:
                spans = [(c.start, c.end) for c in state.sentence_candidates]
                found = self.speech.read(sent.text, sent.start, spans)
                state.speeches = {c.start: speech for c, speech in zip(state.sentence_candidates, found, strict=True)}
        return state.speeches

    def _may_count_people(self, text: str, sent: Sentence, cand: Candidate) -> bool:
        """The figure's head noun does not rule it out before attribution ("6 jets", "in need"): the
        checks ``_claim_for`` makes first, so that no sentence is parsed for figures it then drops."""
        noun, noun_end, _ = self._head_noun(text, cand, sent.end)
        if noun and noun.startswith("?"):
            return False
        return not self.lex.out_of_scope_pattern.search(text, cand.end, min(noun_end + 30, sent.end))

    def _parse_wanted(self, sent: Sentence, candidates: list[Candidate], frames: list[Frame]) -> bool:
        """Whether the parse can tell who asserts this sentence's figures better than the rules.

        No figure, or no reporting word, "according to" or "citing": the parse could name no one.
        One plain frame ("X said", "according to X") and no relay, listener or relative clause: the
        rules settle it (measured on the development set: the same or better sources).
        """
        if not candidates:
            return False
        if not (self.lex.report_verb_pattern.search(sent.text) or self.lex.speech_cue_pattern.search(sent.text)):
            return False
        plain = (
            len(frames) == 1
            and frames[0].kind in ("according", "post", "pre")
            and self._acceptable_source(frames[0].source_text)
            and not any(c.start < frames[0].source_end and frames[0].source_start < c.end for c in candidates)
        )
        return not plain or bool(self.lex.parse_needed_pattern.search(sent.text))

    def _via_name(self, phrase: str, aliases: DocumentAliases, sent: Sentence) -> str | None:
        outlet = self.resolver.outlet(phrase)
        if outlet:
            return outlet
        name, _ = self._name(phrase, aliases, sent)
        return name

    def _specialise(self, name: str, text: str, state: DocState, position: int, written: str = "") -> str:
        """A generic asserter becomes the specific one the text names nearby.

        A bare "officials" becomes the qualified group named elsewhere ("Western officials"); a country
        speaking ("South Korea reported") becomes the agency of that country the text cites nearby
        ("Seoul's intelligence agency" -> South Korea NIS).
        """
        if (
            self.resolver.known_source(name) is None
            and fold(name).split()[-1:]
            and fold(name).split()[-1] in self.resolver.organisation_heads
        ):
            for prefix in (state.last_place,):
                if prefix:
                    known = self.resolver.known_source(f"{prefix} {name}")
                    if known:
                        return known
        phrase_words = _core_phrase(written, self.lex).split()
        generic = next(
            (
                g
                for n in range(len(phrase_words), 0, -1)
                if (g := self.resolver.generic_parent(" ".join(phrase_words[:n])))
            ),
            None,
        )
        generic = generic or self.resolver.generic_parent(name)
        if generic is not None:
            # "the UN said" in a text that names one UN agency: that agency; "UN agencies": those it names
            parent, plural = generic
            if state.named_sources is None:
                mentions = self.resolver.source_mentions(text)
                state.named_sources = [(start, canonical) for start, _, canonical, _ in mentions]
            named_members = [(at, c) for at, c in state.named_sources if c in self.resolver.members[parent]]
            members = list(dict.fromkeys(c for _, c in named_members))
            if (plural and len(members) >= 2) or (not plural and len(members) == 1):
                return " and ".join(members)
            earlier = list(dict.fromkeys(c for at, c in named_members if at < position))
            if not plural and len(earlier) == 1:
                return earlier[0]  # several named, but only one before: the text has been speaking of that one
        party = self.resolver.party(name)
        if party is not None and fold(name) in (fold(party.name), *(fold(o) for o in party.other)):
            keys = {fold(party.name), fold(party.adj), *(fold(o) for o in party.other)}
            best: tuple[int, str] | None = None
            for start, _end, canonical, written in self.resolver.source_mentions(text):
                words = fold(written)
                if not any(k in words for k in keys) or fold(canonical) == fold(name):
                    continue
                if not self.resolver.state_organ(canonical):
                    continue  # "Iran confirmed": not the NGO "Iran Human Rights" named nearby
                distance = abs(start - position)
                if distance <= 800 and (best is None or distance < best[0]):
                    best = (distance, canonical)
            if best:
                return best[1]
        if name.lower() in ("officials", "sources", "official"):
            groups = [m.canonical for m in state.mentions if m.kind == "group" and m.canonical.lower() != name.lower()]
            if groups:
                return groups[-1]
            if state.named_officials is None:  # one search of the text per document, not one per figure
                m = re.search(r"\b((?:[A-Z][\w-]+\s+){1,2})(?:officials|sources)\b", text)
                state.named_officials = (self.resolver.anonymous_name(m.group(0)) if m else None,)
            if state.named_officials[0]:
                return state.named_officials[0]
        return name

    def _quote_speaker(
        self, text: str, span: tuple[int, int], aliases: DocumentAliases, sent: Sentence, state: DocState
    ) -> tuple[str, str] | None:
        start, end = span
        after = text[end : end + 120]
        verbs = alternation(self.lex.frame_words["quote_verbs"])
        m = re.match(rf"\s*,?\s*((?:[A-Za-z][\w'’.-]*\s+){{1,9}}?)(?:{verbs})\b", after)
        if m:
            phrase = m.group(1).strip()
            name, _ = self._name(phrase, aliases, sent)
            if name is None:
                fake = Frame("post", phrase, end, end + len(phrase), end)
                name, _, _ = self._resolve_reference(fake, state, sent)
            if name:
                return name, phrase
        m = re.match(rf"\s*,?\s*(?:{verbs})\s+((?:[A-Za-z][\w'’.-]*\s*){{1,8}})", after)
        if m:
            phrase = m.group(1).strip().rstrip(".")
            name, _ = self._name(phrase, aliases, sent)
            if name:
                return name, phrase
        before = text[max(0, start - 150) : start]
        m = re.search(rf"((?:[A-Za-z][\w'’.-]*\s+){{1,6}}?)(?:{verbs})\s*[:,]?\s*$", before)
        if m:
            phrase = m.group(1).strip()
            name, _ = self._name(phrase, aliases, sent)
            if name:
                return name, phrase
        return None

    def _carry(
        self, cand: Candidate, ctx: SentenceContext, measure: str, projection: bool
    ) -> tuple[str | None, str | None, str | None, bool, str]:
        """No frame in the sentence: an evidential marker or a pending source may carry one over."""
        sent, state, prior = ctx.sent, ctx.state, ctx.claims
        family = _FAMILY.get(measure, "other")
        sentence_text = sent.text
        if self.lex.impersonal_pattern.search(sentence_text):
            return None, None, None, False, "impersonal"
        if self.lex.evidential_pattern.search(sentence_text):
            for claim in reversed(state.claims):
                # the last source that spoke of this kind of figure (or of the force it is a share of)
                related = _FAMILY.get(claim.measure) == family or claim.measure == "deployed"
                if claim.source and related:
                    return claim.source, claim.source_text, claim.via, False, "evidential_carry"
        for source, via, pfamily, index, place in reversed(state.pending):
            if projection and sent.index - index <= 2 and pfamily == family:
                state.pending_place = place
                return source, None, via, False, "pending_source"
        # A figure that breaks down the previous one in the same paragraph ("According to the ministry,
        # 5,000 were injured. Most were in the north (1,200)."): the last figure's source still speaks.
        # A part is no larger than its whole and names no country the whole did not; a total, another
        # country's toll or another kind of figure is the outlet's own sentence.
        if prior:
            last: Claim | None = prior[-1]
        elif (
            state.previous is not None
            and state.previous_paragraph == sent.paragraph
            and sent.index - state.previous[0] <= 2
        ):
            last = state.previous[1]
        else:
            last = None
        # The whole may be any figure of that sentence ("killed 820 and injured 672, including 205 seriously":
        # 394 deaths are a part of the 820, not of the 205).
        wholes = [last] if last is not None else []
        if last is not None:
            wholes += [c for c in reversed(prior or state.claims) if c is not last and c.sentence == last.sentence]
        for whole in wholes:
            if whole.source and self._is_part_of(cand, measure, sent, whole):
                return whole.source, whole.source_text, whole.via, False, "paragraph_carry"
        return None, None, None, False, "own_voice"

    def _is_part_of(self, cand: Candidate, measure: str, sent: Sentence, whole: Claim) -> bool:
        """Whether a figure reads as a part of an earlier one: same family, not larger, no new country."""
        if _FAMILY.get(measure, "other") != _FAMILY.get(whole.measure, "other") or measure == "other":
            return False
        if self.lex.whole_pattern.search(sent.text):
            return False
        value = cand.high if cand.high is not None else cand.low
        whole_value = whole.high if whole.high is not None else whole.low
        if value is None or whole_value is None or cand.is_share != (whole.unit == "percent"):
            return False
        # "dozens more were injured", "another 13": an addition to the last figure, from the same count
        addition = self.lex.addition_pattern.match(
            sent.text, cand.end - sent.start
        ) or self.lex.addition_before_pattern.search(sent.text[: cand.start - sent.start])
        if value > whole_value and not addition:
            return False
        named = {p.name for p in self.resolver.parties_in(sent.text)}
        return named <= {p.name for p in self.resolver.parties_in(whole.sentence)} | (
            {whole.location} if whole.location else set()
        )

    def _update_pending(
        self,
        sent: Sentence,
        frames: list[Frame],
        candidates: list[Candidate],
        state: DocState,
        aliases: DocumentAliases,
    ) -> None:
        """A source that spoke of losses without a figure may own the next sentence's figure."""
        if candidates or not frames:
            return
        text = sent.text
        families = {
            _FAMILY.get(self.lex.measure_cues.get(re.sub(r"\s+", " ", m.group(0).lower()), "other"), "other")
            for m in self.lex.measure_pattern.finditer(text)
        }
        families.discard("other")
        if not families:
            return
        place = None
        for m in re.finditer(rf"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|{self.lex.admin_units}))*", text):
            found = self.resolver.place(m.group(0)) or next(
                (self.resolver.place(w) for w in m.group(0).split() if self.resolver.place(w)), None
            )
            if found and self.resolver.party(found) is None:
                place = found
        for fr in frames:
            name, _ = self._name(fr.source_text, aliases, sent)
            if name:
                for family in families:
                    state.pending.append((name, None, family, sent.index, place))

    # ------------------------------------------------------------------ claim
    def _claim_for(self, cand: Candidate, ctx: SentenceContext) -> Claim | None:
        sent, text, st, state = ctx.sent, ctx.text, ctx.time, ctx.state
        prior, tstate, figure_starts = ctx.claims, ctx.tstate, ctx.figure_starts
        doc_id, published = ctx.doc_id, ctx.published
        rules: list[str] = [f"figure:{cand.rule}"]
        if self._is_base_reference(text, sent, cand):
            rules.append("base_reference")
        noun, noun_end, party_word = self._head_noun(text, cand, sent.end)
        if noun and noun.startswith("?"):
            return None  # counts something other than people ("6 jets", "300 square kilometres")
        if self.lex.out_of_scope_pattern.search(text, cand.end, min(noun_end + 30, sent.end)):
            return None
        if re.search(
            r"\b(?:population|inhabitants|residents)\s+of\s+(?:some\s+|about\s+|around\s+|nearly\s+)?$",
            text[max(sent.start, cand.start - 40) : cand.start],
        ):
            return None
        measure, how = self._measure(text, sent, cand, noun, noun_end, prior, state, figure_starts)
        measure, how = self._dead_identified(text, cand, noun, measure, how)
        if measure is None:
            return None
        if cand.rule == "ordinal_one" and measure not in (
            "captured",
            "killed",
            "wounded",
            "missing",
            "deserted",
            "arrested",
        ):
            return None
        if (
            noun is None
            and not cand.is_share
            and cand.rule not in ("ordinal_one",)
            and how in ("ellipsis",)
            and not prior
        ):
            return None
        rules.append(f"measure:{how}")
        low, high = cand.low, cand.high
        unit = "percent" if cand.is_share else "persons"
        # "92 casualties per day", "1,200 soldiers killed or wounded every day": the rate words follow
        # the noun phrase and its participle, within the clause.
        rate_window = min(sent.clause_of(cand.start)[1], noun_end + 45)
        rate = None if cand.is_share else self.lex.rate_pattern.search(text, cand.end, rate_window)
        if rate:
            days = self.lex.rate_days[self.lex.rate_unit[re.sub(r"\s+", " ", rate.group(0).lower())]]
            unit = "persons_per_day"
            low = round(low / days, 2) if low is not None else None
            high = round(high / days, 2) if high is not None else None
            rules.append("rate")
        subject, subj_rule = self._subject(text, sent, cand, noun, party_word, prior, state)
        subject, subj_rule = self._canonical_subject(subject, subj_rule, state)
        rules.append(f"subject:{subj_rule}")
        if cand.whole_force:
            sizes = [c.low for c in prior if c.measure in ("deployed", "strength") and c.unit == "persons" and c.low]
            size = sizes[-1] if sizes else state.force_size.get(subject or "")
            if size is None:
                return None
            low = high = size
            rules.append("whole_force_size")
        c_start, c_end = sent.clause_of(cand.start)
        clause = text[c_start:c_end]
        kind = figure_kind(self.lex, clause, measure)
        subject_party = self.resolver.subject_party(subject)
        source, source_text, via, recent, src_rule = self._attribute(
            cand, ctx, measure, kind == "projection", subject_party
        )
        if source is not None and "carry" not in src_rule:
            # "the interior minister", "Mr Doe", "Doe": the titled person the document names; a
            # spokesperson's or an envoy's figure is their organisation's
            is_state = self.resolver.is_state
            titled = state.people.resolve(source_text or source, cand.start, self.lex, is_state) or (
                state.people.resolve(source, cand.start, self.lex, is_state)
            )
            if titled is not None and titled[:1].islower():
                # "X, secretary general of the aid group": the organisation the text named before
                titled = next(
                    (
                        m.canonical
                        for m in reversed(state.mentions)
                        if m.kind == "org" and m.position < cand.start and m.canonical != source
                    ),
                    None,
                )
            if titled is not None and titled != source:
                source, src_rule = self.resolver.canonical_source(titled), f"{src_rule}+titled_person"
            if source is not None and state.people.speaks_for_unnamed(source):
                # "spokesman X told reporters" with no organisation named beside him: the one the text is about
                organisation = next(
                    (m.canonical for m in reversed(state.mentions) if m.kind == "org" and m.position < cand.start), None
                )
                if organisation is not None:
                    organisation = self._specialise(organisation, text, state, cand.start)
                    source, src_rule = organisation, f"{src_rule}+spokesperson_of_last_organisation"
        if source is not None and not self._acceptable_source(source):
            # "the", "Thursday", "number of": a name no reader would accept is no name
            source, source_text, via, src_rule = None, None, None, f"{src_rule}+rejected_name"
        if self.lex.official_count_pattern.search(text, sent.start, sent.clause_of(cand.start)[1]) and (
            source is None or self._is_media(source) or self.lex.official_count_pattern.search(source)
        ):
            # "The official death toll rose to 17, according to local media": the authorities' count
            party = subject_party or self._document_party(text, state)
            if party is not None:
                via = source if source is not None and self._is_media(source) else via
                source = f"{party.adj} authorities"
                src_rule = f"{src_rule}+official_count"
        before = text[max(c_start, cand.start - 40) : cand.start]
        if is_derived(self.lex, before, cand.is_share, source, src_rule):
            kind, source, source_text, via = "derived", None, None, None
            src_rule = "derived_own_arithmetic"
        if source is None and how == "list_row" and state.list_source is not None:
            # "The agency disclosed in a statement:" over rows of figures: the rows are its statement
            source, source_text = state.list_source
            src_rule = "list_lead_in"
        rules.append(f"source:{src_rule}")
        location, loc_rule = self._location(text, sent, cand, state)
        if location is None and src_rule.endswith("pending_source") and state.pending_place:
            location, loc_rule = state.pending_place, "pending_source"
        if source and location and self.resolver.known_source(source) is None:
            # "the territory's Health Ministry" about Gaza -> the Gaza Health Ministry the alias table knows
            known = self.resolver.known_source(f"{location} {source}")
            if known:
                source = known
        if source and source_text and not source.startswith("unnamed "):
            # the final name (after specialising) is what later pronouns and descriptions refer to
            kind_of = "person" if self.resolver.person_name(source) == source else "org"
            where = sent.text.find(source_text)
            position = sent.start + where + len(source_text) if where >= 0 else cand.start
            state.mentions.append(Mention(source, kind_of, position, recent))
            state.mentions.sort(key=lambda mention: mention.position)
        if location is None and source is not None:
            same = [c for c in reversed(prior + state.claims[-6:]) if c.source == source]
            if same and same[0].location:
                location, loc_rule = same[0].location, "same_source"
        if loc_rule:
            rules.append(f"location:{loc_rule}")
        when = self.timing.decide(
            FigureTime(
                cand.start,
                cand.end,
                projection=kind == "projection",
                base_reference=self._is_base_reference(text, sent, cand),
                recent=recent,
                attributed=source is not None,
                continues=fold(source_text or "") in self.lex.pronouns,
                rate=unit == "persons_per_day",
            ),
            st,
            tstate,
            [c.start for c in prior],
            figure_starts,
        )
        as_of = when.as_of
        if when.rule:
            rules.append(f"as_of:{when.rule}")
        if when.window_rule:
            rules.append(f"window:{when.window_rule}")
        confidence = 0.9 if src_rule and "carry" not in src_rule and "pending" not in src_rule else 0.7
        if how in ("ellipsis", "earlier_clause"):
            confidence -= 0.1
        return Claim(
            doc=doc_id,
            start=cand.start,
            end=cand.end,
            figure=cand.figure,
            low=low,
            high=high,
            qualifier=cand.qualifier,
            unit=unit,
            measure=measure,
            subject=subject,
            location=location,
            source=source,
            as_of=as_of,
            kind=kind,
            window_kind=when.window_kind,
            window_start=when.window_start,
            window_end=when.window_end,
            sentence=sent.text.replace("\n", " "),
            source_text=source_text,
            via=via,
            published=published,
            confidence=round(confidence, 2),
            rules=tuple(rules),
        )

    # ------------------------------------------------------------------ as-of
    @staticmethod
    def _is_base_reference(text: str, sent: Sentence, cand: Candidate) -> bool:
        """ "among the 11,000-strong contingent": a force named as the base of another figure."""
        return not cand.is_share and bool(_BASE_REFERENCE.search(text[max(sent.start, cand.start - 30) : cand.start]))


_BASED = re.compile(r"^(?:(?:the|an?)\s+)?[\w'’.]+(?:-[\w'’.]+)*-based\s+", re.IGNORECASE)
_ORG_PHRASE = re.compile(
    r"(?:[A-Z][\w'’.&-]*\s+)*(?:(?:of|for|and|on)\s+(?:the\s+)?)?(?:[A-Z][\w'’.&-]*\s+)*[A-Z][\w'’.&-]*"
)



# A proper name, then lower-case words describing it, then a generic organisation noun ("M23 rebel group")
_DESCRIBED_NAME = re.compile(r"((?:[A-Z0-9][\w'’.&/-]*\s+)*[A-Z0-9][\w'’.&/-]*)\s+((?:[a-z][\w-]*\s+){1,2})([a-z]+)")
_DATE_LINE = re.compile(r"\s*date\s+\d{4}-\d{2}-\d{2}\b")


def _core_phrase(source_text: str, lex: Lexicon) -> str:
    """The asserter inside a phrase: "a spokesman for the army" -> "the army"; "data from X" -> "X".

    A caption's tail ("X report | Image: Y") and a leading "-based" descriptor ("Oslo-based X")
    are not part of the name.
    """
    words = lex.frame_words
    report_of, spokesperson_for, generic_possessor = _core_patterns(
        words["recency"], words["documents"], words["spokesperson_for"], words["generic_possessors"]
    )
    phrase = _BASED.sub("", source_text.split("|")[0].strip())
    return generic_possessor.sub("", spokesperson_for.sub("", report_of.sub("", phrase)))


@lru_cache(maxsize=4)
def _core_patterns(
    recency: tuple[str, ...], documents: tuple[str, ...], spokespeople: tuple[str, ...], possessors: tuple[str, ...]
) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """ "the latest data from X", "a spokesman for X", "the country's X": the words around X."""
    recent, issued = alternation(recency), alternation(documents)
    report_of = rf"^(?:the\s+|an?\s+)?(?:(?:{recent}|previous)\s+)?(?:{issued})\s+(?:of|from|by)\s+"
    spokesperson_for = rf"^(?:an?\s+|the\s+)?(?:senior\s+)?(?:{alternation(spokespeople)})\s+(?:for|of|at)\s+"
    possessor = rf"^(?:the\s+)?(?:{alternation(possessors)})(?:'s|’s)\s+"
    return re.compile(report_of, re.I), re.compile(spokesperson_for, re.I), re.compile(possessor, re.I)








def _claims_just_before(sent: Sentence, state: DocState) -> list[Claim]:
    """The claims of the sentence right before ``sent`` (none if that sentence had none)."""
    last = state.last_sentence_claims
    return last[1] if last is not None and last[0] == sent.index - 1 else []


_DEFAULT: Extractor | None = None


def default_extractor() -> Extractor:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Extractor()
    return _DEFAULT


def extract(text: str, published: str | None = None, doc: str | None = None) -> list[Claim]:
    """Claims in one text. `published` (YYYY-MM-DD) anchors relative dates."""
    return default_extractor().extract(text, published=published, doc=doc)


def extract_document(document: Document) -> list[Claim]:
    return default_extractor().extract_document(document)


__all__ = ["EXTRACTOR_VERSION", "Extractor", "Token", "extract", "extract_document"]
