"""The JSON API at /api/v1: the same domain operations, workflow and permission
predicates as the pages, for the systems around tracker (e-office, integration bus,
dashboards)."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask.sessions import SecureCookieSessionInterface

from tracker.routing import API_PREFIX, is_api_request

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


class _NoSessionOnApi(SecureCookieSessionInterface):
    """API requests neither read nor set the session cookie: a token is the only
    credential there, so a browser's cookie cannot be ridden (no CSRF surface)."""

    def open_session(self, app, request):
        if request.path.startswith(API_PREFIX):
            return self.null_session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if is_api_request():
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    from tracker.api import access, routes  # noqa: F401 (routes register on import)
    from tracker.api.problems import Problem, response
    from tracker.auth.login import login_manager
    from tracker.security import csrf

    app.session_interface = _NoSessionOnApi()
    login_manager.request_loader(access.token_user)
    csrf.exempt(blueprint)
    app.register_error_handler(Problem, response)
    app.register_blueprint(blueprint)
