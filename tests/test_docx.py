"""The Word version of a document (tracker.documents.docx): the layout of Decree 30/2020
(docs/ND30.md) as far as Word carries it, checked on the .docx through python-docx."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tracker.documents.docx import render_docx

NBSP = "\u00a0"


def report_context(*, draft: bool = False) -> dict[str, Any]:
    """A reply report of the Department of Information and Communications to the province."""
    return {
        "meta": {
            "title": "Báo cáo kết quả triển khai dịch vụ công trực tuyến",
            "author": "Sở Thông tin và Truyền thông tỉnh Lai Châu",
            "subject": "Kết quả thực hiện Văn bản số 1661/UBND-VX",
            "created": "2020-08-21T08:30:00Z",
        },
        "draft": draft,
        "header": {
            "parent_lines": ["UBND TỈNH LAI CHÂU"],
            "body_lines": ["SỞ THÔNG TIN", "VÀ TRUYỀN THÔNG"],
            "state_lines": None,
            "number": "Số:       /BC-STTTT" if draft else "Số: 05/BC-STTTT",
            "subject_under_number": None,
            "place_date": "Lai Châu, ngày 21 tháng 8 năm 2020",
        },
        "doc_type": "BÁO CÁO",
        "subject": "Kết quả thực hiện Văn bản số 1661/UBND-VX ngày 05 tháng 8 năm 2020",
        "recipients": ["Ủy ban nhân dân tỉnh Lai Châu"],
        "blocks": [
            {
                "kind": "paragraph",
                "text": "Thực hiện Văn bản số 1661/UBND-VX ngày 05 tháng 8 năm 2020 của Ủy ban "
                "nhân dân tỉnh về việc đẩy mạnh cung cấp dịch vụ công trực tuyến mức độ 3, 4, "
                "Sở Thông tin và Truyền thông báo cáo như sau:",
            },
            {"kind": "heading", "text": "1. Kết quả thực hiện"},
            {
                "kind": "paragraph",
                "text": f"Đến ngày 15 tháng 8 năm 2020, tỷ lệ hồ sơ được tiếp nhận trực tuyến "
                f"đạt 98,3{NBSP}%, vượt chỉ tiêu được giao.",
            },
            {
                "kind": "table",
                "caption": "Hồ sơ trực tuyến theo huyện",
                "columns": [
                    {"label": "TT", "numeric": True, "width": 0.6},
                    {"label": "Huyện", "numeric": False, "width": 3},
                    {"label": "Số hồ sơ", "numeric": True, "width": 1.5},
                    {"label": "Tỷ lệ trực tuyến", "numeric": True, "width": 1.5},
                ],
                "rows": [
                    ["1", "Tam Đường", "1.204", f"97,5{NBSP}%"],
                    ["2", "Phong Thổ", "958", f"98,9{NBSP}%"],
                    ["3", "Sìn Hồ", "812", f"99,0{NBSP}%"],
                ],
                "total": ["", "Tổng cộng", "2.974", f"98,3{NBSP}%"],
            },
            {
                "kind": "paragraph",
                "text": "Sở Thông tin và Truyền thông kính báo cáo Ủy ban nhân dân tỉnh.",
            },
        ],
        "signer": {"lines": ["GIÁM ĐỐC"], "name": "Nguyễn Văn An"},
        "distribution": ["Như trên", "Lãnh đạo Sở", "Lưu: VT, TTCNTT"],
        "appendices": [
            {
                "label": "Phụ lục",
                "attached_to": "(Kèm theo Báo cáo số 05/BC-STTTT ngày 21 tháng 8 năm 2020 "
                "của Sở Thông tin và Truyền thông)",
                "title": "Danh mục thủ tục hành chính cung cấp trực tuyến",
                "blocks": [
                    {
                        "kind": "table",
                        "caption": "",
                        "columns": [
                            {"label": "TT", "numeric": True, "width": 0.6},
                            {"label": "Thủ tục", "numeric": False, "width": 4},
                            {"label": "Mức độ", "numeric": True},
                        ],
                        "rows": [["1", "Cấp giấy phép xuất bản bản tin", "4"]],
                        "total": None,
                    }
                ],
            }
        ],
    }


def cong_van_context() -> dict[str, Any]:
    """An urging công văn: no type name, the subject under the number, several recipients."""
    context = report_context()
    context["header"] = {
        "parent_lines": [],
        "body_lines": ["ỦY BAN NHÂN DÂN", "TỈNH LAI CHÂU"],
        "state_lines": None,
        "number": "Số: 1702/UBND-VX",
        "subject_under_number": "V/v đôn đốc triển khai dịch vụ công trực tuyến",
        "place_date": "Lai Châu, ngày 05 tháng 01 năm 2026",
    }
    context.update(
        doc_type=None,
        subject="Đôn đốc triển khai dịch vụ công trực tuyến",
        recipients=[
            "Các sở, ban, ngành tỉnh",
            "Ủy ban nhân dân các huyện, thành phố",
            "Sở Thông tin và Truyền thông;",
        ],
        signer={
            "lines": ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
            "name": "Lê Văn B",
        },
        appendices=[],
    )
    return context


def open_docx(context: dict[str, Any]) -> WordDocument:
    return Document(io.BytesIO(render_docx(context)))


def texts(cell: _Cell) -> list[str]:
    return [paragraph.text for paragraph in cell.paragraphs]


def paragraph_with(document: WordDocument, start: str) -> Paragraph:
    found = [p for p in document.paragraphs if p.text.startswith(start)]
    assert len(found) == 1, [p.text for p in document.paragraphs]
    return found[0]


def after(document: WordDocument, paragraph: Paragraph, count: int) -> list[Paragraph]:
    """The `count` body paragraphs right after `paragraph`."""
    elements = [p._p for p in document.paragraphs]
    index = elements.index(paragraph._p)
    return document.paragraphs[index + 1 : index + 1 + count]


def runs_are(paragraph: Paragraph, *, size: float, bold: bool, italic: bool = False) -> bool:
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(
        run.font.size == Pt(size) and bool(run.bold) == bold and bool(run.italic) == italic
        for run in runs
    )


def rule_width(paragraph: Paragraph, within: Length) -> float:
    """The length in mm of the bottom-border rule of an empty paragraph."""
    bottom = paragraph._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:val")) == "single"
    assert paragraph.text == ""
    fmt = paragraph.paragraph_format
    return Length(within - fmt.left_indent - fmt.right_indent).mm


def is_rule(paragraph: Paragraph) -> bool:
    return paragraph._p.pPr is not None and paragraph._p.pPr.find(qn("w:pBdr")) is not None


def body_paragraphs(document: WordDocument) -> list[Paragraph]:
    return [p for p in document.paragraphs if p.paragraph_format.first_line_indent]


def test_page_is_a4_portrait_with_nd30_margins():
    section = open_docx(report_context()).sections[0]

    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    assert section.top_margin.mm == pytest.approx(20, abs=0.1)
    assert section.bottom_margin.mm == pytest.approx(20, abs=0.1)
    assert section.left_margin.mm == pytest.approx(30, abs=0.1)
    assert section.right_margin.mm == pytest.approx(15, abs=0.1)
    assert len(open_docx(report_context()).sections) == 1


def test_font_is_times_new_roman_for_every_script():
    document = open_docx(report_context())
    normal = document.styles["Normal"]
    defaults = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts")[0]

    for fonts in (normal.element.rPr.rFonts, defaults):
        for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            assert fonts.get(qn(script)) == "Times New Roman"
        assert fonts.get(qn("w:asciiTheme")) is None  # a theme font would win over ascii
    assert normal.font.size == Pt(14)
    assert str(normal.font.color.rgb) == "000000"
    # No run names another font.
    assert not document.element.body.xpath(".//w:r/w:rPr/w:rFonts")


def test_header_left_column_holds_bodies_rule_and_number():
    table = open_docx(report_context()).tables[0]
    top, bottom = table.rows[0].cells[0], table.rows[1].cells[0]

    assert texts(top) == ["UBND TỈNH LAI CHÂU", "SỞ THÔNG TIN", "VÀ TRUYỀN THÔNG", ""]
    parent, body_1, body_2, rule = top.paragraphs
    assert runs_are(parent, size=13, bold=False)
    assert runs_are(body_1, size=13, bold=True) and runs_are(body_2, size=13, bold=True)
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in (parent, body_1, body_2))
    assert rule_width(rule, top.width) == pytest.approx(66 / 3, abs=1)
    assert texts(bottom) == ["Số: 05/BC-STTTT"]
    assert runs_are(bottom.paragraphs[0], size=13, bold=False)


def test_header_right_column_holds_national_title_motto_and_italic_date():
    table = open_docx(report_context()).tables[0]
    top, bottom = table.rows[0].cells[1], table.rows[1].cells[1]

    assert texts(top) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", ""]
    title, motto, rule = top.paragraphs
    assert runs_are(title, size=12, bold=True)
    assert runs_are(motto, size=13, bold=True)
    assert rule_width(rule, top.width) == pytest.approx(56, abs=3)  # as long as the motto
    assert texts(bottom) == ["Lai Châu, ngày 21 tháng 8 năm 2020"]
    assert runs_are(bottom.paragraphs[0], size=14, bold=False, italic=True)
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in (title, motto, *bottom.paragraphs))


def test_header_table_is_borderless_forty_sixty():
    table = open_docx(report_context()).tables[0]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))

    assert {border.get(qn("w:val")) for border in borders} == {"nil"}
    left, right = table.rows[0].cells
    assert left.width.mm == pytest.approx(66, abs=0.5)
    assert right.width.mm == pytest.approx(99, abs=0.5)


def test_header_state_lines_replace_the_national_title():
    context = report_context()
    context["header"]["state_lines"] = ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    cell = open_docx(context).tables[0].rows[0].cells[1]

    assert texts(cell) == ["ĐẢNG CỘNG SẢN VIỆT NAM", ""]
    assert runs_are(cell.paragraphs[0], size=13, bold=True)
    assert rule_width(cell.paragraphs[1], cell.width) == pytest.approx(99 / 3, abs=1)


def test_draft_number_keeps_its_blank_for_the_register_number():
    cell = open_docx(report_context(draft=True)).tables[0].rows[1].cells[0]

    assert texts(cell) == ["Số:       /BC-STTTT"]


def test_title_and_subject_are_centred_bold_above_a_short_rule():
    document = open_docx(report_context())
    title = paragraph_with(document, "BÁO CÁO")
    subject, rule = after(document, title, 2)

    assert subject.text == "Kết quả thực hiện Văn bản số 1661/UBND-VX ngày 05 tháng 8 năm 2020"
    for paragraph in (title, subject):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert runs_are(paragraph, size=14, bold=True)
    assert rule_width(rule, Mm(165)) == pytest.approx(55, abs=2)


def test_single_recipient_stands_on_the_kinh_gui_line():
    document = open_docx(report_context())

    recipient = paragraph_with(document, "Kính gửi:")
    assert recipient.text == "Kính gửi: Ủy ban nhân dân tỉnh Lai Châu."
    assert runs_are(recipient, size=14, bold=False)


def test_several_recipients_stand_one_a_line_the_last_ending_with_a_full_stop():
    document = open_docx(cong_van_context())
    first = paragraph_with(document, "Kính gửi:")
    lines = [first, *after(document, first, 2)]

    assert [p.text for p in lines] == [
        "Kính gửi:\t- Các sở, ban, ngành tỉnh;",
        "- Ủy ban nhân dân các huyện, thành phố;",
        "- Sở Thông tin và Truyền thông.",  # its own ";" dropped for the final "."
    ]
    # The items start at the same indent: the first line hangs out for "Kính gửi:".
    indents = {p.paragraph_format.left_indent for p in lines}
    assert len(indents) == 1 and next(iter(indents)) > 0
    assert first.paragraph_format.first_line_indent < 0
    assert [tab.position for tab in first.paragraph_format.tab_stops] == list(indents)


def test_cong_van_has_its_subject_under_the_number_and_no_title():
    document = open_docx(cong_van_context())
    cell = document.tables[0].rows[1].cells[0]

    assert texts(cell) == ["Số: 1702/UBND-VX", "V/v đôn đốc triển khai dịch vụ công trực tuyến"]
    assert runs_are(cell.paragraphs[1], size=12, bold=False)
    assert cell.paragraphs[1].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert texts(document.tables[0].rows[0].cells[0])[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH LAI CHÂU"]
    assert not [p for p in document.paragraphs if p.text == "BÁO CÁO"]
    # No title rule: the only body-level rules would be the title's and the appendices'.
    assert not [p for p in document.paragraphs if is_rule(p)]


def test_body_paragraphs_are_justified_with_a_first_line_indent():
    paragraphs = body_paragraphs(open_docx(report_context()))

    assert [p.text[:20] for p in paragraphs] == [
        "Thực hiện Văn bản số",
        "1. Kết quả thực hiện",
        "Đến ngày 15 tháng 8 ",
        "Sở Thông tin và Truy",
    ]
    for paragraph in paragraphs:
        fmt = paragraph.paragraph_format
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert fmt.first_line_indent == Cm(1.27)
        assert fmt.space_after == Pt(6)
        assert 1.15 <= fmt.line_spacing <= 1.3
    assert runs_are(paragraphs[0], size=14, bold=False)
    assert runs_are(paragraphs[1], size=14, bold=True)  # the heading
    assert paragraphs[1].paragraph_format.keep_with_next


def test_no_break_space_is_kept_and_text_is_nfc():
    context = report_context()
    context["subject"] = unicodedata.normalize("NFD", context["subject"])
    document = open_docx(context)

    assert f"98,3{NBSP}%" in body_paragraphs(document)[2].text
    assert document.tables[1].rows[4].cells[3].text == f"98,3{NBSP}%"
    subject = document.paragraphs[1].text
    assert subject == unicodedata.normalize("NFC", subject)
    assert subject.startswith("Kết quả thực hiện")


def test_table_header_row_repeats_and_no_row_splits():
    table = open_docx(report_context()).tables[1]
    header, *rows = table.rows

    assert [cell.text for cell in header.cells] == ["TT", "Huyện", "Số hồ sơ", "Tỷ lệ trực tuyến"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in rows)
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    assert len(rows) == 4
    assert all(runs_are(cell.paragraphs[0], size=12, bold=True) for cell in header.cells)


def test_table_is_bordered_with_relative_column_widths():
    table = open_docx(report_context()).tables[1]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))

    assert {border.get(qn("w:val")) for border in borders} == {"single"}
    widths = [cell.width.mm for cell in table.rows[0].cells]
    assert sum(widths) == pytest.approx(165, abs=1)
    assert widths[1] == pytest.approx(widths[0] * 5, rel=0.01)
    assert widths[2] == pytest.approx(widths[3])


def test_table_numeric_cells_are_right_aligned_and_the_total_row_bold():
    table = open_docx(report_context()).tables[1]
    first, total = table.rows[1], table.rows[4]

    assert [cell.text for cell in first.cells] == ["1", "Tam Đường", "1.204", f"97,5{NBSP}%"]
    alignments = [cell.paragraphs[0].alignment for cell in first.cells]
    right = WD_ALIGN_PARAGRAPH.RIGHT
    assert alignments == [right, None, right, right]
    assert runs_are(first.cells[1].paragraphs[0], size=12, bold=False)
    assert [cell.text for cell in total.cells] == ["", "Tổng cộng", "2.974", f"98,3{NBSP}%"]
    assert all(runs_are(cell.paragraphs[0], size=12, bold=True) for cell in total.cells[1:])
    assert total.cells[2].paragraphs[0].alignment == right


def test_table_of_more_than_seven_columns_uses_ten_points():
    context = report_context()
    columns = [{"label": f"Cột {n}", "numeric": True} for n in range(8)]
    context["blocks"] = [{"kind": "table", "columns": columns, "rows": [["1"] * 8], "total": None}]
    table = open_docx(context).tables[1]

    assert all(runs_are(cell.paragraphs[0], size=10, bold=False) for cell in table.rows[1].cells)


def test_table_caption_stays_with_its_table():
    document = open_docx(report_context())
    caption = paragraph_with(document, "Hồ sơ trực tuyến theo huyện")

    assert caption.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert caption.paragraph_format.keep_with_next
    assert caption._p.getnext() is document.tables[1]._tbl


def test_signature_block_lists_the_distribution_and_the_signer():
    document = open_docx(report_context())
    table = document.tables[2]
    left, right = table.rows[0].cells

    assert texts(left) == ["Nơi nhận:", "- Như trên;", "- Lãnh đạo Sở;", "- Lưu: VT, TTCNTT."]
    assert runs_are(left.paragraphs[0], size=12, bold=True, italic=True)
    assert all(runs_are(p, size=11, bold=False) for p in left.paragraphs[1:])
    assert texts(right) == ["GIÁM ĐỐC", "", "", "", "", "Nguyễn Văn An"]
    assert runs_are(right.paragraphs[0], size=14, bold=True)
    assert runs_are(right.paragraphs[-1], size=14, bold=True)
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in right.paragraphs)
    assert {b.get(qn("w:val")) for b in table._tbl.tblPr.find(qn("w:tblBorders"))} == {"nil"}
    assert table.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None


def test_signature_block_keeps_with_the_last_body_paragraph():
    document = open_docx(report_context())
    last = paragraph_with(document, "Sở Thông tin và Truyền thông kính báo cáo")

    assert last.paragraph_format.keep_with_next
    assert last._p.getnext() is document.tables[2]._tbl
    # The other body paragraphs may break away from what follows them.
    assert not body_paragraphs(document)[0].paragraph_format.keep_with_next


def test_signature_block_keeps_with_a_closing_table():
    context = report_context()
    context["blocks"] = context["blocks"][:-1]  # the district table ends the body
    document = open_docx(context)
    last_row = document.tables[1].rows[-1]

    assert all(cell.paragraphs[0].paragraph_format.keep_with_next for cell in last_row.cells)


def test_signer_of_several_lines_keeps_them_in_order():
    right = open_docx(cong_van_context()).tables[-1].rows[0].cells[1]

    assert texts(right)[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert texts(right)[-1] == "Lê Văn B"


def test_appendix_starts_a_new_page_with_its_label_title_and_attachment_line():
    document = open_docx(report_context())
    label = paragraph_with(document, "Phụ lục")
    title, attached, rule = after(document, label, 3)

    assert label.paragraph_format.page_break_before
    assert runs_are(label, size=14, bold=True)
    assert title.text == "Danh mục thủ tục hành chính cung cấp trực tuyến"
    assert runs_are(title, size=14, bold=True)
    assert attached.text.startswith("(Kèm theo Báo cáo số 05/BC-STTTT ngày 21 tháng 8 năm 2020")
    assert runs_are(attached, size=13, bold=False, italic=True)
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in (label, title, attached))
    assert rule_width(rule, Mm(165)) == pytest.approx(55, abs=2)
    appendix_table: Table = document.tables[3]
    assert [cell.text for cell in appendix_table.rows[1].cells] == [
        "1",
        "Cấp giấy phép xuất bản bản tin",
        "4",
    ]
    assert label._p.getprevious() is document.tables[2]._tbl  # after the signature


def test_page_number_from_page_two_centred_in_the_header():
    section = open_docx(report_context()).sections[0]

    assert section.different_first_page_header_footer
    fields = section.header._element.xpath(".//w:fldSimple")
    assert [field.get(qn("w:instr")).strip() for field in fields] == ["PAGE"]
    number = fields[0].find(qn("w:r")).find(qn("w:rPr")).find(qn("w:sz"))
    assert number.get(qn("w:val")) == "26"  # half-points: 13 pt
    stops = section.header.paragraphs[0].paragraph_format.tab_stops
    assert stops[0].position.mm == pytest.approx(165 / 2, abs=0.5)  # centred in the text
    assert not section.first_page_header._element.xpath(".//w:fldSimple")


@pytest.mark.parametrize("draft", [True, False])
def test_draft_mark_is_in_the_page_header_of_drafts_only(draft: bool):
    document = open_docx(report_context(draft=draft))
    section = document.sections[0]
    headers = (section.header, section.first_page_header)

    marks = [p.text.strip() for header in headers for p in header.paragraphs]
    if draft:
        assert [mark.split("\t")[-1] for mark in marks] == ["DỰ THẢO", "DỰ THẢO"]
        mark = section.first_page_header.paragraphs[0].runs[-1]
        assert mark.bold and mark.font.color.rgb is not None
    else:
        assert not any("DỰ THẢO" in mark for mark in marks)
    assert not any("DỰ THẢO" in p.text for p in document.paragraphs)  # never body text


def test_core_properties_come_from_meta():
    properties = open_docx(report_context()).core_properties

    assert properties.title == "Báo cáo kết quả triển khai dịch vụ công trực tuyến"
    assert properties.author == "Sở Thông tin và Truyền thông tỉnh Lai Châu"
    assert properties.subject == "Kết quả thực hiện Văn bản số 1661/UBND-VX"
    assert properties.created.year == 2020
    assert "python-docx" not in (properties.comments or "")


def test_unknown_block_kind_is_refused():
    context = report_context()
    context["blocks"] = [{"kind": "image", "text": "x"}]

    with pytest.raises(ValueError, match="image"):
        render_docx(context)
