"""Gap reports and numbers for coordinators: counts only, never who asked or what they typed.

Unmet needs come from `Need` rows (what nothing answered; counted here, never their words or who
typed them); search counts come from `SearchTally`, a counter per day, zone, need, outcome and
language that holds no words and no people. The language is the one the bot spoke in the search's
update (a code: bot.i18n.current), so a zone can see whether, say, its Somali speakers find what
they need; it is counted per language, never tied to anyone.

Periods are aware datetimes, half open [since, until); the tally's days are read in the datetimes'
own timezone, so pass local midnights (the bot's timezone) to count whole local days.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from babel import Locale, UnknownLocaleError
from sqlalchemy import ColumnElement, case, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot import messages as m
from bot.i18n import formats
from bot.matching.taxonomy import default_taxonomy
from db.models import Delivery, Event, Introduction, Need, Resident, Rsvp, SearchTally
from db.sheet import neutralise

TOP_NEEDS = 5
CSV_COLUMNS = ("zone", "need", "group", "unmet", "language")
# Each dialect's INSERT, which (unlike the generic one) has on_conflict_do_update.
_INSERTS: dict[str, Callable[[type[SearchTally]], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


# ----- the search tally -------------------------------------------------------------------------


class TallyKey(NamedTuple):
    """One counter of the tally: a local day, a zone, a need, whether it was answered and the
    language the bot spoke (a code)."""

    day: date
    zone: str
    category: str
    answered: bool
    language: str


async def add_counts(session: AsyncSession, counts: Mapping[TallyKey, int]) -> None:
    """Add COUNTS to the tally. One INSERT ... ON CONFLICT DO UPDATE that adds to what is there, so
    counts written at the same moment (two processes) all count: no read-then-write race."""
    dialect = session.get_bind().dialect.name
    insert = _INSERTS.get(dialect)
    if insert is None:
        raise NotImplementedError(f"no search tally upsert for {dialect}")
    rows = [
        {"day": k.day, "zone": k.zone[:200], "category": k.category[:100], "answered": k.answered,
         "language": k.language[:10], "count": n}
        for k, n in sorted(counts.items()) if n
    ]  # fmt: skip
    if not rows:
        return
    statement = insert(SearchTally).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "zone", "category", "answered", "language"],
            set_={"count": SearchTally.count + statement.excluded.count},
        )
    )


async def count_search(
    session: AsyncSession, day: date, zone: str, category: str, answered: bool, language: str
) -> None:
    """Add one search to the day's tally at once (the bot gathers its counts: bot.services.search_counts)."""
    await add_counts(session, {TallyKey(day, zone, category, answered, language): 1})


async def uncount_answered(session: AsyncSession, day: date, zone: str, category: str, language: str) -> None:
    """Take back one answered search of DAY's tally (the resident said it was not what they
    needed; it is counted again as one that found nothing). Never below zero."""
    await session.execute(
        update(SearchTally)
        .where(
            SearchTally.day == day,
            SearchTally.zone == zone[:200],
            SearchTally.category == category[:100],
            SearchTally.language == language[:10],
            SearchTally.answered.is_(True),
            SearchTally.count > 0,
        )
        .values(count=SearchTally.count - 1)
    )


# ----- shapes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapRow:
    zone: str  # "" when the resident had not saved an area
    category: str  # a taxonomy need id; "" when the words were not understood as one
    need: str  # the need's name, for people
    group: str
    unmet: int
    language: str  # the code of the language the bot spoke in those searches


@dataclass(frozen=True)
class LanguageSearches:
    """One language's searches in a period and how many of them found nothing."""

    language: str  # a code
    searches: int
    unmet: int


class Unmet(NamedTuple):
    """Searches that found nothing in one zone, for one need, in one language."""

    zone: str
    category: str
    language: str
    searches: int


@dataclass(frozen=True)
class NeedTotal:
    """One need across the zones in a report, with how many came from each zone (most first)."""

    category: str
    need: str
    unmet: int
    zones: tuple[tuple[str, int], ...]


def _most_then_named(zone_count: tuple[str, int]) -> tuple[int, bool, str]:
    """Zones with most first; searches from no saved area after the named zones."""
    zone, count = zone_count
    return -count, not zone, zone


