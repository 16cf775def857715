"""Inline keyboards, and labels from the data made fit for a button."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

BUTTON_CHARS = 40  # what a phone shows of a button's label before it cuts it off itself


def button_label(text: str, limit: int = BUTTON_CHARS) -> str:
    """A name, title or place from the data made fit for a button: on one line, and when too long
    cut at the end of a word with "…" ("Coffee Morning for Older Neighbours…"), never mid-word
    unless one word alone is longer than LIMIT. Every button label built from data goes through here."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    if words[limit - 1] != " " and " " in cut:  # the cut falls inside a word: end before it
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-–—·(/&") + "…"


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Rows of (label, callback data)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows])
