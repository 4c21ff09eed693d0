"""Structured logging (tracker/logs.py) and feed tokens kept out of the logs, down to the
access logs of the real servers: gunicorn with the package's config module, and the
development server of `tracker run` (issue 9, items 9 and 10)."""

from __future__ import annotations

import http.cookiejar
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import FAST_ARGON2
from tests.helpers import Auth, user_named
from tracker import create_app, db, logs
from tracker.agencies.feed import issue_feed_token
from tracker.agencies.operations import agency_by_code
from tracker.auth.models import Role
from tracker.auth.operations import create_user
from tracker.directives.seed import load_all
from tracker.migrations.runner import upgrade

PAIR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
TOKEN = "k3JqXbT9mW2vLp8sQz4RyN6cUd1hAe5fGo7iKj0lMnB"


def parse_line(line: str) -> dict[str, str]:
    """One logfmt line back into its fields (quoted values unescaped)."""
    fields = {}
    for name, raw in PAIR.findall(line):
        if raw.startswith('"'):
            raw = raw[1:-1].encode().decode("unicode_escape").encode("latin-1").decode()
        fields[name] = raw
    return fields


def lines_of(text: str, **wanted: str) -> list[dict[str, str]]:
    parsed = [parse_line(line) for line in text.splitlines() if line.startswith("time=")]
    return [f for f in parsed if all(f.get(key) == value for key, value in wanted.items())]


@pytest.fixture
def restore_logging(app: Flask) -> Iterator[None]:
    """Tests that reconfigure logging leave it as the session's app set it."""
    yield
    logs.configure(app.config["LOG_LEVEL"])


# The format ------------------------------------------------------------------------------


def test_request_log_line_names_the_request_and_the_user(client, session, capsys):
    Auth(client).login("stttt")
    capsys.readouterr()
    response = client.get("/agencies")
    assert response.status_code == 403
    [line] = lines_of(capsys.readouterr().err, logger="tracker", level="warning")
    assert TIME.fullmatch(line["time"])
    assert line["msg"] == "access denied: GET /agencies"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", line["request_id"])
    assert line["remote_addr"] == "127.0.0.1"
    assert line["user_id"] == str(user_named(session, "stttt").id)


def test_each_request_gets_its_own_id(client):
    first, second = client.get("/login"), client.get("/login")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_record_is_one_line_whatever_it_holds(restore_logging, capsys):
    logs.configure("INFO")
    log = logging.getLogger("tracker.test")
    message = 'line one\nline two with "quotes", a tab\tand key=value'
    log.warning("%s", message)
    try:
        raise RuntimeError("boom\nsecond line")
    except RuntimeError:
        log.exception("failed")
    written = capsys.readouterr().err.splitlines()
    assert len(written) == 2
    plain, failed = (parse_line(line) for line in written)
    assert plain["msg"] == message and plain["level"] == "warning"
    assert plain["logger"] == "tracker.test" and "request_id" not in plain
    assert failed["msg"] == "failed"
    assert failed["exc"].startswith("Traceback (most recent call last):")
    assert failed["exc"].endswith("RuntimeError: boom\nsecond line")


def test_extra_fields_follow_the_message(restore_logging, capsys):
    logs.configure("INFO")
    logging.getLogger("tracker.test").info("sent", extra={"fields": {"count": 3, "to": "a b"}})
    line = capsys.readouterr().err.strip()
    assert line.endswith('msg=sent count=3 to="a b"')


def test_log_level_from_the_configuration(fresh_app, restore_logging, monkeypatch, capsys):
    fresh_app(LOG_LEVEL="WARNING")
    log = logging.getLogger("tracker.test")
    log.info("hidden")
    log.warning("shown")
    assert [line["msg"] for line in lines_of(capsys.readouterr().err, logger="tracker.test")] == [
        "shown"
    ]
    monkeypatch.setenv("TRACKER_LOG_LEVEL", "debug")
    fresh_app()
    log.debug("now shown")
    assert lines_of(capsys.readouterr().err, logger="tracker.test", msg="now shown")
    assert logging.getLogger("werkzeug").level == logging.DEBUG


