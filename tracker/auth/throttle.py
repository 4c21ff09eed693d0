"""Login throttling that cannot be turned against users.

Two counters, both in the database, so they hold across worker processes:

- **an address**: LOGIN_MAX_FAILURES failures within LOGIN_WINDOW_SECONDS from one
  client address (whatever names it tries) answer 429 to that address until the window
  has passed;
- **an account, from everywhere**: from LOGIN_ACCOUNT_FAILURES failures within
  LOGIN_ACCOUNT_WINDOW_SECONDS on, the account waits after each failure, a delay that
  doubles from LOGIN_DELAY_SECONDS up to LOGIN_DELAY_MAX_SECONDS: a progressive delay,
  never a lock that lasts; the refusal says until when, and an admin can clear it.

Failures for names that are no account count for their address only, so they never
affect a real account. The address is the client's real one: behind a reverse proxy,
PROXY_HOPS tells ProxyFix how many X-Forwarded-For hops to trust (0: none)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from tracker import clock
from tracker.auth.models import LoginAttempt

#: Failed attempts older than this are forgotten.
RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class Refusal:
    #: "address" or "account".
    reason: str
    #: The first instant another attempt is heard.
    until: datetime

    @property
    def message(self) -> str:
        until = self.until.astimezone(clock.LOCAL_ZONE).strftime("%H:%M:%S %d/%m/%Y")
        if self.reason == "account":
            return (
                "Tài khoản này bị đăng nhập sai nhiều lần nên tạm khóa đến"
                f" {until}. Hãy thử lại sau, hoặc nhờ quản trị hệ thống mở khóa."
            )
        return f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {until}."

    @property
    def retry_after(self) -> int:
        return max(1, int((self.until - clock.now()).total_seconds()) + 1)


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=int(current_app.config[name]))


def check(session: Session, username: str, remote_addr: str) -> Refusal | None:
    """Why a sign-in from this address for this name is not heard now; None if it is."""
    now = clock.now()
    config = current_app.config
    window = _seconds("LOGIN_WINDOW_SECONDS")
    by_address = session.execute(
        sa.select(sa.func.count(LoginAttempt.id), sa.func.min(LoginAttempt.attempted_at)).where(
            LoginAttempt.remote_addr == remote_addr[:64], LoginAttempt.attempted_at > now - window
        )
    ).one()
    if by_address[0] >= int(config["LOGIN_MAX_FAILURES"]):
        return Refusal("address", by_address[1] + window)
    account_window = _seconds("LOGIN_ACCOUNT_WINDOW_SECONDS")
    count, last = session.execute(
        sa.select(sa.func.count(LoginAttempt.id), sa.func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.username == username[:64],
            LoginAttempt.username != "",
            LoginAttempt.attempted_at > now - account_window,
        )
    ).one()
    threshold = int(config["LOGIN_ACCOUNT_FAILURES"])
    if count >= threshold:
        doubling = min(count - threshold, 20)
        delay = min(
            _seconds("LOGIN_DELAY_SECONDS") * 2**doubling, _seconds("LOGIN_DELAY_MAX_SECONDS")
        )
        if now < last + delay:
            return Refusal("account", last + delay)
    return None


def prune_attempts(session: Session) -> None:
    """Failed sign-ins are kept only as long as a limit may count them."""
    session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < clock.now() - RETENTION)
    )


def record_failure(session: Session, username: str | None, remote_addr: str) -> None:
    """One failed sign-in from the address; `username` only when it names an account."""
    prune_attempts(session)
    session.add(
        LoginAttempt(
            username=(username or "")[:64], remote_addr=remote_addr[:64], attempted_at=clock.now()
        )
    )
    session.flush()


def clear_account(session: Session, username: str) -> int:
    """Forget an account's failures (an admin unlocks it); returns how many."""
    statement = sa.delete(LoginAttempt).where(LoginAttempt.username == username)
    result = cast("sa.CursorResult[Any]", session.execute(statement))  # a DELETE's result
    return result.rowcount or 0
