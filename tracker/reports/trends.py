"""The figures behind the dashboards' charts, read from the one model of obligations
and the one rule of reported figures: the on-time rate week by week, the agencies
ranked on an indicator, and the province-wide progress.

Every function is a fixed number of queries, whatever the amount of data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from tracker.agencies.models import Agency
from tracker.assignments import obligations, tally
from tracker.assignments.deadlines import COUNTED, Outcome
from tracker.assignments.models import Assignment
from tracker.assignments.obligations import Counts
from tracker.auth.models import User
from tracker.directives.models import Directive, DirectiveStatus, Indicator, Task
from tracker.reports.indicators import (
    ProvinceFigure,
    owing,
    province_figure,
    province_figures,
    reported,
)


def scope(user: User) -> tuple[sa.ColumnElement[bool], ...]:
    """Whose obligations a user's charts and figures count: the province's (everyone's
    work the office assigned) for the office and leaders, the agency's own for an
    agency user."""
    if user.reads_everything:
        return (obligations.PROVINCE,)
    return (Assignment.agency_id == user.agency_id,)


#: Weeks the on-time chart shows, the current one last.
WEEKS = 12


@dataclass(frozen=True)
class Week:
    """Obligations whose deadline fell in one week (Monday to Sunday), as judged on the
    day asked about: the rate is `Counts.on_time_rate`."""

    starts_on: date
    ends_on: date
    counts: Counts


def weekly_on_time(
    session: Session, as_of: date, *where: sa.ColumnElement[bool], weeks: int = WEEKS
) -> list[Week]:
    """The last `weeks` weeks up to `as_of`: one query (rows per deadline day)."""
    first, found = _weeks(as_of, weeks)
    owed = obligations.obligations(as_of, *where)
    rows = session.execute(
        sa.select(owed.c.due_date, owed.c.outcome, sa.func.count())
        .where(owed.c.due_date >= first, owed.c.due_date <= as_of)
        .group_by(owed.c.due_date, owed.c.outcome)
    )
    for due, outcome, count in rows:
        week = found[(due - first).days // 7]
        name = Outcome(outcome).value
        setattr(week.counts, name, getattr(week.counts, name) + int(count))
    return found


def province_weekly_on_time(session: Session, as_of: date, weeks: int = WEEKS) -> list[Week]:
    """`weekly_on_time` of the province's obligations (the office's and leaders'
    scope): one query, on the tallies from today on."""
    if not tally.usable_on(as_of):
        return weekly_on_time(session, as_of, obligations.PROVINCE, weeks=weeks)
    first, found = _weeks(as_of, weeks)
    for due, counts in tally.by_due_date(session, as_of, first).items():
        week = found[(due - first).days // 7]
        for outcome in COUNTED:
            name = outcome.value
            setattr(week.counts, name, getattr(week.counts, name) + counts.get(outcome))
    return found


def _weeks(as_of: date, weeks: int) -> tuple[date, list[Week]]:
    """The first Monday, and the weeks from it to the one holding `as_of`, counted
    nought."""
    this_monday = as_of - timedelta(days=as_of.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    found = [
        Week(first + timedelta(weeks=n), first + timedelta(weeks=n, days=6), Counts())
        for n in range(weeks)
    ]
    return first, found


@dataclass(frozen=True)
class Ranked:
    agency_code: str
    agency_name: str
    numerator: int
    #: None where agencies do not report one (a count, a fixed denominator).
    denominator: int | None
    #: The agency's own rate (None unless it reports its denominator).
    rate: float | None
    #: What agencies are ranked by (`Indicator.score`): the rate, else the number.
    score: float
    #: 1 = the highest score; ties share a rank (1, 2, 2, 4).
    rank: int
    #: Short of the target (`Indicator.gap`): points of a rate, or a number; 0 when met.
    gap: float | None


@dataclass(frozen=True)
class IndicatorRanking:
    directive: Directive
    indicator: Indicator
    lines: list[Ranked]
    #: The province-wide value, by the one rule of `ProvinceFigure`.
    province: ProvinceFigure


def featured_indicator(session: Session) -> tuple[Directive, Task, Indicator] | None:
    """The first indicator of the newest active directive that has one."""
    row = session.execute(
        sa.select(Directive, Task, Indicator)
        .join(Task, Task.directive_id == Directive.id)
        .join(Indicator, Indicator.task_id == Task.id)
        .where(Directive.status == DirectiveStatus.ACTIVE)
        .order_by(Directive.issued_date.desc(), Directive.id.desc(), Task.position, Indicator.id)
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


#: Indicators the office dashboard shows province-wide, newest directive first.
LIVE_FIGURES = 6


def live_figures(session: Session, as_of: date) -> list[ProvinceFigure]:
    """The province-wide figures of the active directives' indicators, the newest
    directive's first: three queries."""
    indicators = list(
        session.scalars(
            sa.select(Indicator)
            .join(Task, Indicator.task_id == Task.id)
            .join(Directive, Task.directive_id == Directive.id)
            .where(Directive.status == DirectiveStatus.ACTIVE)
            .order_by(
                Directive.issued_date.desc(), Directive.id.desc(), Task.position, Indicator.id
            )
            .limit(LIVE_FIGURES)
            .options(selectinload(Indicator.task).joinedload(Task.directive))
        )
    )
    return province_figures(session, as_of, indicators)


