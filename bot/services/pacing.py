"""Sending at a safe rate: one pacer per process for everything that goes out in bulk (reminders,
notices, broadcasts, messages to other people), so together they stay under Telegram's limits
(about 30 messages a second overall, one a second to the same chat) instead of meeting 429s.
Direct replies do not wait for it but are counted in it, and a 429 holds it (see
bot.senders.sending.PacedRateLimiter): the one rate limiter of the process.

Time comes from a `Timer`, so tests and benches can skip the waiting without changing the pace.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Timer(Protocol):
    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FastForwardTimer:
    """Real elapsed time plus every wait skipped: work still costs what it costs, waits are free.

    A bench of 10,000 messages at 25 a second then reports honest send times in seconds, not
    the 400 s of real waiting.
    """

    def __init__(self) -> None:
        self._origin = time.monotonic()
        self.skipped = 0.0

    def monotonic(self) -> float:
        return time.monotonic() - self._origin + self.skipped

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.skipped += seconds
        await asyncio.sleep(0)


class Pacer:
    """Evenly spaced sends overall, and at least `per_chat_seconds` between two to one chat."""

    def __init__(self, rate_per_second: float, per_chat_seconds: float = 1.0, timer: Timer | None = None):
        if rate_per_second <= 0:
            raise ValueError("the sending rate must be above zero")
        # a microsecond over the exact spacing, so float rounding never puts 31 sends in one second
        self.rate = rate_per_second
        self.interval = 1.0 / rate_per_second + 1e-6
        self.per_chat_seconds = per_chat_seconds
        self.timer = timer or RealTimer()
        self._next_slot = 0.0
        self._chat_next: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait_turn(self, chat_id: int) -> None:
        """Return when a message to `chat_id` may go out; reserves that slot."""
        async with self._lock:
            now = self.timer.monotonic()
            slot = max(now, self._next_slot, self._chat_next.get(chat_id, 0.0))
            self._next_slot = slot + self.interval
            self._chat_next[chat_id] = slot + self.per_chat_seconds
            if len(self._chat_next) > 50_000:  # forget chats whose gap has long passed
                self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        await self.timer.sleep(slot - now)

    def count(self, chat_id: int | None) -> None:
        """A message that went out without waiting its turn (a reply to the person in front of the
        bot) still uses up a slot overall and in its chat, so bulk sends make room for it."""
        now = self.timer.monotonic()
        self._next_slot = max(self._next_slot, now) + self.interval
        if chat_id is not None:
            self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), now + self.per_chat_seconds)

    async def hold(self, seconds: float) -> None:
        """Telegram said 429 retry_after: nobody sends until it has passed."""
        async with self._lock:
            resume = self.timer.monotonic() + seconds
            self._next_slot = max(self._next_slot, resume)
        await self.timer.sleep(seconds)
