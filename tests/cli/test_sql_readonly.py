"""`aiwatch sql` is read-only for real, on a real SQLite file and a throwaway PostgreSQL
database: every attack is refused in one line with exit status 1, and a second connection
finds the store, and the file system, unchanged. Queries stop at `[sql] timeout`."""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, inspect, text

from aiwatch.cli import cli
from store.articles import ArticleRecord, save_article
from store.db import make_engine, session_factory
from store.errors import StoreError
from store.models import Base
from store.query import _parse_time_limit
from store.readonly import QueryTimeout, open_read_only
from store.schema import upgrade
from tests.conftest import PG_ADMIN_URL, Cli

TIMEOUT_S = 1.0


@dataclass
class Target:
    """A migrated store with one article, a config for it, and a directory to watch."""

    dialect: str
    url: str
    engine: Engine
    config: Path
    watched: Path

    def sql(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        """`aiwatch sql ...` as a user runs it (the test server's role is a superuser: the
        parser and the read-only session are what stand between it and the server)."""
        superuser = ["--allow-superuser"] if self.dialect == "postgresql" else []
        runner = CliRunner()
        result = runner.invoke(
            cli,
            ["--config", str(self.config), "sql", *args, *superuser],
            env=env,
            catch_exceptions=False,
        )
        return result.exit_code, result.output

    def snapshot(self) -> dict[str, object]:
        """What a second connection sees: every relation, every table's rows, the files."""
        with self.engine.connect() as conn:
            inspector = inspect(conn)
            relations = sorted(inspector.get_table_names() + inspector.get_view_names())
            rows = {
                table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in Base.metadata.tables
            }
            titles = conn.execute(text("SELECT title FROM articles ORDER BY id")).scalars().all()
            if self.dialect == "sqlite":
                rows["user_version"] = conn.execute(text("PRAGMA user_version")).scalar()
        files = sorted(p.name for p in self.watched.iterdir())
        return {"relations": relations, "rows": rows, "titles": titles, "files": files}


def _config(directory: Path, url: str, extra: str = "") -> Path:
    config = directory / "aiwatch.toml"
    config.write_text(f'[store]\nurl = "{url}"\n\n[sql]\ntimeout = "{TIMEOUT_S}s"\n{extra}')
    return config


def _seed(engine: Engine) -> None:
    upgrade(engine)
    with session_factory(engine).begin() as session:
        save_article(
            session,
            ArticleRecord(
                "https://e.example/1", "智谱发布新模型", "智谱发布GLM新模型。", "zh-Hans"
            ),
        )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    directory = tmp_path_factory.mktemp(f"sql-{request.param}")
    watched = directory / "watched"
    watched.mkdir()
    if request.param == "sqlite":
        url = f"sqlite:///{directory / 'store.db'}"
        engine = make_engine(url)
        _seed(engine)
        yield Target("sqlite", url, engine, _config(directory, url), watched)
        engine.dispose()
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    name = f"aiwatch_t13_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    _seed(engine)
    yield Target("postgresql", url, engine, _config(directory, url), watched)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))


