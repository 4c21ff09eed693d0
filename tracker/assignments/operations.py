"""Giving tasks to agencies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import calendar, clock
from tracker.agencies.models import Agency, AgencyGroup
from tracker.agencies.operations import expand_targets
from tracker.assignments.models import Assignment, AssignmentRole
from tracker.audit import record_event
from tracker.auth.models import User
from tracker.directives.models import DeadlineReference, DirectiveStatus, Task
from tracker.notifications.events import announce


class AssignmentError(ValueError):
    """A refused assignment operation; the message is Vietnamese."""


@dataclass
class AssignResult:
    created: list[Assignment] = field(default_factory=list)
    #: Agencies that already had this task; left as they were.
    skipped: list[Agency] = field(default_factory=list)


def assign_task(
    session: Session,
    actor: User | None,
    task: Task,
    targets: Iterable[Agency | AgencyGroup],
    *,
    role: AssignmentRole | str = AssignmentRole.LEAD,
    due_date: date | None = None,
    use_task_deadline: bool = True,
) -> AssignResult:
    """One assignment per agency named or reached through a group (fan-out).

    Agencies that already hold the task are skipped, so assigning twice is harmless.
    Work sent "for information" (để biết) owes nothing and takes no deadline.
    The deadline is `due_date`, else the task's own when `use_task_deadline`: its date,
    or a relative one ("within N days / working days") counted from the directive's issue
    date or from today, the day the agency receives the work; see
    `calendar.deadline_after`.
    """
    if actor is not None and not actor.is_staff:
        raise AssignmentError(_("Chỉ văn phòng mới được giao nhiệm vụ."))
    if task.directive.status == DirectiveStatus.DRAFT:
        raise AssignmentError(
            _("Văn bản chưa được xác nhận: hãy xác nhận trước khi giao nhiệm vụ.")
        )
    if task.directive.status != DirectiveStatus.ACTIVE:
        raise AssignmentError(_("Văn bản đã kết thúc: không giao thêm nhiệm vụ."))
    try:
        role = AssignmentRole(role)
    except ValueError:
        raise AssignmentError(_("Vai trò không hợp lệ: %(role)r.", role=role)) from None
    agencies = expand_targets(targets)
    if not agencies:
        raise AssignmentError(_("Hãy chọn ít nhất một cơ quan, đơn vị hoặc nhóm."))
    deadline = due_date if due_date is not None else (task.due_date if use_task_deadline else None)
    if deadline is None and use_task_deadline and task.due_in_days:
        issued = task.directive.issued_date
        start = issued if task.due_from == DeadlineReference.ISSUED and issued else clock.today()
        deadline = calendar.deadline_after(
            start, task.due_in_days, working_days=task.due_in_working_days
        )
    if role == AssignmentRole.INFORM:
        deadline = None  # sent for information: nothing is owed, so no deadline
    existing = set(
        session.scalars(sa.select(Assignment.agency_id).where(Assignment.task_id == task.id))
    )
    result = AssignResult()
    for agency in agencies:
        if agency.id in existing:
            result.skipped.append(agency)
            continue
        assignment = Assignment(
            task=task,
            agency=agency,
            role=role,
            due_date=deadline,
            original_due_date=deadline,
            assigned_at=clock.now(),
            assigned_by_id=actor.id if actor else None,
        )
        session.add(assignment)
        result.created.append(assignment)
    session.flush()
    for assignment in result.created:
        event = record_event(
            session,
            actor=actor,
            action="assignment.create",
            subject_type="assignment",
            subject_id=assignment.id,
            after={
                "task": task.number,
                "agency": assignment.agency.code,
                "role": role.value,
                "due_date": deadline.isoformat() if deadline else None,
                "status": "assigned",
            },
        )
        announce(session, event)
    return result
