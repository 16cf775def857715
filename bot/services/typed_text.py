"""Cleaning what people type before it is searched for or kept: no control or invisible
characters, no "Zalgo" stacks of accents, compatibility forms made ordinary; emoji and the accents
of Gujarati, Punjabi or Vietnamese kept. (`db.text.clean_text` tidies imported directory data.)"""

from __future__ import annotations

import re
import unicodedata

_KEEP_CONTROLS = {"\n": "\n", "\t": " ", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n", "\x85": "\n"}
# Invisible characters that glue emoji sequences together (👨‍👩‍👧, 🏴 flags of England and Scotland).
_EMOJI_GLUE = re.compile(r"[\u200d\U000e0020-\U000e007f]")
_MAX_MARKS = 4  # combining marks in a row: enough for Gujarati, Punjabi or Vietnamese, not for "Zalgo"
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")


def clean_text(text: str) -> str:
    """Typed text made safe to search for and to keep.

    NFKC (full-width letters and look-alike compatibility forms become ordinary ones), control and
    invisible formatting characters removed (NUL, zero-width spaces, right-to-left overrides),
    long runs of combining marks cut, spaces collapsed and the ends trimmed. Emoji are kept.
    """
    if text.isascii() and text.isprintable():  # most messages: nothing to take out, one line
        return _SPACES.sub(" ", text).strip()
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n")
    out: list[str] = []
    marks = 0
    for char in text:
        category = unicodedata.category(char)
        if char in _KEEP_CONTROLS:
            char = _KEEP_CONTROLS[char]
        elif category in ("Cc", "Cs"):  # control characters, and lone surrogates
            continue
        elif category == "Cf" and not (_EMOJI_GLUE.match(char) and out and _is_emoji_part(out[-1])):
            continue  # invisible formatting, kept only inside an emoji sequence
        elif category in ("Mn", "Me"):
            marks += 1
            if marks <= _MAX_MARKS:
                out.append(char)
            continue
        out.append(char)
        marks = 0
    # again: a character taken out may have stood between a letter and its accent
    lines = _SPACES.sub(" ", unicodedata.normalize("NFKC", "".join(out)))
    lines = "\n".join(line.strip() for line in lines.split("\n"))
    return _BLANK_LINES.sub("\n\n", lines).strip()


def _is_emoji_part(char: str) -> bool:
    return (
        unicodedata.category(char) in ("So", "Sk", "Mn")
        or bool(_EMOJI_GLUE.match(char))
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )
