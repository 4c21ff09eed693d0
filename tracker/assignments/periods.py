"""Reporting periods of recurring tasks (kỳ báo cáo), created as time passes.

A task's RRULE gives the due dates, counted from the day the work was assigned. Weekly
and daily reports cover the days since the previous report. Monthly, quarterly,
half-yearly and yearly reports cover the cut-off periods of Decree 09/2019/NĐ-CP: a
monthly report covers the 15th of the previous month to the 14th, a quarterly one the
15th of the month before the quarter to the 14th of its last month, and so on.
`generate_periods` runs with the reminders (`tracker remind`); a period is never made
twice (one per assignment and due date). A rule ends with its UNTIL or COUNT (see
`end_rule`) or when its directive closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr
from sqlalchemy.orm import Session, joinedload

from tracker import calendar, clock
from tracker.assignments.models import Assignment, AssignmentStatus, Period
from tracker.db import take_write_lock
from tracker.directives.models import Directive, DirectiveStatus, Task

#: How many periods one assignment may have at most (a runaway rule stops here).
MAX_PERIODS = 400


@dataclass(frozen=True)
class Bounds:
    starts_on: date
    ends_on: date
    due_date: date


def cut_off_months(rule: str) -> int | None:
    """Months per period for monthly-or-longer rules (ND 09/2019 cut-offs), else None."""
    parsed = rrulestr(rule, dtstart=datetime(2020, 1, 1))
    # dateutil keeps no public accessor for a rule's frequency and interval.
    frequency = parsed._freq  # type: ignore[union-attr]  # noqa: SLF001
    interval = parsed._interval  # type: ignore[union-attr]  # noqa: SLF001
    if frequency == MONTHLY:
        return interval
    if frequency == YEARLY:
        return 12 * interval
    return None


def period_bounds(rule: str, assigned_on: date, until: date) -> list[Bounds]:
    """The periods of a rule whose due date falls after `assigned_on` and on or before
    `until`."""
    start = datetime.combine(assigned_on, datetime.min.time())
    parsed = rrulestr(_count_reports(rule), dtstart=start)
    months = cut_off_months(rule)
    frequency = parsed._freq  # type: ignore[union-attr]  # noqa: SLF001
    result: list[Bounds] = []
    previous_due = assigned_on
    for occurrence in parsed.xafter(start, count=MAX_PERIODS, inc=False):
        due = occurrence.date()
        if due > until:
            break
        if months:
            ends = (
                due.replace(day=14)
                if due.day >= 15
                else (due - relativedelta(months=1)).replace(day=14)
            )
            starts = ends - relativedelta(months=months) + timedelta(days=1)
        elif frequency in (WEEKLY, DAILY):
            starts, ends = previous_due + timedelta(days=1), due
        else:
            starts, ends = previous_due + timedelta(days=1), due
        # Civil Code art. 148: a time limit ending on a day off ends on the next working day.
        due = calendar.next_working_day(due)
        result.append(Bounds(starts, max(ends, starts), due))
        previous_due = occurrence.date()
    return result


def _count_reports(rule: str) -> str:
    """COUNT=n means n reports; the rule's start (the day of assignment) is not one, but
    RFC 5545 counts it, so one more occurrence is asked for."""
    return ";".join(
        f"COUNT={int(part[6:]) + 1}" if part.upper().startswith("COUNT=") else part
        for part in rule.split(";")
    )


def end_rule(rule: str, until: date) -> str:
    """The rule ending on `until`: any UNTIL or COUNT it had is replaced."""
    parts = [
        part
        for part in rule.upper().split(";")
        if part and not part.startswith(("UNTIL=", "COUNT="))
    ]
    return ";".join([*parts, f"UNTIL={until:%Y%m%d}"])


def generate_periods(session: Session, as_of: date | None = None) -> int:
    """Create the periods that have begun by `as_of` (today), for every assignment of a
    recurring task that is not cancelled. Returns how many were created; running it
    again creates none."""
    as_of = as_of or clock.today()
    take_write_lock(session)  # what exists is read under the lock it is written under
    assignments = session.scalars(
        sa.select(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .join(Directive, Task.directive_id == Directive.id)
        # A recurring report goes on after the task's one-off report is accepted (task 4
        # of 1661: results by 20/08, communication weekly); it ends with the rule's
        # UNTIL or COUNT, with cancelling, or with closing the directive. Work given
        # "for information" owes no reports.
        .where(
            Task.recurrence.is_not(None),
            Directive.status == DirectiveStatus.ACTIVE,
            Assignment.status != AssignmentStatus.CANCELLED,
            Assignment.owes,
        )
        .options(joinedload(Assignment.task))
    ).all()
    if not assignments:
        return 0
    existing = {
        (assignment_id, due)
        for assignment_id, due in session.execute(
            sa.select(Period.assignment_id, Period.due_date).where(
                Period.assignment_id.in_([a.id for a in assignments])
            )
        )
    }
    created = 0
    for assignment in assignments:
        assigned_on = clock.local_date(assignment.assigned_at)
        # A period exists once it has begun: its due date may still be ahead.
        horizon = as_of + relativedelta(months=13)
        rule = assignment.task.recurrence
        assert rule is not None  # the query selects recurring tasks only
        for bounds in period_bounds(rule, assigned_on, horizon):
            if bounds.starts_on > as_of:
                break
            if (assignment.id, bounds.due_date) in existing:
                continue
            session.add(
                Period(
                    assignment_id=assignment.id,
                    starts_on=bounds.starts_on,
                    ends_on=bounds.ends_on,
                    due_date=bounds.due_date,
                )
            )
            existing.add((assignment.id, bounds.due_date))
            created += 1
    session.flush()
    return created
