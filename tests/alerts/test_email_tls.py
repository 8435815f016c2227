"""Email over STARTTLS with login, and over implicit TLS, against a real aiosmtpd server
with a certificate made for the test (the client verifies it, as it would in production)."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from alerts.email import EmailChannel
from alerts.render import Alert, EventSummary


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # the client trusts this one CA
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Keep:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def _login(
    server: object, session: object, envelope: object, mechanism: str, data: object
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"bot", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def alert() -> Alert:
    return Alert(
        "[aiwatch] 規制の動き: 生成AI暫定弁法(施行)",
        [
            EventSummary(
                1,
                "regulation",
                "規制の動き",
                [("段階", "施行")],
                [("ja", "見出し", "https://e/1")],
                "",
                False,
            )
        ],
    )


def _smtp(port: int, security: str, password: str = "s3cret") -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": port,
        "security": security,
        "username": "bot",
        "password": password,
        "from": "aiwatch@example.jp",
    }


@pytest.fixture
def starttls_server(certificate: ssl.SSLContext) -> Iterator[tuple[int, Keep]]:
    keep, port = Keep(), _port()
    controller = Controller(
        keep,
        hostname="127.0.0.1",
        port=port,
        tls_context=certificate,
        require_starttls=True,
        authenticator=_login,
        auth_require_tls=False,
    )
    controller.start()
    yield port, keep
    controller.stop()


def test_email_starttls_with_login(starttls_server: tuple[int, Keep], alert: Alert) -> None:
    port, keep = starttls_server
    result = EmailChannel("team@example.jp", _smtp(port, "starttls")).send(alert, "aiwatch-1-0")
    assert result.ok, result.error
    assert b"aiwatch-1-0" in keep.envelopes[0].content  # the stable Message-ID


def test_email_implicit_tls(certificate: ssl.SSLContext, alert: Alert) -> None:
    keep, port = Keep(), _port()
    controller = Controller(
        keep,
        hostname="127.0.0.1",
        port=port,
        ssl_context=certificate,
        authenticator=_login,
        auth_require_tls=False,
    )
    controller.start()
    try:
        result = EmailChannel("team@example.jp", _smtp(port, "tls")).send(alert, "aiwatch-2-0")
    finally:
        controller.stop()
    assert result.ok, result.error
    assert len(keep.envelopes) == 1
