"""The safety triage: the kinds of danger people describe are caught, each gets the help that fits,
and everyday words that only look like danger are left alone.

tests/fixtures/safety_lines.jsonl holds our own lines for every kind and way of saying it (first
person and someone else, intent, plan and means, slang, typos, long messages), written apart from
the shared dev set, and everyday lines that share words with danger.
"""

from __future__ import annotations

import json
import re

import pytest

from bot import messages as m
from bot.config import ConfigError, LocalHelp, default_local_help, load_settings
from bot.services.safety import SafetyCheck, default_safety_check
from bot.services.triage import Triage, TriageDataError
from tests.conftest import FIXTURES

LINES = [json.loads(line) for line in (FIXTURES / "safety_lines.jsonl").read_text().splitlines() if line]
NINE = r"(?<!\d )\b999\b(?! ?\d)"
RIGHT_HELP = {  # the numbers that fit each kind (any one of them, as the eval scores it)
    "self-harm": r"116 123|85258|\b111\b",
    "abuse": r"0808 2000 247|0808 801 0327|" + NINE,
    "child": r"0800 1111|0808 800 5000|" + NINE,
    "sexual-violence": r"0808 500 2222|" + NINE,
    "emergency": NINE,
    "exploitation": r"08000 121 700|020 7008 0151|" + NINE,
    "stalking-hate": r"0808 802 0300|\b101\b|" + NINE,
    "older-adult": r"0808 808 8141|\b101\b|" + NINE,
}


def help_for(text: str) -> str | None:
    alert = default_safety_check().check(text)
    return None if alert is None else m.safety_help(list(alert.kinds), alert.child, default_local_help())


def test_our_crisis_lines_are_caught_with_the_help_that_fits():
    crisis = [line for line in LINES if line["crisis"]]
    shown = {line["text"]: help_for(line["text"]) for line in crisis}
    caught = [t for t, h in shown.items() if h is not None]
    right = [
        line
        for line in crisis
        if shown[line["text"]] and re.search(RIGHT_HELP[line["kind"]], shown[line["text"]])
    ]
    assert len(crisis) >= 300
    assert len(caught) / len(crisis) >= 0.96, sorted(set(shown) - set(caught))
    assert len(right) / len(crisis) >= 0.95


def test_everyday_lines_that_share_words_with_danger_are_left_alone():
    everyday = [line["text"] for line in LINES if not line["crisis"]]
    alarmed = [text for text in everyday if default_safety_check().check(text) is not None]
    assert len(everyday) >= 200
    assert len(alarmed) <= 2, alarmed


@pytest.mark.parametrize(
    ("text", "kind", "number"),
    [
        ("i feel like ending it", "self-harm", "116 123"),
        ("i keep thinking about hanging myself", "self-harm", "116 123"),
        ("my baby isnt breathing properly", "emergency", "999"),
        ("i was raped last night", "sexual-violence", "0808 500 2222"),
        ("my friend says she'll end her life tonight", "self-harm", "116 123"),
        ("saving up my pills", "self-harm", "116 123"),
        ("took 20 paracetamol", "emergency", "999"),
        ("no one would notice if i was gone", "self-harm", "116 123"),
        ("kms", "self-harm", "116 123"),
        ("gonna top myself", "self-harm", "116 123"),
        ("im so sucidal", "self-harm", "116 123"),
        ("my son has been violent towards me", "abuse", "0808 2000 247"),
        ("my husband took my phone and locks me in", "abuse", "0808 2000 247"),
        ("im 14 and my stepdad touches me", "child", "0800 1111"),
        ("they are making me marry my cousin", "exploitation", "020 7008 0151"),
        ("my nans carer is stealing her pension", "older-adult", "0808 808 8141"),
        ("a man keeps following me home", "stalking-hate", "0808 802 0300"),
    ],
)
def test_each_kind_gets_its_own_help_first(text, kind, number):
    alert = default_safety_check().check(text)
    assert alert is not None and alert.kind == kind, (text, alert)
    block = m.safety_help(list(alert.kinds), alert.child, default_local_help())
    assert number in block.split("\n\n")[1]  # in the first group of lines, not an afterthought


