"""Property: whatever people throw at the bot, it answers sensibly or stays silent on purpose.

Hypothesis draws short sequences of actions by three people (a resident, another resident and an
admin, who is also a coordinator): random text (any Unicode, control characters, emoji, up to
4096 characters, empty), commands known and unknown with random arguments, forged button data
(valid-looking and garbage), presses of buttons really on the bot's messages, locations, stickers,
voice, photos and files, edits, forwards, group messages, blocking the bot, and time passing.
Each sequence runs through the whole Application on the emulated Telegram, and after every
update:

- no exception reached the Application's error handler;
- a message, command, edit, forward, location or file got at least one bot message in that chat,
  unless the flood limit dropped it (a deliberate silence);
- a button press was answered (no spinner left), dropped by the flood limit or not;
- a message in a group got the one polite note and the bot left;
- nothing the bot sent broke Telegram's rules (the emulation refuses those with a 400, which
  would reach the error handler; the calls are checked as well).

After every sequence the database is checked for consistency. One Application serves every
example (building one per example would be far too slow); each example starts from a clean
database (the directory stays), clean conversation state, a fresh flood control and the clock
back at Thursday morning, so a failure shrinks and replays.
"""

from __future__ import annotations

import asyncio
import os
import re
import unicodedata
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text
from telegram.ext import CommandHandler

from bot import messages as m
from bot.config import Settings, default_zones
from bot.context import KEY
from bot.handlers.guard import FLOOD_KEY
from bot.services.flood import FloodControl, Verdict
from bot.services.typed_text import clean_text
from bot.views import buttons
from db.models import Base
from tests.conversation import THURSDAY_MORNING, close_conversation, open_conversation

NAMES = ("Ann", "Bob", "Cora")
CORA = 1003  # ids are handed out in order from 1001; Cora is the admin
DIRECTORY = {"assets", "organisations", "asset_classifications", "category_corrections"}
# 200 keep the suite quick; PEOPLEZONES_PROPERTY_EXAMPLES=5000 for a long hunt before a release
EXAMPLES = int(os.environ.get("PEOPLEZONES_PROPERTY_EXAMPLES", "200"))

# Words that move the bot's flows along, so random sequences get past the first question.
PHRASES = [
    "food bank", "any food banks in LE4", "somewhere for my lad after school", "LE4", "LE15 6AA",
    "Oakham", "Narnia", "yes", "no", "Skip", "skip", "none", "hi", "thanks", "ok", "1", "2", "20",
    "tomorrow 10:30", "Fri 4 Dec 18:00", "4/12 6pm", "2 hours", "90", "weekly", "monthly",
    "Beaumont Leys Library, LE4 1DS", "Coffee morning", "I can do a bit of DIY",
    "I speak Gujarati and Punjabi", "weekends", "5 miles", "Mon-Fri 09:00-17:00", "0116 496 0000",
    "https://example.org", "they closed last month", "my partner hits me and I'm scared",
    "<b>bold</b> & <script>", "😀😀😀", "\u200b", "ｆｏｏｄ ｂａｎｋ", "\u202eknab doof",
]  # fmt: skip
ODD = st.characters(categories=["Cc", "Cf", "Mn", "Me", "Zs", "Zl", "Zp", "So", "Co"])


def _fits(value: str) -> str:
    """At most 4096 UTF-16 code units, as Telegram counts a message's length."""
    while len(value.encode("utf-16-le")) // 2 > 4096:
        value = value[: len(value) - 64]
    return value


def _data_fits(value: str) -> bool:
    return 0 < len(value.encode()) <= 64


texts = st.one_of(
    st.sampled_from(PHRASES),
    st.text(max_size=120),
    st.text(alphabet=ODD, max_size=30),
    st.builds(lambda phrase, junk: junk + phrase + junk, st.sampled_from(PHRASES), st.text(ODD, max_size=5)),
    st.builds(lambda seed, n: _fits(seed * n), st.text(min_size=1, max_size=12), st.integers(300, 4096)),
).map(_fits)
forged_data = st.one_of(
    st.sampled_from([k.pattern for k in buttons.kinds()]).flatmap(lambda p: st.from_regex(p, fullmatch=True)),
    st.from_regex(r"[a-z]{2}:[0-9]{1,3}(:[0-9a-z]{1,12})?", fullmatch=True),
    st.text(min_size=1, max_size=64),
).filter(_data_fits)
who = st.sampled_from(NAMES)


