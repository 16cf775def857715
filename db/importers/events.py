"""Coordinators' event files, CSV or iCalendar (.ics), read into plain records without the database.

Every row becomes either an `EventRecord` or a `RejectedRow` whose reason a coordinator can act on;
only a file that cannot be read at all raises `SourceFormatError`, so one bad row never loses the rest.
Times in a file are clock times where the events happen (`tz`); records hold aware UTC. Repeats take
the shape `bot.services.recurrence` expands: freq "WEEKLY"/"MONTHLY", an interval and an RRULE byday.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from db.importers.event_record import EventFile, EventRecord, RejectedRow
from db.importers.events_csv import CSV_COLUMNS, _read_csv
from db.importers.events_ics import _read_ics
from db.importers.record import SourceFormatError

__all__ = ["CSV_COLUMNS", "EventFile", "EventRecord", "RejectedRow", "read_event_file"]


def read_event_file(path: Path, tz: ZoneInfo) -> EventFile:
    """Read a .csv or .ics events file; per-row problems are in `rejected`, not raised."""
    readers = {".csv": _read_csv, ".ics": _read_ics}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise SourceFormatError(f"{path.name} is not a .csv or .ics events file")
    try:
        return reader(path, tz)
    except OSError as exc:
        raise SourceFormatError(f"{path.name} cannot be opened ({exc.strerror or exc})") from None
