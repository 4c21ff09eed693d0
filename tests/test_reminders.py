"""Reminders and overdue alerts (issue 5): the ladder on a fixed timeline with real
delivery to an SMTP server this file starts on loopback (aiosmtpd), escalation to the
secretariat, the daily digest, idempotency (run twice; killed half-way and run again),
`tracker remind`, and the notification page with its unread count."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.helpers import csrf_token, user_named
from tracker import clock
from tracker.agencies.models import Agency
from tracker.agencies.operations import agency_by_code
from tracker.assignments.models import Assignment, AssignmentRole, Period
from tracker.assignments.operations import assign_task
from tracker.assignments.workflow import Action, apply
from tracker.auth.models import Role, User
from tracker.cli import main
from tracker.notifications import ladder
from tracker.notifications.ladder import Step, step_due
from tracker.notifications.mail import Mailer, build_message, email_address
from tracker.notifications.messages import DigestItem, digest_subject
from tracker.notifications.models import DigestSent, Notification, ReminderSent
from tracker.notifications.operations import run_reminders

#: A Tuesday; 1661's first deadline.
DUE = date(2020, 8, 18)
TASK_TITLE = "Nhiệm vụ thử nghiệm"
BASE_URL = "https://nhiemvu.laichau.gov.vn"
WORKER_ADDRESS = "canbo.thu@sotest.laichau.gov.vn"
COLLEAGUE_ADDRESS = "dongnghiep@sotest.laichau.gov.vn"
OFFICE_ADDRESS = "vanphong@laichau.gov.vn"


class Killed(BaseException):
    """Stands for the process being killed: no handler of the code under test catches it."""


# The ladder, as pure date logic -------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2020, 8, 12), None),  # before the first step
        (date(2020, 8, 13), ("due-3", date(2020, 8, 13))),  # Thursday: 3 working days before
        (date(2020, 8, 14), ("due-3", date(2020, 8, 13))),
        (date(2020, 8, 16), ("due-3", date(2020, 8, 13))),  # Sunday: still the same step
        (date(2020, 8, 17), ("due-1", date(2020, 8, 17))),  # Monday
        (date(2020, 8, 18), ("due-0", DUE)),
        (date(2020, 8, 19), ("overdue-1", date(2020, 8, 19))),
        (date(2020, 8, 25), ("overdue-1", date(2020, 8, 19))),
        (date(2020, 8, 26), ("overdue-w1", date(2020, 8, 26))),  # weekly after overdue-1
        (date(2020, 9, 1), ("overdue-w1", date(2020, 8, 26))),
        # 02/09 (Quốc khánh) is a day off: the second weekly reminder moves to 03/09.
        (date(2020, 9, 2), ("overdue-w1", date(2020, 8, 26))),
        (date(2020, 9, 3), ("overdue-w2", date(2020, 9, 3))),
        (date(2020, 9, 9), ("overdue-w3", date(2020, 9, 9))),
    ],
)
def test_ladder_latest_step_due(as_of, expected):
    step = step_due(as_of, DUE)
    if expected is None:
        assert step is None
    else:
        assert (step.name, step.on) == expected


def test_ladder_counts_working_days_across_a_weekend():
    monday = date(2020, 8, 24)
    steps = ladder.fixed_steps(monday)
    assert [(step.name, step.on, step.overdue) for step in steps] == [
        ("due-3", date(2020, 8, 19), False),  # Wednesday before
        ("due-1", date(2020, 8, 21), False),  # Friday
        ("due-0", monday, False),
        ("overdue-1", date(2020, 8, 25), True),
    ]


def test_ladder_is_configurable():
    assert step_due(date(2020, 8, 11), DUE, ladder=(5, 0)) == Step(
        "due-5", date(2020, 8, 11), False
    )
    assert step_due(date(2020, 8, 13), DUE, ladder=(5, 0)).name == "due-5"
    # No overdue step in the ladder: the repeats count from the deadline.
    assert step_due(date(2020, 8, 25), DUE, ladder=(5, 0)).name == "overdue-w1"
    # No repeats: the last step stays the latest.
    assert step_due(date(2020, 12, 1), DUE, repeat_days=0).name == "overdue-1"


# E-mail addresses ----------------------------------------------------------------------------


def test_email_address_from_mapping_then_default_domain():
    user = User(username="stttt", full_name="", role=Role.AGENCY)
    assert email_address(user, {}) is None
    assert email_address(user, {"MAIL_DEFAULT_DOMAIN": "laichau.gov.vn"}) == (
        "stttt@laichau.gov.vn"
    )
    config = {"USER_EMAILS": {"stttt": "vanthu.stttt@laichau.gov.vn"}, "MAIL_DEFAULT_DOMAIN": "x"}
    assert email_address(user, config) == "vanthu.stttt@laichau.gov.vn"
    assert email_address(user, {"USER_EMAILS": {"stttt": "a@b\r\nBcc: c@d"}}) is None


# The SMTP server on loopback -----------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler keeping every message it accepts; it can refuse the DATA of
    chosen recipients once (a temporary failure), as a failing server would."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.fail_once: set[str] = set()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd)
        failing = self.fail_once & set(envelope.rcpt_tos)
        if failing:
            self.fail_once -= failing
            return "451 4.3.0 Tạm thời không nhận thư"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if address in message["To"]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": controller.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_USERNAME": "",
            "MAIL_SENDER": "Theo dõi nhiệm vụ <nhacviec@laichau.gov.vn>",
            "MAIL_BASE_URL": BASE_URL,
        }
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
        yield inbox
    finally:
        controller.stop()


# A small world: one agency's work due on 18/08/2020 ------------------------------------------


@dataclass
class Team:
    agency: Agency
    worker: User  # has an e-mail address in the tests that mail
    colleague: User  # same agency
    inactive: User  # same agency, account disabled
    outsider: User  # another agency
    office: User  # vanphong, secretariat
    office_two: User  # a second secretariat user
    assignment: Assignment

    @property
    def agency_users(self) -> list[User]:
        return [self.worker, self.colleague]

    @property
    def silent(self) -> list[User]:
        """Users who are never reminded of this work."""
        return [self.inactive, self.outsider]


@pytest.fixture
def team(session, make_agency, make_user, make_assignment) -> Team:
    agency = make_agency(short_name="Sở Thử nghiệm", name="Sở Thử nghiệm tỉnh Lai Châu")
    worker, colleague, inactive = (make_user(agency=agency) for _ in range(3))
    inactive.active = False
    office_two = make_user(role=Role.SECRETARIAT, agency=agency_by_code(session, "VPUBND"))
    assignment = make_assignment(agency)
    assert assignment.due_date == DUE
    # The assignment's own notification ("Nhiệm vụ mới") was read: these tests follow
    # the reminders (tests/test_event_notifications.py follows the steps').
    session.execute(sa.update(Notification).values(read_at=clock.now()))
    session.flush()
    return Team(
        agency=agency,
        worker=worker,
        colleague=colleague,
        inactive=inactive,
        outsider=make_user(agency=make_agency()),
        office=user_named(session, "vanphong"),
        office_two=office_two,
        assignment=assignment,
    )


def steps_of(session, kind: str, object_id: int) -> list[str]:
    """The ladder steps given for one assignment or period, in order."""
    keys = session.scalars(
        sa.select(ReminderSent.key)
        .where(ReminderSent.key.like(f"%:{kind}:{object_id}:%"))
        .order_by(ReminderSent.day, ReminderSent.key)
    )
    return [key.split(":", 1)[0] for key in keys]


def reminders_of(session, user: User) -> list[Notification]:
    """The user's reminders and overdue alerts, oldest first."""
    return list(
        session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id, Notification.kind.in_(("reminder", "overdue")))
            .order_by(Notification.id)
        )
    )


