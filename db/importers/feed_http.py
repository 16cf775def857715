"""Reading an Open Referral UK `/services` feed over HTTP, page by page, without being misled.

A feed URL comes from a coordinator, but where it leads does not: a redirect can point at the
machine itself, the office network or a cloud metadata address. So every connection, the first
and every redirect hop, is checked on the address the host name resolves to, and made to that
checked address; loopback, private, link-local and other non-public addresses are refused unless
the import says `allow_private`. Feeds are fetched directly, never through the proxy named in the
environment (a proxy would hide the address being reached).

Credentials in the URL (`user:password@`, `?api_key=…`) are used to fetch, and never stored:
`url_source` and `clean_source` name the source without them, `shown` prints URLs without them.

Paging is bounded: a page number that does not advance, a page of services already seen or more
than MAX_PAGES pages stop the import with one line; a failing page is tried again a few times,
waiting longer each time, before giving up.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import socket
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpcore
import httpx

from db.importers import oruk_v1
from db.importers.record import SourceFormatError

MAX_PAGES = 5_000
MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 30
RETRY_DELAYS = (1.0, 2.0, 4.0)  # seconds before the 2nd, 3rd and 4th try of a failing page
MAX_RETRY_AFTER = 30.0  # a server's Retry-After is honoured up to this
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}
_sleep = time.sleep

# Query parameters whose values are secrets, by how their names end: key, api_key, apiKey,
# access_token, password, client_secret, sig, auth...
_SECRET_NAME = re.compile(
    r"(key|token|secret|password|passwd|pwd|pass|sig|signature|auth|authorization|credentials?|"
    r"session|sessionid|jwt|bearer)$"
)
_BARE_CREDENTIALS = re.compile(r"//[^/?#]*@")
# "alice:s3cret@host/path": how a URL import was named before credentials were stripped.
_BARE_USERINFO = re.compile(r"^[^\s/@?#]+@(?=[A-Za-z0-9.\-\[\]:]+(/|\?|$))")


def is_secret_param(name: str) -> bool:
    return bool(_SECRET_NAME.search(re.sub(r"[^a-z0-9]", "", name.lower())))


def _query_without_secrets(query: str, mask: bool) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(is_secret_param(name) for name, _ in pairs):
        return query
    if mask:
        return urlencode([(n, "***" if is_secret_param(n) else v) for n, v in pairs], safe="*")
    return urlencode([(n, v) for n, v in pairs if not is_secret_param(n)])


def _without_userinfo(netloc: str) -> str:
    return netloc.rpartition("@")[2]


def url_source(url: str, keep_userinfo: bool = False) -> str:
    """The source a URL import is recognised by: host, port and path (never the query)."""
    parts = urlsplit(url)
    netloc = parts.netloc if keep_userinfo else _without_userinfo(parts.netloc)
    return f"{netloc}{parts.path}".rstrip("/")


def clean_source(source: str) -> str:
    """A source name without the credentials a URL may carry: what may be stored and exported."""
    if "@" not in source and "?" not in source:
        return source  # the usual case, kept fast: a file name or a clean URL
    if "://" in source:
        parts = urlsplit(source)
        query = _query_without_secrets(parts.query, mask=False)
        return urlunsplit(parts._replace(netloc=_without_userinfo(parts.netloc), query=query))
    head, mark, query = source.partition("?")
    if (found := _BARE_USERINFO.match(head)) and (":" in found.group(0) or "/" in head):
        head = head[found.end() :]
    return head + (mark + _query_without_secrets(query, mask=False) if mark else "")


def check_url(url: str) -> None:
    """Stop with one line if URL cannot be fetched as written (a bad port, a broken [IPv6] host)."""
    try:
        parts = urlsplit(url)
        _ = parts.port
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise SourceFormatError(f"{_BARE_CREDENTIALS.sub('//', url)} is not a usable URL ({exc})") from None
    if not parts.hostname:
        raise SourceFormatError(f"{shown(url)} names no host")


def shown(url: str | httpx.URL) -> str:
    """A URL as messages print it: no user or password, secret parameters as ***."""
    parts = urlsplit(str(url))
    query = _query_without_secrets(parts.query, mask=True)
    return urlunsplit(parts._replace(netloc=_without_userinfo(parts.netloc), query=query))


# --- where a feed may be fetched from -------------------------------------------------------


class RefusedAddress(Exception):
    """A connection to a non-public address when private targets are not allowed."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_kind(ip: IPAddress) -> str | None:
    """What kind of non-public address IP is ('loopback', 'private'...), or None if public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None and (kind := address_kind(inner)):
            return kind
    checks = (
        ("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
        ("unspecified", ip.is_unspecified), ("multicast", ip.is_multicast),
        ("private", ip.is_private), ("reserved", ip.is_reserved), ("non-public", not ip.is_global),
    )  # fmt: skip
    return next((kind for kind, hit in checks if hit), None)


def refusal(address: str, port: int) -> str | None:
    """Why a connection to ADDRESS:PORT is refused ('a loopback address'), or None if it is not.

    The port is not part of the rule; it lets a test stand a loopback port in for a public host.
    """
    kind = address_kind(ipaddress.ip_address(address.split("%", 1)[0]))
    if kind is None:
        return None
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} address"


class _CheckedBackend(httpcore.NetworkBackend):
    """Connects only to addresses that pass the check, and to exactly the address checked."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._backend = httpcore.SyncBackend()

    def _addresses(self, host: str, port: int) -> list[str]:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot find {host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        if not self.allow_private:
            for address in addresses:  # one non-public answer refuses the host: no picking
                if reason := refusal(address, port):
                    where = f"{address} is" if address == host else f"{host} is at {address},"
                    raise RefusedAddress(f"{where} {reason}")
        return addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception = httpcore.ConnectError(f"cannot find {host}")
        for address in self._addresses(host, port):
            try:
                return self._backend.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise RefusedAddress("a feed cannot be read from a local socket")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _CheckedTransport(httpx.HTTPTransport):
    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        # The same pool httpx builds, connecting through the check (httpx has no option for it).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_CheckedBackend(allow_private)
        )


