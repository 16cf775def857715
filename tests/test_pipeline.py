"""The update pipeline: what a person is in the middle of lives in the database, so a restart or
another process carries on; an update delivered twice is answered once; a failed update keeps
nothing (bot.pipeline)."""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import stop_bot
from bot.emulation import deliver
from bot.matching.engine import Hit
from bot.pipeline import codec
from bot.services.residents import Area
from db.models import ConversationState, Resident
from tests.conftest import POSTGRES_URL
from tests.conversation import close_conversation, open_conversation, second_app


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url)
    yield conversation
    await close_conversation(conversation)


async def restart(chat) -> None:
    """Stop the bot and start a new process on the same database and Telegram."""
    await close_conversation(chat)
    chat.app = await second_app(chat.settings, chat.telegram, chat.clock)


async def stored_state(sessions, user_id: int) -> dict:
    async with sessions() as session:
        row = await session.get(ConversationState, user_id)
        return codec.decode(row.data) if row is not None and row.data else {}


async def test_a_question_asked_before_a_restart_is_answered_after_it(chat, sessions):
    ann = chat.telegram.user("Ann")
    [question] = await chat.say(ann, "/area")
    assert question.plain.startswith("Where are you?")
    await restart(chat)
    replies = await chat.say(ann, "Oakham")  # an answer, not a search for "Oakham"
    assert "I'll remember" in replies[0].plain
    async with sessions() as session:
        assert (await session.scalars(select(Resident.zone))).one() == "Rutland"


async def test_a_state_with_nothing_left_in_it_is_stored_as_nothing(chat, sessions):
    """SQL NULL, not the JSON value null: a row that only says which updates were handled is not
    something the bot holds about the person (/mydata reads it so)."""
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/area")
    async with sessions() as session:
        assert await session.scalar(select(ConversationState.data).where(ConversationState.data.is_not(None)))
    await chat.say(ann, "/cancel")
    async with sessions() as session:
        row = await session.scalar(
            select(ConversationState.telegram_user_id).where(ConversationState.data.is_(None))
        )
        assert row == ann.id


async def test_search_pages_work_after_a_restart(chat):
    ann = chat.telegram.user("Ann")
    [first] = await chat.say(ann, "food bank")
    await restart(chat)
    [edited] = await chat.press(ann, "More ▶", first)
    assert edited.message_id == first.message_id and "4 · Details" in [
        t for r in edited.buttons for t, _ in r
    ]
    [details] = await chat.press(ann, "4 · Details", edited)
    assert details.plain.startswith("Braunstone Community Larder")


async def test_an_update_delivered_twice_is_answered_once(chat, sessions):
    ann = chat.telegram.user("Ann")
    update = ann.send("food bank")
    assert len(await chat.act(ann, update)) == 1
    kept = await stored_state(sessions, ann.id)
    assert await chat.act(ann, update) == []  # Telegram sent it again: not acted on twice
    assert await stored_state(sessions, ann.id) == kept
    assert len(await chat.say(ann, "food bank")) == 1  # the next one is answered as usual


async def test_a_failed_update_keeps_nothing_and_the_question_stays_open(chat, sessions, monkeypatch):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/area")

    async def broken(*_args, **_kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("bot.handlers.conversation.save_area", broken)
    [sorry] = await chat.say(ann, "Oakham")
    assert "went wrong" in sorry.plain
    assert (await stored_state(sessions, ann.id)).get("awaiting_area")  # still asked
    monkeypatch.undo()
    replies = await chat.say(ann, "Oakham")
    assert "I'll remember" in replies[0].plain


async def test_nothing_is_kept_in_the_process_between_updates(chat, sessions):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "food bank")
    assert dict(chat.app.user_data) == {}
    assert "searches" in await stored_state(sessions, ann.id)


@dataclass
class NotOurs:
    value: int


def test_the_codec_keeps_what_handlers_keep_and_builds_only_our_own_classes():
    when = datetime(2026, 12, 4, 22, 30, tzinfo=UTC)
    kept = {
        "searches": OrderedDict([(3, Hit(7, "x-7", "Food Bank", 0.9, ("need: food",), 1.5))]),
        "area": Area("LE15", "LE15", "Rutland", None),
        "at": when,
        "ids": (1, 2),
        "~odd key": {4: "four"},
        "nothing": None,
    }
    stored = codec.encode(kept)
    assert codec.decode(stored) == kept
    assert isinstance(codec.decode(stored)["searches"], OrderedDict)
    with pytest.raises(TypeError):
        codec.encode({"x": NotOurs(1)})  # defined in tests, not the bot
    with pytest.raises(TypeError):
        codec.encode({"x": {1, 2}})
    forged = {"~data": "subprocess:Popen", "fields": {"args": ["true"]}}
    with pytest.raises(codec.StateError):
        codec.decode(forged)
    with pytest.raises(codec.StateError):
        codec.decode({"~data": "bot.pipeline.codec:StateError", "fields": {}})  # not a dataclass


@pytest.mark.skipif(not POSTGRES_URL, reason="workers side by side need PostgreSQL")
async def test_one_persons_updates_are_handled_one_at_a_time_across_processes(chat, sessions):
    other = await second_app(chat.settings, chat.telegram, chat.clock)
    try:
        ann = chat.telegram.user("Ann")
        updates = [ann.send(f"food bank {n}") for n in range(12)]
        apps = [chat.app, other]
        await asyncio.gather(*(deliver(apps[n % 2], update) for n, update in enumerate(updates)))
        kept = await stored_state(sessions, ann.id)
        assert kept["next_search"] == 13  # every update saw the one before it: none lost
        assert len(kept["searches"]) == 5
        async with sessions() as session:
            row = await session.get(ConversationState, ann.id)
        assert len(row.handled) == 12
    finally:
        await stop_bot(other)
