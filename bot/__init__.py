"""People Zones Connect: the application (handlers, domain services and the command line)."""

import os

# python-telegram-bot 22 gives durations (a 429's retry_after) as timedelta when this is set, and
# warns on every 429 otherwise; the bot reads either form.
os.environ.setdefault("PTB_TIMEDELTA", "1")

__version__ = "0.1.0"
