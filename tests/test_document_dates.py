"""A document's own date apart from the day its figures are as of: dated today unless
set, set only within DOCUMENT_DATE_PAST_DAYS before today to DOCUMENT_DATE_FUTURE_DAYS
after, never before its figures (issue 9, item 7). The issue 8 contract still holds: the
reply of 1661 as of 21/08/2020 carries that day's figures, only its date is today's."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, timedelta

import docx
import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token
from tests.nd30 import Pdf, assert_date_line, find_line
from tracker import calendar, clock
from tracker.agencies.operations import agency_by_code
from tracker.audit import Event
from tracker.cli import main
from tracker.documents import nd30
from tracker.documents.accountability import draft_accountability
from tracker.documents.dating import date_problem, date_window
from tracker.documents.models import OutgoingDocument
from tracker.documents.operations import DocumentError, issue_document
from tracker.documents.reply import draft_reply
from tracker.documents.urge import draft_urge
from tracker.reports.accountability import build_accountability

AS_OF = date(2020, 8, 21)


def days_ago(days: int) -> date:
    return clock.today() - timedelta(days=days)


def typed(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def configured(app) -> Iterator:
    """Set the window for one test; the session's configuration comes back after it."""
    saved = {
        key: app.config[key] for key in ("DOCUMENT_DATE_PAST_DAYS", "DOCUMENT_DATE_FUTURE_DAYS")
    }

    def configure(past: int, future: int) -> None:
        app.config.update(DOCUMENT_DATE_PAST_DAYS=past, DOCUMENT_DATE_FUTURE_DAYS=future)

    yield configure
    app.config.update(saved)


# The rule ------------------------------------------------------------------------------


def test_window_is_thirty_days_back_to_today_by_default(session):
    today = clock.today()
    assert date_window() == (today - timedelta(days=30), today)
    for allowed in (today, days_ago(30)):
        assert date_problem(allowed) is None
    for refused in (days_ago(31), today + timedelta(days=1), AS_OF):
        problem = date_problem(refused)
        assert problem is not None and f"Ngày ký {typed(refused)} không hợp lệ" in problem
        assert f"từ {typed(days_ago(30))} đến {typed(today)} (hôm nay)" in problem


def test_window_follows_the_configuration(session, configured):
    configured(past=3, future=2)
    today = clock.today()
    assert date_problem(today + timedelta(days=2)) is None
    assert date_problem(days_ago(3)) is None
    assert date_problem(today + timedelta(days=3)) is not None
    assert date_problem(days_ago(4)) is not None


def test_window_moves_with_the_frozen_clock(session):
    """The demo is loaded under a frozen clock: its 'today' is the historical day."""
    with clock.frozen(date(2020, 8, 25)):
        assert date_window() == (date(2020, 7, 26), date(2020, 8, 25))
        assert date_problem(AS_OF, AS_OF) is None


def test_figures_may_not_be_later_than_the_document(session):
    today = clock.today()
    assert date_problem(today, today) is None  # the same day is fine
    problem = date_problem(days_ago(1), today)
    assert problem is not None
    assert f"Số liệu tính đến ngày {typed(today)} muộn hơn ngày ký {typed(days_ago(1))}" in problem


# The drafts ----------------------------------------------------------------------------


def test_drafts_are_dated_today_with_figures_as_of_their_day(session, directive_1661):
    reply = draft_reply(session, directive_1661, agency_by_code(session, "STTTT"), AS_OF)
    urge = draft_urge(session, directive_1661, agency_by_code(session, "UBND"), AS_OF)
    report = build_accountability(session, AS_OF, directive_1661.id, check_chain=False)
    accountability = draft_accountability(report, agency_by_code(session, "VPUBND"))
    for draft in (reply, urge, accountability):
        assert (draft.as_of, draft.issued_on) == (AS_OF, clock.today()), draft.kind
    assert "báo cáo kết quả thực hiện tính đến ngày 21/8/2020 như sau:" in reply.body
    assert "Đến ngày 21/8/2020, các cơ quan, đơn vị" in urge.body
    assert accountability.body.startswith("Tính đến ngày 21 tháng 8 năm 2020,")
    with clock.frozen(date(2020, 8, 25)):
        late = draft_reply(session, directive_1661, agency_by_code(session, "STTTT"), AS_OF)
    assert late.issued_on == date(2020, 8, 25)


def test_urging_letter_gives_its_new_limit_from_its_own_date(session, directive_1661):
    dated = days_ago(3)
    draft = draft_urge(session, directive_1661, agency_by_code(session, "UBND"), AS_OF, dated)
    limit = calendar.add_working_days(dated, 5)
    assert f"trước ngày {nd30.short_date(limit)}; chịu trách nhiệm" in draft.body
    assert draft.issued_on == dated


# Issuing -------------------------------------------------------------------------------


