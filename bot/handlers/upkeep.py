"""Directory upkeep in the chat: coordinators check assets nobody has verified for a while
(/review), add assets (/addasset) and correct them. (Residents' "report a change" and /reports are
`asset_reports`.)

The coordinator's role is checked on the server at every typed answer and every button press, so a
forged button, a resident, or a coordinator whose role was taken away changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.common import tell
from bot.handlers.conversation import menu_keyboard
from bot.handlers.flows import Flow, stepless
from bot.i18n import formats
from bot.services.roles import coordinator_zones, covers
from bot.services.upkeep import (
    Cursor,
    assets_to_review,
    count_to_review,
    create_asset,
    draft_asset,
    find_asset,
    local_today,
    mark_verified,
    means_nothing,
    read_address,
    read_description,
    read_hours,
    read_name,
    read_phone,
    read_website,
    update_asset,
)
from bot.views import cards
from bot.views.buttons import Button, Pattern, on_press
from bot.views.keyboards import button_label, keyboard
from db.hours import HoursError, format_hours
from db.models import Asset

# /addasset, one question at a time in this order ({"values": the columns so far}), then a preview
ADD = Flow(
    "asset_add_flow",
    ("name", "about", "address", "phone", "web", "hours", "preview"),
    pressed=frozenset({"preview"}),
)
# a coordinator is typing a new value for one field ({"asset_id", "field"}); older versions: no step
EDIT = Flow("asset_edit", ("new_value",), legacy=stepless("new_value"))
REVIEW_PAGE = 10
OPTIONAL = frozenset({"phone", "web", "hours"})
_ASK = {
    "name": m.ADD_ASSET_ASK_NAME,
    "about": m.ADD_ASSET_ASK_ABOUT,
    "address": m.ADD_ASSET_ASK_ADDRESS,
    "phone": m.ADD_ASSET_ASK_PHONE,
    "web": m.ADD_ASSET_ASK_WEBSITE,
    "hours": m.ADD_ASSET_ASK_HOURS,
}
_EMPTY: dict[str, dict[str, Any]] = {
    "phone": {"phone": ""},
    "web": {"website": ""},
    "hours": {"opening_hours": []},
}


# ----- shared pieces --------------------------------------------------------------------------------


def _today(context: ContextTypes.DEFAULT_TYPE) -> date:
    pz = services(context)
    return local_today(pz.clock(), pz.settings.tz)


def day_label(moment: date | datetime, context: ContextTypes.DEFAULT_TYPE) -> str:
    if isinstance(moment, datetime):
        moment = moment.astimezone(services(context).settings.tz)
    return formats.full_date(moment)


async def stale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(chat_id(update), m.STALE_BUTTON, reply_markup=menu_keyboard())


async def zones_or_refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> set[str] | None:
    """The zones this person coordinates, asked of the database now; None (after a polite no, and
    forgetting any half-done coordinator flow) for everyone else."""
    pz = services(context)
    async with pz.sessions() as session:
        zones = await coordinator_zones(session, pz.settings, user_id(update))
    if not zones:
        ADD.close(context)
        EDIT.close(context)
        await tell(context, chat_id(update), m.COORDINATORS_ONLY)
        return None
    return zones


async def _asset_in_zones(
    update: Update, context: ContextTypes.DEFAULT_TYPE, zones: set[str], asset_id: int
) -> Asset | None:
    """The asset, if it exists and is in one of ZONES; otherwise say why and return None."""
    async with services(context).sessions() as session:
        asset = await find_asset(session, asset_id)
    if asset is None:
        await stale(update, context)
        return None
    if not covers(zones, asset.zone):
        await tell(context, chat_id(update), m.NOT_YOUR_ZONE)
        return None
    return asset


def _card(asset: Asset, context: ContextTypes.DEFAULT_TYPE) -> str:
    pz = services(context)
    return cards.details(asset, pz.clock(), pz.settings.tz)[0]


# ----- coordinators: /review ------------------------------------------------------------------------


async def review_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _review_page(update, context, None)


@dataclass(frozen=True)
class ReviewMore(Button, prefix="ur"):
    """'More' under a /review list: the assets after the last one shown."""

    verified: Annotated[str, Pattern("[0-9]{8}|0")]  # its last check, YYYYMMDD, or 0 for never
    asset_id: int


@on_press(ReviewMore)
async def on_review_more(update: Update, context: ContextTypes.DEFAULT_TYPE, press: ReviewMore) -> None:
    await query(update).answer()
    verified = press.verified
    try:
        checked = None if verified == "0" else datetime.strptime(verified, "%Y%m%d").date()
    except ValueError:
        await stale(update, context)
        return
    await _review_page(update, context, Cursor(checked, press.asset_id))


async def _review_page(update: Update, context: ContextTypes.DEFAULT_TYPE, after: Cursor | None) -> None:
    """Up to REVIEW_PAGE assets due a check in one numbered list, each with its own numbered button
    that opens its card and actions, then 'More' when there are more."""
    if (zones := await zones_or_refuse(update, context)) is None:
        return
    pz, chat = services(context), chat_id(update)
    days = pz.settings.verify_after_days
    due_before = _today(context) - timedelta(days=days)
    async with pz.sessions() as session:
        found = await assets_to_review(session, zones, due_before, REVIEW_PAGE + 1, after)
        total = await count_to_review(session, zones, due_before) if after is None else 0
    if not found:
        await tell(
            context,
            chat,
            m.NOTHING_TO_REVIEW.format(days=m.counted(days, "day")) if after is None else m.REVIEW_END,
        )
        return
    shown = found[:REVIEW_PAGE]
    header = (
        m.REVIEW_HEADER.format(count=total, days=m.counted(days, "day")) if after is None else m.REVIEW_NEXT
    )
    lines = [header, *(_review_line(n, asset, context) for n, asset in enumerate(shown, start=1))]
    rows = [
        [(f"{n} · {button_label(asset.name)}", ReviewAsset(asset.id).data)]
        for n, asset in enumerate(shown, start=1)
    ]
    if len(found) > REVIEW_PAGE:
        last = shown[-1]
        verified = last.last_verified.strftime("%Y%m%d") if last.last_verified else "0"
        lines.append(m.REVIEW_MORE)
        rows.append([(m.BUTTON_MORE, ReviewMore(verified, last.id).data)])
    await tell(context, chat, cards.fit("\n\n".join(lines)), keyboard(*rows))


def _place_and_checked(asset: Asset, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, str]:
    place = ", ".join(p for p in (asset.address, asset.town, asset.postcode) if p) or m.NO_ZONE
    when = day_label(asset.last_verified, context) if asset.last_verified else m.NEVER_CHECKED
    return m.esc(cards.clip(place, cards.PLACE_CHARS)), when


def _review_line(n: int, asset: Asset, context: ContextTypes.DEFAULT_TYPE) -> str:
    place, when = _place_and_checked(asset, context)
    return m.REVIEW_LINE.format(n=n, name=cards.name(asset), place=place, when=when)


def _review_card(asset: Asset, context: ContextTypes.DEFAULT_TYPE) -> str:
    place, when = _place_and_checked(asset, context)
    return m.REVIEW_CARD.format(name=cards.name(asset), place=place, when=when)


@dataclass(frozen=True)
class ReviewAsset(Button, prefix="uo"):
    """One asset of the /review list: its card and actions."""

    asset_id: int


@dataclass(frozen=True)
class StillCorrect(Button, prefix="uv"):
    """'Still correct': the asset is checked today."""

    asset_id: int


@on_press(ReviewAsset)
async def on_review_asset(update: Update, context: ContextTypes.DEFAULT_TYPE, press: ReviewAsset) -> None:
    """A numbered button of the /review list: that asset's card, with 'Still correct' and 'Edit'."""
    await query(update).answer()
    if (zones := await zones_or_refuse(update, context)) is None:
        return
    if (asset := await _asset_in_zones(update, context, zones, press.asset_id)) is None:
        return
    await tell(context, chat_id(update), _review_card(asset, context), _review_keyboard(asset.id))


