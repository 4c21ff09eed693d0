"""Accessibility (WCAG 2.1 A and AA): axe-core on every page type, as the roles that see
them, at desktop and phone widths; and a keyboard focus that shows.

axe-core is the pinned, hash-checked npm package (see axe.py). Each test visits its pages
and fails once, at the end, with every page's violations listed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import AxeUnavailable, axe_source, describe_violations, run_axe
from tests.e2e.conftest import Pages

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: install Debian's chromium (make test does)",
    ),
]

REFERENCE = "1661/UBND-VX"
#: The app's Content-Security-Policy (script-src 'self') refuses inline scripts, axe's too;
#: the contexts of these tests let the injected axe run (the app's own pages are unchanged).
#: Reduced motion turns off Bootstrap's transitions, so that axe never measures the colours
#: of a button half way to its pressed state.
AXE_CONTEXT: dict[str, Any] = {"bypass_csp": True, "reduced_motion": "reduce"}
PHONE = AXE_CONTEXT | {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
}
#: A notice to import (and leave unconfirmed) for the review page; no other test uses 9117.
IMPORTED_NOTICE = """\
ỦY BAN NHÂN DÂN
TỈNH LAI CHÂU
Số: 9117/TB-UBND
Lai Châu, ngày 3 tháng 3 năm 2021

THÔNG BÁO
Kiểm tra khả năng tiếp cận của hệ thống

1. Sở Thông tin và Truyền thông chủ trì kiểm tra; báo cáo trước ngày 30/3/2021.
Nơi nhận:
- Như trên;
- Lưu: VT.
"""


@pytest.fixture(scope="module")
def axe_script() -> str:
    try:
        return axe_source()
    except AxeUnavailable as error:
        pytest.fail(str(error), pytrace=False)


class AxeAudit:
    """Visits pages, runs axe on each, and remembers the violations per page."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.checked: list[str] = []
        self.failures: dict[str, str] = {}

    def visit(self, page: Page, path: str, label: str, status: int = 200) -> None:
        response = page.goto(path)
        assert response is not None, path
        assert response.status == status, f"{label}: {path} answered {response.status}"
        self.check(page, label)

    def check(self, page: Page, label: str) -> None:
        page.wait_for_load_state("load")
        # What a click unfolds is checked too: axe skips hidden content.
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        name = f"{label} ({page.url})"
        self.checked.append(name)
        violations = run_axe(page, self.source)
        if violations:
            self.failures[name] = describe_violations(violations)

    def assert_clean(self) -> None:
        assert self.checked, "no page was checked"
        if self.failures:
            report = "\n\n".join(f"{name}:\n{text}" for name, text in self.failures.items())
            pytest.fail(
                f"axe found WCAG 2.1 A/AA violations on {len(self.failures)} of "
                f"{len(self.checked)} pages:\n\n{report}",
                pytrace=False,
            )


@pytest.fixture
def audit(axe_script: str) -> Iterator[AxeAudit]:
    yield AxeAudit(axe_script)


def href_id(page: Page, selector: str, pattern: str) -> int:
    """The number a link's href holds, e.g. the directive id of /directives/12."""
    link = page.locator(selector).first
    expect(link).to_be_attached()
    match = re.search(pattern, link.get_attribute("href") or "")
    assert match, f"{selector}: no {pattern} in {link.get_attribute('href')!r}"
    return int(match.group(1))


def directive_id(page: Page, reference: str = REFERENCE) -> int:
    page.goto("/directives")
    return href_id(page, f'tr[data-directive="{reference}"] a', r"/directives/(\d+)")


def assignment_id(page: Page, directive: int, task_number: str, agency_code: str) -> int:
    page.goto(f"/directives/{directive}")
    return href_id(
        page,
        f'[data-testid="assignments-{task_number}"] tr[data-agency="{agency_code}"] a',
        r"/assignments/(\d+)$",
    )


