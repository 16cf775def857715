"""Sending what is due about events — reminders, "it moved", "it's off", new-event alerts — from
rows in the database, at the shared safe rate.

APScheduler (PTB's JobQueue) wakes the sender: once at the next due time (re-armed after every
pass and at start-up, so nothing waits in memory only) and every REMINDER_CHECK_SECONDS as a safety
net for rows another process added.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes

from bot import messages as m
from bot.context import KEY, BotServices
from bot.i18n import formats
from bot.i18n.current import speaking
from bot.senders.sending import SendTally, send_paced
from bot.services import outbox
from bot.services.notices import DueNotice, claim_due, finish, next_due
from bot.services.outbox import WORKER
from bot.views.keyboards import keyboard
from db.models import Reminder

log = logging.getLogger(__name__)
BATCH = 200  # about eight seconds of sending at 25 a second: well inside the claim lease
NEXT_JOB = "notices-next"


async def send_due_notices(app: Application, worker: str = WORKER) -> SendTally:
    """Claim what is due, send it at the safe rate, record each outcome; then re-arm the wake-up."""
    pz: BotServices = app.bot_data[KEY]
    report = SendTally()
    async with pz.sessions.begin() as session:
        report.unknown += await outbox.settle_interrupted(session, Reminder, pz.clock())
    while True:
        async with pz.sessions.begin() as session:
            due = await claim_due(session, pz.clock(), worker, limit=BATCH)
        if not due:
            break
        for notice in due:
            await _send_one(app, pz, notice, worker, report)
    await arm_next(app)
    return report


async def _send_one(
    app: Application, pz: BotServices, notice: DueNotice, worker: str, report: SendTally
) -> None:
    async def begin() -> bool:
        async with pz.sessions.begin() as session:
            return await outbox.begin_send(session, Reminder, notice.reminder_id, worker)

    with speaking(notice.language):  # each notice in its reader's language
        text, markup = compose(notice, pz)
    sent = await send_paced(
        pz.pacer,
        notice.telegram_user_id,
        lambda: app.bot.send_message(
            notice.telegram_user_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        ),
        begin,
    )
    if sent is None:
        return  # another process took it over after our lease ran out
    async with pz.sessions.begin() as session:
        await finish(session, notice.reminder_id, sent.outcome, pz.clock(), unreachable=sent.unreachable)
    report.add(sent)
    if sent.outcome == "failed":
        log.info("a notice could not be delivered (kind=%s)", notice.kind)


def compose(notice: DueNotice, pz: BotServices) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message and its buttons for one notice, in the language being written (`speaking`)."""
    # the buttons are declared by the handlers that answer them, which wake this sender
    from bot.handlers.events import AddToCalendar, EventCard, NotGoing
    from bot.handlers.settings import Setting

    tz = pz.settings.tz
    minutes = int(notice.starts_at.timestamp() // 60)
    fields = {
        "title": m.esc(notice.title),
        "when": formats.day_date_time(notice.starts_at, tz),
        "venue": m.esc(notice.venue or "—"),
    }
    not_going = [(m.BUTTON_NOT_GOING, NotGoing(notice.event_id, minutes).data)]
    if notice.kind == "moved":
        old_start = datetime.fromisoformat(notice.details.get("old_start", notice.starts_at.isoformat()))
        old_venue = notice.details.get("old_venue", notice.venue)
        was = formats.day_date_time(old_start.astimezone(UTC), tz) + (
            f", {m.esc(old_venue)}" if old_venue != notice.venue else ""
        )
        calendar = [(m.BUTTON_ADD_TO_CALENDAR, AddToCalendar(notice.event_id, minutes).data)]
        return m.EVENT_MOVED.format(was=was, **fields), keyboard(not_going, calendar)
    if notice.kind == "cancelled":
        return m.EVENT_CANCELLED.format(**fields), None
    if notice.kind == "new-event":
        details = [(m.BUTTON_EVENT_DETAILS, EventCard(notice.event_id, minutes).data)]
        stop = [(m.BUTTON_STOP_EVENT_ALERTS, Setting("events", "off").data)]
        return m.NEW_EVENT_ALERT.format(**fields), keyboard(details, stop)
    return m.REMINDER.format(**fields), keyboard(not_going)


async def arm_next(app: Application) -> None:
    """One APScheduler job at the next due time; earlier rows added later call `wake_sender`."""
    if app.job_queue is None:
        return
    pz: BotServices = app.bot_data[KEY]
    async with pz.sessions() as session:
        due = await next_due(session)
    for job in app.job_queue.get_jobs_by_name(NEXT_JOB):
        job.schedule_removal()
    if due is not None:
        delay = max((due - pz.clock()).total_seconds(), 0.0)
        app.job_queue.run_once(notice_job, when=delay, name=NEXT_JOB)


def wake_sender(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Something is due now (a change notice, an alert) or earlier than the armed wake-up."""
    if context.application.job_queue is not None:
        context.application.job_queue.run_once(notice_job, when=0)


async def notice_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_due_notices(context.application)
