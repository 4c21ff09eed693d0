"""What an assignment's report says as of a date (its text and indicator figures), and
the aggregates of figures.

Which submission speaks for an assignment on a date: its latest accepted one, else its
latest still pending then; a submission sent later does not exist yet, and one reviewed
later was still pending then (so one returned after the date still gives its value).
Both the assignment's own reports and its periods' reports count, so a weekly figure is
kept week by week.

An aggregate sums numerators and denominators, never averages the rates. The
province-wide figure of an indicator is read by one rule, `province_figure`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker import clock
from tracker.assignments import obligations
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    Submission,
    SubmissionOutcome,
)
from tracker.directives.models import Indicator
from tracker.formatting import format_number, format_percent


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

    def value(self, code: str) -> tuple[int, int | None] | None:
        """(numerator, denominator) of an indicator; the denominator is None where
        agencies do not report one (a count, a fixed denominator)."""
        found = (self.figures or {}).get(code)
        if not found or len(found) != 2 or found[0] is None:
            return None
        return int(found[0]), None if found[1] is None else int(found[1])


def describe(
    indicator: Indicator,
    numerator: int,
    denominator: int | None,
    *,
    number: Callable[..., str] = format_number,
    percent: Callable[[float | None], str] = format_percent,
) -> str:
    """One value as a reader reads it: '118/120 (98,3 %)' for a ratio with its
    denominator (an agency's own, or the province's fixed one), '12.345 người' for a
    count or an agency's share of a fixed denominator."""
    if indicator.is_ratio and denominator:
        return (
            f"{number(numerator)}/{number(denominator)}"
            f" ({percent(indicator.rate(numerator, denominator))})"
        )
    return f"{number(numerator)} {indicator.unit}".strip()


def target_text(indicator: Indicator, *, number: Callable[..., str] = format_number) -> str:
    """'100 %' of a ratio, '10 tin, bài' of a count (each agency's); '' without one.
    A target keeps the decimals it was given."""
    if indicator.target is None:
        return ""
    decimals = 0 if indicator.target == indicator.target.to_integral() else 2
    if indicator.is_ratio:
        return f"{number(float(indicator.target), decimals)}\u00a0%"
    return f"{number(float(indicator.target), decimals)} {indicator.unit}".strip()


def reported(
    session: Session, as_of: date, *where: sa.ColumnElement[bool], periods: bool = True
) -> dict[tuple[int, int], Reported]:
    """{(task id, agency id): Reported} for the owed, uncancelled assignments that
    `where` selects (on Assignment columns), as things stood at the end of `as_of`: one
    query. Without `periods`, only the assignment's own reports speak (its reply)."""
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
            Submission.submitted_at < cutoff,
            sa.or_(accepted_then, pending_then),
            Submission.period_id.is_(None) if not periods else sa.true(),
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
class ProvinceFigure:
    """An indicator's province-wide value on a day, by one rule:

    1. when every agency that owes the figure has reported it, the sum of their values;
    2. else, when the directive stated a figure by then (its baseline), that figure;
    3. else, the sum of the values reported so far (partial: `reporting` < `owing`).

    Sums are numerators over denominators (the agencies' own, or the province's fixed
    one), never a mean of rates. A stated figure gives way to a complete sum of reports
    from its date on; a partial sum never replaces it, since the agencies yet to report
    would be counted as zero."""

    indicator: Indicator
    #: None: nothing reported and nothing stated.
    numerator: int | None
    denominator: int | None
    #: The day the value speaks for: the latest report summed, or the stated figure's.
    day: date | None
    #: True: the directive's own figure (`indicator.baseline_source` says where from).
    stated: bool
    #: Agencies whose values are summed in `reported`, of those that owe one.
    reporting: int
    owing: int
    #: The sum of the values reported so far (numerator, denominator or None).
    reported: tuple[int, int | None]

    @property
    def rate(self) -> float | None:
        if self.numerator is None:
            return None
        return self.indicator.rate(self.numerator, self.denominator)

    @property
    def complete(self) -> bool:
        return _complete(self.reporting, self.owing)

    @property
    def headline(self) -> float | None:
        """What a chart plots: the rate of a ratio, the number of a count."""
        if self.numerator is None:
            return None
        return self.rate if self.indicator.is_ratio else float(self.numerator)

    def describe(self, **formats: Callable[..., str]) -> str:
        """`describe` of the figure; '' when there is none."""
        if self.numerator is None:
            return ""
        return describe(self.indicator, self.numerator, self.denominator, **formats)

    @property
    def gap(self) -> float | None:
        """Percentage points short of a ratio's target (0 when met); None for a count,
        whose target is each agency's."""
        if not self.indicator.is_ratio or self.indicator.target is None or self.rate is None:
            return None
        return max(0.0, float(self.indicator.target) - self.rate)


def _complete(reporting: int, owing: int) -> bool:
    """Every agency that owes a value has reported one."""
    return owing > 0 and reporting >= owing


def province_figure(
    indicator: Indicator,
    values: list[tuple[int, int | None, date]],
    owing: int,
    as_of: date,
) -> ProvinceFigure:
    """The rule of `ProvinceFigure`, over the agencies' (numerator, denominator, day
    reported) values as of `as_of` and how many agencies owe one."""
    numerator = sum(value[0] for value in values)
    if indicator.agencies_report_denominator:
        denominator: int | None = sum(value[1] or 0 for value in values)
    else:
        denominator = indicator.denominator_value
    latest = max((value[2] for value in values), default=None)
    summed = (numerator, denominator)
    stated_on = indicator.baseline_date
    complete = _complete(len(values), owing)
    if (
        indicator.baseline_numerator is not None
        and stated_on is not None
        and stated_on <= as_of
        and not (complete and latest is not None and latest >= stated_on)
    ):
        return ProvinceFigure(
            indicator,
            indicator.baseline_numerator,
            indicator.denominator_value,
            stated_on,
            True,
            len(values),
            owing,
            summed,
        )
    return ProvinceFigure(
        indicator,
        numerator if values else None,
        denominator if values else None,
        latest,
        False,
        len(values),
        owing,
        summed,
    )


def owing(session: Session, as_of: date, task_ids: list[int]) -> dict[int, int]:
    """{task id: how many agencies owe its figures on `as_of`} at the province's level:
    assigned by then, owing a report, not cancelled by then. One query."""
    if not task_ids:
        return {}
    rows = session.execute(
        sa.select(Assignment.task_id, sa.func.count())
        .where(
            Assignment.task_id.in_(task_ids),
            obligations.PROVINCE,
            Assignment.owes,
            Assignment.assigned_at < end_of_day(as_of),
            Assignment.standing_on(as_of),
        )
        .group_by(Assignment.task_id)
    )
    return {task_id: int(count) for task_id, count in rows}


def province_figures(
    session: Session, as_of: date, indicators: list[Indicator]
) -> list[ProvinceFigure]:
    """Each indicator's `ProvinceFigure` on `as_of`: two queries for any number."""
    task_ids = sorted({indicator.task_id for indicator in indicators})
    if not task_ids:
        return []
    said = reported(session, as_of, obligations.PROVINCE, Assignment.task_id.in_(task_ids))
    owed = owing(session, as_of, task_ids)
    figures = []
    for indicator in indicators:
        values = [
            (*value, report.submitted_on)
            for (task_id, _agency), report in said.items()
            if task_id == indicator.task_id and (value := report.value(indicator.code))
        ]
        figures.append(province_figure(indicator, values, owed.get(indicator.task_id, 0), as_of))
    return figures
