"""Write parsed records to the directory in one transaction, updating by (source, external id).

Bulk statements rather than one ORM object per row: a 100,000-service regional feed has to
import in well under two minutes on a two-core machine.

A file never blanks what it does not carry: a field the source has no place for (a spreadsheet
without that column) keeps its stored value. Rows that name the same organisation are one
organisation: where they disagree, the value that changes what is stored wins, so a correction
typed into any one row of an export is taken. One import of a source at a time: on PostgreSQL a
second one, started while the first is writing, stops at once with one line and writes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, exists, func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload
from tqdm import tqdm

from db.clock import session_now
from db.exporters.records import asset_to_record
from db.importers.feed_http import check_url, clean_source, url_source
from db.importers.record import AssetRecord, ImportBusy, OrganisationRecord, ParsedRow, SourceFormatError
from db.importers.sources import default_source, is_url, read_rows
from db.models import Asset, Organisation

CHUNK = 1000
ORGANISATION_FIELDS = ("name", "description", "website", "email", "phone")
# pg_try_advisory_xact_lock(IMPORT_LOCK_CLASS, hashtext(source)): the two-key form, a key space
# apart from the leader election's one-key lock.
IMPORT_LOCK_CLASS = 0x505A
MAX_SOURCE_CHARS = 200  # the width of the source columns
ZoneResolver = Callable[[AssetRecord], str]
# Called inside the import's transaction with the ids of the assets created or updated.
AfterWrite = Callable[[AsyncSession, list[int]], Awaitable[None]]


@dataclass
class ImportReport:
    source: str
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    outside_zones: int = 0  # imported assets that no configured zone covers ...
    no_place: int = 0  # ... of which this many have no town, postcode or position at all

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    def summary(self) -> str:
        return (
            f"{self.source}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )

    def warnings(self) -> list[str]:
        """What the importer should know though nothing went wrong: assets outside every zone
        come in with no zone, so residents searching near home will not find them as local."""
        if not self.outside_zones:
            return []
        n = self.outside_zones
        assets = f"{n} asset is" if n == 1 else f"{n} assets are"
        if self.no_place == n:
            why = "it has no town or postcode" if n == 1 else "none of them has a town or postcode"
        elif self.no_place:
            why = f"{self.no_place} with no town or postcode, the rest in towns and postcodes of no zone"
        else:
            why = (
                "its town or postcode is in no zone" if n == 1 else "their towns and postcodes are in no zone"
            )
        return [
            f"{assets} outside every zone ({why}), so residents near home will not find "
            f"{'it' if n == 1 else 'them'} as local; is this the right file, or are the zones in "
            "the config missing a place?"
        ]


def _progress(rows: Iterable[Any], label: str, show: bool | None) -> Iterator[Any]:
    # disable=None hides the bar when stderr is not a terminal (CI, pipes, eval tools).
    yield from tqdm(rows, desc=label, unit=" rows", disable=None if show else True, leave=False,
                    mininterval=0.5, delay=1.0)  # fmt: skip


def _asset_values(record: AssetRecord, organisation_id: int | None, digest: str) -> dict[str, Any]:
    return {
        "kind": record.kind, "name": record.name, "organisation_id": organisation_id,
        "description": record.description, "taxonomy_terms": record.taxonomy_terms,
        "keywords": record.keywords, "audiences": record.audiences, "min_age": record.min_age,
        "max_age": record.max_age, "eligibility": record.eligibility, "cost": record.cost,
        "access": record.access, "address": record.address, "town": record.town,
        "postcode": record.postcode, "postcode_district": record.postcode_district,
        "latitude": record.latitude, "longitude": record.longitude, "zone": record.zone,
        "phone": record.phone, "email": record.email, "website": record.website,
        "opening_hours": record.opening_hours, "holiday_closures": record.holiday_closures,
        "languages": record.languages, "accessibility": record.accessibility,
        "status": record.status, "last_verified": record.last_verified,
        "attribution": record.attribution, "is_example": record.is_example,
        "source": record.source, "external_id": record.external_id, "content_hash": digest,
    }  # fmt: skip


async def _insert(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    # Core executemany: one round trip per chunk (the ORM bulk path compiles per row group).
    await session.execute(model.__table__.insert(), rows)


async def _update(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    table = model.__table__
    columns = [c for c in rows[0] if c != "id"]
    statement = (
        table.update()
        .where(table.c.id == bindparam("row_id"))
        .values({c: bindparam(f"new_{c}") for c in columns})
    )
    await session.execute(
        statement, [{"row_id": r["id"], **{f"new_{c}": r[c] for c in columns}} for r in rows]
    )


async def _existing(session: AsyncSession, model: Any, keys: list[tuple[str, str]]) -> dict:
    """(source, external_id) -> row for the keys that are already stored."""
    found: dict[tuple[str, str], Any] = {}
    columns = [model.id, model.source, model.external_id]
    if model is Asset:
        columns.append(model.content_hash)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = await session.execute(
            select(*columns).where(tuple_(model.source, model.external_id).in_(chunk))
        )
        for row in rows:
            found[(row.source, row.external_id)] = row
    return found


async def _lock_sources(session: AsyncSession, sources: set[str]) -> None:
    """Hold each source for this transaction; ImportBusy if another import holds one (PostgreSQL).

    Taken before anything is read, so a second import cannot read the directory as it was before
    the first one committed and then insert the same rows (the loser's unique violation)."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite has one writer at a time
    for source in sorted(sources):
        held = await session.scalar(
            select(func.pg_try_advisory_xact_lock(IMPORT_LOCK_CLASS, func.hashtext(source)))
        )
        if not held:
            raise ImportBusy(f"another import of {source} is running; try again when it has finished")


async def _stored_assets(session: AsyncSession, ids: list[int]) -> dict[int, AssetRecord]:
    found: dict[int, AssetRecord] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = await session.scalars(
            select(Asset).options(selectinload(Asset.organisation)).where(Asset.id.in_(chunk))
        )
        found.update({asset.id: asset_to_record(asset) for asset in rows})
    return found


Accepted = dict[tuple[str, str], tuple[str, AssetRecord, frozenset[str]]]  # key -> (ref, record, absent)


async def _keep_stored(session: AsyncSession, accepted: Accepted, existing: dict) -> None:
    """Fill what a source does not carry from the stored asset (new assets keep the defaults)."""
    keys = [key for key, (_, _, absent) in accepted.items() if absent and key in existing]
    stored = await _stored_assets(session, [existing[key].id for key in keys])
    for key in keys:
        _, record, absent = accepted[key]
        if (old := stored.get(existing[key].id)) is not None:
            for name in absent:
                if "." not in name:  # organisation details are settled per organisation
                    setattr(record, name, getattr(old, name))


async def _stored_organisations(session: AsyncSession, keys: list[tuple[str, str]]) -> dict:
    found: dict[tuple[str, str], Any] = {}
    columns = [Organisation.source, Organisation.external_id] + [
        getattr(Organisation, name) for name in ORGANISATION_FIELDS
    ]
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = await session.execute(
            select(*columns).where(tuple_(Organisation.source, Organisation.external_id).in_(chunk))
        )
        found.update({(row.source, row.external_id): row for row in rows})
    return found


async def _settle_organisations(session: AsyncSession, accepted: Accepted) -> None:
    """One OrganisationRecord per organisation, shared by every record that names it.

    Each field is what the rows that carry it say; where they disagree, the last value that
    differs from what is stored (a correction typed into one row of an export); where no row
    carries it, what is stored."""
    copies: dict[tuple[str, str], list[tuple[OrganisationRecord, frozenset[str]]]] = {}
    for _, record, absent in accepted.values():
        if record.organisation and record.organisation.name:
            key = (record.source, record.organisation.external_id)
            copies.setdefault(key, []).append((record.organisation, absent))
    # What is stored matters only where a row leaves something out or the rows disagree (a feed
    # repeats one organisation identically under each of its services).
    settled: dict[tuple[str, str], OrganisationRecord] = {}
    for key, group in copies.items():
        first, absent = group[0]
        if not absent and all(not other_absent and org == first for org, other_absent in group[1:]):
            settled[key] = first
    stored = await _stored_organisations(session, [key for key in copies if key not in settled])
    for key, group in copies.items():
        if key in settled:
            continue
        old = stored.get(key)
        merged = OrganisationRecord(external_id=key[1], name="")
        for name in ORGANISATION_FIELDS:
            before = getattr(old, name) if old is not None else ""
            said = [
                getattr(org, name) for org, absent in group
                if "organisation" not in absent and f"organisation.{name}" not in absent
            ]  # fmt: skip
            changes = [value for value in said if value != before]
            setattr(merged, name, changes[-1] if changes else before)
        settled[key] = merged
    for _, record, _ in accepted.values():
        if record.organisation and record.organisation.name:
            record.organisation = settled[(record.source, record.organisation.external_id)]


async def _organisation_ids(session: AsyncSession, records: list[AssetRecord]) -> dict:
    """Create or refresh the organisations these records name; (source, org id) -> row id."""
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for r in records:
        if r.organisation and r.organisation.name:
            o = r.organisation
            wanted[(r.source, o.external_id)] = {
                "source": r.source, "external_id": o.external_id, "name": o.name,
                "description": o.description, "website": o.website, "email": o.email,
                "phone": o.phone,
            }  # fmt: skip
    existing = await _existing(session, Organisation, list(wanted))
    new = [values for key, values in wanted.items() if key not in existing]
    for start in range(0, len(new), CHUNK):
        await _insert(session, Organisation, new[start : start + CHUNK])
    changed = [{"id": existing[key].id, **values} for key, values in wanted.items() if key in existing]
    for start in range(0, len(changed), CHUNK):
        await _update(session, Organisation, changed[start : start + CHUNK])
    if new:
        existing = await _existing(session, Organisation, list(wanted))
    return {key: row.id for key, row in existing.items()}


async def write_records(
    session: AsyncSession,
    parsed: Iterable[ParsedRow],
    report: ImportReport,
    show: bool | None,
    zone_for: ZoneResolver | None = None,
    refuse_copies: bool = False,
) -> list[int]:
    """Sort rows into rejected / created / updated / unchanged, write them, return changed ids.

    With `refuse_copies` (the source was named after the file, not chosen), a file whose
    services are already in the directory under another source raises AlreadyImported."""
    accepted: Accepted = {}
    for row in _progress(parsed, "reading", show):
        if row.record is None:
            report.rejected.append((row.ref, row.error or "could not be read"))
            continue
        record = row.record
        record.source = clean_source(record.source) if record.source else report.source
        key = (record.source, record.external_id)
        if key in accepted:
            report.rejected.append((row.ref, f"has the same id as {accepted[key][0]}"))
            continue
        accepted[key] = (row.ref, record, row.absent)
    await _lock_sources(session, {report.source} | {source for source, _ in accepted})
    if refuse_copies:
        await _refuse_a_copy(
            session, report.source, [r for (src, _), (_, r, _) in accepted.items() if src == report.source]
        )
    existing = await _existing(session, Asset, list(accepted))
    await _keep_stored(session, accepted, existing)
    await _settle_organisations(session, accepted)
    for key, (ref, record, absent) in list(accepted.items()):
        if zone_for is not None and not record.zone:
            record.zone = zone_for(record)
        if absent and (problems := record.problems()):  # what is stored and what is new, together
            report.rejected.append((ref, "; ".join(problems)))
            del accepted[key]
        elif zone_for is not None and not record.zone:  # in no zone: the summary warns
            report.outside_zones += 1
            report.no_place += not (record.town or record.postcode or record.latitude is not None)
    records = [record for _, record, _ in accepted.values()]
    org_ids = await _organisation_ids(session, records)
    inserts, updates, inserted_keys = [], [], []
    now = session_now(session)
    for record in _progress(records, "writing", show):
        org = record.organisation
        org_id = org_ids.get((record.source, org.external_id)) if org else None
        digest = record.content_hash()
        values = _asset_values(record, org_id, digest)
        stored = existing.get((record.source, record.external_id))
        if stored is None:
            inserts.append({**values, "created_at": now, "updated_at": now})
            inserted_keys.append((record.source, record.external_id))
        elif stored.content_hash == digest:
            report.unchanged += 1
        else:
            updates.append({"id": stored.id, **values, "updated_at": now})
    for start in range(0, len(inserts), CHUNK):
        await _insert(session, Asset, inserts[start : start + CHUNK])
    for start in range(0, len(updates), CHUNK):
        await _update(session, Asset, updates[start : start + CHUNK])
    report.created += len(inserts)
    report.updated += len(updates)
    created = await _existing(session, Asset, inserted_keys) if inserted_keys else {}
    return [row.id for row in created.values()] + [u["id"] for u in updates]


class AlreadyImported(SourceFormatError):
    """The file's services are in the directory already, under another source; nothing is imported."""


COPY_SAMPLE = 1000  # services compared with the directory to tell a copy of a feed imported before


def _same_name(name: str) -> str:
    return " ".join(name.casefold().split())


async def _refuse_a_copy(session: AsyncSession, source: str, records: list[AssetRecord]) -> None:
    """The same feed saved under another file name would be named after that file, a new source,
    and imported a second time beside the first. Before a source's first import, its services are
    compared with the directory: if at least half of them (of the first COPY_SAMPLE) are there
    under one other source, with the same id and name, it is that feed again. Different feeds
    that number their services 1, 2, 3… do not match, as their names differ."""
    if not records or await session.scalar(select(exists().where(Asset.source == source))):
        return  # nothing to compare, or a re-import of this source
    sample = {r.external_id: _same_name(r.name) for r in records[:COPY_SAMPLE]}
    rows = await session.execute(
        select(Asset.source, Asset.external_id, Asset.name).where(
            Asset.external_id.in_(list(sample)), Asset.source != source
        )
    )
    same = Counter(row.source for row in rows if sample.get(row.external_id) == _same_name(row.name))
    if not same:
        return
    other, count = same.most_common(1)[0]
    if 2 * count >= len(sample):
        raise AlreadyImported(
            f"{count} of the {len(sample)} services in {source} are already in the directory, with "
            f"the same ids and names, from {other}: it looks like the same feed under another name. "
            f"To update them, import it with --source {other}; to keep a second copy, give it a new "
            "name with --source"
        )


async def import_source(
    sessions: async_sessionmaker[AsyncSession],
    location: str,
    fmt: str = "auto",
    source: str | None = None,
    zone_for: ZoneResolver | None = None,
    show_progress: bool | None = None,
    after_write: AfterWrite | None = None,
    allow_private: bool = False,
) -> ImportReport:
    """Import a file, folder or URL; all or nothing (SourceFormatError leaves the database alone).

    A URL, and every redirect it leads to, may reach a loopback or private address only with
    `allow_private`. Credentials in a URL or a source name are never stored (see feed_http)."""
    if is_url(location):
        check_url(location)
    named = bool(source)  # chosen with --source, not taken from the file's name
    given = source or (url_source(location, keep_userinfo=True) if is_url(location) else "")
    source = clean_source(source) if source else default_source(location)
    if len(source) > MAX_SOURCE_CHARS:
        raise SourceFormatError(
            f"the source name is longer than {MAX_SOURCE_CHARS} characters; give a shorter one with --source"
        )
    rows = read_rows(location, fmt, source, allow_private=allow_private)
    report = ImportReport(source=source, format=fmt)
    try:
        async with sessions.begin() as session:
            await _lock_sources(session, {source})
            if given and given != source:
                await _rename_source(session, given, source)
            changed = await write_records(
                session, rows, report, show_progress, zone_for, refuse_copies=not named
            )
            if after_write is not None and changed:
                await after_write(session, changed)
    except IntegrityError as exc:
        # The lock makes this rare (SQLite, or a source named only inside the rows of a file): the
        # same rows written by two imports at once. The transaction was rolled back.
        if not any(name in str(exc.orig) for name in _SAME_ROW_CONSTRAINTS):
            raise
        raise ImportBusy(
            f"another import of {source} is running, or wrote the same rows just now; try again"
        ) from None
    return report


# How PostgreSQL (constraint names) and SQLite (columns) say two imports wrote the same row.
_SAME_ROW_CONSTRAINTS = (
    "uq_assets_source",
    "uq_organisations_source",
    "assets.source",
    "organisations.source",
)


async def _rename_source(session: AsyncSession, old: str, new: str) -> None:
    """Rows an earlier version stored under a source with credentials in it take the clean name,
    so the re-import updates them (and exports stop showing the password) instead of duplicating."""
    for model in (Organisation, Asset):
        if not await session.scalar(select(exists().where(model.source == new))):
            await session.execute(update(model).where(model.source == old).values(source=new))
