"""Tests of tests/nd30.py: each check passes on a small ND30-conformant PDF rendered
here with WeasyPrint and fails on a PDF that is wrong in the one way it checks."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from tests.nd30 import (
    MM,
    Pdf,
    TextLine,
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
    embedded_fonts,
    find_line,
    lines,
    nd30_date,
)

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
FONT_URL = f"file://{FONT_DIR}/"
FACES = (("Regular", "normal", "normal"), ("Bold", "bold", "normal"))
FACES += (("Italic", "normal", "italic"), ("BoldItalic", "bold", "italic"))
FONT_FACES = "".join(
    f"@font-face {{ font-family: 'ND30 Serif'; src: url('{FONT_URL}LiberationSerif-{name}.ttf');"
    f" font-weight: {weight}; font-style: {style} }}\n"
    for name, weight, style in FACES
)
PAGE_NUMBER = "content: counter(page); font: 13pt 'ND30 Serif'"
LEFT, RIGHT = 30 * MM, 595.28 - 15 * MM
#: The two header columns: 40 % and 60 % of the text block.
COLUMN_EDGE = LEFT + 0.4 * (RIGHT - LEFT)
PARAGRAPH = (
    "Thực hiện Kế hoạch số 12/KH-UBND ngày 05 tháng 01 năm 2020 của Ủy ban nhân dân tỉnh về "
    "chuyển đổi số, Sở Thông tin và Truyền thông báo cáo kết quả triển khai, những khó khăn, "
    "vướng mắc và đề xuất giải pháp trong thời gian tới như sau."
)
#: Renders 3 pages: numbers on pages 2 and 3.
PARAGRAPHS_3_PAGES = 36


def render(
    *,
    page_size: str = "A4",
    margin: str = "20mm 15mm 20mm 30mm",
    font_family: str = "'ND30 Serif'",
    top_center: str = PAGE_NUMBER,
    top_left: str = "",
    number_first_page: bool = False,
    date_line: str = "<i>Lai Châu, ngày 20 tháng 8 năm 2020</i>",
    extra_body: str = "",
    head: str = "",
    paragraphs: int = PARAGRAPHS_3_PAGES,
    break_pages: bool = False,
    uncompressed: bool = False,
    url_fetcher: URLFetcher | None = None,
) -> bytes:
    first_page = "@page :first { @top-center { content: none } @top-left { content: none } }"
    if number_first_page:
        first_page = ""
    css = f"""{FONT_FACES}
        @page {{ size: {page_size}; margin: {margin};
                 @top-center {{ {top_center} }} @top-left {{ {top_left} }} }}
        {first_page}
        html {{ font-family: {font_family}; font-size: 13pt; line-height: 1.3 }}
        body {{ margin: 0 }}
        table.header {{ width: 100%; border-collapse: collapse }}
        table.header td {{ padding: 0; text-align: center; vertical-align: top }}
        td.left {{ width: 40% }}
        td.right {{ width: 60% }}
        .nation {{ font-size: 12pt; font-weight: bold; white-space: nowrap }}
        .issuer, .motto {{ font-weight: bold }}
        p {{ margin: 0 }}
        .body p {{ text-align: justify; text-indent: 1cm; margin-bottom: 6pt }}
    """
    tag = '<p style="break-before: page">' if break_pages else "<p>"
    body = "".join(
        f"{'<p>' if number == 1 else tag}Đoạn {number}: {PARAGRAPH}</p>"
        for number in range(1, paragraphs + 1)
    )
    html = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
        <title>Báo cáo kết quả chuyển đổi số</title>
        <meta name="author" content="Sở Thông tin và Truyền thông">
        <meta name="description" content="Báo cáo số 05/BC-STTTT">
        <meta name="generator" content="tracker">
        <meta name="dcterms.created" content="2020-08-20T08:30:00+07:00">
        {head}</head><body>
        <table class="header">
          <tr><td class="left"><p class="issuer">ỦY BAN NHÂN DÂN<br>TỈNH LAI CHÂU</p></td>
              <td class="right"><p class="nation">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>
                  <p class="motto">Độc lập - Tự do - Hạnh phúc</p></td></tr>
          <tr><td class="left"><p>Số: 05/BC-STTTT</p></td>
              <td class="right"><p class="date">{date_line}</p></td></tr>
        </table>
        <div class="body">{extra_body}{body}</div></body></html>"""
    fonts = FontConfiguration()
    with capture_weasyprint_warnings() as log:
        data = HTML(string=html, url_fetcher=url_fetcher).write_pdf(
            stylesheets=[CSS(string=css, font_config=fonts, url_fetcher=url_fetcher)],
            font_config=fonts,
            uncompressed_pdf=uncompressed,
        )
    if url_fetcher is None:  # the refusing fetcher logs its refusals on purpose
        assert not log.records, log.messages
    return data


