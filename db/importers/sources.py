"""Finding out what a file or URL holds, and reading it into ParsedRows.

Everything here happens before the database is touched: a file that is not what it claims
raises SourceFormatError and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from db.importers import oruk_v1
from db.importers.csv_sheet import parse_csv
from db.importers.feed_http import fetch_pages, url_source
from db.importers.hsds_common import json_int
from db.importers.recognise import services_in_items
from db.importers.record import ParsedRow, SourceFormatError

FORMATS = ("auto", "csv", "oruk", "hsds")
_V1_KEYS = {"regular_schedules", "eligibilitys", "contacts", "pc_targetAudience", "service_taxonomys",
            "service_at_locations", "attending_type", "attending_access"}  # fmt: skip
_V3_KEYS = {"schedules", "phones", "attributes", "cost_options", "service_areas", "contacts"}


def is_url(location: str) -> bool:
    try:
        return urlparse(location).scheme in ("http", "https")
    except ValueError:  # "http://[::1/x": a URL, if a broken one (feed_http.check_url says so)
        return location.strip().lower().startswith(("http://", "https://"))


def default_source(location: str) -> str:
    """The name re-imports of this file or feed are recognised by."""
    if is_url(location):
        return url_source(location)  # host, port and path: no user, password or query
    path = Path(location)
    if path.name == "datapackage.json":
        path = path.parent
    return path.stem if path.is_file() else path.name


def load_json(path: Path) -> Any:
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise SourceFormatError(f"{path.name} looks like a binary file, not JSON")
    try:
        return json.loads(raw.decode("utf-8-sig"), parse_int=json_int)
    except UnicodeDecodeError:
        raise SourceFormatError(f"{path.name} is not UTF-8 text") from None
    except RecursionError:
        raise SourceFormatError(
            f"{path.name} is nested too deeply (lists or objects inside each other) to be a feed"
        ) from None
    except json.JSONDecodeError as exc:
        raise SourceFormatError(
            f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "is the file complete?"
        ) from None


def json_flavour(data: Any) -> str:
    """'oruk' (UK v1) or 'hsds' (HSDS 3.0 service_full) from the shape of the records."""
    if isinstance(data, dict) and "contents" in data:
        return "hsds"
    if isinstance(data, dict) and "content" not in data:
        return "hsds"  # one object: a service_full, or something else the standard publishes
    services = oruk_v1.services_in(data)
    sample = [s for s in services[:50] if isinstance(s, dict)]
    keys = set().union(*(s.keys() for s in sample)) if sample else set()
    if keys & (_V3_KEYS - _V1_KEYS) and not keys & (_V1_KEYS - {"contacts"}):
        return "hsds"
    return "oruk"


def detect_format(location: str) -> str:
    if is_url(location):
        return "oruk"
    path = Path(location)
    if path.is_dir() or path.name.endswith("datapackage.json"):
        return "hsds"
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".json":
        return json_flavour(load_json(path))
    raise SourceFormatError(
        f"cannot tell what {path.name} is; name it .csv or .json, or give --format csv|oruk|hsds"
    )


def read_rows(location: str, fmt: str, source: str, allow_private: bool = False) -> Iterator[ParsedRow]:
    """Parse LOCATION in format FMT ('auto' detects); raises SourceFormatError for a bad file.

    A URL may lead (itself or by redirects) to a private or loopback address only if
    `allow_private`; see db.importers.feed_http."""
    if fmt not in FORMATS:
        raise SourceFormatError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    if not is_url(location) and not Path(location).exists():
        raise SourceFormatError(f"{location} does not exist")
    if fmt == "auto":
        fmt = detect_format(location)
    if is_url(location):
        if fmt != "oruk":
            raise SourceFormatError("only Open Referral UK /services feeds can be read from a URL")
        return _paged_rows(fetch_pages(location, allow_private=allow_private))
    return _PARSERS[fmt](Path(location), source)


def _paged_rows(pages: Iterator[list[Any]]) -> Iterator[ParsedRow]:
    seen = 0
    for number, page in enumerate(pages, start=1):
        services = services_in_items(page, f"page {number} of the feed")
        yield from oruk_v1.parse_services(services, start=seen)
        seen += len(services)


def _parse_oruk(path: Path, source: str) -> Iterator[ParsedRow]:
    services = services_in_items(oruk_v1.services_in(load_json(path)), path.name)
    return oruk_v1.parse_services(services)


def _parse_hsds(path: Path, source: str) -> Iterator[ParsedRow]:
    if path.is_dir() or path.name.endswith("datapackage.json"):
        from db.importers.datapackage import parse_datapackage

        return parse_datapackage(path)
    from db.importers.hsds3 import parse_service_full

    return parse_service_full(load_json(path), path.name)


def _parse_csv(path: Path, source: str) -> Iterator[ParsedRow]:
    return parse_csv(path, source)


_PARSERS: dict[str, Callable[[Path, str], Iterator[ParsedRow]]] = {
    "csv": _parse_csv,
    "oruk": _parse_oruk,
    "hsds": _parse_hsds,
}
