"""Unmet needs: what residents asked for that found nothing, kept for coordinators' gap reports.

No identity is kept: the words, the area and the best guess at the need.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Need

MAX_NEED_CHARS = 500


async def record_unmet_need(
    session: AsyncSession, text: str, district: str = "", zone: str = "", category: str = ""
) -> Need:
    need = Need(text=text[:MAX_NEED_CHARS], postcode_district=district, zone=zone, category=category)
    session.add(need)
    await session.flush()
    return need
