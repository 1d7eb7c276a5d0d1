"""Canonical names, the text splitter and the model loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosscount.errors import ModelError
from crosscount.model import check_meta
from crosscount.resolve import DocumentAliases, Resolver, default_resolver, fold
from crosscount.segment import split


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("the senior US military official in Washington", "US official"),
        ("Anonymous Western sources", "Western officials"),
        ("Ukrainian and American officials", "Ukrainian and US officials"),
        ("Ukraine, along with the United States and South Korea", "Ukraine, US and South Korea"),
        ("HUR sources", "Ukrainian military intelligence (HUR)"),
        ("Ukrainian Armed Forces Commander-in-Chief Oleksandr Syrsky", "Oleksandr Syrsky"),
        ("Ukrainian leader Volodymyr Zelenskyy", "Volodymyr Zelensky"),
        ("The UK's ministry of defence", "UK Ministry of Defence"),
        ("US government estimates", "US government"),
        ("the Sudan Doctors' Union", "Sudan Doctors' Union"),
        ("the Syrian Observatory for Human Rights", "Syrian Observatory for Human Rights"),
        ("a senior military official in Bogota", "Colombian official"),
        ("Moscow", "Russian government"),  # a capital that speaks is its government
        ("Officials", "officials"),
    ],
)
def test_resolve_canonical_source(written: str, canonical: str) -> None:
    assert default_resolver().canonical_source(written) == canonical


def test_resolve_short_acronym_needs_capitals() -> None:
    resolver = default_resolver()
    assert resolver.known_source("a man who spoke") is None
    assert resolver.known_source("the WHO") == "WHO"


def test_resolve_user_alias_file_extends_the_tables(tmp_path: Path) -> None:
    extra = tmp_path / "mine.toml"
    extra.write_text('[sources]\n"Flood Agency" = ["FA", "the flood office"]\n', encoding="utf-8")
    resolver = Resolver.load(extra=[extra])
    assert resolver.canonical_source("the flood office") == "Flood Agency"


def test_resolve_bad_alias_file_is_a_clear_error(tmp_path: Path) -> None:
    from crosscount.errors import ConfigError

    bad = tmp_path / "bad.toml"
    bad.write_text("[sources\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        Resolver.load(extra=[bad])


def test_resolve_aliases_defined_by_the_text() -> None:
    aliases = DocumentAliases.scan("Officials at the Regional Casualty Office (RCO) said so. The RCO later agreed.")
    assert aliases.expand("RCO") == "Regional Casualty Office"


def test_resolve_fold_ignores_case_articles_and_possessives() -> None:
    assert fold("The U.S. Government's") == fold("us government")


def test_segment_paragraphs_sentences_and_wrapped_lines() -> None:
    text = "A Headline Without A Period\n\nFirst sentence here, Jan. 13 it was. Second one\ncontinues here.\n"
    paragraphs, sentences = split(text)
    assert [p.is_heading for p in paragraphs] == [True, False]
    assert [s.text for s in sentences][1:] == ["First sentence here, Jan. 13 it was.", "Second one\ncontinues here."]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_segment_clauses_split_at_coordination() -> None:
    _, sentences = split("300 were killed and another 2,700 were injured, while 12 went missing.")
    clauses = [sentences[0].text[a:b] for a, b in sentences[0].clauses]
    assert clauses[0] == "300 were killed"
    assert "another 2,700" in clauses[1] and "killed" not in clauses[1]


def test_model_meta_check_refuses_another_model() -> None:
    with pytest.raises(ModelError, match=r"en_core_web_sm 3\.8\.0"):
        check_meta({"lang": "en", "name": "core_web_md", "version": "3.8.0"})
    with pytest.raises(ModelError):
        check_meta({"lang": "en", "name": "core_web_sm", "version": "3.7.1"})
    check_meta({"lang": "en", "name": "core_web_sm", "version": "3.8.0"})


def test_a_state_organ_is_known_by_any_of_its_names() -> None:
    r = default_resolver()
    assert r.state_organ("South Korea NIS")  # also written "South Korea's spy agency"
    assert r.state_organ("UK Ministry of Defence")
    assert not r.state_organ("Iran Human Rights")  # an NGO named after the country
    assert not r.state_organ("IFRC")


def test_an_armed_group_is_not_a_metonym_of_the_state_it_fights() -> None:
    r = default_resolver()
    for group in ("M23", "Hezbollah", "Houthis"):
        assert r.party(group) is None, group


def test_a_defined_initialism_does_not_reach_back_over_a_sentence_end() -> None:
    aliases = DocumentAliases.scan("Rebels blamed Kinshasa. The Northern Front Alliance (NFA) said 300 died.")
    assert aliases.short_to_long == {"NFA": "Northern Front Alliance"}


def test_a_known_name_inside_a_longer_proper_name_is_not_that_source() -> None:
    r = default_resolver()
    assert r.known_source("the country's Supreme National Security Council") is None
    assert r.known_source("the UN Security Council") == "UN Security Council"
    assert r.known_source("Seoul's National Intelligence Service") == "South Korea NIS"  # a party before it
