"""tracker: turns every numbered task of a directive into assignable, trackable work."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then TRACKER_*, then test_config."""
    from tracker import api, db, errors, formatting, i18n, routing, security
    from tracker.agencies.feed_views import blueprint as feeds_blueprint
    from tracker.agencies.subunit_views import blueprint as subunits_blueprint
    from tracker.agencies.views import blueprint as agencies_blueprint
    from tracker.api.token_views import blueprint as tokens_blueprint
    from tracker.assignments import tally
    from tracker.assignments.views import blueprint as assignments_blueprint
    from tracker.auth import login
    from tracker.auth.admin_views import blueprint as users_blueprint
    from tracker.auth.views import blueprint as auth_blueprint
    from tracker.calendar.views import blueprint as calendar_blueprint
    from tracker.directives.import_views import blueprint as imports_blueprint
    from tracker.directives.views import blueprint as directives_blueprint
    from tracker.documents.views import blueprint as documents_blueprint
    from tracker.evidence.views import blueprint as evidence_blueprint
    from tracker.inbox.views import blueprint as inbox_blueprint
    from tracker.jobs import queue as job_queue
    from tracker.notifications.views import blueprint as notifications_blueprint
    from tracker.reports.digest_views import blueprint as digests_blueprint
    from tracker.reports.views import blueprint as reports_blueprint
    from tracker.search import index as search_index
    from tracker.search.views import blueprint as search_blueprint
    from tracker.webhooks import events as webhook_events
    from tracker.webhooks.views import blueprint as webhooks_blueprint

    app = _configured(test_config)
    hops = int(app.config["PROXY_HOPS"])
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    routing.init_app(app)
    db.init_app(app)
    search_index.listen(db.AppSession)
    tally.listen(db.AppSession)
    webhook_events.listen(db.AppSession)
    job_queue.init_app(app)
    login.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    i18n.init_app(app)
    _sweep_dead_uploads(app)
    api.init_app(app)
    for blueprint in (
        auth_blueprint,
        users_blueprint,
        reports_blueprint,
        directives_blueprint,
        imports_blueprint,
        documents_blueprint,
        assignments_blueprint,
        evidence_blueprint,
        agencies_blueprint,
        calendar_blueprint,
        feeds_blueprint,
        notifications_blueprint,
        inbox_blueprint,
        search_blueprint,
        digests_blueprint,
        subunits_blueprint,
        tokens_blueprint,
        webhooks_blueprint,
    ):
        app.register_blueprint(blueprint)
    return app


def _configured(test_config: dict | None) -> Flask:
    """The app with its configuration and logging, nothing else yet."""
    from tracker import config, logs

    instance_path = (
        (test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("TRACKER_INSTANCE_PATH")
        or str(PROJECT_DIR / "instance")
    )
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(PROJECT_DIR / "templates"),
    )
    config.load_config(app, test_config)
    logs.init_app(app)
    return app


def create_reading_app(test_config: dict | None = None) -> Flask:
    """An app that only reads: the configuration, the database and the language, with
    no pages, jobs or listeners. For commands that need no more (`tracker parse`), so
    they start in a fraction of the time `create_app` takes."""
    from tracker import db, i18n

    app = _configured(test_config)
    db.init_app(app)
    i18n.init_app(app)
    return app


def _sweep_dead_uploads(app: Flask) -> None:
    """Partial uploads left by a process that died are removed as the app starts."""
    from tracker.evidence.stores import every_store

    removed = [
        path for store in every_store(app.config).values() for path in store.sweep_dead_uploads()
    ]
    if removed:
        app.logger.warning("removed %d partial uploads of dead processes", len(removed))