@cache
def variant(name: str) -> bytes:
    """A rendered document, correct ("good") or wrong in one way; rendered once."""
    short = {"paragraphs": 3}  # one page when page numbers do not matter
    # Page 2 is where a wrong page number shows; a forced break keeps parsing cheap.
    two_pages = {"paragraphs": 2, "break_pages": True}
    options = {
        "good": {},
        "letter": {"page_size": "letter", **short},
        "left_10mm": {"margin": "20mm 15mm 20mm 10mm", **short},
        "dejavu": {"font_family": "'DejaVu Sans'", **short},
        # Liberation Serif has no ✓: Pango falls back to another font for that glyph.
        "fallback_glyph": {"extra_body": "<p>Đã hoàn thành ✓</p>", **short},
        "bad_date": {"date_line": "Lai Châu, ngày 5 tháng 1 năm 2020", **short},
        "number_on_page_1": {"number_first_page": True, **two_pages},
        "number_left": {"top_center": "", "top_left": PAGE_NUMBER, **two_pages},
        "number_11pt": {
            "top_center": "content: counter(page); font: 11pt 'ND30 Serif'",
            **two_pages,
        },
        "running_header": {
            "top_center": "content: 'Trang ' counter(page); font: 13pt 'ND30 Serif'",
            **two_pages,
        },
    }[name]
    return render(**options)


@pytest.fixture(scope="module")
def good() -> Iterator[Pdf]:
    with Pdf(variant("good")) as pdf:
        yield pdf


@pytest.fixture
def open_variant() -> Iterator:
    opened: list[Pdf] = []

    def open_(name: str) -> Pdf:
        opened.append(Pdf(variant(name)))
        return opened[-1]

    yield open_
    for pdf in opened:
        pdf.close()


def header(pdf: Pdf) -> dict[str, TextLine]:
    return {
        "issuer": find_line(pdf, r"^ỦY BAN NHÂN DÂN$"),
        "province": find_line(pdf, r"^TỈNH LAI CHÂU$"),
        "nation": find_line(pdf, r"^CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM$"),
        "motto": find_line(pdf, r"^Độc lập - Tự do - Hạnh phúc$"),
        "number": find_line(pdf, r"^Số: 05/BC-STTTT$"),
        "date": find_line(pdf, r"^Lai Châu, ngày"),
    }


# --------------------------------------------------------------------------- Pdf, lines


def test_pdf_parses_pages_text_words_and_metadata(good: Pdf) -> None:
    assert good.page_count == 3
    assert len(good.pages) == 3
    assert good.text.count("\f") == 2
    assert "Độc lập - Tự do - Hạnh phúc" in good.text
    assert unicodedata.is_normalized("NFC", good.text)
    words = good.words(0)
    assert words[0]["text"] == "ỦY"
    assert words[0]["fontname"].endswith("+ND30-Serif-Bold")
    assert round(words[0]["size"]) == 13
    metadata = good.metadata
    assert metadata["title"] == "Báo cáo kết quả chuyển đổi số"
    assert metadata["author"] == "Sở Thông tin và Truyền thông"
    assert metadata["subject"] == "Báo cáo số 05/BC-STTTT"
    assert metadata["creator"] == "tracker"
    assert metadata["producer"].startswith("WeasyPrint")
    assert metadata["creation_date"].date() == date(2020, 8, 20)
    assert metadata["modification_date"] is None


