"""Which language a feed or a spreadsheet means, as one code: "Urdu", "urd", "ur", "ur-PK" -> "ur".

Search compares languages and cards name them in the reader's language, so each is kept as one
code: ISO 639-1 where the language has one, else ISO 639-3 ("prs" Dari, "syl" Sylheti). Names and
codes come from CLDR through Babel (English names, each language's own name, the 3-letter codes
and their aliases); what CLDR spells differently from how people in the UK write it is below.
A value that names no language is returned as None, for the importer to report.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from babel import Locale, localedata
from babel.core import get_global

ENGLISH = "en"
# How people write a language where CLDR's English name differs or CLDR has none.
_ALSO_CALLED = {
    "bengali": "bn", "farsi": "fa", "mandarin": "zh", "mandarin chinese": "zh", "panjabi": "pa",
    "gujrati": "gu", "gujerati": "gu", "pushto": "ps", "pashtu": "ps", "sorani": "ckb",
    "kurdish sorani": "ckb", "kurmanji": "ku", "kurdish kurmanji": "ku", "tigrigna": "ti",
    "sylheti": "syl", "pahari": "phr", "pothwari": "phr", "pahari pothwari": "phr", "mirpuri": "phr",
    "british sign language": "bfi", "bsl": "bfi", "portugese": "pt", "ukranian": "uk",
}  # fmt: skip
# Codes CLDR has no name for under the code itself: the English name, and where CLDR names the
# language under a regional variant ("Dari" is CLDR's fa_AF), that variant's key.
_OWN_NAMES = {"syl": "Sylheti", "phr": "Pahari-Pothwari", "bfi": "British Sign Language", "prs": "Dari"}
_CLDR_KEYS = {"prs": "fa_AF"}
# CLDR's entries that are not one language ("Unknown language", "Multiple languages"...).
_NOT_LANGUAGES = frozenset({"und", "mul", "mis", "zxx"})
_TAG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$", re.IGNORECASE)
_LANGUAGE_WORD = re.compile(r"\s+(?:language|lang\.?)$")
_ASIDE = re.compile(r"^(?P<before>[^()]*)\((?P<inside>[^()]*)\)\s*$")
_SEPARATORS = re.compile(r"\s*(?:[,;/&|+]|\band\b)\s*", re.IGNORECASE)


def _fold(text: str) -> str:
    """Lower case, accents off, one space: "  Español " -> "espanol"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def _plain(key: str) -> str:
    """CLDR's key as our code: a regional variant is its language ("pt_BR" -> "pt"), but Dari
    (fa_AF) has a code of its own."""
    for code, cldr_key in _CLDR_KEYS.items():
        if key == cldr_key:
            return code
    return key.split("_", 1)[0]


@functools.cache
def _english_names() -> dict[str, str]:
    """Folded English name -> code, CLDR's names and the ones people use here."""
    names = {_fold(name): _plain(key) for key, name in Locale(ENGLISH).languages.items()}
    names.update({_fold(name): code for code, name in _OWN_NAMES.items()})
    names.update(_ALSO_CALLED)
    return {name: code for name, code in names.items() if code not in _NOT_LANGUAGES}


@functools.cache
def _own_names() -> dict[str, str]:
    """Folded name of each language in its own words ("polski", "اردو") -> code. Read on the first
    value no English name or code matched: loading every locale takes most of a second."""
    names: dict[str, str] = {}
    for key in map(str, Locale(ENGLISH).languages):
        plain = "_" not in key and key not in _NOT_LANGUAGES and localedata.exists(key)
        if plain and (own := Locale.parse(key).languages.get(key)):
            names.setdefault(_fold(own), key)
    return names


@functools.cache
def _codes() -> frozenset[str]:
    """Every code this module hands out."""
    return frozenset(_english_names().values())


def _from_code(text: str) -> str | None:
    match = _TAG.match(text)
    if match is None:
        return None
    code = match.group(1).lower()
    if code in _codes():
        return code
    alias = get_global("language_aliases").get(code)
    if alias is None:
        return None
    canonical = _plain(alias)
    # "prs" is CLDR's fa_AF, and "prs" is already the code we keep for it
    return canonical if canonical in _codes() else None


def _by_name(text: str, names: dict[str, str]) -> str | None:
    """As written ("British Sign Language"), or without a closing "language" ("Urdu language")."""
    name = _fold(text)
    return names.get(name) or names.get(_LANGUAGE_WORD.sub("", name))


def _from_name(text: str) -> str | None:
    return _by_name(text, _english_names())


def _one(text: str) -> str | None:
    # Lower-case short values are codes first ("ga" is Irish; "Ga" is the language of Accra).
    looks_like_code = text == text.lower() and bool(_TAG.match(text))
    readers = (_from_code, _from_name) if looks_like_code else (_from_name, _from_code)
    for read in readers:
        if found := read(text):
            return found
    return _by_name(text, _own_names())


@functools.lru_cache(maxsize=4096)
def language_code(value: str) -> str | None:
    """The code for one value ("Urdu", "urd", "ur-PK", "Punjabi (Gurmukhi)", "Polski"), or None."""
    text = " ".join(str(value).split())
    if not text:
        return None
    if found := _one(text):
        return found
    aside = _ASIDE.match(text)  # "Chinese (Mandarin)", "Sign language (BSL)"
    if aside is not None:
        return _one(aside.group("before").strip()) or _one(aside.group("inside").strip())
    return None


def language_codes(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """The codes VALUES name, in order, once each; and the values (or parts of a value such as
    "Urdu/Klingon") that name no language, as written."""
    codes: dict[str, None] = {}
    unknown: dict[str, None] = {}
    for value in values:
        text = " ".join(str(value).split())
        if not text:
            continue
        if code := language_code(text):
            codes[code] = None
            continue
        parts = [part for part in _SEPARATORS.split(text) if part]
        if len(parts) < 2:
            unknown[text] = None
            continue
        for part in parts:
            if code := language_code(part):
                codes[code] = None
            else:
                unknown[part] = None
    return list(codes), list(unknown)


def normalised(values: Iterable[str]) -> list[str]:
    """VALUES as codes, once each, with what names no language kept as written at the end (for a
    record's problems to report, never silently dropped)."""
    codes, unknown = language_codes(values)
    return codes + unknown


def known_codes(values: Iterable[str]) -> list[str]:
    """The codes of VALUES that name a language (stored values from before codes were kept
    included: "English; Punjabi" reads as en, pa); the rest are left out."""
    return language_codes(values)[0]


def language_name(code: str, locale: Locale | str = ENGLISH) -> str:
    """CODE's name in LOCALE's language ("ur" -> "Urdu"; in Urdu, "اردو"); English, then the code
    itself, where CLDR has no name for it in that language."""
    reader = locale if isinstance(locale, Locale) else Locale.parse(locale)
    key = _CLDR_KEYS.get(code, code)
    return reader.languages.get(key) or Locale(ENGLISH).languages.get(key) or _OWN_NAMES.get(code) or code


def spreadsheet_name(code: str) -> str:
    """How a coordinator's spreadsheet writes a language: its English name where that reads back as
    the same code, else the code; a value that is no known code is written as it is."""
    if code not in _codes():
        return code
    name = language_name(code)
    return name if language_code(name) == code else code


def names_for(code: str) -> set[str]:
    """The folded names that mean CODE: CLDR's English one, the ones people use here, and the
    language's own ("polski")."""
    names = {name for name, named in _english_names().items() if named == code}
    key = _CLDR_KEYS.get(code, code)
    if localedata.exists(key) and (own := Locale.parse(key).languages.get(key)):
        names.add(_fold(own))
    return names
