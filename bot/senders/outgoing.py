"""Sending messages to people other than the one talking to the bot, from the outgoing outbox
(bot.services.outgoing), at the shared pace.

A handler calls `tell_later` inside the transaction of the work that caused the message: the row
commits with that work, or is never written. When that transaction commits, the sender is woken
at once (a job due now, `WAKE_JOB`), so a coordinator hears of a report within a second, not at
the next tick; a repeating job (also run at start-up) sends what another process queued, a retry
that fell due, or what a crash left. Sending follows the outbox rules: each row is claimed, marked
`sending` just before it goes, and sent at most once; a new leader takes over what the old one
held (bot.production).

Replies to the person in front of the bot stay direct (`common.tell`), and so do the two sends
whose outcome the person is told there and then: a message passed on through a relay, and the
request to a volunteer for an introduction (the next volunteer is asked when one cannot be
reached).
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes

from bot.context import KEY, BotServices
from bot.senders.sending import SendTally, send_paced
from bot.services import outbox
from bot.services.outbox import WORKER
from bot.services.outgoing import DueMessage, begin_message, claim_messages, finish_message, queue
from bot.views.keyboards import keyboard
from db.models import OutgoingMessage

log = logging.getLogger(__name__)
WAKE_JOB = "outgoing-now"
OUTGOING_CHECK_SECONDS = 30  # the safety net; a commit that queued messages wakes the sender at once
_WAKE_ARMED = "outgoing_wake_armed"  # session.info: a wake-up is already waiting for this commit


def tell_later(
    app: Application,
    session: AsyncSession,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    kind: str,
    written_by: int | None = None,
) -> None:
    """Queue HTML TEXT (and inline buttons) for CHAT_ID in SESSION's transaction; the sender
    is woken when it commits. WRITTEN_BY: the Telegram id of whoever's words the text carries."""
    rows = markup.inline_keyboard if markup else ()
    buttons = [[(button.text, str(button.callback_data)) for button in row] for row in rows]
    queue(session, chat_id, text, kind=kind, buttons=buttons, written_by=written_by)
    _wake_after_commit(app, session.sync_session)


def _wake_after_commit(app: Application, session: Session) -> None:
    """Wake the sender once SESSION's transaction has committed (before it, the rows cannot be
    seen; if it rolls back, there is nothing to send)."""
    if session.info.get(_WAKE_ARMED):
        return
    session.info[_WAKE_ARMED] = True

    def committed(_session: Session) -> None:
        session.info.pop(_WAKE_ARMED, None)
        wake(app)

    event.listen(session, "after_commit", committed, once=True)


def wake(app: Application) -> None:
    """Run the sender now, unless a run that has not started yet is already waiting."""
    if app.job_queue is not None and not app.job_queue.get_jobs_by_name(WAKE_JOB):
        app.job_queue.run_once(outgoing_job, when=0, name=WAKE_JOB)


async def send_due_messages(app: Application, worker: str = WORKER) -> SendTally:
    """Claim what is due, send it at the shared pace, record each outcome."""
    pz: BotServices = app.bot_data[KEY]
    report = SendTally()
    batch = max(10, int(pz.pacer.rate * 2))  # about two seconds of sending: well inside the lease
    async with pz.sessions.begin() as session:
        report.unknown += await outbox.settle_interrupted(session, OutgoingMessage, pz.clock())
    while True:
        async with pz.sessions.begin() as session:
            due = await claim_messages(session, pz.clock(), worker, batch)
        if not due:
            return report
        for message in due:
            await _send_one(app, pz, message, worker, report)


async def _send_one(
    app: Application, pz: BotServices, message: DueMessage, worker: str, report: SendTally
) -> None:
    async def begin() -> bool:
        async with pz.sessions.begin() as session:
            return await begin_message(session, message.message_id, worker)

    markup = keyboard(*message.buttons) if message.buttons else None

    async def send() -> None:
        await app.bot.send_message(
            message.chat_id, message.text, parse_mode=ParseMode.HTML, reply_markup=markup
        )

    sent = await send_paced(pz.pacer, message.chat_id, send, begin)
    if sent is None:
        return  # another process has it, or it was erased
    async with pz.sessions.begin() as session:
        await finish_message(
            session, message.message_id, sent.outcome, pz.clock(), unreachable=sent.unreachable
        )
    report.add(sent)
    if sent.outcome == "failed":
        log.info("a message to another person could not be delivered (kind=%s)", message.kind)


async def outgoing_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_due_messages(context.application)
