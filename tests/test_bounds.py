"""Out-of-range input answers a clear 4xx, never a 500: huge ids, stale or forged form
versions, dates far out of range."""

from __future__ import annotations

import io
import os
import stat
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token, user_named
from tracker import clock, create_app, db
from tracker.agencies.operations import agency_by_code
from tracker.documents.operations import issue_document
from tracker.documents.reply import draft_reply
from tracker.evidence.operations import add_evidence
from tracker.reports.accountability import build_accountability
from tracker.reports.export import to_xlsx
from tracker.routing import external_url


@pytest.mark.parametrize(
    "path",
    [
        "/directives/9223372036854775808",
        "/directives/99999999999999999999999",
        "/assignments/2147483648",
        "/documents/9223372036854775807",
    ],
)
def test_huge_ids_answer_404(client, auth, path):
    auth.login("vanphong")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_dates_out_of_range_answer_422(client, auth, as_of):
    auth.login("lanhdao")
    assert client.get(f"/?as_of={as_of}").status_code == 422
    assert client.get(f"/reports/accountability?as_of={as_of}&format=csv").status_code == 422


def test_forged_form_version_answers_422(client, auth, session, make_assignment):
    assignment = make_assignment("SNV")
    auth.login("snv")
    path = f"/assignments/{assignment.id}"
    for version in ("abc", "1e9", "99999999999999999999", ""):
        response = client.post(
            f"{path}/start",
            data={"csrf_token": csrf_token(client, path), "version": version},
        )
        assert response.status_code == 422, version
        assert "tải lại trang" in response.get_data(as_text=True) or version == ""


def test_control_characters_in_forms_are_refused(client, auth, session, make_assignment):
    assignment = make_assignment("SNV")
    auth.login("snv")
    path = f"/assignments/{assignment.id}"
    response = client.post(
        f"{path}/submit",
        data={
            "csrf_token": csrf_token(client, path),
            "version": str(assignment.version),
            "text": "Báo cáo\x00có NUL",
        },
    )
    assert response.status_code == 422
    assert "ký tự điều khiển" in response.get_data(as_text=True)
    session.refresh(assignment)
    assert assignment.submissions == []
    assert client.get("/?as_of=2020-08-21\x01").status_code == 422


def test_signed_in_pages_are_not_cached(client, auth):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    auth.login("snv")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_file_names_are_cleaned_everywhere(session, make_assignment):
    assignment = make_assignment("SNV")
    evidence = add_evidence(
        session,
        user_named(session, "snv"),
        assignment,
        io.BytesIO(b"noi dung"),
        "=cmd|' /C calc'!A0\x00bao\u202ecao.txt",
    )
    assert evidence.original_name == "=cmd|' /C calc'!A0baocao.txt"
    report = build_accountability(session, clock.today(), assignment.task.directive_id)
    (line,) = report.evidence
    assert "\u202e" not in line.file_name and "\x00" not in line.file_name
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))["Minh chứng"]
    cell = sheet.cell(row=2, column=3)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_agencies_see_only_their_own_issued_documents(client, auth, session, directive_1661):
    draft = draft_reply(session, directive_1661, agency_by_code(session, "SNV"), date(2020, 8, 20))
    document = issue_document(session, None, draft)
    link = f"/documents/{document.id}"
    auth.login("stp")
    assert link not in client.get(f"/directives/{directive_1661.id}").get_data(as_text=True)
    auth.logout()
    auth.login("snv")
    assert link in client.get(f"/directives/{directive_1661.id}").get_data(as_text=True)


def test_error_page_renders_while_the_database_is_down(tmp_path):
    """A signed-in user's request while the database cannot be reached: a clear 503
    page, drawn without the database, never a bare server error."""
    from tracker import create_app

    app = create_app(
        {
            "TESTING": False,
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2",
        }
    )
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:1"
        session["_fresh"] = True
    response = client.get("/")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "không truy cập được cơ sở dữ liệu" in page and "Traceback" not in page


def test_links_use_the_configured_address_not_the_host_header(app):
    token = "x" * 43
    with app.test_request_context("/", headers={"Host": "attacker.example"}):
        assert external_url("feeds.calendar", token=token).startswith("http://attacker.example/")
        app.config["BASE_URL"] = "https://tracker.laichau.example/"
        try:
            link = external_url("feeds.calendar", token=token)
        finally:
            app.config["BASE_URL"] = ""
    assert link == f"https://tracker.laichau.example/feeds/{token}.ics"


def test_files_are_private(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "x"})
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        db.session.remove()
    assert stat.S_IMODE(os.stat(instance).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(instance / "tracker.db").st_mode) == 0o600
    app.extensions["tracker.db"].engine.dispose()
