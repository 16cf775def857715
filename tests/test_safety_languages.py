"""The safety triage in Polish, Urdu, Punjabi, Gujarati, Somali and Arabic: danger written in each
language's own script, or in the Latin letters many people type Urdu, Punjabi and Gujarati in, gets
the help for its kind; everyday lines in those languages (food banks, debt advice, "I'm dying to see
my grandchildren", a job "killing me", a kitchen knife) get none; English is read as before.

tests/fixtures/safety_lines_multilingual.jsonl holds our own lines ({"text", "crisis", "kind",
"lang"}), written apart from any shared evaluation set: for every language and kind, first person,
someone else and a child speaking, in script and romanised.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from bot import messages as m
from bot.config import default_local_help
from bot.i18n.current import speaking
from bot.i18n.languages import spoken
from bot.services.safety import SafetyCheck, default_safety_check
from bot.services.triage import LANGUAGE_FILES, Triage, TriageDataError
from bot.services.triage_text import normalise, reading, roman_key, scripts_of, split_words
from db.models import Need
from tests.conftest import FIXTURES
from tests.conversation import close_conversation, open_conversation
from tests.test_safety import LINES as ENGLISH_LINES
from tests.test_safety import RIGHT_HELP

LINES = [
    json.loads(line)
    for line in (FIXTURES / "safety_lines_multilingual.jsonl").read_text(encoding="utf-8").splitlines()
    if line
]
LANGUAGES = ("pl", "ur", "pa", "gu", "so", "ar")
KINDS = (
    "emergency",
    "child",
    "self-harm",
    "sexual-violence",
    "abuse",
    "exploitation",
    "older-adult",
    "stalking-hate",
)
ANY_HELP = re.compile("|".join(RIGHT_HELP.values()) + r"|0808 808 8141|\b101\b")
ROMANISED = re.compile(r"^[\x00-\x7f]+$")


def help_for(text: str) -> str | None:
    alert = default_safety_check().check(text)
    return None if alert is None else m.safety_help(list(alert.kinds), alert.child, default_local_help())


# --- what each language's reading does to words, on both sides (its file and a message) ---


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("أريد", "اريد"), ("إيذاء", "ايذاء"), ("آخر", "اخر"), ("ٱلله", "الله"),  # alef forms
        ("يضربني", "یضربنی"), ("مستشفى", "مستشفی"), ("مجھے", "مجھی"),  # Arabic yeh, alef maksura, Urdu yeh
        ("كلب", "کلب"), ("مدرسة", "مدرسه"), ("مجھے", "مجہے"),  # kaf; teh marbuta, heh forms
        ("يَضْرِبُـــني", "يضربني"), ("ہوں", "ہون"),  # harakat and tatweel; noon ghunna
        ("خود\u200cکشی", "خودکشی"), ("١٢", "12"), ("۱۲", "12"),  # zero-width non-joiner; digits
        ("ਖ਼ੁਦਕੁਸ਼ੀ", "ਖੁਦਕੁਸਿ"), ("ਕੁੱਟਦਾ", "ਕੁਟਦਾ"), ("ਮੈਨੂੰ", "ਮੈਨੁ"), ("੧੨", "12"),  # nukta, adhak, tippi, long i/u
        ("છું", "છુ"), ("આત્મહત્યા", "આતમહતયા"), ("માંગું", "માગુ"), ("૧૨", "12"),  # anusvara, virama
        ("Chcę się zabić", "chce sie zabic"), ("Łódź, żółć", "lodz, zolc"),  # Polish letters
    ],
)  # fmt: skip
def test_the_ways_one_word_is_typed_read_alike(written, typed):
    assert normalise(written) == normalise(typed)


@pytest.mark.parametrize(
    "spellings",
    [("maar", "mar"), ("hoon", "hun"), ("chahta", "chata"), ("mujhe", "mujhy", "mujhay", "muje"),
     ("zindagi", "jindagi"), ("marnaa", "marna"), ("chhe", "che"), ("phansi", "fansi"), ("hai", "hay", "hy"),
     ("khudkushi", "kudkushi"), ("chahunda", "chaunda"), ("mainu", "mennu", "mainoo")],
)  # fmt: skip
def test_romanised_spellings_of_one_word_meet(spellings):
    assert len({roman_key(word) for word in spellings}) == 1


def test_words_that_differ_stay_apart():
    assert roman_key("marna") != roman_key("karna")  # to die, to do
    assert roman_key("jaan") != roman_key("jaana")  # life, to go
    assert normalise("بنت") != normalise("بيت")  # daughter, house


def test_somali_doubled_vowels_and_arabic_leading_particles():
    assert reading("so").variants("garaacaa") == reading("so").variants("garaca")
    assert "انتحار" in reading("ar").variants(normalise("والانتحار"))
    assert "یضربنی" in reading("ar").variants(normalise("بيضربني"))  # Levantine b- prefix
    assert reading("pl").variants("zabic") == ("zabic",)  # Polish forms are the file's prefixes


def test_clauses_end_at_every_scripts_punctuation():
    assert len(split_words("میں ٹھیک ہوں، لیکن بہت تھکا ہوں۔ کیا کروں؟ ok")) == 4
    assert len(split_words("ਮੈਂ ਠੀਕ ਹਾਂ। ਤੁਸੀਂ?")) == 2
    assert len(split_words("jestem zmęczona ale dam radę")) == 2  # Polish "ale" (but)


def test_the_script_picks_the_files_that_read_a_message():
    assert scripts_of("i want help") == {"latin"}
    assert scripts_of("مدد چاہیے LE4") == {"arabic", "latin"}
    assert scripts_of("ਮਦਦ") == {"gurmukhi"} and scripts_of("મદદ") == {"gujarati"}
    check = default_safety_check()
    assert [t.language for t in check.readers("ਮਦਦ")] == ["pa"]
    assert [t.language for t in check.readers("مساعدة")] == [
        "ar",
        "ur",
        "pa",
    ]  # no Urdu letters: Arabic first
    assert [t.language for t in check.readers("مدد چاہیے")] == ["ur", "pa", "ar"]
    assert {t.language for t in check.readers("pomoc")} == {"pl", "so", "ur", "pa", "gu"}


# --- the files ---


def test_every_language_file_covers_every_kind_and_says_it_is_a_draft():
    files = sorted(LANGUAGE_FILES.glob("*.toml"))
    assert {path.stem for path in files} == set(LANGUAGES)
    for path in files:
        head = path.read_text(encoding="utf-8")[:600]
        assert "DRAFT" in head and "Extend it" in path.read_text(encoding="utf-8"), path.name
        triage = Triage.from_file(path)
        assert set(triage.kinds) == set(KINDS), path.name
        assert {p.kind for p in triage.patterns} == set(KINDS), path.name


def test_a_language_file_is_checked_when_it_is_read(tmp_path):
    with pytest.raises(TriageDataError, match="begins"):
        Triage({"kind": [{"id": "abuse", "patterns": ["(bij*|bije*) mnie"]}]}, reading("pl"))
    with pytest.raises(TriageDataError, match="too short a prefix"):
        Triage({"kind": [{"id": "abuse", "patterns": ["bi* mnie"]}]}, reading("pl"))
    with pytest.raises(TriageDataError, match="scripts"):
        Triage({"scripts": ["klingon"], "kind": [{"id": "abuse", "patterns": ["x"]}]}, reading("pl"))
    (tmp_path / "xx.toml").write_text('[[kind]]\nid = "sadness"\npatterns = ["sad"]\n')
    with pytest.raises(TriageDataError, match="sadness"):
        SafetyCheck(language_files=tmp_path)


def test_a_new_language_is_one_file(tmp_path):
    """What a community volunteer does to add a language: one file; no Python."""
    (tmp_path / "ro.toml").write_text(
        'language = "ro"\nscripts = ["latin"]\n'
        '[groups]\nkill = ["omor*", "sinucid*"]\n'
        '[[kind]]\nid = "self-harm"\npatterns = ["vreau sa ma {kill}", "sinucid*"]\n',
        encoding="utf-8",
    )
    alert = SafetyCheck(language_files=tmp_path).check("Vreau să mă omor")
    assert alert is not None and alert.kinds == ("self-harm",) and alert.language == "ro"


# --- our lines ---


def test_our_lines_cover_every_language_and_kind():
    crisis = Counter((line["lang"], line["kind"]) for line in LINES if line["crisis"])
    everyday = Counter(line["lang"] for line in LINES if not line["crisis"])
    assert all(crisis[(lang, kind)] >= 3 for lang in LANGUAGES for kind in KINDS), crisis
    assert all(everyday[lang] >= 15 for lang in LANGUAGES), everyday
    romanised = {line["lang"] for line in LINES if line["crisis"] and ROMANISED.match(line["text"])}
    assert {"ur", "pa", "gu"} <= romanised


@pytest.mark.parametrize("lang", LANGUAGES)
def test_crisis_lines_get_the_help_that_fits_their_kind(lang):
    crisis = [line for line in LINES if line["crisis"] and line["lang"] == lang]
    wrong = [
        line["text"]
        for line in crisis
        if not (shown := help_for(line["text"])) or not re.search(RIGHT_HELP[line["kind"]], shown)
    ]
    assert len(wrong) <= len(crisis) // 30, wrong  # at most one in thirty (today: none)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_everyday_lines_are_left_alone(lang):
    everyday = [line["text"] for line in LINES if not line["crisis"] and line["lang"] == lang]
    assert [text for text in everyday if default_safety_check().check(text)] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_alert_names_the_language_it_was_written_in(lang):
    """So that the help can be given in it. Romanised Urdu, Punjabi and Gujarati share most words,
    so for those only the family is certain."""
    for line in (line for line in LINES if line["crisis"] and line["lang"] == lang):
        alert = default_safety_check().check(line["text"])
        if lang in ("ur", "pa", "gu") and ROMANISED.match(line["text"]):
            assert alert.language in ("ur", "pa", "gu"), line["text"]
        else:
            assert alert.language == lang, (line["text"], alert.language)


def test_english_is_read_as_before():
    """The other languages' files add nothing to an English line: no alarm on an everyday one, no
    other kind on a crisis one, and the help stays in English."""
    english_only = SafetyCheck(language_files=None)
    for line in ENGLISH_LINES:
        before, after = english_only.check(line["text"]), default_safety_check().check(line["text"])
        assert (before and (before.kinds, before.child)) == (after and (after.kinds, after.child)), line[
            "text"
        ]
        assert after is None or after.language == "en", line["text"]


def test_polish_od_is_since_not_an_overdose():
    """English reads "od" as an overdose; in a Polish message it is "since"."""
    assert default_safety_check().check("od poniedziałku szukam pracy") is None
    assert default_safety_check().check("my friend took an od").kinds == ("emergency",)


# --- through the bot, as a resident meets it ---


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url)
    yield conversation
    await close_conversation(conversation)


def _quick_exits() -> dict[str, str]:
    labels = {}
    for code in spoken():
        with speaking(code):
            labels[code] = m.BUTTON_QUICK_EXIT
    return labels


QUICK_EXITS = _quick_exits()


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_danger_in_any_language_gets_its_help_first_and_nothing_unrelated(chat, sessions, lang):
    """Each line from a new resident (no language set): the help with the number for its kind, the
    quick exit, then at most local support; the words are never kept as an unmet need."""
    for n, line in enumerate(line for line in LINES if line["crisis"] and line["lang"] == lang):
        resident = chat.telegram.user(f"{lang}{n}")
        help_message, *after = await chat.say(resident, line["text"])
        assert re.search(RIGHT_HELP[line["kind"]], help_message.plain), line["text"]
        # in the language the danger was written in (romanised Urdu, Punjabi and Gujarati share
        # words, so one of those may be read as another): the same language for all of it
        [exit_label] = [text for row in help_message.buttons for text, _ in row]
        [written_in] = [code for code, label in QUICK_EXITS.items() if label == exit_label]
        assert written_in == lang or {written_in, lang} <= {"ur", "pa", "gu"}, line["text"]
        with speaking(written_in):
            support = re.sub("<[^>]+>", "", m.SAFETY_LOCAL_SUPPORT).strip()
        assert all(reply.plain.startswith(support) for reply in after), line["text"]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Need)) == 0


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_everyday_lines_in_any_language_get_no_crisis_numbers(chat, lang):
    for n, line in enumerate(line for line in LINES if not line["crisis"] and line["lang"] == lang):
        resident = chat.telegram.user(f"{lang}{n}")
        replies = await chat.say(resident, line["text"])
        assert replies, line["text"]
        assert not any(ANY_HELP.search(reply.plain) for reply in replies), line["text"]
