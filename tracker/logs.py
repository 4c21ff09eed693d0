"""Logging for the app, the `tracker` command and gunicorn: one line per record, as
key=value pairs (logfmt), secrets redacted.

    time=2026-11-30T04:17:56.123Z level=warning logger=tracker.auth msg="access denied: GET
    /users" request_id=5f0c2a9e1b7d4c3a remote_addr=203.0.113.7 user_id=12

Why logfmt rather than JSON lines: the same line is read by a person on a terminal
(`tracker run`, `journalctl -u tracker`) and by machines (Loki, Vector, `grep
user_id=12`); logfmt stays readable for the first and is parsed as-is by the second,
while JSON costs the person every quote and brace. One record is always one line:
newlines in a message or a traceback are written as \\n.

Fields, in this order: `time` (UTC, milliseconds), `level`, `logger`, `msg`; inside a
request `request_id`, `remote_addr` (the client's, after the trusted proxies) and
`user_id` when someone is signed in; then a record's own fields (`extra={"fields":
{...}}`, e.g. an access line's status and bytes); last `exc`, the traceback.

The level of tracker's own loggers, the development server's and gunicorn's is LOG_LEVEL
(TRACKER_LOG_LEVEL); other libraries keep Python's default, WARNING.

Calendar feed URLs carry their secret token in the path (/feeds/<token>.ics): every line
written through here shows only its first characters (`/feeds/k3Jq….ics`), and so do the
development server's request lines. gunicorn's access log is set up by
tracker/gunicorn_config.py with the same formatter and redaction."""

from __future__ import annotations

import logging
import re
import secrets
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import unquote

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

#: Where a request's id and signed-in user are left in the WSGI environ, for the
#: server's access log (gunicorn reads the same environ after the app has answered).
REQUEST_ID_KEY = "tracker.request_id"
USER_ID_KEY = "tracker.user_id"
REQUEST_ID_HEADER = "X-Request-ID"
#: A request id a trusted proxy may hand in (nginx's $request_id is 32 hex digits).
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{8,64}")
#: The loggers that take LOG_LEVEL: tracker's own, the development server's and the job
#: queue's (Huey: a worker starting, each job run, a job's error).
APP_LOGGERS = ("tracker", "werkzeug", "huey")

#: A feed path and its token, matched on the percent-decoded text; a token already cut
#: ("k3Jq…") is left as it is, so redacting twice changes nothing.
_FEED_PATH = re.compile(r"(/feeds/)([^/?#\s\"'.…]++)(?!…)")
#: Characters of a token a log keeps, and the shortest token that keeps any.
TOKEN_SHOWN = 4
_TOKEN_KEPT_FROM = 12
#: The development server colours its request lines for a terminal; a log has no use
#: for the escape codes.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: The development server's request line: 'ADDRESS - - [DATE] "%s" %s %s'.
_WERKZEUG_REQUEST = re.compile(r'^(?P<address>\S+) - - \[[^\]]*\] "%s" %s %s$')


def redact(text: str) -> str:
    """The text with each calendar feed token cut to its first characters and "…":
    /feeds/k3JqXb…(43 characters).ics -> /feeds/k3Jq….ics. Percent-encoded forms of the
    path (/feeds%2F…) are decoded first, since the app would serve them too."""
    if "feeds" not in text and "%" not in text:
        return text
    decoded = unquote(text)
    if not _FEED_PATH.search(decoded):
        return text
    return _FEED_PATH.sub(_shortened, decoded)


def _shortened(match: re.Match[str]) -> str:
    token = match.group(2)
    kept = token[:TOKEN_SHOWN] if len(token) >= _TOKEN_KEPT_FROM else ""
    return f"{match.group(1)}{kept}…"


class RequestContextFilter(logging.Filter):
    """Adds the request id, the client's address and the signed-in user's id to records
    made while a request is handled. It never loads the user: a record reads only the
    user the request has already loaded."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = request.environ.get(REQUEST_ID_KEY)
            record.remote_addr = request.remote_addr
            record.user_id = _signed_in_user_id()
        return True


class WerkzeugRequestFilter(logging.Filter):
    """The development server's request line as a record of its own: the request as the
    message (token redacted, no colour codes) and the address, status and size as fields,
    not a second timestamp inside the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        match = _WERKZEUG_REQUEST.match(str(record.msg))
        if match and isinstance(record.args, tuple) and len(record.args) == 3:
            line, status, size = (str(arg) for arg in record.args)
            record.msg, record.args = redact(_ANSI.sub("", line)), None
            record.fields = {"remote_addr": match["address"], "status": status, "bytes": size}
        else:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a malformed call: the handler reports it
                return True
            record.msg, record.args = redact(_ANSI.sub("", message)), None
        return True


