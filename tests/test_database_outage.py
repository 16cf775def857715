"""The database briefly unavailable (PostgreSQL behind a proxy the test cuts): the bot tells the
resident it could not do that, keeps what it had accepted, and recovers by itself."""

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.config import Settings, default_zones
from bot.senders.notices import send_due_notices
from bot.services.events import create_event
from db.models import Rsvp
from tests.conftest import POSTGRES_URL
from tests.conversation import THURSDAY_MORNING, close_conversation, open_conversation
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="cuts a PostgreSQL connection (set PEOPLEZONES_TEST_POSTGRES_URL)"
)


async def test_the_bot_says_so_keeps_what_it_had_and_recovers(sessions, database_url):
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    chat = await open_conversation(
        sessions, database_url, settings=Settings(database_url=through_proxy, zones=default_zones())
    )
    try:
        async with sessions.begin() as session:
            await create_event(session, "Quiz Night", THURSDAY_MORNING.replace(day=28, hour=19, minute=0))
        ann = chat.telegram.user("Ann")
        [listing] = await chat.say(ann, "/whatson")
        [details] = await chat.press(ann, "1 · Quiz Night", listing)
        [going] = await chat.press(ann, "✅ I'm going", details)
        assert "you're going" in going.plain

        await proxy.cut()
        [sorry] = await chat.say(ann, "/whatson")
        assert "can't reach my records" in sorry.plain
        with pytest.raises((OSError, DBAPIError)):  # the sender fails this round; its job runs again
            await send_due_notices(chat.app)

        await proxy.restore()
        [listing] = await chat.say(ann, "/whatson")
        assert "Quiz Night" in listing.plain
        async with sessions() as session:
            assert [r.status for r in await session.scalars(select(Rsvp))] == ["going"]  # kept
        chat.clock.now = THURSDAY_MORNING.replace(day=27, hour=19, minute=0)
        assert (await send_due_notices(chat.app)).sent == 1  # the reminder, once the database is back
    finally:
        await close_conversation(chat)
        await proxy.cut()
