"""Login throttling (the 6th failure within a minute answers 429) and session timeouts."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import csrf_token
from tracker import clock


def _attempt(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_throttle_sixth_failure_for_an_account_answers_429(client):
    for _ in range(5):
        assert _attempt(client, "snv", "sai-mat-khau-1").status_code == 422
    refused = _attempt(client, "snv", "tracker-demo")  # even the right password now
    assert refused.status_code == 429
    assert "quá nhiều lần" in refused.get_data(as_text=True)


def test_throttle_counts_per_address_across_accounts(client):
    for name in ("snv", "stp", "syt", "sct", "stc"):
        assert _attempt(client, name, "sai-mat-khau-1", "10.0.0.9").status_code == 422
    assert _attempt(client, "sgddt", "tracker-demo", "10.0.0.9").status_code == 429
    assert _attempt(client, "sgddt", "tracker-demo", "10.0.0.10").status_code == 302


def test_throttle_window_passes(client):
    start = clock.now()
    with clock.frozen(start):
        for _ in range(5):
            _attempt(client, "snv", "sai-mat-khau-1")
        assert _attempt(client, "snv", "tracker-demo").status_code == 429
    with clock.frozen(start + timedelta(seconds=61)):
        assert _attempt(client, "snv", "tracker-demo").status_code == 302


def test_session_ends_after_the_absolute_timeout(client, auth):
    start = clock.now()
    with clock.frozen(start):
        auth.login("snv")
        assert client.get("/").status_code == 200
    with clock.frozen(start + timedelta(hours=11)):
        assert client.get("/").status_code == 200
    with clock.frozen(start + timedelta(hours=12, minutes=1)):
        response = client.get("/")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    assert client.get("/").status_code == 302
