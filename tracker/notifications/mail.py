"""Sending e-mail over SMTP, and where each person's e-mail goes.

Addresses: a user has no e-mail column (yet). A person's address is, in this order:
USER_EMAILS[username] (a mapping in instance/config.py, or TRACKER_USER_EMAILS as JSON),
else <username>@MAIL_DEFAULT_DOMAIN when that domain is set, else none: that person gets
in-app notifications only. When addresses become a column of User, `email_address` is the
one place to change.

Transport: MAIL_SERVER and MAIL_PORT; MAIL_USE_SSL for SMTP over TLS (port 465) or
MAIL_USE_TLS for STARTTLS (port 587), both verifying the server's certificate;
MAIL_USERNAME and MAIL_PASSWORD to log in when set; MAIL_SENDER as From.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.header import Header
from email.message import Message
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from types import TracebackType
from typing import Any

from tracker.auth.models import User


class MailError(Exception):
    """The mail server could not be reached or refused the message; Vietnamese message."""


class RecipientRefused(MailError):
    """The server refused this one address; other people's mail may still go out."""


def email_address(user: User, config: Mapping[str, Any]) -> str | None:
    """The user's e-mail address, or None: see the module docstring."""
    address = (config.get("USER_EMAILS") or {}).get(user.username)
    if not address and config.get("MAIL_DEFAULT_DOMAIN"):
        address = f"{user.username}@{config['MAIL_DEFAULT_DOMAIN']}"
    if not address or any(char in address for char in "\r\n<>,") or "@" not in address:
        return None
    return address.strip()


def build_message(
    config: Mapping[str, Any],
    to_name: str,
    to_address: str,
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes]] = (),
) -> Message:
    """A plain-text UTF-8 message; non-ASCII names and subject are encoded as RFC 2047.

    Built with the classic (compat32) header encoder on purpose: the modern policy's
    folder (Python 3.11) drops the space where it folds between two encoded words, so
    a long subject read "nhắc việcngày", and it encodes a display name word by word
    ("Theo =?utf-8?...?="). Here the subject is encoded by `Header`, which splits inside
    encoded words, and each display name is one encoded word from `formataddr`.
    `attachments` are PNG images, (file name, bytes), sent after the text."""
    sender_name, sender_address = parseaddr(config["MAIL_SENDER"])
    message: Message = MIMEText(body, "plain", "utf-8")
    if attachments:  # (file name, PNG bytes): the text first, then each image
        mixed = MIMEMultipart("mixed")
        mixed.attach(message)
        for file_name, data in attachments:
            image = MIMEImage(data, "png")
            image.add_header("Content-Disposition", "attachment", filename=file_name)
            mixed.attach(image)
        message = mixed
    message["From"] = formataddr((sender_name, sender_address))
    message["To"] = formataddr((to_name, to_address))
    message["Subject"] = Header(subject, "utf-8", header_name="Subject").encode()
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender_address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    return message


class Mailer:
    """One SMTP connection, opened on the first message and closed on exit:
    `with Mailer(app.config) as mailer: mailer.send(message)`."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.host = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.use_ssl = bool(config["MAIL_USE_SSL"])
        self.use_tls = bool(config["MAIL_USE_TLS"])
        self.username = config.get("MAIL_USERNAME") or ""
        self.password = config.get("MAIL_PASSWORD") or ""
        self.timeout = float(config.get("MAIL_TIMEOUT") or 30)
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: Message) -> None:
        """Hand the message to the server; raise MailError (RecipientRefused for a refused
        address) when it is not accepted."""
        smtp = self._connect()
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise RecipientRefused(
                f"Máy chủ thư từ chối địa chỉ {', '.join(error.recipients)}."
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise MailError(
                f"Máy chủ thư {self.host}:{self.port} không nhận thư: {_reason(error)}."
            ) from error

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        context = ssl.create_default_context()
        smtp: smtplib.SMTP | None = None
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.use_tls:
                    smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
        except smtplib.SMTPAuthenticationError as error:
            _close_quietly(smtp)
            raise MailError(
                f"Máy chủ thư {self.host}:{self.port} từ chối đăng nhập của tài khoản"
                f" {self.username}: kiểm tra MAIL_USERNAME và MAIL_PASSWORD."
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            _close_quietly(smtp)
            raise MailError(
                f"Không kết nối được máy chủ thư {self.host}:{self.port}: {_reason(error)}."
                " Kiểm tra MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS và MAIL_USE_SSL."
            ) from error
        self._smtp = smtp
        return smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            _close_quietly(smtp)

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        smtp.close()


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        return f"{error.smtp_code} {text}"
    return str(error) or type(error).__name__
