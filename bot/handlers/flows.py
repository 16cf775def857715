"""Step-by-step conversations ("flows"): every question the bot asks and waits for, declared once
as a `Flow` beside its handlers, so adding a step or a flow touches one place.

A flow's state is kept with the person between updates (`user_data[flow.key] = {"step": ...,
...}`, saved by bot.pipeline), so a state written by an older version may come back: one whose
step this version does not know, or whose shape it cannot read, counts as no flow open (and is let
go of), never as an error in front of a resident; a flow whose old shape is worth keeping reads it
with its `legacy`. Only one flow is open at a time: opening one closes any other, so a typed answer
never lands in a flow left behind. `search.search_text` gives typed text to the open flow's
`on_text` handler; `check_answered`, run when the bot is wired up, makes sure every flow that waits
for typing has one. `pressed` are the steps answered with a button (where a typed number in the
terminal chat presses one, see bot.chat).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot import messages as m
from bot.handlers.access import chat_id, user_data

State = dict[str, Any]
Answer = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
Legacy = Callable[[object], State | None]

FLOWS: dict[str, Flow] = {}  # by user_data key, in the order the modules declared them


@dataclass(eq=False)
class Flow:
    """One question, or a few in a row, kept under KEY while it is open."""

    key: str  # the user_data key: never renamed, or states kept by the last version are lost
    steps: tuple[str, ...]  # every step it can be at
    pressed: frozenset[str] = frozenset()  # the steps answered by a button, not by typing
    legacy: Legacy | None = None  # reads a state an older version kept in another shape
    answer: Answer | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.steps or not self.pressed <= set(self.steps):
            raise ValueError(f"flow {self.key}: its pressed steps must be among its steps")
        if self.key in FLOWS:
            raise ValueError(f"two flows are kept under {self.key}")
        FLOWS[self.key] = self

    def on_text(self, handler: Answer) -> Answer:
        """Decorator: HANDLER takes what is typed while this flow is open (at any of its steps)."""
        if self.answer is not None:
            raise ValueError(f"flow {self.key} has two handlers for typed text")
        self.answer = handler
        return handler

    def read(self, data: dict[str, Any]) -> State | None:
        """Its state in DATA (a person's user_data), or None when it is not open. A state this
        version cannot read is let go of; one in an older shape `legacy` knows is read as now."""
        value = data.get(self.key)
        if value is None or self._readable(value):
            return value
        upgraded = self.legacy(value) if self.legacy is not None else None
        if upgraded is not None and self._readable(upgraded):
            data[self.key] = upgraded
            return upgraded
        del data[self.key]
        return None

    def _readable(self, value: object) -> bool:
        return isinstance(value, dict) and isinstance(value.get("step"), str) and value["step"] in self.steps

    def state(self, context: ContextTypes.DEFAULT_TYPE) -> State | None:
        """What this person has answered so far (with the step it is at), or None: not open."""
        return self.read(user_data(context))

    def current(self, context: ContextTypes.DEFAULT_TYPE) -> State:
        """The state of a flow that is open: for handlers only reached while it is."""
        if (state := self.state(context)) is None:
            raise LookupError(f"flow {self.key} is not open")
        return state

    def at(self, context: ContextTypes.DEFAULT_TYPE, *steps: str) -> bool:
        """Whether it is open at one of STEPS."""
        self._known(*steps)
        state = self.state(context)
        return state is not None and state["step"] in steps

    def open(self, context: ContextTypes.DEFAULT_TYPE, step: str, **values: Any) -> State:
        """Start it at STEP with VALUES, closing any other flow the person left half-answered."""
        self._known(step)
        close_all(context)
        state: State = {"step": step, **values}
        user_data(context)[self.key] = state
        return state

    def go(self, context: ContextTypes.DEFAULT_TYPE, step: str, **values: Any) -> State:
        """Move the open flow on to STEP, keeping VALUES (the answer to the step it was at)."""
        self._known(step)
        state = self.current(context)
        state.update(values, step=step)
        return state

    def close(self, context: ContextTypes.DEFAULT_TYPE) -> State | None:
        """Close it; what it held (None if it was not open)."""
        state = self.state(context)
        user_data(context).pop(self.key, None)
        return state

    def take(self, context: ContextTypes.DEFAULT_TYPE) -> State:
        """Close the open flow and return what it held: its last answer is in."""
        state = self.current(context)
        self.close(context)
        return state

    async def take_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        """Typed while it is open: its handler's, or (a flow only of buttons) "pick a button"."""
        if self.answer is None:
            await context.bot.send_message(chat_id(update), m.PICK_A_BUTTON)
            return
        await self.answer(update, context, text)

    def _known(self, *steps: str) -> None:
        if unknown := [s for s in steps if s not in self.steps]:
            raise ValueError(f"flow {self.key} has no step {', '.join(unknown)}")


def stepless(step: str) -> Legacy:
    """For a question older versions kept as a dict of its values with no step: read at STEP."""

    def read(old: object) -> State | None:
        return {**old, "step": step} if isinstance(old, dict) and "step" not in old else None

    return read


def open_flow(data: dict[str, Any]) -> Flow | None:
    """The flow waiting for an answer in DATA (a person's user_data), if any."""
    return next((flow for flow in FLOWS.values() if flow.read(data) is not None), None)


def waiting_for_text(data: dict[str, Any]) -> bool:
    """Whether the open flow in DATA waits for typed words rather than a button."""
    if (flow := open_flow(data)) is None:
        return False
    state = flow.read(data)
    return state is not None and state["step"] not in flow.pressed


def close_all(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Close whatever flow is open (a refused coordinator's half-answered questions, say)."""
    for key in FLOWS:
        user_data(context).pop(key, None)


def check_answered() -> None:
    """Every flow with a step answered by typing has its `on_text` handler: called when the bot is
    wired up, so a missing one stops the start rather than a resident's message."""
    missing = [f.key for f in FLOWS.values() if f.answer is None and set(f.steps) - f.pressed]
    if missing:
        raise TypeError("flows waiting for typed text with no on_text handler: " + ", ".join(missing))
