"""Announcements through the emulation: compose, preview with the count, send once to each
recipient through blocked users, 429s and timeouts, stop half-way, resume after a crash, opt-outs,
and two senders on one database."""

import asyncio

import pytest
from sqlalchemy import select, update

from bot.app import stop_bot
from bot.config import Settings, default_zones
from bot.context import KEY
from bot.handlers.broadcasts import BroadcastZone, StopSending
from bot.senders.announcements import send_due_deliveries
from db.models import Delivery, Resident, Role, Volunteer
from tests.conversation import close_conversation, open_conversation, second_app

CORA = 9001  # an admin


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def neighbours(chat, names, area="LE3", news=True):
    """Residents who set their area and (by default) asked for local news in /settings."""
    users = []
    for name in names:
        user = chat.telegram.user(name)
        await chat.say(user, "/area")
        await chat.say(user, area)
        if news:
            [panel] = await chat.say(user, "/settings")
            await chat.press(user, "📣 Send me local news", panel)
        users.append(user)
    return users


async def compose(chat, cora, text="Bin collections move to Wednesday next week.", where="Leicester West"):
    await chat.say(cora, "/broadcast")
    [who] = await chat.say(cora, text)
    [zones] = await chat.press(cora, "Everyone who asked for local news", who)
    return await chat.press(cora, where, zones)


def received(chat, user, mark):
    return [
        m for m in chat.telegram.bot_messages_since(user, mark) if "News from your People Zone" in m.plain
    ]


async def test_compose_preview_send_and_every_recipient_gets_it_once(chat, sessions):
    ann, bob, cat = await neighbours(chat, ["Ann", "Bob", "Cat"])
    [dan] = await neighbours(chat, ["Dan"], area="LE4")  # another zone
    [eve] = await neighbours(chat, ["Eve"], news=False)  # never asked for news
    cora = chat.telegram.user("Cora", user_id=CORA)
    preview, confirm = await compose(chat, cora)
    assert "Bin collections move to Wednesday" in preview.plain and "Stop these messages" in str(
        preview.buttons
    )
    assert "It goes to 3 people" in confirm.plain
    mark = chat.telegram.mark()
    [status] = await chat.press(cora, "📣 Send it", confirm)
    report = await send_due_deliveries(chat.app)
    assert report.sent == 3
    assert [len(received(chat, u, mark)) for u in (ann, bob, cat, dan, eve)] == [1, 1, 1, 0, 0]
    assert (await send_due_deliveries(chat.app)).sent == 0  # once
    final = chat.telegram.last_bot_message(cora)
    assert final.message_id == status.message_id and "Sent to 3 of 3 people" in final.plain


async def test_blocked_flooded_and_timed_out_recipients(chat, sessions):
    ann, bob, cat, dan = await neighbours(chat, ["Ann", "Bob", "Cat", "Dan"])
    cora = chat.telegram.user("Cora", user_id=CORA)
    _, confirm = await compose(chat, cora)
    bob.block_bot()
    chat.telegram.faults.fail_next("sendMessage", "retry_after", chat=ann, retry_after=2)
    chat.telegram.faults.fail_next("sendMessage", "timeout", chat=cat, delivered=True)
    chat.telegram.faults.fail_next("sendMessage", "network", chat=dan)
    mark = chat.telegram.mark()
    await chat.press(cora, "📣 Send it", confirm)
    report = await send_due_deliveries(chat.app)
    assert (report.sent, report.failed, report.unknown, report.retry_later) == (1, 1, 1, 1)
    assert report.waited_for_429 == 1
    assert "1 sent, 1 could not be reached, 1 to go" in chat.telegram.last_bot_message(cora).plain
    chat.clock.advance(seconds=31)
    assert (await send_due_deliveries(chat.app)).sent == 1  # Dan, after the backoff
    assert [len(received(chat, u, mark)) for u in (ann, bob, cat, dan)] == [1, 0, 1, 1]
    final = chat.telegram.last_bot_message(cora).plain
    assert "Sent to 2 of 4" in final and "1 could not be reached" in final and "1 may or may not" in final
    async with sessions() as session:
        blocked = await session.scalar(select(Resident).where(Resident.telegram_user_id == bob.id))
    assert blocked.unreachable_since is not None  # never tried again
    _, confirm = await compose(chat, cora, text="Second notice")
    assert "It goes to 3 people" in confirm.plain


