"""Keeping the directory true: residents' "this has changed" reports (coordinators never see who
sent one), coordinators' review of assets nobody has checked for a while, and assets added or
corrected through the bot.

Every write here that changes what search shows (a new asset, a new name or description) also
stores the asset's classification in the same transaction, so the `LiveEngine` sees a new
directory version and rebuilds before the next search, exactly as after an import.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory import classify_assets
from bot.services.places import ZoneMap, find_postcode
from bot.services.roles import EVERY_ZONE
from db.hours import HoursError, parse_hours
from db.models import Asset, AssetReport
from db.session import rows_changed
from db.text import clean_text, postcode_district

REPORT_CHARS = 1000
DESCRIPTION_CHARS = 2000
SOURCE = "bot"
# What is worth a coordinator's check: residents see active assets; a temporary closure ends.
REVIEWABLE = ("active", "temporarily closed")
# Typed instead of a value, these mean "there isn't one".
NOTHING_WORDS = frozenset({"skip", "none", "no", "n/a", "-", "remove"})


# ----- reading what people type -------------------------------------------------------------------


def has_words(text: str) -> bool:
    """At least a couple of letters or digits: not empty, not only emoji or punctuation."""
    return sum(ch.isalnum() for ch in text) >= 2


def means_nothing(text: str) -> bool:
    return text.strip().lower().rstrip(".") in NOTHING_WORDS


def report_text(text: str) -> tuple[str, bool] | None:
    """A resident's report, tidied and cut to REPORT_CHARS (and whether it was cut); None when it
    has no words in it. Long reports are kept, not refused: the start says what changed."""
    cleaned = clean_text(text, keep_lines=True)
    if not has_words(cleaned):
        return None
    return cleaned[:REPORT_CHARS], len(cleaned) > REPORT_CHARS


def read_name(text: str) -> str | None:
    name = clean_text(text)
    return name if 3 <= len(name) <= 200 and has_words(name) else None


def read_description(text: str) -> str | None:
    description = clean_text(text, keep_lines=True)
    return description[:DESCRIPTION_CHARS] if len(description) >= 5 and has_words(description) else None


_PHONE = re.compile(r"^\+?[\d\s()\-]{6,30}$")


def read_phone(text: str) -> str | None:
    """'0116 496 0000', '+44 116 496 0000', '(01632) 960001'; None for anything else."""
    phone = clean_text(text)
    digits = sum(ch.isdigit() for ch in phone)
    return phone if _PHONE.match(phone) and 6 <= digits <= 15 else None


def read_website(text: str) -> str | None:
    """A web address, with https:// added when it was typed without a scheme."""
    site = text.strip()
    if not site or len(site) > 1000 or any(ch.isspace() for ch in site):
        return None
    if not re.match(r"^https?://", site, re.IGNORECASE):
        site = "https://" + site
    try:
        host = urlsplit(site).hostname or ""
    except ValueError:
        return None
    return site if "." in host.strip(".") else None


def read_hours(text: str) -> list[dict[str, str]]:
    """Weekly hours in the spreadsheet's form (`db.hours`), so cards can say open or closed.

    Raises HoursError, with the reason, for anything else."""
    hours = parse_hours(text)
    if not hours:
        raise HoursError("there are no days and times in it")
    return hours


@dataclass(frozen=True)
class Place:
    address: str
    town: str
    postcode: str
    district: str
    zone: str

    def columns(self) -> dict[str, Any]:
        """The asset's columns for this place. A map pin from an import would now be wrong, so it
        goes: distances then use the postcode district's centre, as for any asset without one."""
        return {
            "address": self.address,
            "town": self.town,
            "postcode": self.postcode,
            "postcode_district": self.district,
            "zone": self.zone,
            "latitude": None,
            "longitude": None,
        }


