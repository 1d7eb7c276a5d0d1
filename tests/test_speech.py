"""The speech component: who asserts a figure, read from the dependency parse (sentences written for these tests)."""

from __future__ import annotations

import pytest

from crosscount.extract import extract
from crosscount.lexicon import lexicon
from crosscount.speech import Speech, SpeechReader


@pytest.fixture(scope="module")
def reader() -> SpeechReader:
    return SpeechReader(lexicon())


def speech(reader: SpeechReader, sentence: str, figure: str) -> Speech | None:
    at = sentence.index(figure)
    return reader.read(sentence, 0, [(at, at + len(figure))])[0]


def test_subject_of_the_reporting_verb_that_governs_the_clause(reader: SpeechReader) -> None:
    s = speech(reader, "The coast guard said on Friday that 61 people had drowned.", "61")
    assert s is not None and s.source_text == "the coast guard" and s.verb == "say"


def test_inverted_speaker_after_the_figure_not_the_listener(reader: SpeechReader) -> None:
    s = speech(
        reader,
        "In the flooded valley, as many as 900 people are missing, Mara Olsen, the regional health minister, "
        "told Radio Nord.",
        "900",
    )
    assert s is not None and s.source_text == "Mara Olsen"
    assert s.listener_text is not None and "Radio Nord" in s.listener_text


def test_a_date_between_subject_and_verb_is_not_the_source(reader: SpeechReader) -> None:
    s = speech(reader, "The Harbour Watch group on Thursday said at least 212 people had been arrested.", "212")
    assert s is not None and "Thursday" not in s.source_text and "Harbour Watch" in s.source_text


def test_a_weekday_alone_is_never_a_source(reader: SpeechReader) -> None:
    s = speech(reader, "Figures released on Saturday showed 40 people were injured.", "40")
    assert s is None or "Saturday" not in s.source_text


def test_object_of_reported_gets_the_subject(reader: SpeechReader) -> None:
    s = speech(reader, "The volunteer rescue network also reported 38 deaths in the northern district.", "38")
    assert s is not None and s.source_text == "the volunteer rescue network" and s.verb == "report"


def test_according_to_names_the_source(reader: SpeechReader) -> None:
    s = speech(reader, "At least 73 people died, according to the provincial disaster agency.", "73")
    assert s is not None and s.kind == "according" and "provincial disaster agency" in s.source_text


def test_a_proper_name_ends_a_descriptive_phrase(reader: SpeechReader) -> None:
    s = speech(reader, "Some 140 people were hurt, according to the state news agency KNT.", "140")
    assert s is not None and s.source_text == "KNT"


def test_citing_passes_the_figure_on(reader: SpeechReader) -> None:
    s = speech(reader, "Radio Sur, citing the fire brigade, said 17 people were rescued.", "17")
    assert s is not None and s.source_text == "Radio Sur" and s.cited_text == "the fire brigade"


def test_quoting_before_the_speaker(reader: SpeechReader) -> None:
    s = speech(reader, "Quoting local officials, the Daily Courier reported that 55 people were arrested.", "55")
    assert s is not None and s.cited_text is not None and "officials" in s.cited_text
    assert "Courier" in s.source_text


def test_a_spokesperson_speaks_for_the_organisation(reader: SpeechReader) -> None:
    s = speech(reader, "More than 300 people were detained, the police spokesman Arun Das said.", "300")
    assert s is not None and s.source_text == "police"
    s = speech(reader, "Lena Berg, a spokeswoman for the Red Cross, said 27 volunteers were injured.", "27")
    assert s is not None and "Red Cross" in s.source_text


def test_a_minister_speaks_in_his_own_name(reader: SpeechReader) -> None:
    s = speech(reader, "Interior Minister Tomas Reyes said 19 people had been killed.", "19")
    assert s is not None and s.source_text == "Tomas Reyes"


def test_a_count_is_its_owner_s(reader: SpeechReader) -> None:
    s = speech(reader, "At least 88 people have died, according to an AFP tally compiled from hospital records.", "88")
    assert s is not None and s.source_text == "AFP"
    sentence = "The storm left 640 people dead, according to an interim report released by the Interior Ministry."
    s = speech(reader, sentence, "640")
    assert s is not None and "Interior Ministry" in s.source_text


