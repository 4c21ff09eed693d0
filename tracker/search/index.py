"""Keeping the index in step with the data, in the same transaction.

A session listener sees every directive, task, report (submission), evidence file and
agency that a flush adds, changes or deletes, and rewrites its entry at once: nothing
is indexed later, by a job or a cron, so a search never misses what was just saved and
never finds what was rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker import clock
from tracker.agencies.models import Agency
from tracker.assignments.models import Assignment, Submission
from tracker.directives.models import Directive, Task
from tracker.evidence.models import Evidence
from tracker.search import engine
from tracker.search.models import EntryKind, SearchEntry

INDEXED = (Directive, Task, Submission, Evidence, Agency)
_TABLE = cast(sa.Table, SearchEntry.__table__)
#: Entries a rebuild writes per statement.
REBUILD_BATCH = 1000


@dataclass(frozen=True)
class Entry:
    kind: EntryKind
    object_id: int
    title: str
    body: str = ""
    directive_id: int | None = None
    assignment_id: int | None = None
    agency_id: int | None = None
    status: str = ""
    day: date | None = None


def _work(session: Session, assignment_id: int) -> tuple[Assignment, Task, Directive, Agency]:
    """An assignment and what names it, by id: objects new in this flush have their
    foreign keys set, not always their relationships."""
    assignment = session.get_one(Assignment, assignment_id)
    task = session.get_one(Task, assignment.task_id)
    return (
        assignment,
        task,
        session.get_one(Directive, task.directive_id),
        session.get_one(Agency, assignment.agency_id),
    )


def entry_of(session: Session, thing: object) -> Entry | None:
    """What the index holds for one object (None: nothing to find it by)."""
    if isinstance(thing, Directive):
        return Entry(
            EntryKind.DIRECTIVE,
            thing.id,
            f"{thing.title} {thing.subject or ''}",
            thing.body or "",
            directive_id=thing.id,
            status=thing.status.value,
            day=thing.issued_date,
        )
    if isinstance(thing, Task):
        return Entry(
            EntryKind.TASK,
            thing.id,
            f"Nhiệm vụ {thing.number}: {thing.title}",
            thing.text or "",
            directive_id=thing.directive_id,
            day=thing.due_date,
        )
    if isinstance(thing, Submission):
        assignment, task, directive, agency = _work(session, thing.assignment_id)
        return Entry(
            EntryKind.SUBMISSION,
            thing.id,
            f"Báo cáo của {agency.short_name}, nhiệm vụ {task.number}",
            f"{thing.text or ''}\n{directive.title}",
            directive_id=directive.id,
            assignment_id=assignment.id,
            agency_id=agency.id,
            status=thing.outcome.value,
            day=clock.local_date(thing.submitted_at),
        )
    if isinstance(thing, Evidence):
        assignment, task, directive, agency = _work(session, thing.assignment_id)
        return Entry(
            EntryKind.EVIDENCE,
            thing.id,
            thing.original_name,
            f"Minh chứng của {agency.short_name}, nhiệm vụ {task.number} của {directive.title}",
            directive_id=directive.id,
            assignment_id=assignment.id,
            agency_id=agency.id,
            day=clock.local_date(thing.uploaded_at),
        )
    if isinstance(thing, Agency):
        return Entry(
            EntryKind.AGENCY,
            thing.id,
            f"{thing.name} {thing.short_name} {thing.code}",
            " ".join(thing.aliases or []),
            agency_id=thing.id,
        )
    return None


_KINDS: dict[type, EntryKind] = {
    Directive: EntryKind.DIRECTIVE,
    Task: EntryKind.TASK,
    Submission: EntryKind.SUBMISSION,
    Evidence: EntryKind.EVIDENCE,
    Agency: EntryKind.AGENCY,
}


def put(connection: sa.Connection, entry: Entry) -> None:
    """Write one entry and its words."""
    table = _TABLE
    values = {
        "directive_id": entry.directive_id,
        "assignment_id": entry.assignment_id,
        "agency_id": entry.agency_id,
        "status": entry.status,
        "day": entry.day,
        "title": entry.title,
        "body": entry.body,
    }
    entry_id = connection.scalar(
        sa.select(table.c.id).where(
            table.c.kind == entry.kind.value, table.c.object_id == entry.object_id
        )
    )
    if entry_id is None:
        entry_id = connection.scalar(
            sa.insert(table)
            .values(kind=entry.kind.value, object_id=entry.object_id, **values)
            .returning(table.c.id)
        )
    else:
        connection.execute(sa.update(table).where(table.c.id == entry_id).values(**values))
    assert entry_id is not None
    engine.write(connection, entry_id, entry.title, entry.body)


def forget(connection: sa.Connection, kind: EntryKind, object_id: int) -> None:
    table = _TABLE
    entry_id = connection.scalar(
        sa.select(table.c.id).where(table.c.kind == kind.value, table.c.object_id == object_id)
    )
    if entry_id is not None:
        engine.remove(connection, entry_id)
        connection.execute(sa.delete(table).where(table.c.id == entry_id))


def _after_flush(session: Session, _context) -> None:
    changed = [
        thing
        for thing in (*session.new, *session.dirty)
        if isinstance(thing, INDEXED) and (thing in session.new or session.is_modified(thing))
    ]
    gone = [thing for thing in session.deleted if isinstance(thing, INDEXED)]
    if not changed and not gone:
        return
    connection = session.connection()
    with session.no_autoflush:
        for thing in gone:
            forget(connection, _KINDS[type(thing)], thing.id)
        for thing in changed:
            entry = entry_of(session, thing)
            if entry is not None:
                put(connection, entry)


def listen(session_class: type[Session] | Session) -> None:
    """Index what every flush of this session (class) writes."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)


