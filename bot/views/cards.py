"""How assets look in a chat: short cards, a details view, and the buttons under them.

Everything from a feed or a user is escaped and cut to a length a card can hold, and every
message is fitted under Telegram's 4,096 characters whatever the directory holds: a field that is
too long is shortened ("…"), never allowed to make the message fail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import messages as m
from bot.i18n import formats
from bot.services.opening import days_ahead, opening_state
from db.importers.languages import ENGLISH, known_codes, language_name
from db.models import Asset

PAGE_SIZE = 3
ONE_LINE = 140
DETAILS_CHARS = 1500
TEXT_LIMIT = 4096  # Telegram's, in characters after the HTML is read
# A details card leaves room for what a coordinator's message wraps around it.
DETAILS_LIMIT = 3500
NAME_CHARS = 200
PLACE_CHARS = 300
CONTACT_CHARS = 120  # a phone number, an email address, a website
FACT_CHARS = 300  # cost, who it is for, accessibility, credit
CONTACTS = (("phone", "📞"), ("website", "🌐"), ("email", "✉️"))  # each kind of contact, its mark


class CardAsset(Protocol):
    """What a result card shows of an asset: a row (db.models.Asset), or the search index's copy
    of it (bot.matching.index.AssetDoc), which draws a page of results without reading the rows."""

    @property
    def id(self) -> Any: ...
    @property
    def name(self) -> str: ...
    @property
    def is_example(self) -> bool: ...
    @property
    def description(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def town(self) -> str: ...
    @property
    def postcode(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def website(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def opening_hours(self) -> list[Any]: ...
    @property
    def holiday_closures(self) -> list[Any]: ...
    @property
    def languages(self) -> Sequence[Any]: ...


_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z-]*)[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[^<&]+|[<&]")


def clip(text: str, limit: int) -> str:
    """TEXT cut to LIMIT characters, at a space near the end when there is one, with "…"."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 2 // 3 else cut).rstrip() + "…"


def one_line(text: str, limit: int = ONE_LINE) -> str:
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= limit else clip(first, limit)


def _units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji can be two)."""
    return len(text.encode("utf-16-le")) // 2


def fit(html: str, limit: int = TEXT_LIMIT) -> str:
    """Telegram HTML cut so that what it shows is at most LIMIT long: text is cut, tags left open
    are closed, and "…" says something was left out. Short enough already: unchanged."""
    if 2 * len(html) <= limit:
        return html
    tokens = [(match, _token_size(match)) for match in _TOKEN.finditer(html)]
    if sum(size for _, size in tokens) <= limit:
        return html
    out: list[str] = []
    open_tags: list[str] = []
    room = limit - 1  # for the "…"
    for match, size in tokens:
        token = match.group(0)
        if match.group(2):  # a tag
            out.append(token)
            tag = match.group(2).lower()
            if not match.group(1):
                open_tags.append(tag)
            elif tag in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(tag)]
            continue
        if size <= room:
            out.append(token)
            room -= size
            continue
        if not token.startswith("&"):
            out.append(_cut_units(token, room))
        break
    return "".join(out).rstrip() + "…" + "".join(f"</{tag}>" for tag in reversed(open_tags))


def _cut_units(text: str, room: int) -> str:
    used = 0
    for i, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > room:
            return text[:i]
    return text


def _token_size(match: re.Match[str]) -> int:
    token = match.group(0)
    if match.group(2):
        return 0
    if token.startswith("&") and len(token) > 1:
        return 1
    return _units(token)


def when(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """When it next opens, as people say it: "09:30", "tomorrow 09:30", "Monday 09:30", and a
    week or more ahead "next Thursday 09:30" (on a Thursday evening, "Thursday" would mean today)."""
    days, local = days_ahead(moment, now, tz), moment.astimezone(tz)
    time, day = formats.clock(local), formats.weekday(local.weekday())
    if days <= 0:
        return m.OPENS_TODAY.format(time=time)
    if days == 1:
        return m.OPENS_TOMORROW.format(time=time)
    return (m.OPENS_THIS_WEEK if days < 7 else m.OPENS_NEXT_WEEK).format(day=day, time=time)


def opening_line(asset: CardAsset, now: datetime, tz: ZoneInfo) -> str:
    state = opening_state(asset.opening_hours, asset.holiday_closures, now, tz)
    if state.open_now and state.closes_at:
        return m.OPEN_NOW.format(time=formats.clock(state.closes_at))
    if state.open_now:
        return m.OPEN_ALL_HOURS
    if state.opens_at:
        return m.OPENS_AT.format(when=when(state.opens_at, now, tz))
    return m.HOURS_UNKNOWN


def where_line(asset: CardAsset, distance_km: float | None) -> str:
    place = ", ".join(p for p in (asset.town, asset.postcode) if p) or asset.address
    parts = [m.esc(clip(place, PLACE_CHARS))] if place else []
    if distance_km is not None:
        parts.append(m.DISTANCE_AWAY.format(km=formats.decimal(distance_km)))
    return "📍 " + " · ".join(parts) if parts else ""


def name(asset: CardAsset) -> str:
    """The asset's name for a message, escaped, and cut if it is absurdly long."""
    return m.esc(clip(asset.name, NAME_CHARS))


