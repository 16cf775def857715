"""Coordinators' spreadsheets (CSV) in the documented columns of `db.sheet`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from db.importers.record import ParsedRow, SourceFormatError
from db.sheet import COLUMNS, REQUIRED_COLUMNS, CellError, row_to_record, unneutralise


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


def parse_csv(path: Path, default_source: str) -> Iterator[ParsedRow]:
    """One ParsedRow per data row; `row N` counts lines as a spreadsheet shows them (header = 1)."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    try:
        header = [_header_name(c) for c in next(reader)]
    except StopIteration:
        raise SourceFormatError(f"{path.name} is empty") from None
    except csv.Error as exc:
        raise SourceFormatError(f"{path.name} is not readable CSV ({exc})") from None
    unknown = [h for h in header if h and h not in COLUMNS]
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
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            ref = f"row {line}"
            if len(cells) > len(header):
                yield ParsedRow(ref, error=f"has {len(cells)} cells but the header has {len(header)}")
                continue
            row = {h: unneutralise(c) for h, c in zip(header, cells, strict=False)}
            try:
                record = row_to_record(row, default_source).normalise()
            except CellError as exc:
                yield ParsedRow(ref, error=str(exc))
                continue
            problems = record.problems()
            yield ParsedRow(ref, record=None if problems else record, error="; ".join(problems))
    except csv.Error as exc:
        raise SourceFormatError(f"{path.name} stops being readable CSV near row {line + 1} ({exc})") from None
