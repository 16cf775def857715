"""Privacy end to end through the Bot API emulation: the notice, a copy of everything (/mydata),
erasing it all (/forget) table by table, the quick exit, retention, and logs that hold nothing
personal."""

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, inspect, select

from bot.cli import main
from bot.clock import system_clock
from bot.config import ConfigError, Settings, default_zones, load_settings
from bot.handlers import privacy as privacy_handlers
from bot.handlers.privacy import run_retention
from bot.senders.announcements import send_due_deliveries
from bot.senders.notices import send_due_notices
from bot.services.events import create_event
from bot.services.privacy import owned
from db.models import (
    Asset,
    AssetReport,
    Base,
    Broadcast,
    ConversationState,
    Delivery,
    Event,
    Introduction,
    Need,
    Offer,
    Opportunity,
    OpportunityInterest,
    OutgoingMessage,
    Reminder,
    Resident,
    Role,
    Rsvp,
    Volunteer,
    personal_columns,
)
from db.session import make_engine, make_sessionmaker
from tests.conversation import close_conversation, open_conversation
from tests.test_volunteering import approved_driver

LONDON = ZoneInfo("Europe/London")
ADMIN_ID = 4242  # the coordinator approved_driver() uses
ANN = 7300111222  # ids nothing else in a log would contain by chance
VIC = 7300333444
TOKEN = "123456:TEST"


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(ADMIN_ID,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


def buttons(message) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


def personal_tables() -> set[str]:
    """Every table that says how its rows reach a resident, found here independently."""
    return {
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__personal_owner__", None)
    }


async def my_data(chat, user) -> dict:
    replies = await chat.say(user, "/mydata")
    [sent] = [r for r in replies if r.kind == "document"]
    assert sent.filename == "my-data.json" and sent.mime_type == "application/json"
    assert "everything I hold about you" in sent.caption
    text = sent.document.decode("utf-8")
    assert text.startswith('{\n  "about"')  # pretty-printed, the explanation first
    return json.loads(text)


async def forget(chat, user):
    """/forget, then "Yes, delete everything": the question and the bot's last reply."""
    [question] = await chat.say(user, "/forget")
    assert buttons(question) == ["Yes, delete everything", "Keep it"]
    *_, done = await chat.press(user, "Yes, delete everything", question)
    return question, done


def messages(chat, user) -> dict:
    """The chat as Telegram keeps it, deleted messages flagged, by message id."""
    return {message.message_id: message for message in chat.telegram.transcript(user)}


async def count(sessions, model, *where) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def resident(sessions, telegram_id: int) -> Resident | None:
    async with sessions() as session:
        return await session.scalar(select(Resident).where(Resident.telegram_user_id == telegram_id))


# ----- the notice -------------------------------------------------------------------------------


async def test_the_notice_is_reachable_from_start_and_says_what_how_long_and_who(sessions, database_url):
    settings = Settings(
        database_url=database_url, zones=default_zones(), retention_days_inactive_resident=365,
        retention_days_sent_messages=30,
    )  # fmt: skip
    chat = await open_conversation(sessions, database_url, settings=settings)
    try:
        ann = chat.telegram.user("Ann")
        [welcome, _menu] = await chat.say(ann, "/start")
        [notice] = await chat.press(ann, "🔒 What I keep about you", welcome)
        text = notice.plain
        said = ("like LE4", "Never your full postcode", "Events you say you're going to", "DBS check",
                "Messages I pass on between you are not kept", "only a count", "Not your words")  # fmt: skip
        for kept in said:
            assert kept in text, kept
        assert "After 30 days, the words go" in text  # the default for need texts
        assert "don't use me for a year" in text and "cleared after 30 days" in text  # these settings
        assert "your last few searches" in text and "It goes 7 days after your last message" in text
        assert "Who sees it" in text and "never sell" in text
        assert buttons(notice) == ["📄 Send me a copy", "🗑 Delete it all"]
        [again] = await chat.say(ann, "/privacy")
        assert again.plain == text
        assert await count(sessions, Resident) == 0  # reading it keeps nothing
    finally:
        await close_conversation(chat)


# ----- a copy of everything -------------------------------------------------------------------


async def test_someone_the_bot_knows_nothing_about_gets_no_file(chat, sessions):
    ann = chat.telegram.user("Ann", user_id=ANN)
    [reply] = await chat.say(ann, "/mydata")
    assert reply.kind == "text" and "I don't hold anything about you" in reply.plain
    [reply] = await chat.say(ann, "/forget")
    assert "I don't have anything saved about you" in reply.plain and not reply.buttons
    assert await count(sessions, Resident) == 0  # asking creates nothing


async def test_my_data_is_readable_and_holds_only_the_district(chat, sessions):
    ann = chat.telegram.user("Ann", user_id=ANN)
    async with sessions.begin() as session:
        await create_event(session, "Friday Youth Club", datetime(2026, 11, 27, 18, tzinfo=UTC), venue="Hall")
    await chat.say(ann, "/area")
    await chat.say(ann, "LE1 6AA")
    [listing] = await chat.say(ann, "/whatson")
    [details] = await chat.press(ann, "1 · Friday Youth Club", listing)
    await chat.press(ann, "✅ I'm going", details)
    document = await my_data(chat, ann)
    assert "Everything People Zones Connect held about you on 2026-11-26 10:30" in document["about"]
    parts = document["data"]
    assert set(parts) == {"residents", "rsvps", "reminders"}
    [me] = parts["residents"]["records"]
    assert parts["residents"]["what"] == "About you"
    assert me["telegram user id"] == ANN and me["postcode district"] == "LE1"
    assert me["zone"] == "Leicester City Centre" and me["last seen at"] == "2026-11-26 10:30+00:00"
    [going] = parts["rsvps"]["records"]
    assert going["event"] == "Friday Youth Club" and going["status"] == "going"  # the id is named
    assert len(parts["reminders"]["records"]) == 2
    assert "6AA" not in json.dumps(document)  # the full postcode was never kept


async def test_every_table_that_belongs_to_a_person_is_exported_and_erased(chat, sessions):
    """A person with a row in every such table: /mydata holds all of them, /forget leaves none of
    them tied to the person, on whichever database the suite runs on."""
    ann = chat.telegram.user("Ann", user_id=ANN)
    vic = chat.telegram.user("Vic", user_id=VIC)
    now = chat.clock()
    async with sessions.begin() as session:
        me = Resident(
            telegram_user_id=ANN, postcode_district="LE4", zone="Leicester North", interests=["Food"]
        )
        helper = Resident(telegram_user_id=VIC, postcode_district="LE3")
        session.add_all([me, helper])
        await session.flush()
        event = await create_event(session, "Coffee Morning", now + timedelta(days=2), created_by=me.id)
        rsvp = Rsvp(event_id=event.id, resident_id=me.id, occurrence_start=event.starts_at)
        mine = Volunteer(
            resident_id=me.id, status="approved", availability=["weekends"], zones=["Leicester North"]
        )
        theirs = Volunteer(resident_id=helper.id, status="approved", contact_preference="bot")
        news = Broadcast(author_id=me.id, text="Bin day moves to Wednesday", status="done")
        need_help = Opportunity(text="Food bank needs Saturday drivers", created_by=me.id)
        session.add_all([rsvp, mine, theirs, news, need_help, Role(resident_id=me.id, role="coordinator",
                                                                   zone="Leicester North")])  # fmt: skip
        await session.flush()
        my_offer = Offer(volunteer_id=mine.id, text="I can fix bikes", skills=["bikes"])
        their_offer = Offer(volunteer_id=theirs.id, text="I can give lifts", skills=["lifts"])
        need = Need(resident_id=me.id, text="a lift to my hospital appointment", zone="Leicester North")
        asset = await session.scalar(select(Asset).limit(1))
        session.add_all([my_offer, their_offer, need])
        session.add_all([
            Reminder(resident_id=me.id, rsvp_id=None, event_id=event.id, due_at=now, kind="new-event"),
            Delivery(broadcast_id=news.id, resident_id=me.id, status="sent", sent_at=now),
            AssetReport(asset_id=asset.id, resident_id=me.id, text="it has moved to the high street"),
            OpportunityInterest(opportunity_id=need_help.id, volunteer_id=mine.id),
            # waiting to go out: one for Ann, and one carrying her words to Vic
            OutgoingMessage(chat_id=ANN, kind="decision", text="Good news: you're approved"),
            OutgoingMessage(chat_id=VIC, written_by=ANN, kind="asset-report", text="moved to the high st"),
            ConversationState(telegram_user_id=ANN, data={"awaiting_area": True}, handled=[]),
        ])  # fmt: skip
        await session.flush()
        session.add(Introduction(need_id=need.id, offer_id=their_offer.id, status="accepted",
                                 resident_feedback="worked", volunteer_feedback="did not work"))  # fmt: skip
        resident_id = me.id

    document = await my_data(chat, ann)
    parts = document["data"]
    assert set(parts) == personal_tables()  # every one, found from the models, none forgotten
    for table, columns in personal_columns().items():
        fields = set(parts[table]["records"][0])
        for column in columns:
            if column in ("volunteer_feedback", "written_by"):  # the other side's part of a shared row
                assert column.replace("_", " ") not in fields
            else:
                assert column.replace("_", " ") in fields, (table, column)
    [introduction] = parts["introductions"]["records"]
    assert introduction["resident feedback"] == "worked"
    assert document["coordinator work"]["counts"] == {
        "events (created by)": 1,
        "broadcasts (author id)": 1,
        "opportunities (created by)": 1,
    }
    # the volunteer's copy has their side of the introduction, not Ann's
    [theirs] = (await my_data(chat, vic))["data"]["introductions"]["records"]
    assert theirs["volunteer feedback"] == "did not work" and "resident feedback" not in theirs
    assert "resident contact" not in theirs
    # a message carrying Ann's words is in both copies, each without the other's Telegram id
    mine, carried = parts["outgoing_messages"]["records"]
    assert mine["text"] == "Good news: you're approved" and carried["text"] == "moved to the high st"
    assert "chat id" not in carried and carried["written by"] == ANN
    [to_vic] = (await my_data(chat, vic))["data"]["outgoing_messages"]["records"]
    assert to_vic["chat id"] == VIC and "written by" not in to_vic

    mark = chat.telegram.mark()
    _, done = await forget(chat, ann)
    assert "deleted" in done.plain
    [told] = chat.telegram.bot_messages_since(vic, mark)  # the other side, without details
    assert "One of your introductions has ended" in told.plain and "lift" not in told.plain
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:  # table by table: nothing still points at Ann
            if table.name in personal_tables():
                left = await session.scalar(
                    select(func.count()).select_from(table).where(owned(table, resident_id))
                )
                assert left == 0, table.name
        # what stays is anonymous: the need (for gap reports) and the report (for coordinators)
        [kept_need] = await session.scalars(select(Need))
        assert (kept_need.resident_id, kept_need.text, kept_need.zone) == (None, "", "Leicester North")
        [report] = await session.scalars(select(AssetReport))
        assert (report.resident_id, report.text) == (None, "")
        # coordinators' work stays, no longer saying who did it
        assert (await session.scalar(select(Event))).created_by is None
        assert (await session.scalar(select(Broadcast))).author_id is None
        assert (await session.scalar(select(Opportunity))).created_by is None
        # and nobody else lost anything
        assert await session.scalar(select(func.count()).select_from(Volunteer)) == 1
        assert [o.text for o in await session.scalars(select(Offer))] == ["I can give lifts"]
        assert await session.scalar(select(func.count()).select_from(Resident)) == 1


async def test_the_database_keys_say_what_the_models_say(database_url):
    """Erasure reads CASCADE / SET NULL from the models; the migrated database (SQLite or
    PostgreSQL) must agree, so a resident's row can always go once their rows are dealt with."""
    engine = make_engine(database_url)
    async with engine.connect() as conn:
        reflected = await conn.run_sync(
            lambda sync: {
                (table, tuple(key["constrained_columns"])): (key["options"].get("ondelete") or "").upper()
                for table in inspect(sync).get_table_names()
                for key in inspect(sync).get_foreign_keys(table)
                if key["referred_table"] == "residents"
            }
        )
    await engine.dispose()
    modelled = {
        (table.name, (key.parent.name,)): (key.ondelete or "").upper()
        for table in Base.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table.name == "residents"
    }
    assert reflected == modelled and set(modelled.values()) == {"CASCADE", "SET NULL"}


# ----- forgetting -------------------------------------------------------------------------------


async def test_forget_asks_first_keep_it_changes_nothing_and_yes_twice_is_harmless(chat, sessions):
    ann = chat.telegram.user("Ann", user_id=ANN)
    await chat.say(ann, "/area")
    await chat.say(ann, "LE4")
    [question] = await chat.say(ann, "/forget")
    assert "Delete everything I hold about you?" in question.plain
    *_, kept = await chat.press(ann, "Keep it", question)
    assert "haven't deleted anything" in kept.plain
    assert not messages(chat, ann)[question.message_id].buttons  # answered: its buttons are gone
    assert (await resident(sessions, ANN)).postcode_district == "LE4"

    await chat.say(ann, "/volunteer")  # half-way through something when they ask
    [question] = await chat.say(ann, "/forget")
    data = question.button("Yes, delete everything")[1]
    *_, done = await chat.press(ann, "Yes, delete everything", question)
    assert "I've deleted what I had saved about you" in done.plain
    assert await resident(sessions, ANN) is None
    *_, again = await chat.act(ann, ann.press_data(data, question))  # pressed twice, or a stale copy
    assert "I don't have anything saved about you" in again.plain
    [reply] = await chat.say(ann, "food bank")  # the /volunteer question was let go of too
    assert reply.plain.startswith("Here's what I found for food bank")
    assert await resident(sessions, ANN) is None


async def test_an_old_confirm_button_deletes_nothing(chat, sessions):
    ann = chat.telegram.user("Ann", user_id=ANN)
    await chat.say(ann, "/area")
    await chat.say(ann, "LE4")
    [question] = await chat.say(ann, "/forget")
    chat.clock.advance(hours=2)
    *_, old = await chat.press(ann, "Yes, delete everything", question)
    assert "too old" in old.plain
    assert await resident(sessions, ANN) is not None
    *_, forged = await chat.act(ann, ann.press_data("pv:yes", question))
    assert "too old" in forged.plain and await resident(sessions, ANN) is not None


async def introduced(chat, sessions):
    """Ann asked for a lift through the bot only, and Vic, an approved driver, said yes."""
    vic = await approved_driver(chat, sessions)
    ann = chat.telegram.user("Ann", user_id=ANN)
    await chat.say(ann, "i need a lift to my hospital appointment")
    await chat.press(ann, "🙋 Ask a volunteer")
    mark = chat.telegram.mark()
    await chat.press(ann, "Through this bot only")
    [request] = chat.telegram.bot_messages_since(vic, mark)
    mark = chat.telegram.mark()
    await chat.press(vic, "Yes, I can help", request)
    accepted = chat.telegram.bot_messages_since(ann, mark)[0]
    return ann, vic, request, accepted


async def test_a_volunteer_who_forgets_ends_their_introductions_and_is_matched_no_more(chat, sessions):
    ann, vic, _request, accepted = await introduced(chat, sessions)
    mark = chat.telegram.mark()
    await forget(chat, vic)
    [told] = chat.telegram.bot_messages_since(ann, mark)
    assert "One of your introductions has ended" in told.plain
    [stale] = await chat.press(ann, "✉️ Send a message", accepted)
    assert "old message" in stale.plain
    assert await count(sessions, Volunteer) == 0 and await count(sessions, Offer) == 0
    assert await count(sessions, Introduction) == 0
    async with sessions() as session:
        [need] = await session.scalars(select(Need).where(Need.resident_id.is_not(None)))
    assert need.text == "i need a lift to my hospital appointment"  # Ann's own need: hers, untouched
    replies = await chat.say(ann, "i need a lift to the doctors")
    assert not any("Local volunteers may be able to help" in r.plain for r in replies)


# ----- quick exit -------------------------------------------------------------------------------


async def test_quick_exit_after_a_safety_message_clears_the_chat_and_the_question(chat, sessions):
    ann = chat.telegram.user("Ann", user_id=ANN)
    [welcome, _] = await chat.say(ann, "/start")
    await chat.say(ann, "/area")  # the bot is waiting for an area
    replies = await chat.say(ann, "my partner hits me and I'm scared")
    emergency = replies[0]
    assert emergency.plain.startswith("You don't deserve this") and "🚪 Quick exit" in buttons(emergency)
    chat.telegram.faults.fail_next("deleteMessage", "server_error", chat=ann)  # one deletion fails
    [cleared] = await chat.press(ann, "🚪 Quick exit", emergency)
    assert cleared.plain == "Cleared." and not cleared.buttons
    transcript = chat.telegram.transcript(ann)
    assert transcript[transcript.index(emergency) - 1].text == "my partner hits me and I'm scared"
    from_her_words = [m for m in transcript if m.message_id >= emergency.message_id - 1]
    survivors = [m for m in from_her_words if not m.deleted and m.message_id != cleared.message_id]
    assert len(survivors) == 1  # the one Telegram failed to delete; the rest went anyway
    assert sum(m.deleted for m in from_her_words) == len(from_her_words) - 2
    assert not messages(chat, ann)[welcome.message_id].deleted  # before her words: untouched
    [reply] = await chat.say(ann, "LE4")  # the area question was let go of
    assert "I'll remember" not in reply.plain
    assert await resident(sessions, ANN) is None


async def test_quick_exit_in_the_introductions_relay(chat, sessions):
    ann, vic, request, accepted = await introduced(chat, sessions)
    [prompt] = await chat.press(ann, "✉️ Send a message", accepted)
    assert "🚪 Quick exit" in buttons(prompt)
    mark = chat.telegram.mark()
    [passed] = await chat.say(ann, "please come at 2, use the back door")
    assert "passed that on" in passed.plain and "🚪 Quick exit" in buttons(passed)
    [relayed] = chat.telegram.bot_messages_since(vic, mark)
    assert buttons(relayed) == ["✉️ Reply", "🚪 Quick exit"]
    [cleared] = await chat.press(vic, "🚪 Quick exit", relayed)
    assert cleared.plain == "Cleared."
    vics = messages(chat, vic)
    assert vics[relayed.message_id].deleted and not vics[request.message_id].deleted
    assert not any(m.deleted for m in chat.telegram.transcript(ann))  # only the one who pressed
    # pressed while the bot waits for a message to pass on: nothing typed afterwards is passed on
    [prompt] = await chat.press(ann, "✉️ Send a message", accepted)
    await chat.press(ann, "🚪 Quick exit", prompt)
    mark = chat.telegram.mark()
    await chat.say(ann, "food bank")
    assert chat.telegram.bot_messages_since(vic, mark) == []


# ----- retention --------------------------------------------------------------------------------


async def test_residents_are_seen_once_a_day_and_erased_after_two_years_away(chat, sessions):
    ann = chat.telegram.user("Ann", user_id=ANN)
    bob = chat.telegram.user("Bob")
    for person in (ann, bob):
        await chat.say(person, "/area")
        await chat.say(person, "LE4")
    start = chat.clock()
    assert (await resident(sessions, ANN)).last_seen_at == start  # seen by the update that saved her
    chat.clock.advance(hours=3)
    await chat.say(ann, "food bank")
    assert (await resident(sessions, ANN)).last_seen_at == start  # once a day at most
    chat.clock.advance(days=400)
    await chat.say(bob, "food bank")
    assert (await resident(sessions, bob.id)).last_seen_at == chat.clock()
    chat.clock.now = start + timedelta(days=730, hours=4)
    await run_retention(chat.app)  # what the daily job runs
    assert await resident(sessions, ANN) is None
    assert await resident(sessions, bob.id) is not None
    assert any(job.callback is privacy_handlers.retention_job for job in chat.app.job_queue.jobs())


async def test_old_need_texts_are_blanked_and_old_sent_messages_deleted(chat, sessions):
    async with sessions.begin() as session:
        await create_event(session, "Friday Youth Club", datetime(2026, 11, 27, 18, tzinfo=UTC), venue="Hall")
    ann = chat.telegram.user("Ann", user_id=ANN)
    await chat.say(ann, "scuba diving lessons")  # nothing fits: the words are kept for 30 days
    await chat.say(ann, "/area")
    await chat.say(ann, "LE4")
    [listing] = await chat.say(ann, "/whatson")
    [details] = await chat.press(ann, "1 · Friday Youth Club", listing)
    await chat.press(ann, "✅ I'm going", details)
    chat.clock.now = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert (await send_due_notices(chat.app)).sent == 2
    [panel] = await chat.say(ann, "/settings")
    await chat.press(ann, "📣 Send me local news", panel)
    cora = chat.telegram.user("Cora", user_id=ADMIN_ID)
    await chat.say(cora, "/broadcast")
    [who] = await chat.say(cora, "Bin collections move to Wednesday next week.")
    [zones] = await chat.press(cora, "Everyone who asked for local news", who)
    [_, confirm] = await chat.press(cora, "Leicester North", zones)
    await chat.press(cora, "📣 Send it", confirm)
    assert (await send_due_deliveries(chat.app)).sent == 1

    chat.clock.advance(days=89)
    await chat.say(ann, "hello")  # still about
    await run_retention(chat.app)
    assert await count(sessions, Reminder) == 2 and await count(sessions, Delivery) == 1  # not yet
    chat.clock.advance(days=2)
    await chat.say(ann, "gardening club")
    await run_retention(chat.app)
    assert await count(sessions, Reminder) == 0 and await count(sessions, Delivery) == 0
    assert await count(sessions, Rsvp) == 1  # only what was sent goes
    async with sessions() as session:
        assert "scuba diving lessons" not in [n.text for n in await session.scalars(select(Need))]  # 30 days
    chat.clock.advance(days=300)  # the gardening club need is old now too
    await chat.say(ann, "zorbing near me")
    needs = await count(sessions, Need)
    await run_retention(chat.app)
    assert await count(sessions, Need) == needs  # the counts stay ...
    async with sessions() as session:
        texts = [n.text for n in await session.scalars(select(Need).order_by(Need.id))]
    assert texts[0] == "" and texts[-1] == "zorbing near me"  # ... the old words go
    assert await resident(sessions, ANN) is not None


def test_retention_settings_are_read_and_checked(tmp_path):
    path = tmp_path / "peoplezones.toml"
    path.write_text("retention_days_inactive_resident = 400\n")
    settings = load_settings(path, env={})
    assert (settings.retention_days_inactive_resident, settings.retention_days_unmet_need_text) == (400, 30)
    path.write_text("retention_days_sent_messages = 0\n")
    with pytest.raises(ConfigError, match="'retention_days_sent_messages' must be a whole number of days"):
        load_settings(path, env={})


def test_the_retention_command_prints_what_it_did(cli_env, capsys):
    assert main(["db", "upgrade"]) == 0

    async def seed() -> None:
        engine = make_engine(cli_env, system_clock)
        async with make_sessionmaker(engine).begin() as session:
            long_ago = system_clock() - timedelta(days=800)
            session.add(Need(text="a very old request", created_at=long_ago))
            session.add(Resident(telegram_user_id=ANN, created_at=long_ago, last_seen_at=long_ago))
            session.add(Resident(telegram_user_id=VIC))
            session.add(
                ConversationState(telegram_user_id=555, data={"a": 1}, handled=[], updated_at=long_ago)
            )
            session.add(ConversationState(telegram_user_id=VIC, data={"b": 2}, handled=[]))
        await engine.dispose()

    asyncio.run(seed())
    capsys.readouterr()
    assert main(["privacy", "retention"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == (
        "retention: 1 need text and 0 report texts blanked, 1 inactive resident erased, 0 reminders, "
        "0 deliveries, 0 other messages and 1 conversation deleted"
    )
    assert main(["privacy", "retention"]) == 0
    out = capsys.readouterr().out
    assert "retention: 0 need texts and 0 report texts blanked, 0 inactive residents erased" in out


# ----- logs -------------------------------------------------------------------------------------


async def test_logs_hold_no_words_postcode_ids_or_token(chat, sessions, caplog):
    caplog.set_level(logging.DEBUG)
    ann = chat.telegram.user("Ann", user_id=ANN)
    await chat.say(ann, "/start")
    await chat.say(ann, "/area")
    await chat.say(ann, "LE1 6AA")
    await chat.say(ann, "zephyrine quokka allotments")  # nothing fits: recorded as unmet
    await chat.say(ann, "/volunteer")
    await chat.say(ann, "I can teach xylophone and marimba")
    chat.telegram.faults.fail_next("sendMessage", "server_error", chat=ann)
    replies = await chat.say(ann, "quokka grooming near me")
    assert "something went wrong" in replies[-1].plain
    await my_data(chat, ann)
    await forget(chat, ann)
    logging.getLogger("httpx").warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
    assert "update failed: NetworkError" in caplog.text  # the logs were captured, error and all
    assert "[token]/getMe" in caplog.text  # a library that still logs the token has it redacted
    secrets = ("zephyrine", "quokka", "xylophone", "marimba", "LE1 6AA", "6AA", str(ANN), TOKEN)
    for record in caplog.records:
        seen = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for secret in secrets:
            assert secret not in seen, (secret, record.name, record.getMessage()[:200])
    for secret in secrets:
        assert secret not in caplog.text, secret


async def test_danger_typed_into_an_introduction_gets_help_and_still_reaches_the_volunteer(chat, sessions):
    ann, vic, _request, accepted = await introduced(chat, sessions)
    await chat.press(ann, "✉️ Send a message", accepted)
    mark = chat.telegram.mark()
    help_message, passed = await chat.say(ann, "he hits me so please come to the back door")
    assert "0808 2000 247" in help_message.plain and "passed that on" in passed.plain
    [relayed] = chat.telegram.bot_messages_since(vic, mark)
    assert "back door" in relayed.plain
