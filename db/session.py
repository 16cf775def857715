"""Engines and sessions: one place that knows SQLite from PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, UpdateBase, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from db.clock import Clock, attach_clock

RowT = TypeVar("RowT")


def _ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
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


async def rows_changed(session: AsyncSession, statement: UpdateBase) -> int:
    """Run an INSERT, UPDATE or DELETE and say how many rows it touched (a claim that lost a race
    touches none). For such statements execute() returns a CursorResult, which carries rowcount,
    but SQLAlchemy 2.0 types it as a plain Result; this is the one place that says so."""
    result = await session.execute(statement)
    return cast("CursorResult[Any]", result).rowcount


async def get_existing(
    session: AsyncSession, model: type[RowT], row_id: Any, *, populate_existing: bool = False
) -> RowT:
    """A row the caller knows is there (it was just claimed, or a foreign key points at it), so
    code after it needs no None check; a missing one stops with an error naming it."""
    row = await session.get(model, row_id, populate_existing=populate_existing)
    if row is None:
        raise LookupError(f"{model.__name__} {row_id} is not in the database")
    return row


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


# --- one session per update ---------------------------------------------------------------------


@dataclass
class UnitOfWork:
    """The one session and transaction of the update being handled (see bot.pipeline). Whatever
    the handlers do in it commits together, with the person's conversation state, or not at all:
    a block that fails marks the whole update `failed`, and the pipeline rolls it back."""

    session: AsyncSession
    task: asyncio.Task[object] | None
    open: bool = True
    failed: bool = False
    # what must wait until the update's work is committed (see `after_commit`)
    committed: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def serves_here(self) -> bool:
        """Only the task handling the update uses its session: a task it started, still running
        after the update has ended, opens sessions of its own."""
        return self.open and asyncio.current_task() is self.task


_unit_of_work: ContextVar[UnitOfWork | None] = ContextVar("unit_of_work", default=None)


def current_unit_of_work() -> UnitOfWork | None:
    work = _unit_of_work.get()
    return work if work is not None and work.serves_here() else None


@asynccontextmanager
async def unit_of_work(session: AsyncSession) -> AsyncIterator[UnitOfWork]:
    """While this lasts, `UpdateSessions` hand out SESSION in this task."""
    work = UnitOfWork(session, asyncio.current_task())
    token = _unit_of_work.set(work)
    try:
        yield work
    finally:
        work.open = False
        _unit_of_work.reset(token)


class _Borrowed:
    """`async with` over the update's session: nothing is opened, committed or closed here."""

    def __init__(self, work: UnitOfWork, flush: bool) -> None:
        self.work = work
        self.flush = flush

    async def __aenter__(self) -> AsyncSession:
        return self.work.session

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if error is not None:
            self.work.failed = True  # a block that failed: the update's writes are rolled back
        elif self.flush:
            await self.work.session.flush()


class UpdateSessions:
    """What the bot's code opens sessions with, as it would an `async_sessionmaker`: inside an
    update, `sessions()` and `sessions.begin()` give the update's own session, so an update is one
    transaction and takes one connection; elsewhere (timed jobs, the CLI) a session of its own."""

    def __init__(self, maker: async_sessionmaker[AsyncSession]) -> None:
        self.maker = maker

    def __call__(self) -> AsyncSession | _Borrowed:
        work = current_unit_of_work()
        return self.maker() if work is None else _Borrowed(work, flush=False)

    def begin(self) -> AbstractAsyncContextManager[AsyncSession]:
        work = current_unit_of_work()
        return self.maker.begin() if work is None else _Borrowed(work, flush=True)


async def settle(session: AsyncSession) -> None:
    """Commit what SESSION wrote, unless it is an update's session: the update commits it."""
    work = current_unit_of_work()
    if work is not None and work.session is session:
        await session.flush()
    else:
        await session.commit()


async def after_commit(action: Callable[[], Awaitable[None]]) -> None:
    """Do ACTION once what was written so far is committed: at the end of the update being
    handled, or now outside one (scrubbing the files after an erasure cannot happen inside the
    transaction that erased)."""
    work = current_unit_of_work()
    if work is None:
        await action()
    else:
        work.committed.append(action)
