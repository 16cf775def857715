"""Looking after the catalogues (`peoplezones languages ...`): the template written from the English
source, every language brought up to date with it, their checks, how much of each is translated
and reviewed, and a spreadsheet a community reviewer can correct and give back.

Babel does the catalogue work (reading, merging, writing `.po` files, its format checks); the
checks of our own are what Telegram needs: the same placeholders and the same HTML tags as the
English, and a text short enough to send.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import write_po

from bot.i18n.catalogues import REVIEWED, TEMPLATE, Entry, entries, need_entries, path_of, read
from bot.i18n.languages import ENGLISH, spoken

PROJECT = "People Zones Connect"
SHEET_COLUMNS = ("context", "english", "translation", "reviewed")
PLURAL_SEPARATOR = "\n||\n"  # between a plural entry's forms in one spreadsheet cell
TELEGRAM_TEXT_LIMIT = 4096
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")


def source_entries() -> list[Entry]:
    from bot import messages  # the English source; imported here, as messages imports this package

    said = [entry for name, value in messages.source().items() for entry in entries(name, value)]
    return said + list(need_entries())


def template() -> Catalog:
    catalog = Catalog(project=PROJECT, creation_date=datetime(2026, 1, 1, tzinfo=UTC), fuzzy=False)
    for entry in source_entries():
        msgid = (entry.english, entry.english_plural) if entry.english_plural else entry.english
        catalog.add(msgid, context=entry.context, flags=["python-brace-format"])
    return catalog


def _write(catalog: Catalog, path: object) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, sort_output=False, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())  # type: ignore[attr-defined]


def update() -> list[str]:
    """Write the template from the English source and bring every language up to date with it
    (a changed English text drops its old translation: it must be translated afresh). The codes."""
    fresh = template()
    _write(fresh, TEMPLATE)
    codes = [code for code in spoken() if code != ENGLISH]
    for code in codes:
        catalog = read(code)
        catalog.update(fresh, no_fuzzy_matching=True, update_header_comment=False)
        _write(catalog, path_of(code))
    return codes


def add(code: str) -> None:
    """Start a catalogue for a new language (everything untranslated)."""
    Locale.parse(code)  # an unknown code is refused here
    if path_of(code).exists():
        raise ValueError(f"{code} has a catalogue already")
    catalog = Catalog(locale=code, project=PROJECT, fuzzy=False)
    catalog.update(template(), no_fuzzy_matching=True)
    _write(catalog, path_of(code))
    spoken.cache_clear()


def _forms(message: Message) -> list[str]:
    string = message.string
    return [s for s in string] if isinstance(string, tuple | list) else [string or ""]


def _english_forms(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def is_translated(message: Message) -> bool:
    return all(form.strip() for form in _forms(message))


@dataclass
class Progress:
    code: str
    name: str
    total: int = 0
    translated: int = 0
    reviewed: int = 0
    problems: list[str] = field(default_factory=list)


def problems_of(message: Message) -> list[str]:
    """What would go wrong sending this translation: placeholders or HTML tags not the English's,
    or a text longer than Telegram takes."""
    found = []
    english = _english_forms(message)
    for form in _forms(message):
        if not form.strip():
            continue
        plain = form.translate(_ISOLATES)
        if sorted(set(_PLACEHOLDER.findall(plain))) != sorted(set(_PLACEHOLDER.findall(english[-1]))):
            found.append("placeholders differ from the English")
        if sorted(_TAG.findall(plain)) != sorted(_TAG.findall(english[0])):
            found.append("HTML tags differ from the English")
        # room for what goes into it: as long as the English and half again, or half a message
        if len(plain) > max(TELEGRAM_TEXT_LIMIT // 2, len(english[-1]) * 3 // 2):
            found.append("too long to send with what goes into it")
    return list(dict.fromkeys(found))


def progress(code: str) -> Progress:
    catalog = read(code)
    report = Progress(code, spoken()[code].english_name)
    for message in catalog:
        if not message.id:
            continue  # the header
        report.total += 1
        if is_translated(message):
            report.translated += 1
            if REVIEWED in message.flags:
                report.reviewed += 1
        report.problems += [f"{message.context}: {p}" for p in problems_of(message)]
    for message, errors in catalog.check():
        report.problems += [f"{message.context}: {error}" for error in errors]
    return report


def export_sheet(code: str) -> str:
    """CODE's entries as CSV for a reviewer: what each is for, the English, the translation, and
    whether it has been reviewed (they write "yes" once it is right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SHEET_COLUMNS)
    for message in read(code):
        if not message.id:
            continue
        writer.writerow(
            [
                message.context,
                PLURAL_SEPARATOR.join(_english_forms(message)),
                PLURAL_SEPARATOR.join(_forms(message)),
                "yes" if REVIEWED in message.flags else "",
            ]
        )
    return out.getvalue()


@dataclass
class SheetResult:
    changed: int = 0
    reviewed: int = 0
    bad_rows: list[str] = field(default_factory=list)


def import_sheet(code: str, rows: Iterable[dict[str, str]]) -> SheetResult:
    """A reviewer's corrections back into CODE's catalogue. Every row is checked first; if any is
    wrong nothing is written and the bad rows are reported (row number and why)."""
    catalog = read(code)
    by_context = {message.context: message for message in catalog if message.id}
    result = SheetResult()
    changes: list[tuple[Message, list[str], bool]] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        context = (row.get("context") or "").strip()
        message = by_context.get(context)
        if message is None:
            result.bad_rows.append(f"row {number}: no entry {context!r}")
            continue
        forms = (row.get("translation") or "").split(PLURAL_SEPARATOR)
        wanted = len(_forms(message))
        if len(forms) != wanted:
            result.bad_rows.append(f"row {number}: {wanted} forms expected, {len(forms)} given")
            continue
        trial = message.clone()
        trial.string = tuple(forms) if isinstance(message.id, tuple | list) else forms[0]
        if found := problems_of(trial):
            result.bad_rows.append(f"row {number} ({context}): {'; '.join(found)}")
            continue
        reviewed = (row.get("reviewed") or "").strip().lower() in ("yes", "y", "true", "1", "✓")
        changes.append((message, forms, reviewed))
    if result.bad_rows:
        return result
    for message, forms, reviewed in changes:
        string = tuple(forms) if isinstance(message.id, tuple | list) else forms[0]
        if string != message.string:
            message.string = string
            result.changed += 1
        if reviewed and all(form.strip() for form in forms):
            message.flags.add(REVIEWED)
            result.reviewed += 1
        else:
            message.flags.discard(REVIEWED)
    _write(catalog, path_of(code))
    return result
