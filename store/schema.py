"""Schema management through Alembic: upgrade, and a check that the store is current."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from store.db import check_connection
from store.errors import StoreError


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(files("store").joinpath("migrations")))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Apply every pending migration; returns (revision before, revision after)."""
    check_connection(engine)
    before = current_revision(engine)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return before, head_revision()


def require_current(engine: Engine) -> None:
    """Refuse to work on a store that is missing or behind the code, saying how to fix it."""
    check_connection(engine)
    current = current_revision(engine)
    head = head_revision()
    if current is None:
        raise StoreError("the store has no aiwatch schema yet: run `aiwatch init` first")
    if current != head:
        raise StoreError(
            f"the store's schema is at revision {current} but this aiwatch needs {head}: "
            "run `aiwatch db upgrade`"
        )
