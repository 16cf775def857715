"""Volunteers who could help: asking for an introduction, the volunteer's answer, and messages
relayed through the bot so nobody's identity is shared unless they chose to share it."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import KEY, services
from bot.handlers import callbacks, relays
from bot.handlers.common import keyboard, tell
from bot.handlers.privacy import quick_exit_row
from bot.services.follow_ups import claim_due_follow_ups, record_feedback
from bot.services.introductions import (
    IntroductionError,
    IntroductionParties,
    accepted_between,
    answer,
    request_introduction,
)
from bot.services.offer_matching import peer_help_needs
from bot.services.residents import Area

log = logging.getLogger(__name__)
# user_data keys, in memory only: the open relay ({"id": introduction, "at": last message}), a
# question whose other side gets what is typed (relays); and, not a question, a message that came
# in ({"id", "at"}), after which a typed text may be a reply (relays.HELD, which also holds a
# typed "text" while the bot asks about it)
RELAY = "relay_introduction"
RELAY_OFFER = relays.HELD
REPLY_WINDOW = timedelta(days=1)  # typed this long after a message came in, the bot asks first


async def suggest_volunteers(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    search_id: int,
    state,
    area: Area | None,
    answered: bool,  # type: ignore[no-untyped-def]
) -> None:
    """After the results: if neighbours could help (and it is their kind of help, or nothing else
    fitted), say so and offer an introduction."""
    if answered and state.category not in peer_help_needs():
        return
    pz = services(context)
    async with pz.sessions() as session:
        offers = await pz.offers.get(session)
    matches = offers.match(state.query, near=area.point if area else None)
    state.offer_ids = [match.offer_id for match in matches]
    if matches:
        await tell(
            context,
            update.effective_chat.id,
            m.VOLUNTEERS_CAN_HELP,
            keyboard([(m.BUTTON_ASK_VOLUNTEER, callbacks.introduce(search_id))]),
        )


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE, search_id: int, state) -> None:  # type: ignore[no-untyped-def]
    await update.callback_query.answer()
    await tell(
        context,
        update.effective_chat.id,
        m.ASK_HOW_TO_REACH_YOU,
        keyboard(
            [(m.BUTTON_CONTACT_BOT, callbacks.introduce_via(search_id, "b"))],
            [(m.BUTTON_CONTACT_TELEGRAM, callbacks.introduce_via(search_id, "t"))],
        ),
    )


async def on_request(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    state,
    area: Area | None,
    via: str,  # type: ignore[no-untyped-def]
) -> None:
    await update.callback_query.answer()
    pz = services(context)
    contact = "telegram" if via == "t" else "bot"
    for offer_id in list(getattr(state, "offer_ids", [])):
        try:
            async with pz.sessions.begin() as session:
                found = await request_introduction(
                    session, update.effective_user.id, state.query, area.district if area else "",
                    area.zone if area else "", state.category, offer_id, contact,
                )  # fmt: skip
        except IntroductionError:
            continue
        state.offer_ids.remove(offer_id)
        asked = await tell(
            context,
            found.volunteer_telegram_id,
            m.VOLUNTEER_REQUEST.format(need=m.esc(found.need_text), area=m.esc(found.area)),
            keyboard(
                [(m.BUTTON_CAN_HELP, callbacks.intro_answer("yes", found.introduction_id))],
                [(m.BUTTON_CANNOT_HELP, callbacks.intro_answer("no", found.introduction_id))],
            ),
        )
        if asked:
            await tell(context, update.effective_chat.id, m.INTRODUCTION_ASKED)
            return
    await tell(context, update.effective_chat.id, m.NO_VOLUNTEER_NOW)


def _reach(
    name: str, telegram_id: int, chose: str, introduction_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """How the other side reaches this person: their Telegram name, or messages via the bot."""
    if chose == "telegram":
        return m.CONTACT_DIRECT.format(link=f'<a href="tg://user?id={telegram_id}">{name}</a>'), None
    return m.CONTACT_VIA_BOT, keyboard([(m.BUTTON_SEND_MESSAGE, callbacks.relay(introduction_id))])


async def on_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, accept: bool, introduction_id: int
) -> None:
    await update.callback_query.answer()
    try:
        async with services(context).sessions.begin() as session:
            found: IntroductionParties = await answer(
                session, introduction_id, update.effective_user.id, accept
            )
    except IntroductionError:
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)
        return
    if not accept:
        await tell(context, update.effective_chat.id, m.VOLUNTEER_DECLINED_THANKS)
        await tell(context, found.resident_telegram_id, m.RESIDENT_VOLUNTEER_DECLINED)
        return
    to_volunteer, markup = _reach(
        "your neighbour", found.resident_telegram_id, found.resident_contact, found.introduction_id
    )
    await tell(context, update.effective_chat.id, m.VOLUNTEER_ACCEPTED + "\n\n" + to_volunteer, markup)
    to_resident, markup = _reach(
        "your volunteer", found.volunteer_telegram_id, found.volunteer_contact, found.introduction_id
    )
    await tell(
        context, found.resident_telegram_id, m.RESIDENT_VOLUNTEER_ACCEPTED + "\n\n" + to_resident, markup
    )


async def _route(
    context: ContextTypes.DEFAULT_TYPE, introduction_id: int, user_id: int
) -> relays.Route | None:
    """Where this side's messages go: the other side of the accepted introduction (None: ended)."""
    try:
        async with services(context).sessions() as session:
            found = await accepted_between(session, introduction_id, user_id)
    except IntroductionError:
        return None
    from_volunteer = user_id == found.volunteer_telegram_id
    return relays.Route(
        other=found.resident_telegram_id if from_volunteer else found.volunteer_telegram_id,
        header=m.RELAYED_FROM_VOLUNTEER if from_volunteer else m.RELAYED_FROM_NEIGHBOUR,
        reply=keyboard([(m.BUTTON_REPLY, callbacks.relay(introduction_id))], quick_exit_row()),
        question=m.PASS_IT_ON_TO_NEIGHBOUR if from_volunteer else m.PASS_IT_ON_TO_VOLUNTEER,
    )


