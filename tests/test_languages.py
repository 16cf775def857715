"""The bot in each language it speaks, as a resident meets it through Telegram: the welcome, a
search with results and details, the safety reply, volunteering, and choosing a language with
/language. What is expected is the catalogue's text (bot.messages in that language), never a
string written here, and it must differ from the English."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from bot import messages as m
from bot.i18n.current import speaking
from bot.i18n.languages import ENGLISH, spoken
from db.models import Resident
from tests.conversation import close_conversation, open_conversation

LANGUAGES = [code for code in spoken() if code != ENGLISH]
_TAG = re.compile(r"<[^>]+>")


def shown(text: str) -> str:
    """What a person reads of a message written in Telegram HTML."""
    return html.unescape(_TAG.sub("", text))


def said(code: str, name: str, **values: object) -> str:
    """The message NAME in language CODE, as the person reads it (its first line, where a message
    has values put into it after the first line, is enough to recognise it)."""
    with speaking(code):
        text = getattr(m, name)
    text = text.format(**values) if values else text
    return shown(text)


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].split("{", 1)[0].strip()


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url)
    yield conversation
    await close_conversation(conversation)


@pytest.mark.parametrize("code", LANGUAGES)
async def test_a_resident_is_welcomed_and_searches_in_their_telegrams_language(chat, code):
    person = chat.telegram.user(f"Resident {code}", language_code=code)
    welcome, menu = await chat.say(person, "/start")
    assert welcome.plain == said(code, "WELCOME") != said(ENGLISH, "WELCOME")
    assert menu.plain.startswith(said(code, "ASK_NEED"))
    [results] = await chat.say(person, "food bank")
    with speaking(code):
        header, details, more = first_line(m.RESULTS_HEADER), m.BUTTON_DETAILS.format(n=1), m.BUTTON_MORE
    assert results.plain.startswith(shown(header)) and header != first_line(m.RESULTS_HEADER)
    labels = [label for row in results.buttons for label, _ in row]
    assert details in labels and more in labels
    [card] = await chat.press(person, details, results)
    with speaking(code):
        report_change = m.BUTTON_REPORT_CHANGE
    assert report_change in [label for row in card.buttons for label, _ in row]


@pytest.mark.parametrize("code", LANGUAGES)
async def test_the_safety_reply_is_in_their_language_with_the_numbers_and_interpreters(chat, code):
    person = chat.telegram.user(f"Someone {code}", language_code=code)
    [help_message, *_] = await chat.say(person, "i want to kill myself")
    with speaking(code):
        title = shown(m.SAFETY_TITLE["self-harm"]).split("\n")[0]
        interpreter = shown(m.SAFETY_INTERPRETER).strip()
    plain = re.sub("[\u2066-\u2069]", "", help_message.plain)
    assert re.sub("[\u2066-\u2069]", "", title) in plain
    assert "116 123" in plain and "85258" in plain
    assert re.sub("[\u2066-\u2069]", "", interpreter) in plain


@pytest.mark.parametrize("code", LANGUAGES)
async def test_a_volunteer_offers_help_in_their_language(chat, code):
    person = chat.telegram.user(f"Volunteer {code}", language_code=code)
    [ask] = await chat.say(person, "/volunteer")
    assert ask.plain == said(code, "VOLUNTEER_ASK_OFFER") != said(ENGLISH, "VOLUNTEER_ASK_OFFER")


async def kept_language(sessions, telegram_user_id: int) -> str | None:
    async with sessions() as session:
        return await session.scalar(
            select(Resident.language).where(Resident.telegram_user_id == telegram_user_id)
        )


async def test_language_lists_each_language_in_its_own_name_and_keeps_the_choice(chat, sessions):
    """Someone whose Telegram is in English chooses Polish: everything after is in Polish, and it
    is kept; a forged language changes nothing."""
    ann = chat.telegram.user("Ann")
    [choose] = await chat.say(ann, "/language")
    labels = [label for row in choose.buttons for label, _ in row]
    assert labels[0] == "English" and {"Polski", "اردو", "ਪੰਜਾਬੀ", "ગુજરાતી", "Soomaali", "العربية"} <= set(
        labels
    )
    done, menu = await chat.press(ann, "Polski", choose)
    assert done.plain == said("pl", "LANGUAGE_SET") != said(ENGLISH, "LANGUAGE_SET")
    assert menu.plain.startswith(said("pl", "ASK_NEED"))
    [helped] = await chat.say(ann, "/volunteer")
    assert helped.plain == said("pl", "VOLUNTEER_ASK_OFFER")
    async with sessions() as session:
        assert (
            await session.scalar(select(Resident.language).where(Resident.telegram_user_id == ann.id)) == "pl"
        )
    [stale] = await chat.act(ann, ann.press_data("lg:xx", choose))
    assert stale.plain == said("pl", "STALE_BUTTON")
    async with sessions() as session:
        assert (
            await session.scalar(select(Resident.language).where(Resident.telegram_user_id == ann.id)) == "pl"
        )


async def test_a_language_the_bot_does_not_speak_gets_english(chat):
    person = chat.telegram.user("Amélie", language_code="fr")
    welcome, _ = await chat.say(person, "/start")
    assert welcome.plain == said(ENGLISH, "WELCOME")


async def test_danger_written_in_another_language_gets_the_help_in_that_language(chat):
    """A new resident whose Telegram is in English writes in Polish that they want to die: the
    help comes in Polish, with every number and the interpreter line."""
    ann = chat.telegram.user("Ann")
    [help_message, *_] = await chat.say(ann, "chcę się zabić")
    with speaking("pl"):
        title = shown(m.SAFETY_TITLE["self-harm"]).split("\n")[0]
        interpreter = shown(m.SAFETY_INTERPRETER).strip()
    assert title in help_message.plain and interpreter in help_message.plain
    assert "116 123" in help_message.plain and "85258" in help_message.plain
    [reply] = await chat.say(ann, "food bank")  # and then the bot speaks to them as before
    assert reply.plain.startswith(said(ENGLISH, "RESULTS_HEADER", query="food bank").split("food bank")[0])
