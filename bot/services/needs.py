"""Unmet needs: what residents asked for that found nothing, kept for coordinators' gap reports.

The words, the area, the best guess at the need and the language the bot spoke; with the words,
the Telegram id of whoever typed them, so /mydata and /forget find them. Coordinators only ever
see counts, and retention blanks the words and the id together (`retention_days_unmet_need_text`);
the language stays with the row, like its zone and need, for the counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n.current import current
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
    language: str | None = None,
) -> Need:
    """WHEN is the bot's clock, so gap reports count by the same days as everything else.
    TYPED_BY is the Telegram id of whoever typed TEXT (None when nobody did: a browsed need).
    LANGUAGE is the code of the language the bot spoke in the search (by default the one this
    update speaks), so /gaps can count unmet needs by language."""
    need = Need(
        text=text[:MAX_NEED_CHARS], postcode_district=district, zone=zone, category=category,
        created_at=when or session_now(session), telegram_user_id=typed_by,
        language=(language or current())[:10],
    )  # fmt: skip
    session.add(need)
    await session.flush()
    return need
