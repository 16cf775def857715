"""A need in the resident's words -> cards; and the buttons under the cards."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import messages as m
from bot.context import services
from bot.handlers import guard, introductions, relays, reports
from bot.handlers.access import chat_id, message, query, user_data, user_id
from bot.handlers.conversation import Menu, menu_keyboard
from bot.handlers.flows import open_flow
from bot.i18n.current import current
from bot.matching.engine import Hit, SearchResult
from bot.matching.rank import GOOD_MATCH
from bot.services.needs import record_unmet_need
from bot.services.residents import Area, saved_area
from bot.services.typed_text import clean_text
from bot.services.upkeep import active_asset
from bot.views import cards
from bot.views.buttons import Button, Index, SearchId, on_press
from db.models import Asset

MAX_RESULTS = 12
KEPT_SEARCHES = 5


@dataclass
class SearchState:
    """One search's pages, kept with the person between messages (bot.pipeline): of each result
    only what a page is shown from, its asset and how far away it is, so every update reads and
    writes little."""

    query: str
    asset_ids: list[int]
    category: str
    header: str
    distances_km: list[float | None] = field(default_factory=list)  # one for each of asset_ids
    offer_ids: list[int] = field(default_factory=list)  # volunteers who could help, best first
    # how a typed search was counted, so "Not what I need" neither counts it twice nor leaves it
    # counted as answered: when it was counted as answered, and whether its need is noted unmet
    answered_at: datetime | None = None
    noted_unmet: bool = False
    area: Area | None = None  # the resident's area when it was counted
    language: str = ""  # the language the bot spoke when it was counted ("" in pages kept before)

    @classmethod
    def of(
        cls,
        query: str,
        hits: list[Hit],
        category: str,
        header: str,
        *,
        answered_at: datetime | None = None,
        noted_unmet: bool = False,
        area: Area | None = None,
        language: str = "",
    ) -> SearchState:
        ids, distances = [h.id for h in hits], [h.distance_km for h in hits]
        return cls(query, ids, category, header, distances, [], answered_at, noted_unmet, area, language)


def _searches(context: ContextTypes.DEFAULT_TYPE) -> OrderedDict[int, SearchState]:
    return user_data(context).setdefault("searches", OrderedDict())


def keep_search(context: ContextTypes.DEFAULT_TYPE, state: SearchState) -> int:
    searches = _searches(context)
    search_id = user_data(context).get("next_search", 1)
    user_data(context)["next_search"] = search_id + 1
    searches[search_id] = state
    while len(searches) > KEPT_SEARCHES:
        searches.popitem(last=False)
    return search_id


async def resident_area(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> Area | None:
    async with services(context).sessions() as session:
        return await saved_area(session, user_id)


async def note_unmet(
    context: ContextTypes.DEFAULT_TYPE,
    area: Area | None,
    text: str,
    category: str,
    typed_by: int | None = None,
    when: datetime | None = None,
    language: str | None = None,
) -> None:
    """Record a need nothing answered: the words, the area, the need and the language (LANGUAGE,
    or the one this update speaks). TYPED_BY, the Telegram id of whoever typed the words, is kept
    with them so /mydata and /forget find them (coordinators see only counts); a browsed need, with
    no words of anyone's, keeps nobody. Each row is one search that found nothing for /gaps and
    /stats (reports.found_nothing): write one per search."""
    async with services(context).sessions.begin() as session:
        await record_unmet_need(
            session,
            text,
            district=area.district if area else "",
            zone=area.zone if area else "",
            category=category,
            when=when or services(context).clock(),
            typed_by=typed_by,
            language=language,
        )


async def count_search(
    context: ContextTypes.DEFAULT_TYPE,
    area: Area | None,
    category: str,
    answered: bool,
    text: str,
    typed_by: int,
) -> datetime:
    """Count one typed search, answered or not (engine.SearchResult.answering decides), and note
    its need when nothing answered it. Returns when it was counted."""
    when = services(context).clock()
    reports.tally_search(context, area, category, answered=answered, when=when)
    if not answered:
        await note_unmet(context, area, text, category, typed_by=typed_by, when=when)
    return when


async def show_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, search_id: int, page: int, edit: bool
) -> None:
    state = _searches(context)[search_id]
    pz = services(context)
    async with pz.sessions() as session:
        engine = await pz.engine.get(session)  # the index holds what a card shows
    shown = zip(state.asset_ids, state.distances_km, strict=True)
    listed = [(doc, km) for asset_id, km in shown if (doc := engine.doc(asset_id)) is not None]
    text, keyboard = cards.results_page(state.header, listed, page, search_id, pz.clock(), pz.settings.tz)
    if edit:
        try:
            await query(update).edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        except BadRequest as error:  # the same page pressed twice
            if "not modified" not in str(error).lower():
                raise
        return
    await context.bot.send_message(chat_id(update), text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def nothing_found_said(update: Update, context: ContextTypes.DEFAULT_TYPE, query: str) -> None:
    await context.bot.send_message(
        chat_id(update),
        m.NO_MATCH.format(query=m.esc(query[:80])),
        parse_mode=ParseMode.HTML,
        reply_markup=menu_keyboard(),
    )


async def search_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any typed message: the answer to the question the bot asked (the open flow, see
    bot.handlers.flows), if it asked one; else a need. A message that came in through an
    introduction (RELAY_OFFER) is not a question: it gives way to every flow.

    The text is cleaned first (guard.clean_text: no control or invisible characters), so nothing
    odd is searched for or kept; a need is cut to guard.MAX_QUERY_CHARS."""
    text = clean_text(message(update).text or "")
    waiting = open_flow(user_data(context))
    if not text:  # only invisible characters, or nothing at all
        chat = chat_id(update)
        if waiting is not None:
            await context.bot.send_message(chat, m.EMPTY_ANSWER)
        else:
            await context.bot.send_message(
                chat, m.TELL_ME_MORE, parse_mode=ParseMode.HTML, reply_markup=menu_keyboard()
            )
        return
    if waiting is not None:
        await waiting.take_text(update, context, text)
        return
    if user_data(context).get(introductions.RELAY_OFFER):  # a message came in: this may be a reply
        await _reply_or_search(update, context, text)
        return
    await run_search(update, context, text[: guard.MAX_QUERY_CHARS])


