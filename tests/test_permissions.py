"""Every coordinator and admin command and button, tried by a resident (and forged buttons with
real ids): each gets a polite refusal, and nothing in the database changes."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.config import Settings, default_zones
from bot.services.events import create_event
from db.models import Asset, AssetReport, Broadcast, Delivery, Event, Invite, Role, Volunteer
from tests.conversation import close_conversation, open_conversation

ADMIN = 9001
COORDINATOR_COMMANDS = [
    "/newevent", "/myevents", "/broadcast", "/pending", "/opportunity", "/reports", "/review",
    "/addasset", "/gaps", "/stats", "/invite", "/coordinators",
]  # fmt: skip
REFUSALS = ("only", "old message")  # "for coordinators only", "for admins only", or a stale button


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(ADMIN,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def snapshot(sessions) -> dict[str, int]:
    tables = (Asset, AssetReport, Broadcast, Delivery, Event, Invite, Role, Volunteer)
    async with sessions() as session:
        counts = {t.__tablename__: await session.scalar(select(func.count()).select_from(t)) for t in tables}
        events = [(e.status, e.title, e.starts_at) for e in await session.scalars(select(Event))]
        assets = [(a.name, a.phone, a.last_verified) for a in await session.scalars(select(Asset))]
    return counts | {"events": hash(tuple(events)), "assets": hash(tuple(assets))}


@pytest.mark.parametrize("command", COORDINATOR_COMMANDS)
async def test_a_resident_typing_a_coordinator_command_is_refused(chat, sessions, command):
    ann = chat.telegram.user("Ann")
    before = await snapshot(sessions)
    replies = await chat.say(ann, command)
    assert replies and any(word in replies[0].plain for word in REFUSALS)
    assert await snapshot(sessions) == before


async def test_every_coordinator_button_forged_by_a_resident_changes_nothing(chat, sessions):
    async with sessions.begin() as session:
        event = await create_event(
            session,
            "Litter Pick",
            datetime(2026, 11, 28, 10, tzinfo=UTC),
            zone="Leicester West",
            freq="WEEKLY",
        )
        asset_id = await session.scalar(select(Asset.id).limit(1))
    minutes = int(event.starts_at.timestamp() // 60)
    actions = ("time", "place", "title", "about", "places", "dates", "cancel", "confirm", "qr")
    forged = [
        f"em:{event.id}", *(f"ex:{a}:{event.id}" for a in actions), f"ed:{event.id}:{minutes}",
        "ne:publish", "ne:60", "bk:all", "bg:1", "bz:0", "bs:send", "bx:1",
        "iz:0", "iz:1", "rc:1", "ri:1", "rp:g:7", "rp:s:30", "uh:done:1",
        f"uv:{asset_id}", f"ue:{asset_id}", f"uf:phone:{asset_id}", "ua:save", f"ur:0:{asset_id}",
        "vc:approve:1", "vc:decline:1", "oc:approve:1", "oc:decline:1", "oa:",
    ]  # fmt: skip
    ann = chat.telegram.user("Ann")
    [menu] = await chat.say(ann, "/menu")
    before = await snapshot(sessions)
    for data in forged:
        replies = await chat.act(ann, ann.press_data(data, menu))
        assert replies, data
        assert any(word in replies[0].plain for word in REFUSALS), (data, replies[0].plain)
    assert await snapshot(sessions) == before
