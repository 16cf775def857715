"""Searches counted for /stats, gathered in memory for a few seconds and written together.

Counting each search in its own statement cost every resident's reply a write to one hot row per
day and need; these counts hold no words and no people, so they can wait a moment. Pending
counts are written:

- `DELAY_SECONDS` after the first one is added (a timer of this process's event loop);
- before anything reads the tally in this process (`flush`: /stats, /gaps, taking a count back);
- when the bot stops (bot.app.stop_bot).

What a process killed without stopping had pending is lost: at most a few seconds of counts,
never a person's words (unmet needs are written with the search itself). Each process adds its
own counts with one upsert that adds to what is there, so workers side by side never overwrite
one another.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import Counter
from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.reports import TallyKey, add_counts

log = logging.getLogger(__name__)
DELAY_SECONDS = 5.0


class SearchCounts:
    def __init__(self, maker: async_sessionmaker[AsyncSession], delay_seconds: float = DELAY_SECONDS) -> None:
        self._maker = maker
        self._delay = delay_seconds
        self._pending: Counter[TallyKey] = Counter()
        self._timer: asyncio.TimerHandle | None = None
        self._writing: set[asyncio.Task[None]] = set()

    def add(self, day: date, zone: str, category: str, answered: bool, language: str) -> None:
        """Count one search (written within DELAY_SECONDS); LANGUAGE is the code of the language the
        bot spoke in it, counted and never tied to anyone."""
        self._pending[TallyKey(day, zone[:200], category[:100], answered, language[:10])] += 1
        if self._timer is None:
            # a context of its own: the timer must not run inside the update that armed it
            self._timer = asyncio.get_running_loop().call_later(
                self._delay, self._write_soon, context=contextvars.Context()
            )

    def _write_soon(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def flush(self, session: AsyncSession | None = None) -> None:
        """Write what is pending: in SESSION (committed with it), else in a transaction of its own.
        A count that cannot be written is logged and dropped: it must never cost a reply."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, Counter()
        if not pending:
            return
        try:
            if session is not None:
                await add_counts(session, pending)
                return
            async with self._maker.begin() as own:
                await add_counts(own, pending)
        except (SQLAlchemyError, OSError):
            log.warning("%d search counts could not be written", sum(pending.values()), exc_info=True)

    async def close(self) -> None:
        """Write what is pending and wait for any write under way (the bot is stopping)."""
        await self.flush()
        if self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)