@dataclass(frozen=True)
class GapReport:
    since: datetime
    until: datetime
    rows: tuple[GapRow, ...]  # most unmet first

    @property
    def total(self) -> int:
        return sum(row.unmet for row in self.rows)

    def by_need(self) -> list[NeedTotal]:
        """Needs summed over zones (and languages), most unmet first: what the text and the chart show."""
        grouped: dict[str, list[GapRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.category, []).append(row)
        totals = []
        for category, rows in grouped.items():
            zones: Counter[str] = Counter()
            for r in rows:
                zones[r.zone] += r.unmet
            totals.append(
                NeedTotal(
                    category, rows[0].need, zones.total(), tuple(sorted(zones.items(), key=_most_then_named))
                )
            )
        return sorted(totals, key=lambda t: (-t.unmet, t.need))

    def by_language(self) -> list[tuple[str, int]]:
        """(language code, searches that found nothing), most first."""
        languages: Counter[str] = Counter()
        for row in self.rows:
            languages[row.language] += row.unmet
        return sorted(languages.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class Stats:
    """Counts for a period. Deliberately nothing that could name a person or repeat their words."""

    since: datetime
    until: datetime
    residents: int
    new_residents: int
    searches: int
    answered: int
    unmet: int
    top_needs: tuple[tuple[str, int], ...]  # (need name, searches), most first
    by_language: tuple[LanguageSearches, ...]  # each language that had searches, most first
    introductions_requested: int
    introductions_accepted: int
    introductions_worked: int
    events: int
    rsvps: int
    broadcasts: int
    delivered: int


# ----- periods and names ------------------------------------------------------------------------


def first_day(since: datetime) -> date:
    return since.date()


def last_day(until: datetime) -> date:
    """The last day inside a half-open period (until is usually the next midnight)."""
    return (until - timedelta(microseconds=1)).date()


def period_label(since: datetime, until: datetime) -> str:
    """'28 Oct 2026 – 26 Nov 2026': the days a period covers, both included."""
    start, end = first_day(since), last_day(until)
    return m.PERIOD.format(first=formats.day_month_year_short(start), last=formats.day_month_year_short(end))


def need_name(category: str) -> tuple[str, str]:
    """A need id as people read it, and its group. A need the taxonomy no longer has keeps its id."""
    if not category:
        return m.GAP_UNKNOWN_NEED, ""
    try:
        found = default_taxonomy().category(category)
    except KeyError:
        return category, ""
    return m.need(found.id, found.name), m.need_group(found.group)


def zone_name(zone: str) -> str:
    return zone or m.GAP_NO_AREA


def language_name(code: str) -> str:
    """A language code as the reader (bot.i18n.current) names the language: "Urdu", "urdu" in
    Polish. A code Babel does not know stays as it is."""
    try:
        return Locale.parse(code).get_display_name(formats.locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def _in_zones(column: Any, zones: Collection[str] | None) -> list[ColumnElement[bool]]:
    return [] if zones is None else [column.in_(sorted(zones))]


def _during(column: Any, since: datetime, until: datetime) -> list[ColumnElement[bool]]:
    return [column >= since, column < until]


def _count_if(condition: ColumnElement[bool]) -> Any:
    """A portable COUNT(*) FILTER (WHERE ...)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# ----- the gap report ---------------------------------------------------------------------------


async def found_nothing(
    session: AsyncSession, since: datetime, until: datetime, zones: Collection[str] | None
) -> list[Unmet]:
    """THE count of searches that found nothing, by zone, need and language: what /gaps shows and
    what /stats says "found nothing" of, so the two always agree.

    One `Need` row is written for each search that nothing answered (bot.matching.rank.GOOD_MATCH:
    nothing near enough fitted well enough), for a need browsed that has nothing, and for a search
    the resident said was "Not what I need" (never twice for one search). A need written when the
    resident asked a volunteer for an introduction is left out: it repeats a search already
    counted, and it is being answered."""
    introduced = exists().where(Introduction.need_id == Need.id)
    rows = await session.execute(
        select(Need.zone, Need.category, Need.language, func.count())
        .where(
            Need.answered.is_(False),
            ~introduced,
            *_during(Need.created_at, since, until),
            *_in_zones(Need.zone, zones),
        )
        .group_by(Need.zone, Need.category, Need.language)
    )
    return [Unmet(zone, category, language, int(count)) for zone, category, language, count in rows]


async def gap_report(
    session: AsyncSession, since: datetime, until: datetime, zones: Collection[str] | None
) -> GapReport:
    """Unmet needs by zone, need and language (`found_nothing`)."""
    rows = await found_nothing(session, since, until, zones)
    found = [GapRow(r.zone, r.category, *need_name(r.category), r.searches, r.language) for r in rows]
    found.sort(key=lambda r: (-r.unmet, r.need, r.zone, r.language))
    return GapReport(since, until, tuple(found))


def gap_csv(report: GapReport) -> bytes:
    """The report as a spreadsheet: UTF-8 with a BOM (so Excel reads the accents right), one row
    per zone, need and language (named in the reader's language), and formula-guarded cells (a
    need's name could come from a coordinator's taxonomy file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        cells = (zone_name(row.zone), row.need, row.group, str(row.unmet), language_name(row.language))
        writer.writerow([neutralise(cell) for cell in cells])
    return out.getvalue().encode("utf-8-sig")


# ----- the numbers ------------------------------------------------------------------------------


async def stats(
    session: AsyncSession, since: datetime, until: datetime, zones: Collection[str] | None
) -> Stats:
    """Counts for /stats, each scoped to ZONES (None for all) by the zone of the row it counts."""
    residents, new_residents = await _residents(session, since, until, zones)
    by_language = await _searches_by_language(session, since, until, zones)
    searches = sum(language.searches for language in by_language)
    unmet = sum(language.unmet for language in by_language)
    requested, accepted, worked = await _introductions(session, since, until, zones)
    broadcasts, delivered = await _deliveries(session, since, until, zones)
    return Stats(
        since=since,
        until=until,
        residents=residents,
        new_residents=new_residents,
        searches=searches,
        answered=searches - unmet,
        unmet=unmet,
        top_needs=await _top_needs(session, since, until, zones),
        by_language=by_language,
        introductions_requested=requested,
        introductions_accepted=accepted,
        introductions_worked=worked,
        events=await _events(session, since, until, zones),
        rsvps=await _rsvps(session, since, until, zones),
        broadcasts=broadcasts,
        delivered=delivered,
    )


async def _residents(
    session: AsyncSession, since: datetime, until: datetime, zones: Collection[str] | None
) -> tuple[int, int]:
    row = (
        await session.execute(
            select(func.count(), _count_if(Resident.created_at >= since))
            .select_from(Resident)
            .where(Resident.created_at < until, *_in_zones(Resident.zone, zones))
        )
    ).one()
    return int(row[0]), int(row[1])


def _tally_filter(since: datetime, until: datetime, zones: Collection[str] | None) -> list[Any]:
    return [
        SearchTally.day >= first_day(since),
        SearchTally.day <= last_day(until),
        *_in_zones(SearchTally.zone, zones),
    ]


async def _searches_by_language(
    session: AsyncSession, since: datetime, until: datetime, zones: Collection[str] | None
) -> tuple[LanguageSearches, ...]:
    """Each language's searches: those that found something (the tally's answered searches, less
    any the resident then said were not what they needed) and those that found nothing
    (`found_nothing`, the gap report's own count). Most searches first."""
    total = func.sum(SearchTally.count)
    answered: Counter[str] = Counter()
    for language, count in await session.execute(
        select(SearchTally.language, total)
        .where(SearchTally.answered.is_(True), *_tally_filter(since, until, zones))
        .group_by(SearchTally.language)
    ):
        answered[language] += int(count or 0)
    unmet: Counter[str] = Counter()
    for row in await found_nothing(session, since, until, zones):
        unmet[row.language] += row.searches
    found = [
        LanguageSearches(language, answered[language] + unmet[language], unmet[language])
        for language in answered.keys() | unmet.keys()
        if answered[language] + unmet[language]
    ]
    return tuple(sorted(found, key=lambda f: (-f.searches, f.language)))


async def _top_needs(
    session: AsyncSession, since: datetime, until: datetime, zones: Collection[str] | None
) -> tuple[tuple[str, int], ...]:
    total = func.sum(SearchTally.count)
    rows = await session.execute(
        select(SearchTally.category, total)
        .where(SearchTally.category != "", *_tally_filter(since, until, zones))
        .group_by(SearchTally.category)
        .order_by(total.desc(), SearchTally.category)
        .limit(TOP_NEEDS)
    )
    return tuple((need_name(category)[0], int(count)) for category, count in rows)


async def _introductions(
    session: AsyncSession, since: datetime, until: datetime, zones: Collection[str] | None
) -> tuple[int, int, int]:
    worked = (Introduction.resident_feedback == "worked") | (Introduction.volunteer_feedback == "worked")
    row = (
        await session.execute(
            select(func.count(), _count_if(Introduction.status == "accepted"), _count_if(worked))
            .select_from(Introduction)
            .join(Need, Introduction.need_id == Need.id)
            .where(*_during(Introduction.requested_at, since, until), *_in_zones(Need.zone, zones))
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


async def _events(
    session: AsyncSession, since: datetime, until: datetime, zones: Collection[str] | None
) -> int:
    """Events added (published or imported) in the period."""
    count = await session.scalar(
        select(func.count())
        .select_from(Event)
        .where(*_during(Event.created_at, since, until), *_in_zones(Event.zone, zones))
    )
    return int(count or 0)


async def _rsvps(
    session: AsyncSession, since: datetime, until: datetime, zones: Collection[str] | None
) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Rsvp)
        .join(Event, Rsvp.event_id == Event.id)
        .where(Rsvp.status == "going", *_during(Rsvp.created_at, since, until), *_in_zones(Event.zone, zones))
    )
    return int(count or 0)


async def _deliveries(
    session: AsyncSession, since: datetime, until: datetime, zones: Collection[str] | None
) -> tuple[int, int]:
    """Broadcasts that reached someone in the period, and how many deliveries they made. Scoped by
    the recipient's zone, so a zone's coordinator sees what reached their zone."""
    row = (
        await session.execute(
            select(func.count(func.distinct(Delivery.broadcast_id)), func.count())
            .select_from(Delivery)
            .join(Resident, Delivery.resident_id == Resident.id)
            .where(
                Delivery.status == "sent",
                *_during(Delivery.sent_at, since, until),
                *_in_zones(Resident.zone, zones),
            )
        )
    ).one()
    return int(row[0]), int(row[1])
