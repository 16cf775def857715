"""/volunteer: what they can offer, when, where, how to reach them; /myoffers; coordinators'
/pending approvals, of new volunteers and of approved volunteers' new offers held for a
safeguarding check. /volunteer is a small step-by-step flow (FLOW, see bot.handlers.flows)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Literal

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.conversation import menu_keyboard, typed_area
from bot.handlers.flows import Flow
from bot.i18n.current import speaking
from bot.matching.skills import default_skills
from bot.senders.outgoing import tell_later
from bot.services.residents import language_of, languages_of
from bot.services.roles import coordinator_zones, coordinators_of, covers, is_coordinator
from bot.services.volunteers import (
    AVAILABILITY,
    GONE,
    HELD,
    OfferDraft,
    VolunteerError,
    decide,
    decide_offer,
    edit_offer,
    held_offers,
    my_offers,
    offer_and_volunteer,
    pending_volunteers,
    register_offer,
    set_offer_state,
)
from bot.views.buttons import Button, Pattern, on_press
from bot.views.keyboards import keyboard
from db.models import Offer, Volunteer

log = logging.getLogger(__name__)
# /volunteer: the offer in their words, then buttons (and a typed area at "where"); {"draft": OfferDraft}
FLOW = Flow(
    "volunteer_flow",
    ("text", "confirm", "when", "where", "distance", "contact", "dbs"),
    pressed=frozenset({"confirm", "when", "distance", "contact", "dbs"}),
)
# new words for one of their offers ({"offer_id"}); older versions kept the offer's id alone
EDIT = Flow(
    "editing_offer",
    ("words",),
    legacy=lambda old: {"step": "words", "offer_id": old} if type(old) is int else None,
)


async def _send(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    await context.bot.send_message(chat_id(update), text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def start_volunteering(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    FLOW.open(context, "text", draft=OfferDraft())
    await _send(update, context, m.VOLUNTEER_ASK_OFFER)


@FLOW.on_text
async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Typed answers during the flow: the offer itself, or the area."""
    flow = FLOW.current(context)
    draft: OfferDraft = flow["draft"]
    if FLOW.at(context, "text"):
        draft.text = text[:1000]
        skills = default_skills().tag(text)
        draft.skills = [s.id for s in skills]
        FLOW.go(context, "confirm")
        if skills:
            names = ", ".join(m.esc(s.name) for s in skills)
            await _send(
                update,
                context,
                m.VOLUNTEER_CONFIRM_SKILLS.format(skills=names),
                keyboard(
                    [
                        (m.BUTTON_YES, VolunteerStep("ok").data),
                        (m.BUTTON_CHANGE, VolunteerStep("again").data),
                    ]
                ),
            )
        else:
            await _send(update, context, m.VOLUNTEER_NO_SKILLS)
            await ask_availability(update, context)
    elif FLOW.at(context, "where"):
        if (area := await typed_area(update, context, text)) is None:
            return
        draft.district, draft.zone = area.district, area.zone
        FLOW.go(context, "distance")
        rows = [[(m.BUTTON_UP_TO_KM.format(km=km), VolunteerStep(f"km{km}").data) for km in m.DISTANCES_KM]]
        await _send(update, context, m.VOLUNTEER_ASK_DISTANCE, keyboard(*rows))
    else:
        await _send(update, context, m.VOLUNTEER_USE_BUTTONS)


async def ask_availability(update: Update, context: ContextTypes.DEFAULT_TYPE, edit: bool = False) -> None:
    flow = FLOW.go(context, "when")
    chosen = set(flow["draft"].availability)
    rows = [
        [(("✅ " if a in chosen else "") + a.capitalize(), VolunteerStep(f"when{i}").data)]
        for i, a in enumerate(AVAILABILITY)
    ]
    rows.append([(m.BUTTON_DONE, VolunteerStep("whendone").data)])
    if edit and update.callback_query:
        await query(update).edit_message_reply_markup(keyboard(*rows))
    else:
        await _send(update, context, m.VOLUNTEER_ASK_WHEN, keyboard(*rows))


async def ask_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    FLOW.go(context, "contact")
    await _send(
        update,
        context,
        m.VOLUNTEER_ASK_CONTACT,
        keyboard(
            [(m.BUTTON_CONTACT_BOT, VolunteerStep("cbot").data)],
            [(m.BUTTON_CONTACT_TELEGRAM, VolunteerStep("ctg").data)],
        ),
    )


