"""Every workflow step notifies, at once, those who must know, and nobody else."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import user_named
from tracker.assignments.closing import close_directive
from tracker.assignments.models import Period
from tracker.assignments.operations import assign_task
from tracker.assignments.workflow import (
    Action,
    apply,
    apply_period,
    decide_extension,
    request_extension,
)
from tracker.auth.models import Role, User
from tracker.i18n import current_language
from tracker.notifications.events import Kind
from tracker.notifications.models import Notification


def _told(session, since: int) -> dict[str, list[tuple[str, str]]]:
    """Notifications created after id `since`: username -> [(kind, title)]."""
    rows = session.execute(
        sa.select(User.username, Notification.kind, Notification.title, Notification.body)
        .join(User, Notification.user_id == User.id)
        .where(Notification.id > since)
        .order_by(Notification.id)
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for username, kind, title, body in rows:
        found.setdefault(username, []).append((kind, title + "\n" + body))
    return found


def _last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(Notification.id), 0)))


@pytest.fixture
def team(session, make_agency, make_user, make_task):
    """An agency with two users, a reviewer agency with one, and a task reported to
    nobody (the office reviews)."""
    agency, reviewer = make_agency(), make_agency()
    return {
        "agency": agency,
        "reviewer": reviewer,
        "workers": [make_user(agency=agency), make_user(agency=agency)],
        "reviewer_user": make_user(agency=reviewer),
        "office": user_named(session, "vanphong"),
        "task": make_task(),
        "reviewed_task": make_task(report_to=reviewer),
    }


def test_each_step_tells_the_other_side(session, team):
    worker, other_worker = team["workers"]
    office = team["office"]
    secretariat = set(
        session.scalars(
            sa.select(User.username).where(User.role == Role.SECRETARIAT, User.active.is_(True))
        )
    )
    mark = _last_id(session)
    (assignment,) = assign_task(session, office, team["task"], [team["agency"]]).created
    told = _told(session, mark)
    assert set(told) == {worker.username, other_worker.username}
    assert told[worker.username][0][0] == Kind.ASSIGNED
    assert "Nhiệm vụ mới" in told[worker.username][0][1]

    steps = [
        (Action.START, worker, {}, set(), None),
        (Action.SUBMIT, worker, {"text": "Đã cài đặt 45/45."}, secretariat, Kind.SUBMITTED),
        (
            Action.RETURN,
            office,
            {"reason": "Thiếu số liệu xã."},
            {other_worker.username, worker.username},
            Kind.RETURNED,
        ),
        (Action.SUBMIT, worker, {"text": "Bổ sung."}, secretariat, Kind.SUBMITTED),
        (Action.ACCEPT, office, {}, {worker.username, other_worker.username}, Kind.ACCEPTED),
        (
            Action.REOPEN,
            office,
            {"reason": "Cần cập nhật."},
            {worker.username, other_worker.username},
            Kind.REOPENED,
        ),
    ]
    for action, actor, data, expected, kind in steps:
        mark = _last_id(session)
        apply(assignment, action, actor, **data)
        told = _told(session, mark)
        assert set(told) == expected - {actor.username}, action
        for notes in told.values():
            assert [note_kind for note_kind, _ in notes] == [kind]
            if data:
                assert next(iter(data.values())) in notes[0][1]  # the text or the reason


def test_reports_of_a_reviewed_task_go_to_the_reviewer_not_the_office(session, team):
    worker = team["workers"][0]
    (assignment,) = assign_task(session, None, team["reviewed_task"], [team["agency"]]).created
    mark = _last_id(session)
    apply(assignment, Action.SUBMIT, worker, text="Báo cáo.")
    assert set(_told(session, mark)) == {team["reviewer_user"].username}


def test_extension_asked_then_decided(session, team):
    worker, other_worker = team["workers"]
    (assignment,) = assign_task(session, None, team["task"], [team["agency"]]).created
    mark = _last_id(session)
    extension = request_extension(
        assignment, worker, proposed_date=date(2020, 8, 28), reason="Chờ số liệu."
    )
    told = _told(session, mark)
    assert set(told) and all(user_named(session, name).role == Role.SECRETARIAT for name in told)
    assert "28/08/2020" in next(iter(told.values()))[0][1]
    mark = _last_id(session)
    decide_extension(extension, team["office"], grant=False, reason="Không có căn cứ.")
    told = _told(session, mark)
    assert set(told) == {worker.username, other_worker.username}
    assert "Không đồng ý gia hạn" in told[worker.username][0][1]
    assert "Không có căn cứ." in told[worker.username][0][1]


def test_period_steps_notify(session, team, make_task):
    worker = team["workers"][0]
    (assignment,) = assign_task(session, None, team["task"], [team["agency"]]).created
    period = Period(
        assignment_id=assignment.id,
        starts_on=date(2020, 8, 10),
        ends_on=date(2020, 8, 16),
        due_date=date(2020, 8, 17),
    )
    session.add(period)
    session.flush()
    mark = _last_id(session)
    apply_period(period, Action.SUBMIT, worker, text="Tuần này 12 bài.")
    told = _told(session, mark)
    assert told and all("17/08/2020" in notes[0][1] for notes in told.values())
    mark = _last_id(session)
    apply_period(period, Action.RETURN, team["office"], reason="Thiếu ảnh.")
    assert {kind for notes in _told(session, mark).values() for kind, _ in notes} == {Kind.RETURNED}


def test_closing_tells_each_agency_user_once(session, team, make_agency, make_user):
    second = make_agency()
    second_user = make_user(agency=second)
    task = team["task"]
    assign_task(session, None, task, [team["agency"], second])
    mark = _last_id(session)
    close_directive(session, team["office"], task.directive, note="Hết dịch.")
    told = _told(session, mark)
    expected = {user.username for user in team["workers"]} | {second_user.username}
    assert set(told) == expected
    assert all([kind for kind, _ in notes] == [Kind.CLOSED] for notes in told.values())


def test_the_actor_is_never_told_of_their_own_step(session, team, make_user):
    office_user = make_user(role=Role.SECRETARIAT)
    (assignment,) = assign_task(session, None, team["task"], [team["agency"]]).created
    apply(assignment, Action.SUBMIT, team["workers"][0], text="Báo cáo.")
    mark = _last_id(session)
    apply(assignment, Action.ACCEPT, office_user)
    assert office_user.username not in _told(session, mark)


# Each in their own language ------------------------------------------------------------------


def test_each_user_is_told_in_their_own_language(session, team):
    """The English user's notifications are English, the Vietnamese user's Vietnamese;
    the directive's name and what people wrote are quoted as written."""
    english, vietnamese = team["workers"]
    english.language = "en"
    session.flush()
    task = team["task"]
    title = task.directive.title
    mark = _last_id(session)
    (assignment,) = assign_task(session, team["office"], task, [team["agency"]]).created
    told = _told(session, mark)
    assert told[english.username] == [
        (
            Kind.ASSIGNED,
            f"New assignment: task {task.number} of {title}\n{task.title}\nDeadline: 18/08/2020",
        )
    ]
    assert told[vietnamese.username] == [
        (
            Kind.ASSIGNED,
            f"Nhiệm vụ mới: nhiệm vụ {task.number} của {title}\n{task.title}\nThời hạn: 18/08/2020",
        )
    ]
    apply(assignment, Action.SUBMIT, vietnamese, text="Báo cáo.")
    mark = _last_id(session)
    apply(assignment, Action.RETURN, team["office"], reason="Thiếu số liệu xã.")
    told = _told(session, mark)
    assert told[english.username][0][1].startswith(
        f"The report on task {task.number} of {title} was returned for more work\n"
    )
    assert "Reason: Thiếu số liệu xã." in told[english.username][0][1]
    assert "Lý do: Thiếu số liệu xã." in told[vietnamese.username][0][1]
    mark = _last_id(session)
    close_directive(session, team["office"], task.directive, note="Hết dịch.")
    told = _told(session, mark)
    assert told[english.username][0][1] == (
        f"{title} is closed; its open tasks need no further work\nHết dịch."
    )
    assert told[vietnamese.username][0][1].startswith(f"{title} đã kết thúc;")


def test_a_step_taken_in_english_tells_a_vietnamese_user_in_vietnamese(app, session, team):
    """The language of the one who acts (their request) is not the recipients'."""
    english, vietnamese = team["workers"]
    english.language = "en"
    session.flush()
    (assignment,) = assign_task(session, None, team["task"], [team["agency"]]).created
    mark = _last_id(session)
    with app.test_request_context("/?lang=en"):
        assert current_language() == "en"
        apply(assignment, Action.SUBMIT, english, text="Đã xong.")
        assert current_language() == "en"  # the request's language is back
    told = _told(session, mark)
    office = team["office"].username
    assert told[office][0][1].startswith(f"{team['agency'].short_name} gửi báo cáo nhiệm vụ")


def test_an_english_users_bell_lists_english_titles(client, auth, session, team):
    english, vietnamese = team["workers"]
    english.language = "en"
    session.flush()
    task = team["task"]
    assign_task(session, team["office"], task, [team["agency"]])
    auth.login(english.username)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"New assignment: task {task.number} of" in page
    assert "Nhiệm vụ mới" not in page
    auth.logout()
    auth.login(vietnamese.username)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"Nhiệm vụ mới: nhiệm vụ {task.number} của" in page
