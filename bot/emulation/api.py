"""The table of emulated Bot API methods and the parameter helpers they share.

A method is ``async def handler(telegram, params, files) -> result`` registered under its Bot API
name; lookups ignore case, as Telegram's do. ``params`` are the request's JSON-ready parameters,
``files`` the multipart uploads as (filename, bytes, mime type).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.emulation import errors
from bot.emulation.errors import ApiError, bad_request
from bot.emulation.records import ChatMessage, ChatState, FileRecord

if TYPE_CHECKING:
    from bot.emulation.server import EmulatedTelegram

Params = dict[str, Any]
Upload = tuple[str, bytes, str]
Handler = Callable[["EmulatedTelegram", Params, dict[str, Upload]], Awaitable[Any]]

METHODS: dict[str, Handler] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under its Bot API method name."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = handler
        return handler

    return register


def require(params: Params, name: str) -> Any:
    """A required parameter, or the 400 Telegram gives when it is missing."""
    value = params.get(name)
    if value is None or value == "":
        raise bad_request(f"{name} is empty")
    return value


def as_int(value: Any, name: str) -> int:
    """An integer parameter (Telegram accepts them as strings too)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def as_json(value: Any) -> Any:
    """A structured parameter, which may arrive JSON-encoded (e.g. through api_kwargs)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request("can't parse JSON object") from None
    return value


def as_bool(value: Any) -> bool:
    return value in (True, "true", "True", 1, "1")


def sendable_chat(telegram: EmulatedTelegram, params: Params) -> ChatState:
    """The chat a message goes to: 400 when unknown, 403 when the user blocked the bot."""
    chat = telegram.chat(require(params, "chat_id"))
    if chat.blocked:
        raise ApiError(403, errors.BLOCKED)
    if chat.left:
        raise ApiError(403, errors.NOT_A_MEMBER.format(type=chat.type))
    return chat


def editable_message(telegram: EmulatedTelegram, params: Params, *, missing: str) -> ChatMessage:
    """The message an edit or delete names, or Telegram's "... not found" 400."""
    if "inline_message_id" in params and "chat_id" not in params:
        raise bad_request("inline messages are not supported by the emulation")
    chat = telegram.chat(require(params, "chat_id"))
    message = chat.messages.get(as_int(require(params, "message_id"), "message_id"))
    if message is None or message.deleted:
        raise ApiError(400, missing)
    return message


def reply_target(chat: ChatState, params: Params) -> ChatMessage | None:
    """The message being replied to (reply_parameters), or 400 if it is gone."""
    reply = as_json(params.get("reply_parameters")) or {}
    if "message_id" not in reply:
        return None
    target = chat.messages.get(as_int(reply["message_id"], "message_id"))
    if target is None or target.deleted:
        if as_bool(reply.get("allow_sending_without_reply")):
            return None
        raise ApiError(400, errors.REPLY_NOT_FOUND)
    return target


def input_file(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload], name: str) -> FileRecord:
    """The file a send* call carries: an upload, a known file_id, or an http(s) URL."""
    value = params.get(name)
    key = value[len("attach://") :] if isinstance(value, str) and value.startswith("attach://") else name
    if key in files:
        filename, data, mime_type = files[key]
        return telegram.new_file(name, data, filename=filename, mime_type=mime_type)
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {name} in the request")
    if value in telegram.files:
        return telegram.files[value]
    if value.startswith(("http://", "https://")):
        url_name = value.rsplit("/", 1)[-1] or None
        return telegram.new_file(name, None, filename=url_name, url=value)
    raise ApiError(400, errors.WRONG_FILE_ID)
