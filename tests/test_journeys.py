"""The three journeys of the foundation, through the real pages and forms."""

from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa

from tests.helpers import csrf_token
from tracker.agencies.operations import agency_by_code, group_by_code
from tracker.assignments.models import Assignment, AssignmentStatus
from tracker.directives.operations import find_directive

VERSION = re.compile(r'id="version" name="version" type="hidden" value="(\d+)"')


def _count(html: str, reference: str, name: str) -> int:
    row = html[html.index(f'data-directive="{reference}"') :]
    return int(re.search(rf'data-count="{name}">(\d+)<', row).group(1))


def _step(client, assignment_id: int, action: str, **data):
    page = client.get(f"/assignments/{assignment_id}").get_data(as_text=True)
    version = VERSION.search(page).group(1)
    token = csrf_token(client, f"/assignments/{assignment_id}")
    return client.post(
        f"/assignments/{assignment_id}/{action}",
        data={"csrf_token": token, "version": version, **data},
    )


def test_journey_secretariat_assigns_a_task(client, auth, session):
    cited = find_directive(session, "1569/UBND-VX")
    task = cited.tasks[0]
    syt = agency_by_code(session, "SYT")
    auth.login("vanphong")
    page = client.get(f"/tasks/{task.id}/assign")
    assert page.status_code == 200
    response = client.post(
        f"/tasks/{task.id}/assign",
        data={
            "csrf_token": csrf_token(client, f"/tasks/{task.id}/assign"),
            "targets": [f"a{syt.id}", "g" + str(_group_id(session, "HUYEN"))],
            "role": "lead",
            "due_date": "25/08/2020",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/directives/{cited.id}").get_data(as_text=True)
    assert 'data-agency="SYT"' in html
    assert 'data-agency="TAMDUONG"' in html
    assigned = session.scalars(sa.select(Assignment).where(Assignment.task_id == task.id)).all()
    assert len(assigned) == 9
    assert {a.due_date for a in assigned} == {date(2020, 8, 25)}
    assert 'alert-success" role="alert">Đã giao nhiệm vụ' in html
    again = client.post(
        f"/tasks/{task.id}/assign",
        data={
            "csrf_token": csrf_token(client, f"/tasks/{task.id}/assign"),
            "targets": [f"a{syt.id}"],
            "role": "lead",
            "due_date": "25/08/2020",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "alert-success" not in again  # nobody new: no green "assigned to 0 agencies"
    assert 'alert-warning" role="alert">Không giao thêm:' in again
    assert "Sở Y tế đã được giao nhiệm vụ" in again or "SYT" in again


def test_journey_assign_form_errors_keep_input(client, auth, session):
    task = find_directive(session, "1569/UBND-VX").tasks[0]
    auth.login("vanphong")
    response = client.post(
        f"/tasks/{task.id}/assign",
        data={
            "csrf_token": csrf_token(client, f"/tasks/{task.id}/assign"),
            "targets": [],
            "role": "lead",
            "due_date": "32/13/2020",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hãy chọn ít nhất một" in html
    assert "Ngày không hợp lệ" in html
    assert 'value="32/13/2020"' in html


def _group_id(session, code: str) -> int:
    return group_by_code(session, code).id


def test_journey_submit_return_resubmit_accept(client, auth, session, directive_1661):
    """Sở Công Thương reports on task 2 (Bluezone), the office returns it, then accepts."""
    task = directive_1661.tasks[1]
    sct = agency_by_code(session, "SCT")
    assignment = session.scalar(
        sa.select(Assignment).where(Assignment.task_id == task.id, Assignment.agency_id == sct.id)
    )
    assert assignment.status == AssignmentStatus.ASSIGNED

    auth.login("lanhdao")
    before = client.get("/").get_data(as_text=True)
    late_before = _count(before, "1661/UBND-VX", "done_late")
    overdue_before = _count(before, "1661/UBND-VX", "open_overdue")
    auth.logout()

    auth.login("sct")
    dashboard = client.get("/").get_data(as_text=True)
    assert f'data-assignment="{assignment.id}"' in dashboard
    # Submitting without evidence is refused: the task requires it, and the text stays.
    refused = _step(
        client,
        assignment.id,
        "submit",
        text="Đã cài đặt.",
        bluezone_staff__numerator="50",
        bluezone_staff__denominator="52",
    )
    assert refused.status_code == 422
    assert "minh chứng" in refused.get_data(as_text=True)
    assert "Đã cài đặt." in refused.get_data(as_text=True)

    upload = client.post(
        f"/assignments/{assignment.id}/evidence",
        data={
            "csrf_token": csrf_token(client, f"/assignments/{assignment.id}"),
            "file": (
                io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
                "danh-sach.pdf",
            ),
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    submitted = _step(
        client,
        assignment.id,
        "submit",
        text="Đã cài đặt 50/52 người.",
        bluezone_staff__numerator="50",
        bluezone_staff__denominator="52",
    )
    assert submitted.status_code == 302
    page = client.get(f"/assignments/{assignment.id}").get_data(as_text=True)
    assert "Đã báo cáo, chờ duyệt" in page
    assert "danh-sach.pdf" in page
    auth.logout()

    auth.login("stttt")  # the report_to agency of task 2 reviews it
    assert f"/assignments/{assignment.id}" in client.get("/").get_data(as_text=True)
    returned = _step(client, assignment.id, "return", reason="Thiếu danh sách theo phòng.")
    assert returned.status_code == 302
    auth.logout()

    auth.login("sct")
    page = client.get(f"/assignments/{assignment.id}").get_data(as_text=True)
    assert "Trả lại, yêu cầu bổ sung" in page
    assert "Thiếu danh sách theo phòng." in page
    resubmitted = _step(
        client,
        assignment.id,
        "submit",
        text="Bổ sung danh sách: 52/52.",
        bluezone_staff__numerator="52",
        bluezone_staff__denominator="52",
    )
    assert resubmitted.status_code == 302
    auth.logout()

    auth.login("vanphong")
    accepted = _step(client, assignment.id, "accept")
    assert accepted.status_code == 302
    page = client.get(f"/assignments/{assignment.id}").get_data(as_text=True)
    assert 'data-status="done"' in page
    history = page[page.index('data-testid="history"') :]
    for label in (
        "giao nhiệm vụ",
        "tải lên minh chứng",
        "gửi báo cáo kết quả",
        "trả lại",
        "chấp nhận",
    ):
        assert label in history
    auth.logout()

    auth.login("lanhdao")
    after = client.get("/").get_data(as_text=True)
    assert _count(after, "1661/UBND-VX", "done_late") == late_before + 1
    assert _count(after, "1661/UBND-VX", "open_overdue") == overdue_before - 1
    session.expire_all()
    assert assignment.status == AssignmentStatus.DONE
    assert assignment.latest_submission.figures == {"bluezone_staff": [52, 52]}


def test_journey_leader_reads_but_cannot_act(client, auth, session, directive_1661):
    assignment = session.scalar(
        sa.select(Assignment).where(
            Assignment.task_id == directive_1661.tasks[1].id,
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
    )
    auth.login("lanhdao")
    page = client.get(f"/assignments/{assignment.id}").get_data(as_text=True)
    assert 'data-testid="actions"' not in page
    response = client.post(
        f"/assignments/{assignment.id}/accept",
        data={
            "csrf_token": csrf_token(client, f"/assignments/{assignment.id}"),
            "version": str(assignment.version),
        },
    )
    assert response.status_code == 403
    session.expire_all()
    assert assignment.status == AssignmentStatus.SUBMITTED
