"""Acting as a Telegram user: each action records the user's message and returns the Update dict.

Every method queues the update for getUpdates *and* returns it, so it can be handed straight to
the Application with ``await deliver(app, user.send("hi"))``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.emulation.records import CallbackQueryRecord, ChatMessage, ChatState

if TYPE_CHECKING:
    from bot.emulation.server import EmulatedTelegram

_PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
_OGG = b"OggS" + b"\0" * 64


def _command_entity(text: str) -> list[dict[str, Any]]:
    """The bot_command entity a client adds to a text that starts with /command."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]


class EmulatedUser:
    """A person talking to the bot in their private chat (user id == chat id, as on Telegram)."""

    def __init__(
        self, telegram: EmulatedTelegram, name: str, user_id: int, username: str | None, language_code: str
    ) -> None:
        self.telegram = telegram
        self.name = name
        self.id = user_id
        self.username = username
        self.language_code = language_code

    def __repr__(self) -> str:
        return f"EmulatedUser({self.name!r}, id={self.id})"

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def chat(self) -> ChatState:
        return self.telegram.chat(self)

    def to_api(self) -> dict[str, Any]:
        """The Bot API User object for this person."""
        body: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.name}
        if self.username:
            body["username"] = self.username
        body["language_code"] = self.language_code
        return body

    # ----- reading --------------------------------------------------------------------------

    def transcript(self) -> list[ChatMessage]:
        return self.telegram.transcript(self)

    def last_bot_message(self) -> ChatMessage | None:
        return self.telegram.last_bot_message(self)

    @property
    def keyboard(self) -> list[list[str]] | None:
        """The reply keyboard the user sees now, if any."""
        return self.chat.reply_keyboard

    # ----- acting -----------------------------------------------------------------------------

    def send(
        self, text: str, *, chat: ChatState | None = None, reply_to: ChatMessage | None = None
    ) -> dict[str, Any]:
        """Send a text; a leading /command gets the bot_command entity clients add (deep links too)."""
        return self._post("text", chat, text=text, entities=_command_entity(text), reply_to=reply_to)

    def forward(
        self, text: str, *, original: EmulatedUser | None = None, hidden_name: str = "A friend"
    ) -> dict[str, Any]:
        """Forward someone's text into this chat: it keeps its entities (a /command stays one) and
        carries ``forward_origin`` (the ORIGINAL sender, or a hidden user's name)."""
        date = int(self.telegram.now()) - 60
        if original is not None:
            origin = {"type": "user", "sender_user": original.to_api(), "date": date}
        else:
            origin = {"type": "hidden_user", "sender_user_name": hidden_name, "date": date}
        return self._post(
            "text", None, text=text, entities=_command_entity(text), extra={"forward_origin": origin}
        )

    def edit(self, message: ChatMessage | dict[str, Any], text: str) -> dict[str, Any]:
        """Edit one of this user's own text messages (or the message in an update ``send`` returned):
        Telegram sends the whole message again as ``edited_message``, with ``edit_date``."""
        if isinstance(message, dict):
            sent = message.get("message") or message.get("edited_message") or {}
            message = self.telegram.chat(sent["chat"]["id"]).messages[sent["message_id"]]
        if message.from_bot or message.from_api.get("id") != self.id or message.text is None:
            raise ValueError("a user can edit only their own text messages")
        message.text, message.entities = text, _command_entity(text)
        message.edited = True
        message.edit_date = int(self.telegram.now())
        self.telegram.touch(message)
        return self.telegram.enqueue("edited_message", message.to_api())

    def add_bot_to(self, group: ChatState, *, as_admin: bool = False) -> dict[str, Any]:
        """Add the bot to a group, supergroup or channel (it becomes a member, or an admin)."""
        if group.type == "private":
            raise ValueError("a bot is added to groups and channels, not to private chats")
        group.left = False
        return self.telegram.membership(
            group, self.to_api(), "left", "administrator" if as_admin else "member"
        )

    def share_location(
        self, latitude: float, longitude: float, *, chat: ChatState | None = None
    ) -> dict[str, Any]:
        """Share a location (as the "send my location" keyboard button does)."""
        return self._post("location", chat, location={"latitude": latitude, "longitude": longitude})

    def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        """Send a sticker (something the bot cannot read)."""
        extra = {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}
        file = self.telegram.new_file("sticker", b"RIFF", mime_type=None, extra={**extra, "emoji": emoji})
        return self._post("sticker", None, file=file)

    def send_voice(self, duration: int = 3, data: bytes = _OGG) -> dict[str, Any]:
        """Send a voice message."""
        file = self.telegram.new_file("voice", data, mime_type="audio/ogg", extra={"duration": duration})
        return self._post("voice", None, file=file)

    def send_photo(self, data: bytes = _PNG, caption: str | None = None) -> dict[str, Any]:
        """Send a photo, optionally captioned."""
        file = self.telegram.new_file("photo", data, mime_type="image/png")
        return self._post("photo", None, file=file, caption=caption)

    def send_document(
        self,
        data: bytes,
        filename: str,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Send a file (e.g. a coordinator's spreadsheet)."""
        file = self.telegram.new_file("document", data, filename=filename, mime_type=mime_type)
        return self._post("document", None, file=file, caption=caption)

    def press(self, label: str, message: ChatMessage | int | None = None) -> dict[str, Any]:
        """Press the inline button whose text or callback_data is ``label``.

        Without ``message`` the newest bot message carrying that button is used; pass an older
        message to press a stale button on it (the button must still be on that message).
        """
        if message is None:
            message = self._newest_with_button(label)
        else:
            message = self._resolve(message)
            if message.button(label) is None:
                raise LookupError(f"message {message.message_id} has no button {label!r}: {message.buttons}")
        data = self._callback_data(message, label)
        return self.press_data(data, message)

    def press_data(self, data: str, message: ChatMessage | int) -> dict[str, Any]:
        """A callback query with any ``data`` on ``message`` (a forged or outdated button)."""
        message = self._resolve(message)
        telegram = self.telegram
        query_id = str(4_000_000_000 + telegram.new_id())
        telegram.callback_queries[query_id] = CallbackQueryRecord(
            query_id, self.id, message.chat_id, message.message_id, data
        )
        payload = {
            "id": query_id,
            "from": self.to_api(),
            "message": message.to_api(),
            "chat_instance": f"{abs(message.chat_id) * 7919}",
            "data": data,
        }
        return telegram.enqueue("callback_query", payload)

    def block_bot(self) -> dict[str, Any]:
        """Block the bot: later sends get 403, and the bot is told with a my_chat_member update."""
        self.telegram.block(self, True)
        return self._membership("member", "kicked")

    def unblock_bot(self) -> dict[str, Any]:
        """Unblock the bot (as "Restart bot" does)."""
        self.telegram.block(self, False)
        return self._membership("kicked", "member")

    # ----- internals --------------------------------------------------------------------------

    def _post(self, kind: str, chat: ChatState | None, **fields: Any) -> dict[str, Any]:
        chat = chat or self.chat
        if chat.blocked and not chat.is_group:
            raise RuntimeError(f"{self.name} has blocked the bot; call unblock_bot() first")
        if chat.left:  # Telegram sends the bot nothing from a chat it is not in
            raise RuntimeError(f"the bot is not in {chat.title!r}; call add_bot_to() first")
        message = self.telegram.add_message(chat, self.name, kind, self.to_api(), **fields)
        if kind == "text" and chat.reply_keyboard and chat.reply_keyboard_one_time:
            chat.reply_keyboard = None
        return self.telegram.enqueue("message", message.to_api())

    def _membership(self, old: str, new: str) -> dict[str, Any]:
        return self.telegram.membership(self.chat, self.to_api(), old, new)

    def _resolve(self, message: ChatMessage | int) -> ChatMessage:
        message_id = message if isinstance(message, int) else message.message_id
        chat_id = self.chat_id if isinstance(message, int) else message.chat_id
        found = self.telegram.chat(chat_id).messages.get(message_id)
        if found is None or found.deleted:
            raise LookupError(f"message {message_id} is not in the chat (deleted or never sent)")
        return found

    def _newest_with_button(self, label: str) -> ChatMessage:
        for message in reversed(self.transcript()):
            if message.from_bot and not message.deleted and message.button(label):
                return message
        raise LookupError(f"no bot message in {self.name}'s chat has a button {label!r}")

    @staticmethod
    def _callback_data(message: ChatMessage, label: str) -> str:
        for row in (message.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                if label in (button.get("text"), button.get("callback_data")):
                    if "callback_data" not in button:
                        raise ValueError(f"button {label!r} is not a callback button: {button}")
                    return str(button["callback_data"])
        raise LookupError(f"no button {label!r}")
