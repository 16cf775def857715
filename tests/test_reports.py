"""Coordinators' gap reports and numbers through the emulation: residents search over several days,
then /gaps gives a text, a PNG chart and a CSV, and /stats gives counts; a zone's coordinator sees
only that zone, residents are refused, and nothing anywhere names a person or repeats their words."""

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bot import messages as m
from bot.config import Settings, default_zones
from bot.handlers.reports import ReportPeriod
from bot.i18n.current import speaking
from bot.services.events import create_event
from bot.services.reports import count_search, gap_csv, gap_report, need_name
from db.models import (
    Broadcast,
    Delivery,
    Introduction,
    Need,
    Offer,
    Resident,
    Role,
    Rsvp,
    SearchTally,
    Volunteer,
)
from tests.conversation import THURSDAY_MORNING, close_conversation, open_conversation

LONDON = ZoneInfo("Europe/London")
CORA = 9001  # an admin in the config: every zone
ZOE = 9002  # a coordinator of Rutland only
VIC = 9003  # a volunteer
OLA = 9004  # an admin who reads the bot in Polish
SWIMMING, SWIMMING_GROUP = need_name("swimming")
CRAFTS, CRAFTS_GROUP = need_name("arts-crafts")
FOOD, FOOD_GROUP = need_name("food-banks")
UNKNOWN = "Not recognised as a need"
WORDS = ("swimming lessons", "alpaca", "for my nan", "knitting", "food bank in oakham")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def search(chat, sessions, user, *texts):
    """Search as USER at the fake clock's time. Unmet needs are written with the database's own
    timestamp (the real time), so they are moved to the fake time the search happened at."""
    async with sessions() as session:
        before = await session.scalar(select(func.max(Need.id))) or 0
    for text in texts:
        await chat.say(user, text)
    async with sessions.begin() as session:
        await session.execute(update(Need).where(Need.id > before).values(created_at=chat.clock.now))


async def set_area(chat, user, area):
    await chat.say(user, "/area")
    await chat.say(user, area)


async def joined(sessions, telegram_user_id, when):
    async with sessions.begin() as session:
        await session.execute(
            update(Resident).where(Resident.telegram_user_id == telegram_user_id).values(created_at=when)
        )


async def a_month_of_searches(chat, sessions):
    """Ann lives in Rutland, Bob in Leicester North, Cat saved no area. Six unmet in the last 30
    days, one answered, and one unmet 40 days ago."""
    ann, bob, cat = (chat.telegram.user(name) for name in ("Ann", "Bob", "Cat"))
    await set_area(chat, ann, "LE15")
    await set_area(chat, bob, "LE4")
    chat.clock.now = THURSDAY_MORNING - timedelta(days=40)
    await search(chat, sessions, ann, "dog walking")
    chat.clock.now = THURSDAY_MORNING - timedelta(days=10)
    await search(chat, sessions, ann, "swimming lessons", "alpaca grooming for my nan", "food bank in oakham")
    chat.clock.now = THURSDAY_MORNING - timedelta(days=3)
    await search(chat, sessions, ann, "swimming lessons", "hi")  # "hi" is not a search
    chat.clock.now = THURSDAY_MORNING - timedelta(days=2)
    await search(chat, sessions, bob, "swimming lessons", "knitting group")
    chat.clock.now = THURSDAY_MORNING
    await search(chat, sessions, cat, "knitting group")
    await joined(sessions, ann.id, THURSDAY_MORNING - timedelta(days=40))
    await joined(sessions, bob.id, THURSDAY_MORNING - timedelta(days=2))
    return ann, bob, cat


def csv_rows(document):
    assert document.file.data.startswith(b"\xef\xbb\xbf")  # the BOM, so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(document.file.data.decode("utf-8-sig"))))
    assert rows[0] == ["zone", "need", "group", "unmet", "language"]
    return {tuple(row) for row in rows[1:]}


