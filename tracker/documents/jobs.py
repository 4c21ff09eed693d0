"""Large reports outside the request: a job row, rendered by the job queue in a child
process with bounded time and memory, progress the page can show, and the stored file
handed out again at once when nothing has changed since (the key includes the event
log's head hash).

A job never sticks: the queue's step waits on its child and marks the job failed, with
the reason, the moment the child dies; a job whose queue worker itself died stops
showing signs of life (`heartbeat_at`) and is marked failed by the page or by
housekeeping, whichever comes first."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, object_session

from tracker import clock, db
from tracker.audit import Event
from tracker.auth.models import User
from tracker.documents.models import JobStatus, OutgoingDocument, ReportJob
from tracker.evidence import stores

#: Why a job failed when its process vanished or never started, in the user's words.
DIED = "Tiến trình xử lý nền đã dừng đột ngột; hãy tạo lại báo cáo."
NEVER_STARTED = (
    "Không có tiến trình xử lý nền nhận việc trong thời gian cho phép; hãy báo quản trị"
    " viên (lệnh tracker worker)."
)


def job_key(session: Session, as_of: date, directive_id: int | None, kind: str) -> str:
    head = session.scalar(sa.select(Event.row_hash).order_by(Event.id.desc()).limit(1)) or ""
    params = {
        "kind": "accountability",
        "as_of": as_of.isoformat(),
        "directive": directive_id,
        "head": head,
        "format": kind,
    }
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()


def made_or_making(
    session: Session, as_of: date, directive_id: int | None, kind: str
) -> ReportJob | None:
    """The job that made, or is making, this very report (same day, scope, format and
    event log head), if it is alive: the report is handed out without building it."""
    existing = _latest(session, job_key(session, as_of, directive_id, kind))
    if existing is None or why_dead(existing, clock.now()) is not None:
        return None
    return existing


def find_or_start(
    session: Session,
    actor: User | None,
    as_of: date,
    directive_id: int | None,
    kind: str,
    rows: int,
) -> tuple[ReportJob, bool]:
    """A finished or running job for the same unchanged report, else a new one (and
    True) for a report of `rows` lines: the caller commits, then puts it on the queue
    (`enqueue`)."""
    key = job_key(session, as_of, directive_id, kind)
    existing = _latest(session, key)
    if existing is not None and not settle_if_dead(existing):
        return existing, False
    job = ReportJob(
        key=key,
        params={
            "as_of": as_of.isoformat(),
            "directive_id": directive_id,
            "format": kind,
            "rows": rows,
        },
        created_by_id=actor.id if actor else None,
    )
    session.add(job)
    session.flush()
    return job, True


def _latest(session: Session, key: str) -> ReportJob | None:
    return session.scalars(
        sa.select(ReportJob)
        .where(ReportJob.key == key, ReportJob.status != JobStatus.FAILED)
        .order_by(ReportJob.id.desc())
        .limit(1)
    ).first()


def seconds_for(job: ReportJob, config: Mapping[str, Any]) -> int:
    """How long the job may take: REPORT_JOB_SECONDS, and more for a longer report."""
    rows = int(job.params.get("rows", 0))
    return (
        int(config["REPORT_JOB_SECONDS"])
        + rows * int(config["REPORT_JOB_SECONDS_PER_1000_ROWS"]) // 1000
    )


def kind_of(job: ReportJob) -> str:
    """The job's format (jobs from before the other formats had jobs made PDFs)."""
    return str(job.params.get("format", "pdf"))


def enqueue(job: ReportJob) -> None:
    from tracker.jobs.queue import enqueue as put

    put("render_report", job.id)


def why_dead(job: ReportJob, now: datetime) -> str | None:
    """Why a job that still looks queued or running has in fact died, or None."""
    config = current_app.config
    if job.status == JobStatus.RUNNING:
        heartbeat = job.heartbeat_at or job.started_at or job.created_at
        silent = timedelta(seconds=int(config["JOB_HEARTBEAT_SECONDS"]))
        return DIED if now - heartbeat > silent else None
    waited = timedelta(seconds=int(config["REPORT_JOB_SECONDS"]) + 60)
    if job.status == JobStatus.QUEUED and now - job.created_at > waited and not _queue_busy(job):
        return NEVER_STARTED
    return None


