"""User and Role."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.agencies.models import Agency
from tracker.auth.roles import Role
from tracker.db import Base, enum_type

__all__ = ["LoginAttempt", "Role", "User"]


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120), default="")
    #: Argon2id hash (argon2-cffi's encoded form, parameters included).
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: Bumped at logout and password change; sessions carrying an older value end.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None]
    #: Kinds of notification (`notifications.events.Kind`) kept in the app only, never
    #: put in the daily e-mail digest; every other kind is mailed too.
    mail_off: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")
    #: The interface language the user chose ("vi" or "en"); None: the browser's.
    language: Mapped[str | None] = mapped_column(sa.String(8))

    agency: Mapped[Agency | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "role <> 'agency' OR agency_id IS NOT NULL", name="agency_user_has_agency"
        ),
    )

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    # Role predicates
    @property
    def is_staff(self) -> bool:
        """Provincial office staff: may enter, assign, review and print."""
        return self.role in (Role.ADMIN, Role.SECRETARIAT)

    @property
    def reads_everything(self) -> bool:
        return self.role in (Role.ADMIN, Role.SECRETARIAT, Role.LEADER)

    def can_manage_directives(self) -> bool:
        return self.is_staff

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginAttempt(Base):
    """A failed sign-in, kept for throttling; shared by every worker process."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
