"""The list of obligations as XLSX and CSV: the rows of the current filter, in its order."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from openpyxl import Workbook

from tracker.assignments.deadlines import OUTCOME_LABELS
from tracker.assignments.forms import ROLE_LABELS
from tracker.assignments.listing import Row
from tracker.text import inert_cell

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


def to_csv(rows: Iterable[Row]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(
            [
                value.strftime("%d/%m/%Y") if isinstance(value, date) else inert_cell(value)
                for value in _values(row)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


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
