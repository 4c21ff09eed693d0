"""Four-way counts per directive and the agencies that are late, as of a date, read
from the one model of obligations (`tracker.assignments.obligations`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency
from tracker.assignments import obligations, tally
from tracker.assignments.obligations import Counts
from tracker.directives.models import Directive, DirectiveStatus, Task


@dataclass
class DirectiveSummary:
    directive: Directive
    counts: Counts = field(default_factory=Counts)


def directive_summaries(
    session: Session,
    as_of: date,
    *where: sa.ColumnElement[bool],
    statuses: tuple[DirectiveStatus, ...] | None = None,
) -> list[DirectiveSummary]:
    """Every directive with its four-way counts (of the province's obligations `where`
    selects, on Assignment and Task columns): two queries in all."""
    query = sa.select(Directive).order_by(Directive.issued_date.desc(), Directive.id.desc())
    if statuses:
        query = query.where(Directive.status.in_(statuses))
    summaries = {d.id: DirectiveSummary(d) for d in session.scalars(query)}
    by_directive = obligations.count_by(
        session, as_of, ("directive_id",), obligations.PROVINCE, *where
    )
    for (directive_id,), counts in by_directive.items():
        if directive_id in summaries:
            summaries[directive_id].counts = counts
    return list(summaries.values())


#: Directives a page of the dashboard's table lists, the newest first.
DIRECTIVES_PER_PAGE = 25


@dataclass
class DirectivePage:
    """One page of the dashboard's directive table, and the total of every directive
    it pages through (not of the page's rows alone)."""

    summaries: list[DirectiveSummary]
    total: Counts
    page: int
    pages: int


def directive_page(
    session: Session,
    as_of: date,
    page: int,
    *,
    statuses: tuple[DirectiveStatus, ...] | None = None,
    visible: sa.ColumnElement[bool] | None = None,
    per_page: int | None = None,
) -> DirectivePage:
    """The directives of `statuses` (all when None) that `visible` selects (all when
    None), on page `page` (from 1; a page past the last gives the last), the newest
    first, each with the province's four-way counts, and their total: four queries,
    whatever the number of directives."""
    per_page = per_page or DIRECTIVES_PER_PAGE
    conditions = [
        *([] if statuses is None else [Directive.status.in_(statuses)]),
        *([] if visible is None else [visible]),
    ]
    number = session.scalar(sa.select(sa.func.count()).select_from(Directive).where(*conditions))
    pages = max(1, -(-(number or 0) // per_page))
    page = min(max(page, 1), pages)
    shown = list(
        session.scalars(
            sa.select(Directive)
            .where(*conditions)
            .order_by(Directive.issued_date.desc(), Directive.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    by_directive = obligations.count_by(
        session,
        as_of,
        ("directive_id",),
        obligations.PROVINCE,
        Task.directive_id.in_([directive.id for directive in shown]),
    )
    summaries = [
        DirectiveSummary(directive, by_directive.get((directive.id,), Counts()))
        for directive in shown
    ]
    if visible is None and tally.usable_on(as_of):
        total = tally.province_counts(session, as_of, statuses)
    else:
        listed = sa.select(Directive.id).where(*conditions)
        total = obligations.counts(
            session, as_of, obligations.PROVINCE, Task.directive_id.in_(listed)
        )
    return DirectivePage(summaries, total, page, pages)


def directive_counts(session: Session, directive_id: int, as_of: date) -> Counts:
    return obligations.counts(
        session, as_of, obligations.PROVINCE, Task.directive_id == directive_id
    )


@dataclass(frozen=True)
class LateAgency:
    agency: Agency
    overdue: int
    #: The earliest missed deadline among its open work.
    oldest_due: date


def late_agencies(
    session: Session, as_of: date, directive_id: int | None = None, limit: int = 50
) -> list[LateAgency]:
    """Agencies with open overdue obligations to the province (reports and periods), the
    most first."""
    if directive_id is None and tally.usable_on(as_of):
        late = tally.late_agencies(session, as_of, limit)
    else:
        where = () if directive_id is None else (Task.directive_id == directive_id,)
        late = obligations.late_agencies(session, as_of, obligations.PROVINCE, *where, limit=limit)
    agencies = {
        agency.id: agency
        for agency in session.scalars(
            sa.select(Agency).where(Agency.id.in_([item.agency_id for item in late]))
        )
    }
    return [LateAgency(agencies[item.agency_id], item.overdue, item.oldest_due) for item in late]
