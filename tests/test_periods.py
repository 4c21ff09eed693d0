"""Recurring reports in periods (ND 09/2019 cut-offs), and extensions of deadlines."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token, user_named
from tracker import clock
from tracker.agencies.operations import agency_by_code
from tracker.assignments.models import (
    Assignment,
    ExtensionStatus,
    Period,
    PeriodStatus,
)
from tracker.assignments.periods import generate_periods, period_bounds
from tracker.assignments.workflow import (
    Action,
    GuardFailed,
    InvalidTransition,
    NotPermitted,
    apply_period,
    decide_extension,
    request_extension,
)
from tracker.audit import Event
from tracker.reports.counts import directive_counts


def _bounds(rule, assigned, until):
    return [(b.starts_on, b.ends_on, b.due_date) for b in period_bounds(rule, assigned, until)]


def test_periods_weekly_cover_the_week_and_skip_days_off():
    # Assigned Saturday 15/08/2020: weekly reports fall on Saturdays, so they are due the
    # next working day (Civil Code art. 148), and cover the week before.
    assert _bounds("FREQ=WEEKLY", date(2020, 8, 15), date(2020, 9, 1)) == [
        (date(2020, 8, 16), date(2020, 8, 22), date(2020, 8, 24)),
        (date(2020, 8, 23), date(2020, 8, 29), date(2020, 8, 31)),
    ]


def test_periods_monthly_follow_decree_09_cut_offs():
    # "Trước ngày 20 hằng tháng": the month runs from the 15th to the 14th.
    assert _bounds("FREQ=MONTHLY;BYMONTHDAY=20", date(2020, 11, 2), date(2021, 1, 31)) == [
        (date(2020, 10, 15), date(2020, 11, 14), date(2020, 11, 20)),
        (date(2020, 11, 15), date(2020, 12, 14), date(2020, 12, 21)),  # 20/12 is a Sunday
        (date(2020, 12, 15), date(2021, 1, 14), date(2021, 1, 20)),
    ]


def test_periods_quarterly_and_yearly_cut_offs():
    quarterly = _bounds(
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=20", date(2021, 1, 1), date(2021, 7, 31)
    )
    assert [(s, e) for s, e, _ in quarterly] == [
        (date(2020, 10, 15), date(2021, 1, 14)),
        (date(2021, 1, 15), date(2021, 4, 14)),
        (date(2021, 4, 15), date(2021, 7, 14)),
    ]
    yearly = _bounds("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20", date(2020, 1, 10), date(2021, 12, 31))
    assert [(s, e) for s, e, _ in yearly] == [
        (date(2019, 12, 15), date(2020, 12, 14)),
        (date(2020, 12, 15), date(2021, 12, 14)),
    ]


def _task4_assignment(session, directive_1661) -> Assignment:
    task = next(t for t in directive_1661.tasks if t.number == "4")
    return session.scalar(sa.select(Assignment).where(Assignment.task_id == task.id))


def test_generate_periods_for_task_4_of_1661_once(session, directive_1661):
    created = generate_periods(session, date(2020, 9, 10))
    assignment = _task4_assignment(session, directive_1661)
    dues = [
        p.due_date
        for p in session.scalars(
            sa.select(Period).where(Period.assignment_id == assignment.id).order_by(Period.due_date)
        )
    ]
    assert dues == [date(2020, 8, 24), date(2020, 8, 31), date(2020, 9, 7), date(2020, 9, 14)]
    assert created >= 4
    assert generate_periods(session, date(2020, 9, 10)) == 0
    assert generate_periods(session, date(2020, 9, 13)) == 1  # the next week has begun


def test_periods_have_their_own_status_and_count(session, directive_1661):
    generate_periods(session, date(2020, 9, 10))
    assignment = _task4_assignment(session, directive_1661)
    periods = sorted(assignment.periods, key=lambda p: p.due_date)
    worker, office = user_named(session, "stttt"), user_named(session, "vanphong")
    with clock.frozen(date(2020, 8, 24)):
        apply_period(periods[0], Action.SUBMIT, worker, text="Tuần 1: 25 tin, bài.")
    with clock.frozen(date(2020, 8, 25)):
        apply_period(periods[0], Action.ACCEPT, office)
    with clock.frozen(date(2020, 9, 2)):
        apply_period(periods[1], Action.SUBMIT, worker, text="Tuần 2: 30 tin, bài.")
        apply_period(periods[1], Action.RETURN, office, reason="Thiếu số liệu phát thanh.")
    assert [p.status for p in periods] == [
        PeriodStatus.DONE,
        PeriodStatus.RETURNED,
        PeriodStatus.OPEN,
        PeriodStatus.OPEN,
    ]
    assert periods[0].completed_on == date(2020, 8, 24)
    before = directive_counts(session, directive_1661.id, date(2020, 9, 10))
    generate_periods(session, date(2020, 9, 10))
    # Of the four periods begun by 10/09: one done on time, two overdue, one within.
    assert before.total == directive_counts(session, directive_1661.id, date(2020, 9, 10)).total
    with pytest.raises(NotPermitted):
        apply_period(periods[2], Action.SUBMIT, user_named(session, "snv"), text="x")
    with pytest.raises(InvalidTransition):
        apply_period(periods[0], Action.ACCEPT, office)
    with pytest.raises(GuardFailed):
        apply_period(periods[2], Action.SUBMIT, worker, text="  ")


def test_period_counts_join_the_four_way_count(session, make_task, make_assignment):
    task = make_task(due_date=None)
    task.recurrence = "FREQ=WEEKLY"
    assignment = make_assignment("SNV", task=task)
    assignment.assigned_at = clock.local_noon(date(2021, 3, 1))  # a Monday
    session.flush()
    generate_periods(session, date(2021, 3, 20))
    counts = directive_counts(session, task.directive_id, date(2021, 3, 20))
    # The assignment (no deadline: within) and three periods (8/3, 15/3 overdue; 22/3 within).
    assert (counts.open_within, counts.open_overdue) == (2, 2)


def test_extension_granted_moves_the_working_deadline_only(session, make_assignment):
    assignment = make_assignment("SNV", due_date=date(2020, 8, 18))
    worker, office = user_named(session, "snv"), user_named(session, "vanphong")
    extension = request_extension(
        assignment, worker, proposed_date=date(2020, 8, 28), reason="Chờ số liệu các phòng."
    )
    with pytest.raises(InvalidTransition):
        request_extension(assignment, worker, proposed_date=date(2020, 8, 30), reason="Lần 2")
    with pytest.raises(NotPermitted):
        decide_extension(extension, worker, grant=True)
    decide_extension(extension, office, grant=True, granted_date=date(2020, 8, 25))
    assert (assignment.due_date, assignment.original_due_date) == (
        date(2020, 8, 25),
        date(2020, 8, 18),
    )
    assert extension.status == ExtensionStatus.GRANTED
    actions = session.scalars(
        sa.select(Event.action).where(
            Event.subject_type == "assignment", Event.subject_id == assignment.id
        )
    ).all()
    assert {"extension.request", "extension.grant"} <= set(actions)


def test_extension_refusal_needs_a_reason(session, make_assignment):
    assignment = make_assignment("SNV", due_date=date(2020, 8, 18))
    extension = request_extension(
        assignment, user_named(session, "snv"), proposed_date=date(2020, 8, 28), reason="Lý do."
    )
    office = user_named(session, "vanphong")
    with pytest.raises(GuardFailed):
        decide_extension(extension, office, grant=False, reason="")
    decide_extension(extension, office, grant=False, reason="Thời gian đã đủ.")
    assert extension.status == ExtensionStatus.DENIED
    assert assignment.due_date == date(2020, 8, 18)
    with pytest.raises(GuardFailed):
        request_extension(
            assignment,
            user_named(session, "snv"),
            proposed_date=date(2020, 8, 10),
            reason="Sớm hơn?",
        )


def test_extension_and_period_through_the_pages(client, auth, session, directive_1661):
    generate_periods(session, date(2020, 9, 10))
    assignment = _task4_assignment(session, directive_1661)
    path = f"/assignments/{assignment.id}"
    auth.login("stttt")
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="periods"' in page and 'data-period="2020-08-24"' in page
    period = min(assignment.periods, key=lambda p: p.due_date)
    sent = client.post(
        f"/periods/{period.id}/submit",
        data={"csrf_token": csrf_token(client, path), "text": "Tuần 1."},
    )
    assert sent.status_code == 302
    auth.logout()
    auth.login("snv")
    snv_assignment = session.scalar(
        sa.select(Assignment).where(
            Assignment.task_id == directive_1661.tasks[0].id,
            Assignment.agency_id == agency_by_code(session, "SNV").id,
        )
    )
    assert client.get(f"/assignments/{snv_assignment.id}").status_code == 200
    assert (
        client.post(
            f"/periods/{period.id}/submit",
            data={"csrf_token": csrf_token(client, "/"), "text": "x"},
        ).status_code
        == 404
    )
    session.expire_all()
    assert period.status == PeriodStatus.SUBMITTED
