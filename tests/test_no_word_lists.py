"""No word list in the package's Python: domain words live in crosscount/data/*.toml behind the lexicon.

An AST walk over every crosscount/**/*.py finds (a) a tuple, list or set literal holding four or more plain
English words and (b) a string (a regular expression) with an alternation of four or more plain words. Each
one must be on the allow-list below with the reason it is not domain vocabulary; a new word list in code
fails this test. Move the words to a data file instead (see crosscount/lexicon.py).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "crosscount"
_PLAIN = re.compile(r"[A-Za-z][a-z'’-]*(?: [a-z'’-]+)*")
_GROUP = re.compile(r"\((?:\?:)?([^()]*)\)")

SCHEMA = (
    "names of crosscount's own fields, columns, kinds or CLI choices, or the parser's dependency labels; "
    "not words read from a text"
)
GRAMMAR = "English function words (determiners, pronouns, prepositions, auxiliaries, connectives) or suffixes"
INTERNAL = "token kinds of the number grammar: internal labels, not words"
OUTPUT = "words the product writes (labels, abbreviations, plot shapes), not words read from a text"

# (file, the first four plain words "|"-joined) -> why it may stay in code.
ALLOWED: dict[tuple[str, str], str] = {
    ("scale.py", "tcp|tls|inproc|ucx"): SCHEMA,  # Dask scheduler address schemes
    ("__init__.py", "Claim|Document|Finding|Ledger"): SCHEMA,
    ("attribution.py", "In|On|At|By"): GRAMMAR,
    ("attribution.py", "of|for|and|with"): GRAMMAR,
    ("attribution.py", "of|for|and|the"): GRAMMAR,
    ("attribution.py", "the|a|an|and"): GRAMMAR,
    ("attribution.py", "that|on|in|at"): GRAMMAR,
    ("attribution.py", "a|an|from|by"): GRAMMAR,
    ("attribution.py", "they|he|she|it"): GRAMMAR,
    ("attribution.py", "along|with|together|as"): GRAMMAR,
    ("cli/curate_cmds.py", "source|measure|subject|value"): SCHEMA,
    ("cli/extraction.py", "doc|figure|low|high"): SCHEMA,
    ("cli/ledger_cmds.py", "conflict|evolution|revision|check"): SCHEMA,
    ("cli/ledger_cmds.py", "id|subject|measure|location"): SCHEMA,
    ("cli/ledger_cmds.py", "id|name|basis|documents"): SCHEMA,
    ("cli/ledger_cmds.py", "as of|variable|source|value"): SCHEMA,
    ("cli/ledger_cmds.py", "variable|statements|sources|first"): SCHEMA,
    ("cli/ledger_cmds.py", "as of|source|figure|interval"): SCHEMA,
    ("cli/ledger_cmds.py", "story|name|documents|claims"): SCHEMA,
    ("curation.py", "exclude|confirm|source|measure"): SCHEMA,
    ("curation.py", "source|measure|subject|value"): SCHEMA,
    ("dates.py", "at|by|since|now"): SCHEMA,
    ("dates.py", "over|in|during|for"): GRAMMAR,
    ("evaluate.py", "value|qualifier|unit|measure"): SCHEMA,
    ("evaluate.py", "value|measure|subject|source"): SCHEMA,
    ("evaluate.py", "the|of|and|for"): GRAMMAR,
    ("evaluate.py", "story|gold|value|measure"): SCHEMA,
    ("extract.py", "the|its|their|a"): GRAMMAR,
    ("extract.py", "of|for|and|on"): GRAMMAR,
    ("extract.py", "our|my|we|i"): GRAMMAR,
    ("extract.py", "it|he|she|they"): GRAMMAR,
    ("extract.py", "we|i|us|our"): GRAMMAR,
    ("location.py", "in|into|to|near"): GRAMMAR,
    ("location.py", "is|are|was|were"): GRAMMAR,
    ("subject.py", "them|their|those|these"): GRAMMAR,
    ("subject.py", "an|ian|ese|ish"): GRAMMAR,
    ("subject.py", "is|are|was|were"): GRAMMAR,
    ("extract.py", "report|outlet|person|org"): SCHEMA,
    ("extract.py", "org|person|group|outlet"): SCHEMA,
    ("extract.py", "pre|verb|post|according"): SCHEMA,
    ("extract.py", "pre|verb|told|noun"): SCHEMA,
    ("extract.py", "captured|killed|wounded|missing"): SCHEMA,
    ("kind.py", "killed|wounded|casualties|captured"): SCHEMA,
    ("ingest.py", "id|text|url|outlet"): SCHEMA,
    ("ingest.py", "outlet|published|title|url"): SCHEMA,
    ("ingest.py", "st|nd|rd|th"): GRAMMAR,
    ("lexicon.py", "day|week|month|year"): SCHEMA,
    ("lexicon.py", "has|have|had|is"): GRAMMAR,
    ("models.py", "deployed|strength|killed|wounded"): SCHEMA,
    ("models.py", "doc|start|end|figure"): SCHEMA,
    ("models.py", "sentence|via|published|confidence"): SCHEMA,
    ("models.py", "exact|approx|range|vague"): SCHEMA,
    ("numbers.py", "unit|teen|ten|digits"): INTERNAL,
    ("numbers.py", "unit|teen|ten|art"): INTERNAL,
    ("numbers.py", "hundred|hundreds|mag|mags"): INTERNAL,
    ("numbers.py", "st|nd|rd|th"): GRAMMAR,
    ("numbers.py", "to|and|until|till"): GRAMMAR,
    ("numbers.py", "the|this|that|last"): GRAMMAR,
    ("people.py", "of|for|at|to"): GRAMMAR,
    ("people.py", "of|for|and|the"): GRAMMAR,
    ("picture.py", "story|statements recovered|conflicts found|precision"): SCHEMA,
    ("pipeline.py", "doc|start|end|figure"): SCHEMA,
    ("present.py", "Counts|counts|num|plural"): SCHEMA,
    ("present.py", "Jan|Feb|Mar|Apr"): OUTPUT,
    ("present.py", "txt|md|csv|parquet"): SCHEMA,
    ("present.py", "s|x|ch|sh"): OUTPUT,
    ("report.py", "conflict|evolution|revision|agreement"): SCHEMA,
    ("report.py", "circle|square|pentagon|hexagon"): OUTPUT,
    ("report.py", "closed|triangle-up|triangle-down|diamond"): OUTPUT,
    ("resolve.py", "of|for|the|and"): GRAMMAR,
    ("resolve.py", "for|of|on|and"): GRAMMAR,
    ("resolve.py", "of|for|and|the"): GRAMMAR,
    ("scale.py", "documents|skipped|extracted|failed"): SCHEMA,
    ("speech.py", "compound|amod|det|poss"): SCHEMA,
    ("speech.py", "of|for|at|in"): GRAMMAR,
    ("speech.py", "which|who|that|whom"): GRAMMAR,
    ("speech.py", "compound|nmod|poss|amod"): SCHEMA,
    ("speech.py", "nummod|quantmod|amod|compound"): SCHEMA,
    ("web/app.py", "outlet|published|title|text"): SCHEMA,
}


def _alternatives(pattern: str) -> list[list[str]]:
    found = []
    for group in _GROUP.findall(pattern):
        parts = [p.replace(r"\s+", " ").replace("\\ ", " ") for p in group.split("|")]
        plain = [p for p in parts if _PLAIN.fullmatch(p)]
        if len(plain) >= 4:
            found.append(plain)
    return found


def word_lists(source: str) -> list[tuple[int, list[str]]]:
    """(line, words) of every word list in one module's source."""
    found: list[tuple[int, list[str]]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            strings = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            plain = [s for s in strings if _PLAIN.fullmatch(s)]
            if len(plain) >= 4:
                found.append((node.lineno, plain))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.extend((node.lineno, words) for words in _alternatives(node.value))
    return found


def _key(words: list[str]) -> str:
    return "|".join(words[:4])


def test_the_check_finds_a_word_list_in_a_tuple_and_in_a_regex() -> None:
    source = (
        'CUES = ("flooded", "stranded", "buried", "trapped")\n'
        'PATTERN = r"\\b(?:flooded|stranded|buried|trapped)\\b"\n'
        'FIELDS = ("x", "y")\n'
    )
    assert [words for _, words in word_lists(source)] == [["flooded", "stranded", "buried", "trapped"]] * 2


def test_no_module_writes_a_word_list_that_is_not_allowed() -> None:
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        for line, words in word_lists(path.read_text(encoding="utf-8")):
            if (name, _key(words)) not in ALLOWED:
                unexplained.append(f"{name}:{line} {words}")
    assert not unexplained, "word lists in code; move them to crosscount/data/*.toml:\n" + "\n".join(unexplained)


def test_every_allowed_entry_still_exists() -> None:
    """An entry whose list was moved to a data file goes from the allow-list too."""
    present = {
        (path.relative_to(PACKAGE).as_posix(), _key(words))
        for path in PACKAGE.rglob("*.py")
        for _, words in word_lists(path.read_text(encoding="utf-8"))
    }
    assert not set(ALLOWED) - present, sorted(set(ALLOWED) - present)


def test_no_module_holds_domain_words() -> None:
    """Every list left in code is schema, grammar, internal labels or output words: none is vocabulary."""
    assert set(ALLOWED.values()) <= {SCHEMA, GRAMMAR, INTERNAL, OUTPUT}
