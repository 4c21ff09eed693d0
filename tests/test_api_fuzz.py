"""Property-based fuzzing of the JSON API (schemathesis) against the live app on a real
server with a database of its own (a SQLite file; a scratch PostgreSQL database beside
the test database in the PostgreSQL run): for every operation, generated requests (valid and not)
never get a 5xx, and every answer matches the OpenAPI document (status, content type,
headers and body schema). Bounded: a fixed number of examples per operation, about
half a minute in all."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks
from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

import tracker.api.routes  # noqa: F401 (the operations register on import)
from tests.conftest import FAST_ARGON2, TEST_DATABASE_URL, postgres_database
from tests.helpers import initialise_demo_database, user_named
from tracker import create_app, db
from tracker.api.spec import document
from tracker.api.tokens import issue

#: Examples per operation: enough to reach every parameter's edges, within the time
#: budget of `make test`.
EXAMPLES = 25

# The document is generated from the code alone, so it is read at collection time; the
# app it describes is served by the fixture below.
schema = schemathesis.openapi.from_dict(document())


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass(frozen=True)
class LiveApi:
    base_url: str
    headers: dict[str, str]


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """The app on a real server over its own seeded SQLite file, and a write token of the
    office's secretariat (who may call every operation)."""
    instance: Path = tmp_path_factory.mktemp("api-fuzz")
    databases = ExitStack()
    url = f"sqlite:///{instance / 'fuzz.db'}"
    if (TEST_DATABASE_URL or "").startswith("postgresql"):
        name = f"{make_url(TEST_DATABASE_URL).database}_fuzz_{uuid.uuid4().hex[:8]}"
        url = databases.enter_context(postgres_database(TEST_DATABASE_URL, name))
    app = create_app(
        {
            "TESTING": False,
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": url,
            "SECRET_KEY": "fuzz",
            "API_RATE_LIMIT": 1_000_000,
            "JOB_QUEUE_IMMEDIATE": True,
        }
        | FAST_ARGON2
    )
    initialise_demo_database(app)
    with app.app_context():
        secret = issue(
            db.session, user_named(db.session, "vanphong"), "fuzz", "write", timedelta(days=1)
        ).secret
        db.session.commit()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="api-fuzz", daemon=True)
    thread.start()
    yield LiveApi(
        f"http://127.0.0.1:{server.server_port}/api/v1", {"Authorization": f"Bearer {secret}"}
    )
    server.shutdown()
    thread.join()
    app.extensions["tracker.db"].engine.dispose()
    databases.close()


@pytest.mark.database  # on PostgreSQL in its run
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzz(case, live_api: LiveApi) -> None:
    # A cursor is opaque and a filter may be refused for its meaning (a date range the
    # wrong way round, a task number a draft lacks): schema-valid requests may rightly
    # answer 422, so the check that every schema-valid request is accepted does not
    # apply. Every other check does.
    case.call_and_validate(
        base_url=live_api.base_url,
        headers=live_api.headers,
        excluded_checks=[checks.positive_data_acceptance],
    )
