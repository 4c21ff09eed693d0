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
from tracker.agencies.tree import is_within
from tracker.assignments.models import Assignment, AssignmentRole
from tracker.audit import record_event
from tracker.auth.models import User
from tracker.directives.models import DeadlineReference, DirectiveStatus, Task
from tracker.formatting import format_date
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
    return _create(session, actor, task, agencies, role=role, deadline=deadline)


def hand_down(
    session: Session,
    actor: User,
    parent: Assignment,
    agencies: Iterable[Agency],
    *,
    due_date: date | None,
    instructions: str = "",
) -> AssignResult:
    """The agency of `parent` hands its work (or the part `instructions` names) down to
    some of its sub-units (giao cho đơn vị trực thuộc): one assignment each, of the same
    task, that it reviews. The deadline is the parent's unless another is given, and
    never later than the parent's. Sub-units that already hold the task are skipped."""
    if not parent.is_worker(actor):
        raise AssignmentError(_("Chỉ đơn vị được giao mới giao tiếp cho đơn vị trực thuộc."))
    if parent.task.directive.status != DirectiveStatus.ACTIVE:
        raise AssignmentError(_("Văn bản đã kết thúc: không giao thêm nhiệm vụ."))
    if not parent.owes or not parent.is_open:
        raise AssignmentError(
            _("Chỉ giao tiếp được nhiệm vụ đang thực hiện (không phải nhiệm vụ để biết).")
        )
    chosen = list({agency.id: agency for agency in agencies}.values())
    if not chosen:
        raise AssignmentError(_("Hãy chọn ít nhất một đơn vị trực thuộc."))
    outside = [
        agency.short_name
        for agency in chosen
        if agency.id == parent.agency_id or not is_within(agency, parent.agency_id)
    ]
    if outside:
        raise AssignmentError(
            _("Không phải đơn vị trực thuộc: %(names)s.", names=", ".join(outside))
        )
    deadline = due_date if due_date is not None else parent.due_date
    if parent.due_date is not None and deadline is not None and deadline > parent.due_date:
        raise AssignmentError(
            _(
                "Thời hạn giao tiếp không được sau thời hạn của đơn vị (%(date)s).",
                date=format_date(parent.due_date),
            )
        )
    return _create(
        session,
        actor,
        parent.task,
        chosen,
        role=AssignmentRole.LEAD,
        deadline=deadline,
        parent=parent,
        instructions=(instructions or "").strip(),
    )


def _create(
    session: Session,
    actor: User | None,
    task: Task,
    agencies: list[Agency],
    *,
    role: AssignmentRole,
    deadline: date | None,
    parent: Assignment | None = None,
    instructions: str = "",
) -> AssignResult:
    """One assignment of `task` per agency that does not hold it yet, each recorded and
    announced."""
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
            parent=parent,
            instructions=instructions,
        )
        session.add(assignment)
        result.created.append(assignment)
    session.flush()
    for assignment in result.created:
        after: dict[str, object] = {
            "task": task.number,
            "agency": assignment.agency.code,
            "role": role.value,
            "due_date": deadline.isoformat() if deadline else None,
            "status": "assigned",
        }
        if parent is not None:
            after["handed_down_from"] = parent.id
        event = record_event(
            session,
            actor=actor,
            action="assignment.create",
            subject_type="assignment",
            subject_id=assignment.id,
            comment=instructions,
            after=after,
        )
        announce(session, event)
    return result