async def test_stop_while_sending_and_resume_after_a_crash(chat, sessions):
    users = await neighbours(chat, [f"N{n}" for n in range(6)])
    cora = chat.telegram.user("Cora", user_id=CORA)
    _, confirm = await compose(chat, cora)
    mark = chat.telegram.mark()
    await chat.press(cora, "📣 Send it", confirm)
    # a crash: one delivery claimed and never started, one caught mid-send (it did arrive)
    async with sessions.begin() as session:
        first, second, *_ = list(await session.scalars(select(Delivery).order_by(Delivery.id)))
        lease_gone = chat.clock.now.replace(year=2025)
        await session.execute(update(Delivery).where(Delivery.id == first.id).values(
            status="claimed", claimed_by="dead", claimed_at=lease_gone))  # fmt: skip
        await session.execute(update(Delivery).where(Delivery.id == second.id).values(
            status="sending", claimed_by="dead", claimed_at=lease_gone))  # fmt: skip
    # ... and the crashed process had delivered the second one before dying
    second_user_id = await _telegram_id(sessions, second.resident_id)
    await chat.app.bot.send_message(second_user_id, "📣 <b>News from your People Zone</b>", parse_mode="HTML")
    restarted = await second_app(chat.app.bot_data[KEY].settings, chat.telegram, chat.clock)
    try:
        report = await send_due_deliveries(restarted)
    finally:
        await stop_bot(restarted)
    assert (report.sent, report.unknown) == (5, 1)
    assert all(len(received(chat, u, mark)) == 1 for u in users)  # nobody twice, nobody missed

    _, confirm = await compose(chat, cora, text="Another")
    await chat.press(cora, "📣 Send it", confirm)
    status = chat.telegram.last_bot_message(cora)
    [stopped] = await chat.press(cora, "⏹ Stop sending", status)
    assert "Stopped. 0 of 6 people got it; 6 were not sent it" in stopped.plain
    assert (await send_due_deliveries(chat.app)).sent == 0
    [over] = await chat.act(cora, cora.press_data(StopSending(2).data, status))
    assert "already finished or been stopped" in over.plain


async def _telegram_id(sessions, resident_id):
    async with sessions() as session:
        return (await session.get(Resident, resident_id)).telegram_user_id


async def test_opt_out_from_the_announcement_and_settings(chat, sessions):
    ann, bob = await neighbours(chat, ["Ann", "Bob"])
    cora = chat.telegram.user("Cora", user_id=CORA)
    _, confirm = await compose(chat, cora)
    mark = chat.telegram.mark()
    await chat.press(cora, "📣 Send it", confirm)
    await send_due_deliveries(chat.app)
    [notice] = received(chat, ann, mark)
    [okay] = await chat.press(ann, "Stop these messages", notice)
    assert "no more news" in okay.plain
    _, confirm = await compose(chat, cora, text="Second")
    assert "It goes to 1 person:" in confirm.plain
    [panel] = await chat.say(bob, "/settings")
    assert "News from your People Zone: on" in panel.plain
    [redrawn] = await chat.press(bob, "🔇 No local news", panel)
    assert redrawn.message_id == panel.message_id and "News from your People Zone: off" in redrawn.plain


async def test_audiences_volunteers_interests_and_zone_coordinators(chat, sessions):
    ann, bob = await neighbours(chat, ["Ann", "Bob"])
    [vic] = await neighbours(chat, ["Vic"], news=False)
    async with sessions.begin() as session:
        resident = await session.scalar(select(Resident).where(Resident.telegram_user_id == vic.id))
        session.add(Volunteer(resident_id=resident.id, status="approved"))
        zoe = Resident(telegram_user_id=7001)
        session.add(zoe)
        await session.flush()
        session.add(Role(resident_id=zoe.id, role="coordinator", zone="Leicester West"))
    [panel] = await chat.say(bob, "/settings")
    await chat.press(bob, "Young people", panel)
    zoe_user = chat.telegram.user("Zoe", user_id=7001)
    await chat.say(zoe_user, "/broadcast")
    [who] = await chat.say(zoe_user, "Volunteers needed for Saturday")
    [where] = await chat.press(zoe_user, "Volunteers", who)
    assert [label for row in where.buttons for label, _ in row] == ["All my zones", "Leicester West"]
    _, confirm = await chat.press(zoe_user, "All my zones", where)
    assert "It goes to 1 person:" in confirm.plain  # Vic: a volunteer who never said no
    await chat.say(zoe_user, "/broadcast")
    [who] = await chat.say(zoe_user, "Youth club needs you")
    [groups] = await chat.press(zoe_user, "People interested in…", who)
    [where] = await chat.press(zoe_user, "Young people", groups)
    _, confirm = await chat.press(zoe_user, "Leicester West", where)
    assert "It goes to 1 person:" in confirm.plain  # Bob
    # a forged zone index beyond hers, and a resident trying to compose
    [stale] = await chat.act(zoe_user, zoe_user.press_data(BroadcastZone(7).data, confirm))
    assert "old message" in stale.plain
    [refused] = await chat.say(ann, "/broadcast")
    assert "coordinators only" in refused.plain
    [refused] = await chat.act(ann, ann.press_data(StopSending(1).data, refused))
    assert "old message" in refused.plain or "coordinators only" in refused.plain


async def test_two_senders_on_one_database_never_send_the_same_delivery(chat, sessions):
    users = await neighbours(chat, [f"N{n}" for n in range(40)])
    cora = chat.telegram.user("Cora", user_id=CORA)
    _, confirm = await compose(chat, cora)
    mark = chat.telegram.mark()
    await chat.press(cora, "📣 Send it", confirm)
    other = await second_app(chat.app.bot_data[KEY].settings, chat.telegram, chat.clock)
    try:
        one, two = await asyncio.gather(
            send_due_deliveries(chat.app, worker="one"), send_due_deliveries(other, worker="two")
        )
    finally:
        await stop_bot(other)
    assert one.sent + two.sent == 40
    assert all(len(received(chat, u, mark)) == 1 for u in users)
