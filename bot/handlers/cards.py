"""How assets look in a chat: short cards, a details view, and the buttons under them.

Everything from a feed or a user is escaped; a page of cards stays far below Telegram's 4096.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import messages as m
from bot.handlers import callbacks
from bot.services.opening import opening_state
from db.models import Asset

PAGE_SIZE = 3
ONE_LINE = 140
DETAILS_CHARS = 1500


def one_line(text: str, limit: int = ONE_LINE) -> str:
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def when(moment: datetime, now: datetime) -> str:
    if moment.date() == now.date():
        return moment.strftime("%H:%M")
    if (moment.date() - now.date()).days == 1:
        return "tomorrow " + moment.strftime("%H:%M")
    return moment.strftime("%A %H:%M")


def opening_line(asset: Asset, now: datetime, tz: ZoneInfo) -> str:
    state = opening_state(asset.opening_hours, asset.holiday_closures, now, tz)
    local_now = now.astimezone(tz)
    if state.open_now and state.closes_at:
        return m.OPEN_NOW.format(time=state.closes_at.strftime("%H:%M"))
    if state.opens_at:
        return m.OPENS_AT.format(when=when(state.opens_at, local_now))
    return m.HOURS_UNKNOWN


def where_line(asset: Asset, distance_km: float | None) -> str:
    place = ", ".join(p for p in (asset.town, asset.postcode) if p) or asset.address
    parts = [m.esc(place)] if place else []
    if distance_km is not None:
        parts.append(f"{distance_km:.1f} km away")
    return "📍 " + " · ".join(parts) if parts else ""


def card(n: int, asset: Asset, distance_km: float | None, now: datetime, tz: ZoneInfo) -> str:
    title = f"<b>{n}. {m.esc(asset.name)}</b>" + (f" {m.EXAMPLE_LABEL}" if asset.is_example else "")
    contact = asset.phone or asset.website or asset.email
    lines = [
        title,
        m.esc(one_line(asset.description)) if asset.description else "",
        where_line(asset, distance_km),
        opening_line(asset, now, tz),
        f"📞 {m.esc(contact)}" if contact else "",
    ]
    return "\n".join(line for line in lines if line)


def results_page(
    header: str,
    assets: list[tuple[Asset, float | None]],
    page: int,
    search_id: int,
    now: datetime,
    tz: ZoneInfo,
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of cards with Details buttons, paging and 'not what I need'."""
    start = page * PAGE_SIZE
    shown = assets[start : start + PAGE_SIZE]
    text = "\n\n".join([header] + [card(start + i + 1, a, d, now, tz) for i, (a, d) in enumerate(shown)])
    rows = [
        [
            InlineKeyboardButton(
                m.BUTTON_DETAILS.format(n=start + i + 1), callback_data=callbacks.details(a.id)
            )
            for i, (a, _) in enumerate(shown)
        ]
    ]
    paging = []
    if page > 0:
        paging.append(InlineKeyboardButton(m.BUTTON_BACK, callback_data=callbacks.page(search_id, page - 1)))
    if start + PAGE_SIZE < len(assets):
        paging.append(InlineKeyboardButton(m.BUTTON_MORE, callback_data=callbacks.page(search_id, page + 1)))
    if paging:
        rows.append(paging)
    rows.append(
        [InlineKeyboardButton(m.BUTTON_NOT_WHAT_I_NEED, callback_data=callbacks.not_what_i_need(search_id))]
    )
    return text, InlineKeyboardMarkup(rows)


def details(asset: Asset, now: datetime, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    lines = [f"<b>{m.esc(asset.name)}</b>" + (f" {m.EXAMPLE_LABEL}" if asset.is_example else "")]
    if asset.description:
        text = (
            asset.description
            if len(asset.description) <= DETAILS_CHARS
            else one_line(asset.description, DETAILS_CHARS)
        )
        lines.append(m.esc(text))
    address = ", ".join(p for p in (asset.address, asset.town, asset.postcode) if p)
    facts = [
        f"📍 {m.esc(address)}" if address else "",
        opening_line(asset, now, tz),
        f"💷 {m.esc(asset.cost)}" if asset.cost else "",
        f"👥 {m.esc(asset.eligibility)}" if asset.eligibility else "",
        f"📞 {m.esc(asset.phone)}" if asset.phone else "",
        f"✉️ {m.esc(asset.email)}" if asset.email else "",
        f"🌐 {m.esc(asset.website)}" if asset.website else "",
        f"♿ {m.esc(asset.accessibility)}" if asset.accessibility else "",
        f"<i>{m.esc(asset.attribution)}</i>" if asset.attribution else "",
    ]
    lines += [f for f in facts if f]
    row = []
    if asset.latitude is not None and asset.longitude is not None:
        row.append(InlineKeyboardButton(m.BUTTON_MAP, callback_data=callbacks.show_map(asset.id)))
    if asset.phone:
        row.append(InlineKeyboardButton(m.BUTTON_CALL, callback_data=callbacks.call(asset.id)))
    rows = [row] if row else []
    rows.append([InlineKeyboardButton(m.BUTTON_MORE_LIKE_THIS, callback_data=callbacks.more_like(asset.id))])
    # residents keep the directory true: what they report becomes a task for the zone's coordinators
    report = InlineKeyboardButton(m.BUTTON_REPORT_CHANGE, callback_data=callbacks.report_change(asset.id))
    rows.append([report])
    return "\n".join(lines), InlineKeyboardMarkup(rows)
