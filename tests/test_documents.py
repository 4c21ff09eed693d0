"""Formal documents checked on the PDF itself, item by item from ND30.md; the outgoing
register; the restricted fetcher; the pages and commands that make them."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import threading
import uuid
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from weasyprint import HTML

from tests.conftest import FAST_ARGON2
from tests.helpers import csrf_token
from tests.nd30 import (
    Pdf,
    assert_a4_portrait,
    assert_centred,
    assert_date_line,
    assert_fonts_embedded,
    assert_line_style,
    assert_no_local_file,
    assert_only_fonts,
    assert_page_numbers,
    assert_within_margins,
    capture_weasyprint_warnings,
    find_line,
    find_line_anywhere,
    nd30_date,
)
from tracker import clock
from tracker.agencies.operations import agency_by_code
from tracker.cli import main
from tracker.documents.fetcher import AssetsOnlyFetcher
from tracker.documents.models import DocumentKind, OutgoingDocument
from tracker.documents.operations import issue_document, preview_pdf, store
from tracker.documents.register import next_number
from tracker.documents.rendering import plain
from tracker.documents.reply import draft_reply
from tracker.documents.urge import draft_urge

AS_OF = date(2020, 8, 20)


@pytest.fixture
def reply_pdf(session, directive_1661):
    draft = draft_reply(session, directive_1661, agency_by_code(session, "SNV"), AS_OF)
    # Its figures as of AS_OF; the document itself dated today (issue 9).
    assert (draft.as_of, draft.issued_on) == (AS_OF, clock.today())
    with capture_weasyprint_warnings() as log:
        document = issue_document(session, None, draft)
    assert not log.records, log.messages
    return document, store().path_for(document.sha256).read_bytes()


def test_reply_report_follows_nd30(reply_pdf):
    document, data = reply_pdf
    assert document.reference == "01/BC-SNV"
    with Pdf(data) as pdf:
        assert_a4_portrait(pdf)
        assert_within_margins(pdf, allow_top_margin=True)
        assert_only_fonts(pdf)
        parent = find_line(pdf, r"^UBND TỈNH LAI CHÂU$")
        assert_line_style(parent, size_range=(12.5, 13.5), bold=False, upper=True)
        issuer = find_line(pdf, r"^SỞ NỘI VỤ$")
        assert_line_style(issuer, size_range=(12.5, 13.5), bold=True, upper=True)
        title = find_line(pdf, r"^CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM$")
        assert_line_style(title, size_range=(11.5, 13.5), bold=True, upper=True)
        motto = find_line(pdf, r"^Độc lập - Tự do - Hạnh phúc$")
        assert_line_style(motto, size_range=(12.5, 14.5), bold=True)
        assert_centred(motto, within=title)
        number = find_line(pdf, r"^Số: 01/BC-SNV$")
        assert_line_style(number, size_range=(12.5, 13.5), bold=False)
        assert_centred(number, within=issuer)
        place_date = find_line(pdf, r"^Lai Châu, ngày")
        assert_line_style(place_date, size_range=(12.5, 14.5), italic=True)
        assert assert_date_line(place_date.text) == document.issued_on
        assert abs(place_date.top - number.top) < 3  # box 4 on the line of box 3
        doc_type = find_line(pdf, r"^BÁO CÁO$")
        assert_line_style(doc_type, size_range=(13.5, 14.5), bold=True, upper=True)
        subject = find_line(pdf, r"^Kết quả thực hiện Công văn số 1661/UBND-VX")
        assert_line_style(subject, size_range=(13.5, 14.5), bold=True)
        body = find_line(pdf, r"^Thực hiện Công văn số 1661/UBND-VX")
        assert_line_style(body, size_range=(13.5, 14.5), bold=False, italic=False)
        page, label = find_line_anywhere(pdf, r"^Nơi nhận:$")
        assert_line_style(label, size_range=(11.5, 12.5), bold=True, italic=True)
        signer = find_line(pdf, r"^GIÁM ĐỐC$", page_index=page)
        assert_line_style(signer, size_range=(13.5, 14.5), bold=True, upper=True)
        assert abs(signer.top - label.top) < 3  # 9b level with the first line of 7a
        assert document.signer_name  # issuing without a signer's name is refused
        name = find_line(pdf, f"^{re.escape(document.signer_name)}$", page_index=page)
        assert_line_style(name, size_range=(13.5, 14.5), bold=True)
        assert name.top > signer.top + 50  # room for the signature
        # The body's last paragraph stands on the signature's page (never alone there).
        find_line(pdf, r"^Trên đây là kết quả thực hiện", page_index=page)
        appendix_page, appendix = find_line_anywhere(pdf, r"^PHỤ LỤC$")
        assert appendix_page > page
        dated = f"{document.issued_on.day}/{document.issued_on.month}/{document.issued_on.year}"
        attached = find_line(pdf, rf"^\(Kèm theo Báo cáo số 01/BC-SNV ngày {dated}", appendix_page)
        assert_line_style(attached, size_range=(12.5, 13.5), italic=True)
        text = " ".join(pdf.text.split())
        # Task 1 reports to the issuer, task 2 to STTTT; never to the agency itself.
        assert "Kính gửi: - Ủy ban nhân dân tỉnh Lai Châu; - Sở Thông tin và Truyền thông." in text
        assert "báo cáo kết quả thực hiện tính đến ngày 20/8/2020 như sau:" in text
        assert "Sở Nội vụ có 71/72 cán bộ" in text
        raw = "".join(page.extract_text() for page in pdf.reader.pages)
        assert re.search("đạt\\s98,6\u00a0%", raw)  # the no-break space is kept
        assert "Đơn vị chưa có báo cáo" not in text
        assert pdf.metadata["title"].startswith("Báo cáo kết quả thực hiện Công văn")
        assert pdf.metadata["author"] == "Sở Nội vụ"
    assert_fonts_embedded(data)


def test_urging_letter_names_late_agencies_and_numbers_pages(session, directive_1661):
    issuer = agency_by_code(session, "UBND")
    # Sent on the day of its figures, as the office would have in 2020: the new time limit
    # runs from the letter's date (issue 9), here that same day.
    with clock.frozen(date(2020, 8, 21)):
        draft = draft_urge(session, directive_1661, issuer, date(2020, 8, 21))
        with capture_weasyprint_warnings() as log:
            document = issue_document(session, None, draft)
    assert not log.records, log.messages
    data = store().path_for(document.sha256).read_bytes()
    assert document.reference == "01/UBND-TH"
    with Pdf(data) as pdf:
        assert pdf.page_count == 2  # the letter, then its appendix
        assert_page_numbers(pdf)
        assert_within_margins(pdf, allow_top_margin=True)
        assert_only_fonts(pdf)
        subject = find_line(pdf, r"^V/v đôn đốc thực hiện")
        assert_line_style(subject, size_range=(11.5, 13.5), bold=False)
        text = " ".join(pdf.text.split())
        assert "Kính gửi: Các cơ quan, đơn vị có tên tại Phụ lục kèm theo." in text
        assert "Nhiệm vụ 2 (Bảo đảm 100%" in text and "thời hạn 18/8/2020" in text
        assert "báo cáo về Sở Thông tin và Truyền thông: 22 cơ quan, đơn vị" in text
        assert "Sở Công Thương" in text  # late on task 2 in the demo
        assert "Sở Nội vụ" not in text  # reported on time
        assert "trước ngày 28/8/2020" in text  # five working days after the letter's 21/8/2020
        assert "Lưu: VT, TH." in text
    assert nd30_date(date(2020, 8, 21)) == "ngày 21 tháng 8 năm 2020"


def test_draft_preview_costs_no_number_and_says_draft(session, directive_1661):
    draft = draft_reply(session, directive_1661, agency_by_code(session, "STP"), AS_OF)
    data = preview_pdf(draft)
    with Pdf(data) as pdf:
        # The mark is drawn, not written: it stays out of the text layer.
        assert "DỰ THẢO" not in pdf.reader.pages[0].extract_text()
        assert "THẢO" not in pdf.text
        find_line(pdf, "^Số:\u00a0+/BC-STP$")  # a blank for the clerk's number
    assert _reddish_share(data) > 0.01
    assert session.scalar(sa.select(sa.func.count(OutgoingDocument.id))) == 0
    document = issue_document(session, None, draft)
    assert document.number == 1
    assert _reddish_share(store().path_for(document.sha256).read_bytes()) == 0


def _reddish_share(data: bytes) -> float:
    """The share of the first page's pixels in the red of the DỰ THẢO mark."""
    import subprocess
    import tempfile
    from pathlib import Path

    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "page.pdf"
        source.write_bytes(data)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "30",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                source,
                Path(folder) / "page",
            ],
            check=True,
        )
        with Image.open(Path(folder) / "page.png") as opened:
            image = opened.convert("RGB")
    raw = image.tobytes()
    pixels = [raw[i : i + 3] for i in range(0, len(raw), 3)]
    return sum(1 for r, g, b in pixels if r > g + 25 and r > b + 25) / len(pixels)


