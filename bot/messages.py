"""Everything the bot says, in one place, so it can be reviewed for tone and translated.

Plain British English, short, one idea per message, always a next step. Values that came from
a user or a feed are escaped by the caller (`esc`) before they are put into these strings.

These constants are the English source of the catalogues (bot.i18n.catalogues): `m.WELCOME`
comes out in the language of whoever is being written to (bot.i18n.current), read from
bot/locales/<code>.po, and in English where a translation is missing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from html import escape
from typing import Any

from bot.i18n import catalogues, languages
from bot.i18n.current import current

# --- Safety: the help for each kind of danger the triage finds (bot/services/safety_triage.toml) ---
# Nearest and most specific first; 999 first wherever there is danger now. Checked against each
# organisation's published details; the local (LLR) lines sit beside the national ones.
SAFETY_TITLE = {
    "emergency": "<b>Call 999 now.</b> If you can't talk, call 999 from a mobile and press 55 when asked.",
    "child": "<b>You are not in trouble, and it is not your fault.</b> You can talk to someone now:",
    "self-harm": (
        "<b>I'm really glad you told me. You don't have to face this on your own.</b>\n"
        "If you might act on it now, or have already hurt yourself, call 999."
    ),
    "sexual-violence": (
        "<b>I'm so sorry this happened. It was not your fault.</b>\n"
        "If you are in danger now or just hurt, call 999."
    ),
    "abuse": "<b>You don't deserve this, and help is there.</b> If you are in danger now, call 999.",
    "exploitation": "<b>Help is there, whatever your papers say.</b> If you are in danger now, call 999.",
    "older-adult": "<b>Thank you for speaking up.</b> If someone is in danger now, call 999.",
    "stalking-hate": "<b>This is not OK, and you can get help.</b> If you are in danger now, call 999.",
}
SAFETY_LINES = {
    "emergency": (
        "• Ambulance, fire or police: <b>999</b> (text 999 if you registered with emergencySMS)",
        "• Gas smell or carbon monoxide: leave, then call <b>0800 111 999</b>",
        "• Not sure it's an emergency: NHS <b>111</b>",
    ),
    "child": (
        "• Childline, free, any time, it won't show on the phone bill: <b>0800 1111</b>",
        "• If you are in danger right now: <b>999</b>",
        "• Worried about a child? NSPCC, free: <b>0808 800 5000</b>",
    ),
    "self-harm": (
        "• Samaritans, free, any time: <b>116 123</b>",
        "• If you can't talk, text SHOUT to <b>85258</b>",
        "• NHS <b>111</b>, option 2, for a mental health crisis",
    ),
    "sexual-violence": (
        "• Rape Crisis support line, free, 24 hours: <b>0808 500 2222</b>",
        "• Police: <b>101</b>, or <b>999</b> in an emergency",
    ),
    "abuse": (
        "• National Domestic Abuse Helpline, free, 24 hours: <b>0808 2000 247</b>",
        "• Men's Advice Line, free: <b>0808 801 0327</b>",
        "• If you can't talk, call 999 from a mobile and press <b>55</b>",
    ),
    "exploitation": (
        "• Modern Slavery Helpline, free, 24 hours: <b>08000 121 700</b>",
        "• Forced Marriage Unit: <b>020 7008 0151</b>",
        "• Police: <b>101</b>, or <b>999</b> in an emergency",
    ),
    "older-adult": (
        "• Hourglass, for older people at risk, free: <b>0808 808 8141</b>",
        "• Police: <b>101</b>, or <b>999</b> in an emergency",
    ),
    "stalking-hate": (
        "• National Stalking Helpline: <b>0808 802 0300</b>",
        "• Hate crime: police on <b>101</b>, or report it online to True Vision (report-it.org.uk)",
        "• Crimestoppers, anonymous: <b>0800 555 111</b>",
    ),
}
SAFETY_ALSO = "\n<b>Also:</b>"
SAFETY_CLOSE = "\nYou are not on your own."
# for a reader in another language: these services call in an interpreter (checked with each)
SAFETY_INTERPRETER = (
    "\n999, NHS 111, the National Domestic Abuse Helpline and the Modern Slavery Helpline can "
    "get you an interpreter: when they answer, say the name of your language in English."
)
SAFETY_LOCAL_SUPPORT = "<b>Support near you for this:</b>"
# A group chat or anything without a kind gets the general block.
EMERGENCY = (
    "<b>If you or someone else is in danger right now, call 999.</b>\n\n"
    "You can also talk to someone:\n"
    "• Police, not an emergency: <b>101</b>\n"
    "• Samaritans, any time, free: <b>116 123</b>\n"
    "• National Domestic Abuse Helpline, 24 hours, free: <b>0808 2000 247</b>\n"
    "• Crimestoppers, anonymous: <b>0800 555 111</b>\n\n"
    "You are not on your own."
)


SAFETY_LOCAL_LINE = "• {name}: <b>{phone}</b>"


def safety_help(kinds: list[str], child: bool, local: Sequence[Any] = ()) -> str:
    """The help for the kinds found, the first kind's in full, then the others' lines not yet given.
    A writer who sounds like a child gets the child's words and Childline first. LOCAL lines (the
    config's [[local_help]]: kind, name, phone) follow the first national line of their kind."""
    if child and "child" not in kinds:
        kinds = ["child", *kinds]
    elif child:
        kinds = ["child", *(k for k in kinds if k != "child")]

    def lines_for(kind: str) -> list[str]:
        national = list(_text("SAFETY_LINES")[kind])
        nearby = [
            _text("SAFETY_LOCAL_LINE").format(name=escape(h.name), phone=escape(h.phone))
            for h in local
            if h.kind == kind
        ]
        return national[:1] + nearby + national[1:]

    first, *others = kinds
    lines = [_text("SAFETY_TITLE")[first], "", *lines_for(first)]
    given = set(lines)
    # every block already says 999 for danger now; the emergency lines follow only their own kind
    extra = [line for kind in others if kind != "emergency" for line in lines_for(kind) if line not in given]
    if extra:
        lines += [_text("SAFETY_ALSO"), *dict.fromkeys(extra)]
    if current() != languages.ENGLISH:  # the services that bring in an interpreter say so
        lines.append(_text("SAFETY_INTERPRETER"))
    return "\n".join([*lines, _text("SAFETY_CLOSE")])


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
    "/volunteer offers your own time or skills; /myoffers shows them.\n"
    "/whatson shows events near you; /going shows the ones you're going to.\n"
    "/cancel stops whatever I was asking.\n"
    "/language changes the language I write in.\n"
    "/privacy says what I keep and why; /mydata sends you a copy.\n"
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
NOTHING_NEAR = (
    "Sorry, I couldn't find anything near {place} for <i>{query}</i>. I've noted it, so the people "
    "who run People Zones can see what's missing in that area."
)
NEAR_YOU = "you"
FURTHER_AWAY = "These fit, but they're further away:"
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
SOMETHING_WENT_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."
DATABASE_DOWN = (
    "Sorry, I can't reach my records just now, so I couldn't do that. Anything you did before is "
    "safe. Please try again in a few minutes."
)
EXAMPLE_LABEL = "(example — not a real service)"
OPEN_NOW = "🕒 Open now, closes {time}"
OPEN_ALL_HOURS = "🕒 Open now, day and night"
EVENT_ZONE_NOT_YOURS = (
    "That place is in <b>{zone}</b>, which isn't one of your zones ({zones}). "
    "Type a place in one of your zones, or /cancel."
)
OPENS_AT = "🕒 Closed now, opens {when}"
OPENS_TODAY = "{time}"
OPENS_TOMORROW = "tomorrow {time}"
OPENS_THIS_WEEK = "{day} {time}"
OPENS_NEXT_WEEK = "next {day} {time}"  # the same weekday as today, or later: a week or more ahead
DISTANCE_AWAY = "{km} km away"
STAFF_SPEAK = "🗣 Staff speak: {languages}"  # on a card: the languages, named in the reader's language
# how each side of an introduction is named to the other (a link to them, when they chose one)
YOUR_VOLUNTEER = "your volunteer"
YOUR_NEIGHBOUR = "your neighbour"
THE_VOLUNTEER = "the volunteer"
WHEN_PASSED = "that time has passed"
DBS_ANSWERS = {True: "yes", False: "no", None: "not asked"}
BUTTON_UP_TO_KM = "Up to {km} km"
AREA_ANYWHERE = "anywhere"  # an offer or an opportunity with no one area
# why an interest in an opportunity, or a message about one, was not taken (services.opportunities)
OPPORTUNITY_REFUSED = {
    "closed": "That opportunity is not open any more.",
    "not-approved": "Only approved volunteers can say they are interested.",
    "already": "You have already said you are interested.",
    "ended": "That conversation has ended.",
    "not-yours": "That conversation is not yours.",
}
HOURS_UNKNOWN = ""

