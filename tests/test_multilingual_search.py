"""A need written in Urdu, Punjabi, Gujarati, Polish, Somali or Arabic, in its own script or in the
Latin letters people type it in, finds the same assets as the English would: through the bot as a
resident meets it, and in the rewriting into English words (bot/matching/lexicons.py) that does
it. English queries are read exactly as before."""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path

import pytest

from bot.matching.engine import SearchEngine, taxonomy_words
from bot.matching.lexicons import LanguageReader, LexiconError, default_lexicons, load_lexicon
from bot.matching.taxonomy import default_taxonomy
from bot.matching.text import STOP_WORDS
from tests.conversation import close_conversation, open_conversation

ROOT = Path(__file__).resolve().parents[1]

# The English a resident would type for each need, and the card the small directory
# (fixtures/multilingual_assets.csv) answers it with first.
ENGLISH = {
    "food": ("food", "Hamilton Food Bank"),
    "debt": ("debt", "City Debt Advice"),
    "gp": ("doctor", "Highfields Medical Centre"),
    "english": ("english classes", "Belgrave English Classes"),
    "housing": ("housing", "Leicester Housing Advice"),
    "mental health": ("mental health", "Talking Minds Leicester"),
}

# (language, how it is written, need, a resident's first message)
FIRST_MESSAGES = [
    ("ur", "script", "food", "مجھے کھانا چاہیے"),
    ("ur", "script", "debt", "مجھ پر بہت قرض ہے"),
    ("ur", "script", "gp", "مجھے ڈاکٹر چاہیے"),
    ("ur", "script", "english", "انگریزی کلاس کہاں ہے"),
    ("ur", "script", "housing", "مجھے مکان چاہیے"),
    ("ur", "script", "mental health", "ذہنی صحت کی مدد"),
    ("ur", "romanised", "food", "mujhe khana chahiye"),
    ("ur", "romanised", "debt", "mujh par bohat qarza hai"),
    ("ur", "romanised", "gp", "mujhe doctor chahiye"),
    ("ur", "romanised", "english", "angrezi class chahiye"),
    ("ur", "romanised", "housing", "mujhe ghar chahiye"),
    ("ur", "romanised", "mental health", "zehni sehat ke liye madad"),
    ("pa", "script", "food", "ਮੈਨੂੰ ਖਾਣਾ ਚਾਹੀਦਾ ਹੈ"),
    ("pa", "script", "debt", "ਮੇਰੇ ਸਿਰ ਕਰਜ਼ਾ ਹੈ"),
    ("pa", "script", "gp", "ਮੈਨੂੰ ਡਾਕਟਰ ਚਾਹੀਦਾ ਹੈ"),
    ("pa", "script", "english", "ਅੰਗਰੇਜ਼ੀ ਦੀ ਕਲਾਸ ਕਿੱਥੇ ਹੈ"),
    ("pa", "script", "housing", "ਮੈਨੂੰ ਘਰ ਚਾਹੀਦਾ ਹੈ"),
    ("pa", "script", "mental health", "ਮਾਨਸਿਕ ਸਿਹਤ ਲਈ ਮਦਦ"),
    ("pa", "romanised", "food", "menu khana chahida"),
    ("pa", "romanised", "debt", "mere te karza hai"),
    ("pa", "romanised", "gp", "menu doctor chahida"),
    ("pa", "romanised", "english", "angrezi di class chahidi"),
    ("pa", "romanised", "housing", "menu ghar chahida"),
    ("pa", "romanised", "mental health", "mansik sehat lai madad"),
    ("gu", "script", "food", "મને ખાવાનું જોઈએ છે"),
    ("gu", "script", "debt", "મારે માથે દેવું છે"),
    ("gu", "script", "gp", "મને ડૉક્ટર જોઈએ છે"),
    ("gu", "script", "english", "અંગ્રેજી ક્લાસ ક્યાં છે"),
    ("gu", "script", "housing", "મને ઘર જોઈએ છે"),
    ("gu", "script", "mental health", "માનસિક સ્વાસ્થ્ય માટે મદદ"),
    ("gu", "romanised", "food", "mane khavanu joiye"),
    ("gu", "romanised", "debt", "mare devu che"),
    ("gu", "romanised", "gp", "mane doctor joiye"),
    ("gu", "romanised", "english", "angreji class kya che"),
    ("gu", "romanised", "housing", "mane ghar joiye"),
    ("gu", "romanised", "mental health", "mansik swasthya mate madad"),
    ("pl", "with diacritics", "food", "Potrzebuję jedzenia"),
    ("pl", "with diacritics", "debt", "Mam długi"),
    ("pl", "with diacritics", "gp", "Szukam lekarza"),
    ("pl", "with diacritics", "english", "Gdzie są lekcje angielskiego?"),
    ("pl", "with diacritics", "housing", "Potrzebuję mieszkania"),
    ("pl", "with diacritics", "mental health", "Pomoc, zdrowie psychiczne"),
    ("pl", "without diacritics", "food", "potrzebuje jedzenia"),
    ("pl", "without diacritics", "debt", "mam dlugi"),
    ("pl", "without diacritics", "gp", "szukam lekarza rodzinnego"),
    ("pl", "without diacritics", "english", "gdzie sa lekcje angielskiego"),
    ("pl", "without diacritics", "housing", "potrzebuje mieszkania"),
    ("pl", "without diacritics", "mental health", "zdrowie psychiczne pomoc"),
    ("so", "latin", "food", "waxaan u baahanahay cunto"),
    ("so", "latin", "debt", "deymo ayaan leeyahay"),
    ("so", "latin", "gp", "waxaan u baahanahay dhakhtar"),
    ("so", "latin", "english", "fasal ingiriis xagee ku yaal"),
    ("so", "latin", "housing", "waxaan u baahanahay guri"),
    ("so", "latin", "mental health", "caawimaad caafimaadka maskaxda"),
    ("ar", "script", "food", "أحتاج طعام"),
    ("ar", "script", "debt", "عندي ديون كثيرة"),
    ("ar", "script", "gp", "أريد طبيب"),
    ("ar", "script", "english", "أين دروس اللغة الإنجليزية"),
    ("ar", "script", "housing", "أبحث عن سكن"),
    ("ar", "script", "mental health", "مساعدة في الصحة النفسية"),
]

