"""What's on: upcoming events near the resident, details, "I'm going" / "not going after all",
and the reminders that follow, sent from rows in the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.common import tell
from bot.handlers.settings import Setting
from bot.i18n import formats
from bot.matching.taxonomy import default_taxonomy
from bot.services.events import (
    EventError,
    calendar_file,
    cancel_rsvp,
    event_occurrences,
    find_event,
    going_count,
    going_to,
    is_going,
    rsvp,
    upcoming,
)
from bot.services.residents import resident_of, saved_area
from bot.services.upkeep import find_asset
from bot.views.buttons import MAX_NUMBER, Button, Index, Minutes, on_press
from bot.views.keyboards import button_label, keyboard

_DEEP_LINK = re.compile(r"ev([0-9]+)")  # ASCII digits only: int() reads other digits too
LISTED = 8  # events in one list, each with its own button


def as_minutes(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def from_minutes(value: int) -> datetime:
    return datetime.fromtimestamp(value * 60, UTC)


def when(moment: datetime, tz: tzinfo) -> str:
    return formats.day_date_time(moment, tz)


async def whats_on(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The coming week near the resident's saved area (everywhere when none is saved)."""
    await _list_whats_on(update, context, group="")


async def _list_whats_on(update: Update, context: ContextTypes.DEFAULT_TYPE, group: str) -> None:
    pz = services(context)
    async with pz.sessions() as session:
        area = await saved_area(session, user_id(update))
        resident = await resident_of(session, user_id(update))
        found = await upcoming(
            session, pz.clock(), pz.settings.tz, days=7, zone=area.zone if area else "", group=group
        )
        mine = await going_to(session, user_id(update), pz.clock(), pz.settings.tz)
    footer = [[(m.BUTTON_BY_INTEREST, WhatsOnGroup(0).data)]] if not group else []
    if mine:
        footer.append([(m.BUTTON_MY_RSVPS, MyRsvps().data)])
    if resident is None or not resident.notify_new_events:
        footer.append([(m.BUTTON_EVENT_ALERTS_ON, Setting("events", "on").data)])
    if not found:
        await tell(
            context,
            chat_id(update),
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
                    EventCard(event.id, as_minutes(occurrence.starts_at)).data,
                )
            ]
        )
    await tell(context, chat_id(update), "\n".join(lines), keyboard(*rows, *footer))


async def my_rsvps(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/going: the coming dates the resident said they are going to, each with its card and a
    "not going after all"."""
    pz = services(context)
    async with pz.sessions() as session:
        mine = await going_to(session, user_id(update), pz.clock(), pz.settings.tz)
    if not mine:
        await tell(
            context,
            chat_id(update),
            m.NOT_GOING_TO_ANYTHING,
            keyboard([(m.BUTTON_WHATS_ON, WhatsOn().data)]),
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
                (f"{n} · {button_label(event.title)}", EventCard(event.id, minutes).data),
                (m.BUTTON_NOT_GOING_NUMBERED.format(n=n), NotGoing(event.id, minutes).data),
            ]
        )
    if len(mine) > LISTED:
        lines.append(m.AND_MORE.format(count=len(mine) - LISTED))
    await tell(context, chat_id(update), "\n".join(lines), keyboard(*rows))


@dataclass(frozen=True)
class WhatsOn(Button, prefix="wo"):
    """What's on in the coming week (as /whatson)."""


@dataclass(frozen=True)
class MyRsvps(Button, prefix="mg"):
    """The events I'm going to (as /going)."""


@on_press(WhatsOn)
async def on_whats_on(update: Update, context: ContextTypes.DEFAULT_TYPE, press: WhatsOn) -> None:
    await query(update).answer()
    await whats_on(update, context)


@on_press(MyRsvps)
async def on_my_rsvps(update: Update, context: ContextTypes.DEFAULT_TYPE, press: MyRsvps) -> None:
    await query(update).answer()
    await my_rsvps(update, context)


@dataclass(frozen=True)
class WhatsOnGroup(Button, prefix="wi"):
    """What's on for one kind of need (0: which kind?)."""

    index: Index


@on_press(WhatsOnGroup)
async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE, press: WhatsOnGroup) -> None:
    """What's on by interest: 0 asks which kind of need; 1.. lists that group's events."""
    await query(update).answer()
    groups = default_taxonomy().groups()
    index = press.index
    if index == 0:
        rows = [
            [(button_label(m.need_group(name)), WhatsOnGroup(n).data)]
            for n, name in enumerate(groups, start=1)
        ]
        await tell(context, chat_id(update), m.PICK_AN_INTEREST, keyboard(*rows))
    elif index <= len(groups):
        await _list_whats_on(update, context, group=groups[index - 1])
    else:
        await tell(context, chat_id(update), m.STALE_BUTTON)


@dataclass(frozen=True)
class EventCard(Button, prefix="ev"):
    """One date of an event: its card, with Going / Not going and Add to calendar."""

    event_id: int
    minutes: Minutes


