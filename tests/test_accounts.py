"""Accounts: a user changes their password; the admin disables and enables accounts,
sets a forgotten password, signs a user out everywhere, ends a sign-in delay. Every
step ends the right sessions and is recorded."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import Auth, csrf_token, user_named
from tracker.audit import Event
from tracker.auth import passwords
from tracker.auth.models import User
from tracker.auth.operations import UserError, set_active

NEW = "ngựa ô qua đèo Ô Quy Hồ 1998"


def _post(client, path: str, data: dict, page: str):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def _events(session, action: str) -> int:
    return session.scalar(sa.select(sa.func.count(Event.id)).where(Event.action == action))


@pytest.mark.parametrize(
    "password",
    [
        "1234567890",  # too common
        "qwertyuiopasdf",  # a keyboard walk
        "Laichau@2020",  # the place and a year
        "snv-mat-khau-123",  # contains the user name
        "password1234",  # on the common lists
    ],
)
def test_weak_passwords_are_refused(password):
    assert passwords.password_problem(password, "snv") is not None


def test_common_list_is_real_size():
    assert len(passwords.blocklist()) >= 30_000
    assert passwords.password_problem(NEW, "snv") is None


def test_user_changes_password_and_other_sessions_end(client, app, session):
    other = app.test_client()
    Auth(other).login("snv")
    assert other.get("/").status_code == 200
    auth = Auth(client)
    auth.login("snv")
    page = "/account/password"
    wrong = _post(client, page, {"current": "sai", "new": NEW, "confirm": NEW}, page)
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng." in wrong.get_data(True)
    weak = _post(
        client,
        page,
        {"current": "tracker-demo", "new": "1234567890", "confirm": "1234567890"},
        page,
    )
    assert weak.status_code == 422 and "quá dễ đoán" in weak.get_data(True)
    done = _post(client, page, {"current": "tracker-demo", "new": NEW, "confirm": NEW}, page)
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302  # the other one has ended
    session.expire_all()
    assert passwords.check_password(user_named(session, "snv").password_hash, NEW)
    assert _events(session, "user.password") == 1


def test_admin_disables_enables_and_resets(client, app, session):
    victim = app.test_client()
    Auth(victim).login("stp")
    assert victim.get("/").status_code == 200
    Auth(client).login("admin")
    stp = user_named(session, "stp")
    assert "stp" in client.get("/users").get_data(True)
    assert _post(client, f"/users/{stp.id}/disable", {}, "/users").status_code == 302
    assert victim.get("/").status_code == 302  # signed out at once
    assert Auth(victim).login("stp").status_code == 422  # and cannot sign in
    assert _post(client, f"/users/{stp.id}/enable", {}, "/users").status_code == 302
    response = _post(client, f"/users/{stp.id}/reset_password", {"new": NEW}, "/users")
    assert response.status_code == 302
    assert Auth(victim).login("stp", NEW).status_code == 302
    assert _post(client, f"/users/{stp.id}/end_sessions", {}, "/users").status_code == 302
    assert victim.get("/").status_code == 302
    session.expire_all()
    for action in ("user.disable", "user.enable", "user.reset_password", "user.end_sessions"):
        assert _events(session, action) == 1, action


def test_admin_cannot_lock_themselves_out(session):
    admin = user_named(session, "admin")
    with pytest.raises(UserError, match="chính mình"):
        set_active(session, admin, admin, False)
    assert session.scalar(sa.select(User.active).where(User.id == admin.id))


def test_password_hashing_costs_come_from_the_environment(tmp_path, monkeypatch):
    from tracker import create_app
    from tracker.auth.passwords import hasher

    monkeypatch.setenv("TRACKER_ARGON2_TIME_COST", "2")
    monkeypatch.setenv("TRACKER_ARGON2_MEMORY_COST", "2048")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    with app.app_context():
        assert (hasher().time_cost, hasher().memory_cost) == (2, 2048)
        assert hasher().verify(hasher().hash("một mật khẩu dài"), "một mật khẩu dài")
    assert hasher().time_cost == 3  # outside an app: the defaults
