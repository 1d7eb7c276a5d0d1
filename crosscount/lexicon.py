"""The extractor's domain words, loaded once from the TOML data files.

Cue lists become compiled regular expressions here, longest phrase first, so that
"killed or wounded" wins over "killed".
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


def _load(name: str) -> dict[str, Any]:
    path = resources.files("crosscount") / "data" / name
    return tomllib.loads(path.read_text(encoding="utf-8"))


def data_file(name: str) -> dict[str, Any]:
    """One TOML file of crosscount/data, parsed (for stages whose vocabulary is small)."""
    return _load(name)


def phrase_pattern(phrases: list[str], *, case_sensitive_upper: bool = True) -> re.Pattern[str]:
    """One alternation of whole-word phrases, longest first. All-caps phrases (KIA, POW) match case-sensitively."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    parts = []
    for p in ordered:
        body = re.escape(p).replace(r"\ ", r"\s+")
        if case_sensitive_upper and p.isupper() and len(p) <= 5:
            parts.append(f"(?-i:{body})")
        else:
            parts.append(body)
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Lexicon:
    measure_cues: dict[str, str]  # lowercased cue -> measure
    measure_pattern: re.Pattern[str]
    aboard_pattern: re.Pattern[str]  # "on an overloaded boat": read as the cue "on board"
    weak_cues: frozenset[str]
    # "identified 4,000 victims": identification cues whose counted nouns are the dead
    identified_cues: frozenset[str]
    identified_dead: frozenset[str]
    strong_suffix: dict[str, str]  # noun -> measure for "N-strong <noun>"
    modal_pattern: re.Pattern[str]
    derived_pattern: re.Pattern[str]
    rate_pattern: re.Pattern[str]
    rate_unit: dict[str, str]  # cue -> day|week|month|year
    rate_days: dict[str, int]
    people_nouns: frozenset[str]
    casualty_nouns: frozenset[str]
    force_nouns: frozenset[str]
    noun_pattern: re.Pattern[str]  # people, casualty and force nouns
    out_of_scope_pattern: re.Pattern[str]
    whole_force_pattern: re.Pattern[str]
    report_verbs: frozenset[str]
    report_verb_pattern: re.Pattern[str]
    passive_aux: frozenset[str]
    perfect_aux: frozenset[str]
    adverbs: frozenset[str]
    np_words: frozenset[str]
    evidential_pattern: re.Pattern[str]
    impersonal_pattern: re.Pattern[str]
    descriptions: dict[str, str]  # head noun -> report|org|person|outlet
    generic_org_heads: frozenset[str]  # "body", "group": a description with them refers back, never names
    named_org_heads: frozenset[str]  # "ministry": a description with one refers back only to a name that has it
    pronouns: dict[str, str]  # pronoun -> org|person|group
    party_organs: frozenset[str]  # "the army": an organ of the party the figure is about
    report_lemmas: frozenset[str]  # the parse reader: verbs that report a figure
    telling_lemmas: frozenset[str]  # verbs with a listener ("told lawmakers")
    according_cues: frozenset[str]
    citing_cues: frozenset[str]
    parse_needed_pattern: re.Pattern[str]  # a relay, a listener or a relative clause: rules alone may misread
    toll_lemmas: frozenset[str]  # "raised the toll to N": verbs that report when their object is a toll
    toll_objects: frozenset[str]
    relay_lemmas: frozenset[str]  # "X, which cites Y": verbs by which a source passes another's figure on
    time_nouns: frozenset[str]  # never an asserter ("this week said", "Thursday", "June")
    person_titles: frozenset[str]  # words before a name that are not the name ("Interior Minister")
    speech_cue_pattern: re.Pattern[str]  # "according to", "citing", "as per" and every form of a reporting lemma
    name_glue: frozenset[str]  # determiners and glue words: never a name on their own ("the", "number of")
    spokesperson_titles: frozenset[str]  # people who speak for their organisation
    officer_titles: frozenset[str]  # officers who present a (non-state) organisation's count
    gave_back_pattern: re.Pattern[str]  # "X gave the numbers of missing people": group 1 X, group 2 what of
    official_count_pattern: re.Pattern[str]  # "the official death toll": the authorities' count
    relay_back_pattern: re.Pattern[str]  # "The agency cited the Red Crescent": group 1 the relayed name
    background_markers: frozenset[str]  # "after", "when": an adverbial clause of time is not what is reported
    report_nouns: frozenset[str]  # "figures issued by X" are X's
    mouthpieces: frozenset[str]  # "spokesman": always speaks for an organisation, named or not
    honorifics: frozenset[str]  # "Mr", "Dr": before a name, never part of it
    name_particles: frozenset[str]  # lower-case words inside a name ("al", "bin", "van")
    addition_pattern: re.Pattern[str]  # right after a figure: "dozens more"
    addition_before_pattern: re.Pattern[str]  # right before it: "another 13", "a further 200"
    recency_pattern: re.Pattern[str]  # "new", "latest": a source described as recent
    frame_words: dict[str, tuple[str, ...]]  # attribution.toml [frames]: the rule frames' words, by role
    whole_pattern: re.Pattern[str]  # "the total", "combined": a sentence that sums, not one that breaks down
    head_function_words: frozenset[str]  # end the head-noun lookup with no noun ("40 were killed")
    of_determiners: frozenset[str]  # "three of its soldiers": the phrase goes on
    of_pronouns: frozenset[str]  # "two of them": the people counted stand for the noun
    head_modifiers: frozenset[str]  # "its own regular troops": stepped over on the way to the noun
    head_lookahead: int  # modifiers stepped over to reach a people noun
    military_mention_pattern: re.Pattern[str]  # "North Korean troops": group 1 the party's words before the noun
    military_sentence_pattern: re.Pattern[str]  # a sentence that speaks of soldiers
    anaphor_pattern: re.Pattern[str]  # "the number", "the figure": the count spoken of just before
    share_base_pattern: re.Pattern[str]  # (anchored at the figure's end) "of the deployed force": a share's base
    generic_people: frozenset[str]  # "people", "individuals": the subject is "people"
    group_pattern: re.Pattern[str]  # groups whose members are everyone their event counts ("migrants")
    force_loss_nouns: frozenset[str]  # "casualties", "losses": may be a force's, unlike "dead" or "bodies"
    coordinator_gap: re.Pattern[str]  # (fullmatch) ", and " between a cue and the next clause's figure
    part_pattern: re.Pattern[str]  # (searched up to a figure) "including ": the figure is a part of the one before
    part_opening: re.Pattern[str]  # (matched at a sentence's start) "Of those, ": its figures part the one before
    subject_synonyms: dict[str, str]  # "demonstrators" -> "protesters"
    before_place: frozenset[str]  # "in the occupied eastern X": stepped over between the preposition and X
    admin_units: str  # regex alternation: "region|province|...", part of a place's phrase
    place_of: re.Pattern[str]  # (searched at the end of the words before a name) "the city of ": a place follows
    agent_verb_pattern: re.Pattern[str]  # "X has suffered", "Y was preparing to send" (anchored use: .match)
    not_agent_before: frozenset[str]  # "against X", "help X": X is not the sufferer or sender


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """The words or phrases as one regex alternation, longest first (a space matches any whitespace)."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


def _word_pattern(words: list[str]) -> re.Pattern[str]:
    """Any of the words or phrases, whole, case-insensitive."""
    return re.compile(r"\b(?:" + alternation(words) + r")\b", re.I)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    measures = _load("measures.toml")
    attribution = _load("attribution.toml")
    dates = _load("dates.toml")
    cues: dict[str, str] = {}
    cue_phrases: list[str] = []
    for measure, entry in measures["measures"].items():
        for cue in entry["cues"]:
            cues.setdefault(cue.lower(), measure)
            cue_phrases.append(cue)
    weak = frozenset(c.lower() for c in measures.get("weak_cues", {}).get("cues", []))
    strong: dict[str, str] = {}
    for measure, nouns in measures["strong_suffix"].items():
        for noun in nouns:
            strong[noun.lower()] = measure
    rate_unit: dict[str, str] = {}
    for unit in ("day", "week", "month", "year"):
        for cue in measures["rates"][unit]:
            rate_unit[cue.lower()] = unit
    nouns = measures["nouns"]
    people = frozenset(n.lower() for n in nouns["people"])
    casualty = frozenset(n.lower() for n in nouns["casualty"])
    force = frozenset(n.lower() for n in nouns["force"])
    descriptions: dict[str, str] = {}
    for kind, words in attribution["descriptions"].items():
        for w in words:
            descriptions[w.lower()] = kind
    pronouns: dict[str, str] = {}
    for kind, words in attribution["pronouns"].items():
        for w in words:
            pronouns[w.lower()] = kind
    verbs = [v.lower() for v in attribution["verbs"]]
    return Lexicon(
        measure_cues=cues,
        measure_pattern=phrase_pattern(cue_phrases),
        aboard_pattern=re.compile(
            r"\bon\s+(?:(?:"
            + alternation(measures["aboard"]["determiners"])
            + r")\s+(?:[\w-]+\s+){0,3}?)?(?:"
            + alternation(measures["aboard"]["vehicles"])
            + r")s?\b",
            re.I,
        ),
        weak_cues=weak,
        identified_cues=frozenset(c.lower() for c in measures["identified"]["cues"]),
        identified_dead=frozenset(n.lower() for n in measures["identified"]["dead_nouns"]),
        strong_suffix=strong,
        modal_pattern=phrase_pattern(measures["projection"]["modals"]),
        derived_pattern=phrase_pattern(measures["derived"]["cues"]),
        rate_pattern=phrase_pattern(list(rate_unit)),
        rate_unit=rate_unit,
        rate_days={k: int(v) for k, v in measures["rate_days"].items()},
        people_nouns=people,
        casualty_nouns=casualty,
        force_nouns=force,
        noun_pattern=phrase_pattern(list(people | casualty | force)),
        out_of_scope_pattern=phrase_pattern(nouns["out_of_scope"]),
        whole_force_pattern=re.compile(
            r"(?<![\w-])(?:"
            + "|".join(
                re.escape(p).replace(r"\ ", r"\s+")
                for p in sorted(measures["whole_force"]["phrases"], key=len, reverse=True)
            )
            + r")\s+(?:[A-Z][\w()'’-]*\s+){0,4}"
            + r"(?:"
            + alternation(measures["whole_force"]["nouns"])
            + r")(?![\w-])",
            re.IGNORECASE,
        ),
        report_verbs=frozenset(verbs),
        report_verb_pattern=phrase_pattern(verbs),
        passive_aux=frozenset(attribution["passive_auxiliaries"]),
        perfect_aux=frozenset(attribution["perfect_auxiliaries"]),
        adverbs=frozenset(attribution["adverbs"]),
        np_words=frozenset(w.lower() for w in attribution["np_words"]),
        evidential_pattern=phrase_pattern(attribution["evidential"]),
        impersonal_pattern=phrase_pattern(attribution["impersonal"]),
        descriptions=descriptions,
        generic_org_heads=frozenset(w.lower() for w in attribution["generic_descriptions"]["org"]),
        named_org_heads=frozenset(w.lower() for w in attribution["named_descriptions"]["org"]),
        pronouns=pronouns,
        party_organs=frozenset(w.lower() for w in attribution.get("party_organs", {}).get("heads", [])),
        report_lemmas=frozenset(w.lower() for w in attribution["parse"]["report_lemmas"]),
        telling_lemmas=frozenset(w.lower() for w in attribution["parse"]["telling_lemmas"]),
        according_cues=frozenset(w.lower() for w in attribution["parse"]["according_cues"]),
        citing_cues=frozenset(w.lower() for w in attribution["parse"]["citing_cues"]),
        parse_needed_pattern=_word_pattern(attribution["parse"]["parse_needed"]),
        toll_lemmas=frozenset(w.lower() for w in attribution["parse"]["toll_lemmas"]),
        toll_objects=frozenset(w.lower() for w in attribution["parse"]["toll_objects"]),
        relay_lemmas=frozenset(w.lower() for w in attribution["parse"]["relay_lemmas"]),
        time_nouns=frozenset(w.lower() for w in attribution["parse"]["time_nouns"])
        | frozenset(w.lower() for table in ("months", "month_abbreviations", "weekdays") for w in dates.get(table, {})),
        person_titles=frozenset(w.lower() for w in attribution["parse"]["person_titles"]),
        name_glue=frozenset(w.lower() for w in attribution["parse"]["name_glue"]),
        speech_cue_pattern=re.compile(
            r"\b(?:"
            + "|".join(
                re.escape(w)
                for w in sorted(
                    {*attribution["parse"]["according_cues"], *attribution["parse"]["citing_cues"]}
                    | {lemma for lemma in attribution["parse"]["report_lemmas"]}
                    | {lemma for lemma in attribution["parse"]["toll_lemmas"]},
                    key=len,
                    reverse=True,
                )
            )
            + r")",
            re.IGNORECASE,
        ),
        spokesperson_titles=frozenset(w.lower() for w in attribution["parse"]["spokesperson_titles"]),
        officer_titles=frozenset(w.lower() for w in attribution["parse"]["officer_titles"]),
        gave_back_pattern=re.compile(
            r"^([A-Z][^.;:]*?)\s+(?:also\s+)?(?:"
            + alternation(attribution["carry"]["gave_back_verbs"])
            + r")\s+the\s+(?:[\w-]+\s+){0,2}?(?:"
            + alternation(attribution["carry"]["gave_back_nouns"])
            + r")\b(?:\s+of\s+([\w\s-]{1,40}?))?(?=[\s,.;]|$)"
        ),
        official_count_pattern=re.compile(
            r"\b(?:" + alternation(attribution["carry"]["official_words"]) + r")\s+(?:"
            + alternation(attribution["carry"]["official_counts"]) + r")\b",
            re.I,
        ),
        relay_back_pattern=re.compile(
            r"^[A-Z][\w-]*(?:\s+[\w-]+){0,3}?\s+(?:"
            + alternation(attribution["carry"]["relay_back"])
            + r")\s+(?:(?i:"
            + alternation(attribution["parse"]["name_glue"])
            + r")\s+)?((?:[A-Z][\w'’.&-]*)(?:\s+(?:(?:"
            + alternation(attribution["parse"]["name_glue"])
            + r")\s+)*[A-Z][\w'’.&-]*)*)"
        ),
        background_markers=frozenset(w.lower() for w in attribution["parse"]["background_markers"]),
        report_nouns=frozenset(w.lower() for w in attribution["parse"]["report_nouns"]),
        mouthpieces=frozenset(w.lower() for w in attribution["people"]["mouthpieces"]),
        honorifics=frozenset(w.lower() for w in attribution["people"]["honorifics"]),
        name_particles=frozenset(attribution["people"]["name_particles"]),
        whole_pattern=_word_pattern(attribution["carry"]["whole_words"]),
        frame_words={role: tuple(words) for role, words in attribution["frames"].items()},
        recency_pattern=_word_pattern(attribution["frames"]["recency"]),
        addition_pattern=re.compile(
            r"\s+(?:" + "|".join(re.escape(w) for w in attribution["carry"]["addition_after"]) + r")\b", re.I
        ),
        addition_before_pattern=re.compile(
            r"\b(?:" + "|".join(re.escape(w) for w in attribution["carry"]["addition_before"]) + r")\s+$", re.I
        ),
        head_function_words=frozenset(w.lower() for w in measures["head_noun"]["function_words"]),
        of_determiners=frozenset(w.lower() for w in measures["head_noun"]["of_determiners"]),
        of_pronouns=frozenset(w.lower() for w in measures["head_noun"]["of_pronouns"]),
        head_modifiers=frozenset(w.lower() for w in measures["head_noun"]["modifiers"]),
        head_lookahead=int(measures["head_noun"]["lookahead"]),
        military_mention_pattern=re.compile(
            r"((?:[A-Z][\w'’.-]*\s+){1,3}?(?:\([A-Z]+\)\s+)?)(?:" + alternation(nouns["military_mention"]) + r")\b"
        ),
        anaphor_pattern=phrase_pattern(measures["anaphora"]["phrases"]),
        military_sentence_pattern=re.compile(r"\b(?:" + alternation(nouns["military_sentence"]) + r")\b", re.I),
        share_base_pattern=re.compile(
            r"\s+(?:of|among)\s+(?:the\s+|its\s+|their\s+|his\s+|this\s+)?(?:[\w'’()-]+\s+){0,3}?"
            r"(?:" + alternation(nouns["share_base"]) + r")\b",
            re.IGNORECASE,
        ),
        generic_people=frozenset(w.lower() for w in measures["subjects"]["generic"]),
        group_pattern=phrase_pattern(measures["subjects"]["groups"]),
        force_loss_nouns=frozenset(measures["subjects"]["force_loss_nouns"]),
        coordinator_gap=re.compile(
            r"\s*,?\s*(?:" + alternation(measures["subjects"]["coordinators"]) + r")\s+", re.I
        ),
        part_pattern=re.compile(r"\b(?:" + alternation(measures["subjects"]["part_introducers"]) + r")\s+$", re.I),
        part_opening=re.compile(
            r"\W*(?:" + alternation(measures["subjects"]["part_openings"]) + r")\b[,:]?\s+(?:[\w'’-]+\s+){0,2}$", re.I
        ),
        subject_synonyms={k.lower(): v for k, v in measures["subjects"]["synonyms"].items()},
        before_place=frozenset(w.lower() for w in measures["locations"]["before_place"]),
        place_of=re.compile(r"\b(?:" + alternation(measures["locations"]["place_nouns"]) + r")\s+of\s*$", re.I),
        admin_units="|".join(re.escape(w) for w in sorted(measures["locations"]["admin_units"], key=len, reverse=True)),
        agent_verb_pattern=re.compile(
            r"(?:\w+\s+){0,4}?(?:has|have|had|is|are|was|were|of)?\s*(?:"
            + "|".join(
                re.escape(v).replace(r"\ ", r"\s+")
                for v in sorted(measures["locations"]["agent_verbs"], key=len, reverse=True)
            )
            + r")\b",
            re.IGNORECASE,
        ),
        not_agent_before=frozenset(w.lower() for w in measures["locations"]["not_agent_before"]),
    )
