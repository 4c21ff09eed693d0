"""Plain helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

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


def _env_value(value: object) -> str:
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


@contextmanager
def job_worker(config: dict, *, workers: int = 1, periodic: bool = False):
    """A real `tracker worker` process for an app built from `config` (a test_config
    dict with INSTANCE_PATH); stopped with SIGINT, then killed if it lingers. Its output
    is in INSTANCE_PATH/worker.log."""
    env = {**os.environ, **{f"TRACKER_{key}": _env_value(value) for key, value in config.items()}}
    command = [str(Path(sys.executable).with_name("tracker")), "worker", "--workers", str(workers)]
    if not periodic:
        command.append("--no-periodic")
    log_path = Path(config["INSTANCE_PATH"]) / "worker.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 (the project's own command)
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until(predicate, seconds: float = 60, message: str = "the condition") -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{message} did not happen in {seconds:g} s"
        time.sleep(0.2)


def demo_site(folder: Path, **settings) -> tuple[dict, object]:
    """An app whose instance is `folder`, on a committed SQLite database there with the
    demo data, and the config it was built from (a test_config dict: `job_worker` takes
    it). Its job queue has a name of its own; reports over 5 lines go to the queue."""
    from tests.conftest import FAST_ARGON2
    from tracker import create_app

    config = {
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": "queue",
        "DATABASE_URL": f"sqlite:///{folder / 'tracker.db'}",
        "JOB_QUEUE_NAME": f"tracker-test-{uuid.uuid4().hex[:8]}",
        "LARGE_REPORT_ROWS": 5,
        **settings,
    }
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(config | FAST_ARGON2)
    initialise_demo_database(app)
    return config, app


def post_scan(client: FlaskClient, pdf: bytes):
    """The office's import form, sent with a scanned PDF."""
    return client.post(
        "/directives/import",
        data={
            "csrf_token": csrf_token(client, "/directives/import"),
            "file": (io.BytesIO(pdf), "cong-van-quet.pdf"),
        },
        content_type="multipart/form-data",
    )


def initialise_demo_database(app) -> None:
    """What `tracker init --demo` does (but the weekly periods), with the same functions:
    for tests whose app has a database of its own that really commits (workers, live
    servers)."""
    from tracker import db
    from tracker.demo import load_demo
    from tracker.directives.seed import load_all
    from tracker.migrations.runner import upgrade

    with app.app_context():
        with db.database().engine.begin() as connection:
            upgrade(connection)
        load_all(db.session, backdate=True)
        load_demo(db.session)
        db.session.commit()
        db.session.remove()
