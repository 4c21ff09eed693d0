"""The working-day calendar: the statutory holiday table (Tết 2020 and 2021, Giỗ Tổ,
30/4-1/5, 2/9), the office's own days off and make-up days, working-day arithmetic across
them, the admin page, and relative deadlines counted with it. Every date is fixed."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token, user_named
from tracker import calendar, clock
from tracker.audit import Event
from tracker.calendar.models import CalendarDay, DayKind
from tracker.calendar.operations import CalendarError, remove_calendar_day, set_calendar_day


@pytest.fixture(autouse=True)
def fresh_calendar():
    """Each test starts and ends with no cached office rows (the rows it adds are rolled
    back with its transaction)."""
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def admin(session):
    return user_named(session, "admin")


def days(first: date, last: date) -> set[date]:
    return {date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)}


# The statutory table ---------------------------------------------------------------------

#: The days off of the public sector as decided for 2020 and 2021 (Tết: Thông báo of the
#: Ministry of Labour; 2/9 gained its second day with the Labour Code 2019, from 2021).
HOLIDAYS = {
    2020: {date(2020, 1, 1)}
    | days(date(2020, 1, 23), date(2020, 1, 29))  # Tết Canh Tý: 29 Tết to mùng 5
    | {date(2020, 4, 2)}  # Giỗ Tổ Hùng Vương, 10/3 âm lịch
    | {date(2020, 4, 30), date(2020, 5, 1), date(2020, 9, 2)},
    2021: {date(2021, 1, 1)}
    | days(date(2021, 2, 10), date(2021, 2, 16))  # Tết Tân Sửu: 29 Tết to mùng 5
    | {date(2021, 4, 21)}  # Giỗ Tổ Hùng Vương, 10/3 âm lịch
    | {date(2021, 4, 30), date(2021, 5, 1), date(2021, 5, 3)}  # 1/5 a Saturday: Monday off
    | {date(2021, 9, 2), date(2021, 9, 3)},
}


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_calendar_statutory_holidays_are_the_decided_days_off(year):
    assert set(calendar.statutory_holidays(year)) == HOLIDAYS[year]
    for day in HOLIDAYS[year]:
        assert not calendar.is_working_day(day), day


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2020, 1, 22), True),  # the Wednesday before Tết 2020
        (date(2020, 1, 30), True),  # back to work after mùng 5
        (date(2021, 2, 9), True),
        (date(2021, 2, 17), True),
        (date(2021, 2, 13), False),  # mùng 2 Tết, a Saturday
        (date(2021, 5, 2), False),  # an ordinary Sunday
        (date(2020, 9, 3), True),  # 2020: 2/9 only
        (date(2021, 9, 3), False),  # 2021: 2/9 and 3/9
        (date(2024, 5, 4), True),  # a Saturday worked for the bridge day 29/4/2024
        (date(2024, 4, 29), False),
    ],
)
def test_calendar_is_working_day(day, working):
    assert calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2021, 2, 12), "Tết Nguyên Đán"),
        (date(2021, 2, 10), "29 Tết"),
        (date(2020, 4, 2), "Ngày Giỗ Tổ Hùng Vương"),
        (date(2020, 9, 2), "Quốc khánh"),
        (date(2021, 5, 3), "Ngày Quốc tế Lao động (nghỉ bù)"),
        (date(2021, 2, 17), None),  # a working day
        (date(2021, 2, 20), None),  # an ordinary Saturday
    ],
)
def test_calendar_holiday_name_is_vietnamese(day, name):
    assert calendar.holiday_name(day) == name


# Working-day arithmetic ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        # Friday 05/02/2021, before Tết Tân Sửu, + 5 working days: Mon 8/2 (1), Tue 9/2 (2),
        # then 10/2-16/2 off (29 Tết to mùng 5, a weekend inside), Wed 17/2 (3),
        # Thu 18/2 (4), Fri 19/2 (5).
        (date(2021, 2, 5), 5, date(2021, 2, 19)),
        # Friday 17/01/2020, before Tết Canh Tý: Mon 20 (1), Tue 21 (2), Wed 22 (3),
        # 23/1-29/1 off, Thu 30/1 (4), Fri 31/1 (5).
        (date(2020, 1, 17), 5, date(2020, 1, 31)),
        # Thursday 29/04/2021: 30/4 Fri, the weekend, 3/5 Mon (for 1/5) off: Tue 4/5.
        (date(2021, 4, 29), 1, date(2021, 5, 4)),
        # National Day: 2020 Wed 2/9 only; 2021 Thu 2/9 and Fri 3/9.
        (date(2020, 9, 1), 1, date(2020, 9, 3)),
        (date(2021, 9, 1), 1, date(2021, 9, 6)),
        # Year ends: 1/1/2021 a Friday; 1/1/2022 a Saturday, observed on Monday 3/1.
        (date(2020, 12, 31), 1, date(2021, 1, 4)),
        (date(2021, 12, 31), 1, date(2022, 1, 4)),
        (date(2020, 12, 30), 3, date(2021, 1, 5)),
        # Backwards, across the same days off.
        (date(2021, 2, 17), -1, date(2021, 2, 9)),
        (date(2021, 2, 19), -5, date(2021, 2, 5)),
        (date(2021, 1, 4), -1, date(2020, 12, 31)),
        (date(2021, 2, 13), 0, date(2021, 2, 13)),  # zero: the start, even on a holiday
    ],
)
def test_calendar_add_working_days_across_holidays(start, count, expected):
    assert calendar.add_working_days(start, count) == expected


def test_calendar_working_days_between_counts_after_start_up_to_end():
    assert calendar.working_days_between(date(2021, 2, 5), date(2021, 2, 19)) == 5
    assert calendar.working_days_between(date(2021, 2, 9), date(2021, 2, 16)) == 0  # all Tết
    assert calendar.working_days_between(date(2020, 12, 31), date(2021, 1, 4)) == 1
    assert calendar.working_days_between(date(2021, 2, 19), date(2021, 2, 5)) == 0
    # 2021: 261 weekdays less the 11 holidays on weekdays (1/1, 10-12/2, 15-16/2, 21/4,
    # 30/4, 3/5, 2/9, 3/9) = 250.
    assert calendar.working_days_between(date(2020, 12, 31), date(2021, 12, 31)) == 250


@pytest.mark.parametrize("start", [date(2020, 1, 17), date(2021, 2, 5), date(2021, 12, 24)])
def test_calendar_working_days_between_inverts_add_working_days(start):
    for count in range(0, 40):
        assert calendar.working_days_between(start, calendar.add_working_days(start, count)) == (
            count
        )


# The office's table ----------------------------------------------------------------------


def test_calendar_make_up_saturday_counts_as_working_day(session, admin):
    saturday = date(2021, 2, 20)
    assert calendar.add_working_days(date(2021, 2, 5), 6) == date(2021, 2, 22)
    row = set_calendar_day(session, admin, saturday, DayKind.WORKING_DAY, "Làm bù (thử nghiệm)")
    assert calendar.is_working_day(saturday)
    assert calendar.holiday_name(saturday) is None
    assert calendar.add_working_days(date(2021, 2, 5), 6) == saturday
    assert calendar.working_days_between(date(2021, 2, 19), date(2021, 2, 22)) == 2
    remove_calendar_day(session, admin, row)
    assert not calendar.is_working_day(saturday)
    assert calendar.add_working_days(date(2021, 2, 5), 6) == date(2021, 2, 22)


def test_calendar_office_day_off_moves_deadlines(session, admin):
    bridge = date(2021, 2, 17)  # a bridge day the office might give after Tết
    set_calendar_day(session, admin, bridge, DayKind.DAY_OFF, "Nghỉ bù Tết (thử nghiệm)")
    assert not calendar.is_working_day(bridge)
    assert calendar.holiday_name(bridge) == "Nghỉ bù Tết (thử nghiệm)"
    assert calendar.add_working_days(date(2021, 2, 5), 5) == date(2021, 2, 22)
    assert calendar.add_working_days(date(2021, 2, 18), -1) == date(2021, 2, 9)


def test_calendar_without_app_context_uses_statutory_days_only(session, admin):
    saturday = date(2021, 2, 20)
    set_calendar_day(session, admin, saturday, DayKind.WORKING_DAY, "Làm bù (thử nghiệm)")
    assert calendar.is_working_day(saturday)
    answers = []
    thread = threading.Thread(target=lambda: answers.append(calendar.is_working_day(saturday)))
    thread.start()
    thread.join()
    assert answers == [False]


def test_calendar_add_working_days_reads_the_table_once(app, connection, session):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if "calendar_day" in statement:
            statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", count)
    try:
        assert calendar.add_working_days(date(2021, 1, 1), 250) == date(2021, 12, 31)
        assert len(statements) == 1
        assert calendar.add_working_days(date(2021, 12, 31), -250) == date(2020, 12, 31)
        assert calendar.working_days_between(date(2020, 1, 1), date(2022, 1, 1)) > 400
        assert len(statements) == 1
    finally:
        sa.event.remove(connection, "before_cursor_execute", count)


def test_calendar_set_day_writes_an_event_and_replaces(session, admin):
    day = date(2021, 2, 17)
    row = set_calendar_day(session, admin, day, DayKind.DAY_OFF, "  Nghỉ   bù  ")
    assert row.name == "Nghỉ bù"
    again = set_calendar_day(session, admin, day, "day_off", "Nghỉ bù Tết")
    assert again.id == row.id
    remove_calendar_day(session, admin, row)
    events = session.scalars(
        sa.select(Event).where(Event.subject_type == "calendar_day").order_by(Event.id)
    ).all()
    assert [(event.action, event.actor_id) for event in events] == [
        ("calendar_day.create", admin.id),
        ("calendar_day.update", admin.id),
        ("calendar_day.delete", admin.id),
    ]
    assert events[1].before["name"] == "Nghỉ bù" and events[1].after["name"] == "Nghỉ bù Tết"
    assert session.scalar(sa.select(CalendarDay).where(CalendarDay.day == day)) is None


@pytest.mark.parametrize(
    ("day", "kind", "name", "message"),
    [
        (date(2021, 2, 17), DayKind.WORKING_DAY, "Làm bù", "phải là thứ Bảy hoặc Chủ nhật"),
        (date(2021, 2, 13), DayKind.WORKING_DAY, "Làm bù", "ngày nghỉ lễ theo quy định"),
        (date(2024, 5, 4), DayKind.WORKING_DAY, "Làm bù", "đã là ngày làm bù theo quy định"),
        (date(2021, 2, 12), DayKind.DAY_OFF, "Nghỉ", "đã là ngày nghỉ lễ (Tết Nguyên Đán)"),
        (date(2021, 2, 20), DayKind.DAY_OFF, "Nghỉ", "ngày nghỉ cuối tuần"),
        (date(2021, 2, 17), DayKind.DAY_OFF, "   ", "Hãy nhập tên"),
        (date(2021, 2, 17), "holiday", "Nghỉ", "Loại ngày không hợp lệ"),
        (date(1990, 2, 14), DayKind.DAY_OFF, "Nghỉ", "Năm phải trong khoảng"),
    ],
)
def test_calendar_set_day_refuses_with_a_message(session, admin, day, kind, name, message):
    before = session.scalar(sa.select(sa.func.count(Event.id)))
    with pytest.raises(CalendarError, match=re.escape(message)):
        set_calendar_day(session, admin, day, kind, name)
    assert session.scalar(sa.select(sa.func.count(Event.id))) == before
    assert session.scalar(sa.select(sa.func.count(CalendarDay.id))) == 0


def test_calendar_only_admin_edits(session):
    with pytest.raises(CalendarError, match="Chỉ quản trị"):
        set_calendar_day(
            session, user_named(session, "vanphong"), date(2021, 2, 17), DayKind.DAY_OFF, "Nghỉ"
        )


# The page --------------------------------------------------------------------------------


def test_calendar_page_admin_adds_and_deletes_a_day(client, auth, session):
    auth.login("admin")
    page = client.get("/calendar?year=2021")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "12/02/2021" in html and "Tết Nguyên Đán" in html
    assert "Giỗ Tổ Hùng Vương" in html and "03/09/2021" in html
    assert 'action="/calendar/days"' in html
    assert 'data-testid="working-days">250<' in html

    token = csrf_token(client, "/calendar?year=2021")
    response = client.post(
        "/calendar/days",
        data={"csrf_token": token, "day": "20/02/2021", "kind": "working_day", "name": "Làm bù"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/calendar?year=2021")
    row = session.scalar(sa.select(CalendarDay).where(CalendarDay.day == date(2021, 2, 20)))
    assert (row.kind, row.name) == (DayKind.WORKING_DAY, "Làm bù")
    assert calendar.is_working_day(date(2021, 2, 20))
    html = client.get("/calendar?year=2021").get_data(as_text=True)
    assert "Đã lưu ngày làm bù 20/02/2021" in html
    assert 'data-kind="working_day" data-day="2021-02-20"' in html
    assert 'data-testid="working-days">251<' in html

    response = client.post(f"/calendar/days/{row.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert session.scalar(sa.select(CalendarDay).where(CalendarDay.id == row.id)) is None
    assert not calendar.is_working_day(date(2021, 2, 20))
    assert "Đã xóa ngày 20/02/2021" in client.get("/calendar?year=2021").get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"day": "17/02/2021", "kind": "working_day", "name": "Làm bù"}, "thứ Bảy hoặc Chủ nhật"),
        ({"day": "31/02/2021", "kind": "day_off", "name": "Nghỉ"}, "Ngày không hợp lệ"),
        ({"day": "", "kind": "day_off", "name": "Nghỉ"}, "Hãy nhập ngày"),
        ({"day": "17/02/2021", "kind": "day_off", "name": ""}, "Hãy nhập tên hoặc lý do"),
        ({"day": "12/02/2021", "kind": "day_off", "name": "Nghỉ"}, "đã là ngày nghỉ lễ"),
    ],
)
def test_calendar_page_shows_errors(client, auth, session, form, message):
    auth.login("admin")
    token = csrf_token(client, "/calendar")
    response = client.post("/calendar/days", data={**form, "csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'value="{form["day"]}"' in html or not form["day"]
    assert session.scalar(sa.select(sa.func.count(CalendarDay.id))) == 0


def test_calendar_page_secretariat_reads_without_editing(client, auth, session):
    auth.login("vanphong")
    page = client.get("/calendar?year=2020")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "23/01/2020" in html and "29 Tết" in html
    assert 'action="/calendar/days"' not in html
    token = csrf_token(client, "/calendar")
    response = client.post(
        "/calendar/days",
        data={"csrf_token": token, "day": "17/02/2021", "kind": "day_off", "name": "Nghỉ"},
    )
    assert response.status_code == 403
    assert session.scalar(sa.select(sa.func.count(CalendarDay.id))) == 0


def test_calendar_page_is_refused_to_agencies(client, auth):
    auth.login("snv")
    assert client.get("/calendar").status_code == 403


def test_calendar_page_delete_of_missing_day_answers_404(client, auth):
    auth.login("admin")
    token = csrf_token(client, "/calendar")
    assert client.post("/calendar/days/999999/delete", data={"csrf_token": token}).status_code == (
        404
    )


def test_calendar_page_ignores_an_unusable_year(client, auth):
    auth.login("admin")
    with clock.frozen(date(2021, 3, 1)):
        html = client.get("/calendar?year=99999").get_data(as_text=True)
    assert "năm 2021" in html


# Relative deadlines ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("working_days", "expected"),
    [
        (True, date(2021, 2, 19)),  # see the arithmetic above
        # Five calendar days from Friday 5/2 is Wednesday 10/2, 29 Tết, a day off: the
        # limit ends on the next working day, Wednesday 17/2 (Civil Code art. 148).
        (False, date(2021, 2, 17)),
    ],
)
def test_relative_deadline_counts_from_the_assignment_day(
    session, make_task, make_assignment, working_days, expected
):
    task = make_task(due_date=None)
    task.due_in_days = 5
    task.due_in_working_days = working_days
    session.flush()
    with clock.frozen(date(2021, 2, 5)):  # the Friday before Tết Tân Sửu
        assignment = make_assignment(task=task)
    assert assignment.due_date == expected
    assert assignment.original_due_date == expected


def test_relative_deadline_gives_way_to_an_explicit_date(session, make_task, make_assignment):
    task = make_task(due_date=None)
    task.due_in_days = 5
    task.due_in_working_days = True
    session.flush()
    with clock.frozen(date(2021, 2, 5)):
        assignment = make_assignment(task=task, due_date=date(2021, 3, 1))
    assert assignment.due_date == date(2021, 3, 1)


def test_relative_deadline_from_the_issue_date(session, make_task, make_assignment):
    """'Trong vòng 15 ngày kể từ ngày ban hành': counted from the directive's date."""
    task = make_task(due_date=None)  # the factory's directive is dated 10/08/2020
    task.due_in_days = 15
    task.due_from = "issued"
    session.flush()
    with clock.frozen(date(2020, 8, 20)):
        assignment = make_assignment("SNV", task=task)
    assert assignment.due_date == date(2020, 8, 25)


def test_relative_deadline_imported_from_the_text(client, auth, session):
    from tests.helpers import csrf_token

    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 77/UBND-VX\nLai Châu, ngày 05 tháng 02 năm 2021\n"
        "V/v rà soát hồ sơ\nKính gửi: Sở Nội vụ.\n"
        "1. Sở Nội vụ rà soát hồ sơ trong 05 ngày làm việc, báo cáo UBND tỉnh.\n"
    )
    auth.login("vanphong")
    started = client.post(
        "/directives/import",
        data={"csrf_token": csrf_token(client, "/directives/import"), "text": text},
    )
    review = client.get(started.headers["Location"]).get_data(as_text=True)
    assert 'name="tasks-0-due_in_days" type="number" value="5"' in review or (
        'value="5"' in review and "tasks-0-due_in_days" in review
    )
