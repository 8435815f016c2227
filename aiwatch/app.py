"""What every command needs: the loaded config and, on demand, the store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aiwatch.config import Config
from aiwatch.logs import config_secrets, configure_logging, known_secrets, remember_secrets

if TYPE_CHECKING:  # the store's libraries load when a command first uses the store
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker


@dataclass
class App:
    config_path: Path
    debug: bool = False
    log_json: bool = False
    log_file: Path | None = None
    _checked: bool = field(default=False, repr=False)
    _warned: set[str] = field(default_factory=set, repr=False)

    @property
    def log_setup(self) -> Callable[[], None]:
        """This command's logging set-up, picklable for child processes."""
        return partial(
            configure_logging,
            debug=self.debug,
            as_json=self.log_json,
            log_file=self.log_file,
            secrets=known_secrets(),
        )

    @cached_property
    def config(self) -> Config:
        config = Config.load(self.config_path)
        remember_secrets(config_secrets(config))  # masked in every log line from now on
        return config

    @cached_property
    def engine(self) -> Engine:
        from store.db import make_engine

        return make_engine(self.config.database_url)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """Sessions on a store whose schema is current (checked once per command)."""
        from store.db import session_factory
        from store.schema import require_current

        if not self._checked:
            require_current(self.engine)
            self._checked = True
        return session_factory(self.engine)

    @cached_property
    def reader(self) -> sessionmaker[Session]:
        """Read-only sessions, for commands that only read: they work on a store the user
        can only read, and never write or migrate it (an out-of-date schema is an error)."""
        from store.db import make_engine, session_factory
        from store.schema import require_current

        engine = make_engine(self.config.database_url, read_only=True)
        require_current(engine)
        return session_factory(engine)

    @contextmanager
    def session_if_store(self) -> Iterator[Session | None]:
        """A session if the store is there and current, else None: for checks that can
        fall back to the gazetteer (a config checked before `aiwatch init` made a store)."""
        from store.errors import StoreError

        try:
            session = self.reader()  # read-only: a missing store is not created
        except StoreError:
            yield None
            return
        with session:
            yield session

    def warn_once(self, log: logging.Logger, message: str) -> None:
        """A warning the daemon would otherwise repeat at every run of a job."""
        if message not in self._warned:
            self._warned.add(message)
            log.warning(message)


pass_app = click.make_pass_decorator(App)
"""Gives a command the App built by the `aiwatch` group."""