def _review_keyboard(asset_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            (m.BUTTON_STILL_CORRECT, StillCorrect(asset_id).data),
            (m.BUTTON_EDIT_ASSET, EditAsset(asset_id).data),
        ]
    )


@on_press(StillCorrect)
async def on_still_correct(update: Update, context: ContextTypes.DEFAULT_TYPE, press: StillCorrect) -> None:
    """'Still correct': checked today; the card loses its buttons so it is not pressed again."""
    await query(update).answer()
    if (zones := await zones_or_refuse(update, context)) is None:
        return
    if (asset := await _asset_in_zones(update, context, zones, press.asset_id)) is None:
        return
    async with services(context).sessions.begin() as session:
        await mark_verified(session, asset.id, _today(context))
    text = m.VERIFIED.format(name=cards.name(asset))
    try:
        await query(update).edit_message_text(text, parse_mode=ParseMode.HTML)
    except BadRequest:  # too old to edit, or pressed twice: say it in a new message
        await tell(context, chat_id(update), text)


# ----- coordinators: /addasset ----------------------------------------------------------------------


async def add_asset_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await zones_or_refuse(update, context) is None:
        return
    ADD.open(context, ADD.steps[0], values={})
    await _ask(context, chat_id(update), ADD.steps[0])


async def _ask(context: ContextTypes.DEFAULT_TYPE, chat: int, step: str) -> None:
    skip = keyboard([(m.BUTTON_SKIP, AddAsset("skip").data)]) if step in OPTIONAL else None
    await tell(context, chat, _ASK[step], skip)


