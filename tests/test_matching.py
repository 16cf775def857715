"""The need-matching engine on a small directory and a tiny taxonomy: typos, synonyms,
situations, places, ages and ranking order."""

import pytest

from bot.matching.classify import Classifier, ages_in_text
from bot.matching.engine import SearchEngine
from bot.matching.index import AssetDoc
from bot.matching.taxonomy import load_taxonomy
from bot.matching.text import content_stems, fold
from bot.services.places import Point
from tests.conftest import FIXTURES

OAKHAM = Point(52.6705, -0.7333)
BEAUMONT_LEYS = Point(52.6670, -1.1666)  # LE4


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(FIXTURES / "mini_taxonomy.toml")


def doc(i: int, name: str, description: str = "", tags: str = "", point: Point | None = None, town: str = ""):
    return AssetDoc(
        id=i,
        external_id=f"a{i}",
        name=name,
        tags=tags,
        description=description,
        town=town,
        latitude=point.latitude if point else None,
        longitude=point.longitude if point else None,
    )


@pytest.fixture(scope="module")
def engine(taxonomy):
    classifier = Classifier(taxonomy)
    docs = [
        doc(1, "Oakham Food Bank", "Emergency food parcels with a voucher.", point=OAKHAM, town="Oakham"),
        doc(
            2,
            "Beaumont Leys Foodbank",
            "Food parcels for local families.",
            point=BEAUMONT_LEYS,
            town="Leicester",
        ),
        doc(3, "Money Matters", "Free debt advice and budgeting help if you are behind on bills."),
        doc(
            4,
            "Friday Youth Club",
            "Pool, music and cooking for young people aged 11-18.",
            point=BEAUMONT_LEYS,
        ),
        doc(5, "Young Adults Drop-in", "A youth group for ages 18-25 who want to meet others."),
        doc(6, "Tuesday Lunch Club", "Hot lunch and company for older people who live alone."),
        doc(
            7,
            "Town Library",
            "Books, computers and a warm space. Bank holiday opening varies; food not allowed.",
        ),
    ]
    for d in docs:
        d.classification = classifier.classify(d.name, d.tags, d.description)
    return SearchEngine.build(docs, taxonomy)


def names(result) -> list[str]:
    return [h.name for h in result.hits]


def test_text_is_folded_and_stemmed():
    assert fold("Café's") == "cafes"
    assert content_stems("Is there a youth club for my lad?") == ["youth", "club", "lad"]


def test_assets_are_classified_from_their_own_words(engine):
    by_name = {d.name: d.classification for d in engine.index.docs}
    assert set(by_name["Oakham Food Bank"].categories) == {"food-banks"}
    assert "debt-advice" in by_name["Money Matters"].categories
    assert set(by_name["Friday Youth Club"].categories) == {"youth-clubs"}
    assert (by_name["Friday Youth Club"].min_age, by_name["Friday Youth Club"].max_age) == (11, 18)
    # "bank holiday" and "food not allowed" are not a food bank: phrases must appear as written
    assert by_name["Town Library"].categories == {}


def test_plain_keyword_finds_both_spellings(engine):
    result = engine.search("food bank")
    assert set(names(result)[:2]) == {"Oakham Food Bank", "Beaumont Leys Foodbank"}


@pytest.mark.parametrize("typed", ["fod bank", "food bnak", "foodbnak", "fooodbank"])
def test_typos_are_corrected(engine, typed):
    result = engine.search(typed)
    assert names(result)[0] in {"Oakham Food Bank", "Beaumont Leys Foodbank"}


def test_correction_is_explained(engine):
    hit = engine.search("bugdeting help").hits[0]
    assert hit.name == "Money Matters"
    assert "read 'bugdeting' as 'budgeting'" in hit.why


def test_slang_and_situations_reach_the_need(engine):
    assert names(engine.search("nothing in the cupboards"))[0].endswith(("Food Bank", "Foodbank"))
    skint = engine.search("im skint")
    assert {"Oakham Food Bank", "Beaumont Leys Foodbank"} <= set(names(skint)[:3])
    assert "Money Matters" in names(skint)  # related need: debt advice
    bailiffs = engine.search("bailiffs at the door")
    assert names(bailiffs)[0] == "Money Matters"
    assert bailiffs.hits[0].why[0].startswith("need: Debt and money advice")


def test_place_in_the_text_becomes_a_location(engine):
    result = engine.search("food bank in oakham")
    assert result.understood.place == "oakham"
    assert names(result)[0] == "Oakham Food Bank"
    assert result.hits[0].distance_km == 0.0


def test_postcode_in_the_text_puts_the_nearest_first(engine):
    result = engine.search("any food banks in LE4")
    assert result.understood.postcode == "LE4"
    assert names(result)[0] == "Beaumont Leys Foodbank"
    assert "le4" not in result.understood.terms


def test_age_cue_prefers_assets_whose_ages_fit(engine):
    result = engine.search("youth club, my lad is 14")
    assert result.understood.age == 14
    assert "young-people" in result.understood.audiences
    assert names(result)[0] == "Friday Youth Club"
    assert "Young Adults Drop-in" in names(result)
    assert names(result).index("Young Adults Drop-in") > 0


def test_audience_cue(engine):
    result = engine.search("my nan gets lonely")
    assert names(result)[0] == "Tuesday Lunch Club"


@pytest.mark.parametrize("nonsense", ["", "   ", "😀😀😀", "zzzzqqq", "the and of"])
def test_nothing_to_go_on_finds_nothing(engine, nonsense):
    assert engine.search(nonsense).hits == []


def test_huge_text_is_cut_not_fatal(engine):
    result = engine.search("food bank " * 2000)
    assert len(result.understood.text) == 500
    assert result.hits


def test_limit_and_order(engine):
    result = engine.search("food", limit=1)
    assert len(result.hits) == 1
    scores = [h.score for h in engine.search("club").hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("For young people aged 11-19.", (11, 19)),
        ("Open to under 25s", (None, 25)),
        ("A group for the over 50s", (50, None)),
        ("Adults 18+ only", (18, None)),
        ("Open 10-12 on Mondays", (None, None)),
    ],
)
def test_ages_read_from_descriptions(text, expected):
    assert ages_in_text(text) == expected