async def test_gaps_sends_a_summary_a_chart_and_a_spreadsheet_of_unmet_needs(chat, sessions):
    ann, bob, cat = await a_month_of_searches(chat, sessions)
    cora = chat.telegram.user("Cora", user_id=CORA)
    [text, chart, sheet] = await chat.say(cora, "/gaps")
    assert "Unmet needs, 28 Oct 2026 – 26 Nov 2026" in text.plain and "All zones" in text.plain
    assert "6 searches found nothing" in text.plain
    assert f"1. {SWIMMING}: 3 (Rutland 2, Leicester North 1)" in text.plain
    assert f"2. {CRAFTS}: 2 (Leicester North 1, No area saved 1)" in text.plain
    assert f"3. {UNKNOWN}: 1 (Rutland 1)" in text.plain
    assert [label for row in text.buttons for label, _ in row] == ["7 days", "30 days", "90 days"]
    assert chart.file.data.startswith(b"\x89PNG")
    assert sheet.filename == "gaps-2026-10-28-to-2026-11-26.csv"
    assert csv_rows(sheet) == {
        ("Rutland", SWIMMING, SWIMMING_GROUP, "2", "English"),
        ("Leicester North", SWIMMING, SWIMMING_GROUP, "1", "English"),
        ("Leicester North", CRAFTS, CRAFTS_GROUP, "1", "English"),
        ("No area saved", CRAFTS, CRAFTS_GROUP, "1", "English"),
        ("Rutland", UNKNOWN, "", "1", "English"),
    }
    assert "By language" not in text.plain  # all English: nothing to say
    said = "\n".join([text.plain, chart.caption, sheet.caption, sheet.file.data.decode("utf-8-sig")])
    for words in WORDS:
        assert words not in said.lower()
    for user in (ann, bob, cat):
        assert str(user.id) not in said and user.name not in said


async def test_period_buttons_change_the_gap_report(chat, sessions):
    await a_month_of_searches(chat, sessions)
    cora = chat.telegram.user("Cora", user_id=CORA)
    [month, *_] = await chat.say(cora, "/gaps")
    [week, _, sheet] = await chat.press(cora, "7 days", month)
    assert "Unmet needs, 20 Nov 2026 – 26 Nov 2026" in week.plain
    assert "4 searches found nothing" in week.plain  # Ann's second swimming, Bob's two, Cat's one
    assert sheet.filename == "gaps-2026-11-20-to-2026-11-26.csv"
    [quarter, _, sheet] = await chat.press(cora, "90 days", week)
    assert "7 searches found nothing" in quarter.plain  # and the dog walking 40 days ago
    assert sheet.filename == "gaps-2026-08-29-to-2026-11-26.csv"
    chat.clock.now = THURSDAY_MORNING + timedelta(days=60)
    [empty] = await chat.press(cora, "7 days", quarter)
    assert "0 searches found nothing" in empty.plain and "Nothing to chart" in empty.plain


async def add_zone_coordinator(sessions):
    async with sessions.begin() as session:
        zoe = Resident(telegram_user_id=ZOE, created_at=THURSDAY_MORNING - timedelta(days=400))
        zoe.roles.append(Role(role="coordinator", zone="Rutland"))
        session.add(zoe)


async def test_a_zone_coordinator_sees_only_their_zone(chat, sessions):
    await a_month_of_searches(chat, sessions)
    await add_zone_coordinator(sessions)
    zoe = chat.telegram.user("Zoe", user_id=ZOE)
    [text, chart, sheet] = await chat.say(zoe, "/gaps")
    assert "Rutland" in text.plain and "All zones" not in text.plain
    assert "3 searches found nothing" in text.plain
    assert f"1. {SWIMMING}: 2 (Rutland 2)" in text.plain
    assert "Leicester North" not in text.plain and "No area saved" not in text.plain
    assert chart.file.data.startswith(b"\x89PNG")
    assert {row[0] for row in csv_rows(sheet)} == {"Rutland"}
    [numbers] = await chat.say(zoe, "/stats")
    assert "Searches: 4 (1 found something, 3 found nothing)" in numbers.plain
    assert f"Most searched for: {SWIMMING} 2, Food banks and free food 1" in numbers.plain