BUTTON_SET_AREA = "📍 Set my area"
BUTTON_OFFER_HELP = "🙋 Offer to help"
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

VOLUNTEER_ASK_OFFER = (
    "Thank you for wanting to help! What could you offer? Tell me in your own words, like "
    "<i>I can do basic DIY</i> or <i>I speak Gujarati and Punjabi</i>."
)
VOLUNTEER_CONFIRM_SKILLS = "I've noted: <b>{skills}</b>. Is that right?"
VOLUNTEER_NO_SKILLS = "Thanks. I'll keep your words just as you wrote them."
VOLUNTEER_ASK_WHEN = "When are you usually free? Tap all that fit, then Done."
VOLUNTEER_ASK_WHERE = "Where can you help? Type a postcode or a town, or tap Anywhere."
VOLUNTEER_ASK_DISTANCE = "How far could you go to help?"
DISTANCES_KM = (2, 5, 15)
VOLUNTEER_ASK_CONTACT = (
    "How should people reach you? Through this bot only is safest: nobody sees who you are unless you say so."
)
VOLUNTEER_ASK_DBS = "Some of this is with children or adults who may need care. Do you have a DBS check?"
VOLUNTEER_USE_BUTTONS = "Please tap one of the buttons above, or send /volunteer to start again."
VOLUNTEER_PENDING = (
    "Thank you! A coordinator will look at your offer soon, and I'll tell you when it's approved. "
    "/myoffers shows your offers."
)
VOLUNTEER_ADDED = "Thank you! I've added this to your offers. /myoffers shows them."
COORDINATOR_NEW_OFFER = "A new volunteer offer is waiting for you. Send /pending to see it."
NO_OFFERS = "You haven't offered anything yet. Send /volunteer to start."
YOUR_OFFERS = "Your offers (your volunteering is <b>{status}</b>):"
VOLUNTEER_STATUS = {
    "pending": "waiting for a coordinator",
    "approved": "approved",
    "rejected": "not approved",
}
OFFER_CARD = "<i>{text}</i>\nSkills: {skills}\nNow: {state}"
OFFER_STATE = {
    "active": "open to requests",
    "paused": "paused",
    "held": "waiting for a coordinator to check it",
}
OFFER_NOW = {
    "paused": "Paused. Nobody will be matched with this offer until you resume it.",
    "active": "Resumed. Thank you!",
    "withdrawn": "Withdrawn. Thank you for offering.",
}
OFFER_EDIT_ASK = "Type the new words for this offer."
OFFER_EDITED = "Saved. I've noted: <b>{skills}</b>."
COORDINATORS_ONLY = "Sorry, that's for coordinators only."
NOTHING_PENDING = "No volunteers or offers are waiting for a decision."
PENDING_CARD = "<b>New volunteer</b>\n{offers}\nArea: {area}\nFree: {when}\nDBS check: {dbs}"
ALREADY_DECIDED = "That volunteer has already been decided on."
DECIDED = {"approve": "Approved. I've told them.", "decline": "Declined. I've told them kindly."}
VOLUNTEER_TOLD = {
    "approve": "Good news: a coordinator has approved your volunteering. Thank you!",
    "decline": (
        "Thank you for offering. A coordinator isn't able to take your offer on right now. "
        "You're welcome to offer again another time."
    ),
}
BUTTON_APPROVE = "Approve"
BUTTON_DECLINE = "Decline"
# Safeguarding: an approved volunteer's new offer with children or adults who may need care, from
# someone without a DBS check, waits for a coordinator of their zone before anyone can see it.
VOLUNTEER_OFFER_HELD = (
    "Thank you! Because this is with children or adults who may need care, a coordinator will "
    "have a quick look at it first, to keep everyone safe. I'll tell you as soon as they have. "
    "/myoffers shows your offers."
)
OFFER_CHECK_CARD = (
    "<b>An offer to check</b>\nAn approved volunteer has offered help with children or adults who "
    "may need care. It stays hidden until you approve it.\n\n<i>{text}</i>\nSkills: {skills}\n"
    "Area: {area}\nFree: {when}\nDBS check: {dbs}"
)
OFFER_CHECK_DBS = {False: "no", None: "not sure"}
OFFER_CHECK_DECIDED = {
    "approve": "Approved. The offer is open to requests now, and I've told the volunteer.",
    "decline": "Declined. I've told the volunteer kindly.",
}
OFFER_CHECK_ALREADY = "That offer isn't waiting for a check any more: it has been decided on, or withdrawn."
OFFER_CHECK_TOLD = {
    "approve": (
        "Good news: a coordinator has checked your offer <i>{text}</i>, and it's open to requests "
        "now. Thank you!"
    ),
    "decline": (
        "Thank you for offering <i>{text}</i>. A coordinator isn't able to take this offer on right "
        "now, so it won't be shown to anyone. Nothing else has changed."
    ),
}
VOLUNTEERS_CAN_HELP = "Local volunteers may be able to help with this too. Would you like me to ask one?"
ASK_HOW_TO_REACH_YOU = (
    "How should the volunteer reach you? Through this bot is safest: they won't see who you are."
)
VOLUNTEER_REQUEST = (
    "Hello! A neighbour in <b>{area}</b> has asked for help with:\n\n<i>{need}</i>\n\n"
    "Could you help? They won't see who you are unless you choose to share it."
)
INTRODUCTION_ASKED = "I've asked a volunteer. I'll let you know what they say."
NO_VOLUNTEER_NOW = "Sorry, no volunteer is free for this just now. I've noted it for the coordinators."
VOLUNTEER_ACCEPTED = "Thank you for helping!"
VOLUNTEER_DECLINED_THANKS = "No problem at all. Thank you for letting me know."
RESIDENT_VOLUNTEER_ACCEPTED = "Good news: a volunteer has said they can help."
RESIDENT_VOLUNTEER_DECLINED = (
    "The volunteer I asked can't help this time. Sorry. You can search again, or try /menu."
)
CONTACT_DIRECT = "You can message {link} on Telegram."
CONTACT_VIA_BOT = "To keep things private, send messages through me: tap the button."
TYPE_YOUR_MESSAGE = "Type your message, and I'll pass it on. I won't say who you are."
RELAYED_FROM_VOLUNTEER = "💬 A message from your volunteer:"
RELAYED_FROM_NEIGHBOUR = "💬 A message from the neighbour you're helping:"
MESSAGE_PASSED_ON = "I've passed that on. Anything else you type now goes to them too, until you tap Done."
RELAY_STOPPED = "Okay, I'll stop passing on what you type. To write to them again, tap ✉️ under their message."
PASS_IT_ON_TO_VOLUNTEER = (
    "Is this for your volunteer?\n\n<i>{text}</i>\n\nI'll only pass it on if you say so."
)
PASS_IT_ON_TO_NEIGHBOUR = (
    "Is this for the neighbour you're helping?\n\n<i>{text}</i>\n\nI'll only pass it on if you say so."
)
BUTTON_PASS_IT_ON = "✉️ Yes, pass it on"
BUTTON_SEARCH_FOR_IT = "🔎 No, search for it"
MESSAGE_NOT_DELIVERED = "Sorry, I couldn't pass that on. They may have left the chat."
FOLLOW_UP = "A few days ago you were put in touch about: <i>{need}</i>. Did it work out?"
THANKS_FOR_FEEDBACK = "Thank you for telling me. It helps the coordinators make People Zones better."
BUTTON_IT_WORKED = "Yes, it worked"
BUTTON_IT_DID_NOT = "No, it didn't"
OPPORTUNITY_ASK = "What does the group need help with? For example: <i>food bank needs Saturday drivers</i>."
OPPORTUNITY_ASK_WHERE = "Where is it? Type a postcode or a town, or tap Anywhere."
OPPORTUNITY_NOTICE = "🙌 A local group needs help:\n\n<i>{text}</i>\n\nArea: {area}. Interested?"
OPPORTUNITY_POSTED = "Posted. I've told {volunteers} whose skills and area fit."
INTEREST_PASSED_ON = "Thank you! I've told the coordinator, who will be in touch."
INTEREST_FOR_COORDINATOR = (
    "A volunteer is interested in: <i>{text}</i>\n\nWhat they offer:\n{offers}\nArea: {area}"
)
RELAYED_FROM_COORDINATOR = "💬 A message from the coordinator about <i>{about}</i>:"
RELAYED_FROM_INTERESTED = "💬 A message from the volunteer interested in <i>{about}</i>:"
PASS_IT_ON_TO_COORDINATOR = (
    "Is this for the coordinator of <i>{about}</i>?\n\n<i>{text}</i>\n\nI'll only pass it on if you say so."
)
PASS_IT_ON_TO_INTERESTED = (
    "Is this for the volunteer interested in <i>{about}</i>?\n\n<i>{text}</i>\n\n"
    "I'll only pass it on if you say so."
)
INTEREST_CONVERSATION_ENDED = (
    "That conversation about a group's opportunity has ended, so I can't pass on messages for it "
    "any more. You don't need to do anything."
)
BUTTON_INTERESTED = "I'm interested"
WHATS_ON_HEADER = "<b>What's on in the next week:</b>"
WHATS_ON_GOING = " ✅ you're going"
MY_RSVPS_HEADER = "<b>You're going to:</b>"
MY_RSVPS_LINE = "{n}. <b>{title}</b> — {when}"
NOT_GOING_TO_ANYTHING = (
    "You haven't said you're going to anything coming up. Have a look at what's on, and tap "
    "<i>I'm going</i> on anything you like."
)
EVENT_YOU_ARE_GOING = "✅ <b>You're going.</b> I'll remind you before it starts."
BUTTON_MY_RSVPS = "🎟 Events I'm going to"
BUTTON_WHATS_ON = "🗓 What's on"
BUTTON_NOT_GOING_NUMBERED = "{n} · Not going after all"
EVENT_GONE = "Sorry, that event isn't on any more. Have a look at /whatson for other things on."
NOTHING_ON = "I don't know of anything on in the next week. Try again soon!"
EVENT_DETAILS = "<b>{title}</b>\n🗓 {when}\n📍 {venue}\n{description}{room}"
EVENT_PLACES = "\n🎟 Places left: {left}"
RSVP_REPLIES = {
    "going": "Lovely, you're going! I'll remind you before it starts. /going shows all you're going to.",
    "already": "You're already down as going.",
    "full": "Sorry, it's full. Have a look at /whatson for other things on.",
    "cancelled": "Okay, you're not going after all. I won't send reminders.",
    "not-going": "You weren't down as going, so there's nothing to change.",
}
REMINDER = "⏰ Reminder: <b>{title}</b>\n🗓 {when}\n📍 {venue}"
EVENT_MOVED = (
    "📅 <b>{title}</b> has changed. It's now {when}, at {venue} (it was {was}).\n"
    "You're still down as going, and your reminders have moved with it."
)
EVENT_CANCELLED = (
    "❌ Sorry: <b>{title}</b> on {when} is cancelled. You don't need to do anything.\n"
    "Have a look at /whatson for other things on."
)
NEW_EVENT_ALERT = "🆕 New near you: <b>{title}</b>\n🗓 {when}\n📍 {venue}"
BUTTON_EVENT_DETAILS = "Details"
BUTTON_ABOUT_THE_PLACE = "📍 About {name}"
BUTTON_STOP_EVENT_ALERTS = "Stop new-event alerts"
BUTTON_EVENT_ALERTS_ON = "🔔 Tell me about new events near me"
BUTTON_BY_INTEREST = "🔎 What's on, by interest"
EVENT_ALERTS_NEED_AREA = "Tell me your area first, so I know which events are near you."
EVENT_ALERTS_OFF = "Okay, no more new-event alerts."
PICK_AN_INTEREST = "What kind of thing are you looking for?"
NOTHING_ON_FOR_INTEREST = "I don't know of anything like that on in the next week."
NEW_EVENT_ASK_TITLE = "Let's add an event. What is it called? (for example <i>Friday Youth Club</i>)"
NEW_EVENT_TITLE_LENGTH = "Please give a name between 3 and 200 characters long."
NEW_EVENT_ASK_START = (
    "When does it start? Type a day and time, like <i>Fri 4 Dec 18:00</i>, <i>4/12 6pm</i> or "
    "<i>tomorrow 10:30</i>. If it repeats, give the first date."
)
WHEN_NOT_READ = "Sorry, {reason}."
# Why a typed date and time was not taken (bot/services/when.py), said after "Sorry, "; plain text
# (the handler escapes it, with the words it quotes).
WHEN_NO_TIME = "please give a time as well as a day, like Fri 4 Dec 18:00"
WHEN_WEEKDAY_CLASH = (
    "{date} is a {actual}, not a {typed}. Please check which you meant and type it again, like {retype}"
)
WHEN_UNKNOWN_WORD = (
    'I couldn\'t read "{word}". Try a day and time like Fri 4 Dec 18:00, 4/12 6pm or next tue 10am'
)
WHEN_BARE_NUMBER = 'I couldn\'t tell what "{number}" means. Give the time like 18:00 or 6pm'
WHEN_BAD_TIME = 'there is no time "{time}". Give it like 18:00 or 6pm'
WHEN_BAD_DATE = "there is no {date}. Please check the date"
WHEN_TWO_TIMES = "I found more than one time in that. Please give just the time it starts"
WHEN_TWO_DAYS = "I found more than one day in that. Please give just the day it is on"
WHEN_PASSED = "that time has already passed"
WHEN_CLOCKS_GO_FORWARD = "that time doesn't exist here: the clocks go forward then"
WHEN_TOO_FAR = "that is more than {years} ahead. Is the year right?"
WHEN_THE_DAY = "the {day}"  # "the 31st" that no month has
NEW_EVENT_ASK_LENGTH = (
    "How long is it? Pick one, or type a length (<i>90 minutes</i>) or an end time (<i>20:00</i>)."
)
LENGTH_BUTTONS = {"60": "1 hour", "120": "2 hours", "180": "3 hours"}
LENGTH_NOT_READ = (
    "Sorry, I couldn't read that. Type a length like <i>90 minutes</i> or an end time like <i>20:00</i>."
)
NEW_EVENT_ASK_REPEAT = "Does it repeat?"
REPEAT_BUTTONS = {
    "once": "No, just once",
    "weekly": "Every week",
    "fortnightly": "Every other week",
    "monthly": "Every month, same weekday",
}
NEW_EVENT_ASK_PLACE = "Where is it? Type the place and its postcode, like <i>Braunstone Library, LE3 1JJ</i>."
NEW_EVENT_ASK_AREA = "Which area is that in? Type a postcode, a town or a People Zone."
NEW_EVENT_ASK_PLACES = "How many places are there? Type a number, or:"
PLACES_NOT_READ = "Please type a number of places from 1 to 10,000 (or <i>no limit</i>)."
BUTTON_NO_LIMIT = "No limit"
NO_LIMIT = "no limit"
NEW_EVENT_ASK_ABOUT = "Anything people should know: who it's for, what to bring, the cost?"
BUTTON_SKIP = "Skip"
PICK_A_BUTTON = "Please pick one of the buttons above."
NEW_EVENT_PREVIEW = (
    "<b>Check before publishing</b>\n\n<b>{title}</b>\n🗓 {when} ({length})\n🔁 {repeat}\n"
    "📍 {venue} ({zone})\n🎟 Places: {places}\n{description}"
)
BUTTON_PUBLISH = "✅ Publish"
BUTTON_START_AGAIN = "Start again"
BUTTON_DISCARD = "Discard"
NEW_EVENT_DISCARDED = "Okay, I've thrown that away. Nothing was published."
NEW_EVENT_PUBLISHED = (
    "Published! Its link for posters and messages: {link}\n"
    "I've told {residents} who asked for new events in this area."
)
MY_EVENTS_HEADER = "<b>Your events.</b> Pick one to change it:"
NO_EVENTS_TO_MANAGE = "There are no coming events in your zones. Add one with /newevent."
MANAGE_EVENT = "<b>{title}</b>\n🗓 Next: {when}\n📍 {venue}\n👥 Going next time: {going}\n🔗 {link}"
BUTTON_CHANGE_TIME = "🕒 Change time"
BUTTON_CHANGE_PLACE = "📍 Change place"
BUTTON_RENAME = "✏️ Rename"
BUTTON_CHANGE_ABOUT = "📝 Change description"
BUTTON_CHANGE_PLACES = "🎟 Change places"
BUTTON_POSTER = "🔳 Poster QR code"
BUTTON_CALL_OFF_DATE = "🚫 Call off one date"
BUTTON_CANCEL_EVENT = "❌ Cancel the event"
BUTTON_YES_CANCEL = "Yes, cancel it and tell people"
CONFIRM_CANCEL_EVENT = "Cancel <b>{title}</b> for good? Everyone going will be told."
EVENT_CANCELLED_DONE = "Cancelled. I'm telling {people} who said they were going."
PICK_DATE_TO_CALL_OFF = "Which date is off? The others go ahead."
DATE_CALLED_OFF = "{when} is off. I'm telling {people} who said they were going."
EDIT_PROMPTS = {
    "time": (
        "Type the new day and time of the next date, like <i>Fri 4 Dec 19:00</i>. "
        "Later dates follow the same pattern. People going will be told."
    ),
    "place": "Type the new place and its postcode. People going will be told.",
    "title": "Type the new name.",
    "about": "Type the new description.",
    "places": "Type the number of places, or <i>no limit</i>.",
}
EVENT_CHANGED = (
    "Saved. I've told {moved} who said they were going about the new time or place; "
    "{called_off} lost their date."
)
CANCELLED = "Okay, stopped. Nothing from that was saved. What can I help you find?"
NOTHING_TO_CANCEL = "There was nothing to stop. What can I help you find?"
EVENTS_FILE_TOO_BIG = "That file is too big for me (the limit is 2 MB). Could you split it?"
EVENTS_FILE_UNREADABLE = "Nothing was imported: {reason}. The columns are in db/data/event_template.csv."
# Why one row of an events file was refused (the report lists it by row); plain text, no HTML.
EVENT_ROW_NOT_YOURS = (
    "same id as an event in {zone}, not one of your zones, so that event was left alone: "
    "give this row its own id (your zones: {yours})"
)
EVENT_ROW_NOT_YOUR_ZONE = "{zone} is not one of your zones (yours: {yours})"
EVENT_ROW_NO_ZONE = "no zone found: give a postcode or a zone (yours: {yours})"
EVENT_ROW_TOO_FAR = "{what} ({when}) is more than {years} ahead: is the year right?"
AND_MORE = "… and {count} more."
POSTER_CAPTION = "{title}\nPrint this on a poster: scanning it opens the event in the bot.\n{link}"
CALENDAR_CAPTION = "Open this to add the event to your calendar."
BUTTON_ADD_TO_CALENDAR = "📅 Add to calendar"
BUTTON_GOING = "✅ I'm going"
BUTTON_NOT_GOING = "Not going after all"
BUTTON_ASK_VOLUNTEER = "🙋 Ask a volunteer"
BUTTON_CAN_HELP = "Yes, I can help"
BUTTON_CANNOT_HELP = "Not this time"
BUTTON_SEND_MESSAGE = "✉️ Send a message"
BUTTON_REPLY = "✉️ Reply"
BUTTON_YES = "Yes"
BUTTON_NO = "No"
BUTTON_NOT_SURE = "Not sure"
BUTTON_CHANGE = "Change it"
BUTTON_DONE = "Done"
BUTTON_ANYWHERE = "Anywhere"
BUTTON_CONTACT_BOT = "Through this bot only"
BUTTON_CONTACT_TELEGRAM = "They can see my Telegram name"