def test_axe_pages_of_the_office(pages: Pages, audit: AxeAudit) -> None:
    anonymous = pages.new_page(**AXE_CONTEXT)
    audit.visit(anonymous, "/login", "login")
    anonymous.fill('input[name="username"]', "vanphong")
    anonymous.fill('input[name="password"]', "not the password")
    with anonymous.expect_navigation():
        anonymous.get_by_role("button", name="Đăng nhập").click()
    expect(anonymous.get_by_label("Mật khẩu")).to_have_accessible_description(
        "Tên đăng nhập hoặc mật khẩu không đúng."
    )
    audit.check(anonymous, "login, refused")
    audit.visit(anonymous, "/no-such-page", "404, signed out", status=404)

    office = pages.logged_in("vanphong", **AXE_CONTEXT)
    directive = directive_id(office)
    assignment = assignment_id(office, directive, "2", "STTTT")
    audit.visit(office, "/", "office dashboard")
    office.get_by_role("button", name="Quản lý").click()
    expect(office.get_by_role("link", name="Lịch làm việc")).to_be_visible()
    audit.check(office, "management menu opened")
    office.get_by_test_id("current-user").click()
    expect(office.get_by_role("link", name="Đổi mật khẩu")).to_be_visible()
    audit.check(office, "account menu opened")
    audit.visit(office, "/inbox", "inbox")
    audit.visit(office, "/search?q=cai+dat+bluezone", "search")
    audit.visit(office, "/assignments?agency=STTTT&overdue=1&sort=deadline", "obligations")
    audit.visit(office, "/directives", "directives")
    audit.visit(office, f"/directives/{directive}", "directive")
    assign = href_id(office, 'a[href$="/assign"]', r"/tasks/(\d+)/assign")
    audit.visit(office, f"/tasks/{assign}/assign", "assign")
    audit.visit(office, f"/assignments/{assignment}", "assignment")
    audit.visit(office, "/directives/new", "new directive")
    audit.visit(office, "/directives/import", "import")
    office.fill("textarea[name=text]", IMPORTED_NOTICE)
    with office.expect_navigation(url=re.compile(r"/imports/\d+$")):
        office.get_by_role("button", name="Đọc văn bản").click()
    expect(office).to_have_title(re.compile("Kiểm tra văn bản nhập"))
    audit.check(office, "import review")
    audit.visit(office, "/notifications", "notifications")
    audit.visit(office, "/account/notifications", "notification settings")
    audit.visit(office, "/account/password", "password")
    with office.expect_navigation():
        office.get_by_test_id("password-form").get_by_role("button", name="Đổi mật khẩu").click()
    # The error message is the field's accessible description: read with the field.
    refused = office.get_by_label("Mật khẩu hiện tại")
    expect(refused).to_have_attribute("aria-invalid", "true")
    expect(refused).to_have_accessible_description("Hãy nhập mật khẩu hiện tại.")
    audit.check(office, "password, refused")
    audit.visit(office, "/agencies", "agencies")
    audit.visit(office, "/calendar", "calendar")
    audit.visit(office, f"/directives/{directive}/reply?agency=STTTT", "reply draft")
    with office.context.expect_page() as opened:
        office.get_by_role("button", name="Xem dự thảo trên trình duyệt").click()
    preview = opened.value
    expect(preview.locator("body.draft")).to_contain_text("Kính gửi")
    audit.check(preview, "reply draft in the browser")
    audit.visit(office, f"/directives/{directive}/urge", "urge draft")
    audit.visit(office, f"/reports/accountability/draft?directive={directive}", "accountability")
    audit.visit(office, "/no-such-page", "404", status=404)
    audit.visit(office, "/assignments/999999", "404 of an assignment", status=404)
    audit.assert_clean()
    assert len(audit.checked) == 28


def test_axe_pages_of_leader_admin_and_agencies(pages: Pages, audit: AxeAudit) -> None:
    leader = pages.logged_in("lanhdao", **AXE_CONTEXT)
    directive = directive_id(leader)
    audit.visit(leader, "/", "leader dashboard")
    audit.visit(leader, "/inbox", "leader inbox")
    audit.visit(leader, f"/directives/{directive}", "directive, leader")
    indicator = href_id(leader, '[data-testid="indicator-link"]', r"/indicators/(\d+)")
    audit.visit(leader, f"/indicators/{indicator}?as_of=2020-08-25", "indicator, leader")
    audit.visit(leader, f"/directives/{directive}/urge", "urge draft, leader")

    admin = pages.logged_in("admin", **AXE_CONTEXT)
    audit.visit(admin, "/users", "users")
    audit.visit(admin, "/agencies", "agencies, admin")
    identity = href_id(admin, 'a[href$="/identity"]', r"/agencies/(\d+)/identity")
    audit.visit(admin, f"/agencies/{identity}/identity", "agency identity")

    for username in ("stttt", "snv", "syt"):
        agency = pages.logged_in(username, **AXE_CONTEXT)
        audit.visit(agency, "/", f"agency dashboard ({username})")
        audit.visit(agency, "/inbox", f"agency inbox ({username})")
        audit.visit(agency, "/assignments", f"agency obligations ({username})")

    agency = pages.logged_in("stttt", **AXE_CONTEXT)
    own = href_id(
        agency, '[data-testid="own-assignments"] tr[data-assignment] a', r"/assignments/(\d+)"
    )
    audit.visit(agency, f"/assignments/{own}", "own assignment")
    audit.visit(agency, f"/directives/{directive}/reply", "reply draft, agency")
    audit.visit(agency, f"/directives/{directive}/digest?week=2020-08-24", "weekly digest")
    agency.goto("/")
    with agency.expect_navigation():
        agency.get_by_role("link", name="Lịch hạn").click()
    audit.check(agency, "calendar feed")
    audit.visit(agency, "/notifications", "agency notifications")
    audit.visit(agency, "/users", "403", status=403)
    audit.assert_clean()
    assert len(audit.checked) == 23


