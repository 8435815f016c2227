"""Engines and sessions: SQLite tuned for a daemon and CLI running at once, PostgreSQL as is."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from store.errors import StoreError

if TYPE_CHECKING:  # the ORM is imported by the commands that use sessions, not by all
    from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_READONLY_DIRECTORY = 1544  # a WAL store whose -shm cannot be created


# user:password@ up to the authority's last "@": a raw "@" in a password is not its end
_PASSWORD_IN_URL = re.compile(r"(//[^\s:/@]*:)[^\s/]*@")


def redact(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return _PASSWORD_IN_URL.sub(r"\1***@", url)
    if "@" in (parsed.host or ""):  # the parser split a password at its raw "@"
        return _PASSWORD_IN_URL.sub(r"\1***@", url)
    return parsed.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for `url`. SQLite gets WAL and a busy timeout so readers never see
    "database is locked" while the daemon writes; `read_only` opens it with mode=ro."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL {redact(url)!r}: {exc}") from None
    if "@" in (parsed.host or ""):
        raise StoreError(
            f"the database URL {redact(url)} has a raw '@' in its password: write it as %40"
        )
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.database or "", read_only=read_only)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    options: dict[str, Any] = {"pool_pre_ping": True}
    if read_only:
        options["execution_options"] = {"postgresql_readonly": True}
    return create_engine(parsed, connect_args={"connect_timeout": 10}, **options)


def _sqlite_engine(database: str, *, read_only: bool) -> Engine:
    if not database or database == ":memory:":
        raise StoreError("aiwatch needs a SQLite file, not an in-memory database")
    path = Path(database).expanduser()
    if read_only:
        if not path.exists():
            raise StoreError(f"no database at {path}: run `aiwatch init` first")
        resolved = path.resolve()
        engine = create_engine(
            "sqlite+pysqlite://",
            creator=lambda: connect_sqlite_read_only(resolved, check_same_thread=False),
        )
    else:
        parent = path.resolve().parent
        if not parent.is_dir():
            raise StoreError(f"cannot create the database: {parent} is not a directory")
        engine = create_engine(f"sqlite+pysqlite:///{path}")
    event.listen(engine, "connect", _sqlite_pragmas)
    if not read_only:
        event.listen(engine, "connect", _enable_wal)
    return engine


def connect_sqlite_read_only(path: Path, **options: Any) -> sqlite3.Connection:
    """A connection that cannot write the store (mode=ro, enforced by SQLite even for
    root); `options` go to sqlite3.connect. A store in WAL mode needs its -shm file: when
    it does not exist and the directory is not writable (a read-only copy), no process can
    be writing the store, so it is opened as immutable, which needs none."""
    target = f"file:{quote(str(path))}?mode=ro"
    conn = sqlite3.connect(target, uri=True, **options)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode != SQLITE_READONLY_DIRECTORY:
            raise
        conn.close()
        conn = sqlite3.connect(f"{target}&immutable=1", uri=True, **options)
    return conn


def _enable_wal(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA journal_mode = WAL")


def check_connection(engine: Engine) -> None:
    """Connect once and turn driver errors into one clear sentence."""
    try:
        with engine.connect() as conn:
            inspect(conn).get_table_names()
    except OperationalError as exc:
        raise StoreError(describe_db_error(engine, exc)) from exc
    except DatabaseError as exc:
        raise StoreError(describe_db_error(engine, exc)) from exc


def describe_db_error(engine: Engine, exc: Exception) -> str:
    if engine.dialect.name == "sqlite":
        where = f"the SQLite store {engine.url.database or ''}".strip()
    else:
        where = redact(engine.url.render_as_string(hide_password=False))
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    if "file is not a database" in reason:
        return f"{where} is not a SQLite database (corrupt or another kind of file): {reason}"
    if "readonly" in reason or "read-only" in reason:
        return f"{where} is read-only: {reason}"
    if "unable to open" in reason:
        return f"cannot open {where}: {reason} (does the directory exist and is it writable?)"
    return f"cannot use database {where}: {reason}"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, expire_on_commit=False)