def test_unknown_log_level_is_refused(fresh_app, restore_logging):
    with pytest.raises(ValueError, match="LOG_LEVEL 'loud' is not a logging level"):
        fresh_app(LOG_LEVEL="loud")


def test_building_apps_again_adds_no_second_handler(fresh_app, restore_logging, capsys):
    fresh_app()
    fresh_app()
    ours = [h for h in logging.getLogger().handlers if isinstance(h, logs.StderrHandler)]
    assert len(ours) == 1
    logging.getLogger("tracker").warning("once")
    assert capsys.readouterr().err.count("msg=once") == 1


def test_request_id_from_a_proxy_only_when_the_proxy_is_trusted(fresh_app, restore_logging):
    given = {"X-Request-ID": "3f2a9c0d5e8b4a1f9c2d7e6b5a4c3d2e"}
    untrusted = fresh_app().test_client().get("/login", headers=given)
    assert untrusted.headers["X-Request-ID"] != given["X-Request-ID"]
    trusted = fresh_app(PROXY_HOPS=1).test_client().get("/login", headers=given)
    assert trusted.headers["X-Request-ID"] == given["X-Request-ID"]
    forged = (
        fresh_app(PROXY_HOPS=1)
        .test_client()
        .get("/login", headers={"X-Request-ID": "evil\x1bline"})
    )
    assert re.fullmatch(r"[0-9a-f]{16}", forged.headers["X-Request-ID"])


# Redaction -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/feeds/{TOKEN}.ics", "/feeds/k3Jq….ics"),
        (f'"GET /feeds/{TOKEN}.ics HTTP/1.1" 200', '"GET /feeds/k3Jq….ics HTTP/1.1" 200'),
        (f"GET /feeds%2F{TOKEN}.ics", "GET /feeds/k3Jq….ics"),
        (f"/%66eeds/{TOKEN}.ics?x=1", "/feeds/k3Jq….ics?x=1"),
        (f"https://tracker.example/feeds/{TOKEN}", "https://tracker.example/feeds/k3Jq…"),
        ("/feeds/short.ics", "/feeds/….ics"),
        ("/feeds/k3Jq….ics", "/feeds/k3Jq….ics"),
        ("/agencies/3/feed 100% done", "/agencies/3/feed 100% done"),
    ],
)
def test_redact_keeps_four_characters_of_a_feed_token(text, expected):
    assert logs.redact(text) == expected
    assert logs.redact(logs.redact(text)) == expected


def test_app_log_lines_never_carry_a_feed_token(restore_logging, capsys):
    logs.configure("INFO")
    log = logging.getLogger("tracker.test")
    log.warning("odd request %s", f"/feeds/{TOKEN}.ics")
    log.info("fields", extra={"fields": {"path": f"/feeds/{TOKEN}.ics"}})
    try:
        raise LookupError(f"/feeds/{TOKEN}.ics")
    except LookupError:
        log.exception("failed")
    written = capsys.readouterr().err
    assert TOKEN not in written
    assert written.count("/feeds/k3Jq….ics") == 3


# The real servers ------------------------------------------------------------------------


