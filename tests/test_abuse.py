"""Abuse and bad input, end to end: flood control, odd Unicode, edited and forwarded messages,
groups and channels. The conversation runs with production's flood limits (20 a minute, a burst
of 8) on the fake clock."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackContext

from bot import messages as m
from bot.config import ConfigError, load_settings
from bot.handlers.guard import MAX_QUERY_CHARS, flood_control
from bot.services.flood import FloodControl, Verdict
from bot.services.typed_text import clean_text
from db.models import Need, Resident, SearchTally
from tests.conversation import close_conversation, open_conversation

SLOW_DOWN = "You're sending messages faster than I can keep up"
EMERGENCY = "You don't deserve this, and help is there. If you are in danger now, call 999."  # abuse help
CRISIS = "my partner hits me and I'm scared"
FAMILY = "👨\u200d👩\u200d👧"  # three emoji joined by zero-width joiners
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # a flag made with tag characters


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url, flood_control=True)
    yield conversation
    await close_conversation(conversation)


def texts(messages) -> list[str]:
    return [message.plain for message in messages]


async def count(sessions, model) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


# --- cleaning what people type ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("food\x00 bank", "food bank"),  # NUL and other control characters go
        ("food\x07\x1b[31m bank\x7f", "food[31m bank"),
        ("fo\u200bod\u200c ba\u2060nk\ufeff", "food bank"),  # zero-width characters
        ("\u202efood bank\u202c \u2066LE4\u2069", "food bank LE4"),  # right-to-left overrides, isolates
        ("ｆｏｏｄ ｂａｎｋ ＬＥ４", "food bank LE4"),  # full-width letters (NFKC)
        ("ﬁsh and chips", "fish and chips"),  # ligatures
        ("cafe\u0301", "café"),  # a combining accent is composed
        ("z\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308ap", "ź\u0302\u0303\u0304\u0305ap"),  # "Zalgo"
        ("  food \t\t bank \u00a0 near\u2003LE4  ", "food bank near LE4"),  # odd spaces collapse
        ("line one\r\nline two\u2028\n\n\n\nthree", "line one\nline two\n\nthree"),
        (FAMILY + " family " + ENGLAND, FAMILY + " family " + ENGLAND),  # emoji sequences are kept
        ("મને ખોરાક જોઈએ છે", "મને ખોરાક જોઈએ છે"),  # Gujarati keeps its vowel signs
        ("ਮੈਨੂੰ ਮਦਦ ਚਾਹੀਦੀ ਹੈ", "ਮੈਨੂੰ ਮਦਦ ਚਾਹੀਦੀ ਹੈ"),  # Punjabi too
        ("\u200b\u200d\u202e\x00 \n\t", ""),  # nothing but invisible characters
        ("\ud800food", "food"),  # a lone surrogate (never valid text)
    ],
)  # fmt: skip
def test_clean_text(typed, cleaned):
    assert clean_text(typed) == cleaned
    assert clean_text(cleaned) == cleaned  # cleaning twice changes nothing


# --- the token bucket ---------------------------------------------------------------------------------

T0 = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)


def test_a_burst_then_the_rate_then_one_notice_per_window():
    flood = FloodControl(per_minute=20, burst=8)
    assert [flood.check(1, T0) for _ in range(8)] == [Verdict.ALLOWED] * 8
    assert flood.check(1, T0) is Verdict.WARN
    assert flood.check(1, T0 + timedelta(seconds=1)) is Verdict.DROP
    assert flood.check(2, T0) is Verdict.ALLOWED  # someone else is not held up
    assert flood.check(1, T0 + timedelta(seconds=4)) is Verdict.ALLOWED  # a token every 3 s
    assert flood.check(1, T0 + timedelta(seconds=4)) is Verdict.DROP  # told already this minute
    assert flood.check(1, T0 + timedelta(seconds=61)) is Verdict.ALLOWED
    drained = [flood.check(1, T0 + timedelta(seconds=61)) for _ in range(8)]
    assert drained[-1] is Verdict.WARN  # a new minute: told again


def test_a_clock_set_back_gives_no_free_tokens():
    flood = FloodControl(per_minute=20, burst=2)
    assert [flood.check(1, T0) for _ in range(2)] == [Verdict.ALLOWED] * 2
    assert flood.check(1, T0 - timedelta(hours=1)) is Verdict.WARN
    assert flood.check(1, T0 + timedelta(seconds=1)) is Verdict.DROP


def test_memory_is_bounded_idle_people_are_forgotten():
    flood = FloodControl(per_minute=20, burst=8, max_users=1000)
    for user_id in range(500):
        flood.check(user_id, T0)
    assert len(flood) == 500
    flood.check(9999, T0 + flood.refill_time + timedelta(minutes=1))
    assert len(flood) == 1  # everyone else's bucket was full again
    for user_id in range(5000):  # a flood of new ids in one instant
        flood.check(user_id, T0 + timedelta(hours=1))
    assert len(flood) <= 1001


def test_emergency_numbers_while_limited_at_most_once_a_window():
    flood = FloodControl(per_minute=20, burst=1)
    flood.check(1, T0)
    assert flood.may_alert(1, T0)
    assert not flood.may_alert(1, T0 + timedelta(seconds=30))
    assert flood.may_alert(1, T0 + timedelta(seconds=61))


# --- settings -----------------------------------------------------------------------------------------


def test_flood_settings_are_read_and_checked(tmp_path):
    path = tmp_path / "pz.toml"
    path.write_text("flood_per_minute = 30\nflood_burst = 5\n", encoding="utf-8")
    settings = load_settings(path, env={})
    assert (settings.flood_per_minute, settings.flood_burst) == (30.0, 5)
    defaults = load_settings(None, env={})
    assert (defaults.flood_per_minute, defaults.flood_burst) == (20.0, 8)
    for bad, key in (
        ("flood_per_minute = -1", "flood_per_minute"),
        ("flood_per_minute = 1000", "flood_per_minute"),
        ("flood_per_minute = true", "flood_per_minute"),
        ("flood_burst = 0", "flood_burst"),
        ("flood_burst = 2.5", "flood_burst"),
    ):
        path.write_text(bad + "\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=f"setting '{key}'"):
            load_settings(path, env={})


def test_the_example_config_documents_flood_control():
    from tests.conftest import ROOT

    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert "flood_per_minute = 20" in text and "flood_burst = 8" in text


# --- flood control end to end -------------------------------------------------------------------------


async def test_flooding_gets_one_friendly_notice_then_silence_until_it_refills(chat, caplog):
    caplog.set_level(logging.INFO)
    ann, bob = chat.telegram.user("Ann"), chat.telegram.user("Bob")
    for _ in range(8):  # a burst is fine
        assert (await chat.say(ann, "food bank"))[0].plain.startswith("Here's what I found")
    [notice] = await chat.say(ann, "food bank please")
    assert notice.plain.startswith(SLOW_DOWN) and "—" in notice.plain
    for _ in range(5):
        assert await chat.say(ann, "food bank") == []  # silence, and no search behind it
    assert (await chat.say(bob, "food bank"))[0].plain.startswith("Here's what I found")  # Bob is fine
    chat.clock.advance(seconds=3)  # one token back
    assert (await chat.say(ann, "food bank"))[0].plain.startswith("Here's what I found")
    assert await chat.say(ann, "food bank") == []  # limited again, already told this minute
    chat.clock.advance(seconds=61)
    for _ in range(8):
        await chat.say(ann, "hi")
    assert texts(await chat.say(ann, "hi")) == [m.SLOW_DOWN]  # a new window: told once more
    assert "food bank" not in caplog.text and "flood limit" in caplog.text  # never the words


async def test_button_presses_count_and_a_dropped_press_is_still_answered(chat):
    ann = chat.telegram.user("Ann")
    [results] = await chat.say(ann, "food bank")
    for _ in range(7):
        await chat.press(ann, "1 · Details", results)
    [notice] = await chat.press(ann, "1 · Details", results)
    assert notice.plain == m.SLOW_DOWN
    assert await chat.press(ann, "More ▶", results) == []
    assert await chat.press(ann, "1 · Details", results) == []
    assert all(query.answered for query in chat.telegram.callback_queries.values())  # no spinner left


async def test_someone_in_danger_typing_fast_still_gets_the_numbers(chat, caplog):
    caplog.set_level(logging.INFO)
    ann = chat.telegram.user("Ann")
    usual = (await chat.say(ann, CRISIS))[0]  # the safety message as anyone gets it
    for _ in range(8):
        await chat.say(ann, "help")
    assert await chat.say(ann, "help") == []  # limited and told
    [numbers] = await chat.say(ann, CRISIS)
    assert numbers.plain == usual.plain and "0808 2000 247" in numbers.plain
    assert [label for row in numbers.buttons for label, _ in row] == [
        label for row in usual.buttons for label, _ in row
    ]  # the same message, buttons and all
    assert await chat.say(ann, "he's still here") == []
    chat.clock.advance(seconds=1)
    assert await chat.say(ann, "i want to k\u200bill myself") == []  # numbers given a second ago
    chat.clock.advance(seconds=61)
    for _ in range(8):
        await chat.say(ann, "help")
    numbers, notice = await chat.say(ann, "someone is breaking in right now")  # numbers first
    assert numbers.plain.startswith("Call 999 now.") and notice.plain == m.SLOW_DOWN
    assert "breaking in" not in caplog.text and "partner" not in caplog.text


async def test_a_person_who_is_not_limited_gets_the_numbers_and_the_answer(chat):
    ann = chat.telegram.user("Ann")
    replies = await chat.say(ann, "i want to k\u200bill my\u00adself")  # invisible characters inside
    assert "116 123" in replies[0].plain


# --- bad input ------------------------------------------------------------------------------------------


async def test_odd_unicode_is_cleaned_before_search_and_before_it_is_kept(chat, sessions):
    ann = chat.telegram.user("Ann")
    [reply] = await chat.say(ann, "\u202eｆｏｏｄ\u200b ｂａｎｋ\x00 LE4")
    assert reply.plain.startswith("Here's what I found for food bank LE4")
    assert "Beaumont Leys Food Bank" in reply.plain
    [reply] = await chat.say(ann, "scuba\x00 div\u200bing\u202e lessons\x1b")
    assert "couldn't find anything that fits scuba diving lessons" in reply.plain
    async with sessions() as session:
        assert (await session.scalars(select(Need.text))).all() == ["scuba diving lessons"]


async def test_nothing_but_invisible_characters_gets_the_tell_me_more_prompt(chat, sessions):
    ann = chat.telegram.user("Ann")
    [reply] = await chat.say(ann, "\u200b\u200c\u202e\x00")
    assert reply.plain.startswith("Hello! What can I help you find?") and reply.buttons
    await chat.say(ann, "/area")  # while a question is open, ask for the answer again
    assert texts(await chat.say(ann, "\u200b\u2060")) == [m.EMPTY_ANSWER]
    replies = await chat.say(ann, "Oakham")
    assert "I'll remember" in replies[0].plain
    assert await count(sessions, Need) == 0


async def test_very_long_text_is_cut_before_search(chat, sessions):
    ann = chat.telegram.user("Ann")
    [reply] = await chat.say(ann, "scuba diving lessons " + "blah " * 790)  # about 4000 characters
    assert "couldn't find anything that fits" in reply.plain and len(reply.plain) < 400
    async with sessions() as session:
        [need] = (await session.scalars(select(Need.text))).all()
    assert need.startswith("scuba diving lessons") and len(need) <= MAX_QUERY_CHARS


async def test_emoji_only_and_combining_marks(chat):
    ann = chat.telegram.user("Ann")
    [reply] = await chat.say(ann, FAMILY + ENGLAND + "❤️")
    assert reply.plain.startswith("Hello! What can I help you find?")
    [reply] = await chat.say(ann, "f\u0336o\u0336o\u0336d\u0336" + "\u0489" * 300 + " bank")
    assert reply.plain  # an answer, whatever it found


# --- edited messages ------------------------------------------------------------------------------------


async def test_an_edited_message_is_not_searched_again(chat, sessions):
    ann = chat.telegram.user("Ann")
    sent = ann.send("food bank")
    await chat.act(ann, sent)
    [reply] = await chat.act(ann, ann.edit(sent, "youth club"))
    assert reply.plain == m.EDITED_MESSAGE
    [reply] = await chat.say(ann, "youth club")  # sent again as a new message: searched
    assert "Friday Youth Club" in reply.plain


async def test_an_edited_answer_changes_nothing_and_the_question_stays_open(chat, sessions):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/area")
    sent = ann.send("Narnia")
    await chat.act(ann, sent)
    assert texts(await chat.act(ann, ann.edit(sent, "Oakham"))) == [m.EDITED_MESSAGE]
    assert await count(sessions, Resident) == 0
    assert "I'll remember" in (await chat.say(ann, "Oakham"))[0].plain


async def test_an_edit_that_suggests_danger_gets_the_numbers_first(chat):
    ann = chat.telegram.user("Ann")
    sent = ann.send("all fine")
    await chat.act(ann, sent)
    numbers, *after = await chat.act(ann, ann.edit(sent, CRISIS))
    assert numbers.plain.startswith(EMERGENCY)
    assert all("Support near you" in r.plain for r in after)  # only help after the help


async def test_an_edited_command_is_not_run_and_a_live_location_moving_is_silent(chat, sessions):
    ann = chat.telegram.user("Ann")
    sent = ann.send("/help")
    await chat.act(ann, sent)
    assert texts(await chat.act(ann, ann.edit(sent, "/forget"))) == [m.EDITED_MESSAGE]
    await chat.say(ann, "/area")
    shared = ann.share_location(52.6672, -1.1665)
    assert "LE4" in (await chat.act(ann, shared))[0].plain
    moved = {**shared["message"], "location": {"latitude": 52.67, "longitude": -0.727}, "edit_date": 1}
    assert await chat.act(ann, chat.telegram.enqueue("edited_message", moved)) == []
    async with sessions() as session:
        assert (await session.scalars(select(Resident.postcode_district))).all() == ["LE4"]


# --- forwarded messages ---------------------------------------------------------------------------------


async def test_forwarded_text_is_read_as_if_typed(chat):
    ann, bob = chat.telegram.user("Ann"), chat.telegram.user("Bob")
    [reply] = await chat.act(ann, ann.forward("any food banks in LE4", original=bob))
    assert "Beaumont Leys Food Bank" in reply.plain
    numbers, *_ = await chat.act(ann, ann.forward(CRISIS))
    assert numbers.plain.startswith(EMERGENCY)


async def test_a_forwarded_command_is_never_acted_on(chat, sessions):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/area")
    await chat.say(ann, "Oakham")
    for command in ("/forget", "/start", "/volunteer", "/teleport now"):
        assert texts(await chat.act(ann, ann.forward(command))) == [m.FORWARDED_COMMAND]
    assert await count(sessions, Resident) == 1  # /forget from someone else deleted nothing


# --- groups and channels --------------------------------------------------------------------------------


def _left(chat, group) -> bool:
    return group.left and any(
        call.method == "leaveChat" and int(call.params["chat_id"]) == group.id for call in chat.telegram.calls
    )


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_a_message_in_a_group_gets_one_polite_reply_and_the_bot_leaves(chat, sessions, kind):
    ann, bob = chat.telegram.user("Ann"), chat.telegram.user("Bob")
    group = chat.telegram.group("Braunstone neighbours", type=kind)
    first = ann.send("food bank near LE4", chat=group)
    second = bob.send("/start", chat=group)  # already on its way when the bot left
    [reply] = await chat.act(group, first)
    assert reply.plain == m.GROUP_NOT_HERE.format(link="https://t.me/PeopleZonesBot")
    assert _left(chat, group)
    assert await chat.act(group, second) == []  # once, and no error
    [gone] = [u for u in chat.telegram.pending_updates if "my_chat_member" in u]  # Telegram says so
    assert await chat.act(group, gone) == []
    with pytest.raises(RuntimeError, match="not in"):
        ann.send("hello?", chat=group)
    for model in (Need, Resident, SearchTally):
        assert await count(sessions, model) == 0  # nothing from a group is kept


async def test_being_added_to_a_group_says_why_and_leaves(chat, caplog):
    ann = chat.telegram.user("Ann")
    group = chat.telegram.group("Oakham WI")
    [reply] = await chat.act(group, ann.add_bot_to(group))
    assert "I only work in private chats" in reply.plain and "https://t.me/PeopleZonesBot" in reply.plain
    assert _left(chat, group)
    [reply] = await chat.act(group, ann.add_bot_to(group, as_admin=True))  # added again, as an admin
    assert "I only work in private chats" in reply.plain and group.left
    assert "update failed" not in caplog.text


async def test_a_channel_post_is_not_a_crash_and_the_bot_leaves(chat, caplog):
    ann = chat.telegram.user("Ann")
    channel = chat.telegram.group("LLR news", type="channel")
    [reply] = await chat.act(channel, chat.telegram.channel_post(channel, "food bank"))  # no sender
    assert "private chats" in reply.plain and _left(chat, channel)
    [reply] = await chat.act(channel, ann.add_bot_to(channel, as_admin=True))
    assert "private chats" in reply.plain and channel.left
    assert "update failed" not in caplog.text


async def test_danger_in_a_group_still_gets_the_numbers(chat):
    ann = chat.telegram.user("Ann")
    group = chat.telegram.group("Street chat")
    numbers, note = await chat.act(group, ann.send(CRISIS, chat=group))
    assert numbers.plain.startswith(EMERGENCY) and "private chats" in note.plain
    assert group.left


async def test_a_group_button_press_is_answered_and_the_bot_leaves(chat):
    ann = chat.telegram.user("Ann")
    group = chat.telegram.group("Old group")
    post = chat.telegram.add_message(group, "bot", "text", chat.telegram.bot_user, text="menu")
    post.reply_markup = {"inline_keyboard": [[{"text": "Food", "callback_data": "gr:0"}]]}
    [reply] = await chat.act(group, ann.press("Food", post))
    assert "private chats" in reply.plain and group.left
    assert all(query.answered for query in chat.telegram.callback_queries.values())


async def test_flood_control_can_be_turned_off(sessions, database_url):
    conversation = await open_conversation(sessions, database_url)  # as the other tests run
    try:
        ann = conversation.telegram.user("Ann")
        for _ in range(30):
            assert await conversation.say(ann, "hi")
        assert flood_control(_context(conversation)) is None
    finally:
        await close_conversation(conversation)


def _context(conversation):
    return CallbackContext(conversation.app)


async def test_forged_buttons_with_numbers_too_big_for_the_database_are_stale(chat):
    """PostgreSQL refuses an integer over 2**31 - 1 outright; such a button is forged, so stale."""
    ann = chat.telegram.user("Ann")
    [old] = await chat.say(ann, "food bank")
    for data in (
        "of:pause:3000000000",
        "dt:999999999999",
        "ev:1:9999999999",
        "eg:1:9999999999",
        "rc:2147483648",
    ):
        replies = await chat.act(ann, ann.press_data(data, old))
        assert "button is from an old message" in replies[-1].plain, data
    assert all(query.answered for query in chat.telegram.callback_queries.values())


async def test_the_emulation_leaves_chats_as_telegram_does(chat):
    ann = chat.telegram.user("Ann")
    group = chat.telegram.group("Knitters", type="supergroup")
    with pytest.raises(BadRequest, match="private chats"):
        await chat.app.bot.leave_chat(ann.id)
    assert await chat.app.bot.leave_chat(group.id) is True
    with pytest.raises(Forbidden, match="not a member of the supergroup chat"):
        await chat.app.bot.send_message(group.id, "still here?")
    with pytest.raises(Forbidden):
        await chat.app.bot.leave_chat(group.id)
    [update] = [u for u in chat.telegram.pending_updates if "my_chat_member" in u]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "left"
