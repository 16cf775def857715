"""What a person sees: asset cards, keyboards, and the typed data behind every button.

Handlers (bot.handlers) decide what to say; these modules say how it looks. Nothing here talks to
the database or to Telegram."""
