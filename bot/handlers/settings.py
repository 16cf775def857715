"""/settings: what a resident hears from the bot — their area, new-event alerts, announcements
from coordinators, and the interests that narrow both. Each button changes one thing and the same
message shows the new state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.common import tell
from bot.handlers.language import ChooseLanguage
from bot.i18n.current import current
from bot.i18n.languages import language
from bot.matching.taxonomy import default_taxonomy
from bot.services.residents import resident_for, resident_of
from bot.views.buttons import Button, Index, on_press
from bot.views.keyboards import button_label, keyboard
from db.models import Resident


def _view(resident: Resident) -> tuple[str, InlineKeyboardMarkup]:
    from bot.handlers.conversation import AreaChoice  # conversation imports this module (through events)

    def state(on: bool | None) -> str:
        return m.SETTING_ON if on else m.SETTING_OFF

    groups = default_taxonomy().groups()
    interests = [g for g in groups if g in (resident.interests or ())]
    text = m.SETTINGS.format(
        area=m.esc(resident.zone or resident.postcode_district or m.NO_AREA),
        events=state(resident.notify_new_events),
        news=state(resident.notify_broadcasts),
        interests=m.esc(", ".join(m.need_group(g) for g in interests)) or m.ALL_INTERESTS,
        language=language(resident.language or current()).own_name,
    )
    rows = [
        [(m.BUTTON_CHANGE_AREA, AreaChoice("set").data), (m.BUTTON_CHANGE_LANGUAGE, ChooseLanguage("").data)],
        [(m.BUTTON_TOGGLE_EVENTS[bool(resident.notify_new_events)],
          Setting("events", "off" if resident.notify_new_events else "on").data)],
        [(m.BUTTON_TOGGLE_NEWS[bool(resident.notify_broadcasts)],
          Setting("news", "off" if resident.notify_broadcasts else "on").data)],
    ]  # fmt: skip
    marks = [
        (button_label(("✓ " if g in interests else "") + m.need_group(g)), Interest(n).data)
        for n, g in enumerate(groups, start=1)
    ]
    rows += [marks[i : i + 2] for i in range(0, len(marks), 2)]
    return text, keyboard(*rows)


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows the choices without saving anything: a row is kept only once something is chosen."""
    async with services(context).sessions() as session:
        resident = await resident_of(session, user_id(update))
        text, markup = _view(resident or Resident(interests=[]))
    await tell(context, chat_id(update), text, markup)


@dataclass(frozen=True)
class Setting(Button, prefix="st"):
    """A /settings switch: new-event alerts or announcements, on or off (also under each one)."""

    what: Literal["events", "news"]
    choice: Literal["on", "off"]


@on_press(Setting)
async def on_setting(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Setting) -> None:
    """Turn new-event alerts or announcements on or off (also the button under every one)."""
    what, on = press.what, press.choice == "on"
    await query(update).answer()
    async with services(context).sessions.begin() as session:
        resident = await resident_for(session, user_id(update))
        if what == "events" and on and not resident.postcode_district:
            await tell(context, chat_id(update), m.EVENT_ALERTS_NEED_AREA)
            return
        setattr(resident, "notify_new_events" if what == "events" else "notify_broadcasts", on)
        text, markup = _view(resident)
    if _is_settings_message(update):
        await _redraw(update, text, markup)
    else:  # pressed under an alert or an announcement: say what changed
        replies = {
            ("events", True): m.SETTING_EVENTS_ON, ("events", False): m.EVENT_ALERTS_OFF,
            ("news", True): m.SETTING_NEWS_ON, ("news", False): m.SETTING_NEWS_OFF,
        }  # fmt: skip
        reply = replies[(what, on)]
        await tell(context, chat_id(update), reply)


@dataclass(frozen=True)
class Interest(Button, prefix="si"):
    """An interest in /settings, on or off."""

    index: Index


@on_press(Interest)
async def on_interest(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Interest) -> None:
    await query(update).answer()
    index = press.index
    groups = default_taxonomy().groups()
    if not 1 <= index <= len(groups):
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    group = groups[index - 1]
    async with services(context).sessions.begin() as session:
        resident = await resident_for(session, user_id(update))
        chosen = list(resident.interests or [])
        resident.interests = [g for g in chosen if g != group] if group in chosen else [*chosen, group]
        text, markup = _view(resident)
    await _redraw(update, text, markup)


def _is_settings_message(update: Update) -> bool:
    """Pressed on the /settings message itself (its interest buttons say so, in any language),
    not under an alert or an announcement."""
    shown = query(update).message  # None, or inaccessible (too old): not one to redraw
    if not isinstance(shown, Message) or shown.reply_markup is None:
        return False
    pressable = (b.callback_data for row in shown.reply_markup.inline_keyboard for b in row)
    return any(isinstance(data, str) and data.startswith(f"{Interest.prefix}:") for data in pressable)


async def _redraw(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    try:
        await query(update).edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:  # pressed twice: nothing changed
        if "not modified" not in str(error).lower():
            raise