def test_axe_main_pages_on_a_phone(pages: Pages, audit: AxeAudit) -> None:
    anonymous = pages.new_page(**PHONE)
    audit.visit(anonymous, "/login", "login, phone")

    office = pages.logged_in("vanphong", **PHONE)
    directive = directive_id(office)
    assignment = assignment_id(office, directive, "2", "STTTT")
    for path, label in [
        ("/", "office dashboard"),
        ("/inbox", "inbox"),
        ("/search?q=cai+dat+bluezone", "search"),
        ("/assignments?agency=STTTT&overdue=1&sort=deadline", "obligations"),
        ("/directives", "directives"),
        (f"/directives/{directive}", "directive"),
        (f"/assignments/{assignment}", "assignment"),
        ("/notifications", "notifications"),
    ]:
        audit.visit(office, path, f"{label}, phone")
    # The collapsed menu, opened: its links and the account menu are checked too.
    office.get_by_role("button", name="Mở menu").click()
    expect(office.locator("#nav")).to_be_visible()
    audit.check(office, "menu opened, phone")

    leader = pages.logged_in("lanhdao", **PHONE)
    audit.visit(leader, "/", "leader dashboard, phone")
    agency = pages.logged_in("stttt", **PHONE)
    audit.visit(agency, "/", "agency dashboard, phone")
    audit.assert_clean()
    assert len(audit.checked) == 12


def focus_ring(page: Page) -> dict[str, str]:
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {
                outlineStyle: style.outlineStyle,
                outlineWidth: style.outlineWidth,
                boxShadow: style.boxShadow,
                text: document.activeElement.textContent.trim(),
                tag: document.activeElement.tagName,
            };
        }"""
    )


def visible_ring(style: dict[str, str]) -> bool:
    outline = style["outlineStyle"] != "none" and float(style["outlineWidth"].rstrip("px")) >= 2
    return outline or style["boxShadow"] not in ("none", "")


def tab_to(page: Page, accept: Callable[[dict[str, str]], bool], limit: int = 30) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        style = focus_ring(page)
        if accept(style):
            return style
    raise AssertionError(f"no matching element within {limit} presses of Tab")


def test_keyboard_focus_is_visible(pages: Pages) -> None:
    office = pages.logged_in("vanphong", **AXE_CONTEXT)
    office.goto("/")
    # The first Tab shows the skip link, which leads to the main content.
    skip = tab_to(office, lambda style: style["tag"] == "A", limit=1)
    assert skip["text"] == "Bỏ qua thanh điều hướng"
    expect(office.get_by_role("link", name="Bỏ qua thanh điều hướng")).to_be_in_viewport()
    assert visible_ring(skip), skip

    link = tab_to(office, lambda style: style["text"] == "Văn bản chỉ đạo")
    assert visible_ring(link), f"the focused navbar link shows no focus ring: {link}"
    # Not the browser's default either: the app's 3 px ring.
    assert link["outlineStyle"] == "solid" and link["outlineWidth"] == "3px", link

    office.goto("/account/password")
    field = tab_to(office, lambda style: style["tag"] == "INPUT" and style["text"] == "", limit=40)
    assert visible_ring(field), f"a focused form field shows no focus ring: {field}"

    # On the login form, which has no navbar, the submit button shows its ring too.
    anonymous = pages.new_page()
    anonymous.goto("/login")
    button = tab_to(anonymous, lambda style: style["tag"] == "BUTTON")
    assert visible_ring(button), f"the focused button shows no focus ring: {button}"