COMMANDS = [
    ("start", "Start again"),
    ("menu", "What can I help you find?"),
    ("area", "Set your area"),
    ("volunteer", "Offer your time or skills"),
    ("myoffers", "See and change your offers"),
    ("whatson", "What's on near you"),
    ("going", "Events you're going to"),
    ("settings", "What I tell you about"),
    ("language", "Choose your language"),
    ("cancel", "Stop what I was asking"),
    ("help", "How to use this bot"),
    ("privacy", "What I keep about you, and why"),
    ("mydata", "Get a copy of what I keep"),
    ("forget", "Delete what I've saved about you"),
]

# --- gap reports and numbers ---
PERIOD = "{first} – {last}"
REPORT_ALL_ZONES = "All zones"
REPORT_PERIOD_BUTTONS = {7: "7 days", 30: "30 days", 90: "90 days"}
GAP_UNKNOWN_NEED = "Not recognised as a need"
GAP_NO_AREA = "No area saved"
GAPS_HEADER = "<b>Unmet needs, {period}</b>\n{scope}\n\n{searches} found nothing."
GAPS_TOP = "Most asked for:"
GAPS_LINE = "{rank}. {need}: {count} ({zones})"
GAPS_ZONE = "{zone} {count}"
GAPS_BY_LANGUAGE = "By language: {languages}"
GAPS_LANGUAGE = "{language} {count}"
GAPS_FILES = "A chart and a spreadsheet (CSV) of every zone and need follow."
GAPS_NONE = "Nothing to chart or export for this period."
GAPS_CHART_CAPTION = "Unmet needs, {period}"
GAPS_CSV_CAPTION = "Unmet needs by zone and need, {period}. Opens in Excel."
CHART_TITLE = "Unmet needs, {period}"
CHART_AXIS = "Searches that found nothing"
STATS = (
    "<b>People Zones in numbers, {period}</b>\n{scope}\n\n"
    "Residents: {residents} ({new_residents} new)\n"
    "Searches: {searches} ({answered} found something, {unmet} found nothing)\n"
    "Most searched for: {top}\n"
    "Introductions: {requested} asked for, {accepted} accepted, {worked} said it worked\n"
    "Events added: {events}\n"
    "RSVPs: {rsvps}\n"
    "Broadcasts: {broadcasts} sent, {delivered} delivered\n\n"
    "<i>Counts only: nobody is named and nobody's words are shown.</i>"
)
STATS_TOP_NEED = "{need} {count}"
STATS_NO_TOP = "nothing yet"
STATS_BY_LANGUAGE = "<b>Searches by language</b>"
STATS_LANGUAGE_LINE = "{language}: {searches} ({unmet} found nothing)"


