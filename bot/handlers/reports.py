"""Coordinators' /gaps (unmet needs as text, a chart and a spreadsheet) and /stats (counts only),
over the last 7, 30 or 90 days; and the search tally that feeds /stats.

The role is checked on the server for every command and every press: a forged or old button in a
resident's chat shows nothing. A coordinator of one zone sees that zone's numbers only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError
from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.common import tell
from bot.i18n.current import current
from bot.i18n.languages import ENGLISH
from bot.services import reports
from bot.services.charts import gap_chart
from bot.services.residents import Area
from bot.services.roles import EVERY_ZONE, coordinator_zones
from bot.views.buttons import Button, on_press
from bot.views.keyboards import keyboard

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30
GAPS, STATS = "g", "s"
TOP_IN_TEXT = 5


def last_days(now: datetime, tz: tzinfo, days: int) -> tuple[datetime, datetime]:
    """The last DAYS whole local days, today included, as local midnights [since, until)."""
    today = now.astimezone(tz).date()
    since = datetime.combine(today - timedelta(days=days - 1), time(), tzinfo=tz)
    return since, datetime.combine(today + timedelta(days=1), time(), tzinfo=tz)


def tally_search(
    context: ContextTypes.DEFAULT_TYPE,
    area: Area | None,
    category: str,
    answered: bool,
    when: datetime | None = None,
) -> None:
    """Count one resident search for /stats: the local day (of WHEN, or now), the zone, the need,
    whether it was answered (engine.SearchResult.answering) and the language this update speaks.
    Never the words, never the person. Counts are written a few seconds later, together
    (bot.services.search_counts)."""
    pz = services(context)
    day = (when or pz.clock()).astimezone(pz.settings.tz).date()
    pz.search_counts.add(day, area.zone if area else "", category, answered, current())


async def uncount_search(
    context: ContextTypes.DEFAULT_TYPE, area: Area | None, category: str, when: datetime, language: str
) -> None:
    """A search counted as answered at WHEN, in LANGUAGE, was not what the resident needed: count
    it on its own day as one that found nothing instead (its need is noted by the caller)."""
    pz = services(context)
    day = when.astimezone(pz.settings.tz).date()
    zone = area.zone if area else ""
    try:
        async with pz.sessions.begin() as session:
            await pz.search_counts.flush(session)  # the count to take back may still be pending
            await reports.uncount_answered(session, day, zone, category, language)
            await reports.count_search(session, day, zone, category, answered=False, language=language)
    except SQLAlchemyError:
        log.warning("a search could not be counted again", exc_info=True)


async def _scope(update: Update, context: ContextTypes.DEFAULT_TYPE) -> set[str] | None:
    """The zones the sender may see ({""} for all), or None after telling them it is not for them."""
    pz = services(context)
    async with pz.sessions() as session:
        zones = await coordinator_zones(session, pz.settings, user_id(update))
        if zones:
            await pz.search_counts.flush(session)  # so the numbers include the latest searches
    if not zones:
        await tell(context, chat_id(update), m.COORDINATORS_ONLY)
        return None
    return zones


def _filter(zones: set[str]) -> set[str] | None:
    return None if EVERY_ZONE in zones else zones


def _scope_label(zones: Collection[str]) -> str:
    return m.REPORT_ALL_ZONES if EVERY_ZONE in zones else m.esc(", ".join(sorted(zones)))


def _period_buttons(report: str) -> InlineKeyboardMarkup:
    periods = m.REPORT_PERIOD_BUTTONS.items()
    # the catalogue's keys are the periods (a wrong one is refused when the button is made)
    return keyboard([(label, ReportPeriod(report, days).data) for days, label in periods])  # type: ignore[arg-type]


async def gaps_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _gaps(update, context, DEFAULT_DAYS)


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _stats(update, context, DEFAULT_DAYS, edit=False)


@dataclass(frozen=True)
class ReportPeriod(Button, prefix="rp"):
    """A coordinator's report, gaps (g) or stats (s), over the last 7, 30 or 90 days."""

    report: Literal["g", "s"]
    days: Literal[7, 30, 90]


@on_press(ReportPeriod)
async def on_period(update: Update, context: ContextTypes.DEFAULT_TYPE, press: ReportPeriod) -> None:
    """A period button: /gaps sends a new report (it comes with files); /stats changes in place."""
    await query(update).answer()
    if press.report == GAPS:
        await _gaps(update, context, press.days)
    else:
        await _stats(update, context, press.days, edit=True)


# ----- /gaps ------------------------------------------------------------------------------------


