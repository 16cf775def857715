"""Coordinators' spreadsheets (CSV) in the documented columns of `db.sheet`.

A quote out of place silently changes what a CSV says: a stray `"` opens a cell that swallows
every row after it (or, closed by another stray quote, a run of rows). The reader is strict
(a quoting error stops the file), and a cell that spans lines is checked for that symptom: a
one-line column (a name, an id, an email…) with a line break in it, or a cell holding lines that
look like rows of the file. Either stops the import, naming the row, and nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from db.importers.record import ParsedRow, SourceFormatError
from db.sheet import (
    REQUIRED_COLUMNS,
    SHEET_COLUMNS,
    CellError,
    absent_fields,
    row_to_record,
    unneutralise,
)

# Columns whose value is one line: a line break in one is a quoting mistake, not data.
ONE_LINE_COLUMNS = frozenset({
    "source", "external_id", "kind", "name", "organisation_id", "postcode", "latitude", "longitude",
    "min_age", "max_age", "zone", "email", "website", "status", "last_verified", "is_example",
    "organisation_email", "organisation_website",
})  # fmt: skip


def read_text(path: Path) -> str:
    """Spreadsheet text: UTF-8 (with or without BOM), or Windows-1252 as Excel saves it."""
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise SourceFormatError(f"{path.name} looks like a binary file, not CSV text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise SourceFormatError(f"{path.name} is not UTF-8 or Windows-1252 text") from None


def _header_name(cell: str) -> str:
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _looks_like_a_row(line: str, width: int) -> bool:
    try:
        cells = next(csv.reader([line]), [])
    except csv.Error:
        return False
    return len(cells) == width


def _runaway_cell(name: str, header: list[str], cells: list[str], row: int, first: int, last: int) -> None:
    """Stop the file if a cell of this row (lines FIRST..LAST of the file) swallowed other rows."""
    width = len(header)
    for column, cell in zip(header, cells, strict=False):
        if "\n" not in cell and "\r" not in cell:
            continue
        where = f"the {column} cell in row {row} runs on over lines {first}–{last} of the file"
        if column in ONE_LINE_COLUMNS:
            raise SourceFormatError(
                f'{name}: {where}, and a {column} is one line: is a quote (") in row {row} stray or missing?'
            )
        rows = sum(_looks_like_a_row(line, width) for line in cell.splitlines()[1:])
        # A line of prose with exactly the header's number of commas, twice, in a narrow sheet; once
        # in a wide one: that is rows of the file inside a cell, not a description.
        if width >= 3 and rows >= (1 if width >= 8 else 2):
            raise SourceFormatError(
                f"{name}: {where} and holds what look like {rows} more rows: "
                f'is a quote (") in row {row} stray or missing?'
            )


def _quoting_error(name: str, row: int, line: int, error: csv.Error) -> SourceFormatError:
    if "end of data" in str(error):
        return SourceFormatError(
            f'{name}: a quote (") opens a cell in row {row} (line {line} of the file) and never closes, '
            "so the file ends inside that cell: is the quote stray, or the file cut short?"
        )
    return SourceFormatError(
        f"{name}: row {row} (from line {line} of the file) is not readable CSV ({error}): "
        'is a quote (") in it stray or missing?'
    )


def parse_csv(path: Path, default_source: str) -> Iterator[ParsedRow]:
    """One ParsedRow per data row; `row N` counts rows as a spreadsheet shows them (header = 1),
    so a cell with line breaks in it is still one row."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    try:
        header = [_header_name(c) for c in next(reader)]
    except StopIteration:
        raise SourceFormatError(f"{path.name} is empty") from None
    except csv.Error as exc:
        raise SourceFormatError(f"{path.name} is not readable CSV ({exc})") from None
    unknown = [h for h in header if h and h not in SHEET_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown or missing:
        problems = []
        if missing:
            problems.append(f"no '{', '.join(missing)}' column")
        if unknown:
            problems.append(f"unknown columns: {', '.join(unknown[:8])}")
        raise SourceFormatError(
            f"{path.name} does not have the asset columns ({'; '.join(problems)}); "
            "see db/data/asset_template.csv"
        )
    if len(set(header)) != len(header):
        raise SourceFormatError(f"{path.name} has a column named twice")
    absent = absent_fields(header)
    row, line = 1, reader.line_num
    try:
        for cells in reader:
            row, first, line = row + 1, line + 1, reader.line_num
            if line > first:
                _runaway_cell(path.name, header, cells, row, first, line)
            if not any(c.strip() for c in cells):
                continue
            ref = f"row {row}"
            if len(cells) > len(header):
                yield ParsedRow(ref, error=f"has {len(cells)} cells but the header has {len(header)}")
                continue
            cells_by_column = {h: unneutralise(c) for h, c in zip(header, cells, strict=False)}
            try:
                record = row_to_record(cells_by_column, default_source).normalise()
            except CellError as exc:
                yield ParsedRow(ref, error=str(exc))
                continue
            problems = record.problems()
            yield ParsedRow(
                ref, record=None if problems else record, error="; ".join(problems), absent=absent
            )
    except csv.Error as exc:
        raise _quoting_error(path.name, row + 1, line + 1, exc) from None
