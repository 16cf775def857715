"""The resident's conversation, end to end through the Bot API emulation."""

import pytest
from sqlalchemy import func, select

from db.models import Need, Resident
from tests.conversation import close_conversation, open_conversation


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url)
    yield conversation
    await close_conversation(conversation)


def texts(messages) -> list[str]:
    return [message.plain for message in messages]


def buttons(message) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


async def count(sessions, model) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_start_welcomes_says_what_is_kept_and_offers_the_menu(chat, sessions):
    ann = chat.telegram.user("Ann")
    replies = await chat.say(ann, "/start")
    assert "People Zones Connect" in replies[0].plain
    assert "don't keep anything about you" in replies[0].plain
    assert replies[1].plain.startswith("What can I help you find?")
    assert "Food" in buttons(replies[1]) and "📍 Set my area" in buttons(replies[1])
    assert await count(sessions, Resident) == 0  # nothing kept until they choose
    commands = chat.telegram.commands[('{"type": "default"}', "")]
    in_urdu = chat.telegram.commands[('{"type": "default"}', "ur")]  # each language its own descriptions
    assert [c["command"] for c in in_urdu] == [c["command"] for c in commands]
    assert [c["command"] for c in commands] == [
        "start",
        "menu",
        "area",
        "volunteer",
        "myoffers",
        "whatson",
        "going",
        "settings",
        "language",
        "cancel",
        "help",
        "privacy",
        "mydata",
        "forget",
    ]


async def test_a_need_in_their_own_words_gets_cards(chat):
    ann = chat.telegram.user("Ann")
    [reply] = await chat.say(ann, "any food banks in LE4")
    text = reply.plain
    assert text.startswith("Here's what I found for any food banks in LE4")
    first = text.split("\n\n")[1]
    assert first.startswith("1. Beaumont Leys Food Bank (example — not a real service)")
    assert "km away" in first
    assert "Open now, closes 17:00" in first
    assert "0116 496 0001" in first
    assert "1 · Details" in buttons(reply) and "Not what I need" in buttons(reply)


async def test_typos_slang_and_a_place_name_work(chat):
    ann = chat.telegram.user("Ann")
    [reply] = await chat.say(ann, "fod bank near oakham")
    assert reply.plain.split("\n\n")[1].startswith("1. Oakham Food Bank")
    [reply] = await chat.say(ann, "somewhere for my lad after school")
    assert "Friday Youth Club" in reply.plain.split("\n\n")[1]
    [reply] = await chat.say(ann, "im skint and behind on my bills")
    assert "City Debt Advice" in reply.plain


async def test_details_map_call_and_more_like_this(chat):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "food bank LE4")
    [details] = await chat.press(ann, "1 · Details")
    assert details.plain.startswith("Beaumont Leys Food Bank")
    assert "Beaumont Way, Leicester, LE4 1DS" in details.plain
    [venue] = await chat.press(ann, "🗺 Map", details)
    assert venue.kind == "venue"
    assert venue.venue["title"] == "Beaumont Leys Food Bank"
    [call] = await chat.press(ann, "📞 Call", details)
    assert "0116 496 0001" in call.plain
    [more] = await chat.press(ann, "More like this", details)
    assert "Oakham Food Bank" in more.plain and "Beaumont Leys" not in more.plain.split("\n\n")[1]


async def test_paging_edits_the_same_message(chat):
    ann = chat.telegram.user("Ann")
    [first] = await chat.say(ann, "food bank")
    assert "More ▶" in buttons(first) and "◀ Back" not in buttons(first)
    [edited] = await chat.press(ann, "More ▶")
    assert edited.message_id == first.message_id and edited.edited
    assert "4 · Details" in buttons(edited) and "◀ Back" in buttons(edited)
    [back] = await chat.press(ann, "◀ Back")
    assert "1 · Details" in buttons(back)