class KeyValueFormatter(logging.Formatter):
    """One record as one logfmt line (see the module's docstring for the fields). Every
    value it writes passes through `redact`: whatever a message, a field or a traceback
    holds, no feed token leaves through here."""

    CONTEXT = ("request_id", "remote_addr", "user_id")

    def format(self, record: logging.LogRecord) -> str:
        pairs: list[tuple[str, object]] = [
            ("time", _utc_time(record.created)),
            ("level", record.levelname.lower()),
            ("logger", record.name),
            ("msg", record.getMessage()),
        ]
        for name in self.CONTEXT:
            value = getattr(record, name, None)
            if value is not None:
                pairs.append((name, value))
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            pairs.extend((str(name), value) for name, value in fields.items())
        if record.exc_info:
            pairs.append(("exc", self.formatException(record.exc_info)))
        elif record.stack_info:
            pairs.append(("stack", self.formatStack(record.stack_info)))
        return " ".join(f"{name}={quote(value)}" for name, value in pairs)


_BARE = re.compile(r"[^\s\"=\\\x00-\x1f\x7f]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote(value: object) -> str:
    """A logfmt value, feed tokens redacted: bare when it has no space, quote, '=' or
    control character; else in double quotes with those escaped, so a value never
    breaks the line."""
    text = redact("" if value is None else str(value))
    if text and _BARE.fullmatch(text):
        return text
    escaped = "".join(_ESCAPES.get(c) or (f"\\x{ord(c):02x}" if _control(c) else c) for c in text)
    return f'"{escaped}"'


def _control(character: str) -> bool:
    return ord(character) < 0x20 or ord(character) == 0x7F


def _utc_time(created: float) -> str:
    """The record's wall-clock time (never tracker's frozen clock), UTC, milliseconds."""
    instant = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    return instant.replace("+00:00", "Z")


def _signed_in_user_id() -> int | None:
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id
    return None


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes (as logging's last resort
    does), so a command's output captured after start-up still receives its lines."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def level_number(level: str | int) -> int:
    """LOG_LEVEL as logging's number: a name (debug, INFO, warning ...) or a number."""
    if isinstance(level, int):
        return level
    text = str(level).strip()
    if text.isdigit():
        return int(text)
    names = logging.getLevelNamesMapping()
    if text.upper() not in names:
        raise ValueError(
            f"LOG_LEVEL {level!r} is not a logging level (debug, info, warning, error, critical)"
        )
    return names[text.upper()]


def configure(level: str | int = "INFO") -> None:
    """Set up logging for this process; safe to call again (each app built, e.g. by
    the tests, replaces the previous set-up rather than adding to it)."""
    number = level_number(level)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, StderrHandler):
            root.removeHandler(handler)
    handler = StderrHandler()
    handler.setFormatter(KeyValueFormatter())
    handler.addFilter(RequestContextFilter())
    root.addHandler(handler)
    for name in APP_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(number)
        # Flask's own stderr handler would write every tracker record a second time.
        logger.removeHandler(default_handler)
    _add_once(logging.getLogger("werkzeug"), WerkzeugRequestFilter())


def _add_once(logger: logging.Logger, new: logging.Filter) -> None:
    if not any(isinstance(existing, type(new)) for existing in logger.filters):
        logger.addFilter(new)


def init_app(app: Flask) -> None:
    """Configure logging from LOG_LEVEL and give every request an id: a trusted proxy's
    X-Request-ID (only when PROXY_HOPS trusts a proxy), else a new one. The id goes back
    in the response's X-Request-ID so a user's report can be found in the log."""
    configure(app.config.get("LOG_LEVEL", "INFO"))
    trust_proxy = bool(int(app.config.get("PROXY_HOPS") or 0))

    @app.before_request
    def _request_id() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "") if trust_proxy else ""
        request.environ[REQUEST_ID_KEY] = (
            given if REQUEST_ID_PATTERN.fullmatch(given) else secrets.token_hex(8)
        )

    @app.after_request
    def _answer_request_id(response: Response) -> Response:
        request_id = request.environ.get(REQUEST_ID_KEY)
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response

    @app.teardown_request
    def _leave_user_for_access_log(_error: BaseException | None) -> None:
        user_id = _signed_in_user_id()
        if user_id is not None:
            request.environ[USER_ID_KEY] = user_id
