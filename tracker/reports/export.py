"""The accountability report as XLSX and CSV, for people who work in spreadsheets.

Both take an `AccountabilityReport` (plain values) and return bytes; the view names the
file and sends it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from tracker import clock
from tracker.assignments.obligations import PERIODS_LABEL, REPORTS_LABEL, TOTAL_LABEL
from tracker.reports.accountability import AccountabilityReport
from tracker.text import inert_cell

#: Header of the summary: one row per directive and agency, then a "Tổng cộng" row
#: ("Tổng hợp" sheet and CSV). The total counts obligations: see TOTAL_DEFINITION.
SUMMARY_HEADER = (
    "Văn bản",
    "Cơ quan, đơn vị",
    "Thủ trưởng",
    TOTAL_LABEL,
    REPORTS_LABEL,
    PERIODS_LABEL,
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Đang thực hiện trong hạn",
    "Quá hạn chưa hoàn thành",
    "Tỷ lệ đúng hạn (%)",
    "Chỉ tiêu",
    "Giá trị (%)",
    "Xếp hạng",
    "Được gia hạn",
)
SUMMARY_WIDTHS = (24, 46, 24, 11, 12, 12, 13, 13, 14, 14, 12, 48, 11, 10, 12)
#: Columns (0-based) holding a percentage.
SUMMARY_PERCENT_COLUMNS = frozenset({10, 12})
TOTAL_ROW_LABEL = "Tổng cộng"

EVIDENCE_HEADER = (
    "Văn bản",
    "Nhiệm vụ",
    "Tệp",
    "SHA-256",
    "Dung lượng (byte)",
    "Đơn vị",
    "Người tải lên",
    "Thời gian",
)
EVIDENCE_WIDTHS = (18, 10, 34, 68, 12, 46, 40, 17)
EVIDENCE_TIME_COLUMN = 7

SUMMARY_SHEET = "Tổng hợp"
EVIDENCE_SHEET = "Minh chứng"
INFO_SHEET = "Thông tin"
CREATOR = "tracker"

Row = tuple[str | int | float | None, ...]


def report_title(report: AccountabilityReport) -> str:
    return (
        "Báo cáo tổng hợp tình hình thực hiện văn bản chỉ đạo"
        f" (tính đến ngày {report.as_of:%d/%m/%Y})"
    )


def summary_rows(report: AccountabilityReport) -> Iterator[Row]:
    """The rows under SUMMARY_HEADER, the "Tổng cộng" row last: percentages as floats,
    blanks as None."""
    for section in report.sections:
        for line in section.lines:
            yield (
                section.title,
                line.agency_name,
                " ".join(part for part in (line.head_title, line.head_name) if part),
                line.total,
                line.reports,
                line.periods,
                line.done_on_time,
                line.done_late,
                line.open_within,
                line.open_overdue,
                line.on_time_rate,
                line.indicator_name,
                line.indicator_value,
                line.indicator_rank,
                line.extended,
            )
    totals = report.totals
    yield (
        TOTAL_ROW_LABEL,
        None,
        None,
        totals.total,
        totals.reports,
        totals.periods,
        totals.done_on_time,
        totals.done_late,
        totals.open_within,
        totals.open_overdue,
        totals.on_time_rate,
        None,
        None,
        None,
        totals.extended,
    )


def to_xlsx(report: AccountabilityReport) -> bytes:
    """A workbook with three sheets: "Tổng hợp" (one row per directive and agency, then
    "Tổng cộng"), "Minh chứng" (the evidence manifest) and "Thông tin" (date, event log
    head hash). Written in openpyxl's write-only mode: row by row, in time and memory
    linear in the rows.

    Numbers are numeric cells, percentages in percent units shown as '0.0' (Excel
    shows the decimal comma in a Vietnamese locale), times are local (Asia/Ho_Chi_Minh)
    and timezone-naive, as Excel has no time zones. The header row is frozen. Text that
    a spreadsheet would run as a formula is made inert."""
    workbook = Workbook(write_only=True)

    rows = list(summary_rows(report))
    summary = _sheet(workbook, SUMMARY_SHEET, SUMMARY_HEADER, SUMMARY_WIDTHS, len(rows))
    for index, row in enumerate(rows):
        total = index == len(rows) - 1
        summary.append(
            [
                _cell(
                    summary,
                    value,
                    number_format="0.0" if column in SUMMARY_PERCENT_COLUMNS else None,
                    bold=total,
                )
                for column, value in enumerate(row)
            ]
        )

    evidence = _sheet(
        workbook, EVIDENCE_SHEET, EVIDENCE_HEADER, EVIDENCE_WIDTHS, len(report.evidence)
    )
    for line in report.evidence:
        values = (
            line.directive_reference,
            line.task_number,
            line.file_name,
            line.sha256,
            line.size,
            line.agency_name,
            line.uploaded_by,
            _excel_time(line.uploaded_at),
        )
        evidence.append(
            [
                _cell(
                    evidence,
                    value,
                    number_format="dd/mm/yyyy hh:mm" if column == EVIDENCE_TIME_COLUMN else None,
                )
                for column, value in enumerate(values)
            ]
        )

    facts = (
        ("Báo cáo", report_title(report), None),
        ("Tính đến ngày", report.as_of, "dd/mm/yyyy"),
        ("Thời điểm lập", _excel_time(report.generated_at), "dd/mm/yyyy hh:mm"),
        ("Số văn bản", len(report.sections), None),
        ("Số tệp minh chứng", len(report.evidence), None),
        ("Số sự kiện trong nhật ký", report.event_count, None),
        ("Mã băm cuối chuỗi nhật ký (SHA-256)", report.event_head_hash, None),
        ("Kiểm tra chuỗi nhật ký", _chain_label(report.chain_ok), None),
    )
    info = _sheet(workbook, INFO_SHEET, ("Mục", "Giá trị"), (40, 70), None)
    for label, value, number_format in facts:
        info.append([_cell(info, label), _cell(info, value, number_format=number_format)])

    properties = workbook.properties
    properties.title = report_title(report)
    properties.subject = "Báo cáo tổng hợp tình hình thực hiện"
    properties.creator = CREATOR
    properties.language = "vi-VN"
    properties.created = report.generated_at.astimezone(UTC).replace(tzinfo=None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(report: AccountabilityReport) -> bytes:
    """The rows of the "Tổng hợp" sheet under its Vietnamese header, comma separated,
    encoded UTF-8 with a byte order mark so that Excel opens it as UTF-8.

    Numbers are machine-readable: integers as digits and percentages with a dot
    decimal and two places ("98.61"), not the interface's "98,6 %"; blanks are empty."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(SUMMARY_HEADER)
    for row in summary_rows(report):
        writer.writerow(inert_cell(_csv_value(value)) for value in row)
    return text.getvalue().encode("utf-8-sig")


