"""One message from an outbox to Telegram, at the shared pace, with an outcome the outbox records;
and the one rate limiter every other request to Telegram goes through.

What each failure means for the row: a 429 was not delivered, so wait as told and try again; a block
(403) or a vanished chat (400 chat not found) is final and marks the person unreachable; a timeout
may have been delivered, so it is `unknown` and never repeated; any other network error or 5xx was
not delivered, so the row is retried later with backoff.

One limiter, the Pacer: outbox sends (reminders, notices, announcements, messages to other people)
wait for their turn in it and handle a 429 per row (`send_paced`). Everything else — the replies
to the person in front of the bot, one update's worth at a time — goes through `PacedRateLimiter`:
not held back (a reply should not queue behind an announcement), but counted in the pace so bulk
sends make room for it, and on a 429 the whole pacer holds for `retry_after` before it tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.services.pacing import Pacer

log = logging.getLogger(__name__)
MAX_RETRY_AFTER_WAITS = 3
# Set while an outbox send is under way: it has had its turn, and handles a 429 itself.
_PACED: ContextVar[bool] = ContextVar("paced_send", default=False)


@dataclass(frozen=True)
class SendOutcome:
    outcome: str  # sent | failed | unknown | retry
    unreachable: bool = False
    waited_for_429: int = 0


@dataclass
class SendTally:
    """What one run of an outbox sender did."""

    sent: int = 0
    failed: int = 0
    unknown: int = 0
    retry_later: int = 0
    waited_for_429: int = 0

    def add(self, result: SendOutcome) -> None:
        self.waited_for_429 += result.waited_for_429
        field = {"sent": "sent", "failed": "failed", "unknown": "unknown"}.get(result.outcome, "retry_later")
        setattr(self, field, getattr(self, field) + 1)


async def send_paced(
    pacer: Pacer, chat_id: int, send: Callable[[], Awaitable[Any]], begin: Callable[[], Awaitable[bool]]
) -> SendOutcome | None:
    """Wait for a turn, then BEGIN (the outbox marks the row `sending`; False: someone else has
    it, and nothing is sent), then send. Waiting first keeps the moment of doubt — marked
    `sending`, not yet handed to Telegram — as short as it can be."""
    await pacer.wait_turn(chat_id)
    if not await begin():
        return None
    waits = 0
    for attempt in range(MAX_RETRY_AFTER_WAITS):
        if attempt:
            await pacer.wait_turn(chat_id)
        token = _PACED.set(True)
        try:
            await send()
        except RetryAfter as error:
            waits += 1
            await pacer.hold(_seconds(error.retry_after))
            continue
        except Forbidden:
            return SendOutcome("failed", unreachable=True, waited_for_429=waits)
        except BadRequest as error:
            gone = "chat not found" in str(error).lower()
            return SendOutcome("failed", unreachable=gone, waited_for_429=waits)
        except TimedOut:
            return SendOutcome("unknown", waited_for_429=waits)
        except NetworkError:
            return SendOutcome("retry", waited_for_429=waits)
        finally:
            _PACED.reset(token)
        return SendOutcome("sent", waited_for_429=waits)
    return SendOutcome("retry", waited_for_429=waits)


class PacedRateLimiter(BaseRateLimiter[None]):
    """PTB's rate limiter, backed by the Pacer (see the module docstring): the only one, instead
    of PTB's AIORateLimiter in series with the pacer (which waited twice for bulk sends and hid
    the 429s the outbox must count)."""

    def __init__(self, pacer: Pacer, max_tries: int = MAX_RETRY_AFTER_WAITS) -> None:
        self.pacer = pacer
        self.max_tries = max_tries

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if _PACED.get():
            return await callback(*args, **kwargs)
        method = endpoint.lower()  # messages are what Telegram's flood limits count
        message = method.startswith("send") and method != "sendchataction"
        tries = 1
        while True:
            if message:
                self.pacer.count(_chat_of(data))
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if tries >= self.max_tries:
                    raise
                tries += 1
                log.info("Telegram asked the bot to wait (429): every send holds, then this one tries again")
                await self.pacer.hold(_seconds(error.retry_after))


def _chat_of(data: dict[str, Any]) -> int | None:
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None  # a channel's @name, or no chat: only the overall pace applies


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
