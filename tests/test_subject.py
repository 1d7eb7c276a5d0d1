"""Whose people a figure counts: the words the text uses, its group, synonyms (sentences written for these tests)."""

from __future__ import annotations

from crosscount import extract


def subjects(text: str) -> dict[str, str | None]:
    return {c.figure: c.subject for c in extract(text, published="2025-03-12", doc="t")}


def test_children_residents_and_villagers_are_not_made_civilians() -> None:
    got = subjects("The clinic said 42 children were wounded and 17 villagers were killed in the shelling.")
    assert got == {"42": "children", "17": "villagers"}


def test_the_word_civilians_still_gives_civilians() -> None:
    assert subjects("The monitor said 23 civilians were killed in the strike.") == {"23": "civilians"}


def test_individuals_and_persons_are_people() -> None:
    got = subjects("Officials said 800 individuals were evacuated and 12 persons were missing after the storm.")
    assert got == {"800": "people", "12": "people"}


def test_undifferentiated_people_in_a_text_about_migrants_are_the_migrants() -> None:
    text = (
        "A dinghy carrying migrants overturned in the strait on Sunday.\n\n"
        "The coast guard said 31 people had been rescued and 9 bodies recovered."
    )
    assert subjects(text) == {"31": "migrants", "9": "migrants"}


def test_people_stay_people_when_the_text_names_no_group() -> None:
    text = "A landslide buried the hamlet on Sunday.\n\nThe district chief said 31 people had been rescued."
    assert subjects(text) == {"31": "people"}


def test_a_synonym_takes_the_canonical_word() -> None:
    assert subjects("Police said 64 demonstrators were arrested outside parliament.") == {"64": "protesters"}


def test_a_place_after_a_compass_word_or_a_nationality_adjective_is_where() -> None:
    from crosscount import extract as run

    claims = run("The ministry said 40 soldiers were killed in occupied Kherson region.", published="2025-03-12")
    assert [c.location for c in claims] == ["Kherson"]
    claims = run("The monitor said 25 troops were killed in southern Darfur on Monday.", published="2025-03-12")
    assert [c.location for c in claims] == ["Darfur"]


def test_a_party_that_suffered_or_sent_the_figure_is_its_subject() -> None:
    text = "Russian soldiers held the bridge. Russia has suffered 300 casualties near the river, the analysts said."
    assert subjects(text) == {"300": "Russian forces"}
    assert subjects("Ukraine was preparing to send 1,000 troops to the front.") == {"1,000": "Ukrainian forces"}


def test_a_known_source_named_with_an_organisation_word_is_an_organisation_not_a_person() -> None:
    from crosscount.extract import Extractor
    from crosscount.resolve import DocumentAliases
    from crosscount.segment import split

    text = "The Institute for the Study of War said 300 soldiers were killed."
    name, kind = Extractor(use_model=False)._name(
        "The Institute for the Study of War", DocumentAliases.scan(text), split(text)[1][0]
    )
    assert (name, kind) == ("Institute for the Study of War", "org")


def test_a_part_named_with_including_is_its_own_noun_and_a_later_more_is_the_whole() -> None:
    text = (
        "At least 64 people, including 9 police officers, died in the riots on Friday, "
        "while hundreds more were hurt."
    )
    got = subjects(text)
    assert got["9"] == "police officers"
    assert got["hundreds"] == "people"
    assert got["At least 64"] == "people"


def test_a_military_noun_qualified_by_initials_is_that_organisations_members() -> None:
    text = "Rebels shelled the base on Monday. The army confirmed the death of four UN soldiers in the attack."
    assert subjects(text)["four"] == "UN soldiers"


def test_a_two_word_nationality_before_a_military_noun_names_the_force() -> None:
    text = "Fighting with the rebels went on. By Sunday, eleven South African soldiers had been killed, the army said."
    assert subjects(text)["eleven"] == "South African forces"


def test_unqualified_dead_are_people_even_in_a_story_that_names_armed_forces() -> None:
    text = (
        "Clashes between rebels and Valdorian troops spread to the city, where 40 Valdorian soldiers were killed.\n\n"
        "The president reported 512 dead and 1,900 injured in the battles between the rebels and the army."
    )
    got = subjects(text)
    assert got["40"] == "Valdorian forces" or got["40"] == "soldiers"
    assert got["512"] == "people"
    assert got["1,900"] == "people"


def test_of_whom_or_of_them_with_a_copula_names_who_they_are() -> None:
    got = subjects("At least 70 people were killed on Sunday, 11 of whom were police officers.")
    assert got == {"At least 70": "people", "11": "police officers"}
    got = subjects("Officials said 45 people died in the flood; 9 of them were children.")
    assert got["9"] == "children"
    got = subjects("Officials said 45 soldiers died in the fighting, and 9 of them in the capital.")
    assert got["9"] == got["45"]  # no noun of its own: the people spoken of before


def locations(text: str) -> dict[str, str | None]:
    return {c.figure: c.location for c in extract(text, published="2025-03-12", doc="t")}


def test_a_city_the_gazetteer_knows_is_a_place_as_the_text_writes_it() -> None:
    # neither city is in the alias tables; GeoNames writes the first "Darnah"
    got = locations("At least 900 people died in Derna, officials said. Doctors said 120 were hurt in Kalamata.")
    assert got == {"At least 900": "Derna", "120": "Kalamata"}


def test_a_city_name_inside_a_persons_name_is_no_place() -> None:
    got = locations("In Ruritania, Interior Minister Omar Khan said on Sunday that 147 people had died in the unrest.")
    assert got["147"] is None


def test_a_gazetteer_city_lies_in_its_country_for_grouping_repeats() -> None:
    from crosscount.reconcile import _place_within

    assert _place_within("Derna", "Libya", {})
    assert not _place_within("Libya", "Derna", {})


def test_the_city_of_x_is_a_place_and_a_briefings_place_is_not_the_figures() -> None:
    got = locations("In the coastal city of Derna, up to 2,700 people are unaccounted for, the mayor said.")
    assert got == {"up to 2,700": "Derna"}
    got = locations("She told a news conference in Geneva by video link that some 7,300 people remained missing.")
    assert got == {"some 7,300": None}


def test_a_place_after_the_speaker_is_the_reporting_acts_not_the_figures() -> None:
    got = locations("Some 7,000 people have died in eastern Kenya, the prime minister told a meeting in Geneva.")
    assert got == {"Some 7,000": "Kenya"}
    got = locations("In northern Kenya 4,300 deaths and 7,600 injuries were recorded in Marsabit, an agency said.")
    assert got["4,300"] == "Marsabit"  # a thousands separator is no clause's comma


def test_a_party_named_after_a_bare_figure_is_not_the_one_that_suffered() -> None:
    text = (
        "In a televised address, the governor reported 418 dead and 1,950 injured in the clashes between the "
        "militia and Peruvian armed forces."
    )
    assert subjects(text) == {"418": "people", "1,950": "people"}


def test_security_personnel_with_no_party_named_are_the_forces_of_the_country_the_text_is_about() -> None:
    text = (
        "Protests spread across Peru on Sunday.\n\n"
        "The official toll rose to at least 19, including four security personnel, according to local media."
    )
    assert subjects(text)["four"] == "Peruvian forces"
