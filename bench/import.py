"""How long a regional feed takes to import (target: 100,000 services in under 2 minutes).

    .venv/bin/python bench/import.py                   # 100,000 services into a fresh SQLite file
    .venv/bin/python bench/import.py --services 20000  # smaller
    .venv/bin/python bench/import.py --database-url postgresql+asyncpg://postgres@127.0.0.1/bench

It generates an Open Referral UK v1 page of synthetic services shaped like the real North
Lincolnshire feed (HTML descriptions, organisations, audiences) with a fifth carrying locations
and weekly hours, then times, in this one process:
  baseline   reading and parsing the file into records, no database
  import     the whole import as `peoplezones import` does it (classification included)
  re-import  the same file again (everything unchanged)
and prints each with its ratio to the baseline and the import against the 120 s target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import system_clock
from bot.config import default_zones
from bot.services.directory import import_directory
from bot.services.places import ZoneMap
from db import migrate
from db.importers.sources import read_rows
from db.session import open_database

TARGET_SECONDS = 120.0
WORDS = [
    "support",
    "advice",
    "group",
    "families",
    "children",
    "young",
    "people",
    "carers",
    "money",
    "debt",
    "food",
    "housing",
    "health",
    "wellbeing",
    "activities",
    "club",
    "community",
    "library",
    "sport",
    "walking",
    "mental",
    "older",
    "isolation",
    "benefits",
    "training",
    "skills",
    "employment",
    "volunteering",
    "drop-in",
    "friendly",
    "free",
    "local",
    "advice",
    "help",
]
AUDIENCES = ["Parents", "Carers", "Older people", "Young people", "Disabled People", "LGBTQ+"]


def synthetic_service(rng: random.Random, n: int) -> dict:
    words = rng.sample(WORDS, 12)
    service = {
        "id": f"bench-{n:07d}",
        "name": f"{words[0].title()} {words[1]} {words[2]} {n}",
        "description": f"<p>{' '.join(words)}.</p><p>Call us or &nbsp;drop in: {' '.join(words[:6])}.</p>",
        "url": f"https://example.org/{n}",
        "email": f"service{n}@example.org",
        "status": "active",
        "fees": "",
        "attending_type": rng.choice(["", "Venue", "Phone"]),
        "attending_access": rng.choice(["", "Drop-in", "Appointment"]),
        "assured_date": "2024-12-10",
        "organization": {"id": f"org-{n % 5000}", "name": f"Organisation {n % 5000}", "description": ""},
        "pc_targetAudience": [{"id": a, "audienceType": a} for a in rng.sample(AUDIENCES, 2)],
    }
    if n % 5 == 0:
        service["service_at_locations"] = [{"id": f"sal-{n}", "location": {
            "id": f"loc-{n}", "latitude": 52.6 + rng.random() / 10, "longitude": -1.1 - rng.random() / 10,
            "physical_addresses": [{"address_1": f"{n} Example Road", "city": "Leicester",
                                    "postal_code": f"LE{1 + n % 9} {n % 9}AA", "country": "GB"}],
            "regular_schedules": [{"weekday": "Monday", "opens_at": "09:00", "closes_at": "17:00"},
                                  {"byday": "TU,WE,TH", "opens_at": "10:00", "closes_at": "16:00"}],
        }}]  # fmt: skip
    return service


def write_feed(path: Path, count: int) -> None:
    rng = random.Random(2026)
    services = [synthetic_service(rng, n) for n in range(count)]
    page = {"totalElements": count, "totalPages": 1, "number": 1, "size": count, "first": True,
            "last": True, "content": services}  # fmt: skip
    path.write_text(json.dumps(page), encoding="utf-8")


def timed(label: str, seconds: float, baseline: float) -> None:
    print(f"{label:<11}{seconds:>8.2f} s   {seconds / baseline:>6.2f}x baseline")


async def run(count: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "regional_services.json"
        write_feed(feed, count)
        print(f"feed: {count:,} services, {feed.stat().st_size / 1e6:.0f} MB")

        started = time.perf_counter()
        parsed = sum(1 for row in read_rows(str(feed), "oruk", "bench") if row.record)
        baseline = time.perf_counter() - started
        assert parsed == count, parsed
        timed("baseline", baseline, baseline)

        url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        zones = ZoneMap(default_zones())
        await migrate.upgrade(url)
        async with open_database(url, system_clock) as sessions:
            started = time.perf_counter()
            report = await import_directory(sessions, str(feed), zones, fmt="oruk", source="bench")
            first = time.perf_counter() - started
            assert report.created == count or report.unchanged == count, report.summary()
            timed("import", first, baseline)
            started = time.perf_counter()
            again = await import_directory(sessions, str(feed), zones, fmt="oruk", source="bench")
            second = time.perf_counter() - started
            assert again.unchanged == count, again.summary()
            timed("re-import", second, baseline)
        verdict = "meets" if first < TARGET_SECONDS else "MISSES"
        print(f"import took {first / TARGET_SECONDS:.2f} of the {TARGET_SECONDS:.0f} s target: {verdict} it")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    asyncio.run(run(args.services, args.database_url))


if __name__ == "__main__":
    main()
