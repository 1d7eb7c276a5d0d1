"""The extractor on sentences written for these tests: each mechanism, each attribution pattern."""

from __future__ import annotations

import pytest

from crosscount import extract
from crosscount.models import Claim
from crosscount.resolve import fold


def only(text: str, published: str | None = "2025-03-12", **expected: object) -> Claim:
    claims = extract(text, published=published, doc="t")
    assert len(claims) == 1, [c.figure for c in claims]
    claim = claims[0]
    for name, value in expected.items():
        assert getattr(claim, name) == value, (name, getattr(claim, name), claim.rules)
    return claim


def by_figure(text: str, published: str | None = "2025-03-12") -> dict[str, Claim]:
    return {c.figure: c for c in extract(text, published=published, doc="t")}


# ---- figures and what they count ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "figure", "measure", "low", "high"),
    [
        ("Rebels killed 14 villagers in the raid, the governor said.", "14", "killed", 14, 14),
        ("About 250 Ethiopian soldiers were wounded, the ministry said.", "About 250", "wounded", 250, 250),
        ("The army said 40 Rwandan fighters had been captured.", "40", "captured", 40, 40),
        ("Some 3,000 Syrian troops have deserted, the monitor said.", "Some 3,000", "deserted", 3000, 3000),
        (
            "The UN says 1.2 million Sudanese civilians have been displaced.",
            "1.2 million",
            "displaced",
            1_200_000,
            1_200_000,
        ),
        ("Police arrested dozens of protesters on Friday, officials said.", "dozens", "arrested", 24, 99),
        ("Poland has deployed 2,000 soldiers to the border, the minister said.", "2,000", "deployed", 2000, 2000),
        (
            "At least 12 Ukrainian soldiers were killed or wounded, the general staff said.",
            "At least 12",
            "casualties",
            12,
            None,
        ),
        (
            "Between 900 and 1,100 Iraqi troops are missing, the ministry said.",
            "Between 900 and 1,100",
            "missing",
            900,
            1100,
        ),
    ],
)
def test_extract_measure_from_cue_words(
    sentence: str, figure: str, measure: str, low: float, high: float | None
) -> None:
    only(sentence, figure=figure, measure=measure, low=low, high=high)


def test_extract_rate_per_day_and_per_month_converted() -> None:
    only("The monitor said Russian forces lose about 1,100 soldiers a day.", unit="persons_per_day", low=1100)
    only("The ministry said the army loses 1,200 Russian soldiers each month.", unit="persons_per_day", low=40, high=40)


def test_extract_share_of_a_force_is_a_percent() -> None:
    c = only("The officials said a quarter of the Chadian contingent had been killed or wounded.")
    assert (c.unit, c.low, c.measure, c.subject) == ("percent", 25, "casualties", "Chadian forces")


def test_extract_projection_with_target_date() -> None:
    c = only("The analysts said the whole force of 5,000 Malian troops could be killed or wounded by mid-June 2025.")
    assert (c.kind, c.as_of, c.measure) == ("projection", "2025-06", "casualties")


def test_extract_derived_share_in_the_outlets_voice() -> None:
    claims = by_figure(
        "Officials said 2,000 Syrian soldiers were killed. That toll represents 20% of the deployed force."
    )
    share = claims["20%"]
    assert (share.kind, share.source, share.measure) == ("derived", None, "killed")


@pytest.mark.parametrize(
    "sentence",
    [
        "The war began in 2022 and the truce lasted 12 weeks.",
        "The strikes cost $5 million and damaged 30 km of road.",
        "Russian forces seized 300 square kilometres and 40 tanks.",
        "The 84th Brigade moved north on March 3.",
        "Follow us on Telegram for 24/7 updates.",
    ],
)
def test_extract_ignores_things_that_are_not_people(sentence: str) -> None:
    assert extract(sentence, published="2025-03-12") == []


