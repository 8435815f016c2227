"""Ad-hoc read-only SQL for analysts: the store cannot be changed through it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError

from store.db import make_engine
from store.errors import StoreError


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


class ReadOnlyViolation(StoreError):
    """A statement tried to change the store through the read-only SQL command."""


def run_read_only(url: str, sql: str, *, limit: int | None = None) -> QueryResult:
    """Run `sql` on a read-only connection: SQLite opened with mode=ro, PostgreSQL in a
    READ ONLY transaction. Writes are refused by the database itself, not by parsing."""
    engine = make_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            result = conn.exec_driver_sql(sql)
            if not result.returns_rows:
                raise ReadOnlyViolation("the statement returned no rows; only queries are allowed")
            rows = result.fetchmany(limit) if limit else result.fetchall()
            return QueryResult(list(result.keys()), [tuple(r) for r in rows])
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        if "readonly" in reason or "read-only" in reason or "read only" in reason:
            raise ReadOnlyViolation(f"refused: `aiwatch sql` is read-only ({reason})") from None
        raise StoreError(f"SQL error: {reason}") from None
    finally:
        engine.dispose()
