"""One leader among the bot processes sharing a PostgreSQL database.

Only the leader takes updates from Telegram and runs the timed jobs (reminders, broadcasts,
follow-ups). Leadership is a PostgreSQL session-level advisory lock held on a connection of its
own: when the leader dies its connection closes, the lock is released, and a standby that tries
every POLL_SECONDS takes over. The leader checks the connection as often; if it is lost (the
database restarted, the network broke) it steps down at once, so there is never a second leader
that does not know it.

An attempt to lead gives up after CONNECT_SECONDS (asyncpg's own default is 60), so a database
that accepts connections but never answers does not keep a process from leading for a minute
after it answers again. `blocked` says why a standby cannot lead, for /health: None when another
process leads (a healthy standby), a reason when it cannot reach the database.

SQLite has no such lock and serves one process; there every process is the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)
LOCK_KEY = 0x50_5A_43_4C  # "PZCL": the People Zones Connect leader
POLL_SECONDS = 2.0
CONNECT_SECONDS = 5.0
NOT_YET = "has not reached the database yet to take the lead"
UNREACHABLE = "cannot reach the database to take the lead"
LOST = "lost the database connection that held the lead"


class Leadership:
    def __init__(self, database_url: str, poll_seconds: float = POLL_SECONDS) -> None:
        url = make_url(database_url)
        self.shared = url.get_backend_name() == "postgresql"
        self.poll_seconds = poll_seconds
        connect_args = {"timeout": CONNECT_SECONDS} if url.get_driver_name() == "asyncpg" else {}
        self._engine = (
            create_async_engine(database_url, poolclass=NullPool, connect_args=connect_args)
            if self.shared
            else None
        )
        self._connection: AsyncConnection | None = None
        self.blocked: str | None = NOT_YET if self.shared else None

    @property
    def is_leader(self) -> bool:
        return self._connection is not None or not self.shared

    async def wait_until_leader(self, stop: asyncio.Event) -> bool:
        """Return True once this process leads (False if asked to stop while standing by)."""
        if self._engine is None:  # not shared: the only process, so the leader
            return True
        announced = False
        while not stop.is_set():
            if await self._try(self._engine):
                log.info("leading: this process takes updates and runs the timed jobs")
                return True
            if not announced:
                log.info("standing by: another process leads; trying every %.0f s", self.poll_seconds)
                announced = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_seconds)
        return False

    async def _try(self, engine: AsyncEngine) -> bool:
        connection = None
        try:
            connection = await engine.connect()
            got = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
            await connection.commit()
        except Exception as error:  # the database is down: stand by and try again
            log.warning("cannot reach the database to take the lead (%s)", type(error).__name__)
            self.blocked = UNREACHABLE
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
            return False
        self.blocked = None  # leading, or another process leads
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def still_leader(self) -> bool:
        """Whether the lock's connection is alive; a lost one means the lock may be someone else's."""
        if not self.shared:
            return True
        if self._connection is None:
            return False
        try:
            await self._connection.scalar(text("SELECT 1"))
            await self._connection.commit()
            return True
        except Exception as error:
            log.warning(
                "lost the database connection that holds the lead (%s); stepping down", type(error).__name__
            )
            self.blocked = LOST
            await self._drop()
            return False

    async def step_down(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                await self._connection.commit()
            await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    async def close(self) -> None:
        await self.step_down()
        if self._engine is not None:
            await self._engine.dispose()
