"""The language a resident asks to be helped in: "someone who speaks Gujarati", "in Polish",
"urdu speaking counsellor", "arabic interpreter".

Only the languages some asset in the directory speaks are looked for: "ewe" and "ga" are
languages somewhere, but here they are what the resident typed, and a language no asset speaks
would rank nothing differently. English never is (everyone here speaks it, and "English classes"
are a need, not a language to be helped in). The words that asked are taken out of the query, so
"in urdu" is not read as a place, and "speaking" not as a need.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from rapidfuzz.distance import OSA

from bot.matching.text import words
from db.importers.languages import ENGLISH, names_for

# Words that say a language is the one to be helped in: "in urdu", "speaks urdu", "urdu speaking".
CUES_BEFORE = frozenset({"in", "speak", "speaks", "speaking", "speaker", "speakers"})
CUES_AFTER = frozenset({"speak", "speaks", "speaking", "speaker", "speakers", "language", "languages"})
# A typo in a language's name ("gujrati", "ukranian") is one edit in a long word that the
# directory itself does not use; shorter names ("urdu", "dari") must be typed as they are.
TYPO_MIN_LETTERS = 6


class Words(Protocol):
    """Words a directory uses (query.Vocabulary)."""

    def __contains__(self, word: str) -> bool: ...


class LanguageSpotter:
    """Finds the languages a query asks for among the ones the directory speaks."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.names: dict[tuple[str, ...], str] = {}
        for code in sorted(set(codes) - {ENGLISH}):
            for name in names_for(code):
                if said := tuple(words(name)):
                    self.names.setdefault(said, code)
        self._longest = max((len(name) for name in self.names), default=1)
        self._long_words = {
            name[0]: code
            for name, code in self.names.items()
            if len(name) == 1 and len(name[0]) >= TYPO_MIN_LETTERS
        }

    def take(
        self, tokens: list[str], known: Words | frozenset[str] = frozenset()
    ) -> tuple[list[str], set[str]]:
        """TOKENS without the words that asked for a language, and the codes asked for. KNOWN
        words (the directory's own) are never read as a misspelt language."""
        if not self.names:
            return tokens, set()
        kept: list[str] = []
        found: set[str] = set()
        i = 0
        while i < len(tokens):
            size, code = self._named(tokens, i, known)
            if code is None:
                kept.append(tokens[i])
                i += 1
                continue
            found.add(code)
            if kept and kept[-1] in CUES_BEFORE:
                kept.pop()
            i += size
            if i < len(tokens) and tokens[i] in CUES_AFTER:
                i += 1
        return kept, found

    def _named(self, tokens: list[str], start: int, known: Words | frozenset[str]) -> tuple[int, str | None]:
        """How many words from START name a language, and which (0, None: they do not)."""
        for size in range(min(self._longest, len(tokens) - start), 0, -1):
            if code := self.names.get(tuple(tokens[start : start + size])):
                return size, code
        word = tokens[start]
        if len(word) >= TYPO_MIN_LETTERS and word.isalpha() and word not in known:
            for name, code in self._long_words.items():
                if abs(len(name) - len(word)) <= 1 and OSA.distance(word, name, score_cutoff=1) <= 1:
                    return 1, code
        return 0, None
