"""URLs: numeric ids in a range every database holds, so a huge number in a path answers
404 instead of overflowing the database driver; full links built on the configured
canonical address."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

#: Where the JSON API lives: requests there carry a token, never a session cookie.
API_PREFIX = "/api/"

#: The largest id any table can hold (a PostgreSQL INTEGER).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 to MAX_ID, else the route does not match (404)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (Werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def safe_next(target: str | None) -> str | None:
    """Only a local path: no scheme, no host, no protocol-relative, backslash or
    control-character tricks (urlsplit silently drops tabs and line breaks)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(character) < 32 or ord(character) == 127 for character in target)
    ):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def back_to(default: str) -> str:
    """Where to go after a form succeeds: the local page the form named in its `next`
    field (the inbox, for a step taken there), else `default`."""
    return safe_next(request.form.get("next")) or default


def external_url(endpoint: str, **values) -> str:
    """A full link to give out (a calendar feed, a link in a message): on BASE_URL when it
    is set, so a forged Host header cannot send people elsewhere; else the request's."""
    base = current_app.config.get("BASE_URL") or ""
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


#: Endpoints that answer GET with a file, not a page: never a place to send someone back to.
FILE_ENDPOINTS = frozenset(
    {"evidence.download", "documents.download", "documents.asset", "reports.job_file"}
)


def page_of_form(path: str) -> str | None:
    """Where a form posted to `path` lives, for a GET on a POST-only URL (a reload or a
    bookmark after a failed form): the nearest page up the path, e.g.
    /assignments/5/submit -> /assignments/5. None when nothing above answers GET."""
    adapter = current_app.url_map.bind("localhost")
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) or "/"
        try:
            endpoint, _ = adapter.match(candidate, method="GET")
        except HTTPException:
            continue
        if endpoint not in FILE_ENDPOINTS:
            return candidate
    return None


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
