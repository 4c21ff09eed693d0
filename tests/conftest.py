"""Shared fixtures: one app and one migrated, seeded database per process; each test runs
inside a transaction that is rolled back at its end (SQLAlchemy's "join a session into
an external transaction" recipe), so tests see the seed and never each other.

The suite runs on SQLite by default and on TRACKER_TEST_DATABASE_URL when it is set.

Parallel runs. `make test` runs the suite in pytest-xdist workers (`-n auto`), each a
process of its own with its own session fixtures: its own app, instance folder and SQLite
file (tmp_path_factory gives each worker a folder of its own), and on PostgreSQL its own
database, "<the URL's database>_gw0", "_gw1", ..., created through the server's
`postgres` maintenance database (the URL's user needs CREATEDB) and dropped at the end.
A test must not meet another worker's, nor another run's on the same machine:
- anything it creates outside tmp_path (a Redis key prefix or database, a Huey queue
  name, a scratch database, a lock file) takes the `unique_name` fixture in its name;
- servers listen on port 0 (or a port the system just gave out), never on a fixed one;
- environment variables are set with monkeypatch (a subprocess gets an `env=` of its
  own); processes a test starts are stopped in its own teardown.
All the tests of a file run on one worker (`--dist loadfile`), so a module-scoped fixture
(a browser, a server process) is built once. Tests that take seconds by design are marked
`@pytest.mark.slow`: `make test` leaves them out unless SLOW=1 (.ci/run sets it), and then
runs them after the others, one at a time: a slow test may time its requests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from tests.helpers import (
    Auth,
    csrf_token,
    initialise_demo_database,
    post_form,
    text_file,
    user_named,
)
from tracker import clock, create_app, db
from tracker.agencies.models import Agency
from tracker.agencies.operations import agency_by_code, upsert_agency
from tracker.assignments.models import Assignment, AssignmentRole
from tracker.assignments.operations import assign_task
from tracker.auth.models import Role, User
from tracker.auth.operations import create_user
from tracker.demo import DEMO_PASSWORD
from tracker.directives import operations as directive_operations
from tracker.directives.models import Directive, Task
from tracker.directives.seed import load_all
from tracker.migrations.runner import upgrade

TEST_DATABASE_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
#: This process's pytest-xdist worker ("gw0", "gw1", ...), or None when the run is not split.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
#: Cheap Argon2 parameters: the suite hashes many passwords.
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}


@pytest.fixture(scope="session")
def unique_name() -> str:
    """A name that is this worker's alone in this run and this run's alone on the machine,
    e.g. "tracker_test_gw0_5f3a9c1e": the prefix of whatever a test creates outside its
    tmp_path (see the module docstring)."""
    return f"tracker_test_{WORKER or 'main'}_{uuid.uuid4().hex[:8]}"


@contextmanager
def postgres_database(base_url: str, name: str) -> Iterator[str]:
    """A new, empty database `name` on the PostgreSQL server of `base_url`, dropped on
    exit (sessions still connected or not): its URL. One left by a run that died is
    dropped first."""
    base = make_url(base_url)
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite in this worker's temporary folder; or TRACKER_TEST_DATABASE_URL's database,
    which an xdist worker does not share: it gets "<database>_<worker>" beside it."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'tracker-test.db'}"
    elif not WORKER:
        yield TEST_DATABASE_URL
    else:
        base = make_url(TEST_DATABASE_URL)
        if base.get_backend_name() != "postgresql":
            pytest.fail("xdist workers need TRACKER_TEST_DATABASE_URL to name PostgreSQL")
        with postgres_database(TEST_DATABASE_URL, f"{base.database}_{WORKER}") as url:
            yield url


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `database` the tests that reach the test database: through `database_url`
    (and so `app`, `session`, `client`, ...) or a PostgreSQL `scratch_app`. The
    PostgreSQL run of `make test` runs only these; any other test would run there just
    as it ran on SQLite. A test that reaches TRACKER_TEST_DATABASE_URL another way says
    so with `@pytest.mark.database`."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        callspec = getattr(item, "callspec", None)
        scratch = callspec.params.get("scratch_app") if callspec else None
        if "database_url" in fixtures or scratch == "postgresql":
            item.add_marker(pytest.mark.database)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "MAX_UPLOAD_MB": 1,
            # Every test's events are rolled back: an anchor of them would name events
            # that never were. The anchor is tested on databases that really commit.
            "AUDIT_ANCHOR_FILE": "",
            # Jobs run inside the request, in the test's transaction; the queue itself
            # (a `tracker worker` process, SQLite and Redis storage) is tested in
            # tests/test_jobs.py and the browser journeys.
            "JOB_QUEUE_IMMEDIATE": True,
            **FAST_ARGON2,
        }
    )
    initialise_demo_database(application)
    yield application
    application.extensions["tracker.db"].engine.dispose()


@pytest.fixture
def connection(app: Flask) -> Iterator[sa.Connection]:
    """Every session of the test (its own and the client's requests) joins one outer
    transaction, rolled back at the end."""
    database = app.extensions["tracker.db"]
    conn = database.engine.connect()
    conn.info[db.BEGIN_IMMEDIATE] = True  # one write transaction around the whole test
    outer = conn.begin()
    database.connection = conn
    try:
        yield conn
    finally:
        database.connection = None
        outer.rollback()
        conn.close()


@pytest.fixture
def session(app: Flask, connection: sa.Connection) -> Iterator[sa.orm.Session]:
    with app.app_context():
        yield db.session
        db.session.remove()


class RequestClient(FlaskClient):
    """Each request gets its own app context, as in production: a fresh `g` and its own
    database session, even while the test holds an app context of its own."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask, connection: sa.Connection) -> FlaskClient:
    app.test_client_class = RequestClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def today() -> Iterator[date]:
    """A fixed 'today' for tests that care: 19/08/2020, between 1661's two deadlines."""
    day = date(2020, 8, 19)
    with clock.frozen(day):
        yield day


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def directive_1661(session) -> Directive:
    found = directive_operations.find_directive(session, "1661/UBND-VX")
    assert found is not None
    return found


# Factories -----------------------------------------------------------------------------


@pytest.fixture
def make_agency(session) -> Callable[..., Agency]:
    counter = iter(range(1, 10_000))

    def make(code: str | None = None, **fields) -> Agency:
        number = next(counter)
        code = code or f"TEST{number}"
        return upsert_agency(
            session,
            code=code,
            name=fields.pop("name", f"Cơ quan thử nghiệm {number}"),
            short_name=fields.pop("short_name", f"CQ thử {number}"),
            kind=fields.pop("kind", "department"),
            parent=fields.pop("parent", "UBND"),
            **fields,
        )

    return make


@pytest.fixture
def make_user(session) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        role: Role = Role.AGENCY,
        agency: Agency | None = None,
        username: str | None = None,
        password: str = DEMO_PASSWORD,
    ) -> User:
        return create_user(
            session,
            username=username or f"user{next(counter)}",
            password=password,
            role=role,
            agency=agency,
            password_hash=None if password != DEMO_PASSWORD else _demo_hash(session),
        )

    return make


