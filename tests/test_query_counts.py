"""Pages run a fixed number of SQL queries, however much data there is."""

from __future__ import annotations

import pytest

from tests.helpers import count_queries, user_named
from tracker.assignments.models import Assignment
from tracker.assignments.operations import assign_task
from tracker.assignments.workflow import Action, apply


def _queries(client, connection, path: str) -> int:
    """Statements of one request in the steady state: a first request fills the
    process's caches (the working-day calendar), so it is not counted."""
    client.get(path)
    with count_queries(connection) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def _grow(session, make_agency, make_task, directive_task, how_many: int = 12):
    """More agencies, more assignments, more submissions and events."""
    agencies = [make_agency() for _ in range(how_many)]
    assign_task(session, None, directive_task, agencies)
    extra = make_task()
    created = assign_task(session, None, extra, agencies).created
    office = user_named(session, "vanphong")
    for assignment in created[: how_many // 2]:
        apply(assignment, Action.CANCEL, office, reason="Thử nghiệm.")
    return agencies


@pytest.mark.parametrize("username", ["vanphong", "lanhdao", "stttt", "snv"])
def test_query_count_dashboard_constant(
    client, auth, session, connection, make_agency, make_task, directive_1661, username
):
    auth.login(username)
    before = _queries(client, connection, "/")
    _grow(session, make_agency, make_task, directive_1661.tasks[1])
    assert _queries(client, connection, "/") == before


def test_query_count_directive_page_constant(
    client, auth, session, connection, make_agency, make_task, directive_1661
):
    auth.login("vanphong")
    path = f"/directives/{directive_1661.id}"
    before = _queries(client, connection, path)
    _grow(session, make_agency, make_task, directive_1661.tasks[1])
    assert _queries(client, connection, path) == before


def test_query_count_directive_list_constant(
    client, auth, session, connection, make_agency, make_task, directive_1661
):
    auth.login("lanhdao")
    before = _queries(client, connection, "/directives")
    _grow(session, make_agency, make_task, directive_1661.tasks[1])
    make_task()
    assert _queries(client, connection, "/directives") == before


def test_query_count_assignment_page_constant(client, auth, session, connection, make_assignment):
    assignment = make_assignment("SNV")
    worker, office = user_named(session, "snv"), user_named(session, "vanphong")
    apply(assignment, Action.SUBMIT, worker, text="Lần 1.")
    auth.login("vanphong")
    path = f"/assignments/{assignment.id}"
    before = _queries(client, connection, path)
    for round_number in range(4):
        apply(assignment, Action.RETURN, office, reason=f"Bổ sung lần {round_number}.")
        apply(assignment, Action.SUBMIT, worker, text=f"Lần {round_number + 2}.")
    session.flush()
    assert _queries(client, connection, path) == before
    assert session.get(Assignment, assignment.id).submissions


def _grow_waiting(session, make_agency, make_task, make_user, directive_task) -> None:
    """More of everything an inbox lists: new work, reports waiting for review, and
    work returned."""
    agencies = _grow(session, make_agency, make_task, directive_task)
    office = user_named(session, "vanphong")
    created = assign_task(session, None, make_task(), agencies).created
    for index, assignment in enumerate(created[:6]):
        apply(assignment, Action.SUBMIT, make_user(agency=assignment.agency), text="Đã xong.")
        if index >= 4:
            apply(assignment, Action.RETURN, office, reason="Bổ sung.")
    session.flush()


@pytest.mark.parametrize("username", ["vanphong", "lanhdao", "stttt"])
def test_query_count_inbox_constant(
    client, auth, session, connection, make_agency, make_task, make_user, directive_1661, username
):
    auth.login(username)
    before = _queries(client, connection, "/inbox")
    _grow_waiting(session, make_agency, make_task, make_user, directive_1661.tasks[1])
    assert _queries(client, connection, "/inbox") == before


@pytest.mark.parametrize(
    "path",
    [
        "/assignments",
        "/assignments?agency=STTTT&overdue=1&sort=deadline",
        "/assignments?sort=-agency",
    ],
)
def test_query_count_assignment_list_constant(
    client, auth, session, connection, make_agency, make_task, make_user, directive_1661, path
):
    auth.login("vanphong")
    before = _queries(client, connection, path)
    _grow_waiting(session, make_agency, make_task, make_user, directive_1661.tasks[1])
    assert _queries(client, connection, path) == before


@pytest.mark.parametrize("username", ["vanphong", "stttt"])
def test_query_count_search_constant(
    client, auth, session, connection, make_agency, make_task, make_user, directive_1661, username
):
    auth.login(username)
    path = "/search?q=bao+cao"
    before = _queries(client, connection, path)
    _grow_waiting(session, make_agency, make_task, make_user, directive_1661.tasks[1])
    assert _queries(client, connection, path) == before
