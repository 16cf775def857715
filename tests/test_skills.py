"""Volunteers' skills: the packaged list is rich and sound, every mistake in a skills file is refused
with one message that names the file and the entry, and offers in volunteers' own words (typos,
lists, "cant drive but...") come back as the right tags, best first."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching.skills import (
    GROUPS,
    PACKAGED_PATH,
    Skill,
    SkillList,
    SkillsError,
    default_skills,
    load_skills,
)
from bot.matching.taxonomy import Taxonomy, default_taxonomy

BASE = """
version = 1

[[skill]]
id = "gardening"
name = "Gardening"
group = "Outdoors"
needs = ["gardening-allotments"]
phrases = ["gardening", "mowing"]
"""


def write(tmp_path: Path, text: str, name: str = "my_skills.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ids(text: str) -> list[str]:
    return [skill.id for skill in default_skills().tag(text)]


# --- the packaged file ------------------------------------------------------------------------


def test_packaged_skills_load_and_use_every_group() -> None:
    skills = load_skills()
    assert 45 <= len(skills.skills) <= 70
    assert {s.group for s in skills.skills} == set(GROUPS)
    assert len({s.id for s in skills.skills}) == len(skills.skills)
    assert all(10 <= len(s.phrases) <= 40 for s in skills.skills), [
        (s.id, len(s.phrases)) for s in skills.skills if not 10 <= len(s.phrases) <= 40
    ]


def test_default_skills_is_loaded_once() -> None:
    assert default_skills() is default_skills()
    assert default_skills().skill("gardening").name == "Gardening"


def test_packaged_skills_cover_the_community_languages() -> None:
    languages = {s.id for s in default_skills().skills if s.group == "Languages"}
    wanted = {
        "gujarati", "punjabi", "urdu", "hindi", "bengali", "polish", "somali", "arabic", "tigrinya",
        "kurdish", "romanian", "portuguese", "farsi", "pashto", "bsl", "english-conversation",
        "translation",
    }  # fmt: skip
    assert wanted <= languages


def test_needs_point_at_real_categories_and_the_obvious_ones_are_there() -> None:
    taxonomy = default_taxonomy()
    skills = default_skills()
    for skill in skills.skills:
        for need in skill.needs:
            taxonomy.category(need)  # raises on an unknown id
    assert "community-transport" in skills.skill("driving-lifts").needs
    assert "gardening-allotments" in skills.skill("gardening").needs
    assert "interpreting" in skills.skill("gujarati").needs


def test_safeguarding_is_marked_for_work_with_children_and_adults_at_risk() -> None:
    skills = default_skills()
    for skill_id in ("childcare", "youth-work", "homework-help", "befriending", "nursing-care"):
        assert skills.skill(skill_id).safeguarding, skill_id
    for skill_id in ("gardening", "admin", "litter-picking", "gujarati"):
        assert not skills.skill(skill_id).safeguarding, skill_id


def test_every_phrase_tags_its_own_skill() -> None:
    skills = default_skills()
    missed = [(s.id, p) for s in skills.skills for p in s.phrases if s not in skills.tag(p)]
    assert missed == []


def test_unknown_skill_id_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no skill with id 'juggling'"):
        default_skills().skill("juggling")


# --- tagging offers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offer", "expected"),
    [
        ("I can do basic DIY", ["diy"]),
        ("diy stuff", ["diy"]),
        ("i can do a bit of gardning", ["gardening"]),
        ("happy to drive people to appointments", ["driving-lifts"]),
        ("I could drive people to the doctors", ["driving-lifts"]),
        ("good with computers, can help older folk with their phones", ["digital-help"]),
        ("happy to help older people with their phones and tablets", ["digital-help"]),
        ("fix bikes", ["bikes"]),
        ("im a retired nurse", ["nursing-care"]),
        ("i am a retired nurce", ["nursing-care"]),
        ("i love dogs and can walk them", ["pet-care"]),
        ("i could do some decoratin and wallpapring", ["decorating"]),
        ("I can cook for the lunch club", ["cooking"]),
        ("i have a van and can move furniture", ["moving-lifting"]),
        ("i can help with cvs and job applications", ["cv-help"]),
        ("i can read with children at the school", ["reading-with-children"]),
        ("i can teach english to refugees", ["english-conversation"]),
        ("i am a trustee and treasurer", ["committee-roles"]),
        ("i know bsl", ["bsl"]),
        ("i can knitt", ["sewing-knitting"]),
        ("I used to be an accountant, can help people with budgeting", ["budgeting"]),
        ("i can help with shoping and colecting prescriptions", ["shopping-errands"]),
        ("i'm a qualified counsellor", ["counselling"]),
        ("i can support people with dementia", ["dementia-support"]),
        ("i coach football on saturdays", ["sports-coaching"]),
        ("i can babysit and help at toddler groups", ["childcare"]),
        ("i can do litter pickin", ["litter-picking"]),
        ("ex police officer", []),  # a real word, not a typo of "polish"
    ],
)
def test_offers_are_tagged(offer: str, expected: list[str]) -> None:
    assert ids(offer) == expected


@pytest.mark.parametrize(
    ("offer", "expected"),
    [
        ("speak gujarati and punjabi", {"gujarati", "punjabi"}),
        ("I speak Urdu, Hindi and Punjabi", {"urdu", "hindi", "punjabi"}),
        ("I'm fluent in Farsi and Dari, also some Pashto", {"farsi", "pashto"}),
        ("i speak panjabi and gujrati", {"gujarati", "punjabi"}),
        ("I speak Somali and Arabic", {"somali", "arabic"}),
    ],
)
def test_each_language_is_its_own_tag(offer: str, expected: set[str]) -> None:
    found = ids(offer)
    assert set(found) == expected
    assert len(found) == len(expected)


def test_the_most_telling_skill_comes_first() -> None:
    # three ways of saying gardening beat one of saying DIY
    assert ids("a bit of diy, and gardening, mowing and weeding") == ["gardening", "diy"]
    # a two-word phrase ("fix computers") beats the one word it shares with digital help
    assert ids("i can fix computers") == ["it-repair", "digital-help"]
    # equally telling: in the order the volunteer said them
    assert ids("gardening and conservation") == ["gardening", "conservation"]
    assert ids("conservation and gardening") == ["conservation", "gardening"]
    assert ids("punjabi and gujarati") == ["punjabi", "gujarati"]


def test_what_a_volunteer_will_not_do_is_not_a_tag() -> None:
    assert ids("I can't drive but I can do shopping") == ["shopping-errands"]
    assert ids("i dont have a car but i can do gardening") == ["gardening"]
    assert ids("i can do some decorating but not plumbing") == ["decorating"]
    assert ids("not very good with computers but happy to chat") == ["befriending"]
    assert ids("i dont mind driving") == ["driving-lifts"]  # an offer, not a refusal


@pytest.mark.parametrize(
    "offer",
    [
        "",
        "   ",
        "hello",
        "hi there, thanks",
        "asdfghjkl qwertyuiop",
        "lorem ipsum dolor sit amet",
        "xyzzy plugh frobozz",
        "the weather is nice today",
        "i have lots of free time on weekends",
        "i want to give something back to my community",
    ],
)
def test_nothing_to_tag(offer: str) -> None:
    assert ids(offer) == []


def test_a_coordinators_file_is_read_the_same_way(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE
        + """
