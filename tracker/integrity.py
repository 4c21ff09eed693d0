"""Does what the database holds agree with its history? `tracker audit verify` asks:

1. the event chain: every hash recomputes and links to the one before;
2. the anchor (`tracker.anchor`): every event it names is still there with the same
   hash, so deleting the newest events, or editing one and recomputing every hash after
   it, is caught;
3. the domain rows against the events: each assignment's status, deadline and completion
   date are those its latest event left; each evidence row has its upload event, with
   the same SHA-256, and its stored file still hashes to it; each user's name, role and
   agency are those its events gave.

Each check names the first row that does not hold, in the language in force (the
command's: TRACKER_LANG, else Vietnamese)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import anchor
from tracker.agencies.models import Agency
from tracker.assignments.models import Assignment
from tracker.audit import Event
from tracker.auth.models import User
from tracker.chain_check import verify_since_checkpoint
from tracker.evidence.models import Evidence
from tracker.evidence.stores import BlobStore

#: Events read per query.
BATCH = 2000
#: Anchored ids named per statement: under the 999 variables of the oldest SQLite.
ANCHOR_SLICE = 900


@dataclass
class Report:
    event_count: int = 0
    head_hash: str = ""
    anchored: int = 0
    #: Events after the newest anchored one (a crash between commit and anchor leaves
    #: at most a few; many mean the anchor file is not being written).
    unanchored: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, anchor_file: Path | None, evidence: BlobStore | None) -> Report:
    report = Report()
    # The whole chain, from its first event; where it holds, the checkpoint moves to its
    # newest anchored event, so the next report verifies only what came after.
    chain = verify_since_checkpoint(session, anchor_file, full=True)
    report.event_count, report.head_hash = chain.count, chain.head_hash
    if not chain.ok:
        report.problems.append(
            _("Chuỗi sự kiện bị sửa đổi tại sự kiện #%(id)s.", id=chain.first_broken_id)
        )
    if anchor_file is not None:
        _check_anchor(session, anchor.read(anchor_file), report)
    _check_assignments(session, report)
    _check_evidence(session, evidence, report)
    _check_users(session, report)
    return report


def _events(session: Session, *where: sa.ColumnElement[bool]) -> Iterator[sa.Row]:
    """(id, subject_id, action, after) of the events `where` selects, oldest first."""
    last = 0
    while True:
        rows = session.execute(
            sa.select(Event.id, Event.subject_id, Event.action, Event.after)
            .where(Event.id > last, *where)
            .order_by(Event.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def _check_anchor(session: Session, entries: dict[int, str], report: Report) -> None:
    report.anchored = len(entries)
    if not entries:
        return
    # In slices: a long history anchors more events than one statement may name.
    ids = sorted(entries)
    found: dict[int, str] = {}
    for start in range(0, len(ids), ANCHOR_SLICE):
        rows = session.execute(
            sa.select(Event.id, Event.row_hash).where(
                Event.id.in_(ids[start : start + ANCHOR_SLICE])
            )
        )
        found.update((event_id, row_hash) for event_id, row_hash in rows)
    for event_id in sorted(entries):
        if event_id not in found:
            report.problems.append(
                _(
                    "Sự kiện #%(id)s đã được neo nhưng không còn trong cơ sở dữ liệu"
                    " (nhật ký bị xóa bớt).",
                    id=event_id,
                )
            )
            return
        if found[event_id] != entries[event_id]:
            report.problems.append(
                _(
                    "Sự kiện #%(id)s khác với mã băm đã neo (nhật ký bị sửa rồi tính lại).",
                    id=event_id,
                )
            )
            return
    newest = max(entries)
    report.unanchored = session.execute(
        sa.select(sa.func.count(Event.id)).where(Event.id > newest)
    ).scalar_one()


def _check_assignments(session: Session, report: Report) -> None:
    """The latest event carrying an assignment's snapshot says how it stands."""
    expected: dict[int, dict] = {}
    for event in _events(session, Event.subject_type == "assignment"):
        if "status" in event.after:
            expected[event.subject_id] = event.after
    rows = session.execute(
        sa.select(
            Assignment.id, Assignment.status, Assignment.due_date, Assignment.completed_on
        ).order_by(Assignment.id)
    )
    for assignment_id, status, due_date, completed_on in rows:
        state = expected.get(assignment_id)
        if state is None:
            report.problems.append(
                _("Nhiệm vụ giao #%(id)s không có sự kiện tạo ra nó.", id=assignment_id)
            )
            return
        actual = {
            "status": status.value,
            "due_date": due_date.isoformat() if due_date else None,
            "completed_on": completed_on.isoformat() if completed_on else None,
        }
        for key, value in actual.items():
            if key in state and state[key] != value:
                report.problems.append(
                    _(
                        "Nhiệm vụ giao #%(id)s: %(field)s là %(value)r nhưng theo nhật ký"
                        " là %(logged)r (bị sửa trực tiếp trong cơ sở dữ liệu).",
                        id=assignment_id,
                        field=key,
                        value=value,
                        logged=state[key],
                    )
                )
                return


def _check_evidence(session: Session, evidence: BlobStore | None, report: Report) -> None:
    uploads = {
        event.after.get("evidence_id"): event.after.get("sha256")
        for event in _events(session, Event.action == "evidence.upload")
    }
    rows = session.execute(sa.select(Evidence.id, Evidence.sha256).order_by(Evidence.id))
    for evidence_id, sha256 in rows:
        if uploads.get(evidence_id) != sha256:
            report.problems.append(
                _(
                    "Minh chứng #%(id)s: mã SHA-256 không khớp với sự kiện tải lên"
                    " (bị sửa trực tiếp trong cơ sở dữ liệu).",
                    id=evidence_id,
                )
            )
            return
        if evidence is not None and not evidence.verify(sha256):
            report.problems.append(
                _("Minh chứng #%(id)s: tệp lưu trữ bị mất hoặc bị sửa.", id=evidence_id)
            )
            return


def _check_users(session: Session, report: Report) -> None:
    expected: dict[int, dict] = {}
    for event in _events(session, Event.subject_type == "user"):
        known = {
            key: event.after[key]
            for key in ("username", "role", "agency", "active")
            if key in event.after
        }
        expected.setdefault(event.subject_id, {"active": True}).update(known)
    codes = dict(session.execute(sa.select(Agency.id, Agency.code)).all())
    rows = session.execute(
        sa.select(User.id, User.username, User.role, User.agency_id, User.active)
    )
    for user_id, username, role, agency_id, active in rows:
        state = expected.get(user_id)
        if state is None:
            report.problems.append(
                _(
                    "Tài khoản #%(id)s (%(username)s) không có sự kiện tạo ra nó.",
                    id=user_id,
                    username=username,
                )
            )
            return
        actual = {
            "username": username,
            "role": role.value,
            "agency": codes.get(agency_id) if agency_id is not None else None,
            "active": active,
        }
        for key, value in actual.items():
            if key in state and state[key] != value:
                report.problems.append(
                    _(
                        "Tài khoản #%(id)s: %(field)s là %(value)r nhưng theo nhật ký là"
                        " %(logged)r (bị sửa trực tiếp trong cơ sở dữ liệu).",
                        id=user_id,
                        field=key,
                        value=value,
                        logged=state[key],
                    )
                )
                return
