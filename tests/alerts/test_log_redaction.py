"""Secrets never reach a log line: Slack webhook tokens (a literal URL or an env:VARIABLE),
the SMTP password and database passwords are masked in everything aiwatch and its
libraries log, on stderr and in the log file, with --debug too."""

from __future__ import annotations

import base64
import logging
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiwatch.logs import MASK, configure_logging
from tests.conftest import Cli, CliResult, Webhook

TOKEN = uuid.uuid4().hex[:24]
DEAD_TOKEN = uuid.uuid4().hex[:24]
SMTP_PASSWORD = f"smtp-{uuid.uuid4().hex}"
SLACK_PATH = "services/T0AIWATCH1/B0AIWATCH2"


def _closed_port() -> int:
    """A port nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hooked_cli(tmp_path: Path, webhook: Webhook, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A config with a webhook given through the environment, one given as a literal URL
    that refuses connections, and an SMTP password."""
    monkeypatch.setenv("T13_SLACK_HOOK", f"{webhook.base}/hook/{SLACK_PATH}/{TOKEN}")
    dead = f"http://127.0.0.1:{_closed_port()}/hook/{SLACK_PATH}/{DEAD_TOKEN}"
    config = tmp_path / "aiwatch.toml"
    config.write_text(
        f'[smtp]\npassword = "{SMTP_PASSWORD}"\n\n'
        '[[subscriptions]]\nname = "hook"\nslack_webhook = "env:T13_SLACK_HOOK"\n\n'
        f'[[subscriptions]]\nname = "dead"\nslack_webhook = "{dead}"\n'
    )
    return Cli(config)


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (TOKEN, DEAD_TOKEN, SMTP_PASSWORD):
            assert secret not in text


