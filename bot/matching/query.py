"""Understanding what a resident typed: the need, who it is for, how old, and where.

"my lads 14 and wants football near LE4" becomes: search words {football}, category sport,
audience young people, age 14, location LE4. Typos are corrected word by word against the
directory's and the taxonomy's own vocabulary.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.matching.asked_languages import LanguageSpotter
from bot.matching.lexicons import LanguageReader, default_lexicons
from bot.matching.phrases import PhraseBook, PhraseHit
from bot.matching.taxonomy import Category, Taxonomy, linked_categories, narrower_categories
from bot.matching.text import STOP_WORDS, clauses, fold, stem, words
from bot.services.places import Point, district_point, find_postcode

MAX_QUERY_CHARS = 500
PLACE_PREPOSITIONS = frozenset({"in", "near", "around", "round", "nr", "by"})
PLACE_TERM_WEIGHT = 0.4  # a place name still says a little about the text ("Barton toddlers")
JOINED_TERM_WEIGHT = 0.5
COMPOUND_PART_WEIGHT = 0.5
RELATED_SHARE = 0.35
FOR_AUDIENCE_SHARE = 0.85
BROADER_SHARE = 0.6
SECOND_PHRASE_SHARE = 0.3
# The person a query is about ("my children", "my son") is a fact for ranking (audience, age),
# not what they are looking for: their words count only a little as search words.
AUDIENCE_TERM_WEIGHT = 0.3
POSSESSIVES = frozenset({"my", "our", "me", "his", "her", "their"})  # "me mam"
# How a request is put, not what it is for: "need a dentist" is about the dentist. Still read in
# phrases ("special needs"), and still searchable in assets' own words.
ASKING_WORDS = frozenset({"need", "needs", "needed", "needing"})

# "nowhere to sleep" is also asked for as "somewhere to sleep", "anywhere to sleep tonight?":
# a negated phrase of the form "nowhere [safe] to ..." is read in its asking forms too.
_ASKING_FORMS = {
    "nowhere": ("somewhere", "anywhere"),
    "nothing": ("something", "anything"),
    "nobody": ("someone", "somebody", "anyone", "anybody"),
    "no one": ("someone", "somebody", "anyone", "anybody"),
    "noone": ("someone", "somebody", "anyone", "anybody"),
}
_NEGATED_ASK = re.compile(r"^(nowhere|nothing|nobody|no one|noone)((?: \w+)? to \w.*)$")
# "open now", "anywhere still open?": rank what is open at the moment first
_OPEN_NOW = re.compile(
    r"\b(?:open(?:ed)?\s+(?:right\s+)?now|still\s+open|open\s+at\s+the\s+moment|(?:currently|now)\s+open"
    r"|open\s+(?:right\s+)?at\s+the\s+moment)\b"
)

_AGE_PATTERNS = (
    re.compile(r"\b(\d{1,2})\s*(?:yo|y o|yr|yrs|year|years)(?:\s*old)?\b"),
    re.compile(
        r"\b(?:is|im|hes|shes|aged|age|turned|turning|whos)\s+(\d{1,2})\b"
        r"(?!\s*(?:months?|weeks?|days?|hours?|mins?|minutes?|pm|am|quid|pounds?|miles?|times?|behind))"
    ),
)
_QUERY_PHRASE_WEIGHTS = {"terms": 1.0, "misspellings": 1.0, "slang": 0.9, "situations": 0.9}


def max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2 if len(word) <= 8 else 3


@dataclass
class Understanding:
    text: str
    terms: dict[str, float] = field(default_factory=dict)  # stem -> weight
    corrections: dict[str, str] = field(default_factory=dict)  # as typed -> as understood
    categories: dict[str, float] = field(default_factory=dict)  # category id -> confidence
    category_phrases: dict[str, str] = field(default_factory=dict)  # category id -> what said it
    audiences: set[str] = field(default_factory=set)
    age: int | None = None
    postcode: str = ""
    place: str = ""
    point: Point | None = None
    place_terms: list[str] = field(default_factory=list)  # stems of the place words used
    # needs that only rank what the rest of the query found: the kin of a service the resident
    # named ("a dentist" is not answered by a GP, but a GP that says "dentist" may still come up)
    supporting: set[str] = field(default_factory=set)
    open_now: bool = False  # "open now": what is open at the moment first
    person_terms: set[str] = field(default_factory=set)  # "my son": who, weighed as a word less
    name: str = ""  # every word, folded, to find an asset called exactly this ("We Are With You")
    wanted_languages: set[str] = field(default_factory=set)  # to be helped in ("in urdu"): ISO 639 codes
    # the language the resident wrote in, when it was not English ("ur", "pa", "gu", "pl", "so",
    # "ar": bot.matching.lexicons): a language they may read; None for English or not known
    language: str | None = None


class Vocabulary:
    """Known words by first letter, for fast typo correction."""

    def __init__(self, counts: Counter[str], stems: frozenset[str] = frozenset()) -> None:
        self.counts = counts
        self.stems = stems  # stems the index holds, for telling a compound from two words
        self._buckets: dict[str, list[str]] = defaultdict(list)
        for word in counts:
            if word.isalpha() and len(word) >= 3:
                self._buckets[word[0]].append(word)

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def correct(self, word: str) -> str | None:
        """The closest known word within a few edits; the commoner one wins a tie."""
        limit = max_edits(word)
        candidates = [w for w in self._buckets.get(word[0], ()) if abs(len(w) - len(word)) <= limit]
        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=8)
        if not found:
            return None
        return min(found, key=lambda hit: (hit[1], -self.counts[hit[0]], hit[0]))[0]

    def split(self, word: str) -> tuple[str, str] | None:
        """'breastfeeding' -> ('breast', 'feeding') when both halves are known words."""
        for cut in range(3, len(word) - 2):
            left, right = word[:cut], word[cut:]
            if left in self.counts and right in self.counts and left not in STOP_WORDS:
                return left, right
        return None


class QueryReader:
    """Turns text into an Understanding, using the taxonomy, the vocabulary and the places."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        vocabulary: Vocabulary,
        places: dict[str, Point],
        need_words: frozenset[str] = frozenset(),
        language_spotter: LanguageSpotter | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.language_spotter = language_spotter or LanguageSpotter(())
        self.vocabulary = vocabulary
        self.need_words = need_words  # words the taxonomy uses: never read as a place
        self.places = places  # folded place name -> point
        self._longest_place = max((len(p.split()) for p in places), default=1)
        self.needs = PhraseBook.from_texts(
            [
                (form, category.id, weight)
                for category in taxonomy.categories
                for kind, weight in _QUERY_PHRASE_WEIGHTS.items()
                for phrase in getattr(category, kind)
                for form in asking_forms(phrase)
            ]
        )
        # what services are called: a resident who names one wants that, not its neighbours
        self._named = {
            (category.id, term)
            for category in taxonomy.categories
            for term in (*category.terms, *category.misspellings)
        }
        self.audiences = PhraseBook.from_texts(
            [(term, audience.id, 1.0) for audience in taxonomy.audiences for term in audience.terms]
        )
        self._linked = linked_categories(taxonomy)
        self._narrower = narrower_categories(taxonomy)
        # the first step of reading: another language's words into English ones (lexicons.py)
        self.languages = LanguageReader(default_lexicons())

    def read(self, text: str) -> Understanding:
        text = text[:MAX_QUERY_CHARS]
        u = Understanding(text=text)
        u.name = " ".join(words(text))
        text, u.language = self._in_english(text)
        folded, u.open_now = _take_open_now(fold(text))
        folded, u.age = _take_age(folded)
        drop: set[str] = set()
        if postcode := find_postcode(text):
            u.postcode, u.point = postcode, district_point(postcode)
            drop = {part.lower() for part in postcode.split()} | {postcode.replace(" ", "").lower()}
        hits: list[PhraseHit] = []
        for clause in clauses(folded):
            tokens = [t for t in words(clause) if t not in drop]
            # before places: "in urdu" asks for a language, not a place
            tokens, wanted = self.language_spotter.take(tokens, self.vocabulary)
            u.wanted_languages |= wanted
            tokens, place_words = self._take_places(tokens, u)
            tokens, cue_words = self._take_place_cues(tokens)
            place_words += cue_words
            sequence: list[str] = []  # every word, as understood, for phrase spotting
            surface: list[str] = []  # the words that carry meaning, for ranking
            for token in tokens:
                if token in STOP_WORDS or token in ASKING_WORDS or token.isdigit():
                    sequence.append(stem(token))
                    continue
                understood = self._understood(token, u)
                surface += understood
                sequence += [stem(w) for w in understood]
            for word in surface:
                u.terms[stem(word)] = 1.0
            for a, b in pairwise(surface):
                joined = stem(a) + stem(b)  # as the index joins pairs: "breast feeding" -> "breastfeed"
                if joined in self.vocabulary.stems:
                    # "breast feeding" is the directory's "breastfeeding": count it once, as one word
                    u.terms[joined] = 1.0
                    for part in (stem(a), stem(b)):
                        u.terms[part] = min(u.terms[part], COMPOUND_PART_WEIGHT)
                else:
                    u.terms.setdefault(joined, JOINED_TERM_WEIGHT)
            for word in place_words:
                u.terms.setdefault(stem(word), PLACE_TERM_WEIGHT)
                u.place_terms.append(stem(word))
            need_hits = self.needs.in_query(sequence)
            hits += need_hits
            audience_hits = self.audiences.in_query(sequence)
            u.audiences |= {h.phrase.owner for h in audience_hits}
            # "food for my children": my children say who, the food says what ("groups for
            # dads" is what they are looking for, so only someone's own people count less)
            said_need = {s for h in need_hits for s in h.phrase.stems}
            theirs = {stem(b) for a, b in pairwise(tokens) if a in POSSESSIVES}
            for person in {s for h in audience_hits for s in h.phrase.stems} & theirs - said_need:
                if u.terms.get(person, 0.0) > AUDIENCE_TERM_WEIGHT:
                    u.terms[person] = AUDIENCE_TERM_WEIGHT
                    u.person_terms.add(person)
        self._needs(u, hits)
        return u

    def _in_english(self, text: str) -> tuple[str, str | None]:
        """Other languages first: a need written in Urdu, Punjabi, Gujarati, Polish, Somali or
        Arabic becomes the English words the rest of the reading knows (bot.matching.lexicons),
        with the language it was written in. English text comes back exactly as it was."""
        rewriting = self.languages.rewrite(text, self._is_english)
        return rewriting.text, rewriting.language

    def _is_english(self, word: str) -> bool:
        return word in STOP_WORDS or word in self.vocabulary or word in self.need_words

    def _understood(self, word: str, u: Understanding) -> list[str]:
        if word in self.vocabulary or len(word) < 4:
            return [word]
        if halves := self.vocabulary.split(word):
            return list(halves)
        if corrected := self.vocabulary.correct(word):
            u.corrections[word] = corrected
            return [corrected]
        return [word]

    def _take_place_cues(self, tokens: list[str]) -> tuple[list[str], list[str]]:
        """'in barton', 'round scunthorpe': a word the directory uses after 'in' names a place."""
        kept, place_words = [], []
        for i, token in enumerate(tokens):
            before = tokens[i - 1] if i else ""
            if (
                before in PLACE_PREPOSITIONS
                and token not in STOP_WORDS
                and len(token) >= 3
                and token.isalpha()
                and token in self.vocabulary
                and token not in self.need_words
            ):
                place_words.append(token)
            else:
                kept.append(token)
        return kept, place_words

    def _take_places(self, tokens: list[str], u: Understanding) -> tuple[list[str], list[str]]:
        """Known place names become a location; their words stay only as weak search terms."""
        kept, place_words = [], []
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest_place, len(tokens) - i), 0, -1):
                name = " ".join(tokens[i : i + size])
                if name in self.places and not (size == 1 and name in STOP_WORDS):
                    if u.point is None:
                        u.place, u.point = name, self.places[name]
                    place_words += tokens[i : i + size]
                    i += size
                    break
            else:
                kept.append(tokens[i])
                i += 1
        return kept, place_words

    def _needs(self, u: Understanding, hits: list[PhraseHit]) -> None:
        """Each category's best phrase decides; a second, different phrase adds a little."""
        strengths: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for hit in hits:
            strength = min(1.0, hit.phrase.weight * hit.coverage**2)
            strengths[hit.phrase.owner].append((strength, hit.phrase.text))
        for owner, found in strengths.items():
            found.sort(reverse=True)
            best, said = found[0]
            second = next((f[0] for f in found[1:] if f[1] != said), 0.0)
            u.categories[owner] = round(min(1.0, best + SECOND_PHRASE_SHARE * second * (1 - best)), 3)
            u.category_phrases[owner] = said
        stated = set(u.categories)
        # the needs whose neighbours may be answers in their own right: a situation or slang
        # ("keeps falling") leaves the service open; a service's own name ("dentist") does not
        open_ended = {c for c in stated if (c, u.category_phrases[c]) not in self._named}
        widened: set[str] = set()  # reached as a broader or narrower form, or one for this person
        for category_id, confidence in list(u.categories.items()):
            category = self.taxonomy.category(category_id)
            shares = [(other, RELATED_SHARE, False) for other in self._linked[category_id]]
            if broader := getattr(category, "broader", ""):
                shares.append((self.taxonomy.category(broader), BROADER_SHARE, True))
            shares += [(other, RELATED_SHARE, True) for other in self._narrower.get(category_id, ())]
            for other, share, same_need in shares:
                if self._for_this_person(other, u):
                    share, same_need = FOR_AUDIENCE_SHARE, True
                if same_need or category_id in open_ended:
                    widened.add(other.id)
                if u.categories.get(other.id, 0.0) < confidence * share:
                    u.categories[other.id] = round(confidence * share, 3)
        u.supporting = set(u.categories) - stated - widened

    def _for_this_person(self, category: Category, u: Understanding) -> bool:
        """The form of a need for the person the query is about ("self harm" + "my 14 year old"):
        all its audiences were named, and a stated age falls in their range."""
        if not category.audiences or not set(category.audiences) <= u.audiences or u.age is None:
            return False
        for audience_id in category.audiences:
            audience = self.taxonomy.audience(audience_id)
            high = audience.max_age if audience.max_age is not None else 200
            if (audience.min_age or 0) <= u.age <= high:
                return True
        return False


def asking_forms(phrase: str) -> list[str]:
    """The phrase, and for "nowhere to sleep" also "somewhere to sleep" and "anywhere to sleep"."""
    match = _NEGATED_ASK.match(" ".join(phrase.lower().split()))
    if match is None:
        return [phrase]
    return [phrase, *(asking + match.group(2) for asking in _ASKING_FORMS[match.group(1)])]


def _take_open_now(folded: str) -> tuple[str, bool]:
    """Whether they asked for what is open now, and the text without the words that said it."""
    text, found = _OPEN_NOW.subn(" ", folded)
    return text, bool(found)


def _take_age(folded: str) -> tuple[str, int | None]:
    """The person's age, and the text without the words that said it ("16 yr old")."""
    for pattern in _AGE_PATTERNS:
        if match := pattern.search(folded):
            age = int(match.group(1))
            if 0 < age < 100:
                return folded[: match.start()] + " " + folded[match.end() :], age
    return folded, None