def _csv_value(value: str | int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _sheet(
    workbook: Workbook,
    title: str,
    header: tuple[str, ...],
    widths: tuple[int, ...],
    rows: int | None,
) -> WriteOnlyWorksheet:
    """A write-only sheet with its column widths, a bold wrapped header row frozen at
    the top and, when `rows` is given, a filter over the header and those rows."""
    sheet = workbook.create_sheet(title)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    if rows is not None:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{rows + 1}"
    wrap = Alignment(wrap_text=True, vertical="center")
    sheet.append([_cell(sheet, label, bold=True, alignment=wrap) for label in header])
    return sheet


def _cell(
    sheet: WriteOnlyWorksheet,
    value,
    *,
    number_format: str | None = None,
    bold: bool = False,
    alignment: Alignment | None = None,
) -> WriteOnlyCell | object:
    """A cell with its format, or, when it has none, the bare value: openpyxl writes a
    bare value several times faster, and most cells of a large report are bare."""
    if not (number_format or bold or alignment is not None):
        return inert_cell(value)
    cell = WriteOnlyCell(sheet, value=inert_cell(value))
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _excel_time(instant: datetime) -> datetime:
    """Local wall-clock time without a zone: Excel cells cannot hold one."""
    return instant.astimezone(clock.LOCAL_ZONE).replace(tzinfo=None)


def _chain_label(ok: bool | None) -> str:
    if ok is None:
        return "Chưa kiểm tra"
    return "Toàn vẹn" if ok else "Phát hiện sai lệch"
