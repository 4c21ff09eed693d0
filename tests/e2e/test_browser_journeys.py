"""End-to-end journeys in a real browser (Chromium) against a live tracker server.

The server's database is a fresh `tracker init --demo` one, shared by the journeys of
the run; each journey works on data no other journey touches, and reads the counts it
compares before it changes anything, so the journeys pass in any order."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

#: Debian's Chromium, as in conftest.py (a browser is never downloaded).
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: install Debian's chromium (make test does)",
    ),
]

LoginAs = Callable[..., Page]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ASSIGNMENT_URL = re.compile(r"/assignments/(\d+)$")


# Helpers -------------------------------------------------------------------------------


def status_badge(page: Page) -> Locator:
    return page.get_by_test_id("assignment-status").locator("[data-status]")


def action_form(page: Page, action: str) -> Locator:
    return page.get_by_test_id("actions").locator(f'form[data-action="{action}"]')


def act(page: Page, action: str, button: str) -> None:
    """Click a workflow step's button and wait for the redirect back to the page."""
    with page.expect_navigation():
        action_form(page, action).get_by_role("button", name=button).click()
    expect(page.get_by_test_id("action-error")).to_have_count(0)


def submit_report(page: Page, text: str, installed: int, staff: int) -> None:
    form = action_form(page, "submit")
    form.locator('textarea[name="text"]').fill(text)
    form.locator('input[name="bluezone_staff__numerator"]').fill(str(installed))
    form.locator('input[name="bluezone_staff__denominator"]').fill(str(staff))
    act(page, "submit", "Gửi báo cáo kết quả")


def own_assignment_id(page: Page, reference: str, task_number: str) -> int:
    """The id of the signed-in agency's assignment of a task, read from its dashboard."""
    page.goto("/")
    rows = (
        page.get_by_test_id("own-assignments")
        .locator("tr[data-assignment]")
        .filter(has_text=reference)
        .filter(has_text=f"NV {task_number}:")
    )
    expect(rows).to_have_count(1)
    return int(rows.get_attribute("data-assignment"))


def assignment_id_from_directive_page(
    page: Page, reference: str, task_number: str, agency_code: str
) -> int:
    """As a user who reads everything: the assignment id linked from the directive page."""
    open_directive(page, reference)
    link = page.locator(
        f'[data-testid="assignments-{task_number}"] tr[data-agency="{agency_code}"] a'
    )
    match = ASSIGNMENT_URL.search(link.get_attribute("href") or "")
    assert match, f"no assignment of task {task_number} to {agency_code} on {reference}"
    return int(match.group(1))


def open_directive(page: Page, reference: str) -> None:
    page.goto("/directives")
    with page.expect_navigation():
        page.locator(f'tr[data-directive="{reference}"] a').first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def leader_counts(page: Page, reference: str) -> dict[str, int]:
    row = page.get_by_test_id("directive-counts").locator(f'tr[data-directive="{reference}"]')
    expect(row).to_have_count(1)
    return {
        name: int(row.locator(f'[data-count="{name}"]').inner_text())
        for name in ("done_on_time", "done_late", "open_within", "open_overdue")
    }


def late_agency(page: Page, code: str) -> Locator:
    return page.get_by_test_id("late-agencies").locator(f'[data-agency="{code}"]')


# Journeys ------------------------------------------------------------------------------


def test_secretariat_assigns_a_cited_directive_task(login_as: LoginAs) -> None:
    page = login_as("vanphong")
    page.get_by_role("link", name="Văn bản chỉ đạo").first.click()
    expect(page).to_have_url(re.compile(r"/directives$"))
    open_directive(page, "1569/UBND-VX")
    task = page.locator('[data-task="1"]')
    expect(task).to_contain_text("Chưa giao cho cơ quan, đơn vị nào.")

    with page.expect_navigation():
        task.get_by_role("link", name="Giao nhiệm vụ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Giao nhiệm vụ 1")
    page.locator('select[name="targets"]').select_option(label="Sở Y tế")
    page.locator('input[name="due_date"]').fill("30/09/2020")
    with page.expect_navigation():
        page.locator("form").get_by_role("button", name="Giao nhiệm vụ").click()

    expect(page.get_by_role("alert")).to_contain_text("Đã giao nhiệm vụ 1 cho 1 cơ quan, đơn vị.")
    row = page.get_by_test_id("assignments-1").locator('tr[data-agency="SYT"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Sở Y tế")
    expect(row).to_contain_text("Chủ trì")
    expect(row).to_contain_text("30/09/2020")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "assigned")


