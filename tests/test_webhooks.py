"""Webhooks: registered by an admin, written with the step they tell of, delivered by
the job queue's task to a real receiver on loopback, signed, retried with backoff, and
never sent to a private address that was not allowed."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token, user_named
from tests.test_reminders import DUE, smtp, team  # noqa: F401 (fixtures)
from tracker import clock
from tracker.assignments.workflow import Action, GuardFailed, apply
from tracker.jobs import tasks
from tracker.notifications.operations import run_reminders
from tracker.webhooks.delivery import MAX_ATTEMPTS, wait_after
from tracker.webhooks.events import EVENTS
from tracker.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tracker.webhooks.operations import register_endpoint


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps what it is sent and answers `status`."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 204
        self.location = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tracker"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def endpoint(session, receiver):
    """An endpoint on the loopback receiver, allowed explicitly, for the events of
    reports (those of directives would come with the tests' own directives)."""
    events = [name for name in EVENTS if not name.startswith("directive.")]
    return register_endpoint(
        session, user_named(session, "admin"), receiver.url, events, allow_private=True
    )


def run_worker() -> None:
    """What the job worker runs (the periodic task and the one queued at commit)."""
    tasks.deliver_webhooks()


def deliveries(session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def verify(secret: str, header: str, body: bytes) -> bool:
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(
        secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_a_submission_is_delivered_signed_by_the_worker_not_the_request(
    session, receiver, endpoint, make_assignment, make_user
):
    assignment = make_assignment("SNV")
    worker = make_user(agency=assignment.agency)
    apply(assignment, Action.SUBMIT, worker, text="Đã thực hiện.")
    session.commit()
    assert receiver.received == [], "delivered inside the step"
    (pending,) = [d for d in deliveries(session) if d.event == "submission.received"]
    assert pending.status == DeliveryStatus.PENDING
    run_worker()
    (sent,) = receiver.received
    assert sent["path"] == "/hooks/tracker"
    assert sent["headers"]["X-Tracker-Event"] == "submission.received"
    assert verify(endpoint.secret, sent["headers"]["X-Tracker-Signature"], sent["body"])
    assert not verify("whsec_wrong", sent["headers"]["X-Tracker-Signature"], sent["body"])
    body = json.loads(sent["body"])
    assert body["event"] == "submission.received"
    assert body["subject"] == {
        "type": "assignment",
        "id": assignment.id,
        "url": f"/api/v1/assignments/{assignment.id}",
    }
    assert body["after"]["status"] == "submitted"
    (done,) = deliveries(session)
    assert done.status == DeliveryStatus.DELIVERED and done.attempts == 1
    assert done.last_status_code == 204
    run_worker()
    assert len(receiver.received) == 1, "a delivered event was sent again"


def test_failures_are_retried_with_backoff_then_given_up(
    session, receiver, endpoint, make_assignment, make_user
):
    receiver.status = 500
    assignment = make_assignment("SNV")
    apply(assignment, Action.SUBMIT, make_user(agency=assignment.agency), text="Xong.")
    session.commit()
    start = clock.now()
    at = start
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with clock.frozen(at):
            run_worker()
        (delivery,) = deliveries(session)
        assert delivery.attempts == attempt
        assert delivery.last_status_code == 500
        if attempt < MAX_ATTEMPTS:
            assert delivery.status == DeliveryStatus.PENDING
            assert delivery.next_attempt_at == at + wait_after(attempt)
            with clock.frozen(at + wait_after(attempt) - timedelta(seconds=1)):
                run_worker()  # not due yet: nothing sent
            assert len(receiver.received) == attempt
            at = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.FAILED
    assert wait_after(2) == 2 * wait_after(1)
    assert len(receiver.received) == MAX_ATTEMPTS


def test_a_step_that_rolls_back_announces_nothing(
    session, receiver, endpoint, make_assignment, make_user
):
    assignment = make_assignment("SNV")
    with pytest.raises(GuardFailed):
        apply(assignment, Action.SUBMIT, make_user(agency=assignment.agency), text="")
    session.rollback()
    assert [d for d in deliveries(session) if d.event == "submission.received"] == []


def test_events_not_subscribed_are_not_sent(session, receiver, make_assignment, make_user):
    register_endpoint(
        session,
        user_named(session, "admin"),
        receiver.url,
        ["directive.closed"],
        allow_private=True,
    )
    assignment = make_assignment("SNV")
    apply(assignment, Action.SUBMIT, make_user(agency=assignment.agency), text="Xong.")
    session.commit()
    assert deliveries(session) == []


def test_a_private_address_is_refused_unless_allowed(session):
    admin = user_named(session, "admin")
    for url in (
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://api.localhost./x",
        "http://10.1.2.3/x",
    ):
        with pytest.raises(ValueError, match="nội bộ"):
            register_endpoint(session, admin, url, ["directive.closed"], allow_private=False)
    with pytest.raises(ValueError, match="http"):
        register_endpoint(session, admin, "file:///etc/passwd", ["directive.closed"], False)
    assert session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0


def test_delivery_checks_the_address_again(session, receiver, endpoint, make_assignment, make_user):
    """Allowed when registered; the allowance withdrawn since: not sent."""
    endpoint.endpoint.allow_private = False
    session.flush()
    assignment = make_assignment("SNV")
    apply(assignment, Action.SUBMIT, make_user(agency=assignment.agency), text="Xong.")
    session.commit()
    run_worker()
    assert receiver.received == []
    (delivery,) = deliveries(session)
    assert "nội bộ" in delivery.last_error and delivery.last_status_code is None


def test_a_redirect_is_not_followed(session, receiver, endpoint, make_assignment, make_user):
    receiver.status = 307
    receiver.location = "http://10.0.0.1/elsewhere"
    assignment = make_assignment("SNV")
    apply(assignment, Action.SUBMIT, make_user(agency=assignment.agency), text="Xong.")
    session.commit()
    run_worker()
    assert len(receiver.received) == 1
    (delivery,) = deliveries(session)
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 307


def test_an_overdue_obligation_is_announced_once(session, receiver, endpoint, team, smtp):  # noqa: F811
    for day in (DUE, DUE + timedelta(days=1), DUE + timedelta(days=2)):
        with clock.frozen(day):
            run_reminders(session, day)
    session.commit()
    bodies = [json.loads(d.body) for d in deliveries(session) if d.event == "obligation.overdue"]
    ours = [body for body in bodies if body["obligation"]["id"] == team.assignment.id]
    assert len(ours) == 1, "announced more than once, or not at all"
    assert ours[0]["obligation"] == {
        "kind": "assignment",
        "id": team.assignment.id,
        "agency_id": team.agency.id,
        "due_date": DUE.isoformat(),
    }


def test_admin_page_registers_and_shows_the_key_once(client, auth, session, receiver):
    auth.login("admin")
    form = {
        "csrf_token": csrf_token(client, "/webhooks"),
        "url": receiver.url,
        "events": ["submission.received", "directive.closed"],
    }
    refused = client.post("/webhooks", data=form)
    assert refused.status_code == 422
    assert "nội bộ" in refused.get_data(as_text=True)
    page = client.post("/webhooks", data={**form, "allow_private": "y"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = html.split('data-testid="webhook-secret">')[1].split("<")[0]
    assert secret.startswith("whsec_")
    assert secret not in client.get("/webhooks").get_data(as_text=True)
    (registered,) = session.scalars(sa.select(WebhookEndpoint))
    assert registered.events == ["submission.received", "directive.closed"]
    assert registered.allow_private is True


def test_only_admins_open_the_webhooks_page(client, auth):
    auth.login("vanphong")
    assert client.get("/webhooks").status_code == 403
