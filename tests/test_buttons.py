"""Buttons (bot/views/buttons.py): every action's data class reads back what it writes, in the
very format the bot has always sent (old buttons in residents' chats keep working), parsing refuses
anything else, each class has exactly one handler, and a forged press through the whole bot gets
the stale-button reply and changes nothing."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot import messages as m
from bot.handlers.browse import Category
from bot.handlers.events import Going
from bot.handlers.privacy import PrivacyAction
from bot.handlers.reports import ReportPeriod
from bot.handlers.search import Details, Page
from bot.handlers.settings import Setting
from bot.handlers.upkeep import ReviewMore
from bot.views import buttons
from bot.views.buttons import MAX_NUMBER, Button, parse
from db.models import Base
from tests.conversation import close_conversation, open_conversation

# Every format the bot has sent, exactly as bot/handlers/callbacks.py parsed it before the button
# classes replaced it. Buttons in these formats sit in residents' chats, so each must keep parsing:
# change a format with a new prefix, never here. (The one deliberate change: `\d` matched any
# script's digits, and a button the bot made only ever had 0-9; other digits are now refused.)
SENT_FORMATS = {
    "pg": r"pg:(\d{1,9}):(\d{1,3})", "dt": r"dt:(\d{1,12})", "mp": r"mp:(\d{1,12})",
    "cl": r"cl:(\d{1,12})", "ml": r"ml:(\d{1,12})", "nw": r"nw:(\d{1,9})", "gr": r"gr:(\d{1,3})",
    "ct": r"ct:([a-z0-9-]{1,50})", "ar": r"ar:(set|skip)", "mn": r"mn:", "vo": r"vo:([a-z0-9]{1,12})",
    "of": r"of:(pause|resume|withdraw|edit):(\d{1,12})", "vc": r"vc:(approve|decline):(\d{1,12})",
    "oc": r"oc:(approve|decline):(\d{1,12})", "iq": r"iq:(\d{1,9})", "ic": r"ic:(\d{1,9}):([bt])",
    "ia": r"ia:(yes|no):(\d{1,12})", "im": r"im:(\d{1,12})", "rl": r"rl:(send|search|done)",
    "fb": r"fb:([yn]):(\d{1,12})", "oa": r"oa:", "oi": r"oi:(\d{1,12})", "ov": r"ov:(\d{1,12})",
    "ev": r"ev:(\d{1,12}):(\d{1,10})", "eg": r"eg:(\d{1,12}):(\d{1,10})",
    "en": r"en:(\d{1,12}):(\d{1,10})", "ec": r"ec:(\d{1,12}):(\d{1,10})", "wo": r"wo:", "mg": r"mg:",
    "st": r"st:(events|news):(on|off)", "si": r"si:(\d{1,3})", "bk": r"bk:(all|vol|int)",
    "bg": r"bg:(\d{1,3})", "bz": r"bz:(\d{1,3})", "bs": r"bs:(send|discard)", "bx": r"bx:(\d{1,12})",
    "iz": r"iz:(\d{1,3})", "rc": r"rc:(\d{1,12})", "ri": r"ri:(\d{1,12})", "wi": r"wi:(\d{1,3})",
    "ne": r"ne:([a-z0-9]{1,12})", "em": r"em:(\d{1,12})",
    "ex": r"ex:(time|place|title|about|places|dates|cancel|confirm|qr):(\d{1,12})",
    "ed": r"ed:(\d{1,12}):(\d{1,10})", "rp": r"rp:([gs]):(7|30|90)", "uc": r"uc:(\d{1,12})",
    "uh": r"uh:(done|dismissed):(\d{1,12})", "ur": r"ur:(\d{8}|0):(\d{1,12})", "uo": r"uo:(\d{1,12})",
    "uv": r"uv:(\d{1,12})", "ue": r"ue:(\d{1,12})",
    "uf": r"uf:(name|about|address|phone|web|hours):(\d{1,12})", "ua": r"ua:(skip|save|discard)",
    "pv": r"pv:(notice|copy|forget|keep|yes|exit)(?::(\d{1,12}))?",
    "lg": r"lg:([a-z]{0,3})",
}  # fmt: skip
KINDS = {kind.prefix: kind for kind in buttons.kinds()}

# Data no button of the bot's carries: each is a stale button.
FORGED = [
    None, "", ":", "pg", "pg:", "pg:1", "pg:1:2:3", "pg:-1:2", "pg:1:-2", "pg:1:1000", "pg:1234567890:1",
    "pg:1:2 ", " pg:1:2", "pg:1:2\n", "PG:1:2", "pg:1:2:", "pg::2", "pg:+1:2", "pg:1.0:2", "pg:١:٢",
    "dt:2147483648", "dt:999999999999", "dt:1e3", "of:pause:3000000000", "rc:2147483648",
    "ev:1:9999999999", "eg:1:2147483648", "mn", "mn:x", "mn::", "oa:1", "wo:0", "zz:1", "zz:",
    "ct:Food-Bank", "ct:a:b", "ct:" + "a" * 51, "ct:", "vo:KM5", "ne:6 0", "ar:maybe", "st:events",
    "st:events:on:1", "rp:g:31", "rp:x:30", "rp:s:7:1", "rp:g:07", "ur:2024010:1", "ur:00:1",
    "uf:colour:1", "ic:1:x", "pv:", "pv:notice:", "pv:exit:1:2", "pv:exit:-1", "pv:exit:2147483648",
    "mn:" + "x" * 62, "x" * 64, "x" * 65, "dt:1" + "\u200b", "ct:caf\u00e9",
]  # fmt: skip


def test_every_format_sent_to_residents_has_its_button_class():
    assert set(KINDS) == set(SENT_FORMATS)
    assert len(SENT_FORMATS) == 55  # 54 from callbacks.py, and /language's lg


def test_every_button_has_exactly_one_handler():
    buttons.check_handled()  # none without one (the bot would not start)
    for kind in KINDS.values():
        with pytest.raises(TypeError, match="already has a handler"):
            buttons.on_press(kind)(_never_called)


def test_the_bot_does_not_start_with_a_button_it_cannot_answer(monkeypatch):
    # the two classes below are registered for this test only
    monkeypatch.setattr(buttons, "_KINDS", dict(buttons._KINDS))
    monkeypatch.setattr(buttons, "_HANDLERS", dict(buttons._HANDLERS))

    @dataclass(frozen=True)
    class Orphan(Button, prefix="zy"):
        number: int

    class NotADataclass(Button, prefix="zx"):
        number: int

    buttons.on_press(NotADataclass)(_never_called)
    with pytest.raises(TypeError) as refused:
        buttons.check_handled()
    assert "Orphan (zy:) has no handler" in str(refused.value)
    assert "NotADataclass (zx:) is not @dataclass(frozen=True)" in str(refused.value)
    assert parse("zy:1") == Orphan(1)


async def _never_called(update, context, press) -> None:
    raise AssertionError("never called")


def test_a_button_declared_wrongly_stops_the_import():
    with pytest.raises(TypeError, match="already"):

        @dataclass(frozen=True)
        class PageAgain(Button, prefix="pg"):
            search_id: int

    with pytest.raises(TypeError, match="two letters"):

        @dataclass(frozen=True)
        class LongPrefix(Button, prefix="page"):
            search_id: int

    with pytest.raises(TypeError, match="a button field"):

        @dataclass(frozen=True)
        class AnyText(Button, prefix="zz"):
            text: str  # unchecked text would reach a handler

    with pytest.raises(TypeError, match="optional fields come last"):

        @dataclass(frozen=True)
        class OptionalFirst(Button, prefix="zz"):
            number: int | None = None
            other: int = 0

    with pytest.raises(TypeError, match="optional"):

        @dataclass(frozen=True)
        class NoDefault(Button, prefix="zz"):
            number: int | None

    assert "zz" not in {kind.prefix for kind in buttons.kinds()}  # none of them was registered
    buttons.check_handled()


def test_data_looks_as_it_always_did():
    assert Page(12, 1).data == "pg:12:1"
    assert Details(5).data == "dt:5"
    assert Category("food-banks").data == "ct:food-banks"
    assert KINDS["mn"]().data == "mn:"
    assert PrivacyAction("notice").data == "pv:notice"
    assert PrivacyAction("exit", 0).data == "pv:exit:0"
    assert PrivacyAction("yes", 29000000).data == "pv:yes:29000000"
    assert Going(3, 29000000).data == "eg:3:29000000"
    assert ReportPeriod("g", 30).data == "rp:g:30"
    assert ReviewMore("0", 7).data == "ur:0:7" and ReviewMore("20241128", 7).data == "ur:20241128:7"
    assert Setting("news", "off").data == "st:news:off"


@pytest.mark.parametrize("data", FORGED)
def test_forged_or_outdated_data_is_no_button(data):
    assert parse(data) is None


@pytest.mark.parametrize(
    "build",
    [
        lambda: Page(1, 1000),  # more digits than its format has
        lambda: Page(-1, 0),
        lambda: Page("1", 0),  # a number as text
        lambda: Page(True, 0),
        lambda: Details(MAX_NUMBER + 1),
        lambda: Category("Food banks"),
        lambda: Category("a" * 51),
        lambda: Setting("events", "maybe"),
        lambda: ReportPeriod("g", 31),
        lambda: ReviewMore("2024-11-28", 1),
        lambda: PrivacyAction("exit", -1),
    ],
)
def test_a_button_the_bot_could_not_read_back_is_refused_when_made(build):
    with pytest.raises(ValueError, match="does not fit"):
        build()


def _values(field: buttons.Field) -> st.SearchStrategy:
    """Any value FIELD can hold (its pattern is plain ASCII: classes, counts and words)."""
    text = st.from_regex(field.regex, fullmatch=True)
    value = text.map(int).filter(lambda n: n <= MAX_NUMBER) if field.number else text
    return st.one_of(st.none(), value) if field.optional else value


@pytest.mark.parametrize("prefix", sorted(SENT_FORMATS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_button_reads_back_what_it_writes_in_its_old_format(prefix, data):
    kind = KINDS[prefix]
    button = data.draw(st.builds(kind, *[_values(f) for f in kind.fields]))
    assert parse(button.data) == button
    assert re.fullmatch(SENT_FORMATS[prefix], button.data)
    assert len(button.data.encode("utf-8")) <= 64


@pytest.mark.parametrize("prefix", sorted(SENT_FORMATS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_data_in_an_old_format_still_parses_unless_a_number_is_too_big(prefix, data):
    """As callbacks.parse did: a match, unless a number is beyond what PostgreSQL can hold."""
    old = SENT_FORMATS[prefix]
    text = data.draw(st.from_regex(old.replace(r"\d", "[0-9]"), fullmatch=True))
    groups = re.fullmatch(old, text).groups()
    too_big = any(g and g.isdigit() and int(g) > MAX_NUMBER for g in groups)
    button = parse(text)
    assert (button is None) == too_big
    if button is not None:
        assert type(button) is KINDS[prefix]
        assert parse(button.data) == button  # the same, leading zeros aside


BOOKKEEPING = {"handled", "updated_at"}  # which updates were handled, and when: every update moves them


async def _everything(sessions) -> dict[str, list[str]]:
    """Every row of every table (the people's conversations included), bookkeeping aside."""
    async with sessions() as session:
        return {
            table.name: sorted(
                map(
                    repr,
                    await session.execute(select(*(c for c in table.columns if c.name not in BOOKKEEPING))),
                )
            )
            for table in Base.metadata.sorted_tables
        }


async def test_a_forged_press_gets_the_stale_button_reply_and_changes_nothing(sessions, database_url):
    chat = await open_conversation(sessions, database_url)
    try:
        ann = chat.telegram.user("Ann")
        [results] = await chat.say(ann, "food bank")
        await chat.say(ann, "/volunteer")  # a flow half-way: a forged press must not disturb it
        before = await _everything(sessions), copy.deepcopy(dict(chat.app.user_data.get(ann.id, {})))
        for data in [d for d in FORGED if d]:
            replies = await chat.act(ann, ann.press_data(data, results))
            assert [r.plain.split("\n")[0] for r in replies] == [m.STALE_BUTTON], data
        assert all(query.answered for query in chat.telegram.callback_queries.values())
        assert (await _everything(sessions), dict(chat.app.user_data.get(ann.id, {}))) == before
        # and the buttons the bot did send still work
        [card] = await chat.press(ann, m.BUTTON_DETAILS.format(n=1), results)
        assert card.button(m.BUTTON_MORE_LIKE_THIS) is not None  # an asset's card, not a stale reply
    finally:
        await close_conversation(chat)
