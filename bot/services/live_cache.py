"""One versioned cache for the bot's in-memory indexes built from the database (the directory's
search engine, the volunteers' offers), so both notice change the same way.

A cache holds a value built from the database and the version it was built at. Two things make it
build again:

- **explicit invalidation**: whatever changes what the value is built from, in this process (a
  coordinator's edit, a volunteer's new words), calls `invalidate()`; the next `get` builds anew
  whatever the version says, so the change shows at once, even when the version could not tell
  (two edits within the same clock tick);
- **the version**: a cheap question to the database whose answer changes whenever the value
  would (another process's import); it is asked at most every `fresh_seconds` of the injectable
  clock, since asking costs more than using the value.

The version is read before building, so a change that lands while the value is being built is
seen at the next check rather than lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, system_clock

T = TypeVar("T")
Build = Callable[[AsyncSession], Awaitable[T]]
Version = Callable[[AsyncSession], Awaitable[Hashable]]


class VersionedCache(Generic[T]):
    def __init__(
        self, build: Build[T], version: Version, clock: Clock = system_clock, fresh_seconds: float = 1.0
    ) -> None:
        self._build = build
        self._version = version
        self.clock = clock
        self.fresh = timedelta(seconds=fresh_seconds)
        self._value: T | None = None
        self._built_at_version: Hashable = None
        self._checked: datetime | None = None
        self._stale = True
        self._lock = asyncio.Lock()  # one build at a time; the others wait for it and use it
        self.builds = 0  # how many times the value was built (for tests and logs)

    def invalidate(self) -> None:
        """What the value is built from has changed: build it again at the next `get`."""
        self._stale = True

    def _fresh(self, now: datetime) -> bool:
        return (
            self._value is not None
            and not self._stale
            and self._checked is not None
            and now - self._checked < self.fresh
        )

    async def get(self, session: AsyncSession) -> T:
        if self._fresh(self.clock()):
            return self._value  # type: ignore[return-value]
        async with self._lock:
            now = self.clock()
            if self._fresh(now):  # built or checked while this one waited
                return self._value  # type: ignore[return-value]
            version = await self._version(session)
            if self._value is None or self._stale or version != self._built_at_version:
                self._stale = False  # an invalidate() during the build makes the next get build again
                self._value = await self._build(session)
                self._built_at_version = version
                self.builds += 1
            self._checked = now
            return self._value
