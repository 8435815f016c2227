"""`aiwatch export --sqlite PATH`: a SQLite copy of the store (from PostgreSQL or SQLite),
with the same schema and views, for `aiwatch serve` or to hand to someone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, insert, select

BATCH = 1000


def export_sqlite(
    source: Engine, target: Path, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Copy every table of `source` into a new SQLite file at `target`; rows per table."""
    from store.db import make_engine, session_factory
    from store.models import Base
    from store.schema import upgrade
    from store.search import index_pending

    if target.exists():
        raise FileExistsError(f"{target} exists: export writes a new file")
    destination = make_engine(f"sqlite:///{target}")
    upgrade(destination)
    copied: dict[str, int] = {}
    with source.connect() as reader, destination.begin() as writer:
        for table in Base.metadata.sorted_tables:
            copied[table.name] = 0
            rows = reader.execution_options(yield_per=BATCH).execute(select(table))
            for batch in rows.mappings().partitions(BATCH):
                writer.execute(insert(table), [dict(row) for row in batch])
                copied[table.name] += len(batch)
                if progress:
                    progress(table.name, copied[table.name])
    index_pending(session_factory(destination))
    destination.dispose()
    return copied