def test_a_relative_pronoun_is_its_antecedent(reader: SpeechReader) -> None:
    s = speech(reader, "The figure came from the Civil Defence, which also reported 1,200 injuries.", "1,200")
    assert s is not None and "Civil Defence" in s.source_text


def test_a_figure_that_is_the_speaker_is_not_attributed_to_itself(reader: SpeechReader) -> None:
    assert speech(reader, "Some 300 residents said they had no water.", "300") is None


def test_an_impersonal_passive_names_nobody(reader: SpeechReader) -> None:
    assert speech(reader, "About 90 people were reported missing.", "90") is None


def test_a_participle_before_the_name_is_dropped(reader: SpeechReader) -> None:
    s = speech(reader, "The Geneva-based Alpine Monitor said 45 people had died.", "45")
    assert s is not None and s.source_text == "Alpine Monitor"


def _source_of(text: str, figure: str) -> str | None:
    import crosscount

    claims = [c for c in crosscount.extract(text, published="2024-03-04") if c.figure.endswith(figure)]
    assert claims, text
    return claims[0].source


def test_extract_never_names_a_weekday_as_source() -> None:
    assert _source_of("Valdorian Red Crescent on Thursday said at least 212 people had died.", "212") != "Thursday"


def test_extract_spokesperson_gives_the_institution() -> None:
    source = _source_of("At least 31 protesters were arrested, the interior ministry spokesman Ivo Kral said.", "31")
    assert source is not None and "ministry" in source.lower() and "Kral" not in source


def test_extract_relay_through_citing() -> None:
    assert _source_of("Radio Sur, citing the Red Crescent, said 17 people were killed.", "17") == "Red Crescent"


def test_a_dateline_is_not_the_speaker(reader: SpeechReader) -> None:
    for sentence in (
        "PORTVILLE, Valdoria (AP) — Governor Ana Ruiz said 52 people had died.",
        "Northtown: Governor Ana Ruiz said 52 people had died.",
        "PORTVILLE - Governor Ana Ruiz said 52 people had died.",
    ):
        s = speech(reader, sentence, "52")
        assert s is not None and s.source_text == "Ana Ruiz", sentence


def test_extract_text_defined_alias_names_the_entity_with_both_forms() -> None:
    text = (
        "The Valdorian Flood Relief Agency (VFRA) opened shelters on Monday. "
        "The VFRA said 4,100 people had been displaced."
    )
    assert _source_of(text, "4,100") == "Valdorian Flood Relief Agency (VFRA)"


def test_extract_a_name_of_glue_words_is_no_source() -> None:
    import crosscount

    for claim in crosscount.extract("The number of the dead is 61, the latest said.", published="2024-03-04"):
        assert claim.source not in ("the", "latest", "number of")


def test_extract_a_title_abbreviation_binds_to_the_name() -> None:
    assert _source_of("The toll rose to 41, Valdoria Gov. Ana Ruiz said on Monday.", "41") == "Ana Ruiz"


def test_extract_international_organisations_by_any_of_their_names() -> None:
    text = "Roughly 18,400 villagers have fled the valley, the International Organization for Migration reports."
    assert _source_of(text, "18,400") == "IOM"


def test_extract_people_in_a_country_are_not_its_forces_when_no_soldiers_are_named() -> None:
    import crosscount

    text = "A strong earthquake struck Valdoria on Friday. The toll in Valdoria rose to 2,012 dead, officials said."
    claims = [c for c in crosscount.extract(text, published="2024-03-04") if c.figure == "2,012"]
    assert claims and claims[0].subject == "people"


def test_extract_crowds_and_survivors_are_counted_as_other() -> None:
    import crosscount

    text = "Police said some 5,000 protesters marched through the capital."
    claims = crosscount.extract(text, published="2024-03-04")
    assert [(c.figure, c.measure) for c in claims] == [("some 5,000", "other")]
    claims = crosscount.extract("The coast guard said 104 survivors were rescued.", published="2024-03-04")
    assert [(c.figure, c.measure) for c in claims] == [("104", "other")]


def test_extract_a_casualty_cue_wins_over_an_other_cue() -> None:
    import crosscount

    claims = crosscount.extract("Rescuers pulled 40 bodies from the rubble, officials said.", published="2024-03-04")
    assert [(c.figure, c.measure) for c in claims] == [("40", "killed")]


