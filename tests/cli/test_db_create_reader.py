"""`aiwatch db create-reader` on a throwaway PostgreSQL database: the role it makes can read
the views, and nothing it does, connected directly without aiwatch's parser, writes to the
store or reaches the server's files and programs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from aiwatch.cli import cli
from store.articles import ArticleRecord, save_article
from store.db import make_engine, session_factory
from store.schema import upgrade
from tests.conftest import PG_ADMIN_URL

pytestmark = pytest.mark.postgres
PASSWORD = f"pw-{uuid.uuid4().hex}"


@dataclass
class PgStore:
    url: str
    engine: Engine
    directory: Path

    def aiwatch(self, *args: str, config: str = "", env: dict[str, str] | None = None) -> Result:
        path = self.directory / f"aiwatch-{uuid.uuid4().hex[:6]}.toml"
        path.write_text(f'[store]\nurl = "{self.url}"\n{config}')
        return CliRunner().invoke(cli, ["--config", str(path), *args], env=env)

    def titles(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(text("SELECT title FROM articles ORDER BY id")).scalars())


@pytest.fixture(scope="module")
def pg_store(pg_admin: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgStore]:
    name = f"aiwatch_t13r_{uuid.uuid4().hex[:10]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine).begin() as session:
        save_article(
            session, ArticleRecord("https://e.example/1", "智谱发布新模型", "正文。", "zh-Hans")
        )
    yield PgStore(url, engine, tmp_path_factory.mktemp("reader"))
    engine.dispose()
    with pg_admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))


@pytest.fixture
def role(pg_store: PgStore) -> Iterator[str]:
    name = f"t13_reader_{uuid.uuid4().hex[:8]}"
    yield name
    with pg_store.engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": name}).first():
            conn.execute(text(f'DROP OWNED BY "{name}"'))
            conn.execute(text(f'DROP ROLE "{name}"'))


def _create(pg_store: PgStore, role: str) -> str:
    """Creates the role as a user would; returns the [sql] url line it prints."""
    result = pg_store.aiwatch(
        "db", "create-reader", role, "--password-env", "T13_PW", env={"T13_PW": PASSWORD}
    )
    assert result.exit_code == 0, result.output
    assert f"Role {role!r} can read" in result.output
    [url_line] = [line for line in result.output.splitlines() if line.startswith("url = ")]
    assert PASSWORD not in url_line  # it came from the environment: not printed back
    return url_line


def _connect(pg_store: PgStore, role: str) -> psycopg.Connection:
    database = make_url(pg_store.url).database
    return psycopg.connect(
        host="127.0.0.1", port=5432, user=role, password=PASSWORD, dbname=database, autocommit=True
    )


def test_create_reader_print_shows_the_sql_and_creates_nothing(
    pg_store: PgStore, role: str
) -> None:
    result = pg_store.aiwatch("db", "create-reader", role, "--print")
    assert result.exit_code == 0, result.output
    assert f'CREATE ROLE "{role}" WITH LOGIN PASSWORD' in result.output
    assert "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS" in result.output
    assert '"public"."v_articles"' in result.output and "GRANT SELECT ON" in result.output
    assert "INSERT" not in result.output and "GRANT ALL" not in result.output
    assert "default_transaction_read_only = on" in result.output
    with pg_store.engine.connect() as conn:
        assert not conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).first()


def test_reader_role_reads_views_and_nothing_else(pg_store: PgStore, role: str) -> None:
    _create(pg_store, role)
    with pg_store.engine.connect() as conn:
        attributes = conn.execute(
            text(
                "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,"
                " (SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid)"
                " FROM pg_roles r WHERE rolname = :r"
            ),
            {"r": role},
        ).one()
    assert tuple(attributes) == (False, False, False, False, False, 0)
    with _connect(pg_store, role) as conn:
        assert conn.execute("SELECT title FROM v_articles").fetchall() == [("智谱发布新模型",)]
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        assert conn.execute("SHOW statement_timeout").fetchone() == ("30s",)


# Connected straight to the server as the reader, after switching its read-only default
# off: only its privileges are left to refuse these.
BYPASS = [
    "INSERT INTO articles (url, title, body, lang) VALUES ('u', 't', 'b', 'ja')",
    "UPDATE articles SET title = 'changed'",
    "DELETE FROM articles",
    "TRUNCATE articles",
    "DROP TABLE articles",
    "ALTER TABLE articles ADD COLUMN x int",
    "CREATE TABLE public.stolen (a int)",
    "CREATE VIEW public.v_stolen AS SELECT 1",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_read_binary_file('/etc/passwd')",
    "SELECT pg_ls_dir('/etc')",
    "SELECT pg_stat_file('/etc/passwd')",
    "SELECT lo_import('/etc/passwd')",
    "COPY (SELECT 1) TO '{dir}/copied'",
    "COPY (SELECT 1) TO PROGRAM 'id > {dir}/program'",
    "COPY articles FROM PROGRAM 'id'",
    "SET ROLE postgres",
    "SET SESSION AUTHORIZATION postgres",
    "ALTER ROLE CURRENT_USER SUPERUSER",
    "GRANT pg_read_server_files TO CURRENT_USER",
    "GRANT pg_execute_server_program TO CURRENT_USER",
]


@pytest.mark.parametrize("statement", BYPASS)
def test_reader_role_cannot_write_or_reach_the_server_without_the_parser(
    pg_store: PgStore, role: str, statement: str, tmp_path: Path
) -> None:
    _create(pg_store, role)
    with _connect(pg_store, role) as conn:
        conn.execute("SET default_transaction_read_only = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement.replace("{dir}", str(tmp_path)))  # type: ignore[arg-type]
    assert pg_store.titles() == ["智谱发布新模型"]
    assert list(tmp_path.iterdir()) == []


def test_sql_uses_the_reader_from_sql_url(pg_store: PgStore, role: str) -> None:
    url_line = _create(pg_store, role)
    result = pg_store.aiwatch(
        "sql",
        "SELECT title FROM v_articles",
        "--json",
        config=f"\n[sql]\n{url_line}\n",
        env={"PGPASSWORD": PASSWORD},
    )
    assert result.exit_code == 0, result.output  # no --allow-superuser needed
    assert "智谱发布新模型" in result.output


def test_create_reader_again_narrows_an_existing_role(pg_store: PgStore, role: str) -> None:
    _create(pg_store, role)
    with pg_store.engine.begin() as conn:
        conn.execute(text(f'GRANT pg_read_server_files TO "{role}"'))
        conn.execute(text(f'ALTER ROLE "{role}" CREATEDB'))
    _create(pg_store, role)
    with _connect(pg_store, role) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT pg_read_file('/etc/passwd')")
        assert conn.execute(
            "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (False,)


def test_create_reader_refuses_sqlite(tmp_path: Path) -> None:
    config = tmp_path / "aiwatch.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "store.db"}"\n')
    upgrade(make_engine(f"sqlite:///{tmp_path / 'store.db'}"))
    result = CliRunner().invoke(cli, ["--config", str(config), "db", "create-reader"])
    assert result.exit_code == 1
    assert "db create-reader is for PostgreSQL" in result.output
