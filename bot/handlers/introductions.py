"""Volunteers who could help: asking for an introduction, the volunteer's answer, and messages
relayed through the bot so nobody's identity is shared unless they chose to share it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, ContextTypes

from bot import messages as m
from bot.context import KEY, services
from bot.handlers import relays
from bot.handlers.access import chat_id, query, user_data, user_id
from bot.handlers.common import tell
from bot.handlers.privacy import quick_exit_row
from bot.i18n.current import speaking
from bot.pipeline import state as conversation_state
from bot.senders.outgoing import send_due_messages, tell_later
from bot.services.follow_ups import claim_due_follow_ups, record_feedback
from bot.services.introductions import (
    IntroductionError,
    IntroductionParties,
    accepted_between,
    answer,
    request_introduction,
)
from bot.services.offer_matching import peer_help_needs
from bot.services.residents import Area, language_of, languages_of
from bot.views.buttons import Button, on_press
from bot.views.keyboards import keyboard

log = logging.getLogger(__name__)
# user_data keys: the open relay (INTRODUCTION_RELAY.flow, {"id": introduction, "at": last
# message}), a question whose other side gets what is typed (relays); and, not a question, a
# message that came in ({"id", "at"}), after which a typed text may be a reply (relays.HELD, which
# also holds a typed "text" while the bot asks about it): it gives way to every flow
RELAY = "relay_introduction"
RELAY_OFFER = relays.HELD
REPLY_WINDOW = timedelta(days=1)  # typed this long after a message came in, the bot asks first


async def suggest_volunteers(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    search_id: int,
    state,
    area: Area | None,
    answered: bool,
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
        from bot.handlers.search import AskVolunteer  # search, which answers it, imports this module

        await tell(
            context,
            chat_id(update),
            m.VOLUNTEERS_CAN_HELP,
            keyboard([(m.BUTTON_ASK_VOLUNTEER, AskVolunteer(search_id).data)]),
        )


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE, search_id: int, state) -> None:
    from bot.handlers.search import AskVolunteerVia  # search, which answers it, imports this module

    await query(update).answer()
    await tell(
        context,
        chat_id(update),
        m.ASK_HOW_TO_REACH_YOU,
        keyboard(
            [(m.BUTTON_CONTACT_BOT, AskVolunteerVia(search_id, "b").data)],
            [(m.BUTTON_CONTACT_TELEGRAM, AskVolunteerVia(search_id, "t").data)],
        ),
    )


async def on_request(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    state,
    area: Area | None,
    via: str,
) -> None:
    await query(update).answer()
    pz = services(context)
    contact = "telegram" if via == "t" else "bot"
    for offer_id in list(getattr(state, "offer_ids", [])):
        try:
            async with pz.sessions.begin() as session:
                found = await request_introduction(
                    session, user_id(update), state.query, area.district if area else "",
                    area.zone if area else "", state.category, offer_id, contact,
                )  # fmt: skip
                theirs = await language_of(session, found.volunteer_telegram_id)
        except IntroductionError:
            continue
        state.offer_ids.remove(offer_id)
        with speaking(theirs):  # the request is the volunteer's to read
            request = m.VOLUNTEER_REQUEST.format(need=m.esc(found.need_text), area=m.esc(found.area))
            answers = keyboard(
                [(m.BUTTON_CAN_HELP, IntroAnswer("yes", found.introduction_id).data)],
                [(m.BUTTON_CANNOT_HELP, IntroAnswer("no", found.introduction_id).data)],
            )
        asked = await tell(context, found.volunteer_telegram_id, request, answers)
        if asked:
            await tell(context, chat_id(update), m.INTRODUCTION_ASKED)
            return
    await tell(context, chat_id(update), m.NO_VOLUNTEER_NOW)


def _reach(
    name: str, telegram_id: int, chose: str, introduction_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """How the other side reaches this person: their Telegram name, or messages via the bot."""
    if chose == "telegram":
        return m.CONTACT_DIRECT.format(link=f'<a href="tg://user?id={telegram_id}">{name}</a>'), None
    return m.CONTACT_VIA_BOT, keyboard([(m.BUTTON_SEND_MESSAGE, RelayMessage(introduction_id).data)])


@dataclass(frozen=True)
class IntroAnswer(Button, prefix="ia"):
    """The volunteer's answer to a request for an introduction: can help, or cannot."""

    answer: Literal["yes", "no"]
    introduction_id: int


@on_press(IntroAnswer)
async def on_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, press: IntroAnswer) -> None:
    accept, introduction_id = press.answer == "yes", press.introduction_id
    await query(update).answer()
    try:
        async with services(context).sessions.begin() as session:
            found: IntroductionParties = await answer(session, introduction_id, user_id(update), accept)
            # the resident who asked hears the answer, in their language, sent once this is saved
            resident = found.resident_telegram_id
            with speaking(await language_of(session, resident)):
                if accept:
                    to_resident, reach = _reach(
                        m.YOUR_VOLUNTEER, found.volunteer_telegram_id, found.volunteer_contact,
                        found.introduction_id,
                    )  # fmt: skip
                    told, markup = m.RESIDENT_VOLUNTEER_ACCEPTED + "\n\n" + to_resident, reach
                else:
                    told, markup = m.RESIDENT_VOLUNTEER_DECLINED, None
            tell_later(context.application, session, resident, told, markup, kind="introduction-answer")
    except IntroductionError:
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    if not accept:
        await tell(context, chat_id(update), m.VOLUNTEER_DECLINED_THANKS)
        return
    to_volunteer, markup = _reach(
        m.YOUR_NEIGHBOUR, found.resident_telegram_id, found.resident_contact, found.introduction_id
    )
    await tell(context, chat_id(update), m.VOLUNTEER_ACCEPTED + "\n\n" + to_volunteer, markup)


