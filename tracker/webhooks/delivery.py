"""Sending deliveries: signed with HMAC-SHA256 over the timestamp and the body, retried
with backoff, each attempt's outcome kept on its row. Runs in the job queue only.

The receiver checks `X-Tracker-Signature: t=<unix seconds>,v1=<hex>` where hex is
HMAC-SHA256(secret, "<t>.<body>"), and refuses an old `t` (a replay)."""

from __future__ import annotations

import hmac
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker import clock
from tracker.webhooks.addresses import UnsafeAddress, check_url
from tracker.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

#: Attempts before a delivery is given up; the waits between them double from FIRST_WAIT.
MAX_ATTEMPTS = 8
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
#: How long a claimed delivery is held by the worker sending it.
LEASE = timedelta(minutes=2)
TIMEOUT_SECONDS = 10
BATCH = 50
SIGNATURE_HEADER = "X-Tracker-Signature"


def signature(secret: str, timestamp: int, body: str) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body.encode("utf-8"), "sha256")
    return f"t={timestamp},v1={mac.hexdigest()}"


def wait_after(attempts: int) -> timedelta:
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a hop: it could lead to an address refused here."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class _Claimed:
    id: int
    event: str
    body: str
    attempts: int
    url: str
    secret: str
    allow_private: bool


def _claim(session: Session, now: datetime) -> list[_Claimed]:
    """Due deliveries, each leased to this worker (another worker skips it), committed
    before anything is sent: no transaction stays open while a receiver answers."""
    rows = session.execute(
        sa.select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(BATCH)
    ).scalars()
    claimed = []
    for delivery_id in list(rows):
        leased = session.execute(
            sa.update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + LEASE)
            .returning(WebhookDelivery.id)
        ).scalar()
        if leased is None:
            continue
        row = session.execute(
            sa.select(
                WebhookDelivery.id,
                WebhookDelivery.event,
                WebhookDelivery.body,
                WebhookDelivery.attempts,
                WebhookEndpoint.url,
                WebhookEndpoint.secret,
                WebhookEndpoint.allow_private,
            )
            .join(WebhookEndpoint, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
            .where(WebhookDelivery.id == delivery_id)
        ).one()
        claimed.append(_Claimed(*row))
    session.commit()
    return claimed


def _send(item: _Claimed) -> tuple[int | None, str]:
    """(the receiver's status, an error); never raises."""
    try:
        url = check_url(item.url, item.allow_private)
    except UnsafeAddress as error:
        return None, str(error)
    timestamp = int(clock.now().timestamp())
    request = urllib.request.Request(  # noqa: S310 (scheme checked: http or https only)
        url,
        data=item.body.encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "tracker-webhooks/1",
            "X-Tracker-Event": item.event,
            "X-Tracker-Delivery": str(item.id),
            SIGNATURE_HEADER: signature_for(item, timestamp),
        },
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, str(reason)[:500]


def signature_for(item: _Claimed, timestamp: int) -> str:
    return signature(item.secret, timestamp, item.body)


def _record(session: Session, item: _Claimed, status: int | None, error: str) -> DeliveryStatus:
    now = clock.now()
    attempts = item.attempts + 1
    if status is not None and 200 <= status < 300:
        outcome = DeliveryStatus.DELIVERED
        values = {"delivered_at": now, "last_error": ""}
    else:
        outcome = DeliveryStatus.FAILED if attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
        values = {
            "next_attempt_at": now + wait_after(attempts),
            "last_error": (error or f"HTTP {status}")[:500],
        }
    session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == item.id)
        .values(status=outcome, attempts=attempts, last_status_code=status, **values)
    )
    session.commit()
    return outcome


def deliver_due(session: Session) -> dict[DeliveryStatus, int]:
    """Send every due delivery once; returns how many ended in each status."""
    outcomes: dict[DeliveryStatus, int] = {}
    for item in _claim(session, clock.now()):
        status, error = _send(item)
        outcome = _record(session, item, status, error)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome != DeliveryStatus.DELIVERED:
            log.warning("webhook delivery %d to %s: %s", item.id, item.url, error or status)
    return outcomes
