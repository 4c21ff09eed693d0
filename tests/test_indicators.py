"""Indicators as first-class figures: two kinds, a unit, a target, a fixed denominator
with its source and a stated baseline; values checked, kept per obligation and per
period; one rule for the province-wide figure, read by the dashboard, the indicator page
and the digest; a fixed number of queries as agencies and sub-units grow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import count_queries, csrf_token
from tracker import clock
from tracker.agencies.operations import agency_by_code
from tracker.agencies.subunits import add_subunit
from tracker.assignments.models import Assignment, AssignmentStatus, Period
from tracker.assignments.operations import hand_down
from tracker.assignments.periods import generate_periods
from tracker.assignments.workflow import Action, GuardFailed, apply, apply_period
from tracker.directives.indicators import IndicatorError, build_indicator
from tracker.directives.models import Indicator, IndicatorKind, Task
from tracker.reports import digest, trends
from tracker.reports.indicators import province_figure, province_figures

POPULATION = 460_196
STATED = 33_000
DISTRICTS = ("TPLC", "TAMDUONG", "THANUYEN", "TANUYEN", "PHONGTHO", "SINHO", "MUONGTE", "NAMNHUN")

COUNT = {
    "code": "posts",
    "name": "Số tin, bài tuyên truyền",
    "kind": "count",
    "unit": "tin, bài",
    "numerator": "Số tin, bài đã đăng",
    "target": 10,
}


def population_indicator(session, directive_1661) -> Indicator:
    return session.scalars(
        sa.select(Indicator)
        .join(Task)
        .where(Task.directive_id == directive_1661.id, Indicator.code == "bluezone_population")
    ).one()


# Definitions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit": ""}, "đơn vị tính"),
        ({"code": "Tỷ lệ"}, "Mã chỉ tiêu"),
        ({"name": " "}, "tên chỉ tiêu"),
        ({"kind": "mean"}, "số lượng hoặc tỷ lệ"),
        ({"denominator": "Tổng"}, "không có mẫu số"),
        ({"target": -1}, "không âm"),
        ({"target": "nhiều"}, "một số"),
        ({"baseline": {"numerator": 5}}, "ngày và nguồn"),
    ],
)
def test_a_count_is_defined_with_its_unit_and_checked(app, change, message):
    with app.test_request_context(), pytest.raises(IndicatorError, match=message):
        build_indicator({**COUNT, **change})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"denominator": ""}, "tên mẫu số"),
        ({"target": 120}, "không quá 100"),
        ({"denominator_value": 0, "denominator_source": "x"}, "số nguyên dương"),
        ({"denominator_value": 1000}, "nguồn số liệu"),
    ],
)
def test_a_ratio_is_defined_with_its_denominator_and_checked(app, change, message):
    ratio = {
        "code": "rate",
        "name": "Tỷ lệ",
        "unit": "người",
        "numerator": "Đã cài",
        "denominator": "Tổng số",
    }
    with app.test_request_context(), pytest.raises(IndicatorError, match=message):
        build_indicator({**ratio, **change})


def test_values_are_checked_by_their_indicator(app):
    with app.test_request_context():
        count = build_indicator(COUNT)
        assert count.kind == IndicatorKind.COUNT and count.check(12, None) is None
        assert "không âm" in count.check(-1, None)
        assert "không nhận mẫu số" in count.check(3, 4)
        assert "không âm" in count.check(1.5, None)
        staff = build_indicator(
            {
                "code": "staff",
                "name": "Tỷ lệ cài đặt",
                "unit": "người",
                "numerator": "Số người đã cài đặt",
                "denominator": "Tổng số cán bộ",
            }
        )
        assert staff.check(118, 120) is None
        assert "nhỏ hơn hoặc bằng" in staff.check(121, 120)
        assert "lớn hơn 0" in staff.check(0, 0)
        assert "Chưa nhập đủ" in staff.check(5, None)
        staff.allow_over = True
        assert staff.check(121, 120) is None
        fixed = build_indicator(
            {
                "code": "pop",
                "name": "Tỷ lệ dân số",
                "unit": "người",
                "numerator": "Số người đã cài đặt",
                "denominator": "Dân số",
                "denominator_value": 1000,
                "denominator_source": "Điều tra 2019",
            }
        )
        assert not fixed.agencies_report_denominator and fixed.check(40, None) is None
        assert fixed.rate(40, None) == pytest.approx(4.0) and fixed.score(40, None) == 40.0
        assert fixed.gap(40.0) is None  # the target of a fixed denominator is the province's


# The seed ---------------------------------------------------------------------------------


def test_1661_ships_the_population_rate_with_its_source_and_the_letters_figure(
    session, directive_1661
):
    indicator = population_indicator(session, directive_1661)
    assert indicator.task.number == "3" and indicator.unit == "người"
    assert indicator.denominator_value == POPULATION
    assert "Tổng điều tra dân số và nhà ở năm 2019" in indicator.denominator_source
    assert (indicator.baseline_numerator, indicator.baseline_date) == (STATED, date(2020, 8, 15))
    assert "1661/UBND-VX" in indicator.baseline_source
    # 33,000 of 460,196 is 7.17 % (the letter's "about 7.4 %" used an older estimate).
    assert indicator.baseline_rate == pytest.approx(7.1708, abs=1e-4)
    staff = directive_1661.tasks[1].indicators[0]
    assert (staff.code, staff.unit, staff.target) == ("bluezone_staff", "người", 100)


# The province-wide rule -------------------------------------------------------------------


def test_the_province_figure_is_stated_until_every_agency_has_reported(app):
    with app.test_request_context():
        indicator = build_indicator(
            {
                "code": "pop",
                "name": "Tỷ lệ dân số",
                "unit": "người",
                "numerator": "Đã cài",
                "denominator": "Dân số",
                "denominator_value": 1000,
                "denominator_source": "Điều tra",
                "baseline": {"numerator": 50, "date": date(2020, 8, 15), "source": "Công văn"},
            }
        )
    day = date(2020, 8, 20)
    before = province_figure(indicator, [], 3, date(2020, 8, 14))
    assert before.numerator is None and before.rate is None
    stated = province_figure(indicator, [(30, None, day), (20, None, day)], 3, day)
    assert (stated.numerator, stated.denominator, stated.stated, stated.day) == (
        50,
        1000,
        True,
        date(2020, 8, 15),
    )
    assert stated.reported == (50, 1000) and (stated.reporting, stated.owing) == (2, 3)
    complete = province_figure(
        indicator, [(30, None, day), (20, None, day), (40, None, day)], 3, day
    )
    assert (complete.numerator, complete.stated, complete.rate) == (90, False, 9.0)
    assert complete.complete and complete.day == day
    # A complete set of reports older than the stated figure does not replace it.
    old = date(2020, 8, 10)
    older = province_figure(indicator, [(1, None, old), (1, None, old), (1, None, old)], 3, day)
    assert older.stated and older.numerator == 50
    # Without a stated figure, a partial sum is the figure, marked partial.
    indicator.baseline_numerator = indicator.baseline_date = None
    partial = province_figure(indicator, [(30, None, day)], 3, day)
    assert (partial.numerator, partial.stated, partial.complete) == (30, False, False)


def test_the_1661_population_figure_on_the_dashboard_and_its_page(
    client, auth, session, directive_1661, make_user
):
    """Six districts report in the demo: the letter's figure stands; when the other two
    report, the sum of the eight districts over the population is the province's."""
    indicator = population_indicator(session, directive_1661)
    as_of = date(2020, 8, 25)
    (figure,) = province_figures(session, as_of, [indicator])
    assert figure.stated and (figure.numerator, figure.denominator) == (STATED, POPULATION)
    assert figure.owing == 8 and 0 < figure.reporting < 8
    auth.login("lanhdao")
    page = client.get(f"/?as_of={as_of.isoformat()}").get_data(as_text=True)
    live = page.split('data-testid="live-figures"', 1)[1].split("</section>", 1)[0]
    assert 'data-indicator="bluezone_population"' in live
    assert "7,2\u00a0%" in live and "33.000/460.196" in live
    staff = live.split('data-indicator="bluezone_staff"', 1)[1].split('data-indicator="', 1)[0]
    assert "điểm phần trăm so với mục tiêu" in staff  # the staff rate is short of 100 %
    assert "Tổng điều tra dân số và nhà ở năm 2019" in live
    shown = client.get(f"/indicators/{indicator.id}?as_of={as_of.isoformat()}").get_data(
        as_text=True
    )
    total = shown.split('data-testid="indicator-total"', 1)[1].split("indicator-lines", 1)[0]
    assert "33.000/460.196" in total
    lines = shown.split('data-testid="indicator-lines"', 1)[1].split("</table>", 1)[0]
    ranking = trends.ranking_of(session, as_of, directive_1661, indicator.task, indicator)
    assert len(ranking.lines) == figure.reporting
    for line in ranking.lines:
        assert line.rate is None and line.gap is None
        assert f'data-agency="{line.agency_code}"' in lines
    assert f"{sum(line.numerator for line in ranking.lines):,}".replace(",", ".") in lines
    assert "Còn thiếu so với chỉ tiêu" not in lines  # no per-agency target to fall short of

    reported = {line.agency_code for line in ranking.lines}
    rest = [code for code in DISTRICTS if code not in reported]
    pending = session.scalars(
        sa.select(Assignment).where(
            Assignment.task_id == indicator.task_id,
            Assignment.parent_id.is_(None),
            Assignment.agency_id.in_([agency_by_code(session, code).id for code in rest]),
        )
    ).all()
    assert pending
    for assignment in pending:
        user = make_user(agency=assignment.agency, username=f"u-{assignment.agency.code}")
        if assignment.status == AssignmentStatus.SUBMITTED:
            continue
        apply(
            assignment,
            Action.SUBMIT,
            user,
            text="Đã củng cố các tổ.",
            figures={"bluezone_population": [2_000, None]},
        )
    session.commit()
    today = clock.today()
    (after,) = province_figures(session, today, [indicator])
    final = trends.ranking_of(session, today, directive_1661, indicator.task, indicator)
    expected = sum(line.numerator for line in final.lines)
    assert after.complete and len(final.lines) == 8
    assert not after.stated and after.numerator == expected > STATED
    assert after.rate == pytest.approx(100 * expected / POPULATION)


