"""Directive, Citation, Task and Indicator."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.agencies.models import Agency
from tracker.db import Base, enum_type
from tracker.directives.doctypes import DocType
from tracker.i18n import N_


class DeadlineReference(StrEnum):
    ISSUED = "issued"  # kể từ ngày ban hành văn bản
    ASSIGNED = "assigned"  # kể từ ngày nhận được (ngày giao nhiệm vụ)


class DirectiveStatus(StrEnum):
    DRAFT = "draft"  # entered or imported, not yet confirmed by the office
    ACTIVE = "active"
    CLOSED = "closed"
    SUPERSEDED = "superseded"


STATUS_NAMES = {
    DirectiveStatus.DRAFT: N_("Dự thảo"),
    DirectiveStatus.ACTIVE: N_("Đang thực hiện"),
    DirectiveStatus.CLOSED: N_("Đã kết thúc"),
    DirectiveStatus.SUPERSEDED: N_("Đã được thay thế"),
}


class Directive(Base):
    __tablename__ = "directive"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[DocType] = mapped_column(enum_type(DocType))
    #: The register number as written, e.g. "1661"; empty while a draft has none.
    number: Mapped[str] = mapped_column(sa.String(20))
    #: e.g. "UBND-VX", "TB-UBND".
    symbol: Mapped[str] = mapped_column(sa.String(60))
    issuer: Mapped[str] = mapped_column(sa.String(255))
    #: The issuer's parent body (cơ quan chủ quản), if the header names one.
    issuer_parent: Mapped[str] = mapped_column(sa.String(255), default="")
    issuer_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    issued_date: Mapped[date | None]
    #: Trích yếu, without the "V/v".
    subject: Mapped[str] = mapped_column(sa.Text, default="")
    recipients: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: The full text as issued; None while the text is not on file.
    body: Mapped[str | None] = mapped_column(sa.Text)
    #: What other directives say of this one when its own text is not on file.
    known_from: Mapped[str] = mapped_column(sa.Text, default="")
    signer_name: Mapped[str] = mapped_column(sa.String(120), default="")
    signer_title: Mapped[str] = mapped_column(sa.String(120), default="")
    #: TM., KT., Q., TL. or TUQ.; empty when the head signs in person.
    signer_authority: Mapped[str] = mapped_column(sa.String(10), default="")
    #: Nơi nhận items, as written.
    distribution: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    source_file: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[DirectiveStatus] = mapped_column(
        enum_type(DirectiveStatus), default=DirectiveStatus.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: The day the directive was closed or superseded; its open obligations end then.
    closed_on: Mapped[date | None]
    #: Why it was closed (done, with a note) or which directive superseded it.
    closing_note: Mapped[str] = mapped_column(sa.Text, default="")
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directive.id"), index=True)

    issuer_agency: Mapped[Agency | None] = relationship()
    superseded_by: Mapped[Directive | None] = relationship(remote_side=[id])
    tasks: Mapped[list[Task]] = relationship(
        back_populates="directive", order_by="Task.position", cascade="all, delete-orphan"
    )
    citations: Mapped[list[Citation]] = relationship(
        foreign_keys="Citation.citing_id",
        back_populates="citing",
        order_by="Citation.position",
        cascade="all, delete-orphan",
    )
    cited_by: Mapped[list[Citation]] = relationship(
        foreign_keys="Citation.cited_id", back_populates="cited", viewonly=True
    )

    __table_args__ = (
        sa.UniqueConstraint("number", "symbol", "issued_date"),
        sa.CheckConstraint(
            "status = 'draft' OR number <> ''", name="confirmed_directive_has_number"
        ),
        sa.CheckConstraint(
            "(status IN ('closed', 'superseded')) = (closed_on IS NOT NULL)",
            name="closed_exactly_when_ended",
        ),
        sa.CheckConstraint(
            "(status = 'superseded') = (superseded_by_id IS NOT NULL)",
            name="superseded_names_successor",
        ),
    )

    @property
    def reference(self) -> str:
        """Number and symbol as cited, e.g. '1661/UBND-VX'."""
        return reference_of(self.number, self.symbol)

    @property
    def is_draft(self) -> bool:
        return self.status == DirectiveStatus.DRAFT

    @property
    def is_active(self) -> bool:
        """Confirmed and not closed: work may be assigned and reported on it."""
        return self.status == DirectiveStatus.ACTIVE

    @property
    def is_closed(self) -> bool:
        return self.status in (DirectiveStatus.CLOSED, DirectiveStatus.SUPERSEDED)

    @property
    def has_text(self) -> bool:
        return self.body is not None

    @property
    def title(self) -> str:
        """e.g. 'Công văn 1661/UBND-VX'."""
        return title_of(self.doc_type, self.number, self.symbol)

    def __repr__(self) -> str:
        return f"<Directive {self.reference}>"


def reference_of(number: str, symbol: str) -> str:
    """A directive's reference from its columns (for queries that select columns)."""
    return f"{number}/{symbol}" if number else symbol


