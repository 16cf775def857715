"""Privacy for residents: what is kept and why (/privacy), a copy of it (/mydata), erasing it
(/forget), the quick exit from sensitive conversations, noting when people were last here, the
daily retention job, and keeping personal data and the bot token out of the logs."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, Literal

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import InlineKeyboardMarkup, InputFile, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot import messages as m
from bot.config import Settings
from bot.context import KEY, services
from bot.handlers.access import chat_id, query, user_data, user_id
from bot.i18n.current import speaking
from bot.senders.outgoing import tell_later
from bot.services.privacy import (
    PersonData,
    apply_retention,
    forget_person,
    holds_anything,
    note_activity,
    person_data,
)
from bot.services.residents import languages_of
from bot.views.buttons import Button, on_press
from bot.views.keyboards import keyboard
from db.session import UpdateSessions, after_commit, scrub_erased

log = logging.getLogger(__name__)

CONFIRM_MINUTES = 60  # "Yes, delete everything" works for this long after /forget
QUICK_EXIT_MAX = 50  # a quick exit deletes at most this many messages, newest first
SEEN = "privacy_seen"  # bot_data: Telegram user id -> the day they were last noted as here
SEEN_MAX = 100_000  # forget the cache (not the people) beyond this many entries
MY_DATA_FILE = "my-data.json"


# ----- what is kept, and why -------------------------------------------------------------------


def span(days: int) -> str:
    """730 -> "2 years", 90 -> "90 days" (in the reader's language's plural forms); one is "a year"."""
    if days % 365 == 0:
        years = days // 365
        return m.SPAN_ONE_YEAR if years == 1 else m.counted(years, "year")
    return m.SPAN_ONE_DAY if days == 1 else m.counted(days, "day")


def notice(settings: Settings) -> str:
    return m.PRIVACY_NOTICE.format(
        need_text=span(settings.retention_days_unmet_need_text),
        inactive=span(settings.retention_days_inactive_resident),
        sent=span(settings.retention_days_sent_messages),
        conversation=span(settings.retention_days_conversation),
    )


def privacy_button() -> tuple[str, str]:
    """The button that opens the notice (under the welcome)."""
    return m.BUTTON_PRIVACY, PrivacyAction("notice").data


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(
        chat_id(update),
        notice(services(context).settings),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(
            [(m.BUTTON_MY_DATA, PrivacyAction("copy").data)],
            [(m.BUTTON_DELETE_MY_DATA, PrivacyAction("forget").data)],
        ),
    )


# ----- a copy of everything --------------------------------------------------------------------


def _readable(value: Any, tz: tzinfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def export_document(data: PersonData, now: datetime, tz: tzinfo) -> dict[str, Any]:
    """The JSON a person gets from /mydata: one part per table, fields named in words."""
    parts = {
        table: {
            "what": m.MY_DATA_TABLES.get(table, table.replace("_", " ").capitalize()),
            "records": [
                {name.replace("_", " "): _readable(v, tz) for name, v in row.items()} for row in rows
            ],
        }
        for table, rows in data.tables.items()
    }
    document: dict[str, Any] = {"about": m.MY_DATA_ABOUT.format(when=_readable(now, tz)), "data": parts}
    if data.linked:
        counts = {}
        for where, count in data.linked.items():
            table, column = where.split(".")
            counts[f"{table.replace('_', ' ')} ({column.replace('_', ' ')})"] = count
        document["coordinator work"] = {"about": m.MY_DATA_LINKED, "counts": counts}
    return document


async def my_data_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pz = services(context)
    async with pz.sessions() as session:
        data = await person_data(session, user_id(update))
    if data is None:
        await context.bot.send_message(chat_id(update), m.MY_DATA_NOTHING)
        return
    document = export_document(data, pz.clock(), pz.settings.tz)
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    await context.bot.send_document(
        chat_id(update),
        InputFile(io.BytesIO(payload), filename=MY_DATA_FILE),
        caption=m.MY_DATA_CAPTION,
    )


# ----- forgetting ------------------------------------------------------------------------------


def _minutes(now: datetime) -> int:
    return int(now.timestamp() // 60)


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask first: one tap on the wrong button should not lose someone's volunteering."""
    pz = services(context)
    async with pz.sessions() as session:
        held = await holds_anything(session, user_id(update))
    if not held:
        user_data(context).clear()  # nothing stored, but what they were doing is let go of too
        await context.bot.send_message(chat_id(update), m.NOTHING_TO_FORGET)
        return
    await context.bot.send_message(
        chat_id(update),
        m.FORGET_ASK,
        reply_markup=keyboard(
            [(m.BUTTON_FORGET_YES, PrivacyAction("yes", _minutes(pz.clock())).data)],
            [(m.BUTTON_FORGET_KEEP, PrivacyAction("keep").data)],
        ),
    )


def _menu_button() -> InlineKeyboardMarkup:
    from bot.handlers.conversation import Menu  # conversation, which answers it, imports this module

    return keyboard([(m.BUTTON_MENU, Menu().data)])


async def _drop_buttons(update: Update) -> None:
    """The question is answered: take its buttons away (an old or deleted message is fine)."""
    with contextlib.suppress(TelegramError):
        await query(update).edit_message_reply_markup(None)