@dataclass(frozen=True)
class Act:
    kind: str
    name: str = "Ann"
    value: object = None
    extra: object = None


def actions(commands: list[str]) -> st.SearchStrategy[Act]:
    command = st.one_of(st.sampled_from(commands), st.from_regex(r"[a-z_]{1,12}", fullmatch=True))
    arguments = st.one_of(st.just(""), st.sampled_from(["ev1", "ev99999", "inv" + "x" * 20]), texts)
    media = st.sampled_from(["sticker", "voice", "photo", "csv", "ics", "txt"])
    place = st.one_of(
        st.tuples(st.floats(52.4, 52.8), st.floats(-1.4, -0.6)),  # Leicestershire and Rutland
        st.tuples(st.floats(-90, 90), st.floats(-180, 180)),  # anywhere
    )
    say = st.builds(Act, st.just("text"), who, st.one_of(st.sampled_from(PHRASES), texts))
    press = st.builds(Act, st.just("press"), who, st.integers(0, 1000))  # a button the bot showed
    return st.one_of(
        say,
        say,
        press,
        press,
        press,
        st.builds(Act, st.just("command"), who, command, arguments),
        st.builds(Act, st.just("command"), who, st.sampled_from(commands), st.just("")),
        st.builds(Act, st.just("data"), who, forged_data),
        st.builds(Act, st.just("location"), who, place),
        st.builds(Act, st.just("media"), who, media, st.one_of(st.none(), st.binary(max_size=300), texts)),
        st.builds(Act, st.just("edit"), who, texts),
        st.builds(Act, st.just("forward"), who, st.one_of(texts, command.map(lambda c: "/" + c))),
        st.builds(Act, st.just("group"), who, st.sampled_from(["group", "supergroup"]), texts),
        st.builds(Act, st.just("clock"), value=st.sampled_from([1, 3, 30, 61, 3600, 86400 * 3])),
        st.builds(Act, st.just("block"), who),
    )


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.text(ODD, max_size=40), texts))
def test_cleaned_text_is_clean_and_cleaning_again_changes_nothing(value):
    cleaned = clean_text(value)
    assert _clean(cleaned) and clean_text(cleaned) == cleaned
    assert cleaned == cleaned.strip() and "  " not in cleaned and "\n\n\n" not in cleaned
    assert len(cleaned) <= len(unicodedata.normalize("NFKC", value))


class RecordingFlood(FloodControl):
    """The real flood control, remembering its last verdict so a silence can be told apart."""

    last: Verdict | None = None

    def check(self, user_id, now):  # type: ignore[no-untyped-def]
        self.last = super().check(user_id, now)
        return self.last


@dataclass
class Run:
    """One Application and what every example shares."""

    chat: object
    sessions: object
    flood: RecordingFlood = field(default_factory=RecordingFlood)
    errors: list[BaseException] = field(default_factory=list)
    examples: int = 0
    updates: int = 0


@pytest.fixture
async def run(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    chat = await open_conversation(sessions, database_url, settings=settings, flood_control=True)
    state = Run(chat, sessions)

    async def record(update, context):  # a second error handler: the bot's own still runs
        state.errors.append(context.error)

    chat.app.add_error_handler(record)
    users = [chat.telegram.user(name) for name in NAMES]
    assert [u.id for u in users][-1] == CORA
    yield state
    await close_conversation(chat)


async def test_whatever_people_send_the_bot_answers_or_stays_silent_on_purpose(run):
    commands = sorted(
        {
            c
            for group in run.chat.app.handlers.values()
            for h in group
            if isinstance(h, CommandHandler)
            for c in h.commands
        }
    )
    assert {"start", "help", "newevent", "broadcast"} <= set(commands)
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,  # one run's failures are not replayed into another's database
    )
    @given(st.lists(actions(commands), min_size=1, max_size=12))
    def sequence(acts: list[Act]) -> None:
        asyncio.run_coroutine_threadsafe(_play(run, acts), loop).result()

    await asyncio.to_thread(sequence)  # Hypothesis drives from a thread; every example runs on this loop
    assert run.examples >= EXAMPLES and run.updates > EXAMPLES


async def _play(run: Run, acts: list[Act]) -> None:
    await _reset(run)
    run.examples += 1
    for act in acts:
        await _act(run, act)
    await _check_database(run)


