"""`tracker token ...`: personal access tokens from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask_babel import gettext as _

from tracker.api.scopes import Scope
from tracker.commanding import needs_database, with_app_and_language

if TYPE_CHECKING:
    from tracker.auth.models import User


def _user(username: str) -> User:
    import sqlalchemy as sa

    from tracker import db
    from tracker.auth.models import User

    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(_("Không có tài khoản %(username)r.", username=username))
    return user


@click.group("token")
def token_group() -> None:
    """Personal access tokens of the JSON API."""


@token_group.command("create")
@click.argument("username")
@click.option(
    "--scope", type=click.Choice([scope.value for scope in Scope]), default=Scope.READ.value
)
@click.option("--expires", default="", help="Lifetime in days, e.g. 90d (default 90d).")
@click.option("--name", default="", help="What the token is for (default: cli).")
@with_app_and_language
@needs_database
def create_command(username: str, scope: str, expires: str, name: str) -> None:
    """Create a token for USERNAME and print it, once."""
    from tracker import db
    from tracker.api.tokens import TokenError, issue, parse_lifetime
    from tracker.formatting import format_datetime

    user = _user(username)
    try:
        issued = issue(db.session, user, name or "cli", scope, parse_lifetime(expires))
    except TokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(issued.secret)
    expires_at = issued.token.expires_at
    click.echo(
        _(
            "Mã truy cập của %(username)s (%(scope)s), hết hạn %(expires)s. Mã chỉ hiện"
            " một lần này: hãy lưu lại.",
            username=user.username,
            scope=issued.token.scope.value,
            expires=format_datetime(expires_at) if expires_at else "-",
        ),
        err=True,
    )


@token_group.command("list")
@click.argument("username")
@with_app_and_language
@needs_database
def list_command(username: str) -> None:
    """List USERNAME's tokens (never the tokens themselves)."""
    from tracker import clock, db
    from tracker.api.tokens import tokens_of

    now = clock.now()
    for token in tokens_of(db.session, _user(username)):
        state = (
            _("thu hồi")
            if token.revoked_at
            else _("hết hạn")
            if not token.usable(now)
            else _("còn hiệu lực")
        )
        click.echo(f"{token.id}\t{token.prefix}…\t{token.scope.value}\t{state}\t{token.name}")


@token_group.command("revoke")
@click.argument("username")
@click.argument("token_id", type=int)
@with_app_and_language
@needs_database
def revoke_command(username: str, token_id: int) -> None:
    """Revoke one of USERNAME's tokens, by the id `tracker token list` shows."""
    from tracker import db
    from tracker.api.tokens import revoke

    token = revoke(db.session, _user(username), token_id)
    if token is None:
        raise click.ClickException(_("Không có mã truy cập số %(id)d.", id=token_id))
    db.session.commit()
    click.echo(_("Đã thu hồi mã truy cập %(prefix)s….", prefix=token.prefix))