def test_fonts_are_named_by_their_embedded_program(good: Pdf) -> None:
    # The PDF names fonts after the CSS family; the embedded files are Liberation 2.
    assert {program.pdf_name.split("+")[1] for program in good.fonts.values()} == {
        "ND30-Serif",
        "ND30-Serif-Bold",
        "ND30-Serif-Italic",
    }
    for program in good.fonts.values():
        assert program.embedded
        assert program.name.startswith("LiberationSerif")
        assert program.family == "Liberation Serif"
        assert program.version is not None
        assert program.version.startswith("Version 2.")
    styles = {program.name: (program.bold, program.italic) for program in good.fonts.values()}
    assert styles == {
        "LiberationSerif": (False, False),
        "LiberationSerif-Bold": (True, False),
        "LiberationSerif-Italic": (False, True),
    }


def test_lines_split_the_two_header_columns(good: Pdf) -> None:
    page_lines = lines(good, 0)
    first_row = [line for line in page_lines if line.bottom - page_lines[0].bottom < 2]
    assert [line.text for line in first_row] == [
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    ]
    issuer, nation = first_row
    assert issuer.x1 < COLUMN_EDGE < nation.x0
    assert abs(issuer.top - nation.top) < 2  # 13 pt and 12 pt on one baseline
    assert issuer.fonts == {"LiberationSerif-Bold"}
    assert issuer.sizes == {13.0}
    assert nation.sizes == {12.0}
    assert issuer.bold and not issuer.italic
    assert header(good)["date"].italic
    assert header(good)["date"].fonts == {"LiberationSerif-Italic"}


def test_lines_keep_justified_body_lines_whole(good: Pdf) -> None:
    body = [line for line in lines(good, 1) if line.top > 20 * MM]
    assert body
    for line in body:
        # at the margin, or indented by 1 cm on a paragraph's first line
        assert min(abs(line.x0 - LEFT), abs(line.x0 - LEFT - 10 * MM)) < 0.5, line.describe()
        assert line.sizes == {13.0}
    full = [line for line in body if line.x1 > RIGHT - 1]
    assert len(full) > 10  # most lines are justified to the right margin, not split


def test_lines_gap_and_column_edges(good: Pdf) -> None:
    merged = lines(good, 0, gap_pt=1000)[0]
    assert merged.text == "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert merged.sizes == {12.0, 13.0}
    split = lines(good, 0, gap_pt=1000, column_edges=[COLUMN_EDGE])
    assert [line.text for line in split[:2]] == [
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    ]


def test_text_is_nfc_whatever_the_source() -> None:
    decomposed = unicodedata.normalize("NFD", "Chuyển đổi số ở Lai Châu")
    data = render(extra_body=f"<p>{decomposed}</p>", paragraphs=0)
    with Pdf(data) as pdf:
        line = find_line(pdf, "^Chuyển đổi số ở Lai Châu$")
        assert unicodedata.is_normalized("NFC", line.text)
        assert "Chuyển đổi số ở Lai Châu" in pdf.text


def test_find_line_fails_with_the_page_lines(good: Pdf) -> None:
    with pytest.raises(AssertionError, match=r"(?s)no line matches 'SỞ Y TẾ'.*ỦY BAN NHÂN DÂN"):
        find_line(good, "SỞ Y TẾ")


# --------------------------------------------------------------------------- page


