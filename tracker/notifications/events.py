"""Notifications of workflow steps, at the moment they happen.

Every step that someone else must know about notifies them in the app at once (and in
the next daily e-mail digest, for the kinds they get by mail): work assigned, a report
submitted, accepted or returned (with the reason), an extension asked, granted or
refused, work reopened or cancelled, a directive closed. Who is told:

- steps of the office or the reviewer: the users of the assigned agency;
- an agency's report: its reviewers, i.e. the users of the task's report_to agency,
  else the office's secretariat;
- an extension request: the secretariat;
- a directive closed: the users of every agency that had work in it.

The one who took the step is never told of it. Each notification is keyed by its event
("event:<id>"), so it exists once per person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from tracker.assignments.models import Assignment
from tracker.audit import Event
from tracker.auth.models import Role, User
from tracker.directives.models import Directive, Task
from tracker.formatting import format_date
from tracker.i18n import N_
from tracker.notifications.models import Notification


class Kind(StrEnum):
    """What a notification is about; users choose, per kind, whether it is mailed."""

    ASSIGNED = "assigned"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    EXTENSION = "extension"
    REOPENED = "reopened"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    REMINDER = "reminder"
    OVERDUE = "overdue"


KIND_LABELS = {
    Kind.ASSIGNED: N_("Được giao nhiệm vụ mới"),
    Kind.SUBMITTED: N_("Có báo cáo gửi đến chờ duyệt"),
    Kind.ACCEPTED: N_("Báo cáo được chấp nhận"),
    Kind.RETURNED: N_("Báo cáo bị trả lại"),
    Kind.EXTENSION: N_("Đề nghị gia hạn và kết quả xử lý"),
    Kind.REOPENED: N_("Nhiệm vụ được mở lại"),
    Kind.CANCELLED: N_("Nhiệm vụ bị hủy giao"),
    Kind.CLOSED: N_("Văn bản chỉ đạo kết thúc"),
    Kind.REMINDER: N_("Nhắc việc sắp đến hạn"),
    Kind.OVERDUE: N_("Cảnh báo quá hạn"),
}

#: Title length the notification table holds.
TITLE_LENGTH = 300
#: Characters of a report's text or a reason quoted in the notification.
QUOTE_LENGTH = 600


@dataclass(frozen=True)
class _Wording:
    kind: Kind
    #: The title, formatted with `what` (e.g. "nhiệm vụ 2 của Công văn 1661/UBND-VX")
    #: and `agency` (the assigned agency's short name).
    title: str
    #: "agency", "reviewers" or "office": who is told.
    to: str


_STEPS: dict[str, _Wording] = {
    "assignment.create": _Wording(Kind.ASSIGNED, "Nhiệm vụ mới: {what}", "agency"),
    "assignment.submit": _Wording(
        Kind.SUBMITTED, "{agency} gửi báo cáo {what}, chờ duyệt", "reviewers"
    ),
    "period.submit": _Wording(
        Kind.SUBMITTED, "{agency} gửi báo cáo kỳ {what}, chờ duyệt", "reviewers"
    ),
    "assignment.accept": _Wording(Kind.ACCEPTED, "Báo cáo {what} đã được chấp nhận", "agency"),
    "period.accept": _Wording(Kind.ACCEPTED, "Báo cáo kỳ {what} đã được chấp nhận", "agency"),
    "assignment.return": _Wording(
        Kind.RETURNED, "Báo cáo {what} bị trả lại, cần bổ sung", "agency"
    ),
    "period.return": _Wording(Kind.RETURNED, "Báo cáo kỳ {what} bị trả lại, cần bổ sung", "agency"),
    "extension.request": _Wording(Kind.EXTENSION, "{agency} đề nghị gia hạn {what}", "office"),
    "extension.grant": _Wording(Kind.EXTENSION, "Đồng ý gia hạn {what}", "agency"),
    "extension.deny": _Wording(Kind.EXTENSION, "Không đồng ý gia hạn {what}", "agency"),
    "assignment.reopen": _Wording(Kind.REOPENED, "Mở lại {what}", "agency"),
    "assignment.cancel": _Wording(Kind.CANCELLED, "Hủy giao {what}", "agency"),
}


def announce(session: Session, event: Event) -> int:
    """Notify everyone who must know of this step; returns how many were told. Steps
    nobody else needs to hear of (start, progress) notify nobody."""
    wording = _STEPS.get(event.action)
    if wording is None or event.subject_type != "assignment":
        return 0
    assignment = session.get_one(Assignment, event.subject_id)
    task = session.get_one(Task, assignment.task_id)
    directive = session.get_one(Directive, task.directive_id)
    what = f"nhiệm vụ {task.number} của {directive.title}"
    if event.action.startswith("period."):
        due = event.after.get("period_due")
        what = f"hạn {format_date(_iso(due))} của {what}" if due else what
    title = wording.title.format(what=what, agency=assignment.agency.short_name)
    recipients = _recipients(session, wording.to, assignment, task)
    return _notify(
        session,
        recipients,
        event,
        kind=wording.kind,
        title=title,
        body=_body(event, task),
        link=_link("assignments.show", assignment_id=assignment.id),
    )


def announce_closing(session: Session, event: Event, directive: Directive) -> int:
    """A directive closed (or superseded): every agency with work in it is told once."""
    agencies = sa.select(Assignment.agency_id).join(Task).where(Task.directive_id == directive.id)
    recipients = session.scalars(
        sa.select(User.id).where(
            User.role == Role.AGENCY, User.active.is_(True), User.agency_id.in_(agencies)
        )
    ).all()
    verb = "được thay thế" if event.action == "directive.supersede" else "đã kết thúc"
    return _notify(
        session,
        recipients,
        event,
        kind=Kind.CLOSED,
        title=f"{directive.title} {verb}; các nhiệm vụ còn mở không phải thực hiện tiếp",
        body=_quote(event.comment),
        link=_link("directives.show", directive_id=directive.id),
    )


def _recipients(session: Session, to: str, assignment: Assignment, task: Task) -> list[int]:
    if to == "agency" or (to == "reviewers" and task.report_to_id is not None):
        agency_id = assignment.agency_id if to == "agency" else task.report_to_id
        where = [User.role == Role.AGENCY, User.agency_id == agency_id]
    else:
        where = [User.role == Role.SECRETARIAT]
    return list(
        session.scalars(sa.select(User.id).where(*where, User.active.is_(True)).order_by(User.id))
    )


def _body(event: Event, task: Task) -> str:
    lines = [task.title]
    after = event.after or {}
    if event.action == "assignment.create" and after.get("due_date"):
        lines.append(f"Thời hạn: {format_date(_iso(after['due_date']))}")
    if event.action == "extension.request" and after.get("proposed_date"):
        lines.append(f"Đề nghị gia hạn đến ngày {format_date(_iso(after['proposed_date']))}")
    if event.action == "extension.grant" and after.get("due_date"):
        lines.append(f"Thời hạn mới: {format_date(_iso(after['due_date']))}")
    if event.comment:
        label = "Nội dung" if event.action.endswith("submit") else "Lý do"
        lines.append(f"{label}: {_quote(event.comment)}")
    return "\n".join(lines)


def _quote(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"


def _iso(value: str) -> date:
    return date.fromisoformat(value)


def _link(endpoint: str, **values) -> str:
    """A path in the app, built without a request (steps also run from the CLI)."""
    if not has_app_context():
        return ""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _notify(
    session: Session,
    recipients: Iterable[int],
    event: Event,
    *,
    kind: Kind,
    title: str,
    body: str,
    link: str,
) -> int:
    key = f"event:{event.id}"
    title = title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"
    told = 0
    for user_id in dict.fromkeys(recipients):
        if user_id == event.actor_id:
            continue
        session.add(
            Notification(
                user_id=user_id,
                key=key,
                kind=kind.value,
                title=title,
                body=body,
                link=link,
                created_at=event.occurred_at,
            )
        )
        told += 1
    session.flush()
    return told
