"""The safety check: danger, self-harm and abuse are spotted; ordinary needs are not."""

import pytest

from bot.services.safety import default_safety_check


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my partner hits me and I'm scared", "danger"),
        ("someone is breaking in downstairs", "danger"),
        ("i want to kill myself", "self-harm"),
        ("i cant go on any more", "self-harm"),
        ("I don't want to be here anymore", "self-harm"),
        ("been thinking about ending my life", "self-harm"),
        ("my boyfriend checks my phone and controls my money", "abuse"),
        ("my daughter has been self harming", "self-harm"),
        ("SUICIDAL", "self-harm"),
        ("im in danger", "danger"),
    ],
)
def test_danger_is_spotted(text, kind):
    alert = default_safety_check().check(text)
    assert alert is not None, text
    assert alert.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "food bank near LE4",
        "somewhere for my lad after school",
        "dementia cafe for my dad",
        "where can I get help with my CV",
        "choir that doesnt audition",
        "is the library open on sunday",
        "im not sure what i need",
        "",
        "😀",
    ],
)
def test_ordinary_needs_are_not_alarms(text):
    assert default_safety_check().check(text) is None