# --- settings and announcements ---
SETTINGS = (
    "<b>Your settings</b>\n📍 Area: {area}\n🔔 New events near you: {events}\n"
    "📣 News from your People Zone: {news}\n⭐ Interests: {interests}\n🌐 Language: {language}\n\n"
    "Tap to change. Interests narrow the events and news you hear about."
)
BUTTON_CHANGE_LANGUAGE = "🌐 Language"
# /language: each language is listed in its own name; the answer comes in the language chosen
LANGUAGE_CHOOSE = (
    "Which language shall I use? Tap one. (Translations other than English are drafts until a "
    "speaker has checked them.)"
)
LANGUAGE_SET = "Okay, I'll write to you in English from now on. /language changes it."
SETTING_ON = "on"
SETTING_OFF = "off"
NO_AREA = "not set"
ALL_INTERESTS = "everything"
BUTTON_CHANGE_AREA = "📍 Change my area"
BUTTON_TOGGLE_EVENTS = {False: "🔔 Tell me about new events", True: "🔕 No new-event alerts"}
BUTTON_TOGGLE_NEWS = {False: "📣 Send me local news", True: "🔇 No local news"}
SETTING_EVENTS_ON = "Okay: when a new event is added in your area, I'll tell you. /settings changes it."
SETTING_NEWS_ON = "Okay, I'll pass on news from your People Zone. /settings changes it."
SETTING_NEWS_OFF = "Okay, no more news from coordinators. /settings turns it back on."
BROADCAST_ASK_MESSAGE = (
    "Send me the announcement: a message, or a photo with a caption. I'll show you how it looks "
    "and how many people it reaches before anything goes out. /cancel stops."
)
BROADCAST_TOO_LONG = "That's a bit long: please keep it under {limit} characters."
BROADCAST_ASK_WHO = "Who is it for?"
BROADCAST_KINDS = {
    "all": "Everyone who asked for local news",
    "vol": "Volunteers",
    "int": "People interested in…",
}
BROADCAST_ASK_INTEREST = "Interested in what?"
BROADCAST_ASK_WHERE = "Where?"
BROADCAST_ALL_MY_ZONES = "All my zones"
WHO_EVERYONE = "everyone who asked for local news"
WHO_VOLUNTEERS = "volunteers"
WHO_INTEREST = "people interested in {group}"
EVERY_ZONE_LABEL = "every zone"
BROADCAST_PREVIEW = "☝️ That is how it will look. It goes to <b>{people}</b>: {who}."
BUTTON_SEND_NOW = "📣 Send it"
BROADCAST_DISCARDED = "Okay, nothing was sent."
BROADCAST_STARTING = "Sending to {people}…"
BROADCAST_PROGRESS = "📣 Sending: {sent} sent, {failed} could not be reached, {remaining} to go (of {total})."
BUTTON_STOP_SENDING = "⏹ Stop sending"
BROADCAST_DONE = (
    "✅ Sent to {sent} of {people}. {failed} could not be reached (they blocked the bot or left); "
    "{unknown} may or may not have arrived (Telegram did not answer in time; not sent again)."
)
BROADCAST_STOPPED = (
    "⏹ Stopped. {sent} of {people} got it; {cancelled} were not sent it; {failed} could not be reached."
)
BROADCAST_ALREADY_OVER = "That announcement has already finished or been stopped."
ANNOUNCEMENT_HEADER = "📣 <b>News from your People Zone</b>"
ANNOUNCEMENT = "📣 <b>News from your People Zone</b>\n\n{text}"
BUTTON_STOP_ANNOUNCEMENTS = "Stop these messages"


