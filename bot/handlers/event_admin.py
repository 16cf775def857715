"""Coordinators' events. /newevent asks one thing at a time and publishes; /myevents changes the
time or place (people going are told and their reminders follow), calls off one date or the whole
event, and makes a QR code for a poster. The role is checked on the server at every step, typed
or pressed, so a forged button or a revoked coordinator changes nothing."""

from __future__ import annotations

import io
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import segno
from sqlalchemy import select
from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import callbacks
from bot.handlers.common import ask, keyboard, tell
from bot.handlers.conversation import typed_area
from bot.handlers.events import as_minutes, deep_link, from_minutes, when
from bot.handlers.notices import wake_sender
from bot.services.areas import area_from_text
from bot.services.categories import asset_named
from bot.services.event_changes import alert_new_event, cancel_date, cancel_event, change_event
from bot.services.event_import import import_event_file
from bot.services.events import EventError, create_event, event_occurrences, going_count
from bot.services.places import find_postcode
from bot.services.residents import resident_for
from bot.services.roles import EVERY_ZONE, coordinator_zones, may_manage_event
from bot.services.when import WhenError, read_duration, read_when
from db.importers.record import SourceFormatError
from db.models import Event, Resident

FLOW = "new_event_flow"
EDIT = "event_edit"
LENGTHS = {"60": 60, "120": 120, "180": 180}
REPEATS = {"once": ("", 1), "weekly": ("WEEKLY", 1), "fortnightly": ("WEEKLY", 2), "monthly": ("MONTHLY", 1)}
MAX_PLACES = 10_000
MAX_UPLOAD_BYTES = 2_000_000


async def _may_coordinate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    pz = services(context)
    async with pz.sessions() as session:
        allowed = bool(await coordinator_zones(session, pz.settings, update.effective_user.id))
    if not allowed:
        context.user_data.pop(FLOW, None)
        context.user_data.pop(EDIT, None)
        await tell(context, update.effective_chat.id, m.COORDINATORS_ONLY)
    return allowed


