"""What every command shares: the CLI's language, the app context, and a clear message
when the database is missing.

Nothing here loads SQLAlchemy or the models until a command runs: `tracker --help`
stays quick."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.i18n import spoken


def cli_language() -> str:
    """The language of the commands' messages: TRACKER_LANG (vi or en), else Vietnamese."""
    return spoken(os.environ.get("TRACKER_LANG", "").strip().lower() or None)


def with_app_and_language(command: Callable[..., None]) -> Callable[..., None]:
    """Flask's `with_appcontext`, and the command run in the CLI's language
    (`cli_language`): its messages and the refusals it passes on are written in it."""

    @functools.wraps(command)
    def in_language(*args, **kwargs) -> None:
        with force_locale(cli_language()):
            command(*args, **kwargs)

    return with_appcontext(in_language)


def needs_database(command: Callable[..., None]) -> Callable[..., None]:
    """A clear message instead of a traceback when the database is missing or unreachable."""

    @functools.wraps(command)
    def wrapped(*args, **kwargs) -> None:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        from tracker import db

        try:
            command(*args, **kwargs)
        except (OperationalError, ProgrammingError):
            db.session.rollback()
            raise click.ClickException(
                _(
                    "Không dùng được cơ sở dữ liệu (chưa khởi tạo hoặc không kết nối được):"
                    " hãy chạy `tracker init` và kiểm tra TRACKER_DATABASE_URL."
                )
            ) from None

    return wrapped