def test_extract_displacement_words() -> None:
    import crosscount

    claims = crosscount.extract("More than 2,000 residents fled the town, the mayor said.", published="2024-03-04")
    assert [c.measure for c in claims] == ["displaced"]


def test_a_participle_clause_reports_for_the_main_subject(reader: SpeechReader) -> None:
    s = speech(reader, "The rebels shelled the town overnight, claiming 98 soldiers had been killed.", "98")
    assert s is not None and s.source_text.lower() == "the rebels" and s.verb == "claim"


def test_a_descriptive_place_phrase_is_not_part_of_the_name(reader: SpeechReader) -> None:
    s = speech(reader, "The Ministry of Health in the besieged city said 45 people were killed.", "45")
    assert s is not None and s.source_text == "Ministry of Health"
    s = speech(reader, "Officials in the northern city of Arvik said 12 people were killed.", "12")
    assert s is not None and "Arvik" in s.source_text


def test_a_hyphenated_name_is_not_a_dateline(reader: SpeechReader) -> None:
    s = speech(reader, "Lawmaker Park Min-ho said 300 soldiers had died.", "300")
    assert s is not None and s.source_text.endswith("Park Min-ho")
    s = speech(reader, "PORTVILLE-At least 230 people have died, the Red Crescent said.", "230")
    assert s is not None and s.source_text.endswith("Red Crescent")


def test_a_title_with_the_name_set_off_by_commas_is_the_person(reader: SpeechReader) -> None:
    s = speech(reader, "Norland's prime minister, Ada Varga, acknowledged that 4,000 people had been held.", "4,000")
    assert s is not None and s.source_text == "Ada Varga"


def test_a_relay_cited_under_another_reporting_verb_is_not_the_speaker_s(reader: SpeechReader) -> None:
    # "X said, Y reports citing Z": Z is what the relaying outlet cites; X still speaks
    s = speech(
        reader,
        "Some 900 deaths were recorded in the valley, a UN agency said Tuesday, Radio Nord reports citing Kappa News.",
        "900",
    )
    assert s is not None and s.source_text == "UN agency" and s.cited_text is None


def test_extract_a_breakdown_keeps_the_source_of_its_whole() -> None:
    text = (
        "According to the regional health office, at least 640 people were injured. "
        "Most of the injuries were reported in Lorn (410) and Vessa (120)."
    )
    found = {c.figure: c for c in extract(text, published="2024-03-02")}
    assert found["410"].source == found["120"].source == found["at least 640"].source
    assert "paragraph_carry" in " ".join(found["410"].rules)


def test_extract_a_total_or_a_larger_figure_is_the_outlet_s_own() -> None:
    text = (
        "The interior ministry said 300 people died in the north. "
        "The combined toll across both provinces now stands at 280. "
        "Another 5,000 were killed in the 1950 flood."
    )
    found = {c.figure: c for c in extract(text, published="2024-03-02")}
    assert found["280"].source is None  # a total, not a part
    assert found["5,000"].source is None  # larger than the whole: not a part of it


def test_extract_a_breakdown_does_not_cross_a_paragraph_or_a_country() -> None:
    text = (
        "Peru's civil defence said 700 people died in Peru.\n\n"
        "In the north, 200 died.\n\n"
        "The agency said 500 died in Peru. In neighbouring Chile, 90 people died."
    )
    found = {c.figure: c for c in extract(text, published="2024-03-02")}
    assert found["200"].source is None
    assert found["90"].source is None


def test_extract_an_initialism_of_a_name_the_text_spells_out() -> None:
    text = (
        "The count comes from the group Coastal Rescue Watch, which tracks the crossings. "
        "Berlin-based CRW said 43 people had drowned."
    )
    [claim] = extract(text, published="2024-03-02")
    assert claim.source == "Coastal Rescue Watch"


def test_extract_they_refers_back_to_an_organisation() -> None:
    text = (
        "Estmark Rights Monitor published its tally on Monday. "
        "They said 120 protesters had been arrested in the capital."
    )
    [claim] = extract(text, published="2024-03-02")
    assert claim.source == "Estmark Rights Monitor"


