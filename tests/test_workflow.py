"""The assignment state machine: every (state, action) pair, guards, events, locking."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import text_file, user_named
from tracker import clock
from tracker.assignments.models import AssignmentStatus, SubmissionOutcome
from tracker.assignments.workflow import (
    TRANSITIONS,
    Action,
    Conflict,
    GuardFailed,
    InvalidTransition,
    NotPermitted,
    allowed_actions,
    apply,
)
from tracker.audit import Event
from tracker.evidence.operations import add_evidence

S = AssignmentStatus
#: Who takes each action in the table-driven test.
ACTORS = {
    Action.START: "snv",
    Action.REPORT_PROGRESS: "snv",
    Action.SUBMIT: "snv",
    Action.ACCEPT: "vanphong",
    Action.RETURN: "vanphong",
    Action.REOPEN: "vanphong",
    Action.CANCEL: "vanphong",
}
DATA = {"reason": "Lý do thử nghiệm", "text": "Đã thực hiện xong.", "progress": 40}
#: The steps that bring a fresh assignment into each state.
PATHS = {
    S.ASSIGNED: [],
    S.IN_PROGRESS: [Action.START],
    S.SUBMITTED: [Action.SUBMIT],
    S.RETURNED: [Action.SUBMIT, Action.RETURN],
    S.DONE: [Action.SUBMIT, Action.ACCEPT],
    S.CANCELLED: [Action.CANCEL],
}


def _event_count(session) -> int:
    return session.scalar(sa.select(sa.func.count(Event.id)))


def _bring_to(session, assignment, state):
    for step in PATHS[state]:
        apply(assignment, step, user_named(session, ACTORS[step]), **DATA)
    assert assignment.status == state


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", list(Action))
def test_workflow_every_state_and_action(session, make_assignment, state, action):
    assignment = make_assignment("SNV")
    _bring_to(session, assignment, state)
    events_before = _event_count(session)
    actor = user_named(session, ACTORS[action])
    transition = TRANSITIONS.get((state, action))
    if transition is None:
        with pytest.raises(InvalidTransition):
            apply(assignment, action, actor, **DATA)
        assert assignment.status == state
        assert _event_count(session) == events_before
    else:
        event = apply(assignment, action, actor, **DATA)
        assert assignment.status == transition.target
        assert _event_count(session) == events_before + 1
        assert event.action == f"assignment.{action.value}"
        assert event.before["status"] == state.value
        assert event.after["status"] == transition.target.value


def test_workflow_table_covers_design(session):
    """The transitions of DESIGN.md section 3, and no others."""
    expected = {
        (S.ASSIGNED, Action.START),
        (S.ASSIGNED, Action.SUBMIT),
        (S.ASSIGNED, Action.REPORT_PROGRESS),
        (S.IN_PROGRESS, Action.REPORT_PROGRESS),
        (S.RETURNED, Action.REPORT_PROGRESS),
        (S.IN_PROGRESS, Action.SUBMIT),
        (S.SUBMITTED, Action.ACCEPT),
        (S.SUBMITTED, Action.RETURN),
        (S.RETURNED, Action.START),
        (S.RETURNED, Action.SUBMIT),
        (S.DONE, Action.REOPEN),
        *((state, Action.CANCEL) for state in (S.ASSIGNED, S.IN_PROGRESS, S.SUBMITTED, S.RETURNED)),
    }
    assert set(TRANSITIONS) == expected


@pytest.mark.parametrize("action", [Action.RETURN, Action.CANCEL])
def test_workflow_reason_required(session, make_assignment, action):
    assignment = make_assignment("SNV")
    if action == Action.RETURN:
        apply(assignment, Action.SUBMIT, user_named(session, "snv"), text="Xong.")
    with pytest.raises(GuardFailed, match="lý do"):
        apply(assignment, action, user_named(session, "vanphong"), reason="   ")


def test_workflow_submit_requires_evidence_when_task_does(session, make_assignment):
    assignment = make_assignment("SNV", evidence_required=True)
    worker = user_named(session, "snv")
    with pytest.raises(GuardFailed, match="minh chứng"):
        apply(assignment, Action.SUBMIT, worker, text="Xong.")
    evidence = add_evidence(session, worker, assignment, text_file(), "danh-sach.txt")
    apply(assignment, Action.SUBMIT, worker, text="Xong.")
    assert assignment.status == S.SUBMITTED
    assert evidence.submission_id == assignment.latest_submission.id


def test_workflow_submit_requires_text(session, make_assignment):
    with pytest.raises(GuardFailed, match="nội dung"):
        apply(make_assignment("SNV"), Action.SUBMIT, user_named(session, "snv"), text="")


INDICATOR = {
    "code": "rate",
    "name": "Tỷ lệ cài đặt",
    "unit": "người",
    "numerator": "Số người đã cài đặt",
    "denominator": "Tổng số",
}


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({}, "Chưa nhập"),
        ({"rate": [None, 10]}, "Chưa nhập đủ"),
        ({"rate": [11, 10]}, "nhỏ hơn"),
        ({"rate": [1, 0]}, "lớn hơn 0"),
        ({"rate": [-1, 10]}, "không âm"),
        ({"rate": [1, 10], "other": [1, 2]}, "không thuộc"),
    ],
)
def test_workflow_submit_checks_figures(session, make_assignment, figures, message):
    assignment = make_assignment("SNV", indicators=[INDICATOR])
    with pytest.raises(GuardFailed, match=message):
        apply(assignment, Action.SUBMIT, user_named(session, "snv"), text="Xong.", figures=figures)
    assert assignment.status == S.ASSIGNED


def test_workflow_submit_keeps_figures(session, make_assignment):
    assignment = make_assignment("SNV", indicators=[INDICATOR])
    apply(
        assignment,
        Action.SUBMIT,
        user_named(session, "snv"),
        text="Xong.",
        figures={"rate": [118, 120]},
    )
    assert assignment.latest_submission.figures == {"rate": [118, 120]}


@pytest.mark.parametrize("username", ["stttt", "lanhdao", "snv"])
def test_workflow_only_reviewers_accept(session, make_assignment, username):
    """Another agency, a leader, or the agency itself cannot accept its work."""
    assignment = make_assignment("SNV")
    apply(assignment, Action.SUBMIT, user_named(session, "snv"), text="Xong.")
    with pytest.raises(NotPermitted):
        apply(assignment, Action.ACCEPT, user_named(session, username))


def test_workflow_report_to_agency_reviews(session, make_assignment):
    """The task's report_to agency (Sở TT&TT for task 2 of 1661) accepts others' work."""
    from tracker.agencies.operations import agency_by_code

    assignment = make_assignment("SNV", report_to=agency_by_code(session, "STTTT"))
    apply(assignment, Action.SUBMIT, user_named(session, "snv"), text="Xong.")
    apply(assignment, Action.ACCEPT, user_named(session, "stttt"))
    assert assignment.status == S.DONE


def test_workflow_report_to_agency_does_not_review_itself(session, make_assignment):
    from tracker.agencies.operations import agency_by_code

    stttt = agency_by_code(session, "STTTT")
    assignment = make_assignment(stttt, report_to=stttt)
    apply(assignment, Action.SUBMIT, user_named(session, "stttt"), text="Xong.")
    with pytest.raises(NotPermitted):
        apply(assignment, Action.ACCEPT, user_named(session, "stttt"))


def test_workflow_other_agency_cannot_work(session, make_assignment):
    with pytest.raises(NotPermitted):
        apply(make_assignment("SNV"), Action.START, user_named(session, "stp"))


def test_workflow_completion_date_is_submission_date(session, make_assignment):
    """A slow review never makes an agency late."""
    assignment = make_assignment("SNV", due_date=date(2020, 8, 18))
    with clock.frozen(date(2020, 8, 17)):
        apply(assignment, Action.SUBMIT, user_named(session, "snv"), text="Xong.")
    with clock.frozen(date(2020, 8, 25)):
        apply(assignment, Action.ACCEPT, user_named(session, "vanphong"))
    assert assignment.completed_on == date(2020, 8, 17)
    assert assignment.latest_submission.outcome == SubmissionOutcome.ACCEPTED


def test_workflow_return_then_resubmit(session, make_assignment):
    assignment = make_assignment("SNV")
    worker, office = user_named(session, "snv"), user_named(session, "vanphong")
    apply(assignment, Action.SUBMIT, worker, text="Lần 1.")
    apply(assignment, Action.RETURN, office, reason="Thiếu danh sách.")
    assert assignment.latest_submission.outcome == SubmissionOutcome.RETURNED
    assert assignment.latest_submission.review_comment == "Thiếu danh sách."
    apply(assignment, Action.SUBMIT, worker, text="Lần 2.")
    apply(assignment, Action.ACCEPT, office)
    assert [s.outcome for s in assignment.submissions] == [
        SubmissionOutcome.RETURNED,
        SubmissionOutcome.ACCEPTED,
    ]


def test_workflow_reopen_clears_completion(session, make_assignment):
    assignment = make_assignment("SNV")
    apply(assignment, Action.SUBMIT, user_named(session, "snv"), text="Xong.")
    apply(assignment, Action.ACCEPT, user_named(session, "vanphong"))
    apply(assignment, Action.REOPEN, user_named(session, "vanphong"), reason="Số liệu sai.")
    assert assignment.status == S.IN_PROGRESS
    assert assignment.completed_on is None


def test_workflow_progress_bounds(session, make_assignment):
    assignment = make_assignment("SNV")
    with pytest.raises(GuardFailed):
        apply(assignment, Action.REPORT_PROGRESS, user_named(session, "snv"), progress=101)
    apply(assignment, Action.REPORT_PROGRESS, user_named(session, "snv"), progress=60)
    assert (assignment.status, assignment.progress) == (S.IN_PROGRESS, 60)


def test_workflow_stale_version_conflicts(session, make_assignment):
    assignment = make_assignment("SNV")
    stale = assignment.version
    apply(assignment, Action.START, user_named(session, "snv"))
    with pytest.raises(Conflict):
        apply(
            assignment,
            Action.REPORT_PROGRESS,
            user_named(session, "snv"),
            expected_version=stale,
            progress=10,
        )


def test_workflow_unknown_action_is_refused(session, make_assignment):
    with pytest.raises(InvalidTransition):
        apply(make_assignment("SNV"), "approve_everything", user_named(session, "vanphong"))


def test_workflow_allowed_actions_follow_roles(session, make_assignment):
    assignment = make_assignment("SNV")
    assert set(allowed_actions(assignment, user_named(session, "snv"))) == {
        Action.START,
        Action.REPORT_PROGRESS,
        Action.SUBMIT,
    }
    assert allowed_actions(assignment, user_named(session, "vanphong")) == [Action.CANCEL]
    assert allowed_actions(assignment, user_named(session, "lanhdao")) == []
    assert allowed_actions(assignment, user_named(session, "stp")) == []


def test_workflow_database_refuses_done_without_completion(session, make_assignment):
    """The CHECK constraint ties status to completed_on even if code forgets."""
    assignment = make_assignment("SNV")
    nested = session.begin_nested()
    assignment.status = S.DONE
    assignment.progress = 100
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    nested.rollback()