async def new_event(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _may_coordinate(update, context):
        return
    ask(context, FLOW, {"step": "title"})
    await tell(context, update.effective_chat.id, m.NEW_EVENT_ASK_TITLE)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """A typed answer to the step /newevent is on."""
    if not await _may_coordinate(update, context):
        return
    pz = services(context)
    flow, chat, text = context.user_data[FLOW], update.effective_chat.id, text.strip()
    step = flow["step"]
    if step == "title":
        if not 3 <= len(text) <= 200:
            await tell(context, chat, m.NEW_EVENT_TITLE_LENGTH)
            return
        flow.update(title=text, step="start")
        await tell(context, chat, m.NEW_EVENT_ASK_START)
    elif step == "start":
        try:
            start = read_when(text, pz.clock(), pz.settings.tz)
        except WhenError as problem:
            await tell(context, chat, m.WHEN_NOT_READ.format(reason=m.esc(str(problem))))
            return
        flow.update(start=start.isoformat(), step="length")
        await _ask_length(context, chat)
    elif step == "length":
        length = _typed_length(text, datetime.fromisoformat(flow["start"]), pz.settings.tz)
        if length is None:
            await tell(context, chat, m.LENGTH_NOT_READ)
            return
        await _after_length(context, chat, flow, length)
    elif step == "place":
        await _after_place(update, context, flow, text)
    elif step == "area":
        if (area := await typed_area(update, context, text)) is None:
            return
        flow.update(zone=area.zone, step="places")
        await _ask_places(context, chat)
    elif step == "places":
        if not text.isdigit() or not 1 <= int(text) <= MAX_PLACES:
            await tell(context, chat, m.PLACES_NOT_READ)
            return
        flow.update(capacity=int(text), step="about")
        await _ask_about(context, chat)
    elif step == "about":
        flow.update(description=text[:2000], step="preview")
        await _preview(context, chat, flow)
    else:
        await tell(context, chat, m.PICK_A_BUTTON)


def _typed_length(text: str, start: datetime, tz) -> int | None:  # type: ignore[no-untyped-def]
    """'90 minutes', '2 hours', or an end time like '20:00' on the same day; minutes, or None."""
    if (duration := read_duration(text)) is not None:
        minutes = int(duration.total_seconds() // 60)
    else:
        try:
            hour, minute = (int(p) for p in text.replace(".", ":").split(":"))
            local_start = start.astimezone(tz)
            end = local_start.replace(hour=hour, minute=minute)
        except ValueError:
            return None
        minutes = int((end - local_start).total_seconds() // 60)
    return minutes if 0 < minutes <= 24 * 60 else None


async def _ask_length(context: ContextTypes.DEFAULT_TYPE, chat: int) -> None:
    await tell(
        context, chat, m.NEW_EVENT_ASK_LENGTH,
        keyboard([(label, callbacks.new_event(key)) for key, label in m.LENGTH_BUTTONS.items()]),
    )  # fmt: skip


async def _after_length(context: ContextTypes.DEFAULT_TYPE, chat: int, flow: dict, minutes: int) -> None:
    flow.update(minutes=minutes, step="repeat")
    await tell(
        context, chat, m.NEW_EVENT_ASK_REPEAT,
        keyboard(*[[(label, callbacks.new_event(key))] for key, label in m.REPEAT_BUTTONS.items()]),
    )  # fmt: skip


async def _after_place(update: Update, context: ContextTypes.DEFAULT_TYPE, flow: dict, text: str) -> None:
    """The place typed: a directory asset by its name (the event then belongs to it), or any
    place with a postcode or a town the bot knows; otherwise ask which area."""
    pz = services(context)
    async with pz.sessions() as session:
        engine = await pz.engine.get(session)
        asset = await asset_named(session, text.split(",")[0])
    if asset is not None:
        venue = ", ".join(p for p in (asset.name, asset.address) if p)
        flow.update(venue=venue, postcode=asset.postcode, asset_id=asset.id)
        text = f"{venue}, {asset.postcode}"
    else:
        flow.update(venue=text[:300], postcode=find_postcode(text), asset_id=None)
    area = area_from_text(text, pz.zones, engine)
    zone = asset.zone if asset is not None and asset.zone else (area.zone if area else "")
    if not zone:
        flow["step"] = "area"
        await tell(context, update.effective_chat.id, m.NEW_EVENT_ASK_AREA)
        return
    flow.update(zone=zone, step="places")
    await _ask_places(context, update.effective_chat.id)


async def _ask_places(context: ContextTypes.DEFAULT_TYPE, chat: int) -> None:
    await tell(
        context, chat, m.NEW_EVENT_ASK_PLACES, keyboard([(m.BUTTON_NO_LIMIT, callbacks.new_event("nolimit"))])
    )


async def _ask_about(context: ContextTypes.DEFAULT_TYPE, chat: int) -> None:
    await tell(context, chat, m.NEW_EVENT_ASK_ABOUT, keyboard([(m.BUTTON_SKIP, callbacks.new_event("skip"))]))


def _monthly_day(start: datetime, tz) -> str:  # type: ignore[no-untyped-def]
    """The same weekday of the month as the first date: '-1FR' in the last week, else '2TU'."""
    local = start.astimezone(tz)
    day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[local.weekday()]
    if (local + timedelta(days=7)).month != local.month:
        return f"-1{day}"
    return f"{(local.day - 1) // 7 + 1}{day}"


async def _preview(context: ContextTypes.DEFAULT_TYPE, chat: int, flow: dict) -> None:
    tz = services(context).settings.tz
    start = datetime.fromisoformat(flow["start"])
    text = m.NEW_EVENT_PREVIEW.format(
        title=m.esc(flow["title"]), when=when(start, tz), minutes=flow["minutes"],
        repeat=m.REPEAT_BUTTONS[flow["repeat"]], venue=m.esc(flow["venue"]), zone=m.esc(flow["zone"]),
        places=flow.get("capacity") or m.NO_LIMIT, description=m.esc(flow.get("description", "")) or "—",
    )  # fmt: skip
    await tell(
        context, chat, text,
        keyboard(
            [(m.BUTTON_PUBLISH, callbacks.new_event("publish"))],
            [(m.BUTTON_START_AGAIN, callbacks.new_event("restart")),
             (m.BUTTON_DISCARD, callbacks.new_event("discard"))],
        ),
    )  # fmt: skip


_BUTTON_STEPS = {
    **dict.fromkeys(LENGTHS, "length"),
    **dict.fromkeys(REPEATS, "repeat"),
    "nolimit": "places",
    "skip": "about",
    "publish": "preview",
    "restart": "preview",
    "discard": "preview",
}


async def on_new_event_button(update: Update, context: ContextTypes.DEFAULT_TYPE, choice: str) -> None:
    await update.callback_query.answer()
    flow, chat = context.user_data.get(FLOW), update.effective_chat.id
    if flow is None or _BUTTON_STEPS.get(choice) != flow["step"]:
        await tell(context, chat, m.STALE_BUTTON)
        return
    if not await _may_coordinate(update, context):
        return
    if choice in LENGTHS:
        await _after_length(context, chat, flow, LENGTHS[choice])
    elif choice in REPEATS:
        flow.update(repeat=choice, step="place")
        await tell(context, chat, m.NEW_EVENT_ASK_PLACE)
    elif choice == "nolimit":
        flow.update(capacity=None, step="about")
        await _ask_about(context, chat)
    elif choice == "skip":
        flow.update(description="", step="preview")
        await _preview(context, chat, flow)
    elif choice == "restart":
        ask(context, FLOW, {"step": "title"})
        await tell(context, chat, m.NEW_EVENT_ASK_TITLE)
    elif choice == "discard":
        context.user_data.pop(FLOW)
        await tell(context, chat, m.NEW_EVENT_DISCARDED)
    else:
        await _publish(update, context, context.user_data.pop(FLOW))


async def _publish(update: Update, context: ContextTypes.DEFAULT_TYPE, flow: dict) -> None:
    pz = services(context)
    start = datetime.fromisoformat(flow["start"])
    if start <= pz.clock():
        await tell(context, update.effective_chat.id, m.WHEN_NOT_READ.format(reason="that time has passed"))
        return
    freq, interval = REPEATS[flow["repeat"]]
    byday = _monthly_day(start, pz.settings.tz) if freq == "MONTHLY" else ""
    async with pz.sessions.begin() as session:
        creator = await resident_for(session, update.effective_user.id)
        event = await create_event(
            session, flow["title"], start, ends_at=start + timedelta(minutes=flow["minutes"]),
            venue=flow["venue"], postcode=flow["postcode"], zone=flow["zone"], capacity=flow.get("capacity"),
            freq=freq, interval=interval, byday=byday,
            description=flow.get("description", ""), created_by=creator.id, asset_id=flow.get("asset_id"),
        )  # fmt: skip
        alerted = await alert_new_event(session, event, pz.clock(), pz.settings.tz)
    if alerted:
        wake_sender(context)
    link = deep_link(context.bot.username, event.id)
    await tell(
        context, update.effective_chat.id, m.NEW_EVENT_PUBLISHED.format(link=link, alerted=alerted),
        _manage_keyboard(event),
    )  # fmt: skip


def _manage_keyboard(event: Event):  # type: ignore[no-untyped-def]
    def button(label: str, action: str) -> tuple[str, str]:
        return (label, callbacks.event_action(action, event.id))

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
    if not await _may_coordinate(update, context):
        return
    pz = services(context)
    async with pz.sessions() as session:
        zones = await coordinator_zones(session, pz.settings, update.effective_user.id)
        events = list(await session.scalars(_events_query(zones)))
    rows = []
    for event in events:
        dates = event_occurrences(event, pz.settings.tz, after=pz.clock(), limit=1)
        if dates:
            label = f"{event.title[:40]} · {when(dates[0], pz.settings.tz)}"
            rows.append([(label, callbacks.manage_event(event.id))])
    if not rows:
        await tell(context, update.effective_chat.id, m.NO_EVENTS_TO_MANAGE)
        return
    await tell(context, update.effective_chat.id, m.MY_EVENTS_HEADER, keyboard(*rows[:30]))


def _events_query(zones: set[str]):  # type: ignore[no-untyped-def]
    query = select(Event).where(Event.status == "scheduled").order_by(Event.starts_at, Event.id)
    return query if EVERY_ZONE in zones else query.where(Event.zone.in_(zones))


async def _managed_event(update: Update, context: ContextTypes.DEFAULT_TYPE, event_id: int) -> Event | None:
    """The event, if this person may manage it and it is still on; otherwise a polite no."""
    pz = services(context)
    async with pz.sessions() as session:
        event = await session.get(Event, event_id)
        allowed = event is not None and await may_manage_event(
            session, pz.settings, update.effective_user.id, event
        )
    if event is None or event.status != "scheduled":
        await tell(context, update.effective_chat.id, m.EVENT_GONE)
        return None
    if not allowed:
        await tell(context, update.effective_chat.id, m.COORDINATORS_ONLY)
        return None
    return event


async def on_manage(update: Update, context: ContextTypes.DEFAULT_TYPE, event_id: int) -> None:
    await update.callback_query.answer()
    if (event := await _managed_event(update, context, event_id)) is None:
        return
    pz = services(context)
    dates = event_occurrences(event, pz.settings.tz, after=pz.clock(), limit=1)
    async with pz.sessions() as session:
        going = await going_count(session, event.id, dates[0]) if dates else 0
    text = m.MANAGE_EVENT.format(
        title=m.esc(event.title), when=when(dates[0], pz.settings.tz) if dates else "—",
        venue=m.esc(event.venue or "—"), going=going, link=deep_link(context.bot.username, event.id),
    )  # fmt: skip
    await tell(context, update.effective_chat.id, text, _manage_keyboard(event))


async def on_action(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, event_id: int) -> None:
    await update.callback_query.answer()
    if (event := await _managed_event(update, context, event_id)) is None:
        return
    chat, pz = update.effective_chat.id, services(context)
    if action == "qr":
        await send_poster_code(context, chat, event)
    elif action == "dates":
        dates = event_occurrences(event, pz.settings.tz, after=pz.clock(), limit=6)
        rows = [[(when(d, pz.settings.tz), callbacks.call_off_date(event.id, as_minutes(d)))] for d in dates]
        await tell(context, chat, m.PICK_DATE_TO_CALL_OFF, keyboard(*rows))
    elif action == "cancel":
        await tell(
            context, chat, m.CONFIRM_CANCEL_EVENT.format(title=m.esc(event.title)),
            keyboard([(m.BUTTON_YES_CANCEL, callbacks.event_action("confirm", event.id))]),
        )  # fmt: skip
    elif action == "confirm":
        async with pz.sessions.begin() as session:
            told = await cancel_event(session, event.id, pz.clock())
        wake_sender(context)
        await tell(context, chat, m.EVENT_CANCELLED_DONE.format(told=told))
    else:
        ask(context, EDIT, {"event_id": event.id, "field": action})
        await tell(context, chat, m.EDIT_PROMPTS[action])


async def on_call_off_date(
    update: Update, context: ContextTypes.DEFAULT_TYPE, event_id: int, minutes: str
) -> None:
    await update.callback_query.answer()
    if (event := await _managed_event(update, context, event_id)) is None:
        return
    pz = services(context)
    starts_at = from_minutes(minutes)
    if (
        starts_at not in event_occurrences(event, pz.settings.tz, after=starts_at, limit=1)
        or starts_at <= pz.clock()
    ):
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)
        return
    async with pz.sessions.begin() as session:
        told = await cancel_date(session, event.id, starts_at, pz.clock())
    wake_sender(context)
    await tell(
        context, update.effective_chat.id,
        m.DATE_CALLED_OFF.format(when=when(starts_at, pz.settings.tz), told=told),
    )  # fmt: skip


async def on_edit_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """The new time, place, title, description or number of places for an event."""
    edit = context.user_data.pop(EDIT)
    if (event := await _managed_event(update, context, edit["event_id"])) is None:
        return
    pz, chat, text = services(context), update.effective_chat.id, text.strip()
    changes = await _changes_from(update, context, event, edit["field"], text)
    if changes is None:
        ask(context, EDIT, edit)  # still waiting for a usable answer
        return
    try:
        async with pz.sessions.begin() as session:
            outcome = await change_event(
                session, event.id, changes, pz.clock(), pz.settings.tz, pz.settings.reminder_offsets_minutes
            )
    except EventError as problem:
        await tell(context, chat, m.WHEN_NOT_READ.format(reason=m.esc(str(problem))))
        ask(context, EDIT, edit)
        return
    if outcome.moved or outcome.called_off:
        wake_sender(context)
    await tell(context, chat, m.EVENT_CHANGED.format(moved=outcome.moved, called_off=outcome.called_off))


async def _changes_from(  # type: ignore[no-untyped-def]
    update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event, field: str, text: str
):
    """What the typed answer changes, or None (after saying why) when it cannot be used."""
    pz, chat = services(context), update.effective_chat.id
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
        changes = {"venue": text[:300], "postcode": find_postcode(text)}
        return changes | ({"zone": area.zone} if area is not None and area.zone else {})
    try:
        start = read_when(text, pz.clock(), pz.settings.tz)
    except WhenError as problem:
        await tell(context, chat, m.WHEN_NOT_READ.format(reason=m.esc(str(problem))))
        return None
    length = (event.ends_at - event.starts_at) if event.ends_at else None
    changes = {"starts_at": start, "ends_at": start + length if length else None}
    if event.freq == "MONTHLY" and event.byday:
        changes["byday"] = _monthly_day(start, pz.settings.tz)
    elif event.freq == "WEEKLY" and event.byday and "," not in event.byday:
        changes["byday"] = ""  # one weekday: the new start's
    return changes


async def on_events_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A coordinator sends a .csv or .ics of events: import it and report, row by row."""
    if not await _may_coordinate(update, context):
        return
    pz, chat, document = services(context), update.effective_chat.id, update.effective_message.document
    if (document.file_size or 0) > MAX_UPLOAD_BYTES:
        await tell(context, chat, m.EVENTS_FILE_TOO_BIG)
        return
    name = Path(document.file_name or "events.csv")
    data = await (await document.get_file()).download_as_bytearray()
    async with pz.sessions() as session:
        creator = await session.scalar(
            select(Resident.id).where(Resident.telegram_user_id == update.effective_user.id)
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{name.suffix.lower()}"
        path.write_bytes(bytes(data))
        try:
            report = await import_event_file(
                pz.sessions, path, f"upload:{name.stem}", pz.zones, pz.clock(), pz.settings.tz,
                pz.settings.reminder_offsets_minutes, created_by=creator,
            )  # fmt: skip
        except SourceFormatError as problem:
            # the reason may quote the file (a header line of any length): cut, to fit one message
            await tell(context, chat, m.EVENTS_FILE_UNREADABLE.format(reason=m.esc(str(problem)[:500])))
            return
    if report.people_told or report.residents_alerted:
        wake_sender(context)
    lines = [m.esc(report.summary())]
    lines += [f"• {m.esc(where[:60])}: {m.esc(why[:160])}" for where, why in report.rejected[:15]]
    if len(report.rejected) > 15:
        lines.append(m.AND_MORE.format(count=len(report.rejected) - 15))
    await tell(context, chat, "\n".join(lines))


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
