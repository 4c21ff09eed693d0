"""Who calls the API: a personal access token in `Authorization: Bearer …`, never a
session cookie (so there is no CSRF surface), within its scope and its rate limit."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Request, current_app, g, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import clock, db
from tracker.api.models import ApiRequestCount, ApiToken, Scope
from tracker.api.problems import Problem
from tracker.api.tokens import find
from tracker.auth.models import User
from tracker.routing import API_PREFIX

#: How often a token's last use is written down (not on every request).
LAST_USE_RESOLUTION_SECONDS = 60


def token_user(req: Request) -> User | None:
    """Flask-Login's request loader: the user of the request's bearer token, on API
    paths only. Looked up once per request; the token is kept on `g`."""
    if not req.path.startswith(API_PREFIX):
        return None
    if "api_token" not in g:
        scheme, _, secret = req.headers.get("Authorization", "").partition(" ")
        token = None
        if scheme.lower() == "bearer" and secret.strip():
            token = find(db.session, secret.strip(), clock.now())
        g.api_token = token
    token = g.api_token
    return token.user if token is not None else None


def current_token() -> ApiToken | None:
    return g.get("api_token")


def require_token(public: bool) -> None:
    """Before every API view: 401 without a usable token, 403 for a read token that
    writes, 429 beyond the rate limit."""
    if public:
        return
    from flask_login import current_user

    current_user._get_current_object()  # runs the request loader once
    token = current_token()
    if token is None:
        raise Problem(
            401,
            _("Thiếu mã truy cập, hoặc mã đã hết hạn hay bị thu hồi."),
            headers={"WWW-Authenticate": 'Bearer realm="tracker"'},
        )
    if request.method not in ("GET", "HEAD") and token.scope != Scope.WRITE:
        raise Problem(
            403,
            _("Mã truy cập này chỉ được đọc (phạm vi read)."),
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
        )
    _count(db.session, token)


def _count(session: Session, token: ApiToken) -> None:
    """One more request in the token's current window, committed at once (a refused or
    failed request still counts); 429 with Retry-After beyond the limit."""
    window = int(current_app.config["API_RATE_WINDOW_SECONDS"])
    limit = int(current_app.config["API_RATE_LIMIT"])
    now = clock.now()
    start = math.floor(now.timestamp() / window) * window
    window_start = datetime.fromtimestamp(start, UTC)
    counted = (
        db.upsert_insert(session)(ApiRequestCount)
        .values(token_id=token.id, window_start=window_start, count=1)
        .on_conflict_do_update(
            index_elements=["token_id", "window_start"],
            set_={"count": ApiRequestCount.count + 1},
        )
        .returning(ApiRequestCount.count)
    )
    count = session.execute(counted).scalar_one()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USE_RESOLUTION_SECONDS:
        token.last_used_at = now
    if count == 1:  # a new window: forget the token's older ones
        session.execute(
            sa.delete(ApiRequestCount).where(
                ApiRequestCount.token_id == token.id,
                ApiRequestCount.window_start < window_start,
            )
        )
    session.commit()
    if count > limit:
        retry_after = max(1, math.ceil(start + window - now.timestamp()))
        raise Problem(
            429,
            _(
                "Đã vượt giới hạn %(limit)d yêu cầu mỗi %(window)d giây của mã truy cập này."
                " Hãy thử lại sau %(seconds)d giây.",
                limit=limit,
                window=window,
                seconds=retry_after,
            ),
            headers={"Retry-After": str(retry_after)},
        )
