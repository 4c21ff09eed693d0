"""Append-only, hash-chained events: every state change and edit, who, when, what."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tracker import anchor, clock
from tracker.auth.models import User
from tracker.db import Base, take_write_lock

GENESIS_HASH = "0" * 64
#: Key of the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x7472_6163_6B65_72


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: What happened, e.g. "assignment.submit", "directive.confirm".
    action: Mapped[str] = mapped_column(sa.String(60))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    before: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: row_hash of the previous event; the first event points to GENESIS_HASH.
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    #: sha256(prev_hash + canonical JSON of this event).
    row_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_event_subject", "subject_type", "subject_id"),)

    def payload(self) -> dict[str, Any]:
        return _payload(*(getattr(self, column.key) for column in _PAYLOAD_COLUMNS))


_PAYLOAD_COLUMNS = (
    Event.occurred_at,
    Event.actor_id,
    Event.action,
    Event.subject_type,
    Event.subject_id,
    Event.comment,
    Event.before,
    Event.after,
)


def _payload(
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int,
    comment: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> dict[str, Any]:
    """The hashed content of an event, in one canonical shape."""
    return {
        "occurred_at": occurred_at.isoformat(),
        "actor_id": actor_id,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "comment": comment,
        "before": before,
        "after": after,
    }


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def chain_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode("utf-8")).hexdigest()


def record_event(
    session: Session,
    *,
    actor: User | None,
    action: str,
    subject_type: str,
    subject_id: int,
    comment: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    """Append one event to the chain (flushed, not committed)."""
    _lock_chain(session)
    prev_hash = (
        session.scalar(sa.select(Event.row_hash).order_by(Event.id.desc()).limit(1)) or GENESIS_HASH
    )
    event = Event(
        occurred_at=clock.now(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        comment=comment,
        before=before or {},
        after=after or {},
        prev_hash=prev_hash,
    )
    event.row_hash = chain_hash(prev_hash, event.payload())
    session.add(event)
    session.flush()
    anchor.remember(session, event.id, event.row_hash)
    return event


def _lock_chain(session: Session) -> None:
    """Serialise appends before the head is read: PostgreSQL takes an advisory lock;
    SQLite takes its write lock, which only one transaction holds at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))
    else:
        take_write_lock(session)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    count: int
    head_hash: str
    #: id of the first event whose link or hash does not hold.
    first_broken_id: int | None = None


def verify_chain(
    session: Session,
    batch: int = 1000,
    *,
    start: tuple[int, str, int] = (0, GENESIS_HASH, 0),
    seen: dict[int, tuple[str, int]] | None = None,
) -> ChainCheck:
    """Recompute every hash in order; report the first broken row. `start` is where a
    verified stretch ends, (event id, its hash, events up to it): the rows after it are
    checked against it. `seen`, when given, collects {id: (hash, events up to it)} of
    every row that holds."""
    columns = (Event.id, Event.prev_hash, Event.row_hash, *_PAYLOAD_COLUMNS)
    last_id, prev_hash, count = start
    while True:
        rows = session.execute(
            sa.select(*columns).where(Event.id > last_id).order_by(Event.id).limit(batch)
        ).all()
        if not rows:
            return ChainCheck(True, count, prev_hash)
        for row in rows:
            payload = _payload(*row[3:])
            if row.prev_hash != prev_hash or chain_hash(prev_hash, payload) != row.row_hash:
                return ChainCheck(False, count, prev_hash, row.id)
            prev_hash = row.row_hash
            count += 1
            last_id = row.id
            if seen is not None:
                seen[row.id] = (row.row_hash, count)


def history_page(
    session: Session, subject_type: str, subject_id: int, page: int, per_page: int
) -> tuple[list[Event], int, int]:
    """One page of a subject's events, the newest first: (events, page, pages). The page
    asked for is brought into range. Two queries, however long the history."""
    where = (Event.subject_type == subject_type, Event.subject_id == subject_id)
    total = session.scalar(sa.select(sa.func.count(Event.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    events = session.scalars(
        sa.select(Event)
        .where(*where)
        .options(sa.orm.joinedload(Event.actor))
        .order_by(Event.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(events), page, pages


class AppendOnlyViolation(RuntimeError):
    pass


#: Database triggers that refuse UPDATE and DELETE on events (copied in migration 0001).
APPEND_ONLY_TRIGGERS = {
    "sqlite": (
        "CREATE TRIGGER event_no_update BEFORE UPDATE ON event "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
        "CREATE TRIGGER event_no_delete BEFORE DELETE ON event "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$",
        "CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event "
        "FOR EACH ROW EXECUTE FUNCTION event_append_only()",
    ),
}

for _dialect, _statements in APPEND_ONLY_TRIGGERS.items():
    for _statement in _statements:
        sa_event.listen(
            Event.__table__, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect)
        )


@sa_event.listens_for(Session, "before_flush")
def _refuse_event_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Event) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation("events are append-only")
