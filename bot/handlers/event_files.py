"""A coordinator sends the bot a .csv or .ics of events: it is imported (`bot.services.event_import`)
and the report comes back row by row; people going to a moved event are told. Each row is held to
what the sender's buttons allow (her zones, her events); refused rows are in the report."""

from __future__ import annotations

import tempfile
from pathlib import Path

from telegram import Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, document, user_id
from bot.handlers.common import tell
from bot.handlers.event_admin import may_coordinate
from bot.senders.notices import wake_sender
from bot.services.event_import import import_event_file
from bot.services.residents import resident_of
from bot.services.roles import coordinator_zones
from db.importers.record import SourceFormatError

MAX_UPLOAD_BYTES = 2_000_000


async def on_events_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A coordinator sends a .csv or .ics of events: import it and report, row by row."""
    if not await may_coordinate(update, context):
        return
    pz, chat, upload = services(context), chat_id(update), document(update)
    if (upload.file_size or 0) > MAX_UPLOAD_BYTES:
        await tell(context, chat, m.EVENTS_FILE_TOO_BIG)
        return
    name = Path(upload.file_name or "events.csv")
    data = await (await upload.get_file()).download_as_bytearray()
    async with pz.sessions() as session:
        resident = await resident_of(session, user_id(update))
        creator = resident.id if resident is not None else None
        writer_zones = await coordinator_zones(session, pz.settings, user_id(update))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{name.suffix.lower()}"
        path.write_bytes(bytes(data))
        try:
            report = await import_event_file(
                pz.sessions, path, f"upload:{name.stem}", pz.zones, pz.clock(), pz.settings.tz,
                pz.settings.reminder_offsets_minutes, created_by=creator, writer_zones=writer_zones,
            )  # fmt: skip
        except SourceFormatError as problem:
            # the reason may quote the file (a header line of any length): cut, to fit one message
            await tell(context, chat, m.EVENTS_FILE_UNREADABLE.format(reason=m.esc(str(problem)[:500])))
            return
    if report.people_told or report.residents_alerted:
        wake_sender(context)
    lines = [m.esc(report.summary())]
    lines += [f"• {m.esc(where[:60])}: {m.esc(why[:160])}" for where, why in report.rejected[:15]]
    if len(report.rejected) > 15:
        lines.append(m.AND_MORE.format(count=len(report.rejected) - 15))
    await tell(context, chat, "\n".join(lines))
