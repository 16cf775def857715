"""`peoplezones import URL` as an attacker or a careless feed would have it (issue 13, items 7 and 9).

Every feed is served by a local HTTP server on 127.0.0.1; nothing here sends traffic anywhere
else. A refused address is refused before any connection is made. Each test runs the CLI as a
coordinator does and checks what they see and that a refused import left the database as it was.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from bot.cli import main
from bot.clock import FakeClock
from db.importers import feed_http
from db.session import make_engine, make_sessionmaker
from tests.conftest import FIXTURES, THURSDAY_MORNING
from tests.helpers import snapshot

# (status, headers, body) for one request; the handler sees the request's path and headers.
Answer = tuple[int, dict[str, str], bytes]


class _Server:
    """A feed on 127.0.0.1 whose answers a test writes, remembering every request it got."""

    def __init__(self, answer: Callable[[BaseHTTPRequestHandler], Answer]) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append((self.path, dict(self.headers)))
                status, headers, body = answer(self)
                if status == 0:  # drop the connection without an answer
                    self.close_connection = True
                    return
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_port
        self.url = f"http://127.0.0.1:{self.port}/api/services"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def pages_asked(self) -> list[str]:
        return [parse_qs(urlparse(path).query).get("page", ["-"])[0] for path, _ in self.requests]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[BaseHTTPRequestHandler], Answer]], _Server]]:
    servers: list[_Server] = []

    def start(answer: Callable[[BaseHTTPRequestHandler], Answer]) -> _Server:
        servers.append(_Server(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries wait as they would, without the test waiting: the waits are recorded."""
    waits: list[float] = []
    monkeypatch.setattr(feed_http, "_sleep", waits.append, raising=False)
    return waits


def page_of(page: int, pages: int = 3, *, number: int | None = None, last: bool | None = None) -> bytes:
    content = [{"id": f"p{page}-{i}", "name": f"Service {page}.{i}"} for i in range(2)]
    return json.dumps({
        "totalElements": 2 * pages, "totalPages": pages, "number": page if number is None else number,
        "size": 2, "first": page == 1, "last": page == pages if last is None else last, "content": content,
    }).encode()  # fmt: skip


def asked_page(handler: BaseHTTPRequestHandler) -> int:
    return int(parse_qs(urlparse(handler.path).query).get("page", ["1"])[0])


