"""The emulated Telegram's state: the bot, its users and chats, transcripts, files and the update queue.

One ``EmulatedTelegram`` stands in for Telegram's servers. The bot reaches it through
``EmulatedRequest`` (see request.py); tests and the terminal chat act on it as users through
``EmulatedTelegram.user(name)``. Updates users cause are queued for getUpdates (long polling) and
also returned, so a test can hand them to the Application directly (see app.deliver).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.emulation import errors
from bot.emulation.errors import ApiError
from bot.emulation.faults import Faults
from bot.emulation.limits import Clock, RateLimiter
from bot.emulation.records import CallbackQueryRecord, ChatMessage, ChatState, FileRecord
from bot.emulation.users import EmulatedUser

Who = EmulatedUser | ChatState | int


@dataclass
class ApiCall:
    """One request the bot made, for assertions such as "the bot waited out the 429"."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None = None


class EmulatedTelegram:
    """Telegram's servers for one bot token, in memory."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST",
        bot_username: str = "PeopleZonesBot",
        bot_name: str = "People Zones Connect",
        rate_limits: bool = True,
        clock: Clock = time.monotonic,
        now: Callable[[], float] = time.time,
        strict_html: bool = True,
        first_user_id: int = 1001,
    ) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.clock = clock
        self.now = now
        self.limiter: RateLimiter | None = RateLimiter(clock) if rate_limits else None
        self.faults = Faults()
        self.strict_html = strict_html
        self.users: dict[str, EmulatedUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, FileRecord] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] | None = None
        # called on each new update (bot.emulation.webhook pushes them to a webhook)
        self.update_listeners: list[Callable[[], None]] = []
        self.calls: list[ApiCall] = []
        self._next_user_id = first_user_id
        self._next_group_id = -1001
        self._next_update_id = 10001
        self._counter = 0
        self._seq = 0
        self._updates: list[dict[str, Any]] = []
        self._allowed_updates: list[str] | None = None
        self._poll: asyncio.Future[None] | None = None

    # ----- people and chats -------------------------------------------------------------------

    def user(
        self, name: str, *, username: str | None = None, language_code: str = "en", user_id: int | None = None
    ) -> EmulatedUser:
        """The user called ``name`` (created with the next id, or ``user_id``, and a private chat
        on first use)."""
        if name not in self.users:
            if user_id is None:
                user_id = self._next_user_id
                self._next_user_id += 1
            self.users[name] = EmulatedUser(self, name, user_id, username, language_code)
            self.chats[user_id] = ChatState(user_id, "private", first_name=name, username=username)
        return self.users[name]

    def group(self, title: str, *, type: str = "group") -> ChatState:
        """A new group chat (ids count down from -1001); users post in it with ``send(chat=...)``.

        ``type`` may be "supergroup", or "channel" (posts come through ``channel_post``)."""
        if type not in ("group", "supergroup", "channel"):
            raise ValueError(f"not a group or channel type: {type!r}")
        chat = ChatState(self._next_group_id, type, title=title)
        self._next_group_id -= 1
        self.chats[chat.id] = chat
        return chat

    def chat(self, who: Who | str) -> ChatState:
        """The chat for a user, chat, chat id or @username; 400 "chat not found" otherwise."""
        if isinstance(who, ChatState):
            return who
        if isinstance(who, EmulatedUser):
            return self.chats[who.chat_id]
        if isinstance(who, str) and who.startswith("@"):
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == who[1:].lower():
                    return chat
            raise ApiError(400, errors.CHAT_NOT_FOUND)
        try:
            return self.chats[int(who)]
        except (KeyError, ValueError, TypeError):
            raise ApiError(400, errors.CHAT_NOT_FOUND) from None

    def channel_post(self, chat: ChatState, text: str) -> dict[str, Any]:
        """A post in a channel the bot is in: no sender user, the channel as ``sender_chat``."""
        if chat.type != "channel" or chat.left:
            raise RuntimeError(f"{chat.title!r} is not a channel the bot is in")
        message = self.add_message(chat, chat.title or "channel", "text", {}, text=text)
        message.extra["sender_chat"] = chat.to_api()
        return self.enqueue("channel_post", message.to_api())

    def membership(self, chat: ChatState, actor: dict[str, Any], old: str, new: str) -> dict[str, Any]:
        """A my_chat_member update: the bot's status in CHAT went from OLD to NEW because of ACTOR."""

        def status(value: str) -> dict[str, Any]:
            # A "kicked" member carries until_date (0: for ever), as Telegram sends it.
            extra: dict[str, Any] = {"until_date": 0} if value == "kicked" else {}
            if value == "administrator":
                extra = {"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                         "can_delete_messages": False, "can_manage_video_chats": False,
                         "can_restrict_members": False, "can_promote_members": False,
                         "can_change_info": False, "can_invite_users": False, "can_post_stories": False,
                         "can_edit_stories": False, "can_delete_stories": False}  # fmt: skip
            return {"status": value, "user": self.bot_user, **extra}

        payload = {
            "chat": chat.to_api(),
            "from": actor,
            "date": int(self.now()),
            "old_chat_member": status(old),
            "new_chat_member": status(new),
        }
        return self.enqueue("my_chat_member", payload)

    def block(self, user: EmulatedUser, blocked: bool = True) -> None:
        """Mark ``user`` as having blocked (or unblocked) the bot; sends then get 403."""
        self.chat(user).blocked = blocked

    # ----- transcripts ------------------------------------------------------------------------

    def transcript(self, who: Who) -> list[ChatMessage]:
        """Every message in the chat, oldest first, including deleted ones (flagged)."""
        return self.chat(who).transcript()

    def last_bot_message(self, who: Who) -> ChatMessage | None:
        """The newest message the bot sent in the chat that is not deleted."""
        for message in reversed(self.transcript(who)):
            if message.from_bot and not message.deleted:
                return message
        return None

    def mark(self) -> int:
        """A point in time for ``bot_messages_since``."""
        return self._seq

    def bot_messages_since(self, who: Who, mark: int) -> list[ChatMessage]:
        """Bot messages sent or edited after ``mark`` and not deleted, in message order."""
        return [m for m in self.transcript(who) if m.from_bot and not m.deleted and m.changed > mark]

    # ----- recording --------------------------------------------------------------------------

    def touch(self, message: ChatMessage) -> None:
        """Note that ``message`` changed now (for ``bot_messages_since``)."""
        self._seq += 1
        message.changed = self._seq

    def add_message(
        self, chat: ChatState, sender: str, kind: str, from_api: dict[str, Any], **fields: Any
    ) -> ChatMessage:
        """Append a message to a chat's transcript with the chat's next message id."""
        message = ChatMessage(
            message_id=chat.take_message_id(),
            chat_id=chat.id,
            sender=sender,
            kind=kind,
            date=int(self.now()),
            from_api=from_api,
            chat_api=chat.to_api(),
            **fields,
        )
        chat.messages[message.message_id] = message
        self.touch(message)
        return message

    def new_id(self) -> int:
        """A fresh number for file and callback query ids."""
        self._counter += 1
        return self._counter

    def new_file(self, kind: str, data: bytes | None, **fields: Any) -> FileRecord:
        """Store a file and give it Telegram-like file_id / file_unique_id strings."""
        n = self.new_id()
        record = FileRecord(f"emu-{kind}-{n:06d}", f"u{kind[:3]}{n:06d}", kind, data, **fields)
        self.files[record.file_id] = record
        return record

    # ----- updates ----------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates and return it (a Bot API Update dict)."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._wake()
        for listener in self.update_listeners:
            listener()
        return update

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    def consume(self, update_id: int) -> None:
        """Forget an update delivered another way (app.deliver), so polling will not repeat it."""
        updates = self._updates
        if updates and updates[0]["update_id"] == update_id:
            del updates[0]  # the usual case, updates delivered in the order they were sent: no scan
        else:
            self._updates = [u for u in updates if u["update_id"] != update_id]

    def drop_pending_updates(self) -> None:
        self._updates.clear()

    async def get_updates(
        self,
        *,
        offset: int | None = None,
        limit: int = 100,
        timeout: float = 0.0,
        allowed_updates: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """getUpdates: confirm below ``offset``, then wait up to ``timeout`` s for something new."""
        if self.webhook is not None:
            raise ApiError(409, errors.WEBHOOK_CONFLICT)
        if offset:
            self._confirm(offset)
        if allowed_updates is not None:
            self._allowed_updates = list(allowed_updates)
        if self._poll is not None and not self._poll.done():
            # Telegram ends the earlier long poll when a second one arrives.
            self._poll.set_exception(ApiError(409, errors.POLL_CONFLICT))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0.0)
        while True:
            ready = self._ready(max(1, min(limit, 100)))
            remaining = deadline - loop.time()
            if ready or remaining <= 0:
                return ready
            future: asyncio.Future[None] = loop.create_future()
            self._poll = future
            try:
                await asyncio.wait_for(future, remaining)
            except TimeoutError:
                pass
            finally:
                if self._poll is future:
                    self._poll = None

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _ready(self, limit: int) -> list[dict[str, Any]]:
        allowed = self._allowed_updates
        if allowed:
            return [u for u in self._updates if next(k for k in u if k != "update_id") in allowed][:limit]
        return self._updates[:limit]

    def _wake(self) -> None:
        future = self._poll
        if future is None or future.done():
            return
        try:
            same_loop = asyncio.get_running_loop() is future.get_loop()
        except RuntimeError:
            same_loop = False
        if same_loop:
            future.set_result(None)
        else:

            def resolve() -> None:  # on the future's own loop, where it may have been settled since
                if not future.done():
                    future.set_result(None)

            future.get_loop().call_soon_threadsafe(resolve)
