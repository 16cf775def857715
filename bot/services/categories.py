"""Coordinators' corrections to how an asset is classified; a correction beats the classifier."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching.taxonomy import Taxonomy, default_taxonomy
from db.clock import session_now
from db.models import Asset, AssetClassification, CategoryCorrection


class CorrectionError(ValueError):
    """The asset or a category does not exist; nothing was changed."""


@dataclass
class CategoryView:
    asset_id: int
    name: str
    categories: list[str]  # "food-banks (Food banks and free food) — classifier 0.84"


async def find_asset(session: AsyncSession, reference: str) -> Asset:
    """An asset by database id or by the id it had in its source file."""
    conditions = [Asset.external_id == reference]
    if reference.isdigit():
        conditions.append(Asset.id == int(reference))
    found = list(await session.scalars(select(Asset).where(or_(*conditions)).limit(2)))
    if not found:
        raise CorrectionError(f"no asset has the id '{reference}'")
    if len(found) > 1:
        raise CorrectionError(f"more than one asset has the id '{reference}'; use the number from search")
    return found[0]


async def asset_named(session: AsyncSession, name: str) -> Asset | None:
    """The one asset with exactly this name (any case); None when there is none or several."""
    found = list(
        await session.scalars(select(Asset).where(func.lower(Asset.name) == name.strip().lower()).limit(2))
    )
    return found[0] if len(found) == 1 else None


async def correct_categories(
    session: AsyncSession,
    reference: str,
    add: list[str] = (),  # type: ignore[assignment]
    remove: list[str] = (),  # type: ignore[assignment]
    by_resident: int | None = None,
    taxonomy: Taxonomy | None = None,
) -> CategoryView:
    """File an asset under (or take it out of) categories, and show where it is filed now."""
    taxonomy = taxonomy or default_taxonomy()
    known = {c.id for c in taxonomy.categories}
    unknown = [c for c in (*add, *remove) if c not in known]
    if unknown:
        raise CorrectionError(f"unknown category: {', '.join(unknown)}")
    asset = await find_asset(session, reference)
    wanted = {**{c: False for c in remove}, **{c: True for c in add}}
    existing = {
        c.category: c
        for c in await session.scalars(
            select(CategoryCorrection).where(CategoryCorrection.asset_id == asset.id)
        )
    }
    for category, include in wanted.items():
        if category in existing:
            existing[category].include = include
            existing[category].corrected_by = by_resident
            existing[category].corrected_at = session_now(session)
        else:
            session.add(
                CategoryCorrection(
                    asset_id=asset.id, category=category, include=include, corrected_by=by_resident
                )
            )
            existing[category] = CategoryCorrection(category=category, include=include)
    auto = await session.get(AssetClassification, asset.id)
    lines = {}
    for category, score in (auto.categories if auto else {}).items():
        lines[category] = f"classifier {score:.2f}"
    for category, correction in existing.items():
        if correction.include:
            lines[category] = "added by a coordinator"
        else:
            lines.pop(category, None)
    shown = [f"{c} ({taxonomy.category(c).name}) — {how}" for c, how in sorted(lines.items()) if c in known]
    return CategoryView(asset.id, asset.name, shown)
