"""Evidence (minh chứng): an uploaded file attached to an assignment."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.assignments.models import Assignment, Submission
from tracker.auth.models import User
from tracker.db import Base


class Evidence(Base):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    #: Set when the file went out with a submission; None while it is a working file.
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("submission.id"), index=True)
    #: Content address of the stored file under instance/evidence.
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int]
    #: Type sniffed from the bytes, never the client's claim.
    mime: Mapped[str] = mapped_column(sa.String(120))
    #: The uploader's file name, for display only.
    original_name: Mapped[str] = mapped_column(sa.String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)

    assignment: Mapped[Assignment] = relationship()
    submission: Mapped[Submission | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("size > 0", name="size_positive"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )
