"""Running on Telegram for real: long polling, or a webhook, with PTB's rate limiter."""

from __future__ import annotations

import secrets

from telegram import BotCommand, Update
from telegram.ext import Application

from bot import messages as m
from bot.app import build_application
from bot.config import Settings


async def _announce_commands(app: Application) -> None:
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in m.COMMANDS])


async def _close_database(app: Application) -> None:
    await app.bot_data["database"].dispose()


def run_telegram(settings: Settings, webhook_url: str | None = None, port: int = 8443) -> None:
    """Blocks until stopped (Ctrl+C or SIGTERM)."""
    app = build_application(settings, settings.bot_token or "")
    app.post_init = _announce_commands
    app.post_shutdown = _close_database
    if webhook_url:
        app.run_webhook(
            listen="0.0.0.0",
            port=port,
            url_path="telegram",
            webhook_url=webhook_url.rstrip("/") + "/telegram",
            secret_token=secrets.token_urlsafe(32),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
