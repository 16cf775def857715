"""Directory search: a resident's words -> the assets that fit, best first.

For now a plain rapidfuzz ranking over names, tags and descriptions; the need-matching engine
(taxonomy, typos, places, distance) replaces the scoring behind this same interface.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Asset, Organisation

# How much each field counts: the name says most, tags next, the description least.
WEIGHTS = {"name": 0.5, "tags": 0.3, "description": 0.2}
DESCRIPTION_CHARS = 400


@dataclass(frozen=True)
class SearchHit:
    id: int
    external_id: str
    name: str
    score: float


@dataclass
class DirectoryIndex:
    """The searchable text of every active asset, built once and queried many times."""

    ids: list[int]
    external_ids: list[str]
    names: list[str]
    fields: dict[str, list[str]]

    @classmethod
    async def build(cls, session: AsyncSession) -> DirectoryIndex:
        rows = await session.execute(
            select(
                Asset.id, Asset.external_id, Asset.name, Asset.description, Asset.keywords,
                Asset.taxonomy_terms, Asset.audiences, Organisation.name.label("org"),
            )
            .outerjoin(Organisation, Asset.organisation_id == Organisation.id)
            .where(Asset.status == "active")
            .order_by(Asset.id)
        )  # fmt: skip
        ids, external_ids, names = [], [], []
        fields: dict[str, list[str]] = {"name": [], "tags": [], "description": []}
        for row in rows:
            ids.append(row.id)
            external_ids.append(row.external_id)
            names.append(row.name)
            terms = " ".join(t.get("name", "") for t in row.taxonomy_terms)
            fields["name"].append(default_process(f"{row.name} {row.org or ''}"))
            fields["tags"].append(
                default_process(f"{' '.join(row.keywords)} {terms} {' '.join(row.audiences)}")
            )
            fields["description"].append(default_process(row.description[:DESCRIPTION_CHARS]))
        return cls(ids, external_ids, names, fields)

    def search(self, text: str, limit: int = 10) -> list[SearchHit]:
        query = default_process(text)
        if not query or not self.ids:
            return []
        totals = [0.0] * len(self.ids)
        for field, weight in WEIGHTS.items():
            for i, choice in enumerate(self.fields[field]):
                totals[i] += weight * fuzz.token_set_ratio(query, choice, processor=None)
        best = heapq.nlargest(limit, range(len(totals)), key=lambda i: (totals[i], -i))
        return [
            SearchHit(self.ids[i], self.external_ids[i], self.names[i], round(totals[i], 2))
            for i in best
            if totals[i] > 0
        ]