async def on_forget_confirmed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, asked_at: int | None
) -> None:
    await _drop_buttons(update)
    pz = services(context)
    person = user_id(update)
    if asked_at is None or not 0 <= _minutes(pz.clock()) - asked_at <= CONFIRM_MINUTES:
        await context.bot.send_message(chat_id(update), m.FORGET_EXPIRED)
        return
    async with pz.sessions.begin() as session:
        erasure = await forget_person(session, person)
        others = erasure.tell if erasure else []
        languages = await languages_of(session, others)
        for other in others:  # sent once the erasure is saved, in their language
            with speaking(languages[other]):
                ended = m.INTRODUCTION_ENDED
            tell_later(context.application, session, other, ended, kind="introduction-ended")
    if erasure:
        pz.offers.invalidate()  # a volunteer's offers go with them, from the next need on
        await after_commit(lambda: _scrub(pz.sessions))
    user_data(context).clear()
    context.application.bot_data.get(SEEN, {}).pop(person, None)
    log.info("a resident's data was erased on request")
    await context.bot.send_message(
        chat_id(update),
        m.FORGOTTEN if erasure else m.NOTHING_TO_FORGET,
        reply_markup=_menu_button(),
    )


async def on_keep(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _drop_buttons(update)
    await context.bot.send_message(chat_id(update), m.FORGET_KEPT, reply_markup=_menu_button())


# ----- quick exit ------------------------------------------------------------------------------


def quick_exit_row(from_message_id: int = 0) -> list[tuple[str, str]]:
    """A keyboard row with the quick exit. FROM_MESSAGE_ID is the first message to delete (the
    person's own words that started it); 0 means the message the button is on."""
    return [(m.BUTTON_QUICK_EXIT, PrivacyAction("exit", from_message_id).data)]


async def quick_exit(update: Update, context: ContextTypes.DEFAULT_TYPE, from_message_id: int) -> None:
    """Let go of the conversation and clear the chat from FROM_MESSAGE_ID on, as far as Telegram
    allows (messages under 48 hours old; in a private chat a bot may delete both sides). Each
    deletion stands alone: one that fails does not stop the rest."""
    press = query(update)
    user_data(context).clear()
    await press.answer()
    chat = update.effective_chat.id if update.effective_chat else user_id(update)
    cleared = await context.bot.send_message(chat, m.QUICK_EXIT_DONE, reply_markup=ReplyKeyboardRemove())
    pressed = press.message.message_id if press.message else cleared.message_id
    first = max(from_message_id or pressed, cleared.message_id - QUICK_EXIT_MAX)
    failed = 0
    for message_id in range(cleared.message_id - 1, first - 1, -1):
        try:
            await context.bot.delete_message(chat, message_id)
        except TelegramError:
            failed += 1
    log.info("quick exit: %d message(s) could not be deleted", failed)


# ----- buttons ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrivacyAction(Button, prefix="pv"):
    """The notice, a copy of my data, forgetting me (confirmed within the hour: NUMBER is when it
    was asked, in minutes since 1970), keeping it, and the quick exit (NUMBER is the first message
    to delete; 0, the pressed one)."""

    action: Literal["notice", "copy", "forget", "keep", "yes", "exit"]
    number: int | None = None


@on_press(PrivacyAction)
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, press: PrivacyAction) -> None:
    """Every `pv:` button."""
    action, number = press.action, press.number
    if action == "exit":
        await quick_exit(update, context, number or 0)
        return
    await query(update).answer()
    if action == "notice":
        await privacy_command(update, context)
    elif action == "copy":
        await my_data_command(update, context)
    elif action == "forget":
        await forget_command(update, context)
    elif action == "yes":
        await on_forget_confirmed(update, context, number)
    elif action == "keep":
        await on_keep(update, context)


# ----- when people were last here, and retention -----------------------------------------------


async def note_seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """After every update: a resident the bot knows counts as here today (one write a day each).
    Asked of the database once a day a person, whether it knows them or not: someone it does not
    know yet is seen on the day they are saved (the row's `last_seen_at` starts then)."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    pz = services(context)
    now = pz.clock()
    seen: dict[int, date] = context.application.bot_data.setdefault(SEEN, {})
    if seen.get(user.id) == now.date():
        return
    try:
        async with pz.sessions.begin() as session:
            await note_activity(session, user.id, now)
    except SQLAlchemyError as error:
        log.warning("could not note that a resident was here (%s)", type(error).__name__)
        return
    if len(seen) >= SEEN_MAX:
        seen.clear()
    seen[user.id] = now.date()


async def _scrub(sessions: async_sessionmaker[AsyncSession] | UpdateSessions) -> None:
    """Leave no copy of what was just erased in the database's files (see db.session)."""
    try:
        async with sessions() as session:
            await scrub_erased(session)
    except SQLAlchemyError as error:  # the erasure stands; the files are scrubbed next time
        log.warning("could not scrub erased data from the database files (%s)", type(error).__name__)


async def run_retention(app: Application) -> None:
    pz = app.bot_data[KEY]
    async with pz.sessions.begin() as session:
        report = await apply_retention(session, pz.clock(), pz.settings)
    pz.offers.invalidate()  # erased volunteers' offers are matched no more
    await _scrub(pz.sessions)
    log.info("retention: %s", report.summary())


async def retention_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_retention(context.application)


# ----- logs ------------------------------------------------------------------------------------
