"""Signing in and out, sessions, passwords, redirects, headers, escaping and error pages
(SECURITY.md items 5-8, 10, 11, 17, 18, 21)."""

from __future__ import annotations

import io
import logging
import unicodedata
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from tests.helpers import Auth, csrf_token, user_named
from tracker.agencies.operations import agency_by_code
from tracker.assignments.models import AssignmentRole
from tracker.assignments.operations import assign_task
from tracker.assignments.workflow import Action, apply
from tracker.auth.models import Role
from tracker.auth.operations import authenticate, end_sessions
from tracker.auth.passwords import check_password, password_problem
from tracker.demo import DEMO_PASSWORD
from tracker.directives import operations as directive_operations
from tracker.evidence.operations import add_evidence

WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
PASSPHRASE = "Lai Châu có đỉnh Pu Si Lung và ngã ba Dền Thàng, nơi Tổ quốc bắt đầu"
#: Cheap Argon2 parameters for the throwaway apps (the suite's own app uses them too).
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}


@pytest.fixture
def new_client(app, client):
    """Another browser: a client with cookies of its own (of the `client` fixture's class,
    so each request runs in its own app context)."""
    return app.test_client


def fetch(client: FlaskClient, method: str, path: str, **kwargs):
    """Send a request and read the whole body, closing files send_file opened."""
    with client.open(path, method=method, **kwargs) as response:
        response.get_data()
    return response


def assert_sent_to_login(response) -> None:
    assert response.status_code == 302, response.status_code
    assert urlsplit(response.headers["Location"]).path == "/login"


def cookie_attributes(response, name: str = "session") -> dict[str, str]:
    """The attributes of one Set-Cookie header, lower-cased names."""
    (header,) = [
        value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{name}=")
    ]
    attributes = {}
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attributes[key.lower()] = value
    return attributes


# 1. Signing in -----------------------------------------------------------------------------


def test_login_with_right_password_redirects_to_dashboard(client, session):
    response = Auth(client).login("stttt")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    dashboard = fetch(client, "GET", "/")
    assert dashboard.status_code == 200
    assert "Nhiệm vụ của đơn vị" in dashboard.get_data(as_text=True)
    session.expire_all()
    assert user_named(session, "stttt").last_login_at is not None


@pytest.mark.parametrize(
    ("username", "password"),
    [("stttt", "mat-khau-sai-hoan-toan"), ("khong-co-ai", DEMO_PASSWORD), ("stttt", "x")],
    ids=["wrong-password", "unknown-user", "short-wrong-password"],
)
def test_login_refused_shows_vietnamese_error_and_starts_no_session(client, username, password):
    response = Auth(client).login(username, password)
    assert response.status_code == 422
    assert WRONG_CREDENTIALS in response.get_data(as_text=True)
    with client.session_transaction() as flask_session:
        assert "_user_id" not in flask_session
    assert_sent_to_login(fetch(client, "GET", "/"))


def test_login_of_inactive_user_is_refused(client, session, make_user):
    user = make_user(agency=agency_by_code(session, "SNV"))
    user.active = False
    session.flush()
    response = Auth(client).login(user.username)
    assert response.status_code == 422
    assert WRONG_CREDENTIALS in response.get_data(as_text=True)
    assert_sent_to_login(fetch(client, "GET", "/"))


def test_login_failures_and_denials_are_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="tracker"):
        Auth(client).login("stttt", "mat-khau-sai-hoan-toan")
        Auth(client).login("stttt")
        fetch(client, "GET", "/agencies")
    messages = [record.getMessage() for record in caplog.records]
    assert any("failed login" in message and "stttt" in message for message in messages)
    assert any(message == "login stttt" for message in messages)
    assert any("access denied" in message and "/agencies" in message for message in messages)


# 2. Logout and ended sessions --------------------------------------------------------------