async def _reset(run: Run) -> None:
    chat = run.chat
    async with run.sessions.begin() as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in DIRECTORY:
                await session.execute(delete(table))
    for user_id in list(chat.app.user_data):
        chat.app.drop_user_data(user_id)
    for chat_id in list(chat.app.chat_data):
        chat.app.drop_chat_data(chat_id)
    limits = chat.app.bot_data[KEY].settings
    run.flood = RecordingFlood(limits.flood_per_minute, limits.flood_burst)
    chat.app.bot_data[FLOOD_KEY] = run.flood
    chat.clock.now = THURSDAY_MORNING
    for name in NAMES:
        chat.telegram.block(chat.telegram.user(name), False)
    run.errors.clear()


async def _act(run: Run, act: Act) -> None:
    chat, telegram = run.chat, run.chat.telegram
    if act.kind == "clock":
        chat.clock.advance(seconds=act.value)
        return
    user = telegram.user(act.name)
    if act.kind == "block":
        update = user.unblock_bot() if user.chat.blocked else user.block_bot()
        await _deliver(run, act, user, update, expect=False)
        return
    if user.chat.blocked:
        return  # someone who blocked the bot cannot write to it
    if act.kind == "group":
        group = telegram.group("Neighbours", type=act.value)
        update = user.send(act.extra or "hello", chat=group)
        await _deliver(run, act, group, update, expect=True)
        assert group.left, "the bot stays in a group"
        return
    if act.kind in ("press", "data"):
        message = _pressable(user, act.value) if act.kind == "press" else _any_bot_message(user)
        if message is None:
            return
        data = message[1] if act.kind == "press" else act.value
        update = user.press_data(data, message[0])
        await _deliver(run, act, user, update, expect=False)
        query = telegram.callback_queries[update["callback_query"]["id"]]
        assert query.answered, f"button {data!r} left spinning"
        return
    update = _update(user, act)
    if update is None:
        return
    await _deliver(run, act, user, update, expect=True)


async def test_a_reply_telegram_refuses_fails_the_property(run, monkeypatch):
    """The checks above would notice a reply Telegram refuses, even one a handler swallowed."""
    await _reset(run)
    ann = run.chat.telegram.user("Ann")
    monkeypatch.setattr(m, "TELL_ME_MORE", "x" * 4097)  # one character over the limit
    with pytest.raises(AssertionError, match=r"error handler saw|Telegram refused"):
        await _deliver(run, Act("text", "Ann", "hi"), ann, ann.send("hi"), expect=True)
    await _reset(run)
    monkeypatch.setattr(m, "EVENTS_FILE_UNREADABLE", "<b>unclosed {reason}")  # bad HTML, sent with tell()
    cora = run.chat.telegram.user("Cora")
    with pytest.raises(AssertionError, match=r"Telegram refused sendMessage: .*can't parse"):
        await _deliver(run, Act("media", "Cora"), cora, cora.send_document(b"", "x.csv"), expect=True)


def _update(user, act: Act) -> dict | None:
    if act.kind == "text":
        return user.send(act.value)
    if act.kind == "command":
        return user.send(f"/{act.value} {act.extra}".strip())
    if act.kind == "location":
        return user.share_location(*act.value)
    if act.kind == "forward":
        return user.forward(act.value)
    if act.kind == "edit":
        mine = [m for m in user.transcript() if not (m.from_bot or m.deleted) and m.kind == "text"]
        return user.edit(mine[-1], act.value) if mine else None
    if act.kind == "media":
        payload = act.extra
        caption = payload if isinstance(payload, str) else None
        if act.value == "sticker":
            return user.send_sticker()
        if act.value == "voice":
            return user.send_voice()
        if act.value == "photo":
            return user.send_photo(caption=caption[:1024] if caption else None)
        data = payload if isinstance(payload, bytes) else (payload or "").encode()
        return user.send_document(
            data or b"\n", f"upload.{act.value}", caption=caption[:1024] if caption else None
        )
    raise AssertionError(act.kind)


async def _deliver(run: Run, act: Act, where, update: dict, *, expect: bool) -> None:
    chat, telegram = run.chat, run.chat.telegram
    run.flood.last = None
    mark, calls = telegram.mark(), len(telegram.calls)
    await chat.act(where, update)
    run.updates += 1
    assert not run.errors, f"{act}: the error handler saw {run.errors!r}"
    for call in telegram.calls[calls:]:
        problem = call.description or ""
        assert not (
            call.status == 400 and re.search(r"too long|is empty|BUTTON_|can't parse|unallowed", problem)
        ), f"{act}: Telegram refused {call.method}: {problem}"
    if not expect or run.flood.last is Verdict.DROP:
        return  # a press is checked by its answer; a dropped update is a deliberate silence
    assert telegram.bot_messages_since(where, mark), f"{act}: no reply at all"