def test_a_child_gets_a_childs_words_and_childline_first():
    block = help_for("im 12 and my mum hits me")
    assert block.startswith(m.SAFETY_TITLE["child"]) and block.index("0800 1111") < block.index("999")


def test_danger_in_one_clause_of_a_long_message_is_caught():
    text = (
        "hi, can you find me a food bank near LE4 and somewhere for my lad after school, "
        "and honestly i dont see the point in living anymore"
    )
    assert default_safety_check().check(text).kind == "self-harm"


@pytest.mark.parametrize(
    "text",
    ["killing time in town", "dying for a cuppa", "cooking class knife skills", "hit the gym", "trapped wind",
     "end of tenancy clean", "tablet classes for beginners", "fire safety check", "safeguarding training",
     "volunteer for the Samaritans", "the noise is killing me", "my phone died", "shooting range",
     "first aid course choking and cpr", "drowning in debt", "I can help with shopping and odd jobs",
     "remember to take my tablets", "ill die if i have to sit through another meeting lol"],
)  # fmt: skip
def test_idioms_do_not_raise_the_alarm(text):
    assert default_safety_check().check(text) is None


def test_every_alert_says_why():
    alert = default_safety_check().check("i want to end it all tonight")
    assert alert.because == ("self-harm: want to end it",)


def test_the_model_is_checked_when_it_is_read(tmp_path):
    with pytest.raises(TriageDataError, match="not a group"):
        Triage({"kind": [{"id": "x", "patterns": ["{nowhere} me"]}]})
    with pytest.raises(TriageDataError, match="brackets inside brackets"):
        Triage({"kind": [{"id": "x", "patterns": ["(flashed (me|us)|exposed)"]}]})
    broken = tmp_path / "triage.toml"
    broken.write_text('[[kind]]\nid = "x"\npatterns = ["()"]\n')
    with pytest.raises(TriageDataError, match="empty part"):
        SafetyCheck(broken)


def test_a_new_pattern_needs_no_python():
    """What a coordinator does: add a group and a pattern in the file; the check uses it."""
    triage = Triage(
        {
            "groups": {"vehicle": ["tram", "train"]},
            "kind": [{"id": "emergency", "patterns": ["(fell|fallen) under a {vehicle}"]}],
        }
    )
    findings, child = triage.read("my mate has fallen under a tram!!")
    assert [f.kind for f in findings] == ["emergency"] and not child


def test_every_kind_has_help_and_its_needs_are_in_the_taxonomy():
    from bot.matching.taxonomy import default_taxonomy

    known = {c.id for c in default_taxonomy().categories}
    for kind in default_safety_check().triage.kinds.values():
        assert kind.id in m.SAFETY_TITLE and kind.id in m.SAFETY_LINES
        assert set(kind.categories) <= known, kind.id


def test_local_lines_come_from_the_config_after_the_first_national_line(tmp_path):
    block = m.safety_help(["sexual-violence"], False, default_local_help())
    lines = block.split("\n")
    assert "0808 500 2222" in lines[3] and "0116 273 3330" in lines[4]  # Rape Crisis, then Juniper Lodge
    elsewhere = (LocalHelp("self-harm", "Northshire crisis line", "0800 000 1234"),)
    assert "0808 800 3302" not in m.safety_help(["self-harm"], False, elsewhere)
    config = tmp_path / "config.toml"
    config.write_text('[[local_help]]\nkind = "abuse"\nname = "Northshire refuge"\nphone = "0800 000 9999"\n')
    assert load_settings(config, env={}).local_help == (
        LocalHelp("abuse", "Northshire refuge", "0800 000 9999"),
    )
    config.write_text('[[local_help]]\nkind = "sadness"\nname = "X"\nphone = "1"\n')
    with pytest.raises(ConfigError, match=r"local_help\[0\]\.kind.*must be one of"):
        load_settings(config, env={})
