"""The safety triage: how people say that they, or someone else, are in danger.

It reads the plain-text model in safety_triage.toml (groups of words and the patterns they make,
per kind of danger, and the idioms that only look like danger) and finds, clause by clause, the
kinds a message suggests. Patterns are compositional ("{intent} {end} {own} life"), so one pattern
catches phrasings nobody wrote down: "im going to end my life", "my friend says she will end her
life tonight", "thinking of ending it all". No Telegram and no database here.

Every other language has a file of its own in safety_triage/ (pl.toml, ur.toml, ...), read by the
same machinery with that language's Reading (bot.services.triage_text) instead of English stems:
its words may end in * to stand for every word that begins so ("zabij*": zabije, zabijesz).
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.services.triage_text import ENGLISH, SCRIPTS, Reading, reading

TRIAGE_FILE = Path(__file__).with_name("safety_triage.toml")
LANGUAGE_FILES = Path(__file__).with_name("safety_triage")  # one file per other language: pl.toml
MAX_CHARS = 2000  # the check reads this much of a message (a Telegram message is at most 4096)
NEAR = 3  # words that may stand between two parts of a pattern
IDIOM_NEAR = 0  # ... of an idiom: a set phrase, so "take all my tablets" is not "take my tablets"
FAR = 8  # ... between parts joined by "..."
SHORTEST_PREFIX = 3  # letters before a * in a file: shorter would stand for too many words
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

    @cached_property
    def needs(self) -> tuple[frozenset[str], ...]:
        """Per part that must match, the words its match begins with."""
        return tuple(frozenset(part.by_first) for part in self.parts if not part.optional)

    def could_match(self, present: set[str | None]) -> bool:
        """Whether a clause with the words PRESENT has a word to begin every part that must match:
        most patterns a clause meets by one word fall out here, before any matching."""
        return all(not words.isdisjoint(present) for words in self.needs)


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
    def __init__(self, data: dict, reading: Reading = ENGLISH) -> None:
        self.reading = reading
        self.language = reading.code
        self.scripts = frozenset(data.get("scripts", ("latin",)))
        if unknown := self.scripts - set(SCRIPTS):
            raise TriageDataError(f"scripts {sorted(unknown)}: the scripts known are {sorted(SCRIPTS)}")
        self._prefixes, self._written = _file_words(data, reading)
        self._prefix_lengths = sorted({len(p) - 1 for p in self._prefixes}, reverse=True)
        self.markers = frozenset(w for phrase in data.get("markers", ()) for w in self._data_tokens(phrase))
        # its words that the English file reads as danger ("od", Polish "since", is an overdose)
        self.false_friends = frozenset(
            w for phrase in data.get("false_friends", ()) for w in reading.data_words(phrase)
        )
        self.letters = frozenset(data.get("letters", ""))  # letters only this language uses, as markers do
        groups = {name: tuple(phrases) for name, phrases in data.get("groups", {}).items()}
        self.kinds = {
            k["id"]: Kind(k["id"], k.get("help", k["id"]), tuple(k.get("categories", ())))
            for k in data["kind"]
        }
        self.order = list(self.kinds)  # first in the file, first in the reply (danger now leads)
        self.patterns = [
            _compile(pattern, k["id"], groups, self._data_tokens)
            for k in data["kind"]
            for pattern in k.get("patterns", ())
        ]
        self.idioms = [
            _compile(p, "idiom", groups, self._data_tokens, IDIOM_NEAR) for p in data.get("idioms", ())
        ]
        self.child_speaker = [
            _compile(p, "child-speaker", groups, self._data_tokens) for p in data.get("child_speaker", ())
        ]
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
        self._typo_targets = [
            word for word in self.vocabulary if len(word) >= 5 and word not in self._prefixes
        ]
        self._by_first = _first_words(self.patterns)
        self._idioms_by_first = _first_words(self.idioms)
        self._child_by_first = _first_words(self.child_speaker)
        self._stems: dict[str, str] = {}

    @classmethod
    def from_file(cls, path: Path = TRIAGE_FILE, language: str = "") -> Triage:
        """A language's file: its `language` says which, else LANGUAGE, else its name ("pl.toml");
        the English file is "en"."""
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        code = data.get("language") or language or ("en" if path == TRIAGE_FILE else path.stem)
        try:
            return cls(data, reading(code))
        except TriageDataError as error:
            raise TriageDataError(f"{path.name}: {error}") from None

    def read(self, text: str) -> tuple[list[Finding], bool]:
        """The kinds of danger TEXT suggests (one finding per kind, in reply order), and whether the
        writer sounds like a child."""
        return self.read_clauses(self.reading.split(text[:MAX_CHARS]))

    def read_clauses(self, clauses: list[list[str]]) -> tuple[list[Finding], bool]:
        """As read, for a message already taken apart by this reading's split (several languages'
        files share one split of a message)."""
        found: dict[str, Finding] = {}
        child = False
        for said in clauses:
            tokens: list[str | None] = [self._stem(w) for w in said]
            for idiom in _candidates(self._idioms_by_first, tokens):
                for start, end in _matches(idiom, tokens):
                    tokens[start:end] = [None] * (end - start)
            child = child or any(_first_match(p, tokens) for p in _candidates(self._child_by_first, tokens))
            for pattern in _candidates(self._by_first, tokens):
                if pattern.kind in found:
                    continue
                span = _first_match(pattern, tokens)
                if span:
                    found[pattern.kind] = Finding(
                        pattern.kind, pattern.text, " ".join(said[span[0] : span[1]])
                    )
        return sorted(found.values(), key=lambda f: self.order.index(f.kind)), child

    def markers_in(self, said: list[str]) -> int:
        """How many of the words SAID are the file's markers (words that say which language it is)."""
        return sum(1 for word in said if self._stem(word) in self.markers)

    def _stem(self, word: str) -> str:
        """The word's stem, or the triage word it is a typo of ("sucidal", "overdossed")."""
        if word not in self._stems:
            if len(self._stems) > 50_000:  # typed words are unbounded; the memo is not
                self._stems.clear()
            self._stems[word] = self._corrected(word)
        return self._stems[word]

    def _corrected(self, word: str) -> str:
        forms = self.reading.variants(word)
        for form in (*forms[1:], forms[0]):  # "بالبيت" is "بيت" when the file has that
            if form in self._known:
                return form
            if self._prefixes and (prefix := self._prefix_of(form)):
                return prefix
        stemmed = forms[0]
        if len(stemmed) < self.reading.shortest_typo or word.isdigit() or not self.reading.forgives(stemmed):
            return stemmed
        allowed = 1 if len(word) < self.reading.two_typos_from else 2
        found = process.extractOne(
            stemmed, self._typo_targets, scorer=Levenshtein.distance, score_cutoff=allowed
        )
        # a typo rarely changes the first letter: "bills" is not "kills"
        return found[0] if found and found[0][0] == stemmed[0] else stemmed

    def _prefix_of(self, form: str) -> str | None:
        for length in self._prefix_lengths:
            if len(form) >= length and (prefix := form[:length] + "*") in self._prefixes:
                return prefix
        return None

    def _data_tokens(self, phrase: str) -> list[str]:
        """A file's phrase as the words a message's words are compared with, read as a message's
        are: a word that begins with one of the file's prefixes is that prefix, and a word the
        file also has without a leading و or ال ("البيت", "بيت") is that barer word."""
        return [self._data_token(word) for word in self.reading.data_words(phrase)]

    def _data_token(self, word: str) -> str:
        if word.endswith("*"):
            return self.reading.variants(word[:-1])[0] + "*"
        forms = self.reading.variants(word)
        for form in (*forms[1:], forms[0]):
            if self._prefixes and (prefix := self._prefix_of(form)):
                return prefix
            if form in self._written:
                return form
        return forms[0]


