"""The event chain's anchor outside the database: after every commit that appended
events, the id and hash of each is appended to a file in the instance folder
(AUDIT_ANCHOR_FILE), opened append-only and synced. Whoever can rewrite the database
cannot rewrite what this file already holds, so `tracker audit verify` catches deleted
and rewritten events (`tracker.integrity`)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.db import AppSession

#: session.info key: [(id, row_hash)] of the events the transaction appended.
EVENTS_KEY = "tracker.audit_events"


def path() -> Path | None:
    """The anchor file, or None where anchoring is off (an empty setting)."""
    configured = current_app.config.get("AUDIT_ANCHOR_FILE") if has_app_context() else None
    return Path(configured) if configured else None


def append(file: Path, events: list[tuple[int, str]]) -> None:
    """One write of "id hash" lines, then fsync: appends from several processes never
    interleave within a line."""
    lines = "".join(f"{event_id} {row_hash}\n" for event_id, row_hash in events)
    descriptor = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, lines.encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read(file: Path) -> dict[int, str]:
    """{event id: row hash} of every anchored event (lines may be out of order)."""
    entries: dict[int, str] = {}
    if not file.exists():
        return entries
    for number, line in enumerate(file.read_text("ascii").splitlines(), start=1):
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 64:
            raise ValueError(
                _(
                    "%(file)s: dòng %(number)s không đúng dạng “<số sự kiện> <mã băm>”.",
                    file=str(file),
                    number=number,
                )
            )
        entries[int(parts[0])] = parts[1]
    return entries


def remember(session: Session, event_id: int, row_hash: str) -> None:
    """Called as an event is appended: anchored once its transaction commits."""
    session.info.setdefault(EVENTS_KEY, []).append((event_id, row_hash))


@event.listens_for(AppSession, "after_commit")
def _after_commit(session: Session) -> None:
    events = session.info.pop(EVENTS_KEY, None)
    file = path()
    if events and file is not None:
        append(file, events)


@event.listens_for(AppSession, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(EVENTS_KEY, None)
