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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, text

from store.db import make_engine, session_factory
from store.models import Article, ArticleStory, Story
from tests.conftest import NewsSite
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