def read_address(text: str, zones: ZoneMap) -> Place | None:
    """'Victoria Hall, Oakham, LE15 6AB' -> the address, the town (the part before the postcode,
    when it has no numbers), the postcode, its district and its People Zone; None without an LLR
    postcode, since the postcode is what places an asset in a zone and on the distance ranking."""
    text = clean_text(text)
    postcode = find_postcode(text)
    if not postcode:
        return None
    pattern = r"\s*".join(re.escape(part) for part in postcode.split(" "))
    rest = re.sub(rf"\b{pattern}\b", " ", text, count=1, flags=re.IGNORECASE)
    parts = [p.strip(" .") for p in rest.split(",") if p.strip(" .")]
    town = ""
    looks_like_town = bool(parts) and not any(ch.isdigit() for ch in parts[-1])
    if looks_like_town and (len(parts) > 1 or zones.zone_for(town=parts[-1])):
        town = parts.pop()
    district = postcode_district(postcode)
    return Place(", ".join(parts), town, postcode, district, zones.zone_for(town, postcode))


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


# ----- who is told ----------------------------------------------------------------------------------


def _in_zones(column: Any, zones: set[str]) -> ColumnElement[bool] | None:
    return None if EVERY_ZONE in zones else column.in_(sorted(zones))


# ----- residents' reports ---------------------------------------------------------------------------


async def find_asset(session: AsyncSession, asset_id: int) -> Asset | None:
    """The asset with this id, whatever its status (None: there is none)."""
    return await session.get(Asset, asset_id)


async def find_report(session: AsyncSession, report_id: int) -> AssetReport | None:
    """The report of a change with this id, open or handled (None: there is none)."""
    return await session.get(AssetReport, report_id)


async def active_asset(session: AsyncSession, asset_id: int) -> Asset | None:
    asset = await session.get(Asset, asset_id)
    return asset if asset is not None and asset.status == "active" else None


async def file_report(
    session: AsyncSession, asset_id: int, text: str, typed_by: int | None = None
) -> AssetReport | None:
    """Store a report for the asset's zone. Coordinators never see who sent it; TYPED_BY, the
    sender's Telegram id, is kept with their words only so /mydata finds them and /forget blanks
    them (no resident row is made for it)."""
    asset = await active_asset(session, asset_id)
    if asset is None:
        return None
    report = AssetReport(
        asset_id=asset.id,
        resident_id=None,
        telegram_user_id=typed_by,
        text=text[:REPORT_CHARS],
        zone=asset.zone,
    )
    session.add(report)
    await session.flush()
    return report


async def open_reports(
    session: AsyncSession, zones: set[str], limit: int
) -> tuple[list[tuple[AssetReport, Asset]], int]:
    """The oldest open reports in these zones, with their assets, and how many are open in all."""
    where = [AssetReport.status == "open"]
    if (in_zones := _in_zones(AssetReport.zone, zones)) is not None:
        where.append(in_zones)
    total = await session.scalar(select(func.count(AssetReport.id)).where(*where)) or 0
    rows = await session.execute(
        select(AssetReport, Asset)
        .join(Asset, AssetReport.asset_id == Asset.id)
        .where(*where)
        .order_by(AssetReport.created_at, AssetReport.id)
        .limit(limit)
    )
    return [(report, asset) for report, asset in rows], total


async def close_report(
    session: AsyncSession, report_id: int, status: str, handled_by: int, now: datetime
) -> bool:
    """Mark an open report done or dismissed; False when it was no longer open. One conditional
    UPDATE, so two coordinators pressing at once cannot both handle it."""
    changed = await rows_changed(
        session,
        update(AssetReport)
        .where(AssetReport.id == report_id, AssetReport.status == "open")
        .values(status=status, handled_by=handled_by, handled_at=now),
    )
    return changed == 1