async def _route(
    context: ContextTypes.DEFAULT_TYPE, introduction_id: int, user_id: int
) -> relays.Route | None:
    """Where this side's messages go: the other side of the accepted introduction (None: ended)."""
    try:
        async with services(context).sessions() as session:
            found = await accepted_between(session, introduction_id, user_id)
            from_volunteer = user_id == found.volunteer_telegram_id
            other = found.resident_telegram_id if from_volunteer else found.volunteer_telegram_id
            theirs = await language_of(session, other)
    except IntroductionError:
        return None
    with speaking(theirs):  # what comes with the passed-on message is read by the other side
        header = m.RELAYED_FROM_VOLUNTEER if from_volunteer else m.RELAYED_FROM_NEIGHBOUR
        reply = keyboard([(m.BUTTON_REPLY, RelayMessage(introduction_id).data)], quick_exit_row())
    return relays.Route(
        other=other,
        header=header,
        reply=reply,
        question=m.PASS_IT_ON_TO_NEIGHBOUR if from_volunteer else m.PASS_IT_ON_TO_VOLUNTEER,
    )


async def _may_be_answered(context: ContextTypes.DEFAULT_TYPE, other: int, introduction_id: int) -> None:
    """The other side got a message: if they type rather than tap Reply, the bot asks whether
    it is an answer (kept with their conversation, like the open relay; a quick exit or /cancel
    drops it)."""
    pz = services(context)
    now = pz.clock()

    def offer_to_answer(theirs: dict[str, Any]) -> None:
        if (INTRODUCTION_RELAY.flow.read(theirs) or {}).get("id") != introduction_id:
            theirs[RELAY_OFFER] = {"id": introduction_id, "at": now}

    await conversation_state.change_other(pz.sessions, other, offer_to_answer)


INTRODUCTION_RELAY = relays.relay(RELAY, _route, m.INTRODUCTION_ENDED, _may_be_answered)


@dataclass(frozen=True)
class RelayMessage(Button, prefix="im"):
    """'Send a message' or 'Reply' through an introduction."""

    introduction_id: int


@on_press(RelayMessage)
async def on_relay_button(update: Update, context: ContextTypes.DEFAULT_TYPE, press: RelayMessage) -> None:
    """'Send a message' or 'Reply': what they type next goes to the other side."""
    await relays.on_button(update, context, INTRODUCTION_RELAY, press.introduction_id)


async def ask_if_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """Typed with no question open, after a message came in through an introduction: ask whether
    it is for them (True), or, when the message came in long ago, let it be searched (False)."""
    offer = user_data(context).pop(RELAY_OFFER)
    if services(context).clock() - offer["at"] > REPLY_WINDOW:
        return False
    return await relays.ask_whether_to_pass_on(update, context, INTRODUCTION_RELAY, offer["id"], text)


async def send_follow_ups(app: Application) -> int:
    """Ask both sides of each introduction that is due whether it worked; returns how many. The
    questions are queued in the transaction that marks the follow-ups sent (so each goes out
    once, or not at all), then sent at the shared pace."""
    pz = app.bot_data[KEY]
    async with pz.sessions.begin() as session:
        due = await claim_due_follow_ups(session, pz.clock())
        people = [p for found in due for p in (found.resident_telegram_id, found.volunteer_telegram_id)]
        languages = await languages_of(session, people)
        for found in due:
            for person in (found.resident_telegram_id, found.volunteer_telegram_id):
                with speaking(languages[person]):
                    markup = keyboard(
                        [(m.BUTTON_IT_WORKED, Feedback("y", found.introduction_id).data)],
                        [(m.BUTTON_IT_DID_NOT, Feedback("n", found.introduction_id).data)],
                    )
                    text = m.FOLLOW_UP.format(need=m.esc(found.need_text))
                tell_later(
                    app, session, person, text, markup,
                    kind="follow-up", written_by=found.resident_telegram_id,  # the need's words
                )  # fmt: skip
    if due:
        await send_due_messages(app)
    return len(due)


async def follow_up_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_follow_ups(context.application)


@dataclass(frozen=True)
class Feedback(Button, prefix="fb"):
    """Did the introduction work? (asked of both sides, some days after it)"""

    answer: Literal["y", "n"]
    introduction_id: int


@on_press(Feedback)
async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Feedback) -> None:
    await query(update).answer()
    worked = press.answer == "y"
    try:
        async with services(context).sessions.begin() as session:
            await record_feedback(session, press.introduction_id, user_id(update), worked)
    except IntroductionError:
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    await tell(context, chat_id(update), m.THANKS_FOR_FEEDBACK)