def test_a4_portrait(good: Pdf, open_variant) -> None:
    assert_a4_portrait(good)
    with pytest.raises(AssertionError, match=r"page 1: 612\.00 x 792\.00 pt"):
        assert_a4_portrait(open_variant("letter"))


def test_a4_rotated_to_landscape_fails() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(variant("good"))))
    writer.pages[1].rotate(90)
    buffer = io.BytesIO()
    writer.write(buffer)
    with Pdf(buffer.getvalue()) as pdf, pytest.raises(AssertionError, match="page 2: 841.89"):
        assert_a4_portrait(pdf)


def test_within_margins(good: Pdf, open_variant) -> None:
    assert_within_margins(good, allow_top_margin=True)
    # The numbers of pages 2 and 3 stand in the top margin; only digits are exempt.
    with pytest.raises(AssertionError, match=r"2 char\(s\).*\n.*page 2 '2'.*above the 20 mm"):
        assert_within_margins(good)
    with pytest.raises(AssertionError, match="page 2 'T'.*above the 20 mm"):
        assert_within_margins(open_variant("running_header"), allow_top_margin=True)
    with pytest.raises(AssertionError, match="page 1 'Ủ'.*left of the 30 mm margin"):
        assert_within_margins(open_variant("left_10mm"))
    assert_within_margins(open_variant("left_10mm"), left_mm=10)


def test_within_margins_other_sides(good: Pdf) -> None:
    with pytest.raises(AssertionError, match="right of the 20 mm margin"):
        assert_within_margins(good, right_mm=20, allow_top_margin=True)
    with pytest.raises(AssertionError, match="below the 25 mm margin"):
        assert_within_margins(good, bottom_mm=25, allow_top_margin=True)
    with pytest.raises(AssertionError, match="page 1 'Ủ'.*above the 25 mm margin"):
        assert_within_margins(good, top_mm=25, allow_top_margin=True)


def test_only_fonts(good: Pdf, open_variant) -> None:
    assert_only_fonts(good)
    assert_only_fonts(good, family="LiberationSerif")
    with pytest.raises(AssertionError, match=r"(?s)fonts other than LiberationSerif.*DejaVuSans"):
        assert_only_fonts(open_variant("dejavu"))
    with pytest.raises(AssertionError, match=r"DejaVu.*: 1 char\(s\), first on page 1: '✓'"):
        assert_only_fonts(open_variant("fallback_glyph"))
    assert_only_fonts(open_variant("fallback_glyph"), family=("LiberationSerif", "DejaVuSans"))


def test_embedded_fonts_with_pdffonts(good: Pdf) -> None:
    fonts = embedded_fonts(good.data)
    assert sorted(font.name.split("+")[1] for font in fonts) == [
        "ND30-Serif",
        "ND30-Serif-Bold",
        "ND30-Serif-Italic",
    ]
    assert {font.type for font in fonts} == {"CID TrueType"}
    assert all(font.embedded for font in fonts)
    assert_fonts_embedded(good.data)


def minimal_pdf(fonts: dict[str, str]) -> bytes:
    """A one-page PDF drawing one word in each of `fonts` ({BaseFont: Subtype}),
    none of them embedded (WeasyPrint always embeds, so this is built by hand)."""
    count = len(fonts)
    font_refs = " ".join(f"/F{i} {4 + i} 0 R" for i in range(count))
    text = " ".join(f"BT /F{i} 12 Tf 72 {700 - 20 * i} Td (Word) Tj ET" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] "
            f"/Resources << /Font << {font_refs} >> >> /Contents {4 + count} 0 R >>"
        ).encode(),
    ]
    for name, subtype in fonts.items():
        objects.append(f"<< /Type /Font /Subtype /{subtype} /BaseFont /{name} >>".encode())
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode()))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_fonts_not_embedded_fail() -> None:
    long_name = "TimesNewRomanPSMT-ThisNameIsLongerThanPdffontsColumn"
    data = minimal_pdf({"Helvetica": "Type1", long_name: "TrueType"})
    assert embedded_fonts(data) == [
        ("Helvetica", "Type 1", False),
        (long_name, "TrueType", False),
    ]
    with pytest.raises(AssertionError, match=f"(?s)not embedded.*Helvetica.*{long_name}"):
        assert_fonts_embedded(data)
    with Pdf(data) as pdf, pytest.raises(AssertionError, match="Helvetica.*4 char"):
        assert_only_fonts(pdf)


