"""Long work never holds the database: while one request reads for seconds (a report
render, a parse), page loads and sign-ins go on, none fails and each stays fast."""

from __future__ import annotations

import statistics
import threading
import time

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token
from tracker import db
from tracker.auth.models import User
from tracker.directives.models import Directive

#: How long the long read holds its transaction open.
HOLD_SECONDS = 4


def _long_read(app, started: threading.Event, done: threading.Event) -> None:
    """What a render or a parse does: read, then work for seconds inside the request."""
    with app.app_context():
        db.session.scalars(sa.select(Directive)).all()
        started.set()
        time.sleep(HOLD_SECONDS)
        db.session.commit()
        done.set()


def _timed(function) -> tuple[int, float]:
    start = time.perf_counter()
    status = function()
    return status, time.perf_counter() - start


@pytest.mark.slow
def test_long_read_blocks_neither_pages_nor_sign_ins(scratch_app):
    app = scratch_app
    started, done = threading.Event(), threading.Event()
    holder = threading.Thread(target=_long_read, args=(app, started, done))
    holder.start()
    assert started.wait(10)
    results: list[tuple[str, int, float]] = []
    lock = threading.Lock()

    def sign_in_and_load(username: str, password: str, pages: int) -> None:
        client = app.test_client()
        status, seconds = _timed(
            lambda: (
                client.post(
                    "/login",
                    data={
                        "username": username,
                        "password": password,
                        "csrf_token": csrf_token(client),
                    },
                ).status_code
            )
        )
        with lock:
            results.append(("login", status, seconds))
        for _ in range(pages):
            status, seconds = _timed(lambda: client.get("/").status_code)
            with lock:
                results.append(("page", status, seconds))

    workers = [
        threading.Thread(target=sign_in_and_load, args=(name, password, 4))
        for name, password in (
            ("vanphong", "mat-khau-van-phong"),
            ("snv", "mat-khau-so-noi-vu"),
        )
        * 3
    ][:5]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert not done.is_set(), "the long read ended before the others were measured"
    holder.join(30)
    assert len(results) == 25  # 5 sign-ins, 20 page loads
    assert {status for kind, status, _ in results if kind == "login"} == {302}
    assert {status for kind, status, _ in results if kind == "page"} == {200}
    seconds = sorted(seconds for _, _, seconds in results)
    p95 = seconds[int(0.95 * len(seconds)) - 1]
    assert p95 < 1.0, f"p95 {p95:.2f} s, median {statistics.median(seconds):.2f} s"
    with app.app_context():  # the sign-ins were written
        assert (
            db.session.scalar(
                sa.select(sa.func.count(User.id)).where(User.last_login_at.is_not(None))
            )
            == 2
        )
