"""Deadline state and the four-way count are derived in SQL from the dates."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import user_named
from tracker import calendar, clock
from tracker.assignments import queries
from tracker.assignments.deadlines import DeadlineState, Outcome
from tracker.assignments.models import Assignment
from tracker.assignments.workflow import Action, apply
from tracker.reports.counts import directive_counts, late_agencies


def _row(session, assignment, as_of, due_soon_days=3):
    (row,) = queries.rows(session, as_of, due_soon_days, Assignment.id == assignment.id)
    return row


@pytest.mark.parametrize(
    ("due", "as_of", "state"),
    [
        (None, date(2020, 8, 19), DeadlineState.NO_DEADLINE),
        (date(2020, 8, 28), date(2020, 8, 19), DeadlineState.ON_TRACK),
        # Wed 19/08 + 3 working days = Mon 24/08: due on that Monday is "due soon".
        (date(2020, 8, 24), date(2020, 8, 19), DeadlineState.DUE_SOON),
        (date(2020, 8, 25), date(2020, 8, 19), DeadlineState.ON_TRACK),
        (date(2020, 8, 19), date(2020, 8, 19), DeadlineState.DUE_SOON),
        (date(2020, 8, 18), date(2020, 8, 19), DeadlineState.OVERDUE),
    ],
)
def test_deadline_state_open_work(session, make_task, make_assignment, due, as_of, state):
    assignment = (
        make_assignment("SNV", due_date=due)
        if due
        else make_assignment("SNV", task=make_task(due_date=None))
    )
    assert _row(session, assignment, as_of).deadline_state == state


def test_deadline_state_closed_work(session, make_assignment):
    assignment = make_assignment("SNV", due_date=date(2020, 8, 18))
    apply(assignment, Action.SUBMIT, user_named(session, "snv"), text="Xong.")
    apply(assignment, Action.ACCEPT, user_named(session, "vanphong"))
    assert _row(session, assignment, date(2020, 9, 1)).deadline_state == DeadlineState.CLOSED


def _complete(session, assignment, submitted: date, accepted: date) -> None:
    with clock.frozen(submitted):
        apply(
            assignment,
            Action.SUBMIT,
            user_named(session, assignment.agency.code.lower()),
            text="Xong.",
        )
    with clock.frozen(accepted):
        apply(assignment, Action.ACCEPT, user_named(session, "vanphong"))


def test_four_way_classification(session, make_task, make_assignment):
    task = make_task(due_date=date(2020, 8, 18))
    on_time = make_assignment("SNV", task=task)
    late = make_assignment("STP", task=task)
    within = make_assignment("SYT", task=task, due_date=date(2020, 8, 31))
    overdue = make_assignment("SCT", task=task)
    cancelled = make_assignment("STC", task=task)
    _complete(session, on_time, date(2020, 8, 18), date(2020, 8, 26))  # late review: on time
    _complete(session, late, date(2020, 8, 19), date(2020, 8, 19))
    with clock.frozen(date(2020, 8, 25)):
        apply(cancelled, Action.CANCEL, user_named(session, "vanphong"), reason="Không phù hợp.")
    # Before the day it was cancelled, the work counts as it stood then.
    assert _row(session, cancelled, date(2020, 8, 24)).outcome == Outcome.OPEN_OVERDUE
    as_of = date(2020, 8, 27)
    outcomes = {
        a.agency.code: _row(session, a, as_of).outcome
        for a in (on_time, late, within, overdue, cancelled)
    }
    assert outcomes == {
        "SNV": Outcome.DONE_ON_TIME,
        "STP": Outcome.DONE_LATE,
        "SYT": Outcome.OPEN_WITHIN,
        "SCT": Outcome.OPEN_OVERDUE,
        "STC": Outcome.CANCELLED,
    }
    counts = directive_counts(session, task.directive_id, as_of)
    assert (counts.done_on_time, counts.done_late, counts.open_within, counts.open_overdue) == (
        1,
        1,
        1,
        1,
    )
    # Judged: the two done and the one overdue; the one open within its deadline may yet
    # be done on time, so it is not held against the rate.
    assert counts.on_time_rate == pytest.approx(100 / 3)


def test_four_way_as_of_an_earlier_date(session, make_assignment):
    """Work completed after the chosen date still counts as open on that date."""
    assignment = make_assignment("SNV", due_date=date(2020, 8, 18))
    _complete(session, assignment, date(2020, 8, 20), date(2020, 8, 21))
    assert _row(session, assignment, date(2020, 8, 17)).outcome == Outcome.OPEN_WITHIN
    assert _row(session, assignment, date(2020, 8, 19)).outcome == Outcome.OPEN_OVERDUE
    assert _row(session, assignment, date(2020, 8, 21)).outcome == Outcome.DONE_LATE


def test_late_agencies_lists_open_overdue_work(session, make_task, make_assignment):
    task = make_task(due_date=date(2020, 8, 18))
    overdue = make_assignment("SNV", task=task)
    done = make_assignment("STP", task=task)
    _complete(session, done, date(2020, 8, 17), date(2020, 8, 17))
    late = {
        item.agency.code: item
        for item in late_agencies(session, date(2020, 8, 20), directive_id=task.directive_id)
    }
    assert set(late) == {"SNV"}
    assert late["SNV"].overdue == 1 and late["SNV"].oldest_due == overdue.due_date


def test_1661_counts_on_20_august(session, directive_1661):
    """On 20/08/2020 the demo's task 2 and 3 reports give known counts."""
    counts = directive_counts(session, directive_1661.id, date(2020, 8, 30))
    assert counts.done_on_time >= 14
    assert counts.open_overdue > 0
    assert counts.total == session.scalar(
        sa.select(sa.func.count(Assignment.id)).where(
            Assignment.task_id.in_([t.id for t in directive_1661.tasks])
        )
    )


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2020, 8, 14), 1, date(2020, 8, 17)),  # Friday -> Monday
        (date(2020, 8, 19), 3, date(2020, 8, 24)),
        (date(2020, 8, 17), -1, date(2020, 8, 14)),
        (date(2020, 8, 15), 0, date(2020, 8, 15)),
    ],
)
def test_calendar_add_working_days_skips_weekends(start, count, expected):
    assert calendar.add_working_days(start, count) == expected


def test_calendar_working_days_between():
    assert calendar.working_days_between(date(2020, 8, 14), date(2020, 8, 21)) == 5
    assert calendar.working_days_between(date(2020, 8, 21), date(2020, 8, 14)) == 0
