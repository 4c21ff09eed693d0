"""Creating users and signing in."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _
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


class WrongPassword(UserError):
    """The current password given to change it is not the user's."""


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
            _(
                "Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số, dấu chấm, gạch ngang hoặc"
                " gạch dưới (2-64 ký tự)."
            )
        )
    if role == Role.AGENCY and agency is None:
        raise UserError(_("Tài khoản đơn vị phải thuộc một cơ quan, đơn vị."))
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise UserError(_("Tên đăng nhập “%(username)s” đã có.", username=username))
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


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """A user sets a new password: the current one must be right; every other session
    of the user ends."""
    if not passwords.check_password(user.password_hash, current):
        raise WrongPassword(_("Mật khẩu hiện tại không đúng."))
    _set_password(session, user, new, actor=user, action="user.password")


def reset_password(session: Session, actor: User | None, user: User, new: str) -> None:
    """An admin sets a user's password (the user forgot it); their sessions end."""
    _set_password(session, user, new, actor=actor, action="user.reset_password")


def _set_password(
    session: Session, user: User, new: str, *, actor: User | None, action: str
) -> None:
    problem = passwords.password_problem(new, user.username, user.full_name)
    if problem:
        raise UserError(problem)
    user.password_hash = passwords.hash_password(new)
    end_sessions(user)
    session.flush()
    record_event(session, actor=actor, action=action, subject_type="user", subject_id=user.id)


def set_active(session: Session, actor: User | None, user: User, active: bool) -> None:
    """An admin disables an account (its sessions end at once) or enables it again."""
    if actor is not None and user.id == actor.id and not active:
        raise UserError(_("Không thể tự khóa tài khoản của chính mình."))
    if user.active == active:
        return
    user.active = active
    end_sessions(user)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="user.enable" if active else "user.disable",
        subject_type="user",
        subject_id=user.id,
        before={"active": not active},
        after={"active": active},
    )


def end_user_sessions(session: Session, actor: User | None, user: User) -> None:
    """An admin signs a user out everywhere (a lost phone, a shared computer)."""
    end_sessions(user)
    session.flush()
    record_event(
        session, actor=actor, action="user.end_sessions", subject_type="user", subject_id=user.id
    )


def set_language(session: Session, user: User, language: str) -> None:
    """The interface language the user chose ("vi" or "en")."""
    user.language = language
    session.flush()
