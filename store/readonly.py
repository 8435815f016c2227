"""Read-only connections for `aiwatch sql`, enforced by the database below the parser.

SQLite: opened with mode=ro, an authorizer that allows only reads (no ATTACH, which is also
how VACUUM INTO writes its copy, no writes, no pragmas outside a short list), the query run
in a child process that is killed at the time limit (SQLite checks its progress handler only
between loop steps, so one long expression would run past it). PostgreSQL: a READ ONLY session with
statement and idle timeouts that also notices a vanished client, refused for a superuser
unless asked, and a cancel request sent to the server when the client is stopped.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sqlite3
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.engine import make_url

from store.db import connect_sqlite_read_only, make_engine, redact
from store.errors import StoreError

if TYPE_CHECKING:  # psycopg is imported by a PostgreSQL session only: SQLite needs none
    import psycopg

APPLICATION_NAME = "aiwatch sql"
# How often a PostgreSQL backend checks, during a long query, that its client still exists.
CLIENT_CHECK_MS = 1000
_SQLITE_PROGRESS_STEPS = 1000
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when its parent dies
_SQLITE_READS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE}
# Pragmas that only describe the schema; those of the first set take a table or index name.
_SQLITE_PRAGMAS_NAMED = {
    "table_info",
    "table_xinfo",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
}
_SQLITE_PRAGMAS_BARE = {  # data_version: FTS5 reads it
    "table_list", "user_version", "schema_version", "page_count", "encoding", "data_version",
}  # fmt: skip
# What SQLite asks while it opens a virtual table (the full-text index articles_fts): to
# update the columns of sqlite_master, which it never does when it only declares the
# table's columns (and cannot on a read-only connection). Denying it made every full-text
# query fail ("vtable constructor failed"); the parser's gate still refuses any UPDATE.
_SQLITE_DECLARE_VTAB = (sqlite3.SQLITE_UPDATE, "sqlite_master")
_SQLITE_FUNCTIONS_DENIED = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


class ReadOnlyViolation(StoreError):
    """The database refused a statement on the read-only connection."""


class QueryTimeout(StoreError):
    """The query ran past `[sql] timeout` and was stopped."""


class QueryCancelled(StoreError):
    """The client was stopped (Ctrl-C, SIGTERM) and the query with it."""


class ReadOnlySession(Protocol):
    def run(self, sql: str, limit: int | None) -> QueryResult: ...

    def cancel(self) -> None:
        """Stop the running query; safe to call from a signal handler."""

    def close(self) -> None: ...


def open_read_only(url: str, *, timeout: float, allow_superuser: bool = False) -> ReadOnlySession:
    """A read-only session on the store at `url` whose queries stop after `timeout` s."""
    if make_url(url).get_backend_name() == "sqlite":
        return SqliteSession(Path(make_url(url).database or ""), timeout)
    return PostgresSession(url, timeout, allow_superuser=allow_superuser)


CANCELLED = "the query was cancelled: aiwatch was stopped"
TIMED_OUT = "the query was stopped after the time limit of {timeout:g} s ([sql] timeout)"


def _stopped(cancelled: bool, timeout: float) -> StoreError:
    """The error for a query the database interrupted: by the client, or by the limit."""
    if cancelled:
        return QueryCancelled(CANCELLED)
    return QueryTimeout(TIMED_OUT.format(timeout=timeout))


class SqliteSession:
    def __init__(self, path: Path, timeout: float) -> None:
        if not path.is_file():
            raise StoreError(f"no database at {path}: run `aiwatch init` first")
        self.path = path.resolve()
        self.timeout = timeout
        self.cancelled = False
        self.child: multiprocessing.Process | None = None
        try:
            _open_sqlite(self.path, timeout).close()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the SQLite store {path}: {exc}") from None

    def run(self, sql: str, limit: int | None) -> QueryResult:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        self.child = context.Process(
            target=_run_in_child,
            args=(os.getpid(), self.path, sql, limit, self.timeout, sender),
            daemon=True,
        )
        self.child.start()
        sender.close()
        if self.cancelled:  # stopped before the child had a pid to kill
            self.child.kill()
        try:
            outcome = receiver.recv() if receiver.poll(self.timeout) else None
        except EOFError:  # killed by cancel()
            outcome = None
        finally:
            self.child.kill()
            self.child.join()
            receiver.close()
        if outcome is None:
            raise _stopped(self.cancelled, self.timeout)
        kind, payload = outcome
        if kind == "error":
            raise self._error(payload)
        columns, rows = payload
        return QueryResult(columns, rows)

    def _error(self, reason: str) -> StoreError:
        if "interrupted" in reason:
            return _stopped(self.cancelled, self.timeout)
        if any(
            m in reason
            for m in ("not authorized", "authorization denied", "readonly", "one statement")
        ):
            return ReadOnlyViolation(f"refused: `aiwatch sql` is read-only ({reason})")
        return StoreError(f"SQL error: {reason}")

    def cancel(self) -> None:
        self.cancelled = True
        if self.child is not None and self.child.pid is not None:
            self.child.kill()

    def close(self) -> None:
        """Nothing stays open: each query's connection lives and dies with its child."""