@dataclass
class Instance:
    path: Path
    database_url: str
    token: str
    username: str
    password: str
    user_id: int

    def environment(self) -> dict[str, str]:
        return {
            **{key: value for key, value in os.environ.items() if not key.startswith("TRACKER_")},
            "TRACKER_INSTANCE_PATH": str(self.path),
            "TRACKER_DATABASE_URL": self.database_url,
            "TRACKER_SECRET_KEY": "live-logs",
            "TRACKER_LOG_LEVEL": "INFO",
        }


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """An instance folder and a SQLite database initialised as the tests' own (schema,
    seed directives), an agency's feed token issued and one account, all committed."""
    folder = tmp_path_factory.mktemp("live-logs")
    url = f"sqlite:///{folder / 'tracker.db'}"
    application = create_app({"INSTANCE_PATH": str(folder), "DATABASE_URL": url, **FAST_ARGON2})
    password = "mat-khau-nhat-ky-dai"
    with application.app_context():
        with db.database().engine.begin() as connection:
            upgrade(connection)
        load_all(db.session, backdate=True)
        token = issue_feed_token(db.session, None, agency_by_code(db.session, "STTTT"))
        user = create_user(
            db.session,
            username="nhatky",
            password=password,
            role=Role.SECRETARIAT,
            agency=agency_by_code(db.session, "VPUBND"),
        )
        db.session.commit()
        user_id = user.id
        db.session.remove()
    application.extensions["tracker.db"].engine.dispose()
    yield Instance(folder, url, token, "nhatky", password, user_id)


