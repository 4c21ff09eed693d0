"""The office's own calendar entries: each year's official days off and make-up working
days (the Tết schedule is decided each year), on top of the statutory holidays."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, enum_type


class DayKind(StrEnum):
    DAY_OFF = "day_off"  # ngày nghỉ (e.g. a bridge day of Tết)
    WORKING_DAY = "working_day"  # ngày làm bù (a Saturday worked instead)


class CalendarDay(Base):
    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[DayKind] = mapped_column(enum_type(DayKind))
    name: Mapped[str] = mapped_column(sa.String(200), default="")