def test_register_numbers_per_agency_and_year(session):
    snv, stp = agency_by_code(session, "SNV"), agency_by_code(session, "STP")
    assert [next_number(session, snv.id, 2020) for _ in range(3)] == [1, 2, 3]
    assert next_number(session, stp.id, 2020) == 1
    assert next_number(session, snv.id, 2021) == 1
    assert next_number(session, snv.id, 2020) == 4


def test_final_documents_are_never_overwritten(session, directive_1661):
    draft = draft_reply(session, directive_1661, agency_by_code(session, "SNV"), AS_OF)
    first = issue_document(session, None, draft)
    corrected = issue_document(session, None, draft)
    assert (first.number, corrected.number) == (1, 2)
    assert store().exists(first.sha256) and store().exists(corrected.sha256)


def test_register_is_safe_under_concurrent_generation(scratch_app):
    """Ten threads take five numbers each from one register: 1..50, none twice, on
    SQLite and on PostgreSQL (scratch databases: these transactions commit)."""
    from tracker import db

    app = scratch_app
    with app.app_context():
        agency_id = agency_by_code(db.session, "SNV").id
    numbers: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(10)

    def take() -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                with app.app_context():
                    numbers.append(next_number(db.session, agency_id, 2020))
                    db.session.commit()
        except BaseException as error:  # noqa: BLE001 (asserted below)
            errors.append(error)

    threads = [threading.Thread(target=take) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(numbers) == list(range(1, 51))


@pytest.mark.slow
def test_documents_issued_at_once_each_show_their_own_number(scratch_app):
    """Four people issue at the same moment: each document renders before its number is
    taken, so one that lost the race is rendered again; every PDF shows the number its
    row holds, and the numbers are 1..4."""
    from tracker import db
    from tracker.directives.operations import find_directive

    app = scratch_app
    barrier = threading.Barrier(4)
    issued: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            with app.test_request_context():
                directive = find_directive(db.session, "1661/UBND-VX")
                draft = draft_reply(db.session, directive, agency_by_code(db.session, "SNV"), AS_OF)
                draft = dataclasses.replace(draft, signer_name="Nguyễn Văn A")
                barrier.wait(timeout=30)
                document = issue_document(db.session, None, draft)
                db.session.commit()
                issued.append((document.number, document.sha256))
        except BaseException as error:  # noqa: BLE001 (asserted below)
            errors.append(error)

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert errors == []
    assert sorted(number for number, _ in issued) == [1, 2, 3, 4]
    with app.test_request_context():
        for number, sha256 in issued:
            with Pdf(store().path_for(sha256).read_bytes()) as pdf:
                assert f"Số: {number:02d}/BC-SNV" in pdf.text


def test_fetcher_refuses_local_files_and_network(tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text(f"root:x:0:0:{uuid.uuid4()}\n", encoding="utf-8")
    html = (
        f'<link rel="attachment" href="file://{secret}">'
        f'<img src="file://{secret}"><img src="http://127.0.0.1:9/x.png">'
        "<p>Nội dung</p>"
    )
    with capture_weasyprint_warnings() as log:
        data = HTML(string=html, url_fetcher=AssetsOnlyFetcher()).write_pdf(uncompressed_pdf=True)
    assert_no_local_file(data)
    assert log.records  # WeasyPrint says it could not load them
    for url in (
        f"file://{secret}",
        "http://127.0.0.1:9/",
        "https://example.org/",
        "ftp://example.org/x",
    ):
        with pytest.raises(ValueError, match="refused"):
            AssetsOnlyFetcher().fetch(url)


def test_templates_receive_plain_values_only(session, directive_1661):
    assert plain({"a": ("x", 1, None)}) == {"a": ["x", 1, None]}
    with pytest.raises(TypeError):
        plain({"directive": directive_1661})


def _version_free_post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_agency_drafts_edits_and_issues_its_reply(client, auth, session, directive_1661):
    auth.login("snv")
    path = f"/directives/{directive_1661.id}/reply?as_of=2020-08-20"
    page = client.get(path)
    assert page.status_code == 200
    assert "Sở Nội vụ có 71/72" in page.get_data(as_text=True)
    form = {
        "header_parent": "UBND TỈNH LAI CHÂU",
        "header_name": "SỞ NỘI VỤ",
        "symbol": "BC-SNV",
        "place": "Lai Châu",
        "issued_on": clock.today().strftime("%d/%m/%Y"),
        "subject": "Kết quả thực hiện Công văn số 1661/UBND-VX",
        "recipients": "Sở Thông tin và Truyền thông",
        "body": "Đoạn thứ nhất đã sửa tay.\n\nĐoạn thứ hai.",
        "signer_authority": "KT. GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn Minh",
        "distribution": "Như trên\nLưu: VT",
    }
    html_preview = _version_free_post(client, path, {**form, "preview_html": "1"})
    assert html_preview.status_code == 200
    page = html_preview.get_data(as_text=True)
    assert '<body class="draft">' in page and "Đoạn thứ nhất đã sửa tay." in page
    assert "/documents/assets/nd30.css" in page
    with client.get("/documents/assets/fonts/LiberationSerif-Regular.ttf") as font:
        assert font.status_code == 200
    assert client.get("/documents/assets/../fetcher.py").status_code == 404
    preview = _version_free_post(client, path, {**form, "preview": "1"})
    assert preview.status_code == 200
    assert preview.headers["Content-Type"] == "application/pdf"
    assert preview.headers["Content-Disposition"].startswith("attachment")
    issued = _version_free_post(client, path, {**form, "issue": "1"})
    assert issued.status_code == 302
    document = session.scalar(sa.select(OutgoingDocument))
    assert (document.reference, document.kind) == ("01/BC-SNV", DocumentKind.REPLY)
    directive_page = client.get(f"/directives/{directive_1661.id}").get_data(as_text=True)
    assert "Số 01/BC-SNV" in directive_page
    with client.get(f"/documents/{document.id}") as download:
        assert download.status_code == 200
        data = download.get_data()
    with Pdf(data) as pdf:
        assert "Đoạn thứ nhất đã sửa tay." in pdf.text
        assert "Nguyễn Văn Minh" in pdf.text
        find_line_anywhere(pdf, r"^KT. GIÁM ĐỐC$")
    auth.logout()
    auth.login("stp")
    assert client.get(f"/documents/{document.id}").status_code == 404


def test_reply_form_errors_are_clear(client, auth, directive_1661):
    auth.login("snv")
    path = f"/directives/{directive_1661.id}/reply"
    response = _version_free_post(
        client,
        path,
        {"issued_on": "32/13/2020", "subject": "x", "body": "", "signer_title": "", "issue": "1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ngày không hợp lệ" in html and "Nội dung văn bản đang trống." in html


@pytest.mark.parametrize(
    ("kind", "mime"),
    [("pdf", "application/pdf"), ("xlsx", "spreadsheetml"), ("csv", "text/csv; charset=utf-8")],
)
def test_accountability_downloads(client, auth, directive_1661, kind, mime):
    auth.login("lanhdao")
    response = client.get(
        f"/reports/accountability?directive={directive_1661.id}&as_of=2020-08-21&format={kind}"
    )
    assert response.status_code == 200
    assert mime in response.headers["Content-Type"]
    assert response.headers["Content-Type"].count("charset") <= 1
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = response.get_data()
    if kind == "pdf":
        with Pdf(data) as pdf:
            assert "Tình hình thực hiện Công văn số 1661/UBND-VX" in " ".join(pdf.text.split())
            assert "PHỤ LỤC" in pdf.text
            assert_only_fonts(pdf)
    elif kind == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        assert workbook.active.freeze_panes == "A2"
        workbook.close()
    else:
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) > 10


def test_cli_document_commands(runner, tmp_path, connection):
    reply = tmp_path / "reply.pdf"
    result = runner.invoke(
        main,
        args=[
            "document",
            "reply",
            "--directive",
            "1661/UBND-VX",
            "--agency",
            "STTTT",
            "--as-of",
            "2020-08-20",
            "-o",
            str(reply),
        ],
    )
    assert result.exit_code == 0, result.output
    assert reply.read_bytes().startswith(b"%PDF-")
    issued = runner.invoke(
        main,
        args=[
            "document",
            "urge",
            "--directive",
            "1661/UBND-VX",
            "--as-of",
            "2020-08-21",
            "--issue",
            "-o",
            str(tmp_path / "urge.pdf"),
        ],
    )
    assert issued.exit_code == 0 and "01/UBND-TH" in issued.output
    for args in (
        ["document", "reply", "--directive", "9/XX", "--agency", "STTTT"],
        ["document", "reply", "--directive", "1661/UBND-VX", "--agency", "NOPE"],
        ["document", "urge", "--directive", "1661/UBND-VX", "--as-of", "2020-08-01"],
    ):
        failed = runner.invoke(main, args=[*args, "-o", str(tmp_path / "x.pdf")])
        assert failed.exit_code != 0 and "Error" in failed.output
    for kind in ("pdf", "xlsx", "csv"):
        out = tmp_path / f"a.{kind}"
        done = runner.invoke(
            main,
            args=[
                "report",
                "accountability",
                "--as-of",
                "2020-08-21",
                "--format",
                kind,
                "-o",
                str(out),
            ],
        )
        assert done.exit_code == 0, done.output
        assert out.stat().st_size > 0


def test_a_spreadsheet_has_a_higher_bound_and_a_made_report_is_handed_out_at_once(
    app, client, auth, session, directive_1661, monkeypatch
):
    """A spreadsheet is written many times faster than a PDF is laid out, so it stays in
    the request above the PDF's bound; a job that made (or is making) the very same
    report is where the request goes, without building the report again."""
    from tracker.documents import jobs

    monkeypatch.setitem(app.config, "LARGE_REPORT_ROWS", 0)
    auth.login("lanhdao")
    url = f"/reports/accountability?directive={directive_1661.id}&as_of=2020-08-21&format="
    assert client.get(url + "xlsx").status_code == 200
    job, created = jobs.find_or_start(
        session, None, date(2020, 8, 21), directive_1661.id, "xlsx", rows=40
    )
    session.flush()
    assert created and job.params["format"] == "xlsx"
    response = client.get(url + "xlsx")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/jobs/{job.id}")
    assert client.get(url + "csv").status_code == 200  # another format is another report
    assert jobs.seconds_for(job, app.config) == 300  # 40 lines: REPORT_JOB_SECONDS
    job.params = job.params | {"rows": 97_084}
    assert jobs.seconds_for(job, app.config) == 300 + 1_941  # more time for a longer report


def test_a_report_queued_behind_a_running_one_is_waiting_not_dead(app, session):
    """A national report takes minutes: one queued behind it is not "never started"
    until nothing runs any more."""
    from datetime import timedelta

    from tracker import clock
    from tracker.documents import jobs
    from tracker.documents.models import JobStatus, ReportJob

    now = clock.now()
    params = {"as_of": "2020-08-21", "directive_id": None, "format": "pdf"}
    waited = timedelta(seconds=int(app.config["REPORT_JOB_SECONDS"]) + 120)
    queued = ReportJob(key="queued", params=params, created_at=now - waited)
    running = ReportJob(
        key="running",
        params=params,
        status=JobStatus.RUNNING,
        started_at=now - waited,
        heartbeat_at=now,
        created_at=now - waited,
    )
    session.add_all([queued, running])
    session.flush()
    assert jobs.why_dead(queued, now) is None
    running.status, running.sha256 = JobStatus.DONE, "0" * 64
    session.flush()
    assert jobs.why_dead(queued, now) == jobs.NEVER_STARTED


@pytest.mark.slow  # a `tracker worker` process starts and renders
def test_large_report_renders_in_the_job_queue_and_reprints_at_once(tmp_path):
    """Above the threshold the request only puts the report on the job queue and answers
    at once; a `tracker worker` renders it while the page shows progress; the same
    unchanged report is handed out again at once."""
    import time as clock_time

    from tests.helpers import Auth, initialise_demo_database, job_worker
    from tracker import create_app, db
    from tracker.auth.models import Role
    from tracker.auth.operations import create_user
    from tracker.documents.models import JobStatus, ReportJob

    config = {
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "jobs",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.db'}",
        "LARGE_REPORT_ROWS": 5,
        "LARGE_SHEET_ROWS": 5,
    }
    app = create_app(config | FAST_ARGON2)
    initialise_demo_database(app)
    with app.app_context():
        create_user(
            db.session,
            username="lanhdao2",
            password="mat-khau-lanh-dao",
            role=Role.LEADER,
            agency=agency_by_code(db.session, "UBND"),
        )
        db.session.commit()
    client = app.test_client()
    Auth(client).login("lanhdao2", "mat-khau-lanh-dao")
    with job_worker(config):  # the job queue, as in production
        started = clock_time.perf_counter()
        response = client.get("/reports/accountability?as_of=2020-08-21")
        assert clock_time.perf_counter() - started < 3
        assert response.status_code == 302 and "/reports/jobs/" in response.headers["Location"]
        job_page = response.headers["Location"]
        deadline = clock_time.time() + 60
        while True:
            page = client.get(job_page).get_data(as_text=True)
            if 'data-status="done"' in page or 'data-status="failed"' in page:
                break
            assert 'http-equiv="refresh"' in page
            assert clock_time.time() < deadline, "the worker did not finish in time"
            clock_time.sleep(0.5)
        assert 'data-status="done"' in page, page
        with client.get(f"{job_page}/file") as download:
            assert download.status_code == 200
            data = download.get_data()
        with Pdf(data) as pdf:
            assert "PHỤ LỤC" in pdf.text
        again = client.get("/reports/accountability?as_of=2020-08-21")
        assert again.headers["Location"] == job_page  # unchanged: the stored file, at once

        # A spreadsheet above its own bound is a job of its own, made the same way.
        response = client.get("/reports/accountability?as_of=2020-08-21&format=xlsx")
        assert response.status_code == 302
        sheet_page = response.headers["Location"]
        assert sheet_page != job_page
        deadline = clock_time.time() + 60
        while 'data-status="done"' not in (page := client.get(sheet_page).get_data(as_text=True)):
            assert 'data-status="failed"' not in page, page
            assert clock_time.time() < deadline, "the worker did not finish in time"
            clock_time.sleep(0.5)
        assert "Tải báo cáo (XLSX)" in page
        with client.get(f"{sheet_page}/file") as download:
            assert "spreadsheetml" in download.headers["Content-Type"]
            assert download.headers["Content-Disposition"].endswith("2020-08-21.xlsx")
            workbook = openpyxl.load_workbook(io.BytesIO(download.get_data()), read_only=True)
        summary = [row for row in workbook["Tổng hợp"].iter_rows(values_only=True)]
        workbook.close()
        assert summary[0][0] == "Văn bản" and summary[-1][0] == "Tổng cộng"
        assert sum(row[3] for row in summary[1:-1]) == summary[-1][3]  # the total adds up
    with app.app_context():
        jobs = db.session.scalars(sa.select(ReportJob).order_by(ReportJob.id)).all()
        assert [job.params["format"] for job in jobs] == ["pdf", "xlsx"]
        assert all(job.status == JobStatus.DONE and job.progress == 100 for job in jobs)
        assert jobs[0].pages and jobs[1].pages is None
    assert (tmp_path / "logs" / "report-worker.log").is_file()  # its output is kept
    app.extensions["tracker.db"].engine.dispose()


# WeasyPrint 70 leaves its sRGB ICC profile file open when it writes PDF/A (its bug):
# collect it inside this test and ignore only that warning here.
@pytest.mark.filterwarnings("ignore:unclosed file.*sRGB2014:ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_pdf_a_variant_renders(session, directive_1661):
    import gc

    from tracker.documents.context import document_context
    from tracker.documents.rendering import render_pdf

    draft = draft_reply(session, directive_1661, agency_by_code(session, "SNV"), AS_OF)
    with capture_weasyprint_warnings() as log:
        data = render_pdf(document_context(draft, 1), pdf_variant="pdf/a-3u", uncompressed=True)
    gc.collect()
    assert not log.records, log.messages
    assert b"pdfaid:part" in data  # the PDF/A identification in the XMP metadata
    with Pdf(data) as pdf:
        assert pdf.metadata["subject"].startswith("Kết quả thực hiện Công văn")
        assert_only_fonts(pdf)
