"""Recurring reports end, and directives close or are superseded: their open obligations
end with the reason recorded, what was done stays counted, and nothing is generated,
reminded or urged after."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.helpers import post_form, user_named
from tracker import clock
from tracker.assignments import obligations
from tracker.assignments.closing import ClosingError, close_directive, supersedable
from tracker.assignments.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Period,
    PeriodStatus,
)
from tracker.assignments.operations import AssignmentError, assign_task
from tracker.assignments.periods import end_rule, generate_periods, period_bounds
from tracker.assignments.workflow import Action, apply_period
from tracker.audit import Event
from tracker.directives import operations as directive_operations
from tracker.directives.models import DirectiveStatus, Task
from tracker.documents.urge import overdue_items
from tracker.notifications.operations import due_reminders


def _reminders(session, as_of: date):
    config = current_app.config
    return due_reminders(
        session,
        as_of,
        ladder=config["REMINDER_LADDER"],
        repeat_days=int(config["REMINDER_REPEAT_DAYS"]),
    )


def test_rule_end_replaces_until_and_count():
    assert end_rule("FREQ=WEEKLY", date(2020, 9, 25)) == "FREQ=WEEKLY;UNTIL=20200925"
    assert end_rule("FREQ=MONTHLY;COUNT=3", date(2021, 1, 1)) == "FREQ=MONTHLY;UNTIL=20210101"


def test_recurrence_stops_at_its_until():
    bounds = period_bounds("FREQ=WEEKLY;UNTIL=20200925", date(2020, 8, 15), date(2026, 11, 30))
    assert len(bounds) == 5  # Saturdays 22/8 ... 19/9, the last before 25/9
    assert all(b.due_date <= date(2020, 9, 28) for b in bounds)
    assert len(period_bounds("FREQ=MONTHLY;COUNT=3", date(2020, 8, 15), date(2026, 1, 1))) == 3


def test_demo_weekly_report_of_1661_ends_in_2020(session, directive_1661):
    """Run up to today, 1661's weekly report makes a handful of periods, not hundreds."""
    task4 = next(task for task in directive_1661.tasks if task.number == "4")
    assert task4.recurrence == "FREQ=WEEKLY;UNTIL=20200925"
    generate_periods(session, clock.today())
    count = session.scalar(
        sa.select(sa.func.count(Period.id))
        .join(Assignment, Period.assignment_id == Assignment.id)
        .where(Assignment.task_id == task4.id)
    )
    assert 1 <= count <= 7


def _recurring(session, make_task, make_agency):
    task = make_task(due_date=date(2020, 8, 20))
    task.recurrence = "FREQ=WEEKLY"
    agency = make_agency()
    with clock.frozen(date(2020, 8, 10)):
        (assignment,) = assign_task(session, None, task, [agency]).created
    return task, agency, assignment


def test_close_directive_ends_open_obligations_and_keeps_done_work(
    session, make_task, make_agency, make_user
):
    task, agency, assignment = _recurring(session, make_task, make_agency)
    worker, office = make_user(agency=agency), user_named(session, "vanphong")
    generate_periods(session, date(2020, 9, 1))
    first, *rest = assignment.periods
    with clock.frozen(first.due_date):
        apply_period(first, Action.SUBMIT, worker, text="Tuần đầu.")
        apply_period(first, Action.ACCEPT, office)
    before = obligations.counts(session, date(2020, 9, 1), Task.id == task.id)
    assert before.total == 1 + len(assignment.periods) and before.done_on_time == 1

    directive = task.directive
    with clock.frozen(date(2020, 9, 2)):
        ended = close_directive(
            session, office, directive, on=date(2020, 9, 2), note="Đã hoàn thành đợt cao điểm."
        )
    assert ended == 1
    assert directive.status == DirectiveStatus.CLOSED and directive.closed_on == date(2020, 9, 2)
    assert assignment.status == AssignmentStatus.CANCELLED
    assert assignment.cancelled_on == date(2020, 9, 2)
    assert first.status == PeriodStatus.DONE
    assert all(p.status == PeriodStatus.CANCELLED for p in rest)
    reasons = session.scalars(
        sa.select(Event.comment).where(
            Event.subject_type == "assignment", Event.subject_id == assignment.id
        )
    ).all()
    assert any("đã kết thúc ngày 02/09/2020: Đã hoàn thành đợt cao điểm." in r for r in reasons)
    # The past is not rewritten; afterwards only what was done counts.
    assert obligations.counts(session, date(2020, 9, 1), Task.id == task.id) == before
    after = obligations.counts(session, date(2020, 12, 1), Task.id == task.id)
    assert (after.total, after.done_on_time, after.open_overdue) == (1, 1, 0)
    # Nothing more is generated, reminded or urged.
    assert generate_periods(session, date(2021, 3, 1)) == 0 or all(
        p.assignment_id != assignment.id
        for p in session.scalars(sa.select(Period).where(Period.created_at >= clock.now()))
    )
    assert len(assignment.periods) == 1 + len(rest)
    assert not [r for r in _reminders(session, date(2020, 12, 1)) if r.agency_id == agency.id]
    assert overdue_items(session, directive, date(2020, 12, 1)) == []
    with pytest.raises(AssignmentError, match="đã kết thúc"):
        assign_task(session, None, task, [agency])
    with pytest.raises(ClosingError):
        close_directive(session, office, directive, note="Lần nữa.")


