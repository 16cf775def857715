"""One message from an outbox to Telegram, at the shared pace, with an outcome the outbox records.

What each failure means for the row: a 429 was not delivered, so wait as told and try again; a block
(403) or a vanished chat (400 chat not found) is final and marks the person unreachable; a timeout
may have been delivered, so it is `unknown` and never repeated; any other network error or 5xx was
not delivered, so the row is retried later with backoff.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.services.pacing import Pacer

MAX_RETRY_AFTER_WAITS = 3


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
        return SendOutcome("sent", waited_for_429=waits)
    return SendOutcome("retry", waited_for_429=waits)


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
