"""One clock for the whole bot, so tests move time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.clock import Clock

__all__ = ["Clock", "FakeClock", "ShiftedClock", "system_clock"]


def system_clock() -> datetime:
    """Now, as an aware UTC datetime: the only place the bot reads the machine's wall clock."""
    return datetime.now(UTC)


class FakeClock:
    """A clock tests set and move by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("give the fake clock an aware datetime")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class ShiftedClock:
    """The machine's time, moved on by hand: it runs as the wall clock does, plus whatever
    `advance` added. The terminal chat runs the bot on it, so `/wait 2h` is two hours later for
    the bot while everything else (timeouts, APScheduler) keeps real time."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return system_clock() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)