async def test_nothing_found_is_honest_and_recorded_without_identity(chat, sessions):
    ann = chat.telegram.user("Ann")
    [reply] = await chat.say(ann, "scuba diving lessons")
    assert "couldn't find anything that fits" in reply.plain
    assert "noted it" in reply.plain
    async with sessions() as session:
        need = (await session.scalars(select(Need))).one()
    assert need.text == "scuba diving lessons"
    assert need.resident_id is None and need.answered is False


async def test_not_what_i_need_records_the_gap(chat, sessions):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "food bank")
    [reply] = await chat.press(ann, "Not what I need")
    assert "noted it" in reply.plain
    async with sessions() as session:
        need = (await session.scalars(select(Need))).one()
    assert need.text == "food bank" and need.category == "food-banks"


async def test_browse_categories_without_typing(chat):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/menu")
    [groups] = await chat.press(ann, "Food")
    assert groups.plain.startswith("Food — what are you looking for?")
    [results] = await chat.press(ann, "Food banks and free food")
    assert "Beaumont Leys Food Bank" in results.plain and "Oakham Food Bank" in results.plain


async def test_area_is_saved_only_when_chosen_and_forgotten_on_request(chat, sessions):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/start")
    [question] = await chat.press(ann, "📍 Set my area")
    assert question.plain.startswith("Where are you?")
    replies = await chat.say(ann, "Oakham")
    assert "I'll remember" in replies[0].plain
    async with sessions() as session:
        resident = (await session.scalars(select(Resident))).one()
    assert (resident.postcode_district, resident.zone) == ("LE15", "Rutland")
    [reply] = await chat.say(ann, "food bank")
    assert reply.plain.split("\n\n")[1].startswith("1. Oakham Food Bank")  # nearest first
    [question] = await chat.say(ann, "/forget")  # asked first (the whole flow: test_privacy.py)
    *_, bye = await chat.press(ann, "Yes, delete everything", question)
    assert "deleted" in bye.plain
    assert await count(sessions, Resident) == 0


async def test_shared_location_keeps_only_the_district(chat, sessions):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/area")
    replies = await chat.act(ann, ann.share_location(52.6672, -1.1665))
    assert "LE4" in replies[0].plain
    async with sessions() as session:
        resident = (await session.scalars(select(Resident))).one()
    assert resident.postcode_district == "LE4"


async def test_unknown_area_asks_again_kindly(chat):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/area")
    [reply] = await chat.say(ann, "Narnia")
    assert "don't know where Narnia is" in reply.plain
    replies = await chat.say(ann, "Skip")
    assert "No problem" in replies[0].plain


@pytest.mark.parametrize(
    ("text", "first_help"),
    [
        ("my partner hits me and I'm scared", "0808 2000 247"),
        ("i want to end it all", "116 123"),
        ("someone is breaking in right now", "999"),
    ],
)
async def test_safety_first_in_any_state(chat, text, first_help):
    """Half way through a question the help comes first; the words are not taken as the answer, and
    the question is still there to answer afterwards."""
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/area")  # even while the bot waits for an area
    help_message, *rest = await chat.say(ann, text)
    assert first_help in help_message.plain
    assert [text for row in help_message.buttons for text, _ in row] == ["🚪 Quick exit"]
    assert all("Support near you" in r.plain for r in rest)  # only help after the help
    replies = await chat.say(ann, "LE4")
    assert "LE4" in replies[0].plain  # the area question was still waiting


async def test_things_the_bot_does_not_understand(chat):
    ann = chat.telegram.user("Ann")
    for update, expected in (
        (ann.send_sticker(), "only read typed messages"),
        (ann.send_voice(), "only read typed messages"),
        (ann.send_photo(), "only read typed messages"),
        (ann.send("/teleport"), "don't know that command"),
    ):
        replies = await chat.act(ann, update)
        assert expected in replies[-1].plain


