"""Reading and writing a person's conversation state (db.models.ConversationState).

`claim` is the first statement of an update: it makes sure the person's row exists and locks it
for the rest of the transaction (on PostgreSQL the upsert takes the row lock; SQLite has one
writer at a time anyway), so one person's updates are handled one at a time whichever process
takes them, and it returns what was kept. `save` is the last. Two statements an update.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, null, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.pipeline import codec
from db.clock import session_now
from db.models import ConversationState
from db.session import UpdateSessions, after_commit

log = logging.getLogger(__name__)
HANDLED_KEPT = 32  # update ids remembered per person: more than Telegram ever has in flight for one


@dataclass
class Stored:
    data: dict[str, Any] = field(default_factory=dict)
    handled: list[str] = field(default_factory=list)


async def claim(session: AsyncSession, telegram_user_id: int) -> Stored:
    table = cast(Table, ConversationState.__table__)  # a mapped class's table: typed as FromClause
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(telegram_user_id=telegram_user_id, data=null(), handled=[], updated_at=session_now(session))
        .on_conflict_do_update(
            index_elements=[table.c.telegram_user_id],
            set_={"telegram_user_id": telegram_user_id},
        )
        .returning(table.c.data, table.c.handled)
    )
    data, handled = (await session.execute(statement)).one()
    try:
        return Stored(codec.decode(data or {}), list(handled or []))
    except (codec.StateError, TypeError, ValueError) as error:
        # kept by an older version of the bot: start afresh rather than fail every update
        log.warning("conversation state could not be read (%s); starting afresh", type(error).__name__)
        return Stored({}, list(handled or []))


async def save(
    session: AsyncSession, telegram_user_id: int, data: dict[str, Any], handled: list[str]
) -> None:
    """An erased person's row is gone by now: the update then changes nothing."""
    await session.execute(
        update(ConversationState)
        .where(ConversationState.telegram_user_id == telegram_user_id)
        .values(
            data=codec.encode(data) if data else null(),  # SQL NULL, not JSON null
            handled=handled[-HANDLED_KEPT:],
            updated_at=session_now(session),
        )
    )


async def change_other(
    sessions: UpdateSessions, telegram_user_id: int, change: Callable[[dict[str, Any]], None]
) -> None:
    """Change someone else's state (a message reached them that they may answer by typing), once
    this update's own work is committed: an update never holds two people's rows at once, so two
    people writing to each other cannot lock each other out."""

    async def write() -> None:
        async with sessions.maker.begin() as session:
            stored = await claim(session, telegram_user_id)
            change(stored.data)
            await save(session, telegram_user_id, stored.data, stored.handled)

    await after_commit(write)


async def peek(session: AsyncSession, telegram_user_id: int) -> dict[str, Any]:
    """What is kept for this person, without locking (the terminal chat's view of it)."""
    data = await session.scalar(
        ConversationState.__table__.select()
        .with_only_columns(ConversationState.data)
        .where(ConversationState.telegram_user_id == telegram_user_id)
    )
    try:
        return codec.decode(data or {})
    except (codec.StateError, TypeError, ValueError):
        return {}