async def _gaps(update: Update, context: ContextTypes.DEFAULT_TYPE, days: int) -> None:
    if (zones := await _scope(update, context)) is None:
        return
    pz = services(context)
    since, until = last_days(pz.clock(), pz.settings.tz, days)
    async with pz.sessions() as session:
        report = await reports.gap_report(session, since, until, _filter(zones))
    chat = chat_id(update)
    await tell(context, chat, _gaps_text(report, zones), _period_buttons(GAPS))
    if not report.rows:
        return
    period = reports.period_label(since, until)
    name = f"gaps-{reports.first_day(since)}-to-{reports.last_day(until)}"
    chart = await asyncio.to_thread(gap_chart, report)  # drawing takes a moment; others keep talking
    await context.bot.send_photo(
        chat, InputFile(chart, filename=f"{name}.png"), caption=m.GAPS_CHART_CAPTION.format(period=period)
    )
    await context.bot.send_document(
        chat,
        InputFile(reports.gap_csv(report), filename=f"{name}.csv"),
        caption=m.GAPS_CSV_CAPTION.format(period=period),
    )


def _gaps_text(report: reports.GapReport, zones: set[str]) -> str:
    text = m.GAPS_HEADER.format(
        period=reports.period_label(report.since, report.until),
        scope=_scope_label(zones),
        searches=m.counted(report.total, "search"),
    )
    if not report.rows:
        return f"{text}\n{m.GAPS_NONE}"
    by_language = report.by_language()
    if any(code != ENGLISH for code, _ in by_language):  # all English says nothing new
        languages = ", ".join(
            m.GAPS_LANGUAGE.format(language=m.esc(reports.language_name(code)), count=count)
            for code, count in by_language
        )
        text = f"{text}\n{m.GAPS_BY_LANGUAGE.format(languages=languages)}"
    lines = [m.GAPS_TOP]
    for rank, need in enumerate(report.by_need()[:TOP_IN_TEXT], start=1):
        where = ", ".join(
            m.GAPS_ZONE.format(zone=m.esc(reports.zone_name(zone)), count=count) for zone, count in need.zones
        )
        lines.append(m.GAPS_LINE.format(rank=rank, need=m.esc(need.need), count=need.unmet, zones=where))
    return "\n\n".join((text, "\n".join(lines), m.GAPS_FILES))


# ----- /stats -----------------------------------------------------------------------------------


async def _stats(update: Update, context: ContextTypes.DEFAULT_TYPE, days: int, edit: bool) -> None:
    if (zones := await _scope(update, context)) is None:
        return
    pz = services(context)
    since, until = last_days(pz.clock(), pz.settings.tz, days)
    async with pz.sessions() as session:
        numbers = await reports.stats(session, since, until, _filter(zones))
    text, buttons = _stats_text(numbers, zones), _period_buttons(STATS)
    if not edit:
        await tell(context, chat_id(update), text, buttons)
        return
    try:
        await query(update).edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)
    except BadRequest as error:  # the period already shown, pressed again
        if "not modified" not in str(error).lower():
            raise


def _stats_text(numbers: reports.Stats, zones: set[str]) -> str:
    return "\n\n".join(filter(None, (_stats_numbers(numbers, zones), _stats_by_language(numbers))))


def _stats_by_language(numbers: reports.Stats) -> str:
    """Each language that had searches, with how many found nothing; "" when none had any."""
    if not numbers.by_language:
        return ""
    lines = [
        m.STATS_LANGUAGE_LINE.format(
            language=m.esc(reports.language_name(found.language)), searches=found.searches, unmet=found.unmet
        )
        for found in numbers.by_language
    ]
    return "\n".join((m.STATS_BY_LANGUAGE, *lines))


def _stats_numbers(numbers: reports.Stats, zones: set[str]) -> str:
    top = ", ".join(
        m.STATS_TOP_NEED.format(need=m.esc(need), count=count) for need, count in numbers.top_needs
    )
    return m.STATS.format(
        period=reports.period_label(numbers.since, numbers.until),
        scope=_scope_label(zones),
        residents=numbers.residents,
        new_residents=numbers.new_residents,
        searches=numbers.searches,
        answered=numbers.answered,
        unmet=numbers.unmet,
        top=top or m.STATS_NO_TOP,
        requested=numbers.introductions_requested,
        accepted=numbers.introductions_accepted,
        worked=numbers.introductions_worked,
        events=numbers.events,
        rsvps=numbers.rsvps,
        broadcasts=numbers.broadcasts,
        delivered=numbers.delivered,
    )
