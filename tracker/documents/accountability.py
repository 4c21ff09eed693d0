"""The accountability report for leaders (báo cáo tổng hợp tình hình thực hiện) as a
document of the provincial office."""

from __future__ import annotations

from tracker.agencies.models import Agency
from tracker.documents import nd30
from tracker.documents.reply import DEFAULT_PLACE, DocumentDraft
from tracker.reports.accountability import AccountabilityReport


def draft_accountability(report: AccountabilityReport, office: Agency) -> DocumentDraft:
    if len(report.sections) == 1:
        section = report.sections[0]
        about = f"Tình hình thực hiện {section.doc_type_label} số {section.reference}"
    else:
        about = "Tình hình thực hiện các văn bản chỉ đạo của UBND tỉnh"
    return DocumentDraft(
        kind="accountability",
        title=f"Báo cáo tổng hợp: {about.lower()} đến ngày {nd30.short_date(report.as_of)}",
        parent_body=nd30.body_name(office.parent.name) if office.parent else "",
        issuing_body=office.name,
        symbol=f"BC-{office.code}",
        place=DEFAULT_PLACE,
        issued_on=report.as_of,
        doc_type="Báo cáo",
        subject=f"{about} (tính đến {nd30.nd30_date(report.as_of)})",
        recipients=["Chủ tịch, các Phó Chủ tịch UBND tỉnh"],
        body="(bảng tổng hợp)",
        signer_authority="",
        signer_title=office.head_title or "CHÁNH VĂN PHÒNG",
        signer_name=office.head_name,
        distribution=["Như trên", "Lưu: VT"],
        author=office.name,
        agency_id=office.id,
        directive_id=report.sections[0].directive_id if len(report.sections) == 1 else None,
    )


def accountability_extra(report: AccountabilityReport) -> dict:
    """What the template needs beyond the common document context."""
    return {"report": report, "as_of_words": nd30.nd30_date(report.as_of)}
