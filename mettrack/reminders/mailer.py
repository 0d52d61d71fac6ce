"""E-mail over SMTP, with the standard library: one message, one connection. The worker
calls this; web requests never send mail (they write rows, the scan sends them)."""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app

from mettrack.core.clock import now


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    message_id: str


def build(message: Message, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now())
    email["Message-ID"] = message.message_id
    # RFC 3834: an automatic message, so out-of-office replies are not sent back to it.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


def send(message: Message) -> None:
    """Send it, or raise (smtplib.SMTPException, OSError): the caller records the failure."""
    config = current_app.config
    email = build(message, config["MAIL_FROM"])
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
    if config["MAIL_USE_SSL"]:
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            connection.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        connection.send_message(email)
    except BaseException:
        connection.close()
        raise
    try:
        connection.quit()
    except Exception:  # noqa: BLE001  the server has the message: a failed goodbye changes nothing
        connection.close()