def test_extract_headline_repeat_is_not_a_second_claim() -> None:
    text = (
        "300 Somali Soldiers Killed In Ambush, Army Says\n\n"
        "About 300 Somali soldiers were killed in an ambush near the border, the army said on Monday.\n"
    )
    claims = extract(text, published="2025-03-12", doc="t")
    assert [c.figure for c in claims] == ["About 300"]


# ---- who says it -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        (
            "Some 45 Syrian soldiers died in the ambush, according to the Syrian Observatory for Human Rights.",
            "Syrian Observatory for Human Rights",
        ),
        ("Defence Minister Ivan Petrov said 120 Georgian soldiers were wounded.", "Ivan Petrov"),
        ("Sixty Malian soldiers were killed in the attack, the Malian army said.", "Malian army"),
        ("Eighteen Colombian soldiers were captured, said a senior military official in Bogota.", "Colombian official"),
        ("At least 70 Haitian civilians were killed, according to unnamed Western diplomats.", "Western diplomats"),
        ("Unnamed American officials told Reuters that 200 Iranian fighters were killed.", "US officials"),
    ],
)
def test_extract_attribution_patterns(sentence: str, source: str) -> None:
    claims = extract(sentence, published="2025-03-12")
    assert claims and claims[0].source == source, [(c.figure, c.source, c.rules) for c in claims]


def test_extract_citing_makes_the_outlet_an_intermediary() -> None:
    c = only("The BBC reported on Tuesday, citing unnamed Western officials, that 500 Belarusian soldiers were killed.")
    assert (c.source, c.via) == ("Western officials", "BBC")


def test_extract_told_makes_the_listener_an_intermediary() -> None:
    c = only("Western sources, speaking anonymously, told the BBC that 500 Belarusian soldiers had died.")
    assert (c.source, c.via) == ("Western officials", "BBC")


def test_extract_pronoun_refers_back_to_the_agency() -> None:
    text = (
        "The Lebanese Health Ministry issued new figures on Sunday. It said 37 Lebanese civilians had been "
        "killed and 150 wounded."
    )
    claims = by_figure(text)
    assert claims["37"].source == "Lebanese Health Ministry"
    assert claims["150"].source == "Lebanese Health Ministry"
    assert claims["150"].measure == "wounded"


def test_extract_relative_pronoun_refers_to_its_antecedent() -> None:
    c = only("That is far above the estimate of Poland's defence ministry, which claimed 90 Belarusian soldiers died.")
    assert c.source is not None and fold(c.source) == "poland defence ministry"


def test_extract_passive_hedge_has_no_source_but_agent_does() -> None:
    only("Iran is said to have sent 3,000 Iranian fighters to Syria.", source=None)
    only("The toll is estimated by the Red Crescent at 80 Yemeni civilians killed.", source="Red Crescent")


def test_extract_quote_speaker_carries_into_the_quote() -> None:
    c = only("“We have lost 46 Georgian soldiers this week,” the defence minister said.")
    assert c.source == "Georgian defence minister"


def test_extract_alias_defined_in_the_text() -> None:
    text = (
        "The Armed Forces Monitoring Group (AFMG) published a report on Monday. "
        "According to the AFMG, 310 Ethiopian soldiers were killed in February."
    )
    claims = extract(text, published="2025-03-12")
    assert claims[0].source == "Armed Forces Monitoring Group"


def test_extract_unresolved_description_is_unnamed() -> None:
    only("As the newspaper reports, 800 Yemeni fighters were sent to the front.", source="unnamed newspaper")


def test_extract_headline_officials_say() -> None:
    text = "40 Chadian Soldiers Killed In Raid, Officials Say\n\nThe raid happened at dawn.\n"
    claims = extract(text, published="2025-03-12")
    assert claims and claims[0].source == "officials"


