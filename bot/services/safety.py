"""Spotting a message that suggests danger, and which kind: the first thing every message meets.

The triage (bot/services/triage.py, reading the plain-text model in safety_triage.toml) finds the
kinds of danger a message suggests, for the writer or for someone else. It errs on the side of
showing help: a false alarm costs a message, a miss could cost a life; the idioms in the model keep
everyday words ("killing time", "hit the gym") from raising it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.services.triage import TRIAGE_FILE, Triage


@dataclass(frozen=True)
class SafetyAlert:
    kinds: tuple[str, ...]  # in the order their help is given: danger now first
    child: bool  # the writer sounds like a child: a child's words and Childline first
    because: tuple[str, ...]  # the words that raised it, per kind (tests only; logs get kinds)
    categories: tuple[str, ...]  # needs whose directory entries may follow the help

    @property
    def kind(self) -> str:
        return "child" if self.child else self.kinds[0]


class SafetyCheck:
    def __init__(self, triage_file: Path = TRIAGE_FILE) -> None:
        self.triage = Triage.from_file(triage_file)

    def check(self, text: str) -> SafetyAlert | None:
        findings, child = self.triage.read(text)
        if not findings:
            return None
        kinds = tuple(f.kind for f in findings)
        lead = "child" if child and "child" in self.triage.kinds else kinds[0]
        categories = tuple(
            dict.fromkeys((*self.triage.kinds[lead].categories, *self.triage.kinds[kinds[0]].categories))
        )
        return SafetyAlert(kinds, child, tuple(f"{f.kind}: {f.words}" for f in findings), categories)


@lru_cache(maxsize=1)
def default_safety_check() -> SafetyCheck:
    return SafetyCheck()