def test_a_value_above_the_denominator_or_negative_is_refused_on_the_form(
    client, auth, session, make_assignment, make_user
):
    assignment = make_assignment(
        "SNV",
        indicators=[
            {
                "code": "staff",
                "name": "Tỷ lệ cài đặt",
                "unit": "người",
                "numerator": "Số người đã cài đặt",
                "denominator": "Tổng số cán bộ",
                "target": 100,
            },
            COUNT,
        ],
    )
    session.commit()
    auth.login("snv")
    url = f"/assignments/{assignment.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="staff__denominator"' in page and 'name="posts__denominator"' not in page
    assert "Số tin, bài đã đăng (tin, bài)" in page

    def submit(**figures):
        return client.post(
            f"{url}/submit",
            data={
                "csrf_token": csrf_token(client, url),
                "version": str(assignment.version),
                "text": "Đã thực hiện.",
                **figures,
            },
        )

    refused = submit(staff__numerator="121", staff__denominator="120", posts__numerator="3")
    assert refused.status_code == 422
    assert "phải nhỏ hơn hoặc bằng" in refused.get_data(as_text=True)
    negative = submit(staff__numerator="1", staff__denominator="2", posts__numerator="-3")
    assert negative.status_code == 422 and "không âm" in negative.get_data(as_text=True)
    session.expire_all()
    assert assignment.status == AssignmentStatus.ASSIGNED and not assignment.submissions
    accepted = submit(staff__numerator="118", staff__denominator="120", posts__numerator="12")
    assert accepted.status_code == 302
    session.expire_all()
    assert assignment.latest_submission.figures == {"staff": [118, 120], "posts": [12, None]}
    shown = client.get(url).get_data(as_text=True)
    assert "118/120 (98,3\u00a0%)" in shown and "12 tin, bài" in shown