def test_close_needs_a_note_and_a_sensible_date(session, make_task):
    office = user_named(session, "vanphong")
    directive = make_task().directive
    with pytest.raises(ClosingError, match="Hãy ghi"):
        close_directive(session, office, directive, on=date(2020, 9, 1), note="  ")
    with pytest.raises(ClosingError, match="trước ngày ban hành"):
        close_directive(session, office, directive, on=date(2020, 1, 1), note="Xong.")
    with pytest.raises(ClosingError, match="Chỉ văn phòng"):
        close_directive(session, user_named(session, "snv"), directive, note="Xong.")
    assert directive.status == DirectiveStatus.ACTIVE


def test_supersede_needs_a_citation_and_records_the_successor(session, make_task, make_agency):
    office = user_named(session, "vanphong")
    old_task, agency, assignment = _recurring(session, make_task, make_agency)
    old = old_task.directive
    new = make_task().directive
    assert supersedable(session, new) == []
    with pytest.raises(ClosingError, match="không viện dẫn"):
        close_directive(session, office, old, note="", superseded_by=new)
    directive_operations.cite(session, None, new, old, "Công văn số 9001/UBND-TEST")
    assert supersedable(session, new) == [old]
    with clock.frozen(date(2020, 9, 3)):
        close_directive(session, office, old, note="", superseded_by=new)
    assert old.status == DirectiveStatus.SUPERSEDED and old.superseded_by == new
    assert old.closing_note == f"Được thay thế bởi {new.title}."
    assert assignment.status == AssignmentStatus.CANCELLED


def test_inform_assignments_owe_nothing(session, make_task, make_agency):
    task = make_task(due_date=date(2020, 8, 18))
    task.recurrence = "FREQ=WEEKLY"
    agency = make_agency()
    with clock.frozen(date(2020, 8, 10)):
        (inform,) = assign_task(session, None, task, [agency], role=AssignmentRole.INFORM).created
    assert inform.due_date is None  # sent for information: no deadline
    generate_periods(session, date(2020, 9, 30))
    assert inform.periods == []
    assert obligations.counts(session, date(2020, 12, 1), Task.id == task.id).total == 0
    assert overdue_items(session, task.directive, date(2020, 12, 1)) == []
    assert not [r for r in _reminders(session, date(2020, 8, 19)) if r.agency_id == agency.id]


def test_close_page_for_the_office_only(client, auth, session, make_task):
    directive = make_task().directive
    path = f"/directives/{directive.id}"
    auth.login("snv")
    assert client.post(f"{path}/close", data={}).status_code in (400, 403)
    auth.logout()
    auth.login("vanphong")
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="close-directive"' in page
    response = post_form(
        client,
        f"{path}/close",
        {"closed_on": "01/09/2020", "note": "Hoàn thành."},
        token_from=path,
    )
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "Đã kết thúc" in page and "Hoàn thành." in page
    assert 'data-testid="close-directive"' not in page
