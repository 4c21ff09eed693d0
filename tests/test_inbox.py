"""The inbox: what waits on each user, its count in the navbar, and steps taken from it
in one click."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.helpers import csrf_token, user_named
from tracker import clock
from tracker.assignments.models import Assignment, AssignmentStatus, ExtensionStatus
from tracker.assignments.workflow import Action, apply, request_extension
from tracker.auth.models import Role
from tracker.directives.importing import start_import
from tracker.directives.parsing.parser import gazetteer_from_session
from tracker.inbox.queries import counts

TODAY = date(2020, 8, 19)


def _section(page: str, testid: str) -> str:
    """The HTML of one inbox section."""
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</section>", start)]


def _waiting(page: str) -> int:
    """The navbar's count; 0 when it is not shown."""
    found = re.search(r'data-testid="waiting-count">(\d+)', page)
    return int(found.group(1)) if found else 0


def _step(client, assignment, action: str, *, reason: str = "", next: str = "/inbox"):  # noqa: A002
    """A workflow step posted from the inbox, as its row's form posts it."""
    return client.post(
        f"/assignments/{assignment.id}/{action}",
        data={
            "csrf_token": csrf_token(client, "/inbox"),
            "version": str(assignment.version),
            "reason": reason,
            "next": next,
        },
    )


def _count(page: str, testid: str) -> int:
    return int(re.search(rf'data-count="{testid}">(\d+)<', page).group(1))


@pytest.fixture
def work(session, make_agency, make_user, make_assignment):
    """An agency with one user and one assignment, due 18/08/2020."""
    agency = make_agency()
    worker = make_user(agency=agency)
    assignment = make_assignment(agency)
    return agency, worker, assignment


def test_office_sees_a_submission_at_once_and_accepts_it_in_one_click(client, auth, session, work):
    _agency, worker, assignment = work
    with clock.frozen(TODAY):
        auth.login("vanphong")
        before = client.get("/inbox").get_data(as_text=True)
        assert f'data-assignment="{assignment.id}"' not in _section(before, "inbox-reviews")
        apply(assignment, Action.SUBMIT, worker, text="Đã cài đặt cho 45/45 cán bộ.")
        session.flush()
        page = client.get("/inbox").get_data(as_text=True)
        reviews = _section(page, "inbox-reviews")
        assert f'data-assignment="{assignment.id}"' in reviews
        assert "Đã cài đặt cho 45/45 cán bộ." in reviews
        assert _count(page, "inbox-reviews") == _count(before, "inbox-reviews") + 1
        assert _waiting(page) == _waiting(before) + 1

        response = _step(client, assignment, "accept")
        assert response.status_code == 302
        assert response.headers["Location"] == "/inbox"
        session.expire_all()
        assert session.get(Assignment, assignment.id).status == AssignmentStatus.DONE
        after = client.get("/inbox").get_data(as_text=True)
        assert f'data-assignment="{assignment.id}"' not in _section(after, "inbox-reviews")
        assert _waiting(after) == _waiting(before)


def test_return_from_the_inbox_raises_the_agency_count_at_once(client, auth, session, work):
    agency, worker, assignment = work
    with clock.frozen(TODAY):
        apply(assignment, Action.START, worker)
        apply(assignment, Action.SUBMIT, worker, text="Báo cáo lần 1.")
        session.flush()
        auth.login(worker.username)
        page = client.get("/inbox").get_data(as_text=True)
        returned_before, unread_before = _count(page, "inbox-returned"), _unread(page)
        auth.logout()

        auth.login("vanphong")
        response = _step(client, assignment, "return", reason="Thiếu số liệu của các xã.")
        assert response.headers["Location"] == "/inbox"
        auth.logout()

        auth.login(worker.username)
        page = client.get("/inbox").get_data(as_text=True)
        returned = _section(page, "inbox-returned")
        assert f'data-assignment="{assignment.id}"' in returned
        assert "Thiếu số liệu của các xã." in returned
        assert _count(page, "inbox-returned") == returned_before + 1
        assert _unread(page) == unread_before + 1  # told at once, no cron
        assert "Thiếu số liệu của các xã." in _section(page, "inbox-unread")


def _unread(page: str) -> int:
    found = re.search(r'data-testid="unread-count">(\d+)', page)
    return int(found.group(1)) if found else 0


def test_return_without_a_reason_is_refused_and_changes_nothing(client, auth, session, work):
    _agency, worker, assignment = work
    apply(assignment, Action.SUBMIT, worker, text="Báo cáo.")
    session.flush()
    auth.login("vanphong")
    response = _step(client, assignment, "return", reason="  ")
    assert response.status_code == 422
    assert "Hãy nêu lý do." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Assignment, assignment.id).status == AssignmentStatus.SUBMITTED


def test_next_never_leaves_the_site(client, auth, session, work):
    _agency, worker, assignment = work
    auth.login(worker.username)
    response = _step(client, assignment, "start", next="//evil.example/inbox")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/assignments/{assignment.id}"


