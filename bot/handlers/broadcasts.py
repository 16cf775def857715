"""/broadcast: a coordinator writes an announcement (text, or a photo with a caption), picks who
hears it, sees it as recipients will with the number of people, confirms, and can stop it while
it goes out. The role is checked on the server at every step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, message, query, user_id
from bot.handlers.common import tell
from bot.handlers.flows import Flow
from bot.handlers.settings import Setting
from bot.matching.taxonomy import default_taxonomy
from bot.senders.announcements import show_progress, wake_broadcasts
from bot.services.broadcasts import Audience, find_broadcast, recipient_ids, start_broadcast, stop_broadcast
from bot.services.residents import resident_of, telegram_id_of
from bot.services.roles import EVERY_ZONE, coordinator_zones
from bot.services.typed_text import clean_text
from bot.views.buttons import Button, Index, on_press
from bot.views.keyboards import button_label, keyboard

# the announcement (typed, or a photo with a caption), then buttons: who, which interest, where, send
FLOW = Flow(
    "broadcast_flow",
    ("message", "who", "interest", "where", "confirm"),
    pressed=frozenset({"who", "interest", "where", "confirm"}),
)
MAX_TEXT = 3500  # leaves room under Telegram's 4096 for what the bot adds
MAX_CAPTION = 900  # under Telegram's 1024 for a photo's caption
KINDS = {"all": "everyone", "vol": "volunteers", "int": "interest"}


async def _zones_or_refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> set[str]:
    pz = services(context)
    async with pz.sessions() as session:
        zones = await coordinator_zones(session, pz.settings, user_id(update))
    if not zones:
        FLOW.close(context)
        await tell(context, chat_id(update), m.COORDINATORS_ONLY)
    return zones


def _my_zone_choices(context: ContextTypes.DEFAULT_TYPE, zones: set[str]) -> list[str]:
    """The zones this coordinator may address, in a stable order (every zone for an admin)."""
    return sorted(services(context).zones.zone_districts()) if EVERY_ZONE in zones else sorted(zones)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _zones_or_refuse(update, context):
        return
    FLOW.open(context, "message")
    await tell(context, chat_id(update), m.BROADCAST_ASK_MESSAGE)


@FLOW.on_text
async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    if not await _zones_or_refuse(update, context):
        return
    if not FLOW.at(context, "message"):
        await tell(context, chat_id(update), m.PICK_A_BUTTON)
        return
    if len(text) > MAX_TEXT:
        await tell(context, chat_id(update), m.BROADCAST_TOO_LONG.format(limit=MAX_TEXT))
        return
    FLOW.go(context, "who", text=text.strip(), photo="")
    await _ask_who(update, context)


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A photo while composing becomes the announcement; False when the bot was not asking."""
    if not FLOW.at(context, "message"):
        return False
    if not await _zones_or_refuse(update, context):
        return True
    caption = clean_text(message(update).caption or "")  # as typed text is, before it is kept
    if len(caption) > MAX_CAPTION:
        await tell(context, chat_id(update), m.BROADCAST_TOO_LONG.format(limit=MAX_CAPTION))
        return True
    FLOW.go(context, "who", text=caption, photo=message(update).photo[-1].file_id)
    await _ask_who(update, context)
    return True


async def _ask_who(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    kinds = m.BROADCAST_KINDS.items()  # its keys are the kinds (a wrong one is refused when made)
    rows = [[(label, BroadcastKind(key).data)] for key, label in kinds]  # type: ignore[arg-type]
    await tell(context, chat_id(update), m.BROADCAST_ASK_WHO, keyboard(*rows))


async def _pressed_at(
    update: Update, context: ContextTypes.DEFAULT_TYPE, step: str, valid: bool = True
) -> tuple[dict, set[str]] | None:
    """A button of the STEP the composing is at, pressed by someone still a coordinator: the flow
    and their zones. Otherwise the press is answered (stale, or refused) and None comes back."""
    await query(update).answer()
    if not FLOW.at(context, step) or not valid:
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return None
    zones = await _zones_or_refuse(update, context)
    return (FLOW.current(context), zones) if zones else None


@dataclass(frozen=True)
class BroadcastKind(Button, prefix="bk"):
    """Who an announcement is for: everyone, volunteers, or people with an interest."""

    key: Literal["all", "vol", "int"]


@dataclass(frozen=True)
class BroadcastGroup(Button, prefix="bg"):
    """... which interest."""

    index: Index


@dataclass(frozen=True)
class BroadcastZone(Button, prefix="bz"):
    """... in which of the coordinator's zones (0: all of them)."""

    index: Index


@dataclass(frozen=True)
class BroadcastSend(Button, prefix="bs"):
    """Send the announcement now, or discard it."""

    choice: Literal["send", "discard"]


@dataclass(frozen=True)
class StopSending(Button, prefix="bx"):
    """Stop an announcement going out."""

    broadcast_id: int


@on_press(BroadcastKind)
async def on_kind(update: Update, context: ContextTypes.DEFAULT_TYPE, press: BroadcastKind) -> None:
    key = press.key
    if (pressed := await _pressed_at(update, context, "who")) is None:
        return
    flow, _ = pressed
    flow["kind"] = KINDS[key]
    if key == "int":
        FLOW.go(context, "interest")
        groups = default_taxonomy().groups()
        rows = [
            [(button_label(m.need_group(g)), BroadcastGroup(n).data)] for n, g in enumerate(groups, start=1)
        ]
        await tell(context, chat_id(update), m.BROADCAST_ASK_INTEREST, keyboard(*rows))
        return
    await _ask_where(update, context)


@on_press(BroadcastGroup)
async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE, press: BroadcastGroup) -> None:
    index = press.index
    groups = default_taxonomy().groups()
    if (pressed := await _pressed_at(update, context, "interest", 1 <= index <= len(groups))) is None:
        return
    flow, _ = pressed
    flow["group"] = groups[index - 1]
    await _ask_where(update, context)


