"""Unmet needs: what residents asked for that found nothing, kept for coordinators' gap reports.

The words, the area and the best guess at the need; with the words, the Telegram id of whoever
typed them, so /mydata and /forget find them. Coordinators only ever see counts, and retention
blanks the words and the id together (`retention_days_unmet_need_text`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.clock import session_now
from db.models import Need

MAX_NEED_CHARS = 500


async def record_unmet_need(
    session: AsyncSession,
    text: str,
    district: str = "",
    zone: str = "",
    category: str = "",
    when: datetime | None = None,
    typed_by: int | None = None,
) -> Need:
    """WHEN is the bot's clock, so gap reports count by the same days as everything else.
    TYPED_BY is the Telegram id of whoever typed TEXT (None when nobody did: a browsed need)."""
    need = Need(
        text=text[:MAX_NEED_CHARS], postcode_district=district, zone=zone, category=category,
        created_at=when or session_now(session), telegram_user_id=typed_by,
    )  # fmt: skip
    session.add(need)
    await session.flush()
    return need
