"""What people type is theirs: the words of a search that found nothing and of a report of a
change are tied to whoever typed them (even someone who never saved anything), so /mydata finds
them and /forget blanks them while the counts stay; the words go after a month in any case; and on
SQLite erased words do not stay behind in the database file."""

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.config import Settings, default_zones
from bot.handlers.privacy import run_retention
from db.models import AssetReport, Need
from tests.conftest import POSTGRES_URL
from tests.conversation import close_conversation, open_conversation
from tests.test_privacy import buttons, count, forget, my_data, resident
from tests.test_upkeep import open_card
from tests.test_volunteering import offer_diy

CORA = 4242  # an admin: sees every zone's gaps and reports
ANN = 7300555666
BOB = 7300777888
SEARCH = "zephyrine quokka for Jo Bloggs at 14 Elm Road 07700 900123"
REPORT = "Quintessa moved it, ring her on 07700 900456"


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def report_change(chat, user, text: str) -> None:
    details = await open_card(chat, user, "oakham food bank", "Oakham Food Bank")
    await chat.press(user, "✏️ Report a change", details)
    [thanks] = await chat.say(user, text)
    assert "passed this on to the local coordinators" in thanks.plain


async def needs(sessions) -> list[Need]:
    async with sessions() as session:
        return list(await session.scalars(select(Need).order_by(Need.id)))


async def reports(sessions) -> list[AssetReport]:
    async with sessions() as session:
        return list(await session.scalars(select(AssetReport).order_by(AssetReport.id)))


async def unmet_count(chat) -> str:
    cora = chat.telegram.user("Cora", user_id=CORA)
    text, *_files = await chat.say(cora, "/gaps")
    return text.plain


async def test_what_someone_typed_without_saving_anything_is_in_mydata_and_gone_after_forget(chat, sessions):
    ann = chat.telegram.user("Ann", user_id=ANN)
    bob = chat.telegram.user("Bob", user_id=BOB)
    replies = await chat.say(ann, SEARCH)
    assert "I couldn't find anything that fits" in replies[0].plain
    await report_change(chat, ann, REPORT)
    await chat.say(bob, "zephyrine quokka lessons")  # someone else's words: not Ann's to see or erase
    assert await resident(sessions, ANN) is None  # she saved nothing, and is not made a resident
    assert "2 searches found nothing" in await unmet_count(chat)

    document = await my_data(chat, ann)
    parts = document["data"]
    assert set(parts) == {"needs", "asset_reports", "conversation_states"}
    [state] = parts["conversation_states"]["records"]  # her last searches, kept between messages
    assert SEARCH in str(state["data"]) and "quokka lessons" not in str(state["data"])
    [need] = parts["needs"]["records"]
    assert need["text"] == SEARCH and need["telegram user id"] == ANN
    assert (
        parts["needs"]["what"]
        == "What you asked for: searches that found nothing, and requests for a volunteer"
    )
    [report] = parts["asset_reports"]["records"]
    assert report["text"] == REPORT and report["asset"] == "Oakham Food Bank"
    assert "zephyrine quokka lessons" not in str(document)  # Bob's

    [question] = await chat.say(ann, "/forget")  # she has something to forget: asked, not waved off
    assert buttons(question) == ["Yes, delete everything", "Keep it"]
    assert "what you typed" in question.plain
    _, done = await forget(chat, ann)
    assert "I've deleted what I had saved about you" in done.plain
    [reply] = await chat.say(ann, "/mydata")
    assert "I don't hold anything about you" in reply.plain
    [reply] = await chat.say(ann, "/forget")
    assert "I don't have anything saved about you" in reply.plain

    ann_need, bob_need = await needs(sessions)  # the counts stay, without her words or her
    assert (ann_need.text, ann_need.telegram_user_id) == ("", None)
    assert (bob_need.text, bob_need.telegram_user_id) == ("zephyrine quokka lessons", BOB)
    [kept] = await reports(sessions)
    assert (kept.text, kept.telegram_user_id, kept.status) == ("", None, "open")
    assert "2 searches found nothing" in await unmet_count(chat)
    cora = chat.telegram.user("Cora", user_id=CORA)
    _header, card = await chat.say(cora, "/reports")  # the coordinators still have a task, no words
    assert "Oakham Food Bank" in card.plain and "deleted what they wrote" in card.plain
    assert "Quintessa" not in card.plain


async def test_a_residents_searches_are_theirs_too(chat, sessions):
    ann = chat.telegram.user("Ann", user_id=ANN)
    await chat.say(ann, "/area")
    await chat.say(ann, "LE4")
    await chat.say(ann, SEARCH)
    [need] = (await my_data(chat, ann))["data"]["needs"]["records"]
    assert (need["text"], need["zone"], need["postcode district"]) == (SEARCH, "Leicester North", "LE4")
    await forget(chat, ann)
    [kept] = await needs(sessions)
    assert (kept.text, kept.telegram_user_id, kept.zone) == ("", None, "Leicester North")
    assert await resident(sessions, ANN) is None


async def test_the_words_go_after_30_days_and_the_counts_stay(chat, sessions):
    ann = chat.telegram.user("Ann", user_id=ANN)
    [notice] = await chat.say(ann, "/privacy")
    assert "After 30 days, the words go" in notice.plain
    await chat.say(ann, SEARCH)
    await report_change(chat, ann, REPORT)  # handled: nobody needs the words after a while
    await report_change(chat, ann, "It is closed on Mondays now")  # still open: a coordinator will
    cora = chat.telegram.user("Cora", user_id=CORA)
    _header, card, _other = await chat.say(cora, "/reports")
    await chat.press(cora, "Mark done", card)
    chat.clock.advance(days=29)
    await run_retention(chat.app)
    assert [n.text for n in await needs(sessions)] == [SEARCH]  # not yet
    chat.clock.advance(days=2)
    await run_retention(chat.app)
    [need] = await needs(sessions)
    assert (need.text, need.telegram_user_id) == ("", None)
    done, still_open = await reports(sessions)
    assert (done.text, done.telegram_user_id, done.status) == ("", None, "done")
    assert (still_open.text, still_open.telegram_user_id) == ("It is closed on Mondays now", ANN)
    [record] = (await my_data(chat, ann))["data"]["asset_reports"]["records"]
    assert record["text"] == "It is closed on Mondays now"
    assert await count(sessions, Need) == 1


def _database_bytes(database_url: str) -> bytes:
    path = Path(make_url(database_url).database)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's free pages: PostgreSQL reclaims space by VACUUM")
async def test_erased_words_are_not_left_in_the_sqlite_file(chat, sessions, database_url):
    ann = chat.telegram.user("Ann", user_id=ANN)
    await offer_diy(chat, ann)  # deleted by /forget
    await chat.say(ann, SEARCH)  # blanked by /forget
    await report_change(chat, ann, REPORT)  # blanked by /forget
    words = (b"diy and gardning", b"zephyrine quokka", b"Jo Bloggs", b"07700 900123", b"Quintessa", b"900456")
    async with sessions() as session:  # as time passes, SQLite moves what was written into the file
        await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    before = _database_bytes(database_url)
    for typed in words:
        assert typed in before, typed  # written where this test can see them
    await forget(chat, ann)
    after = _database_bytes(database_url)
    for typed in words:
        assert typed not in after, typed
