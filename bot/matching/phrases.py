"""Finding the taxonomy's phrases in text: loosely in a resident's words, strictly in an asset's.

A query is short and unordered ("cupboards empty nothing in them"), so a phrase counts when its
words are all there, in any order (most of them, for long situation phrases). Asset text is long,
so there a phrase must appear as written (stop words aside), or "food" and "bank holiday" would
make every leaflet a food bank.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from bot.matching.text import content_stems


@dataclass(frozen=True)
class Phrase:
    stems: tuple[str, ...]
    owner: str  # category or audience id
    weight: float  # how strongly this phrase says "this category" (kind of phrase, length)
    text: str


@dataclass(frozen=True)
class PhraseHit:
    phrase: Phrase
    coverage: float  # share of the phrase's words that were found


class PhraseBook:
    """Phrases indexed by their words, for both kinds of matching."""

    def __init__(self, phrases: list[Phrase]) -> None:
        self.phrases = [p for p in phrases if p.stems]
        self._by_stem: dict[str, list[int]] = defaultdict(list)
        self._by_first: dict[str, list[int]] = defaultdict(list)
        for i, phrase in enumerate(self.phrases):
            for s in set(phrase.stems):
                self._by_stem[s].append(i)
            self._by_first[phrase.stems[0]].append(i)
        self.vocabulary = frozenset(self._by_stem)

    @classmethod
    def from_texts(cls, entries: list[tuple[str, str, float]]) -> PhraseBook:
        """(phrase text, owner id, base weight) -> a book; longer phrases are more telling."""
        phrases = []
        for text, owner, weight in entries:
            stems = tuple(content_stems(text))
            if stems:
                phrases.append(Phrase(stems, owner, weight * (0.8 + 0.1 * min(len(stems), 3)), text))
        return cls(phrases)

    def in_query(self, stems: set[str]) -> list[PhraseHit]:
        """Phrases whose words are all in the query (two thirds, for phrases of 3+ words)."""
        counts: dict[int, int] = defaultdict(int)
        for s in stems:
            for i in self._by_stem.get(s, ()):
                counts[i] += 1
        hits = []
        for i, found in counts.items():
            phrase = self.phrases[i]
            size = len(set(phrase.stems))
            needed = size if size <= 2 else math.ceil(size * 2 / 3)
            if found >= needed:
                hits.append(PhraseHit(phrase, found / size))
        return hits

    def in_text(self, stems: list[str]) -> list[Phrase]:
        """Phrases that occur as written in a sequence of content stems."""
        found = []
        for start, first in enumerate(stems):
            for i in self._by_first.get(first, ()):
                phrase = self.phrases[i]
                if tuple(stems[start : start + len(phrase.stems)]) == phrase.stems:
                    found.append(phrase)
        return found
