"""What an Open Referral JSON object is: a service, or something else the standard publishes
beside services (an organisation, a service at a location, a location, a taxonomy, a taxonomy
term), told apart by the fields only that kind has.

The directory holds services, so each object is read as what it is: a service as itself; an
organisation with its services (`organization_full`) as those services, run by it; a service at
a location (`service_at_location_full`) as its service, at that location; anything else is not
a service. A file with no service in it is refused with one line that says what it holds, so a
taxonomy never becomes an asset called "name" and an organisation never becomes a service named
after itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.importers.record import SourceFormatError

SERVICE = "service"
# Fields only a service has (HSDS 1.1 to 3.0 and Open Referral UK v1), and our own extension.
SERVICE_KEYS = frozenset({
    "status", "service_at_locations", "regular_schedules", "organization", "fees",
    "fees_description", "cost_options", "eligibility_description", "eligibilitys", "eligibilities",
    "eligibility", "minimum_age", "maximum_age", "accreditations", "assured_date", "assurer_email",
    "service_areas", "service_taxonomys", "service_taxonomies", "alert", "interpretation_services",
    "application_process", "wait_time", "attending_type", "attending_access", "deliverable_type",
    "pc_targetAudience", "pc_attendingAccess_additionalInfo", "pz_asset", "program_id",
    "required_documents",
})  # fmt: skip
# Fields that mark the other kinds, in the order they are tried (a service has none of them).
OTHER_KINDS = (
    ("location", frozenset({
        "latitude", "longitude", "location_type", "transportation", "addresses",
        "physical_addresses", "postal_addresses", "accessibility_for_disabilities",
        "external_identifier", "external_identifier_type",
    })),
    ("taxonomy", frozenset({"taxonomy_terms", "version"})),
    ("taxonomy term", frozenset({"term", "parent_id", "term_uri", "taxonomy_id", "vocabulary", "parent"})),
    ("organisation", frozenset({
        "organization_identifiers", "legal_status", "year_incorporated", "parent_organization_id",
        "logo", "tax_status", "tax_id", "website", "programs", "services",
    })),
)  # fmt: skip
# How a refusal names what the file holds instead.
HOLDS = {
    "location": "locations",
    "taxonomy": "an Open Referral taxonomy (the categories services are filed under)",
    "taxonomy term": "taxonomy terms (the categories services are filed under)",
    "organisation": "organisations with no services in them",
}


@dataclass(frozen=True)
class NotAService:
    """An object in a list of services that is something else: a rejected row, with the reason."""

    kind: str

    @property
    def reason(self) -> str:
        article = "an" if self.kind[0] in "aeiou" else "a"
        return f"is {article} {self.kind}, not a service"


def kind_of(obj: dict[str, Any]) -> str:
    """'service', 'organisation', 'service at location', 'location', 'taxonomy' or
    'taxonomy term'. An object with nothing but an id, a name and a description is taken as a
    service: nothing says otherwise."""
    if isinstance(obj.get("service"), dict):
        return "service at location"
    if isinstance(obj.get("services"), list):
        return "organisation"
    keys = set(obj)
    if keys & SERVICE_KEYS:
        return SERVICE
    for kind, marks in OTHER_KINDS:
        if keys & marks:
            return kind
    return SERVICE


def _organisation_only(org: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in org.items() if key != "services"}


def services_of(obj: Any) -> tuple[list[Any], str]:
    """The services an object stands for, and its kind: a service itself, an organisation's
    services (each run by it, unless it names its own organisation), a service at a location's
    service at that location; no services for anything else. Non-objects pass through (the
    parsers reject them row by row)."""
    if not isinstance(obj, dict):
        return [obj], SERVICE
    kind = kind_of(obj)
    if kind == SERVICE:
        return [obj], kind
    if kind == "organisation" and isinstance(obj.get("services"), list):
        org = _organisation_only(obj)
        services = []
        for service in obj["services"]:
            if isinstance(service, dict) and not isinstance(service.get("organization"), dict):
                service = {**service, "organization": org}
            services.append(service)
        return services, kind
    if kind == "service at location":
        service = dict(obj["service"])
        if not service.get("service_at_locations") and isinstance(obj.get("location"), dict):
            place = {key: value for key, value in obj.items() if key != "service"}
            service["service_at_locations"] = [place]
        return [service], kind
    return [], kind


def services_in_items(items: list[Any], name: str) -> list[Any]:
    """The services a list of Open Referral objects holds, with a NotAService in place of each
    object that is something else (a rejected row); SourceFormatError (one line naming the file
    and what it holds) if it holds objects and none of them is or has a service."""
    services: list[Any] = []
    kinds: dict[str, int] = {}
    for item in items:
        found, kind = services_of(item)
        expanded = (
            kind == "organisation" and isinstance(item, dict) and isinstance(item.get("services"), list)
        )
        services.extend(found if found or expanded else [NotAService(kind)])
        kinds[kind] = kinds.get(kind, 0) + 1
    if items and not any(not isinstance(s, NotAService) for s in services):
        kind = max(kinds, key=lambda k: kinds[k])
        holds = HOLDS.get(kind, f"{kind}s")
        raise SourceFormatError(
            f"{name} holds {holds}, not services: there is nothing in it to import as assets"
        )
    return services
