"""The inbox: one page with everything that waits on the signed-in user, and its count
in the navbar."""

from __future__ import annotations

from flask import Blueprint, current_app, g, has_request_context, render_template
from flask_login import current_user, login_required

from tracker import clock, db
from tracker.inbox.queries import counts, inbox, shown
from tracker.notifications.operations import recent_notifications

blueprint = Blueprint("inbox", __name__)
blueprint.add_app_template_filter(shown, "count_shown")

#: Unread notifications listed at the top of the inbox.
UNREAD_SHOWN = 10


def _due_soon_days() -> int:
    return int(current_app.config["DUE_SOON_WORKING_DAYS"])


@blueprint.route("/inbox")
@login_required
def index():
    today = clock.today()
    found = inbox(db.session, current_user, today, _due_soon_days())
    if found.counts is not None:  # the navbar reads the same counts: not counted twice
        g.waiting_count = found.counts.total
    unread = recent_notifications(db.session, current_user.id, UNREAD_SHOWN, unread=True)
    return render_template(
        "inbox/index.html",
        inbox=found,
        today=today,
        unread_notes=unread,
    )


@blueprint.app_context_processor
def waiting_count() -> dict[str, int]:
    """The navbar's count of what waits on the user: one query per request."""
    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return {}
    if "waiting_count" not in g:
        g.waiting_count = counts(db.session, current_user, clock.today(), _due_soon_days()).total
    return {"waiting_count": g.waiting_count}
