"""A long document rendered in parts: every row once and in order, the totals once at
the end, continued tables marked "(tiếp theo)", page numbers running on across parts,
the header and the signature once."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.nd30 import Pdf
from tracker.agencies.operations import office_agency
from tracker.documents.accountability import draft_accountability
from tracker.documents.context import document_context
from tracker.documents.operations import preview_pdf, preview_pdf_in_parts
from tracker.documents.pieces import CONTINUED, MIN_ROWS, parts
from tracker.reports.accountability import build_accountability

AS_OF = date(2020, 8, 21)


def _table(rows: int, caption: str = "") -> dict:
    return {
        "kind": "table",
        "columns": [],
        "rows": [[str(n)] for n in range(1, rows + 1)],
        "total": ["Tổng cộng"],
        "caption": caption,
    }


def _paragraph(text: str) -> dict:
    return {"kind": "paragraph", "text": text}


def _context(blocks: list[dict], appendix_blocks: list[dict] | None = None) -> dict:
    appendices = [{"label": "PHỤ LỤC", "blocks": appendix_blocks}] if appendix_blocks else []
    return {"blocks": blocks, "appendices": appendices}


def _rows(part: dict) -> list[str]:
    found = [
        row[0] for block in part["blocks"] if block["kind"] == "table" for row in block["rows"]
    ]
    for appendix in part["appendices"]:
        found += [
            row[0]
            for block in appendix["blocks"]
            if block["kind"] == "table"
            for row in block["rows"]
        ]
    return found


def test_a_short_document_stays_one_part():
    context = _context([_paragraph("a"), _table(3), _paragraph("kết thúc")])
    (only,) = parts(context, max_rows=50)
    assert only["show_header"] and only["show_closing"]
    assert only["blocks"] == context["blocks"]


def test_a_long_table_continues_across_parts():
    context = _context(
        [_paragraph("mở đầu"), _table(25, "Bảng 1"), _paragraph("kết thúc")],
        [_table(12)],
    )
    cut = parts(context, max_rows=10)
    assert [part["show_header"] for part in cut] == [True] + [False] * (len(cut) - 1)
    body = [part for part in cut if not part["appendices"]]
    assert [part["show_closing"] for part in body] == [False] * (len(body) - 1) + [True]
    assert body[-1]["blocks"][-1] == _paragraph("kết thúc")
    assert sum((_rows(part) for part in body), []) == [str(n) for n in range(1, 26)]
    tables = [block for part in body for block in part["blocks"] if block["kind"] == "table"]
    assert [table["caption"] for table in tables] == ["Bảng 1"] + [f"Bảng 1 {CONTINUED}"] * (
        len(tables) - 1
    )
    assert [table["total"] for table in tables] == [None] * (len(tables) - 1) + [["Tổng cộng"]]
    assert all(len(_rows(part)) <= 10 for part in cut)
    appendix = [part["appendices"][0] for part in cut if part["appendices"]]
    assert [item["continued"] for item in appendix] == [False, True]
    assert sum((_rows(part) for part in cut if part["appendices"]), []) == [
        str(n) for n in range(1, 13)
    ]
    assert appendix[1]["blocks"][0]["caption"] == f"Bảng {CONTINUED}"


def test_no_table_starts_with_a_line_or_two_at_the_end_of_a_part():
    context = _context([*(_paragraph(str(n)) for n in range(8)), _table(20), _paragraph("hết")])
    first = parts(context, max_rows=10)[0]
    assert 10 - len(first["blocks"]) < MIN_ROWS
    assert all(block["kind"] == "paragraph" for block in first["blocks"])


@pytest.mark.parametrize("max_rows", [0, -3])
def test_parts_need_room(max_rows):
    with pytest.raises(ValueError):
        parts(_context([_paragraph("x")]), max_rows=max_rows)


def _page_numbers(pdf: Pdf) -> list[str | None]:
    """The number printed at the top centre of each page, or None."""
    numbers = []
    for page in pdf.pages:
        top = [word for word in page.extract_words() if word["top"] < 60]
        numbers.append(next((w["text"] for w in top if re.fullmatch(r"\d+", w["text"])), None))
    return numbers


def _table_rows(pdf: Pdf) -> list[tuple[str, ...]]:
    """Every table row of the PDF, header rows left out, cells with white space folded."""
    rows = []
    for page in pdf.pages:
        for table in page.extract_tables():
            for row in table:
                cells = tuple(re.sub(r"\s+", " ", cell or "").strip() for cell in row)
                if cells and cells[0] != "TT":
                    rows.append(cells)
    return rows


@pytest.mark.slow
def test_the_accountability_report_in_parts_reads_as_the_whole(session, directive_1661):
    report = build_accountability(session, AS_OF, None)
    draft = draft_accountability(report, office_agency(session))
    whole = preview_pdf(draft)
    data, pages = preview_pdf_in_parts(draft, max_rows=8)
    assert len(parts(document_context(draft, None), 8)) > 5
    with Pdf(whole) as single, Pdf(data) as cut:
        assert cut.page_count == pages > single.page_count
        assert _page_numbers(cut) == [None] + [str(n) for n in range(2, pages + 1)]
        rows = _table_rows(single)
        assert len(rows) > sum(len(section.lines) for section in report.sections)
        assert _table_rows(cut) == rows  # every row once, in order
        assert cut.text.count("Tổng cộng") == single.text.count("Tổng cộng")
        assert cut.text.count("Nơi nhận") == 1 and cut.text.count("BÁO CÁO") == 1
        assert cut.text.count("PHỤ LỤC") == 1
        assert CONTINUED in cut.text
        for item in report.evidence:
            assert cut.text.count(item.sha256[:16]) == single.text.count(item.sha256[:16])
        assert cut.metadata["title"] == single.metadata["title"]
