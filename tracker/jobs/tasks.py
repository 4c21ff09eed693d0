"""What the job queue runs.

- `render_report`: a large accountability report, rendered by a child process;
- `parse_import`: an imported directive's text, parsed by a child process;
- `ocr_import`: a scanned directive read by OCR page by page, then parsed;
- `daily_reminders` (periodic, at REMIND_AT local time): due periods, the reminder
  ladder and the e-mail digests, retried with backoff when the mail server fails;
  then the query planner's statistics (SQLite) and a full check of the event chain;
- `deliver_webhooks` (periodic, every minute, and queued when a step commits
  deliveries): webhook deliveries due, signed, retried with backoff;
- `housekeeping` (periodic, every minute): jobs whose process died are marked failed,
  orphaned and partial files are removed, old report files and sign-in records go.

Every task opens the app's context and keeps its transactions short: the long part
(rendering, parsing, mailing) never runs inside one."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask, current_app, has_app_context
from huey import crontab

from tracker import clock

if TYPE_CHECKING:
    from tracker.jobs.queue import Queue

log = logging.getLogger(__name__)


def register(queue: Queue, app: Flask) -> None:
    huey = queue.huey

    def in_app(function: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(function)
        def run(*args):
            if has_app_context() and current_app._get_current_object() is app:
                return function(*args)  # immediate mode, inside the caller
            with app.app_context():
                return function(*args)

        return run

    queue.tasks["render_report"] = huey.task(name="render_report")(in_app(render_report))
    queue.tasks["parse_import"] = huey.task(name="parse_import")(in_app(parse_import))
    queue.tasks["ocr_import"] = huey.task(name="ocr_import")(in_app(ocr_import))
    queue.tasks["daily_reminders"] = huey.periodic_task(
        at_local_time(str(app.config["REMIND_AT"])),
        retries=3,
        retry_delay=300,
        retry_backoff=2,
        name="daily_reminders",
    )(huey.lock_task("daily_reminders")(in_app(daily_reminders)))
    queue.tasks["deliver_webhooks"] = huey.periodic_task(
        crontab(minute="*"), name="deliver_webhooks"
    )(huey.lock_task("deliver_webhooks")(in_app(deliver_webhooks)))
    queue.tasks["housekeeping"] = huey.periodic_task(crontab(minute="*"), name="housekeeping")(
        huey.lock_task("housekeeping")(in_app(housekeeping))
    )


def at_local_time(hh_mm: str) -> Callable[[datetime], bool]:
    """A periodic-task test for one minute of the day, Vietnamese time (Huey passes UTC)."""
    hour, minute = (int(part) for part in hh_mm.split(":"))

    def due(utc: datetime) -> bool:
        local = clock.to_local(utc)
        return (local.hour, local.minute) == (hour, minute)

    return due


def render_report(job_id: int) -> None:
    from tracker.documents import jobs

    jobs.render(job_id)


def parse_import(import_id: int, language: str | None = None) -> None:
    from tracker.directives import importing

    importing.parse_in_queue(import_id, language)


def ocr_import(import_id: int, language: str | None = None) -> None:
    from tracker.directives import scans

    scans.ocr_in_queue(import_id, language)


def daily_reminders() -> None:
    from tracker import anchor, db
    from tracker.chain_check import verify_since_checkpoint
    from tracker.notifications.daily import run_day

    session = db.session
    day = clock.today()
    try:
        outcome = run_day(session, day)
    except Exception:
        session.rollback()
        raise  # the queue retries with backoff; people already mailed stay recorded
    session.commit()
    db.refresh_statistics(session)
    session.commit()
    # The whole chain once a day; the reports check only what came since.
    chain = verify_since_checkpoint(session, anchor.path(), full=True)
    session.commit()
    if not chain.ok:
        log.error("event chain broken at event #%s", chain.first_broken_id)
    log.info(
        "daily reminders %s: %d new periods, %d notifications, %d mails",
        day.isoformat(),
        outcome.periods,
        outcome.summary.notifications,
        outcome.summary.mails,
    )
    if outcome.summary.refused:
        log.warning("mail server refused: %s", ", ".join(outcome.summary.refused))


def deliver_webhooks() -> None:
    from tracker import db
    from tracker.webhooks.delivery import deliver_due

    outcomes = deliver_due(db.session)
    if outcomes:
        log.info("webhooks: %s", ", ".join(f"{n} {s.value}" for s, n in outcomes.items()))


def housekeeping() -> None:
    from tracker import db
    from tracker.auth.throttle import prune_attempts
    from tracker.directives import scans
    from tracker.directives.importing import settle_stuck_imports
    from tracker.documents import jobs
    from tracker.evidence.operations import known_hashes, store

    session = db.session
    config = current_app.config
    failed = jobs.settle_dead_jobs(session) + settle_stuck_imports(session)
    prune_attempts(session)
    session.commit()
    removed_jobs = jobs.forget_old_jobs(
        session, timedelta(days=int(config["REPORT_JOB_KEEP_DAYS"]))
    )
    session.commit()
    evidence, grace = store(), float(config["EVIDENCE_ORPHAN_GRACE_SECONDS"])
    swept = [
        *evidence.sweep_dead_uploads(),
        *evidence.sweep_orphans(known_hashes(session), grace_seconds=grace),
        *scans.store().sweep_orphans(scans.known_hashes(session), grace_seconds=grace),
    ]
    session.commit()
    if failed or removed_jobs or swept:
        log.info(
            "housekeeping: %d dead jobs or stuck imports marked failed,"
            " %d old report jobs and %d stray files removed",
            failed,
            removed_jobs,
            len(swept),
        )