def test_webhook_failures_and_success_never_log_the_token(
    hooked_cli: Cli, webhook: Webhook, tmp_path: Path
) -> None:
    log_file = tmp_path / "aiwatch.log"
    runs: list[CliResult] = []

    def send(name: str, *, debug: bool = True) -> CliResult:
        flags = ["--debug"] if debug else []
        result = hooked_cli(*flags, "--log-file", str(log_file), "subscriptions", "test", name)
        runs.append(result)
        return result

    refused = send("dead", debug=False)  # slack_sdk's retry says so at INFO, without --debug
    assert refused.code == 1 and "Slack webhook unreachable" in refused.err
    assert send("dead").code == 1
    webhook.script([500])
    assert "Slack answered 500" in send("hook").err
    webhook.script([429])
    assert "Slack rate limit (429)" in send("hook").err
    delivered = send("hook")
    assert delivered.code == 0 and "sample alert delivered" in delivered.out
    assert len(webhook.received()) == 1
    logged = log_file.read_text(encoding="utf-8")
    _assert_no_secret(logged, *(r.out for r in runs), *(r.err for r in runs))
    # the lines were there, masked: slack_sdk logs every request URL under --debug
    assert f"Sending a request - url: {MASK}" in logged
    assert f"Going to retry the same request: POST {MASK}" in logged


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers[:], root.level = handlers, level


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_every_logger_is_masked_in_messages_args_fields_and_tracebacks(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], restored_logging: None, as_json: bool
) -> None:
    hook = f"https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/{TOKEN}"  # not configured
    db_url = f"postgresql://aiwatch:{SMTP_PASSWORD}x@db.example/aiwatch"
    raw_at = f"postgresql://aiwatch:p@{SMTP_PASSWORD}@db.example/aiwatch"  # not configured
    log_file = tmp_path / "aiwatch.log"
    configure_logging(debug=True, as_json=as_json, log_file=log_file, secrets=[DEAD_TOKEN])
    for name in (
        "slack_sdk.webhook.client",
        "urllib3.connectionpool",
        "scrapy.core.engine",
        "apscheduler.executors.default",
        "aiwatch",
    ):
        logger = logging.getLogger(name)
        logger.info("posting to %s", hook)
        logger.warning(
            "configured %s",
            f"/hook/x/{DEAD_TOKEN}",
            extra={"url": hook, "db": db_url, "raw": raw_at},
        )
        try:
            raise ConnectionError(f"cannot reach {hook} with {DEAD_TOKEN}")
        except ConnectionError:
            logger.exception("send failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    out, err = capfd.readouterr()
    logged = log_file.read_text(encoding="utf-8")
    _assert_no_secret(out, err, logged)
    assert "ConnectionError: cannot reach" in logged and "send failed" in logged
    assert logged.count(MASK) >= 5 * 5 and err.count(MASK) >= 5 * 5


@pytest.fixture
def refusing_smtp() -> Iterator[int]:
    """A real SMTP server that requires a login and refuses every one."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    class Keep:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            return "250 OK"

    def refuse(*_args: object) -> AuthResult:
        return AuthResult(success=False, handled=False)

    port = _closed_port()
    controller = Controller(
        Keep(),
        hostname="127.0.0.1",
        port=port,
        authenticator=refuse,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    yield port
    controller.stop()


@pytest.mark.parametrize("given", ["file", "environment"])
def test_a_refused_smtp_login_never_shows_the_password(
    tmp_path: Path, refusing_smtp: int, given: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "" if given == "environment" else f'password = "{SMTP_PASSWORD}"\n'
    if given == "environment":
        monkeypatch.setenv("AIWATCH_SMTP_PASSWORD", SMTP_PASSWORD)
    config = tmp_path / "aiwatch.toml"
    config.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {refusing_smtp}\nusername = "bob"\n{password}\n'
        '[[subscriptions]]\nname = "mail"\nemail = "team@example.jp"\n'
    )
    log_file = tmp_path / "aiwatch.log"
    cli = Cli(config)
    result = cli("--debug", "--log-file", str(log_file), "subscriptions", "test", "mail")
    assert result.code == 1 and "SMTP login refused" in result.err
    shown = cli("config", "show")
    plain = base64.b64encode(f"\0bob\0{SMTP_PASSWORD}".encode()).decode()  # AUTH PLAIN
    for text in (result.out, result.err, log_file.read_text(encoding="utf-8"), shown.out):
        assert SMTP_PASSWORD not in text and plain not in text


# a raw "@" in the password (URL parsers take what follows it for the host), a URL that
# does not parse
URLS = {
    "plain": f"postgresql+psycopg://t13_nobody:{SMTP_PASSWORD}@127.0.0.1:5432/t13_nodb",
    "raw-at": f"postgresql+psycopg://t13_nobody:p@{SMTP_PASSWORD}@127.0.0.1:5432/t13_nodb",
    "malformed": f"postgresql+psycopg//t13_nobody:{SMTP_PASSWORD}@127.0.0.1:5432/t13_nodb",
}


@pytest.mark.postgres
@pytest.mark.parametrize(
    "command",
    [("status",), ("sql", "SELECT 1"), ("db", "upgrade"), ("config", "show")],
    ids=lambda c: "-".join(c),
)
@pytest.mark.parametrize("url", URLS.values(), ids=URLS.keys())
def test_a_refused_database_password_is_never_shown(
    tmp_path: Path, command: tuple[str, ...], url: str
) -> None:
    """The login fails on the real server (no such role), or the URL cannot be used: the
    URL is in the error, its password masked."""
    config = tmp_path / "aiwatch.toml"
    config.write_text(f'[store]\nurl = "{url}"\n\n[sql]\nurl = "{url}"\n')
    log_file = tmp_path / "aiwatch.log"
    result = Cli(config)("--debug", "--log-file", str(log_file), *command)
    assert result.code == (0 if command == ("config", "show") else 1), result.err
    assert "t13_nobody" in result.out + result.err  # the URL was shown, masked
    for text in (result.out, result.err, log_file.read_text(encoding="utf-8")):
        assert SMTP_PASSWORD not in text
