"""Admins' work: /invite makes a one-time link that turns whoever opens it into a coordinator of
the chosen zones; /coordinators lists coordinators and open invites, with revoke buttons. Being an
admin is checked on the server at every step."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import callbacks
from bot.handlers.common import button_label, keyboard, tell
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
from db.models import Resident

PICKING = "invite_zones"


async def _admin_or_refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    pz = services(context)
    async with pz.sessions() as session:
        allowed = await is_admin(session, pz.settings, update.effective_user.id)
    if not allowed:
        context.user_data.pop(PICKING, None)
        await tell(context, update.effective_chat.id, m.ADMINS_ONLY)
    return allowed


def _zone_names(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    return sorted(services(context).zones.zone_districts())


async def invite_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _admin_or_refuse(update, context):
        return
    context.user_data[PICKING] = []
    await tell(context, update.effective_chat.id, m.INVITE_PICK_ZONES, _zone_keyboard(context, []))


def _zone_keyboard(context: ContextTypes.DEFAULT_TYPE, chosen: list[str]):  # type: ignore[no-untyped-def]
    names = _zone_names(context)
    marks = [
        (button_label(("✓ " if z in chosen else "") + z), callbacks.invite_zone(n))
        for n, z in enumerate(names, start=1)
    ]
    rows = [marks[i : i + 2] for i in range(0, len(marks), 2)]
    rows.append([(m.BUTTON_CREATE_INVITE, callbacks.invite_zone(0))])
    return keyboard(*rows)


async def on_invite_zone(update: Update, context: ContextTypes.DEFAULT_TYPE, index: int) -> None:
    """Toggle a zone (1..n), or create the link with the zones chosen (0)."""
    await update.callback_query.answer()
    chosen, names = context.user_data.get(PICKING), _zone_names(context)
    if chosen is None or index > len(names):
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)
        return
    if not await _admin_or_refuse(update, context):
        return
    if index:
        zone = names[index - 1]
        chosen[:] = [z for z in chosen if z != zone] if zone in chosen else [*chosen, zone]
        await update.callback_query.edit_message_reply_markup(_zone_keyboard(context, chosen))
        return
    if not chosen:
        await tell(context, update.effective_chat.id, m.INVITE_NO_ZONES)
        return
    pz = services(context)
    valid = timedelta(hours=pz.settings.invite_valid_hours)
    async with pz.sessions.begin() as session:
        code, invite = await create_invite(session, update.effective_user.id, chosen, pz.clock(), valid)
    context.user_data.pop(PICKING)
    link = f"https://t.me/{context.bot.username}?start={INVITE_PREFIX}{code}"
    until = invite.expires_at.astimezone(pz.settings.tz).strftime("%a %d %b, %H:%M")
    await tell(
        context,
        update.effective_chat.id,
        m.INVITE_CREATED.format(link=link, zones=m.esc(", ".join(chosen)), until=until),
    )


async def open_invite(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> bool:
    """`/start inv<code>`: become a coordinator. True when the payload was an invite."""
    if not payload.startswith(INVITE_PREFIX):
        return False
    pz = services(context)
    try:
        async with pz.sessions.begin() as session:
            invite = await accept_invite(
                session, payload[len(INVITE_PREFIX) :], update.effective_user.id, pz.clock()
            )
            admin_telegram_id = None
            if invite.created_by is not None:
                admin = await session.get(Resident, invite.created_by)
                admin_telegram_id = admin.telegram_user_id if admin else None
    except InviteError:
        await tell(context, update.effective_chat.id, m.INVITE_NOT_VALID)
        return True
    zones = m.esc(", ".join(invite.zones))
    await tell(context, update.effective_chat.id, m.WELCOME_COORDINATOR.format(zones=zones))
    if admin_telegram_id:
        await tell(context, admin_telegram_id, m.INVITE_USED.format(zones=zones))
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
        since = person.since.astimezone(pz.settings.tz).strftime("%d %b %Y, %H:%M") if person.since else "—"
        zones = m.esc(", ".join(person.zones))
        lines.append(
            m.COORDINATOR_LINE.format(n=n, telegram_id=person.telegram_user_id, since=since, zones=zones)
        )
        rows.append([(m.BUTTON_REVOKE.format(n=n), callbacks.revoke_coordinator(person.resident_id))])
    if people:
        lines.append(m.COORDINATORS_TAP)
    for invite in invites:
        until = invite.expires_at.astimezone(pz.settings.tz).strftime("%d %b %H:%M")
        lines.append(m.OPEN_INVITE.format(zones=m.esc(", ".join(invite.zones)), until=until))
        rows.append([(m.BUTTON_CANCEL_INVITE.format(until=until), callbacks.revoke_invite(invite.id))])
    if len(lines) == 1:
        lines.append(m.NO_COORDINATORS)
    await tell(context, update.effective_chat.id, "\n".join(lines), keyboard(*rows) if rows else None)


async def on_revoke_coordinator(update: Update, context: ContextTypes.DEFAULT_TYPE, resident_id: int) -> None:
    await update.callback_query.answer()
    if not await _admin_or_refuse(update, context):
        return
    async with services(context).sessions.begin() as session:
        telegram_user_id = await revoke_coordinator(session, resident_id)
    if telegram_user_id is None:
        await tell(context, update.effective_chat.id, m.ALREADY_REVOKED)
        return
    await tell(context, update.effective_chat.id, m.COORDINATOR_REVOKED)
    await tell(context, telegram_user_id, m.YOUR_ROLE_REVOKED)


async def on_revoke_invite(update: Update, context: ContextTypes.DEFAULT_TYPE, invite_id: int) -> None:
    await update.callback_query.answer()
    if not await _admin_or_refuse(update, context):
        return
    pz = services(context)
    async with pz.sessions.begin() as session:
        revoked = await revoke_invite(session, invite_id, pz.clock())
    await tell(context, update.effective_chat.id, m.INVITE_REVOKED if revoked else m.ALREADY_REVOKED)
