"""Working days: Saturdays and Sundays off, Vietnamese public holidays off (Tết and Giỗ Tổ
Hùng Vương included, from the `holidays` library), adjusted by the office's own table of
days off and make-up working days (CalendarDay, edited by an admin).

Every deadline computation goes through here, and callers need no session: the office's
rows are kept in a process-level cache, loaded through `tracker.db.session` when an app
context exists and dropped by `invalidate()` whenever an admin edits the table (the
operations call it, and again when their transaction ends). Other processes pick an edit
up within CACHE_SECONDS. With no app context only the statutory calendar applies.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import holidays
import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

from tracker import db
from tracker.calendar.models import CalendarDay, DayKind
from tracker.i18n import DEFAULT, N_

WEEKEND = (5, 6)

#: Recurring report rules the interface offers (RRULE), with their Vietnamese names.
RECURRENCE_LABELS = {
    "FREQ=WEEKLY": N_("hằng tuần"),
    "FREQ=MONTHLY": N_("hằng tháng"),
    "FREQ=MONTHLY;INTERVAL=3": N_("hằng quý"),
    "FREQ=MONTHLY;INTERVAL=6": N_("6 tháng"),
    "FREQ=YEARLY": N_("hằng năm"),
    "FREQ=DAILY": N_("hằng ngày"),
}

#: How long a process trusts its copy of the office's table (edits made in this process
#: invalidate it at once; this bounds how stale another worker process can be).
CACHE_SECONDS = 300.0

#: Name shown for an office day off entered without a name.
DAY_OFF_NAME = "Ngày nghỉ"
WEEKDAY_NAMES = (
    N_("Thứ Hai"),
    N_("Thứ Ba"),
    N_("Thứ Tư"),
    N_("Thứ Năm"),
    N_("Thứ Sáu"),
    N_("Thứ Bảy"),
    N_("Chủ nhật"),
)

_CHANGED_KEY = "tracker.calendar.changed"


# The statutory calendar ----------------------------------------------------------------


@functools.cache
def _statutory_year(year: int) -> tuple[dict[date, str], frozenset[date]]:
    """The library's holidays of `year` (Vietnamese names) and its make-up working days
    in that year (Saturdays worked in exchange for a bridge day, e.g. 04/05/2024). The next
    year is loaded too: a make-up day can belong to a swap decided for the next year."""
    table = holidays.Vietnam(years=(year, year + 1), language="vi")
    days_off = {day: str(name) for day, name in table.items() if day.year == year}
    working = frozenset(day for day in getattr(table, "weekend_workdays", ()) if day.year == year)
    return days_off, working


#: The `holidays` library's name for each interface language it has Vietnam's holidays in.
HOLIDAY_LANGUAGES = {"vi": "vi", "en": "en_US"}
#: A date as the library writes it in English ("substituted from 04/26/2025"): month first.
_MONTH_FIRST = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


@functools.cache
def _holiday_names(year: int, language: str) -> dict[date, str]:
    """The library's names of `year`'s holidays in an interface language other than
    Vietnamese, dates in them written dd/mm/yyyy as everywhere here."""
    table = holidays.Vietnam(years=(year, year + 1), language=HOLIDAY_LANGUAGES[language])
    return {
        day: _MONTH_FIRST.sub(r"\2/\1/\3", str(name))
        for day, name in table.items()
        if day.year == year
    }


def statutory_holidays(year: int, language: str = DEFAULT) -> dict[date, str]:
    """Public holidays and their observed days in `year`, by date, as the law (and the
    `holidays` library) gives them, before the office's own table; named in `language`
    (an interface language: pages pass the reader's) where the library has it, else in
    Vietnamese."""
    days_off = _statutory_year(year)[0]
    if language == DEFAULT or language not in HOLIDAY_LANGUAGES:
        return dict(days_off)
    names = _holiday_names(year, language)
    return {day: names.get(day, name) for day, name in days_off.items()}


def statutory_working_days(year: int) -> frozenset[date]:
    """Weekend days of `year` the Government made working days (make-up days)."""
    return _statutory_year(year)[1]


def is_statutory_working_day(day: date) -> bool:
    """Working day before the office's own table is applied."""
    days_off, working = _statutory_year(day.year)
    if day in days_off:
        return False
    if day.weekday() in WEEKEND:
        return day in working
    return True


# The office's table, cached --------------------------------------------------------------


@dataclass(frozen=True)
class OfficeDays:
    """The office's rows: extra days off and make-up working days, with their names."""

    days_off: dict[date, str] = field(default_factory=dict)
    working_days: dict[date, str] = field(default_factory=dict)
    loaded_at: float = 0.0


_NO_OFFICE_DAYS = OfficeDays()
_cache: weakref.WeakKeyDictionary[Any, OfficeDays] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def invalidate() -> None:
    """Forget the office's table; the next question reloads it."""
    with _cache_lock:
        _cache.clear()


def mark_changed(session: Session) -> None:
    """Called by operations that edit the table: invalidate now (the same transaction sees
    its change) and again when the transaction ends (committed or rolled back)."""
    session.info[_CHANGED_KEY] = True
    invalidate()


@sa_event.listens_for(Session, "after_transaction_end")
def _invalidate_after_change(session: Session, transaction: SessionTransaction) -> None:
    if session.info.get(_CHANGED_KEY):
        invalidate()
        if transaction.parent is None:
            session.info.pop(_CHANGED_KEY, None)


def office_days() -> OfficeDays:
    """The office's table for the current app's database (empty with no app context)."""
    if not has_app_context():
        return _NO_OFFICE_DAYS
    database = current_app.extensions.get("tracker.db")
    if database is None:
        return _NO_OFFICE_DAYS
    cached = _cache.get(database)
    if cached is not None and time.monotonic() - cached.loaded_at < CACHE_SECONDS:
        return cached
    with db.session.no_autoflush:
        rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.kind, CalendarDay.name))
        loaded = OfficeDays(loaded_at=time.monotonic())
        for day, kind, name in rows:
            target = loaded.days_off if kind == DayKind.DAY_OFF else loaded.working_days
            target[day] = name
    with _cache_lock:
        _cache[database] = loaded
    return loaded