def _open_sqlite(path: Path, timeout: float) -> sqlite3.Connection:
    conn = connect_sqlite_read_only(path, timeout=timeout, isolation_level=None)
    conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()  # loads it
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.set_authorizer(_authorize)
    return conn


def _run_in_child(
    parent: int, path: Path, sql: str, limit: int | None, timeout: float, sender: Pipe
) -> None:
    """Sends ("rows", (columns, rows)) or ("error", reason). Dies with its parent (even
    one killed with SIGKILL); the progress handler also stops loops at the limit."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # it died before prctl took effect
            os._exit(1)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    deadline = time.monotonic() + timeout
    try:
        conn = _open_sqlite(path, timeout)
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), _SQLITE_PROGRESS_STEPS)
        cursor = conn.execute(sql)
        rows = cursor.fetchmany(limit) if limit else cursor.fetchall()
        columns = [d[0] for d in cursor.description or ()]
        sender.send(("rows", (columns, [tuple(r) for r in rows])))
    except sqlite3.Error as exc:
        sender.send(("error", str(exc).strip().splitlines()[0] if str(exc).strip() else "error"))


def _authorize(action: int, arg1: str | None, arg2: str | None, _db: Any, _src: Any) -> int:
    """Reads only. For SQLITE_FUNCTION the name is arg2; for SQLITE_PRAGMA arg1 is the
    pragma and arg2 its argument (None when it is only read)."""
    if action in _SQLITE_READS:
        return sqlite3.SQLITE_OK
    if (action, arg1) == _SQLITE_DECLARE_VTAB:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        denied = (arg2 or "").lower() in _SQLITE_FUNCTIONS_DENIED
        return sqlite3.SQLITE_DENY if denied else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in _SQLITE_PRAGMAS_NAMED or (name in _SQLITE_PRAGMAS_BARE and arg2 is None):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


class PostgresSession:
    def __init__(self, url: str, timeout: float, *, allow_superuser: bool) -> None:
        import psycopg

        self.timeout = timeout
        self.cancelled = False
        engine = make_engine(url)
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        engine.dispose()
        kwargs.pop("context", None)  # SQLAlchemy's type adapters: plain psycopg types here
        kwargs = {"connect_timeout": 10, "application_name": APPLICATION_NAME, **kwargs}
        try:
            self.conn = psycopg.connect(*args, **kwargs, autocommit=True)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0]
            raise StoreError(f"cannot use database {redact(url)}: {reason}") from None
        try:
            self._check_role(allow_superuser)
            self._restrict_session()
        except BaseException:
            self.conn.close()
            raise

    def _check_role(self, allow_superuser: bool) -> None:
        row = self.conn.execute(
            "SELECT current_user, current_setting('is_superuser') = 'on' OR rolsuper"
            " FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        user, superuser = row if row else ("?", True)
        if superuser and not allow_superuser:
            raise ReadOnlyViolation(
                f"refused: the PostgreSQL role {user!r} is a superuser, which can read the "
                "server's files and run its programs; create a reader role with `aiwatch db "
                "create-reader` and set [sql] url, or pass --allow-superuser"
            )

    def _restrict_session(self) -> None:
        limit_ms = max(1, round(self.timeout * 1000))
        for statement in (
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
            f"SET statement_timeout = {limit_ms}",
            f"SET idle_in_transaction_session_timeout = {limit_ms}",
            f"SET client_connection_check_interval = {CLIENT_CHECK_MS}",
        ):
            self.conn.execute(statement)  # type: ignore[arg-type]  # constants, no user text
        self.conn.autocommit = False
        self.conn.read_only = True

    def run(self, sql: str, limit: int | None) -> QueryResult:
        # prepare=True sends it as one extended-protocol statement: the server itself
        # refuses a second command, whatever the text hides in strings or comments.
        import psycopg

        try:
            with self.conn.cursor() as cursor:
                cursor.execute(sql.encode(), prepare=True)
                rows = cursor.fetchmany(limit) if limit else cursor.fetchall()
                columns = [d.name for d in cursor.description or ()]
        except psycopg.Error as exc:
            raise self._error(exc) from None
        finally:
            if not self.conn.closed:
                self.conn.rollback()
        return QueryResult(columns, [tuple(r) for r in rows])

    def _error(self, exc: psycopg.Error) -> StoreError:
        import psycopg

        reason = str(exc).strip().splitlines()[0]
        if isinstance(exc, psycopg.errors.QueryCanceled):
            return _stopped(self.cancelled, self.timeout)
        if isinstance(
            exc,
            psycopg.errors.ReadOnlySqlTransaction
            | psycopg.errors.InsufficientPrivilege
            | psycopg.errors.SyntaxError,
        ) and ("read-only" in reason or "permission" in reason or "multiple" in reason):
            return ReadOnlyViolation(f"refused: `aiwatch sql` is read-only ({reason})")
        return StoreError(f"SQL error: {reason}")

    def cancel(self) -> None:
        self.cancelled = True
        # an error means the server is gone or the query already ended: nothing to stop
        import psycopg

        with suppress(psycopg.Error):
            self.conn.cancel_safe(timeout=5)

    def close(self) -> None:
        self.conn.close()
