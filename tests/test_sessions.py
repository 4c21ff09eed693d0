"""Login throttling (the 6th failure for one account from one address within a minute
answers 429, for that account only) and session timeouts."""

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


def test_throttle_colleague_behind_the_same_address_signs_in(client):
    """Six wrong passwords for stttt delay stttt from that address, not syt."""
    start = clock.now()
    with clock.frozen(start):
        for _ in range(5):
            assert _attempt(client, "stttt", "sai-mat-khau-1").status_code == 422
        assert _attempt(client, "stttt", "sai-mat-khau-1").status_code == 429
        refused = _attempt(client, "stttt", "tracker-demo")  # the 7th try
        assert _attempt(client, "syt", "tracker-demo").status_code == 302
    assert refused.status_code == 429
    until = (start + timedelta(seconds=60)).astimezone(clock.LOCAL_ZONE)
    assert until.strftime("%H:%M:%S %d/%m/%Y") in refused.get_data(as_text=True)
    assert 1 <= int(refused.headers["Retry-After"]) <= 61


def test_throttle_unknown_names_from_one_address_refuse_the_address(client):
    for name in ("khong-co-ai", "ai-do", "nguoi-la", "admin1", "quantri"):
        assert _attempt(client, name, "sai-mat-khau-1", "10.0.0.9").status_code == 422
    refused = _attempt(client, "sgddt", "tracker-demo", "10.0.0.9")
    assert refused.status_code == 429
    # The same words as one account's limit: the refusal tells no names apart.
    assert "Đăng nhập sai quá nhiều lần" in refused.get_data(as_text=True)
    assert _attempt(client, "sgddt", "tracker-demo", "10.0.0.10").status_code == 302


def test_throttle_counts_all_failures_per_address_up_to_a_higher_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_FAILURES", 8)
    for name in ("snv", "stp", "syt", "sct"):
        for _ in range(2):
            assert _attempt(client, name, "sai-mat-khau-1", "10.0.0.11").status_code == 422
    assert _attempt(client, "sgddt", "tracker-demo", "10.0.0.11").status_code == 429
    assert _attempt(client, "sgddt", "tracker-demo", "10.0.0.12").status_code == 302


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


def test_throttle_unknown_names_never_lock_a_real_account(client):
    """An attacker trying names that are no account, from many addresses, slows only
    those addresses; the real admin signs in."""
    for address in range(20):
        for _ in range(5):
            _attempt(client, "khong-co-ai", "sai-mat-khau-1", f"10.1.0.{address}")
        assert _attempt(client, "khong-co-ai", "x", f"10.1.0.{address}").status_code == 429
    assert _attempt(client, "admin", "tracker-demo", "10.2.0.1").status_code == 302


def test_throttle_one_address_cannot_lock_an_account_for_others(client):
    for _ in range(5):
        _attempt(client, "admin", "sai-mat-khau-1", "10.3.0.1")
    assert _attempt(client, "admin", "tracker-demo", "10.3.0.1").status_code == 429
    assert _attempt(client, "admin", "tracker-demo", "10.3.0.2").status_code == 302


def test_throttle_many_addresses_delay_an_account_progressively(client):
    start = clock.now()
    with clock.frozen(start):
        for address in range(10):  # LOGIN_ACCOUNT_FAILURES from ten addresses
            assert _attempt(client, "snv", "sai-mat-khau-1", f"10.4.0.{address}").status_code == 422
        refused = _attempt(client, "snv", "tracker-demo", "10.4.0.99")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "tạm khóa đến" in page and "nhờ quản trị hệ thống mở khóa" in page
    assert 1 <= int(refused.headers["Retry-After"]) <= 31
    # The first delay is 30 seconds; after it the right password is heard.
    with clock.frozen(start + timedelta(seconds=31)):
        assert _attempt(client, "snv", "sai-mat-khau-1", "10.4.0.50").status_code == 422
        # The eleventh failure doubles the delay.
        assert _attempt(client, "snv", "tracker-demo", "10.4.0.51").status_code == 429
    with clock.frozen(start + timedelta(seconds=31 + 61)):
        assert _attempt(client, "snv", "tracker-demo", "10.4.0.52").status_code == 302


def test_admin_unlocks_an_account(client, runner, connection):
    from tracker.cli import main

    start = clock.now()
    with clock.frozen(start):
        for address in range(10):
            _attempt(client, "stp", "sai-mat-khau-1", f"10.5.0.{address}")
        assert _attempt(client, "stp", "tracker-demo", "10.5.0.99").status_code == 429
        result = runner.invoke(main, args=["user", "unlock", "STP"])
        assert result.exit_code == 0, result.output
        assert "10 lần sai" in result.output
        assert _attempt(client, "stp", "tracker-demo", "10.5.0.99").status_code == 302
    assert runner.invoke(main, args=["user", "unlock", "khong-co-ai"]).exit_code == 1


def test_proxy_is_trusted_only_when_configured(tmp_path):
    from werkzeug.middleware.proxy_fix import ProxyFix

    from tracker import create_app

    base = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"}
    assert not isinstance(create_app(base).wsgi_app, ProxyFix)
    behind = create_app(base | {"PROXY_HOPS": 1}).wsgi_app
    assert isinstance(behind, ProxyFix) and behind.x_for == 1 and behind.x_host == 0
