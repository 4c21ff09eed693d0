"""The one clock every part of tracker reads, so tests and reports can fix the date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

#: Dates are calendar dates in Vietnam.
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

_frozen: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    """Today's calendar date in Asia/Ho_Chi_Minh."""
    return local_date(now())


def local_date(instant: datetime) -> date:
    """The Vietnamese calendar date of an instant."""
    return to_local(instant).date()


def to_local(instant: datetime) -> datetime:
    """An instant on Vietnamese wall-clock time (a naive instant is taken as UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(LOCAL_ZONE)


def local_noon(day: date) -> datetime:
    """Midday in Vietnam on a given date, as UTC: a safe instant for 'on that day'."""
    return datetime.combine(day, time(12), LOCAL_ZONE).astimezone(UTC)


@contextmanager
def frozen(at: datetime | date) -> Iterator[None]:
    """Fix the clock (for tests, demo data and reports as of a date)."""
    global _frozen
    previous = _frozen
    _frozen = local_noon(at) if not isinstance(at, datetime) else at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous
