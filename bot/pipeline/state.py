"""Reading and writing a person's conversation state (db.models.ConversationState).

`claim` is the first statement of an update: it makes sure the person's row exists and locks it
for the rest of the transaction (on PostgreSQL the upsert takes the row lock; SQLite has one
writer at a time anyway), so one person's updates are handled one at a time whichever process
takes them, and it returns what was kept. `save` is the last. Two statements an update.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import JSON, Table, TextClause, TextualSelect, bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
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


# One statement that SQLite (3.35+) and PostgreSQL both read the same way. Written as text because
# SQLAlchemy cannot cache a compiled ON CONFLICT upsert, and this runs for every update.
_CLAIM = text(
    "INSERT INTO conversation_states (telegram_user_id, data, handled, updated_at) "
    "VALUES (:telegram_user_id, NULL, :handled, :updated_at) "
    "ON CONFLICT (telegram_user_id) DO UPDATE SET telegram_user_id = excluded.telegram_user_id "
    "RETURNING data, handled"
)


@functools.cache
def _claim_statement() -> TextualSelect:
    table = cast(Table, ConversationState.__table__)  # a mapped class's table: typed as FromClause
    return _CLAIM.bindparams(
        bindparam("handled", type_=table.c.handled.type),
        bindparam("updated_at", type_=table.c.updated_at.type),
    ).columns(data=table.c.data.type, handled=table.c.handled.type)


async def claim(session: AsyncSession, telegram_user_id: int) -> Stored:
    parameters = {"telegram_user_id": telegram_user_id, "handled": [], "updated_at": session_now(session)}
    data, handled = (await session.execute(_claim_statement(), parameters)).one()
    try:
        return Stored(codec.decode(data or {}), list(handled or []))
    except (codec.StateError, TypeError, ValueError) as error:
        # kept by an older version of the bot: start afresh rather than fail every update
        log.warning("conversation state could not be read (%s); starting afresh", type(error).__name__)
        return Stored({}, list(handled or []))


# None as SQL NULL (a row with nothing kept), not as the JSON value null
_JSON_NONE_AS_NULL = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
_SAVE = text(
    "UPDATE conversation_states SET data = :data, handled = :handled, updated_at = :updated_at "
    "WHERE telegram_user_id = :telegram_user_id"
)


@functools.cache
def _save_statement() -> TextClause:
    table = cast(Table, ConversationState.__table__)
    return _SAVE.bindparams(
        bindparam("data", type_=_JSON_NONE_AS_NULL),
        bindparam("handled", type_=table.c.handled.type),
        bindparam("updated_at", type_=table.c.updated_at.type),
    )


async def save(
    session: AsyncSession, telegram_user_id: int, data: dict[str, Any], handled: list[str]
) -> None:
    """An erased person's row is gone by now: the update then changes nothing."""
    parameters = {
        "telegram_user_id": telegram_user_id,
        "data": codec.encode(data) if data else None,
        "handled": handled[-HANDLED_KEPT:],
        "updated_at": session_now(session),
    }
    await session.execute(_save_statement(), parameters)


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
