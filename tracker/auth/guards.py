"""Checks views use to authorise: 403 for a missing role, 404 for another agency's data."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

T = TypeVar("T")


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Office staff only (admin, secretariat)."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def found_or_404(obj: T | None, visible: bool = True) -> T:
    """Objects a user may not see answer exactly like objects that do not exist."""
    if obj is None or not visible:
        abort(404)
    return obj