def paged_feed(handler: BaseHTTPRequestHandler) -> Answer:
    """A council's feed: three pages of two services."""
    return 200, {}, page_of(asked_page(handler))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def database_state(url: str) -> list[tuple]:
    async def take() -> list[tuple]:
        engine = make_engine(url, FakeClock(THURSDAY_MORNING))
        try:
            return await snapshot(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(take())


@pytest.fixture
def seeded(cli_env: str, capsys: pytest.CaptureFixture[str]) -> list[tuple]:
    """A directory with something in it, so 'unchanged' means something; its state."""
    assert run(capsys, "import", str(FIXTURES / "assets_small.csv"))[0] == 0
    return database_state(cli_env)


def assert_refused(code: int, out: str, err: str, *words: str) -> None:
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("peoplezones: nothing imported: "), err
    for word in words:
        assert word in err, err
    assert "Traceback" not in err


# --- credentials ----------------------------------------------------------------------------


def test_credentials_in_the_url_are_used_but_never_stored_or_exported(
    serve, cli_env, capsys, seeded, tmp_path
):
    feed = serve(paged_feed)
    secret_url = feed.url.replace("http://", "http://alice:s3cret-pw@") + "?api_key=K3Y-123&zone=x"
    code, out, err = run(capsys, "import", secret_url, "--allow-private")
    assert code == 0, err
    assert out.startswith(f"127.0.0.1:{feed.port}/api/services: 6 created")
    # The credentials were sent to the feed, on every page...
    assert [page for page in feed.pages_asked()] == ["-", "2", "3"]
    assert all("K3Y-123" in path for path, _ in feed.requests)
    assert all(headers.get("Authorization", "").startswith("Basic ") for _, headers in feed.requests)
    # ...and kept nowhere: not in the summary, the database or either export.
    assert run(capsys, "export", str(tmp_path / "out.csv"), "--format", "csv")[0] == 0
    assert run(capsys, "export", str(tmp_path / "out.json"), "--format", "oruk")[0] == 0
    stored = repr(database_state(cli_env))
    for text in (out, err, stored, (tmp_path / "out.csv").read_text(), (tmp_path / "out.json").read_text()):
        assert "s3cret" not in text and "alice" not in text and "K3Y" not in text
    assert f"127.0.0.1:{feed.port}/api/services" in (tmp_path / "out.json").read_text()


def test_a_source_name_with_credentials_is_stored_without_them(serve, cli_env, capsys, seeded):
    feed = serve(paged_feed)
    given = "https://bob:hunter2@feeds.example.org/services?token=abc&region=llr"
    code, out, err = run(capsys, "import", feed.url, "--allow-private", "--source", given)
    assert code == 0, err
    assert out.startswith("https://feeds.example.org/services?region=llr: 6 created")
    assert "hunter2" not in repr(database_state(cli_env)) and "abc" not in out


def test_assets_stored_with_credentials_by_an_older_version_are_cleaned_not_duplicated(
    serve, cli_env, capsys, tmp_path
):
    """Earlier versions named the source 'alice:pw@host/path'; the next import renames them."""
    feed = serve(paged_feed)
    secret_url = feed.url.replace("http://", "http://alice:s3cret-pw@")
    assert run(capsys, "import", feed.url, "--allow-private")[0] == 0

    async def as_older_versions_stored_it() -> None:
        from sqlalchemy import update

        from db.models import Asset

        engine = make_engine(cli_env, FakeClock(THURSDAY_MORNING))
        async with make_sessionmaker(engine).begin() as session:
            await session.execute(
                update(Asset).values(source=f"alice:s3cret-pw@127.0.0.1:{feed.port}/api/services")
            )
        await engine.dispose()

    asyncio.run(as_older_versions_stored_it())
    code, out, err = run(capsys, "import", secret_url, "--allow-private")
    assert code == 0, err
    assert ": 0 created, " in out and "0 rejected" in out  # matched, not duplicated
    assert run(capsys, "export", str(tmp_path / "out.csv"), "--format", "csv")[0] == 0
    exported = (tmp_path / "out.csv").read_text()
    assert "s3cret" not in exported and exported.count("\n") == 7


def test_error_messages_do_not_print_credentials(serve, cli_env, capsys, seeded):
    feed = serve(lambda handler: (404, {}, b'{"error": "no such feed"}'))
    code, out, err = run(capsys, "import", feed.url.replace("http://", "http://u:pw-secret@") + "?key=KEY9",
                         "--allow-private")  # fmt: skip
    assert_refused(code, out, err, "404 Not Found", f"127.0.0.1:{feed.port}/api/services?key=***")
    assert "pw-secret" not in err and "KEY9" not in err
    assert database_state(cli_env) == seeded


# --- private and loopback targets -----------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "shown_as"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("localhost", "localhost is at 127.0.0.1, a loopback address"),  # checked on the address
        ("2130706433", "2130706433 is at 127.0.0.1, a loopback address"),  # 127.0.0.1 as a number
        ("[::ffff:127.0.0.1]", "a loopback address"),  # IPv4 in IPv6 clothing
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
    ],
)
def test_a_loopback_feed_is_refused_without_allow_private(serve, cli_env, capsys, seeded, host, shown_as):
    feed = serve(paged_feed)
    code, out, err = run(capsys, "import", f"http://{host}:{feed.port}/api/services")
    assert_refused(code, out, err, "refused", shown_as, "--allow-private")
    assert feed.requests == []  # no connection was made at all
    assert database_state(cli_env) == seeded


def test_allow_private_is_what_lets_a_loopback_feed_in(serve, cli_env, capsys, seeded):
    feed = serve(paged_feed)
    code, out, _ = run(capsys, "import", feed.url, "--allow-private")
    assert code == 0 and "6 created" in out


