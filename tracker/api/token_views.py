"""The user's own access tokens page: create (the token is shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from tracker import clock, db
from tracker.api.models import Scope
from tracker.api.tokens import (
    DEFAULT_DAYS,
    MAX_DAYS,
    TokenError,
    issue,
    parse_lifetime,
    revoke,
    tokens_of,
)

blueprint = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField(
        _l("Dùng cho"),
        validators=[DataRequired(_l("Hãy đặt tên cho mã truy cập.")), Length(max=80)],
    )
    scope = SelectField(
        _l("Phạm vi"),
        choices=[
            SelectChoice(Scope.READ.value, _l("Chỉ đọc (read)")),
            SelectChoice(Scope.WRITE.value, _l("Đọc và ghi (write)")),
        ],
        default=Scope.READ.value,
    )
    days = StringField(
        _l("Hiệu lực (ngày, từ 1 đến %(most)s)", most=MAX_DAYS),
        default=str(DEFAULT_DAYS),
        validators=[Length(max=8)],
    )


class RevokeForm(FlaskForm):
    """Revoking is a POST with a CSRF token."""


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    return render_template(
        "account/tokens.html",
        form=form,
        revoke_form=RevokeForm(),
        tokens=tokens_of(db.session, current_user),
        secret=secret,
        now=clock.now(),
    ), status


@blueprint.route("/account/tokens", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        if "csrf_token" in form.errors:
            abort(400)
        return _page(form, status=422)
    try:
        issued = issue(
            db.session,
            current_user,
            form.name.data or "",
            form.scope.data or "",
            parse_lifetime(form.days.data),
        )
    except TokenError as error:
        db.session.rollback()
        form.days.errors = [str(error)]
        return _page(form, status=422)
    db.session.commit()
    # Shown in this answer only: the page is not cached (no-store) and the token is
    # never stored in clear.
    return _page(TokenForm(formdata=None), secret=issued.secret)


@blueprint.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400)
    token = revoke(db.session, current_user, token_id)
    if token is None:
        abort(404)
    db.session.commit()
    flash(_("Đã thu hồi mã truy cập %(prefix)s….", prefix=token.prefix), "success")
    return redirect(url_for("tokens.index"))
