"""/opportunity: a coordinator posts what a group needs; fitting volunteers are told; "I'm
interested" reaches the coordinator, who can reply through the bot."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import callbacks, relays
from bot.handlers.common import ask, keyboard, tell
from bot.handlers.conversation import typed_area
from bot.matching.skills import default_skills
from bot.services.opportunities import (
    OpportunityError,
    interest_id_of,
    interest_parties,
    post_opportunity,
    register_interest,
    volunteers_to_tell,
)
from bot.services.roles import is_coordinator

log = logging.getLogger(__name__)
FLOW = "opportunity_flow"
RELAY = "relay_interest"  # user_data key: the open relay ({"id": interest, "at": last message})


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pz = services(context)
    async with pz.sessions() as session:
        allowed = await is_coordinator(session, pz.settings, update.effective_user.id)
    if not allowed:
        await tell(context, update.effective_chat.id, m.COORDINATORS_ONLY)
        return
    ask(context, FLOW, {"step": "text"})
    await tell(context, update.effective_chat.id, m.OPPORTUNITY_ASK)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    flow = context.user_data[FLOW]
    if flow["step"] == "text":
        flow.update(step="where", text=text[:1000])
        await tell(
            context, update.effective_chat.id, m.OPPORTUNITY_ASK_WHERE,
            keyboard([(m.BUTTON_ANYWHERE, callbacks.opportunity_anywhere())]),
        )  # fmt: skip
        return
    if (area := await typed_area(update, context, text)) is None:
        return
    await publish(update, context, area.district, area.zone)


async def on_anywhere(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()
    if context.user_data.get(FLOW, {}).get("step") != "where":
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)
        return
    await publish(update, context, "", "")


async def publish(update: Update, context: ContextTypes.DEFAULT_TYPE, district: str, zone: str) -> None:
    text = context.user_data.pop(FLOW)["text"]
    skills = [s.id for s in default_skills().tag(text)]
    async with services(context).sessions.begin() as session:
        opportunity = await post_opportunity(session, update.effective_user.id, text, skills, district, zone)
        recipients = await volunteers_to_tell(session, opportunity)
    notice = m.OPPORTUNITY_NOTICE.format(text=m.esc(text), area=m.esc(district or "anywhere"))
    markup = keyboard([(m.BUTTON_INTERESTED, callbacks.interested(opportunity.id))])
    told = 0
    for chat_id in recipients:
        if chat_id != update.effective_user.id:
            told += await tell(context, chat_id, notice, markup)
    await tell(
        context,
        update.effective_chat.id,
        m.OPPORTUNITY_POSTED.format(volunteers=m.counted(told, "volunteer")),
    )


async def on_interested(update: Update, context: ContextTypes.DEFAULT_TYPE, opportunity_id: int) -> None:
    await update.callback_query.answer()
    try:
        async with services(context).sessions.begin() as session:
            interest = await register_interest(session, opportunity_id, update.effective_user.id)
            interest_id = await interest_id_of(session, opportunity_id, update.effective_user.id)
    except OpportunityError as error:
        await tell(context, update.effective_chat.id, m.esc(str(error).capitalize()) + ".")
        return
    await tell(context, update.effective_chat.id, m.INTEREST_PASSED_ON)
    if interest.coordinator_telegram_id is None:
        return
    offers = "\n".join(f"• {m.esc(o)}" for o in interest.offers) or "—"
    text = m.INTEREST_FOR_COORDINATOR.format(
        text=m.esc(interest.opportunity_text), offers=offers, area=m.esc(interest.volunteer_area)
    )
    if interest.volunteer_contact == "telegram":
        link = f'<a href="tg://user?id={interest.volunteer_telegram_id}">the volunteer</a>'
        await tell(
            context, interest.coordinator_telegram_id, text + "\n\n" + m.CONTACT_DIRECT.format(link=link)
        )
    else:
        markup = keyboard([(m.BUTTON_SEND_MESSAGE, callbacks.interest_message(interest_id))])
        await tell(context, interest.coordinator_telegram_id, text + "\n\n" + m.CONTACT_VIA_BOT, markup)


async def _route(context: ContextTypes.DEFAULT_TYPE, interest_id: int, user_id: int) -> relays.Route | None:
    """Where this side's messages go: the coordinator, or the interested volunteer (None: ended)."""
    try:
        async with services(context).sessions() as session:
            coordinator, volunteer, about = await interest_parties(session, interest_id, user_id)
    except OpportunityError:
        return None
    from_coordinator = user_id == coordinator
    header = m.RELAYED_FROM_COORDINATOR if from_coordinator else m.RELAYED_FROM_INTERESTED
    return relays.Route(
        other=volunteer if from_coordinator else coordinator,
        header=header.format(about=m.esc(about)),
        reply=keyboard([(m.BUTTON_REPLY, callbacks.interest_message(interest_id))]),
        question=m.PASS_IT_ON_TO_INTERESTED if from_coordinator else m.PASS_IT_ON_TO_COORDINATOR,
        about=about,
    )


INTEREST_RELAY = relays.relay(RELAY, _route, m.INTEREST_CONVERSATION_ENDED)


async def on_message_button(update: Update, context: ContextTypes.DEFAULT_TYPE, interest_id: int) -> None:
    """'Send a message' or 'Reply': what they type next goes to the other side."""
    await relays.on_button(update, context, INTEREST_RELAY, interest_id)


async def relay_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Typed while the relay is open: passed on, and the relay stays open for the next message
    ("thanks, see you Saturday" is part of the conversation, not a search); see relays."""
    await relays.on_text(update, context, INTEREST_RELAY, text)
