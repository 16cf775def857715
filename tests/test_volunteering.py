"""Volunteers offering their skills, a coordinator approving them, and their own control over
their offers — end to end through the Bot API emulation."""

import pytest
from sqlalchemy import select

from bot.config import Settings, default_zones
from db.models import Offer, Resident, Role, Volunteer
from tests.conversation import close_conversation, open_conversation

ADMIN_ID = 4242


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(ADMIN_ID,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


def buttons(message) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


async def offer_diy(chat, who):
    await chat.say(who, "/volunteer")
    [confirm] = await chat.say(who, "I can do a bit of diy and gardning")
    assert "DIY" in confirm.plain and "Gardening" in confirm.plain.title()
    [when] = await chat.press(who, "Yes")
    assert when.plain.startswith("When are you usually free?")
    [ticked] = await chat.press(who, "Weekends")
    assert "✅ Weekends" in buttons(ticked)
    [where] = await chat.press(who, "Done")
    assert where.plain.startswith("Where can you help?")
    [distance] = await chat.say(who, "LE4")
    assert distance.plain.startswith("How far could you go")
    [contact] = await chat.press(who, "Up to 5 km")
    assert "safest" in contact.plain
    return await chat.press(who, "Through this bot only")


async def test_a_volunteer_registers_and_waits_for_approval(chat, sessions):
    ann = chat.telegram.user("Ann")
    admin = chat.telegram.user("Coordinator", user_id=ADMIN_ID)
    await chat.say(admin, "/start")  # the coordinator has started the bot, so can be told
    replies = await offer_diy(chat, ann)
    assert "A coordinator will look at your offer soon" in replies[0].plain
    assert "/pending" in chat.telegram.last_bot_message(admin).plain
    async with sessions() as session:
        volunteer = (await session.scalars(select(Volunteer))).one()
        offer = (await session.scalars(select(Offer))).one()
    assert volunteer.status == "pending"
    assert volunteer.availability == ["weekends"] and volunteer.postcode_district == "LE4"
    assert volunteer.max_distance_km == 5.0
    assert volunteer.contact_preference == "bot"
    assert offer.text == "I can do a bit of diy and gardning"
    assert {"diy", "gardening"} <= set(offer.skills)


async def test_coordinator_approves_and_the_volunteer_is_told(chat, sessions):
    ann = chat.telegram.user("Ann")
    admin = chat.telegram.user("Coordinator", user_id=ADMIN_ID)
    await offer_diy(chat, ann)
    [card] = await chat.say(admin, "/pending")
    assert "diy and gardning" in card.plain and "Area: LE4" in card.plain
    [done] = await chat.press(admin, "Approve", card)
    assert done.plain.startswith("Approved")
    assert "approved your volunteering" in chat.telegram.last_bot_message(ann).plain
    [again] = await chat.press(admin, "Approve", card)  # a second press on the same card
    assert "already been decided" in again.plain
    async with sessions() as session:
        assert (await session.scalars(select(Volunteer))).one().status == "approved"


async def test_only_coordinators_see_pending(chat):
    bob = chat.telegram.user("Bob")
    [reply] = await chat.say(bob, "/pending")
    assert "coordinators only" in reply.plain


async def test_myoffers_pause_resume_withdraw_and_stale_buttons(chat, sessions):
    ann = chat.telegram.user("Ann")
    await offer_diy(chat, ann)
    replies = await chat.say(ann, "/myoffers")
    assert "waiting for a coordinator" in replies[0].plain
    card = replies[1]
    assert "Now: open to requests" in card.plain
    [paused] = await chat.press(ann, "Pause", card)
    assert paused.plain.startswith("Paused")
    [withdrawn] = await chat.press(ann, "Withdraw", card)
    assert withdrawn.plain.startswith("Withdrawn")
    [stale] = await chat.press(ann, "Pause", card)  # the offer is gone
    assert "old message" in stale.plain
    [none] = await chat.say(ann, "/myoffers")
    assert "haven't offered anything" in none.plain
    async with sessions() as session:
        assert (await session.scalars(select(Offer))).one().status == "withdrawn"


async def test_someone_elses_offer_cannot_be_touched(chat, sessions):
    ann, bob = chat.telegram.user("Ann"), chat.telegram.user("Bob")
    await offer_diy(chat, ann)
    async with sessions() as session:
        offer_id = (await session.scalars(select(Offer.id))).one()
    [old] = await chat.say(bob, "/help")
    replies = await chat.act(bob, bob.press_data(f"of:withdraw:{offer_id}", old))
    assert "old message" in replies[-1].plain
    async with sessions() as session:
        assert (await session.scalars(select(Offer))).one().status == "active"


async def test_safeguarding_question_for_work_with_children(chat, sessions):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/volunteer")
    await chat.say(ann, "I could help children with their homework and reading")
    await chat.press(ann, "Yes")
    await chat.press(ann, "Done")
    await chat.press(ann, "Anywhere")
    [dbs] = await chat.press(ann, "Through this bot only")
    assert "DBS check" in dbs.plain
    [done] = await chat.press(ann, "Yes")
    assert "coordinator will look" in done.plain
    async with sessions() as session:
        assert (await session.scalars(select(Volunteer))).one().has_dbs_check is True


async def test_bad_input_during_the_flow(chat, sessions):
    ann = chat.telegram.user("Ann")
    [stale] = await chat.act(ann, ann.press_data("vo:ok", (await chat.say(ann, "/help"))[0]))
    assert "old message" in stale.plain  # a flow button outside the flow
    await chat.say(ann, "/volunteer")
    [confirm] = await chat.say(ann, "I can do DIY")
    [hint] = await chat.say(ann, "what now?")  # typing where a button is expected
    assert "tap one of the buttons" in hint.plain
    await chat.press(ann, "Yes", confirm)
    await chat.press(ann, "Done")
    [unknown] = await chat.say(ann, "Narnia")
    assert "don't know where Narnia is" in unknown.plain
    [distance] = await chat.say(ann, "LE2")
    [forged] = await chat.act(ann, ann.press_data("vo:km999", distance))
    assert "old message" in forged.plain
    async with sessions() as session:
        assert (await session.scalars(select(Resident))).all() == []  # nothing saved until the end


async def approved_driver(chat, sessions, name="Vic", district="LE4", reach="Up to 15 km"):
    vic = chat.telegram.user(name)
    admin = chat.telegram.user("Coordinator", user_id=ADMIN_ID)
    await chat.say(vic, "/volunteer")
    await chat.say(vic, "I can give people lifts in my car")
    await chat.press(vic, "Yes")
    await chat.press(vic, "Done")
    await chat.say(vic, district)
    await chat.press(vic, reach)
    replies = await chat.press(vic, "Through this bot only")
    if "DBS" in replies[-1].plain:  # lifts for people who may need care: the safeguarding question
        await chat.press(vic, "Yes")
    [card] = await chat.say(admin, "/pending")
    await chat.press(admin, "Approve", card)
    return vic


async def test_a_need_meets_a_volunteer_with_consent_and_no_identity(chat, sessions):
    vic = await approved_driver(chat, sessions)
    ann = chat.telegram.user("Ann", username="ann_le4")
    await chat.say(ann, "/area")
    await chat.say(ann, "LE4")
    replies = await chat.say(ann, "i need a lift to my hospital appointment")
    assert "Local volunteers may be able to help" in replies[-1].plain
    [how] = await chat.press(ann, "🙋 Ask a volunteer")
    assert "Through this bot is safest" in how.plain
    mark = chat.telegram.mark()
    [asked] = await chat.press(ann, "Through this bot only")
    assert "I've asked a volunteer" in asked.plain
    [request] = chat.telegram.bot_messages_since(vic, mark)
    assert "lift to my hospital appointment" in request.plain and "LE4" in request.plain
    mark = chat.telegram.mark()
    await chat.press(vic, "Yes, I can help", request)
    to_ann = chat.telegram.bot_messages_since(ann, mark)
    assert "a volunteer has said they can help" in to_ann[0].plain
    await chat.press(ann, "✉️ Send a message", to_ann[0])
    mark = chat.telegram.mark()
    await chat.say(ann, "thank you! is tuesday at 2 ok?")
    [relayed] = chat.telegram.bot_messages_since(vic, mark)
    assert "A message from the neighbour you're helping" in relayed.plain
    assert "is tuesday at 2 ok?" in relayed.plain
    for message in chat.telegram.transcript(vic):  # nothing the volunteer saw names Ann
        assert "Ann" not in message.plain and "ann_le4" not in message.plain
        assert str(ann.id) not in (message.source or "")
    for message in chat.telegram.transcript(ann):  # nor the other way round
        assert "Vic" not in message.plain and str(vic.id) not in (message.source or "")
    async with sessions() as session:
        from db.models import Introduction, Need

        introduction = (await session.scalars(select(Introduction))).one()
        need = (await session.scalars(select(Need).where(Need.id == introduction.need_id))).one()
    assert introduction.status == "accepted" and need.answered
    [again] = await chat.press(vic, "Yes, I can help", request)  # answered already
    assert "old message" in again.plain


async def test_a_declined_request_is_told_kindly(chat, sessions):
    vic = await approved_driver(chat, sessions)
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "i need a lift to the doctors")
    await chat.press(ann, "🙋 Ask a volunteer")
    mark = chat.telegram.mark()
    await chat.press(ann, "They can see my Telegram name")
    [request] = chat.telegram.bot_messages_since(vic, mark)
    mark = chat.telegram.mark()
    [thanks] = await chat.press(vic, "Not this time", request)
    assert "Thank you for letting me know" in thanks.plain
    assert "can't help this time" in chat.telegram.bot_messages_since(ann, mark)[0].plain


