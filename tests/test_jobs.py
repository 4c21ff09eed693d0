"""The job queue for real: a `tracker worker` process on the SQLite store and on Redis
renders large reports and parses imports; a job that dies is marked failed with the
reason at once; a worker that dies is noticed; housekeeping reaps what was left behind;
the daily reminders go out by mail from the queue."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import Auth, csrf_token, demo_site, job_worker, wait_until
from tracker import clock, db
from tracker.auth.models import LoginAttempt
from tracker.demo import DEMO_PASSWORD
from tracker.directives.models import ImportDraft, ImportStatus
from tracker.directives.parsing.source import NotADirective
from tracker.directives.seed import DATA_DIR
from tracker.documents.models import JobStatus, ReportJob
from tracker.jobs.limits import OUT_OF_MEMORY, JobFailed, call_limited
from tracker.jobs.queue import queue_of
from tracker.jobs.tasks import at_local_time

SEED = (DATA_DIR / "lai-chau" / "1661-UBND-VX.txt").read_text(encoding="utf-8")
REDIS_URL = os.environ.get("TRACKER_TEST_REDIS_URL", "")


def _redis_url() -> str:
    """The test Redis: TRACKER_TEST_REDIS_URL must answer when set (CI sets it);
    otherwise the local server's database 15, or the test is skipped."""
    import redis

    url = REDIS_URL or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if REDIS_URL:
            raise
        pytest.skip("no Redis on 127.0.0.1:6379 (set TRACKER_TEST_REDIS_URL)")
    return url


@pytest.fixture
def site(tmp_path) -> Iterator[tuple[dict, object]]:
    config, app = demo_site(tmp_path)
    yield config, app
    app.extensions["tracker.db"].engine.dispose()


def _start_report(client) -> str:
    response = client.get("/reports/accountability?as_of=2020-08-21")
    assert response.status_code == 302 and "/reports/jobs/" in response.headers["Location"]
    return response.headers["Location"]


def _job(app) -> ReportJob:
    with app.app_context():
        job = db.session.scalars(sa.select(ReportJob).order_by(ReportJob.id.desc())).first()
        db.session.expunge_all()
        return job


def _wait_for_page(client, path: str, statuses: tuple[str, ...], seconds: float = 90) -> str:
    page = ""

    def settled() -> bool:
        nonlocal page
        page = client.get(path).get_data(as_text=True)
        return any(f'data-status="{status}"' in page for status in statuses)

    wait_until(settled, seconds, message=f"status {statuses}")
    return page


@pytest.mark.slow
@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_reports_and_imports_run_in_a_worker(tmp_path, store):
    settings = {"REDIS_URL": _redis_url()} if store == "redis" else {}
    config, app = demo_site(tmp_path, **settings)
    try:
        leader, office = app.test_client(), app.test_client()
        assert Auth(leader).login("lanhdao", DEMO_PASSWORD).status_code == 302
        assert Auth(office).login("vanphong", DEMO_PASSWORD).status_code == 302
        with job_worker(config, workers=2):
            job_page = _start_report(leader)
            pasted = office.post(
                "/directives/import",
                data={
                    "text": SEED.replace("1661", "1771"),
                    "csrf_token": csrf_token(office, "/directives/import"),
                },
            )
            assert pasted.status_code == 302
            review = office.get(pasted.headers["Location"]).get_data(as_text=True)
            if 'data-testid="import-job"' in review:  # not parsed within the page's wait
                wait_until(
                    lambda: (
                        'data-testid="import-job"'
                        not in office.get(pasted.headers["Location"]).get_data(as_text=True)
                    ),
                    60,
                    message="parsing",
                )
            page = _wait_for_page(leader, job_page, ("done", "failed"))
            assert 'data-status="done"' in page, page
        review = office.get(pasted.headers["Location"]).get_data(as_text=True)
        assert "1771" in review and review.count('<mark class="mark-task"') == 5
        with app.app_context():
            imported = db.session.scalars(sa.select(ImportDraft)).one()
            assert imported.status == ImportStatus.OPEN and len(imported.data["tasks"]) == 5
        if store == "redis":
            assert not (tmp_path / "queue.db").exists()  # nothing went to the SQLite store
    finally:
        if store == "redis":
            queue_of(app).huey.storage.flush_all()
        app.extensions["tracker.db"].engine.dispose()


@pytest.mark.slow
def test_a_render_past_its_cpu_limit_fails_at_once_saying_so(tmp_path):
    config, app = demo_site(tmp_path, REPORT_JOB_SECONDS=1, REPORT_JOB_SECONDS_PER_1000_ROWS=0)
    client = app.test_client()
    Auth(client).login("lanhdao", DEMO_PASSWORD)
    with job_worker(config):
        job_page = _start_report(client)
        page = _wait_for_page(client, job_page, ("done", "failed"), 30)
    assert 'data-status="failed"' in page
    assert "Vượt giới hạn thời gian xử lý (1 giây)" in page
    job = _job(app)
    assert job.finished_at - job.started_at < timedelta(seconds=20)  # not at the wall limit


