"""The rules every durable outbox follows (event reminders and notices, broadcast deliveries):
one row per message, claimed atomically, marked `sending` just before the send, finished with an
outcome. Shared so the two outboxes cannot drift apart.

A row goes pending -> claimed -> sending -> sent | failed | unknown (or back to pending, later,
for a retry). Claiming is one UPDATE over a `FOR UPDATE SKIP LOCKED` subquery on PostgreSQL (a
single statement, so also atomic on SQLite): two processes never hold the same row. A claim whose
holder vanished is taken up again after CLAIM_LEASE; a row left `sending` — the send may or may not
have reached Telegram — becomes `unknown` and is never repeated: at most once, by design.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.session import rows_changed

# who claims rows in this process: unique across machines, processes and restarts
WORKER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
CLAIM_LEASE = timedelta(minutes=5)
RETRY_BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))


def takeable(model: Any, now: datetime) -> Any:
    """Rows that may be claimed now: pending and due, or claimed by someone whose lease ran out."""
    due = or_(model.due_at.is_(None), model.due_at <= now)
    return or_(
        and_(model.status == "pending", due),
        and_(model.status == "claimed", model.claimed_at < now - CLAIM_LEASE),
    )


async def claim(
    session: AsyncSession, model: Any, now: datetime, worker: str, limit: int, *where: Any
) -> list[int]:
    """Claim up to LIMIT takeable rows (oldest due first) for WORKER; their ids."""
    candidates = (
        select(model.id)
        .where(takeable(model, now), *where)
        .order_by(model.due_at, model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return list(
        await session.scalars(
            update(model)
            .where(model.id.in_(candidates), takeable(model, now))
            .values(status="claimed", claimed_by=worker, claimed_at=now)
            .returning(model.id)
            .execution_options(synchronize_session=False)
        )
    )


async def begin_send(session: AsyncSession, model: Any, row_id: int, worker: str, *where: Any) -> bool:
    """Mark the row `sending` if WORKER still holds it (and WHERE still holds); False: do not send."""
    changed = await rows_changed(
        session,
        update(model)
        .where(model.id == row_id, model.status == "claimed", model.claimed_by == worker, *where)
        .values(status="sending", attempts=model.attempts + 1),
    )
    return changed == 1


def record_outcome(row: Any, outcome: str, now: datetime) -> None:
    """OUTCOME: sent | failed (never retried) | unknown (never repeated) | retry (later, with
    backoff, until the attempts run out)."""
    if outcome == "retry" and row.attempts <= len(RETRY_BACKOFF):
        row.status, row.due_at = "pending", now + RETRY_BACKOFF[row.attempts - 1]
        return
    row.status = "failed" if outcome == "retry" else outcome
    row.sent_at = now if outcome == "sent" else None


async def settle_interrupted(session: AsyncSession, model: Any, now: datetime) -> int:
    """Rows left `sending` by a process that died mid-send: marked `unknown`, not repeated."""
    return await rows_changed(
        session,
        update(model)
        .where(model.status == "sending", model.claimed_at < now - CLAIM_LEASE)
        .values(status="unknown"),
    )


async def take_over(session: AsyncSession, model: Any) -> tuple[int, int]:
    """A new leader starts: nobody else sends now, so claims left by the old leader go back to
    pending at once (no waiting out the lease) and its sends in flight become `unknown`.
    Returns (released, unknown)."""
    released = await rows_changed(
        session,
        update(model)
        .where(model.status == "claimed")
        .values(status="pending", claimed_by="", claimed_at=None),
    )
    unknown = await rows_changed(
        session, update(model).where(model.status == "sending").values(status="unknown")
    )
    return released, unknown
