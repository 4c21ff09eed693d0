"""Taking the next number from an agency's register: from 01 on 1 January, never reused,
safe when two people generate at once (one UPDATE ... RETURNING on a row the database
locks; SQLite writers are serialised by BEGIN IMMEDIATE)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.documents.models import RegisterCounter


def next_number(session: Session, agency_id: int, year: int) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(RegisterCounter)
        .values(agency_id=agency_id, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["agency_id", "year"])
    )
    return session.execute(
        sa.update(RegisterCounter)
        .where(RegisterCounter.agency_id == agency_id, RegisterCounter.year == year)
        .values(last_number=RegisterCounter.last_number + 1)
        .returning(RegisterCounter.last_number)
    ).scalar_one()