async def activity(chat, sessions, ann, bob):
    """An event in Rutland Ann is going to, two introductions and one broadcast, a few days ago."""
    days_ago = THURSDAY_MORNING - timedelta(days=5)
    async with sessions.begin() as session:
        event = await create_event(
            session, "Oakham Coffee Morning", local("2026-11-28 10:00"), venue="Victoria Hall", zone="Rutland"
        )
        event.created_at = days_ago
        elsewhere = await create_event(
            session, "Loughborough Quiz", local("2026-11-28 19:00"), zone="Charnwood"
        )
        elsewhere.created_at = days_ago
    [listing] = await chat.say(ann, "/whatson")
    [details] = await chat.press(ann, "1 · Oakham Coffee Morning", listing)
    await chat.press(ann, "✅ I'm going", details)
    async with sessions.begin() as session:
        await session.execute(update(Rsvp).values(created_at=days_ago))
        residents = {
            r.telegram_user_id: r for r in await session.scalars(select(Resident).order_by(Resident.id))
        }
        vic = Resident(telegram_user_id=VIC, created_at=THURSDAY_MORNING - timedelta(days=60))
        session.add(vic)
        await session.flush()
        vic_offer = Offer(text="I can teach swimming", skills=[])
        session.add(Volunteer(resident_id=vic.id, status="approved", offers=[vic_offer]))
        await session.flush()
        for resident, zone, status, worked in (
            (residents[ann.id], "Rutland", "accepted", "worked"),
            (residents[bob.id], "Leicester North", "requested", ""),
        ):
            need = Need(resident_id=resident.id, text="swimming lessons", zone=zone, category="swimming")
            need.created_at = days_ago
            session.add(need)
            await session.flush()
            session.add(
                Introduction(
                    need_id=need.id,
                    offer_id=vic_offer.id,
                    status=status,
                    requested_at=days_ago,
                    resident_feedback=worked,
                )
            )
        broadcast = Broadcast(text="Warm spaces open this winter", status="done", started_at=days_ago)
        session.add(broadcast)
        await session.flush()
        for resident, status in ((residents[ann.id], "sent"), (residents[bob.id], "sent"), (vic, "failed")):
            session.add(
                Delivery(broadcast_id=broadcast.id, resident_id=resident.id, status=status, sent_at=days_ago)
            )


async def test_stats_counts_everything_and_names_nobody(chat, sessions):
    ann, bob, cat = await a_month_of_searches(chat, sessions)
    await activity(chat, sessions, ann, bob)
    cora = chat.telegram.user("Cora", user_id=CORA)
    [numbers] = await chat.say(cora, "/stats")
    text = numbers.plain
    assert "People Zones in numbers, 28 Oct 2026 – 26 Nov 2026" in text and "All zones" in text
    assert "Residents: 3 (1 new)" in text  # Ann (40 days ago), Bob (2 days ago), Vic (60 days ago)
    assert "Searches: 7 (1 found something, 6 found nothing)" in text
    assert f"Most searched for: {SWIMMING} 3, {CRAFTS} 2, Food banks and free food 1" in text
    assert "Introductions: 2 asked for, 1 accepted, 1 said it worked" in text
    assert "Events added: 2" in text and "RSVPs: 1" in text
    assert "Broadcasts: 1 sent, 2 delivered" in text
    for words in (*WORDS, "Warm spaces", "teach"):
        assert words not in text.lower()
    for user in (ann, bob, cat):
        assert str(user.id) not in text and user.name not in text
    # the introductions' needs repeat searches already counted: the gap report leaves them out
    [gaps, *_] = await chat.say(cora, "/gaps")
    assert "6 searches found nothing" in gaps.plain

    await add_zone_coordinator(sessions)
    zoe = chat.telegram.user("Zoe", user_id=ZOE)
    [rutland] = await chat.say(zoe, "/stats")
    assert "Residents: 1 (0 new)" in rutland.plain
    assert "Introductions: 1 asked for, 1 accepted, 1 said it worked" in rutland.plain
    assert "Events added: 1" in rutland.plain and "RSVPs: 1" in rutland.plain  # not Charnwood's
    assert "Broadcasts: 1 sent, 1 delivered" in rutland.plain


