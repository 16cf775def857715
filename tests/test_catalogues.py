"""The catalogues (bot/locales): every message in every language, each one sendable as Telegram
needs it, the template in step with bot/messages.py, and no words for people left outside them."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from bot import messages as m
from bot.i18n import catalogues, manage
from bot.i18n.current import current, speaking
from bot.i18n.languages import ENGLISH, from_telegram, spoken

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = [code for code in spoken() if code != ENGLISH]
ISOLATES = re.compile("[\u2066\u2067\u2068\u2069]")


def test_the_bot_speaks_the_seven_languages_each_by_its_own_name():
    assert set(spoken()) >= {"en", "gu", "pa", "ur", "pl", "so", "ar"}
    names = {code: language.own_name for code, language in spoken().items()}
    assert names["ur"] == "اردو" and names["pa"] == "ਪੰਜਾਬੀ" and names["pl"] == "Polski"
    assert spoken()["ar"].right_to_left and spoken()["ur"].right_to_left and not spoken()["pa"].right_to_left
    assert from_telegram("pl-PL") == "pl" and from_telegram("pa_IN") == "pa" and from_telegram("fr") is None


def test_the_template_holds_every_message_of_bot_messages():
    """`peoplezones languages update` was run after the last change to the English."""
    on_disk = {(message.context, message.id) for message in catalogues.read_template() if message.id}
    source = {
        (entry.context, (entry.english, entry.english_plural) if entry.english_plural else entry.english)
        for entry in manage.source_entries()
    }
    assert on_disk == source


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_translated_and_sendable(code):
    report = manage.progress(code)
    assert report.total == len(manage.source_entries())
    assert report.translated == report.total, f"{report.total - report.translated} untranslated in {code}"
    assert report.problems == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_translation_comes_out_whole_at_its_longest(code):
    """Every message, filled with the longest values the bot puts into it, fits in one message."""
    with speaking(code):
        help_text = m.safety_help(list(m.SAFETY_LINES), child=True)
        assert len(ISOLATES.sub("", help_text)) < manage.TELEGRAM_TEXT_LIMIT
        assert "116 123" in help_text and "0808 2000 247" in help_text and "999" in help_text
        assert m.source()["WELCOME"] != m.WELCOME  # in the language, not the English


def test_right_to_left_messages_keep_numbers_and_placeholders_in_order():
    with speaking("ur"):
        line = m.SAFETY_LINES["self-harm"][0]
        filled = m.DISTANCE_AWAY.format(km="2.5")
    assert "\u2066116 123\u2069" in line  # the phone number reads left to right, whole
    assert "\u20682.5\u2069" in filled  # the value put in is isolated from the Urdu around it
    with speaking("pl"):
        assert "\u2066" not in m.SAFETY_LINES["self-harm"][0]  # only right-to-left languages need it


def test_counts_take_each_languages_plural_forms():
    with speaking("pl"):
        one, few, many = (m.counted(n, "person") for n in (1, 3, 5))
    assert len({one, few, many}) == 3 and one.startswith("1") and many.startswith("5")
    with speaking("ar"):
        forms = {
            m.counted(n, "person").translate({ord(c): None for c in "\u2066\u2067\u2068\u2069"})
            for n in (0, 1, 2, 3, 11, 100)
        }
    assert len(forms) == 6
    assert m.counted(3, "person") == "3 people" and current() == ENGLISH


def test_a_reviewers_spreadsheet_goes_out_and_comes_back(tmp_path, monkeypatch):
    """Exported for a reviewer, corrected, imported: the corrections land and are marked reviewed;
    a sheet with a broken row changes nothing and says which row."""
    shutil.copy(catalogues.path_of("pl"), tmp_path / "pl.po")
    monkeypatch.setattr(catalogues, "LOCALES", tmp_path)
    sheet = manage.export_sheet("pl")
    rows = list(__import__("csv").DictReader(sheet.splitlines()))
    welcome = next(row for row in rows if row["context"] == "WELCOME")
    assert welcome["english"].startswith("Hello!") and welcome["reviewed"] == ""
    welcome.update(translation=welcome["english"] + " 🙂", reviewed="yes")
    result = manage.import_sheet("pl", [welcome])
    assert (result.changed, result.reviewed, result.bad_rows) == (1, 1, [])
    entry = next(message for message in catalogues.read("pl") if message.context == "WELCOME")
    assert entry.string.endswith("🙂") and catalogues.REVIEWED in entry.flags
    broken = dict(welcome, translation="<b>{oops}")
    unknown = dict(welcome, context="NOT_A_MESSAGE")
    result = manage.import_sheet("pl", [welcome, broken, unknown])
    assert (
        result.bad_rows[0].startswith("row 3 (WELCOME): placeholders differ")
        and "row 4" in result.bad_rows[1]
    )
    assert manage.progress("pl").reviewed == 1  # nothing of the broken sheet was written


# --- no words for people outside the catalogue ----------------------------------------------------

# Text in the code that is not said to anyone: words typed by people that are understood (parsing),
# Telegram's own error texts, and the keys of /mydata's JSON document.
NOT_SAID = {
    ("bot/handlers/conversation.py", "no thanks"),
    ("bot/handlers/event_admin.py", "no limit"),
    ("bot/handlers/privacy.py", "coordinator work"),
    ("bot/handlers/reports.py", "not modified"),
    ("bot/handlers/search.py", "not modified"),
    ("bot/handlers/settings.py", "not modified"),
    ("bot/senders/announcements.py", "not modified"),
    ("bot/senders/sending.py", "chat not found"),
    ("bot/handlers/asset_reports.py", "open report"),  # a noun of messages.PLURALS
    ("bot/views/buttons.py", ":) has no handler"),  # why the bot refuses to start: for its developers
    ("bot/views/buttons.py", ":) is not @dataclass(frozen=True)"),
}
_WORDS = re.compile(r"[A-Za-z]{2,} +[A-Za-z]{2,}")


def _phrases(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):  # a docstring
            skipped.add(id(body[0].value))
        logged = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("debug", "info", "warning", "error", "exception")
        )
        error = (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.endswith("Error")
        )
        if logged or error or isinstance(node, ast.Raise):
            skipped.update(id(inner) for inner in ast.walk(node))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
        and _WORDS.search(node.value)
    ]  # fmt: skip


def test_no_words_for_people_are_written_outside_the_catalogue():
    """What handlers, views and senders say comes from bot/messages.py (and so from the catalogues),
    never from an English phrase in the code."""
    found = []
    for folder in ("bot/handlers", "bot/views", "bot/senders"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            found += [
                f"{relative}:{line}: {text!r}"
                for line, text in _phrases(path)
                if (relative, text) not in NOT_SAID
            ]
    assert found == []