async def after_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    flow = FLOW.current(context)
    skills = default_skills()
    if any(skills.skill(s).safeguarding for s in flow["draft"].skills):
        FLOW.go(context, "dbs")
        await _send(
            update,
            context,
            m.VOLUNTEER_ASK_DBS,
            keyboard(
                [(m.BUTTON_YES, VolunteerStep("dbsyes").data), (m.BUTTON_NO, VolunteerStep("dbsno").data)],
                [(m.BUTTON_NOT_SURE, VolunteerStep("dbsnotsure").data)],
            ),
        )
        return
    await finish(update, context)


def _offers_changed(context: ContextTypes.DEFAULT_TYPE) -> None:
    """An offer or its volunteer changed: residents are matched with what it says now."""
    services(context).offers.invalidate()


def _zone_of(context: ContextTypes.DEFAULT_TYPE, volunteer: Volunteer) -> str:
    """The zone whose coordinators decide on this volunteer ("" for anywhere: admins only)."""
    return services(context).zones.zone_for(postcode=volunteer.postcode_district)


async def finish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    draft: OfferDraft = FLOW.take(context)["draft"]
    pz = services(context)
    async with pz.sessions.begin() as session:
        volunteer, offer = await register_offer(session, user_id(update), draft)
        # the coordinators who decide are told in the same transaction (sent once it is saved)
        told = offer.status == HELD or volunteer.status != "approved"
        deciding = await coordinators_of(session, pz.settings, _zone_of(context, volunteer)) if told else []
        languages = await languages_of(session, deciding)  # each is told in their own language
        if offer.status == HELD:  # with children or adults at risk, and no DBS check: checked first
            for coordinator in deciding:
                with speaking(languages[coordinator]):
                    card, buttons = _offer_check_card(offer, volunteer)
                tell_later(
                    context.application, session, coordinator, card, buttons,
                    kind="offer-check", written_by=user_id(update),  # their offer's words
                )  # fmt: skip
        elif volunteer.status != "approved":
            for coordinator in deciding:
                with speaking(languages[coordinator]):
                    nudge = m.COORDINATOR_NEW_OFFER  # to /pending, for the people who decide
                tell_later(context.application, session, coordinator, nudge, kind="new-volunteer")
    _offers_changed(context)
    if offer.status == HELD:
        await _send(update, context, m.VOLUNTEER_OFFER_HELD)
    elif volunteer.status == "approved":
        await _send(update, context, m.VOLUNTEER_ADDED)
    else:
        await _send(update, context, m.VOLUNTEER_PENDING)


@dataclass(frozen=True)
class VolunteerStep(Button, prefix="vo"):
    """A button of the /volunteer flow ("start" is the menu's "Offer to help")."""

    choice: Annotated[str, Pattern("[a-z0-9]{1,12}")]


@on_press(VolunteerStep)
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, press: VolunteerStep) -> None:
    """Buttons of the /volunteer flow; a press outside the flow is a stale button."""
    choice = press.choice
    flow = FLOW.state(context)
    press_query = query(update)
    if choice == "start":  # the menu's "Offer to help"
        await press_query.answer()
        await start_volunteering(update, context)
        return
    if flow is None:
        await press_query.answer()
        await _send(update, context, m.STALE_BUTTON)
        return
    await press_query.answer()
    draft: OfferDraft = flow["draft"]
    if choice == "ok" and FLOW.at(context, "confirm"):
        await ask_availability(update, context)
    elif choice == "again" and FLOW.at(context, "confirm"):
        FLOW.go(context, "text")
        await _send(update, context, m.VOLUNTEER_ASK_OFFER)
    elif choice.startswith("when") and FLOW.at(context, "when") and choice[4:].isdigit():
        index = int(choice[4:])
        if index < len(AVAILABILITY):
            slot = AVAILABILITY[index]
            draft.availability = [a for a in AVAILABILITY if (a in draft.availability) != (a == slot)]
            await ask_availability(update, context, edit=True)
    elif choice == "whendone" and FLOW.at(context, "when"):
        FLOW.go(context, "where")
        await _send(
            update,
            context,
            m.VOLUNTEER_ASK_WHERE,
            keyboard([(m.BUTTON_ANYWHERE, VolunteerStep("anywhere").data)]),
        )
    elif choice == "anywhere" and FLOW.at(context, "where"):
        await ask_contact(update, context)
    elif choice.startswith("km") and FLOW.at(context, "distance") and choice[2:].isdigit():
        if int(choice[2:]) not in m.DISTANCES_KM:
            await _send(update, context, m.STALE_BUTTON)
            return
        draft.max_distance_km = float(choice[2:])
        await ask_contact(update, context)
    elif choice in ("cbot", "ctg") and FLOW.at(context, "contact"):
        draft.contact = "bot" if choice == "cbot" else "telegram"
        await after_contact(update, context)
    elif choice.startswith("dbs") and FLOW.at(context, "dbs"):
        draft.has_dbs_check = {"dbsyes": True, "dbsno": False}.get(choice)
        await finish(update, context)
    else:
        await _send(update, context, m.STALE_BUTTON)


