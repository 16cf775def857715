"""Events from files: `peoplezones events import` and a coordinator sending a .csv or .ics to the
bot. Re-imports update; a changed time tells the people going; bad rows are reported; an unreadable
file changes nothing."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.clock import FakeClock
from bot.config import Settings, default_zones
from bot.handlers.event_admin import ManageEvent
from bot.senders.notices import send_due_notices
from db.models import Event
from tests.conftest import THURSDAY_MORNING
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


@pytest.fixture
def cli_clock(monkeypatch):
    """The files' dates are fixed, so the command line runs on the tests' clock: on a wall clock
    moved years away (PEOPLEZONES_TEST_WALL_CLOCK_YEARS) they would be past the five-year horizon."""
    monkeypatch.setattr("bot.cli.system_clock", FakeClock(THURSDAY_MORNING))


def test_cli_import_reports_bad_rows_and_re_imports_without_doubling(cli_env, cli_clock, capsys, tmp_path):
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
    assert "1 updated" in report.plain and "1 person going told" in report.plain
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


# --- issue 13: a file is held to what its sender's buttons allow; cells the database cannot hold ---

NORTH = HEADER + "yc,Friday Youth Club,2026-11-27 18:00,20:00,Beaumont Leys Library,LE4 1DS,,20,,\n"


async def become_coordinator(chat, admin, person, zone: str) -> None:
    [picker] = await chat.say(admin, "/invite")
    [picker] = await chat.press(admin, zone, picker)
    [made] = await chat.press(admin, "🔗 Create the invite link", picker)
    replies = await chat.say(person, f"/start {made.plain.split('start=')[1].split()[0]}")
    assert f"coordinator for {zone}" in replies[-1].plain


async def send(chat, user, text: str, name: str = "events.csv") -> str:
    [report] = await chat.act(user, user.send_document(text.encode(), name, "text/csv"))
    return report.plain


async def test_a_coordinators_file_cannot_change_another_zones_event_or_create_outside_hers(chat, sessions):
    """Issue 13, item 1: a Rutland coordinator refused on a Leicester North event's buttons is
    refused on the same write through a file, row by row; the people going hear nothing."""
    cora, rhi, ann = (
        chat.telegram.user(n, user_id=i) for n, i in (("Cora", CORA), ("Rhi", 7001), ("Ann", 7002))
    )
    await become_coordinator(chat, cora, rhi, "Rutland")
    assert "1 created" in await send(chat, cora, NORTH)  # an admin writes any zone
    [listing] = await chat.say(ann, "/whatson")
    [details] = await chat.press(ann, "1 · Friday Youth Club", listing)
    await chat.press(ann, "✅ I'm going", details)
    async with sessions() as session:
        [north] = await session.scalars(select(Event))
    [mine] = await chat.say(rhi, "/myevents")
    assert "no coming events in your zones" in mine.plain
    [refused] = await chat.act(rhi, rhi.press_data(ManageEvent(north.id).data, mine))
    assert "coordinators only" in refused.plain  # the buttons say no ...

    mark = chat.telegram.mark()
    report = await send(  # ... and so does the same file name and id, moved to her own zone
        chat, rhi,
        HEADER
        + "yc,Friday Youth Club,2026-11-27 21:00,22:00,Oakham Library,LE15 6HW,,20,,\n"  # row 2
        + "lw,Litter Pick,2026-11-28 10:00,,Fosse Park,,Leicester West,,,\n"  # row 3: the zone column
        + "ln,Coffee Morning,2026-11-28 10:00,,Beaumont Leys,LE4 1DS,,,,\n"  # row 4: the postcode's zone
        + "nz,Mystery Walk,2026-11-28 10:00,,Somewhere,,,,,\n"  # row 5: no zone at all
        + "ok,Oakham Quiz,2026-11-28 19:00,,Victoria Hall,LE15 6AB,,,,\n",  # row 6: hers
    )  # fmt: skip
    assert "1 created, 0 updated, 0 unchanged, 4 rejected; 0 people going told" in report
    assert (
        "row 2 (Friday Youth Club): same id as an event in Leicester North, not one of your zones, "
        "so that event was left alone: give this row its own id (your zones: Rutland)"
    ) in report
    assert "row 3 (Litter Pick): Leicester West is not one of your zones (yours: Rutland)" in report
    assert "row 4 (Coffee Morning): Leicester North is not one of your zones (yours: Rutland)" in report
    assert "row 5 (Mystery Walk): no zone found: give a postcode or a zone (yours: Rutland)" in report
    await send_due_notices(chat.app)
    assert chat.telegram.bot_messages_since(ann, mark) == []  # nobody was told a false time
    details = (await chat.say(ann, f"/start ev{north.id}"))[-1]
    assert "Fri 27 Nov, 18:00" in details.plain and "Beaumont Leys Library" in details.plain
    async with sessions() as session:
        events = {e.title: (e.zone, e.starts_at, e.venue) for e in await session.scalars(select(Event))}
    assert events == {
        "Friday Youth Club": ("Leicester North", local("2026-11-27 18:00"), "Beaumont Leys Library"),
        "Oakham Quiz": ("Rutland", local("2026-11-28 19:00"), "Victoria Hall"),
    }

    # her own event: changed by file, as by its buttons; but not moved into a zone that is not hers
    quiz = HEADER + "ok,Oakham Quiz,2026-11-28 19:30,,Victoria Hall,LE15 6AB,{zone},,,\n"
    assert "0 created, 1 updated, 0 unchanged, 0 rejected" in await send(chat, rhi, quiz.format(zone=""))
    report = await send(chat, rhi, quiz.format(zone="Melton").replace("19:30", "20:00"))
    assert "0 updated" in report and "row 2 (Oakham Quiz): Melton is not one of your zones" in report
    # an admin's file may still change any zone's event, and the people going are told
    moved = NORTH.replace("2026-11-27 18:00,20:00", "2026-11-27 18:30,20:30")
    report = await send(chat, cora, moved)
    assert "1 updated" in report and "1 person going told" in report
    async with sessions() as session:
        zones = {e.title: e.zone for e in await session.scalars(select(Event))}
    assert zones == {"Friday Youth Club": "Leicester North", "Oakham Quiz": "Rutland"}


ICS_ONE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:{uid}@example.org
SUMMARY:{title}
DTSTART;TZID=Europe/London:{start}
LOCATION:Oakham Library\\, LE15 6HW
{extra}
END:VEVENT
END:VCALENDAR
"""


