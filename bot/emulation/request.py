"""``EmulatedRequest``: PTB's network layer swapped for the in-process emulated Telegram.

PTB calls ``do_request`` with the Bot API URL and a ``RequestData``; we answer with the status and
JSON body Telegram would send, so ``BaseRequest._request_wrapper`` raises the same exceptions it
raises live (400 BadRequest, 403 Forbidden, 404/401 InvalidToken, 409 Conflict, 429 RetryAfter,
5xx NetworkError). Scripted timeouts and connection failures are raised directly as
``TimedOut`` / ``NetworkError``, as PTB's httpx layer does.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import unquote

from telegram._utils.types import ODVInput
from telegram.error import TelegramError
from telegram.request import BaseRequest, RequestData

from bot.emulation import bot_methods, errors, message_methods  # noqa: F401  (they register the methods)
from bot.emulation.api import METHODS, Upload
from bot.emulation.errors import ApiError
from bot.emulation.faults import raise_fault
from bot.emulation.server import ApiCall, EmulatedTelegram

_API_URL = re.compile(r"^https?://[^/]+/bot(?P<token>[^/]+)/(?P<method>\w+)$")
_FILE_URL = re.compile(r"^https?://[^/]+/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_TOKEN_SHAPE = re.compile(r"^\d+:[\w-]+$")


class EmulatedRequest(BaseRequest):
    """A BaseRequest whose "network" is an EmulatedTelegram; give the bot one per request slot."""

    __slots__ = ("_read_timeout", "telegram")

    def __init__(self, telegram: EmulatedTelegram, *, read_timeout: float | None = 5.0) -> None:
        self.telegram = telegram
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open: there is no connection pool."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one Bot API call (or file download) as Telegram would."""
        # A real request always suspends; so does this one, letting other tasks interleave.
        await asyncio.sleep(0)
        if method == "GET" and (match := _FILE_URL.match(url)):
            # PTB percent-encodes download URLs (the ":" in the token too).
            return self._download(unquote(match["token"]), unquote(match["path"]))
        match = _API_URL.match(url)
        if match is None:
            return 404, ApiError(404, errors.NOT_FOUND).payload()
        params, files = _unpack(request_data)
        return await dispatch(self.telegram, match["token"], match["method"], params, files)

    def _download(self, token: str, path: str) -> tuple[int, bytes]:
        if token == self.telegram.token:
            for record in self.telegram.files.values():
                if record.file_path == path and record.data is not None:
                    return 200, record.data
        return 404, ApiError(404, errors.NOT_FOUND).payload()


async def dispatch(
    telegram: EmulatedTelegram, token: str, name: str, params: dict[str, Any], files: dict[str, Upload]
) -> tuple[int, bytes]:
    """Run one method with faults applied; every call is logged in ``telegram.calls``."""
    try:
        result = await _call(telegram, token, name, params, files)
    except ApiError as exc:
        telegram.calls.append(ApiCall(name, params, exc.status, exc.description))
        return exc.status, exc.payload()
    except TelegramError as exc:
        telegram.calls.append(ApiCall(name, params, 0, f"{type(exc).__name__}: {exc}"))
        raise
    telegram.calls.append(ApiCall(name, params, 200))
    return 200, json.dumps({"ok": True, "result": result}).encode()


async def _call(
    telegram: EmulatedTelegram, token: str, name: str, params: dict[str, Any], files: dict[str, Upload]
) -> Any:
    if token != telegram.token:
        # Telegram: 404 for a malformed token, 401 for a well-formed unknown one.
        raise (
            ApiError(401, errors.UNAUTHORIZED)
            if _TOKEN_SHAPE.match(token)
            else ApiError(404, errors.NOT_FOUND)
        )
    handler = METHODS.get(name.lower())
    if handler is None:
        raise ApiError(404, errors.NOT_FOUND)
    fault = telegram.faults.take(name, _chat_id(params))
    if fault is not None and not fault.delivered:
        raise_fault(fault)
    result = await handler(telegram, params, files)
    if fault is not None:
        raise_fault(fault)
    return result


def _chat_id(params: dict[str, Any]) -> int | None:
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


def _unpack(request_data: RequestData | None) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters as Telegram would decode them, and uploads read into bytes."""
    if request_data is None:
        return {}, {}
    # The JSON round trip proves the parameters would survive the wire (and turns tuples to lists).
    params = json.loads(json.dumps(request_data.parameters))
    files: dict[str, Upload] = {}
    for name, field_tuple in request_data.multipart_data.items():
        filename, content, mime_type = field_tuple[0], field_tuple[1], field_tuple[2]
        data = content if isinstance(content, bytes) else content.read()
        files[name] = (filename, data, mime_type)
    return params, files
