"""The questions the bot asks and waits for (bot.handlers.flows), as a person meets them: one
question open at a time, /cancel ends any of them, and a state kept by an older version (another
shape, a step since removed) never breaks the conversation."""

from types import SimpleNamespace

import pytest

from bot import messages as m
from bot.config import Settings, default_zones
from bot.handlers import flows
from bot.handlers.flows import Flow
from bot.pipeline import codec
from db.models import ConversationState
from tests.conversation import close_conversation, open_conversation
from tests.test_pipeline import stored_state
from tests.test_privacy import introduced
from tests.test_volunteering import ADMIN_ID

CORA = 9001  # an admin in the config: a coordinator of every zone


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA, ADMIN_ID))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def keep_state(sessions, user_id: int, data: dict) -> None:
    """What an older version of the bot left for this person, as it was stored."""
    async with sessions.begin() as session:
        row = await session.get(ConversationState, user_id)
        if row is None:
            session.add(ConversationState(telegram_user_id=user_id, data=codec.encode(data), handled=[]))
        else:
            row.data = codec.encode(data)


def plain(text: str) -> str:
    """A message of bot.messages as the person sees it (without its HTML)."""
    return text.replace("<i>", "").replace("</i>", "").replace("<b>", "").replace("</b>", "")


async def test_the_newest_question_takes_the_answer(chat, sessions):
    ann = chat.telegram.user("Ann")
    [offer] = await chat.say(ann, "/volunteer")
    assert offer.plain == plain(m.VOLUNTEER_ASK_OFFER)
    [where] = await chat.say(ann, "/area")
    assert where.plain.startswith("Where are you?")
    replies = await chat.say(ann, "Oakham")  # the area, not an offer of help
    assert "I'll remember Oakham" in replies[0].plain
    assert not {"volunteer_flow", "awaiting_area"} & set(await stored_state(sessions, ann.id))
    replies = await chat.say(ann, "food bank")  # no question open: a search
    assert replies[0].plain.startswith("Here's what I found for food bank")


async def test_a_question_asked_in_the_middle_of_a_flow_replaces_it(chat, sessions):
    cora = chat.telegram.user("Cora", user_id=CORA)
    await chat.say(cora, "/newevent")
    [name] = await chat.say(cora, "Friday Youth Club")
    assert name.plain.startswith("When does it start?")
    [asked] = await chat.say(cora, "/broadcast")
    assert asked.plain == plain(m.BROADCAST_ASK_MESSAGE)
    [who] = await chat.say(cora, "Fri 4 Dec 18:00")  # the announcement now, not the event's start
    assert who.plain == m.BROADCAST_ASK_WHO
    kept = await stored_state(sessions, CORA)
    assert "new_event_flow" not in kept and kept["broadcast_flow"]["text"] == "Fri 4 Dec 18:00"


@pytest.mark.parametrize(
    ("who", "command"),
    [
        ("Ann", "/area"),
        ("Ann", "/volunteer"),
        ("Cora", "/newevent"),
        ("Cora", "/broadcast"),
        ("Cora", "/addasset"),
        ("Cora", "/opportunity"),
    ],
)
async def test_cancel_ends_any_question(chat, sessions, who, command):
    person = chat.telegram.user(who, user_id=CORA) if who == "Cora" else chat.telegram.user(who)
    await chat.say(person, command)
    [stopped] = await chat.say(person, "/cancel")
    assert stopped.plain == m.CANCELLED
    assert not set(flows.FLOWS) & set(await stored_state(sessions, person.id))
    replies = await chat.say(person, "food bank")  # searched, not taken as an answer
    assert replies[0].plain.startswith("Here's what I found for food bank")
    [again] = await chat.say(person, "/cancel")
    assert again.plain == m.NOTHING_TO_CANCEL


async def test_an_area_question_kept_by_an_older_version_is_still_answered(chat, sessions):
    ann = chat.telegram.user("Ann")
    await keep_state(sessions, ann.id, {"awaiting_area": True})  # how it used to be kept
    replies = await chat.say(ann, "Oakham")
    assert "I'll remember Oakham" in replies[0].plain
    assert "awaiting_area" not in await stored_state(sessions, ann.id)


