"""The in-memory search index: BM25F postings over weighted fields, plus what each asset is for.

Built once from the database (or any list of AssetDocs) and queried many times. Postings are
numpy arrays so a query touching thousands of assets is a handful of vector operations.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from bot.matching.classify import Classification
from bot.matching.text import STOP_WORDS, stem, words

_ASIDE = re.compile(r"\([^)]*\)|\[[^\]]*\]")  # "(city centre)", "[closed]"

# Field weights and length normalisation (BM25F). The name says most; descriptions ramble.
FIELDS = {"name": (3.0, 0.5), "organisation": (1.0, 0.5), "tags": (2.0, 0.5), "description": (1.0, 0.75)}
K1 = 1.2
JOINED_WEIGHT = 0.5  # "food bank" also indexed as "foodbank", a little weaker


@dataclass
class AssetDoc:
    """What the index needs to know about one asset."""

    id: int
    external_id: str
    name: str
    organisation: str = ""
    tags: str = ""
    description: str = ""
    town: str = ""
    latitude: float | None = None
    longitude: float | None = None
    is_example: bool = False
    classification: Classification = field(default_factory=Classification)
    opening_hours: list[Any] = field(default_factory=list)  # as stored: [{"day", "opens", "closes"}]
    holiday_closures: list[Any] = field(default_factory=list)
    # what a result card shows besides the above (bot.views.cards), so a page of results is drawn
    # from the index without reading the assets again
    address: str = ""
    postcode: str = ""
    phone: str = ""
    website: str = ""
    email: str = ""
    languages: tuple[str, ...] = ()  # ISO 639 codes of what its staff speak ("ur", "pa")


@dataclass
class Postings:
    docs: np.ndarray  # int32 positions in the index
    weights: np.ndarray  # float32 saturated BM25F term weights


class SearchIndex:
    """Postings, document facts and the vocabulary used to correct typos."""

    def __init__(self, docs: list[AssetDoc], extra_vocabulary: Counter[str] | None = None) -> None:
        self.docs = docs
        self.size = len(docs)
        self.postings: dict[str, Postings] = {}
        self.word_stems: set[str] = set()  # stems that occur as words, not only as joined pairs
        self.idf: dict[str, float] = {}
        self.surface_words: Counter[str] = Counter(extra_vocabulary or {})
        self._build_postings()
        self._build_facts()

    def _build_postings(self) -> None:
        """Tokens to (term, doc, weight) triples in flat arrays, then numpy does the counting."""
        term_ids: dict[str, int] = {}
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for field_name, (field_weight, b) in FIELDS.items():
            col_term, col_doc, col_weight = array("i"), array("i"), array("f")
            lengths = np.zeros(self.size, dtype=np.float32)
            for i, doc in enumerate(self.docs):
                surface = [w for w in words(getattr(doc, field_name)) if w not in STOP_WORDS]
                self.surface_words.update(w for w in surface if len(w) > 2)
                stems = [stem(w) for w in surface]
                self.word_stems.update(stems)
                joined = [a + c for a, c in pairwise(stems) if not (a.isdigit() or c.isdigit())]
                col_term.extend([term_ids.setdefault(t, len(term_ids)) for t in stems])
                col_term.extend([term_ids.setdefault(t, len(term_ids)) for t in joined])
                col_doc.extend([i] * (len(stems) + len(joined)))
                col_weight.extend([1.0] * len(stems) + [JOINED_WEIGHT] * len(joined))
                lengths[i] = len(stems) + len(joined)
            average = max(float(lengths.mean()) if self.size else 1.0, 1.0)
            docs = np.frombuffer(col_doc, dtype=np.int32)
            norm = 1.0 - b + b * lengths / average
            weights = np.frombuffer(col_weight, dtype=np.float32) * (field_weight / norm[docs]).astype(
                np.float32
            )
            # add up within the field now, so the token arrays can go before the next field
            parts.append(
                _sum_by_term_and_doc([(np.frombuffer(col_term, dtype=np.int32), docs, weights)], self.size)
            )
            del col_term, col_doc, col_weight, docs, weights
        terms, docs, tfs = _sum_by_term_and_doc(parts, self.size)
        del parts
        names = np.array(list(term_ids), dtype=object)
        saturated = (tfs * (K1 + 1) / (tfs + K1)).astype(np.float32)
        bounds = np.flatnonzero(np.diff(terms)) + 1
        starts = np.concatenate(([0], bounds)).tolist() if len(terms) else []
        ends = np.concatenate((bounds, [len(terms)])).tolist() if len(terms) else []
        for start, end in zip(starts, ends, strict=True):
            term = names[int(terms[start])]
            df = end - start
            self.idf[term] = math.log(1 + (self.size - df + 0.5) / (df + 0.5))
            self.postings[term] = Postings(docs[start:end], saturated[start:end])

    def _build_facts(self) -> None:
        n = self.size
        self.latitude = np.full(n, np.nan, dtype=np.float64)
        self.longitude = np.full(n, np.nan, dtype=np.float64)
        self.min_age = np.full(n, -1, dtype=np.int16)
        self.max_age = np.full(n, 200, dtype=np.int16)
        self.category_docs: dict[str, Postings] = {}
        self.audience_docs: dict[str, np.ndarray] = {}
        self.language_docs: dict[str, np.ndarray] = {}  # code -> positions of the assets that speak it
        by_language: dict[str, array] = defaultdict(lambda: array("i"))
        by_category: dict[str, tuple[array, array]] = defaultdict(lambda: (array("i"), array("f")))
        by_audience: dict[str, array] = defaultdict(lambda: array("i"))
        self.town_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.names: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(self.docs):
            for key in name_keys(doc.name):
                self.names[key].append(i)
            c = doc.classification
            if doc.latitude is not None and doc.longitude is not None:
                self.latitude[i], self.longitude[i] = doc.latitude, doc.longitude
                if doc.town:
                    self.town_points[doc.town.lower()].append((doc.latitude, doc.longitude))
            if c.min_age is not None:
                self.min_age[i] = c.min_age
            if c.max_age is not None:
                self.max_age[i] = c.max_age
            for category, score in c.categories.items():
                ids, scores = by_category[category]
                ids.append(i)
                scores.append(score)
            for audience in c.audiences:
                by_audience[audience].append(i)
            for code in doc.languages:
                by_language[code].append(i)
        for category, (ids, scores) in by_category.items():
            self.category_docs[category] = Postings(
                np.frombuffer(ids, dtype=np.int32).copy(), np.frombuffer(scores, dtype=np.float32).copy()
            )
        self.audience_docs = {a: np.frombuffer(ids, dtype=np.int32).copy() for a, ids in by_audience.items()}
        self.language_docs = {
            code: np.frombuffer(ids, dtype=np.int32).copy() for code, ids in by_language.items()
        }


def name_keys(name: str) -> set[str]:
    """How a resident may type an asset's name whole: every word (the small ones too: "We Are
    With You" is all small words), with or without an aside in brackets, or its first words when
    they are more than half of it ('"We are with You" WAWY')."""
    keys = set()
    for variant in (name, _ASIDE.sub(" ", name)):
        said = words(variant)
        if not said:
            continue
        keys.add(" ".join(said))
        for size in range(max(2, len(said) // 2 + 1), len(said)):
            keys.add(" ".join(said[:size]))
    return keys


def _sum_by_term_and_doc(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add up the weights of every (term, doc) pair; sorted by term, then doc."""
    terms = np.concatenate([p[0] for p in parts]).astype(np.int64)
    docs = np.concatenate([p[1] for p in parts]).astype(np.int64)
    weights = np.concatenate([p[2] for p in parts])
    keys = terms * max(size, 1) + docs
    del terms, docs
    order = np.argsort(keys, kind="stable")
    keys, weights = keys[order], weights[order]
    del order
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else keys[:0]
    sums = np.add.reduceat(weights, starts).astype(np.float32) if len(keys) else weights[:0]
    unique = keys[starts]
    return (unique // max(size, 1)).astype(np.int32), (unique % max(size, 1)).astype(np.int32), sums
