"""The needs taxonomy: the packaged file is rich and sound, and every mistake a coordinator can make
in their own file is refused with one message that names the file and the entry."""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from bot.matching.phrases import PARTIAL_FROM, PhraseBook
from bot.matching.taxonomy import (
    GENERIC_WORDS,
    GROUPS,
    PACKAGED_PATH,
    TaxonomyError,
    default_taxonomy,
    load_taxonomy,
    narrower_categories,
)
from bot.matching.text import all_stems, phrase_stems

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OPEN_ELIGIBILITY = SHARED_DATA / "oruk" / "open_eligibility_taxonomy_v2_2014.xml"

BASE = """
version = 1

[[audience]]
id = "families"
name = "Families"
terms = ["parents"]

[[category]]
id = "food-banks"
name = "Food banks"
group = "Food"
terms = ["food bank"]
"""


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the packaged file ------------------------------------------------------------------------


def test_packaged_taxonomy_loads_and_uses_every_group() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.categories) >= 90
    assert set(taxonomy.groups()) == set(GROUPS)
    assert taxonomy.groups() == list(GROUPS)  # the file is laid out in browse-button order


def test_every_category_is_rich_enough_to_be_found() -> None:
    thin = [
        (c.id, len(c.terms), len(c.slang) + len(c.situations))
        for c in default_taxonomy().categories
        if len(c.terms) < 5 or len(c.slang) + len(c.situations) < 25
    ]
    assert thin == []


# Stems so common in what residents type that a phrase left with only one of them would claim
# every query that mentions it ("someone to talk to" is only "talk", "had a fall" only "fall").
COMMON_STEMS = frozenset(
    "talk alon mate friend help support peopl famili money care carer home hous day time thing job "
    "work need look after feel chat fall fell cut die kill lost miss leav move problem place "
    "school kid child mum dad new free local shop pay say scare speak start keep come came".split()
)


def test_no_resident_phrase_is_one_common_word() -> None:
    """Slang and situations that boil down to one everyday word would misfire on countless
    queries; a phrase of small words around it ("someone to talk to") is matched whole instead."""
    problems = []
    for category in default_taxonomy().categories:
        book = PhraseBook.from_texts([(p, category.id, 1.0) for p in category.slang + category.situations])
        for phrase in book.phrases:
            if not phrase.whole and set(phrase.stems) <= COMMON_STEMS and len(set(phrase.stems)) == 1:
                problems.append((category.id, phrase.text))
    assert problems == [], "say what the need is, not just one everyday word"


def test_every_short_phrase_matches_the_way_it_is_written() -> None:
    """A phrase of up to three words must be found in a query that says exactly it: no phrase
    may spread its words further apart than the query matcher allows."""
    problems = []
    for category in default_taxonomy().categories:
        for phrase in category.query_phrases:
            if len(set(phrase_stems(phrase))) >= PARTIAL_FROM:
                continue
            book = PhraseBook.from_texts([(phrase, category.id, 1.0)])
            if not book.in_query(all_stems(phrase)):
                problems.append((category.id, phrase))
    assert problems == []


def test_words_that_share_a_stem_with_another_need_stay_in_phrases() -> None:
    """Snowball cuts "probation" and "probate" to "probat", "lonely" and "lone" to "lone", "boxing"
    and "box" to "box", "fitness" and "fits" to "fit": on their own as terms (which also sort
    assets) they would file a lone-parent grant under loneliness or a veg box under boxing."""
    taxonomy = default_taxonomy()
    single_stem_terms = {
        phrase_stems(term)[0]: (category.id, term)
        for category in taxonomy.categories
        for term in category.terms
        if len(set(phrase_stems(term))) == 1
    }
    for stem in ("probat", "lone", "box", "fit", "will", "groom", "separ", "adapt", "volunt", "budget"):
        assert stem not in single_stem_terms, single_stem_terms[stem]
    assert "probation officer" in taxonomy.category("prison-leavers-families").terms
    assert "apply for probate" in taxonomy.category("wills-power-of-attorney").terms


