"""The JSON API (/api/v1): tokens, problem details, paging, ETags, idempotency, rate
limits and the OpenAPI document, through real requests on the seeded database."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from tests.helpers import count_queries, csrf_token, user_named
from tests.test_evidence_web import make_pdf
from tracker import clock
from tracker.agencies.models import Agency
from tracker.api.models import ApiToken, IdempotentRequest
from tracker.api.tokens import digest, issue
from tracker.assignments.models import Assignment, AssignmentStatus, Submission
from tracker.assignments.obligations import PROVINCE, counts
from tracker.cli import main
from tracker.directives.models import Task
from tracker.directives.operations import find_directive

PROBLEM = "application/problem+json"


def token_for(session, username: str, scope: str = "write") -> str:
    return issue(
        session, user_named(session, username), "kiểm thử", scope, timedelta(days=1)
    ).secret


def bearer(secret: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


def assignment_of(session, task_number: str, agency_code: str) -> Assignment:
    directive = find_directive(session, "1661/UBND-VX")
    found = session.scalar(
        sa.select(Assignment)
        .join(Task)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(
            Task.directive_id == directive.id,
            Task.number == task_number,
            Agency.code == agency_code,
            Assignment.parent_id.is_(None),
        )
    )
    assert found is not None
    return found


@pytest.fixture
def stttt_open(session) -> Assignment:
    """An open assignment of Sở TT&TT in 1661 it may submit on."""
    for task_number in ("1", "2", "3", "4", "5"):
        try:
            found = assignment_of(session, task_number, "STTTT")
        except AssertionError:
            continue
        if found.status in (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS) and not (
            found.task.indicators
        ):
            return found
    pytest.skip("the seed has no open STTTT assignment without indicators")


# The document ----------------------------------------------------------------------------


def test_openapi_document_is_valid_openapi_3_1_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert "/assignments/{assignment_id}/submissions" in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_docs_page_is_served_from_the_package(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    assert "http" not in html.split("<body>")[1].replace("http-equiv", "")
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as script:
        assert script.status_code == 200 and b"SwaggerUIBundle" in script.get_data()
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404


# Tokens ------------------------------------------------------------------------------------


def test_without_a_token_the_api_answers_401_problem_details(client):
    response = client.get("/api/v1/directives")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == 401 and body["title"] and body["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_with_a_token_directives_list_1661(client, session):
    secret = token_for(session, "stttt", "read")
    response = client.get("/api/v1/directives", headers=bearer(secret))
    assert response.status_code == 200
    references = [item["reference"] for item in response.get_json()["items"]]
    assert "1661/UBND-VX" in references


@pytest.mark.parametrize("how", ["unknown", "revoked", "expired", "disabled", "basic"])
def test_unusable_tokens_answer_401(client, session, how):
    secret = token_for(session, "stttt")
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    headers = bearer(secret)
    if how == "unknown":
        headers = bearer(secret[:-2] + "xx")
    elif how == "revoked":
        token.revoked_at = clock.now()
    elif how == "expired":
        token.expires_at = clock.now() - timedelta(seconds=1)
    elif how == "disabled":
        token.user.active = False
    else:
        headers = {"Authorization": f"Basic {secret}"}
    session.flush()
    assert client.get("/api/v1/directives", headers=headers).status_code == 401


def test_the_session_cookie_is_not_a_credential_on_the_api(client, auth):
    auth.login("vanphong")
    assert client.get("/").status_code == 200
    response = client.get("/api/v1/directives")
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers


def test_the_token_is_stored_as_its_hash_only(session):
    secret = token_for(session, "stttt")
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    assert token is not None and secret not in (token.prefix, token.token_hash, token.name)
    assert secret.startswith(token.prefix)


def test_a_read_token_cannot_write(client, session, stttt_open):
    secret = token_for(session, "stttt", "read")
    response = client.post(
        f"/api/v1/assignments/{stttt_open.id}/start", json={}, headers=bearer(secret)
    )
    assert response.status_code == 403 and response.mimetype == PROBLEM
    assert session.get(Assignment, stttt_open.id).status == stttt_open.status


def test_another_agency_gets_404_for_an_assignment_not_its_own(client, session):
    secret = token_for(session, "syt")
    assignment = assignment_of(session, "2", "STTTT")
    response = client.get(f"/api/v1/assignments/{assignment.id}", headers=bearer(secret))
    assert response.status_code == 404 and response.mimetype == PROBLEM
    missing = client.get("/api/v1/assignments/2147483647", headers=bearer(secret))
    assert missing.status_code == 404
    assert response.get_json()["detail"] == missing.get_json()["detail"]


def test_token_cli_prints_a_token_that_works(runner, client, session):
    result = runner.invoke(main, ["token", "create", "stttt", "--scope", "write"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    assert secret.startswith("trk_")
    assert client.get("/api/v1/directives", headers=bearer(secret)).status_code == 200
    listed = runner.invoke(main, ["token", "list", "stttt"])
    assert secret[:10] in listed.output and secret not in listed.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "create", "khongco"], "Không có tài khoản"),
        (["token", "create", "stttt", "--expires", "900d"], "Thời hạn phải từ 1 đến 366 ngày"),
        (["token", "create", "stttt", "--scope", "all"], "Invalid value"),
        (["token", "revoke", "stttt", "2147483000"], "Không có mã truy cập"),
    ],
)
def test_token_cli_refuses_with_a_clear_message(runner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code == 2 if "Invalid" in message else result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_tokens_page_shows_a_new_token_once_and_revokes(client, auth, session):
    auth.login("stttt")
    token = csrf_token(client, "/account/tokens")
    page = client.post(
        "/account/tokens",
        data={"csrf_token": token, "name": "iOffice", "scope": "write", "days": "30"},
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = html.split('data-testid="token-secret">')[1].split("<")[0]
    assert secret.startswith("trk_")
    assert client.get("/api/v1/directives", headers=bearer(secret)).status_code == 200
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and secret[:10] in again and "iOffice" in again
    token_id = session.scalar(sa.select(ApiToken.id).where(ApiToken.token_hash == digest(secret)))
    done = client.post(
        f"/account/tokens/{token_id}/revoke",
        data={"csrf_token": csrf_token(client, "/account/tokens")},
    )
    assert done.status_code == 302
    assert client.get("/api/v1/directives", headers=bearer(secret)).status_code == 401


def test_tokens_page_refuses_a_bad_lifetime_and_keeps_nothing(client, auth, session):
    auth.login("stttt")
    before = session.scalar(sa.select(sa.func.count()).select_from(ApiToken))
    page = client.post(
        "/account/tokens",
        data={
            "csrf_token": csrf_token(client, "/account/tokens"),
            "name": "x",
            "scope": "read",
            "days": "0",
        },
    )
    assert page.status_code == 422
    assert "Thời hạn phải từ 1 đến 366 ngày" in page.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == before


def test_another_user_cannot_revoke_my_token(client, auth, session):
    secret = token_for(session, "stttt")
    token_id = session.scalar(sa.select(ApiToken.id).where(ApiToken.token_hash == digest(secret)))
    auth.login("syt")
    response = client.post(
        f"/account/tokens/{token_id}/revoke",
        data={"csrf_token": csrf_token(client, "/account/tokens")},
    )
    assert response.status_code == 404
    assert client.get("/api/v1/directives", headers=bearer(secret)).status_code == 200


# Workflow, ETags and submissions ------------------------------------------------------------


def test_etag_and_if_none_match(client, session, stttt_open):
    secret = token_for(session, "stttt")
    path = f"/api/v1/assignments/{stttt_open.id}"
    first = client.get(path, headers=bearer(secret))
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.get_json()["version"] == stttt_open.version
    again = client.get(path, headers=bearer(secret, **{"If-None-Match": etag}))
    assert again.status_code == 304 and again.get_data() == b""


def test_a_stale_if_match_answers_412_and_changes_nothing(client, session, stttt_open):
    secret = token_for(session, "stttt")
    path = f"/api/v1/assignments/{stttt_open.id}"
    etag = client.get(path, headers=bearer(secret)).headers["ETag"]
    progress = client.post(
        f"{path}/report-progress",
        json={"progress": 40},
        headers=bearer(secret, **{"If-Match": etag}),
    )
    if progress.status_code == 409:  # not a step of this state: start first
        client.post(f"{path}/start", json={}, headers=bearer(secret))
        etag = client.get(path, headers=bearer(secret)).headers["ETag"]
        progress = client.post(
            f"{path}/report-progress",
            json={"progress": 40},
            headers=bearer(secret, **{"If-Match": etag}),
        )
    assert progress.status_code == 200, progress.get_json()
    assert progress.get_json()["progress"] == 40
    assert progress.headers["ETag"] != etag
    stale = client.post(
        f"{path}/report-progress",
        json={"progress": 90},
        headers=bearer(secret, **{"If-Match": etag}),
    )
    assert stale.status_code == 412 and stale.mimetype == PROBLEM
    session.expire_all()
    assert session.get(Assignment, stttt_open.id).progress == 40


def test_workflow_refusals_are_problems_in_the_users_language(client, session, stttt_open):
    secret = token_for(session, "stttt")
    path = f"/api/v1/assignments/{stttt_open.id}/cancel"
    response = client.post(path, json={"reason": "Thử."}, headers=bearer(secret))
    assert response.status_code == 403 and response.mimetype == PROBLEM
    assert "không có quyền" in response.get_json()["detail"]
    english = client.post(
        path, json={"reason": "Thử."}, headers=bearer(secret, **{"Accept-Language": "en"})
    )
    assert "not allowed" in english.get_json()["detail"]


def test_invalid_bodies_name_their_fields(client, session, stttt_open):
    secret = token_for(session, "stttt")
    path = f"/api/v1/assignments/{stttt_open.id}/report-progress"
    wrong = client.post(path, json={"progress": 140, "colour": "red"}, headers=bearer(secret))
    assert wrong.status_code == 422 and wrong.mimetype == PROBLEM
    pointers = {error["pointer"] for error in wrong.get_json()["errors"]}
    assert pointers == {"/progress", "/colour"}
    english = client.post(
        path,
        json={"progress": 140},
        headers=bearer(secret, **{"Accept-Language": "en"}),
    )
    assert english.get_json()["errors"][0]["detail"] == "Greater than allowed."
    broken = client.post(path, data="{", content_type="application/json", headers=bearer(secret))
    assert broken.status_code == 400 and broken.mimetype == PROBLEM
    not_json = client.post(path, data="progress=4", headers=bearer(secret))
    assert not_json.status_code == 415


def _submit(client, secret, assignment, *, key: str | None = None, text="Đã cài đặt Bluezone."):
    headers = bearer(secret)
    if key:
        headers["Idempotency-Key"] = key
    return client.post(
        f"/api/v1/assignments/{assignment.id}/submissions",
        data={"text": text, "file": (io.BytesIO(make_pdf("api")), "bao-cao.pdf")},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_submission_with_a_pdf_appears_on_the_page(client, auth, session, stttt_open):
    secret = token_for(session, "stttt")
    response = _submit(client, secret, stttt_open)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["outcome"] == "pending" and body["evidence"][0]["name"] == "bao-cao.pdf"
    assert body["submitted_at"].endswith("+07:00")
    assert response.headers["Location"].endswith(f"/assignments/{stttt_open.id}/submissions")
    auth.login("stttt")
    page = client.get(f"/assignments/{stttt_open.id}").get_data(as_text=True)
    assert "Đã cài đặt Bluezone." in page and "bao-cao.pdf" in page
    listed = client.get(
        f"/api/v1/assignments/{stttt_open.id}/submissions", headers=bearer(secret)
    ).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]


def test_an_idempotency_key_creates_once_and_replays(client, session, stttt_open):
    secret = token_for(session, "stttt")
    first = _submit(client, secret, stttt_open, key="bao-cao-tuan-1")
    second = _submit(client, secret, stttt_open, key="bao-cao-tuan-1")
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Submission)
            .where(Submission.assignment_id == stttt_open.id)
        )
        == 1
    )
    other = _submit(client, secret, stttt_open, key="bao-cao-tuan-1", text="Nội dung khác.")
    assert other.status_code == 422 and other.mimetype == PROBLEM


def test_a_refused_submission_keeps_neither_key_nor_files(client, session, stttt_open):
    secret = token_for(session, "syt")  # not its work: 404, nothing kept
    response = _submit(client, secret, stttt_open, key="k-1")
    assert response.status_code == 404
    assert session.scalar(sa.select(sa.func.count()).select_from(IdempotentRequest)) == 0


# Lists and counts ----------------------------------------------------------------------------


def test_obligations_page_through_with_next_links(client, session):
    secret = token_for(session, "vanphong", "read")
    seen: list[tuple] = []
    path = "/api/v1/obligations?limit=7"
    pages = 0
    while path:
        page = client.get(path, headers=bearer(secret)).get_json()
        seen += [(item["assignment_id"], item["period_id"]) for item in page["items"]]
        path = page["links"]["next"]
        pages += 1
    assert pages > 1
    assert len(seen) == len(set(seen)) == page["total"]


def test_one_agencys_overdue_obligations(client, session):
    secret = token_for(session, "vanphong", "read")
    with clock.frozen(clock.today()):
        body = client.get(
            "/api/v1/obligations?agency=STTTT&overdue=true", headers=bearer(secret)
        ).get_json()
    assert all(item["agency_code"] == "STTTT" for item in body["items"])
    assert all(item["outcome"] == "open_overdue" for item in body["items"])
    bad = client.get("/api/v1/obligations?sort=colour", headers=bearer(secret))
    assert bad.status_code == 422 and "colour" in bad.get_json()["detail"]


def test_counts_are_the_four_way_count_of_the_domain(client, session):
    secret = token_for(session, "vanphong", "read")
    body = client.get("/api/v1/counts?as_of=2020-08-19", headers=bearer(secret)).get_json()
    expected = counts(session, clock.today().replace(2020, 8, 19), PROVINCE)
    assert body["total"] == expected.total > 0
    assert (
        body["done_on_time"] + body["done_late"] + body["open_within"] + body["open_overdue"]
        == body["total"]
    )


def test_an_agency_lists_only_its_own_tree_of_agencies(client, session):
    secret = token_for(session, "stttt", "read")
    codes = [
        item["code"]
        for item in client.get("/api/v1/agencies", headers=bearer(secret)).get_json()["items"]
    ]
    assert codes == ["STTTT"]


def test_rate_limit_answers_429_with_retry_after(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 3)
    secret = token_for(session, "stttt", "read")
    answers = [client.get("/api/v1/directives", headers=bearer(secret)) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert answers[-1].mimetype == PROBLEM
    other = token_for(session, "syt", "read")
    assert client.get("/api/v1/directives", headers=bearer(other)).status_code == 200


def test_directive_list_queries_stay_constant_as_data_grows(
    client, session, connection, make_task, make_agency
):
    from tracker.assignments.operations import assign_task

    secret = token_for(session, "vanphong", "read")

    def queries(path: str) -> int:
        client.get(path, headers=bearer(secret))
        with count_queries(connection) as statements:
            assert client.get(path, headers=bearer(secret)).status_code == 200
        return len(statements)

    before = {path: queries(path) for path in ("/api/v1/directives", "/api/v1/obligations")}
    agencies = [make_agency() for _ in range(8)]
    for _ in range(3):
        assign_task(session, None, make_task(), agencies)
    after = {path: queries(path) for path in before}
    assert after == before
