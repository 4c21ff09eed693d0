"""Deadline state and the four-way classification, derived in SQL, never stored.

Deadline state of an open assignment: no deadline, on track, due soon, overdue.
Four-way count (Văn phòng Chính phủ): done on time, done late, open within deadline,
open overdue. Cancelled work and "for information" (để biết) assignments owe nothing
and count in none of them; work cancelled after the date still counts as it stood.
Counting itself lives in `tracker.assignments.obligations`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from tracker import calendar
from tracker.assignments.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Period,
    PeriodStatus,
)
from tracker.i18n import N_


class DeadlineState(StrEnum):
    NO_DEADLINE = "no_deadline"
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    CLOSED = "closed"  # done or cancelled: see the outcome instead
    NOT_OWED = "not_owed"  # for information (để biết): no deadline of its own


class Outcome(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    OPEN_WITHIN = "open_within"
    OPEN_OVERDUE = "open_overdue"
    CANCELLED = "cancelled"
    NOT_OWED = "not_owed"


DEADLINE_LABELS = {
    DeadlineState.NO_DEADLINE: N_("Không có thời hạn"),
    DeadlineState.ON_TRACK: N_("Trong hạn"),
    DeadlineState.DUE_SOON: N_("Sắp đến hạn"),
    DeadlineState.OVERDUE: N_("Quá hạn"),
    DeadlineState.CLOSED: "",
    DeadlineState.NOT_OWED: N_("Để biết"),
}

OUTCOME_LABELS = {
    Outcome.DONE_ON_TIME: N_("Hoàn thành đúng hạn"),
    Outcome.DONE_LATE: N_("Hoàn thành quá hạn"),
    Outcome.OPEN_WITHIN: N_("Đang thực hiện trong hạn"),
    Outcome.OPEN_OVERDUE: N_("Quá hạn chưa hoàn thành"),
    Outcome.CANCELLED: N_("Đã hủy"),
    Outcome.NOT_OWED: N_("Để biết"),
}

#: The four counted outcomes in a word or two, as column headings and chart legends.
OUTCOME_SHORT_LABELS = {
    Outcome.DONE_ON_TIME: N_("Đúng hạn"),
    Outcome.DONE_LATE: N_("Quá hạn (đã xong)"),
    Outcome.OPEN_WITHIN: N_("Trong hạn"),
    Outcome.OPEN_OVERDUE: N_("Quá hạn"),
}

#: The four outcomes that are counted, in the order reports show them.
COUNTED = (Outcome.DONE_ON_TIME, Outcome.DONE_LATE, Outcome.OPEN_WITHIN, Outcome.OPEN_OVERDUE)


def soon_cutoff(as_of: date, working_days: int) -> date:
    return calendar.add_working_days(as_of, working_days)


def deadline_state_expr(as_of: date, cutoff: date) -> ColumnElement[str]:
    """Deadline state of an assignment on `as_of`; `cutoff` is the last 'due soon' date."""
    due = Assignment.due_date
    return sa.case(
        (sa.not_(Assignment.owes), sa.literal(DeadlineState.NOT_OWED.value)),
        (Assignment.status.not_in(OPEN_STATUSES), sa.literal(DeadlineState.CLOSED.value)),
        (due.is_(None), sa.literal(DeadlineState.NO_DEADLINE.value)),
        (due < as_of, sa.literal(DeadlineState.OVERDUE.value)),
        (due <= cutoff, sa.literal(DeadlineState.DUE_SOON.value)),
        else_=sa.literal(DeadlineState.ON_TRACK.value),
    )


def outcome_expr(as_of: date) -> ColumnElement[str]:
    """Four-way class of an assignment's own report on `as_of`: work completed or
    cancelled after `as_of` still counts as open then."""
    due = Assignment.due_date
    done = sa.and_(Assignment.status == AssignmentStatus.DONE, Assignment.completed_on <= as_of)
    return sa.case(
        (sa.not_(Assignment.owes), sa.literal(Outcome.NOT_OWED.value)),
        (
            sa.and_(
                Assignment.status == AssignmentStatus.CANCELLED, Assignment.cancelled_on <= as_of
            ),
            sa.literal(Outcome.CANCELLED.value),
        ),
        (
            sa.and_(done, sa.or_(due.is_(None), Assignment.completed_on <= due)),
            sa.literal(Outcome.DONE_ON_TIME.value),
        ),
        (done, sa.literal(Outcome.DONE_LATE.value)),
        (sa.or_(due.is_(None), due >= as_of), sa.literal(Outcome.OPEN_WITHIN.value)),
        else_=sa.literal(Outcome.OPEN_OVERDUE.value),
    )


def period_outcome_expr(as_of: date) -> ColumnElement[str]:
    """The four-way class of a reporting period on `as_of`; every period counts on its
    own. The query must join the period's Assignment (its role decides if it is owed)."""
    done = sa.and_(Period.status == PeriodStatus.DONE, Period.completed_on <= as_of)
    return sa.case(
        (sa.not_(Assignment.owes), sa.literal(Outcome.NOT_OWED.value)),
        (
            sa.and_(Period.status == PeriodStatus.CANCELLED, Period.cancelled_on <= as_of),
            sa.literal(Outcome.CANCELLED.value),
        ),
        (
            # An unfinished period of work cancelled by then ends with it.
            sa.and_(
                Period.status != PeriodStatus.DONE,
                Assignment.status == AssignmentStatus.CANCELLED,
                Assignment.cancelled_on <= as_of,
            ),
            sa.literal(Outcome.CANCELLED.value),
        ),
        (
            sa.and_(done, Period.completed_on <= Period.due_date),
            sa.literal(Outcome.DONE_ON_TIME.value),
        ),
        (done, sa.literal(Outcome.DONE_LATE.value)),
        (Period.due_date >= as_of, sa.literal(Outcome.OPEN_WITHIN.value)),
        else_=sa.literal(Outcome.OPEN_OVERDUE.value),
    )