def test_logout_ends_session_even_for_a_copied_cookie(client, new_client):
    Auth(client).login("stttt")
    copied = client.get_cookie("session").value
    replay = new_client()
    replay.set_cookie("session", copied)
    assert fetch(replay, "GET", "/").status_code == 200, "the copy should work before logout"

    response = Auth(client).logout()
    assert_sent_to_login(response)
    assert_sent_to_login(fetch(client, "GET", "/"))
    later = new_client()
    later.set_cookie("session", copied)
    assert_sent_to_login(fetch(later, "GET", "/"))


@pytest.mark.parametrize("how", ["end_sessions", "disable"])
def test_ending_sessions_signs_out_an_existing_session(client, new_client, session, how):
    Auth(client).login("stttt")
    elsewhere = new_client()
    Auth(elsewhere).login("stttt")
    assert fetch(client, "GET", "/").status_code == 200
    user = user_named(session, "stttt")
    if how == "end_sessions":
        end_sessions(user)
    else:
        user.active = False
    session.flush()
    assert_sent_to_login(fetch(client, "GET", "/"))
    assert_sent_to_login(fetch(elsewhere, "GET", "/"))
    if how == "end_sessions":  # the user may sign in afresh
        assert Auth(client).login("stttt").status_code == 302
        assert fetch(client, "GET", "/").status_code == 200


def test_get_logout_only_asks_for_confirmation(client):
    Auth(client).login("stttt")
    response = fetch(client, "GET", "/logout")
    assert response.status_code == 200
    assert 'method="post"' in response.get_data(as_text=True)
    assert fetch(client, "GET", "/").status_code == 200


# 3. A new session at login -----------------------------------------------------------------


def test_login_starts_a_new_session(client):
    fetch(client, "GET", "/login")
    with client.session_transaction() as flask_session:
        flask_session["planted"] = "giá trị cài sẵn trước khi đăng nhập"
    before = client.get_cookie("session").value
    assert Auth(client).login("stttt").status_code == 302
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as flask_session:
        assert "planted" not in flask_session
        assert flask_session.get("_user_id", "").startswith(tuple("123456789"))


# 4. Cookie flags ---------------------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    attributes = cookie_attributes(Auth(client).login("stttt"))
    assert "httponly" in attributes
    assert attributes["samesite"] == "Lax"
    assert attributes["path"] == "/"
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_session_cookie_expires_within_eight_hours(client):
    attributes = cookie_attributes(Auth(client).login("stttt"))
    expires = parsedate_to_datetime(attributes["expires"])
    now = datetime.now(UTC)
    assert now < expires <= now + timedelta(hours=8, minutes=1)


# 5. Open redirect --------------------------------------------------------------------------

NEXT_TARGETS = [
    ("https://evil.example", "/"),
    ("//evil.example", "/"),
    ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("https:/evil.example", "/"),
    ("/\t/evil.example", "/"),
    ("/\r\nSet-Cookie: injected=1", "/"),
    ("/directives", "/directives"),
    ("/directives?trang=2", "/directives?trang=2"),
]