def _render_child(worker_pid: int) -> int | None:
    """The render process the worker started (never another test's)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == worker_pid and b"tracker.documents.worker" in command:
                return int(entry.name)
    return None


@pytest.mark.slow
def test_a_render_killed_mid_way_fails_at_once(site):
    config, app = site
    client = app.test_client()
    Auth(client).login("lanhdao", DEMO_PASSWORD)
    with job_worker(config) as worker:
        job_page = _start_report(client)
        pids: list[int | None] = []
        wait_until(
            lambda: pids.append(_render_child(worker.pid)) or pids[-1], 30, message="the render"
        )
        os.kill(pids[-1], signal.SIGKILL)
        killed = time.monotonic()
        page = _wait_for_page(client, job_page, ("done", "failed"), 30)
        assert time.monotonic() - killed < 8  # at once, not after a timeout
    assert 'data-status="failed"' in page
    assert "dừng đột ngột" in page


@pytest.mark.slow
def test_a_worker_killed_mid_job_is_noticed(tmp_path):
    config, app = demo_site(tmp_path, JOB_HEARTBEAT_SECONDS=2)
    client = app.test_client()
    Auth(client).login("lanhdao", DEMO_PASSWORD)
    with job_worker(config) as worker:
        job_page = _start_report(client)
        wait_until(lambda: _job(app).status == JobStatus.RUNNING, 30, message="the job starting")
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its render, as a crash would
        worker.wait()
    page = _wait_for_page(client, job_page, ("done", "failed"), 15)
    assert 'data-status="failed"' in page
    assert "Tiến trình xử lý nền đã dừng đột ngột" in page


@pytest.mark.slow
def test_housekeeping_in_the_queue_reaps_what_was_left_behind(tmp_path):
    config, app = demo_site(tmp_path, EVIDENCE_ORPHAN_GRACE_SECONDS=60)
    evidence = Path(app.config["EVIDENCE_DIR"])
    orphan = evidence / "ab" / ("ab" + "0" * 62)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"a file whose row was never committed")
    two_minutes_ago = time.time() - 120
    os.utime(orphan, (two_minutes_ago, two_minutes_ago))
    young = evidence / "cd" / ("cd" + "0" * 62)
    young.parent.mkdir(parents=True)
    young.write_bytes(b"an upload whose row is being committed")
    partial = evidence / f".upload-{os.uname().nodename}-999999999-x"
    partial.write_bytes(b"half an upload of a process that died")
    with app.app_context():
        stuck = ImportDraft(text="…", data={}, status=ImportStatus.PARSING, source_name="")
        stuck.created_at = clock.now() - timedelta(hours=1)
        db.session.add(stuck)
        db.session.add(
            LoginAttempt(
                username="x", remote_addr="10.0.0.1", attempted_at=clock.now() - timedelta(days=2)
            )
        )
        db.session.commit()
        queue_of(app).enqueue("housekeeping")
        # As a worker killed in the middle of housekeeping leaves it: its lock taken.
        queue_of(app).huey.lock_task("housekeeping").acquire()
    with job_worker(config):
        wait_until(lambda: not orphan.exists(), 30, message="the orphan's removal")
    assert young.exists() and not partial.exists()
    with app.app_context():
        assert db.session.scalars(sa.select(ImportDraft)).one().status == ImportStatus.FAILED
        assert db.session.scalar(sa.select(sa.func.count(LoginAttempt.id))) == 0
    app.extensions["tracker.db"].engine.dispose()


@pytest.mark.slow
def test_daily_reminders_go_out_from_the_queue(tmp_path):
    from aiosmtpd.controller import Controller

    from tests.test_reminders import Inbox, free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        config, app = demo_site(
            tmp_path,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=controller.port,
            MAIL_DEFAULT_DOMAIN="laichau.gov.vn",
        )
        with app.app_context():
            queue_of(app).enqueue("daily_reminders")
        with job_worker(config):
            wait_until(lambda: inbox.messages, 60, message="the digests")
            time.sleep(1)
        assert any("stttt@laichau.gov.vn" in message["To"] for message in inbox.messages)
        with app.app_context():
            from tracker.notifications.models import Notification

            assert db.session.scalar(sa.select(sa.func.count(Notification.id))) > 0
        app.extensions["tracker.db"].engine.dispose()
    finally:
        controller.stop()


def test_the_reminders_run_at_their_local_time():
    due = at_local_time("06:30")
    assert due(datetime(2020, 8, 17, 23, 30))  # 06:30 on 18/08 in Vietnam (UTC+7)
    assert not due(datetime(2020, 8, 18, 6, 30))


def _allocate() -> int:
    return len(bytearray(4 * 1024**3))


def _spin() -> None:
    while True:
        pass


def _refuse() -> None:
    raise NotADirective("Không phải văn bản chỉ đạo.")


def test_a_child_out_of_memory_or_time_says_why():
    with pytest.raises(JobFailed, match=OUT_OF_MEMORY):
        call_limited(_allocate, (), seconds=10, memory_mb=64)
    started = time.monotonic()
    with pytest.raises(JobFailed, match="thời gian"):
        call_limited(_spin, (), seconds=1, memory_mb=64)
    assert time.monotonic() - started < 6
    with pytest.raises(NotADirective, match="Không phải"):
        call_limited(_refuse, (), seconds=5, memory_mb=64)
    assert call_limited(len, ("abc",), seconds=5, memory_mb=64) == 3


def test_the_sqlite_queue_store_is_private(site):
    config, _app = site
    assert (Path(config["INSTANCE_PATH"]) / "queue.db").stat().st_mode & 0o077 == 0


def test_utc_naive_times_are_read_as_utc():
    assert clock.to_local(datetime(2020, 1, 1, 17)).day == 2
    assert clock.to_local(datetime(2020, 1, 1, 17, tzinfo=UTC)).hour == 0
