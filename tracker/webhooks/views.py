"""The admin's webhooks page: register an endpoint (its signing key shown once), turn
one off or on, and read the latest deliveries with their status."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from tracker import db
from tracker.auth.guards import found_or_404
from tracker.auth.models import Role
from tracker.webhooks.events import EVENTS
from tracker.webhooks.models import WebhookEndpoint
from tracker.webhooks.operations import (
    MAX_URL,
    WebhookError,
    endpoints,
    recent_deliveries,
    register_endpoint,
    set_active,
)

blueprint = Blueprint("webhooks", __name__)


class EndpointForm(FlaskForm):
    url = StringField(
        _l("Địa chỉ nhận (URL)"),
        validators=[DataRequired(_l("Hãy nhập địa chỉ nhận.")), Length(max=MAX_URL)],
    )
    events = SelectMultipleField(
        _l("Sự kiện"),
        choices=[SelectChoice(name, _l(label)) for name, label in EVENTS.items()],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    allow_private = BooleanField(
        _l("Cho phép máy chủ này dù ở mạng nội bộ (loopback, link-local, mạng riêng)")
    )


class ToggleForm(FlaskForm):
    """Turning an endpoint off or on is a POST with a CSRF token."""


def _admin_only() -> None:
    if current_user.role != Role.ADMIN:
        abort(403)


def _page(form: EndpointForm, secret: str | None = None, status: int = 200):
    return render_template(
        "webhooks/index.html",
        form=form,
        toggle_form=ToggleForm(),
        endpoints=endpoints(db.session),
        deliveries=recent_deliveries(db.session),
        event_labels=EVENTS,
        secret=secret,
    ), status


@blueprint.route("/webhooks", methods=["GET", "POST"])
@login_required
def index():
    _admin_only()
    form = EndpointForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        if "csrf_token" in form.errors:
            abort(400)
        return _page(form, status=422)
    try:
        registered = register_endpoint(
            db.session,
            current_user,
            form.url.data or "",
            list(form.events.data or []),
            bool(form.allow_private.data),
        )
    except (WebhookError, ValueError) as error:
        db.session.rollback()
        form.url.errors = [str(error)]
        return _page(form, status=422)
    db.session.commit()
    return _page(EndpointForm(formdata=None), secret=registered.secret)


@blueprint.route("/webhooks/<int:endpoint_id>/<any(enable, disable):change>", methods=["POST"])
@login_required
def toggle(endpoint_id: int, change: str):
    _admin_only()
    if not ToggleForm().validate_on_submit():
        abort(400)
    endpoint = found_or_404(db.session.get(WebhookEndpoint, endpoint_id))
    set_active(db.session, current_user, endpoint, change == "enable")
    db.session.commit()
    flash(
        _("Đã bật gửi tới %(url)s.", url=endpoint.url)
        if endpoint.active
        else _("Đã tắt gửi tới %(url)s.", url=endpoint.url),
        "success",
    )
    return redirect(url_for("webhooks.index"))