@ADD.on_text
async def on_add_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """A typed answer to the question /addasset is on."""
    if (zones := await zones_or_refuse(update, context)) is None:
        return
    if ADD.at(context, *ADD.pressed):
        await tell(context, chat_id(update), m.PICK_A_BUTTON)
        return
    flow = ADD.current(context)
    values = await _read_field(update, context, zones, flow["step"], text)
    if values is not None:
        flow["values"].update(values)
        await _next_step(update, context, flow)


async def _next_step(update: Update, context: ContextTypes.DEFAULT_TYPE, flow: dict[str, Any]) -> None:
    """On to the next question, or, after the last, the preview."""
    step = ADD.steps[ADD.steps.index(flow["step"]) + 1]
    ADD.go(context, step)
    if step == "preview":
        await _preview(update, context, flow["values"])
        return
    await _ask(context, chat_id(update), step)


async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE, values: dict[str, Any]) -> None:
    draft = draft_asset(values)
    text = cards.fit(
        m.ASSET_PREVIEW.format(
            card=_card(draft, context),
            hours=m.esc(format_hours(draft.opening_hours)) or m.NO_HOURS,
            zone=m.esc(draft.zone or m.NO_ZONE),
        )
    )
    buttons = keyboard([(m.BUTTON_SAVE, AddAsset("save").data), (m.BUTTON_DISCARD, AddAsset("discard").data)])
    await tell(context, chat_id(update), text, buttons)


@dataclass(frozen=True)
class AddAsset(Button, prefix="ua"):
    """A step of the /addasset flow: skip an optional question; save or discard the preview."""

    choice: Literal["skip", "save", "discard"]


@on_press(AddAsset)
async def on_add_button(update: Update, context: ContextTypes.DEFAULT_TYPE, press: AddAsset) -> None:
    """Skip (an optional question), Save or Discard (the preview)."""
    await query(update).answer()
    choice = press.choice
    if not ADD.at(context, *(OPTIONAL if choice == "skip" else ("preview",))):
        await stale(update, context)
        return
    if (zones := await zones_or_refuse(update, context)) is None:
        return
    flow = ADD.current(context)
    if choice == "skip":
        flow["values"].update(_EMPTY[flow["step"]])
        await _next_step(update, context, flow)
    elif choice == "discard":
        ADD.close(context)
        await tell(context, chat_id(update), m.ASSET_DISCARDED)
    else:
        await _save(update, context, zones, ADD.take(context)["values"])


async def _save(
    update: Update, context: ContextTypes.DEFAULT_TYPE, zones: set[str], values: dict[str, Any]
) -> None:
    if not covers(zones, values.get("zone", "")):  # the role may have changed since the address
        await tell(context, chat_id(update), m.NOT_YOUR_ZONE)
        return
    async with services(context).sessions.begin() as session:
        asset = await create_asset(session, values, _today(context))
    services(context).engine.invalidate()  # residents find it at once
    await tell(
        context, chat_id(update), m.ASSET_SAVED.format(card=_card(asset, context)),
        keyboard([(m.BUTTON_EDIT_ASSET, EditAsset(asset.id).data)]),
    )  # fmt: skip


