"""How assets and events look, through the emulation: when a closed place opens next ("next
Thursday" a week ahead), each kind of contact on its own line with its own mark, button labels cut
at a word, and counts with the right plural."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import messages as m
from bot.config import Settings, default_zones
from bot.services.directory import import_directory
from bot.services.events import create_event
from bot.services.places import ZoneMap
from bot.views.keyboards import button_label
from tests.conversation import close_conversation, open_conversation

LONDON = ZoneInfo("Europe/London")
CORA = 9001  # an admin in the config
HEADER = (
    "external_id,kind,name,description,categories,keywords,audiences,min_age,max_age,cost,access,"
    "address,town,postcode,latitude,longitude,phone,email,website,opening_hours,is_example\n"
)
CONTACTS = (
    "dr-le2,service,Highfields Drop-in Advice,Free advice on benefits and bills.,Debt advice,"
    "advice,,,,Free,drop-in,2 Example Road,Leicester,LE2 0AA,52.62800,-1.11800,,"
    "advice@example.org,https://advice.example.org,Mon 10:00-12:00,yes\n"
)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


def labels(message) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


@pytest.fixture
async def chat(sessions, database_url, tmp_path):
    extra = tmp_path / "contacts.csv"
    extra.write_text(HEADER + CONTACTS)
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    await import_directory(sessions, str(extra), ZoneMap(settings.zones), source="contacts")
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


def block(results, name: str) -> str:
    return next(b for b in results.plain.split("\n\n") if name in b)


async def test_a_place_that_opens_this_weekday_next_week_says_next(chat):
    ann = chat.telegram.user("Ann")
    [morning] = await chat.say(ann, "food bank LE5")  # Thursday 10:30; Hamilton opens Thu 13:00
    assert "Closed now, opens 13:00" in block(morning, "Hamilton Food Bank")
    chat.clock.now = local("2026-11-26 18:00")  # Thursday evening: today's session is over
    [evening] = await chat.say(ann, "food bank LE5")
    assert "Closed now, opens next Thursday 13:00" in block(evening, "Hamilton Food Bank")
    [everywhere] = await chat.say(ann, "food bank")
    assert "Closed now, opens tomorrow 09:00" in block(everywhere, "Beaumont Leys Food Bank")
    assert "Closed now, opens Tuesday 10:00" in block(everywhere, "Oakham Food Bank")  # this coming one


async def test_each_kind_of_contact_has_its_own_line_and_mark(chat):
    ann = chat.telegram.user("Ann")
    [results] = await chat.say(ann, "debt advice LE2")
    card = block(results, "Highfields Drop-in Advice")
    assert "🌐 https://advice.example.org" in card and "✉️ advice@example.org" in card
    assert "📞" not in card  # no phone number: no phone mark in front of anything else
    number = next(i for i, b in enumerate(results.plain.split("\n\n")) if "Highfields" in b)
    [details] = await chat.press(ann, f"{number} · Details", results)
    lines = details.plain.split("\n")
    assert "🌐 https://advice.example.org" in lines and "✉️ advice@example.org" in lines
    assert not any(line.startswith("📞") for line in lines)
    card = block(results, "City Debt Advice")  # a phone only
    assert "📞 0116 496 0003" in card and "🌐" not in card and "✉️" not in card


async def test_buttons_built_from_names_are_cut_at_a_word_with_an_ellipsis(chat, sessions):
    async with sessions.begin() as session:
        await create_event(
            session,
            "Coffee Morning for Older Neighbours (example)",
            local("2026-11-27 10:00"),
            venue="Hall",
            zone="Leicester West",
        )
    ann, cora = chat.telegram.user("Ann"), chat.telegram.user("Cora", user_id=CORA)
    [listing] = await chat.say(ann, "/whatson")
    assert "1 · Coffee Morning for Older Neighbours…" in labels(listing)
    [mine] = await chat.say(cora, "/myevents")
    assert labels(mine) == ["Coffee Morning for Older Neighbours… · Fri 27 Nov, 10:00"]


def test_button_label_cuts_at_a_word_boundary():
    assert (
        button_label("Coffee Morning for Older Neighbours (example)")
        == "Coffee Morning for Older Neighbours…"
    )
    assert button_label("  Short   name ") == "Short name"
    assert button_label("x" * 50) == "x" * 39 + "…"  # one word longer than a button: cut it
    assert (
        button_label("Tea, cake and company: a warm welcome for all")
        == "Tea, cake and company: a warm welcome…"
    )
    assert all(len(button_label("word " * n)) <= 40 for n in range(30))


async def test_counts_say_one_person_and_two_people(chat, sessions):
    assert m.counted(1, "person") == "1 person" and m.counted(2, "person") == "2 people"
    assert m.counted(0, "volunteer") == "0 volunteers" and m.counted(1, "search") == "1 search"
    cora = chat.telegram.user("Cora", user_id=CORA)
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "scuba diving lessons")  # one search that found nothing
    [gaps, *_] = await chat.say(cora, "/gaps")
    assert "1 search found nothing" in gaps.plain
    await chat.say(cora, "/opportunity")
    await chat.say(cora, "the food bank needs saturday drivers")
    [posted] = await chat.press(cora, "Anywhere")
    assert "I've told 0 volunteers whose skills" in posted.plain


def test_no_message_leaves_the_plural_to_the_reader():
    texts = [value for value in vars(m).values() if isinstance(value, str)]
    texts += [
        v
        for value in vars(m).values()
        if isinstance(value, dict)
        for v in value.values()
        if isinstance(v, str)
    ]
    assert not [text for text in texts if "(s)" in text]
