"""Open Referral UK v1: the real North Lincolnshire feed, a full record, paged URLs, broken JSON."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from db.importers.pipeline import import_source
from db.importers.record import SourceFormatError
from tests.conftest import FIXTURES, SHARED_DATA, needs_shared
from tests.helpers import asset_named, count_assets, snapshot

NORTH_LINCS = SHARED_DATA / "oruk" / "north_lincolnshire_services.json"


@needs_shared
async def test_real_north_lincolnshire_feed_imports_every_named_service(sessions):
    services = json.loads(NORTH_LINCS.read_text(encoding="utf-8"))["content"]
    named = [s for s in services if s["name"].strip()]
    report = await import_source(sessions, str(NORTH_LINCS))
    assert report.format == "auto"
    assert report.created == len(named) == 738
    assert report.rejected == []
    wawy = await asset_named(sessions, '"We are with You" WAWY')
    assert wawy.description.startswith("Struggling with Drug & Alcohol Addiction?")
    assert "<p>" not in wawy.description and "&nbsp;" not in wawy.description
    assert str(wawy.last_verified) == "2024-12-10"
    assert wawy.external_id == "738f94e0-aa6c-6a5c-2395-7b64421ba2a5"
    with_audience = next(s for s in services if len(s["pc_targetAudience"]) > 5)
    asset = await asset_named(sessions, with_audience["name"].strip())
    assert "Carers" in asset.audiences and "Armed Forces" in asset.audiences
    venue = next(s for s in services if s["attending_access"] == "Drop-in")
    assert "drop-in" in (await asset_named(sessions, venue["name"].strip())).access

    again = await import_source(sessions, str(NORTH_LINCS), fmt="oruk")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 738)


async def test_full_v1_record_keeps_location_hours_contacts_and_terms(sessions):
    report = await import_source(sessions, str(FIXTURES / "oruk_v1_full.json"))
    assert report.created == 1
    assert [ref for ref, _ in report.rejected] == ["service 2 (id svc-2)", "service 3"]
    advice = await asset_named(sessions, "Hinckley Money Advice")
    assert advice.description == "Free debt advice & help with bills.\n\n• Budgeting\n\n• Benefits checks"
    assert advice.access == ["appointment", "phone"]
    assert "How to access: Self referral" in advice.eligibility
    assert advice.min_age == 18 and advice.max_age is None
    assert advice.phone == "01455 000000"
    assert (advice.town, advice.postcode, advice.postcode_district) == ("Hinckley", "LE10 1AA", "LE10")
    assert advice.opening_hours == [
        {"day": "mon", "opens": "09:00", "closes": "17:00"},
        {"day": "tue", "opens": "09:00", "closes": "12:30"},
        {"day": "wed", "opens": "09:00", "closes": "12:30"},
    ]
    assert advice.holiday_closures[0]["start"] == "2026-12-25"
    assert advice.taxonomy_terms == [{"vocabulary": "example", "code": "DEBT", "name": "Debt advice"}]
    assert advice.languages == ["en", "pl"]
    assert advice.accessibility == "Step-free entrance."
    assert advice.audiences == ["Adults"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"content": [{"id": "a", "name": "Cut', "not valid JSON"),
        ("42", "not an Open Referral UK services feed"),
        ('{"services": []}', "not an Open Referral UK services feed"),
        ("\x00\x01\x02binary", "binary"),
    ],
)
async def test_broken_json_stops_and_leaves_the_database_as_it_was(sessions, tmp_path, content, message):
    await import_source(sessions, str(FIXTURES / "oruk_v1_full.json"))
    before = await snapshot(sessions)
    broken = tmp_path / "oruk_v1_full.json"
    broken.write_text(content)
    with pytest.raises(SourceFormatError, match=message):
        await import_source(sessions, str(broken), fmt="oruk")
    assert await snapshot(sessions) == before


class _PagedFeed(BaseHTTPRequestHandler):
    """A council's /services endpoint, three pages of two services, on the loopback interface."""

    def do_GET(self) -> None:
        page = int(parse_qs(urlparse(self.path).query).get("page", ["1"])[0])
        content = [{"id": f"p{page}-{i}", "name": f"Service {page}.{i}"} for i in range(2)]
        body = json.dumps({"totalElements": 6, "totalPages": 3, "number": page, "size": 2,
                           "first": page == 1, "last": page == 3, "content": content}).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PagedFeed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/services"
    server.shutdown()
    server.server_close()


async def test_feed_url_is_followed_page_by_page(sessions, feed_url):
    report = await import_source(sessions, feed_url, allow_private=True)
    assert report.created == 6
    assert report.source == f"{feed_url.split('//')[1]}"
    assert await count_assets(sessions) == 6
    assert (await asset_named(sessions, "Service 3.1")).external_id == "p3-1"


async def test_unreachable_feed_is_a_clear_error(sessions, monkeypatch):
    monkeypatch.setattr("db.importers.feed_http._sleep", lambda seconds: None)
    with pytest.raises(SourceFormatError, match="could not read"):
        await import_source(sessions, "http://127.0.0.1:9/services", allow_private=True)


async def test_a_loopback_feed_is_refused_unless_allowed(sessions, feed_url):
    with pytest.raises(SourceFormatError, match=r"127\.0\.0\.1 is a loopback address"):
        await import_source(sessions, feed_url)
    assert await count_assets(sessions) == 0