@pytest.fixture
def public_and_internal(serve, monkeypatch):
    """Two servers on 127.0.0.1: one stands in for a public feed host (its port counts as public),
    the other for a service on the office network that must not be reached."""
    internal = serve(lambda handler: (200, {}, page_of(1, 1)))
    public = serve(lambda handler: (302, {"Location": internal.url + "?from=redirect"}, b""))
    checked = feed_http.refusal
    monkeypatch.setattr(
        feed_http, "refusal", lambda address, port: None if port == public.port else checked(address, port)
    )
    return public, internal


def test_a_redirect_to_a_private_address_is_refused(public_and_internal, cli_env, capsys, seeded):
    public, internal = public_and_internal
    code, out, err = run(capsys, "import", public.url)
    assert_refused(
        code, out, err, f"refused the redirect from {public.url} to {internal.url}?from=redirect",
        "127.0.0.1 is a loopback address", "--allow-private",
    )  # fmt: skip
    assert len(public.requests) == 1 and internal.requests == []
    assert database_state(cli_env) == seeded


def test_redirects_are_followed_when_private_targets_are_allowed(
    public_and_internal, cli_env, capsys, seeded
):
    public, internal = public_and_internal
    code, out, err = run(capsys, "import", public.url, "--allow-private")
    assert code == 0, err
    assert "2 created" in out and len(internal.requests) == 1


def test_endless_redirects_stop(serve, cli_env, capsys, seeded):
    loop = serve(lambda handler: (302, {"Location": handler.path + "x"}, b""))
    code, out, err = run(capsys, "import", loop.url, "--allow-private")
    assert_refused(code, out, err, "redirected more than 5 times")
    assert len(loop.requests) == 6
    assert database_state(cli_env) == seeded


# --- paging -----------------------------------------------------------------------------------


def test_a_page_number_that_never_advances_stops_at_once(serve, cli_env, capsys, seeded):
    """The feed that made 9,999 requests: it always says it is page 1 of 500, and not the last."""
    calls = iter(range(1, 10_000))
    feed = serve(lambda handler: (200, {}, page_of(next(calls), 500, number=1, last=False)))
    code, out, err = run(capsys, "import", feed.url, "--allow-private")
    assert_refused(code, out, err, "paging", "is broken", "answered page 1 again")
    assert len(feed.requests) == 2
    assert database_state(cli_env) == seeded


def test_a_page_served_twice_stops(serve, cli_env, capsys, seeded):
    """A feed that ignores ?page= but counts along: the same services come back as page 2."""
    feed = serve(lambda handler: (200, {}, page_of(1, 9, number=asked_page(handler), last=False)))
    code, out, err = run(capsys, "import", feed.url, "--allow-private")
    assert_refused(code, out, err, "page 2 holds the same services as an earlier page")
    assert len(feed.requests) == 2
    assert database_state(cli_env) == seeded


def test_a_feed_with_endless_pages_stops_at_the_maximum(serve, cli_env, capsys, seeded, monkeypatch):
    monkeypatch.setattr(feed_http, "MAX_PAGES", 7)
    feed = serve(lambda handler: (200, {}, page_of(asked_page(handler), 10**9, last=False)))
    code, out, err = run(capsys, "import", feed.url, "--allow-private")
    assert_refused(code, out, err, "has more than 7 pages")
    assert len(feed.requests) == 7
    assert database_state(cli_env) == seeded


# --- retries ----------------------------------------------------------------------------------


def test_a_failing_page_is_tried_again_with_growing_waits(serve, cli_env, capsys, seeded, no_waiting):
    failures = {"503": 2, "drop": 1}

    def flaky(handler: BaseHTTPRequestHandler) -> Answer:
        page = asked_page(handler)
        if page == 2 and failures["503"]:
            failures["503"] -= 1
            return 503, {}, b"busy"
        if page == 3 and failures["drop"]:
            failures["drop"] -= 1
            return 0, {}, b""
        return paged_feed(handler)

    feed = serve(flaky)
    code, out, err = run(capsys, "import", feed.url, "--allow-private")
    assert code == 0, err
    assert "6 created" in out
    assert feed.pages_asked() == ["-", "2", "2", "2", "3", "3"]
    assert no_waiting == [1.0, 2.0, 1.0]


