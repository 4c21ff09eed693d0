"""The signed-in user's notifications, and the unread count in the navbar."""

from __future__ import annotations

from flask import Blueprint, flash, g, has_request_context, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker import db
from tracker.notifications.operations import mark_all_read, recent_notifications, unread_count

blueprint = Blueprint("notifications", __name__)

#: Notifications the list shows, newest first.
LIST_LIMIT = 200


@blueprint.route("/notifications")
@login_required
def index():
    notifications = recent_notifications(db.session, current_user.id, LIST_LIMIT)
    return render_template(
        "notifications/index.html", notifications=notifications, limit=LIST_LIMIT
    )


@blueprint.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    count = mark_all_read(db.session, current_user)
    db.session.commit()
    if count:
        flash(f"Đã đánh dấu {count} thông báo là đã đọc.", "success")
    return redirect(url_for("notifications.index"))


@blueprint.app_context_processor
def unread_notifications() -> dict[str, int]:
    """The navbar's unread count: one COUNT per request, for signed-in users only."""
    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return {}  # documents rendered outside a request, sign-in and error pages
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(db.session, current_user.id)
    return {"unread_notifications": g.unread_notifications}
