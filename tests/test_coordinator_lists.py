"""Coordinators' lists through the emulation: /myevents by next date, /coordinators without a
stored name, and /review with a numbered button for every asset listed."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.config import Settings, default_zones
from bot.services.events import create_event
from db.models import Asset, Resident, Role
from tests.conversation import close_conversation, open_conversation

LONDON = ZoneInfo("Europe/London")
CORA = 9001  # an admin in the config


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


def labels(message) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


async def test_my_events_are_listed_by_their_next_date(chat, sessions):
    async with sessions.begin() as session:
        # a weekly club that began in the summer is on again tomorrow: before a one-off on Sunday
        await create_event(session, "Litter Pick", local("2026-11-29 10:00"), zone="Leicester West")
        await create_event(
            session, "Youth Club", local("2026-06-05 18:00"), zone="Leicester West", freq="WEEKLY"
        )
        await create_event(session, "Quiz Night", local("2026-11-26 19:00"), zone="Leicester West")
    cora = chat.telegram.user("Cora", user_id=CORA)
    [mine] = await chat.say(cora, "/myevents")
    assert labels(mine) == [
        "Quiz Night · Thu 26 Nov, 19:00",
        "Youth Club · Fri 27 Nov, 18:00",
        "Litter Pick · Sun 29 Nov, 10:00",
    ]


async def test_coordinators_are_told_apart_without_a_stored_name(chat, sessions):
    start = chat.clock()
    async with sessions.begin() as session:
        for telegram_id, zone, joined in (
            (7001, "Rutland", start - timedelta(days=30)),
            (7002, "Melton", start),
        ):
            resident = Resident(telegram_user_id=telegram_id)
            session.add(resident)
            await session.flush()
            session.add(Role(resident_id=resident.id, role="coordinator", zone=zone, granted_at=joined))
    cora = chat.telegram.user("Cora", user_id=CORA)
    [listing] = await chat.say(cora, "/coordinators")
    assert "coordinator 1" not in listing.plain
    assert "1. Coordinator since 27 Oct 2026, 10:30: Rutland" in listing.plain
    assert "2. Coordinator since 26 Nov 2026, 10:30: Melton" in listing.plain
    assert '<a href="tg://user?id=7001">' in listing.source  # a tap shows who it is, in Telegram


async def test_every_asset_on_the_review_list_has_its_own_button(chat, sessions):
    async with sessions.begin() as session:
        for n in range(12):
            session.add(
                Asset(name=f"Melton Group {n:02d}", source="test", external_id=f"mg-{n}", zone="Melton")
            )
    cora = chat.telegram.user("Cora", user_id=CORA)
    replies = await chat.say(cora, "/review")
    assert len(replies) == 1  # one list, not ten cards of which only the last could be pressed
    [listing] = replies
    assert len(labels(listing)) == 11 and labels(listing)[-1] == "More ▶"
    assert [label.split(" · ")[0] for label in labels(listing)[:-1]] == [str(n) for n in range(1, 11)]
    for n, label in enumerate(labels(listing)[:-1], start=1):
        name = label.split(" · ", 1)[1]
        assert f"{n}. {name}\n" in listing.plain
        [card] = await chat.press(cora, label, listing)
        assert card.plain.split("\n")[0] == name and labels(card) == ["✅ Still correct", "✏️ Edit"]
    [card] = await chat.press(cora, labels(listing)[3], listing)
    name = card.plain.split("\n")[0]
    [done] = await chat.press(cora, "✅ Still correct", card)
    assert f"{name}: marked as checked today" in done.plain
    async with sessions() as session:
        checked = await session.scalar(select(Asset).where(Asset.name == name))
    assert checked.last_verified is not None
