"""The people component: titled names a document gives, and what a later description or surname means
(sentences written for these tests)."""

from __future__ import annotations

from crosscount.extract import extract
from crosscount.lexicon import lexicon
from crosscount.people import DocumentPeople

TEXT = (
    "The country's health minister said on Sunday that 40 people had died. "
    "Health Minister Mara Lind Osk told reporters the toll would rise.\n\n"
    "Later, Piet Van Dorn, envoy for the Northern Relief Federation in the region, said 300 were missing. "
    "Van Dorn added that the search would go on.\n\n"
    "General Omar Abdel al-Sayed said the army was ready. The General stated that 30 soldiers were killed. "
    "Mr al-Sayed estimated more.\n\n"
    "Norland judiciary head Ivo Brant Kell said that 1,000 people were held."
)


def people() -> DocumentPeople:
    return DocumentPeople.scan(TEXT, lexicon())


def test_titles_before_and_after_a_name_are_found() -> None:
    found = {p.name: p for p in people().people}
    assert set(found) == {"Mara Lind Osk", "Piet Van Dorn", "Omar Abdel al-Sayed", "Ivo Brant Kell"}
    assert found["Mara Lind Osk"].title == "minister" and "health" in found["Mara Lind Osk"].modifiers
    assert found["Piet Van Dorn"].organisation == "Northern Relief Federation"
    assert found["Ivo Brant Kell"].title == "head" and "judiciary" in found["Ivo Brant Kell"].modifiers


def test_a_description_by_title_is_the_person_named_with_that_title() -> None:
    lex = lexicon()
    assert people().resolve("The country's health minister", 0, lex) == "Mara Lind Osk"
    assert people().resolve("The General", 330, lex) == "Omar Abdel al-Sayed"
    # another head word with the same office word ("judiciary chief" / "judiciary head")
    assert people().resolve("Norland's judiciary chief", 0, lex) == "Ivo Brant Kell"


def test_a_surname_or_an_honorific_and_surname_is_the_full_name() -> None:
    lex = lexicon()
    assert people().resolve("Mr al-Sayed", 400, lex) == "Omar Abdel al-Sayed"
    assert people().resolve("Kell", 600, lex) == "Ivo Brant Kell"


def test_an_envoy_speaks_for_the_organisation() -> None:
    lex = lexicon()
    assert people().resolve("Van Dorn", 250, lex) == "Northern Relief Federation"
    assert people().resolve("Piet Van Dorn", 200, lex) == "Northern Relief Federation"


def test_nothing_is_guessed_when_the_text_names_nobody_with_that_title() -> None:
    lex = lexicon()
    assert people().resolve("the mayor", 0, lex) is None
    assert people().resolve("Officials", 0, lex) is None
    assert DocumentPeople.scan("No names here. The mayor said 12 died.", lex).resolve("the mayor", 10, lex) is None


def test_a_time_word_is_never_part_of_a_name() -> None:
    found = DocumentPeople.scan("Governor Lena Ford Monday said 12 died.", lexicon()).people
    assert all("Monday" not in p.name for p in found)


def test_extract_names_the_titled_person_for_a_description() -> None:
    claims = {c.figure: c for c in extract(TEXT, published="2024-05-06")}
    assert claims["40"].source == "Mara Lind Osk"
    assert claims["30"].source == "Omar Abdel al-Sayed"
    assert claims["300"].source == "Northern Relief Federation"


def test_a_title_set_off_by_commas_and_an_acronym_s_officer() -> None:
    found = {p.name: p for p in DocumentPeople.scan("CRW director, Ana Ruiz Vidal, urged calm.", lexicon()).people}
    assert found["Ana Ruiz Vidal"].title == "director" and found["Ana Ruiz Vidal"].organisation == "CRW"
    assert (
        DocumentPeople.scan("CRW director, Ana Ruiz Vidal, urged calm.", lexicon()).resolve(
            "Ana Ruiz Vidal", 40, lexicon()
        )
        == "CRW"
    )


def sources_of(text: str) -> dict[str, str | None]:
    return {c.figure: c.source for c in extract(text, published="2025-03-12")}


def test_an_officer_presenting_an_aid_groups_count_is_the_group() -> None:
    text = (
        "The Norland Red Crescent said on Tuesday that the toll had risen to 5,100.\n"
        "Jane Roe, secretary general of aid group, said by phone that 4,000 more were unaccounted for."
    )
    assert sources_of(text) == {"5,100": "Norland Red Crescent", "4,000": "Norland Red Crescent"}


def test_a_groups_president_speaks_for_the_group_a_countrys_president_for_himself() -> None:
    group = (
        "The Northern Alliance said on Monday that 874 bodies had been recovered. "
        "The group's president, Jim Poe, explained that 80% of the dead were fighters."
    )
    assert sources_of(group)["80%"] == "Northern Alliance"
    country = "Ana Sol Vera, the President of Kenya, reported 210 dead in an address to the nation."
    assert sources_of(country)["210"] == "Ana Sol Vera"


def test_a_title_the_alias_tables_know_is_its_office() -> None:
    text = "UN rights chief Jane Roe said last week that 9,000 people had been arrested in the crackdown."
    assert sources_of(text)["9,000"] == "UN Human Rights Office"


def test_a_sentence_end_inside_a_run_of_capitals_does_not_join_two_names() -> None:
    text = "Floods hit Kell on Tuesday.\nJane Roe, director of the Norland Relief Agency, said 300 were missing."
    found = DocumentPeople.scan(text, lexicon()).people
    assert [p.name for p in found] == ["Jane Roe"]
