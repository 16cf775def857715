"""The schema: migrations match the models on both backends, and personal data is findable."""

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from bot.clock import FakeClock
from db import migrate
from db.models import Asset, Base, Resident, personal_columns
from db.session import make_engine, make_sessionmaker


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
