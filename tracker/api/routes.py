"""Importing this registers every API view on the blueprint, and the token check that
runs before each of them."""

from __future__ import annotations

from flask import request

from tracker.api import (  # noqa: F401 (views register on import)
    access,
    agencies,
    blueprint,
    docs,
    extensions,
    imports,
    indicators,
    resources,
    search,
)
from tracker.api.spec import OPERATIONS

#: Endpoints answered without a token.
PUBLIC = frozenset({item.endpoint for item in OPERATIONS if item.public} | docs.PUBLIC_ENDPOINTS)


@blueprint.before_request
def _authenticate() -> None:
    access.require_token(request.endpoint in PUBLIC)
