"""Telegram's size rules and flood limits, so the bot meets them in tests before it meets them live.

Flood limits run on an injectable clock (seconds, default ``time.monotonic``); tests move the
clock instead of sleeping. Telegram publishes only rough figures ("about 30 messages per second",
"avoid more than one message per second in a chat", "no more than 20 messages per minute in a
group"), so the emulation takes them at their word, strictly where a burst would hide a bug:

- all chats together: at most 30 messages in any 1-second window (sliding window);
- each group chat: at most 20 messages in any 60-second window (sliding window);
- each private chat: 1 per second with a burst of 3 (token bucket), because Telegram tolerates
  the short bursts of a normal reply (an answer, a card, a keyboard) but not a sustained stream.

Only messages count (send* methods); edits, deletions, callback answers and chat actions do not.
A request refused with 429 uses up nothing, and ``retry_after`` is the whole number of seconds
(at least 1) until every limit involved would let the message through.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.emulation import errors
from bot.emulation.errors import ApiError, too_many_requests
from bot.emulation.formatting import FormattedText, format_text

TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_DATA_MAX = 64
Clock = Callable[[], float]

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "web_app",
    "login_url",
    "callback_game",
    "pay",
    "copy_text",
)


def check_text(source: Any, parse_mode: str | None, *, strict_html: bool = True) -> FormattedText:
    """A message text as Telegram stores it, or the 400 Telegram answers for it."""
    if not isinstance(source, str) or not source.strip():
        raise ApiError(400, errors.TEXT_EMPTY)
    formatted = format_text(source, parse_mode, strict=strict_html)
    if not formatted.text:
        raise ApiError(400, errors.TEXT_EMPTY)
    if len(formatted.text) > TEXT_MAX:
        raise ApiError(400, errors.MESSAGE_TOO_LONG)
    return formatted


def check_caption(source: Any, parse_mode: str | None, *, strict_html: bool = True) -> FormattedText | None:
    """A caption as stored (None when absent), or 400 when longer than 1024 characters."""
    if source is None or source == "":
        return None
    formatted = format_text(str(source), parse_mode, strict=strict_html)
    if len(formatted.text) > CAPTION_MAX:
        raise ApiError(400, errors.CAPTION_TOO_LONG)
    return formatted


def check_reply_markup(markup: Any) -> None:
    """Refuse inline keyboards Telegram refuses: bad callback_data, no action, bad URL."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    for row in markup["inline_keyboard"]:
        for button in row:
            actions = [key for key in _BUTTON_ACTIONS if key in button]
            if not actions:
                raise ApiError(400, errors.TEXT_BUTTONS_UNALLOWED)
            data = button.get("callback_data")
            if data is not None and not (0 < len(str(data).encode()) <= CALLBACK_DATA_MAX):
                raise ApiError(400, errors.BUTTON_DATA_INVALID)
            url = button.get("url")
            if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                raise ApiError(400, errors.BUTTON_URL_INVALID)


@dataclass
class TokenBucket:
    """``rate`` tokens a second up to ``burst``; one token per message."""

    rate: float
    burst: float
    tokens: float = -1.0
    updated: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until a token is free (0 when one is free now)."""
        if self.tokens < 0:
            self.tokens, self.updated = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.tokens -= 1


class SlidingWindow:
    """At most ``limit`` messages in any ``period`` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.sent: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until the oldest message in the window leaves it (0 when there is room)."""
        while self.sent and self.sent[0] <= now - self.period:
            self.sent.popleft()
        return 0.0 if len(self.sent) < self.limit else self.sent[0] + self.period - now

    def take(self, now: float) -> None:
        self.sent.append(now)


Limit = TokenBucket | SlidingWindow


class RateLimiter:
    """The flood limits above, per chat and overall."""

    def __init__(
        self,
        clock: Clock = time.monotonic,
        *,
        overall: tuple[int, float] = (30, 1.0),
        private: tuple[float, float] = (1.0, 3.0),
        group: tuple[int, float] = (20, 60.0),
    ) -> None:
        self.clock = clock
        self.overall = SlidingWindow(*overall)
        self._private = private
        self._group = group
        self._chats: dict[int, Limit] = {}

    def acquire(self, chat_id: int, *, group: bool) -> None:
        """Count one message to ``chat_id``, or raise Telegram's 429 without counting it."""
        now = self.clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = SlidingWindow(*self._group) if group else TokenBucket(*self._private)
            self._chats[chat_id] = chat
        wait = max(self.overall.wait(now), chat.wait(now))
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        self.overall.take(now)
        chat.take(now)
