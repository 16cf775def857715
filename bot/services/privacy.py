"""A person's data: a copy of everything held about them, erasing it, and keeping nothing longer
than the settings allow.

Built from the markers on the models, not a hand-kept list: `__personal_owner__` names the
column(s) that tie a table's rows to a resident (directly, or through a table that is tied to one,
such as offers through volunteers), and `personal()` marks the columns that hold something about
them. A new table that says how it reaches a resident is exported and erased without a change here.

A person is their Telegram id and, once they have saved something, their resident row. Rows that
hold what someone typed before saving anything (a search that found nothing, a report of a change)
are tied to them by a `typed_by()` column, their Telegram id, so those are found too.

Erasing follows what the foreign keys say: rows tied to the resident by a `CASCADE` key are
deleted; rows tied by a `SET NULL` key or by their Telegram id (unmet needs, reports of a change)
are kept without identity, their personal columns blanked, so counts for coordinators stay right.
It is done with explicit statements rather than left to the database, so it is the same on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, delete, exists, false, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import messages as m
from bot.config import Settings
from bot.services.residents import resident_erased, resident_of
from db.models import (
    AssetReport,
    Base,
    Broadcast,
    ConversationState,
    Delivery,
    Introduction,
    Need,
    Offer,
    OutgoingMessage,
    Reminder,
    Resident,
    Volunteer,
)
from db.models.base import TYPED_BY
from db.session import rows_changed

OWNER_TABLE = Resident.__tablename__
LIVE_INTRODUCTIONS = ("requested", "accepted")
# Reminders and deliveries nothing more will happen to: retention may delete them.
FINISHED = ("sent", "failed", "unknown", "dropped", "cancelled")
# Columns that name a row of another table well enough for a person to recognise it.
_NAMING_COLUMNS = ("title", "name", "text")


@cache
def personal_owners() -> dict[str, tuple[str, ...]]:
    """Table name -> the columns that tie its rows to a resident, from `__personal_owner__`."""
    owners: dict[str, tuple[str, ...]] = {}
    for mapper in Base.registry.mappers:
        owner = getattr(mapper.class_, "__personal_owner__", None)
        if owner:
            owners[mapper.class_.__tablename__] = (owner,) if isinstance(owner, str) else tuple(owner)
    return owners


def _points_at_residents(column: Column[Any]) -> bool:
    return any(fk.column.table.name == OWNER_TABLE for fk in column.foreign_keys)


def _is_typed_by(column: Column[Any]) -> bool:
    return bool(column.info.get(TYPED_BY))


def _owned_through(
    table: Table, owner: str, resident_id: int | None, telegram_user_id: int | None = None
) -> ColumnElement[bool]:
    """Rows of TABLE tied to the person through the column OWNER."""
    column = table.c[owner]
    if _is_typed_by(column):
        return false() if telegram_user_id is None else column == telegram_user_id
    if table.name == OWNER_TABLE or _points_at_residents(column):
        return false() if resident_id is None else column == resident_id
    [key] = column.foreign_keys
    parent = key.column
    return column.in_(select(parent).where(owned(parent.table, resident_id, telegram_user_id)))


def owned(table: Table, resident_id: int | None, telegram_user_id: int | None = None) -> ColumnElement[bool]:
    """Rows of TABLE that belong to the person (their resident row's id, their Telegram id, or
    both), through any of its owner columns."""
    return or_(
        *(
            _owned_through(table, owner, resident_id, telegram_user_id)
            for owner in personal_owners()[table.name]
        )
    )


def _kept_without_identity(table: Table) -> bool:
    """Rows whose tie to the person is let go of on erasure (a SET NULL key, or the Telegram id of
    whoever typed them): kept, anonymous (needs, reports)."""
    columns = [table.c[owner] for owner in personal_owners()[table.name]]
    return all(
        column.nullable
        and (_is_typed_by(column) or all(fk.ondelete == "SET NULL" for fk in column.foreign_keys))
        for column in columns
    )


def _blank(column: Column[Any]) -> Any:
    """What a personal column holds once the person is gone: nothing, or its empty default."""
    if column.nullable:
        return None
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return default.arg  # type: ignore[attr-defined]
    if default is not None and getattr(default, "is_callable", False):
        return default.arg(None)  # type: ignore[attr-defined]
    return ""


def held(table: Table) -> ColumnElement[bool]:
    """Which of a table's rows hold something about their person (`__held_only_when__` names a
    column that is empty when a row holds nothing but the tie itself); erasure takes every row."""
    model = next((m.class_ for m in Base.registry.mappers if m.local_table is table), None)
    column = getattr(model, "__held_only_when__", None)
    return table.c[column].is_not(None) if column else true()


async def resident_id_of(session: AsyncSession, telegram_user_id: int) -> int | None:
    resident = await resident_of(session, telegram_user_id)
    return resident.id if resident is not None else None


async def holds_anything(session: AsyncSession, telegram_user_id: int) -> bool:
    """Whether the bot holds anything about this person: a resident row, or words they typed."""
    resident_id = await resident_id_of(session, telegram_user_id)
    if resident_id is not None:
        return True
    for table in Base.metadata.sorted_tables:
        if table.name in personal_owners() and await session.scalar(
            select(exists().select_from(table).where(owned(table, None, telegram_user_id), held(table)))
        ):
            return True
    return False


# ----- a copy of everything -------------------------------------------------------------------


@dataclass
class PersonData:
    """Everything held about one person: table name -> rows (column name -> value), and how many
    rows elsewhere name them as the person who did something (a coordinator's events, say)."""

    tables: dict[str, list[dict[str, Any]]]
    linked: dict[str, int] = field(default_factory=dict)


async def person_data(session: AsyncSession, telegram_user_id: int) -> PersonData | None:
    """None when the bot holds nothing about this person."""
    resident_id = await resident_id_of(session, telegram_user_id)
    owners = personal_owners()
    names: dict[tuple[str, Any], Any] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in owners:
            continue
        rows: dict[Any, dict[str, Any]] = {}
        for owner in owners[table.name]:
            found = await session.execute(
                select(table)
                .where(_owned_through(table, owner, resident_id, telegram_user_id), held(table))
                .order_by(*table.primary_key)
            )
            for row in found.mappings():
                key = tuple(row[c.name] for c in table.primary_key)
                if key not in rows:
                    rows[key] = await _readable(session, table, owner, dict(row), owners, names)
        if rows:
            tables[table.name] = list(rows.values())
    if resident_id is None:
        return PersonData(tables) if tables else None
    return PersonData(tables, await _linked(session, resident_id, owners))


async def _readable(
    session: AsyncSession,
    table: Table,
    owner: str,
    row: dict[str, Any],
    owners: dict[str, tuple[str, ...]],
    names: dict[tuple[str, Any], Any],
) -> dict[str, Any]:
    """The row as the person may see it: without the other side's columns (an introduction has
    two people) or who else touched it (the coordinator who approved them), and with what an id
    points at named (the event's title, the asset's name)."""
    shown: dict[str, Any] = {}
    for column in table.columns:
        if column.info.get("owner", owner) != owner:
            continue  # the other person's part of a shared row
        if _points_at_residents(column) and column.name not in owners[table.name]:
            continue  # someone else's id
        value = row[column.name]
        shown[column.name] = value
        for key in column.foreign_keys:
            target = key.column.table
            label = next((target.c[n] for n in _NAMING_COLUMNS if n in target.c), None)
            named = column.name.removesuffix("_id")
            if (
                value is None
                or label is None
                or target.name in owners
                or named in table.c
                or named == column.name
            ):
                continue
            if (target.name, value) not in names:
                names[(target.name, value)] = await session.scalar(select(label).where(key.column == value))
            shown[named] = names[(target.name, value)]
    return shown


async def _linked(
    session: AsyncSession, resident_id: int, owners: dict[str, tuple[str, ...]]
) -> dict[str, int]:
    """Rows that name the person in a column that is not theirs: 'events.created_by' -> 3."""
    linked: dict[str, int] = {}
    for table, column in _naming_columns(owners):
        count = await session.scalar(select(func.count()).select_from(table).where(column == resident_id))
        if count:
            linked[f"{table.name}.{column.name}"] = count
    return linked


def _naming_columns(owners: dict[str, tuple[str, ...]]) -> list[tuple[Table, Column[Any]]]:
    """Every column that points at a resident without being how its row belongs to them."""
    return [
        (table, column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if _points_at_residents(column) and column.name not in owners.get(table.name, ())
    ]


# ----- erasing --------------------------------------------------------------------------------


@dataclass
class Erasure:
    """What erasing one resident did; TELL are the Telegram ids of the other side of each
    introduction that was still going, who should be told it has ended."""

    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    tell: list[int] = field(default_factory=list)


async def forget_person(session: AsyncSession, telegram_user_id: int) -> Erasure | None:
    """Erase everything about someone (None when there was nothing). Safe to repeat."""
    resident_id = await resident_id_of(session, telegram_user_id)
    if resident_id is None:
        erasure = await _erase(session, None, telegram_user_id)
        return erasure if erasure.anonymised or erasure.deleted else None
    return await erase_resident(session, resident_id)


async def erase_resident(session: AsyncSession, resident_id: int) -> Erasure:
    """Erase a resident: their rows, and the words they typed under their Telegram id."""
    telegram_user_id = await session.scalar(
        select(Resident.telegram_user_id).where(Resident.id == resident_id)
    )
    return await _erase(session, resident_id, telegram_user_id)


async def _erase(session: AsyncSession, resident_id: int | None, telegram_user_id: int | None) -> Erasure:
    owners = personal_owners()
    erasure = Erasure(tell=await _other_sides(session, resident_id) if resident_id is not None else [])
    # children first: an introduction goes before the need and the offer it hangs from
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in owners or table.name == OWNER_TABLE:
            continue
        condition = owned(table, resident_id, telegram_user_id)
        if _kept_without_identity(table):
            values = {c.name: _blank(c) for c in table.columns if c.info.get("personal")}
            values.update({owner: None for owner in owners[table.name]})
            changed = await rows_changed(session, update(table).where(condition).values(values))
            if changed:
                erasure.anonymised[table.name] = changed
        else:
            await session.execute(delete(table).where(condition, ~held(table)))  # nothing to count
            changed = await rows_changed(session, delete(table).where(condition))
            if changed:
                erasure.deleted[table.name] = changed
    if resident_id is None:
        return erasure
    # a coordinator's events, broadcasts, approvals... stay, no longer saying who
    for table, column in _naming_columns(owners):
        await session.execute(update(table).where(column == resident_id).values({column.name: None}))
    residents = Base.metadata.tables[OWNER_TABLE]
    await session.execute(delete(residents).where(residents.c.id == resident_id))
    erasure.deleted[OWNER_TABLE] = 1
    resident_erased(session, resident_id, telegram_user_id)  # not found again in this update
    return erasure


async def _other_sides(session: AsyncSession, resident_id: int) -> list[int]:
    """The people on the other side of this resident's introductions that are still going."""
    as_resident = (
        select(Resident.telegram_user_id)
        .select_from(Introduction)
        .join(Need, Introduction.need_id == Need.id)
        .join(Offer, Introduction.offer_id == Offer.id)
        .join(Volunteer, Offer.volunteer_id == Volunteer.id)
        .join(Resident, Volunteer.resident_id == Resident.id)
        .where(Need.resident_id == resident_id, Introduction.status.in_(LIVE_INTRODUCTIONS))
    )
    as_volunteer = (
        select(Resident.telegram_user_id)
        .select_from(Introduction)
        .join(Offer, Introduction.offer_id == Offer.id)
        .join(Volunteer, Offer.volunteer_id == Volunteer.id)
        .join(Need, Introduction.need_id == Need.id)
        .join(Resident, Need.resident_id == Resident.id)
        .where(Volunteer.resident_id == resident_id, Introduction.status.in_(LIVE_INTRODUCTIONS))
    )
    found = list(await session.scalars(as_resident)) + list(await session.scalars(as_volunteer))
    return sorted(set(found))


# ----- when they were last here ---------------------------------------------------------------


async def note_activity(session: AsyncSession, telegram_user_id: int, now: datetime) -> bool:
    """Record that a known resident used the bot today (one write a day at most). False when the
    bot holds nothing about them (nothing is created)."""
    resident = await resident_of(session, telegram_user_id)
    if resident is None:
        return False
    if resident.last_seen_at is None or resident.last_seen_at.date() < now.date():
        await session.execute(update(Resident).where(Resident.id == resident.id).values(last_seen_at=now))
    return True


# ----- retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionReport:
    need_texts_blanked: int = 0
    residents_erased: int = 0
    reminders_deleted: int = 0
    deliveries_deleted: int = 0
    report_texts_blanked: int = 0
    messages_deleted: int = 0  # messages to other people (their words went when each was sent)
    conversations_expired: int = 0

    def summary(self) -> str:
        return (
            f"{m.counted(self.need_texts_blanked, 'need text')} and "
            f"{m.counted(self.report_texts_blanked, 'report text')} blanked, "
            f"{m.counted(self.residents_erased, 'inactive resident')} erased, "
            f"{m.counted(self.reminders_deleted, 'reminder')}, "
            f"{m.counted(self.deliveries_deleted, 'delivery')}, "
            f"{m.counted(self.messages_deleted, 'other message')} and "
            f"{m.counted(self.conversations_expired, 'conversation')} deleted"
        )


def cutoff(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


async def apply_retention(session: AsyncSession, now: datetime, settings: Settings) -> RetentionReport:
    """Blank old typed words (and who typed them), erase inactive residents, delete old finished
    messages. Idempotent. A report of a change keeps its words while it is open: a coordinator
    has yet to read them."""
    words_before = cutoff(now, settings.retention_days_unmet_need_text)
    blanked = await rows_changed(
        session,
        update(Need)
        .where(Need.created_at < words_before, or_(Need.text != "", Need.telegram_user_id.is_not(None)))
        .values(text="", telegram_user_id=None),
    )
    reports = await rows_changed(
        session,
        update(AssetReport)
        .where(
            AssetReport.created_at < words_before,
            AssetReport.status != "open",
            or_(AssetReport.text != "", AssetReport.telegram_user_id.is_not(None)),
        )
        .values(text="", telegram_user_id=None),
    )
    last_here = func.coalesce(Resident.last_seen_at, Resident.created_at)
    inactive = list(
        await session.scalars(
            select(Resident.id).where(last_here < cutoff(now, settings.retention_days_inactive_resident))
        )
    )
    for resident_id in inactive:
        await erase_resident(session, resident_id)
    old = cutoff(now, settings.retention_days_sent_messages)
    reminders = await rows_changed(
        session,
        delete(Reminder).where(
            Reminder.status.in_(FINISHED), func.coalesce(Reminder.sent_at, Reminder.due_at) < old
        ),
    )
    broadcast_time = (
        select(func.coalesce(Broadcast.finished_at, Broadcast.started_at, Broadcast.created_at))
        .where(Broadcast.id == Delivery.broadcast_id)
        .scalar_subquery()
    )
    deliveries = await rows_changed(
        session,
        delete(Delivery).where(
            Delivery.status.in_(FINISHED),
            func.coalesce(Delivery.sent_at, Delivery.claimed_at, broadcast_time) < old,
        ),
    )
    messages = await rows_changed(
        session,
        delete(OutgoingMessage).where(
            OutgoingMessage.status.in_(FINISHED),
            func.coalesce(OutgoingMessage.sent_at, OutgoingMessage.due_at) < old,
        ),
    )
    # where someone was in a conversation, once they have not been back for a while
    conversations = await rows_changed(
        session,
        delete(ConversationState).where(
            ConversationState.updated_at < cutoff(now, settings.retention_days_conversation)
        ),
    )
    return RetentionReport(blanked, len(inactive), reminders, deliveries, reports, messages, conversations)
