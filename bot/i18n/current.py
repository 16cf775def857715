"""Whose language the words being written now are in.

One value per task: the update pipeline sets it to the person's language at the start of their
update (bot.pipeline), and whatever writes to someone else (reminders, notices, announcements,
messages to other people) writes inside `speaking(their language)`. `bot.messages` reads it, so
the handlers write `m.WELCOME` as before and it comes out in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bot.i18n.languages import ENGLISH, language

_current: ContextVar[str] = ContextVar("language", default=ENGLISH)


def current() -> str:
    return _current.get()


def set_language(code: str | None) -> None:
    """For the rest of this task (an update), speak CODE (English if the bot does not speak it)."""
    _current.set(language(code).code)


@contextmanager
def speaking(code: str | None) -> Iterator[None]:
    """Write what is inside in CODE's language (someone else's: a reminder, a notice)."""
    token = _current.set(language(code).code)
    try:
        yield
    finally:
        _current.reset(token)
