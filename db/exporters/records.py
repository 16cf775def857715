"""Stored assets back to AssetRecords, the shape every exporter writes from."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.importers.languages import normalised
from db.importers.record import AssetRecord, OrganisationRecord
from db.models import Asset, Organisation


def _organisation(org: Organisation | None) -> OrganisationRecord | None:
    if org is None:
        return None
    return OrganisationRecord(
        external_id=org.external_id,
        name=org.name,
        description=org.description,
        website=org.website,
        email=org.email,
        phone=org.phone,
    )


def asset_to_record(asset: Asset) -> AssetRecord:
    return AssetRecord(
        source=asset.source,
        external_id=asset.external_id,
        name=asset.name,
        kind=asset.kind,
        organisation=_organisation(asset.organisation),
        description=asset.description,
        taxonomy_terms=list(asset.taxonomy_terms),
        keywords=list(asset.keywords),
        audiences=list(asset.audiences),
        min_age=asset.min_age,
        max_age=asset.max_age,
        eligibility=asset.eligibility,
        cost=asset.cost,
        access=list(asset.access),
        address=asset.address,
        town=asset.town,
        postcode=asset.postcode,
        latitude=asset.latitude,
        longitude=asset.longitude,
        zone=asset.zone,
        phone=asset.phone,
        email=asset.email,
        website=asset.website,
        opening_hours=list(asset.opening_hours),
        holiday_closures=list(asset.holiday_closures),
        languages=normalised(asset.languages),  # codes, also for what was stored as names
        accessibility=asset.accessibility,
        status=asset.status,
        last_verified=asset.last_verified,
        attribution=asset.attribution,
        is_example=asset.is_example,
    )


async def all_records(session: AsyncSession, batch: int = 2000) -> AsyncIterator[AssetRecord]:
    """Every asset in a stable order (source, external id), streamed in batches."""
    statement = (
        select(Asset)
        .options(selectinload(Asset.organisation))
        .order_by(Asset.source, Asset.external_id)
        .execution_options(yield_per=batch)
    )
    result = await session.stream_scalars(statement)
    async for asset in result:
        yield asset_to_record(asset)
