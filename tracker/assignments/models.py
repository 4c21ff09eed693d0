"""Assignment and Submission."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.agencies.models import Agency
from tracker.agencies.tree import is_within
from tracker.auth.models import Role, User
from tracker.db import Base, enum_type
from tracker.directives.models import Task


class AssignmentRole(StrEnum):
    LEAD = "lead"  # chủ trì
    COOPERATE = "cooperate"  # phối hợp
    INFORM = "inform"  # để biết


class AssignmentStatus(StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    DONE = "done"
    CANCELLED = "cancelled"


OPEN_STATUSES = (
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.SUBMITTED,
    AssignmentStatus.RETURNED,
)


class Assignment(Base):
    """One task for one agency (giao nhiệm vụ)."""

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    role: Mapped[AssignmentRole] = mapped_column(enum_type(AssignmentRole))
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_type(AssignmentStatus), default=AssignmentStatus.ASSIGNED, index=True
    )
    #: The working deadline; an extension moves it.
    due_date: Mapped[date | None] = mapped_column(index=True)
    #: The deadline first set, kept for the record when the working one moves.
    original_due_date: Mapped[date | None]
    progress: Mapped[int] = mapped_column(default=0)
    #: Date of the accepted submission, so a slow review never makes an agency late.
    completed_on: Mapped[date | None]
    #: The day the work was cancelled (by hand, or by closing its directive): before
    #: it the work still counts as it stood.
    cancelled_on: Mapped[date | None]
    assigned_at: Mapped[datetime] = mapped_column(default=clock.now)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: Optimistic lock: every update checks and bumps it.
    version: Mapped[int] = mapped_column(default=1)
    #: The assignment this one was handed down from, by its agency to one of its
    #: sub-units (giao cho đơn vị trực thuộc); None for work the office assigned.
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    #: What the handing-down agency asks of its sub-unit: the part of the work it hands down.
    instructions: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    task: Mapped[Task] = relationship()
    agency: Mapped[Agency] = relationship()
    parent: Mapped[Assignment | None] = relationship(remote_side=[id], back_populates="handed_down")
    #: The assignments handed down from this one, by id.
    handed_down: Mapped[list[Assignment]] = relationship(
        back_populates="parent", order_by="Assignment.id", passive_deletes=True
    )
    submissions: Mapped[list[Submission]] = relationship(
        back_populates="assignment", order_by="Submission.id", cascade="all, delete-orphan"
    )
    periods: Mapped[list[Period]] = relationship(
        back_populates="assignment", order_by="Period.due_date", cascade="all, delete-orphan"
    )
    extensions: Mapped[list[ExtensionRequest]] = relationship(
        order_by="ExtensionRequest.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("task_id", "agency_id"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        sa.CheckConstraint(
            "(status = 'done') = (completed_on IS NOT NULL)", name="completed_exactly_when_done"
        ),
        sa.CheckConstraint("status <> 'done' OR progress = 100", name="done_is_complete"),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_on IS NOT NULL)",
            name="cancelled_exactly_when_cancelled",
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @hybrid_property
    def owes(self) -> bool:
        """The agency owes a report: "for information" (để biết) work owes nothing.
        Also a SQL expression: `Assignment.owes`."""
        return self.role != AssignmentRole.INFORM

    @classmethod
    def standing_on(cls, day: date) -> sa.ColumnElement[bool]:
        """SQL: not cancelled by the end of `day` (work cancelled later still counted
        then)."""
        return sa.or_(cls.cancelled_on.is_(None), cls.cancelled_on > day)

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        return next((e for e in self.extensions if e.status == ExtensionStatus.PENDING), None)

    @property
    def latest_submission(self) -> Submission | None:
        """The latest submission on the assignment itself (not on one of its periods)."""
        own = [submission for submission in self.submissions if submission.period_id is None]
        return own[-1] if own else None

    def is_worker(self, user: User) -> bool:
        """The user works for the assigned agency."""
        return user.role == Role.AGENCY and user.agency_id == self.agency_id

    def is_reviewer(self, user: User) -> bool:
        """Who decides the agency's reports. For work handed down, the agency that
        handed it down (the office sees it, but does not review a district's communes);
        otherwise office staff, or the task's report_to agency reviewing another
        agency's work."""
        if self.parent_id is not None:
            parent = self.parent
            return (
                user.role == Role.AGENCY
                and parent is not None
                and user.agency_id == parent.agency_id
            )
        if user.is_staff:
            return True
        return (
            user.role == Role.AGENCY
            and self.task.report_to_id is not None
            and user.agency_id == self.task.report_to_id
            and user.agency_id != self.agency_id
        )

    def decides_extensions(self, user: User) -> bool:
        """Who grants more time: whoever set the deadline, the office for its own
        assignments, the handing-down agency for its sub-units'."""
        return self.is_reviewer(user) if self.parent_id is not None else user.is_staff

    def can_view(self, user: User) -> bool:
        """Office and leaders see everything; an agency sees the work of its whole
        subtree (`agencies.tree`), and the work it reviews."""
        if user.reads_everything or self.is_reviewer(user):
            return True
        return user.role == Role.AGENCY and is_within(self.agency, user.agency_id)

    def __repr__(self) -> str:
        return f"<Assignment {self.id} task={self.task_id} agency={self.agency_id} {self.status}>"


class PeriodStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    DONE = "done"
    #: Ended without a report: its assignment was cancelled or its directive closed.
    CANCELLED = "cancelled"


PERIOD_OPEN_STATUSES = (PeriodStatus.OPEN, PeriodStatus.SUBMITTED, PeriodStatus.RETURNED)


class Period(Base):
    """One reporting period of a recurring task for one agency (kỳ báo cáo): its own due
    date, its own submission and status, counted on its own."""

    __tablename__ = "period"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    #: The days the report covers (e.g. 15th of last month to the 14th, ND 09/2019).
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    due_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[PeriodStatus] = mapped_column(
        enum_type(PeriodStatus), default=PeriodStatus.OPEN, index=True
    )
    #: Date of the accepted report.
    completed_on: Mapped[date | None]
    #: The day the period ended without a report (see PeriodStatus.CANCELLED).
    cancelled_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    version: Mapped[int] = mapped_column(default=1)

    assignment: Mapped[Assignment] = relationship(back_populates="periods")
    submissions: Mapped[list[Submission]] = relationship(order_by="Submission.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "due_date"),
        sa.CheckConstraint("ends_on >= starts_on", name="ordered"),
        sa.CheckConstraint(
            "(status = 'done') = (completed_on IS NOT NULL)", name="completed_exactly_when_done"
        ),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_on IS NOT NULL)",
            name="cancelled_exactly_when_cancelled",
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.status in PERIOD_OPEN_STATUSES

    @property
    def submission(self) -> Submission | None:
        """The latest report sent for this period."""
        return self.submissions[-1] if self.submissions else None


def _constants(name: str, values: list[str]) -> sa.BindParameter:
    """Values written into the SQL, not bound: SQLite uses a partial index only for a
    query whose WHERE holds the index's own terms, constants included."""
    return sa.bindparam(name, values, expanding=True, literal_execute=True, unique=True)


#: Open work that owes a report, and open periods: the WHERE of the partial indexes of
#: open work below, and the condition `obligations.open_parts` adds to a query so that
#: it reads them. Open items are a small and shrinking part of all the work.
OPEN_REPORT_WORK = sa.and_(
    Assignment.status.in_(_constants("open_status", [status.value for status in OPEN_STATUSES])),
    Assignment.role != sa.literal(AssignmentRole.INFORM.value, literal_execute=True),
)
OPEN_PERIOD_WORK = Period.status.in_(
    _constants("open_period_status", [status.value for status in PERIOD_OPEN_STATUSES])
)
sa.Index(
    "ix_assignment_open_due",
    Assignment.due_date,
    Assignment.id,
    sqlite_where=OPEN_REPORT_WORK,
    postgresql_where=OPEN_REPORT_WORK,
)
sa.Index(
    "ix_period_open_due",
    Period.due_date,
    Period.id,
    sqlite_where=OPEN_PERIOD_WORK,
    postgresql_where=OPEN_PERIOD_WORK,
)


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    DENIED = "denied"


class ExtensionRequest(Base):
    """An agency asks for more time (đề nghị gia hạn); the office grants or refuses."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), index=True
    )
    requested_at: Mapped[datetime] = mapped_column(default=clock.now)
    proposed_date: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    #: Indexed: the office's inbox asks for the few pending requests among all.
    status: Mapped[ExtensionStatus] = mapped_column(
        enum_type(ExtensionStatus), default=ExtensionStatus.PENDING, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    decided_at: Mapped[datetime | None]
    granted_date: Mapped[date | None]
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        sa.CheckConstraint(
            "(status = 'granted') = (granted_date IS NOT NULL)", name="granted_has_date"
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name="decided_exactly_when_closed"
        ),
    )


class SubmissionOutcome(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Submission(Base):
    """What an agency sends for review: text, figures, evidence."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(default=clock.now)
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), index=True
    )
    #: The reporting period this submission answers; None for the assignment itself.
    period_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("period.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text, default="")
    #: Indicator values: {indicator code: [numerator, denominator or None]}.
    figures: Mapped[dict[str, list[int | None]]] = mapped_column(sa.JSON, default=dict)
    outcome: Mapped[SubmissionOutcome] = mapped_column(
        enum_type(SubmissionOutcome), default=SubmissionOutcome.PENDING
    )
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")

    assignment: Mapped[Assignment] = relationship(back_populates="submissions")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    __table_args__ = (
        sa.CheckConstraint(
            "(outcome = 'pending') = (reviewed_at IS NULL)", name="reviewed_exactly_when_decided"
        ),
    )

    @property
    def submitted_on(self) -> date:
        return clock.local_date(self.submitted_at)


class ObligationTally(Base):
    """How many of the province's obligations share a key that decides their class on
    any day from today on (`tracker.assignments.tally`): kept in the same flush as the
    assignments and periods it counts, never stale."""

    __tablename__ = "obligation_tally"

    #: "report" or "period" (obligations.Kind).
    kind: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    #: "done_on_time", "done_late" or "open" (the day asked about splits open work).
    outcome: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    #: The deadline; tally.NO_DEADLINE for work without one.
    due_date: Mapped[date] = mapped_column(primary_key=True)
    #: A period's first day; tally.NOT_A_PERIOD for a report.
    starts_on: Mapped[date] = mapped_column(primary_key=True)
    #: 1 for a report whose deadline was extended.
    extended: Mapped[int] = mapped_column(primary_key=True)
    #: The status of the directive it belongs to (DirectiveStatus).
    directive_status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    n: Mapped[int]


class LateTally(Base):
    """How many of the province's open obligations an agency owes by one deadline:
    those before the day asked about are its overdue work (`tracker.assignments.tally`)."""

    __tablename__ = "late_tally"
    #: On SQLite the rows live in their key's order, the agency's first, so the late
    #: agencies are counted in one pass without a lookup per row.
    __table_args__ = {"sqlite_with_rowid": False}

    agency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True
    )
    due_date: Mapped[date] = mapped_column(primary_key=True)
    n: Mapped[int]