def test_page_numbers(good: Pdf, open_variant) -> None:
    assert_page_numbers(good)
    with pytest.raises(AssertionError, match="page 1 must not be numbered"):
        assert_page_numbers(open_variant("number_on_page_1"))
    with pytest.raises(AssertionError, match="page number of page 2: not centred"):
        assert_page_numbers(open_variant("number_left"))
    with pytest.raises(AssertionError, match=r"page number of page 2: size \[11.0\] pt"):
        assert_page_numbers(open_variant("number_11pt"))
    with pytest.raises(AssertionError, match="expected the page number '2' alone"):
        assert_page_numbers(open_variant("running_header"))
    with pytest.raises(AssertionError, match="expected the page number '2' alone"):
        assert_page_numbers(good, top_mm=10)  # the number is not above a 10 mm margin


# --------------------------------------------------------------------------- header lines


def test_line_style(good: Pdf) -> None:
    lines_ = header(good)
    assert_line_style(lines_["issuer"], bold=True, italic=False, upper=True)
    assert_line_style(lines_["nation"], size_range=(12, 13), bold=True, upper=True)
    assert_line_style(lines_["motto"], bold=True, italic=False, upper=False)
    assert_line_style(lines_["number"], bold=False, italic=False)
    assert_line_style(lines_["date"], italic=True, bold=False, upper=False)
    with pytest.raises(AssertionError, match=r"size \[12.0\] pt outside 13-14 pt"):
        assert_line_style(lines_["nation"])
    with pytest.raises(AssertionError, match="not all capitals"):
        assert_line_style(lines_["motto"], upper=True)
    with pytest.raises(AssertionError, match="all capitals"):
        assert_line_style(lines_["issuer"], upper=False)
    with pytest.raises(AssertionError, match=r"not \(all\) bold"):
        assert_line_style(lines_["number"], bold=True)
    with pytest.raises(AssertionError, match="^bold"):
        assert_line_style(lines_["motto"], bold=False)
    with pytest.raises(AssertionError, match="^italic"):
        assert_line_style(lines_["date"], italic=False)


def test_line_style_italic_missing(open_variant) -> None:
    date_line = find_line(open_variant("bad_date"), r"^Lai Châu, ngày")
    with pytest.raises(AssertionError, match=r"not \(all\) italic"):
        assert_line_style(date_line, italic=True)


def test_centred(good: Pdf) -> None:
    lines_ = header(good)
    left_column, right_column = (LEFT, COLUMN_EDGE), (COLUMN_EDGE, RIGHT)
    for name in ("issuer", "province", "number"):
        assert_centred(lines_[name], left_column)
    for name in ("nation", "motto", "date"):
        assert_centred(lines_[name], right_column)
    assert_centred(lines_["motto"], within=lines_["nation"], tolerance_pt=1)
    with pytest.raises(AssertionError, match=r"not centred in 85\.0-272\.1"):
        assert_centred(lines_["motto"], left_column)
    with pytest.raises(AssertionError, match="not centred"):
        assert_centred(lines_["date"], (LEFT, RIGHT))  # the page's text block


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
        (date(2020, 8, 20), "ngày 20 tháng 8 năm 2020"),
        (date(2021, 2, 3), "ngày 03 tháng 02 năm 2021"),
        (date(2025, 3, 9), "ngày 09 tháng 3 năm 2025"),
        (date(2025, 12, 31), "ngày 31 tháng 12 năm 2025"),
    ],
)
def test_nd30_date(day: date, expected: str) -> None:
    assert nd30_date(day) == expected


