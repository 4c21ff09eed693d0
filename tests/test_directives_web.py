"""Entering a directive by hand, adding its tasks, confirming it, filing a missing text."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.helpers import csrf_token
from tracker.directives.models import Directive, DirectiveStatus
from tracker.directives.operations import find_directive


def _new_directive(client, **overrides):
    data = {
        "doc_type": "ke_hoach",
        "number": "25",
        "symbol": "KH-UBND",
        "issuer": "Ủy ban nhân dân tỉnh Lai Châu",
        "place": "Lai Châu",
        "issued_date": "05/10/2020",
        "subject": "triển khai tháng hành động",
        "recipients": "Các sở, ban, ngành\nUBND các huyện, thành phố\n",
        "signer_authority": "KT.",
        "signer_title": "PHÓ CHỦ TỊCH",
        "signer_name": "Nguyễn A",
        "distribution": "Như trên\nLưu: VT\n",
        "body": "",
    }
    data.update(overrides)
    data["csrf_token"] = csrf_token(client, "/directives/new")
    return client.post("/directives/new", data=data)


def test_directive_manual_entry_to_assignment(client, auth, session):
    auth.login("vanphong")
    response = _new_directive(client)
    assert response.status_code == 302
    directive = find_directive(session, "25/KH-UBND")
    assert directive.status == DirectiveStatus.DRAFT
    assert directive.issued_date == date(2020, 10, 5)
    assert directive.recipients == ["Các sở, ban, ngành", "UBND các huyện, thành phố"]
    assert directive.body is None

    page = f"/directives/{directive.id}"
    added = client.post(
        f"{page}/tasks",
        data={
            "csrf_token": csrf_token(client, page),
            "number": "1",
            "title": "",
            "text": "Sở Y tế chủ trì tổ chức tháng hành động; báo cáo hằng tháng.",
            "report_to": "0",
            "due_date": "31/10/2020",
            "due_text": "",
            "recurrence": "FREQ=MONTHLY",
            "evidence_required": "y",
        },
    )
    assert added.status_code == 302
    session.expire_all()
    (task,) = directive.tasks
    assert (task.due_date, task.recurrence, task.recurrence_text) == (
        date(2020, 10, 31),
        "FREQ=MONTHLY",
        "hằng tháng",
    )
    assert task.evidence_required
    assert task.title.startswith("Sở Y tế chủ trì")

    # Work cannot be assigned before the office confirms the directive.
    assign_page = client.get(f"/tasks/{task.id}/assign")
    refused = client.post(
        f"/tasks/{task.id}/assign",
        data={
            "csrf_token": csrf_token(client, f"/tasks/{task.id}/assign"),
            "targets": ["g1"],
            "role": "lead",
            "due_date": "",
        },
    )
    assert assign_page.status_code == 200
    assert refused.status_code == 422
    assert "chưa được xác nhận" in refused.get_data(as_text=True)

    confirmed = client.post(f"{page}/confirm", data={"csrf_token": csrf_token(client, page)})
    assert confirmed.status_code == 302
    session.expire_all()
    assert directive.status == DirectiveStatus.ACTIVE
    assert "Xác nhận văn bản" not in client.get(page).get_data(as_text=True)


def test_directive_form_errors_are_clear_and_keep_input(client, auth):
    auth.login("vanphong")
    response = _new_directive(
        client, number="", issued_date="15/15/2020", subject="giữ nguyên trích yếu này"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hãy nhập số văn bản." in html
    assert "Ngày không hợp lệ" in html
    assert "giữ nguyên trích yếu này" in html


def test_directive_duplicate_number_is_refused(client, auth, session):
    auth.login("vanphong")
    response = _new_directive(
        client, doc_type="cong_van", number="1661", symbol="UBND-VX", issued_date="15/08/2020"
    )
    assert response.status_code == 422
    assert "đã có trong hệ thống" in response.get_data(as_text=True)
    count = session.scalar(sa.select(sa.func.count(Directive.id)).where(Directive.number == "1661"))
    assert count == 1


def test_directive_cited_text_can_be_filed_later(client, auth, session):
    cited = find_directive(session, "1605/UBND-VX")
    page = f"/directives/{cited.id}"
    auth.login("vanphong")
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="no-text"' in html
    assert "1661/UBND-VX" in html  # what the citing directive says of it
    response = client.post(
        f"{page}/text",
        data={
            "csrf_token": csrf_token(client, page),
            "body": "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\n...",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert cited.body.startswith("ỦY BAN NHÂN DÂN")
    again = client.post(
        f"{page}/text", data={"csrf_token": csrf_token(client, page), "body": "khác"}
    )
    assert again.status_code == 302
    session.expire_all()
    assert cited.body.startswith("ỦY BAN NHÂN DÂN")


def test_directive_page_shows_citation_graph(client, auth, directive_1661, session):
    auth.login("lanhdao")
    html = client.get(f"/directives/{directive_1661.id}").get_data(as_text=True)
    citations = html[html.index('data-testid="citations"') :]
    for reference in ("197/CV-BCĐ", "1569/UBND-VX", "51/TB-UBND", "1605/UBND-VX"):
        assert reference in citations
    cited = find_directive(session, "197/CV-BCĐ")
    back = client.get(f"/directives/{cited.id}").get_data(as_text=True)
    assert "Được viện dẫn tại" in back and "1661/UBND-VX" in back


def test_directive_full_text_shows_no_markup(client, auth, directive_1661):
    auth.login("vanphong")
    html = client.get(f"/directives/{directive_1661.id}").get_data(as_text=True)
    source = html.split('data-testid="source-text">', 1)[1].split("</div>", 1)[0]
    assert "ỦY BAN NHÂN DÂN" in source and "Nơi nhận:" in source
    assert "**" not in source


def test_directive_agency_sees_only_its_own_rows(client, auth, directive_1661):
    auth.login("snv")
    html = client.get(f"/directives/{directive_1661.id}").get_data(as_text=True)
    assert 'data-agency="SNV"' in html
    assert 'data-agency="STP"' not in html
    assert "Giao nhiệm vụ</a>" not in html
    # Tasks given to other agencies only are not called unassigned.
    assert "Chưa giao cho cơ quan, đơn vị nào" not in html
    assert "Nhiệm vụ này không giao cho đơn vị của bạn." in html


def test_directive_page_lists_the_first_assignments_of_a_task(
    client, auth, directive_1661, session, monkeypatch
):
    """A task given to many agencies lists the first TASK_ROWS, says how many there are
    and links to the directive's list; the page's queries do not grow with them."""
    from tracker.assignments import queries
    from tracker.assignments.models import Assignment
    from tracker.directives.models import Task

    counted = dict(
        session.execute(
            sa.select(Task.number, sa.func.count(Assignment.id))
            .join(Assignment, Assignment.task_id == Task.id)
            .where(Task.directive_id == directive_1661.id)
            .group_by(Task.number)
        ).all()
    )
    number, total = max(counted.items(), key=lambda item: item[1])
    assert total > 3
    auth.login("vanphong")
    whole = client.get(f"/directives/{directive_1661.id}").get_data(as_text=True)
    assert f'data-testid="more-assignments-{number}"' not in whole
    monkeypatch.setattr(queries, "TASK_ROWS", 3)
    html = client.get(f"/directives/{directive_1661.id}").get_data(as_text=True)
    table = html.split(f'data-testid="assignments-{number}"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr data-agency=") == 3
    more = html.split(f'data-testid="more-assignments-{number}"', 1)[1].split("</p>", 1)[0]
    assert f"3 trong {total} cơ quan" in more
    assert f"/assignments?directive={directive_1661.id}" in more
    assert f"Giao cho {total} cơ quan, đơn vị:" in html
