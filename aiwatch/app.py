"""What every command needs: the loaded config and, on demand, the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aiwatch.config import Config
from store.db import make_engine, session_factory
from store.schema import require_current


@dataclass
class App:
    config_path: Path
    debug: bool = False
    _checked: bool = field(default=False, repr=False)

    @cached_property
    def config(self) -> Config:
        return Config.load(self.config_path)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.config.database_url)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """Sessions on a store whose schema is current (checked once per command)."""
        if not self._checked:
            require_current(self.engine)
            self._checked = True
        return session_factory(self.engine)
