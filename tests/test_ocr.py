"""Scans read by OCR (Tesseract, Vietnamese): a typed directive printed, rasterised,
turned a little and read back as a scanned PDF and as an image; the layout kept from the
word boxes; figures written by pen left blank; a failed text layer recognised; bounds."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from weasyprint import HTML

from tracker.directives.parsing import ocr
from tracker.directives.parsing.parser import parse
from tracker.directives.parsing.reading import ScanNeedsOcr, read_bytes
from tracker.directives.parsing.source import NotADirective

needs_tesseract = pytest.mark.skipif(
    ocr.missing() is not None or shutil.which("pdftoppm") is None,
    reason="Tesseract with its Vietnamese model and pdftoppm are installed by make setup",
)

#: A typed letter of our own (invented), laid out as offices print them: a two-column
#: header, numbered items, the signature beside Nơi nhận.
LETTER = (Path(__file__).parent / "fixtures" / "scans" / "letter.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> dict[str, bytes]:
    return make_scan(tmp_path_factory.mktemp("scan"))


def make_scan(folder: Path) -> dict[str, bytes]:
    """The letter printed and scanned: a page image turned 1.5 degrees, as PNG and as a
    PDF with no text layer."""
    folder.mkdir(parents=True, exist_ok=True)
    HTML(string=LETTER).write_pdf(folder / "letter.pdf")
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", "letter.pdf", "page"],
        cwd=folder,
        check=True,
    )
    page = Image.open(folder / "page.png").convert("L").rotate(1.5, expand=True, fillcolor=255)
    png, pdf = io.BytesIO(), io.BytesIO()
    page.save(png, format="PNG")
    page.save(pdf, format="PDF", resolution=300)
    return {"png": png.getvalue(), "pdf": pdf.getvalue()}


@needs_tesseract
@pytest.mark.parametrize("kind", ["pdf", "png"])
def test_a_typed_scan_reads_as_its_text_would(scan, kind):
    draft = parse(scan[kind])
    assert (draft.number, draft.symbol) == ("2415", "UBND-VX")
    assert draft.issued_date is not None and draft.issued_date.isoformat() == "2021-10-14"
    assert draft.subject == "tổ chức tiêm vắc xin phòng Covid-19"
    assert [task.number for task in draft.tasks] == ["1", "2", "3"]
    assert draft.signer.name == "Hà Trọng Hải"
    assert draft.signer.title == "PHÓ CHỦ TỊCH"
    first = draft.tasks[0]
    assert first.agencies[0].name == "Sở Y tế" and first.report_to == "UBND tỉnh"
    assert first.deadlines[0].date.isoformat() == "2021-10-25"


@needs_tesseract
def test_the_pages_report_their_progress_and_images(scan):
    seen: list[tuple[int, int]] = []
    result = ocr.read_scan(
        scan["pdf"], pdf=True, progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(1, 1)]
    (page,) = result.pages
    assert page.image.startswith(b"\x89PNG")
    assert "Số: 2415/UBND-VX" in page.text.replace(" /", "/")


def test_a_scan_is_not_read_in_a_request():
    """OCR takes seconds a page: without `ocr` (a web request) a scan is refused with a
    way forward, and no Tesseract runs."""
    with pytest.raises(ScanNeedsOcr, match="tracker import"):
        read_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "anh.png")


def test_too_many_pages_are_refused_before_any_is_read(monkeypatch):
    blank = Image.new("L", (50, 70), 255)
    pdf = io.BytesIO()
    blank.save(pdf, format="PDF", save_all=True, append_images=[blank] * ocr.MAX_OCR_PAGES)
    monkeypatch.setattr(ocr, "missing", lambda: None)
    with pytest.raises(NotADirective, match="quá nhiều trang"):
        ocr.read_scan(pdf.getvalue(), pdf=True)


def _word(text: str, left: int, top: int, confidence: float = 95.0) -> ocr.Word:
    return ocr.Word(text, confidence, left, top, 20 * len(text), 40)


def test_the_layout_keeps_two_columns_on_one_row_and_leaves_pen_figures_blank():
    lines = [
        [_word("UBND", 100, 100), _word("TỈNH", 200, 100)],
        [_word("CỘNG", 1200, 102), _word("HÒA", 1300, 102)],
        [
            _word("Số:", 100, 160),
            _word("1661", 180, 160, confidence=12.0),
            _word("⁄UBND-VX", 280, 160, confidence=20.0),
        ],
        [
            _word("ngày", 1200, 160),
            _word("15", 1300, 160, confidence=8.0),
            _word("tháng", 1360, 160),
        ],
        [_word("Kính", 300, 400, confidence=50.0), _word("gửi:", 400, 400)],
    ]
    text = ocr.layout(lines)
    rows = text.split("\n")
    assert rows[0].lstrip().startswith("UBND") and "CỘNG" in rows[0]
    assert rows[0].index("CỘNG") - len("UBND TỈNH") > 10  # a column gap, as pdftotext -layout
    # A pen's number is blank; a typed symbol read poorly is kept, its slash made "/".
    assert "Số:" in rows[1] and "/UBND-VX" in rows[1] and "1661" not in rows[1]
    assert "ngày" in rows[1] and "15" not in rows[1] and "tháng" in rows[1]
    assert rows[2] == ""  # a wide vertical gap is a blank line
    assert [word.text for line in lines for word in line if word.unsure] == [
        "1661",
        "⁄UBND-VX",
        "15",
        "Kính",
    ]


def test_a_failed_text_layer_is_told_from_a_good_one():
    good = Path(__file__).resolve().parents[1] / "directives" / "lai-chau" / "1661-UBND-VX.txt"
    assert not ocr.looks_like_failed_ocr(good.read_text(encoding="utf-8"))
    stripped = "Uy ban nhan dan tinh yeu cau cac so, ban, nganh thuc hien nghiem tuc. " * 10
    assert ocr.looks_like_failed_ocr(stripped)
    digits = "C0ng v4n s0 12 y3u c4u c4c c0 qu4n th0c h13n ngh13m tuc nh1em vu. " * 10
    assert ocr.looks_like_failed_ocr(digits)


@needs_tesseract
def test_a_scan_imports_in_the_browser_with_its_progress_and_page_images(
    client, auth, session, scan, tmp_path, app, monkeypatch
):
    """The upload page takes a scan: it is read by OCR in the job queue (immediate in the
    tests), page by page, then parsed; the review shows the recognised text beside the
    page image, the unsure words marked. Only the office sees the pages."""
    from tests.helpers import post_scan
    from tracker.directives.models import ImportDraft, ImportStatus

    monkeypatch.setitem(app.config, "IMPORTS_DIR", str(tmp_path / "imports"))
    auth.login("vanphong")
    assert post_scan(client, scan["pdf"]).status_code == 302
    imported = session.scalars(sa.select(ImportDraft).order_by(ImportDraft.id.desc())).first()
    assert imported.status == ImportStatus.OPEN and imported.scan_file
    assert (imported.pages_done, imported.pages_total) == (1, 1)
    assert imported.data["number"] == "2415" and imported.data["symbol"] == "UBND-VX"
    review = client.get(f"/imports/{imported.id}").get_data(as_text=True)
    assert 'data-testid="scan-pages"' in review
    assert f"/imports/{imported.id}/pages/1.png" in review
    image = client.get(f"/imports/{imported.id}/pages/1.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert client.get(f"/imports/{imported.id}/pages/2.png").status_code == 404
    auth.logout()
    auth.login("stttt")
    assert client.get(f"/imports/{imported.id}/pages/1.png").status_code == 403


def test_an_import_begun_before_the_store_is_read_from_its_folder(
    client, auth, session, tmp_path, app, monkeypatch
):
    """Imports begun before the file store kept scans (the scan at IMPORTS_DIR/<id>/scan,
    the page images beside it) are still read, shown and removed as before."""
    from tracker.directives import scans
    from tracker.directives.models import ImportDraft, ImportStatus

    monkeypatch.setitem(app.config, "IMPORTS_DIR", str(tmp_path / "imports"))
    imported = ImportDraft(
        source_name="quet.pdf", text="Công văn", data={}, status=ImportStatus.OPEN
    )
    session.add(imported)
    session.flush()
    folder = tmp_path / "imports" / str(imported.id)
    folder.mkdir(parents=True)
    (folder / "scan").write_bytes(b"%PDF-1.4 scan")
    (folder / "page-1.png").write_bytes(b"\x89PNG page one")
    imported.scan_file = f"{imported.id}/scan"
    imported.ocr_pages = [{"number": 1, "unsure": []}]
    session.commit()

    assert scans._scan_bytes(imported) == b"%PDF-1.4 scan"
    assert scans.known_hashes(session) == set()  # nothing of it in the store
    auth.login("vanphong")
    page = client.get(f"/imports/{imported.id}/pages/1.png")
    assert page.status_code == 200 and page.data == b"\x89PNG page one"
    assert client.get(f"/imports/{imported.id}/pages/2.png").status_code == 404
    scans.forget(imported.id)
    assert not folder.exists()


def test_the_progress_page_counts_the_pages_read(client, auth, session):
    from tracker.directives.models import ImportDraft, ImportStatus

    imported = ImportDraft(
        source_name="quet.pdf",
        text="",
        data={},
        status=ImportStatus.PARSING,
        scan_file="1/scan",
        pages_done=2,
        pages_total=5,
    )
    session.add(imported)
    session.commit()
    auth.login("vanphong")
    page = client.get(f"/imports/{imported.id}").get_data(as_text=True)
    assert "đã xong 2/5 trang" in page and 'value="2" max="5"' in page


def test_unsure_words_are_marked_in_the_review_text():
    from tracker.directives.models import ImportDraft
    from tracker.directives.scans import marked as _parts
    from tracker.directives.scans import unsure_words as _unsure_words

    imported = ImportDraft(
        text="Sở Y tế chủ trì", ocr_pages=[{"number": 1, "unsure": [["trì", 41.0]]}]
    )
    assert _parts("Sở Y tế chủ trì, phối hợp", _unsure_words(imported)) == [
        ("Sở Y tế chủ ", False),
        ("trì", True),
        (", phối hợp", False),
    ]
    assert _unsure_words(ImportDraft(text="x", ocr_pages=None)) is None