def remind(session, day: date, **kwargs):
    with clock.frozen(day):
        return run_reminders(session, day, **kwargs)


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# The ladder on a fixed timeline, with real delivery ------------------------------------------

#: Running every day from 13/08 to 01/09/2020, weekends included.
TIMELINE = {
    date(2020, 8, 13): "due-3",
    date(2020, 8, 17): "due-1",
    date(2020, 8, 18): "due-0",
    date(2020, 8, 19): "overdue-1",
    date(2020, 8, 26): "overdue-w1",
}


def test_ladder_timeline_day_by_day_with_delivery(session, team, smtp, app, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "USER_EMAILS",
        {team.worker.username: WORKER_ADDRESS, "vanphong": OFFICE_ADDRESS},
    )
    everyone = [*team.agency_users, team.office, team.office_two, *team.silent]
    everyone.append(user_named(session, "lanhdao"))
    seen = {user.id: 0 for user in everyone}
    given: list[str] = []
    for day in days(date(2020, 8, 13), date(2020, 9, 1)):
        smtp.messages.clear()
        remind(session, day)
        step = TIMELINE.get(day)
        steps = steps_of(session, "assignment", team.assignment.id)
        assert steps[len(given) :] == ([step] if step else []), day
        given = steps
        for user in everyone:
            notes = reminders_of(session, user)
            new, seen[user.id] = notes[seen[user.id] :], len(notes)
            if user in (team.office, team.office_two):
                # Escalation when overdue: the office's one alert of the day (which also
                # lists the demo's other late agencies) names this agency.
                about = [note for note in new if "Sở Thử nghiệm" in note.title + note.body]
                assert len(new) <= 1 and len(about) == (
                    1 if step and step.startswith("overdue") else 0
                ), (day, user.username)
                continue
            expected = 1 if user in team.agency_users and step else 0
            # One notification a day at most, whatever the number of steps.
            assert len(new) == expected, (day, user.username)
            if user in team.agency_users and step:
                assert new[0].link == f"/assignments/{team.assignment.id}"

        # The worker's one e-mail of the day lists exactly the day's step.
        mails = smtp.to(WORKER_ADDRESS)
        assert len(mails) == (1 if step else 0), day
        if step:
            (mail,) = mails
            overdue = " (1 cảnh báo quá hạn)" if step.startswith("overdue") else ""
            assert mail["Subject"] == (
                f"[Theo dõi nhiệm vụ] 1 thông báo ngày {day:%d/%m/%Y}{overdue}"
            )
            body = mail.get_content()
            assert body.startswith(f"Kính gửi {team.worker.full_name or team.worker.username},")
            assert TASK_TITLE in body and "Thời hạn: 18/08/2020" in body
            assert f"{BASE_URL}/assignments/{team.assignment.id}" in body
            assert f"{BASE_URL}/notifications" in body
        # The office gets one digest a day, however many agencies are late.
        office_mails = smtp.to(OFFICE_ADDRESS)
        assert len(office_mails) <= 1
        mentions = [m for m in office_mails if "Sở Thử nghiệm" in m.get_content()]
        assert len(mentions) == (1 if step and step.startswith("overdue") else 0), day
        # Nobody without an address gets mail; nobody gets two mails a day.
        recipients = [str(message["To"]) for message in smtp.messages]
        assert len(recipients) == len(set(recipients))
        assert {address.split("<")[-1].rstrip(">") for address in recipients} <= {
            WORKER_ADDRESS,
            OFFICE_ADDRESS,
        }

    assert steps_of(session, "assignment", team.assignment.id) == list(TIMELINE.values())
    digests = session.scalars(
        sa.select(DigestSent.day).where(DigestSent.user_id == team.worker.id)
    ).all()
    assert sorted(digests) == sorted(TIMELINE)


