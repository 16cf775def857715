"""Logging for `peoplezones run`: one JSON object per line (time, level, logger, message, and any
`extra=` fields), or plain text. What is logged is decided where it is logged, and never includes
message text, tokens or personal data."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
            entry["trace"] = self.formatException(record.exc_info)
        elif record.exc_text:  # already formatted (and redacted) by whoever logged it
            entry["trace"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


# Loggers that write what they carry at DEBUG or INFO: PTB logs every Bot API call with its
# parameters (message text, chat ids), httpx every request URL (which holds the token), the
# database drivers and SQLAlchemy every statement with its values. Kept to what is safe.
QUIET_LOGGERS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "sqlalchemy": logging.WARNING,
}
REDACTED = "[token]"
_secrets: set[str] = set()
_factory_installed = False


def protect_logs(token: str | None) -> None:
    """Keep personal data and the bot token out of every log, whatever handlers are attached:
    payload-carrying loggers are kept above DEBUG, and any record that would still carry the
    token has it replaced (message, arguments and traceback)."""
    global _factory_installed
    for name, level in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.level < level:  # NOTSET (0) too
            logger.setLevel(level)
    if token:
        _secrets.add(token)
    if not _factory_installed:
        make_record = logging.getLogRecordFactory()

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return _redact(make_record(*args, **kwargs))

        logging.setLogRecordFactory(redacting_factory)
        _factory_installed = True


def _scrub(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def _redact(record: logging.LogRecord) -> logging.LogRecord:
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is logging's to report, not ours
        return record
    if any(secret in message for secret in _secrets):
        record.msg, record.args = _scrub(message), ()
    if record.exc_info and record.exc_info[1] is not None:
        trace = logging.Formatter().formatException(record.exc_info)
        if any(secret in trace for secret in _secrets):
            record.exc_info, record.exc_text = None, _scrub(trace)
    return record


def configure(log_format: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
