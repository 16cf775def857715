"""A need written in another language, rewritten into the English words the engine understands.

The directory and the needs taxonomy are in English. A resident who writes "mujhe khana chahiye",
"ਮੈਨੂੰ ਡਾਕਟਰ ਚਾਹੀਦਾ" or "potrzebuję lekarza" is read through a lexicon of their language: plain
data, one file per language in bot/matching/languages/<code>.toml, that maps the language's
words and phrases (in its own script, and in the Latin letters many people type it in) to English
words the taxonomy knows. The rewritten text is then read like any English query, so every
language reaches the same needs and the same assets.

A language is recognised by its script (Gurmukhi is Punjabi, Gujarati script Gujarati; Arabic
script is Urdu or Arabic, whichever lexicon knows more of the words) or, in Latin letters, by
words of its lexicon that are not English. Text in which no language is recognised is returned
exactly as typed: English queries are read as they always were.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

LANGUAGES_DIR = Path(__file__).with_name("languages")

SCRIPTS = ("latin", "arabic", "gurmukhi", "gujarati")
# How surely the words of a text say a language: a language is recognised from RECOGNISED_AT.
RECOGNISED_AT = 1.0
# A word of the lexicon in its own script says it; one in Latin letters only when it is not an
# English word (of the directory or the taxonomy), and fully only from FULL_LATIN letters: a short
# word ("ghar", "mate", "dom") may be a name or an English word the directory does not use, so it
# takes two. Under MIN_LATIN letters ("na", "do", "ka") it says nothing.
MIN_LATIN, FULL_LATIN, SHORT_LATIN_SIGN = 3, 5, 0.5
# A script that only one lexicon uses (Gurmukhi, Gujarati) says the language on its own.
OWN_SCRIPT_SIGN = 1.0
# Letters that only one language of a shared script uses (Urdu's ٹ ڈ ڑ ں ے) tip a tie.
MARK_SIGN = 0.25

_SECTIONS = ("places", "people", "words")
_TOP_KEYS = ("language", "name", "scripts", "marks", "ignore", "forms", "needs", *_SECTIONS)
_FORM_KEYS = ("replace", "prefixes", "suffixes", "min_stem", "endings")

# Where one thought ends and the next begins, in every script: "،" "؛" "؟" (Arabic script), "۔"
# (Urdu full stop), "।" "॥" (danda, in Gurmukhi and Gujarati text).
_BREAKS = frozenset(",.;:!?()\n،؛؟۔।॥")
_APOSTROPHES = re.compile(r"['’‘`´]")
_ASCII_WORD = re.compile(r"[a-z0-9]+")

# Arabic script as people type it: the same word arrives with or without short vowels, with any
# of the alef forms, with Arabic or Persian/Urdu yeh and kaf, with any of the four "h" letters.
_HARAKAT = re.compile("[\u064b-\u065f\u0670\u0640\u06d6-\u06ed]")  # short vowels, tatweel, marks
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",  # alef variants -> ا
        "ي": "ی", "ى": "ی", "ئ": "ی", "ې": "ی", "ۓ": "ے",  # yeh -> ی (Urdu's ے stays: بیٹے, بیٹی)
        "ك": "ک", "ڪ": "ک",  # Arabic kaf -> Urdu/Persian kaf
        "ة": "ه", "ہ": "ه", "ۃ": "ه", "ھ": "ه", "ۀ": "ه", "ە": "ه",  # every h: ه
        "ؤ": "و",
    }
)  # fmt: skip
# Gurmukhi and Gujarati as people type them: a dot under a letter (nukta) or gemination (addak)
# often left out, tippi and bindi (the nasal marks) used for each other.
_INDIC_MARKS = str.maketrans(
    {"\u0a3c": "", "\u0a71": "", "\u0a70": "\u0a02", "\u0abc": "", "\u0a81": "\u0a82"}
)
# Digits of every script these languages are written in: ١٤ / ۱۴ / ੧੪ / ૧૪ -> 14
_DIGITS = str.maketrans(
    {chr(start + i): str(i) for start in (0x0660, 0x06F0, 0x0A66, 0x0AE6) for i in range(10)}
)
# Latin letters NFKD does not take apart: Polish ł, and a few others people may type.
_LATIN_LETTERS = str.maketrans({"ł": "l", "ß": "ss", "ø": "o", "đ": "d", "ı": "i", "æ": "ae", "œ": "oe"})
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


class LexiconError(ValueError):
    """A language file is wrong; the message names the file and the entry."""


def script_of(token: str) -> str:
    """The script of a word: latin, arabic, gurmukhi, gujarati, or "" (digits, anything else)."""
    for char in token:
        code = ord(char)
        if char.isascii():
            if char.isalpha():
                return "latin"
        elif 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
            return "arabic"
        elif 0x0A00 <= code <= 0x0A7F:
            return "gurmukhi"
        elif 0x0A80 <= code <= 0x0AFF:
            return "gujarati"
        elif unicodedata.category(char).startswith("L") and code < 0x0250:
            return "latin"  # ą, ę, ł, ó, ż...
    return ""


@lru_cache(maxsize=50_000)
def normalise(token: str) -> str:
    """A word as its language's lexicon is looked up: lower case, no accents (Latin), Arabic
    script unified (no short vowels or tatweel, one alef, one yeh, one kaf, one h), Gurmukhi and
    Gujarati without nukta or addak, every script's digits as 0-9."""
    token = _INVISIBLE.sub("", token.translate(_DIGITS))
    script = script_of(token)
    if script == "latin":
        token = unicodedata.normalize("NFKD", token.casefold().translate(_LATIN_LETTERS))
        return "".join(c for c in token if not unicodedata.combining(c))
    if script == "arabic":
        return _HARAKAT.sub("", unicodedata.normalize("NFC", token).translate(_ARABIC_LETTERS))
    if script in ("gurmukhi", "gujarati"):
        return unicodedata.normalize("NFC", token).translate(_INDIC_MARKS)
    return token.casefold()


