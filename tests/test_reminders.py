"""Reminders as rows: right local times across a clock change, a restart with pending and overdue
reminders, a crash mid-send, Telegram failing, and two schedulers on one database."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.app import stop_bot
from bot.context import KEY
from bot.senders.notices import send_due_notices
from bot.services.events import create_event, rsvp
from bot.services.outbox import CLAIM_LEASE
from db.models import Reminder
from tests.conversation import close_conversation, open_conversation, second_app

LONDON = ZoneInfo("Europe/London")
OFFSETS = (1440, 120)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url)
    yield conversation
    await close_conversation(conversation)


async def going(sessions, users, event_id, starts_at, now):
    async with sessions.begin() as session:
        for user in users:
            assert await rsvp(session, user.id, event_id, starts_at, OFFSETS, now, LONDON) == "going"


async def statuses(sessions) -> list[str]:
    async with sessions() as session:
        return sorted(r.status for r in await session.scalars(select(Reminder)))


async def test_reminders_keep_local_time_across_the_spring_clock_change(chat, sessions):
    chat.clock.now = local("2027-03-20 09:00")
    async with sessions.begin() as session:
        # Sundays at 10:00; the clocks go forward at 01:00 on Sunday 28 March 2027
        event = await create_event(session, "Sunday Walk", local("2027-03-21 10:00"), freq="WEEKLY")
    ann = chat.telegram.user("Ann")
    await going(sessions, [ann], event.id, local("2027-03-28 10:00"), chat.clock.now)
    async with sessions() as session:
        due = sorted(r.due_at for r in await session.scalars(select(Reminder)))
    # the day before at 10:00 GMT, and two hours before at 08:00 BST: both as the clock shows
    assert [d.astimezone(LONDON).strftime("%a %d %H:%M %Z") for d in due] == [
        "Sat 27 10:00 GMT",
        "Sun 28 08:00 BST",
    ]
    assert due[1] - due[0] == timedelta(hours=21)  # one hour of the night is skipped
    chat.clock.now = local("2027-03-27 09:59")
    assert (await send_due_notices(chat.app)).sent == 0
    chat.clock.now = local("2027-03-27 10:00")
    assert (await send_due_notices(chat.app)).sent == 1
    chat.clock.now = local("2027-03-28 08:00")
    mark = chat.telegram.mark()
    assert (await send_due_notices(chat.app)).sent == 1
    [reminder] = chat.telegram.bot_messages_since(ann, mark)
    assert "Sun 28 Mar, 10:00" in reminder.plain


async def test_a_restart_sends_what_fell_due_drops_what_started_and_keeps_the_rest(
    chat, sessions, database_url
):
    async with sessions.begin() as session:
        early = await create_event(session, "Coffee Morning", local("2026-11-27 10:00"))
        late = await create_event(session, "Quiz Night", local("2026-11-28 19:00"))
    ann = chat.telegram.user("Ann")
    await going(sessions, [ann], early.id, local("2026-11-27 10:00"), chat.clock.now)
    await going(sessions, [ann], late.id, local("2026-11-28 19:00"), chat.clock.now)
    await stop_bot(chat.app)  # the bot goes down on Thursday morning ...
    chat.clock.now = local("2026-11-27 18:00")  # ... and comes back on Friday evening
    app = await second_app(chat.app.bot_data[KEY].settings, chat.telegram, chat.clock)
    chat.app = app
    mark = chat.telegram.mark()
    report = await send_due_notices(app)  # what the start-up job does first
    # Coffee Morning: its two-hours-before reminder fell due while down and it has begun: dropped,
    # not sent late (the day-before one had passed when Ann said she was going, so it never was).
    # Quiz Night: its reminders (Fri 19:00, Sat 17:00) are not due yet.
    assert report.sent == 0
    assert await statuses(sessions) == ["dropped", "pending", "pending"]
    chat.clock.now = local("2026-11-27 19:00")
    assert (await send_due_notices(app)).sent == 1
    [reminder] = chat.telegram.bot_messages_since(ann, mark)
    assert "Quiz Night" in reminder.plain


async def test_an_overdue_reminder_is_still_sent_if_the_event_has_not_begun(chat, sessions):
    async with sessions.begin() as session:
        event = await create_event(session, "Quiz Night", local("2026-11-28 19:00"))
    ann = chat.telegram.user("Ann")
    await going(sessions, [ann], event.id, local("2026-11-28 19:00"), chat.clock.now)
    chat.clock.now = local("2026-11-28 18:30")  # down through both reminders, back before it starts
    mark = chat.telegram.mark()
    assert (await send_due_notices(chat.app)).sent == 2
    assert len(chat.telegram.bot_messages_since(ann, mark)) == 2


async def test_a_crash_mid_send_never_repeats_and_a_dead_claim_is_taken_up(chat, sessions):
    async with sessions.begin() as session:
        event = await create_event(session, "Quiz Night", local("2026-11-28 19:00"))
    ann, bob = chat.telegram.user("Ann"), chat.telegram.user("Bob")
    await going(sessions, [ann, bob], event.id, local("2026-11-28 19:00"), chat.clock.now)
    chat.clock.now = local("2026-11-27 19:00")
    claimed_at = chat.clock.now - CLAIM_LEASE - timedelta(seconds=1)
    async with sessions.begin() as session:
        rows = list(await session.scalars(select(Reminder).where(Reminder.due_at <= chat.clock.now)))
        ann_row, bob_row = sorted(rows, key=lambda r: r.resident_id)
        # a process died after marking Ann's reminder `sending` (it may have reached her) and
        # after claiming Bob's but before sending it
        await session.execute(
            update(Reminder).where(Reminder.id == ann_row.id)
            .values(status="sending", claimed_by="dead", claimed_at=claimed_at)
        )  # fmt: skip
        await session.execute(
            update(Reminder).where(Reminder.id == bob_row.id)
            .values(status="claimed", claimed_by="dead", claimed_at=claimed_at)
        )  # fmt: skip
    mark = chat.telegram.mark()
    report = await send_due_notices(chat.app)
    assert (report.sent, report.unknown) == (1, 1)
    assert chat.telegram.bot_messages_since(ann, mark) == []
    assert len(chat.telegram.bot_messages_since(bob, mark)) == 1


async def test_telegram_failures_blocked_flood_timeout_and_bad_gateway(chat, sessions):
    async with sessions.begin() as session:
        event = await create_event(session, "Quiz Night", local("2026-11-28 19:00"))
    ann, bob, cat, dan = (chat.telegram.user(n) for n in ("Ann", "Bob", "Cat", "Dan"))
    await going(sessions, [ann, bob, cat, dan], event.id, local("2026-11-28 19:00"), chat.clock.now)
    chat.clock.now = local("2026-11-27 19:00")
    bob.block_bot()
    chat.telegram.faults.fail_next("sendMessage", "retry_after", chat=ann, retry_after=3)
    chat.telegram.faults.fail_next("sendMessage", "timeout", chat=cat, delivered=True)
    chat.telegram.faults.fail_next("sendMessage", "bad_gateway", chat=dan)
    mark = chat.telegram.mark()
    report = await send_due_notices(chat.app)
    assert (report.sent, report.failed, report.unknown, report.retry_later) == (1, 1, 1, 1)
    assert report.waited_for_429 == 1
    assert len(chat.telegram.bot_messages_since(ann, mark)) == 1  # after waiting as asked
    assert len(chat.telegram.bot_messages_since(cat, mark)) == 1  # arrived; the bot can't know
    assert chat.telegram.bot_messages_since(dan, mark) == []
    chat.clock.advance(seconds=31)  # the retry after a bad gateway
    report = await send_due_notices(chat.app)
    assert report.sent == 1 and len(chat.telegram.bot_messages_since(dan, mark)) == 1
    async with sessions() as session:
        bob_rows = list(await session.scalars(select(Reminder).where(Reminder.status == "failed")))
    assert len(bob_rows) == 2  # blocked: this one and the two-hours-before one, never tried again
    chat.clock.now = local("2026-11-28 17:00")
    mark = chat.telegram.mark()
    await send_due_notices(chat.app)
    assert chat.telegram.bot_messages_since(bob, mark) == []
    assert {len(chat.telegram.bot_messages_since(u, mark)) for u in (ann, cat, dan)} == {1}


async def test_two_schedulers_on_one_database_send_each_reminder_once(chat, sessions, database_url):
    async with sessions.begin() as session:
        event = await create_event(session, "Big Lunch", local("2026-11-28 12:00"))
    users = [chat.telegram.user(f"Neighbour {n}") for n in range(120)]
    await going(sessions, users, event.id, local("2026-11-28 12:00"), chat.clock.now)
    chat.clock.now = local("2026-11-27 12:00")
    other = await second_app(chat.app.bot_data[KEY].settings, chat.telegram, chat.clock)
    try:
        mark = chat.telegram.mark()
        first, second = await asyncio.gather(
            send_due_notices(chat.app, worker="one"), send_due_notices(other, worker="two")
        )
    finally:
        await stop_bot(other)
    assert first.sent + second.sent == 120
    assert all(len(chat.telegram.bot_messages_since(u, mark)) == 1 for u in users)
    assert await statuses(sessions) == ["pending"] * 120 + ["sent"] * 120