# ---- when it holds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "as_of"),
    [
        ("As of March 3, 90 Nigerian soldiers had been killed, the army said.", "2025-03-03"),
        ("In early February, the army said 90 Nigerian soldiers had been killed.", "2025-02"),
        ("The army said on Monday that 90 Nigerian soldiers had been killed.", "2025-03-10"),
        ("The army said last fall that 90 Nigerian soldiers had been killed.", "2024"),
        ("The army said this week that 90 Nigerian soldiers had been killed to date.", "2025-03"),
        ("Since early January, 90 Nigerian soldiers have been killed, the army said.", None),
        ("The army said 90 Nigerian soldiers had been killed.", None),
    ],
)
def test_extract_as_of_from_the_text(sentence: str, as_of: str | None) -> None:
    only(sentence, published="2025-03-12", as_of=as_of)


def test_extract_paragraph_opening_date_frames_the_next_sentence() -> None:
    text = (
        "In late January, the Kenyan army announced a new offensive. In addition, officials said 25 "
        "Somali fighters were killed."
    )
    claims = extract(text, published="2025-03-12")
    assert claims[0].as_of == "2025-01"


def test_extract_without_published_date_uses_corroborated_dates_in_text() -> None:
    text = (
        "In early January 2025, officials said 50 Nigerian soldiers had been killed since December 2024. "
        "As of Jan. 20, 70 Nigerian soldiers had been killed, the army said."
    )
    claims = by_figure(text, published=None)
    assert claims["70"].as_of == "2025-01-20"


# ---- whose people ------------------------------------------------------------------------


def test_extract_subject_from_pronoun_and_agent() -> None:
    claims = by_figure(
        "Ethiopian casualties keep rising, with nearly half of them killed, the general said. "
        "Eritrea has lost 4,000 soldiers, he added."
    )
    assert claims["nearly half"].subject == "Ethiopian forces"
    assert claims["4,000"].subject == "Eritrean forces"


def test_extract_civilians_and_people_as_written() -> None:
    claims = by_figure("The agency said 12 civilians and 30 people were killed in Gaza.")
    assert claims["12"].subject == "civilians"
    assert claims["30"].subject == "people"
    assert claims["30"].location == "Gaza"


def test_extract_hostages_are_captured() -> None:
    c = only("Around 110 hostages remain in Gaza, according to Israeli officials.")
    assert (c.measure, c.subject, c.source, c.location) == ("captured", "hostages", "Israeli officials", "Gaza")


def test_extract_population_is_not_a_claim() -> None:
    claims = extract(
        "The offensive has displaced most of the region's population of 2.3 million.", published="2025-03-12"
    )
    assert claims == []


def test_extract_post_frame_with_possessive_and_place_qualified_agency() -> None:
    c = only("More than 400 Palestinians were killed in Gaza, the territory's Health Ministry said.")
    assert c.source == "Gaza Health Ministry"


def test_extract_description_refers_to_the_mention_with_the_same_noun() -> None:
    text = (
        "The Chadian Health Ministry said 30 Chadian civilians were killed. The army said it killed 12 rebels. "
        "The ministry later said 45 Chadian civilians had been wounded."
    )
    claims = by_figure(text)
    assert claims["45"].source == "Chadian Health Ministry"


def test_extract_speaker_is_not_the_subject_of_what_it_reports() -> None:
    c = only("The Israeli military said it killed 19 militants in the raid.")
    assert (c.subject, c.source) == ("militants", "Israel Defense Forces")


def test_extract_first_person_quote_belongs_to_the_speaker_after_it() -> None:
    c = only('"We have counted 97 injured Chilean miners so far," a spokesman for the mine rescue service told AFP.')
    assert (c.source, c.via, c.measure) == ("mine rescue service", None, "wounded")


def test_extract_the_army_of_the_story() -> None:
    c = only("Some 5,000 Moroccan troops have been deployed to the area, the army said.")
    assert c.source == "Moroccan army"


def test_extract_post_frame_with_an_article() -> None:
    c = only("Police detained 14 Kenyan protesters overnight, a police source said.")
    assert (c.source, c.measure) == ("police source", "arrested")


