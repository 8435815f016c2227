"""Structured logging: `key=value` text for people, one JSON object per line for machines."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class _Formatter(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            k: v for k, v in record.__dict__.items() if k not in _RESERVED and not k.startswith("_")
        }
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds")
        if self.as_json:
            payload = {"ts": stamp, "level": record.levelname.lower(), "logger": record.name}
            payload |= {"msg": record.getMessage(), **fields}
            if record.exc_info:
                payload["exc"] = self.formatException(record.exc_info)
            return json.dumps(payload, ensure_ascii=False, default=str)
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        line = f"{line} {extra}" if extra else line
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


QUIET = ("scrapy", "twisted", "py.warnings")


def _quiet_libraries(record: logging.LogRecord) -> bool:
    """Scrapy re-raises its loggers to INFO for every crawler it creates: keep only its
    warnings and errors, one line each (the spider logs the source, URL and reason), unless
    --debug."""
    if not record.name.startswith(QUIET):
        return True
    record.exc_info, record.exc_text = None, None
    return record.levelno >= logging.WARNING


def configure_logging(*, debug: bool = False, as_json: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_Formatter(as_json))
    if not debug:
        handler.addFilter(_quiet_libraries)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in ("scrapy", "twisted", "urllib3", "filelock", "jieba", "alembic"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.WARNING)