async def my_offers_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    async with services(context).sessions() as session:
        volunteer, offers = await my_offers(session, user_id(update))
    if volunteer is None or not offers:  # no volunteer has no offers
        await _send(update, context, m.NO_OFFERS)
        return
    status = m.VOLUNTEER_STATUS.get(volunteer.status, volunteer.status)
    await _send(update, context, m.YOUR_OFFERS.format(status=status))
    skills = default_skills()
    for offer in offers:
        names = ", ".join(skills.skill(s).name for s in offer.skills if s in {k.id for k in skills.skills})
        text = m.OFFER_CARD.format(
            text=m.esc(offer.text), skills=m.esc(names or "—"), state=m.OFFER_STATE[offer.status]
        )
        withdraw = ("Withdraw", OfferAction("withdraw", offer.id).data)
        if offer.status == HELD:  # a coordinator is checking it: it can only be withdrawn
            await _send(update, context, text, keyboard([withdraw]))
            continue
        toggle = (
            ("Resume", OfferAction("resume", offer.id).data)
            if offer.status == "paused"
            else ("Pause", OfferAction("pause", offer.id).data)
        )
        await _send(
            update,
            context,
            text,
            keyboard([toggle, withdraw], [("Edit", OfferAction("edit", offer.id).data)]),
        )


@dataclass(frozen=True)
class OfferAction(Button, prefix="of"):
    """Pause, resume, withdraw or edit one of my offers (/myoffers)."""

    action: Literal["pause", "resume", "withdraw", "edit"]
    offer_id: int


@on_press(OfferAction)
async def on_offer_button(update: Update, context: ContextTypes.DEFAULT_TYPE, press: OfferAction) -> None:
    action, offer_id = press.action, press.offer_id
    if action == "edit":
        await start_edit(update, context, offer_id)
        return
    state = {"pause": "paused", "resume": "active", "withdraw": "withdrawn"}[action]
    try:
        async with services(context).sessions.begin() as session:
            await set_offer_state(session, user_id(update), offer_id, state)
    except VolunteerError:
        await query(update).answer()
        await _send(update, context, m.STALE_BUTTON)
        return
    _offers_changed(context)
    await query(update).answer()
    await _send(update, context, m.OFFER_NOW[state])


async def start_edit(update: Update, context: ContextTypes.DEFAULT_TYPE, offer_id: int) -> None:
    await query(update).answer()
    async with services(context).sessions() as session:
        _, offers = await my_offers(session, user_id(update))
    if offer_id not in {o.id for o in offers if o.status != HELD}:
        await _send(update, context, m.STALE_BUTTON)
        return
    EDIT.open(context, "words", offer_id=offer_id)
    await _send(update, context, m.OFFER_EDIT_ASK)


