"""Browsing needs by group, for residents who would rather tap than type."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import callbacks
from bot.handlers.common import button_label
from bot.handlers.conversation import menu_keyboard
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

CATEGORY_CHARS = 60  # one button to a row: the needs' names (55 characters at most) fit whole


async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id, m.ASK_NEED, parse_mode=ParseMode.HTML, reply_markup=menu_keyboard()
    )


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE, index: int) -> None:
    taxonomy = default_taxonomy()
    groups = taxonomy.groups()
    if index >= len(groups):
        await stale(update, context)
        return
    await update.callback_query.answer()
    group = groups[index]
    buttons = [
        InlineKeyboardButton(button_label(c.name, CATEGORY_CHARS), callback_data=callbacks.category(c.id))
        for c in taxonomy.categories
        if c.group == group
    ]
    rows = [[b] for b in buttons] + [[InlineKeyboardButton(m.BUTTON_BACK, callback_data=callbacks.menu())]]
    await context.bot.send_message(
        update.effective_chat.id,
        m.CHOOSE_CATEGORY.format(group=m.esc(group)),
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def on_category(update: Update, context: ContextTypes.DEFAULT_TYPE, category_id: str) -> None:
    taxonomy = default_taxonomy()
    if category_id not in {c.id for c in taxonomy.categories}:
        await stale(update, context)
        return
    await update.callback_query.answer()
    category = taxonomy.category(category_id)
    pz = services(context)
    area = await resident_area(context, update.effective_user.id)
    async with pz.sessions() as session:
        engine = await pz.engine.get(session)
    hits = engine.browse(category_id, limit=MAX_RESULTS, near=area.point if area else None)
    if not hits:
        await note_unmet(context, area, category.name, category_id)
        await context.bot.send_message(
            update.effective_chat.id,
            m.EMPTY_CATEGORY.format(category=m.esc(category.name)),
            parse_mode=ParseMode.HTML,
            reply_markup=menu_keyboard(),
        )
        return
    header = m.BROWSE_HEADER.format(category=m.esc(category.name))
    search_id = keep_search(context, SearchState(category.name, hits, category_id, header))
    await show_page(update, context, search_id, 0, edit=False)
