"""Shared fixtures: real SQLite and PostgreSQL stores, a CLI runner on an isolated config."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from store.db import make_engine, session_factory
from store.schema import upgrade

PG_ADMIN_URL = os.environ.get(
    "AIWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass
class StoreHandle:
    """A migrated store and how to reach it."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def _pg_available() -> bool:
    try:
        with create_engine(PG_ADMIN_URL).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    if not _pg_available():
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}; start it (see .ci/run)")
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    yield engine
    engine.dispose()


def new_sqlite_store(directory: Path) -> StoreHandle:
    url = f"sqlite:///{directory / 'aiwatch.db'}"
    engine = make_engine(url)
    upgrade(engine)
    return StoreHandle(url, engine, session_factory(engine))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreHandle]:
    """A freshly migrated store: a SQLite file, or a private schema in PostgreSQL."""
    if request.param == "sqlite":
        handle = new_sqlite_store(tmp_path)
        yield handle
        handle.engine.dispose()
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema},public"
    engine = make_engine(url)
    upgrade(engine)
    yield StoreHandle(url, engine, session_factory(engine))
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@dataclass
class Cli:
    """Runs the real `aiwatch` console script in a subprocess against one config file."""

    config: Path

    def __call__(self, *args: str, input: str | None = None, timeout: float = 600) -> CliResult:
        env = {**os.environ, "AIWATCH_CONFIG": str(self.config), "COLUMNS": "200"}
        proc = subprocess.run(
            [sys.executable, "-m", "aiwatch", *args],
            capture_output=True,
            text=True,
            input=input,
            env=env,
            timeout=timeout,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The CLI on a config in a temp dir; call cli("init") to create the store."""
    return Cli(tmp_path / "aiwatch.toml")


@pytest.fixture
def cli_store(store: StoreHandle, tmp_path: Path) -> Cli:
    """The CLI on a config pointing at `store` (SQLite or PostgreSQL)."""
    config = tmp_path / "aiwatch.toml"
    config.write_text(f'[store]\nurl = "{store.url}"\n', encoding="utf-8")
    return Cli(config)


@dataclass
class NewsSite:
    """The local news site (tests/newssite) running in a subprocess on 127.0.0.1."""

    base: str
    process: subprocess.Popen[str]

    def requested(self) -> list[str]:
        import json
        import urllib.request

        with urllib.request.urlopen(f"{self.base}/_log", timeout=10) as response:
            return json.loads(response.read())

    def publish(self, path: str) -> None:
        """Make `path` appear as a new item in /feed.rss."""
        import urllib.request

        request = urllib.request.Request(f"{self.base}/_feed", data=path.encode(), method="POST")
        urllib.request.urlopen(request, timeout=10).close()


@pytest.fixture
def news_site() -> Iterator[NewsSite]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.newssite"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    yield NewsSite(f"http://127.0.0.1:{port}", process)
    process.terminate()
    process.wait(timeout=10)


@dataclass
class Webhook:
    """The Slack-compatible endpoint (tests/webhook_server.py) in a subprocess."""

    base: str

    @property
    def url(self) -> str:
        return f"{self.base}/hook"

    def _call(self, path: str, data: object | None = None) -> object:
        import json
        import urllib.request

        request = urllib.request.Request(
            f"{self.base}{path}",
            data=None if data is None else json.dumps(data).encode(),
            method="GET" if data is None else "POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def script(self, steps: list[object]) -> None:
        self._call("/_script", steps)

    def received(self) -> list[dict[str, object]]:
        return self._call("/_received")  # type: ignore[return-value]

    def holding(self) -> bool:
        return bool(self._call("/_holding"))

    def release(self) -> None:
        self._call("/_release", {})


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.webhook_server"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    yield Webhook(f"http://127.0.0.1:{int(process.stdout.readline())}")
    process.terminate()
    process.wait(timeout=10)


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[Any]

    def wait_for(self, count: int, timeout: float = 60) -> list[Any]:
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts."""
    import socket
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    messages: list[Any] = []

    class Keep:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
            messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    yield SmtpServer("127.0.0.1", port, messages)
    controller.stop()
