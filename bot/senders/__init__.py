"""Background senders: messages to people other than the one talking to the bot, sent from rows
in the database at the shared safe pace (announcements, event notices, the outgoing outbox), and
the one rate limiter every request to Telegram goes through (sending.PacedRateLimiter)."""