def test_mail_is_decoded_vietnamese_utf8(session, team, smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "USER_EMAILS", {team.worker.username: WORKER_ADDRESS})
    team.worker.full_name = "Nguyễn Thị Hường"
    session.flush()
    summary = remind(session, date(2020, 8, 19))
    assert summary.mails >= 1
    (mail,) = smtp.to(WORKER_ADDRESS)
    assert mail["To"].addresses[0].display_name == "Nguyễn Thị Hường"
    assert mail["From"].addresses[0].display_name == "Theo dõi nhiệm vụ"
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    assert body.startswith("Kính gửi Nguyễn Thị Hường,")
    assert "Cảnh báo quá hạn (1 ngày làm việc): Sở Thử nghiệm chưa hoàn thành nhiệm vụ 1" in body
    assert "Đơn vị thực hiện: Sở Thử nghiệm tỉnh Lai Châu" in body


def test_an_english_users_digest_is_english(session, team, smtp, app, monkeypatch):
    """The digest follows the recipient's language, the reminders it lists included
    (written in it); names of agencies and tasks are quoted as they are. A Vietnamese
    colleague's digest of the same day stays Vietnamese."""
    monkeypatch.setitem(
        app.config,
        "USER_EMAILS",
        {team.worker.username: WORKER_ADDRESS, team.colleague.username: COLLEAGUE_ADDRESS},
    )
    team.worker.full_name = "Nguyễn Thị Hường"
    team.worker.language = "en"
    session.flush()
    remind(session, date(2020, 8, 19))
    (mail,) = smtp.to(WORKER_ADDRESS)
    assert str(mail["Subject"]).startswith("[Task tracker] ")
    body = mail.get_content()
    assert body.startswith("Dear Nguyễn Thị Hường,")
    assert "All notifications: " in body and "please do not reply" in body
    assert "Overdue (working days late: 1): Sở Thử nghiệm has not completed task 1 of" in body
    assert "Responsible agency: Sở Thử nghiệm tỉnh Lai Châu" in body
    assert "Deadline: 18/08/2020" in body and TASK_TITLE in body
    for vietnamese in ("Kính gửi", "Tất cả thông báo", "Cảnh báo quá hạn", "Thời hạn"):
        assert vietnamese not in body
    (mail,) = smtp.to(COLLEAGUE_ADDRESS)
    body = mail.get_content()
    assert body.startswith("Kính gửi ")
    assert "Cảnh báo quá hạn (1 ngày làm việc): Sở Thử nghiệm chưa hoàn thành nhiệm vụ 1" in body
    assert "Thời hạn: 18/08/2020" in body and "Overdue" not in body


