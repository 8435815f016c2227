"""Rendering rows for people (a rich table) or scripts (--csv, --json)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def format_options(func: F) -> F:
    """The shared --json / --csv flags."""
    func = click.option("--csv", "as_csv", is_flag=True, help="Output CSV.")(func)
    return click.option("--json", "as_json", is_flag=True, help="Output JSON.")(func)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def emit(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    as_json: bool = False,
    as_csv: bool = False,
    title: str | None = None,
) -> None:
    if as_json:
        records = [dict(zip(columns, map(_plain, row), strict=True)) for row in rows]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2, default=str))
    elif as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(str(column), overflow="fold")
        for row in rows:
            table.add_row(*("" if v is None else str(_plain(v)) for v in row))
        Console().print(table)


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=_plain))