DROP = "DROP TABLE articles"
INSERT = (
    "INSERT INTO sources (name, kind, lang, config, enabled, created_at)"
    " VALUES ('x', 'news', 'ja', '{}', TRUE, CURRENT_TIMESTAMP)"
)
# (id, statement, what the refusal says); {dir} is a directory nothing may appear in.
ATTACKS = [
    ("commit-drop", f"COMMIT; {DROP}", r"found 2 statements \(COMMIT, DROP\)"),
    ("select-commit-insert", f"SELECT 1 AS x; COMMIT; {INSERT}", r"found 3 statements"),
    ("pg_read_file", "SELECT pg_read_file('/etc/passwd')", r"pg_read_file\(\) reaches outside"),
    (
        "pg_read_file-qualified",
        "SELECT pg_catalog.PG_READ_FILE('/etc/passwd')",
        r"pg_read_file\(\)",
    ),
    ("pg_ls_dir", "SELECT pg_ls_dir('/etc')", r"pg_ls_dir\(\) reaches outside"),
    ("copy-to-program", "COPY (SELECT 1) TO PROGRAM 'id > {dir}/program'", r"found COPY"),
    ("copy-to-file", "COPY (SELECT 1) TO '{dir}/copied'", r"found COPY"),
    ("copy-table", "COPY articles TO '{dir}/copied'", r"found COPY"),
    ("vacuum-into", "VACUUM INTO '{dir}/vacuumed.db'", r"found VACUUM"),
    ("vacuum", "VACUUM", r"found VACUUM"),
    ("attach", "ATTACH DATABASE '{dir}/attached.db' AS x", r"found ATTACH|could not be parsed"),
    ("set-role", "SET ROLE postgres", r"found SET"),
    ("set-read-write", "SET default_transaction_read_only = off", r"found SET"),
    (
        "reset-session-authorization",
        "RESET SESSION AUTHORIZATION",
        r"found RESET|could not be parsed",
    ),
    ("do-block", f"DO $$ BEGIN {DROP}; END $$", r"found DO|could not be parsed"),
    ("call", "CALL some_procedure()", r"found CALL"),
    ("listen", "LISTEN aiwatch", r"found LISTEN"),
    ("notify", "NOTIFY aiwatch, 'hello'", r"found NOTIFY|could not be parsed"),
    ("for-update", "SELECT * FROM articles FOR UPDATE", r"FOR UPDATE/SHARE"),
    ("for-share", "SELECT * FROM v_articles FOR SHARE", r"FOR UPDATE/SHARE"),
    ("create-temp-table", "CREATE TEMP TABLE stolen AS SELECT * FROM articles", r"found CREATE"),
    ("select-into", "SELECT * INTO stolen FROM articles", r"SELECT \.\.\. INTO"),
    ("lo_import", "SELECT lo_import('/etc/passwd')", r"lo_import\(\) reaches outside"),
    ("dblink", "SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS t(a int)", r"dblink\(\)"),
    ("dblink_exec", f"SELECT dblink_exec('dbname=postgres', '{DROP}')", r"dblink_exec\(\)"),
    (
        "set_config",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        r"set_config\(\)",
    ),
    (
        "replication-slot",
        "SELECT pg_create_logical_replication_slot('s', 'pgoutput')",
        r"pg_create_logical_replication_slot\(\)",
    ),
    ("stat-reset", "SELECT pg_stat_reset()", r"pg_stat_reset\(\)"),
    ("load_extension", "SELECT load_extension('{dir}/x')", r"load_extension\(\)"),
    ("comment-hides-semicolon", f"SELECT 1 /* ; */; {DROP}", r"found 2 statements"),
    ("line-comment", f"SELECT 1 -- ;\n; {DROP}", r"found 2 statements"),
    ("string-semicolon", f"SELECT ';' AS a; {DROP} -- ;", r"found 2 statements"),
    ("quoted-quote", f"SELECT 'it''s; fine' AS a; {INSERT}", r"found 2 statements"),
    ("backslash-string", f"SELECT '\\'; {DROP}; --'", r"found 3 statements"),
    ("dollar-quote", f"SELECT $$;$$ AS a; {DROP}", r"statements|could not be parsed"),
    (
        "writable-cte-delete",
        "WITH d AS (DELETE FROM articles RETURNING *) SELECT * FROM d",
        r"found DELETE inside",
    ),
    (
        "writable-cte-update",
        "WITH u AS (UPDATE articles SET title = 'x' RETURNING id) SELECT * FROM u",
        r"found UPDATE inside",
    ),
    ("cte-then-insert", f"WITH s AS (SELECT 1) {INSERT}", r"found INSERT|found WITH"),
    ("explain-analyze-delete", "EXPLAIN ANALYZE DELETE FROM articles", r"found DELETE"),
    ("pragma-write", "PRAGMA user_version = 7", r"found PRAGMA"),
    ("pragma-journal", "PRAGMA journal_mode = DELETE", r"found PRAGMA"),
    ("begin", "BEGIN", r"found BEGIN"),
    ("drop", DROP, r"found DROP"),
    ("update", "UPDATE articles SET title = 'x'", r"found UPDATE"),
    ("delete", "DELETE FROM articles", r"found DELETE"),
    ("empty", "  -- nothing", r"holds no statement"),
    # functions that run the SQL in a string argument, past the function checks
    (
        "ts_stat-runs-a-string",
        "SELECT * FROM ts_stat('SELECT to_tsvector(pg_read_file(''/etc/passwd''))')",
        r"ts_stat\(\)",
    ),
    (
        "ts_rewrite-runs-a-string",
        "SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, pg_read_file(''/etc/passwd'')')",
        r"ts_rewrite\(\)",
    ),
    (
        "query_to_xmlschema-runs-a-string",
        "SELECT query_to_xmlschema('SELECT pg_read_file(''/etc/passwd'')', true, true, '')",
        r"query_to_xmlschema\(\)",
    ),
    # a U&"..." identifier spells any name; sqlglot reads it as U & "..."
    ("unicode-escaped-function", "SELECT U&\"pg\\005fread_file\"('/etc/passwd')", r'U&"'),
    (
        "unicode-escaped-in-from",
        "SELECT * FROM U&\"lo\\005fimport\"('/etc/passwd')",
        r'U&"|not parse',
    ),
    # side effects a read-only transaction still allows a superuser
    ("txid_current", "SELECT txid_current()", r"txid_current\(\)"),
    ("pg_current_xact_id", "SELECT pg_current_xact_id()", r"pg_current_xact_id\(\)"),
    (
        "pg_import_system_collations",
        "SELECT pg_import_system_collations('pg_catalog')",
        r"pg_import_system_collations\(\)",
    ),
    (
        "gin_clean_pending_list",
        "SELECT gin_clean_pending_list('ix_articles_body_trgm')",
        r"gin_clean_pending_list\(\)",
    ),
    (
        "brin_summarize",
        "SELECT brin_summarize_new_values('ix_articles_body_trgm')",
        r"brin_summarize_new_values\(\)",
    ),
    (
        "copy-replication-slot",
        "SELECT pg_copy_logical_replication_slot('a', 'b')",
        r"pg_copy_logical_replication_slot\(\)",
    ),
    ("rotate-logfile-old", "SELECT pg_rotate_logfile_old()", r"pg_rotate_logfile_old\(\)"),
    (
        "log-memory-contexts",
        "SELECT pg_log_backend_memory_contexts(pg_backend_pid())",
        r"pg_log_backend_memory_contexts\(\)",
    ),
    ("export-snapshot", "SELECT pg_export_snapshot()", r"pg_export_snapshot\(\)"),
    ("start-backup-pg14", "SELECT pg_start_backup('x')", r"pg_start_backup\(\)"),
    ("stat-statements-reset", "SELECT pg_stat_statements_reset()", r"pg_stat_statements_reset"),
    # attempts that held: quoting and comment tricks around refused names and statements
    ("nested-comment", f"SELECT 1 /* /* */ */ ; {DROP}", r"statements|not parse"),
    ("tagged-dollar-quote", f"SELECT $a$ ; $a$ AS x; {DROP}", r"statements|not parse"),
    ("semicolon-identifier", f'SELECT 1 AS "a;b"; {DROP}', r"found 2 statements"),
    (
        "dollar-in-identifiers",
        "SELECT 1 AS x$$, pg_read_file('/etc/passwd') AS y, 2 AS z$$",
        r"pg_read_file",
    ),
    (
        "escape-string",
        "SELECT E'\\'', pg_read_file('/etc/passwd') AS y, E'\\''",
        r"pg_read_file|not parse",
    ),
    ("quoted-function", 'SELECT pg_catalog."pg_terminate_backend"(1)', r"pg_terminate_backend"),
    ("function-in-from", "SELECT * FROM pg_notify('x', 'y')", r"pg_notify\(\)"),
    ("nextval-in-from", "SELECT * FROM nextval('articles_id_seq')", r"nextval\(\)"),
    ("lo_export", "SELECT lo_export(1, '{dir}/exported')", r"lo_export\(\)"),
    ("advisory-lock", "SELECT pg_advisory_lock(1)", r"pg_advisory_lock\(\)"),
    ("reload-conf-in-union", "SELECT 1 UNION SELECT pg_reload_conf()::int", r"pg_reload_conf"),
    ("explain-analyze-options-insert", f"EXPLAIN (ANALYZE, BUFFERS) {INSERT}", r"found INSERT"),
    ("deep-nesting", "SELECT " + "(" * 5000 + "1" + ")" * 5000, r"nested too deeply"),
    ("deep-subqueries", "SELECT " + "(SELECT " * 3000 + "1" + ")" * 3000, r"nested too deeply"),
]


