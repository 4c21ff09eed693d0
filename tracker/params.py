"""Request parameters the pages share: the "as of" date, read and bounded once."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import abort, request

from tracker import clock

#: The earliest date anything is asked about (before any directive on file).
EARLIEST = date(2000, 1, 1)
#: How far ahead a report may look.
YEARS_AHEAD = 5


def as_of_arg(name: str = "as_of") -> date:
    """The `as_of` query parameter (YYYY-MM-DD), today when absent; a malformed date
    answers 400, one outside 2000 to five years ahead 422."""
    raw = request.args.get(name, "")
    if not raw:
        return clock.today()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        abort(400)
    if not askable(day):
        abort(422)
    return day


def askable(day: date) -> bool:
    """A day a page or report may be asked about: from EARLIEST to YEARS_AHEAD ahead."""
    return EARLIEST <= day <= clock.today() + relativedelta(years=YEARS_AHEAD)
