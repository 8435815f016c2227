"""Schema management through Alembic: upgrade, and a check that the store is current."""

from __future__ import annotations

import ast
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from store.db import check_connection
from store.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(files("store").joinpath("migrations")))
    return cfg


def head_revision() -> str:
    """The newest migration, read from the revision files' `revision` and `down_revision`:
    checking a store needs no Alembic import (a quarter of a light command's start-up)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in files("store").joinpath("migrations", "versions").iterdir():
        if not path.name.endswith(".py"):
            continue
        values = {
            target.id: node.value
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        revisions.add(ast.literal_eval(values["revision"]))
        parent = ast.literal_eval(values["down_revision"])
        parents.update([parent] if isinstance(parent, str) else parent or ())
    heads = revisions - parents
    assert len(heads) == 1, f"migrations must form one line, heads: {sorted(heads)}"
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Apply every pending migration; returns (revision before, revision after)."""
    from alembic import command

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
