"""`peoplezones chat`: the real bot in a terminal, through the in-process Telegram emulation.

No token, no network, and the bot runs as it does in production: the Application is started, so
its job queue sends reminders, notices, announcements and follow-ups in the background (shown as
`[to NAME] …`). The bot's clock is the machine's time plus whatever `/wait` added: `/wait 2h`
moves it on step by step, stopping at everything that falls due on the way and sending it then.

Buttons are numbered so a person can type `1` to press one (or `#1` when the bot is waiting for a
typed answer, where a number is text); `/loc` shares a location; `/as NAME` switches who is typing
(`/as NAME LANG`: someone whose Telegram is set to language LANG, like `/as amira ar`)
(the same Telegram id for the same name, every run); files and pictures the bot sends are saved
in var/chat-files/. Piped input gets one reply block per line.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import sys
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TextIO

from apscheduler.triggers.date import DateTrigger
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import messages as m
from bot.app import build_application, start_bot, stop_bot
from bot.clock import ShiftedClock, system_clock
from bot.config import Settings
from bot.context import KEY
from bot.emulation import ChatMessage, EmulatedRequest, EmulatedTelegram, EmulatedUser, deliver
from bot.handlers import RETENTION_SECONDS, flows
from bot.handlers.introductions import send_follow_ups
from bot.handlers.privacy import run_retention
from bot.pipeline import state as conversation_state
from bot.senders.announcements import send_due_deliveries
from bot.senders.notices import send_due_notices
from bot.senders.outgoing import send_due_messages
from bot.services.pacing import FastForwardTimer
from bot.services.places import district_point, find_postcode
from db.models import Delivery, Introduction, OutgoingMessage, Reminder

TOKEN = "1000:TERMINAL"
ADMIN = "admin"
YOU = "You"  # who types until /as says otherwise
_BIDI_ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2})?")  # the LANG of `/as NAME LANG`: "ar", "pa-IN"
FILES_DIR = Path("var") / "chat-files"
MAX_WAIT = timedelta(days=90)
RETENTION_EVERY = timedelta(seconds=RETENTION_SECONDS)  # the bot's daily retention job

_COORDINATES = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
_ADMIN_NAME = re.compile(ADMIN + r"(?:\s*(\d{1,3}))?", re.IGNORECASE)
_NUMBER = re.compile(r"[0-9]{1,4}")
_HASH_NUMBER = re.compile(r"#\s*([0-9]{1,4})")
_SPAN_PART = re.compile(r"(\d+)\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)(?![a-z])", re.IGNORECASE)
_SPAN_GLUE = re.compile(r"(?:[\s,]|and)*", re.IGNORECASE)
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class MovableClock(Protocol):
    def __call__(self) -> datetime: ...

    def advance(self, **delta: float) -> None: ...


def chat_user_id(name: str) -> int:
    """The Telegram id the terminal gives NAME: a hash of the name (spaces tidied, any case), so
    `/as Tom` is the same person in every run, on any database, whoever else was typed first."""
    key = " ".join(name.split()).casefold().encode("utf-8")
    digest = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")
    return 1_000_000_000 + digest % 1_000_000_000  # ten digits, like a real user's; never the bot's


def people_file_for(database_url: str) -> Path:
    """Where the chat lists the names typed with /as: beside a SQLite database file, else in var/.
    Ids come from the names (chat_user_id); the list is only so the bot can reach, in a new run,
    people nobody has typed as yet in it (a volunteer asked for an introduction, say)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(database.stem + "-chat-people.txt")
    return FILES_DIR.parent / "chat-people.txt"


def read_span(text: str) -> timedelta | None:
    """'30m', '2h', '1d', '1d 6h', '90 minutes': how long; None if it is not that."""
    text = text.strip()
    parts = list(_SPAN_PART.finditer(text))
    if not parts or not _SPAN_GLUE.fullmatch(_SPAN_PART.sub("", text)):
        return None
    return sum((int(p.group(1)) * _UNITS[p.group(2)[0].lower()] for p in parts), timedelta(0))


@dataclass(frozen=True)
class ShownButton:
    """A button as it was numbered on the screen: which message it was on, and what it does."""

    chat_id: int
    message_id: int
    text: str
    data: str | None
    url: str | None