@pytest.mark.parametrize(
    ("statement", "says"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS]
)
def test_sql_refuses_every_attack_and_changes_nothing(
    target: Target, statement: str, says: str
) -> None:
    before = target.snapshot()
    code, output = target.sql(statement.replace("{dir}", str(target.watched)))
    assert code == 1
    [line] = output.strip().splitlines()
    assert line.startswith("Error: refused: `aiwatch sql` is read-only and runs one SELECT")
    assert re.search(says, line), line
    assert target.snapshot() == before


@pytest.mark.parametrize(
    "statement",
    [
        f"COMMIT; {DROP}",
        f"SELECT 1 AS x; COMMIT; {INSERT}",
        INSERT,
        "CREATE TEMP TABLE stolen AS SELECT * FROM articles",
        "VACUUM INTO '{dir}/vacuumed.db'",
        "VACUUM",
        "ATTACH DATABASE '{dir}/attached.db' AS x",
        "PRAGMA user_version = 7",
        "PRAGMA wal_checkpoint(TRUNCATE)",
        "PRAGMA query_only = 0",
        "SELECT load_extension('{dir}/x')",
        "SELECT * FROM pragma_query_only(0)",
        "SELECT * FROM pragma_writable_schema(1)",
        "SELECT * FROM pragma_journal_mode('delete')",
        "SELECT * FROM pragma_table_info('articles', 'file:{dir}/made.db?mode=rwc')",
    ],
)
def test_sql_connection_refuses_writes_without_the_parser(target: Target, statement: str) -> None:
    """The second gate alone: the statement goes straight to the read-only connection."""
    if target.dialect == "postgresql" and statement.startswith(
        ("VACUUM", "ATTACH", "PRAGMA", "SELECT load_", "SELECT * FROM pragma_")
    ):
        pytest.skip("SQLite's statements")
    # A pragma's table-valued function takes no value to set and no database it has not
    # attached: SQLite itself refuses those forms, before the authorizer is asked.
    refusal = "read-only|too many arguments|unknown database" if "pragma_" in statement else "read-only"
    before = target.snapshot()
    session = open_read_only(target.url, timeout=TIMEOUT_S, allow_superuser=True)
    try:
        with pytest.raises(StoreError, match=refusal):
            session.run(statement.replace("{dir}", str(target.watched)), None)
    finally:
        session.close()
    assert target.snapshot() == before


