"""The emulated Telegram pushing updates to a webhook, as Telegram does once `setWebhook` is set.

    pusher = WebhookPusher(telegram, targets=["http://127.0.0.1:8001", "http://127.0.0.1:8002"])
    pusher.start()
    ...
    await pusher.close()

While `telegram.webhook` is set, each update users cause is POSTed as JSON to the webhook, with
the secret token header. A person's (a chat's) updates go one at a time, in order: the next only
once the one before was answered 2xx; different chats at once, up to MAX_CONNECTIONS (Telegram's
default `max_connections` is 40). A non-2xx answer, a connection failure or a timeout is retried
after RETRY_SECONDS, as Telegram redelivers. Telegram has one URL; here TARGETS (base URLs, the
webhook's path added) stand in for a load balancer: each attempt goes to the next of them in turn.
Without targets, the webhook's own URL is used. Pushing is opt-in, so tests that post updates
themselves or hand them to the Application (`deliver`) are unaffected.

`answered[update_id]` counts the 2xx answers each update got (exactly one, when all is well);
`replies_per_message` counts the bot's messages after each of a person's messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections import Counter, deque
from typing import Any
from urllib.parse import urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from bot.emulation.server import EmulatedTelegram, Who

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_CONNECTIONS = 40
RETRY_SECONDS = 0.2
REQUEST_SECONDS = 60.0


def chat_of(update: dict[str, Any]) -> int:
    """Whose turn an update waits for: its chat (or sender); an update with neither stands alone."""
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        message = payload.get("message") if key == "callback_query" else payload
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            return int(message["chat"]["id"])
        if isinstance(payload.get("from"), dict):
            return int(payload["from"]["id"])
    return -int(update["update_id"])


class WebhookPusher:
    def __init__(
        self,
        telegram: EmulatedTelegram,
        targets: list[str] | None = None,
        *,
        retry_seconds: float = RETRY_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
        request_seconds: float = REQUEST_SECONDS,
    ) -> None:
        self.telegram = telegram
        self.targets = list(targets or [])
        self.retry_seconds = retry_seconds
        self.request_seconds = request_seconds
        self.answered: Counter[int] = Counter()  # 2xx answers per update id
        self.attempts: Counter[int] = Counter()  # POSTs per update id
        self.answered_by: Counter[str] = Counter()  # 2xx answers per target
        self.failures = 0  # attempts answered non-2xx or not at all
        self.in_flight: dict[int, str] = {}  # update id -> the target it awaits an answer from
        self._connections = asyncio.Semaphore(max_connections)
        self._turn = itertools.count()
        self._taken: set[int] = set()
        self._chains: dict[int, deque[dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._new = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._client = AsyncHTTPClient(force_instance=True, max_clients=max_connections)

    def start(self) -> None:
        self.telegram.update_listeners.append(self._new.set)
        self._runner = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.telegram.update_listeners.remove(self._new.set)
        tasks = [task for task in [self._runner, *self._tasks] if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._client.close()

    @property
    def pending(self) -> int:
        """Updates not answered 2xx yet."""
        return len(self.telegram.pending_updates)

    def target(self) -> tuple[str, str]:
        """Where the next attempt goes: the target (the webhook's URL, without targets) and the
        URL to post to."""
        url = str((self.telegram.webhook or {})["url"])
        if not self.targets:
            return url, url
        base = self.targets[next(self._turn) % len(self.targets)]
        return base, base.rstrip("/") + (urlsplit(url).path or "/")

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):  # setWebhook itself wakes nothing: look again
                await asyncio.wait_for(self._new.wait(), 0.1)
            self._new.clear()
            if self.telegram.webhook is None:
                continue
            allowed = self.telegram.webhook.get("allowed_updates")
            for update in self.telegram.pending_updates:
                update_id = update["update_id"]
                if update_id in self._taken:
                    continue
                kind = next(k for k in update if k != "update_id")
                if allowed and kind not in allowed:
                    continue
                self._taken.add(update_id)
                chat = chat_of(update)
                chain = self._chains.get(chat)
                if chain is None:
                    self._chains[chat] = deque([update])
                    task = asyncio.get_running_loop().create_task(self._send_chain(chat))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                else:
                    chain.append(update)

    async def _send_chain(self, chat: int) -> None:
        chain = self._chains[chat]
        try:
            while chain:
                update = chain[0]
                while not await self._post(update):
                    await asyncio.sleep(self.retry_seconds)
                chain.popleft()
                self.telegram.consume(update["update_id"])
        finally:
            del self._chains[chat]

    async def _post(self, update: dict[str, Any]) -> bool:
        if self.telegram.webhook is None:
            return False  # deleted meanwhile: kept until a webhook (or getUpdates) takes it
        headers = {"Content-Type": "application/json"}
        if secret := self.telegram.webhook.get("secret_token"):
            headers[SECRET_HEADER] = str(secret)
        update_id = update["update_id"]
        target, url = self.target()
        request = HTTPRequest(
            url, method="POST", headers=headers, body=json.dumps(update),
            request_timeout=self.request_seconds, connect_timeout=5.0,
        )  # fmt: skip
        self.attempts[update_id] += 1
        async with self._connections:
            self.in_flight[update_id] = target
            try:
                await self._client.fetch(request)
            except Exception as error:  # refused, reset, timed out, or answered non-2xx
                self.failures += 1
                log.debug("webhook delivery of %d to %s failed (%s)", update_id, url, type(error).__name__)
                return False
            finally:
                self.in_flight.pop(update_id, None)
        self.answered[update_id] += 1
        self.answered_by[target] += 1
        return True


def replies_per_message(telegram: EmulatedTelegram, who: Who) -> list[int]:
    """For each message the person sent, how many bot messages followed before their next one:
    when a person waits for the answer before writing again, the replies each update had."""
    counts: list[int] = []
    for message in telegram.transcript(who):
        if not message.from_bot:
            counts.append(0)
        elif counts:
            counts[-1] += 1
    return counts
