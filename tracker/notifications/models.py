"""Notification (in-app, with an unread count) and the log of e-mail digests sent."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker import clock
from tracker.db import Base


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: What the notification is about, e.g. "reminder:assignment:42:due-3"; one per
    #: user and key, so running the reminders twice never notifies twice.
    key: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None]
    #: Set when the notification went out in an e-mail digest.
    emailed_at: Mapped[datetime | None]

    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)


class DigestSent(Base):
    """One e-mail digest per person per day."""

    __tablename__ = "digest_sent"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=clock.now)
    notifications: Mapped[int] = mapped_column(default=0)


class ReminderSent(Base):
    """One rung of the reminder ladder given for one obligation and deadline
    ("overdue-1:assignment:42:2020-08-18"): each is given once, whatever the runs."""

    __tablename__ = "reminder_sent"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agency.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(index=True)
