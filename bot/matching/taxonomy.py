"""The plain-language needs taxonomy: what residents need, in their words and in services' words.

The knowledge lives in needs_taxonomy.toml, where coordinators can read and extend it. This
module only loads and checks it: a mistake must stop the bot with one line that names the file
and the entry, not quietly leave a need that nothing matches.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

PACKAGED_PATH = Path(__file__).with_name("needs_taxonomy.toml")

# The browse buttons. Fixed, so that every coordinator's extra categories land in a known place.
# fmt: off
GROUPS: tuple[str, ...] = (
    "Food", "Money", "Housing", "Health", "Mental health", "Families and children", "Young people",
    "Older people", "Disability and carers", "Safety", "Learning and work", "Community and leisure",
    "Advice and rights", "Getting around",
)

# Terms also sort assets, so a term that is one of these words alone would pull in half the directory.
GENERIC_WORDS = frozenset({
    "help", "support", "service", "services", "advice", "group", "groups", "free", "people", "family",
    "families", "local", "community", "club", "clubs", "food", "money", "health", "care", "centre",
    "center", "centres", "information", "activities", "social", "wellbeing",
})
# fmt: on

PHRASE_LISTS = ("terms", "slang", "misspellings", "situations")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CODE = re.compile(r"^(oe|esd):[A-Za-z0-9._-]+$")
_TOP_KEYS = ("version", "audience", "category")
_AUDIENCE_KEYS = ("id", "name", "terms", "min_age", "max_age")
_CATEGORY_KEYS = ("id", "name", "group", "codes", *PHRASE_LISTS, "audiences", "related", "broader")
_CATEGORY_LISTS = ("codes", *PHRASE_LISTS, "audiences", "related")


class TaxonomyError(ValueError):
    """The taxonomy file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Audience:
    """Who a need is for ("my nan" -> older people), with the ages that implies."""

    id: str
    name: str
    terms: tuple[str, ...]
    min_age: int | None = None
    max_age: int | None = None


@dataclass(frozen=True)
class Category:
    """One need, with every way services and residents put it."""

    id: str
    name: str
    group: str
    codes: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    slang: tuple[str, ...] = ()
    misspellings: tuple[str, ...] = ()
    situations: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    # the more general category this one is a kind of: "coercive-control" -> "domestic-abuse"
    broader: str = ""

    @property
    def query_phrases(self) -> tuple[str, ...]:
        """Everything that recognises this need in what a resident types."""
        return self.terms + self.slang + self.misspellings + self.situations


@dataclass(frozen=True)
class Taxonomy:
    categories: tuple[Category, ...]
    audiences: tuple[Audience, ...]

    @cached_property
    def _categories(self) -> dict[str, Category]:
        return {c.id: c for c in self.categories}

    @cached_property
    def _audiences(self) -> dict[str, Audience]:
        return {a.id: a for a in self.audiences}

    @cached_property
    def _by_code(self) -> dict[str, list[Category]]:
        index: dict[str, list[Category]] = {}
        for category in self.categories:
            for code in category.codes:
                index.setdefault(code, []).append(category)
        return index

    def category(self, id: str) -> Category:
        try:
            return self._categories[id]
        except KeyError:
            raise KeyError(f"no category with id {id!r}") from None

    def audience(self, id: str) -> Audience:
        try:
            return self._audiences[id]
        except KeyError:
            raise KeyError(f"no audience with id {id!r}") from None

    def groups(self) -> list[str]:
        """The groups in use, in the order the file first uses them."""
        return list(dict.fromkeys(c.group for c in self.categories))

    def categories_in(self, group: str) -> list[Category]:
        return [c for c in self.categories if c.group == group]

    def narrower(self, id: str) -> list[Category]:
        """The categories that are a kind of this one, in file order ("domestic-abuse": coercive control)."""
        self.category(id)  # an unknown id is a KeyError, as everywhere else
        return list(self._narrower.get(id, ()))

    @cached_property
    def _narrower(self) -> dict[str, list[Category]]:
        return narrower_categories(self)

    def categories_for_code(self, code: str) -> list[Category]:
        """The categories an imported taxonomy code ("oe:1102") stands for."""
        return list(self._by_code.get(code.strip(), ()))


def load_taxonomy(path: Path | None = None, extra: Path | None = None) -> Taxonomy:
    """Load and check the taxonomy; `extra` is a coordinator's file that adds or extends entries."""
    path = Path(path) if path is not None else PACKAGED_PATH
    audiences: dict[str, dict[str, Any]] = {}
    categories: dict[str, dict[str, Any]] = {}
    _merge(path, audiences, categories, extending=False)
    if extra is not None:
        _merge(Path(extra), audiences, categories, extending=True)
    return Taxonomy(
        categories=tuple(Category(**c) for c in categories.values()),
        audiences=tuple(Audience(**a) for a in audiences.values()),
    )


@cache
def default_taxonomy() -> Taxonomy:
    """The packaged taxonomy, loaded once."""
    return load_taxonomy()