def test_extract_a_report_is_its_issuer_s() -> None:
    text = "Dozens killed, according to UN report | Image: Kappa\n\nThe report said 75 people were killed in May."
    claims = [c for c in extract(text, published="2024-06-02") if c.figure == "75"]
    assert claims and claims[0].source == "UN"


def test_extract_according_to_a_source_that_refers_to_another() -> None:
    [claim] = extract(
        "According to the regional office, which refers to the Coastal Red Cross, 3,100 people are missing.",
        published="2024-03-02",
    )
    assert claim.source == "Coastal Red Cross" and "relay" in " ".join(claim.rules)


def test_extract_according_to_an_outlet_citing_a_ministry() -> None:
    [claim] = extract("According to Kappa News, citing the Health Ministry, 45 people died.", published="2024-03-02")
    assert claim.source == "Health Ministry" and claim.via == "Kappa News"


def test_extract_the_un_stands_for_the_one_un_agency_the_text_names() -> None:
    text = (
        "More than 20,000 people have fled their homes this month, the United Nations said on Friday. "
        "The UN refugee agency said shelters in the south were full."
    )
    claims = extract(text, published="2024-03-02")
    assert claims[0].source == "UNHCR"


def test_extract_un_agencies_are_the_agencies_the_text_names() -> None:
    text = (
        "At least 300 people are missing after the ferry sank, according to UN agencies. "
        "A joint statement by the World Health Organization and UNICEF called for a search."
    )
    claims = extract(text, published="2024-03-02")
    assert claims[0].source == "WHO and UNICEF"


def test_extract_the_un_stays_the_un_when_the_text_names_several_agencies() -> None:
    text = "The UN said 5,000 people were displaced. UNICEF and the World Food Programme sent supplies."
    claims = extract(text, published="2024-03-02")
    assert claims[0].source == "UN"


def test_extract_he_refers_to_the_titled_person_just_introduced() -> None:
    text = (
        "The clinic's director, Ana Ruiz Vidal, asked for help. He did not. "
        "She said that at least 46 patients had died since Monday."
    )
    claims = extract(text, published="2024-03-02")
    assert claims[0].source == "Ana Ruiz Vidal"


def test_a_prepared_batch_reads_the_same_as_one_sentence_at_a_time(reader: SpeechReader) -> None:
    sentences = [
        "BRAVILLE — The port authority said on Monday that 14 crew members were missing.",
        "According to Kappa News, citing the Health Ministry, 45 people died.",
    ]
    alone = [speech(reader, s, f) for s, f in zip(sentences, ["14", "45"], strict=True)]
    reader.prepare(sentences)
    batched = [speech(reader, s, f) for s, f in zip(sentences, ["14", "45"], strict=True)]
    assert batched == alone
    assert batched[0] is not None and batched[0].source_text.lower() == "the port authority"


def test_extract_parses_only_what_one_plain_frame_does_not_settle() -> None:
    from crosscount.extract import Extractor

    extractor = Extractor()
    extractor.extract("According to the Port Authority, 14 crew members were missing.", published="2024-03-02")
    assert extractor.sentences_to_model == 0  # "X said N": the rules settle it
    extractor.extract("Kappa News, citing the port authority, said 14 crew members were missing.")
    assert extractor.sentences_to_model == 1  # a relay: the parse reads it


def test_extract_as_reported_by_on_the_figure_s_noun_phrase() -> None:
    claims = extract(
        "Rebels say the dead include 900 fighters, and not 2,000 civilians killed as reported by the Health Ministry.",
        published="2024-03-02",
    )
    found = {c.figure: c.source for c in claims}
    assert found["2,000"] == "Health Ministry"
    assert found["900"] == "Rebels"  # the other conjunct keeps the sentence's speaker


def test_extract_whoever_raises_a_toll_reports_it_but_an_event_does_not() -> None:
    [raised] = extract("Subsequently, Lorn County raised the confirmed death toll to 64.", published="2024-03-02")
    assert raised.source == "Lorn County"
    claims = extract("The storm surge further increased the death toll from 40 to 52.", published="2024-03-02")
    assert claims and all(c.source is None for c in claims)