def test_mail_long_subject_and_display_names_decode_exactly(smtp, app):
    """A digest of hundreds of items (STTTT had 324) folds its subject across lines; the
    space at the fold stays ("thông báo ngày", not "thông báongày"), and display names
    with commas and diacritics come back whole."""
    items = [DigestItem("Nhắc việc", "", "", overdue=number == 0) for number in range(324)]
    subject = digest_subject(items, date(2020, 8, 19))
    name = "Trần Thị Thu Hà, Phó Giám đốc Sở Thông tin và Truyền thông"
    with Mailer(app.config) as mailer:
        mailer.send(build_message(app.config, name, WORKER_ADDRESS, subject, "Nội dung\n"))

    (mail,) = smtp.to(WORKER_ADDRESS)
    assert mail["Subject"] == (
        "[Theo dõi nhiệm vụ] 324 thông báo ngày 19/08/2020 (1 cảnh báo quá hạn)"
    )
    (to,) = mail["To"].addresses
    assert (to.display_name, to.addr_spec) == (name, WORKER_ADDRESS)
    (sender,) = mail["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "Theo dõi nhiệm vụ",
        "nhacviec@laichau.gov.vn",
    )
    assert mail.get_content() == "Nội dung\n"


def test_missed_days_send_the_latest_step_only(session, team):
    """A run missed (weekend, broken cron): the next run sends the step due since, never
    a step a later one has superseded."""
    worker_steps = {}
    for day in (date(2020, 8, 12), date(2020, 8, 15), date(2020, 8, 20), date(2020, 8, 21)):
        remind(session, day)
        worker_steps[day] = steps_of(session, "assignment", team.assignment.id)
    assert worker_steps == {
        date(2020, 8, 12): [],
        date(2020, 8, 15): ["due-3"],  # Saturday: Thursday's reminder, caught up
        date(2020, 8, 20): ["due-3", "overdue-1"],  # due-1 and due-0 are superseded
        date(2020, 8, 21): ["due-3", "overdue-1"],
    }
    titles = [note.title for note in reminders_of(session, team.worker)]
    assert titles[0].startswith("Nhắc việc: còn 2 ngày làm việc đến hạn nhiệm vụ 1")
    assert titles[1].startswith("Cảnh báo quá hạn (2 ngày làm việc): Sở Thử nghiệm")


