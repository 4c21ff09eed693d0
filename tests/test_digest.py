"""The weekly digest of a directive: the message to paste into Zalo and its chart."""

from __future__ import annotations

import re
import struct
import unicodedata
from datetime import date, timedelta
from html import unescape as html_unescape

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.test_reminders import Inbox, free_port
from tracker import clock, db
from tracker.agencies.models import Agency
from tracker.assignments import obligations
from tracker.assignments.models import Assignment, Submission
from tracker.cli import main
from tracker.directives.models import Task
from tracker.reports import digest, digest_chart
from tracker.reports.indicators import end_of_day

TODAY = date(2020, 9, 30)
WEEK = date(2020, 8, 24)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_cli_writes_the_message_and_the_chart(fresh_app, tmp_path):
    """The contract: `tracker digest --directive 1661/UBND-VX --week 2020-08-24 -o DIR`."""
    app = fresh_app(DATABASE_URL=f"sqlite:///{tmp_path}/digest.db")
    cli = app.test_cli_runner()
    assert cli.invoke(main, ["init", "--demo"]).exit_code == 0
    out = tmp_path / "digest"
    result = cli.invoke(
        main, ["digest", "--directive", "1661/UBND-VX", "--week", "2020-08-24", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert text == unicodedata.normalize("NFC", text)
    assert len(text.rstrip("\n")) <= digest.MESSAGE_LENGTH
    assert text.startswith("TUẦN 24/08/2020 – 30/08/2020: Công văn 1661/UBND-VX")
    with app.app_context():
        names = set(db.session.scalars(sa.select(Agency.short_name)))
    assert any(name in text for name in names)
    assert "/directives/" in text
    width, height = _png_size((out / "digest.png").read_bytes())
    assert width >= 600 and height > width
    refused = cli.invoke(
        main, ["digest", "--directive", "1661/UBND-VX", "--week", "2020-07-01", "-o", str(out)]
    )
    assert refused.exit_code == 1
    assert "kết thúc trước ngày ban hành văn bản (15/08/2020)" in refused.output
    # --mail: to the configured list, on a real SMTP server on loopback.
    mailed = ["bcd.covid@laichau.gov.vn", "vanphong@laichau.gov.vn"]
    arguments = ["digest", "--directive", "1661/UBND-VX", "--week", "2020-08-24"]
    unset = cli.invoke(main, [*arguments, "-o", str(out), "--mail"])
    assert unset.exit_code == 1 and "DIGEST_RECIPIENTS" in unset.output
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, DIGEST_RECIPIENTS=mailed
        )
        sent = cli.invoke(main, [*arguments, "-o", str(out), "--mail"])
    finally:
        controller.stop()
    assert sent.exit_code == 0, sent.output
    assert "Đã gửi bản tin tới 2 địa chỉ." in sent.output
    assert sorted(message["To"] for message in inbox.messages) == mailed
    message = inbox.messages[0]
    assert message["Subject"].startswith("Bản tin tuần 24/08/2020 – 30/08/2020: Công văn 1661")
    body = message.get_body(("plain",)).get_content()
    assert body.strip() == text.strip()
    (chart,) = [part for part in message.iter_attachments()]
    assert chart.get_filename() == "digest.png" and chart.get_content_type() == "image/png"
    assert chart.get_content() == (out / "digest.png").read_bytes()


def test_the_figures_are_the_models(session, directive_1661):
    """Counts from the one model of obligations, reports sent that week, late agencies,
    and the province figure from summed numerators and denominators."""
    found = digest.compose(session, directive_1661, WEEK + timedelta(days=3), TODAY, "L")
    assert (found.starts_on, found.ends_on, found.as_of) == (
        WEEK,
        WEEK + timedelta(days=6),
        WEEK + timedelta(days=6),
    )
    of_directive = Task.directive_id == directive_1661.id
    assert found.counts == obligations.counts(session, found.as_of, of_directive)
    sent = [
        submitted
        for submitted in session.scalars(
            sa.select(Submission.submitted_at)
            .join(Assignment, Submission.assignment_id == Assignment.id)
            .join(Task, Assignment.task_id == Task.id)
            .where(of_directive)
        )
        if end_of_day(WEEK - timedelta(days=1)) <= submitted < end_of_day(found.as_of)
    ]
    assert found.sent.reports == len(sent) > 0
    late = obligations.late_agencies(session, found.as_of, of_directive, limit=1000)
    assert [count for _name, count in found.late] == [agency.overdue for agency in late]
    ranking = found.ranking
    assert ranking is not None and ranking.lines
    assert ranking.province.numerator == sum(line.numerator for line in ranking.lines)
    assert ranking.province.denominator == sum(line.denominator for line in ranking.lines)
    assert found.trend[-1] == (found.ends_on, ranking.province)
    assert "toàn tỉnh " in found.text


def test_the_message_shortens_its_lists_to_fit(session, directive_1661, monkeypatch):
    full = digest.compose(session, directive_1661, WEEK, TODAY, "https://x/directives/3").text
    assert "đơn vị khác" in full
    monkeypatch.setattr(digest, "MESSAGE_LENGTH", len(full) - 60)
    short = digest.compose(session, directive_1661, WEEK, TODAY, "https://x/directives/3").text
    assert len(short) <= len(full) - 60
    assert short.endswith("Chi tiết: https://x/directives/3")
    assert short.count(",") < full.count(",")


def test_the_week_under_way_is_as_of_today(session, directive_1661):
    found = digest.compose(session, directive_1661, date(2020, 9, 30), TODAY, "L")
    assert found.as_of == TODAY and found.ends_on == date(2020, 10, 4)
    with pytest.raises(digest.DigestError, match="chưa bắt đầu"):
        digest.compose(session, directive_1661, date(2020, 10, 5), TODAY, "L")


def test_the_chart_is_a_phone_sized_png_in_the_bundled_font(session, directive_1661):
    found = digest.compose(session, directive_1661, WEEK, TODAY, "L")
    assert _png_size(digest_chart.png(found)) == (digest_chart.WIDTH, digest_chart.HEIGHT)
    assert digest_chart._font().get_file().endswith("mpl-data/fonts/ttf/DejaVuSans.ttf")


def test_the_preview_page_for_the_weekly_reporter_and_the_office(client, auth, directive_1661):
    """Sở TT&TT (task 4 reports weekly) and the office open the digest from the
    directive's page and get its text and chart; an agency without a recurring task of
    the directive gets 404, as for what it may not see."""
    page = f"/directives/{directive_1661.id}/digest?week=2020-08-24"
    for username in ("stttt", "vanphong"):
        auth.login(username)
        directive_page = client.get(f"/directives/{directive_1661.id}").get_data(as_text=True)
        assert 'data-testid="digest-link"' in directive_page
        html = client.get(page).get_data(as_text=True)
        assert "TUẦN 24/08/2020 – 30/08/2020: Công văn 1661/UBND-VX" in html
        assert 'data-copy="digest-text"' in html
        chart = client.get(f"/directives/{directive_1661.id}/digest.png?week=2020-08-24")
        assert chart.mimetype == "image/png" and _png_size(chart.data)[0] >= 600
        text = client.get(f"/directives/{directive_1661.id}/digest.txt?week=2020-08-24")
        assert text.get_data(as_text=True).startswith("TUẦN 24/08/2020")
        auth.logout()
    auth.login("syt")
    assert client.get(page).status_code == 404
    assert 'data-testid="digest-link"' not in client.get(
        f"/directives/{directive_1661.id}"
    ).get_data(as_text=True)
    auth.logout()
    auth.login("vanphong")
    for week in ("24/08/2020", "0001-01-01"):
        wrong = client.get(f"/directives/{directive_1661.id}/digest?week={week}")
        assert wrong.status_code == 400, week
        assert "Tuần phải là một ngày" in wrong.get_data(as_text=True)


def test_the_weekly_reporter_sends_the_digest_as_its_period_report_in_one_step(
    client, auth, session, directive_1661
):
    """Sở TT&TT's weekly period of task 4 is reported with the digest's text, through
    the workflow's own period step; the office has no such button."""
    from tests.helpers import csrf_token
    from tracker.assignments.models import Period, PeriodStatus
    from tracker.assignments.periods import generate_periods

    assert generate_periods(session, date(2020, 8, 30)) > 0
    session.commit()
    page = f"/directives/{directive_1661.id}/digest?week=2020-08-24"
    auth.login("vanphong")
    assert 'data-testid="send-digest"' not in client.get(page).get_data(as_text=True)
    auth.logout()
    auth.login("stttt")
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="send-digest"' in html
    action = re.search(r'action="(/periods/(\d+)/submit)"', html)
    assert action is not None
    period = session.get(Period, int(action.group(2)))
    assert period.status == PeriodStatus.OPEN
    expected = digest.compose(session, directive_1661, WEEK, clock.today(), "x").text
    text = re.search(r'name="text"[^>]*>([^<]*)</textarea>', html, re.S)
    assert text is not None and html_unescape(text.group(1)).startswith(expected.split("\n")[0])
    response = client.post(
        action.group(1),
        data={
            "csrf_token": csrf_token(client, page),
            "text": html_unescape(text.group(1)),
            "next": page,
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    session.expire_all()
    period = session.get(Period, period.id)
    assert period.status == PeriodStatus.SUBMITTED
    assert period.submissions[-1].text.startswith("TUẦN 24/08/2020 – 30/08/2020")


def test_the_indicator_page_shows_the_province_figure_and_each_agency(
    client, auth, session, directive_1661
):
    """The contract: GET /indicators/<id> shows the province-wide value (summed
    numerators over summed denominators) and the per-agency values; the office and
    leaders read it, agencies get 404 (the ranking is not theirs to see)."""
    from tracker.directives.models import Indicator
    from tracker.reports.trends import indicator_page

    indicator = session.scalars(
        sa.select(Indicator).join(Task).where(Task.directive_id == directive_1661.id)
    ).first()
    page = indicator_page(session, indicator.id, date(2020, 8, 25))
    assert page is not None and page.ranking.lines
    numerator = sum(line.numerator for line in page.ranking.lines)
    denominator = sum(line.denominator for line in page.ranking.lines)
    assert page.ranking.province.rate == pytest.approx(100 * numerator / denominator)
    assert page.trend[-1] == (date(2020, 8, 25), page.ranking.province)
    auth.login("lanhdao")
    html = client.get(f"/indicators/{indicator.id}?as_of=2020-08-25").get_data(as_text=True)
    total = html.split('data-testid="indicator-total"', 1)[1].split("indicator-lines")[0]
    assert f"{numerator:,}".replace(",", ".") in total
    lines = html.split('data-testid="indicator-lines"', 1)[1]
    assert all(f'data-agency="{line.agency_code}"' in lines for line in page.ranking.lines)
    chart = client.get(f"/indicators/{indicator.id}/chart.svg?as_of=2020-08-25")
    assert chart.mimetype == "image/svg+xml" and b"<svg" in chart.data
    auth.logout()
    auth.login("stttt")
    assert client.get(f"/indicators/{indicator.id}").status_code == 404


def test_the_digest_is_sent_as_the_period_of_its_own_week(client, auth, session, directive_1661):
    """With earlier periods still open, the digest of a week is offered as the period
    that covers that week, not the oldest one."""
    from tracker.assignments.models import Period
    from tracker.assignments.periods import generate_periods

    assert generate_periods(session, date(2020, 9, 20)) > 0
    session.commit()
    auth.login("stttt")
    html = client.get(f"/directives/{directive_1661.id}/digest?week=2020-09-07").get_data(
        as_text=True
    )
    action = re.search(r'action="/periods/(\d+)/submit"', html)
    assert action is not None
    period = session.get(Period, int(action.group(1)))
    assert period.starts_on <= date(2020, 9, 13) and period.ends_on >= date(2020, 9, 7)
