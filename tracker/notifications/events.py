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
("event:<id>"), so it exists once per person, and written in that person's language
(`User.language`, else Vietnamese); names (directives, tasks, agencies) and what people
wrote (a report, a reason) are quoted as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.assignments.models import Assignment
from tracker.audit import Event
from tracker.auth.models import Role, User
from tracker.directives.models import Directive, Task
from tracker.formatting import format_date
from tracker.i18n import N_, spoken
from tracker.notifications.messages import assignment_label
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
    #: The title, marked for translation, formatted with `what` (e.g. "nhiệm vụ 2 của
    #: Công văn 1661/UBND-VX") and `agency` (the assigned agency's short name).
    title: str
    #: "agency", "reviewers" or "office": who is told.
    to: str


_STEPS: dict[str, _Wording] = {
    "assignment.create": _Wording(Kind.ASSIGNED, N_("Nhiệm vụ mới: %(what)s"), "agency"),
    "assignment.submit": _Wording(
        Kind.SUBMITTED, N_("%(agency)s gửi báo cáo %(what)s, chờ duyệt"), "reviewers"
    ),
    "period.submit": _Wording(
        Kind.SUBMITTED, N_("%(agency)s gửi báo cáo kỳ %(what)s, chờ duyệt"), "reviewers"
    ),
    "assignment.accept": _Wording(
        Kind.ACCEPTED, N_("Báo cáo %(what)s đã được chấp nhận"), "agency"
    ),
    "period.accept": _Wording(Kind.ACCEPTED, N_("Báo cáo kỳ %(what)s đã được chấp nhận"), "agency"),
    "assignment.return": _Wording(
        Kind.RETURNED, N_("Báo cáo %(what)s bị trả lại, cần bổ sung"), "agency"
    ),
    "period.return": _Wording(
        Kind.RETURNED, N_("Báo cáo kỳ %(what)s bị trả lại, cần bổ sung"), "agency"
    ),
    "extension.request": _Wording(
        Kind.EXTENSION, N_("%(agency)s đề nghị gia hạn %(what)s"), "office"
    ),
    "extension.grant": _Wording(Kind.EXTENSION, N_("Đồng ý gia hạn %(what)s"), "agency"),
    "extension.deny": _Wording(Kind.EXTENSION, N_("Không đồng ý gia hạn %(what)s"), "agency"),
    "assignment.reopen": _Wording(Kind.REOPENED, N_("Mở lại %(what)s"), "agency"),
    "assignment.cancel": _Wording(Kind.CANCELLED, N_("Hủy giao %(what)s"), "agency"),
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
    due = event.after.get("period_due") if event.action.startswith("period.") else None

    def words() -> tuple[str, str]:
        what = assignment_label(task.number, directive.title)
        if due:
            what = _("hạn %(date)s của %(what)s", date=format_date(_iso(due)), what=what)
        title = _(wording.title, what=what, agency=assignment.agency.short_name)
        return title, _body(event, task)

    recipients = _recipients(session, wording.to, assignment, task)
    return _notify(
        session,
        recipients,
        event,
        kind=wording.kind,
        words=words,
        link=_link("assignments.show", assignment_id=assignment.id),
    )


def announce_closing(session: Session, event: Event, directive: Directive) -> int:
    """A directive closed (or superseded): every agency with work in it is told once."""
    agencies = sa.select(Assignment.agency_id).join(Task).where(Task.directive_id == directive.id)
    recipients = session.execute(
        sa.select(User.id, User.language).where(
            User.role == Role.AGENCY, User.active.is_(True), User.agency_id.in_(agencies)
        )
    ).all()
    if event.action == "directive.supersede":
        title = N_("%(directive)s được thay thế; các nhiệm vụ còn mở không phải thực hiện tiếp")
    else:
        title = N_("%(directive)s đã kết thúc; các nhiệm vụ còn mở không phải thực hiện tiếp")
    return _notify(
        session,
        recipients,
        event,
        kind=Kind.CLOSED,
        words=lambda: (_(title, directive=directive.title), _quote(event.comment)),
        link=_link("directives.show", directive_id=directive.id),
    )


def _recipients(
    session: Session, to: str, assignment: Assignment, task: Task
) -> list[tuple[int, str | None]]:
    """(id, language) of the active users to tell: for work handed down, the
    handing-down agency stands for the reviewers and the office."""
    if to != "agency" and assignment.parent is not None:
        where = [User.role == Role.AGENCY, User.agency_id == assignment.parent.agency_id]
    elif to == "agency" or (to == "reviewers" and task.report_to_id is not None):
        agency_id = assignment.agency_id if to == "agency" else task.report_to_id
        where = [User.role == Role.AGENCY, User.agency_id == agency_id]
    else:
        where = [User.role == Role.SECRETARIAT]
    return list(
        session.execute(
            sa.select(User.id, User.language).where(*where, User.active.is_(True)).order_by(User.id)
        ).all()
    )


def _body(event: Event, task: Task) -> str:
    lines = [task.title]
    after = event.after or {}
    if event.action == "assignment.create" and after.get("due_date"):
        lines.append(_("Thời hạn: %(date)s", date=format_date(_iso(after["due_date"]))))
    if event.action == "extension.request" and after.get("proposed_date"):
        lines.append(
            _(
                "Đề nghị gia hạn đến ngày %(date)s",
                date=format_date(_iso(after["proposed_date"])),
            )
        )
    if event.action == "extension.grant" and after.get("due_date"):
        lines.append(_("Thời hạn mới: %(date)s", date=format_date(_iso(after["due_date"]))))
    if event.comment:
        if event.action.endswith("submit"):
            lines.append(_("Nội dung: %(text)s", text=_quote(event.comment)))
        else:
            lines.append(_("Lý do: %(text)s", text=_quote(event.comment)))
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
    recipients: Iterable[tuple[int, str | None]],
    event: Event,
    *,
    kind: Kind,
    words: Callable[[], tuple[str, str]],
    link: str,
) -> int:
    """Tell each of `recipients` (id, language), but the actor; `words` gives the title
    and body in the language in force, once per language."""
    key = f"event:{event.id}"
    written: dict[str, tuple[str, str]] = {}
    told = 0
    for user_id, language in dict.fromkeys(recipients):
        if user_id == event.actor_id:
            continue
        language = spoken(language)
        if language not in written:
            with force_locale(language):
                title, body = words()
            title = title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"
            written[language] = (title, body)
        title, body = written[language]
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
