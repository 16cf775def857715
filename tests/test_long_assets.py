"""An asset with absurdly long fields (stored before imports capped them, or as long as a column
allows) never breaks a message: every card, page and reply fits Telegram's limits (issue 13, item 6)."""

from __future__ import annotations

import re

import pytest

from bot import messages as m
from bot.context import KEY
from bot.emulation.formatting import format_text
from bot.views.cards import clip, fit
from db.models import Asset
from tests.conversation import close_conversation, open_conversation

WORDS = "pantry parcels and a warm welcome for every family "


def long_asset(n: int, name_chars: int) -> Asset:
    """As long as each column lets it be."""
    return Asset(
        kind="service",
        name=(f"Zanzibar Pantry {n} " + "very " * name_chars)[:name_chars],
        description=WORDS * 2000,
        eligibility="anyone who asks " * 5000,
        cost="free or pay what you can " * 4000,
        address="Unit 7, The Long Road " * 45,
        town="Leicester",
        postcode="LE4 1DS",
        latitude=52.66698,
        longitude=-1.16657,
        phone="0116 496 0" + "1" * 90,
        email="x" * 300 + "@example.org",
        website="https://example.org/" + "p" * 980,
        accessibility="step-free entrance " * 5000,
        attribution="credit " * 5000,
        source="long",
        external_id=f"long-{n}",
        is_example=True,
        opening_hours=[{"day": "thu", "opens": "09:00", "closes": "17:00"}],
    )


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url)
    async with sessions.begin() as session:
        # SQLite stores the 100,000-character name; PostgreSQL's column stops at 500
        name_chars = 100_000 if database_url.startswith("sqlite") else 500
        session.add_all(long_asset(n, name_chars) for n in range(1, 5))
    conversation.app.bot_data[KEY].engine.invalidate()
    yield conversation
    await close_conversation(conversation)


def refused(telegram, since: int) -> list[str]:
    return [f"{c.method}: {c.description}" for c in telegram.calls[since:] if c.status != 200]


async def test_every_message_about_a_huge_asset_fits(chat):
    ann = chat.telegram.user("Ann")
    calls = len(chat.telegram.calls)
    [page] = await chat.say(ann, "zanzibar pantry")
    assert page.plain.startswith("Here's what I found for zanzibar pantry")
    assert "Zanzibar Pantry" in page.plain.split("\n\n")[1]
    assert len(page.plain) <= 4096 and "…" in page.plain
    [details] = await chat.press(ann, "1 · Details", page)
    assert details.plain.startswith("Zanzibar Pantry")
    assert len(details.plain) <= 4096 and "pantry parcels" in details.plain
    for label in ("🗺 Map", "📞 Call", "More like this", "✏️ Report a change"):
        replies = await chat.press(ann, label, details)
        assert replies, label
        assert all(len(r.plain) <= 4096 for r in replies), label
        assert not any("something went wrong" in r.plain for r in replies), label
    [more] = await chat.press(ann, m.BUTTON_MORE, page)  # the next page, in the same message
    assert len(more.plain) <= 4096 and "Zanzibar Pantry" in more.plain
    assert refused(chat.telegram, calls) == []


@pytest.mark.parametrize(
    "html",
    [
        "<b>" + "x" * 5000 + "</b>\n<i>" + "é &amp; " * 1000 + "</i>",
        "😀" * 3000,
        "<b>1. " + "a&lt;b " * 2000 + "</b>",
        "short <b>and</b> fine",
    ],
)
def test_fit_keeps_html_valid_and_under_the_limit(html):
    fitted = fit(html)
    shown = format_text(fitted, "HTML", strict=True).text  # the emulation's reading of Telegram HTML
    assert len(shown.encode("utf-16-le")) // 2 <= 4096
    if fitted != html:
        assert shown.endswith("…")
    assert not re.search(r"&[a-z]*$", fitted.split("…")[0])  # never half an entity


def test_clip_cuts_at_a_space_near_the_end():
    assert clip("Braunstone Youth Hub", 200) == "Braunstone Youth Hub"
    assert clip("one two three four five", 16) == "one two three…"
    assert clip("x" * 500, 10) == "x" * 9 + "…"
