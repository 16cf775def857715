"""The committed demo directory and postcode-district table: safe to show, and consistent.

Most tests read only `db/data/`, so they run on any machine. The re-derivation tests need
`../shared/data` and skip, with a reason, where it is absent (a user's fresh checkout).
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest

from db.hours import format_hours, parse_hours
from db.models.directory import ACCESS_MODES, ASSET_KINDS
from db.reference.build import derive_all
from db.reference.common import format_phone, split_address
from db.reference.gp_practices import tidy_ods_name
from db.reference.libraries import closures_from_note, library_hours
from db.reference.postcodes import read_postcodes
from db.text import postcode_district

DATA = Path(__file__).resolve().parents[1] / "db" / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_shared = pytest.mark.skipif(
    not (SHARED / "llr").is_dir(), reason=f"shared reference data not found at {SHARED}"
)

HEADER = (
    "source,external_id,kind,name,organisation,organisation_id,description,categories,keywords,"
    "audiences,min_age,max_age,eligibility,cost,access,address,town,postcode,latitude,longitude,"
    "zone,phone,email,website,opening_hours,holiday_closures,languages,accessibility,status,"
    "last_verified,attribution,is_example"
)
# LLR with a margin. North is 53.0, not 52.9: Bottesford (NG13, in Leicestershire) is at 52.94.
LAT_RANGE = (52.3, 53.0)
LON_RANGE = (-1.65, -0.4)
# Ofcom's drama ranges: 0116 496 0000-0999 and 01632 960000-960999.
RESERVED_PHONE = re.compile(r"^(?:0116 496 0\d{3}|01632 960\d{3})$")
EXAMPLE_WEBSITE = re.compile(r"^https://example\.org(?:/\S*)?$")
EXAMPLE_EMAIL = re.compile(r"^[^@\s]+@example\.org$")
REAL_ATTRIBUTIONS = {
    "LibrariesHacked library data (CC0)",
    "NHS ODS epraccur, Open Government Licence v3.0",
    "Give Food (givefood.org.uk)",
}
LIST_COLUMNS = ("categories", "keywords", "audiences", "access", "languages")


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _read("demo_directory.csv")


@pytest.fixture(scope="module")
def examples(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["source"] == "demo-examples"]


@pytest.fixture(scope="module")
def real(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["source"] != "demo-examples"]


@pytest.fixture(scope="module")
def districts() -> dict[str, dict[str, str]]:
    return {r["district"]: r for r in _read("postcode_districts.csv")}


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat1 - lat2) * 111.2
    dx = (lon1 - lon2) * 111.2 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


# --- shape -----------------------------------------------------------------------------------


def test_files_are_utf8_with_unix_line_endings_and_the_exact_header() -> None:
    for name in ("demo_directory.csv", "demo_examples.csv"):
        raw = (DATA / name).read_bytes()
        assert b"\r" not in raw, name
        assert raw.decode("utf-8").split("\n", 1)[0] == HEADER, name
    assert (
        (DATA / "postcode_districts.csv")
        .read_text("utf-8")
        .startswith("district,latitude,longitude,postcodes\n")
    )


def test_directory_has_at_least_150_rows(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 150


def test_source_and_external_id_are_unique(rows: list[dict[str, str]]) -> None:
    keys = [(r["source"], r["external_id"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r["external_id"].strip() and r["name"].strip() for r in rows)


def test_kinds_statuses_and_access_modes_are_known(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert row["kind"] in ASSET_KINDS, row["external_id"]
        assert row["status"] == "active", row["external_id"]
        assert row["zone"] == "" and row["holiday_closures"] == "", row["external_id"]
        for mode in filter(None, row["access"].split("; ")):
            assert mode in ACCESS_MODES, (row["external_id"], mode)


def test_list_cells_are_semicolon_separated(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column in LIST_COLUMNS:
            if row[column]:
                items = row[column].split("; ")
                assert all(i and i == i.strip() and ";" not in i for i in items), (
                    row["external_id"],
                    column,
                )


def test_ages_are_whole_numbers_in_order(rows: list[dict[str, str]]) -> None:
    for row in rows:
        ages = [int(row[c]) for c in ("min_age", "max_age") if row[c]]
        assert all(0 <= a <= 130 for a in ages), row["external_id"]
        if row["min_age"] and row["max_age"]:
            assert int(row["min_age"]) <= int(row["max_age"]), row["external_id"]


# --- invented rows can never be mistaken for, or reach, a real service -------------------------


def test_every_example_row_is_labelled(examples: list[dict[str, str]]) -> None:
    assert examples
    for row in examples:
        assert row["is_example"] == "yes", row["external_id"]
        assert row["attribution"] == "Invented example for the demo — not a real service"


def test_example_contacts_are_reserved_or_example_org(examples: list[dict[str, str]]) -> None:
    for row in examples:
        assert not row["phone"] or RESERVED_PHONE.match(row["phone"]), row["phone"]
        assert not row["website"] or EXAMPLE_WEBSITE.match(row["website"]), row["website"]
        assert not row["email"] or EXAMPLE_EMAIL.match(row["email"]), row["email"]


def test_people_are_first_names_without_contact_details(examples: list[dict[str, str]]) -> None:
    people = [r for r in examples if r["kind"] == "person"]
    assert people
    for row in people:
        assert re.match(r"^[A-Z][a-z]+ \(", row["name"]), row["name"]
        assert not (row["phone"] or row["email"] or row["address"] or row["latitude"])
        assert " " not in row["postcode"], "a person's home is shown by district only"


def test_examples_span_the_city_the_county_and_rutland(examples: list[dict[str, str]]) -> None:
    places = {postcode_district(r["postcode"]) for r in examples}
    wanted = {"LE1", "LE2", "LE3", "LE4", "LE5", "LE10", "LE11", "LE13", "LE15", "LE16", "LE17"}
    assert wanted | {"LE18", "LE67"} <= places
    assert {"Oakham", "Uppingham"} <= {r["town"] for r in examples}
    assert {r["kind"] for r in examples} == set(ASSET_KINDS)
    assert 90 <= len(examples) <= 110


def test_real_rows_come_from_the_demo_source_with_attribution(real: list[dict[str, str]]) -> None:
    assert real
    for row in real:
        assert row["source"] == "demo", row["external_id"]
        assert row["is_example"] == "no", row["external_id"]
        if row["external_id"].startswith("safety:"):  # written by hand from published details
            assert row["attribution"].startswith("Real service: details checked"), row["external_id"]
            assert row["phone"] and row["last_verified"], row["external_id"]
            continue
        assert row["attribution"] in REAL_ATTRIBUTIONS, row["external_id"]
        assert row["latitude"] and row["longitude"], row["external_id"]


def test_real_rows_come_first_sorted_by_kind_then_name(rows: list[dict[str, str]]) -> None:
    flags = [r["is_example"] for r in rows]
    assert flags == sorted(flags)  # every "no" before every "yes"
    real = [(r["kind"], r["name"].casefold()) for r in rows if r["is_example"] == "no"]
    assert real == sorted(real)


# --- hours, places, coordinates --------------------------------------------------------------


def test_opening_hours_parse_and_round_trip(rows: list[dict[str, str]]) -> None:
    bad = [
        (r["external_id"], r["opening_hours"])
        for r in rows
        if r["opening_hours"] and format_hours(parse_hours(r["opening_hours"])) != r["opening_hours"]
    ]
    assert not bad
    assert sum(1 for r in rows if r["opening_hours"]) > 150


def test_every_postcode_district_is_in_the_district_table(
    rows: list[dict[str, str]], districts: dict[str, dict[str, str]]
) -> None:
    missing = {
        (r["external_id"], r["postcode"])
        for r in rows
        if r["postcode"] and postcode_district(r["postcode"]) not in districts
    }
    assert not missing
    # every row has a place, except a phone line that serves all of LLR
    assert all(r["postcode"] or r["access"] == "phone" for r in rows)


def test_postcode_table_covers_llr_without_non_geographic_districts(
    districts: dict[str, dict[str, str]],
) -> None:
    assert {f"LE{n}" for n in range(1, 20)} | {"LE15", "PE9", "LE65", "LE67"} <= set(districts)
    assert not {"LE87", "LE94", "LE95"} & set(districts)
    for district, row in districts.items():
        assert re.match(r"^-?\d+\.\d{5}$", row["latitude"]), district
        assert re.match(r"^-?\d+\.\d{5}$", row["longitude"]), district
        assert int(row["postcodes"]) > 0


def test_le6_is_placed_at_groby_and_ratby_not_coalville(
    rows: list[dict[str, str]], districts: dict[str, dict[str, str]]
) -> None:
    le6 = districts["LE6"]
    for library in ("library:groby", "library:ratby"):
        row = next(r for r in rows if r["external_id"] == library)
        distance = _km(
            float(le6["latitude"]),
            float(le6["longitude"]),
            float(row["latitude"]),
            float(row["longitude"]),
        )
        assert distance < 5, (library, distance)


def test_all_coordinates_are_inside_llr(
    rows: list[dict[str, str]], districts: dict[str, dict[str, str]]
) -> None:
    points = [(r["external_id"], r["latitude"], r["longitude"]) for r in rows if r["latitude"]]
    points += [(d, r["latitude"], r["longitude"]) for d, r in districts.items()]
    for name, lat, lon in points:
        assert LAT_RANGE[0] <= float(lat) <= LAT_RANGE[1], name
        assert LON_RANGE[0] <= float(lon) <= LON_RANGE[1], name


def test_postcode_table_keeps_its_attribution() -> None:
    text = (DATA / "postcode_districts.ATTRIBUTION.txt").read_text("utf-8")
    assert "Office for National Statistics" in text
    assert "Open Government Licence v.3.0" in text
    assert "Contains OS data © Crown copyright and database right 2025" in text
    assert "Contains Royal Mail data © Royal Mail copyright and database right 2025" in text


# --- the derivation's cleaning rules ---------------------------------------------------------


def test_library_hours_leave_out_lunch_closures_in_both_spellings() -> None:
    county = {
        "Wednesday staffed hours": "10:00-17:00",
        "Friday staffed hours": "11:00-16:00",
        "Notes": "Hours closed: W 12:00-15:00; F13:00-14:00",
    }
    assert library_hours(county) == "Wed 10:00-12:00, 15:00-17:00; Fri 11:00-13:00, 14:00-16:00"
    rutland = {"Monday staffed hours": "10:00-18:00", "Notes": "Closed 12.00 - 2.00 Mon & Thu"}
    assert library_hours(rutland) == "Mon 10:00-12:00, 14:00-18:00"
    assert closures_from_note("M-Th 12:30-14:00 Refurbished 2019") == []
    assert len(closures_from_note("Hours closed: M-Th 12:30-14:00")) == 4


def test_cleaning_of_phones_addresses_and_ods_names() -> None:
    assert format_phone("01162793308") == "0116 279 3308"
    assert format_phone("01530838355") == "01530 838355"
    assert format_phone("07495561408") == "07495 561408"
    assert split_address(["Whitwick Road", "Coalville", "Leicester"]) == ("Whitwick Road", "Coalville")
    assert split_address(["High Street", "Measham", "Nr Swadlincote", "Derbyshire"]) == (
        "High Street",
        "Measham",
    )
    assert split_address(["36 Melton Road, Oakham, LE15 6AY"], "LE15 6AY") == ("36 Melton Road", "Oakham")
    assert tidy_ods_name("Dr Nw Osborne'S Practice") == "Dr NW Osborne's Practice"
    assert tidy_ods_name("East Leicester Med Pract(S Longworth)") == (
        "East Leicester Medical Practice (S Longworth)"
    )


# --- regenerating from the shared data -------------------------------------------------------


@needs_shared
def test_rederiving_from_shared_data_gives_identical_bytes(tmp_path: Path) -> None:
    written = derive_all(SHARED, tmp_path, DATA / "demo_examples.csv")
    assert written
    for path in written:
        assert path.read_bytes() == (DATA / path.name).read_bytes(), f"{path.name} is stale"


@needs_shared
def test_example_full_postcodes_are_real_and_carry_their_own_position(
    examples: list[dict[str, str]],
) -> None:
    positions = read_postcodes(SHARED / "llr")
    for row in examples:
        if " " not in row["postcode"]:
            assert not row["latitude"], row["external_id"]
            continue
        lat, lon = positions[row["postcode"]]
        assert (float(row["latitude"]), float(row["longitude"])) == (lat, lon), row["external_id"]
