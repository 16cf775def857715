"""`peoplezones run` in webhook mode, in-process against the emulated Telegram over HTTP: the
webhook is registered with a secret, updates posted with it are answered, others are refused, and
/health says who leads and whether the database answers. Plus the JSON log format."""

import asyncio
import json
import logging
import socket

import httpx

from bot.config import Settings, default_zones
from bot.emulation import EmulatedTelegram
from bot.emulation.http import serve as serve_telegram
from bot.emulation.processes import until
from bot.logs import JsonFormatter
from bot.production import serve

FAILURE_BOUND = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_answers_with_the_secret_and_reports_health(database_url):
    telegram = EmulatedTelegram(token="123456:TEST", rate_limits=False)
    server, api_port = serve_telegram(telegram)
    settings = Settings(
        database_url=database_url, zones=default_zones(), bot_token="123456:TEST",
        telegram_api_url=f"http://127.0.0.1:{api_port}/bot",
    )  # fmt: skip
    port = free_port()
    running = asyncio.create_task(serve(settings, "https://bot.example.org/", port))
    try:
        await until(lambda: telegram.webhook is not None, FAILURE_BOUND)
        assert telegram.webhook["url"] == "https://bot.example.org/telegram"
        secret = telegram.webhook["secret_token"]
        ann = telegram.user("Ann")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            health = await client.get("/health")
            assert health.status_code == 200
            assert health.json() == {"status": "ok", "role": "leader", "database": "ok"}
            update = ann.send("/start")
            refused = await client.post(
                "/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
            )
            assert refused.status_code == 403
            taken = await client.post(
                "/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
            assert taken.status_code == 200
            await until(lambda: len([m for m in telegram.transcript(ann) if m.from_bot]) >= 2, FAILURE_BOUND)
            assert any("People Zones" in m.plain for m in telegram.transcript(ann) if m.from_bot)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        server.stop()


def test_json_logs_are_one_object_per_line_with_extra_fields():
    record = logging.makeLogRecord(
        {"name": "bot.notices", "levelno": logging.INFO, "levelname": "INFO", "msg": "sent %d", "args": (3,)}
    )
    record.kind = "event"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "sent 3" and entry["logger"] == "bot.notices" and entry["kind"] == "event"
    assert entry["level"] == "info" and entry["time"].endswith("+00:00")