def feed_client(allow_private: bool = False) -> httpx.Client:
    """A client for reading feeds: every connection checked, redirects followed by `fetch_json`."""
    return httpx.Client(
        transport=_CheckedTransport(allow_private), timeout=TIMEOUT_SECONDS, follow_redirects=False
    )


# --- one page: redirects, retries, JSON -----------------------------------------------------

_ALLOW_PRIVATE_HINT = "if you trust this feed, import it with --allow-private"


def _one_line(said: object, limit: int = 200) -> str:
    """What an error (or any value) says, on one line and at most LIMIT characters."""
    text = " ".join(str(said).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _follow(client: httpx.Client, url: str) -> httpx.Response:
    """GET URL, following up to MAX_REDIRECTS redirects, each hop through the address check."""
    request = client.build_request("GET", url, headers={"Accept": "application/json"})
    came_from: httpx.URL | None = None
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = client.send(request)
        except RefusedAddress as refused:
            if came_from is None:
                raise SourceFormatError(
                    f"refused {shown(request.url)}: {refused}; {_ALLOW_PRIVATE_HINT}"
                ) from None
            raise SourceFormatError(
                f"refused the redirect from {shown(came_from)} to {shown(request.url)}: {refused}; "
                f"{_ALLOW_PRIVATE_HINT}"
            ) from None
        if response.next_request is None:
            return response
        response.close()
        came_from, request = request.url, response.next_request
    raise SourceFormatError(f"{shown(url)} redirected more than {MAX_REDIRECTS} times; nothing read")


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("Retry-After", "")
    return min(float(value), MAX_RETRY_AFTER) if value.strip().isdigit() else default


def fetch_json(client: httpx.Client, url: str) -> Any:
    """The JSON at URL; a failing page is tried len(RETRY_DELAYS) more times, waiting longer each time."""
    tries = len(RETRY_DELAYS) + 1
    for attempt in range(tries):
        delay = RETRY_DELAYS[attempt] if attempt < len(RETRY_DELAYS) else 0.0
        try:
            response = _follow(client, url)
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            problem = _one_line(exc) or type(exc).__name__
        except httpx.HTTPError as exc:  # an unsupported redirect, a malformed URL: trying again won't help
            raise SourceFormatError(f"could not read {shown(url)}: {_one_line(exc)}") from None
        else:
            status = f"{response.status_code} {response.reason_phrase}".strip()
            if response.status_code in RETRY_STATUSES:
                problem, delay = status, _retry_after(response, delay)
            elif response.is_error:
                raise SourceFormatError(f"could not read {shown(url)}: {status}")
            else:
                return _decode(response, url)
        if attempt + 1 < tries:
            _sleep(delay)
    raise SourceFormatError(f"could not read {shown(url)} after {tries} tries: {problem}")


def _decode(response: httpx.Response, url: str) -> Any:
    try:
        return response.json()
    except RecursionError:
        raise SourceFormatError(
            f"{shown(url)} answered with JSON nested too deeply (lists or objects inside each other) "
            "to be a feed"
        ) from None
    except ValueError:
        raise SourceFormatError(f"{shown(url)} did not answer with JSON") from None


# --- the pages of a feed --------------------------------------------------------------------


def page_url(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["page"] = str(page)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _digest(services: list[Any], url: str) -> str:
    try:
        blob = json.dumps(services, sort_keys=True, ensure_ascii=False, default=str)
    except RecursionError:
        raise SourceFormatError(f"{shown(url)} answered with JSON nested too deeply to be a feed") from None
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _page_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def fetch_pages(
    url: str, client: httpx.Client | None = None, *, allow_private: bool = False
) -> Iterator[list[Any]]:
    """Follow an ORUK `/services` endpoint page by page until the last page.

    Stops with SourceFormatError (nothing is imported) when the feed's paging is broken: a page
    number that does not advance, the same services twice, or more than MAX_PAGES pages.
    """
    own = client is None
    client = client or feed_client(allow_private)
    broken = f"the paging of {shown(url)} is broken"
    try:
        asked: int | None = None  # the page number asked for; None for the URL as given
        reported: int | None = None  # the number the previous page said it was
        seen: set[str] = set()
        for count in range(1, MAX_PAGES + 1):
            target = url if asked is None else page_url(url, asked)
            data = fetch_json(client, target)
            services = oruk_v1.services_in(data)
            digest = _digest(services, target)
            if services and digest in seen:
                raise SourceFormatError(
                    f"{broken}: page {asked} holds the same services as an earlier page; "
                    f"stopped after {count} requests"
                )
            seen.add(digest)
            number = _page_number(data.get("number")) if isinstance(data, dict) else None
            if count > 1 and number is not None and reported is not None and number <= reported:
                raise SourceFormatError(
                    f"{broken}: asked for page {asked}, it answered page {number} again (its page "
                    "number does not advance); "
                    f"stopped after {count} requests"
                )
            yield services
            if not isinstance(data, dict) or data.get("last", True) or not services:
                return
            following = number + 1 if number is not None else (asked or 1) + 1
            if asked is not None and following <= asked:
                raise SourceFormatError(
                    f"{broken}: after page {asked} it points back to page {following}; "
                    f"stopped after {count} requests"
                )
            total = _page_number(data.get("totalPages"))
            if total is not None and following > total:
                return
            asked, reported = following, number if number is not None else reported
        raise SourceFormatError(f"{shown(url)} has more than {MAX_PAGES} pages; stopped there")
    finally:
        if own:
            client.close()
