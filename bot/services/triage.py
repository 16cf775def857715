"""The safety triage: how people say that they, or someone else, are in danger.

It reads the plain-text model in safety_triage.toml (groups of words and the patterns they make,
per kind of danger, and the idioms that only look like danger) and finds, clause by clause, the
kinds a message suggests. Patterns are compositional ("{intent} {end} {own} life"), so one pattern
catches phrasings nobody wrote down: "im going to end my life", "my friend says she will end her
life tonight", "thinking of ending it all". No Telegram and no database here.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.matching.text import clauses, fold, stem, words

TRIAGE_FILE = Path(__file__).with_name("safety_triage.toml")
MAX_CHARS = 2000  # the check reads this much of a message (a Telegram message is at most 4096)
NEAR = 3  # words that may stand between two parts of a pattern
IDIOM_NEAR = 0  # ... of an idiom: a set phrase, so "take all my tablets" is not "take my tablets"
FAR = 8  # ... between parts joined by "..."
_PART = re.compile(r"\{([a-z_]+)\}|\.\.\.|\(([^)]*)\)(\?)?|[^\s{}()]+")


class TriageDataError(ValueError):
    """The triage file says something the reader cannot follow (named with where it is)."""


@dataclass(frozen=True)
class Part:
    alternatives: tuple[tuple[str, ...], ...]  # each a run of stems
    gap: int  # words allowed between the previous part and this one
    optional: bool = False  # written (a|b)?
    by_first: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for alt in self.alternatives:
            grouped[alt[0]].append(alt)
        self.by_first.update({first: tuple(alts) for first, alts in grouped.items()})


@dataclass(frozen=True)
class Pattern:
    kind: str
    text: str
    parts: tuple[Part, ...]

    @cached_property
    def starts(self) -> frozenset[str]:
        """The words a match can begin with."""
        first, *rest = self.parts
        opening = [first, rest[0]] if first.optional and rest else [first]
        return frozenset(alt[0] for part in opening for alt in part.alternatives)


@dataclass(frozen=True)
class Finding:
    kind: str
    pattern: str  # the pattern as written in the file, for tests, logs of kinds and reviewers
    words: str  # the words of the message it matched (tests only: never logged)


@dataclass(frozen=True)
class Kind:
    id: str
    help: str  # the message catalogue's help block for it
    categories: tuple[str, ...]  # needs whose assets may follow the help


class Triage:
    def __init__(self, data: dict) -> None:
        groups = {name: tuple(phrases) for name, phrases in data.get("groups", {}).items()}
        self.kinds = {
            k["id"]: Kind(k["id"], k.get("help", k["id"]), tuple(k.get("categories", ())))
            for k in data["kind"]
        }
        self.order = list(self.kinds)  # first in the file, first in the reply (danger now leads)
        self.patterns = [
            _compile(pattern, k["id"], groups) for k in data["kind"] for pattern in k.get("patterns", ())
        ]
        self.idioms = [_compile(p, "idiom", groups, IDIOM_NEAR) for p in data.get("idioms", ())]
        self.child_speaker = [_compile(p, "child-speaker", groups) for p in data.get("child_speaker", ())]
        self.vocabulary = sorted(
            {
                s
                for p in (*self.patterns, *self.idioms)
                for part in p.parts
                for alt in part.alternatives
                for s in alt
            }
        )
        self._known = set(self.vocabulary)
        self._typo_targets = [word for word in self.vocabulary if len(word) >= 5]
        self._by_first = _first_words(self.patterns)
        self._idioms_by_first = _first_words(self.idioms)
        self._stems: dict[str, str] = {}

    @classmethod
    def from_file(cls, path: Path = TRIAGE_FILE) -> Triage:
        return cls(tomllib.loads(path.read_text(encoding="utf-8")))

    def read(self, text: str) -> tuple[list[Finding], bool]:
        """The kinds of danger TEXT suggests (one finding per kind, in reply order), and whether the
        writer sounds like a child."""
        found: dict[str, Finding] = {}
        child = False
        for clause in clauses(fold(text[:MAX_CHARS])):
            tokens: list[str | None] = [self._stem(w) for w in words(clause)]
            for idiom in _candidates(self._idioms_by_first, tokens):
                for start, end in _matches(idiom, tokens):
                    tokens[start:end] = [None] * (end - start)
            child = child or any(_first_match(p, tokens) for p in self.child_speaker)
            for pattern in _candidates(self._by_first, tokens):
                if pattern.kind in found:
                    continue
                span = _first_match(pattern, tokens)
                if span:
                    said = " ".join(w for w in words(clause)[span[0] : span[1]])
                    found[pattern.kind] = Finding(pattern.kind, pattern.text, said)
        return sorted(found.values(), key=lambda f: self.order.index(f.kind)), child

    def _stem(self, word: str) -> str:
        """The word's stem, or the triage word it is a typo of ("sucidal", "overdossed")."""
        if word not in self._stems:
            if len(self._stems) > 50_000:  # typed words are unbounded; the memo is not
                self._stems.clear()
            self._stems[word] = self._corrected(word)
        return self._stems[word]

    def _corrected(self, word: str) -> str:
        stemmed = stem(word)
        if stemmed in self._known or len(stemmed) < 5 or word.isdigit():
            return stemmed
        allowed = 1 if len(word) < 8 else 2
        found = process.extractOne(
            stemmed, self._typo_targets, scorer=Levenshtein.distance, score_cutoff=allowed
        )
        # a typo rarely changes the first letter: "bills" is not "kills"
        return found[0] if found and found[0][0] == stemmed[0] else stemmed