class TerminalChat:
    def __init__(
        self,
        settings: Settings,
        out: TextIO,
        clock: MovableClock | None = None,
        files_dir: Path | None = None,
        people_file: Path | None = None,
    ) -> None:
        self.out = out
        self.people_file = people_file or people_file_for(settings.database_url)
        self.clock: MovableClock = clock or ShiftedClock()
        self.files_dir = files_dir or FILES_DIR
        # The terminal's `admin` is an admin of this chat's bot (only here: a deployment's config
        # is read, never written). One person at a keyboard: no flood limits, as in rate_limits.
        admins = settings.admin_ids or (chat_user_id(ADMIN),)
        self.settings = replace(settings, flood_per_minute=0, admin_ids=admins)
        self.telegram = EmulatedTelegram(token=TOKEN, rate_limits=False, now=lambda: self.clock().timestamp())
        self.app = build_application(
            self.settings,
            TOKEN,
            request=EmulatedRequest(self.telegram),
            clock=self.clock,
            rate_limiter=False,
            timer=FastForwardTimer(),  # nobody to protect from bursts here: no real waiting
        )
        if (queue := self.app.job_queue) is not None:
            # A job kept waiting while the chat drove the bot (a reply, a /wait) or read piped
            # input still runs, late, rather than being skipped with a warning.
            queue.scheduler.configure(
                **queue.scheduler_configuration, job_defaults={"misfire_grace_time": None}
            )
        # Everyone typed as before on this database, so the bot can reach them before `/as` does
        self.user: EmulatedUser = self.person(YOU)
        for number in range(1, len(admins) + 1):
            self.person(f"{ADMIN} {number}")
        for name in self.known_names():
            self.person(name)
        self.cursor = self.telegram.mark()  # everything the bot did up to here has been shown
        self.buttons: dict[int, list[ShownButton]] = {}  # per person: the numbers last shown
        self.saved: dict[tuple[int, int], Path] = {}
        self.file_names: set[str] = set()
        self.last_retention = self.clock()
        self.busy = False
        self.number_as_text: str | None = None  # a number just sent as an answer, not a press

    # ----- running ------------------------------------------------------------------------------

    async def start(self) -> None:
        """As in production: initialise, then start the Application (its job queue runs)."""
        # PTB says at INFO when the Application stops; here that is the chat's own business
        logging.getLogger("telegram.ext.Application").setLevel(logging.WARNING)
        await start_bot(self.app)
        await self.app.start()

    async def stop(self) -> None:
        if self.app.running:
            await self.app.stop()
        await stop_bot(self.app)

    def intro(self) -> str:
        """What an interactive chat starts with: what this is, and the terminal's own commands."""
        return m.CHAT_INTRO + "\n" + m.CHAT_HELP.format(files=self.files_dir).split("\n", 1)[1]

    def say(self, text: str) -> None:
        # Telegram lays out right-to-left text by the isolates the bot puts round numbers and
        # names; a terminal would print them as marks, so they are left out here
        print(text.translate(_BIDI_ISOLATES), file=self.out, flush=True)

    async def handle(self, line: str) -> bool:
        """One input line; False when the person wants to leave."""
        text = line.rstrip("\n")
        command = text.strip()
        if command in ("/quit", "/exit"):
            return False
        self.busy = True
        try:
            self.show_new(background=True)  # whatever arrived since the last line
            if command == "/chathelp":
                self.say(m.CHAT_HELP.format(files=self.files_dir) + "\n")
            elif text.startswith("/as ") or command == "/as":
                self.switch_user(command[3:].strip())
            elif command == "/wait" or command.startswith("/wait "):
                await self.wait(command[5:])
            else:
                await self.act(text)
                if command == "/help" or command.startswith("/help "):
                    self.say(m.CHAT_HELP.format(files=self.files_dir) + "\n")
        finally:
            self.busy = False
        return True

    async def act(self, text: str) -> None:
        """Send the line to the bot (as a message, a button press or a location) and show the reply."""
        update = await self.update_for(text)
        if update is None:
            return
        async with self.jobs_held():
            await deliver(self.app, update)
            await self.run_wake_ups()
        if not self.show_new():
            self.say(m.CHAT_NO_REPLY + "\n")
        if as_text := self.number_as_text:
            self.say(m.CHAT_NUMBER_AS_TEXT.format(number=as_text) + "\n")

    async def update_for(self, text: str) -> dict[str, Any] | None:
        command = text.strip()
        self.number_as_text = None
        if command.startswith("/loc"):
            update = self.location_update(command[4:].strip())
            if update is None:
                self.say(m.CHAT_BAD_LOCATION)
            return update
        if match := _HASH_NUMBER.fullmatch(command):
            return self.press_number(int(match.group(1)))
        if _NUMBER.fullmatch(command) and (shown := self.buttons.get(self.user.id)):
            index = int(command) - 1
            exit_shown = 0 <= index < len(shown) and shown[index].text == m.BUTTON_QUICK_EXIT
            if exit_shown or not await self.waiting_for_text():  # getting out comes before any answer
                return self.press_number(index + 1)
            if 0 <= index < len(shown):
                self.number_as_text = command
        return self.user.send(text)

    async def waiting_for_text(self) -> bool:
        """Whether the bot asked this person a question they answer by typing, not with a button
        (a flow's `pressed` steps, where a typed number presses one): read from their conversation
        state in the database, as the bot would."""
        async with self.app.bot_data[KEY].sessions() as session:
            user_data = await conversation_state.peek(session, self.user.id)
        return flows.waiting_for_text(user_data)

    def press_number(self, number: int) -> dict[str, Any] | None:
        """Press the button shown with NUMBER, on the message it was shown on."""
        shown = self.buttons.get(self.user.id, [])
        if not shown:
            self.say(m.CHAT_NO_BUTTONS)
            return None
        if not 1 <= number <= len(shown):
            self.say(m.CHAT_NO_SUCH_BUTTON.format(number=number, last=len(shown)))
            return None
        button = shown[number - 1]
        message = self.telegram.chat(button.chat_id).messages.get(button.message_id)
        if message is None or message.deleted or not _still_has(message, button):
            self.say(m.CHAT_BUTTON_GONE.format(number=number))
            return None
        if button.data is None:
            self.say(m.CHAT_OPENS_LINK.format(url=button.url))
            return None
        return self.user.press_data(button.data, message)

    def location_update(self, where: str) -> dict[str, Any] | None:
        if match := _COORDINATES.match(where):
            return self.user.share_location(float(match.group(1)), float(match.group(2)))
        point = district_point(find_postcode(where)) if find_postcode(where) else None
        return self.user.share_location(point.latitude, point.longitude) if point else None

    # ----- people -------------------------------------------------------------------------------

    def person(self, name: str) -> EmulatedUser:
        """The emulated user NAME, with the same id in every run (see chat_user_id); `admin` is the
        first of the admins (`admin 2` the second...)."""
        name = " ".join(name.split()) or YOU
        admin = _ADMIN_NAME.fullmatch(name)
        number = int(admin.group(1) or 1) if admin else 0
        if 1 <= number <= len(self.settings.admin_ids):
            name = ADMIN if number == 1 else f"{ADMIN} {number}"
            user_id = self.settings.admin_ids[number - 1]
        else:
            number, user_id = 0, chat_user_id(name)
        for user in self.telegram.users.values():
            if user.id == user_id:
                return user
        if not number and name != YOU and name not in self.known_names():
            with contextlib.suppress(OSError):  # a read-only folder: they are known for this run only
                self.people_file.parent.mkdir(parents=True, exist_ok=True)
                with self.people_file.open("a", encoding="utf-8") as names:
                    names.write(name + "\n")
        return self.telegram.user(name, user_id=user_id)

    def known_names(self) -> list[str]:
        """The names typed with /as on this database before (see people_file_for)."""
        try:
            return [n.strip() for n in self.people_file.read_text(encoding="utf-8").splitlines() if n.strip()]
        except OSError:
            return []

    def switch_user(self, words: str) -> None:
        """`/as NAME`, or `/as NAME LANG`: as someone whose Telegram is set to language LANG."""
        name, code = words, None
        if (parts := words.split()) and len(parts) > 1 and _LANGUAGE_CODE.fullmatch(parts[-1]):
            name, code = " ".join(parts[:-1]), parts[-1]
        self.user = self.person(name)
        if code is not None:
            self.user.language_code = code
        self.say(m.CHAT_NOW_TYPING_AS.format(name=self.user.name))
        if code is not None:
            self.say(m.CHAT_TELEGRAM_LANGUAGE.format(code=code))

    # ----- timed work -----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def jobs_held(self) -> AsyncIterator[None]:
        """The job queue waits while the chat drives the bot itself: a job already running finishes
        first, and none starts until the reply (or the /wait) is done."""
        queue = self.app.job_queue
        scheduler = queue.scheduler if queue is not None and self.app.running else None
        if scheduler is None or not scheduler.running:
            yield
            return
        scheduler.pause()
        try:
            # the jobs running now (PTB's JobQueue.stop waits for them the same way)
            running = getattr(getattr(queue, "_executor", None), "_pending_futures", ())
            await asyncio.gather(*running, return_exceptions=True)
            yield
        finally:
            scheduler.resume()

    async def run_wake_ups(self) -> None:
        """Run the one-off jobs the bot has set to go now (a broadcast's "start sending", a notice's
        "send it now", the next due reminder once its time has come), as the job queue would."""
        queue = self.app.job_queue
        if queue is None:
            return
        for _ in range(50):  # a job may set another; never loop for ever
            now = system_clock()  # APScheduler keeps the machine's time, not the bot's
            due = [
                job
                for job in queue.jobs()
                if isinstance(job.job.trigger, DateTrigger) and job.next_t is not None and job.next_t <= now
            ]
            if not due:
                return
            for job in due:
                job.schedule_removal()
                await job.run(self.app)

    async def run_timed_work(self) -> None:
        """What the bot's repeating jobs do, at the bot's time now."""
        await send_due_notices(self.app)
        await send_due_deliveries(self.app)
        await send_follow_ups(self.app)
        await send_due_messages(self.app)
        if self.clock() - self.last_retention >= RETENTION_EVERY:
            await run_retention(self.app)
            self.last_retention = self.clock()
        await self.run_wake_ups()

    async def next_due(self, after: datetime) -> datetime | None:
        """The next moment after AFTER when something timed falls due: a reminder or notice, an
        announcement's or a message's retry, an introduction's follow-up."""
        sessions = self.app.bot_data[KEY].sessions
        async with sessions() as session:
            times = [
                await session.scalar(
                    select(func.min(Reminder.due_at)).where(
                        Reminder.status == "pending", Reminder.due_at > after
                    )
                ),
                await session.scalar(
                    select(func.min(Delivery.due_at)).where(
                        Delivery.status == "pending", Delivery.due_at > after
                    )
                ),
                await session.scalar(
                    select(func.min(OutgoingMessage.due_at)).where(
                        OutgoingMessage.status == "pending", OutgoingMessage.due_at > after
                    )
                ),
                await session.scalar(
                    select(func.min(Introduction.follow_up_due_at)).where(
                        Introduction.status == "accepted",
                        Introduction.follow_up_sent_at.is_(None),
                        Introduction.follow_up_due_at > after,
                    )
                ),
            ]
        return min((t for t in times if t is not None), default=None)

    async def wait(self, span_text: str) -> None:
        """`/wait 2h`: move the bot's clock on, stopping at each moment something falls due and
        sending it then, as if the time had passed (a reminder due before an event is sent before
        it, not dropped as too late)."""
        span = read_span(span_text)
        if span is None or span <= timedelta(0):
            self.say(m.CHAT_WAIT_USAGE + "\n")
            return
        if span > MAX_WAIT:
            self.say(m.CHAT_WAIT_TOO_LONG + "\n")
            return
        target = self.clock() + span
        async with self.jobs_held():
            await self.run_wake_ups()
            while True:
                now = self.clock()
                due = await self.next_due(now)
                stop = min(target, due or target, self.last_retention + RETENTION_EVERY)
                if stop > now:
                    self.clock.advance(seconds=(stop - now).total_seconds())
                await self.run_timed_work()
                self.show_new(background=True, header=m.CHAT_TIME_STEP.format(when=self.when(stop)))
                if stop >= target:
                    break
        self.say(m.CHAT_TIME_NOW.format(when=self.when(self.clock())) + "\n")

    def when(self, moment: datetime) -> str:
        return moment.astimezone(self.settings.tz).strftime("%a %d %b %Y, %H:%M")

    # ----- showing --------------------------------------------------------------------------------

    def has_new(self) -> bool:
        """Whether the bot has sent or changed a message since the last time anything was shown."""
        return any(
            self.telegram.bot_messages_since(user, self.cursor) for user in self.telegram.users.values()
        )

    def show_new(self, background: bool = False, header: str | None = None) -> bool:
        """Print what the bot sent or changed since the last time, person by person (the one typing
        first); buttons numbered from 1 for each person. BACKGROUND: nobody typed anything for
        it (a reminder, an announcement), so every message says who it went to."""
        people = [self.user, *(u for u in self.telegram.users.values() if u is not self.user)]
        printed = False
        for user in people:
            messages = self.telegram.bot_messages_since(user, self.cursor)
            if not messages:
                continue
            if header is not None and not printed:
                self.say(header)
            printed = True
            label = f"[to {user.name}] " if background or user is not self.user else ""
            numbered: list[ShownButton] = []
            for message in messages:
                text = self.render(message, numbered)
                self.say(label + text.replace("\n", "\n" + " " * len(label)))
                self.say("")
            if numbered:
                self.buttons[user.id] = numbered
        self.cursor = self.telegram.mark()
        return printed

    def render(self, message: ChatMessage, numbered: list[ShownButton]) -> str:
        """A message as text, its buttons numbered on from len(NUMBERED) (and added to it)."""
        lines = [content(message)]
        if (path := self.save_file(message)) is not None:
            lines.append("   " + m.CHAT_FILE_SAVED.format(path=path))
        for row in (message.reply_markup or {}).get("inline_keyboard") or []:
            cells = []
            for button in row:
                numbered.append(
                    ShownButton(
                        message.chat_id, message.message_id, button["text"],
                        button.get("callback_data"), button.get("url"),
                    )
                )  # fmt: skip
                cells.append(f"[{len(numbered)}] {button['text']}")
            lines.append("   " + "   ".join(cells))
        if message.keyboard:
            lines.append("   (you can type: " + " / ".join(" ".join(row) for row in message.keyboard) + ")")
        return "\n".join(lines)

    def save_file(self, message: ChatMessage) -> Path | None:
        """Save a file or picture the bot sent into the files folder, once; where it is."""
        file = message.file
        if file is None or file.data is None or message.kind not in ("document", "photo"):
            return None
        key = (message.chat_id, message.message_id)
        if key not in self.saved:
            name = first = _file_name(file.filename, file.data, message.message_id)
            number = 1
            while name in self.file_names:  # gaps.csv twice in one run: gaps-2.csv
                number += 1
                name = f"{Path(first).stem}-{number}{Path(first).suffix}"
            self.file_names.add(name)
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / name
            path.write_bytes(file.data)
            self.saved[key] = path
        return self.saved[key]