@pytest.mark.parametrize(("target", "expected"), NEXT_TARGETS, ids=[t for t, _ in NEXT_TARGETS])
def test_login_next_redirects_only_to_a_local_path(client, target, expected):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?" + urlencode({"next": target}),
        data={"username": "stttt", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == expected
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc


def test_login_returns_to_the_page_that_asked_for_it(client):
    response = fetch(client, "GET", "/directives")
    assert_sent_to_login(response)
    login_url = response.headers["Location"]
    token = csrf_token(client, login_url)
    response = client.post(
        login_url, data={"username": "stttt", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/directives"


# 6. Passwords ------------------------------------------------------------------------------


def test_password_hashes_are_argon2id(session, make_user):
    user = make_user(role=Role.LEADER, password=PASSPHRASE)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSPHRASE not in user.password_hash
    assert user_named(session, "admin").password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("password", "username"),
    [
        ("ngắn quá", ""),
        ("123456789", ""),
        ("1234567890", ""),
        ("Password123", ""),
        ("MATKHAU123", ""),
        ("qwertyuiop", ""),
        ("nguyenvana-lai-chau", "nguyenvana"),
        ("x" * 1025, ""),
    ],
    ids=[
        "short",
        "nine-digits",
        "ten-digits",
        "common",
        "common-upper",
        "keyboard",
        "username",
        "too-long",
    ],
)
def test_password_problem_refuses_short_common_and_personal(password, username):
    problem = password_problem(password, username)
    assert problem is not None
    assert problem.startswith("Mật khẩu")


@pytest.mark.parametrize(
    "password",
    [PASSPHRASE, "Ủy ban nhân dân tỉnh Lai Châu — Văn phòng", "ghi-nho-mot-cum-tu-dai-" * 40],
    ids=["vietnamese-passphrase", "vietnamese-with-dash", "long-ascii"],
)
def test_password_problem_accepts_long_passphrases(password):
    assert password_problem(password, "stttt") is None


def test_long_vietnamese_passphrase_signs_in(client, make_user):
    user = make_user(role=Role.LEADER, password=PASSPHRASE)
    assert Auth(client).login(user.username, PASSPHRASE).status_code == 302
    assert fetch(client, "GET", "/").status_code == 200


def test_passphrase_typed_as_decomposed_unicode_signs_in(client, make_user):
    """Vietnamese keyboards (Unikey's "Unicode tổ hợp") type letters such as "ệ" as a
    base letter plus combining marks (NFD); the same passphrase must still sign in."""
    user = make_user(role=Role.LEADER, password=unicodedata.normalize("NFC", PASSPHRASE))
    decomposed = unicodedata.normalize("NFD", PASSPHRASE)
    assert decomposed != PASSPHRASE
    assert Auth(client).login(user.username, decomposed).status_code == 302


def test_authenticate_rehashes_when_argon2_parameters_change(app, session, make_user, monkeypatch):
    user = make_user(role=Role.LEADER, password=PASSPHRASE)
    original = user.password_hash
    assert "t=1," in original
    assert authenticate(session, user.username, PASSPHRASE) is user
    assert user.password_hash == original, "unchanged parameters must not rehash"

    monkeypatch.setitem(app.config, "ARGON2_TIME_COST", 2)
    assert authenticate(session, user.username, "sai mật khẩu rồi") is None
    assert user.password_hash == original, "a wrong password must not rehash"
    assert authenticate(session, user.username, PASSPHRASE) is user
    assert user.password_hash != original
    assert user.password_hash.startswith("$argon2id$")
    assert "t=2," in user.password_hash
    assert check_password(user.password_hash, PASSPHRASE)


# 7. Security headers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/login", 200),
        ("/khong-co-trang-nay", 404),
        ("/static/app.css", 200),
        ("/", 302),
        ("/directives/1/confirm", 303),
    ],
)
def test_security_headers_on_every_response(client, path, status):
    response = fetch(client, "GET", path)
    assert response.status_code == status
    policy = {
        part.strip().split(" ", 1)[0]: part.strip()
        for part in response.headers["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert policy["object-src"] == "object-src 'none'"
    assert policy["base-uri"] == "base-uri 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }


def test_security_headers_on_refused_post(client):
    response = fetch(client, "POST", "/login", data={"username": "stttt"})
    assert response.status_code == 400
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("secure", [False, True])
def test_hsts_only_when_cookies_are_secure(fresh_app, secure):
    application = fresh_app(SESSION_COOKIE_SECURE=secure)
    response = fetch(application.test_client(), "GET", "/login")
    assert response.status_code == 200
    assert ("Strict-Transport-Security" in response.headers) is secure


# 8. Escaping -------------------------------------------------------------------------------

PAYLOAD = "<script>alert(1)</script>"
ESCAPED = str(escape(PAYLOAD))


@pytest.fixture
def hostile(session):
    """A directive, task, report, return reason and file name all carrying a script."""
    directive = directive_operations.create_directive(
        session,
        None,
        doc_type="cong_van",
        number="6666",
        symbol="UBND-XSS",
        issuer="Ủy ban nhân dân tỉnh Lai Châu",
        issued_date=date(2020, 8, 14),
        subject=f"về việc {PAYLOAD}",
        body=f"Nội dung {PAYLOAD}",
    )
    task = directive_operations.add_task(
        session,
        None,
        directive,
        number="1",
        title=f"Nhiệm vụ {PAYLOAD}",
        text=f"Thực hiện {PAYLOAD}",
        due_date=date(2020, 8, 18),
    )
    directive_operations.confirm_directive(session, None, directive)
    (assignment,) = assign_task(
        session, None, task, [agency_by_code(session, "SNV")], role=AssignmentRole.LEAD
    ).created
    worker = user_named(session, "snv")
    add_evidence(session, worker, assignment, io.BytesIO(b"Minh chung.\n"), f"{PAYLOAD}.txt")
    apply(assignment, Action.SUBMIT, worker, text=f"Báo cáo {PAYLOAD}")
    apply(assignment, Action.RETURN, user_named(session, "vanphong"), reason=f"Lý do {PAYLOAD}")
    return assignment


@pytest.mark.parametrize(
    ("username", "page"),
    [
        ("vanphong", "/"),
        ("vanphong", "/directives"),
        ("vanphong", "/directives/{directive}"),
        ("vanphong", "/assignments/{assignment}"),
        ("snv", "/"),
        ("snv", "/directives"),
        ("snv", "/directives/{directive}"),
        ("snv", "/assignments/{assignment}"),
    ],
)
def test_script_in_user_text_is_escaped(client, hostile, username, page):
    Auth(client).login(username)
    path = page.format(directive=hostile.task.directive_id, assignment=hostile.id)
    response = fetch(client, "GET", path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body
    assert ESCAPED in body


def test_assignment_page_escapes_every_user_field(client, hostile):
    Auth(client).login("snv")
    body = fetch(client, "GET", f"/assignments/{hostile.id}").get_data(as_text=True)
    for text in (f"Nhiệm vụ {ESCAPED}", f"Báo cáo {ESCAPED}", f"Lý do {ESCAPED}", f"{ESCAPED}.txt"):
        assert text in body


# 9. Error pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", [None, "vanphong"])
@pytest.mark.parametrize("path", ["/khong-co-trang-nay", "/directives/999999999"])
def test_not_found_page_is_vietnamese_without_traceback(client, username, path):
    if username:
        Auth(client).login(username)
    response = fetch(client, "GET", path)
    if username is None and path.startswith("/directives/"):
        assert_sent_to_login(response)
        return
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Không tìm thấy" in body
    assert "Traceback" not in body
    assert 'lang="vi"' in body


SECRET_DETAIL = "chi tiết nội bộ: postgresql://tracker:mat-khau@db"


def test_unexpected_error_renders_vietnamese_500_page(fresh_app, caplog):
    application = fresh_app()

    @application.route("/hong")
    def broken():
        raise RuntimeError(SECRET_DETAIL)

    with caplog.at_level(logging.ERROR, logger="tracker"):
        response = fetch(application.test_client(), "GET", "/hong")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Lỗi hệ thống" in body
    for leak in ("Traceback", "RuntimeError", SECRET_DETAIL, "File &#34;", 'File "'):
        assert leak not in body
    assert "object-src 'none'" in response.headers["Content-Security-Policy"]
    assert any(
        record.exc_info and SECRET_DETAIL in str(record.exc_info[1]) for record in caplog.records
    ), "the error must reach the log"


def test_error_inside_a_real_page_renders_500_and_the_app_recovers(client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError(SECRET_DETAIL)

    Auth(client).login("vanphong")
    monkeypatch.setattr("tracker.reports.views.directive_page", broken)
    response = fetch(client, "GET", "/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Lỗi hệ thống" in body
    assert "Traceback" not in body
    assert SECRET_DETAIL not in body
    assert fetch(client, "GET", "/directives").status_code == 200
