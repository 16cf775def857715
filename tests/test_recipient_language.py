"""What the bot sends to someone other than the person in front of it is written in the
recipient's language: a Polish-speaking resident gets her event reminder, the header of an
announcement and a message passed on from her volunteer in Polish, while the English speakers on
the other side get theirs in English. Expected texts are `bot.messages` rendered in each language,
never Polish typed here (the translations are bot/locales/pl.po's)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot import messages as m
from bot.config import Settings, default_zones
from bot.handlers.privacy import quick_exit_row
from bot.i18n import formats
from bot.i18n.current import speaking
from bot.i18n.languages import ENGLISH
from bot.senders.announcements import send_due_deliveries
from bot.senders.notices import send_due_notices
from bot.services.events import create_event
from tests.conversation import close_conversation, open_conversation
from tests.test_volunteering import approved_driver

LONDON = ZoneInfo("Europe/London")
POLISH = "pl"
CORA = 9001  # an admin: posts the announcement
ADMIN_ID = 4242  # approves the volunteer (tests.test_volunteering.approved_driver)


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA, ADMIN_ID))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def rendered(code: str, make):
    """What MAKE writes (bot.messages texts) in language CODE."""
    with speaking(code):
        return make()


def in_both(make) -> tuple:
    """MAKE's text in Polish and in English, which must differ (pl.po translates what is used)."""
    polish, english = rendered(POLISH, make), rendered(ENGLISH, make)
    assert polish != english, f"bot/locales/pl.po has no translation for {english!r}"
    return polish, english


def labels(message) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


async def kasia_speaks_polish(chat):
    """Kasia chooses Polish with /language (her Telegram is in English, so it is her choice alone)."""
    kasia = chat.telegram.user("Kasia")
    [languages] = await chat.say(kasia, "/language")
    await chat.press(kasia, "Polski", languages)
    return kasia


async def test_an_event_reminder_comes_in_each_residents_language(chat, sessions):
    starts = local("2026-11-27 18:00")
    async with sessions.begin() as session:
        await create_event(session, "Friday Youth Club", starts, venue="Station Road, LE4")
    kasia, ann = await kasia_speaks_polish(chat), chat.telegram.user("Ann")
    for person in (kasia, ann):  # both say they are going, each in their own language
        [listing] = await chat.say(person, "/whatson")
        [details] = await chat.press(person, "1 · Friday Youth Club", listing)
        going = rendered(POLISH if person is kasia else ENGLISH, lambda: m.BUTTON_GOING)
        await chat.press(person, going, details)

    chat.clock.now = local("2026-11-26 18:01")  # the day before
    mark = chat.telegram.mark()
    assert (await send_due_notices(chat.app)).sent == 2
    [to_kasia], [to_ann] = (chat.telegram.bot_messages_since(p, mark) for p in (kasia, ann))

    def reminder() -> str:
        when = formats.day_date_time(starts, LONDON)
        return m.REMINDER.format(title="Friday Youth Club", when=when, venue="Station Road, LE4")

    polish, english = in_both(reminder)
    assert to_kasia.source == polish and to_ann.source == english
    # the date is hers too: the weekday and month in Polish, the time as everywhere
    assert rendered(POLISH, lambda: formats.day_date_time(starts, LONDON)) in to_kasia.plain
    assert "Fri 27 Nov, 18:00" in to_ann.plain
    assert labels(to_kasia) == [in_both(lambda: m.BUTTON_NOT_GOING)[0]]
    assert labels(to_ann) == [m.BUTTON_NOT_GOING]


