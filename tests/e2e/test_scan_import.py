"""A scanned directive imported in a real browser: the office uploads a scan, the job
queue's worker reads it by OCR while the progress page counts its pages, and the review
shows the page image beside the recognised text; confirmed, it is a directive."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from weasyprint import HTML

from tests.e2e import test_browser_journeys as browser_journeys
from tests.e2e.test_browser_journeys import LoginAs
from tracker.directives.parsing import ocr

pytestmark = [
    *browser_journeys.pytestmark,
    pytest.mark.skipif(ocr.missing() is not None, reason="make setup installs Tesseract"),
]

LETTER = Path(__file__).resolve().parents[1] / "fixtures" / "scans" / "letter.html"


def test_the_office_imports_a_scan(login_as: LoginAs, tmp_path: Path) -> None:
    HTML(string=LETTER.read_text(encoding="utf-8")).write_pdf(tmp_path / "letter.pdf")
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", "letter.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    page_image = (
        Image.open(tmp_path / "page.png").convert("L").rotate(1, expand=True, fillcolor=255)
    )
    scan = tmp_path / "cong-van-2415-quet.pdf"
    out = io.BytesIO()
    page_image.save(out, format="PDF", resolution=300)
    scan.write_bytes(out.getvalue())

    page = login_as("vanphong")
    page.goto("/directives/import")
    page.set_input_files("input[name=file]", str(scan))
    page.click("button:has-text('Đọc văn bản')")
    # The progress page refreshes itself until the worker has read and parsed the scan.
    expect(page).to_have_title(re.compile("Kiểm tra văn bản nhập"), timeout=90_000)
    expect(page.locator("input[name=number]")).to_have_value("2415")
    expect(page.locator("input[name=symbol]")).to_have_value("UBND-VX")
    pages = page.get_by_test_id("scan-pages")
    expect(pages.locator("img")).to_have_count(1)
    image = pages.locator("img").first
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 500
    page.click("button:has-text('Xác nhận')")
    expect(page.get_by_test_id("directive-status")).to_have_text("Đang thực hiện")
    expect(page.locator("h1")).to_contain_text("2415/UBND-VX")
    expect(page.locator("[data-task='3']")).to_have_count(1)
