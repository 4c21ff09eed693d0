"""The province's obligations kept counted, for the pages that count all of them.

The dashboards' total, the late agencies and the weekly chart count every obligation of
the province (`obligations.PROVINCE`); at a ministry's size that is 100,000 rows read on
every view. Here they are kept counted instead, in two small tables, by the flush that
changes an assignment or a period, in the same transaction: never stale.

What is kept is what decides an obligation's class on any day from today on: its
class as of the end of time (done on time, done late, or open), its deadline, and for a
period the day it begins. The day asked about then splits open work into within and
overdue, and leaves out periods not yet begun, as `obligations.obligations` does. The
rule itself is stated once: the counts come from `obligations.parts`, read for the
assignments a flush touched, before and after it. A day before today would count work
done since as done, so the past is read from the obligations themselves
(`usable_on`).

- obligation_tally: (kind, outcome, due date, first day, extended, directive status)
  → how many;
- late_tally: (agency, due date) → how many of its open obligations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import cast

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from tracker import clock
from tracker.assignments import obligations
from tracker.assignments.deadlines import Outcome
from tracker.assignments.models import Assignment, LateTally, ObligationTally, Period
from tracker.assignments.obligations import Counts, Kind
from tracker.db import upsert_insert
from tracker.directives.models import Directive, DirectiveStatus, Task

#: The keys' stand-ins for "none": work without a deadline, and a report's first day.
NO_DEADLINE = date(9999, 12, 31)
NOT_A_PERIOD = date(1900, 1, 1)
#: The day from which every completion and cancellation has happened.
END_OF_TIME = date(9999, 12, 30)
#: The outcome kept for open work, whose class depends on the day asked about.
OPEN = "open"

#: The columns whose change can move an obligation from one key to another.
_WATCHED = {
    Assignment: (
        "status", "due_date", "original_due_date", "completed_on", "cancelled_on", "role",
        "parent_id", "agency_id", "task_id",
    ),
    Period: ("status", "due_date", "starts_on", "completed_on", "cancelled_on", "assignment_id"),
    Directive: ("status",),
}  # fmt: skip

_Key = tuple[str, str, date, date, int, str]
#: Keys per DELETE, well within every engine's limit on parameters.
_DELETE_SLICE = 500
_TALLY = cast(sa.Table, ObligationTally.__table__)
_LATE = cast(sa.Table, LateTally.__table__)
_LateKey = tuple[int, date]


def usable_on(as_of: date) -> bool:
    """Whether the tallies answer for `as_of`: today or later."""
    return as_of >= clock.today()


def _contributions(
    session: Session, assignment_ids: Iterable[int] | None
) -> tuple[Counter[_Key], Counter[_LateKey]]:
    """What the obligations of these assignments (all, for None) add to each table."""
    where = [obligations.PROVINCE]
    if assignment_ids is not None:
        where.append(Assignment.id.in_(sorted(assignment_ids)))
    rows = obligations.obligations(END_OF_TIME, *where)
    outcome = sa.case(
        (rows.c.outcome.in_(obligations.OPEN_OUTCOMES), sa.literal(OPEN)), else_=rows.c.outcome
    )
    due = sa.func.coalesce(rows.c.due_date, NO_DEADLINE)
    starts = sa.func.coalesce(rows.c.starts_on, NOT_A_PERIOD)
    keys = (rows.c.kind, outcome, due, starts, rows.c.extended, Directive.status, rows.c.agency_id)
    query = (
        sa.select(*keys, sa.func.count())
        .join(Directive, Directive.id == rows.c.directive_id)
        .group_by(*keys)
    )
    tally: Counter[_Key] = Counter()
    late: Counter[_LateKey] = Counter()
    for kind, state, due_date, starts_on, extended, status, agency_id, count in session.execute(
        query
    ):
        tally[(kind, state, due_date, starts_on, int(extended), str(status))] += count
        if state == OPEN:
            late[(agency_id, due_date)] += count
    return tally, late


def _apply(session: Session, tally: Counter[_Key], late: Counter[_LateKey]) -> None:
    """Add these amounts (negative to take away) to the tables; rows that reach nought
    go."""
    insert = upsert_insert(session)
    for table, changes, columns in (
        (
            _TALLY,
            tally,
            ("kind", "outcome", "due_date", "starts_on", "extended", "directive_status"),
        ),
        (_LATE, late, ("agency_id", "due_date")),
    ):
        rows = [dict(zip(columns, key, strict=True), n=n) for key, n in changes.items() if n]
        if not rows:
            continue
        statement = insert(table)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=list(columns), set_={"n": table.c.n + statement.excluded.n}
            ),
            rows,
        )
        # Only a row taken from can reach nought; a flush takes from a few.
        keys = sa.tuple_(*(table.c[name] for name in columns))
        lowered = [key for key, n in changes.items() if n < 0]
        for start in range(0, len(lowered), _DELETE_SLICE):
            slice_ = lowered[start : start + _DELETE_SLICE]
            session.execute(sa.delete(table).where(table.c.n == 0, keys.in_(slice_)))


def _touched(session: Session) -> tuple[set[int], list]:
    """The ids of the assignments whose obligations this flush may move, and the new
    objects whose ids the flush will give."""
    ids: set[int] = set()
    fresh = []
    directives: list[int] = []
    for thing in (*session.new, *session.dirty, *session.deleted):
        names = _WATCHED.get(type(thing))
        if names is None:
            continue
        if thing in session.dirty:
            state = inspect(thing)
            if not any(state.attrs[name].history.has_changes() for name in names):
                continue
        if isinstance(thing, Directive):
            if thing.id is not None:
                directives.append(thing.id)
            continue
        assignment_id = thing.id if isinstance(thing, Assignment) else thing.assignment_id
        if assignment_id is not None:
            ids.add(assignment_id)
        if thing in session.new:
            fresh.append(thing)
    if directives:
        ids.update(
            session.scalars(
                sa.select(Assignment.id)
                .join(Task, Assignment.task_id == Task.id)
                .where(Task.directive_id.in_(directives))
            )
        )
    return ids, fresh


def _before_flush(session: Session, _context, _instances) -> None:
    with session.no_autoflush:
        ids, fresh = _touched(session)
        if not ids and not fresh:
            session.info.pop("tally", None)
            return
        before = _contributions(session, ids) if ids else (Counter(), Counter())
    session.info["tally"] = (ids, fresh, before)


def _after_flush(session: Session, _context) -> None:
    pending = session.info.pop("tally", None)
    if pending is None:
        return
    ids, fresh, (tally_before, late_before) = pending
    for thing in fresh:
        ids.add(thing.id if isinstance(thing, Assignment) else thing.assignment_id)
    with session.no_autoflush:
        tally_after, late_after = _contributions(session, ids)
        tally_after.subtract(tally_before)
        late_after.subtract(late_before)
        _apply(session, tally_after, late_after)


def listen(session_class: type[Session] | Session) -> None:
    """Keep the tallies with every flush of this session (class)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
        event.listen(session_class, "after_flush", _after_flush)


