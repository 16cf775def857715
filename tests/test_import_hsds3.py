"""HSDS 3.0 / ORUK v3 service_full JSON -> AssetRecords (db.importers.hsds3)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from db.importers.hsds3 import parse_service_full
from db.importers.record import SourceFormatError

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ORUK = SHARED / "oruk"
needs_shared = pytest.mark.skipif(
    not SHARED.exists(), reason="../shared/data is not here (only on developer machines and CI)"
)


def _service(**overrides: Any) -> dict[str, Any]:
    """A complete, valid HSDS 3.0 service_full in Leicester."""
    service: dict[str, Any] = {
        "id": "svc-1",
        "name": "  Belgrave   Food Bank ",
        "description": "<p>Food parcels &amp; advice.</p><ul><li>Tins</li></ul>",
        "url": "https://example.org/food",
        "email": "food@example.org",
        "status": "Temporarily_Closed",
        "fees_description": "Free",
        "eligibility_description": "<b>Referral</b> from a GP",
        "assured_date": "2025-02-03T10:00:00Z",
        "attending_access": "Drop-in, or by appointment",
        "organization": {
            "id": "org-1",
            "name": "Belgrave Trust",
            "url": "https://trust.example.org",
            "email": "hello@trust.example.org",
            "phones": [{"number": "0116 000 0000"}],
        },
        "cost_options": [
            {"option": "Hot meal", "amount": 2.5, "currency": "GBP"},
            {"option": "Delivery", "amount": 3, "currency": "EUR", "amount_description": "per trip"},
        ],
        "contacts": [{"name": "Ann", "phones": [{"number": "0116 222 2222"}]}],
        "languages": [{"name": "Gujarati", "code": "gu"}, {"code": "pa"}, "Urdu"],
        "schedules": [
            {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:30:00", "closes_at": "12:00"},
            {"freq": "WEEKLY", "byday": "SA", "opens_at": "10am", "closes_at": "1pm"},
        ],
        "holiday_schedules": [
            {"closed": True, "start_date": "2025-12-25", "end_date": "2025-12-26"},
            {"closed": False, "start_date": "2025-12-24", "opens_at": "10:00", "closes_at": "13:00"},
        ],
        "service_at_locations": [
            {"id": "sal-0"},  # no location: the next one is used
            {
                "id": "sal-1",
                "location": {
                    "id": "loc-1",
                    "name": "Belgrave Neighbourhood Centre",
                    "latitude": "52.6497",
                    "longitude": -1.1269,
                    "addresses": [
                        {
                            "address_1": "Rothley Street",
                            "address_2": "Belgrave",
                            "city": "Leicester",
                            "postal_code": "le4 6la",
                        }
                    ],
                    "accessibility": [
                        {"description": "Step-free entrance", "details": "Hearing loop at desk."}
                    ],
                    "phones": [{"number": "0116 111 1111"}],
                },
            },
        ],
        "attributes": [
            {
                "taxonomy_term": {
                    "id": "t1",
                    "code": "food",
                    "name": "Food banks",
                    "taxonomy_detail": {"name": "Open Eligibility"},
                }
            },
            {"taxonomy_term": {"id": "t2", "term": "Advice", "vocabulary": "local"}},
            {"taxonomy_term": {"id": "t3"}},  # no name: skipped
        ],
        "service_areas": [{"name": "Leicester"}],
    }
    service.update(overrides)
    return service


def _one(data: object):
    rows = list(parse_service_full(data))
    assert len(rows) == 1
    assert rows[0].error == ""
    return rows[0].record


def test_full_service_maps_every_field() -> None:
    record = _one(_service())
    assert record.problems() == []
    assert record.external_id == "svc-1"
    assert record.name == "Belgrave Food Bank"
    assert record.description == "Food parcels & advice.\n\n• Tins"
    assert record.website == "https://example.org/food"
    assert record.email == "food@example.org"
    assert record.status == "temporarily closed"
    assert record.cost == "Free; Hot meal: £2.50; Delivery: 3 EUR per trip"
    assert record.eligibility == "Referral from a GP"
    assert record.last_verified == date(2025, 2, 3)
    assert record.access == ["drop-in", "appointment"]
    assert record.address == "Rothley Street, Belgrave"
    assert record.town == "Leicester"
    assert record.postcode == "LE4 6LA"
    assert (record.latitude, record.longitude) == (52.6497, -1.1269)
    assert record.accessibility == "Step-free entrance. Hearing loop at desk."
    assert record.phone == "0116 111 1111"  # no service phone: the location's comes next
    assert record.languages == ["gu", "pa", "ur"]
    assert record.opening_hours == [
        {"day": "mon", "opens": "09:30", "closes": "12:00"},
        {"day": "wed", "opens": "09:30", "closes": "12:00"},
        {"day": "sat", "opens": "10:00", "closes": "13:00"},
    ]
    assert record.holiday_closures == [
        {"start": "2025-12-24", "end": "2025-12-24", "closed": False, "opens": "10:00", "closes": "13:00"},
        {"start": "2025-12-25", "end": "2025-12-26", "closed": True, "opens": "", "closes": ""},
    ]
    assert record.taxonomy_terms == [
        {"vocabulary": "Open Eligibility", "code": "food", "name": "Food banks"},
        {"vocabulary": "local", "code": "t2", "name": "Advice"},
    ]
    org = record.organisation
    assert (org.external_id, org.name, org.website, org.email, org.phone) == (
        "org-1",
        "Belgrave Trust",
        "https://trust.example.org",
        "hello@trust.example.org",
        "0116 000 0000",
    )


def test_service_phone_comes_before_location_and_contact() -> None:
    record = _one(_service(phones=[{"number": '"0116 999 9999"', "extension": "12"}]))
    assert record.phone == "0116 999 9999 ext. 12"


def test_contact_phone_used_when_nothing_else() -> None:
    record = _one(_service(service_at_locations=[]))
    assert record.phone == "0116 222 2222"
    assert record.address == "" and record.latitude is None


def test_ages_from_service_then_eligibility_then_attributes() -> None:
    record = _one(_service(minimum_age=16, maximum_age="25"))
    assert (record.min_age, record.max_age) == (16, 25)
    record = _one(_service(eligibilitys=[{"minimum_age": "5", "maximum_age": 11}]))
    assert (record.min_age, record.max_age) == (5, 11)
    attributes = [
        {"taxonomy_term": {"code": "minimum_age", "name": "Minimum age"}, "value": "18"},
        {"taxonomy_term": {"name": "Maximum age"}, "value": 64},
    ]
    record = _one(_service(attributes=attributes))
    assert (record.min_age, record.max_age) == (18, 64)


def test_out_of_range_values_become_unknown_not_errors() -> None:
    location = {"latitude": 100, "longitude": 101, "addresses": []}
    service = _service(maximum_age=999, service_at_locations=[{"location": location}])
    record = _one(service)
    assert record.max_age is None
    assert record.latitude is None and record.longitude is None
    half = _service(service_at_locations=[{"location": {"latitude": 52.6}}])
    assert _one(half).latitude is None


def test_minimum_above_maximum_is_an_error_row() -> None:
    rows = list(parse_service_full(_service(minimum_age=30, maximum_age=10)))
    assert rows[0].record is None
    assert rows[0].error == "minimum age is above maximum age"


@pytest.mark.parametrize(
    ("status", "expected"),
    [("active", "active"), ("INACTIVE", "inactive"), ("defunct", "defunct"), ("bogus", "active"),
     (None, "active"), ("temporarily closed", "temporarily closed")],
)  # fmt: skip
def test_status_mapping(status: object, expected: str) -> None:
    assert _one(_service(status=status)).status == expected


def test_attending_words_map_to_access_modes() -> None:
    record = _one(_service(attending_type=["Phone", "Online"], attending_access="Self referral"))
    assert record.access == ["phone", "online"]  # self referral needs no referral
    record = _one(_service(attending_access="", attending_type="Home visit; Membership only"))
    assert record.access == ["home visit", "membership"]
    record = _one(_service(attending_access="", attending_type="Venue"))
    assert record.access == []


def test_unreadable_schedules_are_skipped_not_fatal() -> None:
    schedules = [
        {"freq": "WEEKLY", "byday": "XX", "opens_at": "09:00", "closes_at": "17:00"},
        {"freq": "WEEKLY", "byday": "1MO", "opens_at": "09:00", "closes_at": "17:00"},
        {"freq": "MONTHLY", "byday": "TU", "opens_at": "09:00", "closes_at": "17:00"},
        {"freq": "WEEKLY", "interval": 2, "byday": "TU", "opens_at": "09:00", "closes_at": "17:00"},
        {"freq": "WEEKLY", "byday": "TU", "opens_at": "17:00", "closes_at": "09:00"},
        {"freq": "WEEKLY", "byday": "TU", "opens_at": "noon", "closes_at": "17:00"},
        {"freq": "WEEKLY", "byday": ["TU"], "opens_at": {"h": 9}, "closes_at": None},
        "not a schedule",
        {"weekday": "Friday", "opens_at": "14:00", "closes_at": "16:00"},
        {"freq": "weekly", "byday": "TH", "opens_at": "9", "closes_at": "5pm"},
    ]
    record = _one(_service(schedules=schedules, service_at_locations=[]))
    assert record.opening_hours == [
        {"day": "thu", "opens": "09:00", "closes": "17:00"},
        {"day": "fri", "opens": "14:00", "closes": "16:00"},
    ]


def test_location_schedules_used_and_other_locations_schedules_ignored() -> None:
    location = {"id": "loc-1", "schedules": [{"byday": "SU", "opens_at": "10", "closes_at": "12"}]}
    schedules = [
        {"byday": "MO", "opens_at": "9", "closes_at": "10", "location_id": "loc-1"},
        {"byday": "TU", "opens_at": "9", "closes_at": "10", "location_id": "loc-elsewhere"},
    ]
    record = _one(_service(schedules=schedules, service_at_locations=[{"location": location}]))
    assert [s["day"] for s in record.opening_hours] == ["mon", "sun"]


def test_wrong_types_inside_a_service_do_not_crash() -> None:
    record = _one(
        _service(
            schedules="Mon 9-5",
            organization="Belgrave Trust",
            attributes=[None, {"taxonomy_term": "food"}],
            service_at_locations=[{"location": 5}, "x"],
            languages={"name": "Polish"},
            cost_options=[{"amount": "free"}],
            assured_date="last week",
            description=["not", "text"],
        )
    )
    assert record.opening_hours == []
    assert record.organisation is None
    assert record.taxonomy_terms == []
    assert record.languages == ["pl"]
    assert record.cost == "Free"
    assert record.last_verified is None
    assert record.description == ""


def test_list_with_bad_elements_keeps_the_good_ones() -> None:
    rows = list(parse_service_full([_service(), 42, _service(id="svc-2", name=""), {"name": "X"}]))
    assert [r.ref for r in rows] == [
        "service 1 (id svc-1)",
        "service 2",
        "service 3 (id svc-2)",
        "service 4 (no id)",
    ]
    assert rows[0].record is not None and rows[0].record.name == "Belgrave Food Bank"
    assert rows[1].error == "expected a service object, found a number"
    assert rows[2].error == "the service has no name"
    assert rows[3].error == "the service has no id"


@pytest.mark.parametrize("key", ["contents", "content"])
def test_page_objects(key: str) -> None:
    rows = list(parse_service_full({"total_items": 2, key: [_service(), _service(id="svc-2")]}))
    assert [r.record.external_id for r in rows] == ["svc-1", "svc-2"]


@pytest.mark.parametrize("data", [7, 3.5, "text", None, True, {"total": 1}, {"contents": "x"}])
def test_shapes_that_are_not_services_raise(data: object) -> None:
    with pytest.raises(SourceFormatError) as raised:
        parse_service_full(data)
    message = str(raised.value)
    assert message.endswith(".") and message.count(". ") == 0


def test_a_number_is_named_in_the_message() -> None:
    with pytest.raises(SourceFormatError, match="not a number"):
        list(parse_service_full(12))


def test_empty_list_yields_nothing() -> None:
    assert list(parse_service_full([])) == []


@needs_shared
def test_shared_service_full_example() -> None:
    data = json.loads((ORUK / "uk_profile_v3_examples" / "service_full.json").read_text())
    record = _one(data)
    assert record.problems() == []
    assert record.external_id == "ac148810-d857-441c-9679-408f346de14b"
    assert record.name == "Community Counselling"
    assert record.organisation.name == "Example Organization Inc."
    assert record.organisation.website == "http://example.com"
    assert record.website == "http://example.com/counselling"
    assert (record.min_age, record.max_age) == (12, 100)
    assert record.address == "1-30 Main Street"
    assert record.town == "MyCity"
    assert record.postcode == "ABC 1234"  # not a UK postcode: kept as given
    assert record.latitude is None and record.longitude is None  # the example says 100, 101
    assert record.opening_hours == [
        {"day": "thu", "opens": "10:00", "closes": "18:00"},
        {"day": "fri", "opens": "10:00", "closes": "18:00"},
    ]
    assert record.taxonomy_terms == [
        {"vocabulary": "taxonomy", "code": "3f7b145d-84af-42d7-8fae-eaca714b02b2", "name": "name"}
    ]
    assert record.cost == "fees_description; Under 18s and Over 60s: £35 per 1 hour session"
    assert record.access == ["online"]  # "remotely via video conferencing"
    assert record.accessibility.startswith("The building is equipped with induction loops")
    assert record.last_verified == date(2005, 1, 1)
    assert record.languages == []  # the example's language has only an id


@needs_shared
def test_shared_service_list_page() -> None:
    data = json.loads((ORUK / "uk_profile_v3_examples" / "service_list.json").read_text())
    rows = list(parse_service_full(data))
    assert [r.record.name for r in rows] == ["Community Counselling"]
    assert rows[0].record.organisation.name == "Example Organization Inc."


@needs_shared
def test_shared_north_lincolnshire_feed_reads_without_errors() -> None:
    data = json.loads((ORUK / "north_lincolnshire_services.json").read_text(encoding="utf-8"))
    rows = list(parse_service_full(data))
    assert len(rows) == 738
    assert [r.error for r in rows if r.error] == []
    first = rows[0].record
    assert first.name == '"We are with You" WAWY'
    assert first.organisation.name == "Victor House"
    assert "<p>" not in first.description and "Drug & Alcohol" in first.description
    assert sum("drop-in" in r.record.access for r in rows) == 27