def _bot_messages(user):
    return [m for m in user.transcript() if m.from_bot and not m.deleted]


def _pressable(user, index: int):
    """A (message, callback data) of a button on one of the bot's last few messages."""
    buttons = [
        (message, data)
        for message in _bot_messages(user)[-4:]
        for row in message.buttons
        for label, data in row
        if data and not data.startswith(("http://", "https://", "tg://"))
    ]
    return buttons[index % len(buttons)] if buttons else None


def _any_bot_message(user):
    messages = _bot_messages(user)
    return (messages[-1], None) if messages else None


# --- the database after each sequence -------------------------------------------------------------------

CONSISTENT = {
    "an RSVP without its resident or event": """
        SELECT count(*) FROM rsvps r LEFT JOIN residents p ON p.id = r.resident_id
        LEFT JOIN events e ON e.id = r.event_id WHERE p.id IS NULL OR e.id IS NULL""",
    "a pending reminder for an RSVP that is not going": """
        SELECT count(*) FROM reminders m JOIN rsvps r ON r.id = m.rsvp_id
        WHERE m.kind = 'event' AND m.status IN ('pending', 'claimed') AND r.status <> 'going'""",
    "a reminder for someone who is not a resident": """
        SELECT count(*) FROM reminders m LEFT JOIN residents p ON p.id = m.resident_id WHERE p.id IS NULL""",
    "a delivery for a missing resident or broadcast": """
        SELECT count(*) FROM deliveries d LEFT JOIN residents p ON p.id = d.resident_id
        LEFT JOIN broadcasts b ON b.id = d.broadcast_id WHERE p.id IS NULL OR b.id IS NULL""",
    "an offer without a volunteer, or a volunteer without a resident": """
        SELECT (SELECT count(*) FROM offers o LEFT JOIN volunteers v ON v.id = o.volunteer_id
                WHERE v.id IS NULL)
             + (SELECT count(*) FROM volunteers v LEFT JOIN residents p ON p.id = v.resident_id
                WHERE p.id IS NULL)""",
    "an introduction without its need or offer": """
        SELECT count(*) FROM introductions i LEFT JOIN needs n ON n.id = i.need_id
        LEFT JOIN offers o ON o.id = i.offer_id WHERE n.id IS NULL OR o.id IS NULL""",
    "a resident who is not one of the people in a private chat (a group's id kept)": f"""
        SELECT count(*) FROM residents WHERE telegram_user_id NOT IN (1001, 1002, {CORA})""",
    "two RSVPs of one person for one date": """
        SELECT count(*) FROM (SELECT event_id, resident_id, occurrence_start FROM rsvps
        GROUP BY event_id, resident_id, occurrence_start HAVING count(*) > 1) twice""",
    "more people going than an event has places": """
        SELECT count(*) FROM (SELECT r.event_id, r.occurrence_start FROM rsvps r
        JOIN events e ON e.id = r.event_id WHERE r.status = 'going' AND e.capacity IS NOT NULL
        GROUP BY r.event_id, r.occurrence_start, e.capacity HAVING count(*) > e.capacity) over""",
}
TYPED = [  # what people typed and the bot kept: cleaned first
    "SELECT text FROM needs",
    "SELECT text FROM offers",
    "SELECT text FROM asset_reports",
    "SELECT text FROM opportunities",
    "SELECT text FROM broadcasts",
    "SELECT title FROM events WHERE source = 'bot'",
    "SELECT description FROM events WHERE source = 'bot'",
    "SELECT venue FROM events WHERE source = 'bot'",
]
_EMOJI_GLUE = re.compile(r"[\u200d\U000e0020-\U000e007f]")


def _clean(value: str) -> bool:
    """What clean_text guarantees, whatever a flow cut or joined afterwards."""
    return unicodedata.is_normalized("NFKC", value) and all(
        char == "\n" or _EMOJI_GLUE.match(char) or unicodedata.category(char) not in ("Cc", "Cs", "Cf")
        for char in value
    )


async def _check_database(run: Run) -> None:
    async with run.sessions() as session:
        for problem, sql in CONSISTENT.items():
            assert await session.scalar(text(sql)) == 0, problem
        for sql in TYPED:
            for (value,) in await session.execute(text(sql)):
                assert value is None or _clean(value), f"kept without cleaning: {value!r} ({sql})"
