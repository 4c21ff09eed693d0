"""One row per searchable thing; the engine's full-text index (`search_fts`, made by
the migration for the engine in use) holds its folded words under the same id."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base


class EntryKind(StrEnum):
    DIRECTIVE = "directive"
    TASK = "task"
    SUBMISSION = "submission"
    EVIDENCE = "evidence"
    AGENCY = "agency"


class SearchEntry(Base):
    __tablename__ = "search_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    object_id: Mapped[int]
    #: What permissions and filters read: the directive, the assignment (reports and
    #: files) and the agency the thing belongs to.
    directive_id: Mapped[int | None] = mapped_column(index=True)
    assignment_id: Mapped[int | None] = mapped_column(index=True)
    agency_id: Mapped[int | None] = mapped_column(index=True)
    #: A status to filter on (the directive's, the report's outcome).
    status: Mapped[str] = mapped_column(sa.String(20), default="")
    #: The date to filter on: issued, due, sent or uploaded.
    day: Mapped[date | None]
    title: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.UniqueConstraint("kind", "object_id"),)


#: Tables the full-text engine owns (made by the migration, not by the models).
ENGINE_TABLES = frozenset(
    {
        "search_fts",
        *(f"search_fts_{part}" for part in ("data", "idx", "content", "docsize", "config")),
    }
)
