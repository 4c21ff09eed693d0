"""The list of obligations: filters, sorting, keyset paging, exports and permissions."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from tests.helpers import user_named
from tests.nd30 import Pdf
from tracker import clock
from tracker.agencies.models import Agency
from tracker.assignments import listing, listing_export, obligations, queries
from tracker.assignments.deadlines import Outcome, soon_cutoff
from tracker.assignments.models import Assignment
from tracker.assignments.periods import generate_periods
from tracker.auth.models import User
from tracker.directives.models import Task
from tracker.reports.counts import late_agencies

TODAY = date(2020, 8, 19)


def _rows(page: str) -> list[tuple[str, str | None]]:
    """(assignment id, period id or None) of each row of a list page."""
    return [
        (assignment, period or None)
        for assignment, period in re.findall(
            r'<tr data-assignment="(\d+)"(?: data-period="(\d+)")?', page
        )
    ]


def _all_pages(
    session, user: User, chosen: listing.Filter, size: int, as_of: date = TODAY
) -> list[listing.Row]:
    rows, after = [], None
    while True:
        found = listing.page(session, user, chosen, as_of, 3, after=after, size=size)
        rows += found.rows
        if found.after is None:
            return rows
        after = found.after


@pytest.mark.parametrize("sort", list(listing.Sort))
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_walk_the_whole_list_once_in_order(session, sort, descending):
    office = user_named(session, "vanphong")
    chosen = listing.Filter(sort=sort, descending=descending)
    everything = list(listing.every_row(session, office, chosen, TODAY, 3))
    paged = _all_pages(session, office, chosen, size=7)
    key = [(row.assignment_id, row.period_id) for row in paged]
    assert key == [(row.assignment_id, row.period_id) for row in everything]
    assert len(set(key)) == len(key) == obligations.counts(session, TODAY).total


def _expected_order(session, rows: list[listing.Row], sort: listing.Sort) -> list:
    """The documented order, worked out in Python: the sort's column, then the deadline
    (none last), then the assignment, then the period (a one-off report first)."""
    positions = {
        task.id: (task.directive.issued_date, task.directive_id, task.position)
        for task in session.scalars(sa.select(Task))
    }
    tasks = dict(session.execute(sa.select(Assignment.id, Assignment.task_id)).all())

    def key(row: listing.Row):
        first = {
            listing.Sort.DEADLINE: (),
            listing.Sort.AGENCY: (row.agency_code,),
            listing.Sort.DIRECTIVE: positions[tasks[row.assignment_id]],
            listing.Sort.STATUS: (row.status.value,),
            listing.Sort.OUTCOME: (row.outcome.value,),
        }[sort]
        due = row.due_date or listing.NO_DEADLINE
        return (*first, due, row.assignment_id, row.period_id or 0)

    return sorted(rows, key=key)


@pytest.mark.parametrize("sort", list(listing.Sort))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_follow_the_documented_order_both_ways(session, sort, descending):
    """Forward and backward, pages of 5 give the list in the order the keys define,
    with undated work, periods and reports of the same assignment all in it."""
    office = user_named(session, "vanphong")
    chosen = listing.Filter(sort=sort, descending=descending)
    as_of = date(2020, 10, 15)
    assert generate_periods(session, as_of) > 0  # weekly reporting periods have begun
    forward = _all_pages(session, office, chosen, size=5, as_of=as_of)
    expected = _expected_order(session, forward, sort)
    if descending:
        expected.reverse()
    identity = [(row.assignment_id, row.period_id) for row in expected]
    assert [(row.assignment_id, row.period_id) for row in forward] == identity
    assert any(row.due_date is None for row in forward)
    assert any(row.period_id for row in forward) and any(not row.period_id for row in forward)
    # Backward from the last page, through `before`, gives the same rows.
    last = listing.page(session, office, chosen, as_of, 3, size=5)
    while last.after is not None:
        last = listing.page(session, office, chosen, as_of, 3, after=last.after, size=5)
    backward, page = list(reversed(last.rows)), last
    while page.before is not None:
        page = listing.page(session, office, chosen, as_of, 3, before=page.before, size=5)
        backward += reversed(page.rows)
    assert [(row.assignment_id, row.period_id) for row in reversed(backward)] == identity


def test_total_is_counted_up_to_a_limit(session, monkeypatch):
    office = user_named(session, "vanphong")
    everything = listing.page(session, office, listing.Filter(), TODAY, 3)
    assert not everything.more_than_total and everything.total > 10
    monkeypatch.setattr(listing, "COUNT_LIMIT", 10)
    capped = listing.page(session, office, listing.Filter(), TODAY, 3)
    assert capped.more_than_total and capped.total == 10
    assert capped.rows == everything.rows


def test_previous_page_gives_back_the_page_before(session):
    office = user_named(session, "vanphong")
    chosen = listing.Filter(sort=listing.Sort.AGENCY)
    first = listing.page(session, office, chosen, TODAY, 3, size=10)
    second = listing.page(session, office, chosen, TODAY, 3, after=first.after, size=10)
    back = listing.page(session, office, chosen, TODAY, 3, before=second.before, size=10)
    assert back.rows == first.rows
    assert first.before is None and back.before is None
    assert second.before is not None and back.after == first.after


def test_late_agency_list_has_as_many_rows_as_its_count(client, auth, session):
    """The contract's list (/assignments?agency=STTTT&overdue=1&sort=deadline) is as long
    as the agency's overdue count wherever that is shown; checked for STTTT and for the
    agency with the most overdue work."""
    as_of = date(2020, 9, 30)
    with clock.frozen(as_of):
        late = {item.agency.code: item.overdue for item in late_agencies(session, as_of)}
        most = max(late, key=late.__getitem__)
        assert late[most] > 1
        auth.login("vanphong")
        for code in ("STTTT", most):
            page = client.get(f"/assignments?agency={code}&overdue=1&sort=deadline")
            assert page.status_code == 200
            body = page.get_data(as_text=True)
            rows = _rows(body)
            assert len(rows) == late.get(code, 0)
            assert f"{len(rows)} mục" in body
            dues = re.findall(r'data-due="([\d-]*)"', body)
            assert dues == sorted(dues) and all(dues)
            agencies = re.findall(r'<tr data-assignment="\d+"[^>]* data-agency="(\w+)"', body)
            assert set(agencies) <= {code}


def test_filters_combine(session):
    office = user_named(session, "vanphong")
    chosen = listing.Filter(agency="SYT", outcome=Outcome.DONE_ON_TIME, due_from=date(2020, 8, 18))
    rows = list(listing.every_row(session, office, chosen, TODAY, 3))
    assert rows
    for row in rows:
        assert row.agency_code == "SYT" and row.outcome == Outcome.DONE_ON_TIME
        assert row.due_date is not None and row.due_date >= date(2020, 8, 18)


def test_agency_lists_only_what_it_may_see(client, auth, session):
    auth.login("syt")
    body = client.get("/assignments?agency=SNV").get_data(as_text=True)
    assert _rows(body) == []
    own = client.get("/assignments").get_data(as_text=True)
    assert set(re.findall(r'data-agency="(\w+)"', own)) <= {"SYT"} | _reviewed_agencies(
        session, "syt"
    )
    csv_body = client.get("/assignments?format=csv&agency=SNV").get_data()
    assert len(list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))) == 1  # header


def test_an_agency_list_is_the_same_from_its_ids_or_from_the_rule(session, monkeypatch):
    """An agency's few visible ids are read first (`visible_among_many`); past
    VISIBLE_LIST_MOST the database applies the rule itself. Either way the list holds
    every obligation of the assignments `visible_to` allows, and no other."""
    user = user_named(session, "syt")
    from_ids = _all_pages(session, user, listing.Filter(), 7)
    monkeypatch.setattr(queries, "VISIBLE_LIST_MOST", 0)
    from_rule = _all_pages(session, user, listing.Filter(), 7)
    assert from_ids == from_rule and from_ids
    visible = set(session.scalars(sa.select(Assignment.id).where(queries.visible_to(user))))
    everyone = _all_pages(session, user_named(session, "vanphong"), listing.Filter(), 50)
    assert {row.assignment_id for row in from_ids} == {
        row.assignment_id for row in everyone if row.assignment_id in visible
    }


def _reviewed_agencies(session, username: str) -> set[str]:
    user = user_named(session, username)
    rows = listing.every_row(session, user, listing.Filter(), TODAY, 3)
    return {row.agency_code for row in rows}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=bogus", "Không sắp xếp được"),
        ("status=lost", "Trạng thái"),
        ("due_from=31/12/2020", "Hạn từ ngày"),
        ("due_from=2020-09-01&due_to=2020-08-01", "phải trước"),
        ("after=not-a-cursor", "Liên kết trang không hợp lệ"),
        ("directive=1e9", "Văn bản"),
    ],
)
def test_bad_filters_say_what_is_wrong(client, auth, query, message):
    auth.login("vanphong")
    response = client.get(f"/assignments?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_exports_hold_the_filtered_rows_in_order(client, auth, session):
    auth.login("vanphong")
    with clock.frozen(TODAY):
        query = "agency=SYT&sort=-deadline"
        page = client.get(f"/assignments?{query}").get_data(as_text=True)
        csv_rows = list(
            csv.reader(
                io.StringIO(
                    client.get(f"/assignments?{query}&format=csv").get_data().decode("utf-8-sig")
                )
            )
        )
        sheet = openpyxl.load_workbook(
            io.BytesIO(client.get(f"/assignments?{query}&format=xlsx").get_data())
        ).active
    header, body = csv_rows[0], csv_rows[1:]
    assert header[:5] == [
        "Văn bản",
        "Nhiệm vụ",
        "Nội dung nhiệm vụ",
        "Mã đơn vị",
        "Cơ quan, đơn vị",
    ]
    assert len(body) == len(_rows(page))
    assert {row[3] for row in body} == {"SYT"}
    dues = [row[7] for row in body if row[7]]
    assert dues == sorted(dues, key=lambda d: d.split("/")[::-1], reverse=True)
    xlsx = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in xlsx] == [row[3] for row in body]


def test_filter_round_trips_through_the_url():
    chosen = listing.Filter.from_args(
        {"agency": "stttt", "overdue": "1", "sort": "-agency", "due_to": "2020-09-30"}
    )
    assert chosen.agency == "STTTT" and chosen.overdue and chosen.descending
    assert listing.Filter.from_args(chosen.to_args()) == chosen
    assert chosen.sorted_by(listing.Sort.AGENCY).descending is False
    assert chosen.sorted_by(listing.Sort.DEADLINE).sort == listing.Sort.DEADLINE


@pytest.mark.parametrize("descending", [False, True])
def test_keyset_condition_compares_constant_keys_as_the_order_does(descending):
    """A part's constant keys (the deadline of undated work, the period 0 of a one-off
    report) are compared in Python; the rows kept are exactly those past the cursor."""
    table = sa.table("t", sa.column("due", sa.Date), sa.column("aid", sa.Integer))
    engine = sa.create_engine("sqlite://")
    days = [date(2020, 8, day) for day in (17, 18, 19)]
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (due DATE, aid INTEGER)")
        connection.execute(
            sa.insert(table), [{"due": day, "aid": aid} for day in days for aid in (1, 2, 3)]
        )
        parts = {
            "dated report": (table.c.due, table.c.aid, 0),
            "undated report": (listing.NO_DEADLINE, table.c.aid, 0),
        }
        rows = connection.execute(sa.select(table.c.due, table.c.aid)).all()
        for name, keys in parts.items():
            for cursor in [
                (day, aid, period)
                for day in [*days, listing.NO_DEADLINE]
                for aid in (1, 2, 3)
                for period in (0, 5)
            ]:
                found = connection.execute(
                    sa.select(table.c.due, table.c.aid).where(
                        listing._beyond(keys, list(cursor), descending)
                    )
                ).all()
                row_keys = {
                    row: (row.due if name == "dated report" else listing.NO_DEADLINE, row.aid, 0)
                    for row in rows
                }
                expected = {
                    row
                    for row, key in row_keys.items()
                    if (key < cursor if descending else key > cursor)
                }
                assert set(found) == expected, (name, cursor)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_pdf_export_prints_the_first_rows_of_the_list_in_order(client, auth):
    auth.login("vanphong")
    with clock.frozen(TODAY):
        query = "sort=deadline&overdue=1"
        rows = _csv(client.get(f"/assignments?{query}&format=csv"))[1:]
        assert len(rows) > 3
        response = client.get(f"/assignments?{query}&format=pdf&limit=3")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "danh-sach-nhiem-vu-2020-08-19.pdf" in response.headers["Content-Disposition"]
    with Pdf(response.get_data()) as pdf:
        text = " ".join(pdf.text.split())
        assert pdf.reader.pages[0].mediabox.width > pdf.reader.pages[0].mediabox.height
    assert "DANH SÁCH NHIỆM VỤ" in text and "Tính đến ngày 19/08/2020" in text
    assert "quá hạn chưa hoàn thành" in text and "Sắp xếp theo thời hạn" in text
    assert "3 dòng, là 3 dòng đầu của danh sách" in text
    agencies = [row[4] for row in rows]
    found = [text.find(name) for name in agencies[:3]]
    assert -1 not in found and found == sorted(found)
    assert "Trang 1/1" in text


def test_export_limit_keeps_the_first_rows_and_says_what_is_wrong(client, auth):
    auth.login("vanphong")
    with clock.frozen(TODAY):
        every = _csv(client.get("/assignments?format=csv"))
        first = _csv(client.get("/assignments?format=csv&limit=4"))
        assert first == every[:5]
        for bad in ("0", "abc", "50001"):
            response = client.get(f"/assignments?format=csv&limit={bad}")
            assert response.status_code == 400
            assert "Số dòng xuất phải là một số từ 1 đến 50.000" in response.get_data(as_text=True)
        response = client.get("/assignments?format=pdf&limit=2001")
        assert response.status_code == 400 and "từ 1 đến 2.000" in response.get_data(as_text=True)


def test_csv_export_streams_in_pieces(session):
    office = user_named(session, "vanphong")
    rows = list(listing.every_row(session, office, listing.Filter(), TODAY, 3))
    many = rows * (1 + 450 // len(rows))
    pieces = list(listing_export.csv_chunks(many))
    assert len(pieces) == 1 + len(many) // 200
    assert b"".join(pieces) == listing_export.to_csv(many)
    assert len(list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig"))))) == len(many) + 1


@pytest.mark.parametrize(
    "chosen",
    [
        listing.Filter(overdue=True),
        listing.Filter(due_soon=True),
        listing.Filter(outcome=Outcome.OPEN_WITHIN, sort=listing.Sort.AGENCY),
        listing.Filter(outcome=Outcome.OPEN_OVERDUE, agency="SINHO", descending=True),
        listing.Filter(overdue=True, sort=listing.Sort.STATUS),
    ],
)
def test_open_work_read_on_its_indexes_is_the_open_work_judged(session, chosen):
    """From today on a filter of open work reads the open statuses and the deadline
    (obligations.open_parts, the partial indexes); the rows, their outcomes and the total
    are those of the full judgement of every obligation."""
    office = user_named(session, "vanphong")
    day = _after_all_activity(session)
    soon = soon_cutoff(day, 3)
    agency = session.scalar(sa.select(Agency.id).where(Agency.code == chosen.agency))
    owed = obligations.obligations(day)
    judged = {
        (row.assignment_id, row.period_id): row.outcome
        for row in session.execute(sa.select(owed))
        if _kept(chosen, row.outcome, row.due_date, soon)
        and (chosen.agency is None or row.agency_id == agency)
    }
    with clock.frozen(day):
        assert obligations.open_parts(day) is not None
        rows = _all_pages(session, office, chosen, size=4, as_of=day)
        total = listing.page(session, office, chosen, day, 3).total
    found = {(row.assignment_id, row.period_id): row.outcome for row in rows}
    assert found == judged
    assert total == len(rows) == len(found)
    if not chosen.due_soon:
        assert found


def _after_all_activity(session) -> date:
    """A day on or after every date of the demo's work (so `open_parts` applies)."""
    latest = session.scalar(
        sa.select(sa.func.max(sa.func.coalesce(Assignment.completed_on, Assignment.cancelled_on)))
    )
    return max(TODAY, latest or TODAY)


def _kept(chosen: listing.Filter, outcome: str, due: date | None, soon: date) -> bool:
    if chosen.overdue:
        return outcome == Outcome.OPEN_OVERDUE
    if chosen.outcome is not None:
        return outcome == chosen.outcome
    return outcome == Outcome.OPEN_WITHIN and due is not None and due <= soon


def test_csv_export_names_its_charset_once(client, auth):
    auth.login("vanphong")
    response = client.get("/assignments?format=csv&limit=1")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