async def test_an_announcements_header_and_stop_button_are_the_readers_the_words_the_coordinators(
    chat,
):
    kasia, ann = await kasia_speaks_polish(chat), chat.telegram.user("Ann")
    for person, code in ((kasia, POLISH), (ann, ENGLISH)):
        await chat.say(person, "/area")
        await chat.say(person, "LE3")
        [panel] = await chat.say(person, "/settings")
        await chat.press(person, rendered(code, lambda: m.BUTTON_TOGGLE_NEWS[False]), panel)

    cora = chat.telegram.user("Cora", user_id=CORA)  # an English-speaking coordinator
    text = "Bin collections move to Wednesday next week."
    await chat.say(cora, "/broadcast")
    [who] = await chat.say(cora, text)
    [zones] = await chat.press(cora, "Everyone who asked for local news", who)
    _preview, confirm = await chat.press(cora, "Leicester West", zones)
    mark = chat.telegram.mark()
    [status] = await chat.press(cora, "📣 Send it", confirm)
    assert (await send_due_deliveries(chat.app)).sent == 2

    [to_kasia], [to_ann] = (chat.telegram.bot_messages_since(p, mark) for p in (kasia, ann))
    polish, english = in_both(lambda: m.ANNOUNCEMENT.format(text=m.esc(text)))
    assert to_kasia.source == polish and to_ann.source == english
    assert text in to_kasia.plain  # the coordinator's own words go as written
    assert labels(to_kasia) == [in_both(lambda: m.BUTTON_STOP_ANNOUNCEMENTS)[0]]
    assert labels(to_ann) == [m.BUTTON_STOP_ANNOUNCEMENTS]
    # the status message, edited from the background, stays in the coordinator's language
    final = chat.telegram.last_bot_message(cora)
    assert final.message_id == status.message_id and "Sent to 2 of 2 people" in final.plain


async def test_messages_through_an_introduction_are_headed_in_the_readers_language(chat, sessions):
    vic = await approved_driver(chat, sessions)  # an English-speaking volunteer
    kasia = await kasia_speaks_polish(chat)
    await chat.say(kasia, "i need a lift to my hospital appointment")
    await chat.press(kasia, rendered(POLISH, lambda: m.BUTTON_ASK_VOLUNTEER))
    mark = chat.telegram.mark()
    await chat.press(kasia, rendered(POLISH, lambda: m.BUTTON_CONTACT_BOT))
    [request] = chat.telegram.bot_messages_since(vic, mark)
    assert request.source.startswith(m.VOLUNTEER_REQUEST.split("{")[0])  # his, in English
    assert labels(request) == [m.BUTTON_CAN_HELP, m.BUTTON_CANNOT_HELP]

    mark = chat.telegram.mark()
    [accepted_by_vic] = await chat.press(vic, m.BUTTON_CAN_HELP, request)
    [answer] = chat.telegram.bot_messages_since(kasia, mark)  # queued for her, in Polish
    polish, _ = in_both(lambda: m.RESIDENT_VOLUNTEER_ACCEPTED + "\n\n" + m.CONTACT_VIA_BOT)
    assert answer.source == polish
    assert labels(answer) == [in_both(lambda: m.BUTTON_SEND_MESSAGE)[0]]

    # Vic writes; Kasia reads the header in Polish and his words as he wrote them
    await chat.press(vic, m.BUTTON_SEND_MESSAGE, accepted_by_vic)
    mark = chat.telegram.mark()
    await chat.say(vic, "See you Tuesday at 2, I'll wait by the front door.")
    [relayed] = chat.telegram.bot_messages_since(kasia, mark)
    header, _ = in_both(lambda: m.RELAYED_FROM_VOLUNTEER)
    assert relayed.source == f"{header}\n\n" + m.esc("See you Tuesday at 2, I'll wait by the front door.")
    reply_row = rendered(POLISH, lambda: [m.BUTTON_REPLY, quick_exit_row()[0][0]])
    assert labels(relayed) == reply_row

    # she replies; Vic reads the header in English
    await chat.press(kasia, reply_row[0], relayed)
    mark = chat.telegram.mark()
    await chat.say(kasia, "Dziękuję bardzo!")
    [to_vic] = chat.telegram.bot_messages_since(vic, mark)
    assert to_vic.source == f"{m.RELAYED_FROM_NEIGHBOUR}\n\nDziękuję bardzo!"
    assert labels(to_vic) == [m.BUTTON_REPLY, m.BUTTON_QUICK_EXIT]
