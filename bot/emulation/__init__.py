"""An in-process emulation of the Telegram Bot API, so the real bot runs with no token and no network.

The terminal chat drives the bot through it, and the tests drive a real ``telegram.ext.Application``
through it and assert on what the user sees. It answers like Telegram (same JSON, same errors),
enforces Telegram's limits (text length, callback_data size, HTML markup, flood limits) and can be
told to fail (see faults.py).

    app, telegram = build_application()
    ann = telegram.user("Ann")
    async with app:
        await deliver(app, ann.send("/start"))          # or: await app.updater.start_polling()
        assert "Welcome" in ann.last_bot_message().plain

Modules: server (state), users (acting as a user), request (the BaseRequest), api + bot_methods +
message_methods (the Bot API methods), formatting (HTML parse mode), limits (sizes, flood limits),
faults (scripted failures), records (transcripts), app (Application wiring and delivery).
"""

from bot.emulation.app import build_application, deliver, emulation_of
from bot.emulation.errors import ApiError
from bot.emulation.faults import Fault, Faults
from bot.emulation.formatting import FormattedText, format_text, parse_html
from bot.emulation.limits import RateLimiter, SlidingWindow, TokenBucket
from bot.emulation.records import CallbackQueryRecord, ChatMessage, ChatState, FileRecord
from bot.emulation.request import EmulatedRequest
from bot.emulation.server import ApiCall, EmulatedTelegram
from bot.emulation.users import EmulatedUser

__all__ = [
    "ApiCall",
    "ApiError",
    "CallbackQueryRecord",
    "ChatMessage",
    "ChatState",
    "EmulatedRequest",
    "EmulatedTelegram",
    "EmulatedUser",
    "Fault",
    "Faults",
    "FileRecord",
    "FormattedText",
    "RateLimiter",
    "SlidingWindow",
    "TokenBucket",
    "build_application",
    "deliver",
    "emulation_of",
    "format_text",
    "parse_html",
]
