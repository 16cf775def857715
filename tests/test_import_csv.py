"""Coordinators' spreadsheets: import, re-import in place, rejected rows, broken files."""

from pathlib import Path

import pytest

from db.importers.pipeline import import_source
from db.importers.record import SourceFormatError
from tests.conftest import FIXTURES
from tests.helpers import asset_named, count_assets, snapshot


async def test_spreadsheet_imports_every_column(sessions):
    report = await import_source(sessions, str(FIXTURES / "assets_small.csv"))
    assert (report.created, report.updated, report.unchanged, report.rejected) == (2, 0, 0, [])
    hub = await asset_named(sessions, "Braunstone Youth Hub")
    assert hub.kind == "group"
    assert hub.source == "assets_small"
    assert hub.postcode == "LE3 1AA" and hub.postcode_district == "LE3"
    assert hub.opening_hours[0] == {"day": "mon", "opens": "15:30", "closes": "19:00"}
    assert len(hub.opening_hours) == 6
    assert hub.holiday_closures == [
        {"start": "2026-12-25", "end": "2026-12-26", "closed": True, "opens": "", "closes": ""}
    ]
    assert hub.taxonomy_terms == [{"vocabulary": "esd", "code": "123", "name": "Youth clubs"}]
    assert hub.keywords == ["after school", "teenagers"]
    assert (hub.min_age, hub.max_age) == (11, 18)
    assert hub.access == ["drop-in"]
    assert hub.languages == ["en", "pa"]  # as codes: "English; Punjabi" in the sheet
    assert hub.is_example is True
    assert (hub.latitude, hub.longitude) == (52.6301, -1.1802)
    lunch = await asset_named(sessions, "Oakham Lunch Club")
    assert lunch.access == ["drop-in", "phone"]
    assert lunch.organisation_id is None


async def test_reimport_updates_in_place_without_duplicates(sessions, tmp_path):
    source = FIXTURES / "assets_small.csv"
    await import_source(sessions, str(source))
    again = await import_source(sessions, str(source))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    edited = tmp_path / "assets_small.csv"
    edited.write_text(source.read_text().replace("Wed 12:00-14:00", "Wed 12:00-15:00"))
    changed = await import_source(sessions, str(edited))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert await count_assets(sessions) == 2
    lunch = await asset_named(sessions, "Oakham Lunch Club")
    assert lunch.opening_hours == [{"day": "wed", "opens": "12:00", "closes": "15:00"}]


async def test_bad_rows_are_rejected_with_row_numbers_and_the_rest_imported(sessions):
    report = await import_source(sessions, str(FIXTURES / "assets_bad_rows.csv"))
    assert report.created == 2
    reasons = dict(report.rejected)
    assert set(reasons) == {"row 3", "row 4", "row 5", "row 6", "row 7"}
    assert "no name" in reasons["row 3"]
    assert "opening_hours" in reasons["row 4"] and "Someday" in reasons["row 4"]
    assert "min_age" in reasons["row 5"]
    assert "latitude and longitude" in reasons["row 6"]
    assert "spaceship" in reasons["row 7"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"title,where\nA,B\n", "no 'name' column"),
        (b"name,colour\nA,blue\n", "unknown columns: colour"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"name,name\nA,B\n", "named twice"),
    ],
)
async def test_broken_files_stop_and_leave_the_database_as_it_was(sessions, tmp_path, content, message):
    await import_source(sessions, str(FIXTURES / "assets_small.csv"))
    before = await snapshot(sessions)
    broken = tmp_path / "assets_small.csv"
    broken.write_bytes(content)
    with pytest.raises(SourceFormatError, match=message):
        await import_source(sessions, str(broken))
    assert await snapshot(sessions) == before


async def test_windows_1252_spreadsheet_is_read(sessions, tmp_path):
    sheet = tmp_path / "excel.csv"
    sheet.write_bytes("name,cost\nCaf\xe9 Club,\xa32 a session\n".encode("cp1252"))
    await import_source(sessions, str(sheet))
    cafe = await asset_named(sessions, "Café Club")
    assert cafe.cost == "£2 a session"


async def test_duplicate_ids_in_one_file_are_rejected(sessions, tmp_path):
    sheet = tmp_path / "dupes.csv"
    sheet.write_text("external_id,name\nx1,First\nx1,Second\n")
    report = await import_source(sessions, str(sheet))
    assert report.created == 1
    assert report.rejected == [("row 3", "has the same id as row 2")]


def test_missing_file_is_a_clear_error(tmp_path: Path):
    from db.importers.sources import read_rows

    with pytest.raises(SourceFormatError, match="does not exist"):
        read_rows(str(tmp_path / "nope.csv"), "auto", "nope")


async def test_the_documented_template_imports(sessions):
    template = Path(__file__).resolve().parents[1] / "db" / "data" / "asset_template.csv"
    report = await import_source(sessions, str(template))
    assert (report.created, report.rejected) == (1, [])
    cafe = await asset_named(sessions, "Example Community Café (delete this row)")
    assert cafe.is_example and cafe.access == ["drop-in"]


async def test_coordinator_corrects_an_export_and_reimports_it(sessions, tmp_path):
    """Export the directory, fix a phone number in the spreadsheet, import it back: one update."""
    import io

    from db.exporters.csv_sheet import write_csv
    from db.exporters.records import all_records

    await import_source(sessions, str(FIXTURES / "assets_small.csv"))
    out = io.StringIO()
    async with sessions() as session:
        await write_csv(all_records(session), out)
    corrected = tmp_path / "corrected.csv"
    corrected.write_text(out.getvalue().replace("01632 960123", "01632 960999"), encoding="utf-8")
    report = await import_source(sessions, str(corrected))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert (await asset_named(sessions, "Oakham Lunch Club")).phone == "01632 960999"
    assert await count_assets(sessions) == 2