async def test_stale_and_forged_buttons_are_handled(chat):
    ann = chat.telegram.user("Ann")
    [old] = await chat.say(ann, "food bank")
    for data in ("pg:999:1", "dt:999999", "ct:not-a-need", "gr:99", "zz:1", "pg:1:1'; drop table", "x" * 64):
        replies = await chat.act(ann, ann.press_data(data, old))
        assert "button is from an old message" in replies[-1].plain
    assert all(query.answered for query in chat.telegram.callback_queries.values())


async def test_escaping_and_limits_hold_for_hostile_text(chat):
    ann = chat.telegram.user("Ann")
    [reply] = await chat.say(ann, "<b>food</b> & bank " + "x" * 5000)
    assert "<b>food</b> & bank" in reply.plain  # shown as typed, not as markup
    assert len(reply.plain) <= 4096
    [reply] = await chat.say(ann, "😀😀😀")
    assert reply.plain.startswith("Hello! What can I help you find?")


async def test_a_greeting_is_not_a_gap(chat, sessions):
    ann = chat.telegram.user("Ann")
    [reply] = await chat.say(ann, "hi there!")
    assert reply.plain.startswith("Hello! What can I help you find?")
    assert await count(sessions, Need) == 0


async def test_a_failed_send_gets_an_apology_and_nothing_breaks(chat, caplog):
    ann = chat.telegram.user("Ann")
    chat.telegram.faults.fail_next("sendMessage", "bad_gateway")
    replies = await chat.say(ann, "food bank")
    assert [r.plain for r in replies] == [
        "Sorry, something went wrong on my side. Please try again in a moment."
    ]
    assert "food bank" not in caplog.text  # errors are logged without what the resident wrote
    [reply] = await chat.say(ann, "food bank")
    assert "Here's what I found" in reply.plain


async def test_a_user_who_blocked_the_bot_is_not_a_crash(chat, caplog):
    ann = chat.telegram.user("Ann")
    # Ann blocks the bot between sending her message and the reply (and the apology) going out.
    chat.telegram.faults.fail_next("sendMessage", "blocked", times=2)
    assert await chat.say(ann, "food bank") == []
    assert "could not send the apology" in caplog.text
    [reply] = await chat.say(ann, "food bank")
    assert "Here's what I found" in reply.plain


async def test_the_bot_answers_through_long_polling(chat):
    """Production's way in: getUpdates long polling, here against the emulation."""
    import asyncio

    ann = chat.telegram.user("Ann")
    await chat.app.start()
    await chat.app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        ann.send("/help")
        for _ in range(200):  # at most 2 s; the poll wakes as soon as Ann writes
            if chat.telegram.last_bot_message(ann) is not None:
                break
            await asyncio.sleep(0.01)
    finally:
        await chat.app.updater.stop()
        await chat.app.stop()
    assert "Tell me what you need in your own words" in chat.telegram.last_bot_message(ann).plain


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("i want to kill myself", "116 123"),
        ("my baby isnt breathing properly", "999"),
        ("i was raped last night", "0808 500 2222"),
        ("my partner hits me", "0808 2000 247"),
        ("im 13 and my stepdad hurts me", "0800 1111"),
        ("my employer keeps my passport and doesnt pay me", "08000 121 700"),
        ("a man keeps following me home every night", "0808 802 0300"),
        ("my nans carer is taking her pension", "0808 808 8141"),
    ],
)
async def test_danger_gets_its_help_first_and_nothing_unrelated_after(chat, sessions, text, number):
    """Help, the quick exit, then at most local support for it: never 'Sorry, I couldn't find',
    never cafés or clubs as 'closest things', and the words are never kept as an unmet need."""
    ann = chat.telegram.user("Ann")
    help_message, *after = await chat.say(ann, text)
    assert number in help_message.plain and buttons(help_message) == ["🚪 Quick exit"]
    assert all(r.plain.startswith("Support near you") for r in after), texts(after)
    assert await count(sessions, Need) == 0


async def test_a_search_that_finds_nothing_shows_no_unrelated_closest_things(chat):
    ann = chat.telegram.user("Ann")
    replies = await chat.say(ann, "somewhere to fix my toaster")
    assert "closest things" not in " ".join(texts(replies))
