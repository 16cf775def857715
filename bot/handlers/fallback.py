"""Safety first, anything the bot doesn't understand, button routing, and errors."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import (
    admin,
    asset_reports,
    broadcasts,
    browse,
    callbacks,
    conversation,
    event_admin,
    events,
    introductions,
    new_event,
    opportunities,
    privacy,
    relays,
    reports,
    search,
    settings,
    upkeep,
    volunteering,
)
from bot.handlers.common import keyboard
from bot.services.safety import SafetyAlert
from bot.services.typed_text import clean_text

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
    await send_safety_help(update, context, alert)
    if not any(context.user_data.get(key) for key in relays.RELAYS):
        await support_for(update, context, alert)
        raise ApplicationHandlerStop


async def send_safety_help(update: Update, context: ContextTypes.DEFAULT_TYPE, alert: SafetyAlert) -> None:
    log.info("safety help sent (%s)", ",".join(alert.kinds))  # the kinds only, never the words
    await context.bot.send_message(
        update.effective_chat.id,
        m.safety_help(list(alert.kinds), alert.child, services(context).settings.local_help),
        parse_mode=ParseMode.HTML,
        # clears the chat from their own words on, for someone who may be watched
        reply_markup=keyboard(privacy.quick_exit_row(update.effective_message.message_id)),
    )


async def support_for(update: Update, context: ContextTypes.DEFAULT_TYPE, alert: SafetyAlert) -> None:
    """The directory's own support for this kind of danger, nearest first, or nothing; counted for
    /stats by kind only, never as an unmet need with words."""
    area = await search.resident_area(context, update.effective_user.id)
    pz = services(context)
    async with pz.sessions() as session:
        engine = await pz.engine.get(session)
    hits = {}
    for category in alert.categories:
        for hit in engine.browse(category, limit=SUPPORT_SHOWN, near=area.point if area else None):
            hits.setdefault(hit.id, hit)
    await reports.tally_search(context, area, f"safety:{alert.kind}", answered=True)
    if not hits:
        return
    nearest = sorted(hits.values(), key=lambda h: (h.distance_km is None, h.distance_km or 0, -h.score))
    state = search.SearchState("", nearest[:SUPPORT_SHOWN], "", m.SAFETY_LOCAL_SUPPORT)
    await search.show_page(update, context, search.keep_search(context, state), 0, edit=False)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.photo and await broadcasts.on_photo(update, context):
        return  # the photo for an announcement being written
    await context.bot.send_message(update.effective_chat.id, m.NOT_UNDERSTOOD_MEDIA)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(update.effective_chat.id, m.UNKNOWN_COMMAND)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every button press: parse strictly, then route; anything else is a stale button."""
    press = callbacks.parse(update.callback_query.data)
    if press is None:
        await search.stale(update, context)
        return
    action, args = press.action, press.args
    if action == "pg":
        await search.on_page(update, context, int(args[0]), int(args[1]))
    elif action == "nw":
        await search.on_not_what_i_need(update, context, int(args[0]))
    elif action in ("dt", "mp", "cl", "ml"):
        handler = {
            "dt": search.on_details,
            "mp": search.on_map,
            "cl": search.on_call,
            "ml": search.on_more_like,
        }
        await handler[action](update, context, int(args[0]))
    elif action == "gr":
        await browse.on_group(update, context, int(args[0]))
    elif action == "ct":
        await browse.on_category(update, context, args[0])
    elif action == "ar":
        await update.callback_query.answer()
        if args[0] == "set":
            await conversation.ask_area(update, context)
        else:
            await conversation.skip_area(update, context)
    elif action == "mn":
        await browse.on_menu(update, context)
    elif action == "vo":
        await volunteering.on_button(update, context, args[0])
    elif action == "of":
        await volunteering.on_offer_button(update, context, args[0], int(args[1]))
    elif action == "vc":
        await volunteering.on_decision(update, context, args[0], int(args[1]))
    elif action == "oc":
        await volunteering.on_offer_check(update, context, args[0], int(args[1]))
    elif action in ("iq", "ic"):
        await search.on_introduction(update, context, int(args[0]), args[1] if action == "ic" else "")
    elif action == "ia":
        await introductions.on_answer(update, context, args[0] == "yes", int(args[1]))
    elif action == "im":
        await introductions.on_relay_button(update, context, int(args[0]))
    elif action == "rl":
        await search.on_relay_choice(update, context, args[0])
    elif action == "fb":
        await introductions.on_feedback(update, context, args[0] == "y", int(args[1]))
    elif action == "oa":
        await opportunities.on_anywhere(update, context)
    elif action == "oi":
        await opportunities.on_interested(update, context, int(args[0]))
    elif action == "ov":
        await opportunities.on_message_button(update, context, int(args[0]))
    elif action == "ev":
        await events.on_event(update, context, int(args[0]), args[1])
    elif action == "ec":
        await events.on_add_to_calendar(update, context, int(args[0]), args[1])
    elif action in ("eg", "en"):
        await events.on_going(update, context, int(args[0]), args[1], going=action == "eg")
    elif action in ("wo", "mg"):
        await update.callback_query.answer()
        await (events.whats_on if action == "wo" else events.my_rsvps)(update, context)
    elif action == "st":
        await settings.on_setting(update, context, args[0], args[1] == "on")
    elif action == "si":
        await settings.on_interest(update, context, int(args[0]))
    elif action == "bk":
        await broadcasts.on_kind(update, context, args[0])
    elif action in ("bg", "bz"):
        await (broadcasts.on_group if action == "bg" else broadcasts.on_zone)(update, context, int(args[0]))
    elif action == "bs":
        await broadcasts.on_send(update, context, args[0])
    elif action == "bx":
        await broadcasts.on_stop(update, context, int(args[0]))
    elif action == "iz":
        await admin.on_invite_zone(update, context, int(args[0]))
    elif action == "rc":
        await admin.on_revoke_coordinator(update, context, int(args[0]))
    elif action == "ri":
        await admin.on_revoke_invite(update, context, int(args[0]))
    elif action == "wi":
        await events.on_group(update, context, int(args[0]))
    elif action == "ne":
        await new_event.on_new_event_button(update, context, args[0])
    elif action == "em":
        await event_admin.on_manage(update, context, int(args[0]))
    elif action == "ex":
        await event_admin.on_action(update, context, args[0], int(args[1]))
    elif action == "ed":
        await event_admin.on_call_off_date(update, context, int(args[0]), args[1])
    elif action == "rp":
        await reports.on_period(update, context, args[0], int(args[1]))
    elif action == "uc":
        await asset_reports.on_report_button(update, context, int(args[0]))
    elif action == "uh":
        await asset_reports.on_handle_report(update, context, args[0], int(args[1]))
    elif action == "ur":
        await upkeep.on_review_more(update, context, args[0], int(args[1]))
    elif action == "uo":
        await upkeep.on_review_asset(update, context, int(args[0]))
    elif action == "uv":
        await upkeep.on_still_correct(update, context, int(args[0]))
    elif action == "ue":
        await upkeep.on_edit_menu(update, context, int(args[0]))
    elif action == "uf":
        await upkeep.on_edit_field(update, context, args[0], int(args[1]))
    elif action == "ua":
        await upkeep.on_add_button(update, context, args[0])
    elif action == "pv":
        await privacy.on_button(update, context, args[0], args[1])


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
