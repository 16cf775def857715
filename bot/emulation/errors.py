"""Bot API failures, carried as Telegram's own JSON error bodies so PTB raises what it would live."""

from __future__ import annotations

import json
from typing import Any

# Descriptions exactly as the Bot API words them (PTB strips "Bad Request: " and capitalises).
MESSAGE_TOO_LONG = "Bad Request: message is too long"
CAPTION_TOO_LONG = "Bad Request: message caption is too long"
TEXT_EMPTY = "Bad Request: message text is empty"
BUTTON_DATA_INVALID = "Bad Request: BUTTON_DATA_INVALID"
BUTTON_URL_INVALID = "Bad Request: BUTTON_URL_INVALID"
TEXT_BUTTONS_UNALLOWED = (
    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
CHAT_NOT_FOUND = "Bad Request: chat not found"
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_A_MEMBER = "Forbidden: bot is not a member of the {type} chat"  # after leaveChat, or removed
CANT_LEAVE_PRIVATE = "Bad Request: chat member status can't be changed in private chats"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "Bad Request: message to edit not found"
DELETE_NOT_FOUND = "Bad Request: message to delete not found"
CANT_DELETE = "Bad Request: message can't be deleted for everyone"
CANT_EDIT = "Bad Request: message can't be edited"
NO_TEXT_TO_EDIT = "Bad Request: there is no text in the message to edit"
REPLY_NOT_FOUND = "Bad Request: message to be replied not found"
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query id is invalid"
WRONG_FILE_ID = "Bad Request: wrong file identifier/HTTP URL specified"
COMMAND_INVALID = "Bad Request: BOT_COMMAND_INVALID"
COMMAND_DESCRIPTION_INVALID = "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
WRONG_ACTION = "Bad Request: wrong parameter action in request"
NOT_FOUND = "Not Found"
UNAUTHORIZED = "Unauthorized"
BAD_GATEWAY = "Bad Gateway"
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)


class ApiError(Exception):
    """A refusal the emulated server answers with an HTTP status and Telegram's error JSON."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON object Telegram sends for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body

    def payload(self) -> bytes:
        """The body as the bytes PTB's BaseRequest parses."""
        return json.dumps(self.body()).encode()


def bad_request(detail: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 whose parameters.retry_after PTB turns into RetryAfter."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