def _demo_hash(session) -> str:  # one shared hash keeps the suite fast
    return session.scalar(sa.select(User.password_hash).where(User.username == "admin"))


@pytest.fixture
def make_task(session) -> Callable[..., Task]:
    counter = iter(range(1, 10_000))

    def make(
        *,
        report_to: Agency | None = None,
        due_date: date | None = date(2020, 8, 18),
        evidence_required: bool = False,
        indicators: list[dict] | None = None,
        confirm: bool = True,
    ) -> Task:
        number = next(counter)
        directive = directive_operations.create_directive(
            session,
            None,
            doc_type="cong_van",
            number=str(9000 + number),
            symbol="UBND-TEST",
            issuer="Ủy ban nhân dân tỉnh Lai Châu",
            issued_date=date(2020, 8, 10),
            subject=f"văn bản thử nghiệm {number}",
            body="Nội dung thử nghiệm.",
        )
        task = directive_operations.add_task(
            session,
            None,
            directive,
            number="1",
            title="Nhiệm vụ thử nghiệm",
            text="Thực hiện nhiệm vụ thử nghiệm.",
            report_to=report_to,
            due_date=due_date,
            evidence_required=evidence_required,
            indicators=indicators,
        )
        if confirm:
            directive_operations.confirm_directive(session, None, directive)
        return task

    return make


@pytest.fixture
def make_assignment(session, make_task) -> Callable[..., Assignment]:
    def make(
        agency: Agency | str = "SNV",
        *,
        task: Task | None = None,
        due_date: date | None = None,
        **task_fields,
    ) -> Assignment:
        if isinstance(agency, str):
            agency = agency_by_code(session, agency)
        task = task or make_task(**task_fields)
        result = assign_task(
            session, None, task, [agency], role=AssignmentRole.LEAD, due_date=due_date
        )
        return result.created[0]

    return make


__all__ = ["Auth", "csrf_token", "post_form", "text_file", "user_named"]


# Scratch databases ------------------------------------------------------------------------


@pytest.fixture
def fresh_app(tmp_path) -> Iterator[Callable[..., Flask]]:
    """Build throwaway apps (not the session's) on in-memory SQLite, disposing of their
    engines afterwards."""
    built: list[Flask] = []

    def build(**config) -> Flask:
        application = create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(tmp_path / f"instance-{len(built)}"),
                "DATABASE_URL": "sqlite://",
                "SECRET_KEY": "throwaway-secret-key",
                **FAST_ARGON2,
                **config,
            }
        )
        built.append(application)
        return application

    yield build
    for application in built:
        application.extensions["tracker.db"].engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_app(request, tmp_path) -> Iterator[Flask]:
    """An app on a database of its own, for tests whose transactions must commit (threads,
    worker processes): a fresh SQLite file, and a scratch PostgreSQL database beside the
    test database when TRACKER_TEST_DATABASE_URL names one. Seeded with the directives
    and the users vanphong and snv."""
    databases = ExitStack()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'concurrency.db'}"
    else:
        if not (TEST_DATABASE_URL or "").startswith("postgresql"):
            pytest.skip("TRACKER_TEST_DATABASE_URL does not name a PostgreSQL database")
        name = f"{make_url(TEST_DATABASE_URL).database}_scratch_{uuid.uuid4().hex[:8]}"
        url = databases.enter_context(postgres_database(TEST_DATABASE_URL, name))

    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": url,
            "SECRET_KEY": "concurrency",
            **FAST_ARGON2,
        }
    )
    with app.app_context():
        with db.database().engine.begin() as connection:
            upgrade(connection)
        load_all(db.session)
        create_user(
            db.session,
            username="vanphong",
            password="mat-khau-van-phong",
            role=Role.SECRETARIAT,
            agency=agency_by_code(db.session, "VPUBND"),
        )
        create_user(
            db.session,
            username="snv",
            password="mat-khau-so-noi-vu",
            role=Role.AGENCY,
            agency=agency_by_code(db.session, "SNV"),
        )
        db.session.commit()
    try:
        yield app
    finally:
        app.extensions["tracker.db"].engine.dispose()
        databases.close()
