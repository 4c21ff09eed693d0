"""Evidence is bounded per user and per assignment, each file costs a minimum against
the quota, and its uploader can take it back before it is under review."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token, user_named
from tracker.assignments.workflow import Action, apply
from tracker.audit import Event
from tracker.evidence.models import Evidence
from tracker.evidence.operations import (
    EvidenceError,
    add_evidence,
    can_withdraw,
    withdraw_evidence,
)


def _upload(session, user, assignment, n: int = 0):
    return add_evidence(session, user, assignment, io.BytesIO(f"tệp {n}".encode()), f"t{n}.txt")


def test_uploads_are_paced_per_user(app, session, make_assignment):
    assignment = make_assignment("SNV")
    snv = user_named(session, "snv")
    app.config["EVIDENCE_UPLOADS_PER_MINUTE"] = 3
    try:
        for n in range(3):
            _upload(session, snv, assignment, n)
        with pytest.raises(EvidenceError, match="quá nhanh") as refused:
            _upload(session, snv, assignment, 9)
        assert refused.value.http_status == 429
    finally:
        app.config["EVIDENCE_UPLOADS_PER_MINUTE"] = 20


def test_files_per_assignment_are_capped(app, session, make_assignment):
    assignment = make_assignment("SNV")
    snv = user_named(session, "snv")
    app.config["EVIDENCE_MAX_FILES"] = 2
    try:
        _upload(session, snv, assignment, 1)
        _upload(session, snv, assignment, 2)
        with pytest.raises(EvidenceError, match="mức tối đa"):
            _upload(session, snv, assignment, 3)
    finally:
        app.config["EVIDENCE_MAX_FILES"] = 50


def test_tiny_files_cost_the_minimum(app, session, make_agency, make_user, make_assignment):
    agency = make_agency()  # no files yet
    worker = make_user(agency=agency)
    assignment = make_assignment(agency)
    app.config.update(EVIDENCE_QUOTA_MB=1, EVIDENCE_MIN_COST_KB=300)
    try:
        for n in range(3):  # three tiny files cost 900 KB
            _upload(session, worker, assignment, n)
        with pytest.raises(EvidenceError, match="hạn mức"):
            _upload(session, worker, assignment, 4)
    finally:
        app.config.update(EVIDENCE_QUOTA_MB=2048, EVIDENCE_MIN_COST_KB=64)


def test_uploader_withdraws_before_review_only(client, auth, session, make_assignment):
    assignment = make_assignment("STP")
    stp = user_named(session, "stp")
    working = _upload(session, stp, assignment, 1)
    working_id, working_hash = working.id, working.sha256
    assert can_withdraw(working, stp)
    assert not can_withdraw(working, user_named(session, "vanphong"))
    auth.login("stp")
    path = f"/assignments/{assignment.id}"
    page = client.get(path).get_data(as_text=True)
    assert f"/evidence/{working_id}/withdraw" in page
    response = client.post(
        f"/evidence/{working_id}/withdraw", data={"csrf_token": csrf_token(client, path)}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(sa.select(Evidence.id).where(Evidence.id == working_id)) is None
    event = session.scalar(sa.select(Event).where(Event.action == "evidence.withdraw"))
    assert event.before["sha256"] == working_hash
    sent = _upload(session, stp, assignment, 2)
    apply(assignment, Action.SUBMIT, stp, text="Báo cáo kèm tệp.")
    assert not can_withdraw(sent, stp)  # under review
    with pytest.raises(EvidenceError) as refused:
        withdraw_evidence(session, stp, sent)
    assert refused.value.http_status == 403
