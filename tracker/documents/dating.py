"""The date a document bears, kept apart from the date its figures are as of (issue 9).

- `as_of` is the data cut-off: a reply, an urging letter or an accountability report
  speaks of the state of things on that day, which may be any day on record (the demo's
  Công văn 1661 is reported as of 21/08/2020).
- The document's own date (ngày ký, printed beside the place and in the register) is
  today unless set, and may only be set within [today - DOCUMENT_DATE_PAST_DAYS,
  today + DOCUMENT_DATE_FUTURE_DAYS], so nothing can be backdated to another year.
- The cut-off is never after the document's date: a report cannot speak of data later
  than the day it was signed.

"Today" is tracker's clock (tracker.clock), so the demo data, loaded under a frozen
clock, dates its documents on the historical day."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _

from tracker import clock


class DocumentDateError(ValueError):
    """A document date that may not be used; the message is Vietnamese."""


def date_window() -> tuple[date, date]:
    """The first and last date a document may bear today."""
    today = clock.today()
    past = int(current_app.config["DOCUMENT_DATE_PAST_DAYS"])
    future = int(current_app.config["DOCUMENT_DATE_FUTURE_DAYS"])
    return today - timedelta(days=past), today + timedelta(days=future)


def date_problem(issued_on: date, as_of: date | None = None) -> str | None:
    """Why a document may not bear `issued_on` given its cut-off, or None when it may."""
    earliest, latest = date_window()
    if not earliest <= issued_on <= latest:
        return _(
            "Ngày ký %(day)s không hợp lệ: văn bản chỉ được đề ngày từ %(earliest)s đến"
            " %(latest)s%(today)s. Số liệu của một ngày đã qua vẫn lấy được bằng “tính đến"
            " ngày”, còn ngày ký là ngày văn bản được ký.",
            day=_day(issued_on),
            earliest=_day(earliest),
            latest=_day(latest),
            today=_today_note(latest),
        )
    if as_of is not None and as_of > issued_on:
        return _(
            "Số liệu tính đến ngày %(as_of)s muộn hơn ngày ký %(day)s: văn bản không thể nói"
            " về số liệu sau ngày nó được ký. Hãy chọn ngày tính số liệu không muộn hơn ngày"
            " ký.",
            as_of=_day(as_of),
            day=_day(issued_on),
        )
    return None


def check_document_date(issued_on: date, as_of: date | None = None) -> None:
    """Raise DocumentDateError unless a document may bear `issued_on`."""
    problem = date_problem(issued_on, as_of)
    if problem is not None:
        raise DocumentDateError(problem)


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _today_note(latest: date) -> str:
    return _(" (hôm nay)") if latest == clock.today() else ""
