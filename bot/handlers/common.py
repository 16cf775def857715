"""What every handler module uses to write to a chat: sending to someone who may have blocked the
bot (or never started it) without failing the update. (The questions the bot asks, and the one a
person is answering, are `bot.handlers.flows`.)"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)


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
