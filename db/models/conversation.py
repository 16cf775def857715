"""Where each person is in a conversation with the bot, kept between their messages.

One row per person who is in the middle of something: the question the bot asked and the draft
so far (a half-written event, an offer of help), their recent search pages, and the ids of the
updates already handled for them. It is read at the start of each of their updates and written at
the end in the same transaction as the update's work (bot.pipeline), so any process can carry on
where another left off, and a redelivered update is not acted on twice. Rows untouched for
`retention_days_conversation` go (bot.services.privacy); /mydata shows the row and /forget
deletes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from db.clock import stamp_now
from db.models.base import TYPED_BY, Base, personal


class ConversationState(Base):
    __tablename__ = "conversation_states"
    __personal_owner__ = "telegram_user_id"
    # a row with nothing kept only says which updates were handled: erased with the rest, but not
    # something the bot holds about the person for /mydata
    __held_only_when__ = "data"

    # whose conversation: their Telegram id (no resident row is needed to be in the middle of one)
    telegram_user_id: Mapped[int] = personal(
        BigInteger, primary_key=True, autoincrement=False, info={TYPED_BY: True}
    )
    # what the handlers keep for this person between updates (bot.pipeline.codec); None: nothing
    data: Mapped[dict[str, Any] | None] = personal(nullable=True)
    # the last few updates handled for this person (id and digest), newest last: a redelivery is
    # recognised and not acted on twice
    handled: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(default=stamp_now, onupdate=stamp_now, index=True)
