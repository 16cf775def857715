"""Start, help, the menu, the resident's area and forgetting them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import privacy
from bot.handlers.access import chat_id, location, query, user_data, user_id
from bot.handlers.admin import open_invite
from bot.handlers.events import open_deep_link
from bot.handlers.flows import Flow
from bot.matching.taxonomy import default_taxonomy
from bot.services.areas import area_from_location, area_from_text
from bot.services.invites import is_admin
from bot.services.residents import Area, save_area
from bot.services.roles import coordinator_zones
from bot.views.buttons import Button, on_press
from bot.views.keyboards import button_label, keyboard

# "Where are you?", answered by typing a place (or sharing a location); older versions kept True
AWAITING_AREA = Flow(
    "awaiting_area", ("where",), legacy=lambda old: {"step": "where"} if old is True else None
)


def menu_keyboard() -> InlineKeyboardMarkup:
    # their handlers' modules import this one, so they are imported here, once all are loaded
    from bot.handlers.browse import Group
    from bot.handlers.volunteering import VolunteerStep

    groups = default_taxonomy().groups()
    buttons = [
        InlineKeyboardButton(button_label(m.need_group(g)), callback_data=Group(i).data)
        for i, g in enumerate(groups)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(m.BUTTON_SET_AREA, callback_data=AreaChoice("set").data),
            InlineKeyboardButton(m.BUTTON_OFFER_HELP, callback_data=VolunteerStep("start").data),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def send_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(
        chat_id(update), m.ASK_NEED, parse_mode=ParseMode.HTML, reply_markup=menu_keyboard()
    )


@dataclass(frozen=True)
class Menu(Button, prefix="mn"):
    """The menu again (Browse, Back, Menu)."""


@on_press(Menu)
async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Menu) -> None:
    await query(update).answer()
    await send_menu(update, context)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user_data(context).clear()  # starting again leaves any half-answered questions behind
    await context.bot.send_message(
        chat_id(update),
        m.WELCOME,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard([privacy.privacy_button()]),
    )
    if context.args and (
        await open_deep_link(update, context, context.args[0])
        or await open_invite(update, context, context.args[0])
    ):
        return
    await send_menu(update, context)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Residents' help; coordinators and admins also see their own commands."""
    pz = services(context)
    async with pz.sessions() as session:
        zones = await coordinator_zones(session, pz.settings, user_id(update))
        admin = await is_admin(session, pz.settings, user_id(update))
    text = m.HELP + ("\n\n" + m.COORDINATOR_HELP if zones else "") + ("\n\n" + m.ADMIN_HELP if admin else "")
    await context.bot.send_message(
        chat_id(update), text, parse_mode=ParseMode.HTML, reply_markup=menu_keyboard()
    )


async def menu_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user_data(context).clear()
    await send_menu(update, context)


async def ask_area(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    AWAITING_AREA.open(context, "where")
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(m.BUTTON_SHARE_LOCATION, request_location=True)], [KeyboardButton(m.BUTTON_SKIP)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await context.bot.send_message(
        chat_id(update), m.ASK_AREA, parse_mode=ParseMode.HTML, reply_markup=keyboard
    )


async def remember_area(update: Update, context: ContextTypes.DEFAULT_TYPE, area: Area) -> None:
    AWAITING_AREA.close(context)
    async with services(context).sessions.begin() as session:
        await save_area(session, user_id(update), area)
    await context.bot.send_message(
        chat_id(update),
        m.AREA_SAVED.format(area=m.esc(area.label)),
        parse_mode=ParseMode.HTML,
        reply_markup=ReplyKeyboardRemove(),
    )
    await send_menu(update, context)


async def skip_area(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    AWAITING_AREA.close(context)
    await context.bot.send_message(chat_id(update), m.AREA_SKIPPED, reply_markup=ReplyKeyboardRemove())
    await send_menu(update, context)


@dataclass(frozen=True)
class AreaChoice(Button, prefix="ar"):
    """Set the resident's area (the bot asks where), or go on without one."""

    choice: Literal["set", "skip"]


@on_press(AreaChoice)
async def on_area(update: Update, context: ContextTypes.DEFAULT_TYPE, press: AreaChoice) -> None:
    await query(update).answer()
    await (ask_area if press.choice == "set" else skip_area)(update, context)


@AWAITING_AREA.on_text
async def area_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """The resident answered 'Where are you?' with text."""
    if text.strip().lower() in (m.BUTTON_SKIP.lower(), "skip", "no", "no thanks"):
        await skip_area(update, context)
        return
    if (area := await typed_area(update, context, text)) is not None:
        await remember_area(update, context, area)


async def typed_area(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> Area | None:
    """A postcode, town or zone someone typed; if it is nowhere we know, say so and return None."""
    pz = services(context)
    async with pz.sessions() as session:
        engine = await pz.engine.get(session)
    area = area_from_text(text, pz.zones, engine)
    if area is None:
        await context.bot.send_message(
            chat_id(update), m.AREA_UNKNOWN.format(text=m.esc(text[:60])), parse_mode=ParseMode.HTML
        )
    return area


async def location_shared(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    shared = location(update)
    await remember_area(
        update, context, area_from_location(shared.latitude, shared.longitude, services(context).zones)
    )


async def area_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await ask_area(update, context)


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Erasing everything, after a confirm button (see privacy.py)."""
    await privacy.forget_command(update, context)