def test_classic_ways_of_saying_it_are_recognised() -> None:
    taxonomy = default_taxonomy()
    expected = {
        "crisis-suicide": [
            "dont want to be here",
            "cant see the point",
            "whats the point anymore",
            "wish i wasnt alive",
            "family better off without me",
            "cant go on like this",
        ],
        "send-ehcp": ["additional needs", "special needs", "parent carer"],
        "befriending": ["lonely", "no mates", "nobody to chat to"],
        "falls-prevention": ["mum had a fall", "keeps falling", "nan fell"],
        "domestic-abuse": ["scared of my partner", "walking on eggshells"],
    }
    for category_id, phrases in expected.items():
        assert set(phrases) <= set(taxonomy.category(category_id).query_phrases), category_id


def test_ids_are_unique_in_the_file_itself() -> None:
    raw = tomllib.loads(PACKAGED_PATH.read_text(encoding="utf-8"))
    for kind in ("category", "audience"):
        counts = Counter(entry["id"] for entry in raw[kind])
        assert [i for i, n in counts.items() if n > 1] == [], kind


def test_audiences_cover_who_residents_ask_for() -> None:
    taxonomy = default_taxonomy()
    ids = {a.id for a in taxonomy.audiences}
    assert len(ids) >= 12
    assert {"children", "young-people", "older-people", "families", "carers", "disabled-people"} <= ids
    assert "nan" in taxonomy.audience("older-people").terms
    assert "my lad" in taxonomy.audience("boys").terms
    for audience in taxonomy.audiences:
        assert audience.terms, audience.id
        if audience.min_age is not None and audience.max_age is not None:
            assert audience.min_age <= audience.max_age, audience.id


def test_phrases_are_written_the_way_people_type() -> None:
    problems = []
    for category in default_taxonomy().categories:
        for phrase in category.query_phrases:
            if re.search(r"['’\"]", phrase) or phrase != phrase.strip():
                problems.append((category.id, phrase))
        for term in category.terms:
            if len(term.split()) > 6:
                problems.append((category.id, term))
            if term.lower() in GENERIC_WORDS:
                problems.append((category.id, term))
    assert problems == []


def test_related_categories_point_somewhere_else() -> None:
    taxonomy = default_taxonomy()
    for category in taxonomy.categories:
        for other in category.related:
            assert taxonomy.category(other).id != category.id


def test_broader_links_name_a_more_general_need() -> None:
    taxonomy = default_taxonomy()
    links = {c.id: c.broader for c in taxonomy.categories if c.broader}
    assert len(links) >= 20
    assert links["coercive-control"] == "domestic-abuse"
    assert links["memory-cafes"] == "dementia"
    assert links["young-people-drugs"] == "drugs-alcohol"
    assert links["walking-adapted-sports"] == "sport-clubs"
    assert links["breastfeeding"] == "maternity"
    assert links["young-carers"] == "unpaid-carers"
    for narrow, broad in links.items():
        assert taxonomy.category(broad).id != narrow
        seen = [narrow]  # following the links always ends, at a category with no broader one
        while broad:
            assert broad not in seen, seen
            seen.append(broad)
            broad = taxonomy.category(broad).broader
    assert taxonomy.category("domestic-abuse").broader == ""


def test_narrower_lists_the_kinds_of_a_need_in_file_order() -> None:
    taxonomy = default_taxonomy()
    assert [c.id for c in taxonomy.narrower("domestic-abuse")] == [
        "coercive-control",
        "forced-marriage-honour",
    ]
    assert [c.id for c in taxonomy.narrower("dementia")] == ["memory-cafes"]
    assert taxonomy.narrower("food-banks") == []
    assert taxonomy.narrower("coercive-control") == []
    with pytest.raises(KeyError):
        taxonomy.narrower("kids")
    by_id = narrower_categories(taxonomy)
    for category in taxonomy.categories:
        assert taxonomy.narrower(category.id) == by_id.get(category.id, [])
        assert all(other.broader == category.id for other in taxonomy.narrower(category.id))


