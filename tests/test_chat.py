"""The terminal chat (`peoplezones chat`) runs the bot as production does: timed work arrives (and
`/wait` moves the clock through it), `/as admin` is the demo's admin, every number shown presses
that button, a number is text when the bot asked for one, names are the same people in every run,
and files are saved where a person can open them. Driven line by line as a person types."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.chat import TerminalChat, chat_user_id, read_span
from bot.cli import main
from bot.clock import FakeClock
from bot.config import Settings, default_zones
from bot.services import demo
from bot.services.directory import import_directory
from bot.services.events import create_event
from bot.services.places import ZoneMap
from db.models import Reminder
from tests.conftest import FIXTURES, THURSDAY_MORNING

LONDON = ZoneInfo("Europe/London")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


class Terminal:
    """A person at the terminal chat: types a line, reads what was printed for it."""

    def __init__(self, chat: TerminalChat, out: io.StringIO) -> None:
        self.chat = chat
        self.out = out

    async def type(self, line: str) -> str:
        start = len(self.out.getvalue())
        await self.chat.handle(line)
        return self.out.getvalue()[start:]

    async def press(self, label: str, reply: str) -> str:
        """Type the number REPLY showed next to LABEL (the last one, if it showed it twice)."""
        return await self.type(number(label, reply))


def number(label: str, reply: str) -> str:
    found = re.findall(r"\[(\d+)\] [^\[\n]*?" + re.escape(label), reply)
    assert found, f"no button {label!r} in:\n{reply}"
    return found[-1]


async def open_terminal(settings: Settings, tmp_path, clock: FakeClock | None = None) -> Terminal:
    out = io.StringIO()
    chat = TerminalChat(
        settings,
        out,
        clock=clock or FakeClock(THURSDAY_MORNING),
        files_dir=tmp_path / "chat-files",
        people_file=tmp_path / "chat-people.txt",
    )
    await chat.start()
    return Terminal(chat, out)


@pytest.fixture
async def settings(sessions, database_url) -> Settings:
    settings = Settings(database_url=database_url, zones=default_zones())  # no admins configured
    await import_directory(sessions, str(FIXTURES / "conversation_assets.csv"), ZoneMap(settings.zones))
    return settings


@pytest.fixture
async def terminal(settings, tmp_path):
    terminal = await open_terminal(settings, tmp_path)
    yield terminal
    await terminal.chat.stop()


async def wants_news(terminal: Terminal, name: str, area: str = "LE3") -> None:
    await terminal.type(f"/as {name}")
    await terminal.type("/area")
    await terminal.type(area)
    panel = await terminal.type("/settings")
    await terminal.press("📣 Send me local news", panel)


async def compose(terminal: Terminal, text: str) -> str:
    await terminal.type("/as admin")
    await terminal.type("/broadcast")
    who = await terminal.type(text)
    where = await terminal.press("Everyone who asked for local news", who)
    return await terminal.press("Leicester West", where)


# ----- 1. timed work runs, and /wait moves the clock through it -------------------------------------


async def test_the_application_runs_its_job_queue(terminal):
    assert terminal.chat.app.running
    assert terminal.chat.app.job_queue.scheduler.running
    assert {job.name for job in terminal.chat.app.job_queue.jobs()} >= {"notice_job", "broadcast_job"}


async def test_a_broadcast_sent_in_the_chat_arrives_as_to_name(terminal):
    await wants_news(terminal, "Ann")
    preview = await compose(terminal, "Street party on Saturday!")
    sent = await terminal.press("📣 Send it", preview)
    assert "[to Ann] 📣 News from your People Zone" in sent
    assert "Street party on Saturday!" in sent
    assert "Sent to 1 of 1" in sent  # the status message reached its summary
    assert "to go" not in sent


async def test_wait_sends_each_reminder_when_it_falls_due_not_too_late(terminal, sessions):
    async with sessions.begin() as session:
        event = await create_event(session, "Quiz Night", local("2026-11-27 19:00"))
    await terminal.type("/as Ann")
    listing = await terminal.type("/whatson")
    card = await terminal.press("1 · Quiz Night", listing)
    assert "Quiz Night" in card
    going = await terminal.press("✅ I'm going", card)
    assert "you're going" in going
    # Thursday 10:30: reminders are due Thursday 19:00 (the day before) and Friday 17:00
    waited = await terminal.type("/wait 2d")
    assert waited.count("[to Ann] ⏰ Reminder: Quiz Night") == 2
    assert "⏩ Thu 26 Nov 2026, 19:00" in waited and "⏩ Fri 27 Nov 2026, 17:00" in waited
    assert waited.index("Thu 26 Nov 2026, 19:00") < waited.index("Fri 27 Nov 2026, 17:00")
    assert "(it is now Sat 28 Nov 2026, 10:30)" in waited
    async with sessions() as session:
        statuses = [
            r.status for r in await session.scalars(select(Reminder).where(Reminder.event_id == event.id))
        ]
    assert statuses == ["sent", "sent"]  # the one due two hours before was not dropped


async def test_wait_reads_its_span_and_says_how(terminal):
    assert read_span("30m") == timedelta(minutes=30)
    assert read_span("2h") == timedelta(hours=2)
    assert read_span("1d 6h") == timedelta(days=1, hours=6)
    assert read_span("soon") is None
    assert "like /wait 30m" in await terminal.type("/wait soon")
    assert "at most 90 days" in await terminal.type("/wait 100d")
    said = await terminal.type("/wait 30m")
    assert "(it is now Thu 26 Nov 2026, 11:00)" in said


async def test_a_changed_time_reaches_the_people_going(terminal, sessions):
    async with sessions.begin() as session:
        await create_event(session, "Quiz Night", local("2026-11-28 19:00"), zone="Leicester West")
    await terminal.type("/as Ann")
    card = await terminal.press("1 · Quiz Night", await terminal.type("/whatson"))
    await terminal.press("✅ I'm going", card)
    await terminal.type("/as admin")
    events = await terminal.type("/myevents")
    manage = await terminal.press("Quiz Night", events)
    asked = await terminal.press("🕒 Change time", manage)
    assert "new day and time" in asked
    told = await terminal.type("Sat 28 Nov 20:00")
    assert "[to Ann]" in told and "Quiz Night" in told and "20:00" in told


# ----- 2. /as admin -------------------------------------------------------------------------------------


async def test_as_admin_is_an_admin_of_the_demo_with_no_config(terminal, settings):
    assert settings.admin_ids == ()
    assert "(now typing as admin)" in await terminal.type("/as admin")
    gaps = await terminal.type("/gaps")
    assert "coordinators only" not in gaps and "Unmet needs" in gaps


async def test_as_admin_is_the_configured_admin_when_there_is_one(settings, tmp_path):
    configured = Settings(database_url=settings.database_url, zones=default_zones(), admin_ids=(4242, 4343))
    terminal = await open_terminal(configured, tmp_path)
    try:
        await terminal.type("/as admin")
        assert terminal.chat.user.id == 4242
        await terminal.type("/as admin 2")
        assert terminal.chat.user.id == 4343
        assert terminal.chat.settings.admin_ids == (4242, 4343)  # nobody else was made an admin
    finally:
        await terminal.chat.stop()


# ----- 3. every number shown presses that button ------------------------------------------------------


async def test_numbers_run_on_across_messages_and_press_the_button_shown(terminal):
    await wants_news(terminal, "Ann")
    preview = await compose(terminal, "Street party on Saturday!")
    assert "[1] Stop these messages" in preview  # on the announcement as it will look ...
    assert "[2] 📣 Send it" in preview and "[3] Discard" in preview  # ... then on the question
    sent = await terminal.type("2")
    assert "discarded" not in sent.lower()
    assert "[to Ann] 📣 News from your People Zone" in sent


async def test_a_button_on_an_earlier_message_of_the_reply_is_pressed_on_that_message(terminal):
    await wants_news(terminal, "Ann")
    preview = await compose(terminal, "Street party on Saturday!")
    stopped = await terminal.press("Stop these messages", preview)  # the one on the first message
    assert "no more news" in stopped.lower()


async def test_a_number_not_shown_says_which_are(terminal):
    await terminal.type("hi")
    assert "There is no button 99; the buttons are 1 to" in await terminal.type("99")


# ----- 4. a number is text when the bot asked for typed words ---------------------------------------


async def test_a_number_answers_a_question_and_hash_presses_a_button(terminal):
    await terminal.type("/as admin")
    await terminal.type("/newevent")
    await terminal.type("Quiz Night")
    length = await terminal.type("Sat 28 Nov 19:00")
    assert "[2] 2 hours" in length
    typed = await terminal.type("2")  # "How long?" takes typed words: 2 is an answer, not a press
    assert "#2 presses button 2" in typed
    repeat = await terminal.type("#2")  # the escape presses "2 hours"
    once = await terminal.press("No, just once", repeat)  # a step with only buttons: numbers press
    assert "Where is it?" in once
    places = await terminal.type("Braunstone Library, LE3 1QE")
    assert "How many places" in places and "[1] No limit" in places
    about = await terminal.type("20")
    assert "There is no button" not in about
    preview = await terminal.type("Bring your own pen.")
    assert "Places: 20" in preview and "120 minutes" in preview


async def test_the_terminal_says_how_numbers_work_in_help(terminal):
    helped = await terminal.type("/help")
    assert "#2" in helped and "/wait" in helped and "/as NAME" in helped
    assert "#2" in await terminal.type("/chathelp")


async def test_a_number_next_to_quick_exit_always_presses_it(terminal):
    await terminal.type("/as Zoe")
    await terminal.type("/volunteer")  # the bot waits for typed words ...
    danger = await terminal.type("I want to end my life")  # ... and answers with help first
    exit_number = number("🚪 Quick exit", danger)
    assert await terminal.type(exit_number) == "Cleared.\n\n"


# ----- 5. the same name is the same person in every run -----------------------------------------------


async def test_a_name_is_the_same_person_in_every_run(settings, tmp_path):
    first = await open_terminal(settings, tmp_path)
    try:
        await first.type("/as Dev")
        await first.type("/loc LE15 6AA")
    finally:
        await first.chat.stop()
    second = await open_terminal(settings, tmp_path)
    try:
        assert "Dev" in second.chat.telegram.users  # known from the first run: the bot can reach him
        await second.type("/as Tom")  # someone new typed first this time
        await second.type("/as dev")
        assert second.chat.user.id == chat_user_id("Dev")
        assert "Rutland" in await second.type("/settings")  # his area from the first run
    finally:
        await second.chat.stop()
    assert chat_user_id("Tom") == chat_user_id(" tom ") != chat_user_id("Dev")


# ----- 6. files and pictures are saved ------------------------------------------------------------


async def test_files_and_pictures_are_saved_and_their_path_printed(terminal, tmp_path):
    await terminal.type("/as Ann")
    await terminal.type("/loc LE3 5EG")
    await terminal.type("somewhere to fix my spaceship")  # nothing answers it: a gap
    data = await terminal.type("/mydata")
    saved = tmp_path / "chat-files" / "my-data.json"
    assert f"saved: {saved}" in data
    assert json.loads(saved.read_text(encoding="utf-8"))
    await terminal.type("/as admin")
    gaps = await terminal.type("/gaps")
    [chart] = re.findall(r"saved: (\S+\.png)", gaps)
    [sheet] = re.findall(r"saved: (\S+\.csv)", gaps)
    assert Path(chart).read_bytes().startswith(b"\x89PNG")
    assert "unmet" in Path(sheet).read_text(encoding="utf-8-sig")


# ----- 7. a closed pipe ends quietly ------------------------------------------------------------------


class ClosedPipe(io.TextIOBase):
    """Standard output whose reader has gone (`| head` has read its lines and left)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize(
    "args", [["export", "-", "--format", "csv"], ["export", "-", "--format", "oruk"], ["search", "food"]]
)
def test_a_closed_pipe_ends_quietly_in_process(cli_env, capsys, monkeypatch, args):
    assert main(["import", str(FIXTURES / "assets_small.csv")]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdout", ClosedPipe())
    assert main(args) == 141  # as a shell reports a tool stopped by SIGPIPE
    assert "Traceback" not in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly_as_a_process(cli_env, tmp_path):
    assert main(["import", str(FIXTURES / "assets_small.csv")]) == 0
    env = {**os.environ, "PEOPLEZONES_DATABASE_URL": cli_env}
    reader_gone = subprocess.Popen(
        [sys.executable, "-m", "bot", "export", "-", "--format", "csv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path,
    )  # fmt: skip
    reader_gone.stdout.close()  # before it writes a byte: every write meets a closed pipe
    _, err = reader_gone.communicate(timeout=120)
    assert reader_gone.returncode == 141
    assert b"Traceback" not in err and b"BrokenPipeError" not in err


# ----- 8. the README's walk through the whole product ------------------------------------------------


async def test_the_readme_walkthrough_works_with_no_config(sessions, database_url, tmp_path):
    settings = Settings(database_url=database_url, zones=default_zones())
    await demo.load(sessions, ZoneMap(settings.zones))
    await demo.load_events(sessions, settings, THURSDAY_MORNING)
    t = await open_terminal(settings, tmp_path)
    try:
        found = await t.type("food bank near LE4")
        assert "Here's what I found" in found
        assert "📍" in await t.press("1 · Details", found)
        assert "Sorry, I couldn't find anything" in await t.type("piano lessons")  # a gap
        await t.type("/as Dev")
        await t.type("/volunteer")
        asked = await t.type("I can do a bit of DIY and help with shopping")
        when = await t.press("Yes", asked)
        when = await t.press("Weekends", when)
        where = await t.press("Done", when)
        assert "Where can you help?" in where
        far = await t.type("LE3")
        contact = await t.press("Up to 5 km", far)
        dbs = await t.press("Through this bot only", contact)
        done = await t.press("Yes", dbs) if "DBS" in dbs else dbs
        assert "[to admin]" in done
        await t.type("/as admin")
        approved = await t.press("Approve", await t.type("/pending"))
        assert "[to Dev] Good news" in approved
        await t.type("/as Ann")
        await t.type("/loc LE3 5EG")
        results = await t.type("need help with my shopping")
        how = await t.press("🙋 Ask a volunteer", results)
        asked = await t.press("Through this bot only", how)
        assert "[to Dev]" in asked
        await t.type("/as Dev")
        introduced = await t.type(number("Yes, I can help", asked))
        assert "[to Ann] Good news: a volunteer has said they can help." in introduced
        await t.type("/as admin")
        await t.type("/newevent")
        await t.type("Quiz Night")
        await t.type("tomorrow 18:00")
        repeat = await t.type("#2")
        await t.press("No, just once", repeat)
        await t.type("Braunstone Library, LE3 1QE")
        about = await t.type("20")
        preview = await t.press("Skip", about)
        published = await t.press("✅ Publish", preview)
        assert "Published!" in published
        await t.type("/as Ann")
        card = await t.press("· Quiz Night", await t.type("/whatson"))
        await t.press("✅ I'm going", card)
        waited = await t.type("/wait 1d")
        assert "[to Ann] ⏰ Reminder: Quiz Night" in waited
        await t.press("📣 Send me local news", await t.type("/settings"))
        await t.type("/as admin")
        await t.type("/broadcast")
        who = await t.type("Street party on Saturday!")
        where = await t.press("Everyone who asked for local news", who)
        preview = await t.press("All my zones", where)
        sent = await t.press("📣 Send it", preview)
        assert "[to Ann] 📣 News from your People Zone" in sent
        gaps = await t.type("/gaps")
        [chart] = re.findall(r"saved: (\S+\.png)", gaps)
        assert Path(chart).read_bytes().startswith(b"\x89PNG")
        later = await t.type("/wait 4d")  # and a few days on, both sides of the introduction are asked
        assert "[to Ann] A few days ago you were put in touch" in later
        assert "[to Dev] A few days ago you were put in touch" in later
    finally:
        await t.chat.stop()
