"""What the API keeps: personal access tokens, each token's request counts for its rate
limit, and the answers to requests sent with an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.api.scopes import Scope
from tracker.auth.models import User
from tracker.db import Base, enum_type

__all__ = ["ApiRequestCount", "ApiToken", "IdempotentRequest", "Scope"]


class ApiToken(Base):
    """A personal access token: shown once, stored as its SHA-256 (the token is 256 random
    bits, so a fast hash is safe and lets each request find its row by index)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    #: The token's first characters, shown in lists so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scope: Mapped[Scope] = mapped_column(enum_type(Scope))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and (self.expires_at is None or now < self.expires_at)
            and self.user.active
        )


class ApiRequestCount(Base):
    """Requests of one token in one window of RATE_WINDOW_SECONDS: shared by every worker
    process, so the limit holds however many serve the API."""

    __tablename__ = "api_request_count"

    token_id: Mapped[int] = mapped_column(
        sa.ForeignKey("api_token.id", ondelete="CASCADE"), primary_key=True
    )
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class IdempotentRequest(Base):
    """A creating POST sent with an Idempotency-Key, and the answer it got: the same key
    and body again get the same answer, and nothing is created twice. Stored in the
    transaction that creates, so a failed request leaves no key behind."""

    __tablename__ = "api_idempotent_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(255))
    #: SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    location: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)

    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)
