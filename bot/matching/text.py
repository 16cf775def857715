"""Words as the engine sees them: lower-cased, accent-free, apostrophes gone, stemmed.

One tokeniser for queries, asset text and taxonomy phrases, so that all three meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_APOSTROPHES = re.compile(r"['’‘`´]")
_STEMMER = snowballstemmer.stemmer("english")

# Words that say nothing about a need. Kept short on purpose: "help", "support", "group" and
# "advice" stay searchable (they rank by rarity), but "i", "my", "is there" do not.
STOP_WORDS = frozenset(
    """
    a about above  again against all am an and any anyone anything anywhere are around as at be
    because been before being below between both but by can cant could did didnt do does doesnt
    doing dont during each else even ever every few for from further get gets getting go going
    got had has hasnt have havent having he hed hes her here hers herself him himself his how i
    if  im in into is isnt it its itself ive just know let like ll me might more most much must
    my myself near  no nor not now of off on once only or other our ours ourselves out
    over own please re really round s same she shes should so some someone something somewhere still
    such t than that thats the their theirs them themselves then there theres these they theyre this
    those through till to too under until up us ve very want wants was wasnt we were what whats when
    where which while who whom whos why will with wont would you youd youll your youre yours
    yourself anybody   find wondering thanks thank hi hello also bit lot lots
    """.split()
)


# Kept in phrases even though they are stop words for ranking: "no mates" is not "mates".
NEGATIONS = frozenset(
    """no not nothing nobody noone none nowhere never cant dont doesnt didnt wont isnt wasnt arent
    havent hasnt couldnt wouldnt shouldnt aint without""".split()
)
PHRASE_STOP_WORDS = STOP_WORDS - NEGATIONS


def fold(text: str) -> str:
    """Lower case without accents or apostrophes: "Cafés can't" -> "cafes cant"."""
    if not text.isascii():  # the slow accent strip only for text that may have accents
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _APOSTROPHES.sub("", text.lower()).replace("&", " and ")


def words(text: str) -> list[str]:
    """Every word, stop words included, unstemmed (for phrase and place spotting)."""
    return _WORD.findall(fold(text))


# Where Snowball's stem would merge words that mean different things to a resident.
STEM_EXCEPTIONS = {
    "lonely": "lonely", "loneliness": "lonely",  # not "lone" (lone parent)
    "noone": "noone",  # not "noon"
    "boxing": "boxing",  # not "box" (veg box)
    "probation": "probation", "probate": "probate",  # not both "probat"
}  # fmt: skip


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if word.isdigit():
        return word
    return STEM_EXCEPTIONS.get(word) or _STEMMER.stemWord(word)


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning, in order."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


_CLAUSE_BREAK = re.compile(r"[,.;:!?()\n]+|\s+but\s+|\s+-\s+")


def clauses(text: str) -> list[str]:
    """Text split where a new thought starts, so phrases are only matched inside one."""
    return [part for part in _CLAUSE_BREAK.split(text) if part.strip()]


def phrase_stems(text: str) -> list[str]:
    """Stems as phrases are matched: content words and negations, in order."""
    return [stem(w) for w in words(text) if w not in PHRASE_STOP_WORDS]


def all_stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]
