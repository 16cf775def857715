"""A webhook worker killed mid-stream: 3 workers on PostgreSQL, 200 residents each half way
through a flow (/area answered), the rest of their flows in flight when one worker is killed
with SIGKILL and another process started in its place.

    .venv/bin/python bench/failover.py --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/DB
                                       [--residents 200] [--kill-after 0.5]

Prints: flows completed out of the residents; updates answered exactly once out of all of them
(one 200, and the bot's replies to it as many as in a flow run alone); duplicates (an update
whose replies came twice: the killed worker had sent them but not yet committed); lost (an update
with no reply); and the time to recover: from the kill until every update the killed worker
held had been redelivered and answered. Give it an empty database: its schema is dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.emulation import EmulatedTelegram, EmulatedUser
from bot.emulation.http import serve
from bot.emulation.processes import WebhookWorkers, until
from bot.emulation.webhook import WebhookPusher, replies_per_message
from db import migrate

FLOW = ("/area", "Narnia", "LE4")
BOUND = 120.0  # seconds before a wait counts as a failure


async def fresh_database(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    await migrate.upgrade(url)


async def run(url: str, residents: int, kill_after: float) -> None:
    await fresh_database(url)
    telegram = EmulatedTelegram(rate_limits=False)
    server, port = serve(telegram)
    with tempfile.TemporaryDirectory() as folder:
        workers = WebhookWorkers(3, f"http://127.0.0.1:{port}/bot", url, Path(folder))
        pusher = WebhookPusher(telegram, workers.urls)
        updates: dict[str, list[int]] = {}

        async def say(user: EmulatedUser, words: str) -> None:
            update_id = user.send(words)["update_id"]
            updates.setdefault(user.name, []).append(update_id)
            await until(lambda: pusher.answered[update_id] >= 1, BOUND, step=0.01)

        try:
            await workers.start()
            pusher.start()
            await until(lambda: telegram.webhook is not None, BOUND)
            first = telegram.user("First")
            for words in FLOW:
                await say(first, words)
            expected = replies_per_message(telegram, first)
            people = [telegram.user(f"R{n}") for n in range(residents)]
            await asyncio.gather(*(say(user, FLOW[0]) for user in people))  # half way
            print(f"{residents} residents half way through /area; the rest of their flows go now")

            async def rest(user: EmulatedUser) -> bool:
                try:
                    for words in FLOW[1:]:
                        await say(user, words)
                    return True
                except TimeoutError:
                    return False

            second_half = time.perf_counter()
            flows = [asyncio.create_task(rest(user)) for user in people]
            await asyncio.sleep(kill_after)
            victim = 0
            held = [u for u, target in pusher.in_flight.items() if target == workers.urls[victim]]
            workers.processes[victim].kill()
            killed = time.perf_counter()
            await workers.restart(victim)  # another process in its place, on its port
            await until(lambda: all(pusher.answered[u] >= 1 for u in held), BOUND, step=0.01)
            recovered = time.perf_counter() - killed
            done = await asyncio.gather(*flows)
            second_half = time.perf_counter() - second_half

            total = sum(len(ids) for name, ids in updates.items() if name != "First")
            once = duplicates = lost = 0
            for user in people:
                counts = replies_per_message(telegram, user)
                for n, update_id in enumerate(updates[user.name]):
                    got = counts[n] if n < len(counts) else 0
                    if got == 0 or pusher.answered[update_id] == 0:
                        lost += 1
                    elif got > expected[n]:
                        duplicates += 1
                    elif pusher.answered[update_id] == 1 and got == expected[n]:
                        once += 1
            print(f"flows completed: {sum(done)} / {residents}")
            print(f"updates answered exactly once: {once} / {total}")
            print(f"duplicates: {duplicates}   lost: {lost}")
            print(
                f"killed worker held {len(held)} updates in flight; all answered again "
                f"{recovered:.2f} s after the kill ({pusher.failures} failed attempts retried); "
                f"the whole second half ({2 * residents} updates) took {second_half:.2f} s"
            )
        finally:
            await pusher.close()
            await workers.stop()
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="an empty PostgreSQL database (asyncpg URL)")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--kill-after", type=float, default=0.5, help="seconds into the second half")
    args = parser.parse_args()
    asyncio.run(run(args.postgres, args.residents, args.kill_after))


if __name__ == "__main__":
    main()