# (language, text, the English words it is read as)
REWRITINGS = [
    ("ur", "مجھے کھانا چاہیے", "food"),
    ("ur", "میرے بیٹے کو ڈاکٹر کی ضرورت ہے", "son doctor gp"),
    ("ur", "mujhe food bank chahiye", "food bank"),
    ("ur", "angrezi class, لیسٹر", "english classes, leicester"),
    ("ur", "mujhe rehne ki jagah chahiye", "somewhere to live"),
    ("ur", "میرا بیٹا ۱۴ سال کا ہے", "son 14 years"),
    ("pa", "ਮੈਨੂੰ ਅੰਗਰੇਜ਼ੀ ਕਲਾਸ ਚਾਹੀਦੀ ਹੈ", "english classes"),
    ("pa", "menu kam chahida", "job search"),
    ("pa", "ਲੈਸਟਰ ਵਿੱਚ ਡਾਕਟਰ", "leicester doctor gp"),
    ("gu", "મને ડૉક્ટર જોઈએ છે", "doctor gp"),
    ("gu", "લેસ્ટરમાં અંગ્રેજી ક્લાસ", "leicester english classes"),
    ("gu", "mane khavanu joiye", "food"),
    ("pl", "Potrzebuję lekarza w Leicester", "doctor gp leicester"),
    ("pl", "potrzebuje jedzenia, jestem glodny", "food, hungry"),
    ("pl", "kurs angielskiego", "english classes"),
    ("pl", "mój syn ma 14 lat", "son 14 years"),
    ("so", "waxaan u baahanahay dhakhtar", "doctor gp"),
    ("so", "guriga iyo lacagta", "housing money"),
    ("ar", "أحتاج إلى طبيب أسنان في ليستر", "dentist leicester"),
    ("ar", "عندي ديون", "debt"),
    ("ar", "ابني عمره 14 سنة", "son aged 14 years"),
]

# Everyday English, as residents write it: read exactly as before the languages step.
ENGLISH_QUERIES = [
    "food bank", "fod bank near oakham", "any food banks in LE4", "im skint and behind on my bills",
    "somewhere for my lad after school", "youth club, my lad is 14", "my nan gets lonely",
    "councelling for anxeity", "bailiffs at the door", "nothing in the cupboards till payday",
    "help with money worries hinckley", "my partner controls my money and checks my phone",
    "main road surgery", "my mate needs a food bank", "salon near me", "i ate nothing today",
    "mum has dementia and keeps falling", "English classes for my wife", "a dentist in Melton",
    "can’t pay the rent", "Café for carers", "men's group oakham", "debt", "hazard",
    "karate for kids", "sad all the time", "bus pass for my dad", "open now food", "",
]  # fmt: skip

_CARD = re.compile(r"^\d+\. (.+?)(?: \(|\n|$)")  # the name, before "(example...)" in any language


def card_names(reply) -> list[str]:
    """The names of the cards in a results message, in order."""
    return [m.group(1) for block in reply.plain.split("\n\n") if (m := _CARD.match(block))]


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url, assets="multilingual_assets.csv")
    yield conversation
    await close_conversation(conversation)