def test_report_returned_resubmitted_accepted_and_counted_late(
    login_as: LoginAs, tmp_path: Path
) -> None:
    reference = "1661/UBND-VX"
    leader = login_as("lanhdao")
    before = leader_counts(leader, reference)
    # SCT has not reported on task 2 (due 18/08/2020), its only overdue work.
    expect(late_agency(leader, "SCT")).to_have_count(1)
    expect(late_agency(leader, "SCT").locator(".badge")).to_have_text("1")

    agency = login_as("sct")
    assignment_id = own_assignment_id(agency, reference, "2")
    url = f"/assignments/{assignment_id}"
    agency.goto(url)
    expect(status_badge(agency)).to_have_attribute("data-status", "assigned")

    evidence = tmp_path / "bao-cao-bluezone-sct.txt"
    evidence.write_text("Sở Công Thương: 58/58 cán bộ đã cài đặt Bluezone.\n", encoding="utf-8")
    agency.set_input_files('input[name="file"]', evidence)
    with agency.expect_navigation():
        agency.get_by_role("button", name="Tải lên", exact=True).click()
    expect(agency.get_by_test_id("evidence")).to_contain_text(evidence.name)

    submit_report(agency, "Sở Công Thương đã chỉ đạo cài đặt Bluezone.", 57, 58)
    expect(status_badge(agency)).to_have_text("Đã báo cáo, chờ duyệt")

    office = login_as("vanphong")
    office.goto(url)
    expect(status_badge(office)).to_have_text("Đã báo cáo, chờ duyệt")
    reason = "Đề nghị bổ sung danh sách cán bộ chưa cài đặt."
    action_form(office, "return").locator('textarea[name="reason"]').fill(reason)
    act(office, "return", "Trả lại")
    expect(status_badge(office)).to_have_text("Trả lại, yêu cầu bổ sung")

    agency.goto(url)
    expect(status_badge(agency)).to_have_text("Trả lại, yêu cầu bổ sung")
    expect(agency.get_by_test_id("submissions")).to_contain_text(reason)
    submit_report(agency, "Đã bổ sung: 58/58 cán bộ đã cài đặt Bluezone.", 58, 58)
    expect(status_badge(agency)).to_have_text("Đã báo cáo, chờ duyệt")

    office.goto(url)
    act(office, "accept", "Chấp nhận")
    expect(status_badge(office)).to_have_text("Hoàn thành")
    expect(office.get_by_test_id("assignment-status").locator("[data-outcome]")).to_have_attribute(
        "data-outcome", "done_late"
    )

    leader.goto("/")
    after = leader_counts(leader, reference)
    assert after["done_late"] == before["done_late"] + 1
    assert after["open_overdue"] == before["open_overdue"] - 1
    assert after["done_on_time"] == before["done_on_time"]
    expect(leader.get_by_test_id("late-agencies")).to_be_visible()
    expect(late_agency(leader, "SCT")).to_have_count(0)


def test_agency_cannot_open_another_agencys_assignment(login_as: LoginAs) -> None:
    office = login_as("vanphong")
    other = assignment_id_from_directive_page(office, "1661/UBND-VX", "4", "STTTT")

    agency = login_as("sct")
    response = agency.goto(f"/assignments/{other}")
    assert response is not None and response.status == 404
    expect(agency.get_by_role("heading", level=1)).to_have_text("Không tìm thấy")
    expect(agency.get_by_test_id("error-message")).to_contain_text("Không tìm thấy")


def test_pages_render_to_screenshots(login_as: LoginAs, tmp_path: Path) -> None:
    office = login_as("vanphong")
    assignment = assignment_id_from_directive_page(office, "1661/UBND-VX", "2", "STTTT")
    office.goto(f"/assignments/{assignment}")
    expect(status_badge(office)).to_be_visible()
    leader = login_as("lanhdao")
    expect(leader.get_by_test_id("directive-counts")).to_be_visible()

    shots = {
        tmp_path / "assignment.png": office,
        tmp_path / "leader-dashboard.png": leader,
    }
    for path, page in shots.items():
        page.screenshot(path=path, full_page=True)
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE), path
        assert len(data) > 10_000, f"{path} is suspiciously small ({len(data)} bytes)"


IMPORTED_PLAN = """\
ỦY BAN NHÂN DÂN
TỈNH LAI CHÂU
Số: 530/KH-UBND
Lai Châu, ngày 12 tháng 4 năm 2021

KẾ HOẠCH
Tổng vệ sinh môi trường phòng, chống dịch bệnh năm 2021

1. Sở Tài nguyên và Môi trường chủ trì, phối hợp với Sở Y tế hướng dẫn thực hiện;
báo cáo UBND tỉnh trước ngày 30/5/2021.
2. UBND các huyện, thành phố tổ chức ra quân hằng tháng.
Nơi nhận:
- Như trên;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An
"""


def test_secretariat_imports_reviews_and_confirms_a_plan(login_as: LoginAs) -> None:
    page = login_as("vanphong")
    page.goto("/directives/import")
    page.fill("textarea[name=text]", IMPORTED_PLAN)
    page.click("button:has-text('Đọc văn bản')")
    expect(page).to_have_title(re.compile("Kiểm tra văn bản nhập"))
    source = page.get_by_test_id("source-text")
    expect(source.locator("mark.mark-task")).to_have_count(2)
    expect(page.locator("input[name=number]")).to_have_value("530")
    expect(page.locator("input[name='tasks-0-due_date']")).to_have_value("30/05/2021")
    page.fill("input[name='tasks-0-title']", "Hướng dẫn tổng vệ sinh môi trường")
    page.click("button:has-text('Xác nhận')")
    expect(page.get_by_test_id("directive-status")).to_have_text("Đang thực hiện")
    expect(page.locator("h1")).to_contain_text("Kế hoạch 530/KH-UBND")
    first = page.locator("[data-task='1']")
    expect(first).to_contain_text("Hướng dẫn tổng vệ sinh môi trường")
    expect(first.locator("[data-agency='STNMT']")).to_have_count(1)
    expect(first.locator("[data-agency='SYT']")).to_contain_text("Phối hợp")
    expect(page.locator("[data-task='2'] [data-agency='TAMDUONG']")).to_have_count(1)
