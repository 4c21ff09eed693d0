"""The signed-in user's notifications, and the unread count in the navbar."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker import db
from tracker.notifications.events import KIND_LABELS, Kind
from tracker.notifications.operations import (
    mark_all_read,
    recent_notifications,
    set_mailed_kinds,
    unread_count,
)

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


@blueprint.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings():
    """Per kind of notification: in the app only, or in the daily e-mail too."""
    form = FlaskForm()
    if form.validate_on_submit():
        chosen = set(request.form.getlist("mail"))
        unknown = chosen - {kind.value for kind in Kind}
        if unknown:
            flash("Loại thông báo không hợp lệ.", "danger")
            return redirect(url_for("notifications.settings"))
        set_mailed_kinds(db.session, current_user, {Kind(value) for value in chosen})
        db.session.commit()
        flash("Đã lưu cách nhận thông báo.", "success")
        return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html",
        form=form,
        labels=KIND_LABELS,
        mail_off=set(current_user.mail_off or []),
    )


@blueprint.app_context_processor
def unread_notifications() -> dict[str, int]:
    """The navbar's unread count: one COUNT per request, for signed-in users only."""
    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return {}  # documents rendered outside a request, sign-in and error pages
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(db.session, current_user.id)
    return {"unread_notifications": g.unread_notifications}