@pytest.fixture(scope="module")
def engine():
    return SearchEngine.build([], default_taxonomy())


async def test_a_first_message_in_any_of_six_languages_finds_what_the_english_finds(chat):
    found_in_english = {}
    for need, (english, first) in ENGLISH.items():
        [reply] = await chat.say(chat.telegram.user(f"English {need}"), english)
        found_in_english[need] = card_names(reply)
        assert found_in_english[need][:1] == [first], english
    for i, (code, written, need, text) in enumerate(FIRST_MESSAGES):
        resident = chat.telegram.user(f"Resident {i}")
        [reply] = await chat.say(resident, text)
        assert reply.plain.startswith("Here's what I found for"), (code, written, text, reply.plain)
        names = card_names(reply)
        assert names[:1] == [ENGLISH[need][1]], (code, written, text, names)
        assert set(found_in_english[need]) <= set(names), (code, written, text, names)


async def test_a_resident_whose_telegram_speaks_urdu_searches_in_urdu_too(chat):
    resident = chat.telegram.user("Amina", language_code="ur")
    [reply] = await chat.say(resident, "لیسٹر میں انگریزی کلاس")
    assert card_names(reply)[:1] == ["Belgrave English Classes"]


@pytest.mark.parametrize(("code", "text", "english"), REWRITINGS)
def test_each_language_is_rewritten_into_english_words(code, text, english):
    known_english = STOP_WORDS | {"food", "bank", "doctor", "class", "leicester"}
    rewriting = LanguageReader(default_lexicons()).rewrite(text, lambda word: word in known_english)
    assert (rewriting.text, rewriting.language) == (english, code)


@pytest.mark.parametrize(("code", "written", "need", "text"), FIRST_MESSAGES)
def test_the_language_written_in_is_part_of_what_is_understood(engine, code, written, need, text):
    assert engine.reader.read(text).language == code


def test_a_word_two_languages_share_is_read_but_says_no_language(engine):
    understood = engine.reader.read("قرض")  # "debt" in Urdu and in Arabic
    assert understood.language is None
    assert "debt-advice" in understood.categories


def test_english_is_understood_exactly_as_without_the_languages(engine):
    english_only = SearchEngine.build([], default_taxonomy())
    english_only.reader.languages = LanguageReader([])
    for query in ENGLISH_QUERIES:
        understood = engine.reader.read(query)
        assert understood.language is None, query
        assert asdict(understood) == asdict(english_only.reader.read(query)), query


def test_every_language_file_covers_every_need_with_words_read_as_that_need(engine):
    taxonomy = default_taxonomy()
    need_ids = {category.id for category in taxonomy.categories}
    lexicons = default_lexicons()
    assert {lexicon.code for lexicon in lexicons} == {"ur", "pa", "gu", "pl", "so", "ar"}
    for lexicon in lexicons:
        assert set(lexicon.categories) == need_ids, lexicon.code
        for need, english in lexicon.needs:
            assert need in engine.reader.read(english).categories, (lexicon.code, need, english)


# Words of a language that English has too, meaning something else: kept on purpose.
OWN_WORDS = {("ur", "beta")}  # Urdu for "son"; the taxonomy has it only in "beta blockers"


def test_no_latin_word_of_a_lexicon_is_an_english_word_of_the_taxonomy():
    """A word that is English is no sign of another language, and would be read as English
    anyway: listing it (or a form whose ending comes off to leave it: Polish "renta" is "rent")
    only hides a mistake."""
    english = set(taxonomy_words(default_taxonomy())) | STOP_WORDS
    for lexicon in default_lexicons():
        for keys, meaning in lexicon.entries.items():
            if meaning and len(keys) == 1 and keys[0].isascii() and (lexicon.code, keys[0]) not in OWN_WORDS:
                assert keys[0] not in english, (lexicon.code, keys[0], meaning)


def test_a_mistake_in_a_language_file_is_named(tmp_path):
    path = tmp_path / "ur.toml"
    path.write_text('language = "ur"\nscripts = ["latin"]\n[words]\nfood = ["khana"]\nhelp = ["khana"]\n')
    with pytest.raises(LexiconError, match=re.escape("ur.toml: 'khana' is in both")):
        load_lexicon(path)
    path.write_text('language = "pa"\nscripts = ["latin"]\n')
    with pytest.raises(LexiconError, match="must be the file's name"):
        load_lexicon(path)
    path.write_text('language = "ur"\nscripts = ["cyrillic"]\n')
    with pytest.raises(LexiconError, match="scripts must be"):
        load_lexicon(path)


def test_the_language_files_are_packaged():
    package_data = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"matching/languages/*.toml"' in package_data
