"""The in-memory search index: BM25F postings over weighted fields, plus what each asset is for.

Built once from the database (or any list of AssetDocs) and queried many times. Postings are
numpy arrays so a query touching thousands of assets is a handful of vector operations.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from bot.matching.classify import Classification
from bot.matching.text import STOP_WORDS, stem, words

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


@dataclass
class Postings:
    docs: np.ndarray  # int32 positions in the index
    weights: np.ndarray  # float32 saturated BM25F term weights


def field_terms(text: str) -> list[str]:
    """Stems of a field's content words, plus adjacent pairs joined ("food bank" -> "foodbank")."""
    surface = [w for w in words(text) if w not in STOP_WORDS]
    terms = [stem(w) for w in surface]
    terms += ["~" + stem(a + b) for a, b in pairwise(surface)]
    return terms


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
        lengths = {f: np.zeros(self.size, dtype=np.float32) for f in FIELDS}
        per_doc: list[dict[str, Counter[str]]] = []
        for i, doc in enumerate(self.docs):
            counts = {}
            for f in FIELDS:
                text = getattr(doc, f)
                self.surface_words.update(w for w in words(text) if w not in STOP_WORDS and len(w) > 2)
                counts[f] = Counter(field_terms(text))
                lengths[f][i] = sum(counts[f].values())
                self.word_stems.update(t for t in counts[f] if not t.startswith("~"))
            per_doc.append(counts)
        averages = {f: max(float(lengths[f].mean()) if self.size else 1.0, 1.0) for f in FIELDS}
        term_ids: dict[str, int] = {}
        col_term, col_doc, col_tf = array("i"), array("i"), array("f")
        for i, counts in enumerate(per_doc):
            weighted: dict[str, float] = defaultdict(float)
            for f, (weight, b) in FIELDS.items():
                norm = 1.0 - b + b * lengths[f][i] / averages[f]
                for term, tf in counts[f].items():
                    joined = JOINED_WEIGHT if term.startswith("~") else 1.0
                    weighted[term.lstrip("~")] += weight * joined * tf / norm
            for term, tf in weighted.items():
                col_term.append(term_ids.setdefault(term, len(term_ids)))
                col_doc.append(i)
                col_tf.append(tf)
        terms = np.frombuffer(col_term, dtype=np.int32)
        docs = np.frombuffer(col_doc, dtype=np.int32)
        tfs = np.frombuffer(col_tf, dtype=np.float32)
        order = np.argsort(terms, kind="stable")
        terms, docs, tfs = terms[order], docs[order], tfs[order]
        bounds = np.flatnonzero(np.diff(terms)) + 1
        starts = np.concatenate(([0], bounds)) if len(terms) else np.array([], dtype=np.int64)
        ends = np.concatenate((bounds, [len(terms)])) if len(terms) else np.array([], dtype=np.int64)
        names = {tid: term for term, tid in term_ids.items()}
        saturated = tfs * (K1 + 1) / (tfs + K1)
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            term = names[int(terms[start])]
            df = end - start
            self.idf[term] = math.log(1 + (self.size - df + 0.5) / (df + 0.5))
            self.postings[term] = Postings(docs[start:end].copy(), saturated[start:end].astype(np.float32))

    def _build_facts(self) -> None:
        n = self.size
        self.latitude = np.full(n, np.nan, dtype=np.float64)
        self.longitude = np.full(n, np.nan, dtype=np.float64)
        self.min_age = np.full(n, -1, dtype=np.int16)
        self.max_age = np.full(n, 200, dtype=np.int16)
        self.category_docs: dict[str, Postings] = {}
        self.audience_docs: dict[str, np.ndarray] = {}
        by_category: dict[str, tuple[array, array]] = defaultdict(lambda: (array("i"), array("f")))
        by_audience: dict[str, array] = defaultdict(lambda: array("i"))
        self.town_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for i, doc in enumerate(self.docs):
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
        for category, (ids, scores) in by_category.items():
            self.category_docs[category] = Postings(
                np.frombuffer(ids, dtype=np.int32).copy(), np.frombuffer(scores, dtype=np.float32).copy()
            )
        self.audience_docs = {a: np.frombuffer(ids, dtype=np.int32).copy() for a, ids in by_audience.items()}