# ----- review ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page of the review list ended: the last asset's check date (None: never) and id.
    Kept instead of a page number, so assets confirmed meanwhile do not make others skipped."""

    verified: date | None
    asset_id: int


def _due(zones: set[str], due_before: date) -> list[ColumnElement[bool]]:
    where = [
        Asset.status.in_(REVIEWABLE),
        or_(Asset.last_verified.is_(None), Asset.last_verified < due_before),
    ]
    if (in_zones := _in_zones(Asset.zone, zones)) is not None:
        where.append(in_zones)
    return where


def _after(cursor: Cursor) -> ColumnElement[bool]:
    if cursor.verified is None:
        return or_(
            and_(Asset.last_verified.is_(None), Asset.id > cursor.asset_id), Asset.last_verified.is_not(None)
        )
    return and_(
        Asset.last_verified.is_not(None),
        or_(
            Asset.last_verified > cursor.verified,
            and_(Asset.last_verified == cursor.verified, Asset.id > cursor.asset_id),
        ),
    )


async def assets_to_review(
    session: AsyncSession, zones: set[str], due_before: date, limit: int, after: Cursor | None = None
) -> list[Asset]:
    """Assets last checked before DUE_BEFORE (or never), never-checked first, then oldest first.

    The order is spelled out (not NULLS FIRST) so SQLite and PostgreSQL agree."""
    where = _due(zones, due_before) + ([_after(after)] if after else [])
    never_first = case((Asset.last_verified.is_(None), 0), else_=1)
    found = await session.scalars(
        select(Asset).where(*where).order_by(never_first, Asset.last_verified, Asset.id).limit(limit)
    )
    return list(found)


async def count_to_review(session: AsyncSession, zones: set[str], due_before: date) -> int:
    return await session.scalar(select(func.count(Asset.id)).where(*_due(zones, due_before))) or 0


async def mark_verified(session: AsyncSession, asset_id: int, today: date) -> bool:
    """A coordinator confirmed the asset is still right. updated_at is left alone: nothing a
    resident searches changed, so the search index need not be rebuilt."""
    changed = await rows_changed(
        session,
        update(Asset).where(Asset.id == asset_id).values(last_verified=today, updated_at=Asset.updated_at),
    )
    return changed == 1


# ----- adding and editing ---------------------------------------------------------------------------


def draft_asset(values: dict[str, Any]) -> Asset:
    """An unsaved asset from the answers so far: what the preview card shows, and what is saved."""
    return Asset(
        kind="service", name=values.get("name", ""), description=values.get("description", ""),
        address=values.get("address", ""), town=values.get("town", ""), postcode=values.get("postcode", ""),
        postcode_district=values.get("postcode_district", ""), zone=values.get("zone", ""),
        phone=values.get("phone", ""), email="", website=values.get("website", ""),
        opening_hours=values.get("opening_hours", []), holiday_closures=[], latitude=None, longitude=None,
        cost="", eligibility="", accessibility="", attribution="", is_example=False, status="active",
    )  # fmt: skip


async def create_asset(session: AsyncSession, values: dict[str, Any], today: date) -> Asset:
    """Save a coordinator's new asset, checked today, and classify it as an import would."""
    asset = draft_asset(values)
    asset.source = SOURCE
    asset.external_id = f"bot-{uuid.uuid4()}"
    asset.last_verified = today
    session.add(asset)
    await session.flush()
    await classify_assets(session, [asset.id])
    return asset


CLASSIFIED_FROM = frozenset({"name", "description"})


async def update_asset(
    session: AsyncSession, asset_id: int, changes: dict[str, Any], today: date
) -> Asset | None:
    """Apply a coordinator's correction; the asset counts as checked today. A new name or
    description is classified again, so search files it under the right needs at once."""
    asset = await session.get(Asset, asset_id)
    if asset is None:
        return None
    for column, value in changes.items():
        setattr(asset, column, value)
    asset.last_verified = today
    await session.flush()
    if CLASSIFIED_FROM & changes.keys():
        await classify_assets(session, [asset.id])
    return asset
