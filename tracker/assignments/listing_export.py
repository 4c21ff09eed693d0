"""The list of obligations as XLSX, CSV (streamed) and PDF: the rows of the current
filter, in its order."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from openpyxl import Workbook

from tracker.assignments.deadlines import OUTCOME_LABELS
from tracker.assignments.forms import ROLE_LABELS
from tracker.assignments.listing import SORT_LABELS, Filter, Row
from tracker.assignments.workflow import STATUS_LABELS
from tracker.formatting import format_date, format_datetime
from tracker.text import inert_cell

#: Rows written to the CSV stream at a time.
_CSV_BATCH = 200

HEADER = (
    "Văn bản",
    "Nhiệm vụ",
    "Nội dung nhiệm vụ",
    "Mã đơn vị",
    "Cơ quan, đơn vị",
    "Vai trò",
    "Kỳ báo cáo",
    "Thời hạn",
    "Trạng thái",
    "Kết quả",
    "Tiến độ (%)",
)
WIDTHS = (24, 9, 60, 10, 36, 12, 23, 12, 26, 26, 10)


def _values(row: Row) -> list[str | int | date | None]:
    period = (
        f"{row.period_starts_on:%d/%m/%Y} – {row.period_ends_on:%d/%m/%Y}"
        if row.period_starts_on and row.period_ends_on
        else ""
    )
    status = row.status_label
    return [
        row.directive_title,
        row.task_number,
        row.task_title,
        row.agency_code,
        row.agency_name,
        ROLE_LABELS[row.role],
        period,
        row.due_date,
        status,
        OUTCOME_LABELS[row.outcome],
        row.progress if row.period_id is None else None,
    ]


def csv_chunks(rows: Iterable[Row]) -> Iterator[bytes]:
    """The CSV in pieces of a few hundred rows, as the rows come: UTF-8 with a
    byte-order mark, so Excel opens Vietnamese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(HEADER)
    for count, row in enumerate(rows, start=1):
        writer.writerow(
            [
                value.strftime("%d/%m/%Y") if isinstance(value, date) else inert_cell(value)
                for value in _values(row)
            ]
        )
        if count % _CSV_BATCH == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def to_csv(rows: Iterable[Row]) -> bytes:
    return b"".join(csv_chunks(rows))


def to_xlsx(rows: Iterable[Row]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append([inert_cell(value) for value in _values(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PDF_TEMPLATE = "documents/listing.html"
#: A list this long or longer is laid out on several processes at once.
PDF_PARALLEL_ROWS = 100
#: How long a part's layout may take.
PDF_SECONDS = 120
#: In tracker/documents/assets: the list's stylesheet, and the user-agent stylesheet
#: that replaces WeasyPrint's (the template uses only the elements it styles).
PDF_STYLESHEET = "listing.css"
PDF_USER_AGENT = "listing-ua.css"
#: The PDF's columns: (heading, share of the width in percent).
PDF_COLUMNS = (
    ("STT", 3.5),
    ("Văn bản", 13),
    ("Nhiệm vụ", 32.5),
    ("Cơ quan, đơn vị", 14),
    ("Vai trò", 5.5),
    ("Thời hạn", 7),
    ("Trạng thái", 11),
    ("Kết quả", 13.5),
)


def describe(chosen: Filter, directive_title: str | None, agency_name: str | None) -> str:
    """The filter in words, as the PDF prints it under its title."""
    parts = []
    if chosen.directive is not None:
        parts.append(f"văn bản {directive_title or chosen.directive}")
    if chosen.agency:
        parts.append(f"cơ quan, đơn vị {agency_name or chosen.agency}")
    if chosen.role is not None:
        parts.append(f"vai trò {ROLE_LABELS[chosen.role].lower()}")
    if chosen.status is not None:
        parts.append(f"trạng thái {STATUS_LABELS[chosen.status].lower()}")
    if chosen.outcome is not None:
        parts.append(OUTCOME_LABELS[chosen.outcome].lower())
    if chosen.overdue:
        parts.append("quá hạn chưa hoàn thành")
    if chosen.due_soon:
        parts.append("sắp đến hạn")
    if chosen.due_from:
        parts.append(f"hạn từ ngày {format_date(chosen.due_from)}")
    if chosen.due_to:
        parts.append(f"hạn đến ngày {format_date(chosen.due_to)}")
    order = SORT_LABELS[chosen.sort].lower() + (" (giảm dần)" if chosen.descending else "")
    return f"Điều kiện lọc: {'; '.join(parts) or 'tất cả'}. Sắp xếp theo {order}."


def pdf_context(
    rows: list[Row], chosen: Filter, limit: int, as_of: date, generated_at: datetime
) -> dict:
    """The plain values the list's PDF template prints: at most `limit` of `rows`;
    `rows` holding one more says the list was cut there."""
    shown = rows[:limit]
    first = shown[0] if shown else None
    cells = []
    for number, row in enumerate(shown, start=1):
        period = (
            f" (kỳ {row.period_starts_on:%d/%m}–{row.period_ends_on:%d/%m/%Y})"
            if row.period_starts_on and row.period_ends_on
            else ""
        )
        cells.append(
            [
                str(number),
                row.directive_title,
                f"{row.task_number}. {row.task_title}{period}",
                row.agency_name,
                ROLE_LABELS[row.role],
                format_date(row.due_date),
                row.status_label,
                OUTCOME_LABELS[row.outcome],
            ]
        )
    return {
        "title": "Danh sách nhiệm vụ",
        "as_of": format_date(as_of),
        "generated_at": format_datetime(generated_at),
        "filter": describe(
            chosen,
            first.directive_title if first and chosen.directive else None,
            first.agency_name if first and chosen.agency else None,
        ),
        "columns": [{"label": label, "width": width} for label, width in PDF_COLUMNS],
        "rows": cells,
        "count": len(cells),
        "cut": len(rows) > limit,
    }


def to_pdf(context: dict, processes: int) -> bytes:
    """The PDF of `pdf_context`'s values (WeasyPrint, the documents' fonts): a long list
    cut in as many parts as `processes`, laid out at once (`documents.parallel`)."""
    from tracker.documents.parallel import render_parts
    from tracker.documents.rendering import render_html

    rows = context["rows"]
    count = processes if len(rows) >= PDF_PARALLEL_ROWS else 1
    size = -(-len(rows) // count) or 1
    parts = [
        render_html(
            {**context, "rows": rows[start : start + size], "show_header": start == 0},
            PDF_TEMPLATE,
        )
        for start in range(0, max(len(rows), 1), size)
    ]
    pdf, _ = render_parts(
        parts,
        (PDF_STYLESHEET, "unnumbered.css"),
        (PDF_STYLESHEET,),
        processes=count,
        timeout=PDF_SECONDS,
        user_agent=PDF_USER_AGENT,
    )
    return pdf