@on_press(EventCard)
async def on_event(update: Update, context: ContextTypes.DEFAULT_TYPE, press: EventCard) -> None:
    await query(update).answer()
    await show_event(update, context, press.event_id, press.minutes)


async def open_deep_link(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> bool:
    """`t.me/<bot>?start=ev<id>` (a poster's link or QR code): the event's next date. True if shown.

    The id is range-checked as a button's is: one no event can have is an event that is gone."""
    if (link := _DEEP_LINK.fullmatch(payload)) is None:
        return False
    pz = services(context)
    event_id = int(link[1]) if len(link[1]) <= 12 else 0
    async with pz.sessions() as session:
        event = await find_event(session, event_id) if 0 < event_id <= MAX_NUMBER else None
    upcoming_starts = (
        event_occurrences(event, pz.settings.tz, after=pz.clock(), limit=1)
        if event is not None and event.status == "scheduled"
        else []
    )
    if not upcoming_starts:
        await tell(context, chat_id(update), m.EVENT_GONE)
        return True
    await show_event(update, context, event_id, as_minutes(upcoming_starts[0]))  # the event found
    return True


def deep_link(bot_username: str, event_id: int) -> str:
    return f"https://t.me/{bot_username}?start=ev{event_id}"


async def show_event(update: Update, context: ContextTypes.DEFAULT_TYPE, event_id: int, minutes: int) -> None:
    from bot.handlers.search import Details  # search imports this module (through event_admin)

    pz = services(context)
    starts_at = from_minutes(minutes)
    async with pz.sessions() as session:
        event = await find_event(session, event_id)
        real_date = event is not None and starts_at in event_occurrences(
            event, pz.settings.tz, after=starts_at, limit=1
        )
        if event is None or event.status != "scheduled" or not real_date:
            await tell(context, chat_id(update), m.STALE_BUTTON)
            return
        going = await going_count(session, event_id, starts_at)
        mine = await is_going(session, user_id(update), event_id, starts_at)
        asset = await find_asset(session, event.asset_id) if event.asset_id else None
    room = "" if event.capacity is None else m.EVENT_PLACES.format(left=max(event.capacity - going, 0))
    text = m.EVENT_DETAILS.format(
        title=m.esc(event.title), when=when(starts_at, pz.settings.tz),
        venue=m.esc(event.venue or "—"), description=m.esc(event.description), room=room,
    )  # fmt: skip
    if mine:
        text += "\n\n" + m.EVENT_YOU_ARE_GOING
    # only the answer that changes something: someone going may say they are not, and the other way
    answer = (
        (m.BUTTON_NOT_GOING, NotGoing(event_id, minutes).data)
        if mine
        else (m.BUTTON_GOING, Going(event_id, minutes).data)
    )
    rows = [[answer], [(m.BUTTON_ADD_TO_CALENDAR, AddToCalendar(event_id, minutes).data)]]
    if asset is not None:  # the place it is at, from the directory: how to get there, opening times
        rows.append(
            [(m.BUTTON_ABOUT_THE_PLACE.format(name=button_label(asset.name)), Details(asset.id).data)]
        )
    await tell(context, chat_id(update), text, keyboard(*rows))


@dataclass(frozen=True)
class AddToCalendar(Button, prefix="ec"):
    """One date of an event as a calendar file."""

    event_id: int
    minutes: Minutes


@on_press(AddToCalendar)
async def on_add_to_calendar(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: AddToCalendar
) -> None:
    await query(update).answer()
    async with services(context).sessions() as session:
        event = await find_event(session, press.event_id)
    if event is None or event.status != "scheduled":
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    data = calendar_file(event, from_minutes(press.minutes), services(context).clock())
    await context.bot.send_document(
        chat_id(update),
        InputFile(data, filename="event.ics", attach=True),
        caption=m.CALENDAR_CAPTION,
    )


@dataclass(frozen=True)
class Going(Button, prefix="eg"):
    """I'm going to this date of an event."""

    event_id: int
    minutes: Minutes


@dataclass(frozen=True)
class NotGoing(Button, prefix="en"):
    """Not going to this date after all."""

    event_id: int
    minutes: Minutes


@on_press(Going)
@on_press(NotGoing)
async def on_going(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Going | NotGoing) -> None:
    await query(update).answer()
    pz = services(context)
    event_id, going = press.event_id, isinstance(press, Going)
    starts_at = from_minutes(press.minutes)
    try:
        async with pz.sessions.begin() as session:
            if going:
                outcome = await rsvp(
                    session, user_id(update), event_id, starts_at,
                    pz.settings.reminder_offsets_minutes, pz.clock(), pz.settings.tz,
                )  # fmt: skip
            else:
                outcome = (
                    "cancelled"
                    if await cancel_rsvp(session, user_id(update), event_id, starts_at)
                    else "not-going"
                )
    except EventError:
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    more = keyboard([(m.BUTTON_MY_RSVPS, MyRsvps().data)]) if outcome == "going" else None
    await tell(context, chat_id(update), m.RSVP_REPLIES[outcome], more)
