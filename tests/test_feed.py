"""The agency calendar feed: a private iCalendar URL of the agency's open deadlines and
reporting periods, its token issued, renewed and revoked (issue 5)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from icalendar import Calendar

from tests.helpers import count_queries, csrf_token, user_named
from tracker.agencies.feed import agency_by_feed_token, build_feed, issue_feed_token
from tracker.agencies.models import Agency
from tracker.agencies.operations import agency_by_code
from tracker.assignments.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Period,
    PeriodStatus,
)
from tracker.assignments.workflow import Action, apply
from tracker.audit import Event


@pytest.fixture
def snv(session) -> Agency:
    return agency_by_code(session, "SNV")


def feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"


def fetch_calendar(client, token: str) -> Calendar:
    response = client.get(feed_path(token))
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    return Calendar.from_ical(response.data)


def events_by_uid(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def open_dated_assignments(session, agency: Agency) -> list[Assignment]:
    return list(
        session.scalars(
            sa.select(Assignment).where(
                Assignment.agency_id == agency.id,
                Assignment.status.in_(OPEN_STATUSES),
                Assignment.due_date.is_not(None),
            )
        )
    )


def add_period(session, assignment: Assignment, month: int, **fields) -> Period:
    """The report for a month of 2020, due on the 20th of the next month."""
    starts_on = date(2020, month, 1)
    ends_on = starts_on + relativedelta(months=1, days=-1)
    period = Period(
        assignment_id=assignment.id,
        starts_on=starts_on,
        ends_on=ends_on,
        due_date=ends_on + timedelta(days=20),
        **fields,
    )
    session.add(period)
    session.flush()
    return period


def finish(session, assignment: Assignment) -> None:
    apply(assignment, Action.SUBMIT, user_named(session, "snv"), text="Đã thực hiện xong.")
    apply(assignment, Action.ACCEPT, user_named(session, "vanphong"))
    assert assignment.status == AssignmentStatus.DONE


def test_feed_parses_and_has_the_agencys_open_deadlines(
    client, session, snv, make_task, make_assignment
):
    done = make_assignment("SNV", due_date=date(2020, 9, 1))
    finish(session, done)
    cancelled = make_assignment("SNV", due_date=date(2020, 9, 2))
    apply(cancelled, Action.CANCEL, user_named(session, "vanphong"), reason="Không còn cần.")
    undated = make_assignment("SNV", task=make_task(due_date=None))
    assert undated.due_date is None and undated.is_open
    dated = make_assignment("SNV", due_date=date(2020, 9, 4))
    recurring = make_assignment("SNV", due_date=date(2020, 12, 31))
    open_period = add_period(session, recurring, 9)
    add_period(session, recurring, 8, status=PeriodStatus.DONE, completed_on=date(2020, 8, 19))
    add_period(session, cancelled, 10)  # a cancelled assignment's periods are gone too
    other_agency = make_assignment("STTTT", due_date=date(2020, 9, 3))
    token = issue_feed_token(session, None, snv)

    calendar = fetch_calendar(client, token)

    assert str(calendar["PRODID"]) == "-//tracker//Theo dõi nhiệm vụ//VI"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == f"Nhiệm vụ của {snv.short_name}"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    events = events_by_uid(calendar)
    expected = {f"assignment-{a.id}@tracker": a for a in open_dated_assignments(session, snv)}
    assert {a.id for a in expected.values()} == {dated.id, recurring.id}
    assert set(events) == set(expected) | {f"period-{open_period.id}@tracker"}
    for uid in (f"assignment-{done.id}@tracker", f"assignment-{cancelled.id}@tracker"):
        assert uid not in events
    assert f"assignment-{other_agency.id}@tracker" not in events
    assert f"assignment-{undated.id}@tracker" not in events

    for uid, assignment in expected.items():
        event = events[uid]
        task = assignment.task
        assert str(event["SUMMARY"]) == (
            f"Hạn: NV {task.number} – {task.directive.reference} – {task.title}"
        )
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and type(end) is date  # all-day, not a moment
        assert event["DTSTART"].params.get("VALUE") == "DATE"
        assert (start, end) == (assignment.due_date, assignment.due_date + timedelta(days=1))
        assert task.text in str(event["DESCRIPTION"])
        assert f"http://localhost/assignments/{assignment.id}" in str(event["DESCRIPTION"])
        assert isinstance(event.decoded("DTSTAMP"), datetime)
        (alarm,) = event.walk("VALARM")
        assert alarm.decoded("TRIGGER") == timedelta(days=-1)

    period_event = events[f"period-{open_period.id}@tracker"]
    assert "01/09/2020 – 30/09/2020" in str(period_event["SUMMARY"])
    assert period_event.decoded("DTSTART") == date(2020, 10, 20)
    assert period_event.decoded("DTEND") == date(2020, 10, 21)


def seeded_1661(session, directive, number: str, agency: Agency) -> Assignment:
    task = next(task for task in directive.tasks if task.number == number)
    return session.scalar(
        sa.select(Assignment).where(
            Assignment.task_id == task.id, Assignment.agency_id == agency.id
        )
    )


def test_feed_follows_the_seeded_1661_work(client, session, snv, directive_1661):
    """SNV's task 1 of 1661 has no deadline and its task 2 is done: neither is on the
    calendar, until the office reopens task 2."""
    undated, done = (
        seeded_1661(session, directive_1661, "1", snv),
        seeded_1661(session, directive_1661, "2", snv),
    )
    assert (undated.due_date, done.status) == (None, AssignmentStatus.DONE)
    token = issue_feed_token(session, None, snv)
    uids = set(events_by_uid(fetch_calendar(client, token)))
    assert {f"assignment-{undated.id}@tracker", f"assignment-{done.id}@tracker"} - uids == {
        f"assignment-{undated.id}@tracker",
        f"assignment-{done.id}@tracker",
    }

    apply(done, Action.REOPEN, user_named(session, "vanphong"), reason="Bổ sung số liệu.")
    session.flush()
    event = events_by_uid(fetch_calendar(client, token))[f"assignment-{done.id}@tracker"]
    assert str(event["SUMMARY"]) == (
        "Hạn: NV 2 – 1661/UBND-VX – Bảo đảm 100% cán bộ, công chức, viên chức cài đặt"
        " ứng dụng Bluezone"
    )
    assert event.decoded("DTSTART") == date(2020, 8, 18)


def test_feed_uids_are_stable(client, session, snv):
    token = issue_feed_token(session, None, snv)
    first = fetch_calendar(client, token)
    second = fetch_calendar(client, token)
    assert set(events_by_uid(first)) == set(events_by_uid(second))


def test_unknown_and_malformed_tokens_answer_404(client, session, connection, snv):
    issue_feed_token(session, None, snv)
    for token in ("x" * 43, "ngắn", "a" * 65, "a.b" * 15):
        assert client.get(feed_path(token)).status_code == 404
    with count_queries(connection) as statements:
        assert agency_by_feed_token(session, "not a token!") is None
        assert agency_by_feed_token(session, "") is None
    assert statements == []


def test_issuing_records_an_event_without_the_token(session, snv):
    before = session.scalar(sa.select(sa.func.max(Event.id)))
    token = issue_feed_token(session, user_named(session, "snv"), snv)
    (event,) = session.scalars(sa.select(Event).where(Event.id > before))
    assert (event.action, event.subject_type, event.subject_id) == (
        "agency.feed_issue",
        "agency",
        snv.id,
    )
    assert token not in repr(event.payload())


def test_page_shows_the_subscription_url(client, auth, session, snv):
    auth.login("snv")
    response = client.get(f"/agencies/{snv.id}/feed")
    assert response.status_code == 200
    assert "Đơn vị chưa có địa chỉ lịch" in response.get_data(as_text=True)
    token = issue_feed_token(session, None, snv)
    response = client.get(f"/agencies/{snv.id}/feed")
    assert f"http://localhost/feeds/{token}.ics" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"


def current_token(session, agency: Agency) -> str | None:
    return session.scalar(sa.select(Agency.feed_token).where(Agency.id == agency.id))


@pytest.mark.parametrize("username", ["snv", "vanphong"])
def test_renewing_revokes_the_old_url(client, auth, session, snv, username):
    old = issue_feed_token(session, None, snv)
    auth.login(username)
    path = f"/agencies/{snv.id}/feed"
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    new = current_token(session, snv)
    assert new and new != old
    assert client.get(feed_path(old)).status_code == 404
    fetch_calendar(client, new)


def test_revoking_ends_the_feed(client, auth, session, snv):
    token = issue_feed_token(session, None, snv)
    auth.login("snv")
    page = f"/agencies/{snv.id}/feed"
    response = client.post(f"{page}/revoke", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 302
    assert current_token(session, snv) is None
    assert client.get(feed_path(token)).status_code == 404
    assert "Đơn vị chưa có địa chỉ lịch" in client.get(page).get_data(as_text=True)


def test_another_agency_cannot_see_or_renew(client, auth, session, snv, make_agency, make_user):
    token = issue_feed_token(session, None, snv)
    auth.login(make_user(agency=make_agency()).username)
    page = f"/agencies/{snv.id}/feed"
    response = client.get(page)
    assert response.status_code == 404
    assert token not in response.get_data(as_text=True)
    csrf = csrf_token(client, "/logout")
    assert client.post(page, data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"{page}/revoke", data={"csrf_token": csrf}).status_code == 404
    assert current_token(session, snv) == token


def test_leader_is_refused(client, auth, session, snv):
    token = issue_feed_token(session, None, snv)
    auth.login("lanhdao")
    page = f"/agencies/{snv.id}/feed"
    assert client.get(page).status_code == 403
    csrf = csrf_token(client, "/logout")
    assert client.post(page, data={"csrf_token": csrf}).status_code == 403
    assert current_token(session, snv) == token


@pytest.mark.parametrize("suffix", ["", "/revoke"])
def test_renew_and_revoke_need_csrf(client, auth, session, snv, suffix):
    token = issue_feed_token(session, None, snv)
    auth.login("snv")
    response = client.post(f"/agencies/{snv.id}/feed{suffix}", data={})
    assert response.status_code == 400
    assert current_token(session, snv) == token


def test_feed_query_count_is_constant(
    client, session, connection, snv, make_agency, make_assignment
):
    token = issue_feed_token(session, None, snv)
    with count_queries(connection) as statements:
        small = fetch_calendar(client, token)
    before = len(statements)

    for month in range(1, 7):
        assignment = make_assignment("SNV", due_date=date(2020, 10, month))
        add_period(session, assignment, month)
        add_period(session, assignment, month + 6)
    make_assignment(make_agency(), due_date=date(2020, 10, 1))
    with count_queries(connection) as statements:
        large = fetch_calendar(client, token)
    assert len(statements) == before
    assert len(events_by_uid(large)) == len(events_by_uid(small)) + 6 + 12


def test_build_feed_needs_one_query(session, connection, snv, make_assignment):
    add_period(session, make_assignment("SNV", due_date=date(2020, 12, 31)), 9)
    session.flush()
    with count_queries(connection) as statements:
        body = build_feed(session, snv, datetime(2020, 9, 19, 5))
    assert len(statements) == 1
    assert len(Calendar.from_ical(body).walk("VEVENT")) == 2


def test_feed_requests_log_no_token(client, session, snv, caplog):
    revoked = issue_feed_token(session, None, snv)
    token = issue_feed_token(session, None, snv)
    with caplog.at_level("DEBUG"):
        assert client.get(feed_path(revoked)).status_code == 404
        fetch_calendar(client, token)
    assert revoked not in caplog.text and token not in caplog.text