def title_of(doc_type: DocType, number: str, symbol: str) -> str:
    """A directive's title from its columns, e.g. 'Công văn 1661/UBND-VX'."""
    return f"{DocType(doc_type).label} {reference_of(number, symbol)}"


class Citation(Base):
    """One directive citing another (văn bản được viện dẫn)."""

    __tablename__ = "citation"

    id: Mapped[int] = mapped_column(primary_key=True)
    citing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("directive.id", ondelete="CASCADE"), index=True
    )
    cited_id: Mapped[int] = mapped_column(sa.ForeignKey("directive.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    #: The citation as written, e.g. "Công văn số 197/CV-BCĐ ngày 26/7/2020".
    text: Mapped[str] = mapped_column(sa.Text, default="")

    citing: Mapped[Directive] = relationship(foreign_keys=[citing_id], back_populates="citations")
    cited: Mapped[Directive] = relationship(foreign_keys=[cited_id], back_populates="cited_by")

    __table_args__ = (
        sa.UniqueConstraint("citing_id", "cited_id"),
        sa.CheckConstraint("citing_id <> cited_id", name="not_self"),
    )


class Task(Base):
    """A numbered task of a directive (nhiệm vụ)."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(
        sa.ForeignKey("directive.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    #: The number as written in the directive: "2", "2.a", "II.1".
    number: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(255))
    text: Mapped[str] = mapped_column(sa.Text)
    #: The agency results are reported to; it reviews the submissions too.
    report_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    #: One-off deadline (hạn báo cáo), and the words of the text that give it.
    due_date: Mapped[date | None]
    due_text: Mapped[str] = mapped_column(sa.String(255), default="")
    #: RRULE of a recurring report, e.g. FREQ=WEEKLY, and the words that give it.
    recurrence: Mapped[str | None] = mapped_column(sa.String(255))
    recurrence_text: Mapped[str] = mapped_column(sa.String(255), default="")
    #: A relative deadline: so many days (or working days) after the assignment date.
    due_in_days: Mapped[int | None]
    due_in_working_days: Mapped[bool] = mapped_column(default=False)
    #: What a relative deadline counts from: the directive's issue date, or the day the
    #: agency receives the work (its assignment).
    due_from: Mapped[DeadlineReference] = mapped_column(
        enum_type(DeadlineReference), default=DeadlineReference.ASSIGNED
    )
    evidence_required: Mapped[bool] = mapped_column(default=False)
    #: "Đề nghị": addressed to bodies the issuer does not direct (the Front, mass organisations).
    is_request: Mapped[bool] = mapped_column(default=False)
    #: Character offsets of the task in the directive's body, when known.
    source_start: Mapped[int | None]
    source_end: Mapped[int | None]

    directive: Mapped[Directive] = relationship(back_populates="tasks")
    report_to: Mapped[Agency | None] = relationship()
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="task", order_by="Indicator.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("directive_id", "number"),
        sa.CheckConstraint(
            "source_start IS NULL OR source_end >= source_start", name="span_ordered"
        ),
        sa.CheckConstraint("due_in_days IS NULL OR due_in_days > 0", name="relative_positive"),
    )

    @property
    def has_deadline(self) -> bool:
        return (
            self.due_date is not None or self.recurrence is not None or self.due_in_days is not None
        )

    def __repr__(self) -> str:
        return f"<Task {self.number} of directive {self.directive_id}>"


class Indicator(Base):
    """A measurable target of a task (chỉ tiêu), reported as numerator / denominator."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(255))
    numerator_label: Mapped[str] = mapped_column(sa.String(120))
    denominator_label: Mapped[str] = mapped_column(sa.String(120))
    target_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal(100))

    task: Mapped[Task] = relationship(back_populates="indicators")

    __table_args__ = (sa.UniqueConstraint("task_id", "code"),)


class ImportStatus(StrEnum):
    PARSING = "parsing"  # waiting for the job queue's parser
    FAILED = "failed"  # the parser refused the text or ran out of time; `error` says why
    OPEN = "open"  # parsed, waiting for review
    CONFIRMED = "confirmed"
    DISCARDED = "discarded"


class ImportDraft(Base):
    """A parsed directive waiting for the office to check it (nhập văn bản)."""

    __tablename__ = "import_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: The uploaded file's name, or empty for pasted text.
    source_name: Mapped[str] = mapped_column(sa.String(255), default="")
    #: The text the parser read; the spans in `data` point into it.
    text: Mapped[str] = mapped_column(sa.Text)
    #: The parser's draft: its JSON contract with spans, plus the issuer's parent.
    data: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[ImportStatus] = mapped_column(enum_type(ImportStatus), default=ImportStatus.OPEN)
    #: Why parsing failed, in the user's words.
    error: Mapped[str] = mapped_column(sa.Text, default="")
    directive_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directive.id"), index=True)

    directive: Mapped[Directive | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "(status = 'confirmed') = (directive_id IS NOT NULL)", name="confirmed_has_directive"
        ),
    )
