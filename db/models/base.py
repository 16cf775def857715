"""Declarative base, shared column types and the personal-data marker.

Every column that holds something about a person is declared with `personal()`, and every table
that belongs to a resident says how it reaches them (`__personal_owner__`). Export and erasure
walk these markers instead of a hand-kept list, so a new table cannot be forgotten.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, MetaData, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON everywhere; JSONB on PostgreSQL so values can be compared and indexed.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC timestamps on both SQLite (which stores naive text) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one (the clock gives UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


def personal(*args: Any, **kwargs: Any) -> Any:
    """A mapped column that holds personal data (found by export and erasure)."""
    info = dict(kwargs.pop("info", {}) or {})
    info["personal"] = True
    return mapped_column(*args, info=info, **kwargs)


TYPED_BY = "typed_by"  # column info: this column holds the Telegram id of whoever wrote the row


def typed_by() -> Any:
    """The Telegram user id of whoever typed a row's words, for rows that may be written by
    someone with no resident row (a search that found nothing, a report of a change). Listed in
    `__personal_owner__`, it ties the row to that person by their Telegram id: export finds it,
    and erasure empties it with the row's other personal columns."""
    return personal(BigInteger, nullable=True, index=True, info={TYPED_BY: True})


def personal_columns() -> dict[str, list[str]]:
    """Table name -> the columns marked personal, for export and erasure."""
    found: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        cols = [c.name for c in table.columns if c.info.get("personal")]
        if cols:
            found[table.name] = cols
    return found