def indicator_ranking(session: Session, as_of: date) -> IndicatorRanking | None:
    """Agencies ranked on the featured indicator, as reported by `as_of`: three queries."""
    featured = featured_indicator(session)
    if featured is None:
        return None
    return ranking_of(session, as_of, *featured)


def first_indicator(session: Session, directive: Directive) -> tuple[Task, Indicator] | None:
    """A directive's first indicator (by task, then as defined) and its task."""
    row = session.execute(
        sa.select(Task, Indicator)
        .join(Indicator, Indicator.task_id == Task.id)
        .where(Task.directive_id == directive.id)
        .order_by(Task.position, Indicator.id)
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def ranking_of(
    session: Session, as_of: date, directive: Directive, task: Task, indicator: Indicator
) -> IndicatorRanking:
    """Agencies ranked on one indicator of `task`, as reported by `as_of`, and the
    province-wide figure: three queries."""
    said = reported(session, as_of, obligations.PROVINCE, Assignment.task_id == task.id)
    values = {
        agency_id: (*value, report.submitted_on)
        for (_task, agency_id), report in said.items()
        if (value := report.value(indicator.code)) is not None
        and indicator.score(*value) is not None
    }
    agencies = {
        agency.id: agency
        for agency in session.scalars(sa.select(Agency).where(Agency.id.in_(values)))
    }
    scored = {
        agency_id: (indicator.score(numerator, denominator) or 0.0, numerator, denominator)
        for agency_id, (numerator, denominator, _day) in values.items()
    }
    ordered = sorted(scored.items(), key=lambda item: (-item[1][0], agencies[item[0]].code))
    lines: list[Ranked] = []
    for position, (agency_id, (score, numerator, denominator)) in enumerate(ordered, start=1):
        rank = lines[-1].rank if lines and lines[-1].score == score else position
        lines.append(
            Ranked(
                agency_code=agencies[agency_id].code,
                agency_name=agencies[agency_id].short_name,
                numerator=numerator,
                denominator=denominator,
                rate=indicator.rate(numerator, denominator)
                if indicator.agencies_report_denominator
                else None,
                score=score,
                rank=rank,
                gap=indicator.gap(score),
            )
        )
    owed = owing(session, as_of, [task.id]).get(task.id, 0)
    figure = province_figure(indicator, list(values.values()), owed, as_of)
    return IndicatorRanking(directive, indicator, lines, figure)


@dataclass(frozen=True)
class Progress:
    """The province-wide figure: of everything owed so far, how much is done, and the
    on-time rate."""

    counts: Counts

    @property
    def done(self) -> int:
        return self.counts.done_on_time + self.counts.done_late

    @property
    def done_share(self) -> float | None:
        return 100.0 * self.done / self.counts.total if self.counts.total else None


def progress(session: Session, as_of: date, *where: sa.ColumnElement[bool]) -> Progress:
    return Progress(obligations.counts(session, as_of, *where))


#: Weeks of the province-wide trend an indicator's page shows, the current one last.
INDICATOR_WEEKS = 8


@dataclass(frozen=True)
class IndicatorPage:
    """One indicator as of a day: the agencies ranked, each agency's rate a week
    earlier (its trend), and the province-wide figure at the end of each past week."""

    ranking: IndicatorRanking
    task: Task
    #: Agency code -> its score seven days before (absent: no value then).
    week_before: dict[str, float]
    #: (day, province-wide figure), oldest first; the last is the day asked about.
    trend: list[tuple[date, ProvinceFigure | None]]

    def change(self, agency_code: str, score: float) -> float | None:
        """Gained since a week before: points of a rate, or a number (None without a
        value then)."""
        before = self.week_before.get(agency_code)
        return None if before is None else score - before


def indicator_page(session: Session, indicator_id: int, as_of: date) -> IndicatorPage | None:
    """Three queries per day read (INDICATOR_WEEKS + 1 of them), whatever the agencies."""
    row = session.execute(
        sa.select(Indicator, Task, Directive)
        .join(Task, Indicator.task_id == Task.id)
        .join(Directive, Task.directive_id == Directive.id)
        .where(Indicator.id == indicator_id)
    ).first()
    if row is None:
        return None
    indicator, task, directive = row
    ranking = ranking_of(session, as_of, directive, task, indicator)
    earlier = ranking_of(session, as_of - timedelta(days=7), directive, task, indicator)
    return IndicatorPage(
        ranking=ranking,
        task=task,
        week_before={line.agency_code: line.score for line in earlier.lines},
        trend=province_by_week(session, ranking, task, as_of, INDICATOR_WEEKS),
    )


def province_by_week(
    session: Session, ranking: IndicatorRanking, task: Task, as_of: date, weeks: int
) -> list[tuple[date, ProvinceFigure | None]]:
    """The province-wide figure of `ranking`'s indicator at the end (Sunday) of each of
    the `weeks - 1` weeks before `as_of`'s, then on `as_of` (`ranking` itself); None
    for a week that ended before the directive was issued. Three queries a week."""
    directive, indicator = ranking.directive, ranking.indicator
    issued = directive.issued_date or date.min
    last_sunday = as_of - timedelta(days=as_of.weekday() + 1)
    sundays = [last_sunday - timedelta(weeks=back) for back in range(weeks - 2, -1, -1)]
    return [
        (
            day,
            ranking_of(session, day, directive, task, indicator).province
            if day >= issued
            else None,
        )
        for day in sundays
    ] + [(as_of, ranking.province)]
