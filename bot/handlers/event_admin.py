"""Coordinators' events once they exist: /myevents changes the time or place (people going are
told and their reminders follow), calls off one date or the whole event, and makes a QR code for a
poster. (/newevent is `new_event`; files of events are `event_files`.) The role is checked on the
server at every step, typed or pressed, so a forged button or a revoked coordinator changes
nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Literal

import segno
from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.common import tell
from bot.handlers.events import as_minutes, deep_link, from_minutes, when
from bot.handlers.flows import Flow, close_all, stepless
from bot.senders.notices import wake_sender
from bot.services.areas import area_from_text
from bot.services.event_changes import cancel_date, cancel_event, change_event
from bot.services.events import EventError, event_occurrences, find_event, going_count, scheduled_events
from bot.services.places import find_postcode
from bot.services.roles import EVERY_ZONE, coordinator_zones, may_manage_event
from bot.services.when import WhenError, read_when
from bot.views.buttons import Button, Minutes, on_press
from bot.views.keyboards import button_label, keyboard
from db.models import Event

# the new value of one field of an event ({"event_id", "field"}); older versions kept it with no step
EDIT = Flow("event_edit", ("new_value",), legacy=stepless("new_value"))
MAX_PLACES = 10_000


async def zone_is_theirs(update: Update, context: ContextTypes.DEFAULT_TYPE, zone: str) -> bool:
    """An event may be put only in a zone the coordinator looks after (any zone for an admin), the
    same rule an uploaded events file meets row by row; says so when it is not."""
    pz = services(context)
    async with pz.sessions() as session:
        zones = await coordinator_zones(session, pz.settings, user_id(update))
    if EVERY_ZONE in zones or zone in zones:
        return True
    await tell(
        context,
        chat_id(update),
        m.EVENT_ZONE_NOT_YOURS.format(zone=m.esc(zone), zones=m.esc(", ".join(sorted(zones)))),
    )
    return False


async def may_coordinate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Checked at every step: a refused person's half-answered questions are dropped too."""
    pz = services(context)
    async with pz.sessions() as session:
        allowed = bool(await coordinator_zones(session, pz.settings, user_id(update)))
    if not allowed:
        close_all(context)
        await tell(context, chat_id(update), m.COORDINATORS_ONLY)
    return allowed


def monthly_day(start: datetime, tz: tzinfo) -> str:
    """The same weekday of the month as the first date: '-1FR' in the last week, else '2TU'."""
    local = start.astimezone(tz)
    day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[local.weekday()]
    if (local + timedelta(days=7)).month != local.month:
        return f"-1{day}"
    return f"{(local.day - 1) // 7 + 1}{day}"


def manage_keyboard(event: Event) -> InlineKeyboardMarkup:
    def button(label: str, action: EventChange) -> tuple[str, str]:
        return (label, EventAction(action, event.id).data)

    rows = [
        [button(m.BUTTON_CHANGE_TIME, "time"), button(m.BUTTON_CHANGE_PLACE, "place")],
        [button(m.BUTTON_RENAME, "title"), button(m.BUTTON_CHANGE_ABOUT, "about")],
        [button(m.BUTTON_CHANGE_PLACES, "places"), button(m.BUTTON_POSTER, "qr")],
    ]
    if event.freq:
        rows.append([button(m.BUTTON_CALL_OFF_DATE, "dates")])
    rows.append([button(m.BUTTON_CANCEL_EVENT, "cancel")])
    return keyboard(*rows)


