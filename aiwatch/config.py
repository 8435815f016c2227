"""The configuration file: TOML with documented defaults, secrets from the environment."""

from __future__ import annotations

import copy
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiwatch import settings as schema

CONFIG_ENV = "AIWATCH_CONFIG"
SMTP_ENV = {
    "host": "AIWATCH_SMTP_HOST",
    "port": "AIWATCH_SMTP_PORT",
    "username": "AIWATCH_SMTP_USER",
    "password": "AIWATCH_SMTP_PASSWORD",
    "from": "AIWATCH_SMTP_FROM",
}
SECRET_KEYS = {"password", "slack_webhook"}


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
    from aiwatch import settings as schema

    try:
        return schema.parse_duration(value)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


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
    """The file's values (`values`, as written, over the defaults) and the same values
    typed and checked (`settings`)."""

    path: Path
    values: dict[str, Any]
    settings: schema.Settings
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    @classmethod
    def load(cls, path: Path, *, must_exist: bool = True) -> Config:
        """Read and check the file; the first problem is a ConfigError naming its line."""
        problems, values, typed = check(path, must_exist=must_exist)
        if problems:
            more = f" (and {len(problems) - 1} more: aiwatch config check)" if problems[1:] else ""
            raise ConfigError(problems[0] + more)
        assert typed is not None
        return cls(path=path, values=values, settings=typed)

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
        from store.db import redact

        shown = copy.deepcopy(self.values)
        shown["data_dir"] = str(self.data_dir)
        shown["store"]["url"] = redact(self.database_url)
        shown["sql"]["url"] = redact(shown["sql"]["url"]) if shown["sql"]["url"] else ""
        shown["smtp"] = self.smtp
        return _mask(shown)


def check(
    path: Path, *, must_exist: bool = True
) -> tuple[list[str], dict[str, Any], schema.Settings | None]:
    """Every problem in the file as a line "FILE:LINE: KEY: what is wrong", the merged
    values, and the typed settings when there is no problem."""
    from pydantic import ValidationError

    from aiwatch import settings as schema

    defaults = tomllib.loads(default_config_text())
    text = ""
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
            user = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    elif must_exist:
        raise ConfigError(f"no config file at {path}: run `aiwatch init` to create one")
    else:
        user = {}
    values = _merge(defaults, user)
    try:
        return [], values, schema.Settings.model_validate(values)
    except ValidationError as exc:
        found = [_problem(path, text, error) for error in exc.errors()]
    return [line for _number, line in sorted(found)], values, None


def _problem(path: Path, text: str, error: Any) -> tuple[int, str]:
    from aiwatch import settings as schema

    loc = tuple(error["loc"])
    key = ".".join(str(part) for part in loc)
    if error["type"] == "extra_forbidden":
        known = schema.known_keys(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        what = "unknown setting" + (f" (did you mean {close[0]!r}?)" if close else "")
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
        message = message[:1].lower() + message[1:]
        what = f"{message}, not {error['input']!r}" if "input" in error else message
    line = find_line(text, loc)
    return line or 0, f"{path}:{line}: {key}: {what}" if line else f"{path}: {key}: {what}"


def find_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The line number of the key at `loc` (("crawler", "timeout"), ("subscriptions", 0,
    "mode")) in the TOML `text`, found by following the table headers."""
    table: tuple[str | int, ...] = ()
    seen: dict[str, int] = {}
    header = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
    assignment = re.compile(r'^\s*"?([A-Za-z0-9_.\-]+)"?\s*=')
    for number, line in enumerate(text.splitlines(), 1):
        if match := header.match(line):
            name = match.group(2)
            if match.group(1) == "[[":
                seen[name] = seen.get(name, -1) + 1
                table = (*name.split("."), seen[name])
            else:
                table = tuple(name.split("."))
            if table == loc or (len(loc) == 1 and table[:1] == loc):
                return number
        elif (match := assignment.match(line)) and (*table, *match.group(1).split(".")) == loc:
            return number
    return None


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