# Questions -------------------------------------------------------------------------------


def _is_working(day: date, office: OfficeDays) -> bool:
    if day in office.working_days:
        return True
    if day in office.days_off:
        return False
    return is_statutory_working_day(day)


def is_working_day(day: date) -> bool:
    """Not a weekend day, public holiday or office day off; or a make-up working day."""
    return _is_working(day, office_days())


def holiday_name(day: date) -> str | None:
    """Vietnamese name of the holiday or office day off on `day`, for display; None on
    working days and ordinary weekends."""
    office = office_days()
    if day in office.working_days:
        return None
    if day in office.days_off:
        return office.days_off[day] or DAY_OFF_NAME
    return _statutory_year(day.year)[0].get(day)


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (before it when negative); `start`
    itself is not counted, so add_working_days(friday, 1) is the next working day.
    Zero gives `start` back unchanged, working day or not."""
    office = office_days()
    step = 1 if count >= 0 else -1
    day = start
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if _is_working(day, office):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` <= `start`),
    so that working_days_between(d, add_working_days(d, n)) == n for n >= 0."""
    if end <= start:
        return 0
    office = office_days()
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if _is_working(start + timedelta(days=offset), office)
    )


def deadline_after(start: date, count: int, *, working_days: bool) -> date:
    """A relative deadline: "within `count` working days" counts working days after
    `start`; "within `count` days" counts calendar days and, when it ends on a day off,
    ends on the next working day (Bộ luật Dân sự 2015, Điều 148 khoản 5), as the due
    dates of reporting periods do."""
    if working_days:
        return add_working_days(start, count)
    return next_working_day(start + timedelta(days=count))


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def weekday_name(day: date) -> str:
    return WEEKDAY_NAMES[day.weekday()]
