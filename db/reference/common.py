"""What every reference table shares: where files live, CSV in and out, and cell formatting."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from db.text import clean_text, normalise_postcode

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_DIR / "db" / "data"
DEFAULT_SHARED = PROJECT_DIR.parent / "shared" / "data"

_REGIONS = frozenset(
    {
        "leicestershire", "rutland", "derbyshire", "lincolnshire", "nottinghamshire",
        "northamptonshire", "warwickshire", "east midlands", "england", "uk", "united kingdom",
    }
)  # fmt: skip
# Words that make an address line a street or a building rather than a village or suburb.
_NOT_PLACE_WORDS = frozenset(
    {
        "road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "drive", "dr", "close", "way", "walk",
        "court", "gate", "place", "pl", "crescent", "square", "sq", "row", "terrace", "parade", "grove",
        "rise", "mews", "hill", "centre", "center", "ctr", "ctre", "house", "hse", "surgery", "church",
        "hall", "school", "library", "practice", "prac", "pract", "building", "office", "services", "unit",
        "sands", "nook", "banks", "stackyard", "box", "allocation",
    }
)  # fmt: skip
_NEAR = re.compile(r"^(?:nr\b\.?|near\b)", re.IGNORECASE)


# --- reading and writing -------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every row as cleaned strings: the shared files are untrusted (stray spaces, BOMs, NBSPs)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {clean_text(k): clean_text(v) for k, v in row.items() if k is not None}
            for row in csv.DictReader(handle)
        ]


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    """UTF-8, `\\n` endings, minimal quoting: the same input always gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=list(columns), lineterminator="\n", quoting=csv.QUOTE_MINIMAL
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


# --- small cleaners --------------------------------------------------------------------------


def format_phone(text: str) -> str:
    """'01162793308' -> '0116 279 3308': UK numbers spaced the way people read them aloud."""
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    if len(digits) != 11 or not digits.startswith("0"):
        return clean_text(text)
    if digits.startswith("02"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if re.match(r"^01\d1|^011", digits) or digits[1] in "3589":
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"


def format_coordinate(value: str) -> str:
    """Five decimal places (about a metre); blank when the source has no usable number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{number:.5f}" if number == number else ""


def _is_locality(part: str) -> bool:
    """'Enderby' or 'Eyres Monsell' (a place), not '23 Kingsway' or 'Hinckley Health Centre'."""
    words = re.findall(r"[a-z]+", part.lower())
    return bool(words) and not re.search(r"\d", part) and not set(words) & _NOT_PLACE_WORDS


def split_address(lines: Iterable[str], postcode: str = "") -> tuple[str, str]:
    """Address lines -> (street address, town), dropping counties, 'Nr X' and the postcode.

    The town is the last line, or the village or suburb just before it when there is one:
    'Whitwick Road, Coalville, Leicester' is in Coalville, whatever the post town says.
    """
    parts: list[str] = []
    for line in lines:
        for part in (line or "").split(","):
            part = re.sub(r"(\w)&\s", r"\1 & ", clean_text(part))
            if not part or part.lower() in _REGIONS or _NEAR.match(part):
                continue
            if postcode and normalise_postcode(part) == postcode:
                continue
            parts.append(part)
    if not parts:
        return "", ""
    if len(parts) >= 3 and _is_locality(parts[-2]):
        return ", ".join(parts[:-2]), parts[-2]
    return ", ".join(parts[:-1]), parts[-1]
