"""What's on: upcoming events near the resident, details, "I'm going" / "not going after all",
and the reminders that follow, sent from rows in the database."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import callbacks
from bot.handlers.common import button_label, keyboard, tell
from bot.matching.taxonomy import default_taxonomy
from bot.services.events import (
    EventError,
    calendar_file,
    cancel_rsvp,
    event_occurrences,
    going_count,
    going_to,
    is_going,
    rsvp,
    upcoming,
)
from bot.services.residents import saved_area
from db.models import Asset, Event, Resident

_DEEP_LINK = re.compile(r"ev([0-9]+)")  # ASCII digits only: int() reads other digits too
LISTED = 8  # events in one list, each with its own button


def as_minutes(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def from_minutes(value: str) -> datetime:
    return datetime.fromtimestamp(int(value) * 60, UTC)


def when(moment: datetime, tz) -> str:  # type: ignore[no-untyped-def]
    return moment.astimezone(tz).strftime("%a %d %b, %H:%M")


async def whats_on(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The coming week near the resident's saved area (everywhere when none is saved)."""
    await _list_whats_on(update, context, group="")


async def _list_whats_on(update: Update, context: ContextTypes.DEFAULT_TYPE, group: str) -> None:
    pz = services(context)
    async with pz.sessions() as session:
        area = await saved_area(session, update.effective_user.id)
        resident = await session.scalar(
            select(Resident).where(Resident.telegram_user_id == update.effective_user.id)
        )
        found = await upcoming(
            session, pz.clock(), pz.settings.tz, days=7, zone=area.zone if area else "", group=group
        )
        mine = await going_to(session, update.effective_user.id, pz.clock(), pz.settings.tz)
    footer = [[(m.BUTTON_BY_INTEREST, callbacks.whats_on_group(0))]] if not group else []
    if mine:
        footer.append([(m.BUTTON_MY_RSVPS, callbacks.my_rsvps())])
    if resident is None or not resident.notify_new_events:
        footer.append([(m.BUTTON_EVENT_ALERTS_ON, callbacks.setting("events", "on"))])
    if not found:
        await tell(
            context,
            update.effective_chat.id,
            m.NOTHING_ON_FOR_INTEREST if group else m.NOTHING_ON,
            keyboard(*footer),
        )
        return
    going = {(o.event.id, o.starts_at) for o in mine}
    lines = [m.WHATS_ON_HEADER]
    rows = []
    for n, occurrence in enumerate(found[:LISTED], start=1):
        event = occurrence.event
        mark = m.WHATS_ON_GOING if (event.id, occurrence.starts_at) in going else ""
        lines.append(f"{n}. <b>{m.esc(event.title)}</b> — {when(occurrence.starts_at, pz.settings.tz)}{mark}")
        rows.append(
            [
                (
                    f"{n} · {button_label(event.title)}",
                    callbacks.event(event.id, as_minutes(occurrence.starts_at)),
                )
            ]
        )
    await tell(context, update.effective_chat.id, "\n".join(lines), keyboard(*rows, *footer))


