"""Export -> import into an empty database -> export gives the same file, in both formats."""

import csv
import io

import pytest
from sqlalchemy import delete

from db.exporters.csv_sheet import write_csv
from db.exporters.oruk_v1 import write_oruk
from db.exporters.records import all_records
from db.importers.pipeline import import_source
from db.models import Asset, Organisation
from tests.conftest import FIXTURES, SHARED_DATA, needs_shared
from tests.helpers import asset_named, count_assets

WRITERS = {"csv": (write_csv, "csv"), "oruk": (write_oruk, "json")}


async def export(sessions, fmt: str) -> str:
    out = io.StringIO()
    async with sessions() as session:
        await WRITERS[fmt][0](all_records(session), out)
    return out.getvalue()


async def empty(sessions) -> None:
    async with sessions.begin() as session:
        await session.execute(delete(Asset))
        await session.execute(delete(Organisation))


async def load_mixed_sources(sessions, tmp_path) -> None:
    await import_source(sessions, str(FIXTURES / "assets_small.csv"))
    await import_source(sessions, str(FIXTURES / "oruk_v1_full.json"))
    risky = tmp_path / "risky.csv"
    risky.write_text(
        'name,description,phone,longitude,latitude\n"=HYPERLINK(""http://evil"")","+cmd|calc\nline two",'
        "+44 116 496 0000,-1.1,52.6\n@SUM(A1),-minus first,,,\n",
        encoding="utf-8",
    )
    await import_source(sessions, str(risky))


@pytest.mark.parametrize("fmt", ["csv", "oruk"])
async def test_round_trip_gives_the_same_file(sessions, tmp_path, fmt):
    await load_mixed_sources(sessions, tmp_path)
    first = await export(sessions, fmt)
    count = await count_assets(sessions)
    await empty(sessions)
    path = tmp_path / f"export.{WRITERS[fmt][1]}"
    path.write_text(first, encoding="utf-8")
    report = await import_source(sessions, str(path), fmt=fmt)
    assert report.rejected == []
    assert report.created == count == 5
    assert await export(sessions, fmt) == first
    # provenance survives: a re-import of the original source updates, never duplicates
    again = await import_source(sessions, str(FIXTURES / "assets_small.csv"))
    assert (again.created, again.unchanged) == (0, 2)


async def test_csv_export_neutralises_formulas_and_import_restores_them(sessions, tmp_path):
    await load_mixed_sources(sessions, tmp_path)
    rows = list(csv.DictReader(io.StringIO(await export(sessions, "csv"))))
    by_name = {r["name"]: r for r in rows}
    assert '\'=HYPERLINK("http://evil")' in by_name
    assert "'@SUM(A1)" in by_name
    risky = by_name['\'=HYPERLINK("http://evil")']
    assert risky["description"].startswith("'+cmd")
    assert risky["phone"] == "'+44 116 496 0000"
    assert risky["longitude"] == "-1.1"  # a plain number is not a formula
    assert by_name["'@SUM(A1)"]["description"] == "'-minus first"
    path = tmp_path / "export.csv"
    path.write_text(await export(sessions, "csv"), encoding="utf-8")
    await empty(sessions)
    await import_source(sessions, str(path))
    assert (await asset_named(sessions, '=HYPERLINK("http://evil")')).phone == "+44 116 496 0000"


@needs_shared
async def test_real_feed_round_trips_through_oruk_export(sessions, tmp_path):
    await import_source(sessions, str(SHARED_DATA / "oruk" / "north_lincolnshire_services.json"))
    first = await export(sessions, "oruk")
    await empty(sessions)
    path = tmp_path / "nl.json"
    path.write_text(first, encoding="utf-8")
    assert (await import_source(sessions, str(path))).created == 738
    assert await export(sessions, "oruk") == first
