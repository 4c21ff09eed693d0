"""Lists of assignments with their derived deadline state and four-way class.

Each list is a fixed number of queries whatever the amount of data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from tracker.agencies.tree import subtree_ids
from tracker.assignments.deadlines import (
    DeadlineState,
    Outcome,
    deadline_state_expr,
    outcome_expr,
    soon_cutoff,
)
from tracker.assignments.models import Assignment, Period, Submission
from tracker.auth.models import Role, User
from tracker.directives.models import Task


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    deadline_state: DeadlineState
    outcome: Outcome


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """The assignments a user may see: all for office and leaders; for an agency user,
    those of its agency's whole subtree (itself and its sub-units, `agencies.tree`) and
    those of tasks reported to it. `Assignment.can_view` in SQL."""
    if user.reads_everything:
        return sa.true()
    if user.role != Role.AGENCY or user.agency_id is None:
        return sa.false()
    reviewed = sa.select(Task.id).where(Task.report_to_id == user.agency_id)
    return sa.or_(
        Assignment.agency_id.in_(subtree_ids(user.agency_id)), Assignment.task_id.in_(reviewed)
    )


def visible_ids(user: User, session: Session | None = None) -> sa.Select | sa.CompoundSelect:
    """The ids of the assignments `visible_to(user)`, as a union of two index lookups
    (the subtree's own, those of tasks reported to it): the same rule, in the form an
    IN (...) over many rows wants, since PostgreSQL scans the whole table for the OR.
    With a session, the agency's subtree is read first as a list of ids: PostgreSQL
    cannot estimate how many agencies a recursive query finds either."""
    if user.reads_everything:
        return sa.select(Assignment.id)
    if user.role != Role.AGENCY or user.agency_id is None:
        return sa.select(Assignment.id).where(sa.false())
    own = sa.select(Assignment.id).where(
        Assignment.agency_id.in_(_subtree(session, user.agency_id))
    )
    reviewed = (
        sa.select(Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .where(Task.report_to_id == user.agency_id)
    )
    return sa.union(own, reviewed)


#: An agency's visible assignments are read first, as a list, when there are at most
#: this many (see `visible_among_many`).
VISIBLE_LIST_MOST = 2000


def visible_among_many(session: Session, user: User) -> sa.ColumnElement[bool]:
    """`visible_to` for a query over many assignments (a list, a count): `Assignment.id
    IN (visible_ids)`, the subtree read first; everything for those who read all.

    The ids themselves are read first when they are few (VISIBLE_LIST_MOST), as an
    agency's are: PostgreSQL then knows how few rows the list comes from, and reads the
    agency's overdue periods by assignment instead of every overdue period in deadline
    order (22 ms against 36 ms a page at national size)."""
    if user.reads_everything:
        return sa.true()
    ids = visible_ids(user, session)
    few = list(session.scalars(ids.limit(VISIBLE_LIST_MOST + 1)))
    if len(few) <= VISIBLE_LIST_MOST:
        return Assignment.id.in_(few)
    return Assignment.id.in_(ids)


def _subtree(session: Session | None, agency_id: int) -> list[int] | sa.Select:
    """The agency's subtree: as a list of ids when a session can read it first."""
    if session is None:
        return subtree_ids(agency_id)
    return list(session.scalars(subtree_ids(agency_id)))


def visible_directive_ids(
    user: User, session: Session | None = None
) -> sa.Select | sa.CompoundSelect:
    """The directives in which the user sees some assignment (`visible_to`); with a
    session, the agency's subtree is read first as a list (see `visible_among_many`)."""
    if user.reads_everything:
        return sa.select(Task.directive_id).join(Assignment, Assignment.task_id == Task.id)
    if user.role != Role.AGENCY or user.agency_id is None:
        return sa.select(Task.directive_id).where(sa.false())
    own = (
        sa.select(Task.directive_id)
        .join(Assignment, Assignment.task_id == Task.id)
        .where(Assignment.agency_id.in_(_subtree(session, user.agency_id)))
    )
    reviewed = sa.select(Task.directive_id).where(
        Task.report_to_id == user.agency_id,
        sa.exists().where(Assignment.task_id == Task.id),
    )
    return sa.union(own, reviewed)


#: The assignment a sub-unit's work was handed down from, in `reviewed_by`.
HANDED_FROM = aliased(Assignment, name="handed_from")


def reviewed_by(user: User) -> sa.ColumnElement[bool]:
    """Assignments whose reports the user decides: `Assignment.is_reviewer` in SQL, on
    Assignment and Task (joined)."""
    top = Assignment.parent_id.is_(None)
    if user.is_staff:
        return top
    if user.role != Role.AGENCY or user.agency_id is None:
        return sa.false()
    # As `Assignment.id IN (a union of two index lookups)`, not an OR: PostgreSQL
    # cannot estimate the OR, and read every submitted assignment to find an agency's.
    reported, task = aliased(Assignment, name="reported"), aliased(Task, name="reported_task")
    to_it = (
        sa.select(reported.id)
        .join(task, reported.task_id == task.id)
        .where(
            reported.parent_id.is_(None),
            task.report_to_id == user.agency_id,
            reported.agency_id != user.agency_id,
        )
    )
    handed = aliased(Assignment, name="handed")
    handed_down = sa.select(handed.id).where(
        handed.parent_id.in_(
            sa.select(HANDED_FROM.id).where(HANDED_FROM.agency_id == user.agency_id)
        )
    )
    return Assignment.id.in_(sa.union(to_it, handed_down))


def decides_extensions_of(user: User) -> sa.ColumnElement[bool]:
    """Assignments whose extension requests the user decides:
    `Assignment.decides_extensions` in SQL, on Assignment."""
    if user.is_staff:
        return Assignment.parent_id.is_(None)
    if user.role != Role.AGENCY or user.agency_id is None:
        return sa.false()
    return Assignment.parent_id.in_(
        sa.select(HANDED_FROM.id).where(HANDED_FROM.agency_id == user.agency_id)
    )


def rows(
    session: Session,
    as_of: date,
    due_soon_days: int,
    *where: sa.ColumnElement[bool],
    order_by: tuple = (),
) -> list[AssignmentRow]:
    state = deadline_state_expr(as_of, soon_cutoff(as_of, due_soon_days))
    outcome = outcome_expr(as_of)
    query = (
        sa.select(Assignment, state, outcome)
        .where(*where)
        .options(
            joinedload(Assignment.agency),
            joinedload(Assignment.task).joinedload(Task.directive),
            joinedload(Assignment.task).joinedload(Task.report_to),
        )
        .order_by(*order_by, Assignment.id)
    )
    return [
        AssignmentRow(assignment, DeadlineState(state_value), Outcome(outcome_value))
        for assignment, state_value, outcome_value in session.execute(query)
    ]


#: Assignments a directive page lists per task; the list of obligations has the rest.
TASK_ROWS = 50


@dataclass(frozen=True)
class TaskRows:
    """A directive page's assignments: the first TASK_ROWS of each task (in the order
    they were made) and how many each task has in all, as the user may see them."""

    rows: dict[int, list[AssignmentRow]]
    totals: dict[int, int]


def task_rows(
    session: Session, as_of: date, due_soon_days: int, task_ids: list[int], user: User
) -> TaskRows:
    """Two queries, whatever the number of tasks and assignments."""
    seen = sa.and_(Assignment.task_id.in_(task_ids), visible_to(user))
    position = (
        sa.func.row_number()
        .over(partition_by=Assignment.task_id, order_by=Assignment.id)
        .label("position")
    )
    numbered = sa.select(Assignment.id, position).where(seen).subquery()
    first = sa.select(numbered.c.id).where(numbered.c.position <= TASK_ROWS)
    found: dict[int, list[AssignmentRow]] = {}
    for row in rows(session, as_of, due_soon_days, Assignment.id.in_(first)):
        found.setdefault(row.assignment.task_id, []).append(row)
    totals = dict(
        session.execute(
            sa.select(Assignment.task_id, sa.func.count()).where(seen).group_by(Assignment.task_id)
        ).all()
    )
    return TaskRows(found, totals)


def one(
    session: Session, assignment_id: int, as_of: date, due_soon_days: int, user: User
) -> AssignmentRow | None:
    found = rows(session, as_of, due_soon_days, Assignment.id == assignment_id, visible_to(user))
    if not found:
        return None
    # Load what the page shows in a fixed number of queries.
    session.execute(
        sa.select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(
            selectinload(Assignment.submissions).options(
                joinedload(Submission.submitted_by), joinedload(Submission.reviewed_by)
            ),
            selectinload(Assignment.task, Task.indicators),
            selectinload(Assignment.periods).selectinload(Period.submissions),
            selectinload(Assignment.extensions),
        )
    )
    return found[0]