@dataclass
class Server:
    """A server running in a process of its own, its stdout and stderr in files."""

    base: str
    stdout: Path
    stderr: Path

    def written(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()

    def lines(self, count: int = 1, **wanted: str) -> list[dict[str, str]]:
        """The log lines with these fields, waiting for `count` of them (a server logs a
        request just after it has answered)."""
        deadline = time.monotonic() + 20
        while len(found := lines_of(self.written(), **wanted)) < count:
            assert time.monotonic() < deadline, f"no {count} lines {wanted}:\n{self.written()}"
            time.sleep(0.1)
        return found


@contextmanager
def serving(command: list[str], instance: Instance, logs_dir: Path) -> Iterator[Server]:
    """Run a server on a free loopback port (port 0, read back from its start-up line)."""
    stdout, stderr = logs_dir / "stdout.log", logs_dir / "stderr.log"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 (the project's own commands)
            command, env=instance.environment(), stdout=out, stderr=err
        )
    try:
        deadline = time.monotonic() + 90
        while not (found := re.search(r"http://127\.0\.0\.1:(\d+)", stderr.read_text())):
            assert process.poll() is None, f"the server stopped: {stderr.read_text()}"
            assert time.monotonic() < deadline, f"the server did not start: {stderr.read_text()}"
            time.sleep(0.2)
        yield Server(f"http://127.0.0.1:{found.group(1)}", stdout, stderr)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


TOOLS = Path(sys.executable).parent


@pytest.fixture(scope="module")
def gunicorn(instance: Instance, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn as the README runs it in production: the package's config module."""
    command = [
        str(TOOLS / "gunicorn"), "-c", "python:tracker.gunicorn_config", "--no-control-socket",
        "-w", "1", "-b", "127.0.0.1:0", "tracker:create_app()",
    ]  # fmt: skip
    with serving(command, instance, tmp_path_factory.mktemp("gunicorn")) as server:
        yield server


@pytest.fixture(scope="module")
def dev_server(instance: Instance, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The development server, started by `tracker run` as `make run` does."""
    command = [str(TOOLS / "tracker"), "run", "--host", "127.0.0.1", "--port", "0"]
    with serving(command, instance, tmp_path_factory.mktemp("dev-server")) as server:
        yield server


def get(opener: urllib.request.OpenerDirector, url: str, data: dict | None = None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with opener.open(url, data=body, timeout=30) as response:
        return response.status, response.headers, response.read()


def sign_in(base: str, instance: Instance) -> urllib.request.OpenerDirector:
    """A browser-like client signed in through the real form (it follows the redirect)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    _, _, page = get(opener, base + "/login")
    csrf = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"username": instance.username, "password": instance.password, "csrf_token": csrf}
    status, headers, _ = get(opener, base + "/login", form)
    assert status == 200 and headers["X-Request-ID"]
    return opener


@pytest.mark.slow
def test_gunicorn_logs_in_tracker_format(gunicorn, instance):
    opener = sign_in(gunicorn.base, instance)
    _, headers, _ = get(opener, gunicorn.base + "/agencies")
    [line] = gunicorn.lines(logger="gunicorn.access", path="/agencies")
    assert line["level"] == "info" and TIME.fullmatch(line["time"])
    assert line["msg"] == "GET /agencies 200" and line["method"] == "GET"
    assert line["status"] == "200" and int(line["bytes"]) > 0 and int(line["duration_ms"]) >= 0
    assert line["remote_addr"] == "127.0.0.1" and line["user_agent"].startswith("Python-urllib")
    assert line["request_id"] == headers["X-Request-ID"]
    assert line["user_id"] == str(instance.user_id)
    [anonymous] = gunicorn.lines(logger="gunicorn.access", method="GET", path="/login")
    assert "user_id" not in anonymous and anonymous["request_id"]
    # gunicorn's own log, and the app's inside gunicorn, in the same format on stderr.
    assert gunicorn.lines(logger="gunicorn.error", level="info")
    assert not [line for line in gunicorn.stderr.read_text().splitlines() if "time=" not in line]


@pytest.mark.slow
def test_development_server_logs_in_tracker_format(dev_server):
    get(urllib.request.build_opener(), dev_server.base + "/login")
    [line] = dev_server.lines(logger="werkzeug", msg="GET /login HTTP/1.1")
    assert line["level"] == "info" and TIME.fullmatch(line["time"])
    assert line["status"] == "200" and line["remote_addr"] == "127.0.0.1"


def feed_requests(base: str, token: str) -> list[str]:
    """The feed fetched as a calendar client does, and once with its slash encoded (the
    app serves that too); returns the request ids the app answered with."""
    opener = urllib.request.build_opener()
    ids = []
    for path in (f"/feeds/{token}.ics", f"/feeds%2F{token}.ics"):
        status, headers, body = get(opener, base + path)
        assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")
        ids.append(headers["X-Request-ID"])
    return ids


@pytest.mark.slow
def test_gunicorn_access_log_redacts_feed_tokens(gunicorn, instance):
    request_ids = feed_requests(gunicorn.base, instance.token)
    shown = f"/feeds/{instance.token[:4]}….ics"
    lines = gunicorn.lines(2, logger="gunicorn.access", path=shown)
    assert [line["request_id"] for line in lines] == request_ids
    for line in lines:
        assert line["msg"] == f"GET {shown} 200" and line["status"] == "200"
    assert instance.token not in gunicorn.written()


@pytest.mark.slow
def test_development_server_log_redacts_feed_tokens(dev_server, instance):
    feed_requests(dev_server.base, instance.token)
    shown = f"GET /feeds/{instance.token[:4]}….ics HTTP/1.1"
    for line in dev_server.lines(2, logger="werkzeug", msg=shown):
        assert line["status"] == "200" and line["remote_addr"] == "127.0.0.1"
    assert instance.token not in dev_server.written()


def test_a_gunicorn_worker_dead_of_a_fatal_signal_leaves_its_stack_in_the_log(gunicorn):
    """faulthandler, enabled in each worker, writes every thread's Python stack before
    a crash ends the process; gunicorn then starts a new worker, which serves."""
    with urllib.request.urlopen(gunicorn.base + "/login", timeout=30) as answer:  # noqa: S310
        assert answer.status == 200  # the worker is up and serving
    booted = re.findall(r"Booting worker with pid: (\d+)", gunicorn.stderr.read_text())
    os.kill(int(booted[-1]), signal.SIGSEGV)
    deadline = time.monotonic() + 30
    while not re.search(r"Fatal Python error(.|\n)*Booting worker", gunicorn.stderr.read_text()):
        assert time.monotonic() < deadline, gunicorn.stderr.read_text()[-2000:]
        time.sleep(0.2)
    log = gunicorn.stderr.read_text()
    assert "Fatal Python error: Segmentation fault" in log
    assert "Current thread" in log or "Thread 0x" in log  # the stacks follow
    with urllib.request.urlopen(gunicorn.base + "/login", timeout=30) as answer:  # noqa: S310
        assert answer.status == 200
