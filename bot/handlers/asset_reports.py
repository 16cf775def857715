"""Residents' "report a change" on an asset card, and coordinators' /reports: the report goes to
the coordinators of the asset's zone, who mark it done or dismiss it (once). Coordinators never
see who sent a report; the sender's Telegram id is kept with their words only so /mydata and
/forget find them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.common import tell
from bot.handlers.flows import Flow, stepless
from bot.handlers.upkeep import EditAsset, day_label, stale, zones_or_refuse
from bot.i18n.current import speaking
from bot.senders.outgoing import tell_later
from bot.services.residents import languages_of, resident_for
from bot.services.roles import coordinators_of, covers
from bot.services.upkeep import (
    active_asset,
    close_report,
    file_report,
    find_asset,
    find_report,
    open_reports,
    report_text,
)
from bot.views import cards
from bot.views.buttons import Button, on_press
from bot.views.keyboards import keyboard
from db.models import AssetReport

# a resident is typing what changed ({"asset_id"}); older versions kept it with no step
REPORT = Flow("asset_change_report", ("what_changed",), legacy=stepless("what_changed"))
REPORTS_SHOWN = 10


@dataclass(frozen=True)
class ReportChange(Button, prefix="uc"):
    """'Report a change' under an asset card."""

    asset_id: int


@dataclass(frozen=True)
class HandleChange(Button, prefix="uh"):
    """A coordinator's Mark done / Dismiss on a reported change."""

    status: Literal["done", "dismissed"]
    report_id: int


@on_press(ReportChange)
async def on_report_button(update: Update, context: ContextTypes.DEFAULT_TYPE, press: ReportChange) -> None:
    """'Report a change' under an asset card: ask what changed."""
    await query(update).answer()
    async with services(context).sessions() as session:
        asset = await active_asset(session, press.asset_id)
    if asset is None:
        await stale(update, context)
        return
    REPORT.open(context, "what_changed", asset_id=asset.id)
    await tell(context, chat_id(update), m.CHANGE_ASK.format(name=cards.name(asset)))


@REPORT.on_text
async def on_report_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """What changed, in the resident's words: store it (theirs, never shown as theirs), thank them,
    tell the zone."""
    chat = chat_id(update)
    if (cleaned := report_text(text)) is None:
        await tell(context, chat, m.CHANGE_NOT_READ)
        return
    body, was_cut = cleaned
    asset_id = REPORT.take(context)["asset_id"]
    pz = services(context)
    async with pz.sessions.begin() as session:
        report = await file_report(session, asset_id, body, typed_by=user_id(update))
        asset = await find_asset(session, asset_id) if report else None
        if report is not None and asset is not None:
            told = await coordinators_of(session, pz.settings, report.zone)
            languages = await languages_of(session, told)
            for coordinator in told:
                with speaking(languages[coordinator]):  # each coordinator reads it in their language
                    notice = m.CHANGE_FOR_COORDINATORS.format(
                        name=cards.name(asset), zone=m.esc(asset.zone or m.NO_ZONE), text=m.esc(body)
                    )
                    buttons = _report_keyboard(report.id, asset.id)
                tell_later(
                    context.application, session, coordinator, notice, buttons,
                    kind="asset-report", written_by=user_id(update),  # the reporter's words
                )  # fmt: skip
    if report is None or asset is None:
        await stale(update, context)
        return
    await tell(context, chat, m.CHANGE_THANKS + (m.CHANGE_CUT if was_cut else ""))


def _report_keyboard(report_id: int, asset_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            (m.BUTTON_MARK_DONE, HandleChange("done", report_id).data),
            (m.BUTTON_DISMISS, HandleChange("dismissed", report_id).data),
        ],
        [(m.BUTTON_EDIT_THIS_ASSET, EditAsset(asset_id).data)],
    )


# ----- coordinators: /reports -----------------------------------------------------------------------


async def reports_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The oldest open reports in the coordinator's zones (every zone for an admin)."""
    if (zones := await zones_or_refuse(update, context)) is None:
        return
    chat = chat_id(update)
    async with services(context).sessions() as session:
        found, total = await open_reports(session, zones, REPORTS_SHOWN)
    if not found:
        await tell(context, chat, m.NO_OPEN_CHANGES)
        return
    await tell(context, chat, m.CHANGES_HEADER.format(reports=m.counted(total, "open report")))
    for report, asset in found:
        text = m.CHANGE_CARD.format(
            name=cards.name(asset), zone=m.esc(report.zone or m.NO_ZONE),
            when=day_label(report.created_at, context), text=m.esc(report.text) or m.CHANGE_WORDS_ERASED,
        )  # fmt: skip
        await tell(context, chat, text, _report_keyboard(report.id, asset.id))
    if total > len(found):
        await tell(context, chat, m.CHANGES_MORE.format(shown=len(found)))


@on_press(HandleChange)
async def on_handle_report(update: Update, context: ContextTypes.DEFAULT_TYPE, press: HandleChange) -> None:
    """Mark done / Dismiss: once. A second press, or a second coordinator, changes nothing."""
    await query(update).answer()
    if (zones := await zones_or_refuse(update, context)) is None:
        return
    pz, chat = services(context), chat_id(update)
    async with pz.sessions.begin() as session:
        report = await find_report(session, press.report_id)
        reply = await _handle(session, update, context, zones, report, press.status)
    if reply:
        await tell(context, chat, reply)
    else:
        await stale(update, context)


async def _handle(
    session: AsyncSession,
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    zones: set[str],
    report: AssetReport | None,
    status: str,
) -> str:
    """The reply to a Mark done / Dismiss press; empty for a report that does not exist."""
    if report is None:
        return ""
    if not covers(zones, report.zone):
        return m.NOT_YOUR_ZONE
    if report.status == "open":
        coordinator = await resident_for(session, user_id(update))
        if await close_report(session, report.id, status, coordinator.id, services(context).clock()):
            return m.CHANGE_HANDLED[status]
        await session.refresh(report)
    return m.CHANGE_ALREADY_HANDLED.format(
        status=m.CHANGE_STATUS_WORDS.get(report.status, report.status),
        when=day_label(report.handled_at, context) if report.handled_at else "—",
    )
