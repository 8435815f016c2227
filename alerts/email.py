"""Email over SMTP: none, STARTTLS or implicit TLS, with login; multipart text + HTML, UTF-8
headers so Japanese subjects survive."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from alerts.channel import DeliveryResult
from alerts.render import Alert

TIMEOUT = 30


class EmailChannel:
    def __init__(self, to: str, smtp: dict[str, Any]) -> None:
        self.to = to
        self.smtp = smtp

    def message(self, alert: Alert, alert_id: str) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = alert.subject
        message["From"] = self.smtp["from"]
        message["To"] = self.to
        message["Date"] = formatdate(localtime=False)
        # stable across retries, so a mail system that sees a resend can drop the copy
        message["Message-ID"] = make_msgid(idstring=alert_id, domain="aiwatch.invalid")
        message["X-Aiwatch-Alert"] = alert_id
        message.set_content(alert.text)
        message.add_alternative(alert.html, subtype="html")
        return message

    def send(self, alert: Alert, alert_id: str) -> DeliveryResult:
        host, port, security = self.smtp["host"], int(self.smtp["port"]), self.smtp["security"]
        try:
            if security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=TIMEOUT, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(host, port, timeout=TIMEOUT)
            with client:
                if security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.smtp.get("username"):
                    client.login(self.smtp["username"], self.smtp.get("password", ""))
                client.send_message(self.message(alert, alert_id))
        except smtplib.SMTPAuthenticationError as exc:
            return DeliveryResult(False, f"SMTP login refused: {exc.smtp_code}", permanent=True)
        except smtplib.SMTPRecipientsRefused as exc:
            return DeliveryResult(False, f"recipient refused: {exc.recipients}", permanent=True)
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600
            return DeliveryResult(False, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent)
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            return DeliveryResult(False, f"mail server {host}:{port} unreachable: {exc}")
        return DeliveryResult(True)