async def _reply_or_search(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Typed after a message came in through an introduction: maybe a reply, so the bot asks
    (introductions.ask_if_reply); long after it, a search as usual."""
    if not await introductions.ask_if_reply(update, context, text):
        await run_search(update, context, text[: guard.MAX_QUERY_CHARS])


@dataclass(frozen=True)
class RelayChoice(Button, prefix="rl"):
    """About a typed text: pass it on through the relay, or search for it; or 'Done' with the relay."""

    choice: Literal["send", "search", "done"]


@on_press(RelayChoice)
async def on_relay_choice(update: Update, context: ContextTypes.DEFAULT_TYPE, press: RelayChoice) -> None:
    """About a typed text the bot asked about: 'No, search for it' searches it; passing it on, or
    'Done' with the relay, is the relays' business."""
    if press.choice != "search":
        await relays.on_choice(update, context, press.choice)
        return
    await query(update).answer()
    if (text := relays.take_held_text(context)) is None:
        await context.bot.send_message(chat_id(update), m.STALE_BUTTON, reply_markup=menu_keyboard())
        return
    await run_search(update, context, text[: guard.MAX_QUERY_CHARS])


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop whatever the bot was asking (any open flow, relays too); nothing half-typed is kept."""
    was_asking = open_flow(user_data(context)) is not None
    user_data(context).clear()
    await context.bot.send_message(
        chat_id(update),
        m.CANCELLED if was_asking else m.NOTHING_TO_CANCEL,
        reply_markup=menu_keyboard(),
    )


async def run_search(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    pz = services(context)
    area = await resident_area(context, user_id(update))
    async with pz.sessions() as session:
        engine = await pz.engine.get(session)
    result = engine.search(
        text,
        limit=MAX_RESULTS,
        near=area.point if area else None,
        now=pz.clock(),
        tz=pz.settings.tz,
        resident_language=current(),  # between equals, staff who speak the resident's language
    )
    understood = result.understood
    if not understood.terms and not understood.categories and not understood.wanted_languages:
        # "hi", "thanks", "ok": nothing to look for yet, and nothing missing from the directory
        await context.bot.send_message(
            chat_id(update), m.TELL_ME_MORE, parse_mode=ParseMode.HTML, reply_markup=menu_keyboard()
        )
        return
    category = max(result.understood.categories.items(), key=lambda kv: kv[1], default=("", 0))[0]
    answered = bool(result.answering)
    when = await count_search(context, area, category, answered, text, user_id(update))
    fitting = [h for h in result.hits if h.score >= GOOD_MATCH]
    if answered:
        header = m.RESULTS_HEADER.format(query=m.esc(text[:80]))
        hits = fitting
    elif fitting:  # they fit, but none is near enough: say so, and show the nearest there are
        header = m.NOTHING_NEAR.format(place=_place(result), query=m.esc(text[:80])) + "\n\n" + m.FURTHER_AWAY
        hits = fitting
    else:  # only guesses: show those that share a need with it
        hits = [h for h in result.hits if any(why.startswith("need: ") for why in h.why)][: cards.PAGE_SIZE]
        header = m.NO_MATCH.format(query=m.esc(text[:80])) + "\n\n" + m.NEAREST_ALTERNATIVES
    state = SearchState.of(
        text,
        hits,
        category,
        header,
        answered_at=when if answered else None,
        noted_unmet=not answered,
        area=area,
        language=current(),
    )
    search_id = keep_search(context, state)
    if not hits:
        await nothing_found_said(update, context, text)
        await introductions.suggest_volunteers(update, context, search_id, state, area, False)
        return
    await show_page(update, context, search_id, 0, edit=False)
    await introductions.suggest_volunteers(update, context, search_id, state, area, answered)


def _place(result: SearchResult) -> str:
    """The place the query named ("LE13", "Hinckley"), else the resident's own area: "you"."""
    u = result.understood
    if u.postcode:
        return m.esc(u.postcode)
    if u.place:
        return m.esc(" ".join(word.capitalize() for word in u.place.split()))
    return m.NEAR_YOU


@dataclass(frozen=True)
class AskVolunteer(Button, prefix="iq"):
    """'Ask a volunteer', under a search that found volunteers who could help."""

    search_id: SearchId


@dataclass(frozen=True)
class AskVolunteerVia(Button, prefix="ic"):
    """... and how the volunteer may reach the resident: through the bot, or by their Telegram name."""

    search_id: SearchId
    via: Literal["b", "t"]


@on_press(AskVolunteer)
@on_press(AskVolunteerVia)
async def on_introduction(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: AskVolunteer | AskVolunteerVia
) -> None:
    """'Ask a volunteer' (how should they reach you?) and the answer to that."""
    state = _searches(context).get(press.search_id)
    if state is None or not state.offer_ids:
        await stale(update, context)
        return
    if isinstance(press, AskVolunteer):
        await introductions.on_ask(update, context, press.search_id, state)
        return
    area = await resident_area(context, user_id(update))
    await introductions.on_request(update, context, state, area, press.via)


async def stale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await query(update).answer()
    await context.bot.send_message(chat_id(update), m.STALE_BUTTON, reply_markup=menu_keyboard())


@dataclass(frozen=True)
class Page(Button, prefix="pg"):
    """Another page of a search's results (Back, More)."""

    search_id: SearchId
    number: Index


@on_press(Page)
async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Page) -> None:
    state = _searches(context).get(press.search_id)
    if state is None or press.number * cards.PAGE_SIZE >= max(len(state.asset_ids), 1):
        await stale(update, context)
        return
    await query(update).answer()
    await show_page(update, context, press.search_id, press.number, edit=True)


