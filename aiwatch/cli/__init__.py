"""`aiwatch`: one click group; each module adds the commands of one area."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

import click

from aiwatch import __version__
from aiwatch.app import App
from aiwatch.config import CONFIG_ENV, ConfigError, default_config_path
from aiwatch.logs import configure_logging
from store.errors import StoreError

EXPECTED_ERRORS = (ConfigError, StoreError)
HELP_OPTIONS = {"-h", "--help"}
ASKING_HELP = "asking for help"
OWN_CHECK = ("config", "demo", None)  # config check lists every problem; demo has its own


@click.group(context_settings={"help_option_names": sorted(HELP_OPTIONS)})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=CONFIG_ENV,
    help=f"Config file (default: ${CONFIG_ENV} or ~/.config/aiwatch/aiwatch.toml).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("--log-json", is_flag=True, help="Log one JSON object per line (for daemons).")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also append the log to this file (secrets are masked there too).",
)
@click.version_option(__version__, prog_name="aiwatch")
@click.pass_context
def cli(
    ctx: click.Context, config_path: Path | None, debug: bool, log_json: bool, log_file: Path | None
) -> None:
    """aiwatch: Japanese and Chinese news on the Chinese AI industry, turned into entities,
    stories, model releases and regulation changes, with email and Slack alerts.

    \b
    Example:
      aiwatch --config /tmp/x/aiwatch.toml init --db sqlite:////tmp/x/store.db
      aiwatch --config /tmp/x/aiwatch.toml sql "SELECT * FROM v_stories"
    """
    configure_logging(debug=debug, as_json=log_json, log_file=log_file)
    asking_help = ctx.obj == ASKING_HELP  # help needs no config: see main()
    path = (config_path or default_config_path()).expanduser()
    ctx.obj = App(config_path=path, debug=debug, log_json=log_json, log_file=log_file)
    if path.exists() and not asking_help and ctx.invoked_subcommand not in OWN_CHECK:
        ctx.obj.config  # noqa: B018 - a wrong setting stops every command here, with its line


def _register() -> None:
    from aiwatch.cli import (
        alert_commands,
        config_commands,
        crawl_commands,
        daemon_commands,
        eval_commands,
        nlp_commands,
        serve_commands,
        store_commands,
        story_commands,
    )

    modules = (
        store_commands,
        config_commands,
        crawl_commands,
        nlp_commands,
        story_commands,
        alert_commands,
        daemon_commands,
        eval_commands,
        serve_commands,
    )
    for module in modules:
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point: expected failures become one line on stderr and exit status 1; the
    traceback is shown only with --debug."""
    args = sys.argv[1:] if argv is None else argv
    try:
        asking = ASKING_HELP if HELP_OPTIONS & set(args) else None
        cli.main(args=args, prog_name="aiwatch", standalone_mode=False, obj=asking)
    except (click.exceptions.Abort, KeyboardInterrupt):  # Ctrl-C: no traceback
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except EXPECTED_ERRORS as exc:
        if "--debug" in args:
            traceback.print_exc()
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # the boundary: anything else is a bug, still one line
        if "--debug" in args:
            traceback.print_exc()
        else:
            logging.getLogger("aiwatch").debug("unexpected error", exc_info=True)
        click.echo(f"Error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(1)
