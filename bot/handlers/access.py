"""Typed access to the parts of an update a handler was registered for.

PTB types `update.effective_chat`, `update.callback_query`, `context.user_data` and the like as
possibly None, because not every kind of update has them. A handler only runs for the kinds it was
registered for (a command has a chat and a user, a button press has a callback query), so here a
missing part is a programming error: each accessor raises a RuntimeError naming what was missing,
rather than an AttributeError on None somewhere further on. Where a part may legitimately be
absent (the guard and the safety check see every update), handlers check for None themselves.
"""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, Document, Location, Message, Update
from telegram.ext import ContextTypes


def _missing(part: str) -> RuntimeError:
    return RuntimeError(f"this update has no {part}: the handler is registered for the wrong kind of update")


def chat_id(update: Update) -> int:
    """The id of the chat the update came from (for a private chat, the person's own id)."""
    if update.effective_chat is None:
        raise _missing("chat")
    return update.effective_chat.id


def user_id(update: Update) -> int:
    """The Telegram id of the person who sent the update."""
    if update.effective_user is None:
        raise _missing("user")
    return update.effective_user.id


def query(update: Update) -> CallbackQuery:
    """The button press of a callback-query update."""
    if update.callback_query is None:
        raise _missing("callback query")
    return update.callback_query


def message(update: Update) -> Message:
    """The message of the update (for a button press, the message the button is on)."""
    if update.effective_message is None:
        raise _missing("message")
    return update.effective_message


def document(update: Update) -> Document:
    """The file sent with the update's message."""
    found = message(update).document
    if found is None:
        raise _missing("document")
    return found


def location(update: Update) -> Location:
    """The location shared in the update's message."""
    found = message(update).location
    if found is None:
        raise _missing("location")
    return found


def user_data(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    """The person's in-memory conversation state (PTB has it for every update with a user)."""
    if context.user_data is None:
        raise _missing("user data")
    return context.user_data