def test_figures_are_kept_period_by_period(session, make_task, make_user, today):
    """A weekly count: each period's report carries its figure, and the value on a day is
    the report of that day's latest period."""
    from tracker.assignments.operations import assign_task

    task = make_task(due_date=None, indicators=[COUNT])
    task.recurrence, task.recurrence_text = "FREQ=WEEKLY;BYDAY=FR", "hằng tuần"
    stttt = agency_by_code(session, "STTTT")
    assignment = assign_task(session, None, task, [stttt]).created[0]
    user = make_user(agency=stttt, username="posts-user")
    generate_periods(session, date(2020, 9, 30))
    periods = session.scalars(
        sa.select(Period).where(Period.assignment_id == assignment.id).order_by(Period.due_date)
    ).all()
    assert len(periods) >= 3
    with pytest.raises(GuardFailed, match="Chưa nhập số liệu"):
        apply_period(periods[0], Action.SUBMIT, user, text="Tuần 1.")
    values = {}
    for number, period in enumerate(periods[:3], start=1):
        with clock.frozen(period.due_date):
            apply_period(
                period,
                Action.SUBMIT,
                user,
                text=f"Tuần {number}.",
                figures={"posts": [number * 5, None]},
            )
        values[period.due_date] = number * 5
    session.flush()
    indicator = task.indicators[0]
    for day, value in values.items():
        ranking = trends.ranking_of(session, day, task.directive, task, indicator)
        (line,) = ranking.lines
        assert (line.numerator, line.denominator, line.score) == (value, None, float(value))
        assert line.gap == max(0.0, 10.0 - value)
        assert ranking.province.numerator == value and ranking.province.complete
    before = trends.ranking_of(
        session, periods[0].due_date - timedelta(days=1), task.directive, task, indicator
    )
    assert not before.lines and before.province.numerator is None


