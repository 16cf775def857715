"""Open Referral HSDS 3.0 / ORUK v3 `service_full` JSON (one, a list, or an API page) to records.

The mapping itself lives in `hsds_common` so the tabular data-package importer shares it.
"""

from __future__ import annotations

from collections.abc import Iterator

from db.importers.hsds_common import service_row, shown_id
from db.importers.recognise import NotAService, services_in_items
from db.importers.record import ParsedRow, SourceFormatError


def _services(data: object) -> list[object]:
    """The list of services in any of the shapes a feed or a saved API answer takes."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("contents", "content"):
            if key in data:
                if not isinstance(data[key], list):
                    raise SourceFormatError(f"The page's '{key}' should be a list of services.")
                return data[key]
        if "id" in data or "name" in data:
            return [data]
        raise SourceFormatError(
            "This JSON object is neither a service (no 'id' or 'name') nor a page of services "
            "('contents' or 'content')."
        )
    raise SourceFormatError(
        f"Expected a service object, a list of services or a page of services, not {_kind(data)}."
    )


def _kind(data: object) -> str:
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "true/false"
    if isinstance(data, (int, float)):
        return "a number"
    if isinstance(data, str):
        return "text"
    return type(data).__name__


def parse_service_full(data: object, name: str = "this JSON") -> Iterator[ParsedRow]:
    """One ParsedRow per service; the shape is checked before anything is yielded, and a file
    that holds no service (a taxonomy, organisations without services) is refused, naming what it
    holds (see db.importers.recognise). An organisation's services and a service at a location
    are read as services."""
    services = services_in_items(_services(data), name)
    return _rows(services)


def _rows(services: list[object]) -> Iterator[ParsedRow]:
    for n, service in enumerate(services, start=1):
        if isinstance(service, NotAService):
            yield ParsedRow(f"object {n}", error=service.reason)
            continue
        if not isinstance(service, dict):
            yield ParsedRow(f"service {n}", error=f"expected a service object, found {_kind(service)}")
            continue
        sid = shown_id(service.get("id"))
        yield service_row(service, f"service {n} (id {sid})" if sid else f"service {n} (no id)")
