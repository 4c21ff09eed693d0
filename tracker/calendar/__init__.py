"""Working days. Saturdays and Sundays are days off; public holidays come with the
holiday table (a later step), so every deadline computation already goes through here."""

from __future__ import annotations

from datetime import date, timedelta

WEEKEND = (5, 6)

#: Recurring report rules the interface offers (RRULE), with their Vietnamese names.
RECURRENCE_LABELS = {
    "FREQ=WEEKLY": "hằng tuần",
    "FREQ=MONTHLY": "hằng tháng",
    "FREQ=MONTHLY;INTERVAL=3": "hằng quý",
    "FREQ=MONTHLY;INTERVAL=6": "6 tháng",
    "FREQ=YEARLY": "hằng năm",
    "FREQ=DAILY": "hằng ngày",
}


def is_working_day(day: date) -> bool:
    return day.weekday() not in WEEKEND


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (before it when negative)."""
    step = 1 if count >= 0 else -1
    day = start
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    if end <= start:
        return 0
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=offset))
    )
