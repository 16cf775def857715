"""The Bot API emulation, proved through a real PTB Application: what the user sees, and what the
bot gets back when Telegram refuses (limits, markup, blocked users, faults, flood control)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import time
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.emulation import ApiError, EmulatedTelegram, build_application, deliver, parse_html
from bot.emulation.limits import TEXT_MAX

CSV = b"name,postcode\nBraunstone Library,LE3 1QH\n"

# PTB 22 warns inside RetryAfter.__init__ unless PTB_TIMEDELTA is set; the 429 tests would be noisy.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    app: Application
    telegram: EmulatedTelegram
    errors: list[Exception] = field(default_factory=list)
    presses: list[tuple[int, str]] = field(default_factory=list)
    members: list[str] = field(default_factory=list)


def _keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes please", callback_data="yes"),
                InlineKeyboardButton("No", callback_data="no"),
            ],
            [InlineKeyboardButton("Website", url="https://peoplezones.example")],
        ]
    )


def make_harness(**options: Any) -> Harness:
    app, telegram = build_application(**options)
    harness = Harness(app, telegram)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        payload = " ".join(context.args or [])
        await update.effective_message.reply_text(f"Hello! payload={payload or '-'}")

    async def buttons(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("Do you want help?", reply_markup=_keyboard())

    async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        harness.presses.append((query.message.message_id, query.data))
        await query.answer(f"Got {query.data}")
        await query.edit_message_text(f"You chose <b>{html.escape(query.data)}</b>", parse_mode="HTML")

    async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        upload = InputFile(CSV, filename="assets.csv")
        await update.effective_message.reply_document(upload, caption="Your <i>list</i>", parse_mode="HTML")

    async def where(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_location(52.6369, -1.1398)
        await update.effective_message.reply_venue(52.6386, -1.1317, "Central Library", "Bishop St, LE1 6AA")

    async def say(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send the argument as HTML, unchanged: lets tests feed markup to Telegram's parser."""
        text = update.effective_message.text.removeprefix("/say ")
        await update.effective_message.reply_text(text, parse_mode="HTML")

    async def long(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("x" * (TEXT_MAX + 1))

    async def bigdata(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Too big", callback_data="d" * 65)]])
        await update.effective_message.reply_text("Buttons", reply_markup=markup)

    async def same(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sent = await update.effective_message.reply_text("Same", reply_markup=_keyboard())
        await sent.edit_text("Same", reply_markup=_keyboard())

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = [[KeyboardButton("Find help"), KeyboardButton("Share location", request_location=True)]]
        markup = ReplyKeyboardMarkup(keyboard, resize_keyboard=True)
        await update.effective_message.reply_text("Menu", reply_markup=markup)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(
            f"You said: {html.escape(update.message.text)}", parse_mode="HTML"
        )

    async def member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        harness.members.append(update.my_chat_member.new_chat_member.status)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        harness.errors.append(context.error)

    commands = {"start": start, "buttons": buttons, "doc": document, "where": where, "say": say}
    commands |= {"long": long, "bigdata": bigdata, "same": same, "menu": menu}
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(chosen))
    app.add_handler(ChatMemberHandler(member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)
    return harness


@pytest.fixture
async def h() -> AsyncIterator[Harness]:
    harness = make_harness(rate_limits=False)
    async with harness.app:
        yield harness


def _error(h: Harness) -> Exception:
    assert len(h.errors) == 1, h.errors
    return h.errors[0]


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ----- conversation basics ----------------------------------------------------------------------


async def test_echo_roundtrip_and_transcript(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    await deliver(h.app, ann.send("fish & chips <please>"))
    reply = ann.last_bot_message()
    assert reply is not None and reply.plain == "You said: fish & chips <please>"
    assert reply.source == "You said: fish &amp; chips &lt;please&gt;"
    assert [(m.sender, m.message_id, m.kind) for m in ann.transcript()] == [
        ("Ann", 1, "text"),
        ("bot", 2, "text"),
    ]
    assert h.telegram.user("Ann") is ann and ann.chat_id == 1001 and h.telegram.user("Bob").chat_id == 1002
    assert h.telegram.pending_updates == []  # deliver took it off the poll queue


async def test_updates_delivered_out_of_order_leave_the_poll_queue(h: Harness) -> None:
    first, second = h.telegram.user("Ann").send("one"), h.telegram.user("Bob").send("two")
    await deliver(h.app, second)
    assert h.telegram.pending_updates == [first]  # only the one delivered is gone
    await deliver(h.app, first)
    assert h.telegram.pending_updates == []


async def test_command_entity_and_deep_link(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    update = ann.send("/start zone-le4")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    await deliver(h.app, update)
    assert ann.last_bot_message().plain == "Hello! payload=zone-le4"


async def test_press_answers_and_edits(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    await deliver(h.app, ann.send("/buttons"))
    menu = ann.last_bot_message()
    assert menu.buttons == [
        [("Yes please", "yes"), ("No", "no")],
        [("Website", "https://peoplezones.example")],
    ]
    assert menu.render() == "Do you want help?\n[ Yes please ]  [ No ]\n[ Website ]"
    mark = h.telegram.mark()
    update = ann.press("Yes please")
    await deliver(h.app, update)
    query = h.telegram.callback_queries[update["callback_query"]["id"]]
    assert query.answered and query.text == "Got yes"
    assert (
        menu.edited and menu.plain == "You chose yes" and menu.buttons == []
    )  # edit without markup drops it
    assert h.telegram.bot_messages_since(ann, mark) == [menu]
    with pytest.raises(BadRequest, match="Query is too old"):
        await h.app.bot.answer_callback_query(query.id)
    with pytest.raises(BadRequest, match="query id is invalid"):
        await h.app.bot.answer_callback_query("123")


async def test_stale_button_and_forged_data_reach_the_handler(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    await deliver(h.app, ann.send("/buttons"))
    first = ann.last_bot_message()
    await deliver(h.app, ann.send("/buttons"))
    await deliver(h.app, ann.press("no", message=first))
    await deliver(h.app, ann.press_data("delete-everything", ann.last_bot_message()))
    assert h.presses == [(first.message_id, "no"), (first.message_id + 2, "delete-everything")]
    with pytest.raises(LookupError):
        ann.press("yes", message=first)  # its keyboard went with the edit


async def test_document_upload_stored_with_bytes(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    await deliver(h.app, ann.send("/doc"))
    sent = ann.last_bot_message()
    assert (sent.kind, sent.document, sent.filename, sent.mime_type) == (
        "document",
        CSV,
        "assets.csv",
        "text/csv",
    )
    assert sent.caption == "Your list" and sent.caption_entities[0]["type"] == "italic"
    again = await h.app.bot.send_document(ann.chat_id, sent.file.file_id)
    assert again.document.file_id == sent.file.file_id and ann.last_bot_message().document == CSV
    downloaded = await (await h.app.bot.get_file(sent.file.file_id)).download_as_bytearray()
    assert bytes(downloaded) == CSV
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await h.app.bot.send_document(ann.chat_id, "no-such-file")


async def test_location_and_venue(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    await deliver(h.app, ann.send("/where"))
    location, venue = ann.transcript()[-2:]
    assert location.kind == "location" and location.location == {"latitude": 52.6369, "longitude": -1.1398}
    assert venue.kind == "venue" and venue.venue["title"] == "Central Library"
    assert venue.render() == "📍 Central Library, Bishop St, LE1 6AA"
    shared = ann.share_location(52.62, -1.18)
    assert shared["message"]["location"] == {"latitude": 52.62, "longitude": -1.18}


async def test_user_media_and_reply_keyboard(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    await deliver(h.app, ann.send("/menu"))
    assert ann.keyboard == [["Find help", "Share location"]]
    voice = ann.send_voice(duration=4)["message"]["voice"]
    assert (await (await h.app.bot.get_file(voice["file_id"])).download_as_bytearray()).startswith(b"OggS")
    assert "sticker" in ann.send_sticker()["message"] and "photo" in ann.send_photo(caption="me")["message"]


# ----- Telegram's rules -------------------------------------------------------------------------


async def test_message_too_long_counts_after_parsing(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    await deliver(h.app, ann.send("/long"))
    assert isinstance(_error(h), BadRequest) and str(h.errors[0]) == "Message is too long"
    await h.app.bot.send_message(ann.chat_id, "<b>" + "y" * TEXT_MAX + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await h.app.bot.send_message(ann.chat_id, "<b> </b>", parse_mode="HTML")


async def test_callback_data_over_64_bytes(h: Harness) -> None:
    await deliver(h.app, h.telegram.user("Ann").send("/bigdata"))
    assert isinstance(_error(h), BadRequest) and "Button_data_invalid" in str(h.errors[0])
    assert h.telegram.user("Ann").last_bot_message() is None


@pytest.mark.parametrize(
    ("markup", "detail"),
    [
        ("<b>unclosed", 'find end tag corresponding to start tag "b"'),
        ("<blink>hi</blink>", 'unsupported start tag "blink" at byte offset 0'),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ("Fish & chips", 'unescaped "&" at byte offset 5'),
        ('<span class="x">s</span>', 'tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_bad_html_is_refused(h: Harness, markup: str, detail: str) -> None:
    await deliver(h.app, h.telegram.user("Ann").send(f"/say {markup}"))
    error = _error(h)
    assert isinstance(error, BadRequest) and str(error).startswith("Can't parse entities")
    assert detail in str(error)


async def test_escaped_html_is_fine(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    source = (
        f'<b>{html.escape("Fish & chips <3")}</b> &#128512; <a href="https://x.example/?a=1&amp;b=2">site</a>'
    )
    await deliver(h.app, ann.send(f"/say {source}"))
    assert h.errors == []
    sent = ann.last_bot_message()
    assert sent.plain == "Fish & chips <3 😀 site"
    assert sent.entities[0] == {"type": "bold", "offset": 0, "length": 15}
    assert sent.entities[1] == {
        "type": "text_link",
        "offset": 19,
        "length": 4,
        "url": "https://x.example/?a=1&b=2",
    }


async def test_entity_offsets_count_utf16_units_of_the_text_around_them(h: Harness) -> None:
    """Plain text between tags is measured as Telegram does: an emoji is two UTF-16 units, an
    accented letter one; a link with no href takes its own text as the URL."""
    ann = h.telegram.user("Ann")
    await deliver(h.app, ann.send("/say 👋 Café 😀 <b>bold 👍</b> &amp; <a>https://x.example/👍</a>"))
    assert h.errors == []
    sent = ann.last_bot_message()
    assert sent.plain == "👋 Café 😀 bold 👍 & https://x.example/👍"
    assert sent.entities == [
        {"type": "bold", "offset": 11, "length": 7},
        {"type": "text_link", "offset": 21, "length": 20, "url": "https://x.example/👍"},
    ]


def test_html_parser_matches_telegram() -> None:
    parsed = parse_html("<pre><code class='language-python'>x</code></pre><tg-spoiler>s</tg-spoiler>")
    assert parsed.text == "xs"
    assert parsed.entities == [
        {"type": "pre", "offset": 0, "length": 1, "language": "python"},
        {"type": "spoiler", "offset": 1, "length": 1},
    ]
    assert parse_html("R&D", strict=False).text == "R&D"  # Telegram itself is lenient here
    with pytest.raises(ApiError, match="Unmatched end tag"):
        parse_html("<B>x</B>")  # start tags ignore case, end tags do not


async def test_not_modified_and_missing_messages(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    await deliver(h.app, ann.send("/same"))
    assert isinstance(_error(h), BadRequest) and "Message is not modified" in str(h.errors[0])
    bot = h.app.bot
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("new", chat_id=ann.chat_id, message_id=999)
    sent = ann.last_bot_message()
    assert await bot.delete_message(ann.chat_id, sent.message_id) and sent.deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ann.chat_id, sent.message_id)


async def test_blocked_user_and_unknown_chat(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    await deliver(h.app, ann.block_bot())
    assert h.members == ["kicked"]
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await h.app.bot.send_message(ann.chat_id, "Anyone there?")
    await deliver(h.app, ann.unblock_bot())
    await h.app.bot.send_message(ann.chat_id, "Welcome back")
    with pytest.raises(BadRequest, match="Chat not found"):
        await h.app.bot.send_message(424242, "hello?")


async def test_unknown_method_is_404(h: Harness) -> None:
    with pytest.raises(EndPointNotFound):
        await h.app.bot.do_api_request("sendTelepathy")


async def test_commands_are_stored(h: Harness) -> None:
    await h.app.bot.set_my_commands([("start", "Start again"), ("help", "What I can do")])
    commands = await h.app.bot.get_my_commands()
    assert [(c.command, c.description) for c in commands] == [
        ("start", "Start again"),
        ("help", "What I can do"),
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await h.app.bot.set_my_commands([("Not-OK", "x")])


# ----- faults -----------------------------------------------------------------------------------


async def test_injected_timeout(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    h.telegram.faults.fail_next("sendMessage", "timeout")
    await deliver(h.app, ann.send("/start"))
    assert isinstance(_error(h), TimedOut) and ann.last_bot_message() is None
    h.telegram.faults.fail_next("sendMessage", "timeout", delivered=True)
    with pytest.raises(TimedOut):
        await h.app.bot.send_message(ann.chat_id, "Did this arrive?")
    assert ann.last_bot_message().plain == "Did this arrive?"  # it did; the bot cannot know


@pytest.mark.parametrize(("kind", "expected"), [("bad_gateway", "Bad Gateway"), ("network", "emulated")])
async def test_server_and_network_errors(h: Harness, kind: str, expected: str) -> None:
    ann = h.telegram.user("Ann")
    h.telegram.faults.fail_next(None, kind, chat=ann)
    with pytest.raises(NetworkError, match=expected):
        await h.app.bot.send_message(ann.chat_id, "hello")
    await h.app.bot.send_message(ann.chat_id, "hello")  # only the next call failed


async def test_faults_for_one_chat(h: Harness) -> None:
    ann, bob = h.telegram.user("Ann"), h.telegram.user("Bob")
    h.telegram.faults.fail_next("sendMessage", "blocked", chat=bob, times=2)
    h.telegram.faults.fail_next("sendMessage", "chat_not_found", chat=ann)
    with pytest.raises(Forbidden):
        await h.app.bot.send_message(bob.chat_id, "hi")
    with pytest.raises(BadRequest, match="Chat not found"):
        await h.app.bot.send_message(ann.chat_id, "hi")
    with pytest.raises(TelegramError):
        await h.app.bot.send_message(bob.chat_id, "hi")
    await h.app.bot.send_message(bob.chat_id, "hi")
    assert [c.status for c in h.telegram.calls if c.method == "sendMessage"] == [403, 400, 403, 200]


# ----- flood limits -----------------------------------------------------------------------------


async def test_overall_rate_limit_without_sleeping() -> None:
    clock = FakeClock()
    harness = make_harness(clock=clock)
    users = [harness.telegram.user(f"user{i}") for i in range(40)]
    sent, refused = 0, []
    async with harness.app:
        for user in users:  # 40 sends in the same emulated second, one per chat
            try:
                await harness.app.bot.send_message(user.chat_id, "News")
                sent += 1
            except RetryAfter as exc:
                refused.append(_retry_seconds(exc))
        assert sent == 30 and len(refused) == 10 and min(refused) >= 1
        clock.now += 1
        await harness.app.bot.send_message(users[-1].chat_id, "Later")


async def test_private_chat_rate_limit() -> None:
    clock = FakeClock()
    harness = make_harness(clock=clock)
    ann = harness.telegram.user("Ann")
    async with harness.app:
        for _ in range(3):  # a burst of 3 is tolerated
            await harness.app.bot.send_message(ann.chat_id, "hi")
        with pytest.raises(RetryAfter) as refused:
            await harness.app.bot.send_message(ann.chat_id, "hi")
        assert _retry_seconds(refused.value) == 1
        clock.now += 1
        await harness.app.bot.send_message(ann.chat_id, "hi")
    assert sum(m.from_bot for m in ann.transcript()) == 4


async def test_group_chat_rate_limit() -> None:
    clock = FakeClock()
    harness = make_harness(clock=clock)
    group = harness.telegram.group("Braunstone volunteers")
    async with harness.app:
        for _ in range(20):
            await harness.app.bot.send_message(group.id, "hi all")
            clock.now += 0.5
        with pytest.raises(RetryAfter) as refused:
            await harness.app.bot.send_message(group.id, "one more")
        assert _retry_seconds(refused.value) == 50  # the first of the 20 leaves the minute at t+60
        clock.now += 50
        await harness.app.bot.send_message(group.id, "one more")


async def test_limits_off(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    for _ in range(50):
        await h.app.bot.send_message(ann.chat_id, "hi")
    assert len(ann.transcript()) == 50


# ----- polling ----------------------------------------------------------------------------------


async def test_long_polling_delivers_to_a_running_updater(h: Harness) -> None:
    ann = h.telegram.user("Ann")
    started = time.monotonic()
    await h.app.updater.start_polling(timeout=dtm.timedelta(seconds=5))
    await h.app.start()
    try:
        await asyncio.sleep(0.01)  # the poll is now waiting inside getUpdates
        ann.send("/start")
        for _ in range(100):
            if ann.last_bot_message():
                break
            await asyncio.sleep(0.005)
    finally:
        await h.app.updater.stop()
        await h.app.stop()
    assert ann.last_bot_message().plain == "Hello! payload=-"
    assert time.monotonic() - started < 1  # the 5 s poll was woken, not waited out
    assert h.telegram.pending_updates == []  # the final getUpdates confirmed it


async def test_get_updates_times_out_empty_and_honours_offset(h: Harness) -> None:
    started = time.monotonic()
    assert await h.app.bot.get_updates(timeout=dtm.timedelta(seconds=0.05)) == ()
    assert 0.04 <= time.monotonic() - started < 0.5
    ann = h.telegram.user("Ann")
    ann.send("one")
    ann.send("two")
    updates = await h.app.bot.get_updates()
    assert [u.message.text for u in updates] == ["one", "two"]
    assert await h.app.bot.get_updates(offset=updates[-1].update_id + 1) == ()


async def test_second_poller_gets_conflict(h: Harness) -> None:
    first = asyncio.create_task(h.app.bot.get_updates(timeout=5))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(h.app.bot.get_updates(timeout=dtm.timedelta(seconds=0.02)))
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert await second == ()