def tokens_and_breaks(text: str) -> list[list[str]]:
    """Text split into clauses (at punctuation of any of the scripts), each a list of words.

    A word is a run of letters, marks and digits: the vowel signs of Gurmukhi and Gujarati are
    marks, which Python's \\w does not count as part of a word."""
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    clauses: list[list[str]] = [[]]
    word: list[str] = []
    for char in text:
        if unicodedata.category(char)[0] in "LMN" or char in "\u200c\u200d":
            word.append(char)
            continue
        if word:
            clauses[-1].append("".join(word))
            word = []
        if char in _BREAKS and clauses[-1]:
            clauses.append([])
    if word:
        clauses[-1].append("".join(word))
    return [clause for clause in clauses if clause]


@dataclass(frozen=True)
class Forms:
    """How a language's words are matched in their different forms, as its file says: spelling
    variants of romanised words made one (REPLACE: "aa" -> "a"), then one prefix (Arabic's
    "ال") and one suffix (Polish "-ami", "-ego", Somali "-ka", "-ta") taken off, the longest that
    leaves at least MIN_STEM letters. The lexicon's words are read the same way, so "lekarza" and
    "lekarzem" both meet the lexicon's "lekarz".

    ENDINGS are what may be joined to a word of the language's own script (Gujarati "લેસ્ટરમાં",
    "in Leicester"; Arabic "ابني", "my son"): one is taken off only when what is left is a word of
    the lexicon, so no word of the lexicon is ever cut. Not from words in Latin letters, which may
    be English ("salon" is not "sal" + "on")."""

    replace: tuple[tuple[str, str], ...] = ()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    min_stem: int = 3
    endings: tuple[str, ...] = ()

    def key(self, word: str) -> str:
        for old, new in self.replace:
            word = word.replace(old, new)
        for prefix in self.prefixes:  # longest first
            if word.startswith(prefix) and len(word) - len(prefix) >= self.min_stem:
                word = word[len(prefix) :]
                break
        for suffix in self.suffixes:  # longest first
            if word.endswith(suffix) and len(word) - len(suffix) >= self.min_stem:
                return word[: -len(suffix)]
        return word


@dataclass
class Lexicon:
    """One language's words, by the keys of their words (Forms.key of normalise)."""

    code: str
    name: str
    scripts: frozenset[str]
    marks: str
    forms: Forms
    entries: dict[tuple[str, ...], str]  # phrase keys -> English ("" to ignore)
    longest: int = 1
    # (need id, English words) of every [needs.<id>] line, for checking them against the taxonomy
    needs: tuple[tuple[str, str], ...] = ()

    @property
    def categories(self) -> frozenset[str]:
        """The needs the file gives words for."""
        return frozenset(need for need, _ in self.needs)

    def __post_init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._known: set[str] = set()  # every word of every entry, as a key

    def add(self, phrase: str, english: str) -> tuple[tuple[str, ...], bool]:
        """Add one entry: its keys, and False when the phrase already meant something else."""
        keys = tuple(
            self.forms.key(normalise(word)) for clause in tokens_and_breaks(phrase) for word in clause
        )
        if self.entries.get(keys, english) != english:
            return keys, False
        self.entries[keys] = english
        self.longest = max(self.longest, len(keys))
        self._known.update(keys)
        self._keys.clear()
        return keys, True

    def knows(self, word: str) -> bool:
        """Whether WORD is a word of one of the entries (alone or in a phrase)."""
        return self.key(word) in self._known

    def key(self, word: str) -> str:
        """WORD as the lexicon's entries are looked up (normalise, Forms)."""
        found = self._keys.get(word)
        if found is None:
            found = self.forms.key(normalise(word))
            if found not in self._known and script_of(found) != "latin":
                for ending in self.forms.endings:  # longest first
                    if found.endswith(ending) and found[: -len(ending)] in self._known:
                        found = found[: -len(ending)]
                        break
            if len(self._keys) > 50_000:
                self._keys.clear()
            self._keys[word] = found
        return found