def contact_lines(asset: CardAsset) -> list[str]:
    """One line for each way to get in touch, each with its own mark: 📞 a phone number, 🌐 a
    website, ✉️ an email address (never a website or an email behind the phone's mark)."""
    found = ((mark, getattr(asset, field) or "") for field, mark in CONTACTS)
    return [f"{mark} {m.esc(clip(value, CONTACT_CHARS))}" for mark, value in found if value.strip()]


def languages_line(asset: CardAsset) -> str:
    """ "🗣 Staff speak: Urdu and Punjabi", named and listed in the reader's language; English is
    left out (everyone here speaks it), and so is the line when nothing else is spoken."""
    codes = [code for code in known_codes(asset.languages or ()) if code != ENGLISH]
    if not codes:
        return ""
    reader = formats.locale()
    names = format_list([language_name(code, reader) for code in codes], locale=reader)
    return m.STAFF_SPEAK.format(languages=m.esc(clip(names, FACT_CHARS)))


def card(n: int, asset: CardAsset, distance_km: float | None, now: datetime, tz: ZoneInfo) -> str:
    title = f"<b>{n}. {name(asset)}</b>" + (f" {m.EXAMPLE_LABEL}" if asset.is_example else "")
    lines = [
        title,
        m.esc(one_line(asset.description)) if asset.description else "",
        where_line(asset, distance_km),
        opening_line(asset, now, tz),
        languages_line(asset),
        *contact_lines(asset),
    ]
    return "\n".join(line for line in lines if line)


def results_page(
    header: str,
    assets: Sequence[tuple[CardAsset, float | None]],
    page: int,
    search_id: int,
    now: datetime,
    tz: ZoneInfo,
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of cards with Details buttons, paging and 'not what I need'."""
    from bot.handlers.search import Details, NotWhatINeed, Page  # search, which answers them, imports cards

    start = page * PAGE_SIZE
    shown = assets[start : start + PAGE_SIZE]
    text = fit("\n\n".join([header] + [card(start + i + 1, a, d, now, tz) for i, (a, d) in enumerate(shown)]))
    rows = [
        [
            InlineKeyboardButton(m.BUTTON_DETAILS.format(n=start + i + 1), callback_data=Details(a.id).data)
            for i, (a, _) in enumerate(shown)
        ]
    ]
    paging = []
    if page > 0:
        paging.append(InlineKeyboardButton(m.BUTTON_BACK, callback_data=Page(search_id, page - 1).data))
    if start + PAGE_SIZE < len(assets):
        paging.append(InlineKeyboardButton(m.BUTTON_MORE, callback_data=Page(search_id, page + 1).data))
    if paging:
        rows.append(paging)
    rows.append([InlineKeyboardButton(m.BUTTON_NOT_WHAT_I_NEED, callback_data=NotWhatINeed(search_id).data)])
    return text, InlineKeyboardMarkup(rows)


def details(asset: Asset, now: datetime, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    # the modules that answer these buttons import cards
    from bot.handlers.asset_reports import ReportChange
    from bot.handlers.search import Call, MoreLike, ShowMap

    lines = [f"<b>{name(asset)}</b>" + (f" {m.EXAMPLE_LABEL}" if asset.is_example else "")]
    if asset.description:
        text = (
            asset.description
            if len(asset.description) <= DETAILS_CHARS
            else one_line(asset.description, DETAILS_CHARS)
        )
        lines.append(m.esc(text))
    address = ", ".join(p for p in (asset.address, asset.town, asset.postcode) if p)

    def fact(mark: str, value: str, limit: int = FACT_CHARS) -> str:
        return f"{mark} {m.esc(clip(value, limit))}" if value else ""

    facts = [
        fact("📍", address, PLACE_CHARS),
        opening_line(asset, now, tz),
        fact("💷", asset.cost),
        fact("👥", asset.eligibility),
        languages_line(asset),
        *contact_lines(asset),
        fact("♿", asset.accessibility),
        f"<i>{m.esc(clip(asset.attribution, FACT_CHARS))}</i>" if asset.attribution else "",
    ]
    lines += [f for f in facts if f]
    if asset.id is None:  # a draft not saved yet (/addasset's preview): nothing to press
        return fit("\n".join(lines), DETAILS_LIMIT), InlineKeyboardMarkup([])
    row = []
    if asset.latitude is not None and asset.longitude is not None:
        row.append(InlineKeyboardButton(m.BUTTON_MAP, callback_data=ShowMap(asset.id).data))
    if asset.phone:
        row.append(InlineKeyboardButton(m.BUTTON_CALL, callback_data=Call(asset.id).data))
    rows = [row] if row else []
    rows.append([InlineKeyboardButton(m.BUTTON_MORE_LIKE_THIS, callback_data=MoreLike(asset.id).data)])
    # residents keep the directory true: what they report becomes a task for the zone's coordinators
    report = InlineKeyboardButton(m.BUTTON_REPORT_CHANGE, callback_data=ReportChange(asset.id).data)
    rows.append([report])
    return fit("\n".join(lines), DETAILS_LIMIT), InlineKeyboardMarkup(rows)
