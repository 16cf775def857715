"""Spotting a message that suggests danger, and which kind: the first thing every message meets.

The triage (bot/services/triage.py, reading the plain-text model in safety_triage.toml) finds the
kinds of danger a message suggests, for the writer or for someone else. It errs on the side of
showing help: a false alarm costs a message, a miss could cost a life; the idioms in the model keep
everyday words ("killing time", "hit the gym") from raising it.

Every message is read in every language the triage knows (a new resident has no language set, and
people mix them), but only by the files written in the message's own scripts: Arabic script meets
ur, pa (Shahmukhi) and ar; Gurmukhi pa; Gujarati gu; Latin letters English, pl, so and romanised
ur, pa and gu. That keeps the cost of a message to the few files that could match it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.matching.text import STOP_WORDS
from bot.services.triage import LANGUAGE_FILES, MAX_CHARS, TRIAGE_FILE, Finding, Triage, TriageDataError
from bot.services.triage_text import SCRIPTS, scripts_of, split_words

# Which file's match names the language when several match and markers do not tell: the order the
# files are read in. Arabic script is read as Urdu first when it has letters Arabic does not use.
PRECEDENCE = ("pl", "so", "ur", "pa", "gu", "ar")
_URDU_LETTERS = frozenset("ٹڈڑںےھہۓگچپژ")


@dataclass(frozen=True)
class SafetyAlert:
    kinds: tuple[str, ...]  # in the order their help is given: danger now first
    child: bool  # the writer sounds like a child: a child's words and Childline first
    because: tuple[str, ...]  # the words that raised it, per kind (tests only; logs get kinds)
    categories: tuple[str, ...]  # needs whose directory entries may follow the help
    language: str = "en"  # the language whose file found it ("pl", "ur"): the help's language

    @property
    def kind(self) -> str:
        return "child" if self.child else self.kinds[0]


class SafetyCheck:
    def __init__(self, triage_file: Path = TRIAGE_FILE, language_files: Path | None = LANGUAGE_FILES) -> None:
        self.triage = Triage.from_file(triage_file, "en")  # the kinds, their order and their needs
        paths = sorted(language_files.glob("*.toml")) if language_files else []
        self.languages = sorted((Triage.from_file(path) for path in paths), key=_precedence)
        for other in self.languages:
            if unknown := set(other.kinds) - set(self.triage.kinds):
                raise TriageDataError(
                    f"{other.language}: kinds {sorted(unknown)} are not in the English file"
                )
        self._false_friends = frozenset(w for other in self.languages for w in other.false_friends)
        self._by_script = {script: [t for t in self.languages if script in t.scripts] for script in SCRIPTS}

    def check(self, text: str) -> SafetyAlert | None:
        text = text[:MAX_CHARS]
        findings, child = self.triage.read(text)
        if findings and self._false_friends:
            findings = self._without_false_friends(findings, text)
        found_by = {"en": findings} if findings else {}
        readers = self.readers(text)
        split = split_words(text) if readers else []
        for triage in readers:
            found, young = triage.read_clauses(split)
            child = child or young
            if found:
                found_by[triage.language] = found
        if not found_by:
            return None
        by_kind: dict[str, Finding] = {}
        for found in found_by.values():
            for finding in found:
                by_kind.setdefault(finding.kind, finding)
        findings = sorted(by_kind.values(), key=lambda f: self.triage.order.index(f.kind))
        kinds = tuple(f.kind for f in findings)
        lead = "child" if child and "child" in self.triage.kinds else kinds[0]
        categories = tuple(
            dict.fromkeys((*self.triage.kinds[lead].categories, *self.triage.kinds[kinds[0]].categories))
        )
        language = _language_of(split, readers, found_by)
        return SafetyAlert(
            kinds, child, tuple(f"{f.kind}: {f.words}" for f in findings), categories, language
        )

    def _without_false_friends(self, findings: list[Finding], text: str) -> list[Finding]:
        """English findings, less those made only of another language's everyday words in a
        message written in that language (one of its marker words or letters): Polish "od" is
        "since", and English reads "głód" (hunger) as "g" and "od"."""
        suspect = [f for f in findings if set(f.words.split()) <= self._false_friends]
        if not suspect:
            return findings
        said = [w for clause in split_words(text) for w in clause]
        dropped = {
            id(f)
            for f in suspect
            for other in self.languages
            if set(f.words.split()) <= other.false_friends
            and (other.markers_in(said) >= 1 or not other.letters.isdisjoint(text.casefold()))
        }
        return [f for f in findings if id(f) not in dropped]

    def readers(self, text: str) -> list[Triage]:
        """The other languages' files that could match TEXT, by the scripts it is written in; for
        Arabic script, Urdu and Punjabi first when it has their letters, Arabic first when not."""
        scripts = scripts_of(text)
        readers: dict[str, Triage] = {}
        for script in sorted(scripts, key=list(SCRIPTS).index):
            for triage in self._by_script[script]:
                readers.setdefault(triage.language, triage)
        if "arabic" in scripts and "ar" in readers and not _URDU_LETTERS.intersection(text):
            readers = {"ar": readers["ar"], **readers}
        return list(readers.values())


def _precedence(triage: Triage) -> tuple[int, str]:
    code = triage.language
    return (PRECEDENCE.index(code) if code in PRECEDENCE else len(PRECEDENCE), code)


def _language_of(split: list[list[str]], readers: list[Triage], found_by: dict[str, list[Finding]]) -> str:
    """The language the help should be in: the first whose file matched (English, then the others in
    the order they were read), unless the message has more of the marker words (a file's `markers`)
    of another whose file matched too ("mainu", "haan" say Punjabi where Urdu's file matched).
    English's marker words are its stop words ("the", "my", "is")."""
    first = next(iter(found_by))
    said = [w for clause in split for w in clause]
    counts = {t.language: t.markers_in(said) for t in readers if t.language in found_by}
    if "en" in found_by:
        counts["en"] = sum(1 for word in said if word in STOP_WORDS)
    best = max(counts, key=lambda code: counts[code], default=first)
    return best if counts.get(best, 0) > counts.get(first, 0) else first


@lru_cache(maxsize=1)
def default_safety_check() -> SafetyCheck:
    return SafetyCheck()
