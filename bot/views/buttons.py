"""Buttons: each action is a small typed class, declared once, next to the handler that answers it.

    @dataclass(frozen=True)
    class Page(Button, prefix="pg"):
        '''A page of a search's results.'''

        search_id: SearchId
        number: Index


    @on_press(Page)
    async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Page) -> None: ...


    keyboard([(m.BUTTON_MORE, Page(search_id, 1).data)])

A button's data is its prefix and its fields joined by ':' ("pg:12:1"; "mn:" for an action with
no fields; a trailing optional field left as None is left out: "pv:notice"). Fields are typed:

- `int`: ASCII digits, 1 to 12 of them (`Annotated[int, Digits(n)]` for fewer: `Index`,
  `SearchId`, `Minutes` below), and at most MAX_NUMBER;
- `Literal["a", "b"]` (or `Literal[7, 30]`): exactly one of those words (numbers);
- `Annotated[str, Pattern(r"...")]`: text that fully matches the pattern (no ':' in it); a bare
  `str` is refused, so nothing unchecked reaches a handler;
- `X | None = None` at the end: optional.

Parsing is strict: a registered prefix, exactly the declared fields, each valid, and at most 64
bytes (Telegram's limit). Anything else (an old format, a forged value) is None, and the press is
answered as a stale button. Data already sent to residents keeps working as long as a class keeps
its prefix and fields: change the format with a new prefix, never in place.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import types
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from telegram import Update
from telegram.ext import ContextTypes

MAX_BYTES = 64  # Telegram refuses longer callback data
# No id, page or minute the bot puts in a button is this big (PostgreSQL's integer): a larger one
# is forged, and must not reach a query, where PostgreSQL would refuse it.
MAX_NUMBER = 2**31 - 1
ID_DIGITS = 12  # a plain `int` field: an id from the database


@dataclass(frozen=True)
class Digits:
    """At most this many digits in an `int` field."""

    most: int


@dataclass(frozen=True)
class Pattern:
    """What a `str` field must fully match; no ':' (the separator)."""

    regex: str


Index = Annotated[int, Digits(3)]  # a position in a short list shown with the button
SearchId = Annotated[int, Digits(9)]  # one of the resident's recent searches
Minutes = Annotated[int, Digits(10)]  # an occurrence's start, in minutes since 1970 (UTC)


@dataclass(frozen=True)
class Field:
    """One field of a button's data, read from its type annotation."""

    name: str
    regex: str  # what its text must fully match
    number: bool  # an int, at most MAX_NUMBER
    optional: bool


_KINDS: dict[str, type[Button]] = {}
_HANDLERS: dict[type[Button], Callable[..., Awaitable[None]]] = {}


class Button:
    """The base of every button's data class; subclass it with `prefix=` and @dataclass(frozen=True)."""

    prefix: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]
    pattern: ClassVar[re.Pattern[str]]  # the whole data, as a regular expression

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not re.fullmatch(r"[a-z]{2}", prefix):
            raise TypeError(f"{cls.__name__}: a button's prefix is two letters a-z, not {prefix!r}")
        if prefix in _KINDS:
            raise TypeError(f"{cls.__name__}: prefix {prefix!r} is already {_KINDS[prefix].__qualname__}'s")
        cls.prefix = prefix
        cls.fields = _fields(cls)
        cls.pattern = re.compile(_whole_regex(prefix, cls.fields))
        _KINDS[prefix] = cls

    def __post_init__(self) -> None:
        """A button the bot could not read back is a bug: refuse it when it is made, not pressed."""
        data = self.data
        if (
            len(data.encode("utf-8")) > MAX_BYTES
            or self.pattern.fullmatch(data) is None
            or not all(_holds(f, getattr(self, f.name)) for f in self.fields)
        ):
            raise ValueError(f"{self!r} does not fit in button data")

    @property
    def data(self) -> str:
        """The callback data for this button."""
        values = [getattr(self, f.name) for f in self.fields]
        while values and values[-1] is None and self.fields[len(values) - 1].optional:
            values.pop()
        if not self.fields:
            return f"{self.prefix}:"
        return ":".join([self.prefix, *(str(v) for v in values)])


H = TypeVar("H", bound=Callable[..., Awaitable[None]])


def on_press(kind: type[Button]) -> Callable[[H], H]:
    """Register the handler of KIND's presses: `async def on_x(update, context, press: KIND)`,
    called with the parsed button. One handler each; one handler may take several kinds."""

    def register(handler: H) -> H:
        if kind in _HANDLERS:
            raise TypeError(
                f"{kind.__name__} ({kind.prefix}:) already has a handler: {_HANDLERS[kind].__qualname__}"
            )
        _HANDLERS[kind] = handler
        return handler

    return register


