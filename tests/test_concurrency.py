"""Concurrent writers: one accept wins, the event chain never forks, SQLite never
answers "database is locked". These tests commit, so they use a database of their own:
a fresh SQLite file, and on PostgreSQL a scratch database next to the test database."""

from __future__ import annotations

import threading
import uuid

import sqlalchemy as sa
from flask import Flask

from tracker import db
from tracker.agencies.operations import agency_by_code
from tracker.assignments.models import Assignment, AssignmentStatus
from tracker.assignments.operations import assign_task
from tracker.assignments.workflow import Action, Conflict, InvalidTransition, apply
from tracker.audit import Event, verify_chain
from tracker.auth.models import User
from tracker.directives import operations


def _new_assignments(app: Flask, count: int) -> list[int]:
    with app.app_context():
        session = db.session
        directive = operations.create_directive(
            session,
            None,
            doc_type="cong_van",
            number=str(uuid.uuid4().int % 10**6),
            symbol="UBND-TEST",
            issuer="UBND tỉnh",
            issued_date=None,
            body="x",
        )
        tasks = [
            operations.add_task(
                session, None, directive, number=str(n + 1), title="t", text="Thực hiện."
            )
            for n in range(count)
        ]
        operations.confirm_directive(session, None, directive)
        snv = agency_by_code(session, "SNV")
        ids = [assign_task(session, None, task, [snv]).created[0].id for task in tasks]
        session.commit()
        return ids


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _run_threads(target, count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            target(index)
        except BaseException as error:  # noqa: BLE001 (collected and asserted on)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_accepts_change_state_once(scratch_app):
    (assignment_id,) = _new_assignments(scratch_app, 1)
    with scratch_app.app_context():
        apply(db.session.get(Assignment, assignment_id), Action.SUBMIT, _user("snv"), text="Xong.")
        db.session.commit()
    outcomes: list[str] = []

    def accept(_index: int) -> None:
        with scratch_app.app_context():
            try:
                assignment = db.session.get(Assignment, assignment_id)
                apply(assignment, Action.ACCEPT, _user("vanphong"))
                db.session.commit()
                outcomes.append("accepted")
            except (Conflict, InvalidTransition):
                db.session.rollback()
                outcomes.append("refused")

    assert _run_threads(accept, 8) == []
    assert outcomes.count("accepted") == 1
    with scratch_app.app_context():
        assert db.session.get(Assignment, assignment_id).status == AssignmentStatus.DONE
        accepts = db.session.scalar(
            sa.select(sa.func.count(Event.id)).where(
                Event.action == "assignment.accept", Event.subject_id == assignment_id
            )
        )
        assert accepts == 1
        assert verify_chain(db.session).ok


def test_twenty_writers_keep_exact_counts_and_one_chain(scratch_app):
    ids = _new_assignments(scratch_app, 20)
    steps = 5
    with scratch_app.app_context():
        events_before = db.session.scalar(sa.select(sa.func.count(Event.id)))

    def report(index: int) -> None:
        for step in range(1, steps + 1):
            with scratch_app.app_context():
                assignment = db.session.get(Assignment, ids[index])
                apply(assignment, Action.REPORT_PROGRESS, _user("snv"), progress=step * 10)
                db.session.commit()

    assert _run_threads(report, 20) == []
    with scratch_app.app_context():
        session = db.session
        progress = session.scalars(sa.select(Assignment.progress).where(Assignment.id.in_(ids)))
        assert set(progress) == {steps * 10}
        events_after = session.scalar(sa.select(sa.func.count(Event.id)))
        assert events_after - events_before == 20 * steps
        check = verify_chain(session)
        assert check.ok and check.count == events_after
