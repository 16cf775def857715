"""Events from files: `peoplezones events import` and a coordinator sending a .csv or .ics to the
bot. Re-imports update; a changed time tells the people going; bad rows are reported; an unreadable
file changes nothing."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.config import Settings, default_zones
from bot.handlers.notices import send_due_notices
from db.models import Event
from tests.conversation import close_conversation, open_conversation

LONDON = ZoneInfo("Europe/London")
CORA = 9001
HEADER = "id,title,starts,ends,venue,postcode,zone,capacity,repeats,days\n"
GOOD = (
    HEADER
    + "yc,Friday Youth Club,2026-11-27 18:00,20:00,Braunstone Library,LE3 1JJ,,20,weekly,\n"
    + "cm,Coffee Morning,2026-11-28 10:00,11:30,Oakham Library,LE15 6HW,,,,\n"
    + "bad,Broken,next tuesday,,,,,,,\n"
    + "nz,Nowhere Walk,2026-11-28 10:00,,,,Atlantis,,,\n"
)
ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:litter-1@example.org
SUMMARY:Litter Pick
DTSTART;TZID=Europe/London:20261128T100000
DTEND;TZID=Europe/London:20261128T120000
LOCATION:Fosse Park\\, LE3 5HG
X-PZ-ZONE:Leicester West
END:VEVENT
END:VCALENDAR
"""


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


def test_cli_import_reports_bad_rows_and_re_imports_without_doubling(cli_env, capsys, tmp_path):
    path = tmp_path / "autumn.csv"
    path.write_text(GOOD)
    assert main(["events", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 created, 0 updated, 0 unchanged, 2 rejected" in out
    assert "row 4: the start 'next tuesday' is not a date and time" in out
    assert "'Atlantis' is not one of the zones" in out
    assert main(["events", "import", str(path)]) == 0
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    broken = tmp_path / "broken.csv"
    broken.write_text("name,when\nx,y\n")
    assert main(["events", "import", str(broken)]) == 1
    assert "nothing imported" in capsys.readouterr().err


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def test_a_coordinator_sends_files_and_a_moved_time_reaches_the_people_going(chat, sessions):
    cora, ann = chat.telegram.user("Cora", user_id=CORA), chat.telegram.user("Ann")
    [report] = await chat.act(cora, cora.send_document(GOOD.encode(), "autumn.csv", "text/csv"))
    assert "2 created" in report.plain and "2 rejected" in report.plain
    assert "row 4" in report.plain
    [report] = await chat.act(cora, cora.send_document(ICS.encode(), "litter.ics", "text/calendar"))
    assert "1 created" in report.plain
    async with sessions() as session:
        events = {e.title: e for e in await session.scalars(select(Event))}
    assert events["Litter Pick"].zone == "Leicester West" and events["Coffee Morning"].zone == "Rutland"
    assert events["Friday Youth Club"].starts_at == local("2026-11-27 18:00")

    [listing] = await chat.say(ann, "/whatson")
    [details] = await chat.press(ann, "1 · Friday Youth Club", listing)
    await chat.press(ann, "✅ I'm going", details)
    moved = GOOD.replace("2026-11-27 18:00,20:00", "2026-11-27 18:30,20:30")
    [report] = await chat.act(cora, cora.send_document(moved.encode(), "autumn.csv", "text/csv"))
    assert "1 updated" in report.plain and "1 people going told" in report.plain
    mark = chat.telegram.mark()
    assert (await send_due_notices(chat.app)).sent == 1
    [notice] = chat.telegram.bot_messages_since(ann, mark)
    assert "It's now Fri 27 Nov, 18:30" in notice.plain


async def test_unreadable_files_and_residents_uploads_change_nothing(chat, sessions):
    cora, ann = chat.telegram.user("Cora", user_id=CORA), chat.telegram.user("Ann")
    [refused] = await chat.act(ann, ann.send_document(GOOD.encode(), "autumn.csv", "text/csv"))
    assert "coordinators only" in refused.plain
    [bad] = await chat.act(cora, cora.send_document(b"\x00\x01\x02binary", "events.csv", "text/csv"))
    assert "Nothing was imported" in bad.plain
    [bad] = await chat.act(cora, cora.send_document(b"BEGIN:VCALENDAR\nEND:VCALENDAR\n", "x.ics"))
    assert "Nothing was imported" in bad.plain
    async with sessions() as session:
        assert list(await session.scalars(select(Event))) == []


async def test_an_event_at_a_directory_asset_takes_its_place_and_links_to_it(chat, sessions):
    cora, ann = chat.telegram.user("Cora", user_id=CORA), chat.telegram.user("Ann")
    rows = (
        "title,starts,asset\n"
        "Food bank drop-in,2026-11-28 10:00,fb-oak\n"
        "Somewhere else,2026-11-28 11:00,no-such-asset\n"
    )
    [report] = await chat.act(cora, cora.send_document(rows.encode(), "dropins.csv", "text/csv"))
    assert "1 created" in report.plain and "no asset has the id 'no-such-asset'" in report.plain
    async with sessions() as session:
        [event] = await session.scalars(select(Event))
    assert (event.venue, event.postcode, event.zone) == (
        "Oakham Food Bank, Church Street",
        "LE15 6AA",
        "Rutland",
    )
    [listing] = await chat.say(ann, "/whatson")
    [details] = await chat.press(ann, "1 · Food bank drop-in", listing)
    [place] = await chat.press(ann, "📍 About Oakham Food Bank", details)
    assert "Oakham Food Bank" in place.plain and "01632 960001" in place.plain
