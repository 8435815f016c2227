from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from store.articles import ArticleRecord, save_article
from tests.conftest import Cli, StoreHandle, new_sqlite_store


def test_init_works_entirely_inside_config_dir(tmp_path: Path) -> None:
    home = tmp_path / "x"
    cli = Cli(home / "aiwatch.toml")
    result = cli("init", "--db", f"sqlite:///{home / 'store.db'}")
    assert result.code == 0, result.err
    assert sorted(p.name for p in home.iterdir() if not p.name.startswith("store.db-")) == [
        "aiwatch.toml",
        "sources.toml",
        "store.db",
    ]
    again = cli("init")
    assert again.code == 0 and "up to date" in again.out


def test_config_show_masks_secrets(cli: Cli) -> None:
    cli.config.write_text('[smtp]\nhost = "mail.example.jp"\npassword = "hunter2"\n')
    assert cli("init").code == 0
    shown = cli("config", "show", "--json")
    assert shown.code == 0, shown.err
    smtp = json.loads(shown.out)["smtp"]
    assert smtp["password"] == "********"
    assert "hunter2" not in shown.out


def test_config_show_env_overrides_smtp(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("init").code == 0
    monkeypatch.setenv("AIWATCH_SMTP_HOST", "mail.example.jp")
    monkeypatch.setenv("AIWATCH_SMTP_PASSWORD", "s3cret")
    shown = cli("config", "show", "--json")
    smtp = json.loads(shown.out)["smtp"]
    assert smtp["host"] == "mail.example.jp" and smtp["password"] == "********"
    assert "s3cret" not in shown.out


def _add_article(store: StoreHandle) -> None:
    with store.sessions.begin() as s:
        save_article(
            s,
            ArticleRecord(
                "https://e.example/1", "智谱发布新模型", "智谱在北京发布GLM新模型。", "zh-Hans"
            ),
        )


def _superuser_ok(store: StoreHandle) -> list[str]:
    """The test server's role is a superuser, which `aiwatch sql` refuses unless told."""
    return ["--allow-superuser"] if store.dialect == "postgresql" else []


@pytest.mark.parametrize("fmt", ["--json", "--csv", None])
def test_sql_outputs_rows(store: StoreHandle, cli_store: Cli, fmt: str | None) -> None:
    _add_article(store)
    args = ["sql", "SELECT article_id, lang, title FROM v_articles", *_superuser_ok(store)]
    result = cli_store(*args, *([fmt] if fmt else []))
    assert result.code == 0, result.err
    if fmt == "--json":
        assert json.loads(result.out) == [
            {"article_id": 1, "lang": "zh-Hans", "title": "智谱发布新模型"}
        ]
    elif fmt == "--csv":
        assert result.out.splitlines() == ["article_id,lang,title", "1,zh-Hans,智谱发布新模型"]
    else:
        assert "智谱发布新模型" in result.out


@pytest.mark.parametrize(
    "statement",
    ["DROP TABLE articles", "UPDATE articles SET title = 'x'", "DELETE FROM articles"],
)
def test_sql_refuses_writes(store: StoreHandle, cli_store: Cli, statement: str) -> None:
    _add_article(store)
    result = cli_store("sql", statement, *_superuser_ok(store))
    assert result.code == 1
    assert "read-only" in result.err and "Traceback" not in result.err
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM articles")).scalar() == "智谱发布新模型"


def test_search_command_json(store: StoreHandle, cli_store: Cli) -> None:
    _add_article(store)
    result = cli_store("search", "智谱", "--json")
    assert result.code == 0, result.err
    assert [hit["url"] for hit in json.loads(result.out)] == ["https://e.example/1"]


def test_out_of_date_schema_says_how_to_fix(store: StoreHandle, cli_store: Cli) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    result = cli_store("search", "x")
    assert result.code == 1
    assert "aiwatch db upgrade" in result.err


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("unreachable", "cannot use database postgresql+psycopg://nobody@127.0.0.1:1/none"),
        ("corrupt", "not a SQLite database"),
        ("not_a_dir", "is not a directory"),
        ("missing_config", "no config file"),
    ],
)
def test_bad_store_gives_one_line_error(tmp_path: Path, setup: str, expected: str) -> None:
    config = tmp_path / "aiwatch.toml"
    if setup == "unreachable":
        url = "postgresql://nobody@127.0.0.1:1/none"
    elif setup == "corrupt":
        (tmp_path / "bad.db").write_bytes(b"this is not sqlite" * 1000)
        url = f"sqlite:///{tmp_path / 'bad.db'}"
    else:
        (tmp_path / "file").write_text("x")
        url = f"sqlite:///{tmp_path / 'file' / 'store.db'}"
    if setup != "missing_config":
        config.write_text(f'[store]\nurl = "{url}"\n')
    result = Cli(config)("db", "upgrade")
    assert result.code == 1
    assert expected in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    debug = Cli(config)("--debug", "db", "upgrade")
    assert "Traceback" in debug.err


def test_readonly_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    # /sys refuses new files even to root, unlike a chmod-ed directory
    config = tmp_path / "aiwatch.toml"
    config.write_text('[store]\nurl = "sqlite:////sys/aiwatch.db"\n')
    result = Cli(config)("db", "upgrade")
    assert result.code == 1
    assert "cannot open the SQLite store /sys/aiwatch.db" in result.err
    assert "Traceback" not in result.err


def test_sqlite_reader_and_writer_at_once_never_locked(tmp_path: Path) -> None:
    store = new_sqlite_store(tmp_path)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from store.db import make_engine, session_factory\n"
            "from store.articles import ArticleRecord, save_article\n"
            "s = session_factory(make_engine(sys.argv[1]))\n"
            "for i in range(300):\n"
            "    with s.begin() as t:\n"
            "        save_article(t, ArticleRecord(f'https://w/{i}', f'题{i}', f'正文 {i} ' * (i+5), 'zh-Hans'))\n",
            store.url,
        ]
    )
    path = store.url.removeprefix("sqlite:///")
    reads = 0
    while writer.poll() is None:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        conn.execute("SELECT count(*) FROM v_articles").fetchone()
        conn.close()
        reads += 1
    assert writer.returncode == 0
    assert reads > 0
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 300