def kinds() -> list[type[Button]]:
    """Every registered button class, in the order they were declared."""
    return list(_KINDS.values())


def check_handled() -> None:
    """Every button class is a frozen dataclass of its fields and has its handler: called when the
    bot is wired up, so a button nobody can answer stops the start rather than a resident's press."""
    wrong = [f"{k.__name__} ({k.prefix}:) has no handler" for k in _KINDS.values() if k not in _HANDLERS]
    wrong += [
        f"{k.__name__} ({k.prefix}:) is not @dataclass(frozen=True)"
        for k in _KINDS.values()
        if not dataclasses.is_dataclass(k)
        or not k.__dataclass_params__.frozen
        or [f.name for f in dataclasses.fields(k)] != [f.name for f in k.fields]
    ]
    if wrong:
        raise TypeError("; ".join(wrong))


def parse(data: str | None) -> Button | None:
    """The button DATA stands for, or None when it is not exactly one the bot could have sent."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    kind = _KINDS.get(data.split(":", 1)[0])
    match = kind.pattern.fullmatch(data) if kind is not None else None
    if kind is None or match is None:
        return None
    values: list[object] = []
    for f in kind.fields:
        text = match.group(f.name)
        if text is None or not f.number:
            values.append(text)
        elif (number := int(text)) > MAX_NUMBER:
            return None
        else:
            values.append(number)
    return kind(*values)


async def dispatch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every button press: parsed strictly, then answered by its action's handler; data that does
    not parse is a stale button."""
    press = parse(update.callback_query.data if update.callback_query else None)
    if press is None:
        from bot.handlers.search import stale  # search builds buttons, so it imports this module

        await stale(update, context)
        return
    await _HANDLERS[type(press)](update, context, press)


def _holds(field: Field, value: object) -> bool:
    """VALUE has FIELD's type (its text is the pattern's business)."""
    if value is None:
        return field.optional
    if field.number:
        return type(value) is int and value <= MAX_NUMBER
    return type(value) is str


def _fields(cls: type) -> tuple[Field, ...]:
    hints = get_type_hints(cls, include_extras=True)
    fields: list[Field] = []
    for name in inspect.get_annotations(cls):
        hint = hints[name]
        if get_origin(hint) is ClassVar:
            continue
        optional = False
        if get_origin(hint) in (Union, types.UnionType):
            rest = [a for a in get_args(hint) if a is not type(None)]
            if len(rest) != 1 or len(get_args(hint)) != 2 or getattr(cls, name, 0) is not None:
                raise TypeError(f"{cls.__name__}.{name}: only `X | None = None` may be optional")
            hint, optional = rest[0], True
        if fields and fields[-1].optional and not optional:
            raise TypeError(f"{cls.__name__}.{name}: optional fields come last")
        fields.append(Field(name, *_field_regex(cls, name, hint), optional))
    return tuple(fields)


def _field_regex(cls: type, name: str, hint: Any) -> tuple[str, bool]:
    extras = get_args(hint)[1:] if get_origin(hint) is Annotated else ()
    base = get_args(hint)[0] if extras else hint
    if base is int:
        most = next((e.most for e in extras if isinstance(e, Digits)), ID_DIGITS)
        return f"[0-9]{{1,{most}}}", True
    choices = get_args(base) if get_origin(base) is Literal else ()
    if choices and all(isinstance(c, str) and c for c in choices):
        return "|".join(re.escape(c) for c in choices), False
    if choices and all(type(c) is int and 0 <= c <= MAX_NUMBER for c in choices):
        return "|".join(str(c) for c in choices), True
    pattern = next((e.regex for e in extras if isinstance(e, Pattern)), None)
    if base is str and pattern is not None:
        return pattern, False
    raise TypeError(
        f"{cls.__name__}.{name}: a button field is an int, a Literal or Annotated[str, Pattern(...)]"
    )


def _whole_regex(prefix: str, fields: tuple[Field, ...]) -> str:
    """PREFIX ':' and the fields joined by ':'; optional ones at the end, each only after the one
    before it."""
    required = [f for f in fields if not f.optional]
    if fields and not required:
        raise TypeError(f"{prefix}: a button with fields has at least one that is not optional")
    regex = re.escape(prefix) + ":" + ":".join(f"(?P<{f.name}>{f.regex})" for f in required)
    tail = ""
    for f in reversed([f for f in fields if f.optional]):
        tail = f"(?::(?P<{f.name}>{f.regex}){tail})?"
    return regex + tail
