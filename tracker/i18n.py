"""The interface's language: Vietnamese first, English available (Flask-Babel).

Which language a request gets, first that applies:
1. `?lang=vi|en` on the URL (remembered in the session, so the next page keeps it);
2. the language the signed-in user chose (`User.language`, set on the account menu);
3. before sign-in, the browser's Accept-Language;
4. Vietnamese.

Dates stay dd/mm/yyyy in both languages. Formal documents (ND30) are Vietnamese
whatever the reader's language: their rendering forces it (`vietnamese()`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, gettext
from flask_login import current_user

from tracker import PACKAGE_DIR
from tracker.routing import is_api_request

#: The interface's languages, the default first.
LANGUAGES = ("vi", "en")
DEFAULT = LANGUAGES[0]
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
SESSION_KEY = "lang"


def N_(text: str) -> str:  # noqa: N802 (gettext's name for it)
    """Marks a string for translation where it is defined (a label in a table of
    labels) without translating it there: pages translate it as they show it (the `t`
    filter), while documents and exports keep the Vietnamese."""
    return text


def translate(text: object) -> str:
    """The `t` filter: a label in the reader's language (no %-formatting)."""
    return gettext(str(text)) if text else ""


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        if not is_api_request():  # the API keeps no session
            session[SESSION_KEY] = asked
        return asked
    remembered = session.get(SESSION_KEY)
    if remembered in LANGUAGES:
        return remembered
    from sqlalchemy.exc import SQLAlchemyError  # loaded by then: the CLI starts without it

    try:
        user = current_user._get_current_object()
        chosen = user.language if getattr(user, "is_authenticated", False) else None
    except SQLAlchemyError:  # the database is down: the error page still needs a language
        chosen = None
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def spoken(language: str | None) -> str:
    """The language someone is written to in: theirs (`User.language`) if the interface
    speaks it, else Vietnamese. Notifications, mail and the CLI are written under
    `force_locale(spoken(...))`."""
    return language if language in LANGUAGES else DEFAULT


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


@contextmanager
def vietnamese() -> Iterator[None]:
    """Formal documents are written in Vietnamese, whoever prints them."""
    with force_locale(DEFAULT):
        yield


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PACKAGE_DIR / "translations"))
    Babel(app, locale_selector=select_locale)
    app.add_template_filter(translate, "t")

    @app.context_processor
    def _language() -> dict[str, object]:
        return {"current_language": current_language(), "language_names": LANGUAGE_NAMES}
