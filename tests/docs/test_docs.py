"""Documentation ships with the feature: every command and setting is documented."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import pytest

from aiwatch.cli import cli
from aiwatch.config import default_config_text
from tests.store.test_views import VIEWS

DOCS = Path(__file__).parents[2] / "docs"


def _commands(group: click.Group, prefix: str = "aiwatch") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
        else:
            found.append((path, command))
    return found


def _settings(values: dict[str, object], prefix: str = "") -> list[str]:
    keys = []
    for key, value in values.items():
        if isinstance(value, dict):
            keys.extend(_settings(value, f"{prefix}{key}."))
        else:
            keys.append(f"{prefix}{key}")
    return keys


@pytest.mark.parametrize(("path", "command"), _commands(cli), ids=lambda v: str(v))
def test_docs_every_command_documented_with_example(path: str, command: click.Command) -> None:
    headings = re.findall(r"^## (.+)$", (DOCS / "cli.md").read_text(), flags=re.M)
    assert path in headings
    assert command.help and "Example" in command.help


@pytest.mark.parametrize("setting", _settings(tomllib.loads(default_config_text())))
def test_docs_every_setting_has_heading(setting: str) -> None:
    headings = re.findall(r"^## (.+)$", (DOCS / "config.md").read_text(), flags=re.M)
    assert setting in headings


@pytest.mark.parametrize("view", VIEWS)
def test_docs_schema_documents_every_view(view: str) -> None:
    assert f"## {view}" in (DOCS / "schema.md").read_text()
