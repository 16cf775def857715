"""Write every reference table into db/data: `derive_all` and the command-line `main`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from db.reference.common import DATA_DIR, DEFAULT_SHARED, write_csv
from db.reference.demo import demo_directory_rows, read_examples
from db.reference.postcodes import POSTCODE_COLUMNS, attribution_text, postcode_district_rows
from db.sheet import COLUMNS

DEFAULT_EXAMPLES = DATA_DIR / "demo_examples.csv"


def derive_all(shared: Path, out: Path, examples: Path = DEFAULT_EXAMPLES) -> list[Path]:
    """Write every derived table into `out`; return the paths written."""
    llr = shared / "llr"
    example_postcodes = [r["postcode"] for r in read_examples(examples)]
    districts = postcode_district_rows(llr, example_postcodes)
    directory = demo_directory_rows(llr, examples, {d["district"] for d in districts})
    out.mkdir(parents=True, exist_ok=True)
    written = [
        out / "postcode_districts.csv",
        out / "postcode_districts.ATTRIBUTION.txt",
        out / "demo_directory.csv",
    ]
    write_csv(written[0], POSTCODE_COLUMNS, districts)
    written[1].write_text(attribution_text(), encoding="utf-8", newline="\n")
    write_csv(written[2], COLUMNS, directory)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m db.reference", description="Regenerate db/data tables from ../shared/data."
    )
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="where to write the tables")
    parser.add_argument(
        "--examples",
        type=Path,
        default=DEFAULT_EXAMPLES,
        help="the hand-written invented rows to append",
    )
    args = parser.parse_args(argv)
    if not (args.shared / "llr").is_dir():
        print(f"error: no llr/ folder in {args.shared}", file=sys.stderr)
        return 2
    try:
        written = derive_all(args.shared, args.out, args.examples)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0