def test_extension_restarts_the_ladder_for_the_new_deadline(session, team):
    remind(session, date(2020, 8, 19))
    team.assignment.due_date = date(2020, 8, 25)
    session.flush()
    remind(session, date(2020, 8, 20))  # 3 working days before 25/08
    keys = session.scalars(
        sa.select(ReminderSent.key)
        .where(ReminderSent.agency_id == team.agency.id)
        .order_by(ReminderSent.day)
    ).all()
    prefix = f"assignment:{team.assignment.id}"
    assert keys == [f"overdue-1:{prefix}:2020-08-18", f"due-3:{prefix}:2020-08-25"]


def test_submitted_cancelled_and_inform_work_is_not_reminded(session, team, make_task):
    office = team.office
    apply(team.assignment, Action.SUBMIT, team.worker, text="Đã thực hiện xong.")
    cancelled = assign_task(session, None, make_task(), [team.agency]).created[0]
    apply(cancelled, Action.CANCEL, office, reason="Không còn cần thiết.")
    inform = assign_task(
        session, None, make_task(), [team.agency], role=AssignmentRole.INFORM
    ).created[0]
    session.flush()
    remind(session, date(2020, 8, 19))
    for assignment in (team.assignment, cancelled, inform):
        assert steps_of(session, "assignment", assignment.id) == []
    assert reminders_of(session, team.worker) == []
    # Returned for more work: reminders resume at the step now due.
    apply(team.assignment, Action.RETURN, office, reason="Bổ sung số liệu.")
    session.flush()
    remind(session, date(2020, 8, 20))
    assert steps_of(session, "assignment", team.assignment.id) == ["overdue-1"]


def test_open_reporting_period_is_reminded(session, team):
    period = Period(
        assignment_id=team.assignment.id,
        starts_on=date(2020, 8, 1),
        ends_on=date(2020, 8, 14),
        due_date=date(2020, 8, 17),
    )
    session.add(period)
    session.flush()
    remind(session, date(2020, 8, 17))
    assert steps_of(session, "period", period.id) == ["due-0"]
    # The period is due today and the assignment tomorrow: one notification lists both.
    (note,) = reminders_of(session, team.worker)
    assert note.title == "Nhắc việc ngày 17/08/2020: 2 việc"
    assert note.link == "/inbox"
    assert (
        "- Hôm nay đến hạn: báo cáo kỳ 01/08 - 14/08/2020, nhiệm vụ 1 của"
        f" {team.assignment.task.directive.title}"
    ) in note.body.splitlines()
    office_before = len(reminders_of(session, team.office))
    remind(session, date(2020, 8, 18))
    assert steps_of(session, "period", period.id) == ["due-0", "overdue-1"]
    assert len(reminders_of(session, team.office)) == office_before + 1


# Idempotency ---------------------------------------------------------------------------------


def test_running_twice_a_day_notifies_and_mails_nobody_twice(session, team, smtp, app, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "USER_EMAILS",
        {team.worker.username: WORKER_ADDRESS, "vanphong": OFFICE_ADDRESS},
    )
    first = remind(session, date(2020, 8, 19))
    count = session.scalar(sa.select(sa.func.count()).select_from(Notification))
    assert first.notifications > 0 and first.mails == 2
    assert first.steps["overdue-1"] >= 1  # one per obligation, however many are told
    second = remind(session, date(2020, 8, 19))
    assert (second.notifications, second.mails) == (0, 0)
    assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == count
    assert len(smtp.to(WORKER_ADDRESS)) == 1 and len(smtp.to(OFFICE_ADDRESS)) == 1


