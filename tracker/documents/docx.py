"""A document's plain context -> a Word .docx in the layout of Decree 30/2020/NĐ-CP.

Office clerks finish documents in Word, so the same plain context the PDF templates get
(dicts, lists, str, int, float, date) also becomes a .docx: A4 portrait with ND30's
margins, Times New Roman 14 pt, the two-column header, the title, "Kính gửi:", body
paragraphs, headings and tables, the signature block and the appendices. Rules are
paragraph borders, so they stay put when a clerk edits the text around them.

Only the content's shape is fixed here; wording, capitals and number formats come from
the context as they are (NFC-normalised, no-break spaces kept).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias

from docx import Document
from docx.blkcntnr import BlockItemContainer
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Length, Mm, Pt, RGBColor
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

Container: TypeAlias = WordDocument | BlockItemContainer

FONT = "Times New Roman"
TEXT_WIDTH = Mm(165)  # 210 mm less the 30 mm and 15 mm margins
HEADER_COLUMNS = (Mm(66), Mm(99))  # 40 % | 60 %
SIGNATURE_COLUMNS = (Mm(74), Mm(91))  # distribution 45 % | signer 55 %
FIRST_LINE_INDENT = Cm(1.27)
LINE_SPACING = 1.15  # a multiple of Word's single line, which is ~1.15 em in this font
MOTTO_WIDTH = Mm(56)  # the motto in 13 pt bold, measured with Times New Roman's metrics
RECIPIENT_LABEL_INDENT = Mm(25)
RECIPIENT_ITEMS_INDENT = Mm(47)  # "Kính gửi:" in 14 pt is ~19 mm wide
SIGNATURE_ROOM_LINES = 4

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT_MARK = "DỰ THẢO"
DRAFT_COLOUR = RGBColor(0xB0, 0x48, 0x48)

CENTRE = WD_ALIGN_PARAGRAPH.CENTER


def render_docx(context: dict[str, Any]) -> bytes:
    """The .docx of a document context (the keys of templates/documents/base.html, with
    the header's lines as lists and optional "draft" and "appendices")."""
    document = Document()
    _page_and_styles(document, draft=bool(context.get("draft")))
    _header_block(document, context["header"])
    if context.get("doc_type"):
        doc_type = _line(document, context["doc_type"], bold=True, align=CENTRE)
        doc_type.paragraph_format.space_before = Pt(12)
        _line(document, context["subject"], bold=True, align=CENTRE)
        _rule(document, Emu(TEXT_WIDTH // 3), TEXT_WIDTH)
    _recipients(document, context.get("recipients") or [])
    _blocks(document, context.get("blocks") or [])
    _keep_last_with_next(document)
    _signature(document, context.get("distribution") or [], context["signer"])
    for appendix in context.get("appendices") or []:
        _appendix(document, appendix)
    _properties(document, context.get("meta") or {})
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


# Page, styles, page header --------------------------------------------------------------


def _page_and_styles(document: WordDocument, *, draft: bool) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = section.footer_distance = Mm(10)

    # Times New Roman for every script, in the defaults and in Normal, overriding the
    # template's theme fonts; Vietnamese as the proofing language.
    defaults = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr")[0]
    for rpr in (defaults, document.styles["Normal"].element.get_or_add_rPr()):
        fonts = rpr.get_or_add_rFonts()
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(script), FONT)
    defaults.xpath("w:lang")[0].set(qn("w:val"), "vi-VN")
    normal = document.styles["Normal"]
    normal.font.size = Pt(14)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    document.core_properties.language = "vi-VN"

    # Page numbers from page 2 on: the first page has its own (empty) header.
    section.different_first_page_header_footer = True
    for header, numbered in ((section.first_page_header, False), (section.header, True)):
        paragraph = header.paragraphs[0]
        paragraph.style = None
        stops = paragraph.paragraph_format.tab_stops
        stops.add_tab_stop(Emu(TEXT_WIDTH // 2), WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
        _run(paragraph, "\t", size=13)
        if numbered:
            _page_field(paragraph, size=13)
        if draft:
            _run(paragraph, "\t", size=13)
            _draft_mark(paragraph)


def _page_field(paragraph: Paragraph, *, size: float) -> None:
    """A PAGE field; "1" shows until Word lays the page out."""
    run = _run(paragraph, "1", size=size)
    field = _w("fldSimple", instr=" PAGE ")
    run._r.addprevious(field)
    field.append(run._r)


def _draft_mark(paragraph: Paragraph) -> None:
    """The mark "DỰ THẢO", boxed at the right of the page header: on every page, not in the body."""
    run = _run(paragraph, DRAFT_MARK, size=14, bold=True)
    run.font.color.rgb = DRAFT_COLOUR
    box = _w("bdr", val="single", sz=8, space=2, color=DRAFT_COLOUR)
    run._r.get_or_add_rPr().append(box)  # after w:sz and w:color, as the schema orders them


# Header block, title, recipients ------------------------------------------------------


def _header_block(document: WordDocument, header: dict[str, Any]) -> None:
    """Two rows so that the number (box 3) and the date (box 4) share a line."""
    table = _layout_table(document, rows=2, widths=HEADER_COLUMNS)
    left, right = table.rows[0].cells
    for line in header.get("parent_lines") or []:
        _line(left, line, size=13, align=CENTRE)
    for line in header["body_lines"]:  # required: a document always has an issuing body
        _line(left, line, size=13, bold=True, align=CENTRE)
    _rule(left, Emu(HEADER_COLUMNS[0] // 3), HEADER_COLUMNS[0])

    state_lines = header.get("state_lines")
    if state_lines is None:
        _line(right, NATIONAL_TITLE, size=12, bold=True, align=CENTRE)
        _line(right, MOTTO, size=13, bold=True, align=CENTRE)
        _rule(right, MOTTO_WIDTH, HEADER_COLUMNS[1])
    else:
        for line in state_lines:
            _line(right, line, size=13, bold=True, align=CENTRE)
        _rule(right, Emu(HEADER_COLUMNS[1] // 3), HEADER_COLUMNS[1])

    left, right = table.rows[1].cells
    _line(left, header["number"], size=13, align=CENTRE).paragraph_format.space_before = Pt(6)
    if header.get("subject_under_number") is not None:
        _line(left, header["subject_under_number"], size=12, align=CENTRE)
    date_line = _line(right, header["place_date"], italic=True, align=CENTRE)
    date_line.paragraph_format.space_before = Pt(6)


def _recipients(document: WordDocument, recipients: Sequence[str]) -> None:
    """ "Kính gửi: X." on one line, or one "- X;" line each, the items under one another."""
    if len(recipients) == 1:
        paragraph = _line(document, f"Kính gửi: {_item(recipients[0])}.", align=CENTRE)
        paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(8)
        return
    for index, item in enumerate(recipients):
        last = index == len(recipients) - 1
        text = f"- {_item(item)}{'.' if last else ';'}"
        paragraph = _line(document, f"Kính gửi:\t{text}" if index == 0 else text)
        fmt = paragraph.paragraph_format
        fmt.left_indent = RECIPIENT_ITEMS_INDENT
        if index == 0:
            fmt.first_line_indent = Emu(RECIPIENT_LABEL_INDENT - RECIPIENT_ITEMS_INDENT)
            fmt.tab_stops.add_tab_stop(RECIPIENT_ITEMS_INDENT)
            fmt.space_before = Pt(8)
        if last:
            fmt.space_after = Pt(8)


# Body ------------------------------------------------------------------------------------


def _blocks(document: WordDocument, blocks: Sequence[dict[str, Any]]) -> None:
    for block in blocks:
        kind = block.get("kind")
        if kind == "table":
            _data_table(document, block)
        elif kind in ("paragraph", "heading"):
            paragraph = _line(document, block["text"], bold=kind == "heading")
            fmt = paragraph.paragraph_format
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt.first_line_indent = FIRST_LINE_INDENT
            fmt.space_after = Pt(6)
            fmt.line_spacing = LINE_SPACING
            if kind == "heading":
                fmt.space_before = Pt(6)
                fmt.keep_with_next = True
        else:
            raise ValueError(f"unknown block kind: {kind!r}")


def _data_table(document: WordDocument, block: dict[str, Any]) -> None:
    """Bordered; the header row repeats on every page; no row splits across pages."""
    columns = block["columns"]
    size = 10 if len(columns) > 7 else 12  # as the PDF: wide tables in 10 pt
    if block.get("caption"):
        caption = _line(document, block["caption"], size=13, bold=True, align=CENTRE)
        caption.paragraph_format.space_before = Pt(6)
        caption.paragraph_format.keep_with_next = True
    shares = [float(column.get("width") or 1) for column in columns]
    table = document.add_table(rows=0, cols=len(columns))
    _set_widths(table, [Emu(int(TEXT_WIDTH * share / sum(shares))) for share in shares])
    _table_borders(table, "single")

    header = table.add_row()
    _row_flags(header, repeat=True)
    for cell, column in zip(header.cells, columns, strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _run(cell.paragraphs[0], column["label"], size=size, bold=True)
        cell.paragraphs[0].alignment = CENTRE
        cell.paragraphs[0].paragraph_format.keep_with_next = True  # not alone at a page end
    body_rows = [(values, False) for values in block.get("rows") or []]
    if block.get("total"):
        body_rows.append((block["total"], True))
    for values, bold in body_rows:
        row = table.add_row()
        _row_flags(row, repeat=False)
        for cell, column, value in zip(row.cells, columns, values, strict=True):
            _run(cell.paragraphs[0], value, size=size, bold=bold)
            if column.get("numeric"):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    spacer = document.add_paragraph()  # Word needs a paragraph between adjacent tables
    spacer.paragraph_format.space_after = Pt(6)


def _keep_last_with_next(document: WordDocument) -> None:
    """The last body paragraph with text, or the last row of a closing table, and the
    empty paragraphs after it stay on the signature block's page."""
    for item in reversed(list(document.iter_inner_content())):
        if isinstance(item, Table):
            for cell in item.rows[-1].cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
            return
        item.paragraph_format.keep_with_next = True
        if item.text.strip():
            return


# Signature, appendices, properties ------------------------------------------------------


def _signature(document: WordDocument, distribution: Sequence[str], signer: dict[str, Any]) -> None:
    table = _layout_table(document, rows=1, widths=SIGNATURE_COLUMNS)
    _row_flags(table.rows[0], repeat=False)
    left, right = table.rows[0].cells
    label = _line(left, "Nơi nhận:", size=12, bold=True, italic=True)
    label.paragraph_format.space_before = Pt(12)
    for index, item in enumerate(distribution):
        ending = "." if index == len(distribution) - 1 else ";"
        _line(left, f"- {_item(item)}{ending}", size=11)

    lines = signer.get("lines") or []
    for index, line in enumerate(lines):
        paragraph = _line(right, line, bold=True, align=CENTRE)
        if index == 0:
            paragraph.paragraph_format.space_before = Pt(12)
    for _ in range(SIGNATURE_ROOM_LINES):
        _line(right, "", align=CENTRE)
    _line(right, signer["name"], bold=True, align=CENTRE)


def _appendix(document: WordDocument, appendix: dict[str, Any]) -> None:
    label = _line(document, appendix["label"], bold=True, align=CENTRE)
    label.paragraph_format.page_break_before = True
    _line(document, appendix["title"], bold=True, align=CENTRE)
    if appendix.get("attached_to"):
        _line(document, appendix["attached_to"], size=13, italic=True, align=CENTRE)
    _rule(document, Emu(TEXT_WIDTH // 3), TEXT_WIDTH)
    _blocks(document, appendix.get("blocks") or [])


def _properties(document: WordDocument, meta: dict[str, Any]) -> None:
    properties = document.core_properties
    properties.title = _text(meta.get("title", ""))
    properties.author = properties.last_modified_by = _text(meta.get("author", ""))
    properties.subject = _text(meta.get("subject", ""))
    properties.comments = ""  # the template says "generated by python-docx"
    created = meta.get("created")
    if isinstance(created, str):
        created = datetime.fromisoformat(created)
    if not isinstance(created, datetime):
        created = datetime.now(UTC)
    if created.tzinfo is not None:
        created = created.astimezone(UTC)  # python-docx writes the clock time with a "Z"
    properties.created = properties.modified = created


# Small pieces ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value))


def _item(value: Any) -> str:
    """A list item without its own closing ";" or ".": the list adds them."""
    return _text(value).rstrip().rstrip(";.")


def _run(
    paragraph: Paragraph, text: Any, *, size: float = 14, bold: bool = False, italic: bool = False
) -> Run:
    run = paragraph.add_run(_text(text))
    run.font.size = Pt(size)
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    return run


def _line(
    container: Container,
    text: Any,
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
) -> Paragraph:
    """A new paragraph of one run (none if `text` is empty) at the end of `container`."""
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _rule(container: Container, width: Length, within: Length) -> Paragraph:
    """A solid 0.75 pt line `width` long, centred in `within`: the bottom border of an
    empty paragraph indented from both sides."""
    paragraph = _line(container, "")
    borders = _w("pBdr")  # first in the new w:pPr, before spacing and indents
    borders.append(_w("bottom", val="single", sz=6, space=1, color="000000"))  # sz: 1/8 pt
    paragraph._p.get_or_add_pPr().append(borders)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Emu((within - width) // 2)
    fmt.line_spacing = Pt(4)  # exact: the line sits just under the text above
    fmt.space_after = Pt(6)
    return paragraph


def _layout_table(document: WordDocument, *, rows: int, widths: Sequence[Length]) -> Table:
    """A borderless table without cell padding, for the header and the signature."""
    table = document.add_table(rows=rows, cols=len(widths))
    _set_widths(table, widths)
    _table_borders(table, "nil")
    for row in table.rows:
        for cell in row.cells:  # drop the empty placeholder paragraph; _line adds the rest
            cell._tc.remove(cell.paragraphs[0]._p)
    margins = _w("tblCellMar")
    for side in ("left", "right"):
        margins.append(_w(side, w=0, type="dxa"))
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
    return table


def _set_widths(table: Table, widths: Sequence[Length]) -> None:
    """Fixed column widths in the grid, the table and every cell, so Word keeps them."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = table._tbl.tblPr.find(qn("w:tblW"))
    total.set(qn("w:type"), "dxa")
    total.set(qn("w:w"), str(round(sum(widths) / 635)))  # EMU -> twentieths of a point
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _table_borders(table: Table, value: str) -> None:
    borders = _w("tblBorders")
    line = {} if value == "nil" else {"sz": 4, "color": "000000"}
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_w(side, val=value, **line))
    table._tbl.tblPr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"
    )


def _row_flags(row: _Row, *, repeat: bool) -> None:
    """w:cantSplit on every row; w:tblHeader on the header row (in schema order)."""
    properties = row._tr.get_or_add_trPr()
    properties.append(_w("cantSplit"))
    if repeat:
        properties.append(_w("tblHeader"))


def _w(tag: str, **attributes: Any) -> Any:
    """A new w:<tag> element with w: attributes."""
    return OxmlElement(
        f"w:{tag}", {qn(f"w:{name}"): str(value) for name, value in attributes.items()}
    )
