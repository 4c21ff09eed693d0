"""The leaders' accountability report (báo cáo tổng hợp tình hình thực hiện), as of a date.

Per directive and per agency: the assignments, the four-way count (done on time, done
late, open within deadline, open overdue), the on-time rate, the value and rank of the
directive's first indicator, and the accountable head; then an appendix with the
evidence manifest and the head hash of the event log.

The result holds plain values only (str, int, float, date, datetime, None), so PDF
templates and the XLSX/CSV exports (`tracker.reports.export`) never touch the ORM.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker import anchor, clock
from tracker.agencies.models import Agency
from tracker.assignments import obligations
from tracker.assignments.deadlines import COUNTED
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
)
from tracker.audit import GENESIS_HASH, Event
from tracker.auth.models import User
from tracker.chain_check import verify_since_checkpoint
from tracker.directives.doctypes import DocType
from tracker.directives.models import Directive, DirectiveStatus, Indicator, Task
from tracker.evidence.models import Evidence
from tracker.reports.indicators import end_of_day, reported
from tracker.text import display_name

#: Directives the report covers when no single one is asked for.
REPORTED_STATUSES = (DirectiveStatus.ACTIVE, DirectiveStatus.CLOSED)


@dataclass(frozen=True)
class AgencyLine:
    """One agency's obligations on one directive (`tracker.assignments.obligations`):
    the four counts add up to `total`, which is `reports` + `periods`."""

    agency_code: str
    agency_name: str
    #: As written in a signature block, e.g. "GIÁM ĐỐC"; the name may be empty.
    head_title: str
    head_name: str
    total: int
    #: Of the total: the assignments' own reports, and the reporting periods begun.
    reports: int
    periods: int
    done_on_time: int
    done_late: int
    open_within: int
    open_overdue: int
    #: `obligations.Counts.on_time_rate`: on time / judged; None when nothing is judged.
    on_time_rate: float | None
    #: The directive's first indicator (None when the directive has none).
    indicator_name: str | None
    #: In percent, from the latest accepted (else latest pending) submission as of the date.
    indicator_value: float | None
    #: 1 = highest value in the directive; ties share a rank (1, 2, 2, 4); None without value.
    indicator_rank: int | None
    #: Assignments whose working deadline was extended (the original stays on record).
    extended: int = 0


@dataclass(frozen=True)
class Totals:
    """Lines added up (a directive's, or the whole report's): the "Tổng cộng" row."""

    total: int
    reports: int
    periods: int
    done_on_time: int
    done_late: int
    open_within: int
    open_overdue: int
    on_time_rate: float | None
    extended: int


@dataclass(frozen=True)
class DirectiveSection:
    directive_id: int
    #: e.g. "1661/UBND-VX".
    reference: str
    #: e.g. "Công văn".
    doc_type_label: str
    #: e.g. "Công văn 1661/UBND-VX".
    title: str
    issued_date: date | None
    subject: str
    issuer: str
    #: Name of the directive's first indicator, None when it has none.
    indicator_name: str | None
    #: The unit of its values when they are numbers; None when they are rates (%).
    indicator_unit: str | None
    lines: tuple[AgencyLine, ...]
    totals: Totals


@dataclass(frozen=True)
class EvidenceLine:
    file_name: str
    sha256: str
    size: int
    agency_code: str
    agency_name: str
    #: The uploader's full name (else username); None when unknown.
    uploaded_by: str | None
    #: Timezone-aware, in Asia/Ho_Chi_Minh.
    uploaded_at: datetime
    #: Which directive and task the file was attached to, e.g. "1661/UBND-VX", "2".
    directive_reference: str
    task_number: str


@dataclass(frozen=True)
class AccountabilityReport:
    as_of: date
    #: Timezone-aware, in Asia/Ho_Chi_Minh.
    generated_at: datetime
    sections: tuple[DirectiveSection, ...]
    evidence: tuple[EvidenceLine, ...]
    #: Every section's totals added up.
    totals: Totals
    #: Events in the log and the row hash of the last one (GENESIS_HASH when empty); on a
    #: broken chain, those up to the last event that verifies.
    event_count: int
    event_head_hash: str
    #: The whole chain re-verified; None when the check was skipped.
    chain_ok: bool | None


def build_accountability(
    session: Session,
    as_of: date,
    directive_id: int | None = None,
    *,
    check_chain: bool = True,
) -> AccountabilityReport:
    """The accountability report as of the end of `as_of` (Asia/Ho_Chi_Minh).

    Covers every directive that is active or closed and has at least one assignment that
    is not cancelled, most recently issued first; or only `directive_id` (any status;
    LookupError if there is no such directive).

    Lines are sorted for leaders, the late first: most open overdue assignments first,
    then the lowest on-time rate, then by agency code.

    Five SQL queries for the sections and the evidence manifest, whatever the number of
    directives, agencies, assignments, submissions or files (counts are grouped in SQL
    with `outcome_expr`), then the event log: with `check_chain` the chain is verified
    from its last verified, anchored event on (`tracker.chain_check`: one query per
    1,000 new events; the whole chain without an anchor file); without it one query
    reads the event count and head hash, and `chain_ok` is None.

    Indicator values are taken as things stood at the end of `as_of`: submissions sent
    later are ignored, and a submission reviewed later counts as pending (so one returned
    after the date still gives its value, one accepted after it is "latest pending").
    """
    cutoff = end_of_day(as_of)
    directives = _directives(session, directive_id)
    if directive_id is not None and not directives:
        raise LookupError(f"no directive with id {directive_id}")
    indicators = _first_indicators(session, directive_id)
    values = _indicator_values(session, as_of, indicators)
    lines = _lines(session, as_of, directive_id, indicators, values)
    sections = tuple(
        _section(directive, indicators.get(directive["id"]), lines.get(directive["id"], []))
        for directive in directives
    )
    references = {section.directive_id: section.reference for section in sections}
    evidence = _evidence(session, directive_id, cutoff, references)
    if check_chain:
        chain = verify_since_checkpoint(session, anchor.path())
        event_count, head_hash, chain_ok = chain.count, chain.head_hash, chain.ok
    else:
        event_count, head_hash = _event_head(session)
        chain_ok = None
    return AccountabilityReport(
        as_of=as_of,
        generated_at=clock.now().astimezone(clock.LOCAL_ZONE),
        sections=sections,
        evidence=evidence,
        totals=_totals(section.totals for section in sections),
        event_count=event_count,
        event_head_hash=head_hash,
        chain_ok=chain_ok,
    )


# Queries -----------------------------------------------------------------------------------

#: Work that owes a report (see `tracker.assignments.obligations`).
_COUNTED_ASSIGNMENT = sa.and_(Assignment.status != AssignmentStatus.CANCELLED, Assignment.owes)


def _scoped(query: sa.Select, directive_id: int | None) -> sa.Select:
    """Restrict a query that joins Directive to the directives the report covers."""
    if directive_id is not None:
        return query.where(Directive.id == directive_id)
    return query.where(Directive.status.in_(REPORTED_STATUSES))


def _directives(session: Session, directive_id: int | None) -> list[dict[str, Any]]:
    query = sa.select(
        Directive.id,
        Directive.doc_type,
        Directive.number,
        Directive.symbol,
        Directive.issued_date,
        Directive.subject,
        Directive.issuer,
    ).order_by(Directive.issued_date.desc(), Directive.id.desc())
    if directive_id is None:
        query = query.where(
            Directive.status.in_(REPORTED_STATUSES),
            sa.exists()
            .where(Task.directive_id == Directive.id)
            .where(Assignment.task_id == Task.id, _COUNTED_ASSIGNMENT),
        )
    else:
        query = query.where(Directive.id == directive_id)
    return [dict(row._mapping) for row in session.execute(query)]


@dataclass(frozen=True)
class _FirstIndicator:
    task_id: int
    code: str
    name: str
    indicator: Indicator


def _first_indicators(session: Session, directive_id: int | None) -> dict[int, _FirstIndicator]:
    """The first indicator of each directive: by task position, then indicator id."""
    query = _scoped(
        sa.select(Task.directive_id, Indicator)
        .join(Indicator, Indicator.task_id == Task.id)
        .join(Directive, Task.directive_id == Directive.id)
        .order_by(Task.directive_id, Task.position, Task.id, Indicator.id),
        directive_id,
    )
    first: dict[int, _FirstIndicator] = {}
    for directive, indicator in session.execute(query):
        first.setdefault(
            directive, _FirstIndicator(indicator.task_id, indicator.code, indicator.name, indicator)
        )
    return first


def _indicator_values(
    session: Session,
    as_of: date,
    indicators: dict[int, _FirstIndicator],
) -> dict[tuple[int, int], float | None]:
    """{(task id, agency id): score} of each directive's first indicator (its rate in
    percent, or its number: `Indicator.score`), as `tracker.reports.indicators.reported`
    chooses the submission."""
    by_task = {first.task_id: first.indicator for first in indicators.values()}
    if not by_task:
        return {}
    found = reported(session, as_of, Assignment.task_id.in_(by_task))
    values: dict[tuple[int, int], float | None] = {}
    for key, item in found.items():
        indicator = by_task[key[0]]
        value = item.value(indicator.code)
        values[key] = None if value is None else indicator.score(*value)
    return values


def _lines(
    session: Session,
    as_of: date,
    directive_id: int | None,
    indicators: dict[int, _FirstIndicator],
    values: dict[tuple[int, int], float | None],
) -> dict[int, list[AgencyLine]]:
    scope = (
        (Task.directive_id == directive_id,)
        if directive_id is not None
        else (Task.directive_id.in_(_reported_directives()),)
    )
    by_line = obligations.count_by(
        session, as_of, ("directive_id", "agency_id"), obligations.PROVINCE, *scope
    )
    agencies = {
        agency.id: agency
        for agency in session.execute(
            sa.select(
                Agency.id, Agency.code, Agency.name, Agency.head_title, Agency.head_name
            ).where(Agency.id.in_({agency_id for _, agency_id in by_line}))
        )
    }
    found: dict[int, list[AgencyLine]] = {}
    for (directive, agency_id), counts in by_line.items():
        agency = agencies[agency_id]
        indicator = indicators.get(directive)
        value = values.get((indicator.task_id, agency_id)) if indicator else None
        found.setdefault(directive, []).append(
            AgencyLine(
                agency_code=agency.code,
                agency_name=agency.name,
                head_title=agency.head_title,
                head_name=agency.head_name,
                total=counts.total,
                reports=counts.reports,
                periods=counts.periods,
                done_on_time=counts.done_on_time,
                done_late=counts.done_late,
                open_within=counts.open_within,
                open_overdue=counts.open_overdue,
                on_time_rate=counts.on_time_rate,
                indicator_name=indicator.name if indicator else None,
                indicator_value=value,
                indicator_rank=None,
                extended=counts.extended,
            )
        )
    return found


def _reported_directives() -> sa.Select:
    return sa.select(Directive.id).where(Directive.status.in_(REPORTED_STATUSES))


def _evidence(
    session: Session, directive_id: int | None, cutoff: datetime, references: dict[int, str]
) -> tuple[EvidenceLine, ...]:
    """Files uploaded before `cutoff` to the covered directives, in report order."""
    query = _scoped(
        sa.select(
            Evidence.original_name,
            Evidence.sha256,
            Evidence.size,
            Evidence.uploaded_at,
            Agency.code,
            Agency.name,
            User.full_name,
            User.username,
            Task.directive_id,
            Task.number,
        )
        .select_from(Evidence)
        .join(Assignment, Evidence.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Directive, Task.directive_id == Directive.id)
        .join(Agency, Assignment.agency_id == Agency.id)
        .outerjoin(User, Evidence.uploaded_by_id == User.id)
        .where(Evidence.uploaded_at < cutoff)
        .order_by(
            Directive.issued_date.desc(), Directive.id.desc(), Evidence.uploaded_at, Evidence.id
        ),
        directive_id,
    )
    return tuple(
        EvidenceLine(
            file_name=display_name(row.original_name),
            sha256=row.sha256,
            size=row.size,
            agency_code=row.code,
            agency_name=row.name,
            uploaded_by=(row.full_name or row.username) or None,
            uploaded_at=row.uploaded_at.astimezone(clock.LOCAL_ZONE),
            directive_reference=references[row.directive_id],
            task_number=row.number,
        )
        for row in session.execute(query)
        if row.directive_id in references
    )


def _event_head(session: Session) -> tuple[int, str]:
    last_hash = sa.select(Event.row_hash).order_by(Event.id.desc()).limit(1).scalar_subquery()
    count, head = session.execute(sa.select(sa.func.count(Event.id), last_hash)).one()
    return int(count), head or GENESIS_HASH


# Assembly ----------------------------------------------------------------------------------


def _section(
    directive: dict[str, Any], indicator: _FirstIndicator | None, lines: list[AgencyLine]
) -> DirectiveSection:
    doc_type = DocType(directive["doc_type"])
    number, symbol = directive["number"], directive["symbol"]
    # As Directive.reference and Directive.title.
    reference = f"{number}/{symbol}" if number else symbol
    ranked = _ranked(lines)
    ranked.sort(key=_line_order)
    return DirectiveSection(
        directive_id=directive["id"],
        reference=reference,
        doc_type_label=doc_type.label,
        title=f"{doc_type.label} {reference}",
        issued_date=directive["issued_date"],
        subject=directive["subject"],
        issuer=directive["issuer"],
        indicator_name=indicator.name if indicator else None,
        indicator_unit=None
        if indicator is None or indicator.indicator.agencies_report_denominator
        else indicator.indicator.unit,
        lines=tuple(ranked),
        totals=_totals(ranked),
    )


def _ranked(lines: list[AgencyLine]) -> list[AgencyLine]:
    """Competition ranking of indicator values, highest first: 1, 2, 2, 4."""
    values = sorted(
        (line.indicator_value for line in lines if line.indicator_value is not None),
        reverse=True,
    )
    first_position: dict[float, int] = {}
    for position, value in enumerate(values, start=1):
        first_position.setdefault(value, position)
    return [
        line
        if line.indicator_value is None
        else replace(line, indicator_rank=first_position[line.indicator_value])
        for line in lines
    ]


def _line_order(line: AgencyLine) -> tuple[int, float, str]:
    rate_key = line.on_time_rate if line.on_time_rate is not None else math.inf
    return (-line.open_overdue, rate_key, line.agency_code)


def _totals(lines: Iterable[AgencyLine | Totals]) -> Totals:
    lines = list(lines)
    counts = {
        name: sum(getattr(line, name) for line in lines)
        for name in ("total", "reports", "periods", *(kind.value for kind in COUNTED), "extended")
    }
    rate = obligations.Counts(**{kind.value: counts[kind.value] for kind in COUNTED}).on_time_rate
    return Totals(**counts, on_time_rate=rate)
