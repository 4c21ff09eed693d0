"""Login throttling: too many failures for one account or one address within a window
answer 429. Counted in the database, so the limit holds across worker processes."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from tracker import clock
from tracker.auth.models import LoginAttempt

#: Failed attempts older than this are forgotten.
RETENTION = timedelta(days=1)


def _window() -> timedelta:
    return timedelta(seconds=int(current_app.config["LOGIN_WINDOW_SECONDS"]))


def is_throttled(session: Session, username: str, remote_addr: str) -> bool:
    """True when the account or the address has used up its failures in the window."""
    since = clock.now() - _window()
    limit = int(current_app.config["LOGIN_MAX_FAILURES"])
    recent = sa.select(sa.func.count(LoginAttempt.id)).where(LoginAttempt.attempted_at > since)
    by_account = session.scalar(recent.where(LoginAttempt.username == username))
    by_address = session.scalar(recent.where(LoginAttempt.remote_addr == remote_addr))
    return by_account >= limit or by_address >= limit


def record_failure(session: Session, username: str, remote_addr: str) -> None:
    session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < clock.now() - RETENTION)
    )
    session.add(
        LoginAttempt(username=username[:64], remote_addr=remote_addr[:64], attempted_at=clock.now())
    )
    session.flush()
