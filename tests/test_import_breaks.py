"""Files that broke imports and round trips (issue 13, items 4, 5, 6, 9 and 12), through the CLI as a
coordinator runs it: what they are told, and what the database holds afterwards."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.clock import FakeClock
from db.importers.pipeline import import_source
from db.models import Asset, Organisation
from db.session import make_engine, make_sessionmaker
from tests.conftest import FIXTURES, POSTGRES_URL, THURSDAY_MORNING
from tests.helpers import snapshot

HEADER = ["external_id", "name", "description", "town", "phone"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def with_database(url: str, work):
    """Run WORK(sessions) against the CLI's database (the CLI runs its own event loops)."""

    async def go():
        engine = make_engine(url, FakeClock(THURSDAY_MORNING))
        try:
            return await work(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(go())


def assets(url: str) -> dict[str, Asset]:
    async def work(sessions):
        async with sessions() as session:
            return {a.external_id: a for a in await session.scalars(select(Asset))}

    return with_database(url, work)


def organisations(url: str) -> dict[str, tuple[str, str, str, str]]:
    async def work(sessions):
        async with sessions() as session:
            rows = await session.scalars(select(Organisation))
            return {o.name: (o.description, o.website, o.email, o.phone) for o in rows}

    return with_database(url, work)


def sheet(rows: list[list[str]], header: list[str] = HEADER) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


def twenty_rows(about: str = "What asset {n} does for people") -> str:
    """Rows 2-21 of a spreadsheet, one asset each."""
    return sheet([[f"r{n}", f"Asset {n}", about.format(n=n), "Leicester", ""] for n in range(2, 22)])


# ----- item 4: a stray quote never loses rows silently ------------------------------------------


def test_a_stray_quote_stops_the_file_naming_its_row_and_changes_nothing(cli_env, capsys, tmp_path):
    run(capsys, "import", str(FIXTURES / "assets_small.csv"))
    before = with_database(cli_env, snapshot)
    broken = tmp_path / "stray.csv"
    broken.write_text(twenty_rows().replace("r6,Asset 6", 'r6,"Asset 6'))
    code, out, err = run(capsys, "import", str(broken))
    assert code == 1 and out == ""
    assert err == (
        'peoplezones: nothing imported: stray.csv: a quote (") opens a cell in row 6 (line 6 of the file) '
        "and never closes, so the file ends inside that cell: is the quote stray, or the file cut short?\n"
    )
    assert with_database(cli_env, snapshot) == before


def test_a_stray_quote_that_meets_a_quoted_cell_is_refused_naming_its_row(cli_env, capsys, tmp_path):
    # Held out: later cells are quoted (they hold commas), so the runaway cell ends at the next one.
    broken = tmp_path / "commas.csv"
    broken.write_text(twenty_rows("For {n}, and friends").replace("r9,Asset 9", 'r9,"Asset 9'))
    code, _, err = run(capsys, "import", str(broken))
    assert code == 1
    assert "commas.csv: row 9 (from line 9 of the file) is not readable CSV" in err
    assert assets(cli_env) == {}


def test_a_file_cut_short_inside_a_quoted_cell_is_refused(cli_env, capsys, tmp_path):
    cut = tmp_path / "cut.csv"
    cut.write_text("\n".join(twenty_rows().split("\n")[:18]) + '\nr19,Asset 19,"Open to all, and')
    code, _, err = run(capsys, "import", str(cut))
    assert code == 1
    assert "opens a cell in row 19 (line 19 of the file) and never closes" in err
    assert "cut short" in err
    assert assets(cli_env) == {}


def test_a_stray_quote_closed_by_another_is_refused_too(cli_env, capsys, tmp_path):
    # The second stray quote ends the runaway cell cleanly: the CSV reader alone sees nothing wrong.
    broken = tmp_path / "two_quotes.csv"
    broken.write_text(twenty_rows().replace("r6,Asset 6", 'r6,"Asset 6').replace("Asset 12,", 'Asset 12",'))
    code, _, err = run(capsys, "import", str(broken))
    assert code == 1
    assert "the name cell in row 6 runs on over lines 6–12 of the file" in err
    assert 'is a quote (") in row 6 stray or missing?' in err
    assert assets(cli_env) == {}


def test_rows_swallowed_by_a_description_are_refused(cli_env, capsys, tmp_path):
    # Held out: the quote opens a description, which may span lines; the lines inside look like rows.
    broken = tmp_path / "wide.csv"
    rows = [[f"r{n}", f"Asset {n}", f"Helps {n}", "Leicester", "0116 496 0000"] for n in range(2, 12)]
    text = sheet(rows).replace("Helps 4,", '"Helps 4,').replace("Helps 8,", 'Helps 8",')
    broken.write_text(text)
    code, _, err = run(capsys, "import", str(broken))
    assert code == 1
    assert "the description cell in row 4 runs on over lines 4–8 of the file" in err
    assert "look like 3 more rows" in err


def test_cells_with_line_breaks_still_import_and_rows_count_as_a_spreadsheet_shows_them(
    cli_env, capsys, tmp_path
):
    good = tmp_path / "paragraphs.csv"
    rows = [
        [
            "",
            "p1",
            "Warm Space",
            "Tea, toast, games.\nOpen to all, free.\n\nAsk at the desk.",
            "Leicester",
            "",
        ],
        ["", "p2", "Lunch Club", "Hot lunch,\nWednesdays", "Oakham", ""],
        ["", "p3", "Craft Group", "Bring your own", "Melton", ""],
        ["x", "p4", "Bad Age", "A line,\nanother", "Leicester", ""],
    ]
    good.write_text(sheet(rows, ["min_age", *HEADER]))
    code, out, _ = run(capsys, "import", str(good))
    assert code == 0
    assert "3 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "rejected row 5: min_age: 'x' is not a whole number" in out  # line 9 of the file
    assert assets(cli_env)["p1"].description == "Tea, toast, games.\nOpen to all, free.\n\nAsk at the desk."


# ----- item 5: a file never blanks what it does not carry ---------------------------------------


FEED = {
    "content": [
        {
            "id": f"svc-{n}",
            "name": name,
            "description": f"{name}: free help.",
            "organization": {
                "id": "org-1",
                "name": "Example Advice Network",
                "description": "An example charity that runs advice sessions across the county.",
                "url": "https://example.org",
                "email": "hello@example.org",
                "phones": [{"id": "op1", "number": "0116 496 0999"}],
            },
            "contacts": [{"id": f"c{n}", "phones": [{"id": f"p{n}", "number": f"0116 496 010{n}"}]}],
        }
        for n, name in ((1, "Debt Advice Drop-in"), (2, "Benefits Help"))
    ]
}
ORG_DETAILS = (
    "An example charity that runs advice sessions across the county.",
    "https://example.org",
    "hello@example.org",
    "0116 496 0999",
)


def test_reimporting_your_own_export_keeps_the_organisations_details(cli_env, capsys, tmp_path):
    feed = tmp_path / "advice.json"
    feed.write_text(json.dumps(FEED))
    assert run(capsys, "import", str(feed))[0] == 0
    assert organisations(cli_env) == {"Example Advice Network": ORG_DETAILS}
    export = tmp_path / "export.csv"
    assert run(capsys, "export", str(export), "--format", "csv")[0] == 0
    header = export.read_text().split("\n", 1)[0].split(",")
    assert {
        "organisation_description",
        "organisation_website",
        "organisation_email",
        "organisation_phone",
    } <= set(header)
    code, out, _ = run(capsys, "import", str(export))
    assert code == 0
    assert "0 created, 0 updated, 2 unchanged, 0 rejected" in out
    assert organisations(cli_env) == {"Example Advice Network": ORG_DETAILS}

    # a correction typed into one of the organisation's two rows is taken
    rows = list(csv.DictReader(io.StringIO(export.read_text())))
    rows[1]["organisation_phone"] = "0116 496 0777"
    edited = tmp_path / "edited.csv"
    with edited.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    code, out, _ = run(capsys, "import", str(edited))
    assert code == 0 and "0 rejected" in out
    assert organisations(cli_env)["Example Advice Network"][3] == "0116 496 0777"


def test_a_sheet_without_a_column_leaves_it_as_stored_and_an_empty_cell_clears_it(cli_env, capsys, tmp_path):
    run(capsys, "import", str(FIXTURES / "assets_small.csv"))
    before = assets(cli_env)["oakham-lunch-club-le15-6aa"]
    assert before.phone == "01632 960123" and before.access == ["drop-in", "phone"]
    # Held out: a short sheet from someone who only deals with prices and phone numbers.
    prices = tmp_path / "assets_small.csv"
    prices.write_text("name,postcode,cost,phone\nOakham Lunch Club,LE15 6AA,£5 a meal,\n")
    code, out, _ = run(capsys, "import", str(prices))
    assert code == 0 and "0 created, 1 updated, 0 unchanged, 0 rejected" in out
    after = assets(cli_env)["oakham-lunch-club-le15-6aa"]
    assert after.cost == "£5 a meal"
    assert after.phone == ""  # the column is there and the cell is empty: cleared
    for kept in ("description", "access", "opening_hours", "town", "keywords", "kind", "is_example", "zone"):
        assert getattr(after, kept) == getattr(before, kept), kept
    hub = assets(cli_env)["braunstone-youth-hub-le3-1aa"]
    assert hub.organisation_id is not None  # a row the sheet does not mention is not touched
    # the same short sheet again: nothing to change
    assert "0 created, 0 updated, 1 unchanged" in run(capsys, "import", str(prices))[1]


# ----- item 6: field lengths are capped at import ------------------------------------------------


def test_an_absurdly_long_name_is_rejected_with_its_row(cli_env, capsys, tmp_path):
    long = tmp_path / "long.csv"
    long.write_text(sheet([["a", "Fine Asset", "", "", ""], ["b", "Food Bank " + "x" * 100_000, "", "", ""]]))
    code, out, _ = run(capsys, "import", str(long))
    assert code == 0
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "rejected row 3: name is 100,010 characters long (at most 300)" in out
    assert max(len(line) for line in out.splitlines()) < 200


def test_long_texts_and_lists_in_a_feed_are_rejected_with_their_service(cli_env, capsys, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(
        json.dumps(
            [
                {"id": "ok", "name": "Fine"},
                {"id": "d", "name": "Long description", "description": "word " * 5000},
                {"id": "p", "name": "Long phone", "contacts": [{"phones": [{"number": "0" * 500}]}]},
                {"id": "l", "name": "Many languages", "languages": [f"Language {n}" for n in range(500)]},
                {
                    "id": "o",
                    "name": "Long org",
                    "organization": {"id": "o", "name": "Org", "url": "h" * 5000},
                },
            ]
        )
    )
    code, out, _ = run(capsys, "import", str(feed))
    assert code == 0
    assert "1 created, 0 updated, 0 unchanged, 4 rejected" in out
    assert "rejected service 2 (id d): description is 24,999 characters long (at most 20,000)" in out
    assert "rejected service 3 (id p): phone is 500 characters long (at most 100)" in out
    assert "rejected service 4 (id l): languages has 500 entries (at most 200)" in out
    assert "rejected service 5 (id o): organisation website is 5,000 characters long (at most 1,000)" in out


# ----- item 9: numbers too long to read, and two imports at once ---------------------------------


def test_a_5000_digit_number_is_a_rejected_row_not_a_traceback(cli_env, capsys, tmp_path):
    digits = "7" * 5000
    feed = tmp_path / "numbers.json"
    feed.write_text(
        '[{"id": ' + digits + ', "name": "Huge id"},'
        ' {"id": "ages", "name": "Huge age", "eligibilitys": [{"minimum_age": ' + digits + "}]}]"
    )
    code, out, _ = run(capsys, "import", str(feed))
    assert code == 0
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert (
        "rejected service 1 (id 777777777777777777777777777777777777777…): id is 5,000 characters long" in out
    )
    assert assets(cli_env)["ages"].min_age is None
    sheet_with_digits = tmp_path / "numbers.csv"
    sheet_with_digits.write_text(f"name,min_age\nHuge age,{digits}\nBig age,99999999999\n")
    code, out, _ = run(capsys, "import", str(sheet_with_digits))
    assert code == 0
    assert "rejected row 2: min_age: '777777777777777777777777777777777777777…' is not a whole number" in out
    assert "rejected row 3: min_age: '99999999999' is far too big" in out
    assert max(len(line) for line in out.splitlines()) < 200
    # held out: a data package whose descriptor carries one, and whose services table another
    package = tmp_path / "package"
    package.mkdir()
    (package / "services.csv").write_text(f"id,name,minimum_age\npk1,Package service,{digits}\n")
    (package / "datapackage.json").write_text(
        '{"name": "p", "version": ' + digits + ', "resources": [{"name": "service", "path": "services.csv"}]}'
    )
    code, out, _ = run(capsys, "import", str(package))
    assert code == 0 and "package: 1 created, 0 updated, 0 unchanged, 0 rejected" in out
    assert assets(cli_env)["pk1"].min_age is None


@pytest.mark.skipif(
    not POSTGRES_URL, reason="two imports at once need PostgreSQL (set PEOPLEZONES_TEST_POSTGRES_URL)"
)
def test_a_second_import_of_a_source_while_the_first_runs_stops_in_one_line(cli_env, capsys, tmp_path):
    """The first import is held inside its transaction, after writing; the CLI's import of the
    same file, meanwhile, used to wait on the rows and then die of a unique violation."""
    feed = tmp_path / "advice.json"
    feed.write_text(json.dumps(FEED))
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            outcome["result"] = run(capsys, "import", str(feed))
        except BaseException as error:  # the traceback the coordinator used to get
            outcome["error"] = error

    async def first(sessions) -> None:
        async def hold(session, ids) -> None:
            thread = threading.Thread(target=second)
            thread.start()
            for _ in range(50):  # until the second import gives up, or 5 s (it would wait forever)
                if not thread.is_alive():
                    break
                await asyncio.sleep(0.1)
            outcome["thread"] = thread

        await import_source(sessions, str(feed), after_write=hold)
        return await snapshot(sessions)

    after_first = with_database(cli_env, first)
    outcome["thread"].join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    code, out, err = outcome["result"]
    assert code == 1 and out == ""
    assert err == (
        "peoplezones: nothing imported: another import of advice is running; try again when it has finished\n"
    )
    assert with_database(cli_env, snapshot) == after_first
    assert len(after_first) == 3  # two services and their organisation, once


# ----- item 12: round trips ----------------------------------------------------------------------


def test_a_leading_quote_before_a_formula_character_survives_a_csv_round_trip(cli_env, capsys, tmp_path):
    values = {"q1": "'=not a formula", "q2": "''+two quotes", "q3": "=SUM(A1)", "q4": "'plain quote"}
    feed = tmp_path / "quotes.json"
    feed.write_text(
        json.dumps([{"id": k, "name": v, "description": v, "fees": v} for k, v in values.items()])
    )
    run(capsys, "import", str(feed))
    export = tmp_path / "quotes_export.csv"
    assert run(capsys, "export", str(export), "--format", "csv")[0] == 0
    written = {row["external_id"]: row for row in csv.DictReader(io.StringIO(export.read_text()))}
    assert written["q3"]["name"] == "'=SUM(A1)"  # still safe to open in a spreadsheet
    assert written["q1"]["name"] == "''=not a formula"
    code, out, _ = run(capsys, "import", str(export))
    assert code == 0 and "0 created, 0 updated, 4 unchanged" in out
    stored = assets(cli_env)
    for column in ("name", "description", "cost"):
        assert {key: getattr(stored[key], column) for key in values} == values, column


def test_the_oruk_export_keeps_the_organisations_phone(cli_env, capsys, tmp_path):
    feed = tmp_path / "advice.json"
    feed.write_text(json.dumps(FEED))
    run(capsys, "import", str(feed))
    export = tmp_path / "export.json"
    assert run(capsys, "export", str(export), "--format", "oruk")[0] == 0
    organisation = json.loads(export.read_text())["content"][0]["organization"]
    assert [p["number"] for p in organisation["phones"]] == ["0116 496 0999"]
    code, out, _ = run(capsys, "import", str(export))
    assert code == 0 and "0 created, 0 updated, 2 unchanged" in out
    assert organisations(cli_env) == {"Example Advice Network": ORG_DETAILS}


def test_template_lists_the_organisation_columns():
    template = Path(__file__).resolve().parents[1] / "db" / "data" / "asset_template.csv"
    header = template.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    assert header[4:10] == [
        "organisation",
        "organisation_id",
        "organisation_description",
        "organisation_website",
        "organisation_email",
        "organisation_phone",
    ]
