"""Admins make coordinators with one-time invite links and revoke them; the role is checked on
the server for every command and button."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings, default_zones
from bot.emulation import deliver
from bot.handlers.admin import InviteZone, RevokeCoordinator, RevokeInvite
from bot.services.invites import InviteError, accept_invite, create_invite
from db.models import Invite, Role
from tests.conftest import THURSDAY_MORNING
from tests.conversation import close_conversation, open_conversation, run_woken_sender

ADA = 9001  # the admin named in the config


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(ADA,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def make_invite(chat, ada, zones=("Rutland",)):
    [picker] = await chat.say(ada, "/invite")
    for zone in zones:
        [picker] = await chat.press(ada, zone, picker)  # the same message, redrawn with a tick
    [made] = await chat.press(ada, "🔗 Create the invite link", picker)
    return made.plain.split("start=")[1].split()[0]


async def test_an_invite_makes_a_coordinator_once_and_the_admin_can_revoke(chat, sessions):
    ada, zoe, eve = (
        chat.telegram.user(n, user_id=i) for n, i in (("Ada", ADA), ("Zoe", 7001), ("Eve", 7002))
    )
    [refused] = await chat.say(zoe, "/newevent")
    assert "coordinators only" in refused.plain
    payload = await make_invite(chat, ada, ("Rutland", "Melton"))
    async with sessions() as session:
        [invite] = await session.scalars(select(Invite))
    assert payload[3:] not in invite.code_digest and len(invite.code_digest) == 64  # only a digest kept
    mark = chat.telegram.mark()
    replies = await chat.say(zoe, f"/start {payload}")
    assert "coordinator for Melton, Rutland" in replies[-1].plain
    [told] = chat.telegram.bot_messages_since(ada, mark)
    assert "has been used" in told.plain
    [asks] = await chat.say(zoe, "/newevent")
    assert "What is it called" in asks.plain
    await chat.say(zoe, "/cancel")
    replies = await chat.say(eve, f"/start {payload}")  # used already
    assert "expired or has already been used" in replies[-1].plain
    [refused] = await chat.say(eve, "/myevents")
    assert "coordinators only" in refused.plain

    [listing] = await chat.say(ada, "/coordinators")
    # no name is kept: when they joined (the admin knows whom the link went to) and a link to them
    assert "1. Coordinator since 26 Nov 2026, 10:30: Melton, Rutland" in listing.plain
    assert f'<a href="tg://user?id={zoe.id}">Coordinator since' in listing.source
    mark = chat.telegram.mark()
    [done] = await chat.press(ada, "Remove coordinator 1", listing)
    assert "not a coordinator any more" in done.plain
    [goodbye] = chat.telegram.bot_messages_since(zoe, mark)
    assert "ended your coordinator role" in goodbye.plain
    [refused] = await chat.say(zoe, "/newevent")
    assert "coordinators only" in refused.plain
    [again] = await chat.press(ada, "Remove coordinator 1", listing)
    assert "already been done" in again.plain


async def test_invites_expire_and_can_be_cancelled(chat, sessions):
    ada, zoe = chat.telegram.user("Ada", user_id=ADA), chat.telegram.user("Zoe", user_id=7001)
    expiring = await make_invite(chat, ada)
    cancelled = await make_invite(chat, ada, ("Melton",))
    [listing] = await chat.say(ada, "/coordinators")
    assert listing.plain.count("An unused invite") == 2
    cancel = next(
        label for row in listing.buttons for label, _ in row if label.startswith("Cancel the invite")
    )
    [done] = await chat.press(ada, cancel, listing)
    assert "won't work now" in done.plain
    chat.clock.advance(hours=49)
    for payload in (expiring, cancelled):
        replies = await chat.say(zoe, f"/start {payload}")
        assert "expired or has already been used" in replies[-1].plain
    replies = await chat.say(zoe, "/start invNOTAREALCODE")
    assert "expired or has already been used" in replies[-1].plain
    async with sessions() as session:
        assert list(await session.scalars(select(Role))) == []


async def test_only_admins_invite_and_forged_admin_buttons_change_nothing(chat, sessions):
    ada, zoe = chat.telegram.user("Ada", user_id=ADA), chat.telegram.user("Zoe", user_id=7001)
    await chat.say(zoe, f"/start {await make_invite(chat, ada)}")
    for command in ("/invite", "/coordinators"):
        [refused] = await chat.say(zoe, command)  # a coordinator, not an admin
        assert "admins only" in refused.plain
    [menu] = await chat.say(zoe, "/menu")
    async with sessions() as session:
        [role] = await session.scalars(select(Role))
    for data in (
        RevokeCoordinator(role.resident_id).data,
        RevokeInvite(1).data,
        InviteZone(0).data,
    ):
        [reply] = await chat.act(zoe, zoe.press_data(data, menu))
        assert "admins only" in reply.plain or "old message" in reply.plain
    async with sessions() as session:
        assert len(list(await session.scalars(select(Role)))) == 1
        invites = list(await session.scalars(select(Invite)))
    assert len(invites) == 1 and invites[0].revoked_at is None
    assert invites[0].expires_at - invites[0].created_at == timedelta(hours=48)


async def test_help_shows_coordinators_and_admins_their_commands(chat, sessions):
    ada, ann = chat.telegram.user("Ada", user_id=ADA), chat.telegram.user("Ann")
    [resident_help] = await chat.say(ann, "/help")
    assert "/whatson" in resident_help.plain and "/broadcast" not in resident_help.plain
    [admin_help] = await chat.say(ada, "/help")
    assert "/broadcast" in admin_help.plain and "/invite" in admin_help.plain


async def test_two_people_opening_one_invite_at_the_same_moment_make_one_coordinator(chat, sessions):
    """The claim is one conditional UPDATE: on SQLite (no FOR UPDATE) as on PostgreSQL, exactly one
    of two people opening the link at once wins (issue 13, item 11)."""
    ada = chat.telegram.user("Ada", user_id=ADA)
    for round_ in range(3):
        payload = await make_invite(chat, ada)
        zoe, eve = (
            chat.telegram.user(f"{n}{round_}", user_id=7100 + 2 * round_ + i) for i, n in enumerate("ZE")
        )
        marks = chat.telegram.mark()
        await asyncio.gather(
            deliver(chat.app, zoe.send(f"/start {payload}")), deliver(chat.app, eve.send(f"/start {payload}"))
        )
        await run_woken_sender(chat.app)  # Ada's "it has been used", as the job queue would send it
        answers = [chat.telegram.bot_messages_since(user, marks)[-1].plain for user in (zoe, eve)]
        welcomed = [a for a in answers if "You're now a coordinator for Rutland" in a]
        refused = [a for a in answers if "expired or has already been used" in a]
        assert (len(welcomed), len(refused)) == (1, 1), answers
        told = [msg for msg in chat.telegram.bot_messages_since(ada, marks) if "has been used" in msg.plain]
        assert len(told) == 1
        refusals = [(await chat.say(user, "/myevents"))[0].plain for user in (zoe, eve)]
        assert sum("coordinators only" in r for r in refusals) == 1
    async with sessions() as session:
        roles = list(await session.scalars(select(Role)))
        invites = list(await session.scalars(select(Invite)))
    assert len(roles) == 3 and len({r.resident_id for r in roles}) == 3
    assert all(i.used_by is not None for i in invites)
    assert {i.used_by for i in invites} == {r.resident_id for r in roles}


async def test_concurrent_claims_in_separate_sessions_have_one_winner(sessions):
    """The service itself, many claims at once in their own sessions: one winner per invite."""
    now = THURSDAY_MORNING
    async with sessions.begin() as session:
        codes = [
            (await create_invite(session, ADA, ["Melton"], now, timedelta(hours=1)))[0] for _ in range(4)
        ]

    async def claim(code: str, person: int) -> bool:
        try:
            async with sessions.begin() as session:
                await accept_invite(session, code, person, now)
        except InviteError:
            return False
        return True

    outcomes = await asyncio.gather(
        *(claim(code, 8000 + 10 * n + k) for n, code in enumerate(codes) for k in range(3))
    )
    assert [sum(outcomes[3 * n : 3 * n + 3]) for n in range(len(codes))] == [1] * len(codes)
    async with sessions() as session:
        assert len(list(await session.scalars(select(Role)))) == len(codes)