def test_sql_still_answers_queries(target: Target) -> None:
    for statement in [
        "SELECT title FROM v_articles",
        "WITH t AS (SELECT title FROM v_articles) SELECT * FROM t",
        "SELECT 'a;b' AS x -- ; DROP TABLE articles",
    ]:
        code, output = target.sql(statement, "--json")
        assert code == 0, output
    code, output = target.sql("EXPLAIN SELECT * FROM v_articles")
    assert code == 0 and output.strip(), output


def test_sql_answers_full_text_queries_on_sqlite(target: Target) -> None:
    """Opening the FTS5 index asks the authorizer for things a read never does."""
    if target.dialect != "sqlite":
        pytest.skip("articles_fts is SQLite's index")
    before = target.snapshot()
    code, output = target.sql(
        "SELECT count(*) AS n FROM articles_fts WHERE articles_fts MATCH '\"人工智能\"'", "--json"
    )
    assert code == 0, output
    assert json.loads(output)[0]["n"] >= 0
    assert target.snapshot() == before


@pytest.mark.parametrize(
    "statement",
    [
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c",
        "SELECT pg_sleep(30)",
        # one row, no loop: SQLite's progress handler never runs inside it
        "SELECT length(" + "replace(" * 10 + "hex(zeroblob(50000000))" + ", '0', '1')" * 10 + ")",
        # text that takes the parser longer than the limit to read
        "SELECT a" + "[1]" * 30000,
        "SELECT " + "1 + " * 60000 + "1",
    ],
    ids=["runaway-recursive-cte", "pg_sleep", "one-long-expression", "slow-parse", "long-parse"],
)
def test_sql_stops_at_the_time_limit(target: Target, statement: str) -> None:
    if "pg_sleep" in statement and target.dialect == "sqlite":
        pytest.skip("pg_sleep is PostgreSQL's")
    if "zeroblob" in statement and target.dialect == "postgresql":
        pytest.skip("zeroblob is SQLite's")
    if "[1]" in statement and target.dialect == "sqlite":
        pytest.skip("subscripts are PostgreSQL's")
    started = time.monotonic()
    code, output = target.sql(statement)
    elapsed = time.monotonic() - started
    assert code == 1
    assert "stopped after the time limit of 1 s ([sql] timeout)" in output
    assert elapsed < TIMEOUT_S + 1, elapsed


