"""Bot API methods that put messages in chats or change them: send*, edit*, deleteMessage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.emulation import errors
from bot.emulation.api import (
    Params,
    Upload,
    api_method,
    as_json,
    editable_message,
    input_file,
    reply_target,
    require,
    sendable_chat,
)
from bot.emulation.errors import ApiError
from bot.emulation.limits import check_caption, check_reply_markup, check_text
from bot.emulation.records import ChatMessage, ChatState

if TYPE_CHECKING:
    from bot.emulation.server import EmulatedTelegram

DELETE_WINDOW = 48 * 3600


def _post(
    telegram: EmulatedTelegram, chat: ChatState, params: Params, kind: str, **fields: Any
) -> dict[str, Any]:
    """Checks common to every send, then the flood limit, then the message goes in the chat."""
    markup = as_json(params.get("reply_markup"))
    check_reply_markup(markup)
    reply_to = reply_target(chat, params)
    if telegram.limiter is not None:
        telegram.limiter.acquire(chat.id, group=chat.is_group)
    message = telegram.add_message(
        chat, "bot", kind, telegram.bot_user, reply_markup=markup, reply_to=reply_to, **fields
    )
    if isinstance(markup, dict):
        if "keyboard" in markup:
            chat.reply_keyboard = message.keyboard
            chat.reply_keyboard_one_time = bool(markup.get("one_time_keyboard"))
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None
    return message.to_api()


def _caption_fields(telegram: EmulatedTelegram, params: Params) -> dict[str, Any]:
    parse_mode = params.get("parse_mode")
    caption = check_caption(params.get("caption"), parse_mode, strict_html=telegram.strict_html)
    if caption is None:
        return {}
    return {"caption": caption.text, "caption_entities": caption.entities, "parse_mode": parse_mode}


@api_method("sendMessage")
async def send_message(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    chat = sendable_chat(telegram, params)
    parse_mode = params.get("parse_mode")
    text = check_text(params.get("text"), parse_mode, strict_html=telegram.strict_html)
    return _post(
        telegram,
        chat,
        params,
        "text",
        text=text.text,
        entities=text.entities,
        source=params["text"],
        parse_mode=parse_mode,
    )


@api_method("sendLocation")
async def send_location(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    chat = sendable_chat(telegram, params)
    location = _location(params)
    return _post(telegram, chat, params, "location", location=location)


@api_method("sendVenue")
async def send_venue(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    chat = sendable_chat(telegram, params)
    location = _location(params)
    venue = {"title": str(require(params, "title")), "address": str(require(params, "address"))}
    return _post(telegram, chat, params, "venue", location=location, venue=venue)


@api_method("sendDocument")
async def send_document(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    chat = sendable_chat(telegram, params)
    caption = _caption_fields(telegram, params)
    file = input_file(telegram, params, files, "document")
    return _post(telegram, chat, params, "document", file=file, **caption)


@api_method("sendPhoto")
async def send_photo(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    chat = sendable_chat(telegram, params)
    caption = _caption_fields(telegram, params)
    file = input_file(telegram, params, files, "photo")
    return _post(telegram, chat, params, "photo", file=file, **caption)


@api_method("editMessageText")
async def edit_message_text(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    message = _own_message(telegram, params)
    if message.text is None:
        raise ApiError(400, errors.NO_TEXT_TO_EDIT)
    parse_mode = params.get("parse_mode")
    text = check_text(params.get("text"), parse_mode, strict_html=telegram.strict_html)
    # Telegram drops the inline keyboard when an edit does not repeat it.
    markup = _inline_markup(params)
    if (text.text, text.entities, markup) == (message.text, message.entities, _inline(message)):
        raise ApiError(400, errors.NOT_MODIFIED)
    message.text, message.entities, message.source = text.text, text.entities, params["text"]
    message.parse_mode = parse_mode
    return _edited(telegram, message, markup)


@api_method("editMessageCaption")
async def edit_message_caption(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    message = _own_message(telegram, params)
    if message.text is not None:
        raise errors.bad_request("there is no caption in the message to edit")
    caption = _caption_fields(telegram, params)
    markup = _inline_markup(params)
    new = (caption.get("caption"), caption.get("caption_entities", []), markup)
    if new == (message.caption, message.caption_entities, _inline(message)):
        raise ApiError(400, errors.NOT_MODIFIED)
    message.caption, message.caption_entities = new[0], new[1]
    return _edited(telegram, message, markup)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(
    telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]
) -> Any:
    message = _own_message(telegram, params)
    markup = _inline_markup(params)
    if markup == _inline(message):
        raise ApiError(400, errors.NOT_MODIFIED)
    return _edited(telegram, message, markup)


@api_method("deleteMessage")
async def delete_message(telegram: EmulatedTelegram, params: Params, files: dict[str, Upload]) -> Any:
    message = editable_message(telegram, params, missing=errors.DELETE_NOT_FOUND)
    if telegram.now() - message.date > DELETE_WINDOW:
        raise ApiError(400, errors.CANT_DELETE)
    message.deleted = True
    telegram.touch(message)
    return True


def _location(params: Params) -> dict[str, float]:
    try:
        latitude, longitude = float(require(params, "latitude")), float(require(params, "longitude"))
    except (TypeError, ValueError):
        raise errors.bad_request("wrong latitude or longitude") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise errors.bad_request("wrong latitude or longitude")
    return {"latitude": latitude, "longitude": longitude}


def _own_message(telegram: EmulatedTelegram, params: Params) -> ChatMessage:
    message = editable_message(telegram, params, missing=errors.EDIT_NOT_FOUND)
    if not message.from_bot:
        raise ApiError(400, errors.CANT_EDIT)
    return message


def _inline_markup(params: Params) -> dict[str, Any] | None:
    markup = as_json(params.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise errors.bad_request("inline keyboard expected")
    check_reply_markup(markup)
    return markup if markup and markup["inline_keyboard"] else None


def _inline(message: ChatMessage) -> dict[str, Any] | None:
    markup = message.reply_markup
    return markup if markup and markup.get("inline_keyboard") else None


def _edited(
    telegram: EmulatedTelegram, message: ChatMessage, markup: dict[str, Any] | None
) -> dict[str, Any]:
    if markup is not None or _inline(message) is not None:
        message.reply_markup = markup  # a reply keyboard sent with the message stays on record
    message.edited = True
    message.edit_date = int(telegram.now())
    telegram.touch(message)
    return message.to_api()
