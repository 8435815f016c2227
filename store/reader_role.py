"""A PostgreSQL login role that can only read the store: `aiwatch db create-reader`.

It gets SELECT on the analysts' views (every `v_*` view in the store's schema), on the
store's tables and on alembic_version (so aiwatch can tell an out-of-date store), and nothing
else: no superuser, no membership in any role (pg_read_server_files, pg_write_server_files,
pg_execute_server_program included), read-only transactions and a statement time limit by
default, even for clients other than aiwatch.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql
from sqlalchemy import Connection, Engine, inspect, text

from store.errors import StoreError
from store.models import Base

SERVER_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")


@dataclass(frozen=True)
class ReaderPlan:
    role: str
    database: str
    schema: str
    relations: list[str]
    statements: list[str]


def plan_reader(engine: Engine, role: str, password: str, *, timeout: float) -> ReaderPlan:
    """The SQL that creates `role`, or narrows it to reading if it exists."""
    if engine.dialect.name != "postgresql":
        raise StoreError(
            "db create-reader is for PostgreSQL; `aiwatch sql` opens a SQLite store read-only "
            "and the file's permissions decide who can read it"
        )
    with engine.connect() as conn:
        me, database, schema = conn.execute(
            text("SELECT current_user, current_database(), current_schema()")
        ).one()
        if role == me:
            raise StoreError(f"{role!r} is the role the store is written with; choose another name")
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        grant = _Grant(role, database, schema, _readable_relations(conn, schema))
        composed = grant.statements(password, exists.first() is not None, timeout)
        composed += grant.revocations(_memberships(conn, role))
        raw = conn.connection.driver_connection
        statements = [c.as_string(raw) for c in composed]
    return ReaderPlan(role, database, schema, grant.relations, statements)


@dataclass(frozen=True)
class _Grant:
    role: str
    database: str
    schema: str
    relations: list[str]

    def statements(self, password: str, exists: bool, timeout: float) -> list[sql.Composable]:
        who, db = sql.Identifier(self.role), sql.Identifier(self.database)
        where = sql.Identifier(self.schema)
        names = sql.SQL(", ").join(sql.Identifier(self.schema, r) for r in self.relations)
        attributes = sql.SQL(
            ("ALTER" if exists else "CREATE")
            + " ROLE {} WITH LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE"
            " NOREPLICATION NOBYPASSRLS NOINHERIT"
        )
        in_db = "ALTER ROLE {} IN DATABASE {} SET "
        return [
            attributes.format(who, sql.Literal(password)),
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, who),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(where, who),
            sql.SQL("GRANT SELECT ON {} TO {}").format(names, who),
            sql.SQL(in_db + "search_path = {}").format(who, db, where),
            sql.SQL(in_db + "default_transaction_read_only = on").format(who, db),
            sql.SQL(in_db + "statement_timeout = {}").format(
                who, db, sql.Literal(max(1, round(timeout * 1000)))
            ),
        ]

    def revocations(self, memberships: list[str]) -> list[sql.Composable]:
        who = sql.Identifier(self.role)
        return [sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(m), who) for m in memberships]


def _memberships(conn: Connection, role: str) -> list[str]:
    return list(
        conn.execute(
            text(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :r ORDER BY 1"
            ),
            {"r": role},
        ).scalars()
    )


def _readable_relations(conn: Connection, schema: str) -> list[str]:
    inspector = inspect(conn)
    views = sorted(v for v in inspector.get_view_names(schema) if v.startswith("v_"))
    present = set(inspector.get_table_names(schema))
    tables = sorted(t for t in [*Base.metadata.tables, "alembic_version"] if t in present)
    if not views:
        raise StoreError("the store has no aiwatch views yet: run `aiwatch init` first")
    return views + tables


def apply_reader(engine: Engine, plan: ReaderPlan) -> None:
    """Run the plan in one transaction, then check the role holds no server privilege."""
    with engine.begin() as conn:
        for statement in plan.statements:
            conn.exec_driver_sql(statement)
    with engine.connect() as conn:
        checks = ", ".join(f"pg_has_role(:r, '{name}', 'MEMBER')" for name in SERVER_ROLES)
        row = conn.execute(
            text(f"SELECT rolsuper, {checks} FROM pg_roles WHERE rolname = :r"), {"r": plan.role}
        ).one()
    if any(row):
        raise StoreError(f"the role {plan.role!r} still has server privileges: {row}")
