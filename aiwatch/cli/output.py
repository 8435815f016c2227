"""Rendering rows for people (a rich table) or scripts (--csv, --json).

Times are shown in the [display] time zone: `2026-11-20 10:00 JST` in a table, ISO 8601
with its offset in --json and --csv. The store keeps UTC; SQL results carry timestamps as
text (SQLite), which are read as UTC.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

F = TypeVar("F", bound=Callable[..., Any])


def format_options(func: F) -> F:
    """The shared --json / --csv flags."""
    func = click.option("--csv", "as_csv", is_flag=True, help="Output CSV.")(func)
    return click.option("--json", "as_json", is_flag=True, help="Output JSON.")(func)


_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")
DEFAULT_ZONE = "Asia/Tokyo"


def display_zone() -> tzinfo:
    """The [display] time zone of the running command (Asia/Tokyo before a config loads)."""
    from aiwatch.app import App
    from aiwatch.config import ConfigError

    ctx = click.get_current_context(silent=True)
    app = ctx.find_object(App) if ctx else None
    try:
        name = app.config.settings.display.timezone if app else DEFAULT_ZONE
    except ConfigError:  # no usable config: times still print, in the default zone
        name = DEFAULT_ZONE
    return ZoneInfo(name)


def local_time(value: Any, zone: tzinfo) -> datetime | None:
    """`value` as an aware datetime in `zone` if it is a timestamp (naive means UTC)."""
    if isinstance(value, str) and _TIMESTAMP.match(value):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(zone)


def _plain(value: Any, zone: tzinfo | None = None) -> Any:
    when = local_time(value, zone or UTC)
    if when is not None:
        return when.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _shown(value: Any, zone: tzinfo) -> str:
    when = local_time(value, zone)
    if when is not None:
        return when.strftime("%Y-%m-%d %H:%M %Z")
    return "" if value is None else str(_plain(value))


def emit(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    as_json: bool = False,
    as_csv: bool = False,
    title: str | None = None,
) -> None:
    zone = display_zone()
    if as_json:
        records = [dict(zip(columns, [_plain(v, zone) for v in row], strict=True)) for row in rows]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2, default=str))
    elif as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([[_plain(v, zone) for v in row] for row in rows])
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(str(column), overflow="fold")
        for row in rows:
            table.add_row(*(_shown(v, zone) for v in row))
        Console().print(table)


def emit_json(value: Any) -> None:
    zone = display_zone()
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=lambda v: _plain(v, zone)))
