"""An agency's outgoing register (sổ đăng ký văn bản đi): numbers from 01 on 1 January,
never reused. Usually the records clerk gives the number from the register the office
keeps (the provincial e-office); `take_number` checks it is free. Offices without one
use the built-in counter: `next_number` is safe when two people issue at once (one
UPDATE ... RETURNING on a row the database locks; SQLite writers are serialised by
BEGIN IMMEDIATE) and skips numbers the clerk has entered."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.db import take_write_lock, upsert_insert
from tracker.documents.models import OutgoingDocument, RegisterCounter

#: A register that runs past this in a year is certainly a typing error.
MAX_NUMBER = 99_999


class RegisterError(ValueError):
    """A number the register cannot give; the message is Vietnamese."""


def take_number(session: Session, agency_id: int, year: int, number: int) -> int:
    """The clerk's number, if it is a valid number not yet used this year."""
    check_free(session, agency_id, year, number)
    take_write_lock(session)  # the check and the document's row in one locked write
    if _used(session, agency_id, year, number):
        raise RegisterError(_taken(number, year))
    return number


def peek_next(session: Session, agency_id: int, year: int) -> int:
    """The number `next_number` would give now, read without taking it (a document is
    rendered with it before the number is taken; see issue_document)."""
    last = session.scalar(
        sa.select(RegisterCounter.last_number).where(
            RegisterCounter.agency_id == agency_id, RegisterCounter.year == year
        )
    )
    number = (last or 0) + 1
    while _used(session, agency_id, year, number):
        number += 1
    return number


def check_free(session: Session, agency_id: int, year: int, number: int) -> int:
    """The clerk's number if valid and free now, read without taking it."""
    if not 1 <= number <= MAX_NUMBER:
        raise RegisterError(_("Số văn bản phải từ 1 đến %(most)s.", most=MAX_NUMBER))
    if _used(session, agency_id, year, number):
        raise RegisterError(_taken(number, year))
    return number


def _taken(number: int, year: int) -> str:
    return _(
        "Số %(number)s năm %(year)s đã được dùng cho một văn bản khác của cơ quan này: hãy"
        " kiểm tra lại sổ văn bản đi.",
        number=format(number, "02d"),
        year=year,
    )


def next_number(session: Session, agency_id: int, year: int) -> int:
    session.execute(
        upsert_insert(session)(RegisterCounter)
        .values(agency_id=agency_id, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["agency_id", "year"])
    )
    while True:
        number = session.execute(
            sa.update(RegisterCounter)
            .where(RegisterCounter.agency_id == agency_id, RegisterCounter.year == year)
            .values(last_number=RegisterCounter.last_number + 1)
            .returning(RegisterCounter.last_number)
        ).scalar_one()
        if not _used(session, agency_id, year, number):
            return number


def _used(session: Session, agency_id: int, year: int, number: int) -> bool:
    return bool(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(OutgoingDocument)
            .where(
                OutgoingDocument.agency_id == agency_id,
                OutgoingDocument.year == year,
                OutgoingDocument.number == number,
            )
        )
    )