def test_issuing_refuses_a_backdated_document(session, directive_1661):
    snv = agency_by_code(session, "SNV")
    for refused in (AS_OF, days_ago(31), clock.today() + timedelta(days=1)):
        draft = draft_reply(session, directive_1661, snv, AS_OF, refused)
        with pytest.raises(DocumentError, match=f"Ngày ký {typed(refused)} không hợp lệ"):
            issue_document(session, None, draft)
    assert session.scalar(sa.select(sa.func.count(OutgoingDocument.id))) == 0
    document = issue_document(
        session, None, draft_reply(session, directive_1661, snv, AS_OF, days_ago(30))
    )
    assert document.issued_on == days_ago(30) and document.year == days_ago(30).year


def test_issuing_refuses_figures_later_than_the_document(session, directive_1661):
    snv = agency_by_code(session, "SNV")
    with clock.frozen(date(2020, 9, 1)):
        early = draft_reply(session, directive_1661, snv, AS_OF, date(2020, 8, 20))
        with pytest.raises(DocumentError, match="muộn hơn ngày ký 20/08/2020"):
            issue_document(session, None, early)
        document = issue_document(
            session, None, draft_reply(session, directive_1661, snv, AS_OF, AS_OF)
        )
    assert document.issued_on == AS_OF  # on the day of its figures: allowed


# The commands --------------------------------------------------------------------------


def _run(runner, *args: str):
    return runner.invoke(main, args=list(args))


def test_reply_contract_of_issue_8_is_dated_today(runner, tmp_path, connection, session):
    """`tracker document reply --directive 1661/UBND-VX --agency STTTT --as-of 2020-08-21`
    is the reply as of 21/08/2020, issued today."""
    output = tmp_path / "reply.pdf"
    result = _run(runner, "document", "reply", "--directive", "1661/UBND-VX", "--agency",
                  "STTTT", "--as-of", "2020-08-21", "--issue", "-o", str(output))  # fmt: skip
    assert result.exit_code == 0, result.output
    document = session.scalar(sa.select(OutgoingDocument))
    assert document.issued_on == clock.today() and document.year == clock.today().year
    event = session.scalar(sa.select(Event).where(Event.action == "document.issue"))
    assert event.after["as_of"] == "2020-08-21"
    assert event.after["issued_on"] == clock.today().isoformat()
    with Pdf(output.read_bytes()) as pdf:
        assert assert_date_line(find_line(pdf, r"^Lai Châu, ngày").text) == clock.today()
        assert "Sở Thông tin và Truyền thông" not in find_line(pdf, r"^Kính gửi:").text
        text = " ".join(pdf.text.split())
    assert "báo cáo kết quả thực hiện tính đến ngày 21/8/2020 như sau:" in text
    # The figures are those of 21/08/2020, as the issue 8 contract checks them.
    assert re.search(r"Ủy ban nhân dân huyện Tam Đường 196 183 93,4 % \d+/8/2020", text)
    assert re.search(r"Tổng cộng \(toàn tỉnh\) [\d.]+ [\d.]+ [\d,]+ %", text)


def test_commands_take_a_document_date_within_the_window(runner, tmp_path, connection):
    dated = days_ago(10)
    reply = tmp_path / "reply.pdf"
    reply_args = ["document", "reply", "--directive", "1661/UBND-VX", "--agency", "STTTT"]
    result = _run(runner, *reply_args, "--as-of", "2020-08-21", "--date", dated.isoformat(),
                  "-o", str(reply))  # fmt: skip
    assert result.exit_code == 0, result.output
    with Pdf(reply.read_bytes()) as pdf:
        assert assert_date_line(find_line(pdf, r"^Lai Châu, ngày").text) == dated
    report = tmp_path / "report.docx"
    report_args = [
        "report",
        "accountability",
        "--directive",
        "1661/UBND-VX",
        "--as-of",
        "2020-08-21",
    ]
    result = _run(runner, *report_args, "--date", dated.isoformat(), "--format", "docx",
                  "-o", str(report))  # fmt: skip
    assert result.exit_code == 0, result.output
    word = docx.Document(io.BytesIO(report.read_bytes()))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert any(cell.endswith(nd30.nd30_date(dated)) for cell in cells)


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["document", "urge", "--as-of", "2020-08-21", "--date", "2020-08-21"],
         "Ngày ký 21/08/2020 không hợp lệ"),
        (["document", "reply", "--agency", "STTTT", "--date", "2019-01-01"],
         "Ngày ký 01/01/2019 không hợp lệ"),
        (["report", "accountability", "--date", "2020-08-21"], "Ngày ký 21/08/2020 không hợp lệ"),
        (["document", "reply", "--agency", "STTTT", "--as-of", "{tomorrow}"], "muộn hơn ngày ký"),
        (["report", "accountability", "--as-of", "{today}", "--date", "{yesterday}"],
         "muộn hơn ngày ký"),
    ],
)  # fmt: skip
def test_commands_refuse_a_document_date_clearly(runner, tmp_path, connection, command, message):
    today = clock.today()
    values = {
        "today": today.isoformat(),
        "tomorrow": (today + timedelta(days=1)).isoformat(),
        "yesterday": days_ago(1).isoformat(),
    }
    args = [arg.format(**values) for arg in command]
    output = tmp_path / "document.pdf"
    result = _run(runner, *args, "--directive", "1661/UBND-VX", "-o", str(output))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith("Error: ") and message in result.output
    assert not output.exists()


