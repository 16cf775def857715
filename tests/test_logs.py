"""The bot token stays out of the logs from the very first line: building the application (where
PTB logs the Bot API URL, token and all, at DEBUG), starting it and answering over real HTTP (where
httpx logs every request URL)."""

import logging

import pytest

from bot.app import build_application, start_bot, stop_bot
from bot.config import Settings, default_zones
from bot.emulation import EmulatedTelegram, deliver
from bot.emulation.http import serve as serve_telegram
from bot.logs import QUIET_LOGGERS

TOKEN = "735914:AAHnever-in-a-log-xq7"  # a token no other test has used, so none has redacted it yet


@pytest.fixture
def loud_libraries():
    """The libraries' loggers as an operator may have left them (at DEBUG, or never set): nothing
    this process did before the test keeps them quiet."""
    loggers = {name: logging.getLogger(name) for name in QUIET_LOGGERS}
    levels = {name: logger.level for name, logger in loggers.items()}
    for logger in loggers.values():
        logger.setLevel(logging.NOTSET)
    yield
    for name, logger in loggers.items():
        logger.setLevel(levels[name])


async def test_the_token_never_reaches_a_debug_log_while_building_starting_and_answering(
    database_url, caplog, loud_libraries
):
    caplog.set_level(logging.DEBUG)
    telegram = EmulatedTelegram(token=TOKEN, rate_limits=False)
    server, port = serve_telegram(telegram)
    settings = Settings(
        database_url=database_url, zones=default_zones(), telegram_api_url=f"http://127.0.0.1:{port}/bot"
    )
    try:
        app = build_application(settings, TOKEN, rate_limiter=False)  # httpx, as in production
        await start_bot(app)
        ann = telegram.user("Ann")
        await deliver(app, ann.send("/start"))
        await stop_bot(app)
    finally:
        server.stop()
    assert any("People Zones" in m.plain for m in telegram.transcript(ann) if m.from_bot)  # it ran
    # the logs were captured, the emulated Telegram's own request log too, with the token taken out
    assert "POST /bot[token]/getMe" in caplog.text and "POST /bot[token]/sendMessage" in caplog.text
    for record in caplog.records:
        seen = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        assert TOKEN not in seen, (record.name, record.getMessage()[:200])
    assert TOKEN not in caplog.text
    assert TOKEN.split(":", 1)[1] not in caplog.text  # not even the secret half
