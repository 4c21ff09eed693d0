"""Reading evidence rows."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from tracker.evidence.models import Evidence


def evidence_of(session: Session, assignment_id: int) -> list[Evidence]:
    return list(
        session.scalars(
            sa.select(Evidence)
            .where(Evidence.assignment_id == assignment_id)
            .options(joinedload(Evidence.uploaded_by), joinedload(Evidence.submission))
            .order_by(Evidence.id)
        )
    )
