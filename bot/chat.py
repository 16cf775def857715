"""`peoplezones chat`: the real bot in a terminal, through the in-process Telegram emulation.

No token, no network. Buttons are numbered so a person can type `1` to press one; `/loc` shares
a location; `/as NAME` switches who is typing. Piped input gets one reply block per line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import replace
from typing import TextIO

from bot.app import build_application, start_bot, stop_bot
from bot.config import Settings
from bot.emulation import ChatMessage, EmulatedRequest, EmulatedTelegram, EmulatedUser, deliver
from bot.services.places import district_point, find_postcode

TOKEN = "1000:TERMINAL"
INTRO = (
    "People Zones Connect in your terminal: no Telegram, no network.\n"
    "Type as you would in Telegram. A number presses that button. /loc LE1 6AA (or /loc 52.63,-1.13)\n"
    "shares a location. /as NAME talks as someone else (/as admin: the first admin). /quit leaves."
)
_COORDINATES = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


class TerminalChat:
    def __init__(self, settings: Settings, out: TextIO) -> None:
        self.settings = settings
        self.out = out
        self.telegram = EmulatedTelegram(token=TOKEN, rate_limits=False)
        # one person at a keyboard (or a script piping lines in): no flood limits, as in rate_limits
        self.app = build_application(
            replace(settings, flood_per_minute=0),
            TOKEN,
            request=EmulatedRequest(self.telegram),
            rate_limiter=False,
        )
        self.user: EmulatedUser = self.telegram.user("You")

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def render(self, message: ChatMessage, number_from: int) -> tuple[str, int]:
        """A message as text, its buttons numbered from NUMBER_FROM; returns the next number."""
        lines = [content(message)]
        for row in message.buttons:
            cells = []
            for text, _ in row:
                cells.append(f"[{number_from}] {text}")
                number_from += 1
            lines.append("   " + "   ".join(cells))
        if message.keyboard:
            lines.append("   (you can type: " + " / ".join(" ".join(row) for row in message.keyboard) + ")")
        return "\n".join(lines), number_from

    def _buttons_of_last_message(self) -> list[tuple[ChatMessage, str]]:
        message = self.telegram.last_bot_message(self.user)
        if message is None:
            return []
        return [(message, text) for row in message.buttons for text, _ in row]

    async def handle(self, line: str) -> bool:
        """One input line; False when the person wants to leave."""
        text = line.rstrip("\n")
        if text.strip() in ("/quit", "/exit"):
            return False
        if text.startswith("/as "):
            self.switch_user(text[4:].strip())
            return True
        mark = self.telegram.mark()
        if text.startswith("/loc"):
            update = self.location_update(text[4:].strip())
            if update is None:
                self.say("Sorry, /loc needs a postcode like LE1 6AA or coordinates like 52.63,-1.13")
                return True
        elif text.strip().isdigit() and (buttons := self._buttons_of_last_message()):
            index = int(text.strip()) - 1
            if not 0 <= index < len(buttons):
                self.say(f"There is no button {text.strip()}; the buttons are 1 to {len(buttons)}.")
                return True
            message, label = buttons[index]
            update = self.user.press(label, message)
        else:
            update = self.user.send(text)
        await deliver(self.app, update)
        self.show_since(mark)
        return True

    def location_update(self, where: str) -> dict | None:
        if match := _COORDINATES.match(where):
            return self.user.share_location(float(match.group(1)), float(match.group(2)))
        point = district_point(find_postcode(where)) if find_postcode(where) else None
        return self.user.share_location(point.latitude, point.longitude) if point else None

    def switch_user(self, name: str) -> None:
        if name == "admin":
            if not self.settings.admin_ids:
                self.say("No admins are set in the config (admin_ids).")
                return
            self.user = self.telegram.user("admin", user_id=self.settings.admin_ids[0])
        else:
            self.user = self.telegram.user(name or "You")
        self.say(f"(now typing as {self.user.name})")

    def show_since(self, mark: int) -> None:
        shown = False
        for name, user in self.telegram.users.items():
            number = 1
            for message in self.telegram.bot_messages_since(user, mark):
                text, number = self.render(message, number)
                label = "" if user is self.user else f"[to {name}] "
                self.say(label + text.replace("\n", "\n" + " " * len(label)))
                self.say("")
                shown = True
        if not shown:
            self.say("(no reply)")
            self.say("")


def content(message: ChatMessage) -> str:
    """What the message says, without the button rows that `render` adds below it."""
    lines = message.render().split("\n")
    extra = len(message.buttons) + len(message.keyboard)
    return "\n".join(lines[: len(lines) - extra] if extra else lines)


async def run_chat(settings: Settings, lines: Iterable[str] | None = None, out: TextIO | None = None) -> None:
    """Chat until the input ends or /quit. LINES defaults to standard input, OUT to standard output."""
    chat = TerminalChat(settings, out or sys.stdout)
    interactive = lines is None and sys.stdin.isatty()
    source = iter(lines if lines is not None else sys.stdin)
    await start_bot(chat.app)
    try:
        if interactive:
            chat.say(INTRO + "\n")
            await chat.handle("/start")
        while True:
            if interactive:
                try:
                    line = input("you> ")
                except EOFError:
                    break
            else:
                line = next(source, None)
                if line is None:
                    break
                chat.say(f"you> {line.rstrip()}")
            if not await chat.handle(line):
                break
    finally:
        await stop_bot(chat.app)
