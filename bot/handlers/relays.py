"""Messages passed on through the bot between two people who have not shared who they are: the two
sides of an introduction (introductions.py), and a coordinator with a volunteer interested in their
opportunity (opportunities.py). What both relays share lives here.

A relay is a question (user_data[KEY] = {"id": what it is about, "at": their last message}, in
memory only) that stays open after a message is passed on, so "thank you so much x" goes to the
other side too instead of being searched (and logged as an unmet need). It closes on Done, /cancel
or a quick exit; after RELAY_LIVE without a message the person may have moved on, so the bot asks
before passing anything on. Each relay says only how to reach the other side (find: a Route)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import callbacks
from bot.handlers.common import ask, keyboard, tell
from bot.handlers.privacy import quick_exit_row

RELAY_LIVE = timedelta(hours=1)  # typed this long after their last message, the bot asks first
# user_data key, not a question: a typed text held while the bot asks whether to pass it on
# ({"relay": KEY, "id", "at", "text", "words_id"}); an introduction also marks a message that came
# in with it ({"id", "at"}), after which a typed text may be a reply (introductions.ask_if_reply)
HELD = "relay_offer"


@dataclass(frozen=True)
class Route:
    """Where this person's messages go, and how they are labelled (never with who sent them)."""

    other: int  # the other side's chat
    header: str  # what the passed-on message starts with
    reply: InlineKeyboardMarkup  # under the passed-on message
    question: str  # asking this person whether a typed {text} is for the other side ({about})
    about: str = ""


@dataclass(frozen=True)
class Relay:
    key: str  # user_data key of the open relay (a question: search routes what is typed to it)
    find: Callable[[ContextTypes.DEFAULT_TYPE, int, int], Awaitable[Route | None]]  # None: it ended
    ended: str  # said when it has ended meanwhile
    delivered: Callable[[ContextTypes.DEFAULT_TYPE, int, int], None] | None = None  # (other, id)


RELAYS: dict[str, Relay] = {}  # by key, filled in by each relay's module


def relay(key: str, find, ended: str, delivered=None) -> Relay:  # type: ignore[no-untyped-def]
    RELAYS[key] = Relay(key, find, ended, delivered)
    return RELAYS[key]


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, relay: Relay, relay_id: int) -> None:
    """'Send a message' or 'Reply': what they type next goes to the other side."""
    await update.callback_query.answer()
    if await relay.find(context, relay_id, update.effective_user.id) is None:
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)
        return
    ask(context, relay.key, {"id": relay_id, "at": services(context).clock()})
    context.user_data.pop(HELD, None)  # answering now: nothing to ask about
    await tell(context, update.effective_chat.id, m.TYPE_YOUR_MESSAGE, keyboard(quick_exit_row()))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, relay: Relay, text: str) -> None:
    """Typed while the relay is open: passed on, and the relay stays open for the next message.
    After RELAY_LIVE without a message the bot asks before passing anything on."""
    open_relay = context.user_data[relay.key]
    if services(context).clock() - open_relay["at"] > RELAY_LIVE:
        context.user_data.pop(relay.key)
        if not await ask_whether_to_pass_on(update, context, relay, open_relay["id"], text):
            await tell(context, update.effective_chat.id, relay.ended)
        return
    await pass_on(update, context, relay, open_relay["id"], text, update.effective_message.message_id)


async def pass_on(
    update: Update, context: ContextTypes.DEFAULT_TYPE, relay: Relay, relay_id: int, text: str, words_id: int
) -> None:
    """Pass TEXT (their message WORDS_ID) to the other side, without saying who sent it, and keep
    the relay open (with Done to close it)."""
    pz, chat = services(context), update.effective_chat.id
    route = await relay.find(context, relay_id, update.effective_user.id)
    if route is None:  # ended meanwhile (the other side deleted their data)
        context.user_data.pop(relay.key, None)
        await tell(context, chat, relay.ended)
        return
    delivered = await tell(context, route.other, f"{route.header}\n\n{m.esc(text[:3000])}", route.reply)
    exit_row = quick_exit_row(words_id)  # clears the chat from their own words on
    if not delivered:
        context.user_data.pop(relay.key, None)
        await tell(context, chat, m.MESSAGE_NOT_DELIVERED, keyboard(exit_row))
        return
    ask(context, relay.key, {"id": relay_id, "at": pz.clock()})  # still talking: stays open
    if relay.delivered is not None:
        relay.delivered(context, route.other, relay_id)
    await tell(
        context,
        chat,
        m.MESSAGE_PASSED_ON,
        keyboard([(m.BUTTON_DONE, callbacks.relay_choice("done"))], exit_row),
    )


async def ask_whether_to_pass_on(
    update: Update, context: ContextTypes.DEFAULT_TYPE, relay: Relay, relay_id: int, text: str
) -> bool:
    """Hold TEXT (in memory) and ask whether it goes to the other side; False, asking nothing, when
    the relay has ended."""
    route = await relay.find(context, relay_id, update.effective_user.id)
    if route is None:
        return False
    context.user_data[HELD] = {
        "relay": relay.key,
        "id": relay_id,
        "at": services(context).clock(),
        "text": text,
        "words_id": update.effective_message.message_id,
    }
    await tell(
        context,
        update.effective_chat.id,
        route.question.format(text=m.esc(text[:200]), about=m.esc(route.about)),
        keyboard(
            [(m.BUTTON_PASS_IT_ON, callbacks.relay_choice("send"))],
            [(m.BUTTON_SEARCH_FOR_IT, callbacks.relay_choice("search"))],
        ),
    )
    return True


def take_held_text(context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The typed text held while asking whether to pass it on; it is let go of either way."""
    held = context.user_data.pop(HELD, None)
    return held.get("text") if held else None


async def on_choice(update: Update, context: ContextTypes.DEFAULT_TYPE, choice: str) -> None:
    """'Yes, pass it on' (the held text goes, and its relay opens), or 'Done' (the open relay
    closes, whichever it is: only one question is open at a time)."""
    await update.callback_query.answer()
    if choice == "done":
        for key in RELAYS:
            context.user_data.pop(key, None)
        await tell(
            context, update.effective_chat.id, m.RELAY_STOPPED, keyboard([(m.BUTTON_MENU, callbacks.menu())])
        )
        return
    held = context.user_data.get(HELD)
    if not held or not held.get("text") or held.get("relay") not in RELAYS:
        await tell(context, update.effective_chat.id, m.STALE_BUTTON)
        return
    context.user_data.pop(HELD)
    await pass_on(update, context, RELAYS[held["relay"]], held["id"], held["text"], held["words_id"])
