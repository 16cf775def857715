"""Small pieces every handler module uses: inline keyboards, and sending to someone who may have
blocked the bot (or never started it) without failing the update."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot.handlers.access import user_data

log = logging.getLogger(__name__)


# The keys under which the bot waits for a typed answer (filled in by `search`, which routes the
# answers). Only one question is open at a time, so an answer never lands in a flow left behind.
QUESTION_KEYS: set[str] = set()


def ask(context: ContextTypes.DEFAULT_TYPE, key: str, value: object) -> None:
    """Open the question KEY (closing any other the person left half-answered)."""
    for other in QUESTION_KEYS:
        user_data(context).pop(other, None)
    user_data(context)[key] = value


BUTTON_CHARS = 40  # what a phone shows of a button's label before it cuts it off itself


def button_label(text: str, limit: int = BUTTON_CHARS) -> str:
    """A name, title or place from the data made fit for a button: on one line, and when too long
    cut at the end of a word with "…" ("Coffee Morning for Older Neighbours…"), never mid-word
    unless one word alone is longer than LIMIT. Every button label built from data goes through here."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    if words[limit - 1] != " " and " " in cut:  # the cut falls inside a word: end before it
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-–—·(/&") + "…"


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Rows of (label, callback data)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows])


async def tell(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Send HTML text to another person's chat; False (and a log line without the text) if they
    cannot be reached."""
    try:
        await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return True
    except Forbidden:
        log.info("a message to another chat could not be delivered: blocked")
        return False
    except BadRequest as error:  # Telegram's reason ("chat not found", "message is too long"), no text
        log.warning("a message could not be delivered: %s", error.message)
        return False
