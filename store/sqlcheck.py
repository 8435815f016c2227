"""The first gate of `aiwatch sql`: the text must parse as exactly one read-only query.

The database enforces read-only access below this gate (store/readonly.py); the parser is
there so that a refusal is a clear sentence before anything reaches the server, and so that
statements a read-only session still allows (LISTEN, SET ROLE, server-file functions) never
run at all.
"""

from __future__ import annotations

import logging
import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from store.errors import StoreError

ALLOWED = "one SELECT, WITH ... SELECT or EXPLAIN of a SELECT"

# Nodes that write, change the session or leave the SQL sandbox, wherever they appear
# (a DELETE inside a CTE is as much a write as one at the top).
_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = (
    exp.DML,
    exp.DDL,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Refresh,
    exp.Cache,
    exp.Uncache,
    exp.Command,
    exp.Copy,
    exp.Pragma,
    exp.Attach,
    exp.Detach,
    exp.Set,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Lock,
    exp.Into,
    exp.Grant,
    exp.Revoke,
    exp.Analyze,
    exp.Kill,
    exp.LoadData,
    exp.Use,
    exp.Comment,
)

# Functions that reach the server's files, processes, other databases or settings. The
# reader role cannot run most of them anyway; refusing them here says why in one line.
# pg_sleep is allowed: the query time limit bounds it.
_FORBIDDEN_FUNCTIONS = frozenset(
    {
        "pg_read_file",
        "pg_read_binary_file",
        "pg_stat_file",
        "pg_file_write",
        "pg_file_rename",
        "pg_file_unlink",
        "pg_logdir_ls",
        "set_config",
        "pg_terminate_backend",
        "pg_cancel_backend",
        "pg_reload_conf",
        "pg_promote",
        "pg_switch_wal",
        "pg_create_restore_point",
        "pg_notify",
        "nextval",
        "setval",
        "ts_stat",  # runs the query in its argument, past these checks
        "ts_rewrite",
        "txid_current",  # assigns a transaction id
        "pg_current_xact_id",
        "pg_import_system_collations",
        "pg_export_snapshot",
        "gin_clean_pending_list",
        "pg_start_backup",  # PostgreSQL 14 and older: pg_backup_* since 15
        "pg_stop_backup",
        "pg_stat_statements_reset",
        "pg_nextoid",
        "load_extension",
        "readfile",
        "writefile",
        "edit",
        "fts3_tokenizer",
    }
)
_FORBIDDEN_PREFIXES = (
    "pg_ls_",
    "lo_",
    "dblink",
    "pg_advisory",
    "pg_try_advisory",
    "pg_create_",  # replication slots, restore points
    "pg_drop_replication",
    "pg_replication_",
    "pg_logical_",
    "pg_backup_",
    "pg_wal_replay_",
    "pg_stat_reset",
    "pg_rotate_logfile",
    "pg_copy_",  # replication slots
    "pg_sync_replication",
    "pg_log_",  # write to the server's log
    "query_to_xml",  # run the query in their argument
    "cursor_to_xml",
    "brin_",  # summarise an index: a write
)

_EXPLAIN = re.compile(
    r"^\s*EXPLAIN\b((?:\s*\([^()]*\)|\s+ANALY[SZ]E\b|\s+VERBOSE\b|\s+QUERY\s+PLAN\b)*)",
    re.IGNORECASE,
)

_LEADING_WORD = re.compile(r"(?:\s|\(|--[^\n]*(?:\n|$)|/\*.*?\*/)*([A-Za-z_]+)", re.DOTALL)

# sqlglot logs a warning for every statement it falls back to parsing as an opaque command;
# here that is a refusal, not something to warn about.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


class QueryRefused(StoreError):
    """The statement is not a single read-only query; the message says what was found."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"refused: `aiwatch sql` is read-only and runs {ALLOWED}; {reason}")


def check_read_only(sql: str, dialect: str) -> None:
    """Raise QueryRefused unless `sql` is one read-only query in `dialect` ("sqlite" or
    "postgresql")."""
    explain = _EXPLAIN.match(sql)
    body = sql[explain.end() :] if explain else sql
    leading = _leading_word(body)
    try:
        statements = [s for s in sqlglot.parse(body, dialect=_sqlglot_dialect(dialect)) if s]
    except SqlglotError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueryRefused(f"found {leading}, which does not parse as a query ({first})") from None
    except RecursionError:
        raise QueryRefused("the query is nested too deeply to check") from None
    if not statements:
        raise QueryRefused("the text holds no statement")
    if _has_unicode_identifier(body, dialect):
        raise QueryRefused('found a U&"..." identifier, which can spell any name')
    if len(statements) > 1:
        kinds = [_kind(s) for s in statements]
        named = ", ".join(k for k in kinds if k) + (", ..." if not all(kinds) else "")
        raise QueryRefused(f"found {len(statements)} statements ({named})")
    _check_tree(statements[0], leading)


def _sqlglot_dialect(dialect: str) -> str:
    return "postgres" if dialect == "postgresql" else dialect


def _has_unicode_identifier(sql: str, dialect: str) -> bool:
    """PostgreSQL's U&"..." spells a name with escapes (U&"pg\\005fread_file"), which sqlglot
    reads as `U & "..."`: the three tokens written with nothing between them."""
    tokens = sqlglot.tokenize(sql, dialect=_sqlglot_dialect(dialect))
    return any(
        u.text.upper() == "U"
        and amp.token_type == TokenType.AMP
        and name.token_type == TokenType.IDENTIFIER
        and u.end + 1 == amp.start
        and amp.end + 1 == name.start
        for u, amp, name in zip(tokens, tokens[1:], tokens[2:], strict=False)
    )


def _kind(node: exp.Expression) -> str:
    """The statement's keyword, or "" for what sqlglot read as a stray expression."""
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, (exp.Select, exp.SetOperation, *_FORBIDDEN_NODES)):
        return node.key.upper()
    return ""


def _leading_word(sql: str) -> str:
    """The statement's first keyword (LISTEN, TABLE ...), past comments and parentheses:
    what the user wrote, where sqlglot may have read it as something else."""
    match = _LEADING_WORD.match(sql)
    return match.group(1).upper() if match else "?"


def _check_tree(statement: exp.Expression, leading_word: str) -> None:
    query = statement.this if isinstance(statement, exp.Subquery) else statement
    if not isinstance(query, exp.Select | exp.SetOperation):
        raise QueryRefused(f"found {_kind(query) if isinstance(query, exp.DML) else leading_word}")
    for node in statement.walk():
        if isinstance(node, exp.Lock):
            raise QueryRefused("SELECT ... FOR UPDATE/SHARE takes row locks")
        if isinstance(node, exp.Into):
            raise QueryRefused("SELECT ... INTO creates a table")
        if isinstance(node, _FORBIDDEN_NODES):
            raise QueryRefused(f"found {_kind(node)} inside the query")
        if isinstance(node, exp.Func):
            name = _function_name(node)
            if name in _FORBIDDEN_FUNCTIONS or name.startswith(_FORBIDDEN_PREFIXES):
                raise QueryRefused(f"the function {name}() reaches outside the store")


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return node.sql_name().lower()
