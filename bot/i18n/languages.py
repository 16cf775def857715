"""The languages the bot speaks: English, and one more for each catalogue in bot/locales.

A language is added by adding its file (`bot/locales/<code>.po`, see bot.i18n.catalogues): its
name in its own words, its direction and its plural rules come from CLDR through Babel, so no
list here needs changing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from babel import Locale

ENGLISH = "en"
LOCALES = Path(__file__).resolve().parents[1] / "locales"


@dataclass(frozen=True)
class Language:
    code: str  # what Telegram's language_code starts with: "ur", "pa", "pl"
    own_name: str  # "اردو", "ਪੰਜਾਬੀ", "polski": how the language calls itself
    english_name: str
    right_to_left: bool

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code)


def _language(code: str) -> Language:
    locale = Locale.parse(code)
    own = locale.display_name or code
    return Language(
        code=code,
        own_name=own[:1].upper() + own[1:],  # "Polski", as a button starts
        english_name=locale.english_name or code,
        right_to_left=locale.character_order == "right-to-left",
    )


@functools.cache
def spoken() -> dict[str, Language]:
    """English first, then every language with a catalogue, in code order."""
    codes = sorted(path.stem for path in LOCALES.glob("*.po") if path.stem != ENGLISH)
    return {code: _language(code) for code in [ENGLISH, *codes]}


def language(code: str | None) -> Language:
    """The language with this code; English for one the bot does not speak."""
    return spoken().get(code or ENGLISH) or spoken()[ENGLISH]


def from_telegram(language_code: str | None) -> str | None:
    """The language to speak to someone whose Telegram is set to LANGUAGE_CODE ("pl", "pa-IN",
    "ur"), if the bot speaks it; None otherwise (then English)."""
    if not language_code:
        return None
    code = language_code.replace("_", "-").split("-")[0].lower()
    return code if code in spoken() else None