@EDIT.on_text
async def finish_edit(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """New words for an offer: re-tagged and saved; the offer keeps its state."""
    offer_id = EDIT.take(context)["offer_id"]
    skills = default_skills().tag(text)
    try:
        async with services(context).sessions.begin() as session:
            await edit_offer(session, user_id(update), offer_id, text, [s.id for s in skills])
    except VolunteerError:
        await _send(update, context, m.STALE_BUTTON)
        return
    _offers_changed(context)  # matched by its new words from the next need on
    names = ", ".join(m.esc(s.name) for s in skills) or "—"
    await _send(update, context, m.OFFER_EDITED.format(skills=names))


async def pending_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pz = services(context)
    async with pz.sessions() as session:
        zones = await coordinator_zones(session, pz.settings, user_id(update))
        if not zones:
            await _send(update, context, m.COORDINATORS_ONLY)
            return
        waiting = await pending_volunteers(session)
        held = [(o, v) for o, v in await held_offers(session) if covers(zones, _zone_of(context, v))]
    if not waiting and not held:
        await _send(update, context, m.NOTHING_PENDING)
        return
    for offer, volunteer in held:  # offers to check, in the zones this coordinator looks after
        card, buttons = _offer_check_card(offer, volunteer)
        await _send(update, context, card, buttons)
    for volunteer in waiting:
        offers = "\n".join(f"• {m.esc(o.text)}" for o in volunteer.offers if o.status not in GONE)
        dbs = m.DBS_ANSWERS[volunteer.has_dbs_check]
        text = m.PENDING_CARD.format(
            offers=offers,
            area=m.esc(volunteer.postcode_district or m.AREA_ANYWHERE),
            when=m.esc(", ".join(volunteer.availability) or "—"),
            dbs=dbs,
        )
        await _send(
            update,
            context,
            text,
            keyboard(
                [
                    (m.BUTTON_APPROVE, Decision("approve", volunteer.id).data),
                    (m.BUTTON_DECLINE, Decision("decline", volunteer.id).data),
                ]
            ),
        )


@dataclass(frozen=True)
class Decision(Button, prefix="vc"):
    """A coordinator's Approve / Decline on a new volunteer (/pending)."""

    action: Literal["approve", "decline"]
    volunteer_id: int


@on_press(Decision)
async def on_decision(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Decision) -> None:
    action, volunteer_id = press.action, press.volunteer_id
    pz = services(context)
    await query(update).answer()
    try:
        async with pz.sessions.begin() as session:
            if not await is_coordinator(session, pz.settings, user_id(update)):
                await _send(update, context, m.COORDINATORS_ONLY)
                return
            _, telegram_id = await decide(session, volunteer_id, action == "approve", user_id(update))
            with speaking(await language_of(session, telegram_id)):
                told = m.VOLUNTEER_TOLD[action]
            tell_later(context.application, session, telegram_id, told, kind="decision")
    except VolunteerError:
        await _send(update, context, m.ALREADY_DECIDED)
        return
    _offers_changed(context)
    await _send(update, context, m.DECIDED[action])


# ----- safeguarding: approved volunteers' new offers held for a coordinator's check -------------------


def _offer_check_card(offer: Offer, volunteer: Volunteer) -> tuple[str, InlineKeyboardMarkup]:
    """What the coordinators of the volunteer's zone see of a held offer, with Approve / Decline."""
    skills = default_skills()
    known = {s.id for s in skills.skills}
    names = ", ".join(skills.skill(s).name for s in offer.skills if s in known)
    text = m.OFFER_CHECK_CARD.format(
        text=m.esc(offer.text),
        skills=m.esc(names or "—"),
        area=m.esc(volunteer.postcode_district or m.AREA_ANYWHERE),
        when=m.esc(", ".join(volunteer.availability) or "—"),
        dbs=m.OFFER_CHECK_DBS.get(volunteer.has_dbs_check, m.OFFER_CHECK_DBS[None]),
    )
    buttons = keyboard(
        [
            (m.BUTTON_APPROVE, OfferCheck("approve", offer.id).data),
            (m.BUTTON_DECLINE, OfferCheck("decline", offer.id).data),
        ]
    )
    return text, buttons


@dataclass(frozen=True)
class OfferCheck(Button, prefix="oc"):
    """A coordinator's Approve / Decline on an offer held for a safeguarding check."""

    action: Literal["approve", "decline"]
    offer_id: int


@on_press(OfferCheck)
async def on_offer_check(update: Update, context: ContextTypes.DEFAULT_TYPE, press: OfferCheck) -> None:
    """Approve / Decline on a held offer. Only a coordinator of the volunteer's zone, or an admin,
    decides; anyone else's press (a resident, another zone's coordinator, a forged or unknown id)
    changes nothing and is answered as a stale button. A second press is told it is decided."""
    action, offer_id = press.action, press.offer_id
    pz = services(context)
    await query(update).answer()
    decided: tuple[Offer, int] | None = None
    async with pz.sessions.begin() as session:
        zones = await coordinator_zones(session, pz.settings, user_id(update))
        found = await offer_and_volunteer(session, offer_id) if zones else None
        allowed = found is not None and covers(zones, _zone_of(context, found[1]))
        if allowed and found is not None and found[0].status == HELD:
            try:
                decided = await decide_offer(session, offer_id, action == "approve")
            except VolunteerError:  # another coordinator decided it a moment ago
                decided = None
        if decided is not None:
            offer, telegram_id = decided
            with speaking(await language_of(session, telegram_id)):
                told = m.OFFER_CHECK_TOLD[action].format(text=m.esc(offer.text))
            tell_later(context.application, session, telegram_id, told, kind="offer-decision")
    if decided is not None:
        _offers_changed(context)
    if not allowed:
        await context.bot.send_message(chat_id(update), m.STALE_BUTTON, reply_markup=menu_keyboard())
    elif decided is None:
        await _send(update, context, m.OFFER_CHECK_ALREADY)
    else:
        await _send(update, context, m.OFFER_CHECK_DECIDED[action])
