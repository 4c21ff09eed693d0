"""Obligations: what is owed, by whom, by when. Every count in tracker comes from here.

An obligation is one thing owed by one agency by one date: an assignment's own report
(its one-off deadline, or none for ongoing work), or one reporting period of a
recurring task that has begun. "For information" (để biết) assignments and cancelled
work owe nothing: they are listed, never counted, urged or reminded. Work cancelled
after the date asked about still counts as it stood on that date.

Each obligation falls in exactly one of the four classes of the Government Office's
count (done on time, done late, open within the deadline, open overdue), so for any
grouping the four counts add up to the total, and the total is the number of
one-off reports plus the number of periods. The dashboard, the directive and agency
pages, the accountability report (PDF, XLSX, CSV), the urging letter, the reply report,
the reminders and the calendar feed all read these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from tracker import clock
from tracker.agencies.tree import subtree_ids
from tracker.assignments.deadlines import COUNTED, Outcome, outcome_expr, period_outcome_expr
from tracker.assignments.models import (
    OPEN_PERIOD_WORK,
    OPEN_REPORT_WORK,
    Assignment,
    AssignmentStatus,
    Period,
)
from tracker.directives.models import Task
from tracker.i18n import N_

#: The total's name and meaning wherever it is printed.
TOTAL_LABEL = N_("Số nhiệm vụ")
TOTAL_DEFINITION = N_(
    "Số nhiệm vụ tính mỗi nhiệm vụ được giao (trừ nhiệm vụ giao để biết và nhiệm vụ đã"
    " hủy) và mỗi kỳ báo cáo định kỳ đã bắt đầu là một; số nhiệm vụ bằng số hoàn thành"
    " đúng hạn, hoàn thành quá hạn, đang thực hiện trong hạn và quá hạn chưa hoàn thành"
    " cộng lại. Tỷ lệ đúng hạn là số hoàn thành đúng hạn trên số nhiệm vụ đã đến hạn hoặc"
    " đã hoàn thành (không tính nhiệm vụ đang thực hiện trong hạn); khi chưa có nhiệm vụ"
    " nào như vậy thì chưa có tỷ lệ."
)
#: The two parts of the total, as column headings.
REPORTS_LABEL = "Trong đó: báo cáo một lần"
PERIODS_LABEL = "Trong đó: kỳ báo cáo định kỳ"


#: The classes of an obligation still waiting for its report.
OPEN_OUTCOMES = (Outcome.OPEN_WITHIN.value, Outcome.OPEN_OVERDUE.value)


class Kind(StrEnum):
    REPORT = "report"  # the assignment's own (one-off) report
    PERIOD = "period"  # one reporting period of a recurring task


@dataclass
class Counts:
    """The four-way count of a set of obligations, and what it is made of."""

    done_on_time: int = 0
    done_late: int = 0
    open_within: int = 0
    open_overdue: int = 0
    #: Of the total: one-off reports and reporting periods.
    reports: int = 0
    periods: int = 0
    #: Of the total: assignments whose working deadline was extended.
    extended: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.open_within + self.open_overdue

    @property
    def judged(self) -> int:
        """Obligations whose timeliness is known: done, or past the deadline and open.
        Work still open within its deadline may yet be done on time."""
        return self.done_on_time + self.done_late + self.open_overdue

    @property
    def on_time_rate(self) -> float | None:
        """Done on time / judged, in percent; None while nothing is judged (nothing
        due and nothing done yet), which pages print as a dash, never as 0 %."""
        return 100.0 * self.done_on_time / self.judged if self.judged else None

    def get(self, outcome: Outcome) -> int:
        return getattr(self, outcome.value)

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in _FIELDS})


_FIELDS = (
    "done_on_time",
    "done_late",
    "open_within",
    "open_overdue",
    "reports",
    "periods",
    "extended",
)


def tier(agency_id: int | None = None) -> sa.ColumnElement[bool]:
    """The work one level of the agency tree hands out, so the four-way count can be
    read at any level: the province's (None) is what the office assigned; an agency's
    is what was handed down inside its subtree, to its sub-units and theirs. Work an
    agency hands down is counted at its level, never again in the province's: the
    province counts the district's report, the district counts its communes'."""
    if agency_id is None:
        return Assignment.parent_id.is_(None)
    return sa.and_(
        Assignment.parent_id.is_not(None),
        Assignment.agency_id.in_(subtree_ids(agency_id, strict=True)),
    )


#: The province's level of `tier`: what the dashboards, reports and letters count.
PROVINCE = tier(None)


def total_of(counts: Iterable[Counts]) -> Counts:
    return sum(counts, Counts())


def obligations(as_of: date, *where: sa.ColumnElement[bool]) -> sa.Subquery:
    """Every obligation owed on `as_of` as one row: kind, assignment_id, period_id,
    task_id, directive_id, agency_id, due_date, starts_on (a period's first day; None for
    a report), outcome (one of COUNTED), extended (1 for an assignment's extended
    report). `where` filters on Assignment and Task
    columns (both are joined)."""
    return sa.union_all(*parts(as_of, *where)).subquery("obligation")


def parts(as_of: date, *where: sa.ColumnElement[bool]) -> tuple[sa.Select, sa.Select]:
    """The two halves of `obligations`, with the same columns: the assignments' own
    reports (FROM Assignment), and the reporting periods (FROM Period). A long list
    orders and cuts each half on its own indexes before it merges them."""
    counted = [outcome.value for outcome in COUNTED]
    report_outcome, period_outcome = outcome_expr(as_of), period_outcome_expr(as_of)
    reports, periods = _halves(as_of, report_outcome, period_outcome)
    return (
        reports.where(report_outcome.in_(counted), *where),
        periods.where(period_outcome.in_(counted), *where),
    )


def open_parts(as_of: date, *where: sa.ColumnElement[bool]) -> tuple[sa.Select, sa.Select] | None:
    """The open obligations of `parts` (within or past their deadline), or None before
    today. From today on nothing done or cancelled is dated after `as_of`, so the open
    ones are the open work that owes a report (for a period: of work not cancelled),
    and the deadline alone tells within from overdue (`open_outcome_is`). Stated so, on
    columns and not by judging each row, the partial indexes of open work
    (ix_assignment_open_due, ix_period_open_due) give a page of overdue work in
    deadline order."""
    if as_of < clock.today():
        return None

    def outcome(
        due: InstrumentedAttribute[date] | InstrumentedAttribute[date | None],
    ) -> sa.ColumnElement[str]:
        return sa.case(
            (sa.or_(due.is_(None), due >= as_of), sa.literal(Outcome.OPEN_WITHIN.value)),
            else_=sa.literal(Outcome.OPEN_OVERDUE.value),
        )

    reports, periods = _halves(as_of, outcome(Assignment.due_date), outcome(Period.due_date))
    return (
        reports.where(OPEN_REPORT_WORK, *where),
        periods.where(
            OPEN_PERIOD_WORK,
            Assignment.owes,
            Assignment.status != AssignmentStatus.CANCELLED,
            *where,
        ),
    )


def open_outcome_is(
    rows: sa.Subquery | sa.TableClause, outcome: Outcome, as_of: date
) -> sa.ColumnElement[bool]:
    """On the rows of `open_parts`: "the outcome is `outcome`" as a condition on the due
    date, which an index reads."""
    due = rows.c.due_date
    if outcome == Outcome.OPEN_OVERDUE:
        return due < as_of
    return sa.or_(due.is_(None), due >= as_of)


def _halves(
    as_of: date, report_outcome: sa.ColumnElement[str], period_outcome: sa.ColumnElement[str]
) -> tuple[sa.Select, sa.Select]:
    """The two halves' columns and joins, each with its outcome; periods begun by
    `as_of`."""
    extended = sa.and_(
        Assignment.original_due_date.is_not(None),
        Assignment.due_date != Assignment.original_due_date,
    )
    reports = (
        sa.select(
            sa.literal(Kind.REPORT.value).label("kind"),
            Assignment.id.label("assignment_id"),
            sa.cast(sa.null(), sa.Integer).label("period_id"),
            Task.id.label("task_id"),
            Task.directive_id.label("directive_id"),
            Assignment.agency_id.label("agency_id"),
            Assignment.due_date.label("due_date"),
            sa.cast(sa.null(), sa.Date).label("starts_on"),
            report_outcome.label("outcome"),
            sa.case((extended, 1), else_=0).label("extended"),
        )
        .select_from(Assignment)
        .join(Task, Assignment.task_id == Task.id)
    )
    periods = (
        sa.select(
            sa.literal(Kind.PERIOD.value).label("kind"),
            Assignment.id.label("assignment_id"),
            Period.id.label("period_id"),
            Task.id.label("task_id"),
            Task.directive_id.label("directive_id"),
            Assignment.agency_id.label("agency_id"),
            Period.due_date.label("due_date"),
            Period.starts_on.label("starts_on"),
            period_outcome.label("outcome"),
            sa.literal(0).label("extended"),
        )
        .select_from(Period)
        .join(Assignment, Period.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .where(Period.starts_on <= as_of)
    )
    return reports, periods


def count_by(
    session: Session,
    as_of: date,
    keys: Sequence[str],
    *where: sa.ColumnElement[bool],
) -> dict[tuple, Counts]:
    """Counts grouped by obligation columns (e.g. ("directive_id", "agency_id")), in one
    query; groups that owe nothing are absent."""
    rows = obligations(as_of, *where)
    group = [rows.c[key] for key in keys]
    query = sa.select(
        *group,
        *[
            sa.func.sum(sa.case((rows.c.outcome == outcome.value, 1), else_=0))
            for outcome in COUNTED
        ],
        sa.func.sum(sa.case((rows.c.kind == Kind.REPORT.value, 1), else_=0)),
        sa.func.sum(sa.case((rows.c.kind == Kind.PERIOD.value, 1), else_=0)),
        sa.func.sum(rows.c.extended),
    ).group_by(*group)
    found: dict[tuple, Counts] = {}
    for row in session.execute(query):
        numbers = [int(value or 0) for value in row[len(keys) :]]
        found[tuple(row[: len(keys)])] = Counts(*numbers)
    return found


def counts(session: Session, as_of: date, *where: sa.ColumnElement[bool]) -> Counts:
    """One set of counts for everything `where` selects."""
    return count_by(session, as_of, (), *where).get((), Counts())


@dataclass(frozen=True)
class Overdue:
    """One obligation past its deadline and not done."""

    kind: Kind
    assignment_id: int
    period_id: int | None
    task_id: int
    directive_id: int
    agency_id: int
    due_date: date


def overdue(session: Session, as_of: date, *where: sa.ColumnElement[bool]) -> list[Overdue]:
    """The open overdue obligations, oldest deadline first: one query."""
    rows = obligations(as_of, *where)
    query = (
        sa.select(
            rows.c.kind,
            rows.c.assignment_id,
            rows.c.period_id,
            rows.c.task_id,
            rows.c.directive_id,
            rows.c.agency_id,
            rows.c.due_date,
        )
        .where(rows.c.outcome == Outcome.OPEN_OVERDUE.value)
        .order_by(rows.c.due_date, rows.c.assignment_id, rows.c.period_id)
    )
    return [Overdue(Kind(row.kind), *row[1:]) for row in session.execute(query)]


@dataclass(frozen=True)
class LateAgency:
    agency_id: int
    overdue: int
    #: The earliest missed deadline among its open work.
    oldest_due: date


def late_agencies(
    session: Session, as_of: date, *where: sa.ColumnElement[bool], limit: int = 50
) -> list[LateAgency]:
    """Agencies with open overdue obligations, the most first: one query."""
    rows = obligations(as_of, *where)
    late = sa.func.count()
    query = (
        sa.select(rows.c.agency_id, late, sa.func.min(rows.c.due_date))
        .where(rows.c.outcome == Outcome.OPEN_OVERDUE.value)
        .group_by(rows.c.agency_id)
        .order_by(late.desc(), sa.func.min(rows.c.due_date), rows.c.agency_id)
        .limit(limit)
    )
    return [LateAgency(agency, count, oldest) for agency, count, oldest in session.execute(query)]
