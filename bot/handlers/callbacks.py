"""Button data: short, versioned strings (Telegram allows 64 bytes) and a strict parser.

Anything that does not parse — an old format, a forged value — is treated as a stale button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERNS = {
    "pg": re.compile(r"^pg:(\d{1,9}):(\d{1,3})$"),  # page of a search
    "dt": re.compile(r"^dt:(\d{1,12})$"),  # details of an asset
    "mp": re.compile(r"^mp:(\d{1,12})$"),  # map pin
    "cl": re.compile(r"^cl:(\d{1,12})$"),  # phone number
    "ml": re.compile(r"^ml:(\d{1,12})$"),  # more like this
    "nw": re.compile(r"^nw:(\d{1,9})$"),  # not what I need
    "gr": re.compile(r"^gr:(\d{1,3})$"),  # browse a group of needs
    "ct": re.compile(r"^ct:([a-z0-9-]{1,50})$"),  # browse one need
    "ar": re.compile(r"^ar:(set|skip)$"),  # area
    "mn": re.compile(r"^mn:$"),  # menu
    "vo": re.compile(r"^vo:([a-z0-9]{1,12})$"),  # a step of the /volunteer flow
    "of": re.compile(r"^of:(pause|resume|withdraw|edit):(\d{1,12})$"),  # one of my offers
    "vc": re.compile(r"^vc:(approve|decline):(\d{1,12})$"),  # a coordinator's decision
    "oc": re.compile(r"^oc:(approve|decline):(\d{1,12})$"),  # ... on an offer held for a check
    "iq": re.compile(r"^iq:(\d{1,9})$"),  # ask a volunteer (from a search)
    "ic": re.compile(r"^ic:(\d{1,9}):([bt])$"),  # ... reached through the bot, or by Telegram name
    "ia": re.compile(r"^ia:(yes|no):(\d{1,12})$"),  # the volunteer's answer
    "im": re.compile(r"^im:(\d{1,12})$"),  # send a message through an introduction
    "rl": re.compile(r"^rl:(send|search|done)$"),  # ... a typed text: pass it on, or search; stop
    "fb": re.compile(r"^fb:([yn]):(\d{1,12})$"),  # did the introduction work?
    "oa": re.compile(r"^oa:$"),  # an opportunity for anywhere
    "oi": re.compile(r"^oi:(\d{1,12})$"),  # I'm interested in an opportunity
    "ov": re.compile(r"^ov:(\d{1,12})$"),  # a message between coordinator and interested volunteer
    "ev": re.compile(r"^ev:(\d{1,12}):(\d{1,10})$"),  # one occurrence of an event (minutes since 1970)
    "eg": re.compile(r"^eg:(\d{1,12}):(\d{1,10})$"),  # I'm going
    "en": re.compile(r"^en:(\d{1,12}):(\d{1,10})$"),  # not going after all
    "ec": re.compile(r"^ec:(\d{1,12}):(\d{1,10})$"),  # add to calendar
    "wo": re.compile(r"^wo:$"),  # what's on in the coming week
    "mg": re.compile(r"^mg:$"),  # the events I'm going to
    "st": re.compile(r"^st:(events|news):(on|off)$"),  # a /settings switch (also under alerts)
    "si": re.compile(r"^si:(\d{1,3})$"),  # an interest in /settings
    "bk": re.compile(r"^bk:(all|vol|int)$"),  # who an announcement is for
    "bg": re.compile(r"^bg:(\d{1,3})$"),  # ... the interest
    "bz": re.compile(r"^bz:(\d{1,3})$"),  # ... the zone (0: all of mine)
    "bs": re.compile(r"^bs:(send|discard)$"),  # send it, or not
    "bx": re.compile(r"^bx:(\d{1,12})$"),  # stop sending
    "iz": re.compile(r"^iz:(\d{1,3})$"),  # a zone for an invite (0: create the link)
    "rc": re.compile(r"^rc:(\d{1,12})$"),  # revoke a coordinator
    "ri": re.compile(r"^ri:(\d{1,12})$"),  # cancel an unused invite
    "wi": re.compile(r"^wi:(\d{1,3})$"),  # what's on, one kind of need
    "ne": re.compile(r"^ne:([a-z0-9]{1,12})$"),  # a step of the /newevent flow
    "em": re.compile(r"^em:(\d{1,12})$"),  # manage one event
    "ex": re.compile(r"^ex:(time|place|title|about|places|dates|cancel|confirm|qr):(\d{1,12})$"),
    "ed": re.compile(r"^ed:(\d{1,12}):(\d{1,10})$"),  # call off one date
    "rp": re.compile(r"^rp:([gs]):(7|30|90)$"),  # a coordinator's report (gaps, stats) over N days
    # directory upkeep
    "uc": re.compile(r"^uc:(\d{1,12})$"),  # report a change to an asset
    "uh": re.compile(r"^uh:(done|dismissed):(\d{1,12})$"),  # a coordinator handles a report
    "ur": re.compile(r"^ur:(\d{8}|0):(\d{1,12})$"),  # more to review, after (last checked, asset id)
    "uo": re.compile(r"^uo:(\d{1,12})$"),  # open one listed asset to review: its buttons
    "uv": re.compile(r"^uv:(\d{1,12})$"),  # an asset is still correct
    "ue": re.compile(r"^ue:(\d{1,12})$"),  # edit an asset: which field?
    "uf": re.compile(r"^uf:(name|about|address|phone|web|hours):(\d{1,12})$"),  # edit one field
    "ua": re.compile(r"^ua:(skip|save|discard)$"),  # a step of the /addasset flow
    # privacy: the notice, a copy, forgetting (confirmed within the hour: minutes since 1970),
    # keeping, and the quick exit (deletes the chat from a message id on; 0: the pressed one)
    "pv": re.compile(r"^pv:(notice|copy|forget|keep|yes|exit)(?::(\d{1,12}))?$"),
}


# No id, page or minute the bot puts in a button is this big (PostgreSQL's integer): a larger one
# is forged, and must not reach a query, where PostgreSQL would refuse it.
MAX_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class Press:
    action: str
    args: tuple[str, ...]


def parse(data: str | None) -> Press | None:
    if not data or len(data.encode("utf-8")) > 64:
        return None
    action = data.split(":", 1)[0]
    pattern = _PATTERNS.get(action)
    match = pattern.fullmatch(data) if pattern else None
    if match is None or any(g and g.isdigit() and int(g) > MAX_NUMBER for g in match.groups()):
        return None
    return Press(action, match.groups())


def page(search_id: int, number: int) -> str:
    return f"pg:{search_id}:{number}"


def details(asset_id: int) -> str:
    return f"dt:{asset_id}"


def show_map(asset_id: int) -> str:
    return f"mp:{asset_id}"


def call(asset_id: int) -> str:
    return f"cl:{asset_id}"


def more_like(asset_id: int) -> str:
    return f"ml:{asset_id}"


def not_what_i_need(search_id: int) -> str:
    return f"nw:{search_id}"


def group(index: int) -> str:
    return f"gr:{index}"


def category(category_id: str) -> str:
    return f"ct:{category_id}"


def area(choice: str) -> str:
    return f"ar:{choice}"


def menu() -> str:
    return "mn:"


def volunteer(choice: str) -> str:
    return f"vo:{choice}"


def offer(action: str, offer_id: int) -> str:
    return f"of:{action}:{offer_id}"


def decision(action: str, volunteer_id: int) -> str:
    return f"vc:{action}:{volunteer_id}"


def offer_check(action: str, offer_id: int) -> str:
    """A coordinator's Approve / Decline on an offer held for a safeguarding check."""
    return f"oc:{action}:{offer_id}"


