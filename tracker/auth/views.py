"""Sign in and sign out."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from tracker import db, i18n
from tracker.auth import operations, passwords, throttle
from tracker.auth.forms import LoginForm, LogoutForm, PasswordForm
from tracker.auth.login import start_session
from tracker.auth.operations import account_exists, authenticate, end_sessions
from tracker.errors import render_error
from tracker.routing import safe_next

blueprint = Blueprint("auth", __name__)
log = logging.getLogger("tracker.auth")


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("reports.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        address = request.remote_addr or "unknown"
        refusal = throttle.check(db.session, username, address)
        if refusal is not None:
            log.warning("throttled login (%s) for %r from %s", refusal.reason, username, address)
            body, status = render_error(429, refusal.message)
            return body, status, {"Retry-After": str(refusal.retry_after)}
        user = authenticate(db.session, username, form.password.data)
        if user is None:
            log.warning("failed login for %r from %s", username, address)
            known = account_exists(db.session, username)
            throttle.record_failure(db.session, username if known else None, address)
            db.session.commit()
            form.password.errors.append(_("Tên đăng nhập hoặc mật khẩu không đúng."))
        else:
            db.session.commit()
            next_url = safe_next(request.args.get("next"))
            start_session(user)
            log.info("login %s", user.username)
            return redirect(next_url or url_for("reports.dashboard"))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@blueprint.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    form = LogoutForm()
    if request.method == "GET":
        return render_template("auth/logout.html", form=form)
    if form.validate_on_submit():
        end_sessions(current_user._get_current_object())
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions end, this one goes on."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            operations.change_password(db.session, user, form.current.data, form.new.data)
        except operations.WrongPassword as error:
            db.session.rollback()
            form.current.errors.append(str(error))
        except operations.UserError as error:
            db.session.rollback()
            form.new.errors.append(str(error))
        else:
            db.session.commit()
            start_session(user)
            flash(_("Đã đổi mật khẩu; các phiên đăng nhập khác đã kết thúc."), "success")
            return redirect(url_for("reports.dashboard"))
    page = render_template("auth/password.html", form=form, min_length=passwords.MIN_LENGTH)
    return page, 200 if not form.errors else 422


@blueprint.route("/account/language", methods=["POST"])
def choose_language():
    """The interface language: kept for this browser, and on the account when signed in."""
    form = LogoutForm()  # a form with nothing but its CSRF token
    language = request.form.get("language")
    if not form.validate_on_submit() or language not in i18n.LANGUAGES:
        abort(400)
    session[i18n.SESSION_KEY] = language
    if current_user.is_authenticated:
        operations.set_language(db.session, current_user._get_current_object(), language)
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("reports.dashboard"))