def rebuild(session: Session) -> int:
    """Index everything again from the data, in date order (entries without a date
    first), so that an entry's id follows its date as it does for entries written as
    the data comes: search takes the highest ids as the newest. Returns the number of
    entries. Written in batches, so a national database (100,000 reports) takes
    seconds, not minutes."""
    connection = session.connection()
    engine.clear(connection)
    connection.execute(sa.delete(_TABLE))
    # What names a report or a file, loaded once and held here: `entry_of` finds each in
    # the session instead of asking the database four times an entry.
    named = [session.scalars(sa.select(model)).all() for model in (Agency, Directive, Task)] + [
        session.scalars(
            sa.select(Assignment).where(
                sa.or_(
                    Assignment.id.in_(sa.select(Submission.assignment_id)),
                    Assignment.id.in_(sa.select(Evidence.assignment_id)),
                )
            )
        ).all()
    ]
    entries = [
        entry
        for model in INDEXED
        for thing in session.scalars(sa.select(model).execution_options(yield_per=500))
        if (entry := entry_of(session, thing)) is not None
    ]
    del named
    entries.sort(key=lambda entry: (entry.day or date.min, entry.kind.value, entry.object_id))
    insert = sa.insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)
    for start in range(0, len(entries), REBUILD_BATCH):
        batch = entries[start : start + REBUILD_BATCH]
        ids = connection.execute(
            insert,
            [
                {
                    "kind": entry.kind.value,
                    "object_id": entry.object_id,
                    "directive_id": entry.directive_id,
                    "assignment_id": entry.assignment_id,
                    "agency_id": entry.agency_id,
                    "status": entry.status,
                    "day": entry.day,
                    "title": entry.title,
                    "body": entry.body,
                }
                for entry in batch
            ],
        ).scalars()
        engine.write_new(
            connection,
            [(id_, entry.title, entry.body) for id_, entry in zip(ids, batch, strict=True)],
        )
    return len(entries)


def is_empty(session: Session) -> bool:
    return session.scalar(sa.select(sa.func.count(SearchEntry.id))) == 0


def needs_rebuild(session: Session) -> bool:
    """Data exists but the index is empty (a database from before the index)."""
    return is_empty(session) and bool(session.scalar(sa.select(sa.func.count(Directive.id))))
