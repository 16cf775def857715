"""Browsing needs by group, for residents who would rather tap than type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers.access import chat_id, query, user_id
from bot.handlers.conversation import Menu, menu_keyboard
from bot.handlers.search import (
    MAX_RESULTS,
    SearchState,
    keep_search,
    note_unmet,
    resident_area,
    show_page,
    stale,
)
from bot.matching.taxonomy import default_taxonomy
from bot.views.buttons import Button, Index, Pattern, on_press
from bot.views.keyboards import button_label

CATEGORY_CHARS = 60  # one button to a row: the needs' names (55 characters at most) fit whole


@dataclass(frozen=True)
class Group(Button, prefix="gr"):
    """A group of needs on the menu: its needs, one button each."""

    index: Index


@dataclass(frozen=True)
class Category(Button, prefix="ct"):
    """One need: the assets that meet it, nearest first."""

    category_id: Annotated[str, Pattern("[a-z0-9-]{1,50}")]


@on_press(Group)
async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Group) -> None:
    taxonomy = default_taxonomy()
    groups = taxonomy.groups()
    if press.index >= len(groups):
        await stale(update, context)
        return
    await query(update).answer()
    group = groups[press.index]
    buttons = [
        InlineKeyboardButton(
            button_label(m.need(c.id, c.name), CATEGORY_CHARS), callback_data=Category(c.id).data
        )
        for c in taxonomy.categories
        if c.group == group
    ]
    rows = [[b] for b in buttons] + [[InlineKeyboardButton(m.BUTTON_BACK, callback_data=Menu().data)]]
    await context.bot.send_message(
        chat_id(update),
        m.CHOOSE_CATEGORY.format(group=m.esc(m.need_group(group))),
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(rows),
    )


@on_press(Category)
async def on_category(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Category) -> None:
    category_id = press.category_id
    taxonomy = default_taxonomy()
    if category_id not in {c.id for c in taxonomy.categories}:
        await stale(update, context)
        return
    await query(update).answer()
    category = taxonomy.category(category_id)
    pz = services(context)
    area = await resident_area(context, user_id(update))
    async with pz.sessions() as session:
        engine = await pz.engine.get(session)
    hits = engine.browse(category_id, limit=MAX_RESULTS, near=area.point if area else None)
    if not hits:
        await note_unmet(context, area, category.name, category_id)
        await context.bot.send_message(
            chat_id(update),
            m.EMPTY_CATEGORY.format(category=m.esc(m.need(category.id, category.name))),
            parse_mode=ParseMode.HTML,
            reply_markup=menu_keyboard(),
        )
        return
    header = m.BROWSE_HEADER.format(category=m.esc(m.need(category.id, category.name)))
    search_id = keep_search(context, SearchState.of(category.name, hits, category_id, header))
    await show_page(update, context, search_id, 0, edit=False)
