"""Evidence files through the web, as a user does it: upload, refusals, download, submit.

SECURITY.md items 12, 13, 15, 16 and 25. The evidence folder lives in the session's
instance folder and is not rolled back between tests, so every test compares the folder
before and after, and uploads content of its own (a unique marker in the bytes)."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from markupsafe import escape
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.helpers import csrf_token, post_form, user_named
from tracker.assignments.models import Submission
from tracker.audit import Event
from tracker.evidence.models import Evidence
from tracker.evidence.sniff import MARKUP_MESSAGE, UNSUPPORTED_MESSAGE
from tracker.evidence.storage import EvidenceStore

VERSION_PATTERN = re.compile(r'name="version" type="hidden" value="(\d+)"')
MEBIBYTE = 1024 * 1024


# Helpers ---------------------------------------------------------------------------------


def make_pdf(marker: str | None = None) -> bytes:
    """A minimal valid one-page PDF; `marker` (unique by default) makes its hash new."""
    marker = marker or uuid.uuid4().hex
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%" + marker.encode("ascii") + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def evidence_dir(app) -> Path:
    return Path(app.config["EVIDENCE_DIR"])


def files_under(folder: Path) -> set[Path]:
    """Every file in the evidence folder, temp files included."""
    if not folder.exists():
        return set()
    return {path for path in folder.rglob("*") if path.is_file()}


def assignment_page(assignment) -> str:
    return f"/assignments/{assignment.id}"


def upload(client, assignment, content: bytes, name: str, *, token_from: str | None = None):
    """POST the upload form. The multipart body is built in memory: for large bodies
    Werkzeug's test client spools it to a temp file it never closes (a ResourceWarning)."""
    token = csrf_token(client, token_from or assignment_page(assignment))
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(content), filename=name)}
    )
    return client.post(
        f"/assignments/{assignment.id}/evidence",
        data=body,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


def page_version(client, assignment) -> str:
    html = client.get(assignment_page(assignment)).get_data(as_text=True)
    match = VERSION_PATTERN.search(html)
    assert match, "no hidden version input on the assignment page"
    return match.group(1)


def evidence_rows(session, assignment) -> list[Evidence]:
    session.expire_all()
    return list(
        session.scalars(
            sa.select(Evidence).where(Evidence.assignment_id == assignment.id).order_by(Evidence.id)
        )
    )


def download(client, evidence_id: int):
    """GET the file and close the response (send_file keeps the file open until then)."""
    with client.get(f"/evidence/{evidence_id}") as response:
        response.get_data()
        return response


@pytest.fixture
def snv_assignment(make_assignment):
    return make_assignment("SNV", evidence_required=True)


@pytest.fixture
def uploaded(app, client, auth, session, snv_assignment):
    """snv has uploaded one PDF to its assignment; (evidence row, bytes)."""
    content = make_pdf()
    auth.login("snv")
    response = upload(client, snv_assignment, content, "Báo cáo kết quả.pdf")
    assert response.status_code == 302, response.get_data(as_text=True)
    (evidence,) = evidence_rows(session, snv_assignment)
    return evidence, content


# Upload ----------------------------------------------------------------------------------


def test_upload_pdf_stores_row_file_and_event(app, client, auth, session, snv_assignment):
    content = make_pdf()
    auth.login("snv")

    response = upload(client, snv_assignment, content, "Báo cáo kết quả.pdf")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assignments/{snv_assignment.id}#evidence")
    (evidence,) = evidence_rows(session, snv_assignment)
    digest = hashlib.sha256(content).hexdigest()
    assert evidence.sha256 == digest
    assert evidence.size == len(content)
    assert evidence.mime == "application/pdf"
    assert evidence.original_name == "Báo cáo kết quả.pdf"
    assert evidence.uploaded_by_id == user_named(session, "snv").id
    assert evidence.submission_id is None
    stored = EvidenceStore(evidence_dir(app)).path_for(digest)
    assert stored.read_bytes() == content
    event = session.scalars(
        sa.select(Event)
        .where(Event.action == "evidence.upload", Event.subject_id == snv_assignment.id)
        .where(Event.subject_type == "assignment")
    ).one()
    assert event.after["evidence_id"] == evidence.id
    assert event.after["sha256"] == digest
    assert event.actor_id == evidence.uploaded_by_id


def test_upload_page_lists_the_file(client, auth, uploaded, snv_assignment):
    evidence, _content = uploaded

    html = client.get(assignment_page(snv_assignment)).get_data(as_text=True)

    assert f"/evidence/{evidence.id}" in html
    assert "Báo cáo kết quả.pdf" in html


def test_upload_file_name_with_markup_is_escaped(client, auth, session, snv_assignment):
    name = "<img src=x onerror=alert(1)>.pdf"
    auth.login("snv")

    response = upload(client, snv_assignment, make_pdf(), name)

    assert response.status_code == 302
    html = client.get(assignment_page(snv_assignment)).get_data(as_text=True)
    assert "<img src=x" not in html
    # In the flash message, the list of files and the history.
    assert html.count("&lt;img src=x onerror=alert(1)&gt;.pdf") == 3
    (evidence,) = evidence_rows(session, snv_assignment)
    assert evidence.original_name == name


def test_upload_one_byte_over_limit_answers_413_and_leaves_nothing(
    app, client, auth, session, snv_assignment
):
    limit = app.config["MAX_UPLOAD_MB"] * MEBIBYTE
    content = b"%PDF-1.4\n" + b"0" * (limit + 1 - len(b"%PDF-1.4\n"))
    assert len(content) == limit + 1
    auth.login("snv")
    before = files_under(evidence_dir(app))

    response = upload(client, snv_assignment, content, "lon.pdf")

    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Tệp vượt quá dung lượng cho phép (1 MB)." in html
    assert evidence_rows(session, snv_assignment) == []
    assert files_under(evidence_dir(app)) == before


def test_upload_exactly_at_limit_is_accepted(app, client, auth, session, snv_assignment):
    limit = app.config["MAX_UPLOAD_MB"] * MEBIBYTE
    head = make_pdf()
    content = head + b"%" * (limit - len(head))
    auth.login("snv")

    response = upload(client, snv_assignment, content, "vua-du.pdf")

    assert response.status_code == 302
    (evidence,) = evidence_rows(session, snv_assignment)
    assert evidence.size == limit


def test_upload_body_over_max_content_length_answers_413_page(
    app, client, auth, session, snv_assignment
):
    content = b"%PDF-1.4\n" + b"0" * app.config["MAX_CONTENT_LENGTH"]
    auth.login("snv")
    before = files_under(evidence_dir(app))

    response = upload(client, snv_assignment, content, "rat-lon.pdf")

    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Tệp quá lớn" in html
    assert f"Tệp tải lên vượt quá {app.config['MAX_UPLOAD_MB']} MB." in html
    assert "Traceback" not in html
    assert evidence_rows(session, snv_assignment) == []
    assert files_under(evidence_dir(app)) == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        pytest.param(
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n",
            "bao-cao.pdf",
            "Nội dung tệp không khớp với phần mở rộng .pdf.",
            id="html-renamed-pdf",
        ),
        pytest.param(
            b"<html><body>xin chao</body></html>\n",
            "bao-cao.txt",
            MARKUP_MESSAGE,
            id="html-renamed-txt",
        ),
        pytest.param(
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48,
            "setup.exe",
            UNSUPPORTED_MESSAGE,
            id="exe",
        ),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n',
            "hinh.svg",
            UNSUPPORTED_MESSAGE,
            id="svg",
        ),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
            "hinh.png",
            "Nội dung tệp không khớp với phần mở rộng .png.",
            id="svg-renamed-png",
        ),
    ],
)
def test_upload_wrong_type_answers_422_and_leaves_nothing(
    app, client, auth, session, snv_assignment, content, name, message
):
    auth.login("snv")
    before = files_under(evidence_dir(app))

    response = upload(client, snv_assignment, content, name)

    assert response.status_code == 422
    assert str(escape(message)) in response.get_data(as_text=True)
    assert evidence_rows(session, snv_assignment) == []
    assert files_under(evidence_dir(app)) == before