async def test_stats_period_buttons_change_the_numbers_in_place(chat, sessions):
    await a_month_of_searches(chat, sessions)
    cora = chat.telegram.user("Cora", user_id=CORA)
    [month] = await chat.say(cora, "/stats")
    [week] = await chat.press(cora, "7 days", month)
    assert week.message_id == month.message_id and week.edited
    assert "20 Nov 2026 – 26 Nov 2026" in week.plain
    assert "Searches: 4 (0 found something, 4 found nothing)" in week.plain
    assert "Residents: 2 (1 new)" in week.plain
    [quarter] = await chat.press(cora, "90 days", week)
    assert "Searches: 8 (1 found something, 7 found nothing)" in quarter.plain
    assert await chat.press(cora, "90 days", quarter) == []  # the same period again: nothing changes


async def test_residents_are_refused_reports_and_forged_buttons(chat, sessions):
    await a_month_of_searches(chat, sessions)
    ann = chat.telegram.user("Ann")
    for command in ("/gaps", "/stats"):
        [refused] = await chat.say(ann, command)
        assert "coordinators only" in refused.plain
    [menu] = await chat.say(ann, "hi")
    for data in (ReportPeriod("g", 30).data, ReportPeriod("s", 7).data):
        [refused] = await chat.act(ann, ann.press_data(data, menu))
        assert "coordinators only" in refused.plain
    for forged in ("rp:g:31", "rp:x:30", "rp:s:7:1"):
        [stale] = await chat.act(ann, ann.press_data(forged, menu))
        assert "coordinators only" not in stale.plain and "old message" in stale.plain


async def test_a_coordinator_who_loses_the_role_sees_nothing_more(chat, sessions):
    await add_zone_coordinator(sessions)
    zoe = chat.telegram.user("Zoe", user_id=ZOE)
    [numbers] = await chat.say(zoe, "/stats")
    async with sessions.begin() as session:
        await session.execute(Role.__table__.delete())
    [refused] = await chat.press(zoe, "7 days", numbers)
    assert "coordinators only" in refused.plain


async def test_the_tally_counts_every_search_when_they_arrive_together(sessions):
    day = date(2026, 11, 26)

    async def one(answered):
        async with sessions.begin() as session:
            await count_search(session, day, "Rutland", "food-banks", answered, "en")

    await asyncio.gather(*(one(True) for _ in range(8)), *(one(False) for _ in range(3)))
    await asyncio.gather(one(True), one(True))
    async with sessions() as session:
        rows = (await session.execute(select(SearchTally.answered, SearchTally.count))).all()
    assert sorted(rows) == [(False, 3), (True, 10)]


async def test_the_spreadsheet_cannot_run_formulas(sessions):
    async with sessions.begin() as session:
        session.add(Need(text="x", zone="=HYPERLINK(1)", category="", created_at=THURSDAY_MORNING))
    async with sessions() as session:
        report = await gap_report(session, THURSDAY_MORNING, THURSDAY_MORNING + timedelta(days=1), None)
    rows = list(csv.reader(io.StringIO(gap_csv(report).decode("utf-8-sig"))))
    assert rows[1] == ["'=HYPERLINK(1)", UNKNOWN, "", "1", "English"]


# ----- by language ------------------------------------------------------------------------------


async def searches_in_three_languages(chat, sessions):
    """Uma's Telegram is in Urdu, Pia's in Polish, Ann's in English; none saved an area. Urdu: 3
    searches, 2 found nothing; Polish: 2, both found nothing (one "Not what I need"); English: 1
    that found something."""
    uma = chat.telegram.user("Uma", language_code="ur")
    pia = chat.telegram.user("Pia", language_code="pl")
    ann = chat.telegram.user("Ann")
    await search(chat, sessions, uma, "food bank", "swimming lessons", "knitting group")
    await search(chat, sessions, pia, "swimming lessons")
    [found] = await chat.say(pia, "food bank")
    with speaking("pl"):
        not_what_i_need = m.BUTTON_NOT_WHAT_I_NEED
    await chat.press(pia, not_what_i_need, found)
    await search(chat, sessions, ann, "food bank")
    return uma, pia, ann


