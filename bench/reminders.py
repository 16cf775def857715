"""10,000 RSVPs whose reminders all fall due in the same minute: are they all sent, once, within
Telegram's limits, and how late is the last one against the best possible at 30 messages/s?

    .venv/bin/python bench/reminders.py [--rsvps 10000] [--rate 25] [--database-url URL]

The real sender (`bot.senders.notices.send_due_notices`) runs against the Bot API emulation with
Telegram's flood limits switched on (30 messages/s overall, about 1/s per chat) and answering 429
when they are broken. Time is fast-forwarded: database and sending work costs real time, waits for
the rate are skipped (`bot.services.pacing.FastForwardTimer`), so the run takes seconds, not the
six minutes a real send of 10,000 takes. The baseline, "best possible", is 10,000 / 30 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select

from bot.app import build_application, start_bot, stop_bot
from bot.clock import FakeClock
from bot.config import Settings, default_zones
from bot.emulation import EmulatedRequest, EmulatedTelegram
from bot.senders.notices import send_due_notices
from bot.services.events import create_event
from bot.services.pacing import FastForwardTimer
from db import migrate
from db.models import Reminder, Resident, Rsvp
from db.session import make_engine, make_sessionmaker

TELEGRAM_RATE = 30.0
FIRST_USER = 10_000_000


async def seed(url: str, count: int, event_start: datetime, due: datetime) -> None:
    """COUNT residents going to one event, each with a reminder due within the same minute."""
    engine = make_engine(url, FakeClock(due))
    sessions = make_sessionmaker(engine)
    async with sessions.begin() as session:
        event = await create_event(session, "Big Lunch on the Green", event_start, venue="Victoria Park")
        await session.execute(
            insert(Resident), [{"telegram_user_id": FIRST_USER + n, "zone": ""} for n in range(count)]
        )
        ids = list(await session.scalars(select(Resident.id).order_by(Resident.id)))
        await session.execute(
            insert(Rsvp),
            [{"event_id": event.id, "resident_id": r, "occurrence_start": event_start} for r in ids],
        )
        rsvps = (await session.execute(select(Rsvp.id, Rsvp.resident_id).order_by(Rsvp.id))).all()
        await session.execute(
            insert(Reminder),
            [
                {
                    "resident_id": resident_id, "rsvp_id": rsvp_id, "event_id": event.id,
                    "occurrence_start": event_start, "kind": "event",
                    "due_at": due + timedelta(seconds=n * 60 / count),
                }
                for n, (rsvp_id, resident_id) in enumerate(rsvps)
            ],
        )  # fmt: skip
    await engine.dispose()


async def run(url: str, count: int, rate: float) -> None:
    due = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    await migrate.upgrade(url)
    await seed(url, count, due + timedelta(hours=2), due)
    timer = FastForwardTimer()
    telegram = EmulatedTelegram(rate_limits=True, clock=timer.monotonic)
    for n in range(count):
        telegram.user(f"Neighbour {n}", user_id=FIRST_USER + n)
    settings = Settings(database_url=url, zones=default_zones(), broadcast_rate_per_second=rate)
    clock = FakeClock(due + timedelta(minutes=1))  # everything is due
    app = build_application(
        settings,
        "123456:TEST",
        request=EmulatedRequest(telegram),
        clock=clock,
        rate_limiter=False,
        timer=timer,
    )
    await start_bot(app)
    sent_at: list[float] = []
    limiter = telegram.limiter
    if limiter is None:
        raise SystemExit("this bench measures the pace of sends: the emulation needs its rate limits")
    original = limiter.acquire

    def counting_acquire(chat_id: int, *, group: bool) -> None:
        original(chat_id, group=group)  # raises 429 without counting when a limit is broken
        sent_at.append(timer.monotonic())

    limiter.acquire = counting_acquire  # type: ignore[method-assign]  # counting each send, on purpose
    wall = time.perf_counter()
    start = timer.monotonic()
    report = await send_due_notices(app)
    wall = time.perf_counter() - wall
    await stop_bot(app)

    received = [len(telegram.bot_messages_since(telegram.user(f"Neighbour {n}"), 0)) for n in range(count)]
    last = sent_at[-1] - start if sent_at else float("nan")
    best = (count - 1) / TELEGRAM_RATE
    print(f"reminders due in one minute: {count:,}   pace: {rate:g}/s   database: {url.split(':')[0]}")
    print(
        f"sent {report.sent:,}  failed {report.failed}  unknown {report.unknown}  retry {report.retry_later}"
    )
    print(f"429s from the emulation: {report.waited_for_429}")
    once, none, more = (
        sum(test(r) for r in received) for test in (lambda r: r == 1, lambda r: r == 0, lambda r: r > 1)
    )
    print(f"recipients with exactly one reminder: {once:,}; with none: {none}; with more: {more}")
    print(f"last reminder sent {last:.1f} s after the start; best possible at 30/s: {best:.1f} s")
    floor = (count - 1) / rate
    print(f"late by {last - best:.1f} s; ratio to best {last / best:.3f}x")
    print(f"(the configured {rate:g}/s alone puts the floor at {floor:.1f} s: {last / floor:.3f}x of that)")
    print(f"sustained rate {report.sent / last:.1f} messages/s; wall time {wall:.1f} s (waits skipped)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rsvps", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=Settings().broadcast_rate_per_second)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        asyncio.run(run(url, args.rsvps, args.rate))


if __name__ == "__main__":
    main()
