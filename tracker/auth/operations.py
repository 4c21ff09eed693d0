"""Creating users and signing in."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker import clock
from tracker.agencies.models import Agency
from tracker.audit import record_event
from tracker.auth import passwords, throttle
from tracker.auth.models import Role, User

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: Checked against when a user name is unknown, so timing does not tell which names exist.
_DUMMY_HASH = None


class UserError(ValueError):
    """A refused user operation; the message is Vietnamese."""


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    agency: Agency | None = None,
    full_name: str = "",
    actor: User | None = None,
    password_hash: str | None = None,
) -> User:
    """Create a user. `password_hash` lets a caller reuse one hash for many demo accounts."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise UserError(
            "Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số, dấu chấm, gạch ngang hoặc"
            " gạch dưới (2-64 ký tự)."
        )
    if role == Role.AGENCY and agency is None:
        raise UserError("Tài khoản đơn vị phải thuộc một cơ quan, đơn vị.")
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise UserError(f"Tên đăng nhập “{username}” đã có.")
    if password_hash is None:
        problem = passwords.password_problem(password, username)
        if problem:
            raise UserError(problem)
        password_hash = passwords.hash_password(password)
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        agency=agency,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="user.create",
        subject_type="user",
        subject_id=user.id,
        after={"username": username, "role": role.value, "agency": agency.code if agency else None},
    )
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None. Rehashes outdated hashes."""
    user = session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        passwords.check_password(_dummy_hash(), password)
        return None
    if not passwords.check_password(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = clock.now()
    return user


def account_exists(session: Session, username: str) -> bool:
    return (
        session.scalar(sa.select(User.id).where(User.username == username.strip().lower()))
        is not None
    )


def end_sessions(user: User) -> None:
    """Invalidate every session of this user (logout, password change, disabling)."""
    user.session_version += 1


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = passwords.hash_password("not a real password")
    return _DUMMY_HASH


def unlock_account(session: Session, actor: User | None, username: str) -> int:
    """An admin ends an account's sign-in delay: its failures are forgotten; one event."""
    username = username.strip().lower()
    cleared = throttle.clear_account(session, username)
    user = session.scalar(sa.select(User).where(User.username == username))
    record_event(
        session,
        actor=actor,
        action="user.unlock",
        subject_type="user",
        subject_id=user.id if user else 0,
        after={"username": username, "failures_cleared": cleared},
    )
    return cleared
