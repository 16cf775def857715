"""Finding the taxonomy's phrases in text: loosely in a resident's words, strictly in an asset's.

A query is short and unordered ("cupboards empty nothing in them"), so a phrase counts when its
words are all there, in any order (most of them, for long situation phrases). Asset text is long,
so there a phrase must appear as written (stop words aside), or "food" and "bank holiday" would
make every leaflet a food bank.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from bot.matching.text import NEGATIONS, all_stems, phrase_stems

PARTIAL_FROM = 4  # phrases this long match with three quarters of their words
GAP = 1  # other words allowed between a phrase's words in asset text
QUERY_GAP = 3  # ... and in a query, where stop words are counted too


@dataclass(frozen=True)
class Phrase:
    stems: tuple[str, ...]
    owner: str  # category or audience id
    weight: float  # how strongly this phrase says "this category" (kind of phrase, length)
    text: str
    whole: bool = False  # matched on every word, in order ("dont want to be here")


@dataclass(frozen=True)
class PhraseHit:
    phrase: Phrase
    coverage: float  # share of the phrase's words that were found


class PhraseBook:
    """Phrases indexed by their words, for both kinds of matching."""

    def __init__(self, phrases: list[Phrase]) -> None:
        self.phrases = [p for p in phrases if p.stems]
        self._by_stem: dict[str, list[int]] = defaultdict(list)
        self._single: dict[str, list[int]] = defaultdict(list)  # one-word phrases by their word
        self._by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)  # by first two words
        for i, phrase in enumerate(self.phrases):
            for s in set(phrase.stems):
                self._by_stem[s].append(i)
            if len(phrase.stems) == 1:
                self._single[phrase.stems[0]].append(i)
            else:
                self._by_pair[phrase.stems[0], phrase.stems[1]].append(i)
        self.vocabulary = frozenset(self._by_stem)
        self._pairs = frozenset(p.stems for p in self.phrases if len(p.stems) == 2)
        # per phrase, its number of different words and how many of them a query must have
        # (every one, or three quarters of a long phrase): known once, not per query
        self._sizes = [len(set(p.stems)) for p in self.phrases]
        self._needed = [
            size if p.whole or size < PARTIAL_FROM else max(PARTIAL_FROM - 1, math.ceil(size * 0.75))
            for p, size in zip(self.phrases, self._sizes, strict=True)
        ]

    @classmethod
    def from_texts(cls, entries: list[tuple[str, str, float]]) -> PhraseBook:
        """(phrase text, owner id, base weight) -> a book; longer phrases are more telling.

        A phrase of stop words only ("dont want to be here") is kept whole.
        """
        phrases = []
        for text, owner, weight in entries:
            stems, every = tuple(phrase_stems(text)), tuple(all_stems(text))
            # "doesnt know what day it is" is not about "day": when stop words are most of a
            # phrase, it has to be said as written
            whole = len([s for s in stems if s not in NEGATIONS]) < 2 and len(every) >= 3
            if whole:
                stems = every
            if stems:
                strength = weight * (0.8 + 0.1 * min(len(stems), 3))
                phrases.append(Phrase(stems, owner, strength, text, whole))
        return cls(phrases)

    def in_query(self, clause: list[str]) -> list[PhraseHit]:
        """Phrases found in one clause of a query, given as the stems of all its words.

        Short phrases must appear in order, a few words apart at most ("lost my mum" is not in
        "mum keeps getting lost"), or, for two words, side by side the other way round ("advice
        immigration", as keywords are typed); long ones match on three quarters of their words, any order.
        Call once per clause: "getting lost, mums worn out" is two thoughts.
        """
        counts: Counter[int] = Counter()  # phrase -> how many of its words the clause has
        for s in set(clause):
            if ids := self._by_stem.get(s):
                counts.update(ids)
        hits = []
        needed, sizes = self._needed, self._sizes
        for i, found in counts.items():
            if found < needed[i]:  # most phrases sharing a word or two: not there
                continue
            phrase = self.phrases[i]
            size = sizes[i]
            if phrase.whole:
                if found == size and _ordered_in(clause, phrase.stems, 0):
                    hits.append(PhraseHit(phrase, 1.0))
            elif size < PARTIAL_FROM:
                if found == size and _ordered_in(clause, phrase.stems, QUERY_GAP):
                    hits.append(PhraseHit(phrase, 1.0))
                elif (
                    found == size == 2
                    and phrase.stems[::-1] not in self._pairs
                    and _ordered_in(clause, phrase.stems[::-1], 0)
                ):
                    # typed as keywords, the other way round, side by side: "advice immigration"
                    # (unless that order is a phrase of its own: a "care home" is not "home care")
                    hits.append(PhraseHit(phrase, 1.0))
            else:  # a long phrase, with enough of its words
                hits.append(PhraseHit(phrase, found / size))
        return hits

    def in_text(self, stems: list[str]) -> list[Phrase]:
        """Phrases whose words occur in order, at most GAP other words apart, in a text's stems.

        "drug or alcohol use" still reads as "drug alcohol"; "food ... bank holiday" does not.
        """
        found = [self.phrases[i] for s in stems for i in self._single.get(s, ())]
        for start, first in enumerate(stems):
            # only phrases whose second word is close enough to follow this one
            for offset, second in enumerate(stems[start + 1 : start + 2 + GAP], start=start + 1):
                for i in self._by_pair.get((first, second), ()):
                    phrase = self.phrases[i]
                    if len(phrase.stems) == 2 or _in_order(stems, offset, phrase.stems[1:]):
                        found.append(phrase)
        return found


def _in_order(stems: list[str], start: int, wanted: tuple[str, ...], gap: int = GAP) -> bool:
    position = start
    for word in wanted[1:]:
        window = stems[position + 1 : position + 2 + gap]
        if word not in window:
            return False
        position += 1 + window.index(word)
    return True


def _ordered_in(stems: list[str], wanted: tuple[str, ...], gap: int) -> bool:
    return any(_in_order(stems, i, wanted, gap) for i, s in enumerate(stems) if s == wanted[0])
