"""The languages an asset's staff speak, from every format into the directory as ISO 639 codes, a
value that names no language reported with its row, and back out again unchanged."""

import csv
import io
import json

from sqlalchemy import update

from db.importers.pipeline import import_source
from db.models import Asset
from tests.helpers import asset_named
from tests.test_roundtrip import empty, export

SHEET = (
    "name,town,postcode,languages\n"
    "Sahara Counselling,Leicester,LE4 1DS,English; Urdu; pa\n"
    "Belgrave Advice,Leicester,LE4 6LA,urd; Gujarati (India); Polski\n"
    "Elf Club,Leicester,LE1 1AA,Urdu; Elvish\n"
)


async def test_a_spreadsheet_names_languages_as_it_likes_and_a_bad_one_is_reported(sessions, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    report = await import_source(sessions, str(sheet))
    assert (report.created, len(report.rejected)) == (2, 1)
    assert report.rejected == [
        ("row 4", "language 'Elvish' is not one we know: write its name (Urdu) or its ISO 639 code (ur)")
    ]
    assert (await asset_named(sessions, "Sahara Counselling")).languages == ["en", "ur", "pa"]
    assert (await asset_named(sessions, "Belgrave Advice")).languages == ["ur", "gu", "pl"]


def _service(sid: str, name: str, languages: object, place_languages: object = None) -> dict:
    location: dict = {"id": f"{sid}-loc", "addresses": [{"city": "Leicester", "postal_code": "LE4 6LA"}]}
    if place_languages is not None:
        location["languages"] = place_languages
    return {
        "id": sid,
        "name": name,
        "languages": languages,
        "service_at_locations": [{"id": f"{sid}-sal", "location": location}],
    }


async def test_an_open_referral_feed_gives_the_service_and_its_places_languages(sessions, tmp_path):
    """HSDS 3 language objects (name and code), a location's own languages, and a bad value."""
    feed = tmp_path / "feed.json"
    services = [
        _service(
            "s1", "Sahara Counselling",
            [{"id": "l1", "name": "Urdu", "code": "urd"}, {"id": "l2", "name": "Punjabi", "code": "xx"}],
            [{"id": "l3", "code": "pl"}, {"id": "l4", "name": "Urdu"}],
        ),
        _service("s2", "Id Only", [{"id": "l5"}]),  # the UK examples' language with only an id: none
        _service("s3", "Elf Club", [{"id": "l6", "name": "Elvish"}, {"id": "l7", "code": "gu"}]),
    ]  # fmt: skip
    feed.write_text(json.dumps(services), encoding="utf-8")
    report = await import_source(sessions, str(feed), fmt="hsds")
    assert report.created == 2
    assert report.rejected == [
        (
            "service 3 (id s3)",
            "language 'Elvish' is not one we know: write its name (Urdu) or its ISO 639 code (ur)",
        )
    ]
    assert (await asset_named(sessions, "Sahara Counselling")).languages == ["ur", "pa", "pl"]
    assert (await asset_named(sessions, "Id Only")).languages == []


async def test_an_oruk_v1_feed_gives_its_languages(sessions, tmp_path):
    feed = tmp_path / "oruk.json"
    page = {"content": [_service("v1", "Gujarati Elders", [{"id": "x", "language": "Gujarati"}, "so"])]}
    feed.write_text(json.dumps(page), encoding="utf-8")
    report = await import_source(sessions, str(feed), fmt="oruk")
    assert (report.created, report.rejected) == (1, [])
    assert (await asset_named(sessions, "Gujarati Elders")).languages == ["gu", "so"]


async def test_a_data_packages_location_languages_are_its_services(sessions, tmp_path):
    rows = {
        "services.csv": [["id", "name"], ["s1", "Library Chat"]],
        "locations.csv": [["id", "name"], ["l1", "Braunstone Library"]],
        "services_at_location.csv": [["id", "service_id", "location_id"], ["sal1", "s1", "l1"]],
        "languages.csv": [
            ["id", "service_id", "location_id", "name", "code"],
            ["g1", "s1", "", "Somali", ""],
            ["g2", "", "l1", "", "pl"],  # spoken at the library, by every service there
        ],
    }
    for name, table in rows.items():
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(table)
    report = await import_source(sessions, str(tmp_path))
    assert (report.created, report.rejected) == (1, [])
    assert (await asset_named(sessions, "Library Chat")).languages == ["so", "pl"]


async def test_languages_go_out_and_come_back_unchanged_in_both_formats(sessions, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    await import_source(sessions, str(sheet))
    exported = {fmt: await export(sessions, fmt) for fmt in ("csv", "oruk")}
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(exported["csv"]))}
    assert rows["Sahara Counselling"]["languages"] == "English; Urdu; Punjabi"  # names a coordinator reads
    [sahara] = [s for s in json.loads(exported["oruk"])["content"] if s["name"] == "Sahara Counselling"]
    assert [lang["language"] for lang in sahara["languages"]] == ["en", "ur", "pa"]
    for fmt, suffix in (("csv", "csv"), ("oruk", "json")):
        await empty(sessions)
        path = tmp_path / f"export.{suffix}"
        path.write_text(exported[fmt], encoding="utf-8")
        report = await import_source(sessions, str(path), fmt=fmt)
        assert (report.created, report.rejected) == (2, [])
        assert (await asset_named(sessions, "Belgrave Advice")).languages == ["ur", "gu", "pl"]
        assert await export(sessions, fmt) == exported[fmt]


async def test_languages_stored_as_names_before_codes_were_kept_export_as_codes(sessions, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    await import_source(sessions, str(sheet))
    async with sessions.begin() as session:
        await session.execute(
            update(Asset).where(Asset.name == "Sahara Counselling").values(languages=["English", "Urdu"])
        )
    [sahara] = [
        s for s in json.loads(await export(sessions, "oruk"))["content"] if s["name"] == "Sahara Counselling"
    ]
    assert [lang["language"] for lang in sahara["languages"]] == ["en", "ur"]
