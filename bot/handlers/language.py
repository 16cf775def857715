"""/language (and "🌐 Language" in /settings): which language the bot writes to someone in.

Each language is listed in its own name, so anyone finds theirs whatever they are reading now.
The choice is kept on the resident and used for everything sent to them afterwards (replies,
reminders, notices, announcements); until they choose, their Telegram's language is used when
the bot speaks it (bot.pipeline).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from telegram import Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.common import tell
from bot.i18n.current import speaking
from bot.i18n.languages import spoken
from bot.services.residents import choose_language
from bot.views.buttons import Button, Pattern, on_press
from bot.views.keyboards import keyboard

LANGUAGES_PER_ROW = 2


@dataclass(frozen=True)
class ChooseLanguage(Button, prefix="lg"):
    """One language in /language's list (or "show the list", from /settings, with no code)."""

    code: Annotated[str, Pattern(r"[a-z]{0,3}")]


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_languages(update, context)


async def show_languages(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    choices = [(language.own_name, ChooseLanguage(code).data) for code, language in spoken().items()]
    rows = [choices[i : i + LANGUAGES_PER_ROW] for i in range(0, len(choices), LANGUAGES_PER_ROW)]
    await tell(context, chat_id(update), m.LANGUAGE_CHOOSE, keyboard(*rows))


@on_press(ChooseLanguage)
async def on_choose(update: Update, context: ContextTypes.DEFAULT_TYPE, press: ChooseLanguage) -> None:
    from bot.handlers.conversation import menu_keyboard  # conversation imports settings, which imports this

    await query(update).answer()
    if not press.code:
        await show_languages(update, context)
        return
    if press.code not in spoken():  # a language since removed, or forged data
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    async with services(context).sessions.begin() as session:
        await choose_language(session, user_id(update), press.code)
    with speaking(press.code):  # the rest of this update, and all after it, in the language chosen
        await tell(context, chat_id(update), m.LANGUAGE_SET)
        await tell(context, chat_id(update), m.ASK_NEED, menu_keyboard())
