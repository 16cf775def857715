"""The catalogues: every word the bot says, in each language, as gettext `.po` files.

`bot/messages.py` is the English source. Each of its constants is one entry, or several: a dict
gives one per key and a tuple or list one per item, each with its context, the constant's name
and where in it ("SAFETY_LINES.self-harm.0"), so a translator sees what an entry is for and two
equal English texts can be translated differently. `counted`'s nouns are plural entries
("{n} person" / "{n} people") with as many forms as the language has.

`bot/locales/messages.pot` is the template and `bot/locales/<code>.po` a language
(`peoplezones languages update` writes both from the source with Babel's catalogue tools). An
entry a speaker of the language has checked carries the flag `reviewed`; the rest are drafts. A
missing translation falls back to the English.
"""

from __future__ import annotations

import fnmatch
import functools
import gettext
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n.languages import ENGLISH, LOCALES, language

TEMPLATE = LOCALES / "messages.pot"
REVIEWED = "reviewed"  # the flag on an entry a speaker of the language has checked
PLURAL_CONTEXT = "PLURALS"
NEEDS_CONTEXT = "NEEDS"  # the needs taxonomy's groups and needs (bot/matching/needs_taxonomy.toml)
# Not for translating: the terminal chat's own words (a tool for trying the bot, in English), and
# the commands' names (a command is typed the same in every language; its description is not).
UNTRANSLATED = ("CHAT_*", "COMMANDS.*.0")

# In a right-to-left language, what must read left to right stays whole and in order: each
# placeholder (a postcode, a time, an English name) is isolated by direction, and so is a run of
# digits (a phone number's groups would otherwise be laid out last group first).
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_DIGITS = re.compile(r"\+?\d[\d ]*\d|\d")
FIRST_STRONG_ISOLATE, LEFT_TO_RIGHT_ISOLATE, POP_ISOLATE = "\u2068", "\u2066", "\u2069"


@dataclass(frozen=True)
class Entry:
    context: str  # "NO_MATCH", "SAFETY_LINES.self-harm.0"
    english: str
    english_plural: str | None = None  # for a count: "{n} people"


def entries(name: str, value: object) -> Iterator[Entry]:
    """The translatable texts in one constant of bot.messages, with their contexts."""
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in UNTRANSLATED):
        return
    if name == PLURAL_CONTEXT and isinstance(value, dict):
        for noun, nouns in value.items():
            yield Entry(f"{name}.{noun}", f"{{n}} {noun}", f"{{n}} {nouns}")
    elif isinstance(value, str):
        if value:  # "" stays "" in every language (gettext cannot hold an empty English text)
            yield Entry(name, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from entries(f"{name}.{key}", item)
    elif isinstance(value, tuple | list):
        for n, item in enumerate(value):
            yield from entries(f"{name}.{n}", item)


def _translate(name: str, value: Any, catalogue: gettext.GNUTranslations, isolate: bool) -> Any:
    if isinstance(value, str):
        found = catalogue.pgettext(name, value)
        return isolated(found) if isolate and found is not value else found
    if isinstance(value, dict):
        return {key: _translate(f"{name}.{key}", item, catalogue, isolate) for key, item in value.items()}
    if isinstance(value, tuple | list):
        items = [_translate(f"{name}.{n}", item, catalogue, isolate) for n, item in enumerate(value)]
        return tuple(items) if isinstance(value, tuple) else items
    return value


def isolated(text: str) -> str:
    """TEXT, for a right-to-left language, with its placeholders and digit runs isolated."""
    text = _DIGITS.sub(lambda d: f"{LEFT_TO_RIGHT_ISOLATE}{d.group(0)}{POP_ISOLATE}", text)
    return _PLACEHOLDER.sub(lambda p: f"{FIRST_STRONG_ISOLATE}{p.group(0)}{POP_ISOLATE}", text)


def path_of(code: str) -> Path:
    return LOCALES / f"{code}.po"


def read(code: str) -> Catalog:
    """The catalogue of language CODE as it is on disk."""
    with path_of(code).open("rb") as file:
        return read_po(file, locale=code)


def read_template() -> Catalog:
    with TEMPLATE.open("rb") as file:
        return read_po(file)


@functools.cache
def compiled(code: str) -> gettext.GNUTranslations | gettext.NullTranslations:
    """CODE's catalogue ready to look things up in (English: the source itself)."""
    if code == ENGLISH or not path_of(code).exists():
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, read(code), use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translated(code: str, name: str, source: Any) -> Any:
    """The constant NAME of bot.messages (English SOURCE) in language CODE."""
    catalogue = compiled(code)
    if isinstance(catalogue, gettext.GNUTranslations):
        return _translate(name, source, catalogue, language(code).right_to_left)
    return source


def need_entries() -> Iterator[Entry]:
    """The needs taxonomy's names people read (its groups and its needs), from its own file."""
    from bot.matching.taxonomy import default_taxonomy  # data of its own: read when asked for

    taxonomy = default_taxonomy()
    for group in taxonomy.groups():
        yield Entry(f"{NEEDS_CONTEXT}.group.{group}", group)
    for category in taxonomy.categories:
        yield Entry(f"{NEEDS_CONTEXT}.need.{category.id}", category.name)


@functools.cache
def need_text(code: str, context: str, english: str) -> str:
    """A group's or a need's name (an entry of `need_entries`) in language CODE."""
    found = compiled(code).pgettext(context, english)
    return isolated(found) if language(code).right_to_left and found is not english else found


def plural(code: str, noun: str, nouns: str, number: int) -> str:
    """NUMBER of NOUN ("person", plural NOUNS "people") in language CODE: "3 people"."""
    singular, plural_form = f"{{n}} {noun}", f"{{n}} {nouns}"
    chosen = compiled(code).npgettext(f"{PLURAL_CONTEXT}.{noun}", singular, plural_form, number)
    if language(code).right_to_left and chosen not in (singular, plural_form):
        chosen = isolated(chosen)
    return chosen.format(n=number)