async def test_a_capacity_the_database_cannot_hold_is_a_reported_row_not_an_error(chat, sessions):
    """Issue 13, item 9: capacity 99999999999999999999 was an OverflowError ("something went
    wrong"); places are capped as /newevent caps them (10,000) and the row is reported."""
    cora = chat.telegram.user("Cora", user_id=CORA)
    rows = (
        HEADER
        + "big,Huge Gala,2026-11-28 10:00,,Oakham Library,LE15 6HW,,99999999999999999999,,\n"
        + "many,Town Fair,2026-11-28 10:00,,Oakham Library,LE15 6HW,,10001,,\n"
        + "long,Long Number,2026-11-28 10:00,,Oakham Library,LE15 6HW,,"
        + "9" * 5000
        + ",,\n"
        + "ok,Small Social,2026-11-28 11:00,,Oakham Library,LE15 6HW,,10000,,\n"
    )
    report = await send(chat, cora, rows)
    assert "went wrong" not in report
    assert "1 created, 0 updated, 0 unchanged, 3 rejected" in report
    assert "row 2: the capacity '99999999999999999999' is more than 10,000 places" in report
    assert "row 3: the capacity '10001' is more than 10,000 places" in report
    assert "row 4: the capacity '99999999999999999999' is more than 10,000 places" in report
    ics = ICS_ONE.format(
        uid="gala", title="Huge Gala", start="20261128T100000", extra="X-PZ-CAPACITY:99999999999999999999"
    )
    report = await send(chat, cora, ics, "gala.ics")
    assert "0 created" in report and "1 rejected" in report
    assert "event 1 (UID gala@example.org): the capacity '99999999999999999999' is more than 10,000" in report
    async with sessions() as session:
        assert [(e.title, e.capacity) for e in await session.scalars(select(Event))] == [
            ("Small Social", 10000)
        ]


