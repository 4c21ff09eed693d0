"""What waits on a user: the inbox and the navbar's count.

For the office (secretariat and admins): reports to accept or return, extension requests
to decide, imported or entered directives to confirm, and the agencies with overdue
work. For an agency: work returned to it, new assignments not yet started, work and
reporting periods due soon or overdue, and the reports of other agencies that it
reviews (a task's report_to). A leader sees the agencies with overdue work.

Every section is one query with a limit, and the counts are one query, whatever the
amount of data. Each count stops at COUNT_LIMIT + 1 rows, so it costs the same at any
size; a count past the limit shows as "999+" (`shown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from tracker import clock
from tracker.agencies.models import Agency
from tracker.assignments.deadlines import soon_cutoff
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
    Period,
    PeriodStatus,
    Submission,
)
from tracker.assignments.queries import decides_extensions_of, reviewed_by
from tracker.auth.models import Role, User
from tracker.directives.models import (
    Directive,
    DirectiveStatus,
    ImportDraft,
    ImportStatus,
    Task,
    title_of,
)
from tracker.reports.counts import LateAgency, late_agencies

#: Rows shown per section; the count says how many there are in all.
SECTION_ROWS = 30

#: Counts are exact up to this; more shows as "999+".
COUNT_LIMIT = 999

#: Imports that wait on the office: parsed and waiting for review, or failed.
WAITING_IMPORTS = (ImportStatus.OPEN, ImportStatus.FAILED)


@dataclass(frozen=True)
class Work:
    """One assignment, or one reporting period of it, as an inbox row."""

    assignment_id: int
    #: Set for a reporting period's row.
    period_id: int | None
    version: int
    directive_title: str
    task_number: str
    task_title: str
    agency_name: str
    due_date: date | None
    #: The period's dates, for a period's row.
    starts_on: date | None = None
    ends_on: date | None = None
    #: The report waiting for review, or the reviewer's reason for returning it.
    text: str = ""
    #: When the report was sent (reviews) or the work was given (new work).
    at: date | None = None

    def overdue_on(self, day: date) -> bool:
        """Past its deadline on `day` (the deadline state's rule: due before the day)."""
        return self.due_date is not None and self.due_date < day


@dataclass(frozen=True)
class Extension:
    extension_id: int
    assignment_id: int
    directive_title: str
    task_number: str
    task_title: str
    agency_name: str
    due_date: date | None
    proposed_date: date
    reason: str


@dataclass(frozen=True)
class Draft:
    """An import waiting for review, or a directive entered and not yet confirmed."""

    import_id: int | None
    directive_id: int | None
    title: str
    created_on: date
    failed: bool = False


@dataclass
class Inbox:
    reviews: list[Work] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    late: list[LateAgency] = field(default_factory=list)
    returned: list[Work] = field(default_factory=list)
    new: list[Work] = field(default_factory=list)
    due: list[Work] = field(default_factory=list)
    counts: Counts | None = None


@dataclass(frozen=True)
class Counts:
    """How many items of each section wait on the user; `total` is the navbar's badge."""

    reviews: int = 0
    extensions: int = 0
    drafts: int = 0
    returned: int = 0
    new: int = 0
    due: int = 0

    @property
    def total(self) -> int:
        return self.reviews + self.extensions + self.drafts + self.returned + self.new + self.due


# Who sees what ------------------------------------------------------------------------------


def _reviewed_by(user: User) -> sa.ColumnElement[bool]:
    """Assignments whose reports the user decides (`Assignment.is_reviewer` in SQL)."""
    return reviewed_by(user)


def _own(user: User) -> sa.ColumnElement[bool]:
    """The user's own agency's work that owes a report."""
    if user.role != Role.AGENCY or user.agency_id is None:
        return sa.false()
    return sa.and_(Assignment.agency_id == user.agency_id, Assignment.owes)


_ACTIVE = Directive.status == DirectiveStatus.ACTIVE


def _assignment_reviews(user: User) -> sa.ColumnElement[bool]:
    return sa.and_(_reviewed_by(user), Assignment.status == AssignmentStatus.SUBMITTED, _ACTIVE)


def _period_reviews(user: User) -> sa.ColumnElement[bool]:
    return sa.and_(_reviewed_by(user), Period.status == PeriodStatus.SUBMITTED, _ACTIVE)


def _returned(user: User) -> sa.ColumnElement[bool]:
    return sa.and_(_own(user), Assignment.status == AssignmentStatus.RETURNED, _ACTIVE)


def _returned_periods(user: User) -> sa.ColumnElement[bool]:
    return sa.and_(
        _own(user),
        Assignment.status.not_in((AssignmentStatus.CANCELLED,)),
        Period.status == PeriodStatus.RETURNED,
        _ACTIVE,
    )


def _new(user: User) -> sa.ColumnElement[bool]:
    return sa.and_(_own(user), Assignment.status == AssignmentStatus.ASSIGNED, _ACTIVE)


def _due_work(user: User, cutoff: date) -> sa.ColumnElement[bool]:
    """Started work with a deadline on or before `cutoff` (overdue included)."""
    return sa.and_(
        _own(user),
        Assignment.status == AssignmentStatus.IN_PROGRESS,
        Assignment.due_date <= cutoff,
        _ACTIVE,
    )


def _due_periods(user: User, today: date, cutoff: date) -> sa.ColumnElement[bool]:
    """Begun periods still to report, due on or before `cutoff` (overdue included)."""
    return sa.and_(
        _own(user),
        Assignment.status.not_in((AssignmentStatus.CANCELLED, AssignmentStatus.DONE)),
        Period.status == PeriodStatus.OPEN,
        Period.starts_on <= today,
        Period.due_date <= cutoff,
        _ACTIVE,
    )


def _pending_extensions(user: User) -> sa.ColumnElement[bool]:
    return sa.and_(
        decides_extensions_of(user), ExtensionRequest.status == ExtensionStatus.PENDING, _ACTIVE
    )


# Counts ---------------------------------------------------------------------------------------


def _count(query: sa.Select) -> sa.ScalarSelect:
    """The rows of `query`, counted up to COUNT_LIMIT + 1."""
    first = query.limit(COUNT_LIMIT + 1).subquery()
    return sa.select(sa.func.count()).select_from(first).scalar_subquery()


def shown(count: int) -> str:
    """A count as a badge shows it: "999+" past COUNT_LIMIT."""
    return f"{COUNT_LIMIT}+" if count > COUNT_LIMIT else str(count)


def _assignments() -> sa.Select:
    return (
        sa.select(Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Directive, Task.directive_id == Directive.id)
    )


def _periods() -> sa.Select:
    return (
        sa.select(Period.id)
        .join(Assignment, Period.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Directive, Task.directive_id == Directive.id)
    )


def _extensions() -> sa.Select:
    return (
        sa.select(ExtensionRequest.id)
        .join(Assignment, ExtensionRequest.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Directive, Task.directive_id == Directive.id)
    )


def _waiting_drafts(user: User) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """Imports waiting for review, and directives not yet confirmed (office only)."""
    if not user.is_staff:
        return sa.false(), sa.false()
    return (
        ImportDraft.status.in_(WAITING_IMPORTS),
        Directive.status == DirectiveStatus.DRAFT,
    )


def counts(session: Session, user: User, today: date, due_soon_days: int) -> Counts:
    """Every section's count in one query."""
    if user.role == Role.LEADER:
        return Counts()
    cutoff = soon_cutoff(today, due_soon_days)
    imports, directives = _waiting_drafts(user)
    row = session.execute(
        sa.select(
            _count(_assignments().where(_assignment_reviews(user)))
            + _count(_periods().where(_period_reviews(user))),
            _count(_extensions().where(_pending_extensions(user))),
            _count(sa.select(ImportDraft.id).where(imports))
            + _count(sa.select(Directive.id).where(directives)),
            _count(_assignments().where(_returned(user)))
            + _count(_periods().where(_returned_periods(user))),
            _count(_assignments().where(_new(user))),
            _count(_assignments().where(_due_work(user, cutoff)))
            + _count(_periods().where(_due_periods(user, today, cutoff))),
        )
    ).one()
    return Counts(*(int(value or 0) for value in row))


# Sections -------------------------------------------------------------------------------------


def _work_columns(text: sa.ColumnElement | None = None, at: sa.ColumnElement | None = None):
    return (
        Assignment.id,
        Assignment.version,
        Directive.doc_type,
        Directive.number,
        Directive.symbol,
        Task.number.label("task_number"),
        Task.title,
        Agency.short_name,
        (text if text is not None else sa.literal("")).label("text"),
        (at if at is not None else sa.null()).label("at"),
    )


def _named(query: sa.Select) -> sa.Select:
    """Join what names a row (its task, directive and agency) to a query of Assignment."""
    return (
        query.join(Task, Assignment.task_id == Task.id)
        .join(Directive, Task.directive_id == Directive.id)
        .join(Agency, Assignment.agency_id == Agency.id)
    )


def _directive_title(row) -> str:
    return title_of(row.doc_type, row.number, row.symbol)


def _assignment_rows(
    session: Session, where: sa.ColumnElement[bool], *, text=None, at=None, order=()
) -> list[Work]:
    query = (
        _named(sa.select(*_work_columns(text, at), Assignment.due_date).select_from(Assignment))
        .where(where)
        .order_by(*order, Assignment.due_date.is_(None), Assignment.due_date, Assignment.id)
        .limit(SECTION_ROWS)
    )
    return [
        Work(
            assignment_id=row.id,
            period_id=None,
            version=row.version,
            directive_title=_directive_title(row),
            task_number=row.task_number,
            task_title=row.title,
            agency_name=row.short_name,
            due_date=row.due_date,
            text=row.text or "",
            at=_day(row.at),
        )
        for row in session.execute(query)
    ]


def _period_rows(
    session: Session, where: sa.ColumnElement[bool], *, text=None, at=None
) -> list[Work]:
    query = (
        sa.select(
            *_work_columns(text, at),
            Period.id.label("period_id"),
            Period.version.label("period_version"),
            Period.due_date,
            Period.starts_on,
            Period.ends_on,
        )
        .select_from(Period)
        .join(Assignment, Period.assignment_id == Assignment.id)
    )
    query = _named(query).where(where).order_by(Period.due_date, Period.id).limit(SECTION_ROWS)
    return [
        Work(
            assignment_id=row.id,
            period_id=row.period_id,
            version=row.period_version,
            directive_title=_directive_title(row),
            task_number=row.task_number,
            task_title=row.title,
            agency_name=row.short_name,
            due_date=row.due_date,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            text=row.text or "",
            at=_day(row.at),
        )
        for row in session.execute(query)
    ]


def _day(value) -> date | None:
    return clock.local_date(value) if value is not None else None


def _latest_submission(*, period: bool, column: str) -> sa.ScalarSelect:
    """A column of the latest submission of the row's assignment (or of its period)."""
    latest = aliased(Submission)
    owner = (
        latest.period_id == Period.id
        if period
        else sa.and_(latest.assignment_id == Assignment.id, latest.period_id.is_(None))
    )
    return (
        sa.select(getattr(latest, column))
        .where(owner)
        .order_by(latest.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _reviews(session: Session, user: User) -> list[Work]:
    text = _latest_submission(period=False, column="text")
    at = _latest_submission(period=False, column="submitted_at")
    period_text = _latest_submission(period=True, column="text")
    period_at = _latest_submission(period=True, column="submitted_at")
    found = _assignment_rows(session, _assignment_reviews(user), text=text, at=at) + _period_rows(
        session, _period_reviews(user), text=period_text, at=period_at
    )
    return sorted(found, key=lambda work: (work.at or date.min, work.assignment_id))[:SECTION_ROWS]


def _returned_rows(session: Session, user: User) -> list[Work]:
    reason = _latest_submission(period=False, column="review_comment")
    period_reason = _latest_submission(period=True, column="review_comment")
    return _assignment_rows(session, _returned(user), text=reason) + _period_rows(
        session, _returned_periods(user), text=period_reason
    )


def _due_rows(session: Session, user: User, today: date, cutoff: date) -> list[Work]:
    found = _assignment_rows(session, _due_work(user, cutoff)) + _period_rows(
        session, _due_periods(user, today, cutoff)
    )
    return sorted(found, key=lambda work: (work.due_date or date.max, work.assignment_id))[
        :SECTION_ROWS
    ]


def _extension_rows(session: Session, user: User) -> list[Extension]:
    query = (
        sa.select(
            ExtensionRequest.id.label("extension_id"),
            ExtensionRequest.proposed_date,
            ExtensionRequest.reason,
            *_work_columns(),
            Assignment.due_date,
        )
        .select_from(ExtensionRequest)
        .join(Assignment, ExtensionRequest.assignment_id == Assignment.id)
    )
    query = (
        _named(query)
        .where(_pending_extensions(user))
        .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
        .limit(SECTION_ROWS)
    )
    return [
        Extension(
            extension_id=row.extension_id,
            assignment_id=row.id,
            directive_title=_directive_title(row),
            task_number=row.task_number,
            task_title=row.title,
            agency_name=row.short_name,
            due_date=row.due_date,
            proposed_date=row.proposed_date,
            reason=row.reason,
        )
        for row in session.execute(query)
    ]


def _draft_rows(session: Session, user: User) -> list[Draft]:
    imports, directives = _waiting_drafts(user)
    found = [
        Draft(
            import_id=draft.id,
            directive_id=None,
            title=draft.source_name or f"Văn bản nhập số {draft.id}",
            created_on=_day(draft.created_at) or date.min,
            failed=draft.status == ImportStatus.FAILED,
        )
        for draft in session.scalars(
            sa.select(ImportDraft).where(imports).order_by(ImportDraft.id).limit(SECTION_ROWS)
        )
    ]
    found += [
        Draft(
            import_id=None,
            directive_id=directive.id,
            title=directive.title,
            created_on=_day(directive.created_at) or date.min,
        )
        for directive in session.scalars(
            sa.select(Directive).where(directives).order_by(Directive.id).limit(SECTION_ROWS)
        )
    ]
    return found[:SECTION_ROWS]


def inbox(session: Session, user: User, today: date, due_soon_days: int) -> Inbox:
    """Everything that waits on `user` on `today`, section by section."""
    found = Inbox(counts=counts(session, user, today, due_soon_days))
    if user.reads_everything:
        found.late = late_agencies(session, today, limit=SECTION_ROWS)
    if user.role == Role.LEADER:
        return found
    found.reviews = _reviews(session, user)
    found.extensions = _extension_rows(session, user)
    if user.is_staff:
        found.drafts = _draft_rows(session, user)
    if user.role == Role.AGENCY:
        cutoff = soon_cutoff(today, due_soon_days)
        found.returned = _returned_rows(session, user)
        found.new = _assignment_rows(session, _new(user), at=Assignment.assigned_at)
        found.due = _due_rows(session, user, today, cutoff)
    return found
