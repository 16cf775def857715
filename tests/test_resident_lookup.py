"""The person behind an update is looked up in the database once for the whole update, however
many handlers and services need them (bot.services.residents.resident_of), and never remembered
past it: what one update changes, the next one sees."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bot.services.events import create_event
from bot.services.privacy import forget_person
from bot.services.residents import resident_for, resident_of
from db.models import Resident, Role
from tests.conversation import close_conversation, open_conversation

RESIDENTS = re.compile(r"\bresidents\b", re.IGNORECASE)
ALERTS_ON = "🔔 Tell me about new events near me"


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url)
    yield conversation
    await close_conversation(conversation)


@contextmanager
def resident_selects(engine) -> Iterator[list[str]]:
    """The SELECTs that read the residents table, sent to ENGINE while this lasts."""
    seen: list[str] = []

    def statement(_conn, _cursor, sql: str, *_rest) -> None:
        if sql.lstrip().upper().startswith("SELECT") and RESIDENTS.search(sql):
            seen.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", statement)


async def saved_resident(chat, name: str, user_id: int):
    """A person who saved their area, and has done nothing else today."""
    user = chat.telegram.user(name, user_id=user_id)
    await chat.say(user, "/area")
    saved, *_ = await chat.say(user, "Oakham")
    assert "I'll remember" in saved.plain
    chat.clock.advance(days=1)  # a new day: the update also notes that they were here
    return user


def shown(reply) -> str:
    """A reply's text and the labels of its buttons."""
    return " ".join([reply.plain, *(label for row in reply.buttons for label, _ in row)])


@pytest.mark.parametrize(
    ("command", "answer"),
    [("/whatson", "Coffee Morning"), ("/settings", "Your settings"), ("/myevents", "Coffee Morning")],
)
async def test_one_update_reads_the_residents_table_once(chat, sessions, command, answer):
    async with sessions.begin() as session:
        starts = chat.clock() + timedelta(days=3)
        await create_event(session, "Coffee Morning", starts, venue="Hall", zone="Rutland")
    ann = await saved_resident(chat, "Ann", 4101)
    async with sessions.begin() as session:  # a coordinator: /myevents asks for her zones twice
        me = await session.scalar(select(Resident).where(Resident.telegram_user_id == ann.id))
        session.add(Role(resident_id=me.id, role="coordinator", zone="Rutland"))
    with resident_selects(chat.app.bot_data["database"]) as seen:
        replies = await chat.say(ann, command)
    assert answer in shown(replies[0])
    assert len(seen) == 1, seen
    async with sessions() as session:  # and the lookup served the one write it needed too
        stored = await session.scalar(select(Resident).where(Resident.telegram_user_id == ann.id))
    assert stored.last_seen_at.date() == chat.clock().date()


async def test_what_one_update_changes_the_next_one_sees(chat):
    ann = await saved_resident(chat, "Ann", 4102)
    [listing] = await chat.say(ann, "/whatson")
    assert ALERTS_ON in shown(listing)
    await chat.press(ann, ALERTS_ON, listing)  # one update turns the alerts on...
    [listing] = await chat.say(ann, "/whatson")  # ...and the next one knows
    assert ALERTS_ON not in shown(listing)
    [question] = await chat.say(ann, "/forget")
    await chat.press(ann, "Yes, delete everything", question)  # erased in one update...
    [settings] = await chat.say(ann, "/settings")  # ...and a stranger in the next
    assert "Area: not set" in settings.plain


async def test_a_session_knows_who_it_created_and_erased_and_forgets_at_its_end(sessions):
    """Services that create or erase a resident keep the lookup right; a session that lives on
    (a timed job's) asks again in its next transaction."""
    async with sessions() as session:
        with resident_selects(sessions.kw["bind"]) as seen:
            assert await resident_of(session, 77) is None
            created = await resident_for(session, 77)
            created.zone = "Rutland"
            await session.flush()  # a write in the same transaction keeps what was looked up
            assert await resident_of(session, 77) is created  # created in this transaction: found
        assert len(seen) == 1, seen
        await forget_person(session, 77)
        assert await resident_of(session, 77) is None  # erased in it: gone
        assert await resident_of(session, 78) is None
        await session.commit()
        async with sessions.begin() as other:
            await resident_for(other, 78)  # saved by another process
        found = await resident_of(session, 78)  # this session's next transaction sees it
        assert found is not None and found.telegram_user_id == 78
