"""What volunteers can offer: their own words read as skill tags from a list coordinators edit.

"i can do a bit of gardning" -> Gardening. The list lives in skills.toml; a mistake in it stops the
bot with one line naming the file and the entry. Offers are read with the resident search's phrase
matching and typo correction, so a phrase behaves the same in both files.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.matching.phrases import PhraseBook
from bot.matching.query import MAX_QUERY_CHARS, Vocabulary
from bot.matching.taxonomy import Taxonomy, default_taxonomy
from bot.matching.text import NEGATIONS, STOP_WORDS, clauses, fold, phrase_stems, stem, words

PACKAGED_PATH = Path(__file__).with_name("skills.toml")

# Fixed, so that a coordinator's new skills land under a heading the bot already shows.
# fmt: off
GROUPS: tuple[str, ...] = (
    "Practical help", "Getting about", "Company and support", "Languages", "Digital and admin",
    "Children and young people", "Outdoors", "Food", "Skills and teaching", "Health and care",
    "Arts and activities", "Organising",
)
# fmt: on

MIN_CORRECTED_LENGTH = 4  # shorter words are too easily "corrected" into something else
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOP_KEYS = ("version", "skill")
_SKILL_KEYS = ("id", "name", "group", "phrases", "needs", "safeguarding")


class SkillsError(ValueError):
    """The skills file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Skill:
    """One thing a volunteer can offer, with the everyday ways of saying it."""

    id: str
    name: str
    group: str
    phrases: tuple[str, ...]
    needs: tuple[str, ...] = ()  # needs taxonomy category ids this skill can help with
    safeguarding: bool = False  # works with children or adults at risk: ask about a DBS check


class SkillList:
    """The skills, and the reading of an offer into them."""

    def __init__(self, skills: tuple[Skill, ...], known_words: frozenset[str] = frozenset()) -> None:
        self.skills = skills
        self._known = known_words  # real words no skill uses, never typos: "police" is not "polish"
        self._by_id = {s.id: s for s in skills}
        self._order = {s.id: i for i, s in enumerate(skills)}
        self._book = PhraseBook.from_texts([(p, s.id, 1.0) for s in skills for p in s.phrases])
        # typos are corrected towards this file's words, as the search's are towards the directory's
        self._vocabulary = Vocabulary(
            Counter(w for s in skills for p in (s.name, *s.phrases) for w in words(p))
        )

    def skill(self, id: str) -> Skill:
        try:
            return self._by_id[id]
        except KeyError:
            raise KeyError(f"no skill with id {id!r}") from None

    def tag(self, text: str) -> list[Skill]:
        """The skills an offer mentions, best first; ties in the order the volunteer said them."""
        best: dict[str, float] = {}
        said: dict[str, set[tuple[str, ...]]] = defaultdict(set)  # different ways it was named
        said_at: dict[str, tuple[int, int]] = {}
        for number, clause in enumerate(clauses(fold(text[:MAX_QUERY_CHARS]))):
            understood = [w for token in words(clause) for w in self._understood(token)]
            sequence = [stem(w) for w in understood]
            hits = [
                (h, min(sequence.index(s) for s in h.phrase.stems if s in sequence))
                for h in self._book.in_query(sequence)
            ]
            # "not very good with computers" also says "computers": the whole clause is a no
            refused = {h.phrase.owner for h, start in hits if _negated(understood, start)}
            for hit, start in hits:
                if (owner := hit.phrase.owner) not in refused:
                    strength = min(1.0, hit.phrase.weight * hit.coverage**2)  # as the search scores it
                    best[owner] = max(best.get(owner, 0.0), strength)
                    said[owner].add(hit.phrase.stems)
                    said_at[owner] = min(said_at.get(owner, (number, start)), (number, start))
        ranked = sorted(best, key=lambda o: (-best[o], -len(said[o]), said_at[o], self._order[o]))
        return [self._by_id[o] for o in ranked]

    def _understood(self, word: str) -> list[str]:
        """The word as meant: kept when known, split when two known words, else corrected."""
        if word in STOP_WORDS or word.isdigit() or len(word) < MIN_CORRECTED_LENGTH:
            return [word]
        if word in self._vocabulary or word in self._known or stem(word) in self._book.vocabulary:
            return [word]  # "cooked" is "cook", not a typo to send elsewhere
        if halves := self._vocabulary.split(word):
            return list(halves)
        return [self._vocabulary.correct(word) or word]