def test_extract_a_description_beside_a_name_lets_a_later_description_find_it() -> None:
    text = (
        "The toll rose to 88, according to the local newspaper Kappa Daily. "
        "Police detained 400 people on Friday, said the newspaper."
    )
    found = {c.figure: c.source for c in extract(text, published="2024-03-02")}
    assert found["400"] == "Kappa Daily"


def test_extract_a_spokesman_with_no_organisation_named_speaks_for_the_one_the_text_is_about() -> None:
    text = (
        "The Northern Relief Federation said it was alarmed by the fighting. "
        '"More than 12,000 people have fled this week," spokesman Leo Marsh Tan told reporters.'
    )
    claims = extract(text, published="2024-03-02")
    assert claims and claims[0].source == "Northern Relief Federation"


def test_extract_the_figure_of_n_as_stated_by_x() -> None:
    claims = extract(
        "Two lawmakers said the figure of 1,750 deaths, as stated by the Health Ministry, was inflated.",
        published="2024-03-02",
    )
    assert claims and claims[0].source == "Health Ministry"


def test_a_phrase_with_a_clause_in_it_is_not_part_of_the_speaker_s_name(reader: SpeechReader) -> None:
    s = speech(
        reader,
        "Survivors of a ferry that sank off southern Italy in one of the region's worst maritime disasters "
        "say as many as 60 children may have been aboard.",
        "60",
    )
    assert s is not None and s.source_text == "Survivors"


def test_extract_an_addition_to_the_previous_figure_keeps_its_source() -> None:
    text = (
        "Lorn County officials said the death toll from the fire was now 36. "
        "In addition, dozens more were injured."
    )
    found = {c.figure: c for c in extract(text, published="2024-03-02")}
    assert found["dozens"].source == found["36"].source == "Lorn County officials"


def test_a_country_that_confirms_is_not_an_ngo_named_after_it() -> None:
    text = (
        "The rights group Iran Human Rights said it had counted 210 deaths in the crackdown.\n\n"
        "Iran has confirmed that 24 members of the security forces have been killed in the unrest."
    )
    by_figure = {c.figure: c.source for c in extract(text, published="2025-03-12")}
    assert by_figure["210"] == "Iran Human Rights"
    assert by_figure["24"] == "Iran"


def test_a_country_that_reports_is_its_agency_named_nearby() -> None:
    text = (
        "South Korea's spy agency briefed lawmakers on the deployment on Monday.\n\n"
        "Three days later South Korea said 640 North Korean soldiers were dead or injured."
    )
    assert [c.source for c in extract(text, published="2025-03-12")] == ["South Korea NIS"]


def test_citing_unnamed_reports_leaves_the_figure_with_who_compiled_it() -> None:
    text = "About 300 deaths were reported in the first week, the U.N. rights office said, citing media reports."
    assert [c.source for c in extract(text, published="2025-03-12")] == ["UN Human Rights Office"]
    named = "About 300 deaths were reported in the first week, the broadcaster said, citing the Red Cross."
    assert [c.source for c in extract(named, published="2025-03-12")] == ["Red Cross"]


def test_a_generic_description_refers_back_to_the_organisation_named_before() -> None:
    text = (
        "The Norland Relief Federation published its preliminary report on Monday.\n\n"
        "According to the report by the apex relief body, around 400 people were killed in the first week."
    )
    assert [c.source for c in extract(text, published="2025-03-12")] == ["Norland Relief Federation"]


def test_a_figure_in_a_clause_of_time_is_background_not_what_the_verb_reports(reader: SpeechReader) -> None:
    s = speech(
        reader,
        "A week after the storm that hit the coast killed nearly 800 people, survivors find themselves homeless.",
        "800",
    )
    assert s is None
    s = speech(reader, "Officials said on Friday that 800 people had died after the storm hit the coast.", "800")
    assert s is not None and s.source_text == "Officials"


def test_the_next_sentence_may_name_whom_the_speaker_relayed() -> None:
    text = (
        "Earlier, the Norland Relief Office said at least 4,200 people were dead in the port city. "
        "The relief body cited the Norland Red Crescent with the figures.\n\n"
        "The ministry said 300 were missing. Officials later visited the port."
    )
    got = {c.figure: (c.source, c.via) for c in extract(text, published="2025-03-12")}
    assert got["at least 4,200"] == ("Norland Red Crescent", "Norland Relief Office")
    assert got["300"][1] is None  # a next sentence that relays nothing changes nothing