async def test_someone_else_cannot_answer_or_relay(chat, sessions):
    vic = await approved_driver(chat, sessions)
    ann, eve = chat.telegram.user("Ann"), chat.telegram.user("Eve")
    await chat.say(ann, "i need a lift to the doctors")
    await chat.press(ann, "🙋 Ask a volunteer")
    mark = chat.telegram.mark()
    await chat.press(ann, "Through this bot only")
    [request] = chat.telegram.bot_messages_since(vic, mark)
    intro = request.buttons[0][0][1].split(":")[-1]
    [old] = await chat.say(eve, "/help")
    for data in (f"ia:yes:{intro}", f"im:{intro}"):
        replies = await chat.act(eve, eve.press_data(data, old))
        assert "old message" in replies[-1].plain


async def test_follow_up_asks_both_sides_once_and_records_the_answer(chat, sessions):
    from bot.handlers.introductions import send_follow_ups
    from db.models import Introduction

    vic = await approved_driver(chat, sessions)
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "i need a lift to the doctors")
    await chat.press(ann, "🙋 Ask a volunteer")
    mark = chat.telegram.mark()
    await chat.press(ann, "Through this bot only")
    [request] = chat.telegram.bot_messages_since(vic, mark)
    await chat.press(vic, "Yes, I can help", request)
    assert await send_follow_ups(chat.app) == 0  # not due yet
    chat.clock.advance(days=5)
    mark = chat.telegram.mark()
    assert await send_follow_ups(chat.app) == 1
    assert await send_follow_ups(chat.app) == 0  # claimed: never sent twice
    [to_ann] = chat.telegram.bot_messages_since(ann, mark)
    [to_vic] = chat.telegram.bot_messages_since(vic, mark)
    assert "Did it work out?" in to_ann.plain and "lift to the doctors" in to_vic.plain
    [thanks] = await chat.press(ann, "Yes, it worked", to_ann)
    assert thanks.plain.startswith("Thank you for telling me")
    await chat.press(vic, "No, it didn't", to_vic)
    eve = chat.telegram.user("Eve")
    [old] = await chat.say(eve, "/help")
    intro = to_ann.buttons[0][0][1].split(":")[-1]
    replies = await chat.act(eve, eve.press_data(f"fb:n:{intro}", old))
    assert "old message" in replies[-1].plain
    async with sessions() as session:
        introduction = (await session.scalars(select(Introduction))).one()
    assert (introduction.resident_feedback, introduction.volunteer_feedback) == ("worked", "did not work")


