"""The day's run: due reporting periods, then the reminder ladder and the e-mail digests.

The job queue runs it every morning (tracker.jobs.tasks.daily_reminders); `tracker
remind` runs it by hand. Running it twice, or again after it was killed half-way,
notifies nobody twice and misses nobody."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from tracker.assignments.periods import generate_periods
from tracker.notifications.operations import Summary, run_reminders


@dataclass(frozen=True)
class DailyRun:
    periods: int
    summary: Summary


def run_day(session: Session, day: date, *, dry_run: bool = False) -> DailyRun:
    """The caller commits (or, on a dry run, rolls back); notifications are committed
    before mail goes out, so a mail failure (MailError) loses none of them."""
    periods = generate_periods(session, day)
    summary = run_reminders(
        session, day, dry_run=dry_run, checkpoint=None if dry_run else session.commit
    )
    return DailyRun(periods, summary)