def _may_be_answered(context: ContextTypes.DEFAULT_TYPE, other: int, introduction_id: int) -> None:
    """The other side got a message: if they type rather than tap Reply, the bot asks whether
    it is an answer (kept in memory only, like the open relay; a quick exit or /cancel drops it)."""
    theirs = context.application.user_data[other]
    if (theirs.get(RELAY) or {}).get("id") != introduction_id:
        theirs[RELAY_OFFER] = {"id": introduction_id, "at": services(context).clock()}


INTRODUCTION_RELAY = relays.relay(RELAY, _route, m.INTRODUCTION_ENDED, _may_be_answered)


async def on_relay_button(update: Update, context: ContextTypes.DEFAULT_TYPE, introduction_id: int) -> None:
    """'Send a message' or 'Reply': what they type next goes to the other side."""
    await relays.on_button(update, context, INTRODUCTION_RELAY, introduction_id)


async def relay_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Typed while the relay is open: passed on, and the relay stays open for the next message
    ("thank you so much x" is part of the conversation, not a search); see relays."""
    await relays.on_text(update, context, INTRODUCTION_RELAY, text)


async def ask_if_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """Typed with no question open, after a message came in through an introduction: ask whether
    it is for them (True), or, when the message came in long ago, let it be searched (False)."""
    offer = context.user_data.pop(RELAY_OFFER)
    if services(context).clock() - offer["at"] > REPLY_WINDOW:
        return False
    return await relays.ask_whether_to_pass_on(update, context, INTRODUCTION_RELAY, offer["id"], text)


async def send_follow_ups(app) -> int:  # type: ignore[no-untyped-def]
    """Ask both sides of each introduction that is due whether it worked; returns how many."""
    pz = app.bot_data[KEY]
    async with pz.sessions.begin() as session:
        due = await claim_due_follow_ups(session, pz.clock())
    for found in due:
        markup = keyboard(
            [(m.BUTTON_IT_WORKED, callbacks.feedback("y", found.introduction_id))],
            [(m.BUTTON_IT_DID_NOT, callbacks.feedback("n", found.introduction_id))],
        )
        text = m.FOLLOW_UP.format(need=m.esc(found.need_text))
        for chat_id in (found.resident_telegram_id, found.volunteer_telegram_id):
            try:
                await app.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
            except (Forbidden, BadRequest):
                log.info("a follow-up could not be delivered")
    return len(due)


async def follow_up_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_follow_ups(context.application)


async def on_feedback(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worked: bool, introduction_id: int
) -> None:
    await update.callback_query.answer()
    try:
        async with services(context).sessions.begin() as session:
            await record_feedback(session, introduction_id, update.effective_user.id, worked)
    except IntroductionError:
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)
        return
    await tell(context, update.effective_chat.id, m.THANKS_FOR_FEEDBACK)
