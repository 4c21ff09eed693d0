"""The state machine of an assignment: the one place that changes its status.

Transitions are data: (state, action) -> Transition(target, who may, guards, effect).
`apply` checks the guards, runs the effect, moves the state and writes exactly one event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from tracker import clock
from tracker.assignments.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
    Period,
    PeriodStatus,
    Submission,
    SubmissionOutcome,
)
from tracker.audit import Event, record_event
from tracker.auth.models import User
from tracker.directives.models import Task
from tracker.evidence.models import Evidence
from tracker.formatting import format_date
from tracker.i18n import N_
from tracker.notifications.events import announce

S = AssignmentStatus


class Action(StrEnum):
    START = "start"
    REPORT_PROGRESS = "report_progress"
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    REOPEN = "reopen"
    CANCEL = "cancel"


class WorkflowError(Exception):
    """A refused step; the message is Vietnamese and meant for the user."""

    http_status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(WorkflowError):
    http_status = 409


class NotPermitted(WorkflowError):
    http_status = 403


class GuardFailed(WorkflowError):
    """A required reason, evidence file or figure is missing or wrong."""


class Conflict(WorkflowError):
    """Someone else changed the assignment since the form was loaded."""

    http_status = 409


Rule = Callable[[Assignment, User], bool]
Effect = Callable[[Session, Assignment, User, dict[str, Any]], None]


def _worker(assignment: Assignment, user: User) -> bool:
    return assignment.is_worker(user)


def _reviewer(assignment: Assignment, user: User) -> bool:
    return assignment.is_reviewer(user)


def _staff(_assignment: Assignment, user: User) -> bool:
    return user.is_staff


StatusT = TypeVar("StatusT", AssignmentStatus, PeriodStatus)


@dataclass(frozen=True)
class Transition(Generic[StatusT]):
    target: StatusT
    who: Rule
    requires_reason: bool = False
    #: Submitting a task that requires evidence needs at least one file.
    checks_evidence: bool = False
    effect: Effect | None = None


# Effects ---------------------------------------------------------------------------------


def _record_progress(session: Session, assignment: Assignment, _actor: User, data: dict) -> None:
    progress = data.get("progress")
    if progress is None:
        return
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise GuardFailed(_("Tiến độ phải là số nguyên từ 0 đến 100."))
    assignment.progress = progress


def validate_figures(task: Task, figures: dict | None) -> dict[str, list[int | None]]:
    """The figures of a report on `task`: one value per indicator, each checked by its
    indicator (`Indicator.check`); {code: [numerator, denominator or None]}."""
    figures = figures or {}
    known = {indicator.code: indicator for indicator in task.indicators}
    unknown = set(figures) - set(known)
    if unknown:
        raise GuardFailed(
            _("Chỉ tiêu không thuộc nhiệm vụ này: %(codes)s.", codes=", ".join(sorted(unknown)))
        )
    clean: dict[str, list[int | None]] = {}
    for code, indicator in known.items():
        if code not in figures:
            raise GuardFailed(_("Chưa nhập số liệu cho chỉ tiêu “%(name)s”.", name=indicator.name))
        value = figures[code]
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise GuardFailed(
                _("Chưa nhập đủ số liệu cho chỉ tiêu “%(name)s”.", name=indicator.name)
            )
        numerator, denominator = value
        refusal = indicator.check(numerator, denominator)
        if refusal is not None:
            raise GuardFailed(refusal)
        clean[code] = [numerator, denominator]
    return clean


def _submit(session: Session, assignment: Assignment, actor: User, data: dict) -> None:
    text = (data.get("text") or "").strip()
    if not text:
        raise GuardFailed(_("Hãy nhập nội dung báo cáo kết quả."))
    figures = validate_figures(assignment.task, data.get("figures"))
    submission = Submission(
        assignment=assignment,
        submitted_at=clock.now(),
        submitted_by_id=actor.id,
        text=text,
        figures=figures,
    )
    session.add(submission)
    session.flush()
    working_files = session.scalars(
        sa.select(Evidence).where(
            Evidence.assignment_id == assignment.id, Evidence.submission_id.is_(None)
        )
    )
    for evidence in working_files:
        evidence.submission = submission
    assignment.progress = 100


def _pending_submission(assignment: Assignment) -> Submission:
    submission = assignment.latest_submission
    if submission is None or submission.outcome != SubmissionOutcome.PENDING:
        raise InvalidTransition(_("Không có báo cáo nào đang chờ duyệt."))
    return submission


def _accept(_session: Session, assignment: Assignment, actor: User, data: dict) -> None:
    submission = _pending_submission(assignment)
    submission.outcome = SubmissionOutcome.ACCEPTED
    submission.reviewed_at = clock.now()
    submission.reviewed_by_id = actor.id
    submission.review_comment = (data.get("reason") or "").strip()
    assignment.completed_on = submission.submitted_on
    assignment.progress = 100


def _return(_session: Session, assignment: Assignment, actor: User, data: dict) -> None:
    submission = _pending_submission(assignment)
    submission.outcome = SubmissionOutcome.RETURNED
    submission.reviewed_at = clock.now()
    submission.reviewed_by_id = actor.id
    submission.review_comment = data["reason"]


def _reopen(_session: Session, assignment: Assignment, _actor: User, _data: dict) -> None:
    assignment.completed_on = None


def _cancel(_session: Session, assignment: Assignment, _actor: User, data: dict) -> None:
    """Cancelled work owes nothing from that day on (today, or the day its directive
    closed): its open reporting periods end with it."""
    day = data.get("on") or clock.today()
    _end_periods(assignment, day)  # loads the periods before the row changes
    assignment.cancelled_on = day


def _session_of(instance: object) -> Session:
    session = object_session(instance)
    if session is None:
        raise RuntimeError(f"{type(instance).__name__} is not attached to a session")
    return session


def _end_periods(assignment: Assignment, day: date) -> list[Period]:
    ended = [period for period in assignment.periods if period.is_open]
    for period in ended:
        period.status, period.cancelled_on = PeriodStatus.CANCELLED, day
    return ended


def end_open_periods(assignment: Assignment, actor: User | None, day: date, reason: str) -> int:
    """End the open reporting periods of work that is itself finished (its directive
    closed after its one-off report was accepted); one event. Returns how many."""
    session = _session_of(assignment)
    ended = _end_periods(assignment, day)
    if not ended:
        return 0
    session.flush()
    record_event(
        session,
        actor=actor,
        action="period.cancel",
        subject_type="assignment",
        subject_id=assignment.id,
        comment=reason,
        after={"periods_ended": [period.due_date.isoformat() for period in ended]},
    )
    return len(ended)


# The table ---------------------------------------------------------------------------------

TRANSITIONS: dict[tuple[AssignmentStatus, Action], Transition[AssignmentStatus]] = {
    (S.ASSIGNED, Action.START): Transition(S.IN_PROGRESS, _worker),
    (S.RETURNED, Action.START): Transition(S.IN_PROGRESS, _worker),
    (S.ASSIGNED, Action.REPORT_PROGRESS): Transition(
        S.IN_PROGRESS, _worker, effect=_record_progress
    ),
    (S.IN_PROGRESS, Action.REPORT_PROGRESS): Transition(
        S.IN_PROGRESS, _worker, effect=_record_progress
    ),
    (S.RETURNED, Action.REPORT_PROGRESS): Transition(
        S.IN_PROGRESS, _worker, effect=_record_progress
    ),
    (S.ASSIGNED, Action.SUBMIT): Transition(
        S.SUBMITTED, _worker, checks_evidence=True, effect=_submit
    ),
    (S.IN_PROGRESS, Action.SUBMIT): Transition(
        S.SUBMITTED, _worker, checks_evidence=True, effect=_submit
    ),
    (S.RETURNED, Action.SUBMIT): Transition(
        S.SUBMITTED, _worker, checks_evidence=True, effect=_submit
    ),
    (S.SUBMITTED, Action.ACCEPT): Transition(S.DONE, _reviewer, effect=_accept),
    (S.SUBMITTED, Action.RETURN): Transition(
        S.RETURNED, _reviewer, requires_reason=True, effect=_return
    ),
    (S.DONE, Action.REOPEN): Transition(
        S.IN_PROGRESS, _staff, requires_reason=True, effect=_reopen
    ),
    **{
        (state, Action.CANCEL): Transition(
            S.CANCELLED, _staff, requires_reason=True, effect=_cancel
        )
        for state in OPEN_STATUSES
    },
}


def allowed_actions(assignment: Assignment, user: User) -> list[Action]:
    """The actions this user may take on this assignment now (for buttons)."""
    return [
        action
        for (state, action), transition in TRANSITIONS.items()
        if state == assignment.status and transition.who(assignment, user)
    ]


def snapshot(assignment: Assignment) -> dict[str, Any]:
    return {
        "status": assignment.status.value,
        "progress": assignment.progress,
        "due_date": assignment.due_date.isoformat() if assignment.due_date else None,
        "completed_on": assignment.completed_on.isoformat() if assignment.completed_on else None,
    }


def apply(
    assignment: Assignment,
    action: Action | str,
    actor: User,
    *,
    expected_version: int | None = None,
    notify: bool = True,
    **data: Any,
) -> Event:
    """Take one step. Raises a WorkflowError subclass for anything not allowed.
    Whoever must know is notified at once (`notifications.events`), unless `notify` is
    False: closing a directive tells each agency once instead of once per task."""
    session = object_session(assignment)
    if session is None:
        raise RuntimeError("apply() needs an assignment attached to a session")
    try:
        action = Action(action)
    except ValueError:
        raise InvalidTransition(_("Thao tác không hợp lệ.")) from None
    if expected_version is not None and expected_version != assignment.version:
        raise Conflict(
            _(
                "Nhiệm vụ này vừa được người khác cập nhật. Hãy tải lại trang để xem trạng thái"
                " mới rồi thực hiện lại."
            )
        )
    transition = TRANSITIONS.get((assignment.status, action))
    if transition is None:
        raise InvalidTransition(
            _(
                "Không thể %(action)s khi nhiệm vụ đang ở trạng thái “%(status)s”.",
                action=_(ACTION_LABELS[action]).lower(),
                status=_(STATUS_LABELS[assignment.status]),
            )
        )
    if not transition.who(assignment, actor):
        raise NotPermitted(_("Bạn không có quyền thực hiện thao tác này."))
    reason = (data.get("reason") or "").strip()
    if transition.requires_reason and not reason:
        raise GuardFailed(_("Hãy nêu lý do."))
    data["reason"] = reason
    if (
        transition.checks_evidence
        and assignment.task.evidence_required
        and not _has_evidence(session, assignment)
    ):
        raise GuardFailed(
            _("Nhiệm vụ này yêu cầu minh chứng: hãy tải lên ít nhất một tệp trước khi gửi.")
        )

    before = snapshot(assignment)
    if transition.effect is not None:
        transition.effect(session, assignment, actor, data)
    assignment.status = transition.target
    assignment.updated_at = clock.now()
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            _("Nhiệm vụ này vừa được người khác cập nhật. Hãy tải lại trang rồi thực hiện lại.")
        ) from None
    event = record_event(
        session,
        actor=actor,
        action=f"assignment.{action.value}",
        subject_type="assignment",
        subject_id=assignment.id,
        comment=reason or (data.get("text") or "").strip()[:500],
        before=before,
        after=snapshot(assignment),
    )
    if notify:
        announce(session, event)
    return event


# Periods of recurring reports ------------------------------------------------------------

P = PeriodStatus

PERIOD_TRANSITIONS: dict[tuple[PeriodStatus, Action], Transition[PeriodStatus]] = {
    (P.OPEN, Action.SUBMIT): Transition(P.SUBMITTED, _worker),
    (P.RETURNED, Action.SUBMIT): Transition(P.SUBMITTED, _worker),
    (P.SUBMITTED, Action.ACCEPT): Transition(P.DONE, _reviewer),
    (P.SUBMITTED, Action.RETURN): Transition(P.RETURNED, _reviewer, requires_reason=True),
}

PERIOD_STATUS_LABELS = {
    P.OPEN: N_("Chưa báo cáo"),
    P.SUBMITTED: N_("Đã báo cáo, chờ duyệt"),
    P.RETURNED: N_("Trả lại, yêu cầu bổ sung"),
    P.DONE: N_("Hoàn thành"),
    P.CANCELLED: N_("Đã kết thúc, không phải báo cáo"),
}


def allowed_period_actions(period: Period, user: User) -> list[Action]:
    return [
        action
        for (state, action), transition in PERIOD_TRANSITIONS.items()
        if state == period.status and transition.who(period.assignment, user)
    ]


def apply_period(period: Period, action: Action | str, actor: User, **data: Any) -> Event:
    """One step on one reporting period: submit, accept or return its report."""
    session = _session_of(period)
    try:
        action = Action(action)
    except ValueError:
        raise InvalidTransition(_("Thao tác không hợp lệ.")) from None
    transition = PERIOD_TRANSITIONS.get((period.status, action))
    if transition is None:
        raise InvalidTransition(
            _(
                "Không thể %(action)s khi kỳ báo cáo đang ở trạng thái “%(status)s”.",
                action=_(ACTION_LABELS[action]).lower(),
                status=_(PERIOD_STATUS_LABELS[period.status]),
            )
        )
    assignment = period.assignment
    if not transition.who(assignment, actor):
        raise NotPermitted(_("Bạn không có quyền thực hiện thao tác này."))
    if assignment.status == AssignmentStatus.CANCELLED:
        raise InvalidTransition(_("Nhiệm vụ đã hủy: không báo cáo theo kỳ nữa."))
    reason = (data.get("reason") or "").strip()
    if transition.requires_reason and not reason:
        raise GuardFailed(_("Hãy nêu lý do."))
    before = {"period_status": period.status.value}
    submission: Submission | None
    if action == Action.SUBMIT:
        text = (data.get("text") or "").strip()
        if not text:
            raise GuardFailed(_("Hãy nhập nội dung báo cáo của kỳ này."))
        submission = Submission(
            assignment=assignment,
            period_id=period.id,
            submitted_at=clock.now(),
            submitted_by_id=actor.id,
            text=text,
            figures=validate_figures(assignment.task, data.get("figures")),
        )
        session.add(submission)
        session.flush()
        session.expire(period, ["submissions"])
    else:
        submission = period.submission
        if submission is None or submission.outcome != SubmissionOutcome.PENDING:
            raise InvalidTransition(_("Không có báo cáo nào của kỳ này đang chờ duyệt."))
        submission.outcome = (
            SubmissionOutcome.ACCEPTED if action == Action.ACCEPT else SubmissionOutcome.RETURNED
        )
        submission.reviewed_at = clock.now()
        submission.reviewed_by_id = actor.id
        submission.review_comment = reason
        if action == Action.ACCEPT:
            period.completed_on = submission.submitted_on
    period.status = transition.target
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(_("Kỳ báo cáo vừa được người khác cập nhật. Hãy tải lại trang.")) from None
    event = record_event(
        session,
        actor=actor,
        action=f"period.{action.value}",
        subject_type="assignment",
        subject_id=assignment.id,
        comment=reason or (data.get("text") or "").strip()[:500],
        before=before,
        after={"period_status": period.status.value, "period_due": period.due_date.isoformat()},
    )
    announce(session, event)
    return event


# Extensions ----------------------------------------------------------------------------


def extension_refusal(assignment: Assignment, actor: User) -> WorkflowError | None:
    """Why this user may not ask to extend this assignment now; None if they may."""
    if not assignment.is_worker(actor):
        return NotPermitted(_("Chỉ đơn vị được giao mới đề nghị gia hạn."))
    if not assignment.is_open:
        return InvalidTransition(_("Nhiệm vụ đã kết thúc: không gia hạn được."))
    if assignment.due_date is None:
        return InvalidTransition(_("Nhiệm vụ không có thời hạn: không cần gia hạn."))
    if assignment.pending_extension is not None:
        return InvalidTransition(_("Đã có một đề nghị gia hạn đang chờ xử lý."))
    return None


def request_extension(
    assignment: Assignment, actor: User, *, proposed_date: date | None, reason: str
) -> ExtensionRequest:
    """The agency asks for a later working deadline, with a reason."""
    session = _session_of(assignment)
    refusal = extension_refusal(assignment, actor)
    if refusal is not None:
        raise refusal
    assert assignment.due_date is not None  # extension_refusal refuses work without one
    reason = (reason or "").strip()
    if not reason:
        raise GuardFailed(_("Hãy nêu lý do đề nghị gia hạn."))
    if proposed_date is None or proposed_date <= assignment.due_date:
        raise GuardFailed(_("Thời hạn đề nghị phải sau thời hạn hiện tại."))
    extension = ExtensionRequest(
        assignment_id=assignment.id,
        requested_by_id=actor.id,
        requested_at=clock.now(),
        proposed_date=proposed_date,
        reason=reason,
    )
    session.add(extension)
    assignment.extensions.append(extension)
    session.flush()
    event = record_event(
        session,
        actor=actor,
        action="extension.request",
        subject_type="assignment",
        subject_id=assignment.id,
        comment=reason,
        after={
            "proposed_date": proposed_date.isoformat(),
            "due_date": assignment.due_date.isoformat(),
        },
    )
    announce(session, event)
    return extension


def decide_extension(
    extension: ExtensionRequest,
    actor: User,
    *,
    grant: bool,
    granted_date: date | None = None,
    reason: str = "",
) -> Event:
    """The office grants (possibly another date) or refuses (with a reason). Granting
    moves the working deadline; the original deadline stays on record."""
    session = _session_of(extension)
    assignment = session.get_one(Assignment, extension.assignment_id)
    if not assignment.decides_extensions(actor):
        raise NotPermitted(_("Chỉ nơi giao nhiệm vụ mới quyết định gia hạn."))
    if extension.status != ExtensionStatus.PENDING:
        raise InvalidTransition(_("Đề nghị gia hạn này đã được xử lý."))
    reason = (reason or "").strip()
    before = snapshot(assignment)
    if grant:
        new_date = granted_date or extension.proposed_date
        if assignment.due_date is not None and new_date <= assignment.due_date:
            raise GuardFailed(_("Thời hạn mới phải sau thời hạn hiện tại."))
        parent = assignment.parent
        if parent is not None and parent.due_date is not None and new_date > parent.due_date:
            raise GuardFailed(
                _(
                    "Thời hạn mới không được sau thời hạn của đơn vị giao (%(date)s).",
                    date=format_date(parent.due_date),
                )
            )
        extension.status, extension.granted_date = ExtensionStatus.GRANTED, new_date
        assignment.due_date = new_date
        assignment.updated_at = clock.now()
    else:
        if not reason:
            raise GuardFailed(_("Hãy nêu lý do không gia hạn."))
        extension.status = ExtensionStatus.DENIED
    extension.decided_by_id, extension.decided_at = actor.id, clock.now()
    extension.decision_reason = reason
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(_("Nhiệm vụ này vừa được người khác cập nhật. Hãy tải lại trang.")) from None
    event = record_event(
        session,
        actor=actor,
        action="extension.grant" if grant else "extension.deny",
        subject_type="assignment",
        subject_id=assignment.id,
        comment=reason,
        before=before,
        after=snapshot(assignment),
    )
    announce(session, event)
    return event


def _has_evidence(session: Session, assignment: Assignment) -> bool:
    return bool(
        session.scalar(
            sa.select(sa.func.count(Evidence.id)).where(Evidence.assignment_id == assignment.id)
        )
    )


ACTION_LABELS: dict[Action, str] = {
    Action.START: N_("Bắt đầu thực hiện"),
    Action.REPORT_PROGRESS: N_("Cập nhật tiến độ"),
    Action.SUBMIT: N_("Gửi báo cáo kết quả"),
    Action.ACCEPT: N_("Chấp nhận"),
    Action.RETURN: N_("Trả lại"),
    Action.REOPEN: N_("Mở lại"),
    Action.CANCEL: N_("Hủy giao"),
}

STATUS_LABELS: dict[AssignmentStatus, str] = {
    S.ASSIGNED: N_("Mới giao"),
    S.IN_PROGRESS: N_("Đang thực hiện"),
    S.SUBMITTED: N_("Đã báo cáo, chờ duyệt"),
    S.RETURNED: N_("Trả lại, yêu cầu bổ sung"),
    S.DONE: N_("Hoàn thành"),
    S.CANCELLED: N_("Đã hủy"),
}

SUBMISSION_LABELS: dict[SubmissionOutcome, str] = {
    SubmissionOutcome.PENDING: N_("Chờ duyệt"),
    SubmissionOutcome.ACCEPTED: N_("Đã chấp nhận"),
    SubmissionOutcome.RETURNED: N_("Đã trả lại"),
}

#: How the history of an assignment reads.
EVENT_LABELS: dict[str, str] = {
    "assignment.create": N_("giao nhiệm vụ"),
    "evidence.upload": N_("tải lên minh chứng"),
    "period.submit": N_("gửi báo cáo kỳ"),
    "extension.request": N_("đề nghị gia hạn"),
    "extension.grant": N_("đồng ý gia hạn"),
    "extension.deny": N_("không đồng ý gia hạn"),
    "period.accept": N_("chấp nhận báo cáo kỳ"),
    "period.return": N_("trả lại báo cáo kỳ"),
    "period.cancel": N_("kết thúc các kỳ báo cáo còn mở"),
    # The actions' labels in lower case, each marked for translation as it reads here.
    "assignment.start": N_("bắt đầu thực hiện"),
    "assignment.report_progress": N_("cập nhật tiến độ"),
    "assignment.submit": N_("gửi báo cáo kết quả"),
    "assignment.accept": N_("chấp nhận"),
    "assignment.return": N_("trả lại"),
    "assignment.reopen": N_("mở lại"),
    "assignment.cancel": N_("hủy giao"),
}
assert all(EVENT_LABELS[f"assignment.{a.value}"] == ACTION_LABELS[a].lower() for a in Action)
