"""What every handler needs, kept on the Application: settings, database, search, safety, clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram.ext import ContextTypes

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.services.directory import LiveEngine
from bot.services.offer_matching import LiveOffers
from bot.services.pacing import Pacer
from bot.services.places import ZoneMap
from bot.services.safety import SafetyCheck, default_safety_check
from bot.services.search_counts import SearchCounts
from db.session import UpdateSessions

KEY = "peoplezones"


@dataclass
class BotServices:
    settings: Settings
    sessions: UpdateSessions  # inside an update, the update's one session (db.session)
    zones: ZoneMap
    engine: LiveEngine
    search_counts: SearchCounts  # what /stats counts, written a few seconds later together
    offers: LiveOffers = field(default_factory=LiveOffers)
    safety: SafetyCheck = field(default_factory=default_safety_check)
    clock: Clock = system_clock
    # one pace for everything sent in bulk, so reminders and broadcasts together stay under the limits
    pacer: Pacer = field(default_factory=lambda: Pacer(25.0))


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return context.application.bot_data[KEY]
