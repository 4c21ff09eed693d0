"""Plain helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager

import sqlalchemy as sa
from flask.testing import FlaskClient

from tracker.auth.models import User
from tracker.demo import DEMO_PASSWORD

CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_PATTERN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


class Auth:
    """Logs the test client in and out as a given user, through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str, password: str = DEMO_PASSWORD):
        token = csrf_token(self.client, "/login")
        return self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def logout(self):
        token = csrf_token(self.client, "/logout")
        return self.client.post("/logout", data={"csrf_token": token})


def post_form(client: FlaskClient, path: str, data: dict, *, token_from: str, **kwargs) -> object:
    """POST a form with the CSRF token of the page it lives on."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from)}, **kwargs)


def user_named(session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    assert user is not None, username
    return user


def text_file(content: str = "Báo cáo minh chứng.\n") -> io.BytesIO:
    return io.BytesIO(content.encode("utf-8"))


@contextmanager
def count_queries(connection):
    """The SQL statements run on `connection` inside the block (savepoints aside)."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(connection, "before_cursor_execute", before)
