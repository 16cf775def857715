"""Which clock each database engine stamps rows with.

Rows get `created_at` and `updated_at` from the clock of the engine that writes them, and services
that hold only a session ask it for the time the same way. The bot makes its engine with its own
clock (bot/clock.py: the system clock in production, a fake one in tests), so every time the bot's
logic reads comes from that one injectable clock, never from the machine's wall clock directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

Clock = Callable[[], datetime]

_clocks: WeakKeyDictionary[Engine, Clock] = WeakKeyDictionary()


def attach_clock(engine: AsyncEngine, clock: Clock) -> None:
    _clocks[engine.sync_engine] = clock


def engine_clock(engine: Engine) -> Clock:
    try:
        return _clocks[engine]
    except KeyError:
        raise LookupError("this database engine was made without a clock: make_engine(url, clock)") from None


def session_now(session: AsyncSession) -> datetime:
    """Now, on the clock of the engine this session writes through."""
    bind = session.bind
    sync_engine = bind.sync_engine if isinstance(bind, AsyncEngine) else bind.engine.sync_engine
    return engine_clock(sync_engine)()


def stamp_now(context: Any) -> datetime:
    """Column default and onupdate for timestamps: the writing engine's clock (SQLAlchemy passes the
    execution context to a default that takes one argument)."""
    return engine_clock(context.root_connection.engine)()