@pytest.mark.skipif(
    not OPEN_ELIGIBILITY.is_file(),
    reason="../shared/data is not here (it is only on developer machines and CI)",
)
def test_every_open_eligibility_code_is_in_the_published_list() -> None:
    known = {el.attrib["id"] for el in ET.parse(OPEN_ELIGIBILITY).iter() if "id" in el.attrib}
    assert len(known) > 300  # services and situations both parsed
    used = {code for c in default_taxonomy().categories for code in c.codes if code.startswith("oe:")}
    assert used, "the packaged file should use Open Eligibility codes"
    assert sorted(code for code in used if code.removeprefix("oe:") not in known) == []


def test_query_phrases_are_every_list_that_reads_a_query() -> None:
    category = default_taxonomy().category("food-banks")
    assert (
        category.query_phrases
        == category.terms + category.slang + category.misspellings + category.situations
    )
    assert "skint" in category.query_phrases
    assert "food bnak" in category.query_phrases


def test_categories_for_code_finds_the_categories_keyed_to_it() -> None:
    taxonomy = default_taxonomy()
    assert [c.id for c in taxonomy.categories_for_code("oe:1130")] == ["food-banks"]
    assert "counselling" in [c.id for c in taxonomy.categories_for_code(" oe:1220 ")]
    assert taxonomy.categories_for_code("oe:99999") == []
    assert taxonomy.categories_for_code("esd:1") == []


def test_lookups_by_id() -> None:
    taxonomy = default_taxonomy()
    assert taxonomy.category("food-banks").group == "Food"
    assert taxonomy.audience("older-people").min_age == 60
    with pytest.raises(KeyError):
        taxonomy.category("kids")
    with pytest.raises(KeyError):
        taxonomy.audience("kids")
    assert {c.group for c in taxonomy.categories_in("Safety")} == {"Safety"}


def test_default_taxonomy_is_loaded_once() -> None:
    assert default_taxonomy() is default_taxonomy()


# --- a coordinator's own files ----------------------------------------------------------------


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(write(tmp_path, BASE, "ok.toml"))
    assert [c.id for c in taxonomy.categories] == ["food-banks"]
    assert taxonomy.category("food-banks").terms == ("food bank",)
    assert taxonomy.category("food-banks").broader == ""
    assert taxonomy.groups() == ["Food"]


def category(id: str, broader: str = "") -> str:
    line = f'broader = "{broader}"\n' if broader else ""
    return f'\n[[category]]\nid = "{id}"\nname = "{id}"\ngroup = "Food"\nterms = ["{id} term"]\n{line}'


def test_broader_links_load_and_list_their_narrower_needs(tmp_path: Path) -> None:
    text = BASE + category("pantries", "food-banks") + category("fridges", "food-banks") + category("cafes")
    taxonomy = load_taxonomy(write(tmp_path, text, "ok.toml"))
    assert taxonomy.category("pantries").broader == "food-banks"
    assert taxonomy.category("cafes").broader == ""
    assert [c.id for c in taxonomy.narrower("food-banks")] == ["pantries", "fridges"]
    assert taxonomy.narrower("pantries") == []


def test_a_broader_link_may_point_later_in_the_file(tmp_path: Path) -> None:
    text = BASE + category("pantries", "larders") + category("larders")
    taxonomy = load_taxonomy(write(tmp_path, text, "ok.toml"))
    assert [c.id for c in taxonomy.narrower("larders")] == ["pantries"]