def test_spreadsheets_take_no_document_date(runner, tmp_path, connection):
    result = _run(runner, "report", "accountability", "--format", "csv", "--date",
                  clock.today().isoformat(), "-o", str(tmp_path / "report.csv"))  # fmt: skip
    assert result.exit_code == 2 and "--date chỉ dùng cho văn bản" in result.output


# The pages -----------------------------------------------------------------------------


def reply_form(issued_on: str, **action: str) -> dict[str, str]:
    return {
        "header_parent": "UBND TỈNH LAI CHÂU",
        "header_name": "SỞ NỘI VỤ",
        "symbol": "BC-SNV",
        "place": "Lai Châu",
        "issued_on": issued_on,
        "subject": "Kết quả thực hiện Công văn số 1661/UBND-VX",
        "recipients": "Sở Thông tin và Truyền thông",
        "body": "Nội dung báo cáo.",
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn Minh",
        "distribution": "Như trên\nLưu: VT",
        **(action or {"issue": "1"}),
    }


def test_draft_page_shows_the_cut_off_and_the_window(client, auth, directive_1661):
    auth.login("snv")
    page = client.get(f"/directives/{directive_1661.id}/reply?as_of=2020-08-21")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(rf'name="issued_on"[^>]* value="{typed(clock.today())}"', html)
    assert "Số liệu tính đến ngày 21/08/2020." in html
    assert f"Ngày ký: từ {typed(days_ago(30))} đến {typed(clock.today())}" in html


@pytest.mark.parametrize(
    ("issued_on", "action", "message"),
    [
        ("21/08/2020", {"issue": "1"}, "Ngày ký 21/08/2020 không hợp lệ"),
        ("{31 days ago}", {"preview": "1"}, "không hợp lệ: văn bản chỉ được đề ngày từ"),
        ("{tomorrow}", {"word": "1"}, "không hợp lệ"),
        ("{yesterday}", {"issue": "1"}, "muộn hơn ngày ký"),  # figures as of today
    ],
)
def test_reply_page_refuses_a_document_date_with_422(
    client, auth, session, directive_1661, issued_on, action, message
):
    values = {
        "31 days ago": typed(days_ago(31)),
        "tomorrow": typed(clock.today() + timedelta(days=1)),
        "yesterday": typed(days_ago(1)),
    }
    auth.login("snv")
    as_of = "" if "yesterday" in issued_on else "?as_of=2020-08-21"
    path = f"/directives/{directive_1661.id}/reply{as_of}"
    form = reply_form(issued_on.format(**values), **action)
    response = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count(OutgoingDocument.id))) == 0


def test_reply_page_issues_with_a_chosen_date(client, auth, session, directive_1661):
    auth.login("snv")
    path = f"/directives/{directive_1661.id}/reply?as_of=2020-08-21"
    form = reply_form(typed(days_ago(5)))
    response = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    document = session.scalar(sa.select(OutgoingDocument))
    assert document.issued_on == days_ago(5)


def test_figures_after_today_cannot_be_drafted(client, auth, directive_1661):
    auth.login("vanphong")
    tomorrow = clock.today() + timedelta(days=1)
    for path in (
        f"/directives/{directive_1661.id}/reply?agency=STTTT&as_of={tomorrow.isoformat()}",
        f"/reports/accountability/draft?directive={directive_1661.id}&as_of={tomorrow.isoformat()}",
    ):
        response = client.get(path)
        assert response.status_code == 422, path
        assert f"Số liệu tính đến ngày {typed(tomorrow)} muộn hơn ngày ký" in response.get_data(
            as_text=True
        )


def test_accountability_page_refuses_a_backdated_report(client, auth, session, directive_1661):
    auth.login("vanphong")
    path = f"/reports/accountability/draft?directive={directive_1661.id}&as_of=2020-08-21"
    form = {
        **reply_form("21/08/2020"),
        "header_name": "VĂN PHÒNG",
        "symbol": "BC-VPUBND",
        "body": "Đoạn mở đầu.\n\n[Bảng 1]",
    }
    response = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    assert response.status_code == 422
    assert "Ngày ký 21/08/2020 không hợp lệ" in response.get_data(as_text=True)
    form["issued_on"] = typed(clock.today())
    assert (
        client.post(path, data={**form, "csrf_token": csrf_token(client, path)}).status_code == 302
    )
    assert session.scalar(sa.select(OutgoingDocument.issued_on)) == clock.today()


def test_leaders_report_refuses_figures_later_than_today(client, auth):
    auth.login("lanhdao")
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    for kind in ("pdf", "docx"):
        response = client.get(f"/reports/accountability?as_of={tomorrow}&format={kind}")
        assert response.status_code == 422
        assert "muộn hơn ngày ký" in response.get_data(as_text=True)
    spreadsheet = client.get(f"/reports/accountability?as_of={tomorrow}&format=csv")
    assert spreadsheet.status_code == 200  # a spreadsheet bears no date