async def _ask_where(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    FLOW.go(context, "where")
    async with services(context).sessions() as session:
        zones = await coordinator_zones(session, services(context).settings, user_id(update))
    choices = _my_zone_choices(context, zones)
    rows = [[(m.BROADCAST_ALL_MY_ZONES, BroadcastZone(0).data)]]
    rows += [[(button_label(zone), BroadcastZone(n).data)] for n, zone in enumerate(choices, start=1)]
    await tell(context, chat_id(update), m.BROADCAST_ASK_WHERE, keyboard(*rows))


@on_press(BroadcastZone)
async def on_zone(update: Update, context: ContextTypes.DEFAULT_TYPE, press: BroadcastZone) -> None:
    index = press.index
    if (pressed := await _pressed_at(update, context, "where")) is None:
        return
    flow, zones = pressed
    choices = _my_zone_choices(context, zones)
    if index > len(choices):
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    chosen = (choices[index - 1],) if index else (() if EVERY_ZONE in zones else tuple(choices))
    audience = Audience(flow["kind"], chosen, flow.get("group", ""))
    async with services(context).sessions() as session:
        me = await resident_of(session, user_id(update))
        count = len([r for r in await recipient_ids(session, audience) if me is None or r != me.id])
    FLOW.go(context, "confirm", audience=audience.as_json())
    await send_announcement(context, chat_id(update), flow["text"], flow["photo"])
    await tell(
        context, chat_id(update),
        m.BROADCAST_PREVIEW.format(people=m.counted(count, "person"), who=_describe(audience)),
        keyboard([(m.BUTTON_SEND_NOW, BroadcastSend("send").data)],
                 [(m.BUTTON_DISCARD, BroadcastSend("discard").data)]),
    )  # fmt: skip


def _describe(audience: Audience) -> str:
    who = {"everyone": m.WHO_EVERYONE, "volunteers": m.WHO_VOLUNTEERS}.get(
        audience.kind, m.WHO_INTEREST.format(group=audience.group)
    )
    where = ", ".join(audience.zones) if audience.zones else m.EVERY_ZONE_LABEL
    return f"{who} — {m.esc(where)}"


async def send_announcement(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str, photo_file_id: str
) -> None:
    """The announcement as a recipient sees it, with the one-tap way to stop them."""
    body = m.ANNOUNCEMENT.format(text=m.esc(text)) if text else m.ANNOUNCEMENT_HEADER
    markup = keyboard([(m.BUTTON_STOP_ANNOUNCEMENTS, Setting("news", "off").data)])
    if photo_file_id:
        await context.bot.send_photo(
            chat_id, photo_file_id, caption=body, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    else:
        await context.bot.send_message(chat_id, body, parse_mode=ParseMode.HTML, reply_markup=markup)


@on_press(BroadcastSend)
async def on_send(update: Update, context: ContextTypes.DEFAULT_TYPE, press: BroadcastSend) -> None:
    if (pressed := await _pressed_at(update, context, "confirm")) is None:
        return
    flow, _ = pressed
    FLOW.close(context)
    if press.choice == "discard":
        await tell(context, chat_id(update), m.BROADCAST_DISCARDED)
        return
    pz = services(context)
    async with pz.sessions.begin() as session:
        broadcast, count = await start_broadcast(
            session, user_id(update), flow["text"], flow["photo"],
            Audience.from_json(flow["audience"]), pz.clock(),
        )  # fmt: skip
        status = await context.bot.send_message(
            chat_id(update),
            m.BROADCAST_STARTING.format(people=m.counted(count, "person")),
            parse_mode=ParseMode.HTML,
        )
        broadcast.status_chat_id, broadcast.status_message_id = status.chat_id, status.message_id
    await show_progress(context.application, broadcast.id)
    wake_broadcasts(context)


@on_press(StopSending)
async def on_stop(update: Update, context: ContextTypes.DEFAULT_TYPE, press: StopSending) -> None:
    """Stop sending: the author, or a coordinator of every zone it goes to."""
    broadcast_id = press.broadcast_id
    await query(update).answer()
    pz = services(context)
    async with pz.sessions.begin() as session:
        zones = await coordinator_zones(session, pz.settings, user_id(update))
        broadcast = await find_broadcast(session, broadcast_id)
        if broadcast is None:
            await tell(context, chat_id(update), m.STALE_BUTTON)
            return
        author = await telegram_id_of(session, broadcast.author_id)
        audience_zones = Audience.from_json(broadcast.audience).zones
        covers = EVERY_ZONE in zones or (zones and audience_zones and set(audience_zones) <= zones)
        is_author = author == user_id(update)
        if not zones or not (is_author or covers):
            await tell(context, chat_id(update), m.COORDINATORS_ONLY)
            return
        stopped = await stop_broadcast(session, broadcast_id, pz.clock())
    if not stopped:
        await tell(context, chat_id(update), m.BROADCAST_ALREADY_OVER)
    await show_progress(context.application, broadcast_id)