def _negated(understood: list[str], start: int) -> bool:
    """ "cant drive", "not plumbing", "dont have a car", but "dont mind driving" is an offer."""
    for word in reversed(understood[:start]):
        if word in NEGATIONS:
            return True
        if word not in STOP_WORDS:
            return False
    return False


def load_skills(path: Path | None = None, needs_taxonomy: Taxonomy | None = None) -> SkillList:
    """Load and check a skills file; `needs` are checked against the taxonomy (default: packaged)."""
    path = Path(path) if path is not None else PACKAGED_PATH
    taxonomy = needs_taxonomy if needs_taxonomy is not None else default_taxonomy()
    fname = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SkillsError(f"{fname}: cannot read the file ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SkillsError(f"{fname}: not valid TOML: {exc}") from None
    _no_unknown_keys(raw, _TOP_KEYS, fname)
    if (version := raw.get("version", 1)) != 1 or type(version) is not int:
        raise SkillsError(f"{fname}: 'version' must be 1")
    entries = raw.get("skill", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SkillsError(f"{fname}: 'skill' must be a list of [[skill]] tables")
    skills: dict[str, Skill] = {}
    for number, entry in enumerate(entries, start=1):
        skill_id = entry.get("id")
        if not isinstance(skill_id, str) or not _ID.match(skill_id):
            raise SkillsError(f"{fname}: skill #{number}: 'id' must be a slug such as 'dog-walking'")
        where = f"{fname}: skill '{skill_id}'"
        if skill_id in skills:
            raise SkillsError(f"{where}: duplicate id")
        skills[skill_id] = _skill(entry, where, taxonomy)
    if not skills:
        raise SkillsError(f"{fname}: no [[skill]] entries")
    return SkillList(tuple(skills.values()), _real_words(taxonomy))


@cache
def default_skills() -> SkillList:
    """The packaged skills, loaded once."""
    return load_skills()


def _skill(raw: dict[str, Any], where: str, taxonomy: Taxonomy) -> Skill:
    _no_unknown_keys(raw, _SKILL_KEYS, where)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SkillsError(f"{where}: 'name' must be a non-empty string")
    group = raw.get("group")
    if group not in GROUPS:
        said = "'group' is missing" if group is None else f"group {group!r} is not one of the groups"
        raise SkillsError(f"{where}: {said} ({', '.join(GROUPS)})")
    phrases = _strings(raw, "phrases", where)
    if not phrases:
        raise SkillsError(f"{where}: 'phrases' must list at least one phrase")
    for phrase in phrases:
        if not phrase_stems(phrase) and len(words(phrase)) < 3:  # "up to", "it": never matched
            raise SkillsError(f"{where}: phrase {phrase!r} has only small words, which are ignored")
    needs = _strings(raw, "needs", where)
    for need in needs:
        try:
            taxonomy.category(need)
        except KeyError:
            raise SkillsError(f"{where}: unknown need '{need}' (not in the needs taxonomy)") from None
    safeguarding = raw.get("safeguarding", False)
    if not isinstance(safeguarding, bool):
        raise SkillsError(f"{where}: 'safeguarding' must be true or false")
    return Skill(raw["id"], name.strip(), group, phrases, needs, safeguarding)


def _real_words(taxonomy: Taxonomy) -> frozenset[str]:
    """Every word the needs taxonomy uses for real (its misspellings aside)."""
    texts = [t for c in taxonomy.categories for t in (c.name, *c.terms, *c.slang, *c.situations)]
    texts += [t for a in taxonomy.audiences for t in (a.name, *a.terms)]
    return frozenset(w for text in texts for w in words(text))


def _strings(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = raw.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SkillsError(f"{where}: '{key}' must be a list of strings")
    if any(not any(ch.isalnum() for ch in v) for v in values):
        raise SkillsError(f"{where}: '{key}' has an empty phrase")
    return tuple(dict.fromkeys(" ".join(v.split()) for v in values))


def _no_unknown_keys(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise SkillsError(f"{where}: unknown key '{key}' (allowed: {', '.join(allowed)})")
