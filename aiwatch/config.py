"""The configuration file: TOML with documented defaults, secrets from the environment."""

from __future__ import annotations

import copy
import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from store.db import redact

CONFIG_ENV = "AIWATCH_CONFIG"
SMTP_ENV = {
    "host": "AIWATCH_SMTP_HOST",
    "port": "AIWATCH_SMTP_PORT",
    "username": "AIWATCH_SMTP_USER",
    "password": "AIWATCH_SMTP_PASSWORD",
    "from": "AIWATCH_SMTP_FROM",
}
SECRET_KEYS = {"password", "slack_webhook"}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(Exception):
    """The configuration file is missing or wrong; the message says which line to fix."""


def default_config_text() -> str:
    return files("aiwatch").joinpath("default_config.toml").read_text(encoding="utf-8")


def default_config_path() -> Path:
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "aiwatch" / "aiwatch.toml"


def parse_duration(value: str | int | float) -> float:
    """Seconds in "30s", "5m", "1h", "1d" (a bare number is seconds)."""
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(value)
    if not match:
        raise ConfigError(f"not a duration: {value!r} (use e.g. 30s, 5m, 1h, 1d)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass
class Config:
    path: Path
    values: dict[str, Any]
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    @classmethod
    def load(cls, path: Path, *, must_exist: bool = True) -> Config:
        defaults = tomllib.loads(default_config_text())
        if path.exists():
            try:
                user = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        elif must_exist:
            raise ConfigError(f"no config file at {path}: run `aiwatch init` to create one")
        else:
            user = {}
        return cls(path=path, values=_merge(defaults, user))

    @property
    def data_dir(self) -> Path:
        return (self.path.parent / self.values["data_dir"]).expanduser().resolve()

    def resolve(self, value: str) -> Path:
        return (self.data_dir / Path(value).expanduser()).resolve()

    @property
    def database_url(self) -> str:
        url: str = self.environ.get("AIWATCH_DATABASE_URL") or self.values["store"]["url"]
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/"):
            return prefix + str(self.resolve(url[len(prefix) :]))
        return url

    @property
    def sql_url(self) -> str:
        """What `aiwatch sql` connects with: [sql] url (a read-only role), else the store."""
        return self.values.get("sql", {}).get("url") or self.database_url

    @property
    def sql_timeout(self) -> float:
        return parse_duration(self.values["sql"]["timeout"])

    @property
    def sources_file(self) -> Path:
        return self.resolve(self.values["crawler"]["sources_file"])

    @property
    def smtp(self) -> dict[str, Any]:
        smtp = dict(self.values["smtp"])
        smtp.setdefault("password", "")
        for key, env in SMTP_ENV.items():
            if self.environ.get(env):
                smtp[key] = self.environ[env]
        smtp["port"] = int(smtp["port"])
        return smtp

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.values.get(name, {}))

    def effective(self) -> dict[str, Any]:
        """The configuration as aiwatch sees it, with secrets masked for display."""
        shown = copy.deepcopy(self.values)
        shown["data_dir"] = str(self.data_dir)
        shown["store"]["url"] = redact(self.database_url)
        shown["sql"]["url"] = redact(shown["sql"]["url"]) if shown["sql"]["url"] else ""
        shown["smtp"] = self.smtp
        return _mask(shown)


def _mask(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, key) for v in value]
    if key in SECRET_KEYS and value:
        return "********"
    return value


def append_subscription(path: Path, entry: dict[str, Any]) -> None:
    """Add a [[subscriptions]] table at the end of the config, keeping its comments."""
    import tomli_w

    text = path.read_text(encoding="utf-8")
    block = "[[subscriptions]]\n" + tomli_w.dumps(entry)  # a table header, never inline
    path.write_text(text.rstrip("\n") + "\n\n" + block, encoding="utf-8")


def remove_subscription(path: Path, name: str) -> bool:
    """Cut the [[subscriptions]] table named `name` out of the config; False if absent."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept: list[str] = []
    i, removed = 0, False
    while i < len(lines):
        if lines[i].strip() == "[[subscriptions]]":
            end = i + 1
            while end < len(lines) and not lines[end].lstrip().startswith("["):
                end += 1
            block = "".join(lines[i:end])
            if tomllib.loads(block)["subscriptions"][0].get("name") == name:
                removed = True
                i = end
                continue
        kept.append(lines[i])
        i += 1
    if removed:
        path.write_text("".join(kept), encoding="utf-8")
    return removed