def test_extract_homeless_are_displaced_and_a_toll_forecast_is_a_projection() -> None:
    claims = by_figure("The quake left about 30,000 Nepalese homeless. Officials warned the toll could climb to 3,000.")
    assert claims["about 30,000"].measure == "displaced"
    assert (claims["3,000"].measure, claims["3,000"].kind) == ("killed", "projection")


def test_extract_disaster_toll_counts_people_not_forces() -> None:
    c = only("The death toll from the earthquake in Nepal has risen to 2,012, the Home Ministry said.")
    assert (c.subject, c.measure, c.location) == ("people", "killed", "Nepal")


def test_extract_rate_after_a_participle_and_a_possessive_sufferer() -> None:
    claims = by_figure(
        "Russia is losing roughly 1,200 soldiers killed or wounded every day, a senior U.S. defense "
        "official told reporters. The official said Moscow's total losses now exceed 600,000."
    )
    assert (claims["roughly 1,200"].unit, claims["roughly 1,200"].source) == ("persons_per_day", "US official")
    total = claims["exceed 600,000"]  # the bound verb is part of the figure: at least 600,000
    assert (total.subject, total.source, total.low, total.high) == ("Russian forces", "US official", 600000, None)


def test_extract_sentence_final_estimate_names_the_source() -> None:
    text = (
        "Some 40,000 Russian troops have massed near the border. "
        "Up to 15 percent of them are conscripts, analysts estimate."
    )
    assert by_figure(text)["Up to 15 percent"].source == "analysts"


def test_extract_others_and_bare_casualty_nouns() -> None:
    claims = by_figure(
        "A car bomb killed three people and wounded 15 others, police said. At least 12 dead, witnesses said."
    )
    assert (claims["15"].subject, claims["15"].measure) == ("people", "wounded")
    assert (claims["At least 12"].subject, claims["At least 12"].source) == ("people", "witnesses")


def test_extract_sentence_case_headline_and_lowercase_agency() -> None:
    text = (
        "Flooding kills dozens in the east\n"
        # 120, not a figure "dozens" rounds: a headline figure the body repeats is dropped (filters.py)
        "At least 120 Spanish civilians have been killed in floods, the regional emergency service said on Wednesday.\n"
        "Dozens more are missing, officials said.\n"
    )
    claims = extract(text, published="2024-10-31", doc="t")
    assert [(c.figure, c.measure) for c in claims] == [
        ("dozens", "killed"),
        ("At least 120", "killed"),
        ("Dozens", "missing"),
    ]
    assert claims[1].source == "regional emergency service" and claims[1].as_of == "2024-10-30"
    assert claims[0].sentence == "Flooding kills dozens in the east"


@pytest.mark.parametrize(
    "sentence",
    [
        "The landslide buried 40 villagers and two Egyptians.",
        "The border town now hosts 1 million Venezuelans.",
        "Among the missing are eleven Armenians.",
    ],
)
def test_extract_a_nationality_ending_the_sentence_is_no_crash(sentence: str) -> None:
    import crosscount

    for claim in crosscount.extract(sentence, published="2024-03-04"):
        assert claim.low is None or claim.low >= 1


def test_a_role_participle_after_the_noun_yields_to_the_clause_verb() -> None:
    """ "deployed with the mission" says who they were; "had been killed" what happened to them."""
    got = {c.figure: c.measure for c in extract("The ministry said five of its soldiers deployed with the regional "
                                                "force had been killed in the fighting.", published="2025-03-12")}
    assert got == {"five": "killed"}
    got = {c.figure: c.measure for c in extract("Two Nigerians deployed with the mission and six others in the "
                                                "allied force were killed over two days, the army said.",
                                                published="2025-03-12")}
    assert got == {"Two": "killed", "six": "killed"}


def test_two_clauses_keep_their_own_verbs() -> None:
    got = {c.figure: c.measure for c in extract("At least 41 migrants drowned on Tuesday and hundreds more were "
                                                "missing after the boat sank.", published="2025-03-12")}
    assert got == {"At least 41": "killed", "hundreds": "missing"}


