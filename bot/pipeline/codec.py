"""What handlers keep for a person between updates (`context.user_data`), as JSON the database can
hold and any process can read back.

Plain JSON values stay as they are. Everything else is tagged: a dataclass of this package (a
search page's `SearchState`, an `OfferDraft`) by its module and name, and datetimes, dates,
tuples, ordered dicts and dicts with non-text keys by kind. Decoding builds only dataclasses
defined under `bot.`, so a row can never make the bot construct anything else. A value the codec
does not know is a programming error, raised while encoding so a test sees it.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections import OrderedDict
from datetime import date, datetime
from typing import Any

TAG = "~"  # a dict whose only key starts with this is a tagged value
PACKAGE = "bot."
# JSON's own scalars: kept as they are. A list of only these (a search's asset ids and distances,
# most of what is kept) is taken whole, not item by item: this runs twice in every update.
_SCALARS = frozenset({type(None), bool, int, float, str})


class StateError(ValueError):
    """Stored state this version of the bot cannot read (a class renamed or removed since)."""


def encode(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if type(value) is list and all(type(item) in _SCALARS for item in value):
        return list(value)
    if value is None or isinstance(value, bool | int | float | str):  # a subclass of one
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, tuple):
        return {TAG + "tuple": [encode(item) for item in value]}
    if isinstance(value, datetime):
        return {TAG + "datetime": value.isoformat()}
    if isinstance(value, date):
        return {TAG + "date": value.isoformat()}
    if isinstance(value, OrderedDict):
        return {TAG + "ordered": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith(TAG) for key in value):
            return {key: encode(item) for key, item in value.items()}
        return {TAG + "pairs": [[encode(k), encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        if not kind.__module__.startswith(PACKAGE):
            raise TypeError(f"{kind.__qualname__} is not one of the bot's own dataclasses")
        fields = {name: encode(getattr(value, name)) for name in _init_fields(kind)}
        return {TAG + "data": f"{kind.__module__}:{kind.__qualname__}", "fields": fields}
    raise TypeError(f"cannot keep a {type(value).__qualname__} in conversation state")


def decode(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if type(value) is list and all(type(item) in _SCALARS for item in value):
        return value  # fresh from the JSON: nothing else holds it
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    tagged = next((key for key in value if key.startswith(TAG)), None)
    if tagged is None:
        return {key: decode(item) for key, item in value.items()}
    body = value[tagged]
    match tagged[1:]:
        case "tuple":
            return tuple(decode(item) for item in body)
        case "datetime":
            return datetime.fromisoformat(body)
        case "date":
            return date.fromisoformat(body)
        case "ordered":
            return OrderedDict((decode(k), decode(v)) for k, v in body)
        case "pairs":
            return {decode(k): decode(v) for k, v in body}
        case "data":
            kind = _dataclass(body)
            return kind(**{name: decode(item) for name, item in value["fields"].items()})
    raise StateError(f"unknown tag {tagged!r}")


@functools.cache
def _init_fields(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind) if f.init)


@functools.cache
def _dataclass(name: str) -> type:
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(PACKAGE):
        raise StateError(f"{name} is not one of the bot's own dataclasses")
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as error:
        raise StateError(f"{name} is no longer known") from error
    if not (isinstance(found, type) and dataclasses.is_dataclass(found)):
        raise StateError(f"{name} is not a dataclass")
    return found