def _still_has(message: ChatMessage, button: ShownButton) -> bool:
    """Whether MESSAGE still carries BUTTON (it may have been edited since it was shown)."""
    for row in (message.reply_markup or {}).get("inline_keyboard") or []:
        for found in row:
            if (found.get("callback_data"), found.get("url")) == (button.data, button.url):
                return True
    return False


def _file_name(given: str | None, data: bytes, message_id: int) -> str:
    """A safe file name: the one the bot gave (no folders), or picture-N with the right ending."""
    name = Path(given or "").name.strip().lstrip(".")
    name = re.sub(r"[^\w.\-]+", "-", name)[:120]
    if name:
        return name
    ending = ".png" if data.startswith(b"\x89PNG") else ".jpg" if data.startswith(b"\xff\xd8") else ".bin"
    return f"picture-{message_id}{ending}"


def content(message: ChatMessage) -> str:
    """What the message says, without the button rows that `render` adds below it."""
    lines = message.render().split("\n")
    extra = len(message.buttons) + len(message.keyboard)
    return "\n".join(lines[: len(lines) - extra] if extra else lines)


class _LineReader:
    """Reads the keyboard in a thread, so the bot's job queue keeps running while a person types."""

    def __init__(self, prompt: str) -> None:
        self.prompt = prompt
        self.loop = asyncio.get_running_loop()
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()
        self.wanted = threading.Event()
        self.waiting = False  # the prompt is on the screen
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            try:
                line: str | None = input(self.prompt)
            except EOFError:
                line = None
            self.loop.call_soon_threadsafe(self.lines.put_nowait, line)
            if line is None:
                return

    async def next_line(self) -> str | None:
        self.waiting = True
        self.wanted.set()
        try:
            return await self.lines.get()
        finally:
            self.waiting = False


