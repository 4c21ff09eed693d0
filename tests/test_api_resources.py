"""The JSON API's other resources, through real requests on the seeded database:
extension requests, indicators and their values, agencies with their sub-units,
search, and importing a directive from its text to its confirmed tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.test import encode_multipart

from tests.test_api import PROBLEM, assignment_of, bearer, token_for
from tracker.agencies.models import Agency
from tracker.assignments.models import Assignment, ExtensionRequest
from tracker.directives.models import Directive, ImportDraft, Indicator, Task
from tracker.directives.operations import find_directive

IMPORT_TEXT = (
    "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 2024/UBND-VX\n"
    "Lai Châu, ngày 02 tháng 3 năm 2021\n"
    "V/v triển khai tiêm chủng vắc xin phòng COVID-19\n"
    "Kính gửi: Sở Y tế; Sở Thông tin và Truyền thông.\n"
    "1. Sở Y tế xây dựng kế hoạch tiêm chủng, báo cáo trước ngày 10/3/2021.\n"
    "2. Sở Thông tin và Truyền thông tuyên truyền trên các phương tiện thông tin đại chúng.\n"
    "3. Sở Y tế chủ trì, phối hợp với Sở Thông tin và Truyền thông tổng hợp số liệu hằng"
    " tuần.\n"
)


@pytest.fixture
def stttt_work(make_assignment) -> Assignment:
    """Open work of Sở TT&TT with a deadline (18/08/2020)."""
    return make_assignment("STTTT")


# Extension requests ------------------------------------------------------------------------


def test_an_agency_asks_for_more_time_and_the_office_grants_it(client, session, stttt_work):
    assignment = stttt_work
    old_due = assignment.due_date
    asked = old_due + timedelta(days=10)
    agency = token_for(session, "stttt")
    created = client.post(
        f"/api/v1/assignments/{assignment.id}/extensions",
        json={"proposed_date": asked.isoformat(), "reason": "Chờ số liệu của các xã."},
        headers=bearer(agency, **{"Idempotency-Key": "gia-han-1"}),
    )
    assert created.status_code == 201, created.get_json()
    extension = created.get_json()
    assert extension["status"] == "pending" and extension["proposed_date"] == asked.isoformat()
    assert created.headers["Location"].endswith(f"/api/v1/extensions/{extension['id']}")
    again = client.post(
        f"/api/v1/assignments/{assignment.id}/extensions",
        json={"proposed_date": asked.isoformat(), "reason": "Chờ số liệu của các xã."},
        headers=bearer(agency, **{"Idempotency-Key": "gia-han-1"}),
    )
    assert again.get_json() == extension and again.headers["Idempotent-Replayed"] == "true"
    listed = client.get(
        f"/api/v1/assignments/{assignment.id}/extensions", headers=bearer(agency)
    ).get_json()
    assert [item["id"] for item in listed["items"]][0] == extension["id"]
    assert session.scalar(
        sa.select(sa.func.count())
        .select_from(ExtensionRequest)
        .where(ExtensionRequest.assignment_id == assignment.id)
    ) == len(listed["items"])

    # The agency cannot decide its own request; the office can.
    office = token_for(session, "vanphong")
    refused = client.post(
        f"/api/v1/extensions/{extension['id']}/grant", json={}, headers=bearer(agency)
    )
    assert refused.status_code == 403 and refused.mimetype == PROBLEM
    granted = client.post(
        f"/api/v1/extensions/{extension['id']}/grant", json={}, headers=bearer(office)
    )
    assert granted.status_code == 200, granted.get_json()
    assert granted.get_json()["granted_date"] == asked.isoformat()
    work = client.get(f"/api/v1/assignments/{assignment.id}", headers=bearer(agency)).get_json()
    assert work["due_date"] == asked.isoformat()
    assert work["original_due_date"] == (assignment.original_due_date or old_due).isoformat()
    twice = client.post(
        f"/api/v1/extensions/{extension['id']}/deny",
        json={"reason": "Muộn."},
        headers=bearer(office),
    )
    assert twice.status_code == 409


def test_extension_requests_are_checked_in_the_readers_language(client, session, stttt_work):
    assignment = stttt_work
    agency = token_for(session, "stttt")
    earlier = client.post(
        f"/api/v1/assignments/{assignment.id}/extensions",
        json={"proposed_date": assignment.due_date.isoformat(), "reason": "Chờ số liệu."},
        headers=bearer(agency),
    )
    assert earlier.status_code == 422
    assert "sau thời hạn hiện tại" in earlier.get_json()["detail"]
    english = client.post(
        f"/api/v1/assignments/{assignment.id}/extensions",
        json={"proposed_date": "31/12/2030", "reason": ""},
        headers=bearer(agency, **{"Accept-Language": "en"}),
    )
    assert english.status_code == 422
    pointers = {error["pointer"]: error["detail"] for error in english.get_json()["errors"]}
    assert set(pointers) == {"/proposed_date", "/reason"}
    assert "date" in pointers["/proposed_date"].lower()
    assert (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(ExtensionRequest)
            .where(ExtensionRequest.assignment_id == assignment.id)
        )
        == 0
    )


def test_a_denial_needs_a_reason(client, session, stttt_work):
    assignment = stttt_work
    agency, office = token_for(session, "stttt"), token_for(session, "vanphong")
    extension = client.post(
        f"/api/v1/assignments/{assignment.id}/extensions",
        json={
            "proposed_date": (assignment.due_date + timedelta(days=3)).isoformat(),
            "reason": "Chờ số liệu.",
        },
        headers=bearer(agency),
    ).get_json()
    empty = client.post(
        f"/api/v1/extensions/{extension['id']}/deny", json={"reason": ""}, headers=bearer(office)
    )
    assert empty.status_code == 422
    denied = client.post(
        f"/api/v1/extensions/{extension['id']}/deny",
        json={"reason": "Đủ thời gian thực hiện."},
        headers=bearer(office),
    )
    assert denied.status_code == 200
    assert denied.get_json()["status"] == "denied"
    assert (
        client.get(f"/api/v1/assignments/{assignment.id}", headers=bearer(agency)).get_json()[
            "due_date"
        ]
        == assignment.due_date.isoformat()
    )


# Indicators --------------------------------------------------------------------------------


def test_an_indicator_lists_each_agencys_reported_value(client, session):
    indicator = session.scalar(sa.select(Indicator).where(Indicator.code == "bluezone_staff"))
    office = token_for(session, "vanphong", "read")
    response = client.get(
        f"/api/v1/indicators/{indicator.id}?as_of=2020-09-30", headers=bearer(office)
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["code"] == "bluezone_staff" and body["as_of"] == "2020-09-30"
    values = {value["agency_code"]: value for value in body["values"]}
    assert values, "the demo activity reports staff figures"
    # Each value is the agency's own report: its figures, as submitted.
    stttt = assignment_of(session, body_task_number(session, indicator), "STTTT")
    reported = next(
        submission.figures["bluezone_staff"]
        for submission in sorted(stttt.submissions, key=lambda item: item.submitted_at)[::-1]
        if submission.figures and "bluezone_staff" in submission.figures
    )
    assert [values["STTTT"]["numerator"], values["STTTT"]["denominator"]] == reported
    ranks = [value["rank"] for value in body["values"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    province = body["province"]
    if province["reporting"] == province["owing"] and not province["stated"]:
        assert province["numerator"] == sum(value["numerator"] for value in body["values"])
    assert province["reporting"] == len(values) or province["stated"]


def body_task_number(session, indicator: Indicator) -> str:
    return session.get(Task, indicator.task_id).number


def test_an_indicator_is_not_an_agencys_to_read(client, session):
    indicator = session.scalar(sa.select(Indicator).where(Indicator.code == "bluezone_staff"))
    response = client.get(
        f"/api/v1/indicators/{indicator.id}", headers=bearer(token_for(session, "stttt"))
    )
    assert response.status_code == 404 and response.mimetype == PROBLEM
    office = bearer(token_for(session, "vanphong"))
    too_early = client.get(f"/api/v1/indicators/{indicator.id}?as_of=1990-01-01", headers=office)
    assert too_early.status_code == 422
    assert too_early.get_json()["errors"][0]["pointer"] == "/as_of"


# Agencies and sub-units --------------------------------------------------------------------


def test_an_agency_with_its_sub_units_and_an_admin_adds_one(client, session):
    district = session.scalar(sa.select(Agency).where(Agency.code == "TAMDUONG"))
    admin = token_for(session, "admin")
    created = client.post(
        f"/api/v1/agencies/{district.id}/subunits",
        json={"code": "xa-binh-lu", "name": "Ủy ban nhân dân xã Bình Lư"},
        headers=bearer(admin),
    )
    assert created.status_code == 201, created.get_json()
    subunit = created.get_json()
    assert subunit["code"] == "XA-BINH-LU" and subunit["kind"] == "commune"
    assert subunit["parent"]["code"] == "TAMDUONG"
    seen = client.get(
        f"/api/v1/agencies/{district.id}", headers=bearer(token_for(session, "tamduong"))
    ).get_json()
    assert "XA-BINH-LU" in [child["code"] for child in seen["subunits"]]
    # The district's user opens its commune; a neighbour does not.
    assert (
        client.get(
            f"/api/v1/agencies/{subunit['id']}", headers=bearer(token_for(session, "tamduong"))
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/agencies/{subunit['id']}", headers=bearer(token_for(session, "stttt"))
        ).status_code
        == 404
    )
    again = client.post(
        f"/api/v1/agencies/{district.id}/subunits",
        json={"code": "XA-BINH-LU", "name": "Trùng mã"},
        headers=bearer(admin),
    )
    assert again.status_code == 422 and "XA-BINH-LU" in again.get_json()["detail"]
    refused = client.post(
        f"/api/v1/agencies/{district.id}/subunits",
        json={"code": "XA-KHAC", "name": "Xã khác"},
        headers=bearer(token_for(session, "vanphong")),
    )
    assert refused.status_code == 403
    assert session.scalar(sa.select(Agency).where(Agency.code == "XA-KHAC")) is None


# Search ------------------------------------------------------------------------------------


def test_search_finds_what_the_user_may_see_without_diacritics(
    client, session, make_agency, make_user
):
    directive = find_directive(session, "1661/UBND-VX")
    found = client.get(
        "/api/v1/search?q=bluezone&kind=directive", headers=bearer(token_for(session, "stttt"))
    )
    assert found.status_code == 200
    hits = found.get_json()["items"]
    assert directive.id in [hit["directive_id"] for hit in hits]
    assert all(hit["kind"] == "directive" for hit in hits)
    assert "<mark>" not in found.get_data(as_text=True)
    # An agency with no work in 1661 finds none of it.
    idle = make_user(agency=make_agency())
    none = client.get(
        "/api/v1/search?q=bluezone", headers=bearer(token_for(session, idle.username))
    ).get_json()
    assert directive.id not in [hit["directive_id"] for hit in none["items"]]


@pytest.mark.parametrize(
    "query, pointer_or_detail",
    [
        ("q=", "/q"),
        ("q=bluezone&status=bogus", "Trạng thái"),
        ("q=bluezone&day_from=2021-01-02&day_to=2021-01-01", "Từ ngày"),
        ("q=bluezone&kind=letter", "/kind"),
    ],
)
def test_search_refuses_bad_filters_saying_which(client, session, query, pointer_or_detail):
    response = client.get(f"/api/v1/search?{query}", headers=bearer(token_for(session, "stttt")))
    assert response.status_code == 422 and response.mimetype == PROBLEM
    body = response.get_json()
    pointers = [error["pointer"] for error in body.get("errors", [])]
    assert pointer_or_detail in pointers or pointer_or_detail in body["detail"]


# Importing a directive ---------------------------------------------------------------------


def test_import_a_directive_from_text_then_confirm_it(client, session):
    office = token_for(session, "vanphong")
    created = client.post(
        "/api/v1/imports",
        data={"text": IMPORT_TEXT},
        headers=bearer(office),
        content_type="multipart/form-data",
    )
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()
    assert draft["status"] == "open"
    assert draft["draft"]["number"] == "2024" and draft["draft"]["symbol"] == "UBND-VX"
    assert [task["number"] for task in draft["draft"]["tasks"]] == ["1", "2", "3"]
    assert "task_spans" not in draft["draft"]
    read = client.get(created.headers["Location"], headers=bearer(office)).get_json()
    assert read == draft

    unknown = client.post(
        f"/api/v1/imports/{draft['id']}/confirm", json={"leave_out": ["9"]}, headers=bearer(office)
    )
    assert unknown.status_code == 422
    assert session.scalar(sa.select(Directive).where(Directive.number == "2024")) is None
    confirmed = client.post(
        f"/api/v1/imports/{draft['id']}/confirm", json={"leave_out": ["2"]}, headers=bearer(office)
    )
    assert confirmed.status_code == 201, confirmed.get_json()
    directive = confirmed.get_json()
    assert directive["reference"] == "2024/UBND-VX"
    assert [task["number"] for task in directive["tasks"]] == ["1", "3"]
    assert confirmed.headers["Location"].endswith(f"/api/v1/directives/{directive['id']}")
    # Each task's agencies are assigned: Sở Y tế sees task 1 as its work.
    syt = token_for(session, "syt")
    work = client.get(
        f"/api/v1/obligations?directive={directive['id']}", headers=bearer(syt)
    ).get_json()
    assert {item["task_number"] for item in work["items"]} >= {"1", "3"}
    assert (
        client.post(
            f"/api/v1/imports/{draft['id']}/confirm", json={}, headers=bearer(office)
        ).status_code
        == 409
    )
    # The same directive again is refused unless the office asks to update it.
    second = client.post(
        "/api/v1/imports",
        data={"text": IMPORT_TEXT},
        headers=bearer(office),
        content_type="multipart/form-data",
    ).get_json()
    refused = client.post(
        f"/api/v1/imports/{second['id']}/confirm", json={}, headers=bearer(office)
    )
    assert refused.status_code == 422 and "2024/UBND-VX" in refused.get_json()["detail"]
    updated = client.post(
        f"/api/v1/imports/{second['id']}/confirm",
        json={"update_existing": True},
        headers=bearer(office),
    )
    assert updated.status_code == 201
    assert sorted(task["number"] for task in updated.get_json()["tasks"]) == ["1", "2", "3"]


@pytest.mark.parametrize(
    "data",
    [
        {"text": ""},
        {"text": "Xin chào, đây không phải một văn bản."},
        # Longer than a text may be, in three-byte letters: refused by the field's
        # limit, not as an oversized upload.
        {"text": "ễ" * 200_001},
    ],
    ids=["empty", "not-a-directive", "too-long"],
)
def test_an_import_refused_at_once_keeps_nothing(client, session, data):
    before = session.scalar(sa.select(sa.func.count()).select_from(ImportDraft))
    # Encoded here, in memory (the test client would spool a long body to a file).
    boundary, body = encode_multipart(data)
    response = client.post(
        "/api/v1/imports",
        data=body,
        headers=bearer(token_for(session, "vanphong")),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert response.get_json()["errors"][0]["pointer"] == "/text"
    assert session.scalar(sa.select(sa.func.count()).select_from(ImportDraft)) == before


def test_a_draft_is_discarded_once(client, session):
    office = token_for(session, "vanphong")
    draft = client.post(
        "/api/v1/imports",
        data={"text": IMPORT_TEXT},
        headers=bearer(office),
        content_type="multipart/form-data",
    ).get_json()
    discarded = client.post(f"/api/v1/imports/{draft['id']}/discard", headers=bearer(office))
    assert discarded.status_code == 200 and discarded.get_json()["status"] == "discarded"
    assert (
        client.post(f"/api/v1/imports/{draft['id']}/discard", headers=bearer(office)).status_code
        == 409
    )
    assert (
        client.post(
            f"/api/v1/imports/{draft['id']}/confirm", json={}, headers=bearer(office)
        ).status_code
        == 409
    )


def test_imports_are_the_offices_alone(client, session):
    response = client.post(
        "/api/v1/imports",
        data={"text": IMPORT_TEXT},
        headers=bearer(token_for(session, "syt")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert session.scalar(sa.select(sa.func.count()).select_from(ImportDraft)) == 0
