"""`peoplezones import` reads a file as what it is: an Open Referral taxonomy or a list of
organisations is refused in one line (never an asset called "name"), an organisation's services
and a service at a location are imported as those services; the same feed saved under another
file name is recognised and not imported twice; assets outside every zone are warned about; and a
folder of Open Referral tables without datapackage.json is read."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from tests.conftest import FIXTURES, SHARED_DATA, needs_shared
from tests.test_cli import run

OPEN_REFERRAL = FIXTURES / "openreferral"
EXAMPLES = SHARED_DATA / "oruk" / "uk_profile_v3_examples"


def exported(capsys) -> list[dict[str, str]]:
    code, out, _ = run(capsys, "export", "-", "--format", "csv")
    assert code == 0
    return list(csv.DictReader(io.StringIO(out)))


def refused(capsys, *args: str) -> str:
    code, out, err = run(capsys, "import", *args)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


# --- files that are not services ----------------------------------------------------------------


def test_a_taxonomy_is_refused_in_one_line_and_nothing_is_imported(cli_env, capsys):
    err = refused(capsys, str(OPEN_REFERRAL / "taxonomy.json"))
    assert err == (
        "peoplezones: nothing imported: taxonomy.json holds an Open Referral taxonomy (the categories "
        "services are filed under), not services: there is nothing in it to import as assets"
    )
    assert exported(capsys) == []


@pytest.mark.parametrize(
    ("data", "holds"),
    [
        ([{"id": "t1", "name": "Food", "parent_id": None, "taxonomy": "needs"}], "holds taxonomy terms"),
        (
            {"contents": [{"id": "o1", "name": "Trust", "website": "https://example.org"}]},
            "holds organisations",
        ),
        (
            {"id": "o1", "name": "Trust", "logo": "x.png", "services": []},
            "holds organisations with no services",
        ),
        ([{"id": "l1", "name": "Hall", "latitude": 52.6, "longitude": -1.1}], "holds locations"),
    ],
)
def test_other_open_referral_objects_are_refused_naming_what_they_hold(
    cli_env, capsys, tmp_path, data, holds
):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(data))
    err = refused(capsys, str(path))
    assert err.startswith(f"peoplezones: nothing imported: feed.json {holds}")
    assert exported(capsys) == []


def test_an_organisations_services_are_imported_run_by_it_not_the_organisation(cli_env, capsys):
    code, out, _ = run(capsys, "import", str(OPEN_REFERRAL / "organization_full.json"))
    assert code == 0 and "2 created, 0 updated, 0 unchanged, 0 rejected" in out
    rows = {r["name"]: r for r in exported(capsys)}
    assert {name: r["organisation"] for name, r in rows.items()} == {
        "Belgrave Community Pantry": "Belgrave Neighbourhood Trust",
        "Belgrave Coffee Morning": "Belgrave Neighbourhood Trust",
    }
    pantry = rows["Belgrave Community Pantry"]
    assert pantry["postcode"] == "LE4 5AA" and pantry["zone"] == "Leicester North"


def test_a_service_at_a_location_is_that_service_there(cli_env, capsys):
    code, out, _ = run(capsys, "import", str(OPEN_REFERRAL / "service_at_location_full.json"))
    assert code == 0 and "1 created" in out
    [row] = exported(capsys)
    assert (row["name"], row["address"], row["postcode"]) == (
        "Oadby Money Advice",
        "10 Example Lane",
        "LE2 5AA",
    )


def test_something_else_in_a_list_of_services_is_a_rejected_row(cli_env, capsys, tmp_path):
    feed = tmp_path / "mixed.json"
    feed.write_text(
        json.dumps(
            {
                "contents": [
                    {"id": "s1", "name": "Lunch Club", "status": "active"},
                    {"id": "t1", "name": "Food", "term": "food", "parent_id": None},
                ]
            }
        )
    )
    code, out, _ = run(capsys, "import", str(feed))
    assert code == 0
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "rejected object 2: is a taxonomy term, not a service" in out
    assert [r["name"] for r in exported(capsys)] == ["Lunch Club"]


@needs_shared
@pytest.mark.parametrize(
    ("name", "holds"),
    [
        ("taxonomy.json", "an Open Referral taxonomy"),
        ("taxonomy_list.json", "an Open Referral taxonomy"),
        ("taxonomy_term.json", "taxonomy terms"),
        ("taxonomy_term_list.json", "taxonomy terms"),
        ("organization_list.json", "organisations with no services in them"),
    ],
)
def test_the_hsds_examples_that_are_not_services_are_refused(cli_env, capsys, name, holds):
    err = refused(capsys, str(EXAMPLES / name))
    assert err.startswith(f"peoplezones: nothing imported: {name} holds {holds}")
    assert "not services: there is nothing in it to import as assets" in err
    assert exported(capsys) == []


@needs_shared
@pytest.mark.parametrize("name", ["organization_full.json", "service_at_location_full.json"])
def test_the_hsds_examples_of_an_organisation_and_a_place_import_their_service(cli_env, capsys, name):
    code, out, _ = run(capsys, "import", str(EXAMPLES / name))
    assert code == 0 and "1 created" in out
    [row] = exported(capsys)
    assert row["name"] == "Community Counselling"  # not "Example Organization Inc.", not "name"
    assert row["organisation"] == "Example Organization Inc."
    assert row["address"] == "1-30 Main Street"


# --- the same feed under another name -----------------------------------------------------------


def test_the_same_feed_saved_under_another_name_is_recognised_and_not_imported_again(
    cli_env, capsys, tmp_path
):
    assert run(capsys, "import", str(FIXTURES / "oruk_v1_full.json"))[0] == 0
    before = exported(capsys)
    copy = tmp_path / "feed-february.json"
    shutil.copy(FIXTURES / "oruk_v1_full.json", copy)
    err = refused(capsys, str(copy))
    total = len(before)
    assert err == (
        f"peoplezones: nothing imported: {total} of the {total} services in feed-february are already in "
        "the directory, with the same ids and names, from oruk_v1_full: it looks like the same feed under "
        "another name. To update them, import it with --source oruk_v1_full; to keep a second copy, give "
        "it a new name with --source"
    )
    assert exported(capsys) == before
    # --source is how to say which it is: the same source (updated in place) ...
    code, out, _ = run(capsys, "import", str(copy), "--source", "oruk_v1_full")
    assert code == 0 and f"0 created, 0 updated, {total} unchanged" in out
    # ... or a second copy, on purpose
    code, out, _ = run(capsys, "import", str(copy), "--source", "february")
    assert code == 0 and f"{total} created" in out


def test_another_feed_that_numbers_its_services_the_same_way_is_imported(cli_env, capsys, tmp_path):
    one, two = tmp_path / "rutland.json", tmp_path / "melton.json"
    one.write_text(
        json.dumps([{"id": str(n), "name": f"Rutland service {n}", "status": "active"} for n in range(5)])
    )
    two.write_text(
        json.dumps([{"id": str(n), "name": f"Melton service {n}", "status": "active"} for n in range(5)])
    )
    assert "5 created" in run(capsys, "import", str(one))[1]
    assert "5 created" in run(capsys, "import", str(two))[1]


@needs_shared
def test_the_north_lincolnshire_feed_saved_as_nlincs_feb_is_not_imported_twice(cli_env, capsys, tmp_path):
    feed = SHARED_DATA / "oruk" / "north_lincolnshire_services.json"
    assert "738 created" in run(capsys, "import", str(feed))[1]
    copy = tmp_path / "nlincs-feb.json"
    shutil.copy(feed, copy)
    err = refused(capsys, str(copy))
    assert "738 of the 738 services in nlincs-feb are already in the directory" in err
    assert "--source north_lincolnshire_services" in err


# --- outside every zone -------------------------------------------------------------------------


def test_assets_outside_every_zone_are_warned_about(cli_env, capsys):
    code, out, _ = run(capsys, "import", str(FIXTURES / "assets_far_away.csv"))
    assert code == 0
    assert out.splitlines() == [
        "assets_far_away: 3 created, 0 updated, 0 unchanged, 0 rejected",
        "warning: 2 assets are outside every zone (1 with no town or postcode, the rest in towns and "
        "postcodes of no zone), so residents near home will not find them as local; is this the right "
        "file, or are the zones in the config missing a place?",
    ]
    zones = {r["name"]: r["zone"] for r in exported(capsys)}
    assert zones == {
        "Belgrave Food Bank": "Leicester North",
        "Scunthorpe Food Bank": "",
        "Online Befriending": "",
    }


def test_a_file_inside_the_zones_has_no_warning(cli_env, capsys):
    code, out, _ = run(capsys, "import", str(FIXTURES / "assets_small.csv"))
    assert code == 0 and "warning" not in out


# --- a folder of Open Referral tables -----------------------------------------------------------


def test_a_folder_of_open_referral_tables_without_datapackage_json_is_read(cli_env, capsys):
    folder = OPEN_REFERRAL / "tables"
    assert not (folder / "datapackage.json").exists()
    code, out, _ = run(capsys, "import", str(folder))
    assert code == 0 and "tables: 2 created, 0 updated, 0 unchanged, 0 rejected" in out
    rows = {r["name"]: r for r in exported(capsys)}
    lunch = rows["Melton Lunch Club"]
    assert (lunch["organisation"], lunch["postcode"], lunch["zone"]) == (
        "Melton Helping Hands", "LE13 0AA", "Melton"
    )  # fmt: skip
    assert rows["Melton Walking Group"]["organisation"] == "Melton Helping Hands"


def test_a_folder_without_datapackage_json_or_services_is_refused_in_one_line(cli_env, capsys, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "notes.csv").write_text("a,b\n1,2\n")
    err = refused(capsys, str(folder))
    assert err == (
        "peoplezones: nothing imported: exports has no datapackage.json and no services.csv, so it is "
        "not an Open Referral data package."
    )


@needs_shared
def test_the_uk_profile_csv_folder_is_read(cli_env, capsys):
    code, out, _ = run(capsys, "import", str(EXAMPLES / "csv"))
    assert code == 0 and "1 created" in out
    [row] = exported(capsys)
    assert (row["name"], row["organisation"], row["postcode"]) == (
        "Community Counselling", "Example Organization Inc.", "ABC 1234"
    )  # fmt: skip
