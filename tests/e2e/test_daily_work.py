"""A day's work in a real browser: the inbox (acting in one click), notifications at
once, search, the list of obligations, the charts, and English; axe checks each page
on the way."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import AxeUnavailable, axe_source, describe_violations, run_axe
from tests.e2e.test_browser_journeys import own_assignment_id, submit_report

LoginAs = Callable[..., Page]
REFERENCE = "1661/UBND-VX"


@pytest.fixture(scope="module")
def axe() -> Iterator[Callable[[Page], None]]:
    try:
        source = axe_source()
    except AxeUnavailable as error:
        pytest.fail(str(error), pytrace=False)

    def check(page: Page) -> None:
        page.wait_for_load_state("load")
        violations = run_axe(page, source)
        assert not violations, f"{page.url}:\n{describe_violations(violations)}"

    yield check


def unread(page: Page) -> int:
    badge = page.get_by_test_id("unread-count")
    return int(badge.inner_text()) if badge.count() else 0


def test_report_reviewed_from_the_inbox(login_as: LoginAs, axe, tmp_path: Path) -> None:
    """An agency starts new work from its inbox and reports; the office sees the report
    in its inbox at once and returns it there with a reason; the agency's unread count
    rises at once, it sees the reason in its inbox, reports again; the office accepts it
    from the inbox in one click."""
    agency = login_as("sct", bypass_csp=True)
    assignment = own_assignment_id(agency, REFERENCE, "2")
    agency.goto("/inbox")
    axe(agency)
    new = agency.get_by_test_id("inbox-new").locator(f'[data-assignment="{assignment}"]')
    expect(new).to_have_count(1)
    with agency.expect_navigation():
        new.get_by_role("button", name="Bắt đầu thực hiện").click()
    expect(agency).to_have_url(re.compile(r"/inbox$"))
    expect(agency.get_by_role("alert")).to_contain_text("Bắt đầu thực hiện: đã ghi nhận.")
    expect(
        agency.get_by_test_id("inbox-new").locator(f'[data-assignment="{assignment}"]')
    ).to_have_count(0)
    expect(
        agency.get_by_test_id("inbox-due").locator(f'[data-assignment="{assignment}"]')
    ).to_have_count(1)
    agency.goto(f"/assignments/{assignment}")
    evidence = tmp_path / "danh-sach-cai-dat.txt"
    evidence.write_text("Danh sách cán bộ đã cài đặt Bluezone.\n", encoding="utf-8")
    agency.set_input_files('input[name="file"]', evidence)
    with agency.expect_navigation():
        agency.get_by_role("button", name="Tải lên", exact=True).click()
    submit_report(agency, "Sở Công Thương: 56/58 cán bộ đã cài đặt Bluezone.", 56, 58)

    office = login_as("vanphong", bypass_csp=True)
    office.get_by_test_id("nav-inbox").click()
    expect(office).to_have_url(re.compile(r"/inbox$"))
    axe(office)
    row = office.get_by_test_id("inbox-reviews").locator(f'[data-assignment="{assignment}"]')
    expect(row).to_contain_text("56/58 cán bộ")
    row.get_by_placeholder("Lý do trả lại").fill("Bổ sung danh sách 2 cán bộ chưa cài đặt.")
    with office.expect_navigation():
        row.get_by_role("button", name="Trả lại").click()
    expect(office).to_have_url(re.compile(r"/inbox$"))
    expect(
        office.get_by_test_id("inbox-reviews").locator(f'[data-assignment="{assignment}"]')
    ).to_have_count(0)

    before = unread(agency)
    agency.goto("/inbox")
    assert unread(agency) == before + 1  # told at once, no cron
    returned = agency.get_by_test_id("inbox-returned").locator(f'[data-assignment="{assignment}"]')
    expect(returned).to_contain_text("Bổ sung danh sách 2 cán bộ chưa cài đặt.")
    expect(agency.get_by_test_id("inbox-unread")).to_contain_text("bị trả lại")
    with agency.expect_navigation():
        returned.get_by_role("link", name="Bổ sung và gửi lại").click()
    submit_report(agency, "Đã bổ sung: 58/58 cán bộ đã cài đặt Bluezone.", 58, 58)

    office.goto("/inbox")
    row = office.get_by_test_id("inbox-reviews").locator(f'[data-assignment="{assignment}"]')
    expect(row).to_contain_text("58/58")
    with office.expect_navigation():
        row.get_by_role("button", name="Chấp nhận").click()
    expect(office.get_by_role("alert")).to_contain_text("Chấp nhận: đã ghi nhận.")
    expect(
        office.get_by_test_id("inbox-reviews").locator(f'[data-assignment="{assignment}"]')
    ).to_have_count(0)


def test_search_from_the_navbar(login_as: LoginAs, axe) -> None:
    office = login_as("vanphong", bypass_csp=True)
    box = office.get_by_role("search").get_by_role("searchbox")
    box.fill("cai dat bluezone")
    with office.expect_navigation():
        box.press("Enter")
    results = office.get_by_test_id("search-results")
    expect(results.locator('[data-kind="directive"]').filter(has_text=REFERENCE)).to_have_count(1)
    expect(results.locator("mark").first).to_be_visible()
    axe(office)
    agency = login_as("syt", bypass_csp=True)
    agency.goto("/search?q=cai+dat+bluezone&kind=submission")
    for item in agency.get_by_test_id("search-results").locator("li").all():
        expect(item).to_contain_text("Sở Y tế")  # its own reports only


def test_leader_clicks_a_late_agency_and_gets_its_list(login_as: LoginAs, axe) -> None:
    leader = login_as("lanhdao", bypass_csp=True)
    late = leader.get_by_test_id("late-agencies").locator("li[data-agency]").first
    count = int(late.locator(".badge").inner_text())
    code = late.get_attribute("data-agency")
    with leader.expect_navigation():
        late.get_by_role("link").click()
    expect(leader).to_have_url(re.compile(rf"/assignments\?agency={code}&overdue=1"))
    rows = leader.get_by_test_id("obligation-list").locator("tr[data-assignment]")
    expect(rows).to_have_count(count)
    expect(leader.get_by_test_id("list-total")).to_contain_text(f"{count} mục")
    axe(leader)
    with leader.expect_navigation():
        leader.get_by_role("link", name=re.compile("Cơ quan, đơn vị")).click()
    expect(leader).to_have_url(re.compile(r"sort=agency"))
    expect(rows).to_have_count(count)  # the filter stays in the URL


def test_charts_are_drawn_with_their_numbers(login_as: LoginAs, axe) -> None:
    leader = login_as("lanhdao", bypass_csp=True)
    leader.goto("/?as_of=2020-09-10")
    for name in ("chart-weekly", "chart-directives", "chart-ranking"):
        image = leader.get_by_test_id(name).locator("img")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), name
    expect(
        leader.get_by_test_id("chart-ranking-data").locator("tr[data-agency]").first
    ).to_be_visible()
    assert leader.get_by_test_id("chart-weekly-data").locator("tbody tr").count() == 12
    axe(leader)


def test_english_from_the_account_menu(login_as: LoginAs, axe) -> None:
    office = login_as("vanphong", bypass_csp=True)
    office.get_by_test_id("current-user").click()
    with office.expect_navigation():
        office.get_by_role("button", name="English").click()
    expect(office.locator("html")).to_have_attribute("lang", "en")
    expect(office.get_by_role("heading", level=1)).to_have_text("Progress of tasks")
    office.get_by_test_id("nav-inbox").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Inbox")
    axe(office)
    office.goto("/assignments?overdue=1")
    expect(office.get_by_role("heading", level=1)).to_have_text("Tasks and reporting periods")
    office.get_by_test_id("current-user").click()
    with office.expect_navigation():
        office.get_by_role("button", name="Tiếng Việt").click()
    expect(office.locator("html")).to_have_attribute("lang", "vi")


def test_inbox_and_list_on_a_phone(login_as: LoginAs, axe) -> None:
    phone = login_as("stttt", viewport={"width": 375, "height": 800}, bypass_csp=True)
    for path in ("/inbox", "/assignments", "/"):
        phone.goto(path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide"
        axe(phone)
    phone.goto("/assignments")
    first = phone.get_by_test_id("obligation-list").locator("tr[data-assignment]").first
    expect(first.locator('[data-label="Thời hạn"]')).to_be_visible()
    expect(first.locator('[data-label="Trạng thái"]')).to_be_visible()


@pytest.mark.parametrize("width", [1200, 1280])
def test_the_navbar_fits_a_laptop_with_a_long_count(login_as: LoginAs, width: int) -> None:
    """The office's navbar keeps to one line and the page to the window, even with
    "999+" in the inbox badge (the widest a count shows) and in English or Vietnamese."""
    office = login_as("admin", viewport={"width": width, "height": 800})
    for language in ("vi", "en"):
        office.goto(f"/inbox?lang={language}")
        office.evaluate(
            "document.querySelector('[data-testid=waiting-count]').firstChild.textContent = '999+'"
        )
        assert office.evaluate("document.documentElement.scrollWidth") <= width
        assert office.evaluate("document.querySelector('nav').getBoundingClientRect().height") < 70