def _first_words(patterns: list[Pattern]) -> dict[str, list[Pattern]]:
    """Patterns by the words they can start with, so a message meets only those it could match."""
    by_first: dict[str, list[Pattern]] = defaultdict(list)
    for pattern in patterns:
        for word in pattern.starts:
            by_first[word].append(pattern)
    return by_first


def _candidates(by_first: dict[str, list[Pattern]], tokens: list[str | None]) -> list[Pattern]:
    """The patterns that could match TOKENS, in the order their first words come."""
    seen: dict[int, Pattern] = {}
    for token in tokens:
        for pattern in by_first.get(token, ()) if token else ():
            seen.setdefault(id(pattern), pattern)
    present = set(tokens)
    return [pattern for pattern in seen.values() if pattern.could_match(present)]


def _file_words(data: dict, reading: Reading) -> tuple[frozenset[str], frozenset[str]]:
    """The file's words that end in * (compared as written, * kept), and its other words as
    written. One prefix may not begin another: a word of a message is one word of the file."""
    found: set[str] = set()
    written: set[str] = set()
    texts = [*(p for phrases in data.get("groups", {}).values() for p in phrases), *data.get("idioms", ())]
    texts += [
        *data.get("child_speaker", ()),
        *(p for k in data.get("kind", ()) for p in k.get("patterns", ())),
    ]
    for text in texts:
        for word in reading.data_words(text):
            if word.endswith("*"):
                prefix = reading.variants(word[:-1])[0]
                if len(prefix) < SHORTEST_PREFIX:
                    raise TriageDataError(
                        f"'{word}' in '{text}' is too short a prefix: it stands for too many words"
                    )
                found.add(prefix + "*")
            else:
                written.add(reading.variants(word)[0])
    for prefix in found:
        for other in found:
            if other != prefix and other.startswith(prefix[:-1]):
                raise TriageDataError(f"'{prefix}' begins '{other}': keep one of them")
    return frozenset(found), frozenset(written)


def _compile(
    text: str,
    kind: str,
    groups: dict[str, tuple[str, ...]],
    tokens: Callable[[str], list[str]],
    near: int = NEAR,
) -> Pattern:
    """Words written side by side must stand side by side; a {group} or (a|b) may have up to NEAR
    words before it (IDIOM_NEAR in an idiom), and "..." allows up to FAR. TOKENS takes a phrase
    apart as messages are."""
    parts: list[Part] = []
    literal: list[str] = []  # a run of plain words, kept together
    gap = 0

    def add(phrases: tuple[str, ...], optional: bool = False) -> None:
        nonlocal gap
        alternatives = tuple(alt for alt in (tuple(tokens(p)) for p in phrases) if alt)
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