def test_nd30_date_round_trips_every_day_of_a_leap_year() -> None:
    for offset in range(366):
        day = date(2024, 1, 1) + timedelta(days=offset)
        assert assert_date_line(f"Hà Nội, {nd30_date(day)}") == day


def test_date_line(good: Pdf, open_variant) -> None:
    assert assert_date_line(header(good)["date"]) == date(2020, 8, 20)
    bad = find_line(open_variant("bad_date"), r"^Lai Châu, ngày")
    with pytest.raises(AssertionError, match="ND30 writes that date 'ngày 05 tháng 01 năm 2020'"):
        assert_date_line(bad.text)


@pytest.mark.parametrize(
    "text",
    [
        "Lai Châu, ngày 5 tháng 01 năm 2026",  # day without its leading zero
        "Lai Châu, ngày 05 tháng 1 năm 2026",  # January without its leading zero
        "Lai Châu, ngày 20 tháng 08 năm 2020",  # months 3-12 take no leading zero
        "Lai Châu, ngày 32 tháng 8 năm 2020",
        "Lai Châu, ngày 20 tháng 13 năm 2020",
        "Lai Châu, ngày 20 tháng 8 năm 20",
        "Lai Châu, ngày 20 tháng 8 năm 2020.",
        "Lai Châu ngày 20 tháng 8 năm 2020",  # no comma
        "ngày 20 tháng 8 năm 2020",  # no place
        "lai Châu, ngày 20 tháng 8 năm 2020",  # place not capitalised
        "Lai Châu, ngày  20 tháng 8 năm 2020",
        "Lai Châu, ngày 31 tháng 02 năm 2021",  # not a real date
        "Lai Châu, 20/8/2020",
    ],
)
def test_date_line_rejects(text: str) -> None:
    with pytest.raises(AssertionError):
        assert_date_line(text)


# --------------------------------------------------------------------------- security, logs


class FontsOnlyFetcher(URLFetcher):
    """data: URLs and the Liberation 2 fonts; everything else is refused."""

    def fetch(self, url, headers=None):
        if url.startswith(("data:", FONT_URL)):
            return super().fetch(url, headers)
        raise ValueError(f"refused: {url}")


def test_no_local_file(good: Pdf, tmp_path: Path) -> None:
    assert_no_local_file(good.data)
    secret = tmp_path / "passwd"
    secret.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    attachment = f'<link rel="attachment" href="file://{secret}">'
    leaked = render(head=attachment, paragraphs=1, uncompressed=True)
    with pytest.raises(AssertionError, match=r"b'root:' found at byte \d+"):
        assert_no_local_file(leaked)
    # Compressed, the bytes are not verbatim; the decoded streams still show them.
    compressed = render(head=attachment, paragraphs=1)
    assert b"root:" not in compressed
    with pytest.raises(AssertionError, match="found in a decoded stream"):
        assert_no_local_file(compressed)
    fetcher = FontsOnlyFetcher()
    with capture_weasyprint_warnings() as log:
        safe = render(head=attachment, paragraphs=1, uncompressed=True, url_fetcher=fetcher)
    assert_no_local_file(safe)
    assert [record.levelname for record in log.records] == ["ERROR"]
    assert "Failed to load attachment" in log.messages[0]
    with Pdf(safe) as pdf:
        assert_only_fonts(pdf)  # the fetcher still serves the fonts


def test_capture_weasyprint_warnings() -> None:
    with capture_weasyprint_warnings() as log:
        HTML(string="<p style='colour: red'>x</p>").render()
    assert log.messages
    assert log.records[0].levelname == "WARNING"
    assert "colour" in log.messages[0]
    with capture_weasyprint_warnings() as clean:
        HTML(string="<p style='color: red'>x</p>").render()
    assert clean.records == []
    assert len(log.records) == 1  # the first handler is gone after its block
