"""Open Referral tabular data packages (HSDS 1.1 and 3.0) -> AssetRecords (db.importers.datapackage)."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest

from db.importers.datapackage import parse_datapackage
from db.importers.record import SourceFormatError

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ORUK = SHARED / "oruk"
needs_shared = pytest.mark.skipif(
    not SHARED.exists(), reason="../shared/data is not here (only on developer machines and CI)"
)


def _write(folder: Path, tables: dict[str, list[list[object]]], paths: dict[str, str] | None = None):
    """A data package: one CSV per table (first row the header) and a datapackage.json naming them."""
    paths = paths or {}
    resources = []
    for name, rows in tables.items():
        relative = paths.get(name, f"{name}.csv")
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
        resources.append({"name": name.rstrip("s"), "path": relative})
    (folder / "datapackage.json").write_text(json.dumps({"name": "t", "resources": resources}))
    return folder


def _v3_package(folder: Path) -> Path:
    """HSDS 3.0 column names; two services share one location."""
    return _write(
        folder,
        {
            "services": [
                ["id", "organization_id", "name", "description", "url", "email", "status",
                 "fees_description", "minimum_age", "maximum_age", "assured_date",
                 "eligibility_description"],
                ["s1", "o1", "Knit and Natter", "<p>Bring wool</p>", "https://k.example", "k@example.org",
                 "active", "Free", "18", "", "2025-01-31", "Adults"],
                ["s2", "o-missing", "Men's Shed", "Woodwork", "", "", "defunct", "", "", "", "", ""],
            ],
            "organizations": [
                ["id", "name", "description", "website", "email"],
                ["o1", "Braunstone Crafters", "Crafts", "https://crafters.example", "c@example.org"],
            ],
            "service_at_location": [
                ["id", "service_id", "location_id"],
                ["sal1", "s1", "l1"],
                ["sal2", "s2", "l1"],
            ],
            "locations": [
                ["id", "name", "latitude", "longitude"],
                ["l1", "Braunstone Library", "52.6296", "-1.1776"],
            ],
            "addresses": [
                ["id", "location_id", "address_1", "address_2", "city", "postal_code"],
                ["a1", "l1", "Gallards Hill", "Braunstone", "Leicester", "le3 1qe"],
            ],
            "phones": [
                ["id", "service_id", "location_id", "contact_id", "number"],
                ["p1", "", "l1", "", "0116 454 1111"],
                ["p2", "s2", "", "", "0116 454 2222"],
            ],
            "schedules": [
                ["id", "service_id", "location_id", "freq", "byday", "opens_at", "closes_at"],
                ["h1", "s1", "l1", "WEEKLY", "TU,TH", "10:00:00", "12:00:00"],
                ["h2", "", "l1", "WEEKLY", "SA", "09:00", "13:00"],
                ["h3", "s2", "", "WEEKLY", "1MO", "09:00", "13:00"],  # monthly: skipped
            ],
            "holiday_schedules": [
                ["id", "service_id", "closed", "start_date", "end_date"],
                ["x1", "s1", "true", "2025-12-25", "2025-12-26"],
            ],
            "taxonomies": [["id", "name"], ["tx1", "LLR Needs"]],
            "taxonomy_terms": [
                ["id", "code", "name", "taxonomy_id"],
                ["t1", "social", "Social groups", "tx1"],
            ],
            "attributes": [
                ["id", "link_id", "taxonomy_term_id", "link_type"],
                ["at1", "s1", "t1", "service"],
            ],
            "languages": [["id", "service_id", "name", "code"], ["lg1", "s1", "Polish", "pl"]],
            "cost_options": [
                ["id", "service_id", "option", "amount", "currency", "amount_description"],
                ["c1", "s1", "Materials", "1.5", "GBP", "per session"],
            ],
        },
    )  # fmt: skip


def test_v3_package_joins_every_table(tmp_path: Path) -> None:
    rows = list(parse_datapackage(_v3_package(tmp_path)))
    assert [(r.ref, r.error) for r in rows] == [("services.csv row 2", ""), ("services.csv row 3", "")]
    knit, shed = (r.record for r in rows)
    assert knit.problems() == [] and shed.problems() == []
    assert knit.name == "Knit and Natter"
    assert knit.description == "Bring wool"
    assert knit.organisation.name == "Braunstone Crafters"
    assert knit.organisation.website == "https://crafters.example"
    assert (knit.min_age, knit.max_age) == (18, None)
    assert knit.eligibility == "Adults"
    assert knit.cost == "Free; Materials: £1.50 per session"
    assert str(knit.last_verified) == "2025-01-31"
    assert knit.address == "Gallards Hill, Braunstone"
    assert (knit.town, knit.postcode) == ("Leicester", "LE3 1QE")
    assert (knit.latitude, knit.longitude) == (52.6296, -1.1776)
    assert knit.phone == "0116 454 1111"  # the location's
    assert knit.opening_hours == [
        {"day": "tue", "opens": "10:00", "closes": "12:00"},
        {"day": "thu", "opens": "10:00", "closes": "12:00"},
        {"day": "sat", "opens": "09:00", "closes": "13:00"},
    ]
    assert knit.holiday_closures == [
        {"start": "2025-12-25", "end": "2025-12-26", "closed": True, "opens": "", "closes": ""}
    ]
    assert knit.taxonomy_terms == [{"vocabulary": "LLR Needs", "code": "social", "name": "Social groups"}]
    assert knit.languages == ["pl"]
    # The shed shares the library but not the knitting group's own schedule; its monthly one is skipped.
    assert shed.organisation is None  # o-missing is not in organizations.csv
    assert shed.status == "defunct"
    assert shed.phone == "0116 454 2222"  # its own phone before the location's
    assert shed.opening_hours == [{"day": "sat", "opens": "09:00", "closes": "13:00"}]
    assert shed.taxonomy_terms == [] and shed.holiday_closures == []


def test_datapackage_json_path_reads_like_its_folder(tmp_path: Path) -> None:
    folder = _v3_package(tmp_path)
    by_file = [r.record for r in parse_datapackage(folder / "datapackage.json")]
    by_folder = [r.record for r in parse_datapackage(folder)]
    assert by_file == by_folder and len(by_file) == 2


def test_hsds_1_1_columns(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "services": [
                ["id", "organization_id", "name", "status", "taxonomy_ids"],
                ["s1", "o1", "Lunch Club", "Inactive", "tx2, tx-unknown"],
            ],
            "organizations": [["id", "name", "url"], ["o1", "Oakham Friends", "https://of.example"]],
            "services_at_location": [["id", "service_id", "location_id"], ["sl1", "s1", "l1"]],
            "locations": [["id", "name", "latitude", "longitude"], ["l1", "Victoria Hall", "", ""]],
            "physical_addresses": [
                ["id", "location_id", "address_1", "city", "postal_code"],
                ["pa1", "l1", "39 High Street", "Oakham", "LE15 6AH"],
            ],
            "regular_schedules": [
                ["id", "service_id", "weekday", "opens_at", "closes_at"],
                ["r1", "s1", "Wednesday", "12:00", "14:00"],
                ["r2", "s1", "3", "12:00", "14:00"],  # a number: which day is ambiguous, skipped
            ],
            "service_taxonomy": [["id", "service_id", "taxonomy_id"], ["st1", "s1", "tx1"]],
            "taxonomy": [
                ["id", "name", "vocabulary"],
                ["tx1", "Older people", "esd"],
                ["tx2", "Meals", "esd"],
            ],
            "eligibility": [
                ["id", "service_id", "eligibility", "minimum_age", "maximum_age"],
                ["e1", "s1", "Over 60s", "60", ""],
            ],
            "accessibility_for_disabilities": [
                ["id", "location_id", "accessibility", "details"],
                ["ad1", "l1", "Ramp at side door", ""],
            ],
        },
    )
    [row] = list(parse_datapackage(tmp_path))
    record = row.record
    assert row.error == ""
    assert record.status == "inactive"
    assert record.organisation.website == "https://of.example"
    assert (record.address, record.town, record.postcode) == ("39 High Street", "Oakham", "LE15 6AH")
    assert record.latitude is None
    assert record.opening_hours == [{"day": "wed", "opens": "12:00", "closes": "14:00"}]
    assert record.taxonomy_terms == [
        {"vocabulary": "esd", "code": "tx1", "name": "Older people"},
        {"vocabulary": "esd", "code": "tx2", "name": "Meals"},
    ]
    assert (record.eligibility, record.min_age) == ("Over 60s", 60)
    assert record.accessibility == "Ramp at side door."


def test_missing_resource_paths_fall_back_to_csv_folder(tmp_path: Path) -> None:
    _write(tmp_path, {"services": [["id", "name"], ["s1", "Walk Group"]]}, {"services": "csv/services.csv"})
    meta = json.loads((tmp_path / "datapackage.json").read_text())
    meta["resources"][0]["path"] = "gone/services.csv"
    (tmp_path / "datapackage.json").write_text(json.dumps(meta))
    assert [r.record.name for r in parse_datapackage(tmp_path)] == ["Walk Group"]


def test_resource_path_outside_the_package_is_not_read(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (tmp_path / "secret.csv").write_text("id,name\nx,Leaked\n")
    meta = {"resources": [{"name": "service", "path": "../secret.csv"}]}
    (package / "datapackage.json").write_text(json.dumps(meta))
    with pytest.raises(SourceFormatError, match="no services table"):
        parse_datapackage(package)


def test_row_without_name_is_an_error_row_and_others_still_parse(tmp_path: Path) -> None:
    _write(
        tmp_path, {"services": [["id", "name"], ["s1", "One"], ["s2", "  "], ["", "Three"], ["s4", "Four"]]}
    )
    rows = list(parse_datapackage(tmp_path))
    assert [(r.ref, r.error) for r in rows] == [
        ("services.csv row 2", ""),
        ("services.csv row 3", "the service has no name"),
        ("services.csv row 4", "the service has no id"),
        ("services.csv row 5", ""),
    ]
    assert [r.record.name for r in rows if r.record] == ["One", "Four"]


def test_row_numbers_count_blank_lines_and_crcrlf_endings(tmp_path: Path) -> None:
    (tmp_path / "datapackage.json").write_text('{"resources": [{"name": "service", "path": "s.csv"}]}')
    (tmp_path / "s.csv").write_bytes(b"id,name\r\r\na,A\r\r\n\r\nb,\r\r\n")
    rows = list(parse_datapackage(tmp_path))
    assert [(r.ref, r.error) for r in rows] == [
        ("s.csv row 2", ""),
        ("s.csv row 4", "the service has no name"),
    ]


def test_no_datapackage_json_reads_the_tables_by_their_standard_names(tmp_path: Path) -> None:
    (tmp_path / "services.csv").write_text("id,name\ns1,One\n")
    assert [r.record.name for r in parse_datapackage(tmp_path)] == ["One"]
    (tmp_path / "services.csv").unlink()
    (tmp_path / "notes.csv").write_text("id,name\ns1,One\n")
    with pytest.raises(SourceFormatError, match=r"no datapackage\.json and no services\.csv"):
        parse_datapackage(tmp_path)


def test_missing_path_and_broken_json(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="does not exist"):
        parse_datapackage(tmp_path / "nowhere")
    (tmp_path / "datapackage.json").write_text("{not json")
    with pytest.raises(SourceFormatError, match="not valid JSON"):
        parse_datapackage(tmp_path)
    (tmp_path / "datapackage.json").write_text("[1, 2]")
    with pytest.raises(SourceFormatError, match="no list of resources"):
        parse_datapackage(tmp_path)


def test_missing_services_csv(tmp_path: Path) -> None:
    _write(tmp_path, {"organizations": [["id", "name"], ["o1", "Org"]]})
    with pytest.raises(SourceFormatError, match="has no services table"):
        parse_datapackage(tmp_path)


def test_services_without_name_column(tmp_path: Path) -> None:
    _write(tmp_path, {"services": [["id", "title"], ["s1", "One"]]})
    with pytest.raises(SourceFormatError) as raised:
        parse_datapackage(tmp_path)
    assert str(raised.value) == "The services table has no name column."


def test_non_utf8_services(tmp_path: Path) -> None:
    _write(tmp_path, {"services": [["id", "name"]]})
    (tmp_path / "services.csv").write_bytes("id,name\ns1,Caf\xe9 Club\n".encode("latin-1"))
    with pytest.raises(SourceFormatError) as raised:
        parse_datapackage(tmp_path)
    assert str(raised.value) == "services.csv is not valid UTF-8 text."


def test_non_utf8_side_table_fails_the_whole_import(tmp_path: Path) -> None:
    _write(tmp_path, {"services": [["id", "name"], ["s1", "One"]], "phones": [["id"]]})
    (tmp_path / "phones.csv").write_bytes(b"id,service_id,number\np1,s1,\xff\xfe\n")
    with pytest.raises(SourceFormatError, match=r"phones\.csv is not valid UTF-8"):
        parse_datapackage(tmp_path)


def test_bom_and_header_case_are_tolerated(tmp_path: Path) -> None:
    _write(tmp_path, {"services": [["id"]]})
    (tmp_path / "services.csv").write_bytes("\ufeffID, Name \ns1,Café Club\n".encode())
    assert [r.record.name for r in parse_datapackage(tmp_path)] == ["Café Club"]


def test_unreadable_byday_is_skipped(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "services": [["id", "name"], ["s1", "One"]],
            "schedules": [
                ["id", "service_id", "freq", "byday", "opens_at", "closes_at"],
                ["h1", "s1", "WEEKLY", "MO,XX", "09:00", "17:00"],
                ["h2", "s1", "WEEKLY", "FR", "09:00", "17:00"],
            ],
        },
    )
    [row] = list(parse_datapackage(tmp_path))
    assert row.record.opening_hours == [{"day": "fri", "opens": "09:00", "closes": "17:00"}]


def test_large_package_loads_in_linear_time(tmp_path: Path) -> None:
    n = 10_000
    _write(
        tmp_path,
        {
            "services": [["id", "organization_id", "name"]]
            + [[f"s{i}", f"o{i % 50}", f"Service {i}"] for i in range(n)],
            "organizations": [["id", "name"]] + [[f"o{i}", f"Org {i}"] for i in range(50)],
            "service_at_location": [["id", "service_id", "location_id"]]
            + [[f"sl{i}", f"s{i}", f"l{i}"] for i in range(n)],
            "locations": [["id", "name"]] + [[f"l{i}", f"Hall {i}"] for i in range(n)],
            "phones": [["id", "service_id", "number"]] + [[f"p{i}", f"s{i}", f"0116 {i}"] for i in range(n)],
        },
    )
    started = time.perf_counter()
    rows = list(parse_datapackage(tmp_path))
    assert time.perf_counter() - started < 15  # linear: about 2 s; a quadratic join would take far longer
    assert len(rows) == n and all(r.record for r in rows)
    assert (rows[-1].record.address, rows[-1].record.phone) == ("Hall 9999", "0116 9999")
    assert rows[-1].record.organisation.name == "Org 49"


@needs_shared
def test_shared_hsds_1_1_sample() -> None:
    rows = list(parse_datapackage(ORUK / "hsds_1.1_sample"))
    assert len(rows) == 13
    assert [r.error for r in rows] == [""] * 13
    by_name = {r.record.name: r.record for r in rows}
    assert rows[0].ref == "services.csv row 2"
    assert list(by_name)[:3] == ["Never Homeless Helpline", "Yound Minds", "Grocery Tax Break Donation"]
    minds = by_name["Yound Minds"]
    assert (minds.latitude, minds.longitude) == (39.428192, -119.897426)
    assert minds.organisation.name == "Youth in Focus Example City"
    assert minds.address == "4830 Highland Drive"  # no address table: the location's name
    assert by_name["Bubbles at The Cross"].phone == "(223) 4567 12534"
    assert by_name["Dear Teacher Skills Refresh"].phone == "(0123) 4567 8900 ext. 42"
    assert "• Digital Skills" in by_name["Dear Teacher Skills Refresh"].description
    assert by_name["Meals To-Go at The Cross"].organisation.phone == "(223) 346 12361"
    assert sorted(n for n, r in by_name.items() if r.status == "inactive") == [
        "Dear Teacher Skills Refresh",
        "Food Safety Program",
        "Wash & Go at The Cross",
    ]
    assert all(r.record.problems() == [] for r in rows)


@needs_shared
def test_shared_uk_profile_v3_tables() -> None:
    rows = list(parse_datapackage(ORUK / "uk_profile_v3_examples"))
    assert [(r.ref, r.error) for r in rows] == [("services.csv row 2", "")]
    record = rows[0].record
    assert record.problems() == []
    assert record.name == "Community Counselling"
    assert record.organisation.name == "Example Organization Inc."
    assert (record.address, record.town, record.postcode) == ("1-30 Main Street", "MyCity", "ABC 1234")
    assert record.latitude is None  # the example's 100, 101 is off the globe
    assert record.phone == "+44 1234 234567"  # via contacts.csv; the example quotes it
    assert record.opening_hours == [
        {"day": "thu", "opens": "10:00", "closes": "18:00"},
        {"day": "fri", "opens": "10:00", "closes": "18:00"},
    ]
    assert record.cost == "fees_description; Under 18s and Over 60s: £35 per 1 hour session"
    assert record.accessibility.startswith("The building is equipped with induction loops")
    # attribute.csv links its term to f28dd44b…, which is not this service.
    assert record.taxonomy_terms == []
