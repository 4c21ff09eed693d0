"""Sign-in form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.auth.passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    username = StringField(
        _l("Tên đăng nhập"),
        validators=[DataRequired(_l("Hãy nhập tên đăng nhập.")), Length(max=64)],
    )
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[DataRequired(_l("Hãy nhập mật khẩu.")), Length(max=1024)],
    )


class LogoutForm(FlaskForm):
    """Logging out changes state, so it is a POST with a CSRF token."""


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[DataRequired(_l("Hãy nhập mật khẩu hiện tại.")), Length(max=1024)],
    )
    new = PasswordField(
        _l("Mật khẩu mới (từ %(count)s ký tự; nên là một cụm vài từ)", count=MIN_LENGTH),
        validators=[DataRequired(_l("Hãy nhập mật khẩu mới.")), Length(max=1024)],
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[EqualTo("new", _l("Hai lần nhập mật khẩu mới không khớp."))],
    )


class ResetPasswordForm(FlaskForm):
    new = PasswordField(
        _l("Mật khẩu mới"),
        validators=[DataRequired(_l("Hãy nhập mật khẩu mới.")), Length(max=1024)],
    )


class UserActionForm(FlaskForm):
    """Disable, enable, end sessions, unlock: a POST with only a CSRF token."""
