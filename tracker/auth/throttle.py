"""Login throttling that cannot be turned against users.

Failed sign-ins are kept in the database, so the limits hold across worker processes.
Within LOGIN_WINDOW_SECONDS, an address is refused (429) until the window has passed:

- **for one account, from one address** (the pair): after LOGIN_MAX_FAILURES failures
  for that account from that address, for that account only; colleagues behind the
  same office NAT still sign in;
- **for every name, from one address**: after LOGIN_MAX_FAILURES failures for names
  that are no account (spraying guessed names), or after LOGIN_ADDRESS_FAILURES
  failures of any kind (spraying real names), far more than one person makes.

And **an account, from everywhere**: from LOGIN_ACCOUNT_FAILURES failures within
LOGIN_ACCOUNT_WINDOW_SECONDS on, the account waits after each failure, a delay that
doubles from LOGIN_DELAY_SECONDS up to LOGIN_DELAY_MAX_SECONDS: a progressive delay,
never a lock that lasts. Every refusal says until when; an admin clears an account's
failures (both its pair and its account limits).

Failures for names that are no account count for their address only, so they never
affect a real account; the pair and the unknown-name limits refuse with the same words,
so a refusal does not tell which names are accounts. The address is the client's real
one: behind a reverse proxy, PROXY_HOPS tells ProxyFix how many X-Forwarded-For hops to
trust (0: none)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import clock
from tracker.auth.models import LoginAttempt

#: Failed attempts older than this are forgotten.
RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class Refusal:
    #: "address", "pair" (one account from one address) or "account".
    reason: str
    #: The first instant another attempt is heard.
    until: datetime

    @property
    def message(self) -> str:
        until = self.until.astimezone(clock.LOCAL_ZONE).strftime("%H:%M:%S %d/%m/%Y")
        if self.reason == "account":
            return _(
                "Tài khoản này bị đăng nhập sai nhiều lần nên tạm khóa đến %(until)s. Hãy thử"
                " lại sau, hoặc nhờ quản trị hệ thống mở khóa.",
                until=until,
            )
        return _("Đăng nhập sai quá nhiều lần. Hãy thử lại sau %(until)s.", until=until)

    @property
    def retry_after(self) -> int:
        return max(1, int((self.until - clock.now()).total_seconds()) + 1)


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=int(current_app.config[name]))


def _failures(session: Session, since: datetime, *where: Any) -> tuple[int, datetime | None]:
    """How many failed sign-ins match since `since`, and the oldest of them."""
    count, oldest = session.execute(
        sa.select(sa.func.count(LoginAttempt.id), sa.func.min(LoginAttempt.attempted_at)).where(
            LoginAttempt.attempted_at > since, *where
        )
    ).one()
    return count, oldest


def check(session: Session, username: str, remote_addr: str) -> Refusal | None:
    """Why a sign-in from this address for this name is not heard now; None if it is."""
    now = clock.now()
    config = current_app.config
    window = _seconds("LOGIN_WINDOW_SECONDS")
    address = LoginAttempt.remote_addr == remote_addr[:64]
    limits = [
        ("address", int(config["LOGIN_MAX_FAILURES"]), (address, LoginAttempt.username == "")),
        ("address", int(config["LOGIN_ADDRESS_FAILURES"]), (address,)),
    ]
    if username:
        pair = (address, LoginAttempt.username == username[:64])
        limits.append(("pair", int(config["LOGIN_MAX_FAILURES"]), pair))
    for reason, limit, where in limits:
        count, oldest = _failures(session, now - window, *where)
        if count >= limit and oldest is not None:
            return Refusal(reason, oldest + window)
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
    """Failed sign-ins are kept only as long as a limit may count them (housekeeping)."""
    session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < clock.now() - RETENTION)
    )


def record_failure(session: Session, username: str | None, remote_addr: str) -> None:
    """One failed sign-in from the address; `username` only when it names an account.
    Old ones are pruned by the job queue's housekeeping (`prune_attempts`)."""
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