async def _read_field(
    update: Update, context: ContextTypes.DEFAULT_TYPE, zones: set[str], field: str, text: str
) -> dict[str, Any] | None:
    """The columns a typed answer sets, or None after saying what to fix (the question stands)."""
    chat, pz = chat_id(update), services(context)
    if field in OPTIONAL and means_nothing(text):
        return dict(_EMPTY[field])
    if field == "name":
        value = read_name(text)
        return {"name": value} if value else await _say(context, chat, m.ASSET_NAME_NOT_READ)
    if field == "about":
        value = read_description(text)
        return {"description": value} if value else await _say(context, chat, m.ASSET_ABOUT_NOT_READ)
    if field == "address":
        if (place := read_address(text, pz.zones)) is None:
            return await _say(context, chat, m.ADDRESS_NOT_READ)
        if not covers(zones, place.zone):
            return await _say(
                context, chat, m.ADDRESS_OUTSIDE_ZONES.format(zone=m.esc(place.zone or m.NO_ZONE))
            )
        return place.columns()
    if field == "phone":
        value = read_phone(text)
        return {"phone": value} if value else await _say(context, chat, m.PHONE_NOT_READ)
    if field == "web":
        value = read_website(text)
        return {"website": value} if value else await _say(context, chat, m.WEBSITE_NOT_READ)
    try:
        return {"opening_hours": read_hours(text)}
    except HoursError as problem:
        return await _say(context, chat, m.HOURS_NOT_READ.format(reason=m.esc(str(problem))))


async def _say(context: ContextTypes.DEFAULT_TYPE, chat: int, text: str) -> dict[str, Any] | None:
    """Say what to fix: no columns come of the answer (None), so `_read_field` returns this."""
    await tell(context, chat, text)
    return None


# ----- coordinators: editing an asset ---------------------------------------------------------------


@dataclass(frozen=True)
class EditAsset(Button, prefix="ue"):
    """'Edit' an asset: which field?"""

    asset_id: int


@dataclass(frozen=True)
class EditField(Button, prefix="uf"):
    """One field of an asset to correct."""

    field: Literal["name", "about", "address", "phone", "web", "hours"]
    asset_id: int


@on_press(EditAsset)
async def on_edit_menu(update: Update, context: ContextTypes.DEFAULT_TYPE, press: EditAsset) -> None:
    """'Edit': which field?"""
    await query(update).answer()
    if (zones := await zones_or_refuse(update, context)) is None:
        return
    if (asset := await _asset_in_zones(update, context, zones, press.asset_id)) is None:
        return
    labels = list(m.ASSET_FIELD_BUTTONS.items())
    rows = [
        [(label, EditField(field, asset.id).data) for field, label in labels[i : i + 2]]  # type: ignore[arg-type]
        for i in range(0, len(labels), 2)
    ]
    await tell(context, chat_id(update), m.EDIT_ASSET_WHICH.format(name=cards.name(asset)), keyboard(*rows))


@on_press(EditField)
async def on_edit_field(update: Update, context: ContextTypes.DEFAULT_TYPE, press: EditField) -> None:
    """A field chosen: show what it says now and wait for the new value."""
    await query(update).answer()
    if (zones := await zones_or_refuse(update, context)) is None:
        return
    if (asset := await _asset_in_zones(update, context, zones, press.asset_id)) is None:
        return
    field = press.field
    EDIT.open(context, "new_value", asset_id=asset.id, field=field)
    now = m.esc(_current(asset, field)) or m.NOTHING_YET
    await tell(context, chat_id(update), m.EDIT_ASSET_PROMPTS[field].format(now=now))


def _current(asset: Asset, field: str) -> str:
    if field == "address":
        return ", ".join(p for p in (asset.address, asset.town, asset.postcode) if p)
    if field == "hours":
        return format_hours(asset.opening_hours or [])
    column = {"about": "description", "web": "website"}.get(field, field)
    return cards.one_line(getattr(asset, column) or "", 300)


@EDIT.on_text
async def on_edit_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """The new value: saved, the asset counts as checked today, and search sees it at once."""
    if (zones := await zones_or_refuse(update, context)) is None:
        return
    edit = EDIT.current(context)
    changes = await _read_field(update, context, zones, edit["field"], text)
    if changes is None:
        return  # still waiting for a usable answer
    EDIT.close(context)
    if await _asset_in_zones(update, context, zones, edit["asset_id"]) is None:
        return
    async with services(context).sessions.begin() as session:
        asset = await update_asset(session, edit["asset_id"], changes, _today(context))
    services(context).engine.invalidate()
    if asset is None:
        await stale(update, context)
        return
    await tell(
        context, chat_id(update), cards.fit(m.ASSET_UPDATED.format(card=_card(asset, context))),
        keyboard([(m.BUTTON_EDIT_ASSET, EditAsset(asset.id).data)]),
    )  # fmt: skip
