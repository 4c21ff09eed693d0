"""The reminder ladder: which reminder one deadline calls for on a given day. Dates only.

A ladder is a list of offsets in working days from the deadline: positive before it, 0 on
the day, negative after it. The default (REMINDER_LADDER = [3, 1, 0, -1]) gives, for work
due on Tuesday 18/08/2020:

    due-3      Thursday 13/08   3 working days before
    due-1      Monday 17/08     1 working day before
    due-0      Tuesday 18/08    on the day
    overdue-1  Wednesday 19/08  1 working day after
    overdue-w1 Wednesday 26/08  then every REMINDER_REPEAT_DAYS (7) calendar days while
    overdue-w2 Wednesday 02/09  the work stays open; a repeat falling on a day off moves
    ...                         to the next working day

Only the latest step whose day has come is due. A run on a step's day sends that step; if
no run happened that day (a weekend, a broken cron job), the next run still sends it, so
nobody is missed, unless a later step has come since: that one supersedes it, and the
older one is never sent (three reminders at once saying "due in 3 days", "due tomorrow"
and "overdue" would be noise, and the first two would be false). Sending each step once
is the caller's job: it keys every notification by step and deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker import calendar

DEFAULT_LADDER = (3, 1, 0, -1)
DEFAULT_REPEAT_DAYS = 7


@dataclass(frozen=True)
class Step:
    #: due-3, due-1, due-0, overdue-1, overdue-w1, ...
    name: str
    #: The day the reminder is due.
    on: date
    #: After the deadline: the agency head and the secretariat are told too.
    overdue: bool


#: The rung given on the first working day after a deadline: the obligation is overdue.
FIRST_OVERDUE = "overdue-1"


def step_name(offset: int) -> str:
    return f"due-{offset}" if offset >= 0 else f"overdue-{-offset}"


def fixed_steps(due: date, ladder: Sequence[int] = DEFAULT_LADDER) -> list[Step]:
    """The ladder's steps for one deadline, earliest first."""
    return [
        Step(step_name(offset), calendar.add_working_days(due, -offset), offset < 0)
        for offset in sorted(set(ladder), reverse=True)
    ]


def step_due(
    as_of: date,
    due: date,
    ladder: Sequence[int] = DEFAULT_LADDER,
    repeat_days: int = DEFAULT_REPEAT_DAYS,
) -> Step | None:
    """The latest step of `due`'s ladder whose day is on or before `as_of`, if any."""
    steps = fixed_steps(due, ladder)
    if not steps or as_of < steps[0].on:
        return None
    latest = [step for step in steps if step.on <= as_of][-1]
    if repeat_days <= 0:
        return latest
    repeat = _latest_repeat(as_of, max(steps[-1].on, due), repeat_days)
    return repeat or latest


def _latest_repeat(as_of: date, anchor: date, repeat_days: int) -> Step | None:
    """The latest repeat (overdue-w{n}) on or before `as_of`; repeats follow `anchor`."""
    number = (as_of - anchor).days // repeat_days
    while number >= 1:
        day = _working_day_from(anchor + timedelta(days=number * repeat_days))
        if day <= as_of:
            return Step(f"overdue-w{number}", day, True)
        number -= 1  # moved past `as_of` by days off (Tết): the previous repeat holds
    return None


def _working_day_from(day: date) -> date:
    """`day` itself if it is a working day, else the next working day."""
    return day if calendar.is_working_day(day) else calendar.add_working_days(day, 1)
