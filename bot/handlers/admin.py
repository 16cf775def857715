"""Admins' work: /invite makes a one-time link that turns whoever opens it into a coordinator of
the chosen zones; /coordinators lists coordinators and open invites, with revoke buttons. Being an
admin is checked on the server at every step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_data, user_id
from bot.handlers.common import tell
from bot.i18n import formats
from bot.i18n.current import speaking
from bot.senders.outgoing import tell_later
from bot.services.invites import (
    INVITE_PREFIX,
    InviteError,
    accept_invite,
    coordinators,
    create_invite,
    is_admin,
    open_invites,
    revoke_coordinator,
    revoke_invite,
)
from bot.services.residents import language_of, telegram_id_of
from bot.views.buttons import Button, Index, on_press
from bot.views.keyboards import button_label, keyboard

PICKING = "invite_zones"


async def _admin_or_refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    pz = services(context)
    async with pz.sessions() as session:
        allowed = await is_admin(session, pz.settings, user_id(update))
    if not allowed:
        user_data(context).pop(PICKING, None)
        await tell(context, chat_id(update), m.ADMINS_ONLY)
    return allowed


def _zone_names(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    return sorted(services(context).zones.zone_districts())


async def invite_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _admin_or_refuse(update, context):
        return
    user_data(context)[PICKING] = []
    await tell(context, chat_id(update), m.INVITE_PICK_ZONES, _zone_keyboard(context, []))


def _zone_keyboard(context: ContextTypes.DEFAULT_TYPE, chosen: list[str]) -> InlineKeyboardMarkup:
    names = _zone_names(context)
    marks = [
        (button_label(("✓ " if z in chosen else "") + z), InviteZone(n).data)
        for n, z in enumerate(names, start=1)
    ]
    rows = [marks[i : i + 2] for i in range(0, len(marks), 2)]
    rows.append([(m.BUTTON_CREATE_INVITE, InviteZone(0).data)])
    return keyboard(*rows)


@dataclass(frozen=True)
class InviteZone(Button, prefix="iz"):
    """A zone for an invite, on or off (0: create the link)."""

    index: Index


@on_press(InviteZone)
async def on_invite_zone(update: Update, context: ContextTypes.DEFAULT_TYPE, press: InviteZone) -> None:
    """Toggle a zone (1..n), or create the link with the zones chosen (0)."""
    await query(update).answer()
    index = press.index
    chosen, names = user_data(context).get(PICKING), _zone_names(context)
    if chosen is None or index > len(names):
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    if not await _admin_or_refuse(update, context):
        return
    if index:
        zone = names[index - 1]
        chosen[:] = [z for z in chosen if z != zone] if zone in chosen else [*chosen, zone]
        await query(update).edit_message_reply_markup(_zone_keyboard(context, chosen))
        return
    if not chosen:
        await tell(context, chat_id(update), m.INVITE_NO_ZONES)
        return
    pz = services(context)
    valid = timedelta(hours=pz.settings.invite_valid_hours)
    async with pz.sessions.begin() as session:
        code, invite = await create_invite(session, user_id(update), chosen, pz.clock(), valid)
    user_data(context).pop(PICKING)
    link = f"https://t.me/{context.bot.username}?start={INVITE_PREFIX}{code}"
    until = formats.day_date_time(invite.expires_at, pz.settings.tz)
    await tell(
        context,
        chat_id(update),
        m.INVITE_CREATED.format(link=link, zones=m.esc(", ".join(chosen)), until=until),
    )


async def open_invite(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> bool:
    """`/start inv<code>`: become a coordinator. True when the payload was an invite."""
    if not payload.startswith(INVITE_PREFIX):
        return False
    pz = services(context)
    try:
        async with pz.sessions.begin() as session:
            invite = await accept_invite(session, payload[len(INVITE_PREFIX) :], user_id(update), pz.clock())
            zones = m.esc(", ".join(invite.zones))
            admin = await telegram_id_of(session, invite.created_by)
            if admin is not None:  # the admin who sent the invite hears it was used
                with speaking(await language_of(session, admin)):
                    used = m.INVITE_USED.format(zones=zones)
                tell_later(context.application, session, admin, used, kind="invite-used")
    except InviteError:
        await tell(context, chat_id(update), m.INVITE_NOT_VALID)
        return True
    await tell(context, chat_id(update), m.WELCOME_COORDINATOR.format(zones=zones))
    return True


async def coordinators_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _admin_or_refuse(update, context):
        return
    pz = services(context)
    async with pz.sessions() as session:
        people = await coordinators(session)
        invites = await open_invites(session, pz.clock())
    lines, rows = [m.COORDINATORS_HEADER], []
    for n, person in enumerate(people, start=1):
        since = formats.date_time(person.since, pz.settings.tz) if person.since else "—"
        zones = m.esc(", ".join(person.zones))
        lines.append(
            m.COORDINATOR_LINE.format(n=n, telegram_id=person.telegram_user_id, since=since, zones=zones)
        )
        rows.append([(m.BUTTON_REVOKE.format(n=n), RevokeCoordinator(person.resident_id).data)])
    if people:
        lines.append(m.COORDINATORS_TAP)
    for invite in invites:
        until = formats.short_date_time(invite.expires_at, pz.settings.tz)
        lines.append(m.OPEN_INVITE.format(zones=m.esc(", ".join(invite.zones)), until=until))
        rows.append([(m.BUTTON_CANCEL_INVITE.format(until=until), RevokeInvite(invite.id).data)])
    if len(lines) == 1:
        lines.append(m.NO_COORDINATORS)
    await tell(context, chat_id(update), "\n".join(lines), keyboard(*rows) if rows else None)


@dataclass(frozen=True)
class RevokeCoordinator(Button, prefix="rc"):
    """Take a coordinator's role away."""

    resident_id: int


@dataclass(frozen=True)
class RevokeInvite(Button, prefix="ri"):
    """Cancel an invite nobody has used."""

    invite_id: int


@on_press(RevokeCoordinator)
async def on_revoke_coordinator(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: RevokeCoordinator
) -> None:
    await query(update).answer()
    if not await _admin_or_refuse(update, context):
        return
    async with services(context).sessions.begin() as session:
        telegram_user_id = await revoke_coordinator(session, press.resident_id)
        if telegram_user_id is not None:
            with speaking(await language_of(session, telegram_user_id)):
                told = m.YOUR_ROLE_REVOKED
            tell_later(context.application, session, telegram_user_id, told, kind="role-revoked")
    if telegram_user_id is None:
        await tell(context, chat_id(update), m.ALREADY_REVOKED)
        return
    await tell(context, chat_id(update), m.COORDINATOR_REVOKED)


@on_press(RevokeInvite)
async def on_revoke_invite(update: Update, context: ContextTypes.DEFAULT_TYPE, press: RevokeInvite) -> None:
    await query(update).answer()
    if not await _admin_or_refuse(update, context):
        return
    pz = services(context)
    async with pz.sessions.begin() as session:
        revoked = await revoke_invite(session, press.invite_id, pz.clock())
    await tell(context, chat_id(update), m.INVITE_REVOKED if revoked else m.ALREADY_REVOKED)