def test_agency_inbox_lists_new_due_and_returned_work_of_its_own_only(
    client, auth, session, work, make_assignment
):
    agency, worker, assignment = work
    other = make_assignment("SNV")
    with clock.frozen(TODAY):
        auth.login(worker.username)
        page = client.get("/inbox").get_data(as_text=True)
        assert f'data-assignment="{assignment.id}"' in _section(page, "inbox-new")
        assert f'data-assignment="{other.id}"' not in page
        assert 'data-testid="inbox-reviews"' not in page  # it reviews nobody's work
        assert 'data-testid="inbox-extensions"' not in page
        assert 'data-testid="inbox-late"' not in page

        # Started and overdue (due 18/08): it moves from "new" to "due".
        _step(client, assignment, "start")
        page = client.get("/inbox").get_data(as_text=True)
        assert f'data-assignment="{assignment.id}"' not in _section(page, "inbox-new")
        due = _section(page, "inbox-due")
        assert f'data-assignment="{assignment.id}"' in due and "Quá hạn" in due


def test_extension_request_waits_on_the_office_and_is_granted_in_one_click(
    client, auth, session, work
):
    _agency, worker, assignment = work
    with clock.frozen(TODAY):
        extension = request_extension(
            assignment, worker, proposed_date=date(2020, 8, 25), reason="Chờ số liệu xã."
        )
        session.flush()
        auth.login("vanphong")
        page = client.get("/inbox").get_data(as_text=True)
        section = _section(page, "inbox-extensions")
        assert f'data-extension="{extension.id}"' in section
        assert "Chờ số liệu xã." in section and "25/08/2020" in section
        response = client.post(
            f"/extensions/{extension.id}/grant",
            data={"csrf_token": csrf_token(client, "/inbox"), "next": "/inbox"},
        )
        assert response.headers["Location"] == "/inbox"
        session.expire_all()
        assert extension.status == ExtensionStatus.GRANTED
        assert session.get(Assignment, assignment.id).due_date == date(2020, 8, 25)
        page = client.get("/inbox").get_data(as_text=True)
        assert f'data-extension="{extension.id}"' not in page


def test_office_sees_imports_waiting_for_review(client, auth, session):
    office = user_named(session, "vanphong")
    draft = start_import(
        session,
        office,
        "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 77/UBND-VX\n"
        "Lai Châu, ngày 02 tháng 3 năm 2021\nV/v thử hộp việc\n"
        "1. Sở Y tế báo cáo trước ngày 10/3/2021.\n",
        "cong-van-77.txt",
        gazetteer_from_session(session),
    )
    session.flush()
    auth.login("vanphong")
    section = _section(client.get("/inbox").get_data(as_text=True), "inbox-drafts")
    assert f"/imports/{draft.id}" in section and "cong-van-77.txt" in section


def test_leader_sees_late_agencies_that_link_to_their_list(client, auth, session):
    with clock.frozen(TODAY):
        auth.login("lanhdao")
        page = client.get("/inbox").get_data(as_text=True)
        late = _section(page, "inbox-late")
        assert "/assignments?agency=" in late and "overdue=1" in late
        assert _waiting(page) == 0  # a leader has nothing to act on
        assert 'data-testid="inbox-reviews"' not in page


def test_counts_agree_with_the_sections(session, work):
    """The navbar's count is the sections' counts added up, for each kind of user."""
    _agency, worker, assignment = work
    apply(assignment, Action.SUBMIT, worker, text="Báo cáo.")
    session.flush()
    for username in ("vanphong", worker.username, "stttt"):
        user = user_named(session, username)
        found = counts(session, user, TODAY, 3)
        assert found.total == sum(
            getattr(found, name)
            for name in ("reviews", "extensions", "drafts", "returned", "new", "due")
        )
    office = counts(session, user_named(session, "vanphong"), TODAY, 3)
    assert office.reviews >= 1 and office.new == 0
    assert user_named(session, "vanphong").role == Role.SECRETARIAT


def test_counts_stop_at_their_limit_and_show_so(client, auth, session, monkeypatch):
    """Past COUNT_LIMIT a count costs no more and reads "N+" in the navbar and the
    inbox; below it, it is exact."""
    from tracker.inbox import queries

    office = user_named(session, "vanphong")
    exact = counts(session, office, clock.today(), 3)
    assert exact.reviews >= 3
    monkeypatch.setattr(queries, "COUNT_LIMIT", 2)
    capped = counts(session, office, clock.today(), 3)
    assert 2 < capped.reviews <= exact.reviews
    assert queries.shown(capped.reviews) == "2+" and queries.shown(2) == "2"
    auth.login("vanphong")
    page = client.get("/inbox").get_data(as_text=True)
    assert re.search(r'data-testid="waiting-count">2\+<', page)
    assert 'data-count="inbox-reviews">2+<' in page
