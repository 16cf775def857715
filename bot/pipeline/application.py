"""The update pipeline: how one update from one person is handled, in whichever process takes it.

For an update from a person in a private chat, `PipelineApplication.process_update`:

1. waits for that person's previous update in this process to finish (`ResidentTurns`);
2. opens one session and transaction, and in it claims the person's conversation state: this
   locks it against every other process until the transaction ends (bot.pipeline.state);
3. skips the update if it was handled already (a redelivery after a worker died, or Telegram
   sending it again);
4. puts the kept state into `context.user_data` and runs the handlers with that one session
   (db.session.UpdateSessions hands it to every `pz.sessions()` in this task), in the person's
   language (bot.i18n: the one they chose, else their Telegram's when the bot speaks it);
5. saves the state and commits it with everything the handlers wrote; if a handler failed, rolls
   all of it back (the person was told it did not happen) and keeps the state as it was.

Nothing is left in this process's memory afterwards. Everything else (groups the bot leaves,
updates without a person) goes straight to the handlers. If the database cannot be reached the
update is still handled without state, so a message about danger is answered all the same.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Generator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, Job

from bot.i18n.current import speaking
from bot.i18n.languages import from_telegram
from bot.pipeline import state
from bot.services.residents import resident_of
from db.session import UpdateSessions, current_unit_of_work, unit_of_work

log = logging.getLogger(__name__)
RT = TypeVar("RT")  # what an errored coroutine would have returned (PTB's process_error)
SESSIONS_KEY = "update_sessions"  # bot_data key of the UpdateSessions the pipeline opens with


class ResidentTurns:
    """One update at a time per person in this process, in the order they arrived; the row lock
    in the database does the same across processes."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, person: int) -> AsyncIterator[None]:
        lock, waiting = self._locks.get(person, (asyncio.Lock(), 0))
        self._locks[person] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._locks[person]
            if waiting == 1:
                del self._locks[person]
            else:
                self._locks[person] = (lock, waiting - 1)


def fingerprint(update: Update) -> str:
    """What recognises an update delivered again: its id, and a digest of what it says (Telegram
    starts its ids afresh after a quiet week, and a test's or the terminal chat's emulation starts
    its update and message ids afresh after a restart, so ids alone could make a new update look
    handled). The parts read are the ones that tell two updates apart, not the whole update."""
    message, press = update.effective_message, update.callback_query
    parts = (
        update.effective_chat.id if update.effective_chat else None,
        message.message_id if message else None,
        message.date.timestamp() if message and message.date else None,
        message.edit_date.timestamp() if message and message.edit_date else None,
        (message.text or message.caption) if message else None,
        (press.id, press.data) if press else None,
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=6).hexdigest()
    return f"{update.update_id}-{digest}"


def telegram_language(update: object) -> str | None:
    """The language of this person's Telegram, if the bot speaks it: what someone the bot holds
    nothing about is written to in (a resident's own choice is kept on them)."""
    user = update.effective_user if isinstance(update, Update) else None
    return from_telegram(user.language_code) if user is not None else None


def person_of(update: object) -> int | None:
    """The Telegram user whose conversation this update belongs to, if it is one."""
    if not isinstance(update, Update) or update.effective_user is None:
        return None
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        return None
    return update.effective_user.id


class PipelineApplication(Application):
    """PTB's Application, with each person's update handled as one unit of work (see above)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.turns = ResidentTurns()

    async def process_update(self, update: object) -> None:
        person = person_of(update)
        sessions: UpdateSessions | None = self.bot_data.get(SESSIONS_KEY)
        if person is None or sessions is None:
            await super().process_update(update)
            return
        async with self.turns.turn(person):
            await self._handle(update, person, sessions)

    async def _handle(self, update: object, person: int, sessions: UpdateSessions) -> None:
        session = sessions.maker()
        try:
            try:
                stored = await state.claim(session, person)
            except (SQLAlchemyError, OSError) as error:
                log.warning("conversation state unavailable (%s): handled without it", type(error).__name__)
                await _quietly_close(session)
                with speaking(telegram_language(update)):
                    await super().process_update(update)
                return
            handled_mark = fingerprint(update) if isinstance(update, Update) else None
            if handled_mark in stored.handled:
                log.info("an update already handled arrived again: not acted on twice")
                return
            kept = self.user_data[person]  # PTB's dict for this person, filled from the database
            kept.clear()
            kept.update(stored.data)
            resident = await resident_of(session, person)
            with speaking(resident.language if resident else telegram_language(update)):
                async with unit_of_work(session) as work:
                    await super().process_update(update)
            if work.failed:
                await session.rollback()
                return
            handled = [*stored.handled, handled_mark] if handled_mark is not None else stored.handled
            await state.save(session, person, dict(kept), handled)
            await session.commit()
            for action in work.committed:
                await action()
        finally:
            self.drop_user_data(person)
            await _quietly_close(session)

    async def process_error(
        self,
        update: object | None,
        error: Exception,
        job: Job[Any] | None = None,
        coroutine: Generator[asyncio.Future[object], None, RT] | Awaitable[RT] | None = None,
    ) -> bool:
        """A failed handler fails its whole update: nothing it wrote is kept, and the handlers
        after it do not run on a transaction that may be broken."""
        work = current_unit_of_work()
        if work is not None:
            work.failed = True
        stop = await super().process_error(update, error, job, coroutine)
        return stop or work is not None


async def _quietly_close(session: Any) -> None:
    try:
        await session.close()
    except Exception as error:  # the connection died with the database: nothing left to release
        log.info("a session could not be closed cleanly (%s)", type(error).__name__)
