"""The outgoing register: every final document, numbered per issuing agency and year."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.agencies.models import Agency
from tracker.auth.models import User
from tracker.db import Base, enum_type
from tracker.directives.models import Directive


class DocumentKind(StrEnum):
    REPLY = "reply"  # báo cáo kết quả thực hiện
    URGE = "urge"  # công văn đôn đốc
    ACCOUNTABILITY = "accountability"  # báo cáo tổng hợp tình hình thực hiện


class RegisterCounter(Base):
    """The last number an agency's register gave in a year (sổ đăng ký văn bản đi)."""

    __tablename__ = "register_counter"

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("last_number >= 0", name="not_negative"),)


class OutgoingDocument(Base):
    """A final, numbered document. Never overwritten: a correction is a new number."""

    __tablename__ = "outgoing_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind))
    #: The issuing agency, whose register gave the number.
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    directive_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directive.id"), index=True)
    year: Mapped[int]
    number: Mapped[int]
    #: e.g. "BC-STTTT" for a report, "UBND-TH" for a công văn.
    symbol: Mapped[str] = mapped_column(sa.String(60))
    issued_on: Mapped[date]
    title: Mapped[str] = mapped_column(sa.String(500))
    signer_name: Mapped[str] = mapped_column(sa.String(120), default="")
    signer_title: Mapped[str] = mapped_column(sa.String(120), default="")
    generated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), index=True
    )
    generated_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: The stored PDF: content address under instance/documents, and its size.
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    file_name: Mapped[str] = mapped_column(sa.String(255))
    #: The numbered document's plain context, for its editable .docx copy.
    content: Mapped[dict | None] = mapped_column(sa.JSON)

    agency: Mapped[Agency] = relationship()
    directive: Mapped[Directive | None] = relationship()
    generated_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("agency_id", "year", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    @property
    def reference(self) -> str:
        """'05/BC-STTTT': numbers below 10 get a leading zero (ND30)."""
        return f"{self.number:02d}/{self.symbol}"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportJob(Base):
    """A large report rendered outside the request, by the job queue."""

    __tablename__ = "report_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Parameters and the event log's head hash: an unchanged report has the same key.
    key: Mapped[str] = mapped_column(sa.String(64), index=True)
    params: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    size: Mapped[int | None]
    error: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    started_at: Mapped[datetime | None]
    #: Renewed while the job runs; a running job whose heartbeat stops has died.
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        sa.CheckConstraint("(status = 'done') = (sha256 IS NOT NULL)", name="done_has_file"),
    )
