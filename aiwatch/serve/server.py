"""`aiwatch serve`: Datasette over a SQLite store, read-only, while the daemon writes.

Datasette opens the file with `mode=ro` for every query and aiwatch defines no writable
canned query and loads no write plugin, so nothing served can change the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiwatch.serve.metadata import metadata


def datasette_for(store: Path, config_path: Path, host: str = "127.0.0.1") -> Any:
    """The Datasette application for `store`, with aiwatch's metadata and plugin; `host` is
    the address it listens on (a loopback one answers only loopback host names)."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from aiwatch.serve import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="aiwatch")
    database = store.stem
    settings = {"config": str(config_path), "database": database, "host": host}
    return Datasette(
        [str(store)],
        metadata=metadata(database, settings),
        settings={"sql_time_limit_ms": 5000, "facet_time_limit_ms": 1000},
    )


def serve(store: Path, config_path: Path, host: str, port: int) -> None:
    import uvicorn

    app = datasette_for(store, config_path, host).app()
    uvicorn.run(app, host=host, port=port, log_level="warning")