def _merge(path: Path, audiences: dict, categories: dict, *, extending: bool) -> None:
    """Check one file and fold its entries into what is already loaded."""
    fname = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TaxonomyError(f"{fname}: cannot read the file ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{fname}: not valid TOML: {exc}") from None
    _no_unknown_keys(raw, _TOP_KEYS, fname)
    version = raw.get("version", 1)
    if type(version) is not int or version != 1:
        raise TaxonomyError(f"{fname}: 'version' must be 1")
    seen: set[tuple[str, str]] = set()
    added: list[tuple[str, dict[str, Any]]] = []
    for kind, store, keys in (
        ("audience", audiences, _AUDIENCE_KEYS),
        ("category", categories, _CATEGORY_KEYS),
    ):
        entries = raw.get(kind, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise TaxonomyError(f"{fname}: '{kind}' must be a list of [[{kind}]] tables")
        for number, entry in enumerate(entries, start=1):
            where = f"{fname}: {kind} #{number}"
            entry_id = entry.get("id")
            if not isinstance(entry_id, str) or not _ID.match(entry_id):
                raise TaxonomyError(f"{where}: 'id' must be a slug such as 'food-banks'")
            where = f"{fname}: {kind} '{entry_id}'"
            _no_unknown_keys(entry, keys, where)
            if (kind, entry_id) in seen or (entry_id in store and not extending):
                raise TaxonomyError(f"{where}: duplicate id")
            seen.add((kind, entry_id))
            current = store.get(entry_id)
            store[entry_id] = _entry(kind, entry, current, where)
            added.append((where, entry))
    for where, entry in added:  # references may point at entries later in the file
        for key, store, label in (("audiences", audiences, "audience"), ("related", categories, "related")):
            for ref in entry.get(key, ()):
                if ref not in store:
                    raise TaxonomyError(f"{where}: unknown {label} '{ref}'")
                if key == "related" and ref == entry["id"]:
                    raise TaxonomyError(f"{where}: a category cannot be related to itself")
        if broader := entry.get("broader"):
            if broader == entry["id"]:
                raise TaxonomyError(f"{where}: 'broader' cannot be the category itself")
            if broader not in categories:
                raise TaxonomyError(f"{where}: unknown broader '{broader}'")
    for where, entry in added:  # only after every link is known: a circle may close later in the file
        if entry.get("broader") and (circle := _broader_circle(categories, entry["id"])):
            raise TaxonomyError(f"{where}: 'broader' goes round in a circle ({' -> '.join(circle)})")


def _broader_circle(categories: dict[str, dict[str, Any]], start: str) -> list[str]:
    """The ids from `start` back to itself when following 'broader' returns there; else []."""
    chain, current = [start], categories[start].get("broader", "")
    while current and current not in chain:
        chain.append(current)
        current = categories[current].get("broader", "")
    return [*chain, start] if current == start else []


def _entry(kind: str, raw: dict[str, Any], current: dict[str, Any] | None, where: str) -> dict[str, Any]:
    """One checked entry; with `current`, the raw entry extends it instead of defining it."""
    out = dict(current) if current else {"id": raw["id"]}
    if "name" in raw or current is None:
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise TaxonomyError(f"{where}: 'name' must be a non-empty string")
        out["name"] = name.strip()
    if kind == "category" and ("group" in raw or current is None):
        group = raw.get("group")
        if group not in GROUPS:
            said = "'group' is missing" if group is None else f"group {group!r} is not one of the groups"
            raise TaxonomyError(f"{where}: {said} ({', '.join(GROUPS)})")
        out["group"] = group
    if kind == "category" and ("broader" in raw or current is None):
        broader = raw.get("broader", "")
        if not isinstance(broader, str) or (broader and not _ID.match(broader)):
            raise TaxonomyError(f"{where}: 'broader' must be one category id such as 'domestic-abuse'")
        out["broader"] = broader
    lists = ("terms", "min_age", "max_age") if kind == "audience" else _CATEGORY_LISTS
    for key in lists:
        if key in ("min_age", "max_age"):
            out[key] = _age(raw, key, where) if key in raw else out.get(key)
            continue
        values = _strings(raw, key, where)
        if key == "codes":
            for code in values:
                if not _CODE.match(code):
                    raise TaxonomyError(f"{where}: code {code!r} must look like 'oe:1102' or 'esd:123'")
        if key == "terms" and kind == "category":
            for term in values:
                if term.lower().strip(" .!?") in GENERIC_WORDS:
                    raise TaxonomyError(f"{where}: term {term!r} is too general on its own; use a phrase")
        out[key] = tuple(dict.fromkeys((*out.get(key, ()), *values)))
    if kind == "category" and not out["terms"]:
        raise TaxonomyError(f"{where}: 'terms' must list at least one phrase")
    low, high = out.get("min_age"), out.get("max_age")
    if low is not None and high is not None and low > high:
        raise TaxonomyError(f"{where}: min_age {low} is above max_age {high}")
    return out


def _strings(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = raw.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TaxonomyError(f"{where}: '{key}' must be a list of strings")
    for value in values:
        if not any(ch.isalnum() for ch in value):
            raise TaxonomyError(f"{where}: '{key}' has an empty phrase")
    return tuple(dict.fromkeys(" ".join(v.split()) for v in values))


def _age(raw: dict[str, Any], key: str, where: str) -> int:
    value = raw[key]
    if type(value) is not int or not 0 <= value <= 120:
        raise TaxonomyError(f"{where}: '{key}' must be a whole number of years")
    return value


def _no_unknown_keys(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise TaxonomyError(f"{where}: unknown key '{key}' (allowed: {', '.join(allowed)})")


def linked_categories(taxonomy: Taxonomy) -> dict[str, list[Category]]:
    """Each category's related categories, whichever side named the link."""
    linked: dict[str, list[Category]] = {c.id: [] for c in taxonomy.categories}
    for category in taxonomy.categories:
        for other_id in category.related:
            other = taxonomy.category(other_id)
            if other not in linked[category.id]:
                linked[category.id].append(other)
            if category not in linked[other_id]:
                linked[other_id].append(category)
    return linked


def narrower_categories(taxonomy: Taxonomy) -> dict[str, list[Category]]:
    """Category id -> the categories that name it as their broader one."""
    narrower: dict[str, list[Category]] = {}
    for category in taxonomy.categories:
        if category.broader:
            narrower.setdefault(category.broader, []).append(category)
    return narrower
