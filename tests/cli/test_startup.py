"""Start-up: `aiwatch --help` and the light commands load none of the heavy libraries;
those load inside the commands that use them (times are measured in the report, not here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import Cli

HEAVY = (
    "scrapy",
    "spacy",
    "torch",
    "scipy",
    "numpy",
    "sentence_transformers",
    "trafilatura",
    "apscheduler",
    "twisted",
)
PROBE = """
import json, sys
from aiwatch.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
loaded = {name.split(".")[0] for name in sys.modules} | set(sys.modules)
heavy = sorted(loaded & set(json.loads(HEAVY)))
print(json.dumps(heavy), file=sys.__stderr__)
"""


def _loaded(cli: Cli, *args: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    env = {**os.environ, "AIWATCH_CONFIG": str(cli.config)}
    code = PROBE.replace("json.loads(HEAVY)", repr(list(heavy)))
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120
    )
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_startup_help_loads_no_heavy_library_nor_sqlalchemy(cli: Cli) -> None:
    assert _loaded(cli, "--help", heavy=(*HEAVY, "sqlalchemy", "alembic", "pydantic")) == []


@pytest.mark.parametrize(
    "args",
    [("config", "show"), ("config", "check"), ("status",), ("sql", "SELECT 1"), ("stories",)],
    ids=lambda a: " ".join(a),
)
def test_startup_light_commands_load_no_heavy_library(cli: Cli, args: tuple[str, ...]) -> None:
    assert cli("init").code == 0
    assert _loaded(cli, *args) == []


@pytest.mark.parametrize("args", [("config", "show"), ("sql", "SELECT 1")], ids=" ".join)
def test_startup_commands_without_sessions_load_neither_the_orm_nor_psycopg(
    cli: Cli, args: tuple[str, ...]
) -> None:
    """The ORM is for commands with sessions, psycopg for a PostgreSQL store (this is
    SQLite)."""
    assert cli("init").code == 0
    assert _loaded(cli, *args, heavy=("sqlalchemy.orm", "psycopg")) == []
