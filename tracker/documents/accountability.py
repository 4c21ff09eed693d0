"""The accountability report for leaders (báo cáo tổng hợp tình hình thực hiện) as a
document of the provincial office: a draft marked DỰ THẢO that can be issued with a
number like any other document. Its tables read the report's lines; each directive has
a "Tổng cộng" row, and the appendix lists the evidence and the event log's head hash as
it stood when the report was generated."""

from __future__ import annotations

from datetime import date

from tracker import clock
from tracker.agencies.models import Agency
from tracker.assignments.obligations import TOTAL_DEFINITION, TOTAL_LABEL
from tracker.documents import nd30
from tracker.documents.drafts import (
    TABLE_MARKER,
    Appendix,
    Column,
    DocumentDraft,
    Table,
    agency_identity,
    filing_line,
    numbered,
    symbol_code,
)
from tracker.formatting import format_datetime, format_number
from tracker.reports.accountability import AccountabilityReport, DirectiveSection


def draft_accountability(
    report: AccountabilityReport, office: Agency, issued_on: date | None = None
) -> DocumentDraft:
    """The report as a document: figures as of the report's date, dated `issued_on`
    (default today)."""
    if len(report.sections) == 1:
        section = report.sections[0]
        about = f"Tình hình thực hiện {section.doc_type_label} số {section.reference}"
    else:
        about = "Tình hình thực hiện các văn bản chỉ đạo của UBND tỉnh"
    paragraphs = [
        f"Tính đến {nd30.nd30_date(report.as_of)}, tình hình thực hiện được tổng hợp theo bốn"
        " nhóm: hoàn thành đúng hạn, hoàn thành quá hạn, đang thực hiện trong hạn và quá hạn"
        f" chưa hoàn thành. {TOTAL_DEFINITION} Cột “Gia hạn” (nếu có) là số nhiệm vụ đã được"
        " gia hạn (thời hạn ban đầu vẫn được lưu)."
    ]
    tables = []
    for index, section in enumerate(report.sections, start=1):
        heading = f"{index}. {section.title}"
        if section.issued_date:
            heading += f" ngày {nd30.short_date(section.issued_date)}"
        paragraphs.append(heading)
        paragraphs.append(_section_summary(section))
        tables.append(_section_table(section))
        paragraphs.append(TABLE_MARKER.format(len(tables)))
        if section.indicator_name:
            paragraphs.append(
                f"Chỉ tiêu: {section.indicator_name}"
                + (f" ({section.indicator_unit})" if section.indicator_unit else "")
                + " (theo báo cáo được chấp nhận, nếu chưa có thì theo báo cáo gần nhất)."
            )
    if not report.sections:
        paragraphs.append("Chưa có văn bản nào được giao thực hiện.")
    paragraphs.append("Văn phòng UBND tỉnh báo cáo Chủ tịch, các Phó Chủ tịch UBND tỉnh./.")
    identity = agency_identity(office)
    return DocumentDraft(
        kind="accountability",
        title=f"Báo cáo tổng hợp: {about.lower()} đến ngày {nd30.short_date(report.as_of)}",
        symbol=f"BC-{symbol_code(office)}",
        issued_on=issued_on or clock.today(),
        as_of=report.as_of,
        doc_type="Báo cáo",
        subject=f"{about} (tính đến {nd30.nd30_date(report.as_of)})",
        recipients=["Chủ tịch, các Phó Chủ tịch UBND tỉnh"],
        body="\n\n".join(paragraphs),
        signer_authority="",
        distribution=["Như trên", filing_line(office)],
        directive_id=report.sections[0].directive_id if len(report.sections) == 1 else None,
        tables=tables,
        appendices=[_appendix(report)],
        **identity,
    )


def _section_summary(section: DirectiveSection) -> str:
    totals = section.totals
    text = (
        f"{TOTAL_LABEL}: {totals.total} ({totals.reports} nhiệm vụ được giao,"
        f" {totals.periods} kỳ báo cáo định kỳ); hoàn thành đúng hạn: {totals.done_on_time};"
        f" hoàn thành quá hạn: {totals.done_late}; đang thực hiện trong hạn:"
        f" {totals.open_within}; quá hạn chưa hoàn thành: {totals.open_overdue}"
    )
    if totals.on_time_rate is not None:
        text += f"; tỷ lệ đúng hạn {nd30.percent(totals.on_time_rate)}"
    return text + "."


def _section_table(section: DirectiveSection) -> Table:
    """One line per agency and a "Tổng cộng" line; the "Gia hạn" column only when some
    work was extended, the indicator's only when the directive has one."""
    extended = section.totals.extended > 0
    indicator = section.indicator_name is not None
    columns = [
        Column("Cơ quan, đơn vị", width=2.6),
        Column(TOTAL_LABEL, numeric=True, width=0.85),
        Column("Đúng hạn", numeric=True, width=0.85),
        Column("Quá hạn (đã xong)", numeric=True, width=0.85),
        Column("Trong hạn", numeric=True, width=0.85),
        Column("Quá hạn", numeric=True, width=0.85),
        Column("Tỷ lệ đúng hạn", numeric=True, width=1.0),
    ]
    columns += [Column("Gia hạn", numeric=True, width=0.75)] if extended else []
    if indicator:
        columns += [Column("Chỉ tiêu", numeric=True, width=1.0), Column("Hạng", width=0.6)]
    columns.append(Column("Thủ trưởng", width=1.9))
    rows = []
    for line in section.lines:
        row = [line.agency_name, *_counts(line)]
        row += [str(line.extended or "")] if extended else []
        if indicator:
            value = (
                nd30.percent(line.indicator_value)
                if section.indicator_unit is None
                else nd30.format_number(line.indicator_value)
            )
            row += [value, str(line.indicator_rank or "")]
        row.append(f"{line.head_title.capitalize()} {line.head_name}".strip())
        rows.append(row)
    totals = section.totals
    total = ["Tổng cộng", *_counts(totals)]
    total += [str(totals.extended)] if extended else []
    total += ["", ""] if indicator else []
    return numbered(columns, rows, [*total, ""])


def _counts(line) -> list[str]:
    return [
        str(line.total),
        str(line.done_on_time),
        str(line.done_late),
        str(line.open_within),
        str(line.open_overdue),
        nd30.percent(line.on_time_rate),
    ]


def _appendix(report: AccountabilityReport) -> Appendix:
    evidence = numbered(
        [
            Column("Tệp", width=2.2),
            Column("Đơn vị", width=2.2),
            Column("Người tải lên", width=1.8),
            Column("Thời gian", width=1.3),
            Column("SHA-256", width=3.6),
        ],
        [
            [
                item.file_name,
                item.agency_name,
                item.uploaded_by or "",
                format_datetime(item.uploaded_at),
                item.sha256,
            ]
            for item in report.evidence
        ],
    )
    chain = ""
    if report.chain_ok is not None:
        chain = ", toàn vẹn" if report.chain_ok else ", CÓ DẤU HIỆU BỊ SỬA ĐỔI"
    return Appendix(
        title="Danh mục minh chứng và mã kiểm tra nhật ký",
        paragraphs=[] if report.evidence else ["Chưa có minh chứng."],
        tables=[evidence] if report.evidence else [],
        # The hash on a line of its own: inside a justified line, a word 64 characters
        # long leaves wide gaps between the words before it.
        notes=[
            f"Nhật ký sự kiện tại thời điểm lập báo cáo ({format_datetime(report.generated_at)}):"
            f" {format_number(report.event_count)} sự kiện{chain}; mã băm cuối (SHA-256):",
            f"{report.event_head_hash}.",
        ],
    )