def test_the_digest_states_every_figure_of_the_directive(session, directive_1661):
    found = digest.compose(session, directive_1661, date(2020, 8, 24), date(2020, 8, 30), "L")
    text = found.text
    assert (
        "Tỷ lệ người dân cài đặt ứng dụng Bluezone: toàn tỉnh 33.000/460.196 (7,2\u00a0%)" in text
    )
    assert "số liệu ngày 15/08/2020: Công văn số 1661/UBND-VX" in text
    assert "đơn vị đã báo cáo, cộng 30.950 người." in text
    assert "Tỷ lệ cán bộ, công chức, viên chức cài đặt ứng dụng Bluezone (mục tiêu 100" in text
    assert len(text) <= digest.MESSAGE_LENGTH


# Queries ----------------------------------------------------------------------------------


def test_indicator_page_and_dashboard_queries_do_not_grow_with_agencies(
    client, auth, session, connection, directive_1661, make_user, today
):
    indicator = population_indicator(session, directive_1661)
    auth.login("lanhdao")

    def measure() -> tuple[int, int]:
        session.expire_all()
        with count_queries(connection) as page:
            assert client.get(f"/indicators/{indicator.id}").status_code == 200
        with count_queries(connection) as dashboard:
            assert client.get("/").status_code == 200
        return len(page), len(dashboard)

    measure()  # the first requests read what the process keeps (the calendar)
    small = measure()
    muongte = agency_by_code(session, "MUONGTE")
    parent = session.scalars(
        sa.select(Assignment).where(
            Assignment.task_id == indicator.task_id, Assignment.agency_id == muongte.id
        )
    ).one()
    district_user = make_user(agency=muongte, username="mt-user")
    communes = [
        add_subunit(session, None, parent="MUONGTE", code=f"XA-MT{n}", name=f"UBND xã {n}")
        for n in range(12)
    ]
    handed = hand_down(session, district_user, parent, communes, due_date=None)
    for number, sub in enumerate(handed.created):
        user = make_user(agency=sub.agency, username=f"mt-commune-{number}")
        apply(sub, Action.SUBMIT, user, text="Xong.", figures={"bluezone_population": [100, None]})
    apply(
        parent,
        Action.SUBMIT,
        district_user,
        text="Cả huyện.",
        figures={"bluezone_population": [1_200, None]},
    )
    session.commit()
    assert measure() == small


