"""Accounts, for the admin: disable and enable them, set a forgotten password, sign a
user out everywhere, end a sign-in delay."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from tracker import db
from tracker.auth import operations
from tracker.auth.forms import ResetPasswordForm, UserActionForm
from tracker.auth.guards import found_or_404
from tracker.auth.models import Role, User
from tracker.i18n import N_

blueprint = Blueprint("users", __name__)

ROLE_LABELS = {
    Role.ADMIN: N_("Quản trị"),
    Role.SECRETARIAT: N_("Văn phòng"),
    Role.AGENCY: N_("Đơn vị"),
    Role.LEADER: N_("Lãnh đạo"),
}
DONE = {
    "disable": N_("Đã khóa tài khoản {}; các phiên đăng nhập đã kết thúc."),
    "enable": N_("Đã mở lại tài khoản {}."),
    "end_sessions": N_("Đã đăng xuất {} khỏi mọi thiết bị."),
    "unlock": N_("Đã bỏ thời gian chờ đăng nhập của {}."),
    "reset_password": N_("Đã đặt mật khẩu mới cho {}; các phiên đăng nhập đã kết thúc."),
}


def _admin_only() -> None:
    if current_user.role != Role.ADMIN:
        abort(403)


@blueprint.route("/users")
@login_required
def index():
    _admin_only()
    users = db.session.scalars(
        sa.select(User).options(joinedload(User.agency)).order_by(User.username)
    ).all()
    return render_template(
        "auth/users.html",
        users=users,
        role_labels=ROLE_LABELS,
        action_form=UserActionForm(),
        reset_form=ResetPasswordForm(),
    )


@blueprint.route("/users/<int:user_id>/<action>", methods=["POST"])
@login_required
def act(user_id: int, action: str):
    _admin_only()
    if action not in DONE:
        abort(404)
    user = found_or_404(db.session.get(User, user_id))
    form = ResetPasswordForm() if action == "reset_password" else UserActionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(url_for("users.index"))
    try:
        if action == "disable":
            operations.set_active(db.session, current_user, user, False)
        elif action == "enable":
            operations.set_active(db.session, current_user, user, True)
        elif action == "end_sessions":
            operations.end_user_sessions(db.session, current_user, user)
        elif action == "unlock":
            operations.unlock_account(db.session, current_user, user.username)
        else:
            operations.reset_password(db.session, current_user, user, form.new.data)
    except operations.UserError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("users.index"))
    db.session.commit()
    flash(_(DONE[action]).format(user.username), "success")
    return redirect(url_for("users.index") + f"#user-{user.id}")
