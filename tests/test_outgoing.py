"""Messages to people other than the one talking to the bot go through one outbox (issue 15):
volunteers told of an opportunity, coordinators told of reports, through the emulation with
Telegram's flood limits on. Paced (no 429s, overall or in one chat), sent once when the sender is
killed half-way and a new leader takes over, never sent when the work that queued them failed,
and their words let go of once sent."""

import asyncio
import contextlib

import pytest
from sqlalchemy import func, select

from bot.app import stop_bot
from bot.config import Settings, default_zones
from bot.context import KEY
from bot.emulation.errors import ApiError
from bot.handlers.privacy import run_retention
from bot.matching.skills import default_skills
from bot.senders.outgoing import WAKE_JOB, send_due_messages, tell_later
from bot.services import outbox
from db.models import AssetReport, Offer, OutgoingMessage, Resident, Volunteer
from tests.conversation import close_conversation, open_conversation, second_app
from tests.test_upkeep import RUTH, make_coordinator, open_card

CORA = 9001  # an admin in the config
FIRST_VOLUNTEER = 20_000
OPPORTUNITY = "Food bank needs Saturday drivers"


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, settings=settings, rate_limits=True)
    yield conversation
    await close_conversation(conversation)


def count_429s(chat, chats: set[int]) -> list[int]:
    """From now on, every 429 the emulation answers a message to one of CHATS is listed."""
    refused: list[int] = []
    limiter = chat.telegram.limiter
    original = limiter.acquire

    def acquire(chat_id: int, *, group: bool) -> None:
        try:
            original(chat_id, group=group)
        except ApiError as error:
            if error.status == 429 and chat_id in chats:
                refused.append(chat_id)
            raise

    limiter.acquire = acquire
    return refused


async def drivers(chat, sessions, how_many: int) -> list:
    """Approved volunteers in LE4 who give lifts: the people an opportunity for drivers reaches."""
    skills = [s.id for s in default_skills().tag(OPPORTUNITY)]
    users = [chat.telegram.user(f"V{n}", user_id=FIRST_VOLUNTEER + n) for n in range(how_many)]
    async with sessions.begin() as session:
        for user in users:
            resident = Resident(telegram_user_id=user.id, postcode_district="LE4")
            session.add(resident)
            await session.flush()
            volunteer = Volunteer(resident_id=resident.id, status="approved", postcode_district="LE4")
            session.add(volunteer)
            await session.flush()
            session.add(Offer(volunteer_id=volunteer.id, text="I can give lifts in my car", skills=skills))
    return users


async def post_opportunity(chat, coordinator):
    await chat.say(coordinator, "/opportunity")
    await chat.say(coordinator, OPPORTUNITY)
    [posted] = await chat.say(coordinator, "LE4")
    return posted


def notices(chat, user) -> int:
    return sum(OPPORTUNITY in m.plain for m in chat.telegram.bot_messages_since(user, 0))


async def rows(sessions) -> list[OutgoingMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.id)))


async def test_an_opportunity_to_forty_volunteers_is_paced_and_meets_no_429(chat, sessions):
    volunteers = await drivers(chat, sessions, 40)  # more than Telegram's 30 a second overall
    refused = count_429s(chat, {v.id for v in volunteers})
    cora = chat.telegram.user("Cora", user_id=CORA)
    posted = await post_opportunity(chat, cora)
    assert "I've told 40 volunteers" in posted.plain
    assert [notices(chat, v) for v in volunteers] == [1] * 40  # sent when the commit woke the sender
    assert refused == []
    [notice] = [m for m in chat.telegram.bot_messages_since(volunteers[0], 0) if OPPORTUNITY in m.plain]
    assert [label for row in notice.buttons for label, _ in row] == ["I'm interested"]
    # sent, the words are let go of at once; retention deletes the rows with the other sent messages
    assert {(r.status, r.text, len(r.buttons)) for r in await rows(sessions)} == {("sent", "", 0)}
    assert (await send_due_messages(chat.app)).sent == 0  # once
    chat.clock.advance(days=chat.app.bot_data[KEY].settings.retention_days_sent_messages + 1)
    await run_retention(chat.app)
    assert await rows(sessions) == []


