"""Telegram's HTML parse mode, ported from tdlib's parse_html so bad markup fails here as it does live.

The parser follows tdlib (td/telegram/MessageEntity.cpp): the same tags, attribute rules, entity
decoding and error texts (byte offsets into the UTF-8 source). One deliberate difference: tdlib
shows a bare ``&`` that starts no entity as text, while ``strict=True`` (the default) refuses it,
because a bare ``&`` almost always means user or feed text went out unescaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.emulation.errors import ApiError, bad_request

ALLOWED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "tg-emoji"}
    | {"code", "pre", "blockquote"}
)
_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\v\0"
_TRIM = " \t\r\n\v\f"
_DIGITS = "0123456789"
_HEX = "0123456789abcdefABCDEF"
_NAME_TOKEN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"
_MARKUP = re.compile("[&<]")  # where plain text stops: an entity or a tag may start


@dataclass
class FormattedText:
    """Text as Telegram stores it: markup parsed away, plus entities with UTF-16 offsets."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    expandable: bool


def _u16(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _utf16_length(text: str) -> int:
    """How long TEXT is in UTF-16 code units, as entity offsets count (a lone surrogate: 1)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def _error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


class _Parser:
    def __init__(self, source: str, strict: bool) -> None:
        self.s = source
        self.strict = strict
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def at(self, i: int) -> str:
        return self.s[i] if i < len(self.s) else ""

    def space(self, i: int) -> bool:
        c = self.at(i)
        return c == "" or c in _SPACES

    def skip_spaces(self, i: int) -> int:
        while self.at(i) != "" and self.space(i):
            i += 1
        return i

    def byte_offset(self, i: int) -> int:
        return len(self.s[:i].encode())

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += _utf16_length(text)

    def decode_entity(self, pos: int) -> tuple[str, int] | None:
        """tdlib's decode_html_entity: 4 named entities and numeric ones; None when there is none."""
        end = pos + 1
        code = 0
        if self.at(end) == "#":
            end += 1
            base, digits = (16, _HEX) if self.at(end) == "x" else (10, _DIGITS)
            end += 1 if base == 16 else 0
            while self.at(end) != "" and self.at(end) in digits:
                code = code * base + int(self.s[end], base)
                end += 1
                if code >= 0x10FFFF:
                    return None
            if code == 0 or 0xD800 <= code <= 0xDFFF:
                return None
            ch = chr(code)
        else:
            while self.at(end).isascii() and self.at(end).isalpha():
                end += 1
            name = self.s[pos + 1 : end]
            if name not in _NAMED:
                return None
            ch = _NAMED[name]
        if self.at(end) == ";":
            end += 1
        return ch, end

    def parse(self) -> FormattedText:
        i = 0
        while i < len(self.s):
            c = self.s[i]
            if c == "&":
                decoded = self.decode_entity(i)
                if decoded:
                    self.emit(decoded[0])
                    i = decoded[1]
                    continue
                if self.strict:
                    raise _error(f'Unescaped "&" at byte offset {self.byte_offset(i)}')
            if c != "<":  # plain text, up to where markup may start (taken as a whole, not by character)
                found = _MARKUP.search(self.s, i + 1)
                end = found.start() if found else len(self.s)
                self.emit(self.s[i:end])
                i = end
                continue
            i = self.end_tag(i) if self.at(i + 1) == "/" else self.start_tag(i)
        if self.stack:
            raise _error(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return FormattedText("".join(self.out), self.entities)

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while not self.space(i) and self.at(i) != ">":
            i += 1
        if self.at(i) == "":
            raise _error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = self.s[begin + 1 : i].lower()
        if tag not in ALLOWED_TAGS:
            raise _error(f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}')
        argument, expandable = "", False
        while self.at(i) != ">":
            i = self.skip_spaces(i)
            if self.at(i) == ">":
                break
            name_begin = i
            while not self.space(i) and self.at(i) != "=":
                i += 1
            name = self.s[name_begin:i]
            if not name:
                raise _error(
                    f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            i = self.skip_spaces(i)
            if self.at(i) != "=":
                if self.at(i) == "":
                    raise _error(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}')
                expandable = expandable or (tag == "blockquote" and name == "expandable")
                continue
            i = self.skip_spaces(i + 1)
            if self.at(i) == "":
                raise _error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            value, i = self.attribute_value(i)
            if self.at(i) == "":
                raise _error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                argument = value[9:]
            elif tag == "span" and name == "class" and value.startswith("tg-"):
                argument = value[3:]
            elif tag == "tg-emoji" and name == "emoji-id":
                argument = value
            elif tag == "blockquote" and name == "expandable":
                expandable = True
        if tag == "span" and argument != "spoiler":
            raise _error(f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}')
        self.stack.append(_Open(tag, argument, self.utf16, expandable))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in ("'", '"'):
            token_begin = i
            while self.at(i) != "" and self.at(i) in _NAME_TOKEN:
                i += 1
            if not self.space(i) and self.at(i) != ">":
                raise _error(f"Unexpected end of name token at byte offset {self.byte_offset(token_begin)}")
            return self.s[token_begin:i].lower(), i
        i += 1
        value: list[str] = []
        while self.at(i) not in (quote, ""):
            decoded = self.decode_entity(i) if self.at(i) == "&" else None
            if decoded:
                value.append(decoded[0])
                i = decoded[1]
                continue
            value.append(self.s[i])
            i += 1
        if self.at(i) == quote:
            i += 1
        return "".join(value), i

    def end_tag(self, begin: int) -> int:
        if not self.stack:
            raise _error(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 1
        while not self.space(i) and self.at(i) != ">":
            i += 1
        end_name = self.s[begin + 2 : i]
        i = self.skip_spaces(i)
        if self.at(i) != ">":
            raise _error(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        opened = self.stack.pop()
        if end_name and end_name != opened.tag:
            raise _error(
                f'Unmatched end tag at byte offset {self.byte_offset(begin)}, expected "</{opened.tag}>", '
                f'found "</{end_name}>"'
            )
        self.add_entity(opened)
        return i + 1

    def add_entity(self, opened: _Open) -> None:
        length = self.utf16 - opened.offset
        if length == 0:
            return
        entity: dict[str, Any] = {"type": _ENTITY_TYPE[opened.tag], "offset": opened.offset, "length": length}
        if opened.tag == "a":
            entity["url"] = opened.argument or _tail(self.out, length)
        elif opened.tag == "tg-emoji":
            entity["custom_emoji_id"] = opened.argument
        elif opened.tag == "blockquote" and opened.expandable:
            entity["type"] = "expandable_blockquote"
        elif opened.tag == "pre":
            inner = self.entities[-1] if self.entities else None
            if (
                inner
                and inner["type"] == "code"
                and (inner["offset"], inner["length"]) == (opened.offset, length)
            ):
                self.entities.pop()
                if inner.get("language"):
                    entity["language"] = inner["language"]
        elif opened.tag == "code" and opened.argument:
            entity["language"] = opened.argument
        self.entities.append(entity)


def _tail(out: list[str], utf16_length: int) -> str:
    chars: list[str] = []
    for ch in reversed("".join(out)):
        if utf16_length <= 0:
            break
        chars.append(ch)
        utf16_length -= _u16(ch)
    return "".join(reversed(chars))


def parse_html(source: str, *, strict: bool = True) -> FormattedText:
    """Parse Telegram HTML into text and entities, raising Telegram's "can't parse entities" 400."""
    return _Parser(source, strict).parse()


def format_text(source: str, parse_mode: str | None, *, strict: bool = True) -> FormattedText:
    """Apply parse_mode and trim surrounding whitespace, as Telegram does before storing a text."""
    if parse_mode is None or parse_mode == "":
        formatted = FormattedText(source)
    elif parse_mode.lower() == "html":
        formatted = parse_html(source, strict=strict)
    else:
        # Loud on purpose: the bot speaks HTML; a Markdown text would otherwise go unchecked.
        raise bad_request(f"unsupported parse_mode {parse_mode!r} (the emulation speaks HTML only)")
    return _trim(formatted)


def _trim(formatted: FormattedText) -> FormattedText:
    text = formatted.text
    stripped = text.lstrip(_TRIM)
    shift = _utf16_length(text[: len(text) - len(stripped)])
    stripped = stripped.rstrip(_TRIM)
    total = _utf16_length(stripped)
    entities = []
    for entity in formatted.entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)
