"""What an assignment's report says as of a date (its text and indicator figures), and
the aggregates of figures.

Which submission speaks for an assignment on a date: its latest accepted one, else its
latest still pending then; a submission sent later does not exist yet, and one reviewed
later was still pending then (so one returned after the date still gives its value).
Reporting periods carry no figures: only the assignment's own submissions count.

An aggregate sums numerators and denominators, never averages the rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker import clock
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    Submission,
    SubmissionOutcome,
)


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in Vietnam (exclusive bound), as UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), clock.LOCAL_ZONE).astimezone(UTC)


@dataclass(frozen=True)
class Reported:
    """What one assignment's speaking submission says."""

    task_id: int
    agency_id: int
    text: str
    figures: dict[str, Any]
    submitted_on: date
    accepted: bool

    def value(self, code: str) -> tuple[int, int] | None:
        found = (self.figures or {}).get(code)
        if not found or len(found) != 2 or not found[1]:
            return None
        return int(found[0]), int(found[1])

    def rate(self, code: str) -> float | None:
        return rate(self.figures, code)


def rate(figures: dict[str, Any] | None, code: str) -> float | None:
    """An indicator's value in percent, as `Submission.rate`: [118, 120] -> 98.33."""
    value = (figures or {}).get(code)
    if not value or len(value) != 2 or not value[1]:
        return None
    return 100.0 * value[0] / value[1]


def reported(
    session: Session, as_of: date, *where: sa.ColumnElement[bool]
) -> dict[tuple[int, int], Reported]:
    """{(task id, agency id): Reported} for the owed, uncancelled assignments that
    `where` selects (on Assignment columns), as things stood at the end of `as_of`: one
    query."""
    cutoff = end_of_day(as_of)
    reviewed_by_then = sa.and_(Submission.reviewed_at.is_not(None), Submission.reviewed_at < cutoff)
    accepted_then = sa.and_(Submission.outcome == SubmissionOutcome.ACCEPTED, reviewed_by_then)
    pending_then = sa.or_(Submission.outcome == SubmissionOutcome.PENDING, ~reviewed_by_then)
    preference = sa.case((accepted_then, 0), else_=1)
    ranked = (
        sa.select(
            Assignment.task_id,
            Assignment.agency_id,
            Submission.text,
            Submission.figures,
            Submission.submitted_at,
            preference.label("preference"),
            sa.func.row_number()
            .over(
                partition_by=Submission.assignment_id,
                order_by=(preference, Submission.submitted_at.desc(), Submission.id.desc()),
            )
            .label("position"),
        )
        .join(Assignment, Submission.assignment_id == Assignment.id)
        .where(
            Assignment.status != AssignmentStatus.CANCELLED,
            Assignment.owes,
            Submission.period_id.is_(None),
            Submission.submitted_at < cutoff,
            sa.or_(accepted_then, pending_then),
            *where,
        )
    ).subquery()
    return {
        (row.task_id, row.agency_id): Reported(
            task_id=row.task_id,
            agency_id=row.agency_id,
            text=row.text,
            figures=row.figures or {},
            submitted_on=clock.local_date(row.submitted_at),
            accepted=row.preference == 0,
        )
        for row in session.execute(sa.select(ranked).where(ranked.c.position == 1))
    }


@dataclass(frozen=True)
class Aggregate:
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return 100.0 * self.numerator / self.denominator if self.denominator else None


def aggregate(values: list[tuple[int, int]]) -> Aggregate:
    """The total of several (numerator, denominator): sums, not a mean of rates."""
    return Aggregate(sum(value[0] for value in values), sum(value[1] for value in values))