async def test_four_reports_waiting_reach_each_coordinator_a_second_apart(chat, sessions):
    """Four reports waiting (the sender was busy, or restarting) are four messages in a row to the
    same coordinators: Telegram allows a short burst in one chat, not a stream, so the pacer
    spaces them."""
    await make_coordinator(sessions, RUTH, "Rutland")
    ruth, cora = chat.telegram.user("Ruth", user_id=RUTH), chat.telegram.user("Cora", user_id=CORA)
    refused = count_429s(chat, {RUTH, CORA})
    mark = chat.telegram.mark()
    chat.send_woken = False
    for n in range(4):
        resident = chat.telegram.user(f"R{n}")
        details = await open_card(chat, resident, "oakham food bank", "Oakham Food Bank")
        await chat.press(resident, "✏️ Report a change", details)
        await chat.say(resident, f"Change number {n}: it opens on Thursdays now")
    assert chat.telegram.bot_messages_since(ruth, mark) == []
    waiting = await rows(sessions)
    assert len(waiting) == 8 and all(r.written_by is not None for r in waiting)  # the reporters'
    assert (await send_due_messages(chat.app)).sent == 8
    assert {(r.text, r.written_by) for r in await rows(sessions)} == {("", None)}  # let go of
    for coordinator in (ruth, cora):
        told = [m.plain for m in chat.telegram.bot_messages_since(coordinator, mark)]
        assert [f"Change number {n}" in text for n, text in enumerate(told)] == [True] * 4
    assert refused == []


async def test_killed_half_way_the_new_leader_sends_the_rest_and_nobody_gets_it_twice(chat, sessions):
    volunteers = await drivers(chat, sessions, 40)
    chat.send_woken = False  # this test runs the sender itself, and kills it
    cora = chat.telegram.user("Cora", user_id=CORA)
    await post_opportunity(chat, cora)
    assert chat.app.job_queue.get_jobs_by_name(WAKE_JOB)  # the commit woke the sender
    assert sum(notices(chat, v) for v in volunteers) == 0

    limiter = chat.telegram.limiter
    original, handed_over = limiter.acquire, []

    def acquire(chat_id: int, *, group: bool) -> None:
        original(chat_id, group=group)
        handed_over.append(chat_id)
        if len(handed_over) == 15:
            sender.cancel()  # the process dies with this message just handed to Telegram

    limiter.acquire = acquire
    sender = asyncio.ensure_future(send_due_messages(chat.app, worker="first"))
    with contextlib.suppress(asyncio.CancelledError):
        await sender
    limiter.acquire = original
    assert sum(notices(chat, v) for v in volunteers) == 15

    # a new leader starts (bot.production): the old one's claims are released, its send in flight
    # is in doubt and never repeated; then it sends what is left
    async with sessions.begin() as session:
        released, in_doubt = await outbox.take_over(session, OutgoingMessage)
    assert (released, in_doubt) == (25, 1)
    leader = await second_app(chat.app.bot_data[KEY].settings, chat.telegram, chat.clock, chat.timer)
    try:
        report = await send_due_messages(leader, worker="second")
    finally:
        await stop_bot(leader)
    assert (report.sent, report.unknown, report.failed) == (25, 0, 0)
    assert [notices(chat, v) for v in volunteers] == [1] * 40  # nobody twice, nobody missed
    assert sorted(r.status for r in await rows(sessions)) == ["sent"] * 39 + ["unknown"]
    assert (await send_due_messages(chat.app, worker="first")).sent == 0


