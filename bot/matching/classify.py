"""Which needs an asset answers and whom it is for, read from its own words.

Run at import time (and again when the taxonomy changes); the result is stored so coordinators
can see and correct it, and the search index is built from the stored classification.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.matching.phrases import PhraseBook
from bot.matching.taxonomy import Taxonomy, narrower_categories
from bot.matching.text import phrase_stems

# How much a phrase found in each part of an asset says about it.
FIELD_WEIGHTS = {"name": 1.0, "tags": 0.9, "description": 0.55}
# Which taxonomy phrase lists are read in assets' own text, and how much each counts there.
ASSET_PHRASE_WEIGHTS = {"terms": 1.0, "slang": 0.45, "situations": 0.45}
MIN_SCORE = 0.3
FOR_AUDIENCE = 0.8

_RANGE = re.compile(r"\b(?:aged?\s*)?(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\s*(?:years?|yrs?|y/?o|year olds?)?\b")
_AGED_RANGE = re.compile(r"\baged?\s+(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\b")
_UNDER = re.compile(r"\b(?:under|up to|below|younger than)\s*(\d{1,2})s?\b")
_OVER = re.compile(
    r"\b(?:over|older than|aged)\s*(\d{1,2})s?\b|\b(\d{1,2})\s*(?:\+|plus\b|and over\b|or over\b)"
)


@dataclass
class Classification:
    categories: dict[str, float] = field(default_factory=dict)
    audiences: set[str] = field(default_factory=set)
    min_age: int | None = None
    max_age: int | None = None


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0]


def code_key(vocabulary: str, code: str) -> str:
    """An imported term's vocabulary and code as the taxonomy writes codes ('oe:1102')."""
    vocab = vocabulary.lower()
    prefix = (
        "oe" if "eligib" in vocab or vocab == "oe" else "esd" if "esd" in vocab or "lga" in vocab else vocab
    )
    return f"{prefix}:{code}"


def ages_in_text(text: str) -> tuple[int | None, int | None]:
    """Age limits a description states: 'aged 11-19', 'under 25s', 'over 50s', '16+'."""
    lows: list[int] = []
    highs: list[int] = []
    lowered = text.lower()
    for match in _AGED_RANGE.finditer(lowered):
        low, high = int(match.group(1)), int(match.group(2))
        if low < high:
            lows.append(low)
            highs.append(high)
    for match in _RANGE.finditer(lowered):
        low, high = int(match.group(1)), int(match.group(2))
        # "11-19" alone could be a time or a date; only trust it with an age word near it
        context = lowered[max(0, match.start() - 12) : match.end() + 12]
        if low < high and re.search(r"\bage|year|yrs|y/?o\b", context):
            lows.append(low)
            highs.append(high)
    highs += [int(m.group(1)) for m in _UNDER.finditer(lowered)]
    lows += [int(m.group(1) or m.group(2)) for m in _OVER.finditer(lowered)]
    youngest = min(lows) if lows else None
    oldest = max(highs) if highs else None
    if youngest is not None and oldest is not None and youngest >= oldest:
        return None, None  # "over 18s and under 11s" style mixes: say nothing rather than guess
    return youngest, oldest


class Classifier:
    """Classifies assets into the taxonomy's categories and audiences."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        entries = [
            (phrase, category.id, weight)
            for category in taxonomy.categories
            for kind, weight in ASSET_PHRASE_WEIGHTS.items()
            for phrase in getattr(category, kind)
            # a resident's one-word slang ("talk") says too little when a leaflet uses it
            if kind == "terms" or len(phrase_stems(phrase)) >= 2
        ]
        self.categories = PhraseBook.from_texts(entries)
        self.audiences = PhraseBook.from_texts(
            [(term, audience.id, 1.0) for audience in taxonomy.audiences for term in audience.terms]
        )
        self._narrower = narrower_categories(taxonomy)

    def classify(
        self,
        name: str,
        tags: str,
        description: str,
        codes: list[str] = (),  # type: ignore[assignment]
        min_age: int | None = None,
        max_age: int | None = None,
    ) -> Classification:
        result = Classification()
        doubt: dict[str, float] = {}
        for field_name, text in (("name", name), ("tags", tags), ("description", description)):
            stems = phrase_stems(text)
            for phrase in self.categories.in_text(stems):
                strength = min(1.0, FIELD_WEIGHTS[field_name] * phrase.weight)
                doubt[phrase.owner] = doubt.get(phrase.owner, 1.0) * (1.0 - strength)
            # who it is for: the name, the labels and the opening sentence (later ones mention
            # carers, parents... in passing)
            audience_text = stems if field_name != "description" else phrase_stems(first_sentence(text))
            result.audiences.update(p.owner for p in self.audiences.in_text(audience_text))
        for code in codes:
            for category in self.taxonomy.categories_for_code(code):
                doubt[category.id] = 0.0
        scores = {cid: 1.0 - left for cid, left in doubt.items()}
        # the narrower form of a need it answers, when it is for that form's people
        # (a drug and alcohol service whose opening line is about young people)
        for category_id, score in list(scores.items()):
            for narrower in self._narrower.get(category_id, ()):
                specific = set(narrower.audiences)
                if specific and specific <= result.audiences:
                    scores[narrower.id] = max(scores.get(narrower.id, 0.0), score * FOR_AUDIENCE)
        result.categories = {cid: round(score, 3) for cid, score in scores.items() if score >= MIN_SCORE}
        text_low, text_high = ages_in_text(f"{name}. {description}")
        result.min_age = min_age if min_age is not None else text_low
        result.max_age = max_age if max_age is not None else text_high
        return result
