"""Settings: a TOML file (optional), then environment overrides.

A mistake in the file must stop the program with one line that names the key and the file,
because the people who install this are coordinators, not Python developers.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/peoplezones.db"
ALLOWED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
# Telegram's rule for a webhook's secret_token is 1-256 of these characters; fewer than 16 could
# be guessed.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")


class ConfigError(Exception):
    """A setting is wrong; the message is one line a coordinator can act on."""


@dataclass(frozen=True)
class Zone:
    """A People Zones neighbourhood, known by postcode districts and place names."""

    name: str
    postcode_districts: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class LocalHelp:
    """A local line shown in the safety help for one kind of danger, beside the national ones."""

    kind: str
    name: str
    phone: str


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/London"
    bot_token: str | None = None
    admin_ids: tuple[int, ...] = ()
    reminder_offsets_minutes: tuple[int, ...] = (24 * 60, 120)
    broadcast_rate_per_second: float = 25.0
    verify_after_days: int = 365  # /review lists assets not checked for longer than this
    invite_valid_hours: int = 48  # how long a coordinator's invite link works (once)
    # Privacy: after this many days the words residents typed into a search that found nothing (or
    # an introduction request, or a handled report of a change) are blanked with who typed them;
    # the counts stay ...
    retention_days_unmet_need_text: int = 30
    # ... residents who have not used the bot for this long are erased, as if they sent /forget ...
    retention_days_inactive_resident: int = 730
    # ... and reminders, notices and announcements already sent (or given up on) are deleted.
    retention_days_sent_messages: int = 90
    # ... and where someone was in a conversation (a half-answered question, recent search pages)
    # goes when they have not been back for this long.
    retention_days_conversation: int = 7
    # Flood control, per person: a burst of this many updates, then this many a minute (0: off).
    flood_per_minute: float = 20.0
    flood_burst: int = 8
    # Where the Bot API is: Telegram's, or a local Bot API server (and the emulation in tests).
    telegram_api_url: str = "https://api.telegram.org/bot"
    # The secret Telegram sends with every webhook update. Every process of one deployment must
    # use the same one (a standby answers 503 to it, not 403); None: derived from the bot token.
    webhook_secret: str | None = None
    log_format: str = "json"  # json (one object a line, for log collectors) or text
    zones: tuple[Zone, ...] = field(default_factory=lambda: default_zones())
    local_help: tuple[LocalHelp, ...] = field(default_factory=lambda: default_local_help())
    source: str = "defaults"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# key -> (expected python type(s), human description)
_TOP_LEVEL: dict[str, tuple[tuple[type, ...], str]] = {
    "database_url": ((str,), "a string"),
    "timezone": ((str,), "a string such as 'Europe/London'"),
    "bot_token": ((str,), "a string"),
    "admin_ids": ((list,), "a list of Telegram user ids"),
    "reminder_offsets_minutes": ((list,), "a list of whole minutes"),
    "broadcast_rate_per_second": ((int, float), "a number"),
    "verify_after_days": ((int,), "a whole number of days"),
    "invite_valid_hours": ((int,), "a whole number of hours"),
    "retention_days_unmet_need_text": ((int,), "a whole number of days"),
    "retention_days_inactive_resident": ((int,), "a whole number of days"),
    "retention_days_sent_messages": ((int,), "a whole number of days"),
    "retention_days_conversation": ((int,), "a whole number of days"),
    "flood_per_minute": ((int, float), "a number of updates a minute"),
    "flood_burst": ((int,), "a whole number of updates"),
    "telegram_api_url": ((str,), "an http(s) URL ending in /bot"),
    "webhook_secret": ((str,), "a string of 16 to 256 letters, digits, _ and -"),
    "log_format": ((str,), "'json' or 'text'"),
    "zones": ((list,), "a list of [[zones]] tables"),
    "local_help": ((list,), "a list of [[local_help]] tables"),
}
_RETENTION_KEYS = (
    "retention_days_unmet_need_text",
    "retention_days_inactive_resident",
    "retention_days_sent_messages",
    "retention_days_conversation",
)
_ZONE_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "name": ((str,), "a string"),
    "postcode_districts": ((list,), "a list of postcode districts such as 'LE4'"),
    "places": ((list,), "a list of place names"),
}


_LOCAL_HELP_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "kind": ((str,), "a kind of danger such as 'abuse'"),
    "name": ((str,), "a string"),
    "phone": ((str,), "a phone number as people dial it"),
}


def _fail(where: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{where}: setting '{key}' {problem}")


def _check_type(where: str, key: str, value: Any, spec: tuple[tuple[type, ...], str]) -> None:
    types, described = spec
    # bool is an int in Python; a config author who wrote `true` did not mean a number.
    if isinstance(value, bool) or not isinstance(value, types):
        raise _fail(where, key, f"must be {described}, not {type(value).__name__}")


def _check_url(where: str, key: str, url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise _fail(where, key, f"is not a database URL: {url!r}") from None
    if parsed.drivername not in ALLOWED_DRIVERS:
        raise _fail(
            where,
            key,
            f"uses driver '{parsed.drivername}'; use one of {', '.join(ALLOWED_DRIVERS)}",
        )
    return url


def _tables(
    where: str,
    name: str,
    raw: list[Any],
    keys: dict[str, tuple[tuple[type, ...], str]],
    required: tuple[str, ...],
) -> list[tuple[str, dict[str, Any]]]:
    """Each [[NAME]] table checked: known keys of the right type, required ones not blank."""
    tables = []
    for index, item in enumerate(raw):
        key = f"{name}[{index}]"
        if not isinstance(item, dict):
            raise _fail(where, key, f"must be a table with {', '.join(keys)}")
        for table_key, value in item.items():
            if table_key not in keys:
                raise _fail(where, f"{key}.{table_key}", "is not a known setting")
            _check_type(where, f"{key}.{table_key}", value, keys[table_key])
        for needed in required:
            if not str(item.get(needed, "")).strip():
                raise _fail(where, f"{key}.{needed}", "is required")
        tables.append((key, item))
    return tables


def _parse_zones(where: str, raw: list[Any]) -> tuple[Zone, ...]:
    zones = []
    for key, item in _tables(where, "zones", raw, _ZONE_KEYS, required=("name",)):
        districts = item.get("postcode_districts", [])
        places = item.get("places", [])
        for value in (*districts, *places):
            if not isinstance(value, str):
                raise _fail(where, key, f"lists must hold strings, found {value!r}")
        zones.append(
            Zone(
                name=item["name"].strip(),
                postcode_districts=tuple(d.strip().upper() for d in districts),
                places=tuple(p.strip() for p in places),
            )
        )
    return tuple(zones)


def _from_mapping(where: str, data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _TOP_LEVEL:
            raise _fail(where, key, "is not a known setting (see config.example.toml)")
        _check_type(where, key, value, _TOP_LEVEL[key])
    if "database_url" in data:
        values["database_url"] = _check_url(where, "database_url", data["database_url"])
    if "timezone" in data:
        try:
            ZoneInfo(data["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise _fail(where, "timezone", f"is not a known time zone: {data['timezone']!r}") from None
        values["timezone"] = data["timezone"]
    if "bot_token" in data:
        values["bot_token"] = data["bot_token"] or None
    if "admin_ids" in data:
        ids = data["admin_ids"]
        if not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids):
            raise _fail(where, "admin_ids", "must be a list of positive whole numbers")
        values["admin_ids"] = tuple(ids)
    if "reminder_offsets_minutes" in data:
        offsets = data["reminder_offsets_minutes"]
        if not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in offsets):
            raise _fail(where, "reminder_offsets_minutes", "must be a list of positive minutes")
        values["reminder_offsets_minutes"] = tuple(sorted(set(offsets), reverse=True))
    if "broadcast_rate_per_second" in data:
        rate = float(data["broadcast_rate_per_second"])
        if not 0 < rate <= 30:
            raise _fail(where, "broadcast_rate_per_second", "must be above 0 and at most 30")
        values["broadcast_rate_per_second"] = rate
    if "verify_after_days" in data:
        if data["verify_after_days"] <= 0:
            raise _fail(where, "verify_after_days", "must be a positive whole number of days")
        values["verify_after_days"] = data["verify_after_days"]
    if "invite_valid_hours" in data:
        if not 0 < data["invite_valid_hours"] <= 24 * 30:
            raise _fail(where, "invite_valid_hours", "must be between 1 and 720 hours")
        values["invite_valid_hours"] = data["invite_valid_hours"]
    for key in _RETENTION_KEYS:
        if key in data:
            if not 1 <= data[key] <= 36500:
                raise _fail(where, key, "must be a whole number of days from 1 to 36500")
            values[key] = data[key]
    if "flood_per_minute" in data:
        if not (1 <= data["flood_per_minute"] <= 600 or data["flood_per_minute"] == 0):
            raise _fail(where, "flood_per_minute", "must be between 1 and 600 updates a minute, or 0 (off)")
        values["flood_per_minute"] = float(data["flood_per_minute"])
    if "flood_burst" in data:
        if not 1 <= data["flood_burst"] <= 100:
            raise _fail(where, "flood_burst", "must be between 1 and 100 updates")
        values["flood_burst"] = data["flood_burst"]
    if "telegram_api_url" in data:
        url = data["telegram_api_url"].rstrip("/")
        if not url.startswith(("http://", "https://")) or not url.endswith("/bot"):
            raise _fail(where, "telegram_api_url", "must be an http(s) URL ending in /bot")
        values["telegram_api_url"] = url
    if "webhook_secret" in data:
        if not WEBHOOK_SECRET.fullmatch(data["webhook_secret"]):
            raise _fail(
                where, "webhook_secret", "must be 16 to 256 letters, digits, _ and - (Telegram's rule)"
            )
        values["webhook_secret"] = data["webhook_secret"]
    if "log_format" in data:
        if data["log_format"] not in ("json", "text"):
            raise _fail(where, "log_format", "must be 'json' or 'text'")
        values["log_format"] = data["log_format"]
    if "zones" in data:
        values["zones"] = _parse_zones(where, data["zones"])
    if "local_help" in data:
        values["local_help"] = _parse_local_help(where, data["local_help"])
    return values


def _parse_local_help(where: str, raw: list[Any]) -> tuple[LocalHelp, ...]:
    from bot.messages import SAFETY_LINES  # the kinds the safety help knows

    lines = []
    for key, item in _tables(where, "local_help", raw, _LOCAL_HELP_KEYS, required=tuple(_LOCAL_HELP_KEYS)):
        if item["kind"] not in SAFETY_LINES:
            raise _fail(where, f"{key}.kind", f"must be one of {', '.join(SAFETY_LINES)}")
        lines.append(LocalHelp(item["kind"], item["name"].strip(), item["phone"].strip()))
    return tuple(lines)


def default_local_help() -> tuple[LocalHelp, ...]:
    """The LLR lines shipped with the bot (bot/default_local_help.toml)."""
    file = Path(__file__).with_name("default_local_help.toml")
    return _parse_local_help(str(file), tomllib.loads(file.read_text(encoding="utf-8"))["local_help"])


def default_zones() -> tuple[Zone, ...]:
    """The LLR People Zones areas shipped with the bot (bot/default_zones.toml)."""
    file = Path(__file__).with_name("default_zones.toml")
    return _parse_zones(str(file), tomllib.loads(file.read_text(encoding="utf-8"))["zones"])


def load_settings(path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read settings from PATH (or $PEOPLEZONES_CONFIG), then apply environment overrides.

    No file named means the defaults: a newcomer needs no config at all. A file that is named but
    is not there stops with one line: running on the defaults instead (a SQLite file, no admins)
    while the operator believes their settings are in force is worse than not starting.
    """
    env = dict(os.environ if env is None else env)
    chosen = path or env.get("PEOPLEZONES_CONFIG")
    named_by = "--config" if path else "PEOPLEZONES_CONFIG"
    values: dict[str, Any] = {}
    source = "defaults"
    if chosen:
        file = Path(chosen)
        if file.is_file():
            try:
                data = tomllib.loads(file.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{file}: not valid TOML ({exc})") from None
            except OSError as exc:
                raise ConfigError(f"{file}: cannot be read ({exc.strerror or exc})") from None
            values = _from_mapping(str(file), data)
            source = str(file)
        elif file.exists():
            raise ConfigError(f"{file}: is not a file (named by {named_by})")
        else:
            raise ConfigError(
                f"{file}: there is no such settings file (named by {named_by}); check the path, "
                "or leave it out to use the defaults"
            )

    if url := env.get("PEOPLEZONES_DATABASE_URL"):
        values["database_url"] = _check_url("environment", "PEOPLEZONES_DATABASE_URL", url)
    if token := env.get("PEOPLEZONES_BOT_TOKEN"):
        values["bot_token"] = token
    if tz := env.get("PEOPLEZONES_TIMEZONE"):
        values.update(_from_mapping("environment", {"timezone": tz}))
    if api := env.get("PEOPLEZONES_TELEGRAM_API_URL"):
        values.update(_from_mapping("environment", {"telegram_api_url": api}))
    if secret := env.get("PEOPLEZONES_WEBHOOK_SECRET"):
        values.update(_from_mapping("environment", {"webhook_secret": secret}))
    return Settings(**values, source=source)
