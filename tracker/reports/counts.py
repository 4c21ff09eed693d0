"""Four-way counts per directive and the agencies that are late, as of a date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency
from tracker.assignments.deadlines import COUNTED, Outcome, outcome_expr, period_outcome_expr
from tracker.assignments.models import Assignment, Period
from tracker.directives.models import Directive, DirectiveStatus, Task


@dataclass
class FourWay:
    done_on_time: int = 0
    done_late: int = 0
    open_within: int = 0
    open_overdue: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.open_within + self.open_overdue

    @property
    def on_time_rate(self) -> float | None:
        """Share of counted work done on time, in percent."""
        return 100.0 * self.done_on_time / self.total if self.total else None

    def add(self, outcome: Outcome, count: int) -> None:
        if outcome in COUNTED:
            setattr(self, outcome.value, getattr(self, outcome.value) + count)


@dataclass
class DirectiveSummary:
    directive: Directive
    counts: FourWay = field(default_factory=FourWay)


def directive_summaries(
    session: Session, as_of: date, *, statuses: tuple[DirectiveStatus, ...] | None = None
) -> list[DirectiveSummary]:
    """Every directive with its four-way counts: two queries in all."""
    query = sa.select(Directive).order_by(Directive.issued_date.desc(), Directive.id.desc())
    if statuses:
        query = query.where(Directive.status.in_(statuses))
    summaries = {d.id: DirectiveSummary(d) for d in session.scalars(query)}
    outcome = outcome_expr(as_of)
    counts = session.execute(
        sa.select(Task.directive_id, outcome, sa.func.count())
        .join(Assignment, Assignment.task_id == Task.id)
        .group_by(Task.directive_id, outcome)
    )
    for directive_id, outcome_value, count in counts:
        if directive_id in summaries:
            summaries[directive_id].counts.add(Outcome(outcome_value), count)
    period_outcome = period_outcome_expr(as_of)
    period_counts = session.execute(
        sa.select(Task.directive_id, period_outcome, sa.func.count())
        .select_from(Period)
        .join(Assignment, Period.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .where(Period.starts_on <= as_of)
        .group_by(Task.directive_id, period_outcome)
    )
    for directive_id, outcome_value, count in period_counts:
        if directive_id in summaries:
            summaries[directive_id].counts.add(Outcome(outcome_value), count)
    return list(summaries.values())


def directive_counts(session: Session, directive_id: int, as_of: date) -> FourWay:
    counts = FourWay()
    outcome = outcome_expr(as_of)
    for outcome_value, count in session.execute(
        sa.select(outcome, sa.func.count())
        .select_from(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .where(Task.directive_id == directive_id)
        .group_by(outcome)
    ):
        counts.add(Outcome(outcome_value), count)
    period_outcome = period_outcome_expr(as_of)
    for outcome_value, count in session.execute(
        sa.select(period_outcome, sa.func.count())
        .select_from(Period)
        .join(Assignment, Period.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .where(Task.directive_id == directive_id, Period.starts_on <= as_of)
        .group_by(period_outcome)
    ):
        counts.add(Outcome(outcome_value), count)
    return counts


@dataclass(frozen=True)
class LateAgency:
    agency: Agency
    overdue: int
    #: The earliest missed deadline among its open work.
    oldest_due: date


def late_agencies(
    session: Session, as_of: date, directive_id: int | None = None, limit: int = 50
) -> list[LateAgency]:
    """Agencies with open overdue work, the most overdue first: one query."""
    outcome = outcome_expr(as_of)
    query = (
        sa.select(Agency, sa.func.count(Assignment.id), sa.func.min(Assignment.due_date))
        .join(Assignment, Assignment.agency_id == Agency.id)
        .where(outcome == Outcome.OPEN_OVERDUE.value)
        .group_by(Agency.id)
        .order_by(sa.func.count(Assignment.id).desc(), sa.func.min(Assignment.due_date), Agency.id)
        .limit(limit)
    )
    if directive_id is not None:
        query = query.join(Task, Assignment.task_id == Task.id).where(
            Task.directive_id == directive_id
        )
    return [LateAgency(agency, count, oldest) for agency, count, oldest in session.execute(query)]