@dataclass
class _Reading:
    """A text as one lexicon reads it (LanguageReader.rewrite chooses among them)."""

    language: str
    clauses: list[list[str]] = field(default_factory=list)
    signs: float = 0.0  # how surely the text is in this language
    known: int = 0  # how many of its words the lexicon knew


@dataclass(frozen=True)
class Rewriting:
    text: str  # what the English reader reads: the text itself when no language was recognised
    language: str | None = None  # the lexicon's code: "ur", "pa", "gu", "pl", "so", "ar"


def load_lexicon(path: Path) -> Lexicon:
    """Read and check one language file; a mistake names the file and the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise LexiconError(f"{path.name}: {error}") from error
    where = path.name
    for key in data:
        if key not in _TOP_KEYS:
            raise LexiconError(f"{where}: unknown entry {key!r} (expected one of {', '.join(_TOP_KEYS)})")
    code = data.get("language")
    if not isinstance(code, str) or code != path.stem:
        raise LexiconError(f"{where}: language = {code!r} must be the file's name, {path.stem!r}")
    scripts = data.get("scripts", [])
    if not scripts or not isinstance(scripts, list) or any(s not in SCRIPTS for s in scripts):
        raise LexiconError(f"{where}: scripts must be a list of {', '.join(SCRIPTS)}")
    forms = _forms(data.get("forms", {}), where)
    lexicon = Lexicon(
        code=code,
        name=str(data.get("name", code)),
        scripts=frozenset(scripts),
        marks=str(data.get("marks", "")),
        forms=forms,
        entries={},
    )
    sources: dict[tuple[str, ...], str] = {}  # phrase keys -> where the file gave them, for errors
    tables: list[tuple[str, dict[str, Any]]] = [("ignore", {"": data.get("ignore", [])})]
    tables += [(section, data.get(section, {})) for section in _SECTIONS]
    needs = data.get("needs", {})
    if not isinstance(needs, dict):
        raise LexiconError(f"{where}: [needs] must be tables, one per need: [needs.food-banks]")
    tables += [(f"needs.{category}", table) for category, table in needs.items()]
    for section, table in tables:
        if not isinstance(table, dict):
            raise LexiconError(f"{where}: [{section}] must map English words to lists of words")
        for english, phrases in table.items():
            if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
                raise LexiconError(f"{where}: [{section}] {english!r} must be a list of words")
            for phrase in phrases:
                said = f"[{section}] {english!r}" if english else "ignore"
                if not any(tokens_and_breaks(phrase)):
                    raise LexiconError(f"{where}: [{section}] {phrase!r} has no words")
                keys, added = lexicon.add(phrase, english)
                if not added:
                    raise LexiconError(f"{where}: {phrase!r} is in both {sources[keys]} and {said}")
                sources.setdefault(keys, said)
    lexicon.needs = tuple((need, english) for need, table in needs.items() for english in table)
    return lexicon


def _forms(data: Any, where: str) -> Forms:
    if not isinstance(data, dict) or any(key not in _FORM_KEYS for key in data):
        raise LexiconError(f"{where}: [forms] may only have {', '.join(_FORM_KEYS)}")
    replace = data.get("replace", [])
    if not all(isinstance(pair, list) and len(pair) == 2 for pair in replace):
        raise LexiconError(f'{where}: [forms] replace must be pairs: [["aa", "a"], ...]')

    def longest_first(affixes: list[str]) -> tuple[str, ...]:
        return tuple(sorted({normalise(a) for a in affixes}, key=lambda a: (-len(a), a)))

    return Forms(
        replace=tuple((normalise(old), normalise(new)) for old, new in replace),
        prefixes=longest_first(data.get("prefixes", [])),
        suffixes=longest_first(data.get("suffixes", [])),
        min_stem=int(data.get("min_stem", 3)),
        endings=longest_first(data.get("endings", [])),
    )


class LanguageReader:
    """Recognises the language of a query and rewrites it into English words (one reader per
    search engine; the lexicons are loaded once per process)."""

    def __init__(self, lexicons: Iterable[Lexicon]) -> None:
        self.lexicons = sorted(lexicons, key=lambda lexicon: lexicon.code)
        self._latin = [lexicon for lexicon in self.lexicons if "latin" in lexicon.scripts]
        self._latin_known: dict[str, bool] = {}  # a Latin word -> whether any lexicon knows it
        users: dict[str, int] = {}
        for lexicon in self.lexicons:
            for script in lexicon.scripts:
                users[script] = users.get(script, 0) + 1
        # Latin letters never say a language on their own: English is written in them
        self._own_script = {script for script, count in users.items() if count == 1} - {"latin"}

    def rewrite(self, text: str, is_english: Callable[[str], bool]) -> Rewriting:
        """TEXT in English words, with the language it was written in; TEXT itself when no
        language is recognised. IS_ENGLISH(word) says a folded Latin word is English (a word of
        the directory or the taxonomy), so it is no sign of another language.

        The language whose lexicon finds the surest signs of it wins (see RECOGNISED_AT), then
        the one that knows more of the words; when two still tie (a word Urdu and Arabic share)
        the text is rewritten all the same, but no language is said."""
        if not self._may_be_foreign(text, is_english):
            return Rewriting(text)
        clauses = tokens_and_breaks(text)
        scripts = {script_of(normalise(word)) for clause in clauses for word in clause} - {""}
        readings = []
        for lexicon in self.lexicons:
            if scripts & lexicon.scripts:
                reading = self._rewrite(lexicon, clauses, is_english)
                reading.signs += OWN_SCRIPT_SIGN * len(scripts & lexicon.scripts & self._own_script)
                if lexicon.marks and any(mark in text for mark in lexicon.marks):
                    reading.signs += MARK_SIGN
                if reading.signs >= RECOGNISED_AT:
                    readings.append(reading)
        if not readings:
            return Rewriting(text)
        readings.sort(key=lambda r: (-r.signs, -r.known))
        best = readings[0]
        tied = len(readings) > 1 and (readings[1].signs, readings[1].known) == (best.signs, best.known)
        english = ", ".join(" ".join(clause) for clause in best.clauses if clause)
        return Rewriting(english, None if tied else best.language)

    def _may_be_foreign(self, text: str, is_english: Callable[[str], bool]) -> bool:
        """Whether any word of TEXT could be a sign of another language (see _sign): a word in
        another script than Latin, or a Latin word that is not English and that a lexicon knows.
        When none is, no language can be recognised: English queries stop here, in microseconds."""
        if text.isascii():
            found = _ASCII_WORD.findall(_APOSTROPHES.sub("", text.lower()))
        else:
            found = [normalise(word) for clause in tokens_and_breaks(text) for word in clause]
        for word in found:
            script = script_of(word)
            if script and script != "latin":
                return True
            if script and len(word) >= MIN_LATIN and not is_english(word) and self._known_in_latin(word):
                return True
        return False

    def _known_in_latin(self, word: str) -> bool:
        known = self._latin_known.get(word)
        if known is None:
            if len(self._latin_known) > 50_000:
                self._latin_known.clear()
            known = self._latin_known[word] = any(lexicon.knows(word) for lexicon in self._latin)
        return known

    def _rewrite(
        self, lexicon: Lexicon, clauses: list[list[str]], is_english: Callable[[str], bool]
    ) -> _Reading:
        """The clauses in English by LEXICON (longest phrase first), with how surely the words it
        found say its language (each different word once) and how many words it knew. A Latin
        word it does not know stays as typed ("food bank"); one of another script is left out."""
        reading = _Reading(lexicon.code)
        telling: dict[str, float] = {}
        for clause in clauses:
            keys = [lexicon.key(word) for word in clause]
            english: list[str] = []
            i = 0
            while i < len(clause):
                for size in range(min(lexicon.longest, len(clause) - i), 0, -1):
                    meaning = lexicon.entries.get(tuple(keys[i : i + size]))
                    if meaning is not None:
                        for word in clause[i : i + size]:
                            telling[word] = self._sign(word, is_english)
                        reading.known += size
                        if meaning:
                            english.append(meaning)
                        i += size
                        break
                else:
                    word = normalise(clause[i])
                    if script_of(word) in ("latin", ""):
                        english.append(word)
                    i += 1
            reading.clauses.append(english)
        # each different word once: "hai hai hai" is no surer than "hai"
        reading.signs = sum(telling.values())
        return reading

    @staticmethod
    def _sign(word: str, is_english: Callable[[str], bool]) -> float:
        """How surely a word found in a lexicon says that language (see RECOGNISED_AT)."""
        folded = normalise(word)
        script = script_of(folded)
        if script != "latin":
            return 1.0 if script else 0.0
        if len(folded) < MIN_LATIN or is_english(folded):
            return 0.0
        return 1.0 if len(folded) >= FULL_LATIN else SHORT_LATIN_SIGN


def lexicon_files(directory: Path = LANGUAGES_DIR) -> list[Path]:
    return sorted(directory.glob("*.toml"))


@cache
def default_lexicons() -> tuple[Lexicon, ...]:
    """Every language file that comes with the bot, read once per process."""
    return tuple(load_lexicon(path) for path in lexicon_files())
