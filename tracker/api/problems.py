"""Errors as RFC 9457 problem details (application/problem+json), in the reader's
language: Vietnamese, or English when the token's user chose it or the request's
Accept-Language asks for it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from flask import Response
from flask_babel import gettext as _

from tracker.errors import MESSAGES

MEDIA_TYPE = "application/problem+json"
#: Where a problem's `type` points: the API's documentation, one anchor per status.
TYPE_BASE = "/api/v1/docs#problem-"


class Problem(Exception):
    """Raised anywhere in an API view; answered as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: Iterable[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = [dict(error) for error in errors]
        self.headers = dict(headers or {})


def field_error(name: str, message: str) -> dict[str, str]:
    """One entry of a problem's `errors`: a JSON pointer to the field, and what is wrong."""
    return {"pointer": "/" + name.replace("~", "~0").replace("/", "~1"), "detail": message}


def response(problem: Problem) -> Response:
    title, default = MESSAGES.get(problem.status, MESSAGES[500])
    body: dict[str, object] = {
        "type": f"{TYPE_BASE}{problem.status}",
        "title": _(title),
        "status": problem.status,
        "detail": problem.detail or _(default),
    }
    if problem.errors:
        body["errors"] = problem.errors
    answer = Response(
        json.dumps(body, ensure_ascii=False), status=problem.status, mimetype=MEDIA_TYPE
    )
    for name, value in problem.headers.items():
        answer.headers[name] = value
    return answer
