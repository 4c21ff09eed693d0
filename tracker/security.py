"""CSRF protection and the security headers every response carries."""

from __future__ import annotations

from flask import Flask, Response, abort, g, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFProtect

from tracker.i18n import N_
from tracker.text import has_forbidden_controls

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


CONTROL_CHARACTERS_MESSAGE = N_(
    "Nội dung có ký tự điều khiển không hợp lệ (ví dụ ký tự NUL): hãy xóa rồi gửi lại."
)


def _refuse_control_characters() -> None:
    """NUL and other control characters in any form field or query parameter answer
    422 before anything is stored (PostgreSQL refuses NUL in text; no field needs them),
    saying so in the reader's language."""
    values = [*request.args.values(), *request.form.values()]
    if any(has_forbidden_controls(value) for value in values):
        abort(422, gettext(CONTROL_CHARACTERS_MESSAGE))


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.before_request(_refuse_control_characters)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # The user this request already loaded (never loaded again here: the database
        # may be what failed).
        user = g.get("_login_user")
        if (
            user is not None
            and user.is_authenticated
            and "no-store" not in headers.get("Cache-Control", "")
        ):
            # Pages of a signed-in user are theirs alone: no shared or back-button cache.
            headers["Cache-Control"] = "no-store"
        return response
