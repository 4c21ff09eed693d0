"""What the documents promise from outside: run through the commands and pages, read
back from the PDF and the .docx as a clerk would."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import docx
import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token
from tests.nd30 import (
    Pdf,
    assert_a4_portrait,
    assert_only_fonts,
    assert_page_numbers,
    assert_within_margins,
    find_line,
    find_line_anywhere,
)
from tracker import clock
from tracker.agencies.models import Agency
from tracker.agencies.operations import agency_by_code
from tracker.assignments.periods import generate_periods
from tracker.cli import main
from tracker.documents.models import OutgoingDocument
from tracker.documents.operations import DocumentError, issue_document
from tracker.documents.reply import draft_reply

AS_OF = "2020-08-21"


def _run(runner, *args: str) -> str:
    result = runner.invoke(main, args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _pdf_text(data: bytes) -> str:
    with Pdf(data) as pdf:
        return " ".join(pdf.text.split())


def test_accountability_csv_columns_add_up(runner, tmp_path, connection):
    output = tmp_path / "report.csv"
    _run(runner, "report", "accountability", "--directive", "1661/UBND-VX", "--as-of", AS_OF,
         "--format", "csv", "-o", str(output))  # fmt: skip
    header, *rows = list(csv.reader(io.StringIO(output.read_bytes().decode("utf-8-sig"))))
    total = header.index("Số nhiệm vụ")
    four = [
        header.index(name)
        for name in (
            "Hoàn thành đúng hạn",
            "Hoàn thành quá hạn",
            "Đang thực hiện trong hạn",
            "Quá hạn chưa hoàn thành",
        )
    ]
    assert rows[-1][0] == "Tổng cộng"
    for row in rows:
        assert int(row[total]) == sum(int(row[column]) for column in four), row
    for column in (total, *four):
        assert int(rows[-1][column]) == sum(int(row[column]) for row in rows[:-1])
    stttt = next(row for row in rows if row[1] == "Sở Thông tin và Truyền thông")
    assert int(stttt[total]) == 3  # tasks 1, 2 and 4 (no weekly period made yet)


def _reply(runner, tmp_path, *extra: str) -> bytes:
    output = tmp_path / "reply.pdf"
    _run(runner, "document", "reply", "--directive", "1661/UBND-VX", "--agency", "STTTT",
         "--as-of", AS_OF, *extra, "-o", str(output))  # fmt: skip
    return output.read_bytes()


def test_reply_of_the_report_to_agency_compiles_the_figures(runner, tmp_path, connection, session):
    generate_periods(session, date(2020, 8, 21))
    session.commit()
    data = _reply(runner, tmp_path)
    text = _pdf_text(data)
    with Pdf(data) as pdf:
        recipients = find_line(pdf, r"^Kính gửi:").text
    assert "Ủy ban nhân dân tỉnh Lai Châu" in recipients
    assert "Sở Thông tin và Truyền thông" not in recipients
    # The districts that reported, each with headcount, installed, rate and date.
    for district, staff, installed, rate in (
        ("Ủy ban nhân dân huyện Tam Đường", "196", "183", "93,4"),
        ("Ủy ban nhân dân thành phố Lai Châu", "178", "171", "96,1"),
    ):
        assert re.search(rf"{district} {staff} {installed} {rate} % \d+/8/2020", text), district
    table = re.search(r"PHỤ LỤC I .*?Tổng cộng \(toàn tỉnh\) ([\d.]+) ([\d.]+) ([\d,]+) %", text)
    assert table, "no province-wide total"
    rows = re.findall(r"\d+ [^\d]+? ([\d.]+) ([\d.]+) [\d,]+ % \d+/8/2020", table.group(0))
    staff = sum(int(row[0].replace(".", "")) for row in rows)
    installed = sum(int(row[1].replace(".", "")) for row in rows)
    assert int(table.group(1).replace(".", "")) == staff
    assert int(table.group(2).replace(".", "")) == installed
    assert table.group(3) == f"{100 * installed / staff:.1f}".replace(".", ",")
    # Those that have not reported are named.
    assert re.search(r"Chưa báo cáo \(20 cơ quan, đơn vị\): .*Sở Công Thương", text)
    # The task's own report is never replaced by a period's; periods get their own lines.
    assert "Các kỳ báo cáo của nhiệm vụ 4" in text and "Chưa đến hạn" in text
    assert "Đơn vị chưa có báo cáo" not in text


def test_reply_issued_prints_the_signer_under_the_title(runner, tmp_path, connection, session):
    name = session.scalar(sa.select(Agency.head_name).where(Agency.code == "STTTT"))
    data = _reply(runner, tmp_path, "--issue")
    with Pdf(data) as pdf:
        page, title = find_line_anywhere(pdf, r"^GIÁM ĐỐC$")
        signer = find_line(pdf, f"^{re.escape(name)}$", page)
        assert signer.top > title.top + 50 and abs(signer.x0 + signer.x1 - title.x0 - title.x1) < 6


def test_reply_says_when_periods_are_overdue(session):
    generate_periods(session, date(2020, 9, 10))
    draft = draft_reply(
        session,
        _directive(session),
        agency_by_code(session, "STTTT"),
        date(2020, 9, 10),
    )
    statuses = [row[-1] for table in draft.tables for row in table.rows]
    assert "Quá hạn, chưa báo cáo" in statuses
    assert re.search(
        r"Báo cáo định kỳ \(hàng tuần\): \d+ kỳ, gồm .*quá hạn, chưa báo cáo", draft.body
    )


def test_reply_flags_tasks_without_a_report_and_does_not_print_them(session):
    draft = draft_reply(
        session, _directive(session), agency_by_code(session, "SNV"), date(2020, 8, 21)
    )
    assert any(warning.startswith("Nhiệm vụ 1 ") for warning in draft.warnings)
    assert "Nhiệm vụ 1:" not in draft.body and "Nhiệm vụ 2:" in draft.body


def _directive(session):
    from tracker.directives.operations import find_directive

    return find_directive(session, "1661/UBND-VX")


def test_urging_letter_fits_two_pages(runner, tmp_path, connection):
    output = tmp_path / "urge.pdf"
    _run(runner, "document", "urge", "--directive", "1661/UBND-VX", "--as-of", AS_OF,
         "-o", str(output))  # fmt: skip
    with Pdf(output.read_bytes()) as pdf:
        assert pdf.page_count <= 2
        text = " ".join(pdf.text.split())
    assert "Kính gửi: Các cơ quan, đơn vị có tên tại Phụ lục kèm theo." in text
    assert "báo cáo về Sở Thông tin và Truyền thông" in text
    assert "báo cáo về Ủy ban nhân dân tỉnh Lai Châu" in text


def test_urging_letter_includes_overdue_periods(session):
    from tracker.documents.urge import draft_urge

    generate_periods(session, date(2020, 9, 10))
    draft = draft_urge(
        session, _directive(session), agency_by_code(session, "UBND"), date(2020, 9, 10)
    )
    assert "Nhiệm vụ 4 (" in draft.body and "báo cáo hàng tuần kỳ" in draft.body


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("document", "reply", "--agency", "STTTT"), "Kết quả thực hiện Công văn số 1661/UBND-VX"),
        (("document", "urge"), "V/v đôn đốc thực hiện Công văn số 1661/UBND-VX"),
        (("report", "accountability"), "Tình hình thực hiện Công văn số 1661/UBND-VX"),
    ],
)
def test_documents_as_docx(runner, tmp_path, connection, args, expected):
    output = tmp_path / "document.docx"
    _run(runner, *args, "--directive", "1661/UBND-VX", "--as-of", AS_OF, "--format", "docx",
         "-o", str(output))  # fmt: skip
    document = docx.Document(io.BytesIO(output.read_bytes()))
    texts = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any(expected in text for text in texts + cells)
    assert any(text.startswith("Số:") for text in cells)
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 30


def test_register_takes_the_clerks_number_once(session, app):
    draft = draft_reply(
        session, _directive(session), agency_by_code(session, "SNV"), date(2020, 8, 21)
    )
    assert issue_document(session, None, draft, 37).reference == "37/BC-SNV"
    # The register's year is the document's (dated today), not its figures' (issue 9).
    with pytest.raises(DocumentError, match=f"Số 37 năm {draft.issued_on.year} đã được dùng"):
        issue_document(session, None, draft, 37)
    with pytest.raises(DocumentError, match="từ 1 đến"):
        issue_document(session, None, draft, 0)
    app.config["REGISTER_NUMBERS"] = "entered"
    try:
        with pytest.raises(DocumentError, match="Hãy nhập số văn bản"):
            issue_document(session, None, draft)
    finally:
        app.config["REGISTER_NUMBERS"] = "counter"
    # The counter skips a number the clerk has taken.
    numbers = [issue_document(session, None, draft).number for _ in range(2)]
    assert numbers == [1, 2]


def test_issuing_without_a_signer_is_refused(session):
    draft = draft_reply(
        session, _directive(session), agency_by_code(session, "SNV"), date(2020, 8, 21)
    )
    draft.signer_name = ""
    with pytest.raises(DocumentError, match="họ tên người ký"):
        issue_document(session, None, draft)
    assert session.scalar(sa.select(sa.func.count(OutgoingDocument.id))) == 0


def test_accountability_issued_as_a_numbered_document(client, auth, session):
    directive = _directive(session)
    auth.login("vanphong")
    path = f"/reports/accountability/draft?directive={directive.id}&as_of={AS_OF}"
    page = client.get(path)
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_token(client, path),
        "header_parent": "UBND TỈNH LAI CHÂU",
        "header_name": "VĂN PHÒNG",
        "symbol": "BC-VPUBND",
        "number": "12",
        "place": "Lai Châu",
        "issued_on": clock.today().strftime("%d/%m/%Y"),
        "subject": "Tình hình thực hiện Công văn số 1661/UBND-VX",
        "recipients": "Chủ tịch, các Phó Chủ tịch UBND tỉnh",
        "body": "Đoạn mở đầu.\n\n[Bảng 1]\n\nVăn phòng báo cáo./.",
        "signer_title": "CHÁNH VĂN PHÒNG",
        "signer_name": "Nguyễn Văn Bình",
        "distribution": "Như trên\nLưu: VT, TH",
        "issue": "1",
    }
    assert client.post(path, data=form).status_code == 302
    document = session.scalar(sa.select(OutgoingDocument))
    assert document.reference == "12/BC-VPUBND"
    with client.get(f"/documents/{document.id}") as download:
        data = download.get_data()
    text = _pdf_text(data)
    with Pdf(data) as pdf:
        assert_a4_portrait(pdf)
        assert_within_margins(pdf, allow_top_margin=True)
        assert_only_fonts(pdf)
        assert_page_numbers(pdf)
    assert "Số: 12/BC-VPUBND" in text and "THẢO" not in text
    dated = f"{document.issued_on.day}/{document.issued_on.month}/{document.issued_on.year}"
    assert document.issued_on == clock.today()
    assert f"(Kèm theo Báo cáo số 12/BC-VPUBND ngày {dated} của Văn phòng" in text
    assert re.search(r"Tổng cộng \d+ \d+ \d+ \d+ \d+", text)
    assert "mã băm cuối (SHA-256)" in text and "tại thời điểm lập báo cáo" in text
    with client.get(f"/documents/{document.id}?format=docx") as word:
        assert word.status_code == 200
        copy = docx.Document(io.BytesIO(word.get_data()))
    assert any("12/BC-VPUBND" in cell.text for t in copy.tables for r in t.rows for cell in r.cells)


def test_admin_edits_how_an_agency_prints_itself(client, auth, session):
    stttt = agency_by_code(session, "STTTT")
    path = f"/agencies/{stttt.id}/identity"
    auth.login("admin")
    page = client.get(path).get_data(as_text=True)
    assert "SỞ THÔNG TIN" in page
    data = {
        "csrf_token": csrf_token(client, path),
        "header_parent": "UBND TỈNH LAI CHÂU",
        "header_name": "SỞ THÔNG TIN VÀ\nTRUYỀN THÔNG",
        "state_heading": "",
        "symbol_code": "STTTT",
        "place": "Lai Châu",
        "drafting_unit": "BCVT",
        "head_title": "GIÁM ĐỐC",
        "head_name": "Lê Văn Thật",
    }
    assert client.post(path, data=data).status_code == 302
    session.expire_all()
    draft = draft_reply(
        session, _directive(session), agency_by_code(session, "STTTT"), date(2020, 8, 21)
    )
    assert draft.header_name == "SỞ THÔNG TIN VÀ\nTRUYỀN THÔNG"
    assert draft.signer_name == "Lê Văn Thật" and not draft.signer_is_demo
    assert draft.distribution[-1] == "Lưu: VT, BCVT"


def test_dashboard_as_of_a_date_with_totals(client, auth):
    auth.login("lanhdao")
    page = client.get("/?as_of=2020-08-21").get_data(as_text=True)
    assert "Số liệu như tình hình ngày 21/08/2020." in page
    totals = re.search(r'data-testid="totals">(.*?)</tr>', page, re.S).group(1)
    numbers = [int(n) for n in re.findall(r'data-count="\w+">(\d+)<', totals)]
    assert numbers[0] == sum(numbers[1:5])
    assert client.get("/?as_of=9999-12-31").status_code == 422
    assert client.get("/?as_of=2020-13-01").status_code == 400


def test_agency_list_counts_add_up(client, auth):
    auth.login("vanphong")
    page = client.get("/agencies").get_data(as_text=True)
    totals = re.search(r'data-testid="totals">(.*?)</tr>', page, re.S).group(1)
    numbers = [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", totals)]
    assert numbers[0] == sum(numbers[1:5]) > 0
    rows = re.findall(r'<td data-count="total">(\d+)</td>', page)
    assert sum(int(n) for n in rows[:-1]) == numbers[0]