def test_a_page_that_keeps_failing_gives_up_with_one_line(serve, cli_env, capsys, seeded, no_waiting):
    feed = serve(lambda handler: (503, {"Retry-After": "86400"}, b"") if asked_page(handler) == 2
                 else paged_feed(handler))  # fmt: skip
    code, out, err = run(capsys, "import", feed.url, "--allow-private")
    assert_refused(code, out, err, f"could not read {feed.url}?page=2 after 4 tries: 503 Service Unavailable")
    assert feed.pages_asked() == ["-", "2", "2", "2", "2"]
    assert no_waiting == [30.0, 30.0, 30.0]  # a server's Retry-After is honoured, up to a point
    assert database_state(cli_env) == seeded


def test_an_unreachable_feed_is_tried_a_few_times_then_one_line(cli_env, capsys, seeded, no_waiting):
    code, out, err = run(capsys, "import", "http://127.0.0.1:9/services", "--allow-private")
    assert_refused(code, out, err, "could not read http://127.0.0.1:9/services after 4 tries")
    assert no_waiting == [1.0, 2.0, 4.0]
    assert database_state(cli_env) == seeded


# --- JSON nested too deeply (item 9) ----------------------------------------------------------

DEEP = "[" * 100_000


@pytest.mark.parametrize("name", ["feed.json", "datapackage.json"])
def test_deeply_nested_json_file_is_one_line(cli_env, capsys, seeded, tmp_path, name):
    deep = tmp_path / name
    deep.write_text(DEEP)
    for fmt in ("auto", "oruk", "hsds"):
        code, out, err = run(capsys, "import", str(deep), "--format", fmt)
        assert_refused(code, out, err, f"{name} is nested too deeply")
    assert database_state(cli_env) == seeded


def test_deeply_nested_json_from_a_url_is_one_line(serve, cli_env, capsys, seeded):
    feed = serve(lambda handler: (200, {}, DEEP.encode()))
    code, out, err = run(capsys, "import", feed.url, "--allow-private")
    assert_refused(code, out, err, f"{feed.url} answered with JSON nested too deeply")
    assert len(feed.requests) == 1  # a bad answer is not asked for again
    assert database_state(cli_env) == seeded


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://u:pw@[::1/services", "http://[::1/services is not a usable URL"),
        ("http://127.0.0.1:99999/services", "is not a usable URL (Port out of range"),
        ("http://u:pw@/services", "http:///services names no host"),
    ],
)
def test_a_malformed_url_is_one_line(cli_env, capsys, seeded, url, says):
    code, out, err = run(capsys, "import", url)
    assert_refused(code, out, err, says)
    assert "pw" not in err
    assert database_state(cli_env) == seeded


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://u:p@feeds.example.org/services", "https://feeds.example.org/services"),
        (
            "https://TOKEN@feeds.example.org/s?apiKey=1&access_token=2&page=3",
            "https://feeds.example.org/s?page=3",
        ),
        ("alice:pw@feeds.example.org:8080/services", "feeds.example.org:8080/services"),
        ("tok@feeds.example.org/services?Password=x&q=food", "feeds.example.org/services?q=food"),
        ("alice@example.org", "alice@example.org"),  # a name, not a URL with credentials
        ("council feed?", "council feed?"),
        ("llr-foodbanks", "llr-foodbanks"),
    ],
)
def test_clean_source_keeps_names_and_drops_credentials(given, stored):
    assert feed_http.clean_source(given) == stored


def test_shown_masks_secrets_but_keeps_the_rest():
    assert (
        feed_http.shown("https://u:p@h.example/s?page=2&api_key=SECRET&zone=x")
        == "https://h.example/s?page=2&api_key=***&zone=x"
    )