async def test_nothing_goes_out_when_the_update_that_queued_it_fails(chat, sessions):
    await make_coordinator(sessions, RUTH, "Rutland")
    ann, ruth = chat.telegram.user("Ann"), chat.telegram.user("Ruth", user_id=RUTH)
    cora = chat.telegram.user("Cora", user_id=CORA)
    details = await open_card(chat, ann, "oakham food bank", "Oakham Food Bank")
    await chat.press(ann, "✏️ Report a change", details)
    mark = chat.telegram.mark()
    # the thanks cannot be sent, so the update fails: everything it wrote is rolled back
    chat.telegram.faults.fail_next("sendMessage", "server_error", chat=ann)
    replies = await chat.say(ann, "It opens on Thursdays now, not Tuesdays")
    assert "something went wrong" in replies[-1].plain
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AssetReport)) == 0
    assert await rows(sessions) == []
    assert (await send_due_messages(chat.app)).sent == 0
    assert chat.telegram.bot_messages_since(ruth, mark) == chat.telegram.bot_messages_since(cora, mark) == []
    # she tries again, and this time it is saved, and each coordinator hears of it once
    [thanks] = await chat.say(ann, "It opens on Thursdays now, not Tuesdays")
    assert "passed this on" in thanks.plain
    for coordinator in (ruth, cora):
        [told] = chat.telegram.bot_messages_since(coordinator, mark)
        assert "It opens on Thursdays now" in told.plain


async def test_a_transaction_rolled_back_leaves_nothing_to_send_and_wakes_nobody(chat, sessions):
    pz = chat.app.bot_data[KEY]
    ann = chat.telegram.user("Ann")
    with pytest.raises(RuntimeError):
        async with pz.sessions.begin() as session:
            tell_later(chat.app, session, ann.id, "You won't get this", kind="decision")
            await session.flush()
            raise RuntimeError("the work failed after the message was queued")
    assert await rows(sessions) == []
    assert not chat.app.job_queue.get_jobs_by_name(WAKE_JOB)
    async with pz.sessions.begin() as session:
        tell_later(chat.app, session, ann.id, "You will get this", kind="decision")
    assert chat.app.job_queue.get_jobs_by_name(WAKE_JOB)  # woken by the commit
    assert (await send_due_messages(chat.app)).sent == 1
    assert [m.plain for m in chat.telegram.bot_messages_since(ann, 0)] == ["You will get this"]


async def test_someone_who_blocked_the_bot_is_tried_once_and_then_left_alone(chat, sessions):
    volunteers = await drivers(chat, sessions, 3)
    volunteers[1].block_bot()
    cora = chat.telegram.user("Cora", user_id=CORA)
    await post_opportunity(chat, cora)
    assert [notices(chat, v) for v in volunteers] == [1, 0, 1]
    async with sessions() as session:
        blocked = await session.scalar(select(Resident).where(Resident.telegram_user_id == volunteers[1].id))
    assert blocked.unreachable_since is not None
    assert sorted(r.status for r in await rows(sessions)) == ["failed", "sent", "sent"]
    await chat.say(cora, "/opportunity")
    await chat.say(cora, "Saturday drivers for the lunch club")
    [posted] = await chat.say(cora, "LE4")
    assert "I've told 2 volunteers" in posted.plain  # not queued for someone Telegram said is gone


async def test_a_reply_refused_with_429_is_waited_out_in_the_pacer_and_goes_once(chat, sessions):
    """The one rate limiter: a direct reply does not wait its turn, but a 429 is waited out in the
    pacer (which holds the bulk sends too) and the reply is tried again, once."""
    ann = chat.telegram.user("Ann")
    chat.telegram.faults.fail_next("sendMessage", "retry_after", chat=ann, retry_after=7)
    waited = chat.timer.skipped
    [menu] = await chat.say(ann, "/menu")
    assert menu.buttons  # the menu, once
    to_ann = [
        c.status for c in chat.telegram.calls if c.method == "sendMessage" and c.params["chat_id"] == ann.id
    ]
    assert to_ann == [429, 200]
    assert chat.timer.skipped - waited >= 7  # retry_after was waited out, on the pacer's timer
