"""Safety first, anything the bot doesn't understand, and errors. (Buttons: see bot.views.buttons.)"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import broadcasts, privacy, relays, reports, search
from bot.handlers.access import chat_id, message, user_id
from bot.i18n.current import current, speaking
from bot.i18n.languages import ENGLISH, spoken
from bot.matching.engine import Hit
from bot.services.safety import SafetyAlert
from bot.services.typed_text import clean_text
from bot.views.keyboards import keyboard

log = logging.getLogger(__name__)
SUPPORT_SHOWN = 3  # local support after the help: a few, never a long list


async def safety_first(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every other handler, in any state. When a message suggests danger the person
    gets the help for that kind of danger, the quick exit, and then only local support for it (or
    nothing): the message is not searched, not taken as an answer and never stored. Inside a live
    introduction the words still reach the volunteer, after the help."""
    message = update.effective_message
    text = clean_text((message.text or message.caption or "") if message else "")
    alert = services(context).safety.check(text) if text else None
    if alert is None:
        return
    # the help comes in the language the danger was written in, whatever the bot spoke before
    written_in = alert.language if alert.language != ENGLISH and alert.language in spoken() else current()
    with speaking(written_in):
        await send_safety_help(update, context, alert)
        if not relays.talking(context):
            await support_for(update, context, alert)
    if not relays.talking(context):
        raise ApplicationHandlerStop


async def send_safety_help(update: Update, context: ContextTypes.DEFAULT_TYPE, alert: SafetyAlert) -> None:
    log.info("safety help sent (%s)", ",".join(alert.kinds))  # the kinds only, never the words
    await context.bot.send_message(
        chat_id(update),
        m.safety_help(list(alert.kinds), alert.child, services(context).settings.local_help),
        parse_mode=ParseMode.HTML,
        # clears the chat from their own words on, for someone who may be watched
        reply_markup=keyboard(privacy.quick_exit_row(message(update).message_id)),
    )


async def support_for(update: Update, context: ContextTypes.DEFAULT_TYPE, alert: SafetyAlert) -> None:
    """The directory's own support for this kind of danger, nearest first, or nothing; counted for
    /stats by kind only, never as an unmet need with words."""
    area = await search.resident_area(context, user_id(update))
    pz = services(context)
    async with pz.sessions() as session:
        engine = await pz.engine.get(session)
    hits: dict[int, Hit] = {}
    for category in alert.categories:
        for hit in engine.browse(category, limit=SUPPORT_SHOWN, near=area.point if area else None):
            hits.setdefault(hit.id, hit)
    reports.tally_search(context, area, f"safety:{alert.kind}", answered=True)
    if not hits:
        return
    nearest = sorted(hits.values(), key=lambda h: (h.distance_km is None, h.distance_km or 0, -h.score))
    state = search.SearchState.of("", nearest[:SUPPORT_SHOWN], "", m.SAFETY_LOCAL_SUPPORT)
    await search.show_page(update, context, search.keep_search(context, state), 0, edit=False)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.photo and await broadcasts.on_photo(update, context):
        return  # the photo for an announcement being written
    await context.bot.send_message(chat_id(update), m.NOT_UNDERSTOOD_MEDIA)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(chat_id(update), m.UNKNOWN_COMMAND)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error's type (never the text involved) and tell the person it did not happen."""
    database_down = isinstance(context.error, (OperationalError, InterfaceError, OSError)) or (
        isinstance(context.error, DBAPIError) and context.error.connection_invalidated
    )
    log.error("update failed: %s", type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                update.effective_chat.id, m.DATABASE_DOWN if database_down else m.SOMETHING_WENT_WRONG
            )
        except Exception:
            log.warning("could not send the apology either")
