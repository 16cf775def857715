"""/opportunity: a coordinator posts what a group needs; fitting volunteers are told; "I'm
interested" reaches the coordinator, who can reply through the bot."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import relays
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.common import tell
from bot.handlers.conversation import typed_area
from bot.handlers.flows import Flow
from bot.i18n.current import speaking
from bot.matching.skills import default_skills
from bot.senders.outgoing import tell_later
from bot.services.opportunities import (
    Interest,
    OpportunityError,
    interest_id_of,
    interest_parties,
    post_opportunity,
    register_interest,
    volunteers_to_tell,
)
from bot.services.outgoing import reachable
from bot.services.residents import language_of, languages_of
from bot.services.roles import is_coordinator
from bot.views.buttons import Button, on_press
from bot.views.keyboards import keyboard

log = logging.getLogger(__name__)
# what the group needs, then where (a typed area, or the Anywhere button)
FLOW = Flow("opportunity_flow", ("text", "where"))
RELAY = "relay_interest"  # user_data key of the open relay (its flow: see relays)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pz = services(context)
    async with pz.sessions() as session:
        allowed = await is_coordinator(session, pz.settings, user_id(update))
    if not allowed:
        await tell(context, chat_id(update), m.COORDINATORS_ONLY)
        return
    FLOW.open(context, "text")
    await tell(context, chat_id(update), m.OPPORTUNITY_ASK)


@FLOW.on_text
async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    if FLOW.at(context, "text"):
        FLOW.go(context, "where", text=text[:1000])
        await tell(
            context, chat_id(update), m.OPPORTUNITY_ASK_WHERE,
            keyboard([(m.BUTTON_ANYWHERE, OpportunityAnywhere().data)]),
        )  # fmt: skip
        return
    if (area := await typed_area(update, context, text)) is None:
        return
    await publish(update, context, area.district, area.zone)


@dataclass(frozen=True)
class OpportunityAnywhere(Button, prefix="oa"):
    """The opportunity being posted is for anywhere, not one area."""


@on_press(OpportunityAnywhere)
async def on_anywhere(update: Update, context: ContextTypes.DEFAULT_TYPE, press: OpportunityAnywhere) -> None:
    await query(update).answer()
    if not FLOW.at(context, "where"):
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    await publish(update, context, "", "")


async def publish(update: Update, context: ContextTypes.DEFAULT_TYPE, district: str, zone: str) -> None:
    text = FLOW.take(context)["text"]
    skills = [s.id for s in default_skills().tag(text)]
    async with services(context).sessions.begin() as session:
        opportunity = await post_opportunity(session, user_id(update), text, skills, district, zone)
        found = await volunteers_to_tell(session, opportunity)
        recipients = [p for p in await reachable(session, found) if p != user_id(update)]
        languages = await languages_of(session, recipients)
        for person in recipients:  # sent at the shared pace once this is saved, in their language
            with speaking(languages[person]):
                notice = m.OPPORTUNITY_NOTICE.format(
                    text=m.esc(text), area=m.esc(district or m.AREA_ANYWHERE)
                )
                markup = keyboard([(m.BUTTON_INTERESTED, Interested(opportunity.id).data)])
            tell_later(context.application, session, person, notice, markup, kind="opportunity")
    await tell(
        context,
        chat_id(update),
        m.OPPORTUNITY_POSTED.format(volunteers=m.counted(len(recipients), "volunteer")),
    )


@dataclass(frozen=True)
class Interested(Button, prefix="oi"):
    """A volunteer's "I'm interested" in an opportunity."""

    opportunity_id: int


@on_press(Interested)
async def on_interested(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Interested) -> None:
    opportunity_id = press.opportunity_id
    await query(update).answer()
    try:
        async with services(context).sessions.begin() as session:
            interest = await register_interest(session, opportunity_id, user_id(update))
            interest_id = await interest_id_of(session, opportunity_id, user_id(update))
            if interest.coordinator_telegram_id is not None:
                with speaking(await language_of(session, interest.coordinator_telegram_id)):
                    text, markup = _for_coordinator(interest, interest_id)
                tell_later(
                    context.application, session, interest.coordinator_telegram_id, text, markup,
                    kind="interest", written_by=interest.volunteer_telegram_id,  # their offers' words
                )  # fmt: skip
    except OpportunityError as error:
        await tell(context, chat_id(update), m.OPPORTUNITY_REFUSED.get(str(error), m.STALE_BUTTON))
        return
    await tell(context, chat_id(update), m.INTEREST_PASSED_ON)


def _for_coordinator(interest: Interest, interest_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """What the coordinator who posted the opportunity is told of an interested volunteer."""
    offers = "\n".join(f"• {m.esc(o)}" for o in interest.offers) or "—"
    text = m.INTEREST_FOR_COORDINATOR.format(
        text=m.esc(interest.opportunity_text),
        offers=offers,
        area=m.esc(interest.volunteer_area or m.AREA_ANYWHERE),
    )
    if interest.volunteer_contact == "telegram":
        link = f'<a href="tg://user?id={interest.volunteer_telegram_id}">{m.THE_VOLUNTEER}</a>'
        return text + "\n\n" + m.CONTACT_DIRECT.format(link=link), None
    markup = keyboard([(m.BUTTON_SEND_MESSAGE, InterestMessage(interest_id).data)])
    return text + "\n\n" + m.CONTACT_VIA_BOT, markup


async def _route(context: ContextTypes.DEFAULT_TYPE, interest_id: int, user_id: int) -> relays.Route | None:
    """Where this side's messages go: the coordinator, or the interested volunteer (None: ended)."""
    try:
        async with services(context).sessions() as session:
            coordinator, volunteer, about = await interest_parties(session, interest_id, user_id)
            from_coordinator = user_id == coordinator
            other = volunteer if from_coordinator else coordinator
            theirs = await language_of(session, other)
    except OpportunityError:
        return None
    with speaking(theirs):  # what comes with the passed-on message is read by the other side
        header = m.RELAYED_FROM_COORDINATOR if from_coordinator else m.RELAYED_FROM_INTERESTED
        reply = keyboard([(m.BUTTON_REPLY, InterestMessage(interest_id).data)])
    return relays.Route(
        other=other,
        header=header.format(about=m.esc(about)),
        reply=reply,
        question=m.PASS_IT_ON_TO_INTERESTED if from_coordinator else m.PASS_IT_ON_TO_COORDINATOR,
        about=about,
    )


INTEREST_RELAY = relays.relay(RELAY, _route, m.INTEREST_CONVERSATION_ENDED)


@dataclass(frozen=True)
class InterestMessage(Button, prefix="ov"):
    """'Send a message' or 'Reply' between a coordinator and an interested volunteer."""

    interest_id: int


@on_press(InterestMessage)
async def on_message_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: InterestMessage
) -> None:
    """'Send a message' or 'Reply': what they type next goes to the other side."""
    await relays.on_button(update, context, INTEREST_RELAY, press.interest_id)
