"""Everything the bot says, in one place, so it can be reviewed for tone and translated.

Plain British English, short, one idea per message, always a next step. Values that came from
a user or a feed are escaped by the caller (`esc`) before they are put into these strings.
"""

from __future__ import annotations

from html import escape

EMERGENCY = (
    "<b>If you or someone else is in danger right now, call 999.</b>\n\n"
    "You can also talk to someone:\n"
    "• Police, not an emergency: <b>101</b>\n"
    "• Samaritans, any time, free: <b>116 123</b>\n"
    "• National Domestic Abuse Helpline, 24 hours, free: <b>0808 2000 247</b>\n"
    "• Crimestoppers, anonymous: <b>0800 555 111</b>\n\n"
    "You are not on your own."
)
WELCOME = (
    "Hello! I'm <b>People Zones Connect</b>. I help you find people, groups and services near you "
    "in Leicester, Leicestershire and Rutland.\n\n"
    "I don't keep anything about you unless you choose to save something, like your area."
)
ASK_NEED = "What can I help you find? Type it in your own words, or tap a button."
HELP = (
    "Tell me what you need in your own words, like <i>food bank near LE4</i> or "
    "<i>somewhere for my lad after school</i>.\n\n"
    "/menu shows the main choices.\n"
    "/area sets your area, so the nearest places come first.\n"
    "/forget deletes what I've saved about you.\n"
    "/help shows this message."
)
ASK_AREA = (
    "Where are you? Type a postcode (like <i>LE4</i> or <i>LE1 6AA</i>) or a town, "
    "or share your location. Or tap Skip."
)
AREA_SAVED = "Thanks. I'll remember <b>{area}</b> so the nearest places come first. /forget removes it."
AREA_UNKNOWN = (
    "Sorry, I don't know where <i>{text}</i> is. Try a postcode like <i>LE4</i>, a town like "
    "<i>Oakham</i>, or tap Skip."
)
AREA_SKIPPED = "No problem. I'll show places from across the area."
FORGOTTEN = "Done. I've deleted what I had saved about you."
NOTHING_TO_FORGET = "I don't have anything saved about you."
TELL_ME_MORE = (
    "Hello! What can I help you find? Type what you need, like <i>food bank near LE4</i>, or tap a button."
)
RESULTS_HEADER = "Here's what I found for <i>{query}</i>:"
BROWSE_HEADER = "<b>{category}</b> — here's what I found:"
NEAREST_ALTERNATIVES = "These are the closest things I have. They may still help:"
NO_MATCH = (
    "Sorry, I couldn't find anything that fits <i>{query}</i>. I've noted it, so the people who "
    "run People Zones can see what's missing in your area."
)
NOT_WHAT_I_NEED = (
    "Thanks for telling me. I've noted it, so the people who run People Zones can see what's "
    "missing. You could try other words, or browse:"
)
PAGE_END = "That's everything I found."
CHOOSE_GROUP = "Pick one:"
CHOOSE_CATEGORY = "<b>{group}</b> — what are you looking for?"
EMPTY_CATEGORY = "I don't have anything for <b>{category}</b> yet. I've noted it."
NO_MAP = "Sorry, I don't have a map pin for <b>{name}</b>."
NO_PHONE = "Sorry, I don't have a phone number for <b>{name}</b>."
CALL = "📞 <b>{name}</b>: {phone}"
STALE_BUTTON = "Sorry, that button is from an old message. Here's the menu again."
NOT_UNDERSTOOD_MEDIA = "Sorry, I can only read typed messages. Please type what you need."
UNKNOWN_COMMAND = "Sorry, I don't know that command. Try /help or just type what you need."
EMPTY_TEXT = "Please type what you need, like <i>food bank near LE4</i>."
SOMETHING_WENT_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."
EXAMPLE_LABEL = "(example — not a real service)"
OPEN_NOW = "🕒 Open now, closes {time}"
OPENS_AT = "🕒 Closed now, opens {when}"
HOURS_UNKNOWN = ""

BUTTON_SET_AREA = "📍 Set my area"
BUTTON_SKIP = "Skip"
BUTTON_SHARE_LOCATION = "📍 Share my location"
BUTTON_BROWSE = "🔎 Browse"
BUTTON_MORE = "More ▶"
BUTTON_BACK = "◀ Back"
BUTTON_NOT_WHAT_I_NEED = "Not what I need"
BUTTON_DETAILS = "{n} · Details"
BUTTON_MAP = "🗺 Map"
BUTTON_CALL = "📞 Call"
BUTTON_MORE_LIKE_THIS = "More like this"
BUTTON_MENU = "Menu"

COMMANDS = [
    ("start", "Start again"),
    ("menu", "What can I help you find?"),
    ("area", "Set your area"),
    ("help", "How to use this bot"),
    ("forget", "Delete what I've saved about you"),
]


def esc(value: object) -> str:
    """Make text from a user or a feed safe inside Telegram HTML."""
    return escape(str(value), quote=False)
