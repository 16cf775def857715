"""How the safety triage reads words: English as the search reads it, every other language here.

English (bot/services/safety_triage.toml) is read exactly as the search reads it (bot.matching.text:
fold, clauses, Snowball stems). The other languages' files (bot/services/safety_triage/*.toml) and
the messages they read go through the same steps here, on both sides, so that a word written one
way in a file meets the ways people type it:

- every script: lower case; Latin accents folded (ą→a, ć→c, ł→l, ó→o, ś→s, ż→z, ß→ss);
  apostrophes dropped; digits of any script become 0-9; invisible joiners dropped.
- Arabic script (Urdu, Arabic, Shahmukhi Punjabi): harakat, tatweel and hamza marks dropped
  (أ إ آ ٱ → ا, ؤ → و, ئ → ی); ي ى ے → ی; ك → ک; ه ہ ھ ة ۃ → ه; ں → ن; ، ؛ ؟ ۔ end a clause.
- Gurmukhi and Gujarati: nukta, virama, adhak and nasal marks (bindi, tippi, anusvara) dropped;
  long ii/uu signs read as short ones (people type both); । ॥ end a clause.
- then each language's own word forms (Reading.variants): romanised Urdu, Punjabi and Gujarati
  get a spelling key (see roman_key); Somali doubled vowels are read as one; Arabic words are
  also tried without a leading و ف ب ل س or ال.

Word forms beyond that are the data's job, by prefix: a word written with a trailing * in a file
("zabij*") stands for every word that begins so (zabije, zabijesz, zabijać). No Telegram here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.matching.text import clauses, fold, stem, words

# Which scripts a message is written in picks the files that read it (bot.services.safety).
SCRIPTS = {
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefe]"),
    "gurmukhi": re.compile(r"[\u0a00-\u0a7f]"),
    "gujarati": re.compile(r"[\u0a80-\u0aff]"),
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
}
_ASCII_ONLY = frozenset({"latin"})

_DROP = re.compile(
    "["
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # Latin accents (after NFKD)
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u0621"  # harakat, hamza marks, tatweel, hamza
    "\u0a01-\u0a03\u0a3c\u0a4d\u0a70\u0a71"  # Gurmukhi nasal marks, visarga, nukta, virama, tippi, adhak
    "\u0a81-\u0a83\u0abc\u0acd"  # Gujarati nasal marks, visarga, nukta, virama
    "\u200b-\u200f\u2060\ufeff\u00ad"  # zero-width spaces and joiners, soft hyphen
    "'’‘`´ʼʻ"  # apostrophes ("don't", Somali "la'aan")
    "]"
)
_LETTERS = {
    "ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "ß": "ss", "&": " and ",
    "ي": "ی", "ى": "ی", "ے": "ی", "ك": "ک", "ہ": "ه", "ھ": "ه", "ة": "ه", "ۃ": "ه", "ۀ": "ه",
    "ٱ": "ا", "ں": "ن",
    "ੀ": "ਿ", "ੂ": "ੁ", "ਈ": "ਇ", "ਊ": "ਉ",  # Gurmukhi long i/u as short
    "ી": "િ", "ૂ": "ુ", "ઈ": "ઇ", "ઊ": "ઉ",  # Gujarati likewise
}  # fmt: skip
for _zero in ("\u0660", "\u06f0", "\u0a66", "\u0ae6"):  # Arabic-Indic, Urdu, Gurmukhi, Gujarati 0
    _LETTERS.update({chr(ord(_zero) + d): str(d) for d in range(10)})
_TRANSLATE = str.maketrans(_LETTERS)
_ASCII_APOSTROPHES = re.compile(r"['`]")

# A clause ends at punctuation of any of the scripts, or at "but" in one of the languages.
BUT = (
    "but", "ale", "lecz", "laakiin", "balse", "lekin", "magar",
    "لیکن", "مگر", "لکن", "ولکن", "ਪਰ", "ਲੇਕਿਨ", "પરંતુ",
)  # fmt: skip
_WORD = "|".join(
    (
        r"[a-z0-9]+",  # Latin letters, folded
        r"[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f]+",  # Arabic script
        r"[\u0a05-\u0a6f\u0a72-\u0a75]+",  # Gurmukhi
        r"[\u0a85-\u0aef]+",  # Gujarati
    )
)
_TOKEN = re.compile(_WORD)
_DATA_TOKEN = re.compile(rf"(?:{_WORD})\*?")  # a file's word may end in * (a prefix)


def normalise(text: str) -> str:
    """TEXT as every non-English file and message is compared (see the module's docstring)."""
    if text.isascii():
        return _ASCII_APOSTROPHES.sub("", text.lower()).replace("&", " and ")
    text = _DROP.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return text.translate(_TRANSLATE)


_CLAUSE_BREAK = re.compile(
    r"[,.;:!?()\n،؛؟۔।॥]+|\s+-\s+|\s+(?:" + "|".join(normalise(w) for w in BUT) + r")\s+"
)


def scripts_of(text: str) -> frozenset[str]:
    """The scripts TEXT is written in ("latin", "arabic", "gurmukhi", "gujarati")."""
    if text.isascii():
        return _ASCII_ONLY
    return frozenset(name for name, letters in SCRIPTS.items() if letters.search(text))


def split_words(text: str) -> list[list[str]]:
    """TEXT's clauses, each as its normalised words: what every non-English file reads."""
    return [found for part in _CLAUSE_BREAK.split(normalise(text)) if (found := _TOKEN.findall(part))]


def data_words(phrase: str) -> list[str]:
    """A file's phrase as normalised words, a trailing * kept (a prefix)."""
    return _DATA_TOKEN.findall(normalise(phrase))


_DOUBLE = re.compile(r"(.)\1+")
_ROMAN_VOWELS = re.compile(r"ai|ay|ae|ei|ey")
_INNER_H = re.compile(r"(?<=.)h")


def roman_key(word: str) -> str:
    """Romanised Urdu, Punjabi or Gujarati as a spelling key, so the ways one word is typed meet:
    ee→i and oo→u; doubled letters once (maar/mar, marnaa/marna, pitta/pita); ph→f, q→k, w→v,
    z→j (zindagi/jindagi); an h after the first letter dropped (khudkushi/kudkushi,
    mujhe/muje, chahta/chata); ai ay ae ei ey → e (hai/hay/he, mein/main); a final y after a
    consonant → e (mujhy/mujhe, hy/hai)."""
    key = word.replace("ee", "i").replace("oo", "u").replace("ph", "f")
    key = key.translate(_ROMAN_LETTERS)
    key = _INNER_H.sub("", _DOUBLE.sub(r"\1", key))
    key = _ROMAN_VOWELS.sub("e", key)
    if len(key) > 1 and key.endswith("y") and key[-2] not in "aeiou":
        key = key[:-1] + "e"
    return _DOUBLE.sub(r"\1", key)


_ROMAN_LETTERS = str.maketrans({"q": "k", "w": "v", "z": "j"})
_SOMALI_VOWELS = re.compile(r"([aeiou])\1+")
# Arabic words may carry و ف (and), ب (with), ل (for), س (will), ال (the) in front; longest first,
# so that the barest form comes first
_PROCLITICS = (
    "وبال", "وال", "بال", "فال", "کال", "ولل", "لل", "ال", "وب", "ول", "وس", "فس", "و", "ف", "ب", "ل", "س",
)  # fmt: skip


def _latin(word: str) -> bool:
    return "a" <= word[:1] <= "z"


@dataclass(frozen=True)
class Reading:
    """How one language's file and the messages it reads are taken apart into comparable words."""

    code: str
    split: Callable[[str], list[list[str]]]  # a message -> its clauses' words
    # a word -> its forms: the usual first, then barer ones (Arabic without و or ال), which are
    # preferred where the file has them
    variants: Callable[[str], tuple[str, ...]]
    data_words: Callable[[str], list[str]]  # a file's phrase -> its words (prefixes keep their *)
    forgives: Callable[[str], bool]  # whether a small typo in this (compared) word is forgiven
    shortest_typo: int = 5  # the shortest word a typo is forgiven in
    two_typos_from: int = 8  # the length from which two typos are forgiven


def _english_split(text: str) -> list[list[str]]:
    return [words(clause) for clause in clauses(fold(text))]


ENGLISH = Reading("en", _english_split, lambda w: (stem(w),), words, lambda w: True)


def _same(word: str) -> tuple[str, ...]:
    return (word,)


def _romanised(word: str) -> tuple[str, ...]:
    return (roman_key(word),) if _latin(word) else (word,)


def _somali(word: str) -> tuple[str, ...]:
    return (_SOMALI_VOWELS.sub(r"\1", word),)


def _arabic(word: str) -> tuple[str, ...]:
    if _latin(word):
        return (word,)
    bare = [word[len(p) :] for p in _PROCLITICS if word.startswith(p) and len(word) - len(p) >= 2]
    return (word, *bare)


def _latin_letters(word: str) -> bool:
    return word.isascii() and word.isalpha()


def reading(code: str) -> Reading:
    """The reading for a language's file: its own word forms where it has them; for a language
    added by a file alone, the common normalisation and prefixes."""
    variants = {
        "pl": _same,
        "so": _somali,
        "ur": _romanised,
        "pa": _romanised,
        "gu": _romanised,
        "ar": _arabic,
    }
    if code == ENGLISH.code:
        return ENGLISH
    # typos only in longer words: these files also read English messages, whose everyday words
    # must not become a near word of theirs ("sunday" is one letter from Somali "suuxday")
    return Reading(code, split_words, variants.get(code, _same), data_words, _latin_letters, 7, 99)
