"""Messages passed on through the bot between two people who have not shared who they are: the two
sides of an introduction (introductions.py), and a coordinator with a volunteer interested in their
opportunity (opportunities.py). What both relays share lives here.

A relay is a flow of one step (bot.handlers.flows: user_data[KEY] = {"step": TALKING, "id": what
it is about, "at": their last message}) that stays open after a message is passed on, so "thank
you so much x" goes to the other side too instead of being searched (and logged as an unmet need).
It closes on Done, /cancel or a quick exit; after RELAY_LIVE without a message the person may have
moved on, so the bot asks before passing anything on. Each relay says only how to reach the other
side (find: a Route)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, message, query, user_data, user_id
from bot.handlers.common import tell
from bot.handlers.conversation import Menu
from bot.handlers.flows import Flow, stepless
from bot.handlers.privacy import quick_exit_row
from bot.views.keyboards import keyboard

RELAY_LIVE = timedelta(hours=1)  # typed this long after their last message, the bot asks first
TALKING = "talking"  # a relay's one step: what they type goes to the other side
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
    flow: Flow  # the open relay: a question whose answers go to the other side
    find: Callable[[ContextTypes.DEFAULT_TYPE, int, int], Awaitable[Route | None]]  # None: it ended
    ended: str  # said when it has ended meanwhile
    delivered: Callable[[ContextTypes.DEFAULT_TYPE, int, int], Awaitable[None]] | None = None  # (other, id)

    @property
    def key(self) -> str:
        return self.flow.key


RELAYS: dict[str, Relay] = {}  # by key, filled in by each relay's module


def relay(
    key: str,
    find: Callable[[ContextTypes.DEFAULT_TYPE, int, int], Awaitable[Route | None]],
    ended: str,
    delivered: Callable[[ContextTypes.DEFAULT_TYPE, int, int], Awaitable[None]] | None = None,
) -> Relay:
    """A relay kept under the user_data KEY (older versions kept it as {"id", "at"}, no step)."""
    made = Relay(Flow(key, (TALKING,), legacy=stepless(TALKING)), find, ended, delivered)
    RELAYS[key] = made

    @made.flow.on_text
    async def typed(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        await on_text(update, context, made, text)

    return made


def talking(context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether one of the relays is open."""
    return any(each.flow.state(context) is not None for each in RELAYS.values())


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, relay: Relay, relay_id: int) -> None:
    """'Send a message' or 'Reply': what they type next goes to the other side."""
    await query(update).answer()
    if await relay.find(context, relay_id, user_id(update)) is None:
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    relay.flow.open(context, TALKING, id=relay_id, at=services(context).clock())
    user_data(context).pop(HELD, None)  # answering now: nothing to ask about
    await tell(context, chat_id(update), m.TYPE_YOUR_MESSAGE, keyboard(quick_exit_row()))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, relay: Relay, text: str) -> None:
    """Typed while the relay is open: passed on, and the relay stays open for the next message
    ("thanks, see you Saturday" is part of the conversation, not a search). After RELAY_LIVE
    without a message the bot asks before passing anything on."""
    open_relay = relay.flow.current(context)
    if services(context).clock() - open_relay["at"] > RELAY_LIVE:
        relay.flow.close(context)
        if not await ask_whether_to_pass_on(update, context, relay, open_relay["id"], text):
            await tell(context, chat_id(update), relay.ended)
        return
    await pass_on(update, context, relay, open_relay["id"], text, message(update).message_id)


async def pass_on(
    update: Update, context: ContextTypes.DEFAULT_TYPE, relay: Relay, relay_id: int, text: str, words_id: int
) -> None:
    """Pass TEXT (their message WORDS_ID) to the other side, without saying who sent it, and keep
    the relay open (with Done to close it)."""
    pz, chat = services(context), chat_id(update)
    route = await relay.find(context, relay_id, user_id(update))
    if route is None:  # ended meanwhile (the other side deleted their data)
        relay.flow.close(context)
        await tell(context, chat, relay.ended)
        return
    delivered = await tell(context, route.other, f"{route.header}\n\n{m.esc(text[:3000])}", route.reply)
    exit_row = quick_exit_row(words_id)  # clears the chat from their own words on
    if not delivered:
        relay.flow.close(context)
        await tell(context, chat, m.MESSAGE_NOT_DELIVERED, keyboard(exit_row))
        return
    relay.flow.open(context, TALKING, id=relay_id, at=pz.clock())  # still talking: stays open
    if relay.delivered is not None:
        await relay.delivered(context, route.other, relay_id)
    from bot.handlers.search import RelayChoice  # search, which answers it, imports this module

    await tell(
        context,
        chat,
        m.MESSAGE_PASSED_ON,
        keyboard([(m.BUTTON_DONE, RelayChoice("done").data)], exit_row),
    )


async def ask_whether_to_pass_on(
    update: Update, context: ContextTypes.DEFAULT_TYPE, relay: Relay, relay_id: int, text: str
) -> bool:
    """Hold TEXT (in memory) and ask whether it goes to the other side; False, asking nothing, when
    the relay has ended."""
    route = await relay.find(context, relay_id, user_id(update))
    if route is None:
        return False
    user_data(context)[HELD] = {
        "relay": relay.key,
        "id": relay_id,
        "at": services(context).clock(),
        "text": text,
        "words_id": message(update).message_id,
    }
    from bot.handlers.search import RelayChoice  # search, which answers it, imports this module

    await tell(
        context,
        chat_id(update),
        route.question.format(text=m.esc(text[:200]), about=m.esc(route.about)),
        keyboard(
            [(m.BUTTON_PASS_IT_ON, RelayChoice("send").data)],
            [(m.BUTTON_SEARCH_FOR_IT, RelayChoice("search").data)],
        ),
    )
    return True


def take_held_text(context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The typed text held while asking whether to pass it on; it is let go of either way."""
    held = user_data(context).pop(HELD, None)
    return held.get("text") if held else None


async def on_choice(update: Update, context: ContextTypes.DEFAULT_TYPE, choice: str) -> None:
    """'Yes, pass it on' (the held text goes, and its relay opens), or 'Done' (the open relay
    closes, whichever it is: only one question is open at a time)."""
    await query(update).answer()
    if choice == "done":
        for open_relay in RELAYS.values():
            open_relay.flow.close(context)
        await tell(context, chat_id(update), m.RELAY_STOPPED, keyboard([(m.BUTTON_MENU, Menu().data)]))
        return
    held = user_data(context).get(HELD)
    if not held or not held.get("text") or held.get("relay") not in RELAYS:
        await tell(context, chat_id(update), m.STALE_BUTTON)
        return
    user_data(context).pop(HELD)
    await pass_on(update, context, RELAYS[held["relay"]], held["id"], held["text"], held["words_id"])