# --- directory upkeep ---
BUTTON_REPORT_CHANGE = "✏️ Report a change"
CHANGE_ASK = (
    "What has changed at <b>{name}</b>? (for example: new opening times, it has moved, it has closed)\n\n"
    "The coordinators will only see what you write, never who you are."
)
CHANGE_NOT_READ = (
    "Sorry, I couldn't read that. Please tell me in a few words what has changed, like "
    "<i>it now opens on Saturdays</i>. Or send /cancel."
)
CHANGE_THANKS = (
    "Thank you! I've passed this on to the local coordinators, who will check it. "
    "They don't see who you are, so they won't be able to reply to you. "
    "/mydata shows what you wrote; /forget deletes it."
)
CHANGE_CUT = "\n\n(It was long, so I kept the first 1,000 characters.)"
CHANGE_FOR_COORDINATORS = (
    "📝 <b>A resident says something has changed</b> at <b>{name}</b> ({zone}):\n\n<i>{text}</i>\n\n"
    "Reports are anonymous, so there is nobody to reply to. /reports lists all open ones."
)
CHANGE_CARD = "📝 <b>{name}</b> ({zone}), reported {when}:\n<i>{text}</i>"
CHANGE_WORDS_ERASED = "(the person who sent this has since deleted what they wrote)"
CHANGES_HEADER = "<b>{reports}</b> of changes in your zones, oldest first:"
CHANGES_MORE = "That's the oldest {shown}. Send /reports again for the rest once these are handled."
NO_OPEN_CHANGES = "There are no open reports of changes in your zones. Thank you!"
BUTTON_MARK_DONE = "Mark done"
BUTTON_DISMISS = "Dismiss"
BUTTON_EDIT_THIS_ASSET = "Edit this asset"
CHANGE_HANDLED = {"done": "Marked done. Thank you!", "dismissed": "Dismissed. Thank you."}
CHANGE_ALREADY_HANDLED = "That report was already {status} on {when}, so I've left it as it is."
CHANGE_STATUS_WORDS = {"done": "marked done", "dismissed": "dismissed"}
NOT_YOUR_ZONE = "Sorry, that's outside the zones you look after."
NO_ZONE = "no People Zone"
REVIEW_HEADER = (
    "<b>{count} to check</b>: not checked for over {days}, oldest first. Tap a number to check it:"
)
NOTHING_TO_REVIEW = "Everything in your zones has been checked in the last {days}. Thank you!"
REVIEW_CARD = "<b>{name}</b>\n📍 {place}\n🔎 Last checked: {when}"
REVIEW_LINE = "{n}. <b>{name}</b>\n📍 {place}\n🔎 Last checked: {when}"
REVIEW_NEXT = "<b>More to check</b>, oldest first. Tap a number to check it:"
NEVER_CHECKED = "never"
REVIEW_MORE = "There are more to check: tap More."
REVIEW_END = "That's everything to check for now."
BUTTON_STILL_CORRECT = "✅ Still correct"
BUTTON_EDIT_ASSET = "✏️ Edit"
VERIFIED = "✅ <b>{name}</b>: marked as checked today."
ADD_ASSET_ASK_NAME = (
    "Let's add a place or service to the directory. What is it called? (for example <i>Oakham Warm Space</i>)"
)
ASSET_NAME_NOT_READ = "Please give a name between 3 and 200 characters long."
ADD_ASSET_ASK_ABOUT = (
    "What does it offer? One or two sentences, like "
    "<i>A warm room with free hot drinks, open to everyone</i>."
)
ASSET_ABOUT_NOT_READ = "Please tell me in words what it offers, in one or two sentences."
ADD_ASSET_ASK_ADDRESS = (
    "What's the address, with the postcode? Like <i>Victoria Hall, 39 High Street, Oakham, LE15 6AH</i>."
)
ADDRESS_NOT_READ = (
    "Sorry, I couldn't find a Leicestershire or Rutland postcode in that. Please type the address "
    "with its postcode, like <i>39 High Street, Oakham, LE15 6AH</i>."
)
ADDRESS_OUTSIDE_ZONES = (
    "That postcode is in {zone}, which isn't one of the zones you look after. "
    "Please check it, or send /cancel."
)
ADD_ASSET_ASK_PHONE = "What's the phone number? Or tap Skip."
PHONE_NOT_READ = "That doesn't look like a phone number. Type it like <i>0116 496 0000</i>, or <i>skip</i>."
ADD_ASSET_ASK_WEBSITE = "What's the website? Or tap Skip."
WEBSITE_NOT_READ = (
    "That doesn't look like a web address. Type it like <i>www.example.org</i>, or <i>skip</i>."
)
ADD_ASSET_ASK_HOURS = (
    "When is it open? Type it like <i>Mon-Fri 09:00-17:00; Sat 10:00-13:00</i>, "
    "or tap Skip if it has no regular hours."
)
HOURS_NOT_READ = (
    "Sorry, I couldn't read those hours: {reason}. Type them like <i>Mon-Fri 09:00-17:00</i>, or "
    "with more than one session <i>Mon 09:00-12:00, 13:00-17:00; Sat 10:00-13:00</i>."
)
ASSET_PREVIEW = "<b>Check before saving</b>\n\n{card}\n🗓 {hours}\n🏘 {zone}"
NO_HOURS = "no regular hours"
BUTTON_SAVE = "✅ Save"
ASSET_DISCARDED = "Okay, I've thrown that away. Nothing was saved."
ASSET_SAVED = "Saved! Residents can find it now.\n\n{card}"
EDIT_ASSET_WHICH = "What would you like to change about <b>{name}</b>?"
ASSET_FIELD_BUTTONS = {
    "name": "Name",
    "about": "What it offers",
    "address": "Address",
    "phone": "Phone",
    "web": "Website",
    "hours": "Opening hours",
}
EDIT_ASSET_PROMPTS = {
    "name": "Now: <i>{now}</i>\n\nType the new name.",
    "about": "Now: <i>{now}</i>\n\nType what it offers, in one or two sentences.",
    "address": "Now: <i>{now}</i>\n\nType the new address with its postcode.",
    "phone": "Now: <i>{now}</i>\n\nType the new phone number, or <i>none</i> to remove it.",
    "web": "Now: <i>{now}</i>\n\nType the new website, or <i>none</i> to remove it.",
    "hours": (
        "Now: <i>{now}</i>\n\nType the opening hours like <i>Mon-Fri 09:00-17:00</i>, "
        "or <i>none</i> if it has no regular hours."
    ),
}
NOTHING_YET = "nothing"
ASSET_UPDATED = "Saved, and marked as checked today.\n\n{card}"