def _queue_busy(job: ReportJob) -> bool:
    """Whether another report job is running: a long one (a national report takes
    minutes) keeps those queued behind it waiting, alive."""
    session = object_session(job)
    return session is not None and bool(
        session.scalar(
            sa.select(
                sa.exists().where(ReportJob.status == JobStatus.RUNNING, ReportJob.id != job.id)
            )
        )
    )


def settle_if_dead(job: ReportJob) -> bool:
    """Mark a dead job failed (the caller commits); whether it was."""
    reason = why_dead(job, clock.now())
    if reason is None:
        return False
    _fail(job, reason)
    return True


def settle_dead_jobs(session: Session) -> int:
    """Housekeeping: every dead job marked failed. Returns how many."""
    unfinished = session.scalars(
        sa.select(ReportJob).where(ReportJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
    ).all()
    return sum(settle_if_dead(job) for job in unfinished)


def forget_old_jobs(session: Session, keep: timedelta) -> int:
    """Finished jobs older than `keep` go, and with them the files no one else uses."""
    from tracker.documents.operations import store

    old = session.scalars(
        sa.select(ReportJob).where(
            ReportJob.status.in_((JobStatus.DONE, JobStatus.FAILED)),
            ReportJob.created_at < clock.now() - keep,
        )
    ).all()
    for job in old:
        session.delete(job)
    session.flush()
    if old:
        kept = set(session.scalars(sa.select(OutgoingDocument.sha256)))
        kept.update(
            sha256 for sha256 in session.scalars(sa.select(ReportJob.sha256)) if sha256 is not None
        )
        grace = float(current_app.config["EVIDENCE_ORPHAN_GRACE_SECONDS"])
        store().sweep_orphans(kept, grace_seconds=grace)  # spares a document being issued
    return len(old)


def render(job_id: int) -> None:
    """The queue's step: run the render in a child process with limits, showing signs of
    life while it runs; the child records success or its own failure, this records a
    death (time limit, memory limit, signal) at once."""
    from tracker.jobs.limits import JobFailed, run_process, why_it_died

    session, config = db.session, current_app.config
    job = session.get(ReportJob, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return
    job.status, job.started_at, job.heartbeat_at, job.progress = (
        JobStatus.RUNNING,
        clock.now(),
        clock.now(),
        5,
    )
    seconds = seconds_for(job, config)  # read before the commit expires the row
    session.commit()
    logs = Path(current_app.instance_path) / "logs"
    logs.mkdir(mode=0o700, exist_ok=True)
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": config["DATABASE_URL"],
        "TRACKER_INSTANCE_PATH": current_app.instance_path,
        "TRACKER_SECRET_KEY": config["SECRET_KEY"],
        **stores.child_environment(config),
    }
    try:
        returncode = run_process(
            [sys.executable, "-m", "tracker.documents.worker", str(job_id)],
            env=env,
            seconds=seconds + 30,
            cpu_seconds=seconds,
            log_path=logs / "report-worker.log",
            beat=lambda: _beat(session, job_id),
        )
    except JobFailed as failure:
        reason = str(failure)
    else:  # used only when the child ended without recording its outcome
        reason = why_it_died(returncode, seconds)
    session.rollback()
    job = session.get(ReportJob, job_id)
    if job is not None and job.status == JobStatus.RUNNING:
        _fail(job, reason)
        session.commit()


def _beat(session: Session, job_id: int) -> None:
    session.execute(
        sa.update(ReportJob)
        .where(ReportJob.id == job_id, ReportJob.status == JobStatus.RUNNING)
        .values(heartbeat_at=clock.now())
    )
    session.commit()


def _fail(job: ReportJob, reason: str) -> None:
    job.status, job.error, job.finished_at = JobStatus.FAILED, reason, clock.now()