[[skill]]
id = "beekeeping"
name = "Beekeeping"
group = "Outdoors"
phrases = ["beekeeping", "keep bees"]
""",
    )
    skills = load_skills(path)
    assert [s.id for s in skills.skills] == ["gardening", "beekeeping"]
    assert skills.skill("beekeeping") == Skill(
        "beekeeping", "Beekeeping", "Outdoors", ("beekeeping", "keep bees"), (), False
    )
    assert [s.id for s in skills.tag("i keep bees")] == ["beekeeping"]
    assert [s.id for s in skills.tag("i do beekeping and mowwing")] == ["beekeeping", "gardening"]
    assert skills.tag("i can drive") == []  # only this file's skills


def test_a_skill_list_can_be_built_directly() -> None:
    skills = SkillList((Skill("sewing", "Sewing", "Arts and activities", ("sewing", "alterations")),))
    assert [s.id for s in skills.tag("i do alterations")] == ["sewing"]


# --- mistakes in a skills file ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('colour = "green"\n', r"my_skills\.toml: skill 'gardening': unknown key 'colour'"),
        ('group = "Gardens"\n', r"my_skills\.toml: skill 'gardening': group 'Gardens' is not one of"),
        ('needs = ["no-such-need"]\n', r"my_skills\.toml: skill 'gardening': unknown need 'no-such-need'"),
        ("safeguarding = 1\n", r"my_skills\.toml: skill 'gardening': 'safeguarding' must be true or false"),
        ('phrases = "gardening"\n', r"my_skills\.toml: skill 'gardening': 'phrases' must be a list"),
        ("phrases = []\n", r"my_skills\.toml: skill 'gardening': 'phrases' must list at least one"),
        ('phrases = ["up to"]\n', r"my_skills\.toml: skill 'gardening': phrase 'up to' has only small words"),
        ('name = ""\n', r"my_skills\.toml: skill 'gardening': 'name' must be a non-empty string"),
    ],
)
def test_a_wrong_entry_names_the_file_and_the_entry(tmp_path: Path, extra: str, message: str) -> None:
    lines = BASE.strip().splitlines()
    key = extra.split("=")[0].strip()
    lines = [line for line in lines if not line.startswith(f"{key} =")] + [extra.strip()]
    with pytest.raises(SkillsError, match=message):
        load_skills(write(tmp_path, "\n".join(lines) + "\n"))


def test_a_duplicate_id_names_the_file_and_the_entry(tmp_path: Path) -> None:
    with pytest.raises(SkillsError, match=r"my_skills\.toml: skill 'gardening': duplicate id"):
        load_skills(write(tmp_path, BASE + BASE.replace("version = 1", "")))


def test_a_bad_id_names_the_file_and_the_entry_number(tmp_path: Path) -> None:
    with pytest.raises(SkillsError, match=r"my_skills\.toml: skill #1: 'id' must be a slug"):
        load_skills(write(tmp_path, BASE.replace('id = "gardening"', 'id = "Gardening Help"')))


def test_unknown_top_level_key_and_bad_toml_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(SkillsError, match=r"my_skills\.toml: unknown key 'skills'"):
        load_skills(write(tmp_path, BASE.replace("[[skill]]", "[[skills]]")))
    with pytest.raises(SkillsError, match=r"my_skills\.toml: not valid TOML"):
        load_skills(write(tmp_path, BASE + "\nthis is not toml\n"))
    with pytest.raises(SkillsError, match=r"missing\.toml: cannot read the file"):
        load_skills(tmp_path / "missing.toml")


def test_needs_are_checked_against_the_taxonomy_given(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    assert load_skills(path).skill("gardening").needs == ("gardening-allotments",)
    empty = Taxonomy(categories=(), audiences=())
    with pytest.raises(SkillsError, match=r"skill 'gardening': unknown need 'gardening-allotments'"):
        load_skills(path, needs_taxonomy=empty)


def test_the_packaged_path_is_the_default() -> None:
    assert PACKAGED_PATH.name == "skills.toml"
    assert [s.id for s in load_skills(PACKAGED_PATH).skills] == [s.id for s in default_skills().skills]