@pytest.mark.parametrize(
    ("text", "entry", "says"),
    [
        (category("pantries", "nowhere"), "category 'pantries'", "unknown broader 'nowhere'"),
        (category("pantries", "pantries"), "category 'pantries'", "'broader' cannot be the category itself"),
        (
            category("pantries").replace('group = "Food"', 'group = "Food"\nbroader = ["food-banks"]'),
            "category 'pantries'",
            "'broader' must be one category id",
        ),
        (category("pantries", "Food Banks"), "category 'pantries'", "'broader' must be one category id"),
        (
            category("pantries", "larders") + category("larders", "pantries"),
            "category 'pantries'",
            "circle (pantries -> larders -> pantries)",
        ),
        (
            category("a", "b") + category("b", "c") + category("c", "a"),
            "category 'a'",
            "circle (a -> b -> c -> a)",
        ),
    ],
)
def test_each_broader_mistake_is_refused(tmp_path: Path, text: str, entry: str, says: str) -> None:
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(write(tmp_path, BASE + text))
    message = str(error.value)
    assert message.startswith(f"bad.toml: {entry}: ")
    assert says in message


def test_an_extra_file_can_add_a_broader_link_but_not_a_circle(tmp_path: Path) -> None:
    merged = load_taxonomy(
        extra=write(tmp_path, '[[category]]\nid = "baby-banks"\nbroader = "food-banks"\n', "extra.toml")
    )
    assert merged.category("baby-banks").broader == "food-banks"
    assert merged.category("baby-banks").terms == default_taxonomy().category("baby-banks").terms
    assert "baby-banks" in [c.id for c in merged.narrower("food-banks")]
    assert default_taxonomy().category("baby-banks").broader == ""

    circle = '[[category]]\nid = "domestic-abuse"\nbroader = "coercive-control"\n'
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(extra=write(tmp_path, circle, "extra.toml"))
    assert str(error.value) == (
        "extra.toml: category 'domestic-abuse': 'broader' goes round in a circle "
        "(domestic-abuse -> coercive-control -> domestic-abuse)"
    )


def test_the_example_message_is_exact(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + 'audiences = ["kids"]\n')
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(path)
    assert str(error.value) == "bad.toml: category 'food-banks': unknown audience 'kids'"


CATEGORY_TWO = """
[[category]]
id = "food-banks"
name = "Food banks again"
group = "Food"
terms = ["foodbank"]
"""


@pytest.mark.parametrize(
    ("text", "entry", "says"),
    [
        (BASE + 'colour = "red"\n', "category 'food-banks'", "unknown key 'colour'"),
        ('title = "mine"\n' + BASE, "bad.toml:", "unknown key 'title'"),
        (
            BASE.replace('terms = ["food bank"]', 'terms = "food bank"'),
            "category 'food-banks'",
            "'terms' must be a list",
        ),
        (BASE.replace('["food bank"]', '["food bank", 3]'), "category 'food-banks'", "list of strings"),
        (BASE + 'codes = "oe:1102"\n', "category 'food-banks'", "'codes' must be a list"),
        (BASE + CATEGORY_TWO, "category 'food-banks'", "duplicate id"),
        (
            BASE.replace('name = "Families"', 'name = "Families"\nmin_age = "sixty"'),
            "audience 'families'",
            "min_age",
        ),
        (
            BASE.replace('name = "Families"', 'name = "Families"\nmin_age = 60\nmax_age = 10'),
            "audience 'families'",
            "above",
        ),
        (
            BASE + '[[audience]]\nid = "families"\nname = "Again"\nterms = ["mums"]\n',
            "audience 'families'",
            "duplicate id",
        ),
        (BASE.replace('name = "Food banks"', 'name = "  "'), "category 'food-banks'", "'name'"),
        (BASE.replace('name = "Food banks"\n', ""), "category 'food-banks'", "'name'"),
        (BASE.replace('group = "Food"', 'group = "Snacks"'), "category 'food-banks'", "'Snacks'"),
        (BASE + 'related = ["nowhere"]\n', "category 'food-banks'", "unknown related 'nowhere'"),
        (BASE + 'related = ["food-banks"]\n', "category 'food-banks'", "itself"),
        (BASE + 'codes = ["oe 1102"]\n', "category 'food-banks'", "code 'oe 1102'"),
        (BASE + 'codes = ["lga:1102"]\n', "category 'food-banks'", "code 'lga:1102'"),
        (BASE + 'slang = ["skint", "  "]\n', "category 'food-banks'", "'slang' has an empty phrase"),
        (BASE + 'situations = ["..."]\n', "category 'food-banks'", "'situations' has an empty phrase"),
        (
            BASE.replace('["food bank"]', '["food bank", "Help"]'),
            "category 'food-banks'",
            "'Help' is too general",
        ),
        (BASE.replace('["food bank"]', "[]"), "category 'food-banks'", "'terms'"),
        (BASE.replace('id = "food-banks"', 'id = "Food Banks"'), "category #1", "'id'"),
        (BASE.replace("version = 1", "version = 2"), "bad.toml:", "'version' must be 1"),
        (BASE.replace("[[audience]]", "[audience]"), "bad.toml:", "[[audience]]"),
    ],
)
def test_each_mistake_is_refused_naming_file_and_entry(
    tmp_path: Path, text: str, entry: str, says: str
) -> None:
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(write(tmp_path, text))
    message = str(error.value)
    assert message.startswith("bad.toml: ")
    assert entry in message
    assert says in message


