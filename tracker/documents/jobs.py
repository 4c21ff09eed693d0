"""Large reports outside the request: a job row, a worker process with bounded time and
memory, progress the page can show, and the stored file handed out again at once when
nothing has changed since (the key includes the event log's head hash)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from tracker import clock
from tracker.audit import Event
from tracker.auth.models import User
from tracker.documents.models import JobStatus, ReportJob


def job_key(session: Session, as_of: date, directive_id: int | None) -> str:
    head = session.scalar(sa.select(Event.row_hash).order_by(Event.id.desc()).limit(1)) or ""
    params = {
        "kind": "accountability",
        "as_of": as_of.isoformat(),
        "directive": directive_id,
        "head": head,
    }
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()


def find_or_start(
    session: Session, actor: User | None, as_of: date, directive_id: int | None
) -> ReportJob:
    """A finished or running job for the same unchanged report, else a new one whose
    worker starts after the caller commits (call `launch` then)."""
    key = job_key(session, as_of, directive_id)
    existing = session.scalars(
        sa.select(ReportJob)
        .where(ReportJob.key == key, ReportJob.status != JobStatus.FAILED)
        .order_by(ReportJob.id.desc())
        .limit(1)
    ).first()
    if existing is not None and not expired(existing):
        return existing, False
    job = ReportJob(
        key=key,
        params={"as_of": as_of.isoformat(), "directive_id": directive_id},
        created_by_id=actor.id if actor else None,
    )
    session.add(job)
    session.flush()
    return job, True


def expired(job: ReportJob) -> bool:
    """A job still queued or running past its time limit died without saying so."""
    if job.status in (JobStatus.DONE, JobStatus.FAILED):
        return False
    limit = timedelta(seconds=int(current_app.config["REPORT_JOB_SECONDS"]) + 60)
    return clock.now() - job.created_at > limit


#: Worker processes started by this process, reaped as they end.
_workers: list[subprocess.Popen] = []


def launch(job: ReportJob) -> subprocess.Popen:
    """Start the worker process for a committed job; the request does not wait for it."""
    _workers[:] = [worker for worker in _workers if worker.poll() is None]
    config = current_app.config
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": config["DATABASE_URL"],
        "TRACKER_INSTANCE_PATH": current_app.instance_path,
        "TRACKER_SECRET_KEY": config["SECRET_KEY"],
        "TRACKER_DOCUMENTS_DIR": config["DOCUMENTS_DIR"],
    }
    # What the worker prints (a crash's traceback above all) goes to the instance's log.
    logs = Path(current_app.instance_path) / "logs"
    logs.mkdir(mode=0o700, exist_ok=True)
    with (logs / "report-worker.log").open("ab") as log_file:
        worker = subprocess.Popen(  # noqa: S603 (our own interpreter and module, no shell)
            [sys.executable, "-m", "tracker.documents.worker", str(job.id)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _workers.append(worker)
    return worker


def is_large(rows: int) -> bool:
    return rows > int(current_app.config["LARGE_REPORT_ROWS"])