async def my_rsvps(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/going: the coming dates the resident said they are going to, each with its card and a
    "not going after all"."""
    pz = services(context)
    async with pz.sessions() as session:
        mine = await going_to(session, update.effective_user.id, pz.clock(), pz.settings.tz)
    if not mine:
        await tell(
            context,
            update.effective_chat.id,
            m.NOT_GOING_TO_ANYTHING,
            keyboard([(m.BUTTON_WHATS_ON, callbacks.whats_on())]),
        )
        return
    lines, rows = [m.MY_RSVPS_HEADER], []
    for n, occurrence in enumerate(mine[:LISTED], start=1):
        event, minutes = occurrence.event, as_minutes(occurrence.starts_at)
        lines.append(
            m.MY_RSVPS_LINE.format(
                n=n, title=m.esc(event.title), when=when(occurrence.starts_at, pz.settings.tz)
            )
        )
        rows.append(
            [
                (f"{n} · {button_label(event.title)}", callbacks.event(event.id, minutes)),
                (m.BUTTON_NOT_GOING_NUMBERED.format(n=n), callbacks.not_going(event.id, minutes)),
            ]
        )
    if len(mine) > LISTED:
        lines.append(m.AND_MORE.format(count=len(mine) - LISTED))
    await tell(context, update.effective_chat.id, "\n".join(lines), keyboard(*rows))


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE, index: int) -> None:
    """What's on by interest: 0 asks which kind of need; 1.. lists that group's events."""
    await update.callback_query.answer()
    groups = default_taxonomy().groups()
    if index == 0:
        rows = [[(button_label(name), callbacks.whats_on_group(n))] for n, name in enumerate(groups, start=1)]
        await tell(context, update.effective_chat.id, m.PICK_AN_INTEREST, keyboard(*rows))
    elif index <= len(groups):
        await _list_whats_on(update, context, group=groups[index - 1])
    else:
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)


async def on_event(update: Update, context: ContextTypes.DEFAULT_TYPE, event_id: int, minutes: str) -> None:
    await update.callback_query.answer()
    await show_event(update, context, event_id, minutes)


async def open_deep_link(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> bool:
    """`t.me/<bot>?start=ev<id>` (a poster's link or QR code): the event's next date. True if shown.

    The id is range-checked as a button's is: one no event can have is an event that is gone."""
    if (link := _DEEP_LINK.fullmatch(payload)) is None:
        return False
    pz = services(context)
    event_id = int(link[1]) if len(link[1]) <= 12 else 0
    async with pz.sessions() as session:
        event = await session.get(Event, event_id) if 0 < event_id <= callbacks.MAX_NUMBER else None
    upcoming_starts = (
        event_occurrences(event, pz.settings.tz, after=pz.clock(), limit=1)
        if event is not None and event.status == "scheduled"
        else []
    )
    if not upcoming_starts:
        await tell(context, update.effective_chat.id, m.EVENT_GONE)
        return True
    await show_event(update, context, event.id, str(as_minutes(upcoming_starts[0])))
    return True


def deep_link(bot_username: str, event_id: int) -> str:
    return f"https://t.me/{bot_username}?start=ev{event_id}"


async def show_event(update: Update, context: ContextTypes.DEFAULT_TYPE, event_id: int, minutes: str) -> None:
    pz = services(context)
    starts_at = from_minutes(minutes)
    async with pz.sessions() as session:
        event = await session.get(Event, event_id)
        real_date = event is not None and starts_at in event_occurrences(
            event, pz.settings.tz, after=starts_at, limit=1
        )
        if event is None or event.status != "scheduled" or not real_date:
            await tell(context, update.effective_chat.id, m.STALE_BUTTON)
            return
        going = await going_count(session, event_id, starts_at)
        mine = await is_going(session, update.effective_user.id, event_id, starts_at)
        asset = await session.get(Asset, event.asset_id) if event.asset_id else None
    room = "" if event.capacity is None else m.EVENT_PLACES.format(left=max(event.capacity - going, 0))
    text = m.EVENT_DETAILS.format(
        title=m.esc(event.title), when=when(starts_at, pz.settings.tz),
        venue=m.esc(event.venue or "—"), description=m.esc(event.description), room=room,
    )  # fmt: skip
    if mine:
        text += "\n\n" + m.EVENT_YOU_ARE_GOING
    # only the answer that changes something: someone going may say they are not, and the other way
    answer = (
        (m.BUTTON_NOT_GOING, callbacks.not_going(event_id, int(minutes)))
        if mine
        else (m.BUTTON_GOING, callbacks.going(event_id, int(minutes)))
    )
    rows = [[answer], [(m.BUTTON_ADD_TO_CALENDAR, callbacks.add_to_calendar(event_id, int(minutes)))]]
    if asset is not None:  # the place it is at, from the directory: how to get there, opening times
        rows.append(
            [(m.BUTTON_ABOUT_THE_PLACE.format(name=button_label(asset.name)), callbacks.details(asset.id))]
        )
    await tell(context, update.effective_chat.id, text, keyboard(*rows))


async def on_add_to_calendar(
    update: Update, context: ContextTypes.DEFAULT_TYPE, event_id: int, minutes: str
) -> None:
    await update.callback_query.answer()
    async with services(context).sessions() as session:
        event = await session.get(Event, event_id)
    if event is None or event.status != "scheduled":
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)
        return
    data = calendar_file(event, from_minutes(minutes), services(context).clock())
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(data, filename="event.ics", attach=True),
        caption=m.CALENDAR_CAPTION,
    )


async def on_going(
    update: Update, context: ContextTypes.DEFAULT_TYPE, event_id: int, minutes: str, going: bool
) -> None:
    await update.callback_query.answer()
    pz = services(context)
    starts_at = from_minutes(minutes)
    try:
        async with pz.sessions.begin() as session:
            if going:
                outcome = await rsvp(
                    session, update.effective_user.id, event_id, starts_at,
                    pz.settings.reminder_offsets_minutes, pz.clock(), pz.settings.tz,
                )  # fmt: skip
            else:
                outcome = (
                    "cancelled"
                    if await cancel_rsvp(session, update.effective_user.id, event_id, starts_at)
                    else "not-going"
                )
    except EventError:
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)
        return
    more = keyboard([(m.BUTTON_MY_RSVPS, callbacks.my_rsvps())]) if outcome == "going" else None
    await tell(context, update.effective_chat.id, m.RSVP_REPLIES[outcome], more)
