"""/newevent: a coordinator adds an event one question at a time (name, first date and time,
length, repeats, place, places, description), sees a preview, and publishes it; residents who
asked for alerts in that zone are told. The role is checked at every step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.common import tell
from bot.handlers.conversation import typed_area
from bot.handlers.event_admin import MAX_PLACES, manage_keyboard, may_coordinate, monthly_day, zone_is_theirs
from bot.handlers.events import deep_link, when
from bot.handlers.flows import Flow
from bot.senders.notices import wake_sender
from bot.services.areas import area_from_text
from bot.services.categories import asset_named
from bot.services.event_changes import alert_new_event
from bot.services.events import create_event
from bot.services.places import find_postcode
from bot.services.residents import resident_for
from bot.services.when import WhenError, read_length, read_when
from bot.views.buttons import Button, Pattern, on_press
from bot.views.keyboards import keyboard

# one question at a time; "area" only when the place is nowhere the bot knows, "preview" to publish
FLOW = Flow(
    "new_event_flow",
    ("title", "start", "length", "repeat", "place", "area", "places", "about", "preview"),
    pressed=frozenset({"repeat", "preview"}),
)
LENGTHS = {"60": 60, "120": 120, "180": 180}
REPEATS = {"once": ("", 1), "weekly": ("WEEKLY", 1), "fortnightly": ("WEEKLY", 2), "monthly": ("MONTHLY", 1)}


async def new_event(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await may_coordinate(update, context):
        return
    FLOW.open(context, "title")
    await tell(context, chat_id(update), m.NEW_EVENT_ASK_TITLE)


@FLOW.on_text
async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """A typed answer to the step /newevent is on."""
    if not await may_coordinate(update, context):
        return
    pz = services(context)
    flow, chat, text = FLOW.current(context), chat_id(update), text.strip()
    if FLOW.at(context, "title"):
        if not 3 <= len(text) <= 200:
            await tell(context, chat, m.NEW_EVENT_TITLE_LENGTH)
            return
        FLOW.go(context, "start", title=text)
        await tell(context, chat, m.NEW_EVENT_ASK_START)
    elif FLOW.at(context, "start"):
        try:
            start = read_when(text, pz.clock(), pz.settings.tz)
        except WhenError as problem:
            await tell(context, chat, m.WHEN_NOT_READ.format(reason=m.esc(str(problem))))
            return
        FLOW.go(context, "length", start=start.isoformat())
        await _ask_length(context, chat)
    elif FLOW.at(context, "length"):
        length = _typed_length(text, datetime.fromisoformat(flow["start"]), pz.settings.tz)
        if length is None:
            await tell(context, chat, m.LENGTH_NOT_READ)
            return
        await _after_length(context, chat, length)
    elif FLOW.at(context, "place"):
        await _after_place(update, context, flow, text)
    elif FLOW.at(context, "area"):
        if (area := await typed_area(update, context, text)) is None:
            return
        if not await zone_is_theirs(update, context, area.zone):
            return  # still asking which area
        FLOW.go(context, "places", zone=area.zone)
        await _ask_places(context, chat)
    elif FLOW.at(context, "places"):
        if not text.isdigit() or not 1 <= int(text) <= MAX_PLACES:
            await tell(context, chat, m.PLACES_NOT_READ)
            return
        FLOW.go(context, "about", capacity=int(text))
        await _ask_about(context, chat)
    elif FLOW.at(context, "about"):
        await _preview(context, chat, FLOW.go(context, "preview", description=text[:2000]))
    else:
        await tell(context, chat, m.PICK_A_BUTTON)


def _typed_length(text: str, start: datetime, tz: ZoneInfo) -> int | None:
    """'90 minutes', '2 hours', or an end time like '20:00' or '8pm' on the same day; minutes, or None."""
    length = read_length(text, start, tz)
    return None if length is None else int(length.total_seconds() // 60)


async def _ask_length(context: ContextTypes.DEFAULT_TYPE, chat: int) -> None:
    await tell(
        context, chat, m.NEW_EVENT_ASK_LENGTH,
        keyboard([(label, NewEventStep(key).data) for key, label in m.LENGTH_BUTTONS.items()]),
    )  # fmt: skip


async def _after_length(context: ContextTypes.DEFAULT_TYPE, chat: int, minutes: int) -> None:
    FLOW.go(context, "repeat", minutes=minutes)
    await tell(
        context, chat, m.NEW_EVENT_ASK_REPEAT,
        keyboard(*[[(label, NewEventStep(key).data)] for key, label in m.REPEAT_BUTTONS.items()]),
    )  # fmt: skip


async def _after_place(update: Update, context: ContextTypes.DEFAULT_TYPE, flow: dict, text: str) -> None:
    """The place typed: a directory asset by its name (the event then belongs to it), or any
    place with a postcode or a town the bot knows; otherwise ask which area."""
    pz = services(context)
    async with pz.sessions() as session:
        engine = await pz.engine.get(session)
        asset = await asset_named(session, text.split(",")[0])
    if asset is not None:
        venue = ", ".join(p for p in (asset.name, asset.address) if p)[:300]  # as a typed place
        flow.update(venue=venue, postcode=asset.postcode, asset_id=asset.id)
        text = f"{venue}, {asset.postcode}"
    else:
        flow.update(venue=text[:300], postcode=find_postcode(text), asset_id=None)
    area = area_from_text(text, pz.zones, engine)
    zone = asset.zone if asset is not None and asset.zone else (area.zone if area else "")
    if not zone:
        FLOW.go(context, "area")
        await tell(context, chat_id(update), m.NEW_EVENT_ASK_AREA)
        return
    if not await zone_is_theirs(update, context, zone):
        return  # still asking where it is
    FLOW.go(context, "places", zone=zone)
    await _ask_places(context, chat_id(update))


async def _ask_places(context: ContextTypes.DEFAULT_TYPE, chat: int) -> None:
    await tell(
        context, chat, m.NEW_EVENT_ASK_PLACES, keyboard([(m.BUTTON_NO_LIMIT, NewEventStep("nolimit").data)])
    )


async def _ask_about(context: ContextTypes.DEFAULT_TYPE, chat: int) -> None:
    await tell(context, chat, m.NEW_EVENT_ASK_ABOUT, keyboard([(m.BUTTON_SKIP, NewEventStep("skip").data)]))


async def _preview(context: ContextTypes.DEFAULT_TYPE, chat: int, flow: dict) -> None:
    tz = services(context).settings.tz
    start = datetime.fromisoformat(flow["start"])
    text = m.NEW_EVENT_PREVIEW.format(
        title=m.esc(flow["title"]), when=when(start, tz), length=m.counted(flow["minutes"], "minute"),
        repeat=m.REPEAT_BUTTONS[flow["repeat"]], venue=m.esc(flow["venue"]), zone=m.esc(flow["zone"]),
        places=flow.get("capacity") or m.NO_LIMIT, description=m.esc(flow.get("description", "")) or "—",
    )  # fmt: skip
    await tell(
        context, chat, text,
        keyboard(
            [(m.BUTTON_PUBLISH, NewEventStep("publish").data)],
            [(m.BUTTON_START_AGAIN, NewEventStep("restart").data),
             (m.BUTTON_DISCARD, NewEventStep("discard").data)],
        ),
    )  # fmt: skip


@dataclass(frozen=True)
class NewEventStep(Button, prefix="ne"):
    """A button of the /newevent flow: a length, a repeat, no limit, skip, publish, start again, discard."""

    choice: Annotated[str, Pattern("[a-z0-9]{1,12}")]


# the step at which each button is shown: a press is answered only while the flow is there
_BUTTON_STEPS = {
    **dict.fromkeys(LENGTHS, "length"),
    **dict.fromkeys(REPEATS, "repeat"),
    "nolimit": "places",
    "skip": "about",
    "publish": "preview",
    "restart": "preview",
    "discard": "preview",
}


@on_press(NewEventStep)
async def on_new_event_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: NewEventStep
) -> None:
    await query(update).answer()
    choice = press.choice
    step, chat = _BUTTON_STEPS.get(choice), chat_id(update)
    if step is None or not FLOW.at(context, step):
        await tell(context, chat, m.STALE_BUTTON)
        return
    if not await may_coordinate(update, context):
        return
    if choice in LENGTHS:
        await _after_length(context, chat, LENGTHS[choice])
    elif choice in REPEATS:
        FLOW.go(context, "place", repeat=choice)
        await tell(context, chat, m.NEW_EVENT_ASK_PLACE)
    elif choice == "nolimit":
        FLOW.go(context, "about", capacity=None)
        await _ask_about(context, chat)
    elif choice == "skip":
        await _preview(context, chat, FLOW.go(context, "preview", description=""))
    elif choice == "restart":
        FLOW.open(context, "title")
        await tell(context, chat, m.NEW_EVENT_ASK_TITLE)
    elif choice == "discard":
        FLOW.close(context)
        await tell(context, chat, m.NEW_EVENT_DISCARDED)
    else:
        await _publish(update, context, FLOW.take(context))


async def _publish(update: Update, context: ContextTypes.DEFAULT_TYPE, flow: dict) -> None:
    pz = services(context)
    start = datetime.fromisoformat(flow["start"])
    if start <= pz.clock():
        await tell(context, chat_id(update), m.WHEN_NOT_READ.format(reason=m.WHEN_PASSED))
        return
    freq, interval = REPEATS[flow["repeat"]]
    byday = monthly_day(start, pz.settings.tz) if freq == "MONTHLY" else ""
    async with pz.sessions.begin() as session:
        creator = await resident_for(session, user_id(update))
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
    told = m.counted(alerted, "resident")
    await tell(
        context, chat_id(update), m.NEW_EVENT_PUBLISHED.format(link=link, residents=told),
        manage_keyboard(event),
    )  # fmt: skip
