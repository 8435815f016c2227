"""Structured logging: `key=value` text for people, one JSON object per line for machines.

Every handler aiwatch installs carries the `Redactor`, so no log line, from aiwatch or from
a library (slack_sdk, urllib3, scrapy, apscheduler ...), shows a Slack webhook URL, an SMTP
password, a database password or any other secret of the loaded config, whether in the
message, its arguments, extra fields or an exception's text.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiwatch.config import Config

_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
MASK = "[redacted]"
# An incoming-webhook URL's path is its credential: Slack's host, or Slack's path shape
# (/services/T<team>/B<bot>/<token>) on any host.
_WEBHOOKS = (
    re.compile(r"(hooks\.slack(?:-gov)?\.com/)[^\s\"'<>]+"),
    re.compile(r"(/services/)T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{8,}"),
)
# up to the authority's last "@": a raw "@" in a password is not its end
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.\-]*://[^\s:/@]+:)[^\s/]+@", re.IGNORECASE)
_MIN_SECRET = 4  # shorter values would mask ordinary words; no real secret is that short


class Redactor(logging.Filter):
    """Masks secrets in a record before any handler formats it."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def add(self, secrets: Iterable[str]) -> None:
        self.secrets.update(s for s in secrets if len(s) >= _MIN_SECRET)

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        for webhook in _WEBHOOKS:
            text = webhook.sub(r"\1" + MASK, text)
        return _URL_PASSWORD.sub(r"\1" + MASK + "@", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self.redact(message), None
        for key, value in list(record.__dict__.items()):
            if key not in _RESERVED and not key.startswith("_"):
                record.__dict__[key] = self._field(value)
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True

    def _field(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        text = str(value)
        redacted = self.redact(text)
        return value if redacted == text else redacted


REDACTOR = Redactor()
"""The one redactor of this process: `remember_secrets` adds to it when a config loads."""


def remember_secrets(secrets: Iterable[str]) -> None:
    REDACTOR.add(secrets)


def config_secrets(config: Config) -> set[str]:
    """Every secret the config holds or points to: passwords and webhook URLs anywhere in
    it (an `env:VARIABLE` value is read from the environment), the SMTP password from
    AIWATCH_SMTP_PASSWORD, and the passwords of the database URLs."""
    from aiwatch.config import SECRET_KEYS

    found: set[str] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key in SECRET_KEYS and isinstance(value, str) and value:
            found.add(config.environ.get(value[4:], "") if value.startswith("env:") else value)

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    walk(config.values)
    found.add(config.environ.get("AIWATCH_SMTP_PASSWORD", ""))
    for url in (config.database_url, config.sql_url):
        try:
            found.add(make_url(url).password or "")
        except ArgumentError:
            continue
    return {s for s in found if s}


def known_secrets() -> tuple[str, ...]:
    """The secrets remembered so far, to hand to a child process's logging set-up."""
    return tuple(sorted(REDACTOR.secrets))


class _Formatter(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            k: v for k, v in record.__dict__.items() if k not in _RESERVED and not k.startswith("_")
        }
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds")
        exc = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else "")
        if self.as_json:
            payload = {"ts": stamp, "level": record.levelname.lower(), "logger": record.name}
            payload |= {"msg": record.getMessage(), **fields}
            if exc:
                payload["exc"] = exc
            return json.dumps(payload, ensure_ascii=False, default=str)
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        line = f"{line} {extra}" if extra else line
        return f"{line}\n{exc}" if exc else line


QUIET = ("scrapy", "twisted", "py.warnings")


def _quiet_libraries(record: logging.LogRecord) -> bool:
    """Scrapy re-raises its loggers to INFO for every crawler it creates: keep only its
    warnings and errors, one line each (the spider logs the source, URL and reason), unless
    --debug."""
    if not record.name.startswith(QUIET):
        return True
    record.exc_info, record.exc_text = None, None
    return record.levelno >= logging.WARNING


def configure_logging(
    *,
    debug: bool = False,
    as_json: bool = False,
    log_file: Path | None = None,
    secrets: Iterable[str] = (),
) -> None:
    """Log to stderr (and to `log_file` when given), through the redactor."""
    remember_secrets(secrets)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file is not None:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        if not debug:
            handler.addFilter(_quiet_libraries)
        handler.addFilter(REDACTOR)
        handler.setFormatter(_Formatter(as_json))
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in ("scrapy", "twisted", "urllib3", "filelock", "jieba", "alembic"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.WARNING)