async def test_an_opportunity_reaches_fitting_volunteers_and_interest_reaches_the_coordinator(chat, sessions):
    vic = await approved_driver(chat, sessions, "Vic", "LE4")
    far = await approved_driver(chat, sessions, "Far", "LE15")  # a driver, but in Rutland
    admin = chat.telegram.user("Coordinator", user_id=ADMIN_ID)
    [ask] = await chat.say(admin, "/opportunity")
    assert "What does the group need help with?" in ask.plain
    [where] = await chat.say(admin, "Food bank needs Saturday drivers")
    assert where.plain.startswith("Where is it?")
    mark = chat.telegram.mark()
    [posted] = await chat.say(admin, "LE4")
    assert "told 1 volunteer" in posted.plain
    [notice] = chat.telegram.bot_messages_since(vic, mark)
    assert "Food bank needs Saturday drivers" in notice.plain
    assert chat.telegram.bot_messages_since(far, mark) == []
    mark = chat.telegram.mark()
    [thanks] = await chat.press(vic, "I'm interested", notice)
    assert "told the coordinator" in thanks.plain
    [to_admin] = chat.telegram.bot_messages_since(admin, mark)
    assert "A volunteer is interested in" in to_admin.plain and "lifts" in to_admin.plain
    assert "Vic" not in to_admin.plain  # they chose the bot: no name, messages relayed
    await chat.press(admin, "✉️ Send a message", to_admin)
    mark = chat.telegram.mark()
    await chat.say(admin, "Can you do this Saturday at 9?")
    [relayed] = chat.telegram.bot_messages_since(vic, mark)
    assert "Can you do this Saturday at 9?" in relayed.plain
    [again] = await chat.press(vic, "I'm interested", notice)
    assert "already said you are interested" in again.plain