def test_a_weak_cue_right_at_the_figure_beats_the_previous_figures_measure() -> None:
    text = "At least 30 people drowned when a trawler carrying dozens of migrants went down off the cape."
    got = {c.figure: c.measure for c in extract(text, published="2025-03-12")}
    assert got == {"At least 30": "killed", "dozens": "other"}
    # not adjacent: the previous figure's measure still carries ("and 12 more")
    got = {c.figure: c.measure for c in extract("Rescuers said 40 people died and 12 more in the next town.",
                                                published="2025-03-12")}
    assert got == {"40": "killed", "12": "killed"}


def test_people_on_a_vehicle_are_on_board() -> None:
    got = {c.figure: c.measure for c in extract("At least 120 Kenyans were on an overloaded boat that sank off "
                                                "the cape, the minister said.", published="2025-03-12")}
    assert got == {"At least 120": "other"}
    got = {c.figure: c.measure for c in extract("Kenya says 80 nationals were on boat that sank",
                                                published="2025-03-12")}
    assert got == {"80": "other"}
    # a vehicle named after a date is not where the people were
    got = {c.figure: c.measure for c in extract("At least 30 people died on Tuesday after the bus overturned.",
                                                published="2025-03-12")}
    assert got == {"At least 30": "killed"}


def test_each_coordinated_clause_keeps_its_own_verb() -> None:
    got = {c.figure: c.measure for c in extract("At least 900 people have died and 4,000 are believed missing.",
                                                published="2025-03-12")}
    assert got == {"At least 900": "killed", "4,000": "missing"}


def test_the_first_data_row_counts_what_the_sentence_before_the_lead_in_counted_first() -> None:
    text = (
        "At least 1,100 people have died and 6,200 were injured, the agency said.\n"
        "The agency disclosed in a statement:\n"
        "Northport: 191\n"
        "Eastvale: 200\n"
    )
    got = {c.figure: c.measure for c in extract(text, published="2025-03-12")}
    assert got == {"At least 1,100": "killed", "6,200": "wounded", "191": "killed", "200": "killed"}


def test_put_it_between_refers_to_the_count_spoken_of_before() -> None:
    text = (
        "Accounts of the number of missing vary. The governor said 1,000 people remained unaccounted for. "
        "An adviser put it between 500 and 800."
    )
    got = {c.figure: c.measure for c in extract(text, published="2025-03-12")}
    assert got == {"1,000": "missing", "between 500 and 800": "missing"}


def test_a_place_after_all_of_or_the_whole_of_is_the_figures_place() -> None:
    text = (
        "The agency has reported a death toll of nearly 3,000 in all of Chile.\n\n"
        "Rescuers said 640 people were killed across the whole of Peru."
    )
    got = {c.figure: c.location for c in extract(text, published="2025-03-12", doc="t")}
    assert got == {"nearly 3,000": "Chile", "640": "Peru"}


def test_a_place_after_neighbouring_or_rebel_held_is_the_figures_place() -> None:
    text = "Almost 900 deaths have been confirmed in neighbouring Peru, the health office said."
    assert [c.location for c in extract(text, published="2025-03-12", doc="t")] == ["Peru"]


def test_each_figure_of_a_list_by_place_takes_the_place_of_its_own_phrase() -> None:
    text = (
        "The storm killed 212 people in the province of Cusco, 96 in the province of Puno and 14 in Lima, "
        "the ministry said."
    )
    got = {c.figure: c.location for c in extract(text, published="2025-03-12", doc="t")}
    assert got == {"212": "Cusco", "96": "Puno", "14": "Lima"}


def test_a_name_the_text_calls_a_province_or_a_town_is_a_place_though_no_gazetteer_knows_it() -> None:
    text = "The flood killed 57 people in the province of Upper Varnak, the ministry said."
    assert [c.location for c in extract(text, published="2025-03-12", doc="t")] == ["Upper Varnak"]