def test_killed_half_way_then_rerun_mails_each_person_once(session, team, smtp, app, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "USER_EMAILS",
        {team.worker.username: WORKER_ADDRESS, team.colleague.username: COLLEAGUE_ADDRESS},
    )
    real_send = Mailer.send
    attempts = []

    def send_then_die(mailer, message):
        attempts.append(message["To"])
        if len(attempts) == 2:  # the process dies while mailing the second person
            raise Killed
        real_send(mailer, message)

    monkeypatch.setattr(Mailer, "send", send_then_die)
    with pytest.raises(Killed):
        remind(session, date(2020, 8, 19))
    assert [len(smtp.to(WORKER_ADDRESS)), len(smtp.to(COLLEAGUE_ADDRESS))] == [1, 0]
    sent = set(session.scalars(sa.select(DigestSent.user_id)))
    assert team.worker.id in sent and team.colleague.id not in sent
    pending = session.scalars(
        sa.select(Notification.emailed_at).where(
            Notification.user_id == team.colleague.id, Notification.read_at.is_(None)
        )
    ).all()
    assert pending == [None]

    rerun = remind(session, date(2020, 8, 19))
    assert (rerun.notifications, rerun.mails) == (0, 1)
    assert [len(smtp.to(WORKER_ADDRESS)), len(smtp.to(COLLEAGUE_ADDRESS))] == [1, 1]
    assert remind(session, date(2020, 8, 19)).mails == 0
    assert [len(smtp.to(WORKER_ADDRESS)), len(smtp.to(COLLEAGUE_ADDRESS))] == [1, 1]


# The command ---------------------------------------------------------------------------------