async def _show_background(chat: TerminalChat, reader: _LineReader) -> None:
    """While the prompt waits, print what the job queue sends (then the prompt again)."""
    while True:
        await asyncio.sleep(0.5)
        if reader.waiting and not chat.busy and chat.has_new():
            chat.say("")
            chat.show_new(background=True)
            print(reader.prompt, end="", file=chat.out, flush=True)


async def run_chat(
    settings: Settings,
    lines: Iterable[str] | None = None,
    out: TextIO | None = None,
    clock: MovableClock | None = None,
    files_dir: Path | None = None,
    people_file: Path | None = None,
) -> None:
    """Chat until the input ends or /quit. LINES defaults to standard input, OUT to standard output;
    CLOCK (the bot's) defaults to the machine's time, moved on by /wait."""
    chat = TerminalChat(
        settings, out or sys.stdout, clock=clock, files_dir=files_dir, people_file=people_file
    )
    interactive = lines is None and sys.stdin.isatty()
    await chat.start()
    try:
        if interactive:
            chat.say(chat.intro() + "\n")
            await chat.handle("/start")
            reader = _LineReader("you> ")
            printer = asyncio.create_task(_show_background(chat, reader))
            try:
                while (line := await reader.next_line()) is not None and await chat.handle(line):
                    pass
            finally:
                printer.cancel()
        else:
            for line in lines if lines is not None else sys.stdin:
                chat.say(f"you> {line.rstrip()}")
                if not await chat.handle(line):
                    break
    finally:
        await chat.stop()
