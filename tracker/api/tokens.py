"""Personal access tokens: issued once, kept as their hash, listed, revoked, expiring."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import clock
from tracker.api.models import ApiToken, Scope
from tracker.audit import record_event
from tracker.auth.models import User

#: Every token starts so, which tells a leaked one apart in logs and secret scanners.
TOKEN_PREFIX = "trk_"  # noqa: S105 (a marker, not a secret)
#: Characters of a token kept in clear, to tell tokens apart in a list.
SHOWN = len(TOKEN_PREFIX) + 6
#: Longest lifetime a token may be given, and the one a token gets when none is asked.
MAX_DAYS = 366
DEFAULT_DAYS = 90
LIFETIME = re.compile(r"^\s*(\d{1,4})\s*d?\s*$")


class TokenError(ValueError):
    """A token that cannot be issued as asked; the message is for the user."""


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    #: The token itself: shown this once, never stored.
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_lifetime(text: str | None) -> timedelta:
    """'90d', '90' or '' (the default) as a lifetime of whole days, 1 to MAX_DAYS."""
    if not text or not text.strip():
        return timedelta(days=DEFAULT_DAYS)
    found = LIFETIME.match(text)
    days = int(found.group(1)) if found else 0
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_("Thời hạn phải từ 1 đến %(most)d ngày, ví dụ 90d.", most=MAX_DAYS))
    return timedelta(days=days)


def issue(
    session: Session, user: User, name: str, scope: Scope | str, lifetime: timedelta
) -> Issued:
    name = " ".join((name or "").split())
    if not name:
        raise TokenError(_("Hãy đặt tên cho mã truy cập (ví dụ: hệ thống quản lý văn bản)."))
    if len(name) > 80:
        raise TokenError(_("Tên mã truy cập dài quá 80 ký tự."))
    try:
        scope = Scope(scope)
    except ValueError:
        raise TokenError(_("Phạm vi phải là read hoặc write.")) from None
    if not user.active:
        raise TokenError(_("Tài khoản đã bị khóa."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(
        user_id=user.id,
        user=user,
        name=name,
        prefix=secret[:SHOWN],
        token_hash=digest(secret),
        scope=scope,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        actor=user,
        action="api_token.create",
        subject_type="user",
        subject_id=user.id,
        comment=f"{token.prefix}… {scope.value} {name}",
    )
    return Issued(token, secret)


def find(session: Session, secret: str, now: datetime) -> ApiToken | None:
    """The usable token this secret is, or None (unknown, revoked, expired, or its user
    disabled: all alike to the caller)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or not token.usable(now):
        return None
    return token


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def revoke(session: Session, user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens; None when it is not theirs."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        record_event(
            session,
            actor=user,
            action="api_token.revoke",
            subject_type="user",
            subject_id=user.id,
            comment=f"{token.prefix}… {token.name}",
        )
    return token
