"""Spotting a message that suggests danger, abuse, self-harm or a crime in progress.

Checked before anything else, in any state of the conversation. It errs on the side of showing
the numbers: a false alarm costs a message, a miss could cost a life.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.matching.phrases import PhraseBook
from bot.matching.query import QueryReader, Vocabulary
from bot.matching.taxonomy import Taxonomy, default_taxonomy
from bot.matching.text import STOP_WORDS, all_stems, clauses, fold, words

PHRASES_FILE = Path(__file__).with_name("safety_phrases.toml")
DIRECT = 0.8  # a need said outright, not one inferred from a related need


@dataclass(frozen=True)
class SafetyAlert:
    kind: str  # "danger", "self-harm" or "abuse"
    because: str  # the words that raised it (for tests and logs of kinds, never the text)


class SafetyCheck:
    def __init__(self, taxonomy: Taxonomy | None = None, phrases_file: Path = PHRASES_FILE) -> None:
        taxonomy = taxonomy or default_taxonomy()
        data = tomllib.loads(phrases_file.read_text(encoding="utf-8"))
        self.categories = set(data["categories"])
        self.book = PhraseBook.from_texts(
            [(p, "danger", 1.0) for p in data["danger"]] + [(p, "self-harm", 1.0) for p in data["self_harm"]]
        )
        counts: Counter[str] = Counter()
        for phrase in data["danger"] + data["self_harm"]:
            counts.update(w for w in words(phrase) if w not in STOP_WORDS)
        for category in taxonomy.categories:
            for phrase in category.query_phrases:
                counts.update(w for w in words(phrase) if w not in STOP_WORDS and len(w) > 2)
        self.reader = QueryReader(taxonomy, Vocabulary(counts), places={})

    def check(self, text: str) -> SafetyAlert | None:
        for clause in clauses(fold(text[:2000])):
            hits = self.book.in_query(all_stems(clause))
            if hits:
                best = max(hits, key=lambda h: h.phrase.weight)
                return SafetyAlert(best.phrase.owner, best.phrase.text)
        understood = self.reader.read(text)
        for category, confidence in sorted(understood.categories.items(), key=lambda kv: -kv[1]):
            if (
                category in self.categories
                and confidence >= DIRECT
                and category in understood.category_phrases
            ):
                kind = "self-harm" if category in ("crisis-suicide", "self-harm") else "abuse"
                return SafetyAlert(kind, understood.category_phrases[category])
        return None


@lru_cache(maxsize=1)
def default_safety_check() -> SafetyCheck:
    return SafetyCheck()