def test_upload_without_file_answers_422(client, auth, session, snv_assignment):
    auth.login("snv")

    response = post_form(
        client,
        f"/assignments/{snv_assignment.id}/evidence",
        {},
        token_from=assignment_page(snv_assignment),
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "Hãy chọn một tệp để tải lên." in response.get_data(as_text=True)
    assert evidence_rows(session, snv_assignment) == []


def test_upload_without_csrf_token_answers_400(client, auth, session, snv_assignment):
    auth.login("snv")

    response = client.post(
        f"/assignments/{snv_assignment.id}/evidence",
        data={"file": (io.BytesIO(make_pdf()), "a.pdf")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert evidence_rows(session, snv_assignment) == []


def test_upload_same_content_twice_stores_one_file_and_two_rows(
    app, client, auth, session, snv_assignment
):
    content = make_pdf()
    auth.login("snv")
    before = files_under(evidence_dir(app))

    first = upload(client, snv_assignment, content, "lan-1.pdf")
    second = upload(client, snv_assignment, content, "lan-2.pdf")

    assert (first.status_code, second.status_code) == (302, 302)
    rows = evidence_rows(session, snv_assignment)
    assert [row.original_name for row in rows] == ["lan-1.pdf", "lan-2.pdf"]
    assert {row.sha256 for row in rows} == {hashlib.sha256(content).hexdigest()}
    new_files = files_under(evidence_dir(app)) - before
    assert new_files == {EvidenceStore(evidence_dir(app)).path_for(rows[0].sha256)}


def test_upload_by_other_agency_user_answers_404(app, client, auth, session, snv_assignment):
    auth.login("sct")
    before = files_under(evidence_dir(app))

    response = upload(client, snv_assignment, make_pdf(), "a.pdf", token_from="/")

    assert response.status_code == 404
    assert evidence_rows(session, snv_assignment) == []
    assert files_under(evidence_dir(app)) == before


@pytest.mark.parametrize("username", ["lanhdao", "vanphong"])
def test_upload_by_non_worker_is_refused(app, client, auth, session, snv_assignment, username):
    auth.login(username)
    before = files_under(evidence_dir(app))

    response = upload(client, snv_assignment, make_pdf(), "a.pdf")

    assert response.status_code in (403, 404)
    assert evidence_rows(session, snv_assignment) == []
    assert files_under(evidence_dir(app)) == before


def test_upload_anonymous_redirects_to_login(app, client, session, snv_assignment):
    response = client.post(
        f"/assignments/{snv_assignment.id}/evidence",
        data={
            "csrf_token": csrf_token(client, "/login"),
            "file": (io.BytesIO(make_pdf()), "a.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert evidence_rows(session, snv_assignment) == []


# Download --------------------------------------------------------------------------------


def assert_safe_attachment(response, content: bytes) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.mimetype == "application/pdf"
    assert response.get_data() == content


@pytest.mark.parametrize("username", ["snv", "vanphong", "admin", "lanhdao"])
def test_download_by_uploader_and_office_returns_attachment(client, auth, uploaded, username):
    evidence, content = uploaded
    auth.logout()
    auth.login(username)

    response = download(client, evidence.id)

    assert_safe_attachment(response, content)
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o" in response.headers["Content-Disposition"]


def test_a_text_file_downloads_with_its_charset_named_once(client, auth, session, snv_assignment):
    content = "Số liệu;Giá trị\nCài đặt;98,3\n".encode()
    auth.login("snv")
    response = upload(client, snv_assignment, content, "so-lieu.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    (evidence,) = evidence_rows(session, snv_assignment)

    response = download(client, evidence.id)

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.get_data() == content


@pytest.mark.parametrize("username", ["sct", "stttt", "tamduong"])
def test_download_by_other_agency_user_answers_404(client, auth, uploaded, username):
    evidence, _content = uploaded
    auth.logout()
    auth.login(username)

    response = download(client, evidence.id)

    assert response.status_code == 404
    assert "Content-Disposition" not in response.headers


def test_download_unknown_id_answers_404(client, auth, uploaded):
    evidence, _content = uploaded

    response = download(client, evidence.id + 10_000)

    assert response.status_code == 404


def test_download_anonymous_redirects_to_login(client, auth, uploaded):
    evidence, _content = uploaded
    auth.logout()

    response = download(client, evidence.id)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "Content-Disposition" not in response.headers


def test_download_name_with_cr_lf_is_sanitised(client, auth, session, uploaded, snv_assignment):
    evidence, content = uploaded
    hostile = Evidence(
        assignment_id=snv_assignment.id,
        sha256=evidence.sha256,
        size=evidence.size,
        mime=evidence.mime,
        original_name="Báo cáo\r\nSet-Cookie: bi=mat\r\n.pdf",
        uploaded_by_id=evidence.uploaded_by_id,
    )
    session.add(hostile)
    session.commit()

    response = download(client, hostile.id)

    assert_safe_attachment(response, content)
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert all("bi=mat" not in cookie for cookie in response.headers.getlist("Set-Cookie"))
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1oSet-Cookie%3A%20bi%3Dmat.pdf" in disposition


# Submitting with evidence ----------------------------------------------------------------


def submit(client, assignment, version: str, text: str = "Đã hoàn thành nhiệm vụ."):
    return post_form(
        client,
        f"/assignments/{assignment.id}/submit",
        {"text": text, "version": version},
        token_from=assignment_page(assignment),
    )


def test_submit_without_required_evidence_is_refused(client, auth, session, snv_assignment):
    auth.login("snv")

    response = submit(client, snv_assignment, page_version(client, snv_assignment))

    assert response.status_code == 422
    assert "Nhiệm vụ này yêu cầu minh chứng" in response.get_data(as_text=True)
    session.expire_all()
    assert snv_assignment.status == "assigned"
    assert snv_assignment.submissions == []


def test_submit_with_evidence_links_file_to_submission(client, auth, session, snv_assignment):
    auth.login("snv")
    assert upload(client, snv_assignment, make_pdf(), "minh-chung.pdf").status_code == 302

    response = submit(client, snv_assignment, page_version(client, snv_assignment))

    assert response.status_code == 302
    session.expire_all()
    assert snv_assignment.status == "submitted"
    (submission,) = session.scalars(
        sa.select(Submission).where(Submission.assignment_id == snv_assignment.id)
    )
    (evidence,) = evidence_rows(session, snv_assignment)
    assert evidence.submission_id == submission.id


def test_upload_after_submit_is_refused(app, client, auth, session, snv_assignment):
    auth.login("snv")
    assert upload(client, snv_assignment, make_pdf(), "minh-chung.pdf").status_code == 302
    assert submit(client, snv_assignment, page_version(client, snv_assignment)).status_code == 302
    before = files_under(evidence_dir(app))

    response = upload(client, snv_assignment, make_pdf(), "muon.pdf", token_from="/")

    assert response.status_code == 403
    assert len(evidence_rows(session, snv_assignment)) == 1
    assert files_under(evidence_dir(app)) == before