async def my_events(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The coming events in the zones this coordinator looks after (all zones for an admin)."""
    if not await may_coordinate(update, context):
        return
    pz = services(context)
    async with pz.sessions() as session:
        zones = await coordinator_zones(session, pz.settings, user_id(update))
        events = await scheduled_events(session, zones)
    # soonest next date first: a weekly event that began in the summer is on again this week
    coming = []
    for event in events:
        if dates := event_occurrences(event, pz.settings.tz, after=pz.clock(), limit=1):
            coming.append((dates[0], event.id, event))
    rows = [
        [
            (
                f"{button_label(event.title)} · {when(next_date, pz.settings.tz)}",
                ManageEvent(event.id).data,
            )
        ]
        for next_date, _, event in sorted(coming, key=lambda found: found[:2])
    ]
    if not rows:
        await tell(context, chat_id(update), m.NO_EVENTS_TO_MANAGE)
        return
    await tell(context, chat_id(update), m.MY_EVENTS_HEADER, keyboard(*rows[:30]))


async def _managed_event(update: Update, context: ContextTypes.DEFAULT_TYPE, event_id: int) -> Event | None:
    """The event, if this person may manage it and it is still on; otherwise a polite no."""
    pz = services(context)
    async with pz.sessions() as session:
        event = await find_event(session, event_id)
        allowed = event is not None and await may_manage_event(session, pz.settings, user_id(update), event)
    if event is None or event.status != "scheduled":
        await tell(context, chat_id(update), m.EVENT_GONE)
        return None
    if not allowed:
        await tell(context, chat_id(update), m.COORDINATORS_ONLY)
        return None
    return event


@dataclass(frozen=True)
class ManageEvent(Button, prefix="em"):
    """One of my events (/myevents): what it is, and what can be changed."""

    event_id: int


EventChange = Literal["time", "place", "title", "about", "places", "dates", "cancel", "confirm", "qr"]


@dataclass(frozen=True)
class EventAction(Button, prefix="ex"):
    """Change, call off (confirmed) or make a poster code for one of my events."""

    action: EventChange
    event_id: int


@dataclass(frozen=True)
class CallOffDate(Button, prefix="ed"):
    """Call off one date of a repeating event."""

    event_id: int
    minutes: Minutes


@on_press(ManageEvent)
async def on_manage(update: Update, context: ContextTypes.DEFAULT_TYPE, press: ManageEvent) -> None:
    await query(update).answer()
    if (event := await _managed_event(update, context, press.event_id)) is None:
        return
    pz = services(context)
    dates = event_occurrences(event, pz.settings.tz, after=pz.clock(), limit=1)
    async with pz.sessions() as session:
        going = await going_count(session, event.id, dates[0]) if dates else 0
    text = m.MANAGE_EVENT.format(
        title=m.esc(event.title), when=when(dates[0], pz.settings.tz) if dates else "—",
        venue=m.esc(event.venue or "—"), going=going, link=deep_link(context.bot.username, event.id),
    )  # fmt: skip
    await tell(context, chat_id(update), text, manage_keyboard(event))


@on_press(EventAction)
async def on_action(update: Update, context: ContextTypes.DEFAULT_TYPE, press: EventAction) -> None:
    await query(update).answer()
    if (event := await _managed_event(update, context, press.event_id)) is None:
        return
    action = press.action
    chat, pz = chat_id(update), services(context)
    if action == "qr":
        await send_poster_code(context, chat, event)
    elif action == "dates":
        dates = event_occurrences(event, pz.settings.tz, after=pz.clock(), limit=6)
        rows = [[(when(d, pz.settings.tz), CallOffDate(event.id, as_minutes(d)).data)] for d in dates]
        await tell(context, chat, m.PICK_DATE_TO_CALL_OFF, keyboard(*rows))
    elif action == "cancel":
        await tell(
            context, chat, m.CONFIRM_CANCEL_EVENT.format(title=m.esc(event.title)),
            keyboard([(m.BUTTON_YES_CANCEL, EventAction("confirm", event.id).data)]),
        )  # fmt: skip
    elif action == "confirm":
        async with pz.sessions.begin() as session:
            told = await cancel_event(session, event.id, pz.clock())
        wake_sender(context)
        await tell(context, chat, m.EVENT_CANCELLED_DONE.format(people=m.counted(told, "person")))
    else:
        EDIT.open(context, "new_value", event_id=event.id, field=action)
        await tell(context, chat, m.EDIT_PROMPTS[action])


@on_press(CallOffDate)
async def on_call_off_date(update: Update, context: ContextTypes.DEFAULT_TYPE, press: CallOffDate) -> None:
    await query(update).answer()
    if (event := await _managed_event(update, context, press.event_id)) is None:
        return
    pz = services(context)
    starts_at = from_minutes(press.minutes)
    if (
        starts_at not in event_occurrences(event, pz.settings.tz, after=starts_at, limit=1)
        or starts_at <= pz.clock()
    ):
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    async with pz.sessions.begin() as session:
        told = await cancel_date(session, event.id, starts_at, pz.clock())
    wake_sender(context)
    await tell(
        context, chat_id(update),
        m.DATE_CALLED_OFF.format(when=when(starts_at, pz.settings.tz), people=m.counted(told, "person")),
    )  # fmt: skip


@EDIT.on_text
async def on_edit_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """The new time, place, title, description or number of places for an event."""
    edit = EDIT.take(context)
    if (event := await _managed_event(update, context, edit["event_id"])) is None:
        return
    pz, chat, text = services(context), chat_id(update), text.strip()
    changes = await _changes_from(update, context, event, edit["field"], text)
    if changes is None:
        EDIT.open(context, **edit)  # still waiting for a usable answer
        return
    try:
        async with pz.sessions.begin() as session:
            outcome = await change_event(
                session, event.id, changes, pz.clock(), pz.settings.tz, pz.settings.reminder_offsets_minutes
            )
    except EventError as problem:
        await tell(context, chat, m.WHEN_NOT_READ.format(reason=m.esc(str(problem))))
        EDIT.open(context, **edit)
        return
    if outcome.moved or outcome.called_off:
        wake_sender(context)
    await tell(
        context,
        chat,
        m.EVENT_CHANGED.format(
            moved=m.counted(outcome.moved, "person"), called_off=m.counted(outcome.called_off, "person")
        ),
    )


async def _changes_from(
    update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event, field: str, text: str
) -> dict[str, Any] | None:
    """What the typed answer changes, or None (after saying why) when it cannot be used."""
    pz, chat = services(context), chat_id(update)
    if field == "title":
        if not 3 <= len(text) <= 200:
            await tell(context, chat, m.NEW_EVENT_TITLE_LENGTH)
            return None
        return {"title": text}
    if field == "about":
        return {"description": text[:2000]}
    if field == "places":
        if text.lower() in ("no limit", "none", "unlimited"):
            return {"capacity": None}
        if not text.isdigit() or not 1 <= int(text) <= MAX_PLACES:
            await tell(context, chat, m.PLACES_NOT_READ)
            return None
        return {"capacity": int(text)}
    if field == "place":
        async with pz.sessions() as session:
            engine = await pz.engine.get(session)
        area = area_from_text(text, pz.zones, engine)
        changes: dict[str, Any] = {"venue": text[:300], "postcode": find_postcode(text)}
        if area is not None and area.zone and area.zone != event.zone:
            if not await zone_is_theirs(update, context, area.zone):
                return None
            changes["zone"] = area.zone
        return changes
    try:
        start = read_when(text, pz.clock(), pz.settings.tz)
    except WhenError as problem:
        await tell(context, chat, m.WHEN_NOT_READ.format(reason=m.esc(str(problem))))
        return None
    length = (event.ends_at - event.starts_at) if event.ends_at else None
    changes = {"starts_at": start, "ends_at": start + length if length else None}
    if event.freq == "MONTHLY" and event.byday:
        changes["byday"] = monthly_day(start, pz.settings.tz)
    elif event.freq == "WEEKLY" and event.byday and "," not in event.byday:
        changes["byday"] = ""  # one weekday: the new start's
    return changes


def poster_code(link: str) -> bytes:
    """A QR code for a printed poster: big modules and a quiet border, so phones read it from afar."""
    buffer = io.BytesIO()
    segno.make(link, error="q").save(buffer, kind="png", scale=12, border=4)
    return buffer.getvalue()


async def send_poster_code(context: ContextTypes.DEFAULT_TYPE, chat: int, event: Event) -> None:
    link = deep_link(context.bot.username, event.id)
    await context.bot.send_photo(
        chat,
        InputFile(poster_code(link), filename=f"event-{event.id}-qr.png"),
        caption=m.POSTER_CAPTION.format(title=event.title[:200], link=link),
    )
