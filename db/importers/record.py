"""The one shape every importer produces and every exporter reads.

Importers translate their format into `AssetRecord`s; `db.importers.apply` writes them. Keeping
the format-specific code to "source shape -> AssetRecord" means a new feed format is one module.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from db.hours import DAYS
from db.importers.languages import language_code, normalised
from db.models.directory import ACCESS_MODES, ASSET_KINDS, ASSET_STATUSES
from db.text import clean_text, normalise_postcode, postcode_district

# The longest each text may be, in characters: a String column stops at its size in the database,
# a Text column at far more than any real service needs (the longest description in the real feeds
# we have is 8,000 characters). A longer value is a broken file, and the row is rejected.
TEXT_LIMITS = {
    "source": 200, "external_id": 200, "name": 300, "description": 20_000, "eligibility": 5_000,
    "cost": 2_000, "address": 1_000, "town": 200, "postcode": 10, "zone": 200, "phone": 100,
    "email": 320, "website": 1_000, "accessibility": 5_000, "attribution": 2_000,
}  # fmt: skip
ORGANISATION_LIMITS = {
    "external_id": 200, "name": 300, "description": 20_000, "website": 1_000, "email": 320, "phone": 100,
}  # fmt: skip
LIST_ITEMS = 200  # entries in one list (keywords, categories, audiences, languages, hours…)
LIST_ITEM_CHARS = 300
# How a field is called in a coordinator's spreadsheet, where that differs from the record.
_LABELS = {"taxonomy_terms": "categories", "external_id": "id"}
_WORD_LISTS = ("keywords", "audiences", "access", "languages")
_LIST_FIELDS = (*_WORD_LISTS, "taxonomy_terms", "opening_hours", "holiday_closures")


@dataclass
class OrganisationRecord:
    external_id: str
    name: str
    description: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class AssetRecord:
    """An asset as read from a source, before it meets the database."""

    external_id: str
    name: str
    kind: str = "service"
    organisation: OrganisationRecord | None = None
    description: str = ""
    taxonomy_terms: list[dict[str, str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None
    eligibility: str = ""
    cost: str = ""
    access: list[str] = field(default_factory=list)
    address: str = ""
    town: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    zone: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    opening_hours: list[dict[str, str]] = field(default_factory=list)
    holiday_closures: list[dict[str, Any]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    accessibility: str = ""
    status: str = "active"
    last_verified: date | None = None
    attribution: str = ""
    is_example: bool = False
    # Set by a format that carries its own provenance (our CSV export); else the import's source.
    source: str = ""

    def problems(self) -> list[str]:
        """Why this record cannot be stored, in words a coordinator understands."""
        found = []
        if not self.external_id.strip():
            found.append("no id")
        if not self.name.strip():
            found.append("no name")
        if self.kind not in ASSET_KINDS:
            found.append(f"kind '{self.kind}' is not one of {', '.join(ASSET_KINDS)}")
        if self.status not in ASSET_STATUSES:
            found.append(f"status '{self.status}' is not one of {', '.join(ASSET_STATUSES)}")
        for mode in self.access:
            if mode not in ACCESS_MODES:
                found.append(f"access '{mode}' is not one of {', '.join(ACCESS_MODES)}")
        if (self.latitude is None) != (self.longitude is None):
            found.append("latitude and longitude must both be given")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            found.append(f"latitude {self.latitude} is out of range")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            found.append(f"longitude {self.longitude} is out of range")
        for age in (self.min_age, self.max_age):
            if age is not None and not 0 <= age <= 130:
                found.append(f"age {age} is out of range")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            found.append("minimum age is above maximum age")
        for session in self.opening_hours:
            if session.get("day") not in DAYS:
                found.append(f"opening hours day {str(session.get('day'))[:20]!r} is not a weekday")
        found += self.too_long()
        found += self.unknown_languages()
        return found

    def unknown_languages(self) -> list[str]:
        """Languages that name none we know: a typo would hide the asset from the residents who
        ask for that language, so the coordinator is told (a few of them, and how many)."""
        if len(self.languages) > LIST_ITEMS:
            return []  # too_long says so
        unknown = [lang for lang in self.languages if language_code(lang) is None]
        if not unknown:
            return []
        shown = ", ".join(f"'{lang[:40]}'" for lang in unknown[:3])
        if len(unknown) == 1:
            return [f"language {shown} is not one we know: write its name (Urdu) or its ISO 639 code (ur)"]
        more = f" and {len(unknown) - 3:,} more" if len(unknown) > 3 else ""
        return [
            f"languages {shown}{more} are not ones we know: write each one's name (Urdu) or its "
            "ISO 639 code (ur)"
        ]

    def too_long(self) -> list[str]:
        """Texts and lists beyond what a card, a database column or a coordinator can hold."""
        found = []
        for name, limit in TEXT_LIMITS.items():
            if len(getattr(self, name)) > limit:
                found.append(_too_long(_LABELS.get(name, name), len(getattr(self, name)), limit))
        org = self.organisation
        for name, limit in ORGANISATION_LIMITS.items() if org else ():
            if len(getattr(org, name)) > limit:
                found.append(
                    _too_long(f"organisation {_LABELS.get(name, name)}", len(getattr(org, name)), limit)
                )
        for name in _LIST_FIELDS:
            values = getattr(self, name)
            label = _LABELS.get(name, name).replace("_", " ")
            if len(values) > LIST_ITEMS:
                found.append(f"{label} has {len(values):,} entries (at most {LIST_ITEMS:,})")
                continue
            # hours and closures are times and dates by now; words and terms are free text
            if name in _WORD_LISTS:
                longest = max(map(len, values), default=0)
            elif name == "taxonomy_terms":
                longest = max((len(str(v)) for term in values for v in term.values()), default=0)
            else:
                continue
            if longest > LIST_ITEM_CHARS:
                found.append(
                    f"{label} has an entry {longest:,} characters long (at most {LIST_ITEM_CHARS:,})"
                )
        return found

    def normalise(self) -> AssetRecord:
        """Tidy whitespace, postcode and lists so that equal content hashes equal."""
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if value:
                setattr(self, name, clean_text(value))
        self.description = clean_text(self.description, keep_lines=True)
        self.postcode = normalise_postcode(self.postcode) or clean_text(self.postcode).upper()
        self.kind = self.kind.lower()
        self.status = self.status.lower()
        self.keywords = _unique(clean_text(k) for k in self.keywords)
        self.audiences = _unique(clean_text(a) for a in self.audiences)
        self.languages = normalised(clean_text(lang) for lang in self.languages)  # codes: "Urdu" -> "ur"
        # Canonical order, so the same modes read from any format hash the same.
        modes = _unique(a.lower() for a in self.access)
        self.access = sorted(modes, key=lambda m: (ACCESS_MODES.index(m) if m in ACCESS_MODES else 99, m))
        if self.organisation:
            self.organisation.name = clean_text(self.organisation.name)
            self.organisation.external_id = clean_text(self.organisation.external_id)
            self.organisation.description = clean_text(self.organisation.description, keep_lines=True)
            for name in ("website", "email", "phone"):
                setattr(self.organisation, name, clean_text(getattr(self.organisation, name)))
        return self

    @property
    def postcode_district(self) -> str:
        return postcode_district(self.postcode)

    def content_hash(self) -> str:
        """Stable digest of the content, so a re-import can tell 'unchanged' from 'updated'."""
        blob = json.dumps(self, sort_keys=True, ensure_ascii=False, default=_plain)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


_TEXT_FIELDS = tuple(
    f.name for f in fields(AssetRecord) if f.type in ("str", str) and f.name != "description"
)


@dataclass
class ParsedRow:
    """One unit of a source file: a record, or the reason it was rejected."""

    ref: str  # "row 12", "service 40 (id …)": how a coordinator finds it in their file
    record: AssetRecord | None = None
    error: str = ""
    # What the source does not carry at all (a spreadsheet without that column), as record field
    # names ("phone", "organisation", "organisation.phone"): the stored value is kept, never blanked.
    absent: frozenset[str] = frozenset()


class SourceFormatError(Exception):
    """The file is not what it claims to be; nothing is imported."""


class ImportBusy(SourceFormatError):
    """Another import is writing the same source right now; nothing is imported."""


def _plain(value: Any) -> Any:
    """JSON for the hash without dataclasses.asdict's deep copies (a third of import time)."""
    if isinstance(value, AssetRecord | OrganisationRecord):
        return vars(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")


def _too_long(label: str, length: int, limit: int) -> str:
    return f"{label} is {length:,} characters long (at most {limit:,})"


def _unique(values: Any) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v and v not in seen:
            seen[v] = None
    return list(seen)
