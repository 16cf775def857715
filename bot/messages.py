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
    "/volunteer offers your own time or skills; /myoffers shows them.\n"
    "/whatson shows events near you.\n"
    "/cancel stops whatever I was asking.\n"
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
OFFER_STATE = {"active": "open to requests", "paused": "paused"}
OFFER_NOW = {
    "paused": "Paused. Nobody will be matched with this offer until you resume it.",
    "active": "Resumed. Thank you!",
    "withdrawn": "Withdrawn. Thank you for offering.",
}
OFFER_EDIT_ASK = "Type the new words for this offer."
OFFER_EDITED = "Saved. I've noted: <b>{skills}</b>."
COORDINATORS_ONLY = "Sorry, that's for coordinators only."
NOTHING_PENDING = "No volunteers are waiting for a decision."
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
MESSAGE_PASSED_ON = "I've passed that on."
MESSAGE_NOT_DELIVERED = "Sorry, I couldn't pass that on. They may have left the chat."
FOLLOW_UP = "A few days ago you were put in touch about: <i>{need}</i>. Did it work out?"
THANKS_FOR_FEEDBACK = "Thank you for telling me. It helps the coordinators make People Zones better."
BUTTON_IT_WORKED = "Yes, it worked"
BUTTON_IT_DID_NOT = "No, it didn't"
OPPORTUNITY_ASK = "What does the group need help with? For example: <i>food bank needs Saturday drivers</i>."
OPPORTUNITY_ASK_WHERE = "Where is it? Type a postcode or a town, or tap Anywhere."
OPPORTUNITY_NOTICE = "🙌 A local group needs help:\n\n<i>{text}</i>\n\nArea: {area}. Interested?"
OPPORTUNITY_POSTED = "Posted. I've told {count} volunteer(s) whose skills and area fit."
INTEREST_PASSED_ON = "Thank you! I've told the coordinator, who will be in touch."
INTEREST_FOR_COORDINATOR = (
    "A volunteer is interested in: <i>{text}</i>\n\nWhat they offer:\n{offers}\nArea: {area}"
)
RELAYED_FROM_COORDINATOR = "💬 A message from the coordinator about <i>{about}</i>:"
RELAYED_FROM_INTERESTED = "💬 A message from the volunteer interested in <i>{about}</i>:"
BUTTON_INTERESTED = "I'm interested"
WHATS_ON_HEADER = "<b>What's on in the next week:</b>"
EVENT_GONE = "Sorry, that event isn't on any more. Have a look at /whatson for other things on."
NOTHING_ON = "I don't know of anything on in the next week. Try again soon!"
EVENT_DETAILS = "<b>{title}</b>\n🗓 {when}\n📍 {venue}\n{description}{room}"
EVENT_PLACES = "\n🎟 Places left: {left}"
RSVP_REPLIES = {
    "going": "Lovely, you're going! I'll remind you before it starts.",
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
EVENT_ALERTS_ON = (
    "Okay: when a new event is added in {zone}, I'll tell you. Turn it off with the button on any alert."
)
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
    "<b>Check before publishing</b>\n\n<b>{title}</b>\n🗓 {when} ({minutes} minutes)\n🔁 {repeat}\n"
    "📍 {venue} ({zone})\n🎟 Places: {places}\n{description}"
)
BUTTON_PUBLISH = "✅ Publish"
BUTTON_START_AGAIN = "Start again"
BUTTON_DISCARD = "Discard"
NEW_EVENT_DISCARDED = "Okay, I've thrown that away. Nothing was published."
NEW_EVENT_PUBLISHED = (
    "Published! Its link for posters and messages: {link}\n"
    "I've told {alerted} resident(s) who asked for new events in this area."
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
EVENT_CANCELLED_DONE = "Cancelled. I'm telling the {told} people who were going."
PICK_DATE_TO_CALL_OFF = "Which date is off? The others go ahead."
DATE_CALLED_OFF = "{when} is off. I'm telling the {told} people who were going."
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
    "Saved. {moved} people going have been told of the new time or place; {called_off} lost their date."
)
CANCELLED = "Okay, stopped. Nothing from that was saved. What can I help you find?"
NOTHING_TO_CANCEL = "There was nothing to stop. What can I help you find?"
EVENTS_FILE_TOO_BIG = "That file is too big for me (the limit is 2 MB). Could you split it?"
EVENTS_FILE_UNREADABLE = "Nothing was imported: {reason}. The columns are in db/data/event_template.csv."
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
    ("cancel", "Stop what I was asking"),
    ("help", "How to use this bot"),
    ("forget", "Delete what I've saved about you"),
]


def esc(value: object) -> str:
    """Make text from a user or a feed safe inside Telegram HTML."""
    return escape(str(value), quote=False)
