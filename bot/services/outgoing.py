"""Messages to people other than the one talking to the bot (db.models.OutgoingMessage): volunteers
told of an opportunity, coordinators told of a report or a new volunteer, decisions, answers and
follow-ups. One outbox for all of them, so they go out at the shared pace and exactly as often as
the outbox rules allow (bot.services.outbox: claimed atomically, at most once).

`queue` adds a row to the caller's session, so the message commits with the work that caused it or
not at all: a report that was not saved tells nobody. The text lives only until the send is
settled; then it is emptied (and the tie to whoever wrote the words with it), and retention
deletes the row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import outbox
from db.models import OutgoingMessage, Resident

Buttons = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback data)


@dataclass(frozen=True)
class DueMessage:
    message_id: int
    chat_id: int
    kind: str
    text: str
    buttons: list[list[tuple[str, str]]]


def queue(
    session: AsyncSession,
    chat_id: int,
    text: str,
    *,
    kind: str,
    buttons: Buttons = (),
    written_by: int | None = None,
) -> OutgoingMessage:
    """A message to CHAT_ID, due now, in the caller's transaction. WRITTEN_BY: the Telegram id of
    whoever's words the text carries, so /mydata and /forget find it."""
    row = OutgoingMessage(
        chat_id=chat_id,
        text=text,
        kind=kind,
        buttons=[[[label, data] for label, data in row] for row in buttons],
        written_by=written_by,
    )
    session.add(row)
    return row


async def claim_messages(session: AsyncSession, now: datetime, worker: str, limit: int) -> list[DueMessage]:
    """Take up to LIMIT due messages for WORKER, oldest first."""
    claimed = await outbox.claim(session, OutgoingMessage, now, worker, limit)
    if not claimed:
        return []
    rows = await session.scalars(
        select(OutgoingMessage)
        .where(OutgoingMessage.id.in_(claimed))
        .order_by(OutgoingMessage.due_at, OutgoingMessage.id)
    )
    return [
        DueMessage(
            row.id,
            row.chat_id,
            row.kind,
            row.text,
            [[(label, data) for label, data in line] for line in row.buttons or []],
        )
        for row in rows
    ]


async def begin_message(session: AsyncSession, message_id: int, worker: str) -> bool:
    """Marked `sending` if WORKER still holds it; False (send nothing) when another process took it
    over or the row was erased (/forget) since it was claimed."""
    return await outbox.begin_send(session, OutgoingMessage, message_id, worker)


async def finish_message(
    session: AsyncSession, message_id: int, outcome: str, now: datetime, *, unreachable: bool = False
) -> None:
    """Record how the send went; once settled the words are let go of. Someone unreachable is
    marked so (nothing more is queued for them where the bot checks) and their other waiting
    messages fail with this one."""
    row = await session.get(OutgoingMessage, message_id)
    if row is None:
        return  # erased while it was being sent
    outbox.record_outcome(row, outcome, now)
    if row.status != "pending":  # settled: the words, and the tie to whoever wrote them, go
        row.text, row.buttons, row.written_by = "", [], None
    if unreachable:
        await session.execute(
            update(Resident)
            .where(Resident.telegram_user_id == row.chat_id, Resident.unreachable_since.is_(None))
            .values(unreachable_since=now)
        )
        await session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.chat_id == row.chat_id, OutgoingMessage.status == "pending")
            .values(status="failed", text="", buttons=[], written_by=None)
        )


async def next_due(session: AsyncSession) -> datetime | None:
    """When the sender next has something to do (a retry waiting out its backoff)."""
    return await session.scalar(
        select(func.min(OutgoingMessage.due_at)).where(OutgoingMessage.status == "pending")
    )


async def reachable(session: AsyncSession, telegram_user_ids: Iterable[int]) -> list[int]:
    """TELEGRAM_USER_IDS without those Telegram said cannot be reached (blocked, chat gone), in
    the same order; people with no resident row are kept."""
    wanted = list(dict.fromkeys(telegram_user_ids))
    if not wanted:
        return []
    gone = set(
        await session.scalars(
            select(Resident.telegram_user_id).where(
                Resident.telegram_user_id.in_(wanted), Resident.unreachable_since.is_not(None)
            )
        )
    )
    return [person for person in wanted if person not in gone]
