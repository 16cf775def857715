"""Engines and sessions: one place that knows SQLite from PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.clock import Clock, attach_clock


def _ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets the bot read while an import writes; foreign keys are off by default in SQLite.
    # secure_delete: what is deleted or overwritten (an erased resident's words) is zeroed in the
    # file, not left in free space for anyone with a copy of it to read.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


async def scrub_erased(session: AsyncSession) -> None:
    """After an erasure has committed: on SQLite, copy the write-ahead log into the database file
    and empty it, so the old copies of erased rows the log still holds are gone too (the file's
    own pages were zeroed by secure_delete). PostgreSQL reclaims dead rows by (auto)vacuum."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def make_engine(url: str, clock: Clock | None = None) -> AsyncEngine:
    """An async engine with the settings each backend needs to behave the same. Rows it writes
    are stamped by CLOCK; an engine without one (migrations) cannot write stamped rows."""
    _ensure_sqlite_folder(url)
    # hide_parameters: an error's message never carries what a resident typed into the logs
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_async_engine(url, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        # pre-ping: after the database was briefly away, a dead pooled connection is replaced, not used
        engine = create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    if clock is not None:
        attach_clock(engine, clock)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def open_database(url: str, clock: Clock) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """An engine for the length of a command, disposed of afterwards."""
    engine = make_engine(url, clock)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()