async def add_polish_admin(sessions):
    async with sessions.begin() as session:
        ola = Resident(telegram_user_id=OLA, language="pl", created_at=THURSDAY_MORNING - timedelta(days=400))
        ola.roles.append(Role(role="admin"))
        session.add(ola)


async def test_stats_count_searches_by_the_language_the_bot_spoke(chat, sessions):
    uma, pia, ann = await searches_in_three_languages(chat, sessions)
    cora = chat.telegram.user("Cora", user_id=CORA)
    [numbers] = await chat.say(cora, "/stats")
    text = numbers.plain
    assert "Searches: 6 (2 found something, 4 found nothing)" in text
    block = text.split("Searches by language\n", 1)[1]
    assert block.splitlines() == [  # most searches first
        "Urdu: 3 (2 found nothing)",
        "Polish: 2 (2 found nothing)",
        "English: 1 (0 found nothing)",
    ]
    for user in (uma, pia, ann):
        assert str(user.id) not in text and user.name not in text
    # a week with no searches: no languages to list
    chat.clock.now = THURSDAY_MORNING + timedelta(days=30)
    [later] = await chat.press(cora, "7 days", numbers)
    assert "Searches: 0" in later.plain and "Searches by language" not in later.plain

    # a coordinator who reads the bot in Polish reads the languages' names in Polish
    chat.clock.now = THURSDAY_MORNING
    await add_polish_admin(sessions)
    ola = chat.telegram.user("Ola", user_id=OLA, language_code="pl")
    [polish] = await chat.say(ola, "/stats")
    with speaking("pl"):  # the catalogue's Polish line, with the names Babel gives in Polish
        lines = [
            m.STATS_LANGUAGE_LINE.format(language=name, searches=searches, unmet=unmet)
            for name, searches, unmet in (("urdu", 3, 2), ("polski", 2, 2), ("angielski", 1, 0))
        ]
    for line in lines:
        assert line in polish.plain
    assert "Urdu" not in polish.plain and "English" not in polish.plain


async def test_gaps_say_which_languages_found_nothing_and_the_spreadsheet_has_a_language_column(
    chat, sessions
):
    await searches_in_three_languages(chat, sessions)
    cora = chat.telegram.user("Cora", user_id=CORA)
    [text, _chart, sheet] = await chat.say(cora, "/gaps")
    assert "4 searches found nothing" in text.plain
    assert "By language: Polish 2, Urdu 2" in text.plain  # English found what it looked for
    assert f"1. {SWIMMING}: 2 (No area saved 2)" in text.plain  # one need over both languages
    assert csv_rows(sheet) == {
        ("No area saved", SWIMMING, SWIMMING_GROUP, "1", "Urdu"),
        ("No area saved", SWIMMING, SWIMMING_GROUP, "1", "Polish"),
        ("No area saved", CRAFTS, CRAFTS_GROUP, "1", "Urdu"),
        ("No area saved", FOOD, FOOD_GROUP, "1", "Polish"),
    }


async def test_the_language_is_kept_on_the_need_and_shown_in_mydata(chat, sessions):
    uma = chat.telegram.user("Uma", language_code="ur")
    await chat.say(uma, "swimming lessons")
    async with sessions() as session:
        [need] = await session.scalars(select(Need))
    assert (need.language, need.telegram_user_id) == ("ur", uma.id)
    [sent] = [reply for reply in await chat.say(uma, "/mydata") if reply.kind == "document"]
    [record] = json.loads(sent.document.decode("utf-8"))["data"]["needs"]["records"]
    assert (record["text"], record["language"]) == ("swimming lessons", "ur")
