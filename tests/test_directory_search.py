"""Search over the stored directory: classification at import, coordinators' corrections,
a changed taxonomy, and the live engine noticing a changed directory."""

from sqlalchemy import select

from bot.matching.taxonomy import load_taxonomy
from bot.services.categories import CorrectionError, correct_categories
from bot.services.directory import LiveEngine, import_directory, load_engine, reclassify_all
from bot.services.places import ZoneMap
from db.models import AssetClassification
from tests.conftest import FIXTURES

MINI = load_taxonomy(FIXTURES / "mini_taxonomy.toml")
NO_ZONES = ZoneMap(())


async def write_sheet(tmp_path, rows: str):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("external_id,name,description,town,postcode\n" + rows, encoding="utf-8")
    return str(sheet)


async def test_import_stores_the_classification(sessions, tmp_path):
    sheet = await write_sheet(
        tmp_path,
        "f1,Hilltop Food Bank,Food parcels every Friday.,Leicester,LE4 1AA\n"
        "y1,Friday Youth Club,Pool and music for young people aged 11-18.,Leicester,LE3 1AA\n",
    )
    await import_directory(sessions, sheet, NO_ZONES, taxonomy=MINI)
    async with sessions() as session:
        stored = {c.asset_id: c for c in await session.scalars(select(AssetClassification))}
    assert len(stored) == 2
    by_categories = sorted(tuple(c.categories) for c in stored.values())
    assert by_categories == [("food-banks",), ("youth-clubs",)]
    youth = next(c for c in stored.values() if "youth-clubs" in c.categories)
    assert (youth.min_age, youth.max_age) == (11, 18)


async def test_search_uses_corrections_and_reclassifies_after_a_taxonomy_change(sessions, tmp_path):
    sheet = await write_sheet(tmp_path, "p1,The Pantry,Cheap groceries for members.,Leicester,LE4 1AA\n")
    await import_directory(sessions, sheet, NO_ZONES, taxonomy=MINI)
    async with sessions() as session:
        engine = await load_engine(session, MINI)
    assert engine.search("nothing in the cupboards").hits == []  # not (yet) known as food help

    async with sessions.begin() as session:
        view = await correct_categories(session, "p1", add=["food-banks"], taxonomy=MINI)
    assert view.categories == ["food-banks (Food banks and free food) — added by a coordinator"]
    async with sessions() as session:
        engine = await load_engine(session, MINI)
    assert [h.name for h in engine.search("nothing in the cupboards").hits] == ["The Pantry"]

    async with sessions.begin() as session:
        await correct_categories(session, "p1", remove=["food-banks"], taxonomy=MINI)
        count = await reclassify_all(session, MINI)
    assert count == 1
    async with sessions() as session:
        engine = await load_engine(session, MINI)
    assert engine.search("nothing in the cupboards").hits == []


async def test_bad_corrections_change_nothing(sessions, tmp_path):
    sheet = await write_sheet(tmp_path, "p1,The Pantry,Cheap groceries.,Leicester,LE4 1AA\n")
    await import_directory(sessions, sheet, NO_ZONES, taxonomy=MINI)
    async with sessions.begin() as session:
        for reference, add in (("nope", ["food-banks"]), ("p1", ["not-a-category"])):
            try:
                await correct_categories(session, reference, add=add, taxonomy=MINI)
            except CorrectionError:
                continue
            raise AssertionError("a bad correction was accepted")


async def test_live_engine_rebuilds_only_when_the_directory_changes(sessions, tmp_path):
    first = await write_sheet(tmp_path, "a1,Hilltop Food Bank,Food parcels.,Leicester,LE4 1AA\n")
    await import_directory(sessions, first, NO_ZONES, taxonomy=MINI)
    live = LiveEngine(NO_ZONES, MINI, fresh_seconds=3600)
    async with sessions() as session:
        engine = await live.get(session)
        assert await live.get(session) is engine
    second = tmp_path / "more.csv"
    second.write_text("external_id,name\nb1,Valley Food Bank\n", encoding="utf-8")
    await import_directory(sessions, str(second), NO_ZONES, taxonomy=MINI)
    async with sessions() as session:
        assert await live.get(session) is engine  # not asked again within the freshness window
        live.invalidate()  # as this process's own edits do (another's show once the window passes)
        rebuilt = await live.get(session)
    assert rebuilt is not engine
    assert {h.name for h in rebuilt.search("food bank").hits} == {"Hilltop Food Bank", "Valley Food Bank"}


async def test_taxonomy_change_is_noticed_and_stored(sessions, tmp_path):
    sheet = await write_sheet(tmp_path, "l1,Tuesday Dinner Table,Hot lunch and company.,Oakham,LE15 6AA\n")
    await import_directory(sessions, sheet, NO_ZONES, taxonomy=MINI)
    async with sessions() as session:
        assert (await session.scalars(select(AssetClassification))).one().categories == {}
    extra = tmp_path / "extra.toml"
    extra.write_text(
        'version = 1\n[[category]]\nid = "lunch-clubs"\nterms = ["hot lunch"]\n', encoding="utf-8"
    )
    extended = load_taxonomy(FIXTURES / "mini_taxonomy.toml", extra=extra)
    async with sessions() as session:
        await load_engine(session, extended)
    async with sessions() as session:
        stored = (await session.scalars(select(AssetClassification))).one()
    assert stored.categories["lunch-clubs"] >= 0.5
