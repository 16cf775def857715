"""Before anything else: flood control, chats that are not private, edited and forwarded messages,
and cleaning what people type before it is searched for or kept.

``gate`` runs first for every update (group -2, before the safety check). It stops an update with
``ApplicationHandlerStop`` when the bot should not act on it:

- anything from a group, supergroup or channel: the bot is for private chats, so it says so once,
  with a link to a private chat, and leaves (nothing from a group is stored);
- a person over their flood limit: one "give me a moment" per notice window, otherwise silence.
  A message that suggests danger still gets the emergency numbers, because the safety check that
  would have seen it (group -1) does not run for a dropped update.

Edited messages and forwarded commands are answered in group 0, after the safety check has seen
them. Nothing here logs what anyone wrote.
"""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id
from bot.services.flood import FloodControl, Verdict
from bot.services.typed_text import clean_text

log = logging.getLogger(__name__)

FLOOD_KEY = "flood"
MAX_QUERY_CHARS = 500  # a need in someone's own words; longer text is cut before search

# --- flood control --------------------------------------------------------------------------------


def flood_control(context: ContextTypes.DEFAULT_TYPE) -> FloodControl | None:
    """The one FloodControl of this Application, made from the settings on first use (None: off)."""
    data = context.application.bot_data
    if FLOOD_KEY not in data:
        settings = services(context).settings
        on = settings.flood_per_minute > 0
        data[FLOOD_KEY] = FloodControl(settings.flood_per_minute, settings.flood_burst) if on else None
    return data[FLOOD_KEY]


def _counts(update: Update) -> bool:
    """Updates a person causes and the bot would answer: messages, edits and button presses."""
    return bool(update.message or update.edited_message or update.callback_query)


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group -2: stop what the bot must not act on; let everything else through untouched."""
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await _not_private(update, context, chat)
        raise ApplicationHandlerStop
    query = update.callback_query
    if query is not None and query.message is None:  # a button on an inline message: not ours
        await _answer(update)
        raise ApplicationHandlerStop
    user = update.effective_user
    flood = flood_control(context)
    if user is None or flood is None or not _counts(update):
        return
    pz = services(context)
    now = pz.clock()
    verdict = flood.check(user.id, now)
    if verdict is Verdict.ALLOWED:
        return
    log.info("flood limit: an update was dropped")  # never the user or the words
    await _answer(update)
    message = update.message or update.edited_message
    text = clean_text((message.text or message.caption or "") if message else "")
    alert = pz.safety.check(text) if text else None
    if alert is not None and flood.may_alert(user.id, now):
        from bot.handlers import fallback  # the one safety message (fallback imports this module)

        try:  # the help only: a flood-limited person gets nothing else this time
            await fallback.send_safety_help(update, context, alert)
        except TelegramError as error:  # must not let the update through to the other handlers
            log.info("the safety message could not be sent (%s)", type(error).__name__)
    if verdict is Verdict.WARN:
        await _say(context, chat_id(update), m.SLOW_DOWN)
    raise ApplicationHandlerStop


# --- groups and channels --------------------------------------------------------------------------

_PRESENT = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.RESTRICTED}


async def _not_private(update: Update, context: ContextTypes.DEFAULT_TYPE, chat: Chat) -> None:
    """A group, supergroup or channel (CHAT): say once that the bot works in private chats, and leave."""
    member = update.my_chat_member
    if member is not None and member.new_chat_member.status not in _PRESENT:
        return  # the bot left or was removed: nothing to say, nowhere to say it
    if member is None and not (update.effective_message or update.callback_query):
        return  # someone else joined or left, a reaction...: not for the bot
    await _answer(update)
    message = update.message or update.edited_message or update.channel_post or update.edited_channel_post
    text = clean_text((message.text or message.caption or "") if message else "")
    alert = services(context).safety.check(text) if text else None
    if alert is not None:
        help_text = m.safety_help(list(alert.kinds), alert.child, services(context).settings.local_help)
        await _say(context, chat.id, help_text, html=True)
    link = f"https://t.me/{context.bot.username}"
    await _say(context, chat.id, m.GROUP_NOT_HERE.format(link=link))
    try:
        await context.bot.leave_chat(chat.id)
        log.info("left a %s chat", chat.type)
    except TelegramError as error:  # already gone: a second update from the same group
        log.info("could not leave a %s chat (%s)", chat.type, type(error).__name__)


# --- edited and forwarded messages (group 0, after the safety check) ------------------------------


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message is not acted on again; a changed text gets a pointer, the rest (a live
    location moving, a re-cropped photo) silence."""
    message = update.edited_message
    if message is not None and (message.text is not None or message.caption is not None):
        await context.bot.send_message(chat_id(update), m.EDITED_MESSAGE)


async def on_forwarded_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command in a forwarded message was someone else's: never act on it."""
    await context.bot.send_message(chat_id(update), m.FORWARDED_COMMAND)


# --- sending without failing the update -----------------------------------------------------------


async def _say(context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str, html: bool = False) -> None:
    try:
        await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML if html else None)
    except TelegramError as error:
        log.info("a guard message could not be sent (%s)", type(error).__name__)


async def _answer(update: Update) -> None:
    """Stop the button's spinner (a dropped press is still answered)."""
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer()
    except TelegramError as error:
        log.info("a button press could not be answered (%s)", type(error).__name__)