@pytest.mark.parametrize(
    "old",
    [
        {"new_event_flow": {"step": "colour", "title": "Quiz night"}},  # a step since removed
        {"volunteer_flow": "text"},  # not a state at all
        {"asset_edit": [1, 2]},
        {"broadcast_flow": {"text": "no step"}},
        {"awaiting_area": "yes"},
    ],
)
async def test_a_state_this_version_cannot_read_is_no_question(chat, sessions, old):
    ann = chat.telegram.user("Ann")
    await keep_state(sessions, ann.id, old)
    replies = await chat.say(ann, "food bank")
    assert replies[0].plain.startswith("Here's what I found for food bank")
    assert not set(old) & set(await stored_state(sessions, ann.id))  # let go of
    [cancelled] = await chat.say(ann, "/cancel")
    assert cancelled.plain == m.NOTHING_TO_CANCEL


async def test_cancel_after_an_unreadable_state_says_nothing_was_asked(chat, sessions):
    ann = chat.telegram.user("Ann")
    await keep_state(sessions, ann.id, {"opportunity_flow": {"step": 7}})
    [cancelled] = await chat.say(ann, "/cancel")
    assert cancelled.plain == m.NOTHING_TO_CANCEL


async def test_a_relay_is_a_question_like_the_others(chat, sessions):
    ann, vic, _request, accepted = await introduced(chat, sessions)
    await chat.press(ann, "✉️ Send a message", accepted)
    kept = await stored_state(sessions, ann.id)
    del kept["relay_introduction"]["step"]  # as older versions kept an open relay: {"id", "at"}
    await keep_state(sessions, ann.id, kept)
    mark = chat.telegram.mark()
    [passed] = await chat.say(ann, "see you tuesday at 2")
    assert "passed that on" in passed.plain
    [relayed] = chat.telegram.bot_messages_since(vic, mark)
    assert relayed.plain.endswith("see you tuesday at 2")

    await chat.say(ann, "/area")  # another question closes the relay: the answer is an area
    mark = chat.telegram.mark()
    replies = await chat.say(ann, "Oakham")
    assert "I'll remember Oakham" in replies[0].plain and chat.telegram.bot_messages_since(vic, mark) == []

    await chat.press(ann, "✉️ Send a message", accepted)
    [stopped] = await chat.say(ann, "/cancel")
    assert stopped.plain == m.CANCELLED
    mark = chat.telegram.mark()
    replies = await chat.say(ann, "food bank")
    assert (
        replies[0].plain.startswith("Here's what I found")
        and chat.telegram.bot_messages_since(vic, mark) == []
    )


def test_a_flow_waiting_for_typing_needs_a_handler():
    flows.check_answered()  # the bot's own flows all have theirs
    typed = Flow("test_flow_typed", ("words", "choice"), pressed=frozenset({"choice"}))
    buttons_only = Flow("test_flow_buttons", ("choice",), pressed=frozenset({"choice"}))
    try:
        with pytest.raises(TypeError, match="test_flow_typed"):
            flows.check_answered()

        @typed.on_text
        async def answered(update, context, text) -> None:
            return None

        flows.check_answered()  # and a flow only of buttons needs none
        assert buttons_only.answer is None
    finally:
        del flows.FLOWS[typed.key], flows.FLOWS[buttons_only.key]


def test_steps_are_checked_where_they_are_named():
    flow = Flow("test_flow_steps", ("first", "second"), pressed=frozenset({"second"}))
    context = SimpleNamespace(user_data={})
    try:
        with pytest.raises(ValueError, match="third"):
            flow.open(context, "third")  # type: ignore[arg-type]
        assert flow.open(context, "first", n=1) == {"step": "first", "n": 1}  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="third"):
            flow.go(context, "third")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="third"):
            flow.at(context, "third")  # type: ignore[arg-type]
        assert flows.waiting_for_text(context.user_data)
        flow.go(context, "second", n=2)  # type: ignore[arg-type]
        assert flow.at(context, "second") and context.user_data[flow.key]["n"] == 2  # type: ignore[arg-type]
        assert not flows.waiting_for_text(context.user_data)  # a typed number presses a button
        with pytest.raises(ValueError, match="two flows"):
            Flow("test_flow_steps", ("first",))
        with pytest.raises(ValueError, match="pressed"):
            Flow("test_flow_other", ("first",), pressed=frozenset({"second"}))
    finally:
        del flows.FLOWS[flow.key]
    assert "test_flow_other" not in flows.FLOWS
