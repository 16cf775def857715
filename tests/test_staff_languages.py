"""Finding help in your language: the languages an asset's staff speak on its card, in the
reader's language; a query that asks for a language puts the assets that speak it first; and the
resident's own language settles a tie between equals, never more."""

from __future__ import annotations

import pytest

from bot import messages as m
from bot.i18n.current import speaking
from bot.matching.classify import Classifier
from bot.matching.engine import SearchEngine
from bot.matching.index import AssetDoc
from bot.matching.taxonomy import load_taxonomy
from tests.conftest import FIXTURES
from tests.conversation import close_conversation, open_conversation


@pytest.fixture(scope="module")
def engine():
    taxonomy = load_taxonomy(FIXTURES / "mini_taxonomy.toml")
    docs = [
        AssetDoc(
            1,
            "a1",
            "Belgrave Debt Advice",
            description="Debt advice and budgeting: help with debt, money advice.",
        ),
        AssetDoc(2, "a2", "Riverside Money Help", description="Debt advice."),
        AssetDoc(3, "a3", "Hamilton Food Bank", description="Food parcels.", languages=("gu",)),
        AssetDoc(4, "a4", "Saathi Money Help", description="Debt advice.", languages=("en", "ur", "pa")),
        AssetDoc(5, "a5", "Polish Club", description="Nail polish and crafts."),
    ]
    classifier = Classifier(taxonomy)
    for doc in docs:
        doc.classification = classifier.classify(name=doc.name, tags="", description=doc.description)
    return SearchEngine.build(docs, taxonomy)


def names(result) -> list[str]:
    return [hit.name for hit in result.hits]


def test_a_language_asked_for_puts_those_who_speak_it_first(engine):
    assert names(engine.search("debt advice"))[0] == "Belgrave Debt Advice"
    for asked in (
        "debt advice in urdu",
        "urdu speaking debt advice",
        "debt advice, someone who speaks punjabi",
    ):
        result = engine.search(asked)
        assert result.understood.wanted_languages in ({"ur"}, {"pa"})
        assert names(result)[0] == "Saathi Money Help"
        assert "speaks: " in " ".join(result.hits[0].why)
        assert not result.understood.place and "urdu" not in result.understood.terms


def test_a_language_alone_finds_everyone_who_speaks_it_and_a_typo_in_its_name_is_read(engine):
    assert names(engine.search("someone who speaks gujarati")) == ["Hamilton Food Bank"]
    assert names(engine.search("gujrati speaker")) == ["Hamilton Food Bank"]


def test_words_that_are_not_a_language_asked_for_are_searched_as_before(engine):
    """English is spoken by everyone here; a language no asset speaks is just a word."""
    assert engine.search("english debt advice").understood.wanted_languages == set()
    assert engine.search("polish club").understood.wanted_languages == set()  # no one here speaks Polish
    assert names(engine.search("polish club"))[0] == "Polish Club"


def test_the_residents_own_language_settles_a_tie_and_nothing_more(engine):
    plain = engine.search("debt advice")
    english = engine.search("debt advice", resident_language="en")
    assert [(h.name, h.score) for h in english.hits] == [(h.name, h.score) for h in plain.hits]
    assert names(plain) == ["Belgrave Debt Advice", "Riverside Money Help", "Saathi Money Help"]
    assert plain.hits[1].score == plain.hits[2].score  # Riverside and Saathi are equals
    # Belgrave fits clearly better and stays first; Saathi, whose staff speak Urdu, passes its equal
    urdu = engine.search("debt advice", resident_language="ur")
    assert names(urdu) == ["Belgrave Debt Advice", "Saathi Money Help", "Riverside Money Help"]


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url, assets="language_assets.csv")
    yield conversation
    await close_conversation(conversation)


def cards_of(results) -> list[str]:
    return results.plain.split("\n\n")[1:]


async def test_a_card_says_which_languages_the_staff_speak_besides_english(chat):
    ann = chat.telegram.user("Ann")
    [results] = await chat.say(ann, "counselling")
    riverside, sahara = cards_of(results)[:2]
    assert riverside.startswith("1. Riverside Counselling") and "🗣" not in riverside  # English only
    assert sahara.startswith("2. Sahara Counselling")
    assert "🗣 Staff speak: Urdu and Punjabi" in sahara.split("\n")
    [details] = await chat.press(ann, "2 · Details", results)
    assert "🗣 Staff speak: Urdu and Punjabi" in details.plain.split("\n")


async def test_counselling_in_urdu_puts_the_urdu_speaking_service_first(chat):
    ann = chat.telegram.user("Ann")
    [results] = await chat.say(ann, "counselling in urdu")
    assert [card.split("\n")[0] for card in cards_of(results)] == [
        "1. Sahara Counselling (example — not a real service)",
        "2. Riverside Counselling (example — not a real service)",
    ]
    [speakers] = await chat.say(ann, "someone who speaks punjabi")
    found = " ".join(card.split("\n")[0] for card in cards_of(speakers))
    assert "Sahara Counselling" in found and "Gurdwara Food Bank" in found and "Riverside" not in found


async def test_an_urdu_speaking_resident_reads_the_languages_in_urdu_and_meets_their_speakers_first(chat):
    person = chat.telegram.user("Bilal", language_code="ur")
    await chat.say(person, "/start")
    [results] = await chat.say(person, "counselling")
    first, second = cards_of(results)[:2]
    assert "Sahara Counselling" in first and "Riverside Counselling" in second  # equals: theirs first
    with speaking("ur"):
        line = m.STAFF_SPEAK.format(languages="اردو اور پنجابی")
    assert line in first.split("\n")
    assert "Urdu" not in first and "Punjabi" not in first
