"""The schema: migrations match the models on both backends, and personal data is findable."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from bot.clock import FakeClock
from db import migrate
from db.models import Asset, Base, Resident, personal_columns
from db.session import make_engine, make_sessionmaker
from tests.conftest import POSTGRES_URL, _reset_postgres


async def test_migrations_create_exactly_the_models(database_url):
    engine = make_engine(database_url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )
    await engine.dispose()
    assert diff == []
    assert await migrate.is_current(database_url)


async def test_upgrade_twice_is_harmless(database_url):
    assert await migrate.upgrade(database_url) == await migrate.upgrade(database_url)


def test_personal_data_is_marked_for_export_and_erasure():
    marked = personal_columns()
    assert "telegram_user_id" in marked["residents"]
    assert "text" in marked["needs"] and "text" in marked["offers"]
    assert "contact_detail" in marked["volunteers"]
    # every table that holds a person's rows says how it reaches them
    owners = {
        mapper.class_.__tablename__: getattr(mapper.class_, "__personal_owner__", None)
        for mapper in Base.registry.mappers
    }
    for table in ("residents", "roles", "volunteers", "offers", "needs", "introductions", "rsvps",
                  "reminders", "deliveries"):  # fmt: skip
        assert owners[table], table
    assert owners["assets"] is None  # the directory is public information


async def test_rows_are_stamped_by_the_engines_clock_and_come_back_aware_in_utc(database_url):
    """created_at and updated_at come from the bot's injectable clock, never the wall clock."""
    clock = FakeClock(datetime(2031, 3, 9, 12, 0, tzinfo=UTC))
    engine = make_engine(database_url, clock)
    sessions = make_sessionmaker(engine)
    async with sessions.begin() as session:
        session.add(Resident(telegram_user_id=12345))
        session.add(Asset(name="Clock test", source="t", external_id="1"))
    clock.advance(days=3)
    async with sessions.begin() as session:
        (await session.scalars(select(Asset))).one().name = "Clock test, renamed"
    async with sessions() as session:
        resident = (await session.scalars(select(Resident))).one()
        asset = (await session.scalars(select(Asset))).one()
    await engine.dispose()
    assert resident.created_at == datetime(2031, 3, 9, 12, 0, tzinfo=UTC)
    assert asset.created_at == datetime(2031, 3, 9, 12, 0, tzinfo=UTC)
    assert asset.updated_at == datetime(2031, 3, 12, 12, 0, tzinfo=UTC)


async def test_an_engine_without_a_clock_refuses_to_stamp_rows(database_url):
    engine = make_engine(database_url)
    try:
        with pytest.raises(StatementError, match="without a clock"):
            async with make_sessionmaker(engine).begin() as session:
                session.add(Resident(telegram_user_id=12345))
    finally:
        await engine.dispose()


# ----- 0012: searches and needs by language -----------------------------------------------------


@pytest.fixture
async def empty_database_url(tmp_path: Path) -> str:
    """A database with no schema at all, for migrating step by step."""
    if POSTGRES_URL:
        await _reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite+aiosqlite:///{tmp_path / 'steps.db'}"


async def run(url: str, *statements: str, **values) -> list[tuple]:
    """Plain SQL, as a database written by an older version holds it; the last statement's rows."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                result = await conn.execute(text(statement), values)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


def tally(answered: bool, count: int, language: str | None = None) -> str:
    """A counter as SQL: without a language, as versions before 0012 wrote it."""
    columns, values = ("", "") if language is None else (", language", f", '{language}'")
    return (
        f"INSERT INTO search_tallies (day, zone, category, answered, count{columns}) "
        f"VALUES (:day, 'Rutland', 'food-banks', {str(answered).lower()}, {count}{values})"
    )


NEED = (
    "INSERT INTO needs (text, zone, postcode_district, category, answered, created_at) "
    "VALUES ('swimming lessons', 'Rutland', 'LE15', 'swimming', false, :now)"
)


async def counts(url: str, *columns: str) -> list[tuple]:
    rows = await run(url, f"SELECT {', '.join(columns)}, answered, count FROM search_tallies")
    return sorted((*row[:-2], bool(row[-2]), row[-1]) for row in rows)  # SQLite's booleans are 0 and 1


async def test_searches_and_needs_counted_before_languages_become_english_and_back(empty_database_url):
    url, day, now = empty_database_url, date(2026, 11, 26), datetime(2026, 11, 26, 10, 30)
    assert await migrate.upgrade(url, "0011") == "0011"
    await run(url, tally(True, 5), tally(False, 2), NEED, day=day, now=now)

    assert await migrate.upgrade(url) == "0012"
    assert await counts(url, "zone", "category", "language") == [
        ("Rutland", "food-banks", "en", False, 2),
        ("Rutland", "food-banks", "en", True, 5),
    ]
    assert await run(url, "SELECT language, text FROM needs") == [("en", "swimming lessons")]
    # the same day, zone, need and outcome in another language is a counter of its own ...
    await run(url, tally(True, 3, "so"), day=day)
    with pytest.raises(IntegrityError):  # ... but still only one of each
        await run(url, tally(True, 1, "so"), day=day)

    await migrate.downgrade(url, "0011")  # the languages' counts are added together again: none is lost
    assert await counts(url, "zone") == [("Rutland", False, 2), ("Rutland", True, 8)]
    with pytest.raises(IntegrityError):
        await run(url, tally(True, 1), day=day)
    assert await migrate.upgrade(url) == "0012"
    assert await counts(url, "language") == [("en", False, 2), ("en", True, 8)]