async def test_only_coordinators_post_opportunities_and_only_volunteers_are_interested(chat, sessions):
    bob = chat.telegram.user("Bob")
    [reply] = await chat.say(bob, "/opportunity")
    assert "coordinators only" in reply.plain
    [old] = await chat.say(bob, "/help")
    replies = await chat.act(bob, bob.press_data("oi:999", old))
    assert "not open any more" in replies[-1].plain


async def test_an_offer_can_be_edited(chat, sessions):
    ann = chat.telegram.user("Ann")
    await offer_diy(chat, ann)
    replies = await chat.say(ann, "/myoffers")
    [ask] = await chat.press(ann, "Edit", replies[1])
    assert "new words" in ask.plain
    [saved] = await chat.say(ann, "I can walk dogs at weekends")
    assert saved.plain.startswith("Saved") and "Dog" in saved.plain
    async with sessions() as session:
        offer = (await session.scalars(select(Offer))).one()
    assert offer.text == "I can walk dogs at weekends" and "diy" not in offer.skills


async def test_a_volunteer_is_not_offered_beyond_how_far_they_said(chat, sessions):
    await approved_driver(chat, sessions, "Vic", "LE4", reach="Up to 2 km")
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/area")
    await chat.say(ann, "Oakham")  # about 30 km from LE4
    replies = await chat.say(ann, "i need a lift to my hospital appointment")
    assert all("Local volunteers may be able to help" not in r.plain for r in replies)


async def test_the_menu_offers_a_way_to_volunteer(chat):
    ann = chat.telegram.user("Ann")
    [menu] = await chat.say(ann, "/menu")
    [ask] = await chat.press(ann, "🙋 Offer to help", menu)
    assert ask.plain.startswith("Thank you for wanting to help!")


async def test_the_coordinators_of_the_volunteers_zone_are_nudged_not_others(chat, sessions):
    async with sessions.begin() as session:
        for telegram_id, zone in ((7001, "Leicester North"), (7002, "Rutland")):
            person = Resident(telegram_user_id=telegram_id)
            session.add(person)
            await session.flush()
            session.add(Role(resident_id=person.id, role="coordinator", zone=zone))
    north, rutland = chat.telegram.user("North", user_id=7001), chat.telegram.user("Rut", user_id=7002)
    mark = chat.telegram.mark()
    await offer_diy(chat, chat.telegram.user("Ann"))  # in LE4: Leicester North
    assert "/pending" in chat.telegram.bot_messages_since(north, mark)[-1].plain
    assert chat.telegram.bot_messages_since(rutland, mark) == []


