"""Registering webhook endpoints (an admin's work), and reading what was delivered."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload

from tracker.audit import record_event
from tracker.auth.models import User
from tracker.webhooks.addresses import check_url
from tracker.webhooks.events import EVENTS
from tracker.webhooks.models import WebhookDelivery, WebhookEndpoint

MAX_URL = 500


class WebhookError(ValueError):
    """Refused; the message is for the admin."""


@dataclass(frozen=True)
class Registered:
    endpoint: WebhookEndpoint
    #: The signing key: shown once.
    secret: str


def register_endpoint(
    session: Session, actor: User, url: str, events: list[str], allow_private: bool
) -> Registered:
    url = (url or "").strip()
    if not url or len(url) > MAX_URL:
        raise WebhookError(_("Hãy nhập địa chỉ nhận (tối đa %(most)d ký tự).", most=MAX_URL))
    chosen = [name for name in EVENTS if name in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise WebhookError(_("Hãy chọn ít nhất một sự kiện trong danh sách."))
    check_url(url, allow_private)  # raises UnsafeAddress, a ValueError, with the reason
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        url=url,
        secret=secret,
        events=chosen,
        allow_private=allow_private,
        created_by_id=actor.id,
    )
    session.add(endpoint)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="webhook.register",
        subject_type="webhook",
        subject_id=endpoint.id,
        comment=f"{url} {' '.join(chosen)}" + (" allow-private" if allow_private else ""),
    )
    return Registered(endpoint, secret)


def set_active(session: Session, actor: User, endpoint: WebhookEndpoint, active: bool) -> None:
    if endpoint.active == active:
        return
    endpoint.active = active
    record_event(
        session,
        actor=actor,
        action="webhook.enable" if active else "webhook.disable",
        subject_type="webhook",
        subject_id=endpoint.id,
        comment=endpoint.url,
    )


def endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


#: Deliveries listed on the admin's page, the latest first.
SHOWN_DELIVERIES = 50


def recent_deliveries(session: Session) -> list[WebhookDelivery]:
    return list(
        session.scalars(
            sa.select(WebhookDelivery)
            .options(joinedload(WebhookDelivery.endpoint))
            .order_by(WebhookDelivery.id.desc())
            .limit(SHOWN_DELIVERIES)
        )
    )
