"""The reading commands work on a store the user can only read: a SQLite file and
directory without write permission (when the tests run as root, the commands run as root
without its capabilities, through `setpriv`, so that the permissions hold). Nothing is
written or migrated, and an out-of-date schema is one line."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import make_url

from store.articles import ArticleRecord, save_article
from store.db import make_engine, session_factory
from store.models import Article, ArticleStory, Story
from store.schema import upgrade
from tests.conftest import PG_ADMIN_URL, Cli, NewsSite
from tests.crawler.test_crawl import _setup

# Root keeps its uid but loses the capabilities that override file permissions.
WITHOUT_CAPABILITIES = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"]
READERS = [
    ("status", "--json"),
    ("stories", "--since", "3650d", "--json"),
    ("story", "1", "--json"),
    ("topics", "--json"),
    ("search", "百度"),
    ("sql", "SELECT count(*) AS n FROM v_articles"),
]


@dataclass
class ReadOnlyStore:
    home: Path  # config, sources file and store, none of them writable

    @property
    def db(self) -> Path:
        return self.home / "aiwatch.db"

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`aiwatch ARGS` as a user who can only read the store."""
        prefix = WITHOUT_CAPABILITIES if os.geteuid() == 0 else []
        env = {
            **os.environ,
            "AIWATCH_CONFIG": str(self.home / "aiwatch.toml"),
            "HOME": str(self.home),
            "COLUMNS": "200",
        }
        return subprocess.run(
            [*prefix, sys.executable, "-m", "aiwatch", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=Path(__file__).parents[2],
            timeout=300,
        )

    def files(self) -> dict[str, str]:
        """Every file in the store's directory and a digest of its bytes."""
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in self.home.iterdir()}


@pytest.fixture
def crawled_store(tmp_path: Path, news_site: NewsSite) -> Iterator[Path]:
    """A store with the site's articles and one story, in a directory others may enter."""
    sources = '[[source]]\nname = "site-rss"\nlang = "ja"\nfeeds = ["{base}/feed.rss"]\n'
    cli = _setup(tmp_path, news_site, sources)
    assert cli("crawl").code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'aiwatch.db'}")
    with session_factory(engine).begin() as session:
        article_id = session.scalars(select(Article.id).order_by(Article.id)).first()
        story = Story(id=1)
        session.add(story)
        session.flush()
        session.add(ArticleStory(article_id=article_id, story_id=story.id))
    engine.dispose()  # the last connection: SQLite folds the WAL back and removes it
    home = Path(tempfile.mkdtemp(prefix="aiwatch-ro-"))
    for name in ("aiwatch.toml", "sources.toml", "aiwatch.db"):
        shutil.copy(tmp_path / name, home / name)
    yield home
    home.chmod(stat.S_IRWXU)
    shutil.rmtree(home)


def _lock(home: Path) -> ReadOnlyStore:
    for path in home.iterdir():
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    home.chmod(
        stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH
    )
    return ReadOnlyStore(home)


def test_reading_commands_work_on_a_store_the_user_can_only_read(crawled_store: Path) -> None:
    store = _lock(crawled_store)
    assert not [n for n in store.files() if n.endswith(("-wal", "-shm"))]  # a cold copy
    before = store.files()
    answers = {args[0]: store(*args) for args in READERS}
    for command, result in answers.items():
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr, (command, result.stderr)
    assert json.loads(answers["story"].stdout)  # the story's article
    assert "百度" in answers["search"].stdout
    assert "3" in answers["sql"].stdout
    sources = json.loads(answers["status"].stdout)["sources"]
    assert [(s["source"], s["status"]) for s in sources] == [("site-rss", "ok")]
    assert store.files() == before  # not a byte written, no -wal or -shm created


def test_reading_commands_say_in_one_line_that_the_schema_is_out_of_date(
    crawled_store: Path,
) -> None:
    engine = make_engine(f"sqlite:///{crawled_store / 'aiwatch.db'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    engine.dispose()
    store = _lock(crawled_store)
    before = store.files()
    for args in READERS:
        result = store(*args)
        assert result.returncode == 1, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "schema is at revision 0005" in lines[0], (args, lines)
        assert "aiwatch db upgrade" in lines[0]
    assert store.files() == before  # no migration attempted


@pytest.fixture
def pg_reader(
    pg_admin: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, Cli]]:
    """A store in a throwaway PostgreSQL database with an article in a story, and the CLI
    on it as a role that can only read it (`aiwatch db create-reader`)."""
    name = f"aiwatch_ro_{uuid.uuid4().hex[:10]}"
    role = f"ro_{uuid.uuid4().hex[:8]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    owner_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(owner_url)
    upgrade(engine)
    with session_factory(engine).begin() as session:
        save_article(
            session,
            ArticleRecord(
                "https://e.example/1", "百度发布新模型", "百度今天发布新模型。", "zh-Hans"
            ),
        )
        session.add(Story(id=1))
        session.flush()
        session.add(ArticleStory(article_id=session.scalar(select(Article.id)), story_id=1))
    owner = tmp_path / "owner.toml"
    owner.write_text(f'[store]\nurl = "{owner_url}"\n')
    monkeypatch.setenv("RO_PW", "x")  # trust authentication on 127.0.0.1: any password
    created = Cli(owner)("db", "create-reader", role, "--password-env", "RO_PW")
    assert created.code == 0, created.err
    reader = tmp_path / "aiwatch.toml"
    reader.write_text(f'[store]\nurl = "{make_url(owner_url).set(username=role)}"\n')
    yield engine, Cli(reader)
    engine.dispose()
    with pg_admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in inspect(conn).get_table_names()
        }


@pytest.mark.postgres
def test_reading_commands_work_as_a_postgresql_role_that_can_only_read(
    pg_reader: tuple[Engine, Cli],
) -> None:
    engine, cli = pg_reader
    before = _row_counts(engine)
    for args in READERS:
        result = cli(*args)
        assert result.code == 0, (args, result.err)
    assert _row_counts(engine) == before
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    for args in (READERS[0], READERS[-1]):  # app.reader and sql's own check (SQLite: all)
        result = cli(*args)
        lines = result.err.strip().splitlines()
        assert result.code == 1 and len(lines) == 1, (args, lines)
        assert "schema is at revision 0005" in lines[0]