# ----- safeguarding: an approved volunteer's new offer with people at risk, without a DBS check ------


async def add_offer(chat, who, text: str, district: str = "LE4", dbs: str = "No"):
    """A further offer through /volunteer; the replies to the last step (DBS answered if asked)."""
    await chat.say(who, "/volunteer")
    await chat.say(who, text)
    await chat.press(who, "Yes")
    await chat.press(who, "Done")
    await chat.say(who, district)
    await chat.press(who, "Up to 15 km")
    replies = await chat.press(who, "Through this bot only")
    if "DBS check" in replies[-1].plain:
        replies = await chat.press(who, dbs)
    return replies


async def approved_volunteer(chat, name="Vic"):
    """Someone a coordinator has approved, with a DIY and gardening offer in LE4."""
    who = chat.telegram.user(name)
    admin = chat.telegram.user("Coordinator", user_id=ADMIN_ID)
    await offer_diy(chat, who)
    [card] = await chat.say(admin, "/pending")
    await chat.press(admin, "Approve", card)
    return who


async def volunteers_offered(chat, resident, need: str) -> bool:
    """Whether a resident's search offers to ask a local volunteer."""
    replies = await chat.say(resident, need)
    return any("Local volunteers may be able to help" in r.plain for r in replies)


async def add_coordinators(sessions, *people: tuple[int, str]) -> None:
    async with sessions.begin() as session:
        for telegram_id, zone in people:
            person = Resident(telegram_user_id=telegram_id)
            session.add(person)
            await session.flush()
            session.add(Role(resident_id=person.id, role="coordinator", zone=zone))


async def test_a_held_offer_is_hidden_until_a_coordinator_approves_it(chat, sessions):
    vic = await approved_volunteer(chat)
    admin = chat.telegram.user("Coordinator", user_id=ADMIN_ID)
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/area")
    await chat.say(ann, "LE4")
    mark = chat.telegram.mark()
    [held] = await add_offer(chat, vic, "I can give people lifts in my car", dbs="No")
    assert "a coordinator will have a quick look at it first" in held.plain
    [card] = chat.telegram.bot_messages_since(admin, mark)
    assert "An offer to check" in card.plain and "lifts in my car" in card.plain
    assert "Area: LE4" in card.plain and "DBS check: no" in card.plain
    assert buttons(card) == ["Approve", "Decline"]
    assert not await volunteers_offered(chat, ann, "i need a lift to my hospital appointment")
    replies = await chat.say(vic, "/myoffers")
    [lifts] = [r for r in replies if "lifts in my car" in r.plain]
    assert "waiting for a coordinator to check it" in lifts.plain
    assert buttons(lifts) == ["Withdraw"]  # resuming or editing it would skip the check
    [pending] = await chat.say(admin, "/pending")  # the card is also on /pending
    assert "An offer to check" in pending.plain

    mark = chat.telegram.mark()
    [done] = await chat.press(admin, "Approve", card)
    assert done.plain.startswith("Approved. The offer is open to requests now")
    [told] = chat.telegram.bot_messages_since(vic, mark)
    assert "checked your offer" in told.plain and "open to requests now" in told.plain
    assert await volunteers_offered(chat, ann, "i need a lift to my hospital appointment")
    [again] = await chat.press(admin, "Decline", pending)  # the same offer, from /pending
    assert "isn't waiting for a check any more" in again.plain
    replies = await chat.say(vic, "/myoffers")
    [lifts] = [r for r in replies if "lifts in my car" in r.plain]
    assert "Now: open to requests" in lifts.plain
    [nothing] = await chat.say(admin, "/pending")
    assert "No volunteers or offers are waiting" in nothing.plain