# --- admins: coordinators and invites ---
ADMINS_ONLY = "Sorry, that's for admins only."
INVITE_PICK_ZONES = "Which zones will the new coordinator look after? Tap to choose, then create the link."
BUTTON_CREATE_INVITE = "🔗 Create the invite link"
INVITE_NO_ZONES = "Choose at least one zone first."
INVITE_CREATED = (
    "Here is the invite for {zones}. Send it to the new coordinator only: "
    "it works once, until {until}.\n\n{link}"
)
INVITE_NOT_VALID = (
    "Sorry, this invite link has expired or has already been used. Ask the admin for a new one."
)
COORDINATOR_HELP = (
    "<b>For coordinators</b>\n"
    "/newevent, /myevents: events (send a .csv or .ics file to import many).\n"
    "/broadcast: news to residents who asked for it.\n"
    "/reports: changes residents reported; /review: entries to check; /addasset: a new entry.\n"
    "/pending: new volunteers; /opportunity: ask volunteers for help.\n"
    "/gaps, /stats: what people needed and didn't find, and the numbers.\n"
    "/cancel stops whatever I was asking."
)
WELCOME_COORDINATOR = "Welcome! You're now a coordinator for {zones}.\n\n" + COORDINATOR_HELP
ADMIN_HELP = "<b>For admins</b>\n/invite: make someone a coordinator; /coordinators: see and remove them."
INVITE_USED = "Your invite for {zones} has been used: they're a coordinator now."
COORDINATORS_HEADER = "<b>Coordinators</b>"
COORDINATORS_TAP = "Tap one to see who it is in Telegram."
# The bot keeps no one's name: a coordinator is shown by when they joined (the admin who sent the
# invite knows when it was used) and their zones, linked to their Telegram profile.
COORDINATOR_LINE = '{n}. <a href="tg://user?id={telegram_id}">Coordinator since {since}</a>: {zones}'
NO_COORDINATORS = "None yet. /invite makes a link for one."
OPEN_INVITE = "• An unused invite for {zones}, until {until}"
BUTTON_REVOKE = "Remove coordinator {n}"
BUTTON_CANCEL_INVITE = "Cancel the invite (until {until})"
COORDINATOR_REVOKED = "Done: they're not a coordinator any more. I've told them."
YOUR_ROLE_REVOKED = "An admin has ended your coordinator role. Thank you for everything you did."
INVITE_REVOKED = "Done: that invite link won't work now."
ALREADY_REVOKED = "That has already been done."


