"""The demo directory of real LLR assets (plus labelled examples), and a first taste of search.

Until the chat lands, the newcomer's first command ends here: load the demo, then search it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import db
from bot.matching.engine import SearchEngine
from bot.services.directory import import_directory, load_engine
from bot.services.places import ZoneMap
from db.importers.pipeline import ImportReport
from db.models import Asset

DEMO_FILE = Path(db.__file__).with_name("data") / "demo_directory.csv"
SAMPLE_QUERIES = ("food bank", "library in Oakham", "youth club", "GP surgery Loughborough")
EXAMPLE_LABEL = "(example entry, not a real service)"


async def load(sessions: async_sessionmaker[AsyncSession], zones: ZoneMap) -> ImportReport:
    """Load or refresh the demo directory; a second load finds everything unchanged."""
    return await import_directory(sessions, str(DEMO_FILE), zones, fmt="csv", source="demo")


def describe(asset: Asset) -> str:
    where = ", ".join(p for p in (asset.town, asset.postcode) if p)
    label = f" {EXAMPLE_LABEL}" if asset.is_example else ""
    return f"{asset.name}{label}" + (f" — {where}" if where else "")


async def show(session: AsyncSession, engine: SearchEngine, query: str) -> None:
    hits = engine.search(query, limit=5).hits
    print(f"\nYou asked: {query}")
    if not hits:
        print("  Sorry, I couldn't find anything for that. Try other words?")
        return
    assets = {a.id: a for a in await session.scalars(select(Asset).where(Asset.id.in_([h.id for h in hits])))}
    for rank, hit in enumerate(hits, start=1):
        away = f" ({hit.distance_km} km)" if hit.distance_km is not None else ""
        print(f"  {rank}. {describe(assets[hit.id])}{away}")


async def try_searches(sessions: async_sessionmaker[AsyncSession], zones: ZoneMap, interactive: bool) -> None:
    async with sessions() as session:
        engine = await load_engine(session, zones=zones)
        if not interactive:
            for query in SAMPLE_QUERIES:
                await show(session, engine, query)
            return
        print("\nWhat can I help you find? (type a need, or press Enter on an empty line to stop)")
        while True:
            try:
                query = input("> ").strip()
            except EOFError:
                break
            if not query:
                break
            await show(session, engine, query[:500])
