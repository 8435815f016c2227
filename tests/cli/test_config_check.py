"""Validation up front: a wrong setting stops `init`, `config check`, `config show` and
every other command with one line naming the file, the line and the key (exit status 1)."""

from __future__ import annotations

import pytest

from aiwatch.config import find_line
from tests.conftest import Cli

BAD = [
    ('[crawler]\ntimeout = "fast"\n', 2, "crawler.timeout: input should be a valid number"),
    ("[crawler]\ntimout = 5\n", 2, "crawler.timout: unknown setting (did you mean 'timeout'?)"),
    ("[nlp]\nstory_threshold = 7\n", 2, "nlp.story_threshold: input should be less than"),
    ('[smtp]\nhost = "x"\nsecurity = "ssl"\n', 3, "smtp.security: input should be 'none'"),
    ('[schedule]\nprocess_every = "soon"\n', 2, "schedule.process_every: not a duration"),
    ('[display]\ntimezone = "Mars/Base"\n', 2, "display.timezone: unknown time zone"),
    ('[sql]\ntimeout = "fast"\n', 2, "sql.timeout: not a duration"),
    ("[crawlr]\ntimeout = 5\n", 1, "crawlr: unknown setting (did you mean 'crawler'?)"),
    ('data_dri = "."\n', 1, "data_dri: unknown setting (did you mean 'data_dir'?)"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD, ids=[b[2].split(":")[0] for b in BAD])
@pytest.mark.parametrize(
    "command", [("config", "check"), ("config", "show"), ("status",), ("init",)]
)
def test_config_wrong_setting_is_one_line_with_file_line_and_key(
    cli: Cli, text: str, line: int, message: str, command: tuple[str, ...]
) -> None:
    cli.config.write_text("# my config\n" + text)
    result = cli(*command)
    assert result.code == 1
    assert result.err.startswith(f"Error: {cli.config}:{line + 1}: {message}")
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


def test_config_check_lists_every_problem_and_passes_a_good_config(cli: Cli) -> None:
    assert cli("init").code == 0
    assert cli("config", "check").code == 0
    cli.config.write_text('[sql]\ntimeout = "10s"\n[display]\ntimezone = "UTC"\n')
    checked = cli("config", "check")
    assert checked.code == 0 and "OK" in checked.out
    cli.config.write_text("[alerts]\nmax_attempts = 0\nlease_seconds = true\n")
    checked = cli("config", "check")
    assert checked.code == 1
    assert "alerts.max_attempts" in checked.err and "alerts.lease_seconds" in checked.err


def test_config_check_reports_bad_subscriptions_by_name(cli: Cli) -> None:
    assert cli("init").code == 0
    with cli.config.open("a") as config:
        config.write(
            '\n[[subscriptions]]\nname = "nobody"\nemail = "a@example.jp"\n'
            'entities = ["不存在公司"]\n'
            '\n[[subscriptions]]\nname = "weekly"\nemail = "a@example.jp"\nmode = "weekly"\n'
        )
    checked = cli("config", "check")
    assert checked.code == 1
    assert "subscription 'nobody': unknown entity '不存在公司'" in checked.err
    assert "subscription 'weekly': mode is immediate or digest" in checked.err
    assert cli("subscriptions", "list").code == 0  # the others still work


def test_config_help_needs_no_valid_config(cli: Cli) -> None:
    cli.config.write_text("[crawler]\ntimout = 5\n")
    assert cli("status", "--help").code == 0
    assert cli("--help").code == 0


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("data_dir",), 1),
        (("crawler", "timeout"), 4),
        (("subscriptions", 1, "mode"), 10),
        (("store",), 5),
        (("store", "url"), 6),
        (("nlp", "story_threshold"), None),
    ],
)
def test_config_find_line_follows_tables(loc: tuple[str | int, ...], line: int | None) -> None:
    text = (
        'data_dir = "."\n[crawler]\n# timeout = 1\ntimeout = 2\n[store]\nurl = "x"\n'
        '[[subscriptions]]\nmode = "a"\n[[subscriptions]]\nmode = "b"\n'
    )
    assert find_line(text, loc) == line