async def test_a_declined_offer_is_told_kindly_and_never_shown(chat, sessions):
    vic = await approved_volunteer(chat)
    admin = chat.telegram.user("Coordinator", user_id=ADMIN_ID)
    mark = chat.telegram.mark()
    await add_offer(chat, vic, "I could help children with their homework and reading", dbs="No")
    [card] = chat.telegram.bot_messages_since(admin, mark)
    assert "children with their homework" in card.plain
    mark = chat.telegram.mark()
    [done] = await chat.press(admin, "Decline", card)
    assert done.plain.startswith("Declined")
    [told] = chat.telegram.bot_messages_since(vic, mark)
    assert "Thank you for offering" in told.plain and "won't be shown to anyone" in told.plain
    replies = await chat.say(vic, "/myoffers")
    assert all("homework" not in r.plain for r in replies)
    assert any("diy and gardning" in r.plain for r in replies)  # their other offer is untouched
    async with sessions() as session:
        statuses = {o.text: o.status for o in await session.scalars(select(Offer))}
    assert statuses["I could help children with their homework and reading"] == "declined"
    assert statuses["I can do a bit of diy and gardning"] == "active"


async def test_only_a_coordinator_of_the_volunteers_zone_can_approve_a_held_offer(chat, sessions):
    await add_coordinators(sessions, (7001, "Leicester North"), (7002, "Rutland"))
    north, rutland = chat.telegram.user("North", user_id=7001), chat.telegram.user("Rut", user_id=7002)
    bob = chat.telegram.user("Bob")
    vic = await approved_volunteer(chat)
    mark = chat.telegram.mark()
    await add_offer(chat, vic, "I can give people lifts in my car", dbs="No")  # in LE4: Leicester North
    [card] = chat.telegram.bot_messages_since(north, mark)
    assert chat.telegram.bot_messages_since(rutland, mark) == []  # not told: not their zone
    [nothing] = await chat.say(rutland, "/pending")
    assert "No volunteers or offers are waiting" in nothing.plain
    approve = dict(card.buttons[0])["Approve"]
    for who in (bob, rutland):
        [old] = await chat.say(who, "/help")
        mark = chat.telegram.mark()
        replies = await chat.act(who, who.press_data(approve, old))
        assert "old message" in replies[-1].plain
        assert chat.telegram.bot_messages_since(vic, mark) == []
    [forged] = await chat.act(north, north.press_data("oc:approve:999999", card))  # no such offer
    assert "old message" in forged.plain
    async with sessions() as session:
        assert "held" in {o.status for o in await session.scalars(select(Offer))}
    ann = chat.telegram.user("Ann")
    assert not await volunteers_offered(chat, ann, "i need a lift to the doctors")
    [done] = await chat.press(north, "Approve", card)
    assert done.plain.startswith("Approved")
    assert "open to requests now" in chat.telegram.last_bot_message(vic).plain
    assert await volunteers_offered(chat, ann, "i need a lift to the doctors")


async def test_offers_without_people_at_risk_or_with_a_dbs_check_go_live_at_once(chat, sessions):
    vic = await approved_volunteer(chat)
    admin = chat.telegram.user("Coordinator", user_id=ADMIN_ID)
    ann = chat.telegram.user("Ann")
    mark = chat.telegram.mark()
    [added] = await add_offer(chat, vic, "I can walk dogs at weekends")  # no DBS question
    assert "I've added this to your offers" in added.plain
    [added] = await add_offer(chat, vic, "I can give people lifts in my car", dbs="Yes")
    assert "I've added this to your offers" in added.plain
    assert chat.telegram.bot_messages_since(admin, mark) == []  # nothing for a coordinator to check
    assert await volunteers_offered(chat, ann, "i need a lift to my hospital appointment")
    replies = await chat.say(vic, "/myoffers")
    cards = [r for r in replies if "Now:" in r.plain]
    assert len(cards) == 3 and all("Now: open to requests" in c.plain for c in cards)


async def test_a_new_volunteers_first_offer_is_checked_with_them_not_held(chat, sessions):
    """A volunteer not yet approved is checked as a whole on /pending, DBS answer included."""
    ann = chat.telegram.user("Ann")
    admin = chat.telegram.user("Coordinator", user_id=ADMIN_ID)
    [reply] = await add_offer(chat, ann, "I could help children with their homework and reading", dbs="No")
    assert "A coordinator will look at your offer soon" in reply.plain
    [card] = await chat.say(admin, "/pending")
    assert card.plain.startswith("New volunteer") and "DBS check: no" in card.plain
