"""Small helpers the test modules share."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Asset, Organisation


async def count_assets(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(Asset)) or 0


async def asset_named(sessions: async_sessionmaker[AsyncSession], name: str) -> Asset:
    async with sessions() as session:
        return (await session.scalars(select(Asset).where(Asset.name == name))).one()


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> list[tuple]:
    """Everything an import could change, to prove a failed import changed nothing."""
    async with sessions() as session:
        assets = await session.execute(
            select(
                Asset.source, Asset.external_id, Asset.name, Asset.content_hash, Asset.updated_at
            ).order_by(Asset.source, Asset.external_id)
        )
        orgs = await session.execute(select(Organisation.source, Organisation.external_id, Organisation.name))
        return [tuple(r) for r in assets] + [tuple(r) for r in orgs]
