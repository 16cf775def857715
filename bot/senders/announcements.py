"""Sending announcements from the delivery outbox at the shared safe pace, and keeping the
coordinator's status message up to date (sent / failed / remaining, then a summary).

Killed half-way, the next run (at start-up, or another process's) takes up what was left: claims
run out after a lease, and a delivery caught mid-send is `unknown` and not repeated (it may have
arrived). Two processes on one PostgreSQL database never claim the same delivery.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes

from bot import messages as m
from bot.context import KEY, BotServices
from bot.i18n.current import speaking
from bot.senders.sending import SendTally, send_paced
from bot.services import outbox
from bot.services.broadcasts import (
    DueDelivery,
    Progress,
    begin_delivery,
    broadcasts_waiting,
    claim_deliveries,
    finish_delivery,
    finish_if_done,
    progress,
)
from bot.services.outbox import WORKER
from bot.services.residents import language_of
from bot.views.keyboards import keyboard
from db.models import Broadcast, Delivery
from db.session import get_existing

log = logging.getLogger(__name__)
BROADCAST_CHECK_SECONDS = 10


async def send_due_deliveries(app: Application, worker: str = WORKER) -> SendTally:
    """Send every delivery that is due; update each broadcast's status message after each batch."""
    pz: BotServices = app.bot_data[KEY]
    report = SendTally()
    batch = max(10, int(pz.pacer.rate * 2))  # about two seconds: stops and status stay responsive
    async with pz.sessions.begin() as session:
        report.unknown += await outbox.settle_interrupted(session, Delivery, pz.clock())
    while True:
        async with pz.sessions.begin() as session:
            due = await claim_deliveries(session, pz.clock(), worker, batch)
        if not due:
            break
        for delivery in due:
            await _deliver(app, pz, delivery, worker, report)
        for broadcast_id in sorted({d.broadcast_id for d in due}):
            await show_progress(app, broadcast_id)
    async with pz.sessions() as session:
        waiting = await broadcasts_waiting(session)
    for broadcast_id in waiting:  # finished ones get their summary
        await show_progress(app, broadcast_id)
    return report


async def _deliver(
    app: Application, pz: BotServices, delivery: DueDelivery, worker: str, report: SendTally
) -> None:
    async def begin() -> bool:
        async with pz.sessions.begin() as session:
            return await begin_delivery(session, delivery.delivery_id, worker)

    from bot.handlers.settings import Setting  # declared by its handler, which imports this module

    with speaking(delivery.language):  # the header and the button in the reader's language; the
        # coordinator's own words go as they wrote them
        body = m.ANNOUNCEMENT.format(text=m.esc(delivery.text)) if delivery.text else m.ANNOUNCEMENT_HEADER
        markup = keyboard([(m.BUTTON_STOP_ANNOUNCEMENTS, Setting("news", "off").data)])
    chat = delivery.telegram_user_id

    async def send() -> None:
        if delivery.photo_file_id:
            await app.bot.send_photo(
                chat, delivery.photo_file_id, caption=body, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        else:
            await app.bot.send_message(chat, body, parse_mode=ParseMode.HTML, reply_markup=markup)

    sent = await send_paced(pz.pacer, chat, send, begin)
    if sent is None:
        return  # stopped, or another process has it
    async with pz.sessions.begin() as session:
        await finish_delivery(
            session, delivery.delivery_id, sent.outcome, pz.clock(), unreachable=sent.unreachable
        )
    report.add(sent)


async def show_progress(app: Application, broadcast_id: int) -> None:
    """Edit the coordinator's status message: progress while sending, a summary at the end."""
    pz: BotServices = app.bot_data[KEY]
    async with pz.sessions.begin() as session:
        await finish_if_done(session, broadcast_id, pz.clock())
        broadcast = await get_existing(session, Broadcast, broadcast_id)  # broadcasts are never deleted
        done = await progress(session, broadcast_id)
        # edited from the background too: in the coordinator's language, not the job's English
        language = await language_of(session, broadcast.status_chat_id) if broadcast.status_chat_id else None
    if broadcast.status_chat_id is None:
        return
    with speaking(language):
        text, markup = _status(broadcast_id, done)
    await pz.pacer.wait_turn(broadcast.status_chat_id)
    try:
        await app.bot.edit_message_text(
            text,
            broadcast.status_chat_id,
            broadcast.status_message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            log.info("a broadcast status message could not be updated")
    except TelegramError:
        log.info("a broadcast status message could not be updated")


def _status(broadcast_id: int, done: Progress) -> tuple[str, InlineKeyboardMarkup | None]:
    """The status message's text and buttons: progress while sending, a summary at the end."""
    if done.status == "sending":
        from bot.handlers.broadcasts import StopSending  # broadcasts, which answers it, imports this module

        text = m.BROADCAST_PROGRESS.format(
            sent=done.sent, failed=done.failed, remaining=done.remaining, total=done.total
        )
        return text, keyboard([(m.BUTTON_STOP_SENDING, StopSending(broadcast_id).data)])
    template = m.BROADCAST_STOPPED if done.status == "cancelled" else m.BROADCAST_DONE
    text = template.format(
        sent=done.sent,
        failed=done.failed,
        unknown=done.unknown,
        cancelled=done.cancelled,
        people=m.counted(done.total, "person"),
    )
    return text, None


def wake_broadcasts(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.application.job_queue is not None:
        context.application.job_queue.run_once(broadcast_job, when=0)


async def broadcast_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_due_deliveries(context.application)