def rebuild(session: Session) -> int:
    """Count everything again from the obligations (after a bulk load, or to repair);
    returns the number of obligations counted."""
    session.execute(sa.delete(ObligationTally))
    session.execute(sa.delete(LateTally))
    tally, late = _contributions(session, None)
    _apply(session, tally, late)
    return sum(tally.values())


def stored(session: Session) -> tuple[Counter[_Key], Counter[_LateKey]]:
    """The tables as they are."""
    tally: Counter[_Key] = Counter()
    for row in session.execute(sa.select(ObligationTally)).scalars():
        key = (row.kind, row.outcome, row.due_date, row.starts_on, row.extended)
        tally[(*key, row.directive_status)] = row.n
    late: Counter[_LateKey] = Counter(
        {(row.agency_id, row.due_date): row.n for row in session.scalars(sa.select(LateTally))}
    )
    return tally, late


def differences(session: Session) -> list[str]:
    """Where the tables differ from a full recount (none when they hold)."""
    kept, counted = stored(session), _contributions(session, None)
    found = []
    pairs: tuple[tuple[str, Counter, Counter], ...] = (
        ("obligation_tally", kept[0], counted[0]),
        ("late_tally", kept[1], counted[1]),
    )
    for name, have, want in pairs:
        for key in sorted(set(have) | set(want), key=str):
            if have[key] != want[key]:
                found.append(f"{name} {key}: {have[key]} kept, {want[key]} counted")
    return found


def _open_class(as_of: date) -> sa.ColumnElement[str]:
    table = ObligationTally
    return sa.case(
        (table.outcome != OPEN, table.outcome),
        (table.due_date >= as_of, sa.literal(Outcome.OPEN_WITHIN.value)),
        else_=sa.literal(Outcome.OPEN_OVERDUE.value),
    )


def _counts(rows: Iterable) -> Counts:
    found = Counts()
    for kind, outcome, extended, count in rows:
        name = Outcome(outcome).value
        setattr(found, name, getattr(found, name) + int(count))
        if kind == Kind.REPORT.value:
            found.reports += int(count)
        else:
            found.periods += int(count)
        found.extended += int(count) if extended else 0
    return found


def _of(statuses: Iterable[DirectiveStatus] | None) -> list[sa.ColumnElement[bool]]:
    if statuses is None:
        return []
    return [ObligationTally.directive_status.in_([status.value for status in statuses])]


def province_counts(
    session: Session, as_of: date, statuses: Iterable[DirectiveStatus] | None = None
) -> Counts:
    """The province's four-way count on `as_of` (usable_on it), of the directives in
    `statuses` (all when None): one query."""
    table = ObligationTally
    outcome = _open_class(as_of)
    query = (
        sa.select(table.kind, outcome, table.extended, sa.func.sum(table.n))
        .where(table.starts_on <= as_of, *_of(statuses))
        .group_by(table.kind, outcome, table.extended)
    )
    return _counts(session.execute(query))


def by_due_date(session: Session, as_of: date, first: date) -> dict[date, Counts]:
    """The province's counts on `as_of` of the obligations due from `first` to `as_of`,
    per deadline: one query."""
    table = ObligationTally
    outcome = _open_class(as_of)
    query = (
        sa.select(table.due_date, table.kind, outcome, table.extended, sa.func.sum(table.n))
        .where(table.starts_on <= as_of, table.due_date >= first, table.due_date <= as_of)
        .group_by(table.due_date, table.kind, outcome, table.extended)
    )
    grouped: dict[date, list] = {}
    for due, *rest in session.execute(query):
        grouped.setdefault(due, []).append(rest)
    return {due: _counts(rows) for due, rows in grouped.items()}


def late_agencies(session: Session, as_of: date, limit: int) -> list[obligations.LateAgency]:
    """`obligations.late_agencies` of the province on `as_of` (usable_on it): one query
    over the open work due before it. (A period is due after it begins, so every one
    due before `as_of` has begun.)"""
    late = sa.func.sum(LateTally.n)
    oldest = sa.func.min(LateTally.due_date)
    query = (
        sa.select(LateTally.agency_id, late, oldest)
        .where(LateTally.due_date < as_of)
        .group_by(LateTally.agency_id)
        .order_by(late.desc(), oldest, LateTally.agency_id)
        .limit(limit)
    )
    return [
        obligations.LateAgency(agency, int(count), oldest_due)
        for agency, count, oldest_due in session.execute(query)
    ]