def test_remind_command_dry_run_writes_and_sends_nothing(
    runner, session, team, smtp, app, monkeypatch
):
    keep(session)
    monkeypatch.setitem(app.config, "USER_EMAILS", {team.worker.username: WORKER_ADDRESS})
    before = session.scalar(sa.select(sa.func.count()).select_from(Notification))
    result = runner.invoke(main, args=["remind", "--as-of", "2020-08-19", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Chạy thử ngày 19/08/2020 (không ghi dữ liệu, không gửi thư)" in result.output
    would_create = _count_after(result.output, "Thông báo sẽ tạo:")
    assert would_create > 0 and _count_after(result.output, "Thư sẽ gửi:") == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == before
    assert session.scalar(sa.select(sa.func.count()).select_from(ReminderSent)) == 0
    assert smtp.messages == []

    result = runner.invoke(main, args=["remind", "--as-of", "2020-08-19"])
    assert result.exit_code == 0, result.output
    assert _count_after(result.output, "Thông báo mới:") == would_create
    assert _count_after(result.output, "Thư đã gửi:") == 1
    assert "Không có địa chỉ thư điện tử" in result.output
    assert len(smtp.to(WORKER_ADDRESS)) == 1


def test_remind_command_rerun_after_mail_failure_misses_nobody(
    runner, session, team, smtp, app, monkeypatch
):
    keep(session)
    monkeypatch.setitem(
        app.config,
        "USER_EMAILS",
        {team.worker.username: WORKER_ADDRESS, team.colleague.username: COLLEAGUE_ADDRESS},
    )
    smtp.fail_once.add(COLLEAGUE_ADDRESS)
    result = runner.invoke(main, args=["remind", "--as-of", "2020-08-19"])
    assert result.exit_code == 1
    assert "Lỗi gửi thư" in result.output and "451" in result.output
    assert [len(smtp.to(WORKER_ADDRESS)), len(smtp.to(COLLEAGUE_ADDRESS))] == [1, 0]

    result = runner.invoke(main, args=["remind", "--as-of", "2020-08-19"])
    assert result.exit_code == 0, result.output
    assert _count_after(result.output, "Thông báo mới:") == 0
    assert _count_after(result.output, "Thư đã gửi:") == 1
    assert [len(smtp.to(WORKER_ADDRESS)), len(smtp.to(COLLEAGUE_ADDRESS))] == [1, 1]

    result = runner.invoke(main, args=["remind", "--as-of", "2020-08-19"])
    assert _count_after(result.output, "Thư đã gửi:") == 0
    assert [len(smtp.to(WORKER_ADDRESS)), len(smtp.to(COLLEAGUE_ADDRESS))] == [1, 1]


def test_remind_command_unreachable_server_marks_nothing_sent(
    runner, session, team, app, monkeypatch
):
    keep(session)
    monkeypatch.setitem(app.config, "USER_EMAILS", {team.worker.username: WORKER_ADDRESS})
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    result = runner.invoke(main, args=["remind", "--as-of", "2020-08-19"])
    assert result.exit_code == 1
    assert "Không kết nối được máy chủ thư 127.0.0.1" in result.output
    assert session.scalar(sa.select(sa.func.count()).select_from(DigestSent)) == 0
    # The in-app notifications are kept; their e-mail goes out on the next run.
    emailed = session.scalars(
        sa.select(Notification.emailed_at).where(
            Notification.user_id == team.worker.id, Notification.read_at.is_(None)
        )
    ).all()
    assert emailed == [None]


def keep(session) -> None:
    """The command runs in the test's app context, so on the test's session: its rollback
    would take the test's unsaved rows with it. Commit them first (this only releases the
    test's savepoint: the outer transaction is still rolled back at the end)."""
    session.commit()


def _count_after(output: str, label: str) -> int:
    line = next(line for line in output.splitlines() if line.startswith(label))
    return int(line.removeprefix(label).strip())


# The notification page -----------------------------------------------------------------------


def test_notification_page_unread_count_and_mark_read(client, auth, session, team):
    remind(session, date(2020, 8, 13))
    remind(session, date(2020, 8, 17))
    auth.login(team.worker.username)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="unread-count">2</span>' in page
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count('data-unread="true"') == 2
    assert page.index("còn 1 ngày làm việc") < page.index("còn 3 ngày làm việc")  # newest first
    assert f'href="/assignments/{team.assignment.id}"' in page

    response = client.post(
        "/notifications/read", data={"csrf_token": csrf_token(client, "/notifications")}
    )
    assert response.status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    # The two reminders, and the assignment's own notification read before.
    assert page.count('data-unread="false"') == 3 and 'data-unread="true"' not in page
    assert 'data-testid="unread-count"' not in page
    # Another agency's user sees none of them.
    auth.logout()
    auth.login(team.outsider.username)
    assert "Chưa có thông báo nào" in client.get("/notifications").get_data(as_text=True)


def test_unread_count_costs_one_query_per_page(client, auth, session, connection, team):
    remind(session, date(2020, 8, 19))
    auth.login(team.worker.username)
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", record)
    try:
        response = client.get("/")
    finally:
        sa.event.remove(connection, "before_cursor_execute", record)
    assert response.status_code == 200
    assert len([s for s in statements if "FROM notification" in s]) == 1
    # Signed out: the sign-in page counts nothing.
    auth.logout()
    statements.clear()
    sa.event.listen(connection, "before_cursor_execute", record)
    try:
        client.get("/login")
    finally:
        sa.event.remove(connection, "before_cursor_execute", record)
    assert not [s for s in statements if "FROM notification" in s]


# Grouping and choices ------------------------------------------------------------------------


def test_many_steps_of_one_agency_make_one_notification_a_day(session, team, make_assignment):
    """Five pieces of work overdue on the same day: each agency user gets one
    notification listing the five, the office one alert; a rerun gives nothing more,
    and each step is given once per obligation."""
    more = [make_assignment(team.agency) for _ in range(4)]
    session.execute(sa.update(Notification).values(read_at=clock.now()))
    summary = remind(session, date(2020, 8, 19))
    for user in team.agency_users:
        (note,) = reminders_of(session, user)
        assert note.kind == "overdue"
        assert note.title == "Nhắc việc ngày 19/08/2020: 5 việc, trong đó 5 việc quá hạn"
        assert note.link == "/inbox"
        assert len([line for line in note.body.splitlines() if line.startswith("- ")]) == 5
    for assignment in [team.assignment, *more]:
        assert steps_of(session, "assignment", assignment.id) == ["overdue-1"]
    (alert,) = reminders_of(session, team.office)
    assert alert.title.startswith("Cảnh báo quá hạn ngày 19/08/2020:")
    assert summary.steps["overdue-1"] >= 5
    again = remind(session, date(2020, 8, 19))
    assert (again.notifications, sum(again.steps.values())) == (0, 0)
    assert len(reminders_of(session, team.worker)) == 1


def test_grouped_reminders_and_the_bell_in_each_users_language(
    client, auth, session, team, make_assignment
):
    """An agency's grouped reminder and the office's overdue alert are written in each
    recipient's language; the English user's bell lists them in English."""
    more = [make_assignment(team.agency) for _ in range(2)]
    session.execute(sa.update(Notification).values(read_at=clock.now()))
    team.worker.language = "en"
    team.office.language = "en"
    session.flush()
    remind(session, date(2020, 8, 19))
    (note,) = reminders_of(session, team.worker)
    assert note.title == "Reminders of 19/08/2020: items: 3, overdue: 3"
    lines = [line for line in note.body.splitlines() if line.startswith("- ")]
    assert len(lines) == 1 + len(more)
    assert all(line.startswith("- Overdue (working days late: 1): Sở Thử nghiệm") for line in lines)
    (note,) = reminders_of(session, team.colleague)
    assert note.title == "Nhắc việc ngày 19/08/2020: 3 việc, trong đó 3 việc quá hạn"
    assert note.body.startswith("- Cảnh báo quá hạn (1 ngày làm việc): Sở Thử nghiệm")
    (alert,) = reminders_of(session, team.office)
    assert alert.title.startswith("Overdue alert of 19/08/2020: items not completed: ")
    (alert,) = reminders_of(session, team.office_two)
    assert alert.title.startswith("Cảnh báo quá hạn ngày 19/08/2020:")

    auth.login(team.worker.username)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Reminders of 19/08/2020: items: 3, overdue: 3" in page
    assert "Nhắc việc ngày" not in page
    page = client.get("/inbox").get_data(as_text=True)
    assert 'data-testid="unread-count">1</span>' in page


def test_kinds_kept_in_the_app_stay_out_of_the_mail(
    client, auth, session, team, smtp, app, monkeypatch
):
    monkeypatch.setitem(app.config, "USER_EMAILS", {team.worker.username: WORKER_ADDRESS})
    auth.login(team.worker.username)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert page.count('name="mail"') == 10 and page.count(" checked") == 10
    response = client.post(
        "/account/notifications",
        data={
            "csrf_token": csrf_token(client, "/account/notifications"),
            "mail": ["returned", "assigned"],  # overdue alerts: in the app only
        },
    )
    assert response.status_code == 302
    session.refresh(team.worker)
    assert "overdue" in team.worker.mail_off and "returned" not in team.worker.mail_off
    remind(session, date(2020, 8, 19))
    assert smtp.to(WORKER_ADDRESS) == []  # its one notification is an overdue alert
    assert len(reminders_of(session, team.worker)) == 1  # still in the app
    office = user_named(session, "vanphong")
    apply(team.assignment, Action.SUBMIT, team.worker, text="Báo cáo.")
    apply(team.assignment, Action.RETURN, office, reason="Bổ sung.")
    remind(session, date(2020, 8, 20))
    (mail,) = smtp.to(WORKER_ADDRESS)
    assert "bị trả lại" in mail.get_content()
    assert "Cảnh báo quá hạn" not in mail.get_content()


def test_unknown_kind_is_refused(client, auth, session, team):
    auth.login(team.worker.username)
    response = client.post(
        "/account/notifications",
        data={"csrf_token": csrf_token(client, "/account/notifications"), "mail": ["spam"]},
        follow_redirects=True,
    )
    assert "Loại thông báo không hợp lệ." in response.get_data(as_text=True)
    session.refresh(team.worker)
    assert team.worker.mail_off == []
