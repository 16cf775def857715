"""The directory as residents and coordinators use it: import with classification, and search.

Classification runs inside the import's transaction and is stored per asset; the search engine
is built from the stored classification, re-classifying any asset whose stored answer came from
an older taxonomy (and saving the new answer).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Label, Row, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from bot.clock import Clock, system_clock
from bot.matching.classify import Classification, Classifier, code_key
from bot.matching.engine import SearchEngine
from bot.matching.index import AssetDoc
from bot.matching.taxonomy import Taxonomy, default_taxonomy
from bot.services.live_cache import VersionedCache
from bot.services.places import Point, ZoneMap, district_points
from db.clock import session_now
from db.importers.languages import known_codes
from db.importers.pipeline import ImportReport, import_source
from db.models import Asset, AssetClassification, CategoryCorrection, Organisation
from db.session import settle

CHUNK = 1000


def taxonomy_digest(taxonomy: Taxonomy) -> str:
    return hashlib.sha256(repr(taxonomy).encode("utf-8")).hexdigest()


def asset_tags(keywords: Iterable[str], terms: Iterable[dict], audiences: Iterable[str]) -> str:
    """The short labels an asset carries, as one text field for search and classification."""
    return " ; ".join([*keywords, *(t.get("name", "") for t in terms), *audiences])


def classify_row(classifier: Classifier, row: Row[Any]) -> Classification:
    """Classify one row of `_asset_columns()` (an asset with its organisation's name)."""
    codes = [
        code_key(t.get("vocabulary", ""), t.get("code", "")) for t in row.taxonomy_terms if t.get("code")
    ]
    return classifier.classify(
        name=f"{row.name}. {row.org or ''}",
        tags=asset_tags(row.keywords, row.taxonomy_terms, row.audiences),
        description=row.description,
        codes=codes,
        min_age=row.min_age,
        max_age=row.max_age,
    )


def _asset_columns() -> tuple[InstrumentedAttribute[Any] | Label[str], ...]:
    """What classification and the search index read of an asset, so both select the same."""
    return (
        Asset.id, Asset.external_id, Asset.name, Asset.description, Asset.keywords,
        Asset.taxonomy_terms, Asset.audiences, Asset.min_age, Asset.max_age, Asset.town,
        Asset.postcode_district, Asset.latitude, Asset.longitude, Asset.is_example,
        Asset.opening_hours, Asset.holiday_closures, Organisation.name.label("org"),
        Asset.address, Asset.postcode, Asset.phone, Asset.website, Asset.email, Asset.languages,
    )  # fmt: skip


async def store_classifications(session: AsyncSession, found: dict[int, Classification], digest: str) -> None:
    ids = list(found)
    now = session_now(session)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        await session.execute(delete(AssetClassification).where(AssetClassification.asset_id.in_(chunk)))
        await session.execute(
            insert(AssetClassification),
            [
                {
                    "asset_id": i,
                    "categories": found[i].categories,
                    "audiences": sorted(found[i].audiences),
                    "min_age": found[i].min_age,
                    "max_age": found[i].max_age,
                    "taxonomy_digest": digest,
                    "classified_at": now,
                }
                for i in chunk
            ],
        )


async def classify_assets(
    session: AsyncSession, asset_ids: list[int], taxonomy: Taxonomy | None = None
) -> None:
    """Classify these assets from their own text and store the answer."""
    taxonomy = taxonomy or default_taxonomy()
    classifier = Classifier(taxonomy)
    found: dict[int, Classification] = {}
    for start in range(0, len(asset_ids), CHUNK):
        rows = await session.execute(
            select(*_asset_columns())
            .outerjoin(Organisation, Asset.organisation_id == Organisation.id)
            .where(Asset.id.in_(asset_ids[start : start + CHUNK]))
        )
        for row in rows:
            found[row.id] = classify_row(classifier, row)
    await store_classifications(session, found, taxonomy_digest(taxonomy))


async def reclassify_all(session: AsyncSession, taxonomy: Taxonomy | None = None) -> int:
    """Classify every asset again, e.g. after a coordinator extended the taxonomy."""
    ids = list(await session.scalars(select(Asset.id).order_by(Asset.id)))
    await classify_assets(session, ids, taxonomy)
    return len(ids)


async def import_directory(
    sessions: async_sessionmaker[AsyncSession],
    location: str,
    zones: ZoneMap,
    fmt: str = "auto",
    source: str | None = None,
    show_progress: bool | None = None,
    taxonomy: Taxonomy | None = None,
    allow_private: bool = False,
) -> ImportReport:
    """Import a file or feed, place assets in zones and classify what changed, all in one go.

    `allow_private` lets a feed URL (and its redirects) reach loopback and private addresses."""

    async def classify(session: AsyncSession, ids: list[int]) -> None:
        await classify_assets(session, ids, taxonomy)

    return await import_source(
        sessions,
        location,
        fmt=fmt,
        source=source,
        zone_for=lambda r: zones.zone_for(r.town, r.postcode),
        show_progress=show_progress,
        after_write=classify,
        allow_private=allow_private,
    )


def _apply_corrections(found: Classification, corrections: dict[str, bool]) -> None:
    for category, include in corrections.items():
        if include:
            found.categories[category] = 1.0
        else:
            found.categories.pop(category, None)


async def load_engine(
    session: AsyncSession, taxonomy: Taxonomy | None = None, zones: ZoneMap | None = None
) -> SearchEngine:
    """Build the search engine over every active asset, refreshing stale classifications."""
    taxonomy = taxonomy or default_taxonomy()
    digest = taxonomy_digest(taxonomy)
    classifier: Classifier | None = None
    stored = {
        c.asset_id: c
        for c in await session.scalars(
            select(AssetClassification).where(AssetClassification.taxonomy_digest == digest)
        )
    }
    corrections: dict[int, dict[str, bool]] = {}
    for correction in await session.scalars(select(CategoryCorrection)):
        corrections.setdefault(correction.asset_id, {})[correction.category] = correction.include
    rows = await session.execute(
        select(*_asset_columns())
        .outerjoin(Organisation, Asset.organisation_id == Organisation.id)
        .where(Asset.status == "active")
        .order_by(Asset.id)
    )
    districts = district_points()
    docs, refreshed = [], {}
    for row in rows:
        cached = stored.get(row.id)
        if cached is not None:
            found = Classification(
                dict(cached.categories), set(cached.audiences), cached.min_age, cached.max_age
            )
        else:
            classifier = classifier or Classifier(taxonomy)
            found = refreshed[row.id] = classify_row(classifier, row)
        _apply_corrections(found, corrections.get(row.id, {}))
        point = districts.get(row.postcode_district)
        latitude = row.latitude if row.latitude is not None else (point.latitude if point else None)
        longitude = row.longitude if row.longitude is not None else (point.longitude if point else None)
        docs.append(
            AssetDoc(
                id=row.id,
                external_id=row.external_id,
                name=row.name,
                organisation=row.org or "",
                tags=asset_tags(row.keywords, row.taxonomy_terms, row.audiences),
                description=row.description,
                town=row.town,
                latitude=latitude,
                longitude=longitude,
                is_example=row.is_example,
                classification=found,
                opening_hours=row.opening_hours or [],
                holiday_closures=row.holiday_closures or [],
                address=row.address or "",
                postcode=row.postcode or "",
                phone=row.phone or "",
                website=row.website or "",
                email=row.email or "",
                languages=tuple(known_codes(row.languages or ())),
            )
        )
    if refreshed:
        await store_classifications(session, refreshed, digest)
        await settle(session)
    return SearchEngine.build(docs, taxonomy, zone_places(zones) if zones else None)


def zone_places(zones: ZoneMap) -> dict[str, Point]:
    """Place names from the configured zones, and the zones' own names ("Melton", "Rutland": what
    people call their area), placed at the middle of their zone's districts."""
    points = district_points()
    places = {}
    named = {**zones.zone_districts(), **zones.place_districts()}  # a place's own name wins
    for place, districts in named.items():
        spots = [points[d] for d in districts if d in points]
        if spots:
            places[place] = Point(
                sum(p.latitude for p in spots) / len(spots), sum(p.longitude for p in spots) / len(spots)
            )
    return places


async def directory_version(session: AsyncSession) -> tuple:
    """Changes whenever an asset, its classification or a correction changes."""
    assets = (await session.execute(select(func.count(Asset.id), func.max(Asset.updated_at)))).one()
    classified = await session.scalar(select(func.max(AssetClassification.classified_at)))
    corrected = (
        await session.execute(
            select(func.count(CategoryCorrection.id), func.max(CategoryCorrection.corrected_at))
        )
    ).one()
    return (*assets, classified, *corrected)


class LiveEngine(VersionedCache[SearchEngine]):
    """The engine the bot searches with, rebuilt when the directory has changed since it was built
    (see bot.services.live_cache).

    Whether it changed is asked of the database at most every `fresh_seconds` of the bot's clock
    (three aggregate queries cost more than the search itself); this process's own edits call
    `invalidate`, so they show at once, and another process's (an import) within that time.
    """

    def __init__(
        self,
        zones: ZoneMap | None = None,
        taxonomy: Taxonomy | None = None,
        fresh_seconds: float = 1.0,
        clock: Clock = system_clock,
    ) -> None:
        self.zones = zones
        self.taxonomy = taxonomy
        super().__init__(self._load, directory_version, clock, fresh_seconds)

    async def _load(self, session: AsyncSession) -> SearchEngine:
        return await load_engine(session, self.taxonomy, self.zones)
