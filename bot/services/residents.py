"""What the bot keeps about a resident: only their area, and only once they choose to save it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from bot.i18n.current import current
from bot.i18n.languages import ENGLISH
from bot.services.places import Point, distance_km, district_point, district_points
from db.clock import session_now
from db.models import Resident


@dataclass(frozen=True)
class Area:
    label: str  # what to show: "LE4", "Oakham"
    district: str
    zone: str
    point: Point | None


_KNOWN = "residents_by_telegram_id"  # session.info: who was looked up in this transaction
_WATCHED = "residents_cache_watched"  # session.info: the cache is dropped when a transaction ends


def _known(session: AsyncSession) -> dict[int, Resident | None]:
    """The residents SESSION has looked up by Telegram id (None: there is no such resident) while
    its transaction lasts. An update is one session and one transaction (db.session), so every
    handler and service in it shares one SELECT; when the transaction ends the cache goes, so the
    next update (or a job's next transaction) asks the database again."""
    if not session.info.get(_WATCHED):
        session.info[_WATCHED] = True
        event.listen(session.sync_session, "after_transaction_end", _forget_known)
    known: dict[int, Resident | None] = session.info.setdefault(_KNOWN, {})
    return known


def _forget_known(session: Session, transaction: SessionTransaction) -> None:
    # the transaction, or a savepoint (what it added may be gone); not the inner step of a flush
    if transaction.parent is None or transaction.nested:
        session.info.pop(_KNOWN, None)


# built once: this runs in nearly every update
_BY_TELEGRAM_ID = select(Resident).where(Resident.telegram_user_id == bindparam("telegram_user_id"))


async def resident_of(session: AsyncSession, telegram_user_id: int) -> Resident | None:
    """This person's resident row, or None when the bot holds none (looking never creates one).
    Asked of the database once per transaction (see `_known`)."""
    known = _known(session)
    if telegram_user_id not in known:
        known[telegram_user_id] = await session.scalar(
            _BY_TELEGRAM_ID, {"telegram_user_id": telegram_user_id}
        )
    return known[telegram_user_id]


def resident_created(session: AsyncSession, resident: Resident) -> None:
    """A service that has just added (and flushed) a resident row: later lookups find it."""
    _known(session)[resident.telegram_user_id] = resident


def resident_erased(session: AsyncSession, resident_id: int, telegram_user_id: int | None) -> None:
    """A service that has just deleted a resident row with a statement: later lookups in this
    session find nobody, and the deleted row's object is not handed out again."""
    gone = session.identity_map.get(session.identity_key(Resident, resident_id))
    if gone is not None:
        session.expunge(gone)
    if telegram_user_id is not None:
        _known(session)[telegram_user_id] = None


async def telegram_id_of(session: AsyncSession, resident_id: int | None) -> int | None:
    """The Telegram id of the resident with this id (None for no resident, or one erased)."""
    resident = await session.get(Resident, resident_id) if resident_id is not None else None
    return resident.telegram_user_id if resident is not None else None


async def language_of(session: AsyncSession, telegram_user_id: int) -> str:
    """The language to write to this person in when they are not the one talking to the bot: the
    one their resident row keeps, else English (another person's Telegram language is not known)."""
    resident = await resident_of(session, telegram_user_id)
    return resident.language if resident is not None and resident.language else ENGLISH


async def languages_of(session: AsyncSession, telegram_user_ids: Iterable[int]) -> dict[int, str]:
    """`language_of` for everyone told of one thing (an opportunity, a report), in one query."""
    wanted = set(telegram_user_ids)
    known = _known(session)
    missing = [person for person in wanted if person not in known]
    if missing:
        found = {
            resident.telegram_user_id: resident
            for resident in await session.scalars(
                select(Resident).where(Resident.telegram_user_id.in_(missing))
            )
        }
        for person in missing:
            known[person] = found.get(person)
    return {person: await language_of(session, person) for person in wanted}


async def saved_area(session: AsyncSession, telegram_user_id: int) -> Area | None:
    resident = await resident_of(session, telegram_user_id)
    if resident is None or not resident.postcode_district:
        return None
    district = resident.postcode_district
    return Area(district, district, resident.zone, district_point(district))


async def resident_for(session: AsyncSession, telegram_user_id: int) -> Resident:
    """The resident row for someone who has just chosen to do something that needs one; it keeps
    the language they are being written to in now (their Telegram's, or the one they chose)."""
    resident = await resident_of(session, telegram_user_id)
    if resident is None:
        resident = Resident(
            telegram_user_id=telegram_user_id, consented_at=session_now(session), language=current()
        )
        session.add(resident)
        await session.flush()
        resident_created(session, resident)
    return resident


async def save_area(session: AsyncSession, telegram_user_id: int, area: Area) -> None:
    """Keep the postcode district (never a full postcode or a precise location)."""
    resident = await resident_for(session, telegram_user_id)
    resident.postcode_district = area.district
    resident.zone = area.zone
    resident.consented_at = session_now(session)


def nearest_district(point: Point) -> str:
    """The postcode district whose centre is nearest to a shared location."""
    return min(district_points().items(), key=lambda item: distance_km(point, item[1]))[0]


async def choose_language(session: AsyncSession, telegram_user_id: int, code: str) -> Resident:
    """Keep the language this person chose (a row is made for it: the choice is theirs to keep)."""
    resident = await resident_for(session, telegram_user_id)
    resident.language = code
    return resident