def test_sql_refuses_a_superuser_unless_allowed(target: Target) -> None:
    if target.dialect == "sqlite":
        pytest.skip("PostgreSQL roles")
    args = ["--config", str(target.config), "sql", "SELECT 1 AS one", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "the PostgreSQL role 'postgres' is a superuser" in line
    assert "aiwatch db create-reader" in line and "--allow-superuser" in line
    allowed = CliRunner().invoke(cli, [*args, "--allow-superuser"])
    assert allowed.exit_code == 0 and '"one": 1' in allowed.output


def test_sql_timeout_setting_is_a_duration(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _seed(create_engine(url))
    config = _config(tmp_path, url)
    config.write_text(config.read_text().replace(f'"{TIMEOUT_S}s"', '"soon"'))
    result = Cli(config)("sql", "SELECT 1")
    assert result.code == 1
    assert "not a duration: 'soon'" in result.err and "Traceback" not in result.err


def _wait_until(condition: Callable[[], bool], timeout: float) -> float:
    """Seconds until `condition` held (polling the other process's real state); fails
    after `timeout`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.05)
    return time.monotonic() - started


def _wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float) -> None:
    assert proc.stderr is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline and selector.select(deadline - time.monotonic()):
        line = proc.stderr.readline()
        seen.append(line)
        if needle in line or not line:
            break
    assert seen and needle in seen[-1], "".join(seen)


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "sigterm", "kill-9"]
)
def test_sql_stopped_client_stops_the_query_on_the_server(
    target: Target, signum: signal.Signals, tmp_path: Path
) -> None:
    """The limit is a minute here: what ends the query is the client stopping."""
    tag = f"t13_{uuid.uuid4().hex[:8]}"
    config = _config(tmp_path, target.url).read_text().replace(f'"{TIMEOUT_S}s"', '"60s"')
    (tmp_path / "aiwatch.toml").write_text(config)
    if target.dialect == "sqlite":
        statement = f"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) AS {tag} FROM c"
        superuser = []
    else:
        statement, superuser = f"SELECT pg_sleep(60) AS {tag}", ["--allow-superuser"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiwatch", "--debug", "sql", statement, *superuser],
        env={**os.environ, "AIWATCH_CONFIG": str(tmp_path / "aiwatch.toml")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_line(proc, "query running", timeout=60)
        if target.dialect == "postgresql":
            _wait_until(lambda: _backends(target, tag) == 1, timeout=10)
        else:  # aiwatch and the child process running the query
            _wait_until(lambda: _processes(tag) == 2, timeout=10)
        proc.send_signal(signum)
        proc.wait(timeout=10)
        if target.dialect == "postgresql":
            # a killed client is noticed within client_connection_check_interval (1 s)
            assert _wait_until(lambda: _backends(target, tag) == 0, timeout=5) < 5
        else:  # the query's child process dies with its parent, even one killed with -9
            assert _wait_until(lambda: _processes(tag) == 0, timeout=5) < 5
    finally:
        proc.kill()
        _, err = proc.communicate()
    if signum == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 1, err
        assert err.strip().splitlines()[-1] == "Error: the query was cancelled: aiwatch was stopped"


def _processes(tag: str) -> int:
    """Processes whose command line holds `tag` (the query's text)."""
    count = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            count += tag.encode() in cmdline.read_bytes()
        except OSError:  # it ended while we looked
            continue
    return count


def _backends(target: Target, tag: str) -> int:
    with target.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                " AND state = 'active' AND query LIKE :q"
            ),
            {"q": f"%{tag}%"},
        ).scalar_one()


def test_config_show_masks_the_sql_url_password(tmp_path: Path) -> None:
    config = _config(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    config.write_text(
        config.read_text() + 'url = "postgresql://reader:s3cret-pw@127.0.0.1:5432/aiwatch"\n'
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "show", "--json"])
    assert result.exit_code == 0, result.output
    assert "s3cret-pw" not in result.output and "reader:***@127.0.0.1" in result.output


def test_the_parse_time_limit_holds_when_the_alarm_lands_in_a_weakref_callback() -> None:
    """An exception raised inside a weakref callback (the garbage collector's) is printed
    and dropped; the limit must still stop the parser that goes on after it."""

    class Parsed:
        pass

    def slow_callback(_ref: object) -> None:
        time.sleep(0.3)  # the alarm goes off in here

    started = time.monotonic()
    with pytest.raises(QueryTimeout), _parse_time_limit(0.1):
        parsed = Parsed()
        ref = weakref.ref(parsed, slow_callback)
        del parsed
        while time.monotonic() < started + 5:  # the parser reading on
            pass
    assert time.monotonic() - started < 2
    assert ref() is None
