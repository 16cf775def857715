"""Telegram handlers: thin transport over the services. `register` wires them in order.

Buttons are classes declared next to their handlers (see bot.views.buttons), and so are the flows
(the questions the bot asks and waits for, see bot.handlers.flows): every module that declares one
is imported here, so all of them are registered before the first press or typed answer."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Job,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import logs
from bot.handlers import (
    admin,
    asset_reports,
    broadcasts,
    browse,  # noqa: F401 (no command of its own: imported for its buttons)
    conversation,
    event_admin,
    event_files,
    events,
    fallback,
    flows,
    guard,
    introductions,
    language,
    new_event,
    opportunities,
    privacy,
    reports,
    search,
    settings,
    upkeep,
    volunteering,
)
from bot.senders import announcements, notices, outgoing
from bot.views import buttons

GUARD_GROUP = -2  # before everything: flood control, and leaving groups (see guard.py)
SAFETY_GROUP = -1  # runs first, for every message, whatever else happens
ACTIVITY_GROUP = 1  # after the reply: notes that a known resident was here today
RETENTION_SECONDS = 24 * 60 * 60  # the privacy retention job runs daily
FOLLOW_UP_CHECK_SECONDS = 15 * 60
REMINDER_CHECK_SECONDS = 30  # a safety net: the sender is also armed for the next due time


def register(app: Application, timed_jobs: bool = True) -> None:
    """TIMED_JOBS: also start the repeating jobs here; a webhook worker leaves them to whichever
    process leads (bot.workers), so they run once in a deployment, not once a worker."""
    logs.protect_logs(app.bot.token)  # no message text, token or personal data in any log
    buttons.check_handled()  # a button nobody answers stops the start, not a resident's press
    flows.check_answered()  # so does a question whose typed answer nobody takes
    app.add_handler(TypeHandler(Update, guard.gate), group=GUARD_GROUP)
    app.add_handler(MessageHandler(filters.TEXT | filters.CAPTION, fallback.safety_first), group=SAFETY_GROUP)
    # seen by the safety check, then answered here and never acted on again
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, guard.on_edited))
    app.add_handler(MessageHandler(filters.FORWARDED & filters.COMMAND, guard.on_forwarded_command))
    app.add_handler(CommandHandler("start", conversation.start))
    app.add_handler(CommandHandler("help", conversation.help_command))
    app.add_handler(CommandHandler("menu", conversation.menu_command))
    app.add_handler(CommandHandler("cancel", search.cancel_command))
    app.add_handler(CommandHandler("area", conversation.area_command))
    app.add_handler(CommandHandler("forget", conversation.forget_command))
    app.add_handler(CommandHandler("privacy", privacy.privacy_command))
    app.add_handler(CommandHandler("mydata", privacy.my_data_command))
    app.add_handler(CommandHandler("volunteer", volunteering.start_volunteering))
    app.add_handler(CommandHandler("myoffers", volunteering.my_offers_command))
    app.add_handler(CommandHandler("pending", volunteering.pending_command))
    app.add_handler(CommandHandler("opportunity", opportunities.start))
    app.add_handler(CommandHandler("whatson", events.whats_on))
    app.add_handler(CommandHandler("going", events.my_rsvps))
    app.add_handler(CommandHandler("settings", settings.settings_command))
    app.add_handler(CommandHandler("language", language.language_command))
    app.add_handler(CommandHandler("broadcast", broadcasts.start))
    app.add_handler(CommandHandler("invite", admin.invite_command))
    app.add_handler(CommandHandler("coordinators", admin.coordinators_command))
    app.add_handler(CommandHandler("newevent", new_event.new_event))
    app.add_handler(CommandHandler("myevents", event_admin.my_events))
    app.add_handler(CommandHandler("gaps", reports.gaps_command))
    app.add_handler(CommandHandler("stats", reports.stats_command))
    app.add_handler(CommandHandler("addasset", upkeep.add_asset_command))
    app.add_handler(CommandHandler("review", upkeep.review_command))
    app.add_handler(CommandHandler("reports", asset_reports.reports_command))
    app.add_handler(MessageHandler(filters.COMMAND, fallback.unknown_command))
    app.add_handler(MessageHandler(filters.LOCATION, conversation.location_shared))
    events_file = filters.Document.FileExtension("csv") | filters.Document.FileExtension("ics")
    app.add_handler(MessageHandler(events_file, event_files.on_events_file))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, search.search_text))
    app.add_handler(CallbackQueryHandler(buttons.dispatch))
    app.add_handler(MessageHandler(filters.ALL, fallback.not_text))
    app.add_handler(TypeHandler(Update, privacy.note_seen), group=ACTIVITY_GROUP)
    app.add_error_handler(fallback.on_error)
    if timed_jobs:
        start_timed_jobs(app)


def start_timed_jobs(app: Application) -> list[Job[Any]]:
    """The repeating jobs that scan the outboxes and apply retention; the jobs, so that a worker
    that stops leading can stop them again."""
    if app.job_queue is None:
        return []
    return [  # follow-ups are rows in the database; this only wakes them
        app.job_queue.run_repeating(introductions.follow_up_job, interval=FOLLOW_UP_CHECK_SECONDS, first=60),
        # at start-up: send what fell due while the bot was down, then arm the next due time
        app.job_queue.run_repeating(notices.notice_job, interval=REMINDER_CHECK_SECONDS, first=1),
        # messages to other people: each commit that queues some wakes the sender at once; this
        # sends what another process queued, retries that fell due, and what a crash left
        app.job_queue.run_repeating(outgoing.outgoing_job, interval=outgoing.OUTGOING_CHECK_SECONDS, first=3),
        # announcements interrupted by a crash or restart carry on from where they stopped
        app.job_queue.run_repeating(
            announcements.broadcast_job, interval=announcements.BROADCAST_CHECK_SECONDS, first=2
        ),
        # privacy: blank old need texts, erase inactive residents, delete old sent messages
        app.job_queue.run_repeating(privacy.retention_job, interval=RETENTION_SECONDS, first=5 * 60),
    ]