# --- abuse and bad input ---
SLOW_DOWN = "You're sending messages faster than I can keep up — give me a moment, then try again."
EDITED_MESSAGE = "I saw you changed that message. If you'd like me to look again, send it as a new message."
FORWARDED_COMMAND = "I don't act on commands in forwarded messages. If you meant it, type it yourself."
EMPTY_ANSWER = "Sorry, I couldn't read that. Please type your answer again."
GROUP_NOT_HERE = (
    "Hello! I only work in private chats, so I'll leave this group. "
    "To find help near you, message me here: {link}"
)


# --- privacy ---
PRIVACY_NOTICE = (
    "🔒 <b>What I keep about you, and why</b>\n\n"
    "Until you choose to save something, I keep nothing about you, except what you type when a "
    "search finds nothing or you report a change, and where we are in a conversation (below).\n\n"
    "<b>Once you choose, I keep:</b>\n"
    "• Your Telegram account number (not your name or phone number), so I know it's you, and the "
    "day you last used me.\n"
    "• Your area: only the first part of your postcode, like <i>LE4</i>. Never your full postcode "
    "or where you are. It puts the nearest places first.\n"
    "• Your /settings: new-event alerts, local news, interests and the /language I write in.\n"
    "• Events you say you're going to, and the reminders and news I send you.\n"
    "• If you volunteer: your offers in your own words, when you're free, where and how far you'd "
    "go, how people can reach you, and whether you have a DBS check.\n"
    "• If you ask for a volunteer: what you asked for (the words go after {need_text}), how you want "
    "to be reached, and whether it worked. Messages I pass on between you are not kept.\n"
    "• If you're a coordinator: your role and zones.\n\n"
    "<b>What you type, kept with your account number so /mydata and /forget find it:</b>\n"
    "• When a search finds nothing: your words, your area and the kind of need, so the people who run "
    "me can see what's missing. After {need_text}, the words go, and your account number with them; "
    "only the count stays.\n"
    "• Reports of a change to a place: what you write. Coordinators see your words, never who you are. "
    "The words go {need_text} after you send them, or once a coordinator has dealt with them if "
    "that's later.\n"
    "• Where we are in a conversation: a question I asked, what you've told me so far, and your last "
    "few searches, so the buttons under them keep working. It goes {conversation} after your last "
    "message.\n\n"
    "<b>Kept without your name:</b>\n"
    "• Searches: only a count, by day, area and kind of need. Not your words.\n"
    "• If a message sounds like you're in danger, I show numbers to call. I don't keep what you wrote.\n\n"
    "<b>Who sees it:</b> the People Zones team who run me, only when they need to. Coordinators see "
    "volunteers' offers and areas (to approve them and ask for help) and numbers, never who searched. "
    "Admins see who the coordinators are. A volunteer sees what you asked for and your area, not who "
    "you are, unless you choose. I never sell or share it.\n\n"
    "<b>How long:</b> until you delete it. If you don't use me for {inactive}, I delete it all. "
    "Reminders and news I've sent are cleared after {sent}.\n\n"
    "/mydata sends you a copy of everything. /forget deletes it all."
)
SPAN_ONE_YEAR = "a year"
SPAN_ONE_DAY = "a day"
BUTTON_PRIVACY = "🔒 What I keep about you"
BUTTON_MY_DATA = "📄 Send me a copy"
BUTTON_DELETE_MY_DATA = "🗑 Delete it all"
MY_DATA_NOTHING = (
    "I don't hold anything about you, so there's nothing to send. /privacy says what I would keep."
)
MY_DATA_CAPTION = (
    "This is everything I hold about you, in one file. Each part is one kind of thing, like your "
    "area, your offers or events you're going to. /forget deletes it all."
)
MY_DATA_ABOUT = (
    "Everything People Zones Connect held about you on {when}. Times are UK time. "
    "Each part below is one kind of thing, with its records."
)
MY_DATA_LINKED = (
    "Records of work you did as a coordinator (counts only). If you delete your data, they stay "
    "but no longer say who did them."
)
MY_DATA_TABLES = {
    "residents": "About you",
    "roles": "Your coordinator roles",
    "volunteers": "You as a volunteer",
    "offers": "What you offered",
    "opportunity_interests": "Requests for help you were interested in",
    "needs": "What you asked for: searches that found nothing, and requests for a volunteer",
    "introductions": "Introductions between you and a volunteer or neighbour",
    "rsvps": "Events you said you were going to",
    "reminders": "Reminders and event notices for you",
    "deliveries": "News from coordinators sent to you",
    "outgoing_messages": (
        "Messages waiting to be sent to you, or carrying your words to someone else (emptied once sent)"
    ),
    "asset_reports": "Changes to places you reported",
    "conversation_states": (
        "Where you are in a conversation with me: a question I asked you, what you'd told me so far, "
        "and your last few searches. It goes a week after your last message."
    ),
}
FORGET_ASK = (
    "Delete everything I hold about you? That's your area, settings, offers, events you're going to, "
    "introductions, your last few searches, and what you typed when a search found nothing or you "
    "reported a change (the counts stay, without your words). It can't be undone. (/mydata sends "
    "you a copy first.)"
)
BUTTON_FORGET_YES = "Yes, delete everything"
BUTTON_FORGET_KEEP = "Keep it"
FORGET_KEPT = "Okay, I haven't deleted anything."
FORGET_EXPIRED = (
    "That button is too old, so I haven't deleted anything. Send /forget if you still want me to."
)
INTRODUCTION_ENDED = (
    "One of your introductions has ended, so I can't pass on messages for it any more. "
    "You don't need to do anything."
)
BUTTON_QUICK_EXIT = "🚪 Quick exit"
QUICK_EXIT_DONE = "Cleared."