def test_cli_reports_a_capacity_too_big_and_imports_the_rest(cli_env, cli_clock, capsys, tmp_path):
    path = tmp_path / "gala.csv"
    path.write_text(
        HEADER
        + "big,Huge Gala,2026-11-28 10:00,,Oakham Library,LE15 6HW,,99999999999999999999,,\n"
        + "ok,Small Social,2026-11-28 11:00,,Oakham Library,LE15 6HW,,12,,\n"
    )
    assert main(["events", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "rejected row 2: the capacity '99999999999999999999' is more than 10,000 places" in out


FAR = (
    HEADER
    + "far,Millennium Party,9999-12-31 23:30,,Oakham Library,LE15 6HW,,,,\n"  # row 2
    + "typo,Coffee Morning,2062-11-28 10:00,,Oakham Library,LE15 6HW,,,,\n"  # row 3: 2026 mistyped
    + "end,Long Walk,2026-11-28 10:00,9999-12-31 10:00,Oakham Library,LE15 6HW,,,,\n"  # row 4
    + "near,Oakham Show,2031-08-01 10:00,17:00,Oakham Library,LE15 6HW,,,,\n"  # row 5: within 5 years
)


async def test_an_event_years_ahead_is_a_reported_row_and_one_within_reach_works(chat, sessions):
    """Issue 13, item 10: an event dated 9999-12-31 imported, but its buttons answered as stale.
    Starts and ends more than five years ahead are refused by row; within that, buttons work."""
    cora, ann = chat.telegram.user("Cora", user_id=CORA), chat.telegram.user("Ann")
    report = await send(chat, cora, FAR)
    assert "1 created, 0 updated, 0 unchanged, 3 rejected" in report
    assert "row 2 (Millennium Party): the start (9999-12-31 23:30) is more than 5 years ahead" in report
    assert "row 3 (Coffee Morning): the start (2062-11-28 10:00) is more than 5 years ahead" in report
    assert "row 4 (Long Walk): the end (9999-12-31 10:00) is more than 5 years ahead" in report
    ics = ICS_ONE.format(uid="party", title="Millennium Party", start="99991231T233000", extra="")
    report = await send(chat, cora, ics, "party.ics")
    assert "0 created" in report and "the start (9999-12-31 23:30) is more than 5 years ahead" in report
    async with sessions() as session:
        [show] = await session.scalars(select(Event))
    assert show.title == "Oakham Show"
    details = (await chat.say(ann, f"/start ev{show.id}"))[-1]
    assert "Oakham Show" in details.plain and "Fri 01 Aug, 10:00" in details.plain
    [going] = await chat.press(ann, "✅ I'm going", details)
    assert "you're going" in going.plain  # not "that button is old"
    # typed, as in /newevent, the same horizon
    await chat.say(cora, "/newevent")
    await chat.say(cora, "Millennium Party")
    [far] = await chat.say(cora, "31/12/9999 23:30")
    assert "more than 5 years ahead" in far.plain


def test_cli_refuses_an_event_years_ahead_by_row(cli_env, cli_clock, capsys, tmp_path):
    path = tmp_path / "far.csv"
    path.write_text(FAR)
    assert main(["events", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 created, 0 updated, 0 unchanged, 3 rejected" in out
    assert "rejected row 2 (Millennium Party): the start (9999-12-31 23:30) is more than 5 years ahead" in out


async def test_dates_at_the_edge_of_the_calendar_are_reported_rows_not_errors(chat, sessions):
    """Items 9 and 10: dates that leave the calendar (year 1, past 9999) were tracebacks; now rows."""
    cora = chat.telegram.user("Cora", user_id=CORA)
    report = await send(
        chat, cora,
        "id,title,starts,repeats,days\n"
        "a,Year One,0001-01-01 00:30 +01:00,,\n"  # row 2
        "b,Last Monday Ever,9999-12-31 10:00,weekly,Mon\n"  # row 3: no Monday after it
        "c,Fine,2026-11-30 10:00,weekly,Mon\n",
    )  # fmt: skip
    assert "went wrong" not in report and "1 created" in report and "2 rejected" in report
    assert "row 2: the start 0001-01-01 is not a date the bot can use" in report
    assert "row 3: the start (Fri 31 Dec 9999) is not one of the repeat days ('Mon')" in report
    for extra, reason in (
        ("RRULE:FREQ=WEEKLY;COUNT=1000000000", "(COUNT=1000000000: more than 2000 dates)"),
        ("DURATION:P99999999D", "DURATION (99999999 days) ends past the year 9999"),
    ):
        ics = ICS_ONE.format(uid="edge", title="Edge", start="20261128T100000", extra=extra)
        report = await send(chat, cora, ics, "edge.ics")
        assert "went wrong" not in report and "0 created" in report and reason in report
    async with sessions() as session:
        assert [e.title for e in await session.scalars(select(Event))] == ["Fine"]
