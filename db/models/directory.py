"""The asset directory: people, services, businesses, groups and places, after Open Referral."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.clock import stamp_now
from db.models.base import Base

ASSET_KINDS = ("person", "service", "business", "group", "place")
ASSET_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
ACCESS_MODES = ("drop-in", "appointment", "referral", "phone", "online", "home visit", "membership")


class Organisation(Base):
    """Who runs an asset. Kept apart so a council's many services share one record."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(1000), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(100), default="")

    assets: Mapped[list[Asset]] = relationship(back_populates="organisation")


class Asset(Base):
    """One thing a resident can reach: a service, a group, a business, a place or a person.

    Lists (taxonomy terms, keywords, audiences, languages, access, hours) are JSON: they are
    always read and written with the asset, and the search index is built in memory.
    """

    __tablename__ = "assets"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_assets_postcode_district", "postcode_district"),
        Index("ix_assets_zone", "zone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="service")
    name: Mapped[str] = mapped_column(String(500))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    # Open Referral taxonomy terms as imported: [{"vocabulary", "code", "name"}].
    taxonomy_terms: Mapped[list[Any]] = mapped_column(default=list)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    audiences: Mapped[list[Any]] = mapped_column(default=list)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    eligibility: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[str] = mapped_column(Text, default="")
    access: Mapped[list[Any]] = mapped_column(default=list)
    address: Mapped[str] = mapped_column(String(1000), default="")
    town: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    postcode_district: Mapped[str] = mapped_column(String(5), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    zone: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    website: Mapped[str] = mapped_column(String(1000), default="")
    # [{"day": "mon", "opens": "09:00", "closes": "17:00"}]
    opening_hours: Mapped[list[Any]] = mapped_column(default=list)
    # [{"start": "2026-12-25", "end": "2026-12-26", "closed": true, "opens": "", "closes": ""}]
    holiday_closures: Mapped[list[Any]] = mapped_column(default=list)
    languages: Mapped[list[Any]] = mapped_column(default=list)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30), default="active")
    last_verified: Mapped[date | None] = mapped_column(Date)
    # Provenance: re-imports of one source update by (source, external_id) instead of duplicating.
    source: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str] = mapped_column(String(200))
    attribution: Mapped[str] = mapped_column(Text, default="")
    # An invented demo entry: shown with a label so nobody walks to a place that does not exist.
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)
    updated_at: Mapped[datetime] = mapped_column(default=stamp_now, onupdate=stamp_now)

    organisation: Mapped[Organisation | None] = relationship(back_populates="assets")


class AssetClassification(Base):
    """What the needs taxonomy says an asset is for, as last worked out from its text.

    A cache of the classifier's answer: `taxonomy_digest` says which taxonomy produced it, so a
    changed taxonomy is noticed and the asset is classified again.
    """

    __tablename__ = "asset_classifications"

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True)
    categories: Mapped[dict[str, Any]] = mapped_column(default=dict)  # category id -> 0..1
    audiences: Mapped[list[Any]] = mapped_column(default=list)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    taxonomy_digest: Mapped[str] = mapped_column(String(64), default="")
    classified_at: Mapped[datetime] = mapped_column(default=stamp_now)


class CategoryCorrection(Base):
    """A coordinator's word on an asset's category, which wins over the classifier's."""

    __tablename__ = "category_corrections"
    __table_args__ = (UniqueConstraint("asset_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(100))
    include: Mapped[bool] = mapped_column(Boolean)
    corrected_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime] = mapped_column(default=stamp_now)