def test_the_office_adds_an_indicator_on_the_directive_page(client, auth, session, directive_1661):
    task = directive_1661.tasks[3]
    url = f"/directives/{directive_1661.id}"
    auth.login("vanphong")
    page = client.get(url).get_data(as_text=True)
    assert f'action="/directives/{directive_1661.id}/tasks/{task.id}/indicators"' in page
    post = f"{url}/tasks/{task.id}/indicators"
    form = {
        "csrf_token": csrf_token(client, url),
        "name": "Số tin, bài tuyên truyền",
        "kind": "count",
        "unit": "tin, bài",
        "numerator": "Số tin, bài đã đăng",
        "target": "10",
    }
    refused = client.post(post, data={**form, "denominator_value": "1000"})
    assert refused.status_code == 302
    assert "không có mẫu số" in client.get(url).get_data(as_text=True)
    session.expire_all()
    assert len(task.indicators) == 0
    missing = client.post(post, data={**form, "unit": ""}, follow_redirects=True)
    assert "Hãy nhập đơn vị tính." in missing.get_data(as_text=True)
    added = client.post(post, data=form, follow_redirects=True)
    assert "Đã thêm chỉ tiêu “Số tin, bài tuyên truyền”." in added.get_data(as_text=True)
    session.expire_all()
    (indicator,) = task.indicators
    assert (indicator.code, indicator.kind, indicator.unit, indicator.target) == (
        "chi_tieu_1",
        IndicatorKind.COUNT,
        "tin, bài",
        10,
    )
    assert "(mục tiêu 10 tin, bài)" in client.get(url).get_data(as_text=True)
    again = client.post(post, data={**form, "code": "chi_tieu_1"}, follow_redirects=True)
    assert "Nhiệm vụ đã có chỉ tiêu mã “chi_tieu_1”." in again.get_data(as_text=True)
    auth.logout()
    auth.login("stttt")
    forbidden = client.post(post, data={**form, "csrf_token": csrf_token(client, url)})
    assert forbidden.status_code == 403


def test_no_indicator_is_added_to_a_closed_directive(session, make_task):
    from tests.helpers import user_named
    from tracker.assignments.closing import close_directive
    from tracker.directives.indicators import add_indicator

    task = make_task()
    close_directive(
        session, user_named(session, "vanphong"), task.directive, on=date(2020, 9, 1), note="Xong."
    )
    with pytest.raises(IndicatorError, match="đã kết thúc"):
        add_indicator(session, None, task, COUNT)
    assert task.indicators == []


def test_seeding_again_adds_an_indicator_an_earlier_seed_lacked(session, directive_1661):
    """A database seeded before the population rate existed gets it from `tracker seed`."""
    from tracker.directives.seed import load_all

    task = directive_1661.tasks[2]
    staff = directive_1661.tasks[1].indicators[0]
    staff_id = staff.id
    task.indicators.clear()
    session.flush()
    load_all(session)
    session.flush()
    session.expire_all()
    (added,) = task.indicators
    assert (added.code, added.denominator_value, added.baseline_numerator) == (
        "bluezone_population",
        POPULATION,
        STATED,
    )
    # One already there is left as it is.
    assert directive_1661.tasks[1].indicators[0].id == staff_id