def esc(value: object) -> str:
    """Make text from a user or a feed safe inside Telegram HTML."""
    return escape(str(value), quote=False)


# --- counts: every number of things said in a message goes through `counted` ---
PLURALS = {
    "person": "people",
    "volunteer": "volunteers",
    "resident": "residents",
    "asset": "assets",
    "search": "searches",
    "report": "reports",
    "open report": "open reports",
    "day": "days",
    "year": "years",
    "minute": "minutes",
    "event": "events",
    "new-event alert": "new-event alerts",
    "need text": "need texts",
    "report text": "report texts",
    "inactive resident": "inactive residents",
    "reminder": "reminders",
    "delivery": "deliveries",
    "other message": "other messages",
    "conversation": "conversations",
}


def need_group(group: str) -> str:
    """A group of needs of the taxonomy ("Food", "Money") as the reader calls it."""
    return catalogues.need_text(current(), f"{catalogues.NEEDS_CONTEXT}.group.{group}", group)


def need(category_id: str, english_name: str) -> str:
    """A need of the taxonomy (its id, and its English name) as the reader calls it."""
    return catalogues.need_text(current(), f"{catalogues.NEEDS_CONTEXT}.need.{category_id}", english_name)


def counted(number: int, noun: str) -> str:
    """'1 person', '3 people', '0 searches': NUMBER with NOUN (a key of PLURALS) in the form the
    reader's language gives that number (Polish and Arabic have several)."""
    return catalogues.plural(current(), noun, _SOURCE["PLURALS"][noun], number)


# --- the terminal chat (`peoplezones chat`, bot/chat.py): the terminal's own words, plain text ---
CHAT_HELP = (
    "The terminal's own commands (the bot's are in /help):\n"
    "  1, 2, …        press the button shown with that number\n"
    "  #2             press button 2 when the bot is waiting for you to type (then a number is text)\n"
    "  /loc LE1 6AA   share a location (or /loc 52.63,-1.13)\n"
    "  /as NAME       talk as someone else (the same person every time); /as admin is the demo's admin\n"
    "  /as NAME LANG  ... whose Telegram is in language LANG (/as amira ar, /as kasia pl, /as raj gu)\n"
    "  /wait 2h       move the clock on (30m, 2h, 1d) and get what falls due on the way\n"
    "  /chathelp      this list      /quit  leave\n"
    "Files and pictures the bot sends are saved in {files}/."
)
CHAT_INTRO = (
    "People Zones Connect in your terminal: the real bot, no Telegram, no network.\n"
    "Type as you would in Telegram."
)
CHAT_NOW_TYPING_AS = "(now typing as {name})"
CHAT_TELEGRAM_LANGUAGE = "(their Telegram is set to language {code}; /language chooses another)"
CHAT_NO_REPLY = "(no reply)"
CHAT_BAD_LOCATION = "Sorry, /loc needs a postcode like LE1 6AA or coordinates like 52.63,-1.13"
CHAT_NO_BUTTONS = "There are no buttons to press just now: type what you need."
CHAT_NO_SUCH_BUTTON = "There is no button {number}; the buttons are 1 to {last}."
CHAT_BUTTON_GONE = "Button {number} is no longer there (the message has changed): use the newest numbers."
CHAT_OPENS_LINK = "(that button opens {url})"
CHAT_NUMBER_AS_TEXT = (
    "(the bot asked you to type, so {number} went as your answer; #{number} presses button {number})"
)
CHAT_FILE_SAVED = "saved: {path}"
CHAT_WAIT_USAGE = "Say how long to wait, like /wait 30m, /wait 2h or /wait 1d."
CHAT_WAIT_TOO_LONG = "That's a long wait: at most 90 days at a time, so try /wait 30d."
CHAT_TIME_STEP = "⏩ {when}"
CHAT_TIME_NOW = "(it is now {when})"


# --- every constant above is the English source; reading one gives it in the reader's language ---
_SOURCE: dict[str, Any] = {name: value for name, value in globals().items() if name.isupper()}
for _name in _SOURCE:
    del globals()[_name]


@functools.cache
def _in_language(code: str, name: str) -> Any:
    return catalogues.translated(code, name, _SOURCE[name])


def _text(name: str) -> Any:
    code = current()
    return _SOURCE[name] if code == languages.ENGLISH else _in_language(code, name)


def __getattr__(name: str) -> Any:
    if name not in _SOURCE:
        raise AttributeError(f"bot.messages has no {name}")
    return _text(name)


def source() -> dict[str, Any]:
    """The English source of every constant, by name (for the catalogues)."""
    return dict(_SOURCE)
