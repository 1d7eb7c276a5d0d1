"""The people a document names with their titles: the extractor's document-level "people" component.

News names a speaker once in full ("Interior Minister Jane Roe", "John Doe, the agency's envoy
for Libya") and then by a description or a surname ("the interior minister said", "Doe said",
"Mr Doe"). The annotation names a minister, a commander or a mayor speaking in their own name by
that person's name, and a spokesperson or an officer presenting an organisation's count by the
organisation. One regular pass over the text finds the titled names; ``resolve`` maps a source
phrase to the person (or the organisation they speak for) the document means.

Title words come from attribution.toml (``parse.person_titles``, ``parse.spokesperson_titles``,
``people.honorifics``); nothing here knows a particular person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from crosscount.lexicon import Lexicon
from crosscount.resolve import fold

_CAP = r"[A-Z][\w'’.-]*"


@dataclass(frozen=True, slots=True)
class TitledPerson:
    name: str  # "Jane Roe"
    title: str  # the title's head word, folded: "minister"
    modifiers: frozenset[str]  # other words of the title, folded: {"interior"}
    organisation: str | None  # "X, envoy for the Y Federation" -> the Y Federation
    position: int


@dataclass(slots=True)
class DocumentPeople:
    """Titled names of one document, in text order."""

    people: list[TitledPerson] = field(default_factory=list)
    mouthpieces: frozenset[str] = frozenset()  # titles of people who only ever speak for someone

    @classmethod
    def scan(cls, text: str, lex: Lexicon, known: Callable[[str], str | None] = lambda _: None) -> DocumentPeople:
        """``known``: the canonical name of a known source phrase, if the alias tables have it."""
        out = cls(mouthpieces=lex.mouthpieces)
        titles = lex.person_titles | lex.spokesperson_titles | lex.officer_titles
        particle = "|".join(map(re.escape, sorted(lex.name_particles)))
        name_word = rf"(?:{_CAP}|(?:{particle})-{_CAP}|(?:{particle})(?=\s+[A-Z]))"
        name = rf"{_CAP}(?:\s+{name_word}){{1,3}}"
        title_alt = "|".join(re.escape(t) for t in sorted(titles, key=len, reverse=True))
        # "Interior Minister Jane Roe", "judiciary head Jane Roe", "Gen. John Doe"
        # (a stack of at most four titles: in "Mr. Mr. Mr. …" no try at a name may scan the whole run)
        before = re.compile(rf"(?<![\w-])((?:[\w'’-]+\s+){{0,2}}?)((?:(?i:{title_alt})\.?\s+){{1,4}})({name})")
        # "Jane Roe, the interior minister", "John Doe, envoy for the Red Cross in Libya"
        org_heads = "|".join(re.escape(w) for w, kind in sorted(lex.descriptions.items()) if kind == "org")
        after = re.compile(
            rf"({name}),\s+(?:the\s+|a\s+|an\s+)?((?:[\w'’-]+\s+){{0,4}}?)((?i:{title_alt}))\b"
            rf"(?:\s+(?:of|for|at|to)\s+(?:the\s+)?((?:{_CAP}|of|for|and|the)(?:\s+(?:{_CAP}|of|for|and|the)){{0,7}}"
            # "secretary general of aid group": an organisation the text named before, by a description
            rf"|(?:[a-z][\w-]*\s+){{0,2}}(?:{org_heads})\b))?",
        )
        # "the agency's director, Jane Roe,": a title with the name set off by commas
        set_off = re.compile(
            rf"(?<![\w-])((?:[\w'’-]+\s+){{0,2}}?)((?:(?i:{title_alt})\.?\s+){{0,3}}(?i:{title_alt})),\s+({name})(?=,)"
        )
        # The patterns run only on the stretches around title words (a few per article), not the whole text.
        stretches = _stretches(text, titles)
        found_before = [m for a, b in stretches for m in (*before.finditer(text, a, b), *set_off.finditer(text, a, b))]
        found_after = [m for a, b in stretches for m in after.finditer(text, a, b)]
        for m in found_before:
            person = _clean_name(m.group(3), titles, lex)
            if person is None or not m.group(3)[:1].isupper():
                continue
            title_words = [fold(w) for w in m.group(2).split()]
            head = next((w for w in reversed(title_words) if w in titles and w not in lex.honorifics), None)
            if head is None:
                continue
            before_words = {fold(w) for w in m.group(1).split()} | set(title_words[:-1])
            # "IHR director Jane Roe": she speaks for IHR; "UN rights chief X": a form the alias table knows
            organisation = (
                known(f"{m.group(1)}{m.group(2)}".strip())
                or _acronym(m.group(1))
                or _described_owner(m.group(1), lex)  # "the group's president, X,": the group named before
            )
            out.people.append(
                TitledPerson(person, head, frozenset(before_words - {head, ""}), organisation, m.start(3))
            )
        for m in found_after:
            person = _clean_name(m.group(1), titles, lex)
            if person is None:
                continue
            head = fold(m.group(3))
            org = m.group(4)
            if org:
                org = re.sub(r"(?:\s+(?:of|for|and|the))+$", "", org)
            modifiers = frozenset(fold(w) for w in m.group(2).split()) - {""}
            out.people.append(TitledPerson(person, head, modifiers, org or _acronym(m.group(2)), m.start(1)))
        out.people = sorted({(p.position, p.name): p for p in out.people}.values(), key=lambda p: p.position)
        return out

    def last_before(self, position: int) -> TitledPerson | None:
        """The titled person named last before ``position`` (what "he" or "she" may refer back to)."""
        earlier = [p for p in self.people if p.position < position]
        return earlier[-1] if earlier else None

    def speaks_for_unnamed(self, name: str) -> bool:
        """Whether ``name`` is a spokesperson the text names without saying for whom ("spokesman X")."""
        key = fold(name)
        return any(fold(p.name) == key and p.organisation is None and p.title in self.mouthpieces for p in self.people)

    def resolve(
        self, phrase: str, position: int, lex: Lexicon, is_state: Callable[[str], bool] = lambda _: True
    ) -> str | None:
        """The person (or the organisation a spokesperson or an officer speaks for) a source phrase means,
        if the text says. ``is_state``: whether an organisation is a state or an organ of one."""
        words = [w for w in fold(phrase).split() if w]
        if not words or not self.people:
            return None
        if words[0] in lex.honorifics:
            words = words[1:]
        if not words:
            return None
        head = words[-1]
        titles = lex.person_titles | lex.spokesperson_titles | lex.officer_titles
        if head in titles and head not in lex.honorifics:
            # "the interior minister", "Pakistan's interior minister", "the General"
            modifiers = set(words[:-1]) - lex.name_glue
            matches = [
                p
                for p in self.people
                if p.title == head and (not modifiers or not p.modifiers or modifiers & p.modifiers)
            ] or [p for p in self.people if modifiers and modifiers & p.modifiers]
            chosen = _nearest(matches, position)
        else:
            # "Doe", "Mr Doe", "Jane Doe": the titled person of that name
            chosen = _nearest([p for p in self.people if _same_person(words, fold(p.name).split())], position)
        if chosen is None:
            return None
        if chosen.organisation and chosen.title in lex.spokesperson_titles:
            return chosen.organisation
        if chosen.organisation and chosen.title in lex.officer_titles and not is_state(chosen.organisation):
            # an officer presenting an organisation's count (a Red Crescent secretary general, a group's
            # president) is the organisation; a head of state or a minister speaks in their own name
            return chosen.organisation
        return chosen.name


def _same_person(words: list[str], name: list[str]) -> bool:
    """ "doe", "van doe" or "jane van doe" against "jane van doe": the whole name or its last words."""
    return len(words) <= len(name) and name[len(name) - len(words) :] == words and len(name) >= 2


def _nearest(people: list[TitledPerson], position: int) -> TitledPerson | None:
    """The last one named before ``position``; else the first named after it."""
    if not people:
        return None
    named = {fold(p.name) for p in people}
    if len(named) > 1 and not any(p.position <= position for p in people):
        return None  # several people fit and none was named yet: not for this component to guess
    earlier = [p for p in people if p.position <= position]
    return earlier[-1] if earlier else people[0]


_WORD = re.compile(r"[A-Za-z][\w-]*")


def _stretches(text: str, titles: frozenset[str], reach: int = 160) -> list[tuple[int, int]]:
    """Merged stretches of text within ``reach`` characters of a title word, cut at spaces."""
    spans: list[tuple[int, int]] = []
    for word in _WORD.finditer(text):
        if word.group(0).lower() not in titles:
            continue
        start = text.rfind(" ", 0, max(0, word.start() - reach)) + 1
        end = text.find(" ", word.end() + reach)
        end = len(text) if end < 0 else end
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def _acronym(words: str) -> str | None:
    """An organisation's initials among the words before a title ("IHR director", "the WHO's head")."""
    for word in words.split():
        bare = word.replace("’s", "").replace("'s", "").strip(",.")
        if 2 <= len(bare) <= 6 and bare.isupper() and bare.isalpha():
            return bare
    return None


def _described_owner(words: str, lex: Lexicon) -> str | None:
    """ "the group's", "the charity's": an organisation the text named before, by a description (lower case)."""
    m = re.search(r"(?:^|\s)(?:the\s+)?([a-z][\w-]*)(?:'s|’s)\s*$", words, re.I)
    if m and lex.descriptions.get(m.group(1).lower()) == "org":
        return m.group(1).lower()
    return None


def _clean_name(written: str, titles: frozenset[str], lex: Lexicon) -> str | None:
    """The name without trailing possessive or punctuation; None when a word is a title or a time word."""
    words = written.replace("’s", "").replace("'s", "").strip(" .,").split()
    # "Tuesday. Jane Roe": a sentence ended inside the run of capitalised words; the name starts after it
    ends = [i for i, w in enumerate(words[:-1]) if w.endswith(".") and len(w) > 4]
    words = words[ends[-1] + 1 :] if ends else words
    if any(fold(w) in titles or fold(w) in lex.time_nouns for w in words):
        return None
    return " ".join(words) if len(words) >= 2 else None
