"""What Công văn 1661 itself asks for, in a real browser: a district hands task 3 down
to a commune, the commune reports its installs, the district accepts and reports up;
Sở TT&TT sends the weekly digest as its period report; the leader reads the live
province-wide figure, the indicator page and the district's page.

The journeys run in order on this module's own fresh demo database (conftest.py): each
reads what the one before it left."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Page, expect

from tests.e2e import test_browser_journeys as browser_journeys
from tests.e2e.test_browser_journeys import LoginAs, act, action_form, own_assignment_id
from tracker.agencies.operations import agency_by_code
from tracker.auth.models import Role
from tracker.auth.operations import create_user
from tracker.demo import load_demo_periods

#: As the other journeys: skipped without Debian's Chromium.
pytestmark = browser_journeys.pytestmark

REFERENCE = "1661/UBND-VX"
DISTRICT = "MUONGTE"  # has not reported task 3 in the demo
COMMUNE = "XA-E2E-THU"
COMMUNE_NAME = "UBND xã Thử Nghiệm"
COMMUNE_USER = "xa-e2e-thu"
COMMUNE_PASSWORD = "ban muong thu nghiem 1661"
COMMUNE_INSTALLS = 1_500
DISTRICT_INSTALLS = 4_200


def agency_page(page: Page, code: str) -> None:
    page.goto("/agencies")
    with page.expect_navigation():
        page.locator(f"tr:has(code:text-is('{code}')) a").first.click()


def test_admin_adds_a_commune_on_the_district_page(login_as: LoginAs, live_app: Flask) -> None:
    page = login_as("admin")
    agency_page(page, DISTRICT)
    form = page.get_by_test_id("add-sub-unit")
    form.locator('input[name="code"]').fill(COMMUNE)
    form.locator('input[name="name"]').fill(COMMUNE_NAME)
    with page.expect_navigation():
        form.get_by_role("button", name="Thêm").click()
    expect(page.get_by_test_id("sub-units")).to_contain_text(COMMUNE_NAME)
    # Its user, as `tracker user create` makes one.
    with live_app.app_context():
        from tracker import db

        create_user(
            db.session,
            username=COMMUNE_USER,
            password=COMMUNE_PASSWORD,
            role=Role.AGENCY,
            agency=agency_by_code(db.session, COMMUNE),
            full_name="Cán bộ xã thử nghiệm",
        )
        db.session.commit()


def test_district_hands_task_3_down_to_its_commune(login_as: LoginAs) -> None:
    page = login_as(DISTRICT.lower())
    assignment = own_assignment_id(page, REFERENCE, "3")
    page.goto(f"/assignments/{assignment}")
    form = page.get_by_test_id("hand-down")
    form.locator('select[name="sub_units"]').select_option(label=COMMUNE_NAME)
    form.locator('textarea[name="instructions"]').fill(
        "Củng cố Tổ phòng, chống dịch tại các bản; báo cáo số người đã cài đặt Bluezone."
    )
    with page.expect_navigation():
        form.get_by_role("button", name="Giao cho đơn vị trực thuộc").click()
    rollup = page.get_by_test_id("rollup")
    expect(rollup.locator(f'tr[data-sub-unit="{COMMUNE}"]')).to_have_count(1)
    expect(page.get_by_test_id("rollup-done")).to_contain_text("0/1 đơn vị đã hoàn thành")


def test_commune_sees_only_its_work_and_reports_its_installs(login_as: LoginAs) -> None:
    page = login_as(COMMUNE_USER, COMMUNE_PASSWORD)
    rows = page.get_by_test_id("own-assignments").locator("tr[data-assignment]")
    expect(rows).to_have_count(1)
    assignment = own_assignment_id(page, REFERENCE, "3")
    page.goto(f"/assignments/{assignment}")
    expect(page.locator("body")).to_contain_text("Được giao từ")
    form = action_form(page, "submit")
    # The population's denominator is the province's: the commune reports installs only.
    expect(form.locator('input[name="bluezone_population__denominator"]')).to_have_count(0)
    form.locator('textarea[name="text"]').fill("Đã củng cố Tổ phòng, chống dịch tại 12 bản.")
    installs = form.locator('input[name="bluezone_population__numerator"]')
    installs.fill("-5")  # the browser refuses a negative count before sending it
    assert installs.evaluate("input => input.validity.rangeUnderflow")
    form.locator('input[name="bluezone_population__numerator"]').fill(str(COMMUNE_INSTALLS))
    act(page, "submit", "Gửi báo cáo kết quả")
    expect(page.get_by_test_id("submissions")).to_contain_text("1.500 người")


def test_district_accepts_the_commune_and_reports_up(login_as: LoginAs) -> None:
    page = login_as(DISTRICT.lower())
    assignment = own_assignment_id(page, REFERENCE, "3")
    page.goto(f"/assignments/{assignment}")
    with page.expect_navigation():
        page.get_by_test_id("rollup").locator(f'tr[data-sub-unit="{COMMUNE}"] a').click()
    act(page, "accept", "Chấp nhận")
    expect(page.get_by_test_id("assignment-status").locator("[data-status]")).to_have_attribute(
        "data-status", "done"
    )
    page.goto(f"/assignments/{assignment}")
    expect(page.get_by_test_id("rollup-done")).to_contain_text("1/1 đơn vị đã hoàn thành")
    expect(page.locator('tr[data-rollup-figure="bluezone_population"]')).to_contain_text(
        "1.500 người"
    )
    form = action_form(page, "submit")
    form.locator('textarea[name="text"]').fill(
        "Huyện đã củng cố Tổ phòng, chống dịch tại các thôn, bản; tổng hợp từ các xã."
    )
    form.locator('input[name="bluezone_population__numerator"]').fill(str(DISTRICT_INSTALLS))
    act(page, "submit", "Gửi báo cáo kết quả")
    expect(page.get_by_test_id("submissions")).to_contain_text("4.200 người")


def test_stttt_sends_the_weekly_digest_as_its_period_report(
    login_as: LoginAs, live_app: Flask
) -> None:
    with live_app.app_context():  # the weekly periods, as `tracker init --demo` adds them
        from tracker import db

        load_demo_periods(db.session)
        db.session.commit()
    page = login_as("stttt")
    page.goto("/directives")
    with page.expect_navigation():
        page.locator(f'tr[data-directive="{REFERENCE}"] a').first.click()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Bản tin tuần")).first.click()
    page.goto(page.url.split("?")[0] + "?week=2020-09-21")
    text = page.get_by_test_id("digest-text")
    expect(text).to_contain_text("Tỷ lệ người dân cài đặt ứng dụng Bluezone")
    expect(text).to_contain_text("460.196")
    png = page.request.get(page.url.split("?")[0] + ".png?week=2020-09-21")
    assert png.ok and png.body().startswith(b"\x89PNG\r\n\x1a\n")
    send = page.get_by_test_id("send-digest")
    with page.expect_navigation():
        send.get_by_role("button", name=re.compile("Gửi bản tin làm báo cáo kỳ")).click()
    expect(page.get_by_role("alert").first).to_contain_text("đã ghi nhận")


def test_leader_reads_the_live_figure_the_indicator_and_the_district(
    login_as: LoginAs,
) -> None:
    page = login_as("lanhdao")
    live = page.get_by_test_id("live-figures")
    figure = live.locator('[data-indicator="bluezone_population"]')
    expect(figure).to_contain_text("460.196")
    expect(figure).to_contain_text("đơn vị báo cáo")
    with page.expect_navigation():
        figure.get_by_role("link", name="Tỷ lệ người dân cài đặt ứng dụng Bluezone").click()
    lines = page.get_by_test_id("indicator-lines")
    expect(lines.locator(f'tr[data-agency="{DISTRICT}"]')).to_contain_text("4.200")
    expect(page.get_by_test_id("indicator-trend")).to_be_visible()
    chart = page.locator("img[src*='/chart.svg']")
    expect(chart).to_have_count(1)
    agency_page(page, DISTRICT)
    handed = page.get_by_test_id("handed-down")
    expect(handed).to_contain_text("1/1 đơn vị đã hoàn thành")
    expect(page.get_by_test_id("sub-units")).to_contain_text(COMMUNE_NAME)
