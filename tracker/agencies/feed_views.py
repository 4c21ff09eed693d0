"""The agency calendar feed: the .ics itself (the token in the URL is the credential) and
the page where an agency's users and the office issue, renew or revoke it."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker import clock, db
from tracker.agencies.feed import (
    agency_by_feed_token,
    build_feed,
    issue_feed_token,
    revoke_feed_token,
)
from tracker.agencies.models import Agency
from tracker.auth.guards import found_or_404
from tracker.auth.models import Role
from tracker.routing import external_url

blueprint = Blueprint("feeds", __name__)
#: Never log a feed URL: its path is the credential.
log = logging.getLogger("tracker.feeds")

PRIVATE = "private, no-store"


class FeedTokenForm(FlaskForm):
    """Issuing, renewing or revoking a feed: a POST with only a CSRF token."""


@blueprint.route("/feeds/<token>.ics")
def calendar(token: str):
    agency = found_or_404(agency_by_feed_token(db.session, token))
    try:
        body = build_feed(db.session, agency, clock.now(), link=_assignment_url)
    except Exception:
        # The app's error handler would log the path, and with it the token.
        log.exception("calendar feed of agency %s failed", agency.code)
        abort(500)
    response = make_response(body)
    response.mimetype = "text/calendar"  # Werkzeug adds "; charset=utf-8" to text types
    response.headers["Content-Disposition"] = f'inline; filename="{agency.code.lower()}.ics"'
    response.headers["Cache-Control"] = PRIVATE
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@blueprint.route("/agencies/<int:agency_id>/feed", methods=["GET", "POST"])
@login_required
def manage(agency_id: int):
    """The subscription page; a POST issues a feed, or renews it (revoking the old URL)."""
    agency = _managed_agency(agency_id)
    form = FeedTokenForm()
    if form.validate_on_submit():
        renewed = agency.feed_token is not None
        issue_feed_token(db.session, current_user, agency)
        db.session.commit()
        flash(
            _(
                "Đã cấp địa chỉ mới; địa chỉ cũ không còn dùng được."
                " Hãy đăng ký lại trên các thiết bị."
            )
            if renewed
            else _("Đã tạo địa chỉ lịch riêng của đơn vị."),
            "success",
        )
        return redirect(url_for("feeds.manage", agency_id=agency.id))
    feed_url = webcal_url = None
    if agency.feed_token:
        feed_url = external_url("feeds.calendar", token=agency.feed_token)
        webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    response = make_response(
        render_template(
            "agencies/feed.html",
            agency=agency,
            feed_url=feed_url,
            webcal_url=webcal_url,
            form=form,
        )
    )
    response.headers["Cache-Control"] = PRIVATE  # the page shows the secret URL
    return response


@blueprint.route("/agencies/<int:agency_id>/feed/revoke", methods=["POST"])
@login_required
def revoke(agency_id: int):
    agency = _managed_agency(agency_id)
    if FeedTokenForm().validate_on_submit():
        if revoke_feed_token(db.session, current_user, agency):
            db.session.commit()
            flash(
                _("Đã thu hồi địa chỉ lịch: các thiết bị đã đăng ký sẽ không nhận được nữa."),
                "success",
            )
        else:
            flash(_("Đơn vị chưa có địa chỉ lịch để thu hồi."), "info")
    return redirect(url_for("feeds.manage", agency_id=agency.id))


def _managed_agency(agency_id: int) -> Agency:
    """The agency's own users and the office manage its feed; the leader is refused (403);
    another agency's user sees nothing (404)."""
    if current_user.role == Role.LEADER:
        abort(403)
    own = current_user.role == Role.AGENCY and current_user.agency_id == agency_id
    return found_or_404(db.session.get(Agency, agency_id), current_user.is_staff or own)


def _assignment_url(assignment_id: int) -> str:
    return external_url("assignments.show", assignment_id=assignment_id)