def introduce(search_id: int) -> str:
    return f"iq:{search_id}"


def introduce_via(search_id: int, via: str) -> str:
    return f"ic:{search_id}:{via}"


def intro_answer(answer: str, introduction_id: int) -> str:
    return f"ia:{answer}:{introduction_id}"


def relay(introduction_id: int) -> str:
    return f"im:{introduction_id}"


def relay_choice(choice: str) -> str:
    return f"rl:{choice}"


def feedback(answer: str, introduction_id: int) -> str:
    return f"fb:{answer}:{introduction_id}"


def opportunity_anywhere() -> str:
    return "oa:"


def interested(opportunity_id: int) -> str:
    return f"oi:{opportunity_id}"


def interest_message(interest_id: int) -> str:
    return f"ov:{interest_id}"


def event(event_id: int, minutes: int) -> str:
    return f"ev:{event_id}:{minutes}"


def going(event_id: int, minutes: int) -> str:
    return f"eg:{event_id}:{minutes}"


def not_going(event_id: int, minutes: int) -> str:
    return f"en:{event_id}:{minutes}"


def add_to_calendar(event_id: int, minutes: int) -> str:
    return f"ec:{event_id}:{minutes}"


def whats_on() -> str:
    return "wo:"


def my_rsvps() -> str:
    return "mg:"


def setting(what: str, choice: str) -> str:
    return f"st:{what}:{choice}"


def interest(index: int) -> str:
    return f"si:{index}"


def broadcast_kind(key: str) -> str:
    return f"bk:{key}"


def broadcast_group(index: int) -> str:
    return f"bg:{index}"


def broadcast_zone(index: int) -> str:
    return f"bz:{index}"


def broadcast_send(choice: str) -> str:
    return f"bs:{choice}"


def broadcast_stop(broadcast_id: int) -> str:
    return f"bx:{broadcast_id}"


def whats_on_group(index: int) -> str:
    return f"wi:{index}"


def new_event(choice: str) -> str:
    return f"ne:{choice}"


def manage_event(event_id: int) -> str:
    return f"em:{event_id}"


def event_action(action: str, event_id: int) -> str:
    return f"ex:{action}:{event_id}"


def call_off_date(event_id: int, minutes: int) -> str:
    return f"ed:{event_id}:{minutes}"


def report_period(report: str, days: int) -> str:
    return f"rp:{report}:{days}"


def report_change(asset_id: int) -> str:
    return f"uc:{asset_id}"


def handle_change(status: str, report_id: int) -> str:
    return f"uh:{status}:{report_id}"


def review_after(verified: str, asset_id: int) -> str:
    """VERIFIED is the last shown asset's check date as YYYYMMDD, or "0" for never."""
    return f"ur:{verified}:{asset_id}"


def review_asset(asset_id: int) -> str:
    return f"uo:{asset_id}"


def still_correct(asset_id: int) -> str:
    return f"uv:{asset_id}"


def edit_asset(asset_id: int) -> str:
    return f"ue:{asset_id}"


def edit_asset_field(field: str, asset_id: int) -> str:
    return f"uf:{field}:{asset_id}"


def add_asset(choice: str) -> str:
    return f"ua:{choice}"


def invite_zone(index: int) -> str:
    return f"iz:{index}"


def revoke_coordinator(resident_id: int) -> str:
    return f"rc:{resident_id}"


def revoke_invite(invite_id: int) -> str:
    return f"ri:{invite_id}"


def privacy(action: str, number: int | None = None) -> str:
    return f"pv:{action}" if number is None else f"pv:{action}:{number}"
