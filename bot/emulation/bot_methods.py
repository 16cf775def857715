"""Bot API methods about the bot itself, updates, commands, chats, callback answers and files."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from bot.emulation import errors
from bot.emulation.api import Params, Upload, api_method, as_bool, as_int, as_json, require, sendable_chat
from bot.emulation.errors import ApiError

if TYPE_CHECKING:
    from bot.emulation.server import EmulatedTelegram

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


@api_method("getMe")
async def get_me(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    return telegram.bot_user


@api_method("getUpdates")
async def get_updates(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    offset = params.get("offset")
    allowed = as_json(params.get("allowed_updates"))
    return await telegram.get_updates(
        offset=as_int(offset, "offset") if offset is not None else None,
        limit=as_int(params.get("limit", 100), "limit"),
        timeout=float(params.get("timeout") or 0),
        allowed_updates=allowed,
    )


@api_method("setWebhook")
async def set_webhook(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    url = str(params.get("url") or "")
    if as_bool(params.get("drop_pending_updates")):
        telegram.drop_pending_updates()
    if not url:
        telegram.webhook = None
        return True
    if not url.startswith("https://"):
        raise errors.bad_request("bad webhook: HTTPS url must be provided for webhook")
    telegram.webhook = {"url": url, "allowed_updates": as_json(params.get("allowed_updates"))}
    telegram.webhook["secret_token"] = params.get("secret_token")
    return True


@api_method("deleteWebhook")
async def delete_webhook(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    if as_bool(params.get("drop_pending_updates")):
        telegram.drop_pending_updates()
    telegram.webhook = None
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    url = telegram.webhook["url"] if telegram.webhook else ""
    return {
        "url": url,
        "has_custom_certificate": False,
        "pending_update_count": len(telegram.pending_updates),
    }


def _commands_key(params: Params) -> tuple[str, str]:
    scope = as_json(params.get("scope")) or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


@api_method("setMyCommands")
async def set_my_commands(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    commands = as_json(require(params, "commands"))
    if not isinstance(commands, list) or len(commands) > 100:
        raise errors.bad_request("commands must be a list of at most 100 commands")
    cleaned = []
    for command in commands:
        name, description = str(command.get("command", "")), str(command.get("description", ""))
        if not _COMMAND.fullmatch(name.lower()):
            raise ApiError(400, errors.COMMAND_INVALID)
        if not 1 <= len(description) <= 256:
            raise ApiError(400, errors.COMMAND_DESCRIPTION_INVALID)
        cleaned.append({"command": name.lower(), "description": description})
    telegram.commands[_commands_key(params)] = cleaned
    return True


@api_method("getMyCommands")
async def get_my_commands(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    return telegram.commands.get(_commands_key(params), [])


@api_method("deleteMyCommands")
async def delete_my_commands(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    telegram.commands.pop(_commands_key(params), None)
    return True


@api_method("getChat")
async def get_chat(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    return telegram.chat(require(params, "chat_id")).full_info()


@api_method("leaveChat")
async def leave_chat(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    chat = telegram.chat(require(params, "chat_id"))
    if chat.type == "private":
        raise ApiError(400, errors.CANT_LEAVE_PRIVATE)
    if chat.left:
        raise ApiError(403, errors.NOT_A_MEMBER.format(type=chat.type))
    chat.left = True
    # Telegram tells the bot about its own departure, as for any change of its membership.
    telegram.membership(chat, telegram.bot_user, "member", "left")
    return True


@api_method("sendChatAction")
async def send_chat_action(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    chat = sendable_chat(telegram, params)
    action = params.get("action")
    if action not in CHAT_ACTIONS:
        raise ApiError(400, errors.WRONG_ACTION)
    chat.last_action = action
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    query = telegram.callback_queries.get(str(params.get("callback_query_id", "")))
    if query is None or query.answered:
        raise ApiError(400, errors.QUERY_INVALID)
    query.answered = True
    query.text = params.get("text")
    query.show_alert = as_bool(params.get("show_alert"))
    query.url = params.get("url")
    return True


@api_method("getFile")
async def get_file(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    record = telegram.files.get(str(require(params, "file_id")))
    if record is None:
        raise ApiError(400, errors.WRONG_FILE_ID)
    return {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": record.size,
        "file_path": record.file_path,
    }
