"""/settings: what a resident hears from the bot — their area, new-event alerts, announcements
from coordinators, and the interests that narrow both. Each button changes one thing and the same
message shows the new state."""

from __future__ import annotations

from sqlalchemy import select
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import callbacks
from bot.handlers.common import button_label, keyboard, tell
from bot.matching.taxonomy import default_taxonomy
from bot.services.residents import resident_for
from db.models import Resident


def _view(resident: Resident) -> tuple[str, InlineKeyboardMarkup]:
    def state(on: bool | None) -> str:
        return m.SETTING_ON if on else m.SETTING_OFF

    groups = default_taxonomy().groups()
    interests = [g for g in groups if g in (resident.interests or ())]
    text = m.SETTINGS.format(
        area=m.esc(resident.zone or resident.postcode_district or m.NO_AREA),
        events=state(resident.notify_new_events),
        news=state(resident.notify_broadcasts),
        interests=m.esc(", ".join(interests)) or m.ALL_INTERESTS,
    )
    rows = [
        [(m.BUTTON_CHANGE_AREA, callbacks.area("set"))],
        [(m.BUTTON_TOGGLE_EVENTS[bool(resident.notify_new_events)],
          callbacks.setting("events", "off" if resident.notify_new_events else "on"))],
        [(m.BUTTON_TOGGLE_NEWS[bool(resident.notify_broadcasts)],
          callbacks.setting("news", "off" if resident.notify_broadcasts else "on"))],
    ]  # fmt: skip
    marks = [
        (button_label(("✓ " if g in interests else "") + g), callbacks.interest(n))
        for n, g in enumerate(groups, start=1)
    ]
    rows += [marks[i : i + 2] for i in range(0, len(marks), 2)]
    return text, keyboard(*rows)


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows the choices without saving anything: a row is kept only once something is chosen."""
    async with services(context).sessions() as session:
        resident = await session.scalar(
            select(Resident).where(Resident.telegram_user_id == update.effective_user.id)
        )
        text, markup = _view(resident or Resident(interests=[]))
    await tell(context, update.effective_chat.id, text, markup)


async def on_setting(update: Update, context: ContextTypes.DEFAULT_TYPE, what: str, on: bool) -> None:
    """Turn new-event alerts or announcements on or off (also the button under every one)."""
    await update.callback_query.answer()
    async with services(context).sessions.begin() as session:
        resident = await resident_for(session, update.effective_user.id)
        if what == "events" and on and not resident.postcode_district:
            await tell(context, update.effective_chat.id, m.EVENT_ALERTS_NEED_AREA)
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
        await tell(context, update.effective_chat.id, reply)


async def on_interest(update: Update, context: ContextTypes.DEFAULT_TYPE, index: int) -> None:
    await update.callback_query.answer()
    groups = default_taxonomy().groups()
    if not 1 <= index <= len(groups):
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)
        return
    group = groups[index - 1]
    async with services(context).sessions.begin() as session:
        resident = await resident_for(session, update.effective_user.id)
        chosen = list(resident.interests or [])
        resident.interests = [g for g in chosen if g != group] if group in chosen else [*chosen, group]
        text, markup = _view(resident)
    await _redraw(update, text, markup)


def _is_settings_message(update: Update) -> bool:
    message = update.callback_query.message
    return bool(message and message.text and message.text.startswith(m.SETTINGS_TITLE))


async def _redraw(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    try:
        await update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:  # pressed twice: nothing changed
        if "not modified" not in str(error).lower():
            raise