def _first_words(patterns: list[Pattern]) -> dict[str, list[Pattern]]:
    """Patterns by the words they can start with, so a message meets only those it could match."""
    by_first: dict[str, list[Pattern]] = defaultdict(list)
    for pattern in patterns:
        for word in pattern.starts:
            by_first[word].append(pattern)
    return by_first


def _candidates(by_first: dict[str, list[Pattern]], tokens: list[str | None]) -> list[Pattern]:
    seen: dict[int, Pattern] = {}
    for token in tokens:
        for pattern in by_first.get(token, ()) if token else ():
            seen.setdefault(id(pattern), pattern)
    return list(seen.values())


def _compile(text: str, kind: str, groups: dict[str, tuple[str, ...]], near: int = NEAR) -> Pattern:
    """Words written side by side must stand side by side; a {group} or (a|b) may have up to NEAR
    words before it (IDIOM_NEAR in an idiom), and "..." allows up to FAR."""
    parts: list[Part] = []
    literal: list[str] = []  # a run of plain words, kept together
    gap = 0

    def add(phrases: tuple[str, ...], optional: bool = False) -> None:
        nonlocal gap
        alternatives = tuple(alt for alt in (tuple(stem(w) for w in words(p)) for p in phrases) if alt)
        if not alternatives:
            raise TriageDataError(f"'{text}' has an empty part")
        parts.append(Part(alternatives, gap if parts else 0, optional))
        gap = near

    def flush() -> None:
        if literal:
            add((" ".join(literal),))
            literal.clear()

    for match in _PART.finditer(text):
        if match.group(0) == "...":
            flush()
            gap = FAR
        elif match.group(1):
            flush()
            if match.group(1) not in groups:
                raise TriageDataError(f"'{text}' uses {{{match.group(1)}}}, which is not a group")
            add(groups[match.group(1)])
        elif match.group(2) is not None:
            flush()
            if "(" in match.group(2):
                raise TriageDataError(f"'{text}' has brackets inside brackets: list the phrases instead")
            phrases: list[str] = []
            for alternative in (a.strip() for a in match.group(2).split("|")):
                name = alternative[1:-1] if alternative.startswith("{") and alternative.endswith("}") else ""
                if name and name not in groups:
                    raise TriageDataError(f"'{text}' uses {{{name}}}, which is not a group")
                phrases.extend(groups[name] if name else (alternative,))
            add(tuple(phrases), optional=bool(match.group(3)))
        else:
            literal.append(match.group(0))
    flush()
    if not parts:
        raise TriageDataError(f"an empty pattern under {kind}")
    return Pattern(kind, text, tuple(parts))


def _ends(part: Part, tokens: list[str | None], at: int) -> list[int]:
    token = tokens[at] if at < len(tokens) else None
    ends = []
    for alt in part.by_first.get(token, ()) if token else ():
        end = at + len(alt)
        if end <= len(tokens) and tokens[at:end] == list(alt):
            ends.append(end)
    return ends


def _match_from(parts: tuple[Part, ...], tokens: list[str | None], at: int) -> int | None:
    """Where a match of PARTS starting exactly at AT ends, or None."""
    if parts[0].optional and len(parts) > 1:
        skipped = _match_from(parts[1:], tokens, at)
        if skipped is not None:
            return skipped
    for end in _ends(parts[0], tokens, at):
        if len(parts) == 1:
            return end
        nxt = parts[1]
        for start in range(end, min(len(tokens), end + nxt.gap + 1)):
            last = _match_from(parts[1:], tokens, start)
            if last is not None:
                return last
    return None


def _first_match(pattern: Pattern, tokens: list[str | None]) -> tuple[int, int] | None:
    starts = pattern.starts
    for start, token in enumerate(tokens):
        if token in starts and (end := _match_from(pattern.parts, tokens, start)) is not None:
            return start, end
    return None


def _matches(pattern: Pattern, tokens: list[str | None]) -> list[tuple[int, int]]:
    spans, start = [], 0
    while start < len(tokens):
        end = _match_from(pattern.parts, tokens, start)
        if end is not None:
            spans.append((start, end))
            start = end
        else:
            start += 1
    return spans
