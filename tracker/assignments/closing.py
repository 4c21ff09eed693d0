"""Closing a directive: done (with a date and a note), or superseded by a later directive
that cites it. Either ends its open obligations through the workflow, with the reason
recorded, and stops its reporting periods and reminders; what was done stays counted."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from tracker import clock
from tracker.assignments.models import Assignment
from tracker.assignments.workflow import Action, WorkflowError, apply, end_open_periods
from tracker.audit import record_event
from tracker.auth.models import User
from tracker.directives.models import Citation, Directive, DirectiveStatus, Task
from tracker.notifications.events import announce_closing


class ClosingError(WorkflowError):
    """A refused closing; the message is Vietnamese."""


def close_directive(
    session: Session,
    actor: User,
    directive: Directive,
    *,
    on: date | None = None,
    note: str,
    superseded_by: Directive | None = None,
) -> int:
    """Close `directive` on `on` (today): every open obligation of it ends that day.
    Returns how many assignments were ended."""
    if not actor.is_staff:
        raise ClosingError(_("Chỉ văn phòng mới kết thúc văn bản."))
    if not directive.is_active:
        raise ClosingError(_("Chỉ văn bản đang thực hiện mới kết thúc được."))
    on = on or clock.today()
    if on > clock.today():
        raise ClosingError(_("Ngày kết thúc không được sau hôm nay."))
    if directive.issued_date and on < directive.issued_date:
        raise ClosingError(_("Ngày kết thúc không được trước ngày ban hành văn bản."))
    note = " ".join((note or "").split())
    if superseded_by is not None:
        _check_successor(session, directive, superseded_by)
        note = note or f"Được thay thế bởi {superseded_by.title}."
    if not note:
        raise ClosingError(_("Hãy ghi kết quả hoặc lý do kết thúc văn bản."))
    reason = f"{directive.title} đã kết thúc ngày {on:%d/%m/%Y}: {note}"
    ended = 0
    assignments = session.scalars(
        sa.select(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .where(Task.directive_id == directive.id)
        .options(selectinload(Assignment.periods))
        .order_by(Assignment.id)
    ).all()
    for assignment in assignments:
        if assignment.is_open:
            apply(assignment, Action.CANCEL, actor, reason=reason, on=on, notify=False)
            ended += 1
        else:
            end_open_periods(assignment, actor, on, reason)
    before = {"status": directive.status.value}
    directive.status = (
        DirectiveStatus.SUPERSEDED if superseded_by is not None else DirectiveStatus.CLOSED
    )
    directive.closed_on = on
    directive.closing_note = note
    directive.superseded_by = superseded_by
    session.flush()
    event = record_event(
        session,
        actor=actor,
        action="directive.supersede" if superseded_by is not None else "directive.close",
        subject_type="directive",
        subject_id=directive.id,
        comment=note,
        before=before,
        after={
            "status": directive.status.value,
            "closed_on": on.isoformat(),
            "superseded_by": superseded_by.reference if superseded_by else None,
            "assignments_ended": ended,
        },
    )
    announce_closing(session, event, directive)
    return ended


def can_close(directive: Directive, user: User) -> bool:
    """Office staff close a directive that is being carried out."""
    return user.is_staff and directive.is_active


def supersedable(session: Session, directive: Directive) -> list[Directive]:
    """The active directives that `directive` cites, which it may supersede."""
    if directive.status != DirectiveStatus.ACTIVE:
        return []
    return list(
        session.scalars(
            sa.select(Directive)
            .join(Citation, Citation.cited_id == Directive.id)
            .where(Citation.citing_id == directive.id, Directive.status == DirectiveStatus.ACTIVE)
            .order_by(Citation.position)
        )
    )


def _check_successor(session: Session, old: Directive, new: Directive) -> None:
    if new.status != DirectiveStatus.ACTIVE:
        raise ClosingError(_("Văn bản thay thế phải đã được xác nhận."))
    cites = session.scalar(
        sa.select(sa.func.count())
        .select_from(Citation)
        .where(Citation.citing_id == new.id, Citation.cited_id == old.id)
    )
    if not cites:
        raise ClosingError(
            _("%(new)s không viện dẫn %(old)s: không thể thay thế.", new=new.title, old=old.title)
        )
