"""Flask-Login wiring: sessions that end at logout, on any device."""

from __future__ import annotations

from flask import Flask, current_app, flash, redirect, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker import clock, db
from tracker.auth.models import User
from tracker.routing import is_api_request

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Hãy đăng nhập để tiếp tục."
login_manager.login_message_category = "warning"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The id carries the user's session version; an older version is a dead session."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def start_session(user: User) -> None:
    """A new session id at sign-in, stamped with its start for the absolute timeout."""
    session.clear()
    session.permanent = True
    login_user(user)
    session["signed_in_at"] = clock.now().timestamp()


def _expire_old_sessions() -> Response | None:
    """End a session older than ABSOLUTE_SESSION_HOURS, however active it has been
    (PERMANENT_SESSION_LIFETIME is the idle timeout). The API has tokens, not sessions."""
    if is_api_request() or not current_user.is_authenticated:
        return None
    limit = float(current_app.config["ABSOLUTE_SESSION_HOURS"]) * 3600
    started = session.get("signed_in_at")
    if started is not None and clock.now().timestamp() - float(started) <= limit:
        return None
    logout_user()
    session.clear()
    flash("Phiên làm việc đã hết hạn. Hãy đăng nhập lại.", "warning")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_expire_old_sessions)