def test_the_un_is_its_one_agency_the_text_named_before_even_written_with_stops() -> None:
    text = (
        "The U.N. Human Rights Office put the Ruritanian crackdown's dead at 610 in a new paper.\n\n"
        "Roughly 370 of those deaths came in the first three weeks, the U.N. said.\n\n"
        "As per a UNHCR note, 30 people fled to the border."
    )
    got = {c.figure: c.source for c in extract(text, published="2024-08-16")}
    assert got["Roughly 370"] == "UN Human Rights Office"  # UNHCR is named too, but only after it


def test_unowned_estimates_are_their_own_source_not_a_capitalised_adjective() -> None:
    for text in (
        "Independent estimates put the number of dead above 260.",
        "The number of dead may be above 260, independent estimates suggest.",
    ):
        assert [c.source for c in extract(text, published="2024-08-16")] == ["independent estimates"]
    assert [c.source for c in extract("ISW estimates put the toll at 300.", published="2024-08-16")] == [
        "Institute for the Study of War"
    ]


def test_a_capital_that_speaks_is_its_government() -> None:
    text = "A rebel envoy said 410 died. The 1,650 dead claimed by Kinshasa are invented, he told a radio station."
    got = {c.figure: c.source for c in extract(text, published="2025-05-30")}
    assert got["1,650"] == "Congolese government"
    assert [c.source for c in extract("Iran said 40 people died.", published="2025-05-30")] == ["Iran"]


def test_a_name_with_a_describing_group_noun_is_the_name() -> None:
    text = "The Northern Front rebel group announced on its channel that 318 fighters had died."
    assert [c.source for c in extract(text, published="2025-05-30")] == ["Northern Front"]


def test_a_bare_organ_of_state_is_the_documents_country() -> None:
    text = (
        "Fighting between Kenyan troops and rebels spread across Kenya this week.\n\n"
        "More than 2,000 people have been buried, the government spokesman said."
    )
    assert [c.source for c in extract(text, published="2025-05-30")] == ["Kenyan government"]
    placed = "Authorities in Butte County published a list of 300 people still missing in Kenya and Kenya."
    assert [c.source for c in extract(placed, published="2025-05-30")] != ["Kenyan authorities"]


def test_the_next_sentence_may_name_who_gave_the_figures_of_one_measure() -> None:
    text = (
        "Some 470 residents have died and 2,600 are thought to be missing since the cyclone.\n\n"
        "Jane Roe, head of the ICRC team in Norland, gave the numbers of missing people to reporters."
    )
    got = {c.figure: (c.measure, c.source) for c in extract(text, published="2025-03-12")}
    assert got["2,600"] == ("missing", "ICRC")
    assert got["Some 470"] == ("killed", None)  # the missing only: the dead stay in the outlet's voice


def test_an_official_count_is_the_authorities_of_the_country_whoever_passes_it_on() -> None:
    text = (
        "Protests spread across Kenya this week as Kenyan police fired on crowds in Kenya's capital.\n\n"
        "By nightfall the official death toll stood at 23, according to local media."
    )
    got = [(c.source, c.via) for c in extract(text, published="2025-03-12")]
    assert got == [("Kenyan authorities", "local media")]
    flood = "Floods hit Kenya. Some 1,208 people died, by the government count published on Sunday."
    assert [c.source for c in extract(flood, published="2025-03-12")] == ["Kenyan authorities"]


def test_a_quantifier_alone_is_never_a_source() -> None:
    text = "Jane Roe, head of the mission, and John Doe, the rights chief, both spoke of almost 3,000 deaths."
    assert [c.source for c in extract(text, published="2025-02-07")] == [None]


def test_a_description_whose_head_every_such_body_has_in_its_name_is_not_the_last_body_named() -> None:
    from crosscount import extract

    text = "County police said 41 people died.\n\nThe ministry said 300 people were killed."
    got = {c.figure: c.source for c in extract(text, published="2025-03-12", doc="t")}
    assert got["41"] == "County police" and got["300"] != "County police"
    text = "The Ministry of Health said 41 people died.\n\nThe ministry said 300 people were killed."
    got = {c.figure: c.source for c in extract(text, published="2025-03-12", doc="t")}
    assert got["300"] == got["41"]