def test_broken_toml_and_missing_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match=r"^bad\.toml: not valid TOML"):
        load_taxonomy(write(tmp_path, BASE + "terms = [\n"))
    with pytest.raises(TaxonomyError, match=r"^absent\.toml: cannot read"):
        load_taxonomy(tmp_path / "absent.toml")


EXTRA = """
[[category]]
id = "food-banks"
slang = ["nowt in the larder", "skint"]
codes = ["oe:1131"]

[[category]]
id = "bike-kitchens"
name = "Bike kitchens"
group = "Getting around"
terms = ["bike kitchen", "community bike workshop"]
slang = ["fix my own bike"]
audiences = ["young-people"]
related = ["cycling", "food-banks"]

[[audience]]
id = "older-people"
terms = ["old timers"]
"""


def test_an_extra_file_adds_categories_and_extends_existing_ones(tmp_path: Path) -> None:
    base = load_taxonomy()
    merged = load_taxonomy(extra=write(tmp_path, EXTRA, "extra.toml"))

    assert len(merged.categories) == len(base.categories) + 1
    bikes = merged.category("bike-kitchens")
    assert (bikes.group, bikes.audiences, bikes.related) == (
        "Getting around",
        ("young-people",),
        ("cycling", "food-banks"),
    )

    before, after = base.category("food-banks"), merged.category("food-banks")
    assert after.name == before.name and after.group == before.group
    assert after.slang[: len(before.slang)] == before.slang
    assert "nowt in the larder" in after.slang
    assert after.slang.count("skint") == 1
    assert after.terms == before.terms
    assert {c.id for c in merged.categories_for_code("oe:1131")} == {"food-banks", "community-meals"}

    assert "old timers" in merged.audience("older-people").terms
    assert merged.audience("older-people").min_age == 60
    assert merged.groups() == base.groups()
    assert "nowt in the larder" not in default_taxonomy().category("food-banks").slang


def test_mistakes_in_an_extra_file_name_that_file(tmp_path: Path) -> None:
    cases = [
        (
            '[[category]]\nid = "food-banks"\naudiences = ["kids"]\n',
            "category 'food-banks': unknown audience 'kids'",
        ),
        (
            '[[category]]\nid = "repair-cafes"\nname = "Repair cafés"\nterms = ["repair cafe"]\n',
            "category 'repair-cafes': 'group' is missing",
        ),
        (
            '[[category]]\nid = "food-banks"\n[[category]]\nid = "food-banks"\n',
            "category 'food-banks': duplicate id",
        ),
        ('[[category]]\nid = "food-banks"\ngroup = "Snacks"\n', "category 'food-banks': group 'Snacks'"),
    ]
    for text, says in cases:
        with pytest.raises(TaxonomyError) as error:
            load_taxonomy(extra=write(tmp_path, text, "extra.toml"))
        assert str(error.value).startswith(f"extra.toml: {says}")
