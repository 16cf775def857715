"""The directory as a coordinators' spreadsheet, safe to open in Excel."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from typing import TextIO

from db.importers.record import AssetRecord
from db.sheet import SHEET_COLUMNS, neutralise, record_to_row


async def write_csv(records: AsyncIterator[AssetRecord], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=SHEET_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    async for record in records:
        writer.writerow({k: neutralise(v) for k, v in record_to_row(record).items()})
        count += 1
    return count
