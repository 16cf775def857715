"""Wiring a real PTB Application to the emulation, and handing it updates.

Two ways to get updates to the bot:

1. **Polling**, as in production: ``await app.updater.start_polling()`` (or ``app.run_polling()``)
   long-polls getUpdates on the emulation; each ``user.send(...)`` wakes the poll at once. Use it
   to test start-up, polling and shutdown, and in the terminal chat.
2. **Direct**, for deterministic tests: ``await deliver(app, user.send("hi"))`` runs the handlers
   for that one update and returns when they are done (the update is taken off the poll queue).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application, ApplicationBuilder

from bot.emulation.request import EmulatedRequest
from bot.emulation.server import EmulatedTelegram

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyBuilder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]


def build_application(
    builder_configure: Callable[[AnyBuilder], AnyBuilder | None] | None = None,
    token: str = "123456:TEST",
    **emulation_options: Any,
) -> tuple[AnyApplication, EmulatedTelegram]:
    """A real Application whose every request goes to one new EmulatedTelegram.

    ``builder_configure`` may adjust the builder (persistence, defaults, rate limiter...);
    ``emulation_options`` go to EmulatedTelegram (rate_limits, clock, now, strict_html...).
    """
    telegram = EmulatedTelegram(token=token, **emulation_options)
    builder = (
        ApplicationBuilder()
        .token(token)
        .request(EmulatedRequest(telegram))
        .get_updates_request(EmulatedRequest(telegram))
    )
    if builder_configure is not None:
        builder = builder_configure(builder) or builder
    return builder.build(), telegram


def emulation_of(target: AnyApplication | Bot) -> EmulatedTelegram:
    """The EmulatedTelegram behind an Application or Bot built on it."""
    bot = target.bot if isinstance(target, Application) else target
    request = bot.request
    if not isinstance(request, EmulatedRequest):
        raise TypeError("this bot does not talk to an EmulatedTelegram")
    return request.telegram


async def deliver(app: AnyApplication, update: dict[str, Any]) -> Update:
    """Run the app's handlers on one update (the app must be initialized); returns the Update."""
    request = app.bot.request
    if isinstance(request, EmulatedRequest):
        request.telegram.consume(update["update_id"])
    parsed = Update.de_json(update, app.bot)
    await app.process_update(parsed)
    return parsed
