"""Mailing a directive's weekly digest to the configured list (DIGEST_RECIPIENTS): the
message as the mail's text, the chart attached. One mail per address, so no one sees
the list."""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any

from flask_babel import gettext as _

from tracker.formatting import format_date
from tracker.notifications.mail import Mailer, RecipientRefused, build_message
from tracker.reports.digest import Digest


def recipients(config: Mapping[str, Any]) -> list[str]:
    """The configured addresses; ValueError (in the user's words) naming a bad one."""
    found = config.get("DIGEST_RECIPIENTS") or []
    if isinstance(found, str):
        found = [part for part in found.split(",") if part.strip()]
    addresses = []
    for raw in found:
        address = parseaddr(str(raw))[1].strip()
        if "@" not in address or any(char in str(raw) for char in "\r\n"):
            raise ValueError(_("Địa chỉ nhận bản tin không hợp lệ: %(address)s.", address=raw))
        addresses.append(address)
    return addresses


def subject_of(digest: Digest) -> str:
    return (
        f"Bản tin tuần {format_date(digest.starts_on)} – {format_date(digest.ends_on)}:"
        f" {digest.directive.title}"
    )


def send(config: Mapping[str, Any], digest: Digest, chart: bytes) -> tuple[list[str], list[str]]:
    """Mail the digest to every configured address: (sent to, refused by the server).
    Raises ValueError without a list, MailError when the server cannot be reached or
    stops taking mail."""
    addresses = recipients(config)
    if not addresses:
        raise ValueError(_("Chưa cấu hình danh sách nhận bản tin (DIGEST_RECIPIENTS)."))
    sent: list[str] = []
    refused: list[str] = []
    with Mailer(config) as mailer:
        for address in addresses:
            message = build_message(
                config, "", address, subject_of(digest), digest.text, [("digest.png", chart)]
            )
            try:
                mailer.send(message)
            except RecipientRefused:
                refused.append(address)
            else:
                sent.append(address)
    return sent, refused
