"""What the emulated Telegram remembers: chats, their messages, files and callback queries.

A ``ChatMessage`` is one line of a chat's transcript, kept as the user sees it (text with the HTML
already parsed away) and able to produce the Bot API ``Message`` JSON Telegram would send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Buttons = list[list[tuple[str, str | None]]]


@dataclass
class FileRecord:
    """An uploaded (or user-sent) file; ``data`` is None for files sent by URL."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.data or b"")

    @property
    def file_path(self) -> str:
        """Where getFile says the file lives (relative to the file download URL)."""
        return f"{self.kind}s/{self.file_unique_id}"

    def to_api(self) -> dict[str, Any]:
        """The Document / Voice / Sticker JSON object for this file."""
        body: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.filename and self.kind == "document":
            body["file_name"] = self.filename
        if self.mime_type and self.kind != "photo":
            body["mime_type"] = self.mime_type
        body["file_size"] = self.size
        body.update(self.extra)
        return body

    def photo_sizes(self) -> list[dict[str, Any]]:
        """PhotoSize list as Telegram sends it: a thumbnail and the full picture."""
        full = {**self.to_api(), "width": 1280, "height": 960}
        small = {**full, "file_id": self.file_id + "_s", "file_unique_id": self.file_unique_id + "_s"}
        return [{**small, "width": 320, "height": 240, "file_size": min(self.size, 20000)}, full]


@dataclass
class ChatMessage:
    """One message in a chat: who sent it, what it shows, and whether it was since edited or deleted."""

    message_id: int
    chat_id: int
    sender: str
    kind: str
    date: int
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    file: FileRecord | None = None
    location: dict[str, float] | None = None
    venue: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    reply_to: ChatMessage | None = field(default=None, repr=False)
    edited: bool = False
    deleted: bool = False
    edit_date: int | None = None
    changed: int = 0
    from_api: dict[str, Any] = field(default_factory=dict, repr=False)
    chat_api: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def from_bot(self) -> bool:
        return self.sender == "bot"

    @property
    def buttons(self) -> Buttons:
        """Inline keyboard rows as (text, callback_data or url); empty without an inline keyboard."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[(b["text"], b.get("callback_data", b.get("url"))) for b in row] for row in rows]

    @property
    def keyboard(self) -> list[list[str]]:
        """Reply keyboard rows sent with this message (button texts); empty without one."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else b["text"] for b in row] for row in rows]

    @property
    def document(self) -> bytes | None:
        """The bytes of a sent document (None for other kinds or URL-only files)."""
        return self.file.data if self.file and self.kind == "document" else None

    @property
    def filename(self) -> str | None:
        return self.file.filename if self.file else None

    @property
    def mime_type(self) -> str | None:
        return self.file.mime_type if self.file else None

    @property
    def plain(self) -> str:
        """What the user reads: tags stripped and entities unescaped (text, else caption)."""
        return self.text if self.text is not None else (self.caption or "")

    def button(self, label: str) -> tuple[str, str | None] | None:
        """The inline button whose text or callback_data is ``label``."""
        for row in self.buttons:
            for text, data in row:
                if label in (text, data):
                    return text, data
        return None

    def render(self) -> str:
        """A terminal rendering: the content, then inline buttons and reply keyboard as [labels]."""
        lines = [self._content()]
        lines += ["  ".join(f"[ {text} ]" for text, _ in row) for row in self.buttons]
        lines += ["  ".join(f"< {text} >" for text in row) for row in self.keyboard]
        return "\n".join(line for line in lines if line)

    def _content(self) -> str:
        if self.kind == "document" and self.file:
            head = f"📄 {self.file.filename or 'document'} ({self.file.size} bytes)"
        elif self.kind == "photo":
            head = "🖼 photo"
        elif self.kind == "venue" and self.venue:
            head = f"📍 {self.venue['title']}, {self.venue['address']}"
        elif self.kind == "location" and self.location:
            head = f"📍 {self.location['latitude']}, {self.location['longitude']}"
        elif self.kind == "sticker":
            head = f"sticker {self.extra.get('sticker', {}).get('emoji', '')}".rstrip()
        elif self.kind == "voice":
            head = f"🎤 voice message ({self.extra.get('voice', {}).get('duration', 0)} s)"
        else:
            return self.plain
        return f"{head}\n{self.caption}" if self.caption else head

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        """The Bot API Message object for this message as it stands now."""
        body: dict[str, Any] = {"message_id": self.message_id}
        if self.from_api:  # a channel post has no sender user, only sender_chat (in extra)
            body["from"] = self.from_api
        body.update(chat=self.chat_api, date=self.date)
        if self.edit_date is not None:
            body["edit_date"] = self.edit_date
        if with_reply and self.reply_to is not None:
            body["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.text is not None:
            body["text"] = self.text
            if self.entities:
                body["entities"] = self.entities
        if self.file and self.kind == "photo":
            body["photo"] = self.file.photo_sizes()
        elif self.file and self.kind in ("document", "voice", "sticker"):
            body[self.kind] = self.file.to_api()
        if self.location:
            body["location"] = self.location
        if self.venue and self.location:
            body["venue"] = {"location": self.location, **self.venue}
        if self.caption is not None:
            body["caption"] = self.caption
            if self.caption_entities:
                body["caption_entities"] = self.caption_entities
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            body["reply_markup"] = {"inline_keyboard": self.reply_markup["inline_keyboard"]}
        body.update(self.extra)
        return body


@dataclass
class ChatState:
    """A chat with the bot: private (one user) or group; its transcript and per-chat settings."""

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    blocked: bool = False
    left: bool = False  # the bot left (or was removed from) this group or channel
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: list[list[str]] | None = None
    reply_keyboard_one_time: bool = False
    last_action: str | None = None

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_api(self) -> dict[str, Any]:
        """The Chat JSON object embedded in messages."""
        body: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type != "private":
            body["title"] = self.title
        else:
            body["first_name"] = self.first_name
        if self.username:
            body["username"] = self.username
        return body

    def full_info(self) -> dict[str, Any]:
        """The ChatFullInfo getChat answers."""
        gifts = {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False}
        return {
            **self.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {**gifts, "premium_subscription": False},
        }

    def take_message_id(self) -> int:
        """The next message id in this chat (bot and user messages share one counter)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def transcript(self) -> list[ChatMessage]:
        return list(self.messages.values())


@dataclass
class CallbackQueryRecord:
    """A button press the bot must answer once with answerCallbackQuery."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
