"""The extractor's filters: each exclusion pinned on sentences written for these tests, and what must stay."""

from __future__ import annotations

from crosscount.extract import Extractor
from crosscount.filters import Layout, apply_filters
from crosscount.models import Claim


def claim(
    text: str,
    figure: str,
    *,
    nth: int = 0,
    low: float | None = None,
    high: float | None = None,
    qualifier: str = "exact",
    measure: str = "killed",
    subject: str | None = "people",
    unit: str = "persons",
    rules: tuple[str, ...] = ("body",),
) -> Claim:
    """A claim on the nth occurrence of ``figure`` in ``text``; its value read from the digits unless given."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(figure, start + 1)
    if low is None and high is None and qualifier in ("exact", "approx"):
        digits = "".join(ch for ch in figure if ch.isdigit() or ch == ".")
        low = high = float(digits)
    return Claim(
        doc="t", start=start, end=start + len(figure), figure=figure, low=low, high=high, qualifier=qualifier,
        unit=unit, measure=measure, subject=subject, location=None, source=None, as_of=None, kind="report",
        rules=rules,
    )


def verdicts(text: str, claims: list[Claim], **layout: object) -> dict[str, str | None]:
    """figure (with its start) -> the rule that dropped it, or None when kept."""
    result = apply_filters(claims, Layout(text, **layout))  # type: ignore[arg-type]
    out: dict[str, str | None] = {f"{c.figure}@{c.start}": None for c in result.kept}
    out.update({f"{d.claim.figure}@{d.claim.start}": d.rule for d in result.dropped})
    return out


def rule_of(text: str, c: Claim, **layout: object) -> str | None:
    return verdicts(text, [c], **layout)[f"{c.figure}@{c.start}"]


# ---------------------------------------------------------------------- related links


def test_a_related_cue_line_and_the_headlines_listed_under_it_are_links() -> None:
    text = (
        "Floods in the valley have killed 40 people, the governor said on Monday.\n\n"
        "Related\n"
        "Landslide kills 12 in mountain village\n"
        "Rescuers search for 30 missing after bridge collapse\n\n"
        "The governor said 200 homes were destroyed and 15 people were still missing."
    )
    claims = [
        claim(text, "40"),
        claim(text, "12"),
        claim(text, "30", measure="missing"),
        claim(text, "15", measure="missing"),
    ]
    got = verdicts(text, claims)
    assert got[f"40@{claims[0].start}"] is None
    assert got[f"12@{claims[1].start}"] == "noise:related_link"
    assert got[f"30@{claims[2].start}"] == "noise:related_link"
    assert got[f"15@{claims[3].start}"] is None  # prose after the list is the story again


def test_a_cue_with_its_link_on_the_same_line_is_a_link() -> None:
    for cue in ("READ MORE:", "Also read:", "Read also -", "See also |"):
        text = f"Officials said 40 people died in the storm.\n{cue} Storm leaves 9 dead in the north\nMore text."
        assert rule_of(text, claim(text, "9")) == "noise:related_link", cue
        assert rule_of(text, claim(text, "40")) is None


def test_prose_after_a_bare_cue_is_not_a_link() -> None:
    text = "Recommended\n\nAt least 204 people have now died in the unrest, according to a regional daily."
    assert rule_of(text, claim(text, "204")) is None


def test_a_word_like_more_at_the_start_of_a_sentence_is_no_cue() -> None:
    text = "The storm hit on Monday.\nMore than 300 people were killed, officials said on Tuesday."
    c = claim(text, "More than 300", low=300, high=None, qualifier="at_least")
    assert rule_of(text, c) is None


def test_a_headline_inside_the_body_that_the_body_does_not_repeat_is_another_articles() -> None:
    text = (
        "Quake death toll climbs to 820\n\n"
        "The earthquake killed 820 people, more than a third of them in the mountains, the ministry said.\n\n"
        "Leaders send condolences as tremor kills more than 600 people\n\n"
        "Rescue teams worked through the night in the villages, the ministry added."
    )
    inner = claim(text, "more than 600", low=600, high=None, qualifier="at_least", rules=("heading",))
    assert rule_of(text, inner) == "noise:related_link"


def test_a_data_row_inside_the_body_is_no_headline() -> None:
    text = (
        "The agency gave the toll by province in a statement on Monday evening.\n\n"
        "Hatay: 250\nAdana: 43\n\nThese numbers are the first information received."
    )
    assert rule_of(text, claim(text, "250", rules=("heading",))) is None


# ---------------------------------------------------------------------- headline repeats


def test_a_headline_figure_the_body_repeats_rounded_is_dropped() -> None:
    text = (
        "Flood death toll rises above 45,000\n\n"
        "The disaster agency said on Wednesday that the death toll has risen to 45,089 across the region."
    )
    head = claim(text, "above 45,000", low=45000, high=None, qualifier="at_least", rules=("heading",))
    body = claim(text, "45,089")
    got = verdicts(text, [head, body])
    assert got[f"above 45,000@{head.start}"] == "noise:headline_repeat"
    assert got[f"45,089@{body.start}"] is None


def test_a_vague_headline_figure_repeated_by_a_body_count_is_dropped() -> None:
    text = "Search goes on for hundreds of missing people\n\nThe county said 385 people remain unaccounted for."
    head = claim(text, "hundreds", low=200, high=999, qualifier="vague", measure="missing", rules=("heading",))
    body = claim(text, "385", measure="missing")
    assert verdicts(text, [head, body])[f"hundreds@{head.start}"] == "noise:headline_repeat"


def test_a_headline_figure_only_the_headline_has_is_kept() -> None:
    text = (
        "Storm toll passes 15,000\n\n"
        "The storm and its floods struck the coast on Monday, and 40 bridges were swept away by the water."
    )
    head = claim(text, "15,000", rules=("heading",))
    assert rule_of(text, head) is None


def test_a_headline_figure_far_from_the_body_figure_is_kept() -> None:
    text = "Quake kills more than 600 people\n\nThe interior ministry said on Saturday that 820 people died."
    head = claim(text, "more than 600", low=600, high=None, qualifier="at_least", rules=("heading",))
    assert verdicts(text, [head, claim(text, "820")])[f"more than 600@{head.start}"] is None


def test_a_title_line_glued_to_the_first_paragraph_is_still_the_headline() -> None:
    text = "At least 92 dead in port riots\nAt least 92 people died in three days of riots, a monitoring group said."
    head = claim(text, "At least 92", low=92, high=None, qualifier="at_least")
    body = claim(text, "At least 92", nth=1, low=92, high=None, qualifier="at_least")
    got = verdicts(text, [head, body])
    assert got[f"At least 92@{head.start}"] == "noise:headline_repeat"
    assert got[f"At least 92@{body.start}"] is None


def test_a_subtitle_figure_a_later_paragraph_repeats_is_dropped_whatever_its_qualifier() -> None:
    text = (
        "Curfew goes on\n\n"
        "Toll from the unrest rises to 204.\n\n"
        "By Sunday at least 204 people had died in the unrest, the daily reported."
    )
    sub = claim(text, "204", rules=("body", "lead_repeat_candidate"))
    later = claim(text, "at least 204", low=204, high=None, qualifier="at_least")
    layout = {"subtitle_paragraph": 1, "paragraph_of": {(sub.start, sub.end): 1, (later.start, later.end): 2}}
    assert verdicts(text, [sub, later], **layout)[f"204@{sub.start}"] == "noise:headline_repeat"


def test_a_lead_paragraph_under_the_headline_is_body_text_and_keeps_its_figure() -> None:
    # a deck is one short line; a long lead paragraph is the story's first body paragraph (ANNOTATION.md)
    text = (
        "Storm toll climbs\n\n"
        "Rescue crews working through the night in the flooded river valley said on Sunday that at least 61 "
        "people had been killed since the storm made landfall, with many villages still cut off.\n\n"
        "The provincial governor later confirmed that 61 people had died."
    )
    lead = claim(text, "at least 61", low=61, high=None, qualifier="at_least", rules=("body", "lead_repeat_candidate"))
    later = claim(text, "61", nth=1)
    layout = {"subtitle_paragraph": 1, "paragraph_of": {(lead.start, lead.end): 1, (later.start, later.end): 2}}
    assert verdicts(text, [lead, later], **layout)[f"at least 61@{lead.start}"] is None


def test_a_summary_range_under_the_headline_is_kept_when_the_body_only_falls_inside_it() -> None:
    text = (
        "Search for the missing\n\n"
        "Between 500 and 1,000 people may still be missing, officials said.\n\n"
        "The mayor later put the number of missing at 850."
    )
    sub = claim(text, "Between 500 and 1,000", low=500, high=1000, qualifier="range", measure="missing",
                rules=("body", "lead_repeat_candidate"))
    later = claim(text, "850", measure="missing")
    layout = {"subtitle_paragraph": 1, "paragraph_of": {(sub.start, sub.end): 1, (later.start, later.end): 2}}
    assert verdicts(text, [sub, later], **layout)[f"Between 500 and 1,000@{sub.start}"] is None


# ---------------------------------------------------------------------- counts of need


def test_counts_of_need_are_not_claims() -> None:
    cases = [
        ("Medics said they need to evacuate 5,000 injured from the city.", "5,000"),
        ("The agency said 3 million people in need of food aid.", "3 million"),
        ("Some 1,200 wounded awaiting evacuation were stuck at the border.", "1,200"),
        ("The floods have affected 300,000 people across the province.", "300,000"),
        ("Officials said 2 million people were affected by the drought.", "2 million"),
        ("Aid groups warn 40,000 children face famine in the camps.", "40,000"),
    ]
    for text, figure in cases:
        assert rule_of(text, claim(text, figure, low=1, high=1)) == "noise:need", text


def test_a_need_word_in_another_clause_does_not_touch_the_count() -> None:
    cases = [
        ("The storm killed 40 people and affected 10,000 others in the province.", "40"),
        ("At least 12 people died in the affected area, the governor said.", "12"),
        ("Tens of thousands of families left homeless still struggle to cover their basic needs.",
         "Tens of thousands"),
        ("The relief office said it now houses more than 350,000 people in shelters.", "more than 350,000"),
    ]
    for text, figure in cases:
        assert rule_of(text, claim(text, figure, low=1, high=1, measure="displaced")) is None, text


# ---------------------------------------------------------------------- responders


def test_helpers_sent_are_not_claims_but_helpers_killed_are() -> None:
    text = "The ministry said it had sent 35 doctors and that 3 doctors were killed in the shelling."
    sent = claim(text, "35", measure="deployed", subject="doctors")
    killed = claim(text, "3", measure="killed", subject="doctors")
    got = verdicts(text, [sent, killed])
    assert got[f"35@{sent.start}"] == "noise:responder"
    assert got[f"3@{killed.start}"] is None
    troops = "The army deployed 5,000 troops to the border."
    assert rule_of(troops, claim(troops, "5,000", measure="deployed", subject="troops")) is None


# ---------------------------------------------------------------------- page furniture


def test_page_furniture_is_not_a_claim() -> None:
    for line, figure in (("3 MIN READ", "3"), ("12 comments", "12"), ("Advertisement: 40 people", "40"),
                         ("Share this: 2 shares", "2")):
        text = f"{line}\nThe army said on Monday that 41 soldiers were killed near the border."
        assert rule_of(text, claim(text, figure)) == "noise:furniture", line
        assert rule_of(text, claim(text, "41")) is None


# ---------------------------------------------------------------------- ages and versions


def test_ages_are_not_counts() -> None:
    cases = [
        ("Ms Leila Haddad, 22, died after her arrest, activists said.", "22"),
        ("Activists said Omar Farouk Nadim (31) and Sami Haddad (20) were executed.", "31"),
        ("Gunmen shot dead seven people, including two children aged nine and 13.", "13"),
        ("Gunmen shot dead seven people, including two children aged nine and 13.", "nine"),
        ("Her three cousins aged 18 to 36 are still unaccounted for.", "18 to 36"),
    ]
    for text, figure in cases:
        low = {"nine": 9.0, "18 to 36": 18.0}.get(figure)
        c = claim(text, figure, low=low, high=low) if low else claim(text, figure)
        assert rule_of(text, c) == "noise:age", text


def test_counts_beside_names_and_ages_stay() -> None:
    cases = [
        ("In Hatay, 250 people died, the governor said.", "250"),
        ("Gunmen shot dead seven people, including two children aged nine and 13.", "seven"),
        ("President Joe Biden said 12 Americans were killed.", "12"),
    ]
    for text, figure in cases:
        low = {"seven": 7.0}.get(figure)
        c = claim(text, figure, low=low, high=low) if low else claim(text, figure)
        assert rule_of(text, c) is None, text


def test_versions_and_fractions_of_people_are_not_counts() -> None:
    text = "The team shipped Python 3 support, and tests ran on Python 3.7 before the move from Perl 5 to 6."
    assert rule_of(text, claim(text, "3")) == "noise:version"
    assert rule_of(text, claim(text, "3.7")) == "noise:version"
    assert rule_of(text, claim(text, "5 to 6", low=5, high=6, qualifier="range")) == "noise:version"


def test_a_count_after_a_name_or_a_date_is_not_a_version() -> None:
    cases = [
        ("Officials in Kherson said on Saturday 12 were killed.", "12"),
        ("The strike on Kharkiv 12 civilians dead, the mayor said.", "12"),
        ("The Malian army said 40 soldiers were killed.", "40"),
    ]
    for text, figure in cases:
        assert rule_of(text, claim(text, figure)) is None, text


# ---------------------------------------------------------------------- through the extractor


def test_the_extractor_applies_the_filters() -> None:
    text = (
        "Floods kill 40 in valley\n\n"
        "Floods in the valley killed 40 people on Monday, the regional governor said.\n\n"
        "He said rescuers need to evacuate 5,000 injured from the flooded district.\n\n"
        "READ MORE: Landslide kills 12 in mountain village"
    )
    figures = [(c.figure, c.start) for c in Extractor().extract(text, published="2025-03-12")]
    body_40 = text.index("40", text.index("\n"))
    assert figures == [("40", body_40)]


def test_a_hard_wrapped_first_line_is_no_headline() -> None:
    text = (
        "The army said on Monday that 40 soldiers were killed and\n"
        "another 12 wounded near the border; by Tuesday it said 40 soldiers had died.\n"
    )
    first = claim(text, "40")
    later = claim(text, "40", nth=1)
    assert verdicts(text, [first, later])[f"40@{first.start}"] is None


def test_an_excerpt_cut_mid_sentence_is_no_headline() -> None:
    text = (
        "The quake killed 820 people, the ministry said on Saturday.\n\n"
        "A reporter watched hundreds of residents crowding into the park to sleep outdoors"
    )
    c = claim(text, "hundreds", low=200, high=999, qualifier="vague", measure="other", rules=("heading",))
    assert rule_of(text, c) is None


def test_a_caption_is_no_headline() -> None:
    text = (
        "Hundreds feared lost at sea\n\n"
        "An image of the ferry shortly before it sank with hundreds aboard. [PORT AUTHORITY / HANDOUT]\n\n"
        "At least 400 people were on the boat, the coast guard said on Thursday."
    )
    caption = claim(text, "hundreds", nth=0, low=200, high=999, qualifier="vague", measure="other",
                    rules=("heading",))
    body = claim(text, "At least 400", low=400, high=None, qualifier="at_least", measure="other")
    assert verdicts(text, [caption, body])[f"hundreds@{caption.start}"] is None


def test_a_need_word_after_a_new_noun_phrase_is_not_the_counts() -> None:
    text = "More than two million people fled the affected region, the agency said."
    c = claim(text, "More than two million", low=2e6, high=None, qualifier="at_least", measure="displaced")
    assert rule_of(text, c) is None


def test_the_base_of_a_part_that_an_earlier_figure_stated_is_a_back_reference() -> None:
    text = "The toll fell to 64 after tests. Officials said 40 of the 64 dead have been named."
    earlier = claim(text, "64")
    base = claim(text, "64", nth=1, rules=("body", "base_reference"))
    got = verdicts(text, [earlier, base])
    assert got[f"64@{base.start}"] == "noise:back_reference"
    assert got[f"64@{earlier.start}"] is None


def test_the_base_of_a_part_stated_for_the_first_time_is_kept() -> None:
    text = "Officials said 40 of the 64 dead have been named."
    base = claim(text, "64", rules=("body", "base_reference"))
    assert verdicts(text, [base])[f"64@{base.start}"] is None


def test_a_capacity_is_not_a_count_of_people() -> None:
    cases = [
        ("The ferry, with a capacity of 300 passengers, had more than 650 people on board.", "300"),
        ("The sports hall, designed for 1,200 people, now shelters families from the valley.", "1,200"),
        ("The camp has room for 5,000 but already holds 9,000.", "5,000"),
    ]
    for text, figure in cases:
        assert rule_of(text, claim(text, figure, measure="other")) == "noise:capacity", text
    kept = [
        ("The ferry, with a capacity of 300 passengers, had more than 650 people on board.", "650"),
        ("The camp has room for 5,000 but already holds 9,000.", "9,000"),
    ]
    for text, figure in kept:
        assert rule_of(text, claim(text, figure, measure="other")) is None, text