async def _asset_or_stale(update: Update, context: ContextTypes.DEFAULT_TYPE, asset_id: int) -> Asset | None:
    async with services(context).sessions() as session:
        asset = await active_asset(session, asset_id)
    if asset is None:
        await stale(update, context)
        return None
    await query(update).answer()
    return asset


@dataclass(frozen=True)
class Details(Button, prefix="dt"):
    """An asset's full card, with its own buttons."""

    asset_id: int


@dataclass(frozen=True)
class ShowMap(Button, prefix="mp"):
    """An asset's place as a map pin."""

    asset_id: int


@dataclass(frozen=True)
class Call(Button, prefix="cl"):
    """An asset's phone number, to tap."""

    asset_id: int


@dataclass(frozen=True)
class MoreLike(Button, prefix="ml"):
    """Assets like this one, nearest first."""

    asset_id: int


@on_press(Details)
async def on_details(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Details) -> None:
    if (asset := await _asset_or_stale(update, context, press.asset_id)) is None:
        return
    pz = services(context)
    text, keyboard = cards.details(asset, pz.clock(), pz.settings.tz)
    await context.bot.send_message(chat_id(update), text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


@on_press(ShowMap)
async def on_map(update: Update, context: ContextTypes.DEFAULT_TYPE, press: ShowMap) -> None:
    if (asset := await _asset_or_stale(update, context, press.asset_id)) is None:
        return
    if asset.latitude is None or asset.longitude is None:
        await context.bot.send_message(
            chat_id(update), m.NO_MAP.format(name=cards.name(asset)), parse_mode=ParseMode.HTML
        )
        return
    address = ", ".join(p for p in (asset.address, asset.town, asset.postcode) if p) or asset.name
    await context.bot.send_venue(
        chat_id(update),
        asset.latitude,
        asset.longitude,
        title=asset.name[:100],
        address=address[:200],
    )


@on_press(Call)
async def on_call(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Call) -> None:
    if (asset := await _asset_or_stale(update, context, press.asset_id)) is None:
        return
    template = m.CALL if asset.phone else m.NO_PHONE
    await context.bot.send_message(
        chat_id(update),
        template.format(name=cards.name(asset), phone=m.esc(cards.clip(asset.phone, cards.CONTACT_CHARS))),
        parse_mode=ParseMode.HTML,
    )


@on_press(MoreLike)
async def on_more_like(update: Update, context: ContextTypes.DEFAULT_TYPE, press: MoreLike) -> None:
    asset_id = press.asset_id
    if (asset := await _asset_or_stale(update, context, asset_id)) is None:
        return
    pz = services(context)
    async with pz.sessions() as session:
        engine = await pz.engine.get(session)
    doc = next((d for d in engine.index.docs if d.id == asset_id), None)
    categories = doc.classification.categories if doc else {}
    area = await resident_area(context, user_id(update))
    near = area.point if area else None
    if not categories:
        hits = engine.search(asset.name, limit=MAX_RESULTS + 1, near=near).hits
    else:
        best = max(categories.items(), key=lambda kv: kv[1])[0]
        hits = engine.browse(best, limit=MAX_RESULTS + 1, near=near)
    hits = [h for h in hits if h.id != asset_id][:MAX_RESULTS]
    header = m.RESULTS_HEADER.format(query=m.esc(asset.name[:80]))
    search_id = keep_search(context, SearchState.of(asset.name, hits, "", header))
    await show_page(update, context, search_id, 0, edit=False)


@dataclass(frozen=True)
class NotWhatINeed(Button, prefix="nw"):
    """'Not what I need' under a search's results: noted as a need nothing answered."""

    search_id: SearchId


@on_press(NotWhatINeed)
async def on_not_what_i_need(update: Update, context: ContextTypes.DEFAULT_TYPE, press: NotWhatINeed) -> None:
    state = _searches(context).get(press.search_id)
    if state is None:
        await stale(update, context)
        return
    await query(update).answer()
    # a search already counted as finding nothing is not counted twice; the support shown after
    # safety help was no search, and has no words to keep
    if not state.noted_unmet and state.query:
        person = user_id(update)
        area = state.area if state.answered_at is not None else await resident_area(context, person)
        language = state.language or current()  # as it was counted, even if they changed it since
        if state.answered_at is not None:  # it was counted as answered: now it found nothing
            await reports.uncount_search(context, area, state.category, state.answered_at, language)
        await note_unmet(
            context,
            area,
            state.query,
            state.category,
            typed_by=person,
            when=state.answered_at,
            language=language,
        )
        state.noted_unmet, state.answered_at = True, None
    browse = InlineKeyboardMarkup([[InlineKeyboardButton(m.BUTTON_BROWSE, callback_data=Menu().data)]])
    await context.bot.send_message(chat_id(update), m.NOT_WHAT_I_NEED, reply_markup=browse)
