"""Asking both sides of an introduction, a few days on, whether it worked; the answers feed the
coordinators' reports. Each follow-up is claimed in the database before it is sent, so it goes
out once even with two processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.introductions import IntroductionError, IntroductionParties, parties
from db.models import Introduction
from db.session import get_existing


async def claim_due_follow_ups(session: AsyncSession, now: datetime) -> list[IntroductionParties]:
    due = await session.scalars(
        select(Introduction)
        .where(
            Introduction.status == "accepted",
            Introduction.follow_up_due_at <= now,
            Introduction.follow_up_sent_at.is_(None),
        )
        .order_by(Introduction.follow_up_due_at)
        .limit(100)
        .with_for_update(skip_locked=True)
    )
    claimed = []
    for introduction in list(due):
        introduction.follow_up_sent_at = now
        try:
            claimed.append(await parties(session, introduction.id))
        except IntroductionError:  # one side has left (erased their data): nobody to ask
            continue
    return claimed


async def record_feedback(
    session: AsyncSession, introduction_id: int, telegram_user_id: int, worked: bool
) -> None:
    """Store 'it worked' / 'it didn't' from whichever side answered; a stranger changes nothing."""
    found = await parties(session, introduction_id)
    introduction = await get_existing(session, Introduction, introduction_id)
    if introduction.follow_up_sent_at is None:
        raise IntroductionError("no follow-up was sent for that introduction")
    answer = "worked" if worked else "did not work"
    if telegram_user_id == found.resident_telegram_id:
        introduction.resident_feedback = answer
    elif telegram_user_id == found.volunteer_telegram_id:
        introduction.volunteer_feedback = answer
    else:
        raise IntroductionError("that follow-up was not for you")
