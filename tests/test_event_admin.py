"""Coordinators' events through the emulation: /newevent, changing and cancelling with the people
going told once, the poster QR code, new-event alerts, and refusals for everyone else."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.config import Settings, default_zones
from bot.handlers.event_admin import CallOffDate, EventAction, ManageEvent, poster_code
from bot.handlers.new_event import NewEventStep
from bot.senders.notices import send_due_notices
from bot.services.events import create_event
from db.models import Event, Reminder, Rsvp
from tests.conversation import close_conversation, open_conversation

LONDON = ZoneInfo("Europe/London")
CORA = 9001  # the coordinator (an admin in the config)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def publish_youth_club(chat, cora):
    await chat.say(cora, "/newevent")
    await chat.say(cora, "Friday Youth Club")
    [length] = await chat.say(cora, "Fri 27 Nov 18:00")
    [repeat] = await chat.press(cora, "2 hours", length)
    await chat.press(cora, "Every week", repeat)
    [places] = await chat.say(cora, "Braunstone Library, LE3 1JJ")
    assert "How many places" in places.plain
    await chat.say(cora, "20")
    [preview] = await chat.say(cora, "For 11 to 16 year olds. Free.")
    return preview


async def test_a_coordinator_publishes_a_repeating_event_residents_find_it(chat, sessions):
    cora = chat.telegram.user("Cora", user_id=CORA)
    preview = await publish_youth_club(chat, cora)
    assert "Friday Youth Club" in preview.plain and "Every week" in preview.plain
    assert "Leicester West" in preview.plain and "Places: 20" in preview.plain
    [published] = await chat.press(cora, "✅ Publish", preview)
    assert "https://t.me/" in published.plain and "start=ev" in published.plain
    async with sessions() as session:
        [event] = await session.scalars(select(Event))
    assert (event.freq, event.zone, event.capacity, event.postcode) == (
        "WEEKLY",
        "Leicester West",
        20,
        "LE3 1JJ",
    )
    assert event.starts_at == local("2026-11-27 18:00") and event.ends_at == local("2026-11-27 20:00")
    assert event.categories  # a youth club answers a need residents can follow

    ann = chat.telegram.user("Ann")
    [listing] = await chat.say(ann, "/whatson")
    assert "Friday Youth Club — Fri 27 Nov, 18:00" in listing.plain
    # the deep link from the poster opens the next date
    link_payload = published.plain.split("start=")[1].split()[0]
    *_, details = await chat.say(ann, f"/start {link_payload}")
    assert "Friday Youth Club" in details.plain and "Places left: 20" in details.plain


async def test_typed_answers_that_cannot_be_used_are_asked_again(chat, sessions):
    cora = chat.telegram.user("Cora", user_id=CORA)
    await chat.say(cora, "/newevent")
    [short] = await chat.say(cora, "Yo")
    assert "between 3 and 200" in short.plain
    await chat.say(cora, "Coffee Morning")
    [past] = await chat.say(cora, "1/1/2020 10:00")
    assert "already passed" in past.plain
    [vague] = await chat.say(cora, "Friday")
    assert "give a time" in vague.plain
    [gap] = await chat.say(cora, "28/03/2027 01:30")
    assert "clocks go forward" in gap.plain
    [length] = await chat.say(cora, "tomorrow 10:00")
    assert "How long" in length.plain
    [bad_length] = await chat.say(cora, "ages")
    assert "couldn't read" in bad_length.plain
    [repeat] = await chat.say(cora, "11:30")  # an end time
    [where] = await chat.press(cora, "No, just once", repeat)
    assert "Where is it" in where.plain
    [area] = await chat.say(cora, "The village hall")  # no postcode or known place
    assert "Which area" in area.plain
    [places] = await chat.say(cora, "Oakham")
    [bad] = await chat.say(cora, "lots")
    assert "number of places" in bad.plain
    [about] = await chat.press(cora, "No limit", places)
    [preview] = await chat.press(cora, "Skip", about)
    assert "90 minutes" in preview.plain and "Rutland" in preview.plain
    [gone] = await chat.press(cora, "Discard", preview)
    assert "Nothing was published" in gone.plain
    async with sessions() as session:
        assert list(await session.scalars(select(Event))) == []


async def test_residents_cannot_use_coordinator_commands_or_buttons(chat, sessions):
    async with sessions.begin() as session:
        event = await create_event(session, "Litter Pick", local("2026-11-28 10:00"), zone="Leicester West")
    ann = chat.telegram.user("Ann")
    for command in ("/newevent", "/myevents"):
        [refused] = await chat.say(ann, command)
        assert "coordinators only" in refused.plain
    [menu] = await chat.say(ann, "hi")
    for data in (
        EventAction("confirm", event.id).data,
        ManageEvent(event.id).data,
        CallOffDate(event.id, int(local("2026-11-28 10:00").timestamp() // 60)).data,
    ):
        [refused] = await chat.act(ann, ann.press_data(data, menu))
        assert "coordinators only" in refused.plain
    [stale] = await chat.act(ann, ann.press_data(NewEventStep("publish").data, menu))
    assert "old message" in stale.plain
    async with sessions() as session:
        assert (await session.get(Event, event.id)).status == "scheduled"


async def rsvp_to_next(chat, user, title):
    [listing] = await chat.say(user, "/whatson")
    [details] = await chat.press(user, f"1 · {title}", listing)
    await chat.press(user, "✅ I'm going", details)


async def manage(chat, cora, title):
    [mine] = await chat.say(cora, "/myevents")
    label = next(label for row in mine.buttons for label, _ in row if label.startswith(title))
    [card] = await chat.press(cora, label, mine)
    return card


async def test_moving_an_event_tells_people_going_once_and_moves_their_reminders(chat, sessions):
    async with sessions.begin() as session:
        await create_event(
            session, "Coffee Morning", local("2026-11-28 10:00"), venue="Hall", zone="Leicester West"
        )
    ann, cora = chat.telegram.user("Ann"), chat.telegram.user("Cora", user_id=CORA)
    await rsvp_to_next(chat, ann, "Coffee Morning")
    card = await manage(chat, cora, "Coffee Morning")
    assert "Going next time: 1" in card.plain
    [prompt] = await chat.press(cora, "🕒 Change time", card)
    assert "new day and time" in prompt.plain
    [saved] = await chat.say(cora, "Sat 28 Nov 11:00")
    assert "I've told 1 person who said they were going" in saved.plain
    mark = chat.telegram.mark()
    assert (await send_due_notices(chat.app)).sent == 1
    assert (await send_due_notices(chat.app)).sent == 0  # told once
    [notice] = chat.telegram.bot_messages_since(ann, mark)
    assert "It's now Sat 28 Nov, 11:00" in notice.plain and "it was Sat 28 Nov, 10:00" in notice.plain
    async with sessions() as session:
        pending = sorted(
            r.due_at for r in await session.scalars(select(Reminder).where(Reminder.status == "pending"))
        )
        [booking] = await session.scalars(select(Rsvp))
    assert booking.occurrence_start == local("2026-11-28 11:00")
    assert pending == [local("2026-11-27 11:00"), local("2026-11-28 09:00")]
    # the notice's own button: not going after all cancels the moved reminders too
    [okay] = await chat.press(ann, "Not going after all", notice)
    assert "not going after all" in okay.plain
    async with sessions() as session:
        assert not list(await session.scalars(select(Reminder).where(Reminder.status == "pending")))


async def test_changing_the_place_tells_people_and_renaming_does_not(chat, sessions):
    async with sessions.begin() as session:
        await create_event(
            session, "Repair Café", local("2026-11-28 10:00"), venue="Hall", zone="Leicester West"
        )
    ann, cora = chat.telegram.user("Ann"), chat.telegram.user("Cora", user_id=CORA)
    await rsvp_to_next(chat, ann, "Repair Café")
    card = await manage(chat, cora, "Repair Café")
    await chat.press(cora, "✏️ Rename", card)
    [renamed] = await chat.say(cora, "Repair Café and Swap Shop")
    assert "I've told 0 people who said they were going" in renamed.plain
    card = await manage(chat, cora, "Repair Café and Swap Shop")
    await chat.press(cora, "📍 Change place", card)
    await chat.say(cora, "Fosse Library, Mantle Road, LE3 5HG")
    mark = chat.telegram.mark()
    assert (await send_due_notices(chat.app)).sent == 1
    [notice] = chat.telegram.bot_messages_since(ann, mark)
    assert "Fosse Library" in notice.plain and "Hall" in notice.plain


async def test_cancelling_tells_everyone_going_and_cancels_their_reminders(chat, sessions):
    async with sessions.begin() as session:
        await create_event(session, "Litter Pick", local("2026-11-28 10:00"), zone="Leicester West")
    ann, bob = chat.telegram.user("Ann"), chat.telegram.user("Bob")
    cora = chat.telegram.user("Cora", user_id=CORA)
    for user in (ann, bob):
        await rsvp_to_next(chat, user, "Litter Pick")
    card = await manage(chat, cora, "Litter Pick")
    [confirm] = await chat.press(cora, "❌ Cancel the event", card)
    [done] = await chat.press(cora, "Yes, cancel it and tell people", confirm)
    assert "telling 2 people who said they were going" in done.plain
    [again] = await chat.press(cora, "Yes, cancel it and tell people", confirm)  # a double tap
    assert "isn't on any more" in again.plain
    mark = chat.telegram.mark()
    assert (await send_due_notices(chat.app)).sent == 2
    for user in (ann, bob):
        [notice] = chat.telegram.bot_messages_since(user, mark)
        assert "Litter Pick on Sat 28 Nov, 10:00 is cancelled" in notice.plain
    chat.clock.now = local("2026-11-27 10:00")  # the day-before reminder's time
    assert (await send_due_notices(chat.app)).sent == 0
    [listing] = await chat.say(ann, "/whatson")
    assert "Litter Pick" not in listing.plain


async def test_calling_off_one_date_of_a_repeating_event(chat, sessions):
    async with sessions.begin() as session:
        await create_event(
            session, "Youth Club", local("2026-11-27 18:00"), zone="Leicester West", freq="WEEKLY"
        )
    ann, cora = chat.telegram.user("Ann"), chat.telegram.user("Cora", user_id=CORA)
    await rsvp_to_next(chat, ann, "Youth Club")
    card = await manage(chat, cora, "Youth Club")
    [dates] = await chat.press(cora, "🚫 Call off one date", card)
    [done] = await chat.press(cora, "Fri 27 Nov, 18:00", dates)
    assert "Fri 27 Nov, 18:00 is off" in done.plain and "telling 1 person who said" in done.plain
    mark = chat.telegram.mark()
    assert (await send_due_notices(chat.app)).sent == 1
    [notice] = chat.telegram.bot_messages_since(ann, mark)
    assert "cancelled" in notice.plain
    card = await manage(chat, cora, "Youth Club")
    assert "Next: Fri 04 Dec, 18:00" in card.plain  # the series goes on


async def test_the_poster_qr_code_is_a_png_of_the_deep_link(chat, sessions):
    async with sessions.begin() as session:
        event = await create_event(
            session, "Coffee Morning", local("2026-11-28 10:00"), zone="Leicester West"
        )
    cora = chat.telegram.user("Cora", user_id=CORA)
    card = await manage(chat, cora, "Coffee Morning")
    [photo] = await chat.press(cora, "🔳 Poster QR code", card)
    link = f"https://t.me/{chat.app.bot.username}?start=ev{event.id}"
    assert link in photo.caption
    sent = photo.file.data
    assert sent.startswith(b"\x89PNG") and sent == poster_code(link)


async def test_new_event_alerts_reach_residents_who_opted_in_for_that_area(chat, sessions):
    ann, bob, cat = chat.telegram.user("Ann"), chat.telegram.user("Bob"), chat.telegram.user("Cat")
    cora = chat.telegram.user("Cora", user_id=CORA)
    [listing] = await chat.say(cat, "/whatson")
    [need_area] = await chat.press(cat, "🔔 Tell me about new events near me", listing)
    assert "area first" in need_area.plain
    for user, area in ((ann, "LE3"), (bob, "LE4")):
        await chat.say(user, "/area")
        await chat.say(user, area)
        [listing] = await chat.say(user, "/whatson")
        [on] = await chat.press(user, "🔔 Tell me about new events near me", listing)
        assert "I'll tell you" in on.plain
    preview = await publish_youth_club(chat, cora)  # in Leicester West (LE3)
    [published] = await chat.press(cora, "✅ Publish", preview)
    assert "told 1 resident" in published.plain
    mark = chat.telegram.mark()
    assert (await send_due_notices(chat.app)).sent == 1
    [alert] = chat.telegram.bot_messages_since(ann, mark)
    assert "New near you: Friday Youth Club" in alert.plain
    assert chat.telegram.bot_messages_since(bob, mark) == []
    [details] = await chat.press(ann, "Details", alert)
    assert "For 11 to 16 year olds" in details.plain
    [off] = await chat.press(ann, "Stop new-event alerts", alert)
    assert "no more" in off.plain


async def test_whats_on_by_interest(chat, sessions):
    async with sessions.begin() as session:
        await create_event(session, "Coffee Morning for carers", local("2026-11-28 10:00"))
        await create_event(session, "Job club: CV help and interview practice", local("2026-11-28 14:00"))
    ann = chat.telegram.user("Ann")
    [listing] = await chat.say(ann, "/whatson")
    assert "Coffee Morning" in listing.plain and "Job club" in listing.plain
    [groups] = await chat.press(ann, "🔎 What's on, by interest", listing)
    work = next(label for row in groups.buttons for label, _ in row if "work" in label.lower())
    [narrowed] = await chat.press(ann, work, groups)
    assert "Job club" in narrowed.plain and "Coffee Morning" not in narrowed.plain


async def test_cancel_leaves_a_half_answered_new_event_behind(chat, sessions):
    cora = chat.telegram.user("Cora", user_id=CORA)
    await chat.say(cora, "/newevent")
    await chat.say(cora, "Coffee Morning")
    [stopped] = await chat.say(cora, "/cancel")
    assert "Nothing from that was saved" in stopped.plain
    replies = await chat.say(cora, "food bank")  # a search again, not an answer to "when?"
    assert "Sorry" not in replies[0].plain and "day and time" not in replies[0].plain
    [nothing] = await chat.say(cora, "/cancel")
    assert "nothing to stop" in nothing.plain
    async with sessions() as session:
        assert list(await session.scalars(select(Event))) == []


async def test_an_event_placed_at_a_directory_asset_by_its_name(chat, sessions):
    cora = chat.telegram.user("Cora", user_id=CORA)
    await chat.say(cora, "/newevent")
    await chat.say(cora, "Winter warm space")
    [length] = await chat.say(cora, "Sat 28 Nov 10:00")
    [repeat] = await chat.press(cora, "3 hours", length)
    await chat.press(cora, "No, just once", repeat)
    [places] = await chat.say(cora, "oakham food bank")
    [about] = await chat.press(cora, "No limit", places)
    [preview] = await chat.press(cora, "Skip", about)
    assert "Oakham Food Bank, Church Street (Rutland)" in preview.plain
    await chat.press(cora, "✅ Publish", preview)
    async with sessions() as session:
        [event] = await session.scalars(select(Event))
    assert event.asset_id is not None and event.postcode == "LE15 6AA"


async def test_a_new_question_closes_the_one_left_half_answered(chat, sessions):
    cora = chat.telegram.user("Cora", user_id=CORA)
    await chat.say(cora, "/newevent")
    [when] = await chat.say(cora, "Coffee Morning")
    assert "When does it start" in when.plain
    await chat.say(cora, "/broadcast")  # changed her mind, without /cancel
    [who] = await chat.say(cora, "The hall is closed on Friday.")
    assert "Who is it for" in who.plain  # the broadcast got the text, not the event's "when?"


async def test_a_coordinator_puts_events_only_in_her_own_zones(chat, sessions):
    """The buttons meet the same rule as an uploaded file: a Rutland coordinator's event goes in
    Rutland; a place in another zone is refused with the reason, and the question waits."""
    from db.models import Resident, Role

    rita = chat.telegram.user("Rita", user_id=9102)
    async with sessions.begin() as session:
        resident = Resident(telegram_user_id=9102)
        session.add(resident)
        await session.flush()
        session.add(Role(resident_id=resident.id, role="coordinator", zone="Rutland"))
    await chat.say(rita, "/newevent")
    await chat.say(rita, "Seed Swap")
    [length] = await chat.say(rita, "Sat 28 Nov 10:00")
    [repeat] = await chat.press(rita, "2 hours", length)
    await chat.press(rita, "No, just once", repeat)
    [refused] = await chat.say(rita, "Braunstone Library, LE3 1JJ")
    assert "Leicester West" in refused.plain and "isn't one of your zones (Rutland)" in refused.plain
    [places] = await chat.say(rita, "Oakham Library, LE15 6DT")
    assert "How many places" in places.plain
