"""An announcement to 10,000 residents against the Bot API emulation at Telegram's limits, killed
half-way and resumed: sustained rate against the configured rate (target >= 95%), 429s (target 0),
duplicates and losses after the kill (target 0 and 0).

    .venv/bin/python bench/broadcast.py [--recipients 10000] [--rate 25] [--database-url URL]

The real sender (`bot.senders.announcements.send_due_deliveries`) runs with the emulation's
flood limits on (30 messages/s overall, about 1/s per chat, 429 when broken). Waits are
fast-forwarded (`FastForwardTimer`): work costs real time, waiting for the pace does not, so a
400-second send takes seconds. Half-way through, the sending task is cancelled as a crash would
stop it; a new application on the same database (five minutes later, so the dead claims have
lapsed) finishes the job. The baseline is the configured rate itself: a perfect sender would
take (recipients - 1) / rate seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from bot.app import build_application, start_bot, stop_bot
from bot.clock import FakeClock
from bot.config import Settings, default_zones
from bot.emulation import EmulatedRequest, EmulatedTelegram
from bot.emulation.errors import ApiError
from bot.senders.announcements import send_due_deliveries
from bot.services.broadcasts import Audience, start_broadcast
from bot.services.pacing import FastForwardTimer
from db import migrate
from db.models import Resident
from db.session import make_engine, make_sessionmaker

FIRST_USER = 20_000_000
ADMIN = 9001
ZONE = "Leicester West"


async def seed(url: str, count: int, now: datetime) -> None:
    engine = make_engine(url, FakeClock(now))
    async with make_sessionmaker(engine).begin() as session:
        await session.execute(
            insert(Resident),
            [
                {"telegram_user_id": FIRST_USER + n, "zone": ZONE, "notify_broadcasts": True}
                for n in range(count)
            ],
        )
    await engine.dispose()


def application(settings: Settings, telegram: EmulatedTelegram, clock: FakeClock, timer: FastForwardTimer):
    return build_application(
        settings,
        "123456:TEST",
        request=EmulatedRequest(telegram),
        clock=clock,
        rate_limiter=False,
        timer=timer,
    )


async def run(url: str, count: int, rate: float) -> None:
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    await migrate.upgrade(url)
    await seed(url, count, now)
    timer, clock = FastForwardTimer(), FakeClock(now)
    telegram = EmulatedTelegram(rate_limits=True, clock=timer.monotonic)
    users = [telegram.user(f"N{n}", user_id=FIRST_USER + n) for n in range(count)]
    admin = telegram.user("Admin", user_id=ADMIN)
    settings = Settings(
        database_url=url, zones=default_zones(), admin_ids=(ADMIN,), broadcast_rate_per_second=rate
    )

    sends: list[float] = []
    limiter = telegram.limiter
    if limiter is None:
        raise SystemExit("this bench measures the pace of sends: the emulation needs its rate limits")
    original = limiter.acquire
    first = application(settings, telegram, clock, timer)
    await start_bot(first)
    sender = None

    too_many = 0

    def counting_acquire(chat_id: int, *, group: bool) -> None:
        nonlocal too_many
        try:
            original(chat_id, group=group)
        except ApiError as error:
            too_many += error.status == 429
            raise
        if chat_id != ADMIN:
            sends.append(timer.monotonic())
            if len(sends) == count // 2 and sender is not None:
                sender.cancel()  # the process dies here, with this message just handed over

    limiter.acquire = counting_acquire  # type: ignore[method-assign]  # counting each send, on purpose
    sessions = first.bot_data["peoplezones"].sessions
    async with sessions.begin() as session:
        broadcast, recipients = await start_broadcast(
            session,
            ADMIN,
            "Bin collections move to Wednesday next week.",
            "",
            Audience("everyone", (ZONE,)),
            now,
        )
        status = await first.bot.send_message(ADMIN, f"Sending to {recipients} people…")
        broadcast.status_chat_id, broadcast.status_message_id = status.chat_id, status.message_id

    wall = time.perf_counter()
    sender = asyncio.ensure_future(send_due_deliveries(first, worker="first"))
    with contextlib.suppress(asyncio.CancelledError):
        await sender
    killed_at = len(sends)
    await stop_bot(first)

    clock.advance(minutes=6)  # the restart comes after the dead process's claims have lapsed
    second = application(settings, telegram, clock, timer)
    await start_bot(second)
    resumed = await send_due_deliveries(second, worker="second")
    await stop_bot(second)
    wall = time.perf_counter() - wall

    got = [sum("Bin collections" in m.plain for m in telegram.bot_messages_since(u, 0)) for u in users]
    first_half = (sends[killed_at - 1] - sends[0]) if killed_at > 1 else float("nan")
    second_half = sends[-1] - sends[killed_at] if len(sends) > killed_at + 1 else float("nan")
    rate_first = (killed_at - 1) / first_half
    rate_second = (len(sends) - killed_at - 1) / second_half
    print(f"recipients {count:,}   configured {rate:g}/s   database {url.split(':')[0]}")
    print(f"killed after {killed_at:,} sends; the resumed run sent {resumed.sent:,}, "
          f"settled {resumed.unknown} caught mid-send as unknown (not repeated)")  # fmt: skip
    print(f"429s from the emulation: {too_many}")
    print(f"exactly once: {sum(g == 1 for g in got):,}   lost: {sum(g == 0 for g in got)}   "
          f"duplicates: {sum(g > 1 for g in got)}")  # fmt: skip
    print(f"sustained rate before the kill {rate_first:.2f}/s ({rate_first / rate:.1%} of configured), "
          f"after the restart {rate_second:.2f}/s ({rate_second / rate:.1%}); the coordinator's status "
          "edits share the pace")  # fmt: skip
    status = telegram.last_bot_message(admin)
    print(f"admin's status message now reads: {status.plain[:90] if status else '(none)'!r}")
    print(f"wall time {wall:.1f} s for {len(sends):,} sends (waits skipped)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=Settings().broadcast_rate_per_second)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        asyncio.run(run(url, args.recipients, args.rate))


if __name__ == "__main__":
    main()
