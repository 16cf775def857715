"""The emulated Telegram over real HTTP, so separate bot processes can talk to it.

`peoplezones run` pointed at it (`PEOPLEZONES_TELEGRAM_API_URL=http://127.0.0.1:PORT/bot`) behaves
as on Telegram: it long-polls getUpdates, sends messages, downloads files. Tests use it to run two
real processes against one database and kill one (see tests/test_failover.py). Parameters arrive
as Telegram receives them, form-encoded strings (or multipart with files), and are handed to the
same method handlers as the in-process `EmulatedRequest`.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from bot.emulation.api import Upload
from bot.emulation.request import dispatch
from bot.emulation.server import EmulatedTelegram


class _ApiHandler(RequestHandler):
    def initialize(self, telegram: EmulatedTelegram) -> None:
        self.telegram = telegram

    async def post(self, token: str, method: str) -> None:
        await self._answer(token, method)

    async def get(self, token: str, method: str) -> None:
        await self._answer(token, method)

    async def _answer(self, token: str, method: str) -> None:
        params: dict[str, Any] = {k: self.get_body_argument(k) for k in self.request.body_arguments}
        params.update({k: self.get_query_argument(k) for k in self.request.query_arguments})
        if self.request.headers.get("Content-Type", "").startswith("application/json") and self.request.body:
            params.update(json.loads(self.request.body))
        files: dict[str, Upload] = {
            name: (parts[0].filename, parts[0].body, parts[0].content_type)
            for name, parts in self.request.files.items()
        }
        status, body = await dispatch(self.telegram, token, method, params, files)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(body)


class _FileHandler(RequestHandler):
    def initialize(self, telegram: EmulatedTelegram) -> None:
        self.telegram = telegram

    def get(self, token: str, path: str) -> None:
        for record in self.telegram.files.values():
            if token == self.telegram.token and record.file_path == path and record.data is not None:
                self.finish(record.data)
                return
        self.set_status(404)
        self.finish(b'{"ok":false,"error_code":404,"description":"Not Found"}')


def serve(telegram: EmulatedTelegram, host: str = "127.0.0.1", port: int = 0) -> tuple[HTTPServer, int]:
    """Start serving on the running event loop; the server and the port it listens on."""
    app = Application(
        [
            (r"/bot([^/]+)/(\w+)", _ApiHandler, {"telegram": telegram}),
            (r"/file/bot([^/]+)/(.+)", _FileHandler, {"telegram": telegram}),
        ]
    )
    sockets = bind_sockets(port, host, family=socket.AF_INET)
    server = HTTPServer(app)
    server.add_sockets(sockets)
    return server, sockets[0].getsockname()[1]
