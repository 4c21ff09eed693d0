"""Which events are sent, and the outbox: a delivery row per subscribed endpoint,
written in the transaction of the step, whatever code path took the step (every step
records an audit event; this listens for them)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event as orm_event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, object_session

from tracker import clock
from tracker.audit import Event
from tracker.i18n import N_
from tracker.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

#: The events an endpoint may subscribe to, with their labels.
EVENTS = {
    "directive.confirmed": N_("Văn bản được xác nhận (bắt đầu giao việc)"),
    "submission.received": N_("Cơ quan gửi báo cáo"),
    "submission.accepted": N_("Báo cáo được chấp nhận"),
    "submission.returned": N_("Báo cáo bị trả lại"),
    "obligation.overdue": N_("Nghĩa vụ báo cáo quá hạn"),
    "directive.closed": N_("Văn bản kết thúc hoặc được thay thế"),
}

#: Audit actions and the event each is sent as.
ACTIONS = {
    "directive.confirm": "directive.confirmed",
    "assignment.submit": "submission.received",
    "period.submit": "submission.received",
    "assignment.accept": "submission.accepted",
    "period.accept": "submission.accepted",
    "assignment.return": "submission.returned",
    "period.return": "submission.returned",
    "directive.close": "directive.closed",
    "directive.supersede": "directive.closed",
}

#: Set on a session whose transaction wrote deliveries: the job is queued at commit.
PENDING = "tracker.webhooks.pending"

_API_PATHS = {
    "assignment": "/api/v1/assignments/{id}",
    "directive": "/api/v1/directives/{id}",
    "period": None,
}


def _subject_url(kind: str, subject_id: int) -> str | None:
    template = _API_PATHS.get(kind)
    return template.format(id=subject_id) if template else None


def body_of(name: str, data: dict[str, Any]) -> str:
    return json.dumps(
        {"event": name, "occurred_at": clock.to_local(clock.now()).isoformat(), **data},
        ensure_ascii=False,
        sort_keys=True,
    )


def _subscribed(connection: Connection, name: str) -> list[int]:
    rows = connection.execute(
        sa.select(WebhookEndpoint.id, WebhookEndpoint.events).where(
            WebhookEndpoint.active.is_(True)
        )
    )
    return [endpoint_id for endpoint_id, events in rows if name in (events or [])]


def _write(connection: Connection, name: str, bodies: Sequence[str]) -> int:
    endpoints = _subscribed(connection, name)
    rows = [
        {
            "endpoint_id": endpoint_id,
            "event": name,
            "body": body,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": clock.now(),
            "last_error": "",
            "created_at": clock.now(),
        }
        for endpoint_id in endpoints
        for body in bodies
    ]
    if rows:
        connection.execute(sa.insert(WebhookDelivery), rows)
    return len(rows)


@orm_event.listens_for(Event, "after_insert")
def _on_event(_mapper: Any, connection: Connection, target: Event) -> None:
    name = ACTIONS.get(target.action)
    if name is None:
        return
    body = body_of(
        name,
        {
            "action": target.action,
            "subject": {
                "type": target.subject_type,
                "id": target.subject_id,
                "url": _subject_url(target.subject_type, target.subject_id),
            },
            "actor_id": target.actor_id,
            "comment": target.comment,
            "before": target.before,
            "after": target.after,
            "audit_event_id": target.id,
        },
    )
    if _write(connection, name, [body]):
        session = object_session(target)
        if session is not None:
            session.info[PENDING] = True


def queue_overdue(session: Session, obligations: Iterable[dict[str, Any]]) -> int:
    """`obligation.overdue` for obligations that have just passed their deadline (the
    reminder ladder's first overdue rung, given once each)."""
    bodies = [body_of("obligation.overdue", {"obligation": item}) for item in obligations]
    if not bodies:
        return 0
    written = _write(session.connection(), "obligation.overdue", bodies)
    if written:
        session.info[PENDING] = True
    return written


def _after_commit(session: Session) -> None:
    """Deliveries were committed: wake the job queue (the periodic run is the safety
    net). Never delivered here: a request must not wait on another system. In the
    immediate mode of the tests, the job is left to the test to run."""
    if not session.info.pop(PENDING, False) or not has_app_context():
        return
    if current_app.config["JOB_QUEUE_IMMEDIATE"]:
        return
    from tracker.jobs.queue import enqueue

    try:
        enqueue("deliver_webhooks")
    except Exception:  # noqa: BLE001 (the periodic run delivers; the step is committed)
        current_app.logger.warning("could not queue webhook deliveries", exc_info=True)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def listen(session_class: type[Session]) -> None:
    orm_event.listen(session_class, "after_commit", _after_commit)
    orm_event.listen(session_class, "after_rollback", _after_rollback)
