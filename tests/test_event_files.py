"""Coordinators' event files (CSV and .ics) read into records and rejected rows; no database."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from db.importers.events import EventFile, EventRecord, RejectedRow, read_event_file
from db.importers.record import SourceFormatError

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[1]
HEADER = "id,title,description,starts,ends,venue,postcode,zone,capacity,repeats,every,days,until,categories"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def write_csv(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def read_csv(tmp_path: Path, *rows: str, header: str = HEADER) -> EventFile:
    return read_event_file(write_csv(tmp_path, *rows, header=header), LONDON)


def one_record(tmp_path: Path, row: str, header: str = HEADER) -> EventRecord:
    result = read_csv(tmp_path, row, header=header)
    assert result.rejected == []
    (record,) = result.records
    return record


def one_reason(tmp_path: Path, row: str, header: str = HEADER) -> str:
    result = read_csv(tmp_path, row, header=header)
    assert result.records == []
    (rejected,) = result.rejected
    assert rejected.row == "row 2"
    return rejected.reason


def by_id(result: EventFile) -> dict[str, EventRecord]:
    return {r.external_id: r for r in result.records}


# --- CSV: good files ---------------------------------------------------------------------------


def test_csv_one_off_weekly_fortnightly_and_last_friday(tmp_path):
    result = read_csv(
        tmp_path,
        'quiz,Summer Quiz,"Teams of four.\nPrizes!",2026-07-01 18:00,20:30,Hall,le1 5ww,'
        "Leicester City Centre,40,,,,,Fun; Family",
        'choir,Community Choir,,2026-11-30 19:00,21:00,Church,LE3 1AA,,,weekly,,"Mon, Thu",2027-03-31,music',
        "repair,Repair Cafe,,2026-12-05 10:00,13:00,Library,,,,fortnightly,,,,",
        'disco,Last Friday Disco,,2026-12-25 19:00,2026-12-25 23:00,,,,,monthly,,last Friday,,"music,family"',
    )
    assert result.rejected == []
    events = by_id(result)
    quiz = events["quiz"]
    assert quiz.title == "Summer Quiz"
    assert quiz.description == "Teams of four.\nPrizes!"
    assert quiz.starts_at == utc(2026, 7, 1, 17, 0)  # 18:00 in British Summer Time
    assert quiz.ends_at == utc(2026, 7, 1, 19, 30)
    assert (quiz.venue, quiz.postcode, quiz.zone, quiz.capacity) == (
        "Hall",
        "LE1 5WW",
        "Leicester City Centre",
        40,
    )
    assert quiz.categories == ("fun", "family")
    assert (quiz.freq, quiz.interval, quiz.byday, quiz.repeat_until) == ("", 1, "", None)
    choir = events["choir"]
    assert choir.starts_at == utc(2026, 11, 30, 19, 0)  # 19:00 in winter is 19:00 UTC
    assert (choir.freq, choir.interval, choir.byday) == ("WEEKLY", 1, "MO,TH")
    assert choir.repeat_until == utc(2027, 3, 31, 22, 59, 59)  # the end of that day, BST by then
    repair = events["repair"]
    assert (repair.freq, repair.interval, repair.byday) == ("WEEKLY", 2, "")
    disco = events["disco"]
    assert (disco.freq, disco.interval, disco.byday) == ("MONTHLY", 1, "-1FR")
    assert disco.ends_at == utc(2026, 12, 25, 23, 0)
    assert disco.categories == ("music", "family")


@pytest.mark.parametrize(
    "starts",
    ["2026-12-04 18:00", "2026-12-04T18:00", "04/12/2026 18:00", "4 Dec 2026 18:00", "4/12/2026 6pm"],
)
def test_csv_start_formats_are_local_time(tmp_path, starts):
    record = one_record(tmp_path, f"x,Carols,,{starts},,,,,,,,,,")
    assert record.starts_at == utc(2026, 12, 4, 18, 0)
    assert record.starts_at.tzinfo is UTC


def test_summer_time_is_converted_to_utc(tmp_path):
    record = one_record(tmp_path, "x,Picnic,,01/07/2026 18:00,,,,,,,,,,")
    assert record.starts_at == utc(2026, 7, 1, 17, 0)


def test_autumn_repeated_hour_takes_the_first(tmp_path):
    record = one_record(tmp_path, "x,Late Bingo,,2026-10-25 01:30,,,,,,,,,,")
    assert record.starts_at == utc(2026, 10, 25, 0, 30)  # the first 01:30 is still BST


@pytest.mark.parametrize(
    ("repeats", "days", "starts", "byday"),
    [
        ("weekly", "Mon, Thu", "2026-11-30 10:00", "MO,TH"),
        ("weekly", "MO,TH", "2026-11-30 10:00", "MO,TH"),
        ("weekly", "Monday and Thursday", "2026-11-30 10:00", "MO,TH"),
        ("weekly", "Tuesdays", "2026-12-01 10:00", "TU"),
        ("monthly", "last Friday", "2026-12-25 10:00", "-1FR"),
        ("monthly", "-1FR", "2026-12-25 10:00", "-1FR"),
        ("monthly", "first Tuesday", "2026-12-01 10:00", "1TU"),
        ("monthly", "1st Tue", "2026-12-01 10:00", "1TU"),
        ("monthly", "second Wednesday", "2026-12-09 10:00", "2WE"),
        ("monthly", "3rd Thu", "2026-12-17 10:00", "3TH"),
        ("monthly", "fourth Saturday", "2026-12-26 10:00", "4SA"),
        ("monthly", "2nd and 4th Tuesday", "2026-12-08 10:00", "2TU,4TU"),
        ("monthly", "", "2026-12-08 10:00", ""),
    ],
)
def test_csv_days_in_words(tmp_path, repeats, days, starts, byday):
    record = one_record(tmp_path, f'x,Club,,{starts},,,,,,{repeats},,"{days}",,')
    assert record.byday == byday


def test_csv_every_sets_the_interval(tmp_path):
    record = one_record(tmp_path, "x,Walk,,2026-12-01 10:00,,,,,,monthly,3,,,")
    assert (record.freq, record.interval) == ("MONTHLY", 3)


def test_csv_header_names_are_forgiving_and_optional_columns_may_be_left_out(tmp_path):
    record = one_record(tmp_path, "Coffee Morning,2026-12-04 10:00,Monthly", header="Title, STARTS ,Repeats")
    assert (record.title, record.freq) == ("Coffee Morning", "MONTHLY")


def test_csv_row_without_id_gets_a_stable_id(tmp_path):
    first = one_record(tmp_path, ",Coffee Morning,,2026-12-04 10:00,,,,,,,,,,")
    again = one_record(tmp_path, ",Coffee Morning,,04/12/2026 10:00,,,,,,,,,,")
    other = one_record(tmp_path, ",Coffee Morning,,2026-12-11 10:00,,,,,,,,,,")
    assert first.external_id and first.external_id == again.external_id
    assert other.external_id != first.external_id


def test_csv_formula_guard_is_removed(tmp_path):
    record = one_record(tmp_path, "x,'=Bring and buy,,2026-12-04 10:00,,,,,,,,,,")
    assert record.title == "=Bring and buy"


def test_csv_with_bom(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffid,title,starts\nx,Café Social,2026-12-04 10:00\n".encode())
    result = read_event_file(path, LONDON)
    assert [r.title for r in result.records] == ["Café Social"]


def test_csv_saved_by_excel_as_windows_1252(tmp_path):
    path = tmp_path / "excel.CSV"
    path.write_bytes(
        "id,title,starts,description\nx,Café Social,2026-12-04 10:00,£2 a cuppa\n".encode("cp1252")
    )
    (record,) = read_event_file(path, LONDON).records
    assert (record.title, record.description) == ("Café Social", "£2 a cuppa")


# --- CSV: rejected rows ------------------------------------------------------------------------


def test_bad_rows_are_reported_by_row_and_good_rows_survive(tmp_path):
    result = read_csv(
        tmp_path,
        "a,Good One,,2026-12-04 18:00,,,,,,,,,,",  # row 2
        "b,,,2026-12-04 18:00,,,,,,,,,,",  # row 3
        "c,Bad Date,,next tuesday,,,,,,,,,,",  # row 4
        "",  # row 5: blank, skipped but counted like a spreadsheet does
        "d,Backwards,,2026-12-04 18:00,17:00,,,,,,,,,",  # row 6
        "e,Big,,2026-12-04 18:00,,,,,lots,,,,,",  # row 7
        "f,Gap,,2027-03-28 01:30,,,,,,,,,,",  # row 8
        "a,Copy,,2026-12-05 18:00,,,,,,,,,,",  # row 9
        "g,Good Two,,2026-12-06 18:00,,,,,,,,,,",  # row 10
    )
    assert [r.external_id for r in result.records] == ["a", "g"]
    reasons = {r.row: r.reason for r in result.rejected}
    assert list(reasons) == ["row 3", "row 4", "row 6", "row 7", "row 8", "row 9"]
    assert reasons["row 3"] == "no title"
    assert reasons["row 4"] == "the start 'next tuesday' is not a date and time like 2026-12-04 18:00"
    assert "not after the start" in reasons["row 6"] and "give the date as well" in reasons["row 6"]
    assert reasons["row 7"] == "the capacity 'lots' is not a whole number above 0"
    assert "2027-03-28 01:30 does not exist" in reasons["row 8"] and "clocks go forward" in reasons["row 8"]
    assert reasons["row 9"] == "the same id as row 2"
    assert all(isinstance(r, RejectedRow) for r in result.rejected)


def test_row_numbers_count_a_multi_line_cell_as_one_row(tmp_path):
    result = read_csv(
        tmp_path, 'a,Good,"line one\nline two\nline three",2026-12-04 18:00', "b,,,2026-12-04 18:00"
    )
    assert [r.row for r in result.rejected] == ["row 3"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("x,Club", "no start: give a date and time"),
        ("x,Club,,,,,,,,,,,,", "no start"),
        ("x,Club,,32/13/2026 18:00,,,,,,,,,,", "is not a date and time"),
        ("x,Club,,2026-12-04,,,,,,,,,,", "give a time as well as a date"),
        ("x,Club,,18:00,,,,,,,,,,", "is not a date and time"),
        ("x,Club,,2026-12-04 18:00,2026-12-04,,,,,,,,,", "the end '2026-12-04' has no time"),
        ("x,Club,,2026-12-04 18:00,soon,,,,,,,,,", "the end 'soon' is not a time"),
        ("x,Club,,2026-12-04 18:00,18:00,,,,,,,,,", "is not after the start"),
        ("x,Club,,2026-12-04 18:00,,,,,0,,,,,", "the capacity '0'"),
        ("x,Club,,2026-12-04 18:00,,,,,-5,,,,,", "the capacity '-5'"),
        ("x,Club,,2026-12-04 18:00,,,,,,daily,,,,", "repeats 'daily' is not weekly"),
        ("x,Club,,2026-12-04 18:00,,,,,,weekly,0,,,", "every '0' is not a whole number from 1 to 52"),
        ("x,Club,,2026-12-04 18:00,,,,,,weekly,53,,,", "from 1 to 52"),
        ("x,Club,,2026-12-04 18:00,,,,,,fortnightly,3,,,", "fortnightly already means every 2 weeks"),
        ("x,Club,,2026-12-04 18:00,,,,,,weekly,,someday,,", "are not days like"),
        ("x,Club,,2026-12-25 18:00,,,,,,weekly,,last Friday,,", "only fits a monthly repeat"),
        ("x,Club,,2026-12-25 18:00,,,,,,monthly,,Friday,,", "say which one in the month"),
        ("x,Club,,2026-12-04 18:00,,,,,,weekly,,Mon,,", "is not one of the repeat days"),
        ("x,Club,,2026-12-04 18:00,,,,,,,,Fri,,", "repeats is empty"),
        ("x,Club,,2026-12-04 18:00,,,,,,weekly,,,2026-11-01,", "before the first date"),
        ("x,Club,,2026-12-04 18:00,,,,,,weekly,,,whenever,", "until 'whenever' is not a date"),
        ("x," + "T" * 501 + ",,2026-12-04 18:00,,,,,,,,,,", "longer than 500 characters"),
        ("x,Club,,2026-12-04 18:00,,,,,,,,,,,surplus", "has 15 cells but the header has 14"),
    ],
)
def test_csv_row_problems_in_plain_words(tmp_path, row, expected):
    assert expected in one_reason(tmp_path, row)


def test_csv_same_title_and_start_without_ids_is_a_duplicate(tmp_path):
    result = read_csv(tmp_path, ",Quiz,2026-12-04 18:00", ",Quiz,04/12/2026 18:00", header="id,title,starts")
    assert len(result.records) == 1
    assert result.rejected == [RejectedRow("row 3", "the same title and start as row 2")]


# --- CSV and file-level problems ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("id,title,ends", "no 'starts' column"),
        ("id,starts", "no 'title' column"),
        ("title,starts,price", "unknown columns: price"),
        ("title,starts,Title", "a column named twice (title)"),
    ],
)
def test_csv_header_problems_stop_the_file(tmp_path, header, expected):
    with pytest.raises(SourceFormatError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        read_csv(tmp_path, "x,y,z", header=header)


@pytest.mark.parametrize("name", ["events.csv", "events.ics"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(SourceFormatError, match="is empty"):
        read_event_file(path, LONDON)


@pytest.mark.parametrize("name", ["events.csv", "events.ics"])
def test_binary_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04\x00\x00binary\x00stuff")
    with pytest.raises(SourceFormatError, match="binary"):
        read_event_file(path, LONDON)


def test_unknown_extension(tmp_path):
    path = tmp_path / "events.xlsx"
    path.write_text("title,starts\n")
    with pytest.raises(SourceFormatError, match=r"not a \.csv or \.ics"):
        read_event_file(path, LONDON)


def test_missing_file(tmp_path):
    with pytest.raises(SourceFormatError, match="cannot be opened"):
        read_event_file(tmp_path / "gone.csv", LONDON)


def test_header_only_file_has_no_records(tmp_path):
    assert read_csv(tmp_path) == EventFile([], [])


def test_template_parses_with_no_rejections():
    result = read_event_file(ROOT / "db" / "data" / "event_template.csv", LONDON)
    assert result.rejected == []
    assert len(result.records) == 2
    assert {bool(r.freq) for r in result.records} == {False, True}


# --- iCalendar ---------------------------------------------------------------------------------


def write_ics(tmp_path: Path, *events: str, name: str = "events.ics") -> Path:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN"]
    for event in events:
        body += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    body.append("END:VCALENDAR")
    path = tmp_path / name
    path.write_text("\r\n".join(body) + "\r\n", encoding="utf-8")
    return path


def read_ics(tmp_path: Path, *events: str) -> EventFile:
    return read_event_file(write_ics(tmp_path, *events), LONDON)


def one_ics_record(tmp_path: Path, event: str) -> EventRecord:
    result = read_ics(tmp_path, event)
    assert result.rejected == []
    (record,) = result.records
    return record


def one_ics_reason(tmp_path: Path, event: str) -> RejectedRow:
    result = read_ics(tmp_path, event)
    assert result.records == []
    (rejected,) = result.rejected
    return rejected


def test_ics_utc_start_with_details(tmp_path):
    record = one_ics_record(
        tmp_path,
        """
UID:quiz-1@example.org
SUMMARY:Summer Quiz
DESCRIPTION:Teams of four.\\nPrizes!
LOCATION:Village Hall
DTSTART:20260701T170000Z
DTEND:20260701T193000Z
CATEGORIES:Fun,Family
CATEGORIES:Quiz
X-PZ-ZONE:Leicester West
X-PZ-CAPACITY:40
X-PZ-POSTCODE:le3 1aa
""",
    )
    assert record.external_id == "quiz-1@example.org"
    assert (record.title, record.venue) == ("Summer Quiz", "Village Hall")
    assert record.description == "Teams of four.\nPrizes!"
    assert (record.starts_at, record.ends_at) == (utc(2026, 7, 1, 17, 0), utc(2026, 7, 1, 19, 30))
    assert record.categories == ("fun", "family", "quiz")
    assert (record.zone, record.capacity, record.postcode) == ("Leicester West", 40, "LE3 1AA")
    assert record.freq == ""


def test_ics_tzid_start_and_duration(tmp_path):
    record = one_ics_record(
        tmp_path, "UID:a\nSUMMARY:Choir\nDTSTART;TZID=Europe/London:20260701T180000\nDURATION:PT2H"
    )
    assert (record.starts_at, record.ends_at) == (utc(2026, 7, 1, 17, 0), utc(2026, 7, 1, 19, 0))


def test_ics_floating_start_is_local_time(tmp_path):
    summer = one_ics_record(tmp_path, "UID:a\nSUMMARY:Picnic\nDTSTART:20260701T180000")
    winter = one_ics_record(tmp_path, "UID:b\nSUMMARY:Carols\nDTSTART:20261204T180000")
    assert (summer.starts_at, summer.ends_at) == (utc(2026, 7, 1, 17, 0), None)
    assert winter.starts_at == utc(2026, 12, 4, 18, 0)


def test_ics_all_day_runs_midnight_to_midnight_local(tmp_path):
    record = one_ics_record(tmp_path, "UID:a\nSUMMARY:Fun Day\nDTSTART;VALUE=DATE:20260704")
    assert (record.starts_at, record.ends_at) == (utc(2026, 7, 3, 23, 0), utc(2026, 7, 4, 23, 0))
    two_days = one_ics_record(
        tmp_path, "UID:b\nSUMMARY:Festival\nDTSTART;VALUE=DATE:20261204\nDTEND;VALUE=DATE:20261206"
    )
    assert (two_days.starts_at, two_days.ends_at) == (utc(2026, 12, 4), utc(2026, 12, 6))


def test_ics_weekly_rule_with_until(tmp_path):
    record = one_ics_record(
        tmp_path,
        "UID:a\nSUMMARY:Choir\nDTSTART;TZID=Europe/London:20261130T190000\n"
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270331T225959Z",
    )
    assert (record.freq, record.interval, record.byday) == ("WEEKLY", 2, "MO,TH")
    assert record.repeat_until == utc(2027, 3, 31, 22, 59, 59)


def test_ics_count_becomes_the_local_start_of_the_last_date(tmp_path):
    record = one_ics_record(
        tmp_path, "UID:a\nSUMMARY:Disco\nDTSTART:20261225T190000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=4"
    )
    assert (record.freq, record.byday) == ("MONTHLY", "-1FR")
    # Dec 25, Jan 29, Feb 26, then Mar 26 2027 at 19:00 GMT (the clocks change on the 28th).
    assert record.repeat_until == utc(2027, 3, 26, 19, 0)
    weekly = one_ics_record(
        tmp_path, "UID:b\nSUMMARY:Walk\nDTSTART:20270320T100000\nRRULE:FREQ=WEEKLY;COUNT=3"
    )
    assert weekly.repeat_until == utc(2027, 4, 3, 9, 0)  # 10:00 BST
    off_rule = one_ics_record(
        tmp_path, "UID:c\nSUMMARY:Odd\nDTSTART:20260701T180000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"
    )
    assert off_rule.repeat_until == utc(2026, 8, 28, 17, 0)  # DTSTART counts first: Jul 1, Jul 31, Aug 28


@pytest.mark.parametrize(
    ("rule", "feature"),
    [
        ("RRULE:FREQ=DAILY", "FREQ=DAILY"),
        ("RRULE:FREQ=YEARLY", "FREQ=YEARLY"),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=15", "BYMONTHDAY"),
        ("RRULE:FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1", "BYSETPOS"),
        ("RRULE:FREQ=WEEKLY\nRRULE:FREQ=MONTHLY", "more than one RRULE"),
        ("RRULE:FREQ=WEEKLY\nRDATE:20261225T180000", "RDATE"),
        ("RRULE:FREQ=WEEKLY\nEXDATE:20261211T180000", "EXDATE"),
        ("RRULE:FREQ=WEEKLY;BYDAY=-1FR", "BYDAY=-1FR with FREQ=WEEKLY"),
        ("RRULE:FREQ=WEEKLY;INTERVAL=60", "INTERVAL=60"),
    ],
)
def test_ics_unsupported_repeats_are_rejected_by_name(tmp_path, rule, feature):
    rejected = one_ics_reason(tmp_path, f"UID:a\nSUMMARY:Club\nDTSTART:20261204T180000\n{rule}")
    assert rejected == RejectedRow("event 1 (UID a)", f"repeats in a way the bot cannot show ({feature})")


def test_ics_event_problems_are_rejections(tmp_path):
    result = read_ics(
        tmp_path,
        "UID:good\nSUMMARY:Good\nDTSTART:20261204T180000Z",
        "SUMMARY:No UID\nDTSTART:20261204T180000Z",
        "UID:gone\nSUMMARY:Gone\nSTATUS:CANCELLED\nDTSTART:20261204T180000Z",
        "UID:good\nSUMMARY:Moved\nRECURRENCE-ID:20261211T180000Z\nDTSTART:20261212T180000Z",
        "UID:nameless\nDTSTART:20261204T180000Z",
        "UID:timeless\nSUMMARY:When?",
        "UID:backwards\nSUMMARY:Back\nDTSTART:20261204T180000Z\nDTEND:20261204T170000Z",
        "UID:good\nSUMMARY:Copy\nDTSTART:20261205T180000Z",
        "UID:gap\nSUMMARY:Gap\nDTSTART:20270328T013000",
        "UID:mars\nSUMMARY:Far\nDTSTART;TZID=Mars/Olympus:20261204T180000",
        "UID:big\nSUMMARY:Big\nDTSTART:20261204T180000Z\nX-PZ-CAPACITY:lots",
    )
    assert [r.external_id for r in result.records] == ["good"]
    assert [(r.row, r.reason) for r in result.rejected] == [
        ("event 2", "no UID, so it could not be matched when the file is imported again"),
        ("event 3 (UID gone)", "cancelled in the file"),
        ("event 4 (UID good)", "changes one date of a repeating event (not supported yet)"),
        ("event 5 (UID nameless)", "no title"),
        ("event 6 (UID timeless)", "no start (DTSTART)"),
        ("event 7 (UID backwards)", "the end (2026-12-04 17:00) is not after the start (2026-12-04 18:00)"),
        ("event 8 (UID good)", "the same UID as event 1"),
        (
            "event 9 (UID gap)",
            "the start 2027-03-28 01:30 does not exist in Europe/London: the clocks go forward then",
        ),
        ("event 10 (UID mars)", "DTSTART is in the time zone 'Mars/Olympus', which the bot does not know"),
        ("event 11 (UID big)", "the capacity 'lots' is not a whole number above 0"),
    ]


def test_ics_file_problems_stop_the_file(tmp_path):
    garbage = tmp_path / "garbage.ics"
    garbage.write_text("this is not a calendar\n")
    with pytest.raises(SourceFormatError, match="not readable iCalendar"):
        read_event_file(garbage, LONDON)
    with pytest.raises(SourceFormatError, match="no events"):
        read_event_file(write_ics(tmp_path), LONDON)


def test_ics_extension_is_case_insensitive(tmp_path):
    path = write_ics(tmp_path, "UID:a\nSUMMARY:Club\nDTSTART:20261204T180000Z", name="Events.ICS")
    assert [r.title for r in read_event_file(path, LONDON).records] == ["Club"]
